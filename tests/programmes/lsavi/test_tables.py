"""lSaVI's tables: the panel, histories, process and quality tables, and what the report shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.programmes.lsavi import tables
from analysis.results import Estimate

from .conftest import PANEL_END


def test_premises_panel_counts_match_a_direct_count(synth, panel):
    incidents = synth.tables["incidents"]
    window = incidents["premises_id"].notna() & incidents["incident_date"].between(
        "2023-04-01", "2026-06-30"
    )
    for outcome, categories in tables.PANEL_OUTCOMES.items():
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
    assert set(tables.PREMISES_COLUMNS) <= set(panel.columns)


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


def test_domain_score_changes_use_repeat_assessors(synth):
    assessments = synth.tables["self_assessments"]
    table = tables.domain_score_changes(assessments)
    cctv = assessments[assessments["domain"] == "cctv"].sort_values("assessment_date")
    pairs = cctv.groupby("premises_id")["score"].agg(["first", "last", "size"])
    pairs = pairs[pairs["size"] >= 2]
    assert table.loc["cctv", "premises"] == len(pairs)
    assert table.loc["cctv", "mean_change"] == pytest.approx(
        (pairs["last"] - pairs["first"]).mean()
    )


def test_engagement_funnel_narrows(synth, history):
    funnel = tables.engagement_funnel(synth.tables["premises"], history)
    counts = list(funnel.values())
    assert counts == sorted(counts, reverse=True)
    assert funnel["Signed up"] == synth.tables["premises"]["signup_date"].notna().sum()


def test_data_quality_table_accounts_for_every_incident(synth):
    quality = tables.data_quality_table(
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
    assert rows["Blank signup_date"] == rows["Never signed up"]


def test_selection_table_shows_riskier_premises_joined(panel):
    selection = tables.selection_table(panel, pilot_start="2025-04-01")
    assert selection["group"].iloc[-1] == "never signed up"
    assert selection["premises"].sum() == panel["premises_id"].nunique()
    joined = selection.iloc[:-1]
    assert joined["rate"].min() > selection["rate"].iloc[-1]
    monthly = tables.selection_table(panel, pilot_start="2025-04-01", quarters=False)
    assert monthly["group"].iloc[0] == "signed up in pilot month 1"
    assert monthly["incidents"].sum() == selection["incidents"].sum()
    # The ratio of participants' rate to the rest's, from the table's own counts.
    before = panel[panel["month"] < "2025-04-01"]
    participant = before["first_treated"].notna()
    expected = (
        before.loc[participant, "violence_vulnerability"].mean()
        / before.loc[~participant, "violence_vulnerability"].mean()
    )
    assert tables.before_pilot_rate_ratio(selection) == pytest.approx(expected)


def test_reach_table_shares(panel):
    reach = tables.reach_table(panel, pilot_start="2025-04-01")
    row = reach.loc["theft"]
    assert row["share"] == pytest.approx(row["at_participants"] / row["all"])
    assert set(reach.index) == set(tables.PANEL_OUTCOMES)


def test_nte_violence_series_counts_premises_and_street(synth):
    incidents = synth.tables["incidents"]
    series = tables.nte_violence_series(incidents, start="2023-04-01", end=PANEL_END)
    nte = incidents[
        incidents["category"].isin(tables.NTE_VIOLENCE)
        & incidents["night_time_economy"]
        & incidents["incident_date"].between("2023-04-01", "2026-06-30")
    ]
    assert series["count"].sum() == len(nte)
    by_area = tables.nte_violence_series(incidents, start="2023-04-01", end=PANEL_END, by_area=True)
    assert by_area["count"].sum() == len(nte)
    assert set(by_area["area"]) == set(tables.AREAS)


def test_mean_followup_and_repeat_share(panel):
    treated = panel[panel["treated"] == 1]
    assert tables.mean_followup_months(panel) == pytest.approx(
        len(treated) / treated["premises_id"].nunique()
    )
    assert tables.repeat_share({"Completed a self-assessment": 8, "Repeated it": 2}) == 0.25


# ----------------------------------------------------------------------------- display tables
def test_uptake_breakdowns_suppress_and_name_groups(synth):
    premises = synth.tables["premises"]
    breakdowns = tables.uptake_breakdowns(premises, threshold=10)
    assert [b.title for b in breakdowns] == ["premises type", "area"]
    area = breakdowns[1]
    assert area.table["group"].tolist() == list(tables.AREAS)
    assert area.figure_table.columns[0] == "area"
    assert list(area.display.columns) == ["premises", "signed up"]
    small = area.table.loc[area.table["adopted"].between(1, 9), "group"]
    for group in small:
        assert area.display.loc[group, "signed up"] == "<10"


def test_highest_uptake_group_names_only_publishable_groups():
    table = pd.DataFrame(
        {
            "group": ["pub", "bar", "club"],
            "units": [100, 50, 12],
            "adopted": [30, 25, 11],
            "proportion": [0.3, 0.5, 11 / 12],
        }
    )
    # The club's uptake is highest but only one club did not sign up: it may not be named.
    assert tables.highest_uptake_group(table, threshold=10) == "bar"
    assert tables.highest_uptake_group(table, threshold=200) is None


def test_signup_cohorts_count_by_month(synth):
    premises = synth.tables["premises"]
    cohorts = tables.signup_cohorts(premises, threshold=1)
    months = premises["signup_date"].dropna().dt.strftime("%Y-%m")
    assert cohorts.index.tolist() == sorted(months.unique())
    assert cohorts["premises signed up"].astype(int).sum() == len(months)


def test_checks_table_formats_each_estimate():
    est = Estimate(-0.1234, -0.2, 0.01, 0.061, 10, "difference", "m", "e")
    table = tables.checks_table([("Headline", est), ("Theft", est)])
    assert table.index.tolist() == ["Headline", "Theft"]
    assert table.loc["Theft", "effect per premises-month"] == "-0.123"
    assert table.loc["Theft", "95% CI"] == "-0.200 to 0.0100"
    assert table.loc["Theft", "p"] == "0.061"


def test_area_its_display_blank_where_not_modelled():
    by_area = pd.DataFrame(
        {
            "area": ["Poole", "Purbeck"],
            "events_before": [400, 30],
            "events_after": [200, 12],
            "effect": [0.9, np.nan],
            "ci_low": [0.8, np.nan],
            "ci_high": [1.01, np.nan],
            "p_value": [0.07, np.nan],
            "note": ["", "too few"],
        }
    )
    shown = tables.area_its_display(by_area, threshold=10)
    assert shown.loc["Poole", "rate ratio (95% CI)"] == "0.900 (0.800 to 1.01)"
    assert shown.loc["Purbeck", "rate ratio (95% CI)"] == ""


def test_domain_and_mix_displays(synth):
    domains = tables.domain_display(
        tables.domain_score_changes(synth.tables["self_assessments"]), threshold=10
    )
    assert list(domains.columns) == [
        "premises",
        "first score (mean)",
        "latest score (mean)",
        "change",
    ]
    mix = pd.DataFrame(
        {
            "category": ["a", "b"],
            "incidents": [3, 1],
            "share": [0.75, 0.25],
            "unit_cost": [1000.0, 0.0],
            "line": ["a", "none"],
        }
    )
    shown = tables.incident_mix_display(mix)
    assert "incidents" not in shown.columns
    assert shown["share"].tolist() == ["75%", "25%"]
