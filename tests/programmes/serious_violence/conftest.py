"""One evaluation of the synthetic data, shared by the serious violence tests."""

import pytest

from analysis.data import load
from analysis.programmes.serious_violence.evaluation import Parameters, evaluate


@pytest.fixture(scope="session")
def sv_data():
    return load("serious_violence", source="synthetic", seed=3, scale=0.5)


@pytest.fixture(scope="session")
def sv_evaluation(sv_data):
    return evaluate(sv_data, Parameters(bootstrap_draws=100))
