"""The staggered difference-in-differences benchmark's own logic, at a tiny size.

The timings themselves (1,000,000 unit-periods against csdid) are taken by ``make bench``,
never by the tests.
"""

import numpy as np
import pandas as pd
import pytest

from benchmarks import staggered
from benchmarks.__main__ import main


def test_bench_panel_has_the_stated_shape_and_cohorts():
    data = staggered.panel(10_000)
    assert len(data) == 10_000 and data["unit"].nunique() == 10_000 // staggered.PERIODS
    assert data.groupby("unit")["first_treated"].nunique().eq(1).all()
    assert set(data["first_treated"]) == {0, *staggered.COHORTS}, "0 is csdid's never treated"
    ours = staggered.prepare("staggered_did", 10_000)["data"]
    assert ours["first_treated"].isna().sum() == (data["first_treated"] == 0).sum()


def test_agreement_is_cell_by_cell_and_notices_a_change_or_a_missing_cell():
    cells = {"10/12": 0.5, "18/20": -0.25}
    ours = {"att": cells, "se": {"10/12": 0.1, "18/20": 0.2}}
    moved = {"att": {**cells, "18/20": -0.2}, "se": ours["se"]}
    assert staggered.largest_difference(ours, ours, "att") == 0.0
    assert staggered.largest_difference(ours, moved, "att") == pytest.approx(0.05)
    fewer = {"att": {"10/12": 0.5}, "se": {"10/12": 0.1}}
    assert staggered.largest_difference(ours, fewer, "att") == np.inf
    assert staggered.agreement(ours, moved) == "5.0e-02"


@pytest.mark.xdist_group("benchmarks")
def test_quick_staggered_rows_agree_with_csdid(tmp_path):
    """Ours and csdid at a tiny size, with and without the bootstrap: every ATT(g,t) to 1e-6.

    Without the bootstrap the standard errors agree to 1e-6 too; with it csdid's are
    bootstrap draws, so none is compared.
    """
    assert main(["--quick", "--only", "staggered", "--output", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "benchmarks.csv").set_index("inference")
    assert sorted(table.index) == ["analytic", "bootstrap"]
    assert list(table["case"]) == [staggered.PAIRS[i][0] for i in table.index]
    assert list(table["reference"]) == [staggered.PAIRS[i][1] for i in table.index]
    assert (table["group"] == "staggered").all() and (
        table["size"] == staggered.QUICK_SIZES[0]
    ).all()
    assert (table["cells"] == len(staggered.COHORTS) * (staggered.PERIODS - 1)).all()
    assert (table["abs_difference"].astype(float) < 1e-6).all()
    assert table.loc["analytic", "se_max_difference"] < 1e-6
    assert np.isnan(table.loc["bootstrap", "se_max_difference"])
    assert (table["seconds"] > 0).all() and (table["reference_seconds"] > 0).all()
    assert table["load"].str.fullmatch(r"\d+\.\d-\d+\.\d").all()
