"""Perpetrator programmes: derived tables, process counts, training, costs and value for money.

Expected values are worked out by hand from small made-up extracts, or come from an
independent formula (the t interval, the value-for-money arithmetic).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.evidence import vfm
from analysis.programmes import perpetrator_programmes as pp
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
    return pp.person_outcomes(PEOPLE, OFFENCES, extract_date=EXTRACT).set_index("person_id")


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
    cohort = pp.programme_cohort(outcomes.reset_index(), "Drive")
    kept = cohort.table.set_index("person_id")["treated"].to_dict()
    assert kept == {"a": 1, "b": 0, "c": 0, "d": 1}
    reasons = cohort.exclusions.set_index("reason")["people"]
    assert reasons["referred, never started (or awaiting a start)"] == 1
    assert reasons["window incomplete at the extract date: participants"] == 1
    assert sorted(cohort.complete["person_id"]) == ["a", "b", "c"]
    assert "dash_medium" not in cohort.covariates


def test_unknown_programme_is_refused(outcomes):
    with pytest.raises(ConfigError, match="unknown programme"):
        pp.programme_cohort(outcomes.reset_index(), "CARA")


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
    panel = pp.person_period_panel(cohort, offences, harm_weights=weights)
    assert len(panel) == 2 * 8
    cells = panel.set_index(["person_id", "period"])
    assert cells.loc[("a", -1.0), "harm"] == 2555.0
    assert cells.loc[("a", 1.0), "non_da_offences"] == 1 and cells.loc[("a", 1.0), "harm"] == 0
    assert cells.loc[("b", -2.0), "da_offences"] == 1
    assert cells.loc[("b", 0.0), "harm"] == 2555.0
    assert panel["da_offences"].sum() == 3  # the wait and start-day crimes are left out
    assert (panel.loc[panel["person_id"] == "a", "treat_post"] == panel["post"][:8]).all()
    with pytest.raises(ConfigError, match="harm weights are missing"):
        pp.person_period_panel(cohort, offences, harm_weights={"rape": 1.0})


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
    assert pp.funnel_counts(people, "Up2U") == {
        "Referred": 6,
        "Started": 4,
        "Finished (completed or left)": 3,
        "Completed": 2,
    }
    table = pp.attrition_table(people, "Up2U", "area")
    poole = table.loc["Poole"]
    # Poole: 4 referred, one still awaiting a start, so the start rate is 2 of 3.
    assert (poole["referred"], poole["started"], poole["start_rate"]) == (4, 2, 66.7)
    assert table.loc["Purbeck", "completion_rate"] == 50.0


def test_paired_difference_matches_the_t_interval():
    rng = np.random.default_rng(4)
    before = rng.normal(50, 10, 40)
    after = before + rng.normal(5, 4, 40)
    frame = pd.DataFrame({"pre": before, "post": after})
    frame.loc[3, "post"] = np.nan
    est = pp.paired_difference(frame, before="pre", after="post")
    diff = (after - before)[np.arange(40) != 3]
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size)
    assert est.effect == pytest.approx(diff.mean())
    assert (est.ci_low, est.ci_high) == pytest.approx((diff.mean() - half, diff.mean() + half))
    assert est.n == 39 and est.diagnostics["n_incomplete"] == 1
    assert any("lack one" in w for w in est.warnings)


def test_paired_difference_errors():
    with pytest.raises(EstimationError, match="fewer than two"):
        pp.paired_difference(pd.DataFrame({"x": [1.0], "y": [2.0]}), before="x", after="y")
    with pytest.raises(ConfigError, match="not in the data"):
        pp.paired_difference(pd.DataFrame({"x": [1.0]}), before="x", after="z")
    with pytest.raises(EstimationError, match="same amount"):
        pp.paired_difference(
            pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 3.0, 4.0]}), before="x", after="y"
        )


@pytest.mark.parametrize("text", ["2024/26", "2024-25", "24/25", "year"])
def test_financial_year_format_is_checked(text):
    with pytest.raises(ConfigError, match="YYYY/YY"):
        pp.financial_year_bounds(text)


def _costs():
    return pd.DataFrame(
        {
            "programme": ["Drive", "Up2U", "training", "Drive"],
            "financial_year": ["2024/25", "2024/25", "2024/25", "2023/24"],
            "cost_gbp": [100_000.0, 50_000.0, 10_000.0, 90_000.0],
        }
    )


def _starters():
    return pd.DataFrame(
        {
            "programme": ["Drive"] * 3 + ["Up2U"] * 2 + ["Drive"],
            "status": [
                "completed",
                "dropped_out",
                "completed",
                "completed",
                "ongoing",
                "completed",
            ],
            "start_date": pd.to_datetime(
                ["2024-04-01", "2024-10-01", "2025-03-31", "2024-06-01", "2025-01-01", "2024-03-31"]
            ),
        }
    )


def test_costed_year_counts_starters_in_the_year():
    year = pp.costed_year(_starters(), _costs(), financial_year="2024/25")
    assert year.participants == {"Drive": 3, "Up2U": 2}
    assert year.completers == {"Drive": 2, "Up2U": 1}
    assert year.total_cost == 160_000.0
    same = pp.costed_year(_starters(), _costs(), financial_year="2024/25", price_year="2024/25")
    assert same.costs == year.costs
    with pytest.raises(ConfigError, match="no row for financial year 2022/23"):
        pp.costed_year(_starters(), _costs(), financial_year="2022/23")


def test_programme_value_for_money_by_hand():
    year = pp.costed_year(_starters(), _costs(), financial_year="2024/25")
    unit = vfm.UnitCost(40_000.0, "victim", "2024/25", "test")
    drive = Estimate(-50.0, -80.0, -20.0, 0.001, 200, "percentage points", "m", "e", se=15.3)
    up2u = Estimate(-10.0, -40.0, 20.0, 0.5, 200, "percentage points", "m", "e", se=15.3)
    components, overall = pp.programme_value_for_money(
        {"Drive": drive, "Up2U": up2u}, year, unit_cost=unit, victims_per_reoffender=2.0
    )
    # Drive: 3 starters x 0.5 fewer reoffenders x 2 victims = 3 victims, worth £120,000.
    assert components["Drive"].averted.point == pytest.approx(3.0)
    assert components["Drive"].benefit[0] == pytest.approx(120_000.0)
    assert components["Drive"].bcr == pytest.approx((1.2, 0.48, 1.92))
    assert components["Drive"].break_even_outcomes == pytest.approx(2.5)
    # Overall: training's £10,000 is cost only.
    assert overall.cost == pytest.approx(160_000.0)
    expected = (120_000.0 + 0.1 * 2 * 2 * 40_000.0) / 160_000.0
    assert overall.bcr[0] == pytest.approx(expected)
    extra = pp.findings_extra(components)
    assert extra["vfm_drive_benefit_cost_ratio"] == pytest.approx(1.2)


def test_unit_cost_is_uprated_from_its_price_year():
    base = pp.domestic_abuse_unit_cost("2016/17")
    later = pp.domestic_abuse_unit_cost("2024/25")
    assert base.value == 34_015.0
    from analysis.data import load_reference

    deflator = load_reference("gdp_deflator").set_index("financial_year")["index"]
    assert later.value == pytest.approx(34_015.0 * deflator["2024/25"] / deflator["2016/17"])


def test_harm_weight_overrides_and_errors():
    assert pp.harm_weights(" rape : 1825 , arson=100")["arson"] == 100.0
    with pytest.raises(ConfigError, match="unknown offence group"):
        pp.harm_weights("fraud=3")
    with pytest.raises(ConfigError, match="group:days"):
        pp.harm_weights("rape:lots")


def test_truth_only_applies_to_the_settings_it_was_planted_for():
    truth = {"drive_reoffending_12m_difference": -18.0}
    key = "drive_reoffending_12m_difference"
    assert pp.planted_truth(truth, key, **pp.TRUTH_SETTINGS) == -18.0
    assert pp.planted_truth(truth, key, followup_days=180) is None
    assert pp.planted_truth(truth, key, risk_levels={"Drive": ["high", "medium"]}) is None
    assert pp.planted_truth(None, key) is None
