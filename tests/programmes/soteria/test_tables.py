"""Soteria: the crimes followed from report, and the cohort and period rates."""

from __future__ import annotations

import pandas as pd

from analysis.programmes.soteria import tables

EXTRACT = pd.Timestamp("2024-03-31")
ADOPTION = pd.Timestamp("2023-07-01")


def crimes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "offence": ["adult_rape", "adult_rape", "adult_rape", "child_rape", "adult_rape"],
            "team": ["other", "specialist_rasso", "other", "other", "other"],
            "report_date": pd.to_datetime(
                ["2023-01-01", "2023-08-01", "2024-01-01", "2023-02-01", "2023-03-01"]
            ),
            "outcome_date": pd.to_datetime(["2023-01-20", None, "2024-01-31", "2023-05-01", None]),
            "charge_date": pd.to_datetime([None, None, "2024-01-31", None, None]),
            "outcome_code": pd.array([16, pd.NA, 1, 21, 15], dtype="Int64"),
        }
    )


def test_crime_ends_codes_censoring_and_periods():
    ends = tables.crime_ends(crimes(), EXTRACT, ADOPTION)
    # Blank code is pending; a finalised code without an outcome date cannot be timed.
    assert ends["end"].tolist() == ["withdrawal", "open", "charge", "other_closure", "open"]
    assert ends["days"].tolist() == [19, 243, 30, 89, 396]
    assert ends["period"].tolist() == ["before", "after", "after", "before", "before"]
    assert tables.adult_rape(ends)["offence"].eq("adult_rape").all()


def test_cohort_and_period_rates_count_by_report_and_by_outcome_year():
    data = crimes()
    ends = tables.crime_ends(data, EXTRACT, ADOPTION)
    rates = tables.cohort_and_period_rates(data, ends)
    assert rates.index.tolist() == ["2022/23", "2023/24"]
    assert rates["reported"].tolist() == [2, 2]
    assert rates["charged_so_far"].tolist() == [0, 1]
    assert rates["still_open"].tolist() == [1, 1]
    # Outcomes assigned in the year, whatever year the crime was reported in.
    assert rates["outcomes_assigned"].tolist() == [1, 1]
    assert rates.loc["2023/24", "period_rate"] == 1.0
    assert rates.loc["2023/24", "cohort_rate"] == 0.5


def test_withdrawal_timing_and_monthly_charges():
    data = crimes()
    ends = tables.crime_ends(data, EXTRACT, ADOPTION)
    timing = tables.withdrawal_timing(ends)
    assert timing.to_dict("index") == {
        "before": {"withdrawals": 1, "within_30_days": 1},
        "after": {"withdrawals": 0, "within_30_days": 0},
    }
    monthly = tables.monthly_charges(data)
    assert monthly["charges"].sum() == 1 and len(monthly) == 13
