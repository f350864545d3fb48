"""Victim services' tables: the emulated trial's eligibility and timing, reach and series."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.programmes.victim_services import tables

EXTRACT = pd.Timestamp("2025-12-31")


def offences(**columns):
    base = {
        "crime_id": ["c1", "c2", "c3", "c4"],
        "victim_id": ["a", "b", "c", "d"],
        "offence_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-01", "2025-12-20"]),
        "offence_type": ["domestic_abuse"] * 3 + ["sexual_offence"],
        "dash_risk": ["high", "standard", "not recorded", "medium"],
        "prior_incidents": [3, 0, 1, 0],
        "outcome_code": [16, 1, 0, 15],
    }
    base.update(columns)
    return pd.DataFrame(base)


def trial(cases, incidents=None):
    incidents = (
        pd.DataFrame({"victim_id": [], "incident_date": pd.to_datetime([])})
        if incidents is None
        else incidents
    )
    return tables.emulated_trial(
        offences(),
        cases,
        incidents,
        support_window_days=28,
        follow_up_days=365,
        extract_date=EXTRACT,
    ).set_index("crime_id")


def test_support_means_a_referral_within_the_grace_period():
    cases = pd.DataFrame(
        {
            "victim_id": ["a", "b"],
            # a: day 27 (supported); b: day 28 (too late: comparison).
            "referral_date": pd.to_datetime(["2025-01-28", "2025-01-29"]),
        }
    )
    result = trial(cases)
    assert result.loc["c1", "supported"] == 1
    assert result.loc["c2", "supported"] == 0


def test_victims_already_supported_and_crimes_inside_the_grace_period_are_not_eligible():
    cases = pd.DataFrame({"victim_id": ["c"], "referral_date": pd.to_datetime(["2024-12-01"])})
    result = trial(cases)
    assert "c3" not in result.index  # already had a case before the crime
    assert "c4" not in result.index  # grace period not over by the extract date


def test_outcomes_and_covariates_are_coded():
    result = trial(pd.DataFrame({"victim_id": [], "referral_date": pd.to_datetime([])}))
    assert result.loc["c1", ["withdrawn", "charged", "risk_high"]].tolist() == [1, 0, 1]
    assert result.loc["c2", ["withdrawn", "charged", "risk_high"]].tolist() == [0, 1, 0]
    assert not result.loc["c3", "finalised"] and result.loc["c3", "risk_not_recorded"] == 1


def test_repeat_is_timed_from_the_landmark_and_censored_at_follow_up():
    incidents = pd.DataFrame(
        {
            "victim_id": ["a", "a", "b"],
            # a: one incident inside the grace period (ignored), one 10 days after the landmark;
            # b: an incident after a year of follow-up (censored at 365).
            "incident_date": pd.to_datetime(["2025-01-10", "2025-02-08", "2026-06-01"]),
        }
    )
    result = trial(pd.DataFrame({"victim_id": [], "referral_date": pd.to_datetime([])}), incidents)
    assert result.loc["c1", ["repeat", "repeat_days"]].tolist() == [1, 10]
    # Landmark 29 January 2025; the extract is 336 days later, before a full year.
    assert result.loc["c2", ["repeat", "repeat_days"]].tolist() == [0, 336]


def cases_frame():
    return pd.DataFrame(
        {
            "case_id": [f"k{i}" for i in range(30)],
            "ethnicity": ["White"] * 25 + ["not recorded"] * 5,
            "referral_date": pd.to_datetime(["2025-01-10"] * 15 + ["2025-05-10"] * 15),
            "first_contact_date": pd.to_datetime(
                ["2025-01-14"] * 15 + ["2025-05-12"] * 14 + [None]
            ),
            "contacts": [3] * 20 + [1] * 10,
            "service": ["IDVA"] * 30,
            "marac_referral": [True] * 4 + [False] * 26,
        }
    )


def test_reach_counts_each_group_with_a_total():
    table = tables.reach(cases_frame(), "ethnicity").set_index("ethnicity")
    assert table.loc["Total", "referrals"] == 30
    assert table.loc["not recorded", "reached"] == 4
    assert table.loc["White", "median days to first contact"] == 4


def test_reach_display_hides_small_groups_and_their_medians():
    shown = tables.reach_display(tables.reach(cases_frame(), "ethnicity"), threshold=10)
    assert shown.loc["not recorded", "median days to first contact"] == "-"
    assert not str(shown.loc["not recorded", "referrals"]).isdigit()


def test_capacity_divides_by_advisers_and_women():
    table = tables.capacity(
        cases_frame(), extract_date=EXTRACT, adviser_fte=3.0, adult_women=10_000
    )
    assert table.iloc[0]["Dorset"] == pytest.approx(10.0)
    assert table.iloc[1]["Dorset"] == pytest.approx(4.0)


def test_monthly_service_series():
    trial_frame = pd.DataFrame(
        {
            "supported": [1, 1, 0],
            "finalised": [True, True, True],
            "offence_date": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-01-05"]),
            "withdrawn": [1, 0, 1],
        }
    )
    series = tables.monthly_service(cases_frame(), trial_frame, extract_date=EXTRACT)
    january = series.set_index("month").loc[pd.Timestamp("2025-01-01")]
    assert january["mean_days_to_contact"] == 4
    assert january["engaged_pct"] == 100
    assert january["withdrawal_pct"] == 50
