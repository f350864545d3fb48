"""A smoke run of the benchmark code at tiny sizes (benchmarks are not timed tests)."""

import sys
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.__main__ import main


@pytest.mark.xdist_group("benchmarks")
def test_quick_benchmark_run_writes_its_table(tmp_path):
    assert (
        main(["--quick", "--only", "estimators", "--only", "synthetic", "--output", str(tmp_path)])
        == 0
    )
    table = pd.read_csv(tmp_path / "benchmarks.csv")
    assert {"estimators", "synthetic"} <= set(table["group"])
    assert (table["seconds"] > 0).all()
    assert (tmp_path / "benchmarks.md").read_text().count("|") > 10


def test_batch_cases_run_round_robin_and_report_the_median(monkeypatch):
    from benchmarks import batch

    order = []

    def fake_time(command):
        order.append(command[-1])
        return {"a": 1.0, "b": 3.0}[command[-1]] + len(order) / 100

    monkeypatch.setattr(batch, "time_command", fake_time)
    times = batch.run_cases(3, {"A": lambda out: ["x", "a"], "B": lambda out: ["x", "b"]})
    assert order == ["a", "b"] * 3, "interleaved, so a slow moment hits every case alike"
    assert [round(batch.median(v), 2) for v in times.values()] == [1.03, 3.04]


def test_the_floor_and_the_baseline_are_real_commands():
    from benchmarks import batch

    assert set(batch.CASES) >= {"python -m analysis run", "floor (no notebooks)"}
    for label, command in batch.CASES.items():
        argv = command(Path("/tmp/out"))
        assert argv[0] == sys.executable, label


@pytest.mark.xdist_group("benchmarks")
def test_quick_synthetic_control_rows_agree_with_pysyncon(tmp_path):
    """The pysyncon row at a tiny size: the same weights, gap and placebo p-value."""
    assert main(["--quick", "--only", "synthetic_control", "--output", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "benchmarks.csv")
    assert list(table["group"]) == ["synthetic_control"]
    row = table.iloc[0]
    assert row["case"] == "synthetic_control:placebos" and row["size"] == 6
    assert row["weights_max_difference"] < 1e-3
    assert float(row["abs_difference"]) < 1e-3
    assert row["p_value"] == row["reference_p_value"]
    assert row["seconds"] > 0 and row["reference_seconds"] > 0


@pytest.mark.xdist_group("benchmarks")
def test_quick_power_rows_time_the_fast_path_against_the_plain_loop(tmp_path):
    assert main(["--quick", "--only", "power", "--output", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "benchmarks.csv")
    assert list(table["group"]) == ["power"]
    row = table.iloc[0]
    assert row["case"].endswith("--headline-only") and row["size"] == 4
    assert row["seconds"] > 0 and row["reference_seconds"] > 0
    assert row["abs_difference"].startswith("power ")
