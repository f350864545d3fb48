"""Perpetrator programmes' tables: outcomes, cohorts, panels, process, costs and display tables.

Expected values are worked out by hand from small made-up extracts.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.errors import ConfigError, EstimationError
from analysis.programmes.perpetrator_programmes import tables
from analysis.results import Estimate

EXTRACT = pd.Timestamp("2025-03-31")


def _people(rows):
    columns = [
        "person_id",
        "programme",
        "status",
        "identified_date",
        "referral_date",
        "start_date",
        "dash_risk",
        "marac_flag",
        "prior_da_incidents",
        "age_band",
        "area",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("identified_date", "referral_date", "start_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


PEOPLE = _people(
    [
        # a: Drive starter, reoffends 100 days after the start (an offence in the wait
        # before the start does not count).
        (
            "a",
            "Drive",
            "completed",
            "2023-01-01",
            "2023-01-10",
            "2023-02-01",
            "high",
            True,
            4,
            "25-34",
            "Poole",
        ),
        # b: comparison (high), reoffends on day 400: not within 365 days.
        (
            "b",
            "none",
            "not_referred",
            "2023-03-01",
            None,
            None,
            "high",
            False,
            1,
            "18-24",
            "Purbeck",
        ),
        # c: comparison (high), never reoffends (its identifying crime is on day 0).
        (
            "c",
            "none",
            "not_referred",
            "2023-06-01",
            None,
            None,
            "high",
            True,
            2,
            "55+",
            "Bournemouth",
        ),
        # d: Drive starter too recent for a complete 12-month window.
        (
            "d",
            "Drive",
            "ongoing",
            "2024-09-01",
            "2024-09-10",
            "2024-10-01",
            "high",
            False,
            0,
            "35-44",
            "West Dorset",
        ),
        # e: referred to Drive, never started.
        (
            "e",
            "Drive",
            "not_started",
            "2023-05-01",
            "2023-05-05",
            None,
            "high",
            True,
            6,
            "25-34",
            "Poole",
        ),
        # f: comparison of another risk level (Up2U's pool), excluded from Drive's.
        (
            "f",
            "none",
            "not_referred",
            "2023-01-15",
            None,
            None,
            "medium",
            False,
            0,
            "45-54",
            "Poole",
        ),
    ]
)
OFFENCES = pd.DataFrame(
    {
        "person_id": ["a", "a", "b", "c", "a"],
        "offence_date": pd.to_datetime(
            ["2023-01-20", "2023-05-12", "2024-04-04", "2023-06-01", "2022-06-01"]
        ),
        "da_flag": [True, True, True, True, True],
        "offence_group": [
            "violence_with_injury",
            "stalking_and_harassment",
            "public_order",
            "violence_without_injury",
            "rape",
        ],
    }
)


@pytest.fixture(scope="module")
def outcomes():
    return tables.person_outcomes(PEOPLE, OFFENCES, extract_date=EXTRACT).set_index("person_id")


def test_index_date_duration_and_12_month_outcome(outcomes):
    a, b, c, d = (outcomes.loc[x] for x in "abcd")
    assert a["index_date"] == pd.Timestamp("2023-02-01")
    assert (a["duration"], a["event"], a["reoffended"]) == (100, 1, 1)
    assert (b["duration"], b["event"], b["reoffended"]) == (400, 1, 0)
    # The identifying crime on the index date is not a reoffence; censored at the extract.
    assert c["event"] == 0 and c["duration"] == (EXTRACT - pd.Timestamp("2023-06-01")).days
    assert c["reoffended"] == 0
    assert not d["followup_complete"] and math.isnan(d["reoffended"])
    assert (a["marac"], a["urban"], a["age_25_34"], b["age_under_25"]) == (1, 1, 1, 1)


def test_cohort_keeps_starters_and_same_risk_comparison(outcomes):
    cohort = tables.programme_cohort(outcomes.reset_index(), "Drive")
    kept = cohort.table.set_index("person_id")["treated"].to_dict()
    assert kept == {"a": 1, "b": 0, "c": 0, "d": 1}
    reasons = cohort.exclusions.set_index("reason")["people"]
    assert reasons["referred, never started (or awaiting a start)"] == 1
    assert reasons["window incomplete at the extract date: participants"] == 1
    assert sorted(cohort.complete["person_id"]) == ["a", "b", "c"]
    assert "dash_medium" not in cohort.covariates


def test_unknown_programme_is_refused(outcomes):
    with pytest.raises(ConfigError, match="unknown programme"):
        tables.programme_cohort(outcomes.reset_index(), "CARA")


def test_person_period_panel_counts_and_harm():
    cohort = pd.DataFrame(
        {
            "person_id": ["a", "b"],
            "treated": [1, 0],
            "identified_date": pd.to_datetime(["2023-01-01", "2023-03-01"]),
            "index_date": pd.to_datetime(["2023-02-01", "2023-03-01"]),
        }
    )
    offences = pd.DataFrame(
        {
            "person_id": ["a", "a", "a", "a", "b", "b"],
            "offence_date": pd.to_datetime(
                [
                    "2023-01-01",  # identification day: last quarter before (-1)
                    "2023-01-20",  # in the wait between identification and start: dropped
                    "2023-02-01",  # the start date itself: not after it, dropped
                    "2023-05-04",  # 92 days after the start: second quarter (1)
                    "2022-09-01",  # 181 days before identification: quarter -2
                    "2023-03-02",  # the day after identification: quarter 0
                ]
            ),
            "da_flag": [True, True, True, False, True, True],
            "offence_group": ["rape", "rape", "rape", "shoplifting", "public_order", "rape"],
        }
    )
    weights = {"rape": 2555.0, "public_order": 7.5, "shoplifting": 1.0}
    panel = tables.person_period_panel(cohort, offences, harm_weights=weights)
    assert len(panel) == 2 * 8
    cells = panel.set_index(["person_id", "period"])
    assert cells.loc[("a", -1.0), "harm"] == 2555.0
    assert cells.loc[("a", 1.0), "non_da_offences"] == 1 and cells.loc[("a", 1.0), "harm"] == 0
    assert cells.loc[("b", -2.0), "da_offences"] == 1
    assert cells.loc[("b", 0.0), "harm"] == 2555.0
    assert panel["da_offences"].sum() == 3  # the wait and start-day crimes are left out
    assert (panel.loc[panel["person_id"] == "a", "treat_post"] == panel["post"][:8]).all()
    with pytest.raises(ConfigError, match="harm weights are missing"):
        tables.person_period_panel(cohort, offences, harm_weights={"rape": 1.0})


def test_funnel_and_attrition():
    people = pd.DataFrame(
        {
            "programme": ["Up2U"] * 6 + ["none"],
            "status": [
                "referred",
                "not_started",
                "ongoing",
                "completed",
                "completed",
                "dropped_out",
                "not_referred",
            ],
            "area": ["Poole", "Poole", "Poole", "Poole", "Purbeck", "Purbeck", "Poole"],
        }
    )
    assert tables.funnel_counts(people, "Up2U") == {
        "Referred": 6,
        "Started": 4,
        "Finished (completed or left)": 3,
        "Completed": 2,
    }
    table = tables.attrition_table(people, "Up2U", "area")
    poole = table.loc["Poole"]
    # Poole: 4 referred, one still awaiting a start, so the start rate is 2 of 3.
    assert (poole["referred"], poole["started"], poole["start_rate"]) == (4, 2, 66.7)
    assert table.loc["Purbeck", "completion_rate"] == 50.0


@pytest.mark.parametrize("text", ["2024/26", "2024-25", "24/25", "year"])
def test_financial_year_format_is_checked(text):
    with pytest.raises(ConfigError, match="YYYY/YY"):
        tables.financial_year_bounds(text)


def test_costed_year_counts_starters_in_the_year(starters, costs):
    year = tables.costed_year(starters, costs, financial_year="2024/25")
    assert year.participants == {"Drive": 3, "Up2U": 2}
    assert year.completers == {"Drive": 2, "Up2U": 1}
    assert year.total_cost == 160_000.0
    same = tables.costed_year(starters, costs, financial_year="2024/25", price_year="2024/25")
    assert same.costs == year.costs
    with pytest.raises(ConfigError, match="no row for financial year 2022/23"):
        tables.costed_year(starters, costs, financial_year="2022/23")


def test_cohort_without_participants_or_comparison_is_refused(outcomes):
    frame = outcomes.reset_index()
    with pytest.raises(EstimationError, match="no Up2U participant"):
        tables.programme_cohort(frame, "Up2U")
    no_pool = frame[frame["programme"].ne("none")]
    with pytest.raises(EstimationError, match="no comparison people"):
        tables.programme_cohort(no_pool, "Drive")


def test_exclusions_table_puts_programmes_side_by_side_and_suppresses(outcomes):
    cohort = tables.programme_cohort(outcomes.reset_index(), "Drive")
    shown = tables.exclusions_table({"Drive": cohort}, threshold=10)
    assert list(shown.columns) == ["analysis", "reason", "Drive"]
    assert len(shown) == len(cohort.exclusions)
    # Every count here is 0 or 1: none may be published at a threshold of 10.
    assert not shown["Drive"].astype(str).isin(["1"]).any()
    visible = tables.exclusions_table({"Drive": cohort}, threshold=1)
    referred = visible.set_index("reason").loc["referred, never started (or awaiting a start)"]
    assert str(referred["Drive"]) == "1"


def test_incomplete_participants_counts_recent_starters(outcomes):
    cohort = tables.programme_cohort(outcomes.reset_index(), "Drive")
    assert tables.incomplete_participants(cohort) == 1  # d started in October 2024


def _finished(many_completed, many_dropped, few_completed, few_dropped):
    statuses = (
        ["completed"] * many_completed
        + ["dropped_out"] * many_dropped
        + ["completed"] * few_completed
        + ["dropped_out"] * few_dropped
    )
    prior = [6] * (many_completed + many_dropped) + [1] * (few_completed + few_dropped)
    return pd.DataFrame({"programme": "Up2U", "status": statuses, "prior_da_incidents": prior})


def test_completion_by_prior_incidents_splits_at_four():
    people = pd.concat(
        [
            _finished(3, 7, 8, 2),
            pd.DataFrame(
                {
                    "programme": ["Up2U", "Drive"],
                    "status": ["ongoing", "completed"],
                    "prior_da_incidents": [9, 9],
                }
            ),
        ]
    )
    split = tables.completion_by_prior_incidents(people, "Up2U", threshold=10)
    assert (split.people_many, split.people_few) == (10, 10)
    assert (split.rate_many, split.rate_few) == pytest.approx((0.3, 0.8))
    assert split.comparable
    small = tables.completion_by_prior_incidents(people, "Up2U", threshold=11)
    assert not small.comparable and small.rate_few is None


def test_training_by_role_counts_returns_and_suppresses():
    scores = pd.DataFrame(
        {
            "role": ["police"] * 12 + ["health"] * 3,
            "score_before": [50.0] * 15,
            "score_after": [56.0] * 11 + [None] + [60.0] * 3,
        }
    )
    table = tables.training_by_role(scores, threshold=1)
    assert table.loc["police"].tolist() == [12, 11, 6.0]
    assert table.loc["health"].tolist() == [3, 3, 10.0]
    # At 10, health's 3 practitioners are hidden, and so is the mean derived from them.
    hidden = tables.training_by_role(scores, threshold=10)
    assert str(hidden.loc["health", "practitioners"]).startswith("<")
    assert hidden.loc["health", "mean_change"] != 10.0


def test_reoffending_and_harm_tables_write_numbers_as_the_prose_does():
    est = Estimate(-12.34, -20.0, -4.56, 0.003, 400, "percentage points", "m", "e")
    table = tables.reoffending_table([("Propensity-matched", est, "Drive")])
    assert table.iloc[0].to_dict() == {
        "programme": "Drive",
        "design": "Propensity-matched",
        "difference (pp)": -12.3,
        "95% CI": "-20.0 to -4.6",
        "people": 400,
    }
    harm = tables.harm_table(
        [
            {
                "programme": "Up2U",
                "label": "harm, matched DiD",
                "estimate": est,
                "mde": 8.123,
                "sms_level": 3,
            }
        ]
    )
    assert harm.iloc[0]["95% CI"] == "-20.0 to -4.56"
    assert harm.iloc[0]["MDE"] == "8.12" and harm.iloc[0]["SMS"] == 3


def test_spending_and_cash_in_a_year(costs):
    shown = tables.spending_table(costs)
    assert shown.loc["Total", "2024/25"] == "£160,000"
    assert shown.loc["Drive", "All years"] == "£190,000"
    assert tables.cash_spending(costs, "2024/25") == 160_000.0
    assert tables.cash_spending(costs, "2019/20") == 0.0


def test_data_quality_table_reports_rows_dates_and_blanks():
    people = pd.DataFrame(
        {
            "identified_date": pd.to_datetime(["2023-01-05", "2024-02-01"]),
            "start_date": pd.to_datetime(["2023-02-01", None]),
        }
    )
    quality = tables.data_quality_table(
        {"people": people, "programme_costs": pd.DataFrame({"x": [1]})}
    )
    assert quality.loc["people", "rows"] == 2
    assert str(quality.loc["people", "first_date"]) == "2023-01-05"
    assert quality.loc["people", "missing"] == "start_date: 1"
    assert quality.loc["programme_costs", "missing"] == "none"
    assert quality.loc["programme_costs", "first_date"] is None


def test_blank_age_band_is_a_missing_indicator_not_the_reference_band():
    people = pd.DataFrame(
        {
            "person_id": ["a", "b"],
            "status": ["completed", "not_referred"],
            "identified_date": pd.to_datetime(["2023-01-01", "2023-02-01"]),
            "start_date": pd.to_datetime(["2023-02-01", None]),
            "marac_flag": [True, False],
            "prior_da_incidents": [3, 1],
            "age_band": ["18-24", None],
            "area": ["Poole", "Purbeck"],
            "dash_risk": ["high", "high"],
        }
    )
    offences = pd.DataFrame({"person_id": ["a"], "da_flag": [True],
                             "offence_date": pd.to_datetime(["2023-06-01"])})  # fmt: skip
    out = tables.person_outcomes(people, offences, extract_date=pd.Timestamp("2025-01-01"))
    assert out[tables.AGE_NOT_RECORDED].tolist() == [0.0, 1.0]
    assert out.loc[1, list(tables.AGE_COVARIATES)].eq(0).all()
    assert tables.AGE_NOT_RECORDED in tables.covariates_for("Drive")
    gaps = tables.not_recorded(people)
    assert gaps.loc["age band", "not_recorded"] == 1
    assert "missing indicator" in gaps.loc["age band", "handling"]
    assert gaps.loc["sex", "handling"].startswith("not in the extract")
    attrition = tables.attrition_table(people.assign(programme="Drive"), "Drive", "age_band")
    assert tables.NOT_RECORDED in attrition.index
