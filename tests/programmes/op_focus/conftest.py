"""Shared synthetic world and evaluation for the Operation Focus tests (no kernel needed)."""

import pytest

from analysis.programmes.op_focus.evaluation import Parameters, evaluate
from analysis.synthetic import generate

PILOT = "2026-04-01"
THRESHOLD = 240.0


@pytest.fixture(scope="session")
def world():
    return generate("op_focus", seed=21)


@pytest.fixture(scope="session")
def evaluation(world):
    return evaluate(world, Parameters(pilot_start=PILOT, harm_threshold=THRESHOLD))
