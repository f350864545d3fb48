"""Shared inputs of the Soteria tests: one evaluation of a synthetic extract (no kernel)."""

from __future__ import annotations

import pytest

from analysis.data import load
from analysis.programmes.soteria.evaluation import Parameters, evaluate
from analysis.programmes.soteria.findings import build_findings


@pytest.fixture(scope="session")
def synthetic_data():
    return load("soteria", source="synthetic", seed=3, scale=1.0)


@pytest.fixture(scope="session")
def evaluation(synthetic_data):
    return evaluate(synthetic_data, Parameters())


@pytest.fixture(scope="session")
def findings(evaluation):
    return build_findings(evaluation)
