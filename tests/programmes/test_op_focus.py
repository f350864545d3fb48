"""Operation Focus analysis steps: derived tables, designs and findings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.data import load_reference
from analysis.errors import ConfigError, EstimationError
from analysis.evidence import save_findings
from analysis.methods import rdd
from analysis.programmes import op_focus as focus
from analysis.results import Estimate
from analysis.synthetic import generate

PILOT = "2026-04-01"
THRESHOLD = 240.0


@pytest.fixture(scope="module")
def world():
    return generate("op_focus", seed=21)


@pytest.fixture(scope="module")
def evaluation(world):
    return focus.evaluate(
        world.tables["crimes"],
        world.tables["suspects"],
        pilot_start=PILOT,
        extract_date=world.extract_date,
        threshold=THRESHOLD,
        harm_weights=load_reference("harm_weights"),
    )


# --------------------------------------------------------------------------- derived tables
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
    arrests = focus.vawg_arrests(crimes, suspects, pilot_start=PILOT, extract_date="2026-10-31")
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


def test_rfg_harm_score_follows_its_weights():
    crimes = pd.DataFrame(
        {
            "suspect_id": ["a", "a", "a"],
            "recorded_date": pd.to_datetime(["2026-03-02", "2025-01-01", "2022-01-01"]),
            "offence_group": ["rape", "arson", "rape"],
            "vawg_flag": [True, True, True],
        }
    )
    weights = focus.HarmScoreWeights(
        recency_points=10, recency_half_life_days=30, frequency_points=1, gravity_points={}
    )
    score = focus.rfg_harm_score(crimes, as_of="2026-04-01", weights=weights)
    # 30 days since the latest: 10 * 0.5; two crimes in the window (the 2022 one is not);
    # no gravity points listed, so each crime scores the default 2.
    assert score["a"] == pytest.approx(5 + 2 + 4)
    with pytest.raises(ConfigError, match="recency_half_life_days"):
        focus.HarmScoreWeights(recency_half_life_days=0)


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


def test_harm_weight_choices():
    equal = focus.harm_weight_table("equal")
    assert (equal["chi_days"] == 1).all()
    assert focus.harm_weight_table("crime_harm_index")["chi_days"].max() == 5475
    with pytest.raises(ConfigError, match="harm_weights"):
        focus.harm_weight_table("sentencing")


# --------------------------------------------------------------------------- fuzzy RD
@pytest.fixture(scope="module")
def fuzzy_frame():
    rng = np.random.default_rng(4)
    n = 3000
    score = rng.uniform(-1, 1, n)
    treated = (rng.random(n) < np.where(score >= 0, 0.8, 0.1)).astype(int)
    outcome = 0.3 * score + 0.5 * treated + rng.normal(0, 0.3, n)
    return pd.DataFrame({"score": score, "d": treated, "y": outcome})


def test_fuzzy_rdd_matches_rdrobust(fuzzy_frame):
    rdrobust = pytest.importorskip("rdrobust").rdrobust
    est = focus.fuzzy_rdd(
        fuzzy_frame, outcome="y", treatment="d", running="score", cutoff=0, bandwidth=0.4
    )
    reference = rdrobust(
        fuzzy_frame["y"].to_numpy(),
        fuzzy_frame["score"].to_numpy(),
        c=0,
        fuzzy=fuzzy_frame["d"].to_numpy(),
        h=0.4,
        b=0.4,
        kernel="triangular",
        vce="nn",
    )
    assert est.effect == pytest.approx(reference.coef.iloc[0, 0], abs=1e-6)
    assert est.se == pytest.approx(reference.se.iloc[0, 0], abs=1e-6)


def test_fuzzy_rdd_interval_is_the_test_inversion(fuzzy_frame):
    est = focus.fuzzy_rdd(
        fuzzy_frame, outcome="y", treatment="d", running="score", cutoff=0, bandwidth=0.4
    )
    # At each end of the interval the robust test of "no jump in y - b * d" has p = 0.05.
    for bound in (est.ci_low, est.ci_high):
        shifted = fuzzy_frame.assign(net=fuzzy_frame["y"] - bound * fuzzy_frame["d"])
        jump = rdd(shifted, outcome="net", running="score", cutoff=0, bandwidth=0.4)
        assert jump.p_value == pytest.approx(0.05, abs=1e-6)
    inside = fuzzy_frame.assign(net=fuzzy_frame["y"] - est.effect * fuzzy_frame["d"])
    assert rdd(inside, outcome="net", running="score", cutoff=0, bandwidth=0.4).p_value > 0.05
    assert est.ci_low < 0.5 < est.ci_high


def test_fuzzy_rdd_refuses_an_unbounded_interval():
    rng = np.random.default_rng(8)
    score = rng.uniform(-1, 1, 400)
    frame = pd.DataFrame(
        {"score": score, "d": (rng.random(400) < 0.5).astype(int), "y": rng.normal(size=400)}
    )
    with pytest.raises(EstimationError, match="unbounded"):
        focus.fuzzy_rdd(frame, outcome="y", treatment="d", running="score", cutoff=0)


def test_focus_rdd_reports_fuzzy_selection(evaluation):
    rd = evaluation.charge["rdd"]
    d = rd.diagnostics
    assert d["share_treated_above"] > 0.6 and d["share_treated_below"] < 0.2
    assert d["first_stage_ci_low"] > 0
    assert rd.scale == "percentage points" and rd.details["cutoff"] == THRESHOLD
    assert d["n_pending_excluded"] > 0


# --------------------------------------------------------------------------- designs
def test_naive_designs_are_biased_where_the_adjusted_ones_are_not():
    # No Focus effect on withdrawal, but withdrawal rising for everyone: before/after credits
    # Focus with the trend; the difference-in-differences does not.
    data = generate("op_focus", seed=3, withdrawal_effect_pp=0.0, withdrawal_trend_pp_per_year=3.0)
    crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    arrests = focus.vawg_arrests(
        crimes, suspects, pilot_start=PILOT, extract_date=data.extract_date
    )
    profiles = focus.suspect_profiles(suspects, crimes, arrests, pilot_start=PILOT)
    pool = focus.comparison_pool(profiles, threshold=THRESHOLD)
    naive = focus.before_after(arrests, outcome="withdrawn")
    adjusted = focus.arrest_did(arrests, pool, outcome="withdrawn_pp")
    assert naive.ci_low > 0  # visibly biased
    assert adjusted.ci_low < 0 < adjusted.ci_high
    assert naive.diagnostics["n_pending_focus"] > 0


def test_did_recovers_a_large_planted_effect():
    data = generate("op_focus", seed=5, charge_effect_pp=20.0)
    crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    arrests = focus.vawg_arrests(
        crimes, suspects, pilot_start=PILOT, extract_date=data.extract_date
    )
    profiles = focus.suspect_profiles(suspects, crimes, arrests, pilot_start=PILOT)
    estimate = focus.arrest_did(arrests, focus.comparison_pool(profiles, threshold=THRESHOLD))
    # Within four standard errors of the truth (fails about once in 16,000 data sets) and
    # clearly away from no effect.
    assert abs(estimate.effect - 20.0) < 4 * estimate.se
    assert estimate.ci_low > 5


def test_checks_of_the_designs(evaluation):
    assert evaluation.event_study.diagnostics["pretrend_p_value"] > 0.001
    placebo = evaluation.placebo
    assert abs(placebo.effect) < 4 * placebo.se
    assert evaluation.matching.diagnostics["max_abs_smd_after"] < 0.25
    assert evaluation.cox.scale == "hazard ratio"
    assert evaluation.cox.diagnostics["n_censored_pending"] > 0


def test_bandwidth_sensitivity_and_placebo_cutoffs(world, evaluation):
    arrests = evaluation.arrests
    table = focus.rdd_bandwidth_sensitivity(arrests, threshold=THRESHOLD, bandwidth=120)
    assert table["bandwidth"].tolist() == [90.0, 120.0, 180.0, 240.0]
    placebo = focus.rdd_placebo_cutoffs(arrests, threshold=THRESHOLD, cutoffs=(150.0, 400.0))
    assert placebo["cutoff"].tolist() == [150.0, 400.0]


# --------------------------------------------------------------------------- power, value, findings
def test_mde_from_standard_error_uses_the_normal_quantiles():
    multiplier = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert focus.mde_from_standard_error(2.0) == pytest.approx(2.0 * multiplier)
    assert focus.mde_from_standard_error(0.1, scale="hazard ratio") == pytest.approx(
        np.exp(0.1 * multiplier)
    )
    with pytest.raises(EstimationError):
        focus.mde_from_standard_error(0.0)


def test_additional_charges_carry_the_interval_and_cost():
    est = Estimate(4.0, -2.0, 10.0, 0.2, 500, "percentage points", "m", "e")
    arrests = pd.DataFrame({"focus_investigation": [1] * 250, "finalised": [True] * 250})
    table = focus.additional_charges(est, arrests, cost_gbp=50_000)
    assert table.loc["additional charges"].tolist() == [10.0, -5.0, 25.0]
    cost = table.loc["cost per additional charge (GBP)"]
    assert cost["estimate"] == 5_000 and cost["ci_low"] == 2_000 and np.isinf(cost["ci_high"])


def test_findings_have_sms4_and_sms3_headlines_with_truth_and_mde(world, evaluation, tmp_path):
    findings = focus.build_findings(evaluation, world.truth)
    headlines = [f for f in findings if f.headline]
    assert sorted(f.sms_level for f in headlines) == [3, 4]
    assert {f.question for f in headlines} == {focus.QUESTION_CHARGE}
    assert all(f.truth is not None and f.mde is not None and f.mde > 0 for f in findings)
    levels = {f.label.split(":")[0]: f.sms_level for f in findings}
    assert levels["Charge rate"] in (1, 3, 4)
    record = save_findings(
        tmp_path / "findings.json", programme="op_focus", findings=findings, synthetic=True
    )
    assert json.loads((tmp_path / "findings.json").read_text())["findings"] == record["findings"]
    without_truth = focus.build_findings(evaluation, None)
    assert all(f.truth is None for f in without_truth)


def test_data_quality_tables(world, evaluation):
    table = focus.exclusions(evaluation)
    assert table.loc["VAWG arrests, outcome pending at the extract date", "excluded"] == int(
        (~evaluation.arrests["finalised"]).sum()
    )
    blanks = focus.missingness(world.tables).set_index("column")
    assert blanks.loc["outcome_date", "blank"] == int(
        world.tables["crimes"]["outcome_code"].eq(0).sum()
    )
    sides = focus.selection_by_side(world.tables["suspects"], threshold=THRESHOLD)
    assert sides["suspects"].sum() == len(world.tables["suspects"])
