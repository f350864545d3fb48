"""drug_supply tables: run charts, surges, rings, weekly panels, police.uk counts."""

import numpy as np
import pandas as pd
import pytest

from analysis.data.public import read_street
from analysis.errors import DataValidationError
from analysis.paths import PROJ_ROOT
from analysis.programmes.drug_supply import tables

ARCHIVE = PROJ_ROOT / "tests" / "data" / "public" / "drug_supply_police_uk" / "archive.zip"


def test_run_chart_marks_a_shift_of_six_and_a_trend_of_five_but_not_shorter_runs():
    values = pd.Series([3, 3, 3, 3, 3, 8, 8, 8, 8, 8, 8, 1, 2, 3, 4, 5.0])
    chart = tables.run_chart(values)
    assert chart["median"].iloc[0] == 3.5
    # Five 3s below the median are too few; the six 8s above it are a shift.
    assert chart["shift"].tolist() == [False] * 5 + [True] * 6 + [False] * 5
    # 1, 2, 3, 4, 5: five points rising in a row, a trend (repeated 3s and 8s never are).
    assert chart["trend"].iloc[11:].all() and not chart["trend"].iloc[:10].any()
    short = tables.run_chart(pd.Series([1.0, 9, 1, 9, 1, 9, 2, 3, 4, 5]))
    assert not short["shift"].any()
    assert short["trend"].sum() == 0  # 2, 3, 4, 5 is four points: not a trend


def test_surges_take_each_phase_from_its_first_day_to_that_week_monday(data):
    surge_table = tables.surges(data["operations"])
    assert surge_table["surge_week"].dt.day_of_week.eq(0).all()
    assert surge_table.groupby("phase")["neighbourhood"].nunique().eq(3).all()
    with pytest.raises(DataValidationError, match="no Scorpion activity"):
        tables.surges(data["operations"].query("operation == 'Viper'"))


def test_weekly_panel_counts_every_crime_of_the_whole_weeks_once(data):
    crimes = data["crimes"]
    panel = tables.weekly_panel(crimes, data["lsoas"], tables.GROUPS["harms"])
    assert panel.groupby("week").size().eq(48).all()
    first, last = panel["week"].min(), panel["week"].max() + pd.Timedelta(days=6)
    inside = crimes[crimes["recorded_date"].between(first, last)]
    expected = inside["crime_type"].isin(tables.GROUPS["harms"]).sum()
    assert panel["crimes"].sum() == expected


def test_rings_put_the_target_inside_the_buffer_and_a_gap_before_the_control(data):
    lsoas = data["lsoas"]
    ring = tables.rings(lsoas, ["Poole 3"], buffer_km=2.0)
    assert set(ring[ring == "target"].index) == set(
        lsoas.loc[lsoas["neighbourhood"] == "Poole 3", "lsoa_code"]
    )
    assert {"buffer", "gap", "control"} <= set(ring)
    assert not (ring[ring == "buffer"].index.isin(ring[ring == "target"].index)).any()


def test_police_uk_counts_split_the_home_force_from_the_comparison_forces():
    street = read_street(ARCHIVE)
    street_counts, force_counts = tables.police_uk_counts(street, "Dorset Police")
    dorset_rows = int((street["falls_within"] == "Dorset Police").sum())
    assert street_counts["crimes"].sum() == dorset_rows
    assert force_counts["crimes"].sum() == len(street) - dorset_rows
    assert set(force_counts["falls_within"]) == {
        "Hampshire Constabulary",
        "Wiltshire Police",
        "Devon & Cornwall Police",
    }
    with pytest.raises(DataValidationError, match="no rows for 'Dorset'"):
        tables.police_uk_counts(street, "Dorset")


def test_force_month_panel_drops_a_donor_missing_a_month_and_zero_fills_the_home_force():
    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    home = pd.DataFrame({"month": months[[0, 2]], "crime_type": "Drugs", "crimes": [4, 5]})
    others = pd.DataFrame(
        {
            "falls_within": ["A"] * 3 + ["B"] * 2,
            "month": [*months, *months[:2]],
            "crime_type": "Drugs",
            "crimes": [1, 2, 3, 4, 5],
        }
    )
    panel = tables.force_month_panel(home, others, ["Drugs"], force_name="Home")
    assert set(panel["force"]) == {"Home", "A"}
    assert panel.loc[panel["force"] == "Home", "crimes"].tolist() == [4, 0, 5]


def test_monthly_outputs_and_phase_display_suppress_small_counts(data):
    outputs = tables.monthly_outputs(data["operations"])
    assert outputs["arrests"].sum() == data["operations"]["arrests"].sum()
    assert np.all(np.diff(outputs.index.values).astype("timedelta64[D]").astype(int) >= 28)
    display = tables.phase_outputs(data["operations"], threshold=10)
    assert display.shape[0] == data["operations"]["phase"].nunique()
