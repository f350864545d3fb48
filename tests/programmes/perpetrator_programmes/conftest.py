"""Shared inputs of the perpetrator-programmes tests: small made-up tables and one evaluation.

The evaluation runs once per session on a small synthetic extract (no kernel).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data import load
from analysis.programmes.perpetrator_programmes.evaluation import Parameters, evaluate
from analysis.programmes.perpetrator_programmes.findings import build_findings


@pytest.fixture(scope="session")
def synthetic_data():
    return load("perpetrator_programmes", source="synthetic", seed=11, scale=0.5)


@pytest.fixture(scope="session")
def evaluation(synthetic_data):
    # Half-scale costs: the funding announced for a half-scale extract, so the cost is confirmed.
    return evaluate(synthetic_data, Parameters(continuation_funding_gbp=135_000.0))


@pytest.fixture(scope="session")
def findings(evaluation):
    return build_findings(evaluation)


@pytest.fixture
def costs():
    return pd.DataFrame(
        {
            "programme": ["Drive", "Up2U", "training", "Drive"],
            "financial_year": ["2024/25", "2024/25", "2024/25", "2023/24"],
            "cost_gbp": [100_000.0, 50_000.0, 10_000.0, 90_000.0],
        }
    )


@pytest.fixture
def starters():
    return pd.DataFrame(
        {
            "programme": ["Drive"] * 3 + ["Up2U"] * 2 + ["Drive"],
            "status": [
                "completed",
                "dropped_out",
                "completed",
                "completed",
                "ongoing",
                "completed",
            ],
            "start_date": pd.to_datetime(
                ["2024-04-01", "2024-10-01", "2025-03-31", "2024-06-01", "2025-01-01", "2024-03-31"]
            ),
        }
    )
