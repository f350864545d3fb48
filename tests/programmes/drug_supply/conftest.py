"""Shared fixtures: one evaluation of a synthetic Viper and Scorpion extract, no kernel."""

import pytest

from analysis.data import load
from analysis.programmes.drug_supply.evaluation import Parameters, evaluate


@pytest.fixture(scope="package")
def data():
    return load("drug_supply", source="synthetic", seed=3, scale=1.0)


@pytest.fixture(scope="package")
def evaluation(data):
    return evaluate(data, Parameters())
