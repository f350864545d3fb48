"""Operation Focus analysis tables: arrests, profiles, windows, process and data quality."""

import pandas as pd
import pytest

from analysis.data import load_reference
from analysis.errors import ConfigError
from analysis.programmes.op_focus import tables
from analysis.programmes.op_focus.tables import (
    exclusions,
    missingness,
    published_tables,
    reoffending_after_arrests,
    selection_by_side,
    vawg_arrests,
)

from .conftest import PILOT, THRESHOLD


def _toy_tables():
    suspects = pd.DataFrame(
        {
            "suspect_id": ["a", "b"],
            "harm_score": [300.0, 100.0],
            "focus_flag": [True, False],
            "focus_date": pd.to_datetime(["2026-04-10", None]),
            "focus_end_date": pd.to_datetime(["2026-08-01", None]),
        }
    )
    crimes = pd.DataFrame(
        {
            "crime_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "suspect_id": ["a", "a", "a", "a", "b", "b"],
            "offence_group": ["rape"] + ["violence_with_injury"] * 5,
            "vawg_flag": [True, True, True, True, True, False],
            "arrest_date": pd.to_datetime(
                ["2026-04-05", "2026-05-01", "2026-09-01", "2025-12-30", "2026-05-01", "2026-05-01"]
            ),
            "outcome_code": [0, 1, 16, 1, 0, 1],
            "outcome_date": pd.to_datetime(
                [None, "2026-06-30", "2026-09-20", "2026-01-09", None, "2026-06-01"]
            ),
        }
    )
    return crimes, suspects


def test_vawg_arrests_marks_focus_investigations_and_censors_at_the_extract():
    crimes, suspects = _toy_tables()
    arrests = vawg_arrests(crimes, suspects, pilot_start=PILOT, extract_date="2026-10-31")
    arrests = arrests.set_index("crime_id")
    assert "c6" not in arrests.index  # not a VAWG crime
    # c1 is before the Focus date, c3 after leaving the cohort: only c2 is under Focus.
    assert arrests["focus_investigation"].to_dict() == {"c4": 0, "c1": 0, "c2": 1, "c5": 0, "c3": 0}
    assert arrests.loc["c2", "days_to_charge"] == 60 and arrests.loc["c2", "charge_event"] == 1
    # Pending: censored at the extract date (209 days after 5 April), not dropped.
    assert arrests.loc["c1", "days_to_outcome"] == 209 and arrests.loc["c1", "decided"] == 0
    # Finalised without a charge: stays at risk of charge until the extract date.
    assert arrests.loc["c3", "days_to_charge"] == 60 and arrests.loc["c3", "charge_event"] == 0
    assert arrests.loc["c3", "days_to_outcome"] == 19
    # 30 December 2025 is in 2025Q4, two quarters before the pilot's 2026Q2.
    assert arrests.loc["c4", "quarter"] == -2 and arrests.loc["c3", "quarter"] == 1
    assert arrests.loc["c3", "withdrawn_pp"] == 100.0
    assert not arrests.loc["c1", "finalised"] and not arrests.loc["c4", "after_pilot"]


def test_reoffending_windows_agree_with_a_plain_loop(world, evaluation):
    crimes = world.tables["crimes"]
    weights = load_reference("harm_weights").set_index("offence_group")["chi_days"]
    sample = evaluation.reoffending.sample(40, random_state=1)
    for _, row in sample.iterrows():
        own = crimes[crimes["suspect_id"] == row["suspect_id"]]
        after = own[
            (own["offence_date"] > row["arrest_date"])
            & (own["offence_date"] <= row["arrest_date"] + pd.Timedelta(days=90))
        ]
        assert row["crimes_after"] == len(after)
        expected = after["offence_group"].map(weights).astype(float).sum()
        assert row["harm_after"] == pytest.approx(expected)
    last = world.extract_date - pd.Timedelta(days=90)
    assert evaluation.reoffending["arrest_date"].max() <= last


def test_data_quality_tables(world, evaluation):
    table = exclusions(
        evaluation.arrests,
        evaluation.reoffending,
        evaluation.profiles,
        follow_up_days=90,
        n_unmatched=evaluation.matching.diagnostics.get("n_unmatched", 0),
    )
    assert table.loc["VAWG arrests, outcome pending at the extract date", "excluded"] == int(
        (~evaluation.arrests["finalised"]).sum()
    )
    blanks = missingness(world.tables).set_index("column")
    assert blanks.loc["outcome_date", "blank"] == int(
        world.tables["crimes"]["outcome_code"].eq(0).sum()
    )
    sides = selection_by_side(world.tables["suspects"], threshold=THRESHOLD)
    assert sides["suspects"].sum() == len(world.tables["suspects"])


def test_reoffending_needs_a_weight_for_every_offence_group(world):
    arrests = pd.DataFrame({"suspect_id": ["a"], "arrest_date": pd.to_datetime(["2026-01-01"])})
    with pytest.raises(ConfigError, match="no value for offence group"):
        reoffending_after_arrests(
            arrests,
            world.tables["crimes"],
            harm_weights={"rape": 2555.0},
            follow_up_days=90,
            extract_date="2026-10-31",
        )
    with pytest.raises(ConfigError, match="follow_up_days"):
        reoffending_after_arrests(
            arrests,
            world.tables["crimes"],
            harm_weights={},
            follow_up_days=0,
            extract_date="2026-10-31",
        )


def test_published_tables_suppress_small_counts_and_refuse_unknown_tables(evaluation):
    shown = evaluation.published
    assert set(shown) == set(tables.PUBLISHED)
    pending = shown["pending"]
    assert pending.columns[0] == "arrest quarter"  # the index became a column
    left_out = pd.DataFrame({"excluded": [3, 40]}, index=pd.Index(["a", "b"], name="what"))
    assert published_tables({"exclusions": left_out}, threshold=10)["exclusions"][
        "excluded"
    ].tolist() == ["<10", 40]
    with pytest.raises(ConfigError, match="no disclosure rule"):
        published_tables({"anything": left_out}, threshold=10)


def test_reoffending_summary_counts_each_group(evaluation):
    summary = tables.reoffending_summary(evaluation.reoffending_index)
    index = evaluation.reoffending_index
    assert summary["suspects"].sum() == len(index)
    assert summary.loc["Focus", "crimes"] == index.loc[index["focus_flag"], "crimes_after"].sum()
