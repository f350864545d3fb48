"""Shared fixtures for the unit-level estimator tests: public reference data sets and
the writer for the slow coverage study (``benchmarks/results/coverage_unit.csv``)."""

from __future__ import annotations

import csv
import fcntl
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

COVERAGE_UNIT_CSV = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_unit.csv"
)
COVERAGE_COLUMNS = [
    "estimator",
    "design",
    "replications",
    "coverage",
    "mean_bias",
    "sd_estimate",
    "mean_se",
    "truth",
    "seconds",
    "recorded_at",
]


@pytest.fixture(scope="session")
def rossi() -> pd.DataFrame:
    """Rossi et al. (1980) recidivism of released prisoners, shipped with lifelines."""
    from lifelines.datasets import load_rossi

    return load_rossi()


@pytest.fixture(scope="session")
def cattaneo() -> pd.DataFrame:
    """Cattaneo (2010) birth weight and maternal smoking data, shipped in statsmodels' tests
    (the data of Stata's ``teffects`` examples)."""
    import statsmodels

    path = Path(statsmodels.__file__).parent / "treatment/tests/results/cataneo2.csv"
    return pd.read_csv(path)


@pytest.fixture(scope="session")
def senate() -> pd.DataFrame:
    """US Senate elections 1914-2010 (Cattaneo, Frandsen and Titiunik 2015), shipped with
    rdrobust; rows with a missing vote share dropped."""
    import rdrobust

    path = Path(rdrobust.__file__).parent / "data" / "rdrobust_RDsenate.csv"
    return pd.read_csv(path).dropna(subset=["margin", "vote"]).reset_index(drop=True)


@pytest.fixture(scope="session")
def record_coverage() -> Callable[..., None]:
    """Append one coverage-study row to ``coverage_unit.csv`` (safe under pytest-xdist)."""

    def record(**row: object) -> None:
        COVERAGE_UNIT_CSV.parent.mkdir(parents=True, exist_ok=True)
        row = {**row, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
        with open(COVERAGE_UNIT_CSV, "a", newline="") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            writer = csv.DictWriter(handle, fieldnames=COVERAGE_COLUMNS)
            if handle.tell() == 0:
                writer.writeheader()
            writer.writerow({key: row.get(key, "") for key in COVERAGE_COLUMNS})
            fcntl.flock(handle, fcntl.LOCK_UN)

    return record
