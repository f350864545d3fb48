"""A smoke run of the benchmark code at tiny sizes (benchmarks are not timed tests)."""

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
