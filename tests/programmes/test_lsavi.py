"""lSaVI analysis steps: panels, series, process tables and findings, against independent counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.data.contracts.lsavi import VIOLENCE_VULNERABILITY
from analysis.errors import ConfigError, EstimationError
from analysis.evidence import vfm
from analysis.programmes import lsavi
from analysis.results import Estimate
from analysis.synthetic import generate
from analysis.synthetic import lsavi as world

PANEL_END = "2026-06-01"


@pytest.fixture(scope="module")
def synth():
    return generate("lsavi", seed=21, scale=0.5)


@pytest.fixture(scope="module")
def panel(synth):
    return lsavi.premises_month_panel(
        synth.tables["premises"], synth.tables["incidents"], start="2023-04-01", end=PANEL_END
    )


@pytest.fixture(scope="module")
def history(synth):
    return lsavi.assessment_history(synth.tables["self_assessments"])


# ----------------------------------------------------------------------------- generic builders
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


def test_unit_month_panel_is_balanced_with_zero_months_and_cohorts():
    units, events = _toy()
    panel = lsavi.unit_month_panel(
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


def test_unit_month_panel_refuses_bad_inputs():
    units, events = _toy()
    with pytest.raises(ConfigError, match="adopted before the window"):
        lsavi.unit_month_panel(
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
        lsavi.unit_month_panel(
            pd.concat([units, units]),
            events,
            unit="site",
            event_date="date",
            start="2025-01-01",
            end="2025-02-01",
            outcomes={"x": {}},
        )
    with pytest.raises(ConfigError, match="not found"):
        lsavi.unit_month_panel(
            units,
            events,
            unit="site",
            event_date="when",
            start="2025-01-01",
            end="2025-02-01",
            outcomes={"x": {}},
        )
    with pytest.raises(ConfigError, match="before it starts"):
        lsavi.unit_month_panel(
            units,
            events,
            unit="site",
            event_date="date",
            start="2025-05-01",
            end="2025-02-01",
            outcomes={"x": {}},
        )


def test_premises_panel_counts_match_a_direct_count(synth, panel):
    incidents = synth.tables["incidents"]
    window = incidents["premises_id"].notna() & incidents["incident_date"].between(
        "2023-04-01", "2026-06-30"
    )
    for outcome, categories in lsavi.PANEL_OUTCOMES.items():
        expected = int((window & incidents["category"].isin(categories)).sum())
        assert panel[outcome].sum() == expected, outcome
    month = incidents["incident_date"].dt.to_period("M").dt.to_timestamp()
    direct = (
        incidents[window & incidents["category"].eq("theft")]
        .groupby([incidents["premises_id"], month])
        .size()
    )
    indexed = panel.set_index(["premises_id", "month"])["theft"]
    assert (indexed.loc[direct.index].to_numpy() == direct.to_numpy()).all()
    signed = synth.tables["premises"].set_index("premises_id")["signup_date"]
    cohort = panel.groupby("premises_id")["cohort"].first()
    expected_cohort = signed.dt.to_period("M").dt.to_timestamp()
    pd.testing.assert_series_equal(
        cohort.loc[signed.index], expected_cohort.astype(cohort.dtype), check_names=False
    )


def test_monthly_counts_keep_zero_months_and_every_level():
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-03", "2025-03-09", "2025-03-10"]),
            "area": ["Poole", "Poole", "Purbeck"],
            "kind": ["x", "x", "y"],
        }
    )
    series = lsavi.monthly_counts(events, event_date="date", start="2025-01-01", end="2025-04-01")
    assert series["count"].tolist() == [1, 0, 2, 0]
    by = lsavi.monthly_counts(
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
    assert lsavi.last_complete_month(extract, lag) == pd.Timestamp(expected)


def test_placebo_adoption_leaves_no_real_treatment(panel):
    pilot_period = int(panel.loc[panel["month"] == "2025-04-01", "period"].iloc[0])
    placebo = lsavi.placebo_adoption(panel, shift_months=12, before_period=pilot_period)
    assert placebo["period"].max() == pilot_period - 1
    real = panel.groupby("premises_id")["first_treated"].first()
    fake = placebo.groupby("premises_id")["first_treated"].first()
    adopters = real.dropna().index
    assert (fake.loc[adopters] == real.loc[adopters] - 12).all()
    # Treated placebo rows are exactly those on or after the fake date.
    treated = placebo["period"] >= placebo["first_treated"]
    assert (placebo["treated"] == treated.fillna(False).astype(int)).all()
    with pytest.raises(ConfigError):
        lsavi.placebo_adoption(panel, shift_months=0, before_period=pilot_period)


def test_uptake_table_matches_wilson_reference(synth):
    premises = synth.tables["premises"].assign(signed=lambda d: d["signup_date"].notna())
    table = lsavi.uptake_table(premises, adopted="signed", by="premises_type")
    for row in table.itertuples():
        low, high = proportion_confint(row.adopted, row.units, method="wilson")
        assert row.ci_low == pytest.approx(low) and row.ci_high == pytest.approx(high)
    assert table["units"].sum() == len(premises)
    empty = lsavi.uptake_table(premises, adopted="signed", by="area", levels=["Atlantis"])
    assert empty.iloc[0]["units"] == 0 and np.isnan(empty.iloc[0]["proportion"])


def test_assessment_history_orders_by_date(synth, history):
    assessments = synth.tables["self_assessments"]
    one = assessments["premises_id"].value_counts().index[0]
    rows = assessments[assessments["premises_id"] == one]
    means = rows.groupby("assessment_date")["score"].mean().sort_index()
    record = history.set_index("premises_id").loc[one]
    assert record["first_score"] == pytest.approx(means.iloc[0])
    assert record["latest_score"] == pytest.approx(means.iloc[-1])
    assert record["assessments"] == len(means)
    assert history.loc[history["assessments"] == 1, "change"].isna().all()


def test_data_quality_table_accounts_for_every_incident(synth):
    quality = lsavi.data_quality_table(
        synth.tables, start="2023-04-01", end=PANEL_END, pilot_start="2025-04-01", pilot_months=12
    )
    rows = quality.set_index("item")["rows"]
    parts = [
        "Street incidents (no premises)",
        "Before the analysis window",
        "After the last complete month",
        "Premises incidents in the panel",
    ]
    # Street incidents after the window are counted twice (street and late), so allow for it.
    late_street = (
        synth.tables["incidents"]["premises_id"].isna()
        & (synth.tables["incidents"]["incident_date"] > "2026-06-30")
    ).sum()
    assert rows[parts].sum() - late_street == rows["Incidents in the extract"]
    assert rows["Never signed up"] + rows["Signed up to lSaVI"] == rows["Licensed premises"]


def test_naive_comparison_is_the_plain_rate_ratio(panel):
    est = lsavi.naive_comparison(panel, pilot_start="2025-04-01")
    during = panel["month"] >= "2025-04-01"
    treated = panel[during & (panel["treated"] == 1)]
    never = panel[during & panel["first_treated"].isna()]
    expected = treated["violence_vulnerability"].mean() / never["violence_vulnerability"].mean()
    assert est.effect == pytest.approx(expected)
    assert est.effect > 1.5  # selection on risk: participants look worse
    assert 0 < lsavi.rate_mde(panel, pilot_start="2025-04-01") < 1


def test_staggered_effect_recovers_a_large_planted_effect():
    synth = generate("lsavi", seed=4, scale=2, violence_effect=-0.6, effect_ramp_months=1)
    panel = lsavi.premises_month_panel(
        synth.tables["premises"], synth.tables["incidents"], start="2023-04-01", end=PANEL_END
    )
    est = lsavi.staggered_effect(panel, n_boot=0)
    truth = synth.truth["att_violence_vulnerability"]
    assert est.ci_low <= truth <= est.ci_high
    assert est.significant and est.effect < 0
    assert "never signed up" in est.estimand


def test_percent_change_and_selection_table(panel):
    est = Estimate(-0.1, -0.15, -0.05, 0.01, 10, "difference", "m", "e")
    point, low, high = lsavi.percent_change(est, panel, outcome="violence_vulnerability")
    observed = panel.loc[panel["treated"] == 1, "violence_vulnerability"].mean()
    assert point == pytest.approx(-10 / (observed + 0.1))
    assert low < point < high
    selection = lsavi.selection_table(panel, pilot_start="2025-04-01")
    assert selection["group"].iloc[-1] == "never signed up"
    assert selection["premises"].sum() == panel["premises_id"].nunique()
    joined = selection.iloc[:-1]
    assert joined["rate"].min() > selection["rate"].iloc[-1]


def test_incidents_by_score_counts(panel, history):
    est = lsavi.incidents_by_score(panel, history, threshold=60)
    low = set(history.loc[history["first_score"] < 60, "premises_id"])
    # Premises that never self-assessed have no score and are in neither group.
    after = panel[(panel["treated"] == 1) & panel["premises_id"].isin(history["premises_id"])]
    in_low = after["premises_id"].isin(low)
    expected = (
        after.loc[in_low, "violence_vulnerability"].mean()
        / after.loc[~in_low, "violence_vulnerability"].mean()
    )
    assert est.effect == pytest.approx(expected)
    with pytest.raises(EstimationError, match="threshold"):
        lsavi.incidents_by_score(panel, history, threshold=0)


def test_score_change_uses_repeat_assessors_only(history):
    est = lsavi.score_change_estimate(history)
    repeated = history[history["assessments"] >= 2]
    assert est.n == len(repeated)
    assert est.effect == pytest.approx((repeated["latest_score"] - repeated["first_score"]).mean())


def test_value_for_money_multiplies_effect_by_participant_months(synth, panel):
    value, mix = lsavi.averted_incident_value(
        panel, synth.tables["incidents"], pilot_start="2025-04-01", price_year="2023/24"
    )
    assert value.value == pytest.approx((mix["share"] * mix["unit_cost"]).sum())
    assert mix.set_index("category").loc["vulnerability", "unit_cost"] == 0
    assert set(mix["category"]) == set(VIOLENCE_VULNERABILITY)
    est = Estimate(-0.1, -0.16, -0.04, 0.01, 100, "difference", "m", "e", se=0.03)
    result = lsavi.pilot_value_for_money(est, panel, cost=40000.0, value=value)
    treated_months = int(panel["treated"].sum())
    assert result.averted.point == pytest.approx(0.1 * treated_months)
    assert result.averted.low == pytest.approx(0.04 * treated_months)
    assert result.benefit[0] == pytest.approx(0.1 * treated_months * value.value)
    assert result.break_even_outcomes == pytest.approx(40000.0 / value.value)
    assert isinstance(result, vfm.ValueForMoney)


def test_planted_truth_only_for_the_generators_settings():
    truth = {"att_theft": 0.0}
    settings = dict(
        panel_start="2023-04-01",
        panel_end=PANEL_END,
        pilot_start="2025-04-01",
        score_threshold=world.SCORE_THRESHOLD,
    )
    assert lsavi.planted_truth(truth, "att_theft", **settings) == 0.0
    assert lsavi.planted_truth(truth, "missing", **settings) is None
    assert lsavi.planted_truth(None, "att_theft", **settings) is None
    assert lsavi.planted_truth(truth, "att_theft", **{**settings, "score_threshold": 50}) is None
