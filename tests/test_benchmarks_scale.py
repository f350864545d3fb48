"""The scale benchmarks' own logic: archive layout, panel checksums, interleaved ratios.

The benchmarks themselves (30 million rows, pysyncon's half-hour placebo test) are run by
``make bench``, never by the tests.
"""

import numpy as np
import pandas as pd

from analysis.data.public import read_street
from analysis.data.public.panel import count_street_crimes
from benchmarks import _runs, police_archive, synthetic_control_speed


def test_generated_archive_files_are_in_the_published_layout(tmp_path):
    month = tmp_path / "2019-01"
    month.mkdir()
    body = police_archive._force_template(3, 0).replace("@MONTH@", "2019-01")
    (month / "2019-01-force03-street.csv").write_text(police_archive.HEADER + "\n" + body)
    street = read_street(tmp_path)
    assert len(street) == police_archive.ROWS_PER_FILE
    asb = street["crime_type"] == "Anti-social behaviour"
    assert street.loc[asb, "crime_id"].isna().all() and street.loc[~asb, "crime_id"].notna().all()
    assert 0.02 < street["lsoa_code"].isna().mean() < 0.08, "about 5% unlocated"


def test_the_panel_checksum_ignores_order_and_dtype_but_not_content(tmp_path):
    month = tmp_path / "2019-01"
    month.mkdir()
    body = police_archive._force_template(0, 1).replace("@MONTH@", "2019-01")
    (month / "2019-01-force00-street.csv").write_text(police_archive.HEADER + "\n" + body)
    ours = count_street_crimes(tmp_path)
    p = {"files": [str(next(month.iterdir()))], "folder": tmp_path}
    p.update(start="2019-01", end="2019-01")
    pandas = police_archive._pandas_read_csv(p)
    assert police_archive.summarise("", ours) == police_archive.summarise("", pandas)
    shuffled = pandas.sample(frac=1, random_state=1)
    assert police_archive.summarise("", shuffled) == police_archive.summarise("", pandas)
    changed = pandas.copy()
    changed.loc[0, "crimes"] += 1
    assert (
        police_archive.summarise("", changed)["checksum"]
        != police_archive.summarise("", pandas)["checksum"]
    )


def test_ratios_are_taken_run_by_run_and_their_median_reported():
    runs = {
        "ours": [_runs.Run("ours", s, 100.0, {"x": 1}) for s in (1.0, 2.0, 4.0)],
        "ref": [_runs.Run("ref", s, 300.0, {"x": 1}) for s in (3.0, 4.0, 40.0)],
    }
    (row,) = _runs.rows("g", runs, "ours", 10, lambda a, b: "same" if a == b else "differ")
    assert row["speed_ratio"] == 3.0, "median of 3, 2 and 10"
    assert (row["seconds"], row["reference_seconds"]) == (2.0, 4.0)
    assert row["abs_difference"] == "same" and row["runs"] == "1.0/3.0 2.0/4.0 4.0/40.0"


def test_synthetic_control_bench_panel_has_the_stated_shape():
    data = synthetic_control_speed.panel(43)
    assert data.shape[0] == 43 * synthetic_control_speed.PERIODS
    assert np.isfinite(data["y"]).all() and data.groupby("unit")["x"].nunique().eq(1).all()
    assert isinstance(data, pd.DataFrame)
