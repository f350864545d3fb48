"""Unit-by-month panels, monthly series, placebo dates and uptake tables, against direct counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.data import panels
from analysis.errors import ConfigError
from analysis.synthetic import generate


@pytest.fixture(scope="module")
def synth():
    return generate("lsavi", seed=21, scale=0.5)


@pytest.fixture(scope="module")
def panel(synth):
    """A premises-month panel built with the generic builder alone."""
    return panels.unit_month_panel(
        synth.tables["premises"],
        synth.tables["incidents"],
        unit="premises_id",
        event_date="incident_date",
        start="2023-04-01",
        end="2026-06-01",
        outcomes={"theft": {"category": ["theft"]}, "all": {}},
        adoption_date="signup_date",
    )


def _toy():
    units = pd.DataFrame(
        {
            "site": ["a", "b", "c"],
            "joined": pd.to_datetime(["2025-02-20", None, "2025-09-01"]),
            "kind": ["pub", "bar", "pub"],
        }
    )
    events = pd.DataFrame(
        {
            "site": ["a", "a", "b", "b", "zz", None, "c"],
            "kind": ["x", "y", "x", "x", "x", "x", "x"],
            "date": pd.to_datetime(
                [
                    "2025-01-31",
                    "2025-02-01",
                    "2025-03-15",
                    "2025-03-16",
                    "2025-01-10",
                    "2025-01-10",
                    "2024-12-31",
                ]
            ),
        }
    )
    return units, events


def test_unit_month_panel_is_balanced_with_zero_months_and_cohorts(caplog):
    units, events = _toy()
    panel = panels.unit_month_panel(
        units,
        events,
        unit="site",
        event_date="date",
        start="2025-01-01",
        end="2025-03-31",
        outcomes={"x": {"kind": ["x"]}, "all": {}},
        adoption_date="joined",
        keep=["kind"],
    )
    assert len(panel) == 9
    counts = panel.pivot(index="site", columns="period", values="x")
    assert counts.loc["a"].tolist() == [1, 0, 0]
    assert counts.loc["b"].tolist() == [0, 0, 2]
    assert counts.loc["c"].tolist() == [0, 0, 0]  # its event is before the window
    assert panel.loc[panel.site == "a", "all"].tolist() == [1, 1, 0]
    a = panel[panel.site == "a"]
    assert a["first_treated"].tolist() == [2, 2, 2]
    assert a["treated"].tolist() == [0, 1, 1]
    assert a["event_time"].tolist() == [-1, 0, 1]
    assert a["cohort"].iloc[0] == pd.Timestamp("2025-02-01")
    # Adopting after the window counts as not adopting within it.
    c = panel[panel.site == "c"]
    assert c["first_treated"].isna().all() and c["cohort"].isna().all()
    assert (c["treated"] == 0).all()
    assert panel["kind"].tolist()[:3] == ["pub"] * 3
    assert "1 events name a unit not in the units table" in caplog.text


def test_unit_month_panel_without_adoption_has_no_treated_rows():
    units, events = _toy()
    panel = panels.unit_month_panel(
        units,
        events,
        unit="site",
        event_date="date",
        start="2025-01-01",
        end="2025-02-01",
        outcomes={"x": {}},
    )
    assert (panel["treated"] == 0).all() and panel["first_treated"].isna().all()


def test_unit_month_panel_refuses_bad_inputs():
    units, events = _toy()
    with pytest.raises(ConfigError, match="adopted before the window"):
        panels.unit_month_panel(
            units,
            events,
            unit="site",
            event_date="date",
            start="2025-03-01",
            end="2025-06-01",
            outcomes={"x": {}},
            adoption_date="joined",
        )
    with pytest.raises(ConfigError, match="repeat"):
        panels.unit_month_panel(
            pd.concat([units, units]),
            events,
            unit="site",
            event_date="date",
            start="2025-01-01",
            end="2025-02-01",
            outcomes={"x": {}},
        )
    with pytest.raises(ConfigError, match="not found"):
        panels.unit_month_panel(
            units,
            events,
            unit="site",
            event_date="when",
            start="2025-01-01",
            end="2025-02-01",
            outcomes={"x": {}},
        )
    with pytest.raises(ConfigError, match="before it starts"):
        panels.unit_month_panel(
            units,
            events,
            unit="site",
            event_date="date",
            start="2025-05-01",
            end="2025-02-01",
            outcomes={"x": {}},
        )
    with pytest.raises(ConfigError, match="no column 'colour'"):
        panels.unit_month_panel(
            units,
            events,
            unit="site",
            event_date="date",
            start="2025-01-01",
            end="2025-02-01",
            outcomes={"x": {"colour": ["red"]}},
        )


def test_panel_counts_match_a_direct_count(synth, panel):
    incidents = synth.tables["incidents"]
    window = incidents["premises_id"].notna() & incidents["incident_date"].between(
        "2023-04-01", "2026-06-30"
    )
    assert panel["all"].sum() == int(window.sum())
    month = incidents["incident_date"].dt.to_period("M").dt.to_timestamp()
    direct = (
        incidents[window & incidents["category"].eq("theft")]
        .groupby([incidents["premises_id"], month])
        .size()
    )
    indexed = panel.set_index(["premises_id", "month"])["theft"]
    assert (indexed.loc[direct.index].to_numpy() == direct.to_numpy()).all()
    assert indexed.sum() == direct.sum()


def test_monthly_counts_keep_zero_months_and_every_level():
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-03", "2025-03-09", "2025-03-10"]),
            "area": ["Poole", "Poole", "Purbeck"],
            "kind": ["x", "x", "y"],
        }
    )
    series = panels.monthly_counts(events, event_date="date", start="2025-01-01", end="2025-04-01")
    assert series["count"].tolist() == [1, 0, 2, 0]
    by = panels.monthly_counts(
        events,
        event_date="date",
        start="2025-01-01",
        end="2025-03-01",
        by="area",
        levels=["Poole", "Purbeck", "Bournemouth"],
        where={"kind": ["x"]},
    )
    assert by.groupby("area", sort=False)["count"].sum().to_dict() == {
        "Poole": 2,
        "Purbeck": 0,
        "Bournemouth": 0,
    }
    assert len(by) == 9
    # Without levels, only the groups that have events.
    observed = panels.monthly_counts(
        events, event_date="date", start="2025-01-01", end="2025-03-01", by="area"
    )
    assert sorted(observed["area"].unique()) == ["Poole", "Purbeck"]


@pytest.mark.parametrize(
    ("extract", "lag", "expected"),
    [
        ("2026-07-15", 14, "2026-06-01"),
        ("2026-07-14", 14, "2026-06-01"),
        ("2026-07-13", 14, "2026-05-01"),
        ("2026-06-30", 0, "2026-06-01"),
        ("2026-06-29", 0, "2026-05-01"),
        ("2026-01-10", 14, "2025-11-01"),
    ],
)
def test_last_complete_month(extract, lag, expected):
    assert panels.last_complete_month(extract, lag) == pd.Timestamp(expected)


def test_last_complete_month_refuses_a_negative_lag():
    with pytest.raises(ConfigError, match="recording_lag_days"):
        panels.last_complete_month("2026-07-15", -1)


def test_month_arithmetic():
    dates = pd.Series(pd.to_datetime(["2024-12-31", "2025-01-01", None]))
    assert panels.month_start(dates).tolist()[:2] == [
        pd.Timestamp("2024-12-01"),
        pd.Timestamp("2025-01-01"),
    ]
    assert panels.month_start(dates).isna().iloc[2]
    between = panels.months_between(pd.Timestamp("2025-01-15"), dates)
    assert between.tolist()[:2] == [-1, 0]


def test_placebo_adoption_leaves_no_real_treatment(panel):
    pilot_period = int(panel.loc[panel["month"] == "2025-04-01", "period"].iloc[0])
    placebo = panels.placebo_adoption(panel, shift_months=12, before_period=pilot_period)
    assert placebo["period"].max() == pilot_period - 1
    real = panel.groupby("premises_id")["first_treated"].first()
    fake = placebo.groupby("premises_id")["first_treated"].first()
    adopters = real.dropna().index
    assert (fake.loc[adopters] == real.loc[adopters] - 12).all()
    # Treated placebo rows are exactly those on or after the fake date.
    treated = placebo["period"] >= placebo["first_treated"]
    assert (placebo["treated"] == treated.fillna(False).astype(int)).all()
    with pytest.raises(ConfigError):
        panels.placebo_adoption(panel, shift_months=0, before_period=pilot_period)


def test_uptake_table_matches_wilson_reference(synth):
    premises = synth.tables["premises"].assign(signed=lambda d: d["signup_date"].notna())
    table = panels.uptake_table(premises, adopted="signed", by="premises_type")
    for row in table.itertuples():
        low, high = proportion_confint(row.adopted, row.units, method="wilson")
        assert row.ci_low == pytest.approx(low) and row.ci_high == pytest.approx(high)
    assert table["units"].sum() == len(premises)
    empty = panels.uptake_table(premises, adopted="signed", by="area", levels=["Atlantis"])
    assert empty.iloc[0]["units"] == 0 and np.isnan(empty.iloc[0]["proportion"])
    overall = panels.uptake_table(premises, adopted="signed")
    assert overall["group"].tolist() == ["all"]
    assert overall["adopted"].iloc[0] == premises["signed"].sum()
