"""Synthetic lSaVI data, its panel and one evaluation, shared by the programme's tests."""

from __future__ import annotations

import pytest

from analysis.data import load
from analysis.programmes.lsavi import tables
from analysis.programmes.lsavi.evaluation import Parameters, evaluate
from analysis.synthetic import generate

PANEL_START = "2023-04-01"
PANEL_END = "2026-06-01"


@pytest.fixture(scope="package")
def synth():
    return generate("lsavi", seed=21, scale=0.5)


@pytest.fixture(scope="package")
def panel(synth):
    return tables.premises_month_panel(
        synth.tables["premises"], synth.tables["incidents"], start=PANEL_START, end=PANEL_END
    )


@pytest.fixture(scope="package")
def history(synth):
    return tables.assessment_history(synth.tables["self_assessments"])


@pytest.fixture(scope="package")
def data():
    return load("lsavi", source="synthetic", seed=21, scale=0.5)


@pytest.fixture(scope="package")
def evaluation(data):
    """The evaluation with the notebook's defaults, on a small synthetic extract."""
    return evaluate(data, Parameters(bootstrap_draws=49))
