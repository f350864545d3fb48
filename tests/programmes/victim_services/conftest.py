"""Shared fixtures: one evaluation of a Dorset-scale synthetic extract, no kernel."""

import pytest

from analysis.data import load
from analysis.programmes.victim_services.evaluation import Parameters, evaluate


@pytest.fixture(scope="package")
def data():
    return load("victim_services", source="synthetic", seed=3, scale=1.0)


@pytest.fixture(scope="package")
def evaluation(data):
    return evaluate(data, Parameters())
