"""Operation Focus designs: biased naive designs, unbiased adjusted ones, and their checks."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError, EstimationError
from analysis.programmes.op_focus import designs, tables
from analysis.results import Estimate
from analysis.synthetic import generate

from .conftest import PILOT, THRESHOLD


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
    arrests = tables.vawg_arrests(
        crimes, suspects, pilot_start=PILOT, extract_date=data.extract_date
    )
    profiles = tables.suspect_profiles(suspects, crimes, arrests, pilot_start=PILOT)
    pool = tables.comparison_pool(profiles, threshold=THRESHOLD)
    naive = designs.before_after(arrests, outcome="withdrawn")
    adjusted = designs.arrest_did(arrests, pool, outcome="withdrawn_pp")
    assert naive.ci_low > 0  # visibly biased
    assert adjusted.ci_low < 0 < adjusted.ci_high
    assert naive.diagnostics["n_pending_focus"] > 0


def test_did_recovers_a_large_planted_effect():
    data = generate("op_focus", seed=5, charge_effect_pp=20.0)
    crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    arrests = tables.vawg_arrests(
        crimes, suspects, pilot_start=PILOT, extract_date=data.extract_date
    )
    profiles = tables.suspect_profiles(suspects, crimes, arrests, pilot_start=PILOT)
    estimate = designs.arrest_did(arrests, tables.comparison_pool(profiles, threshold=THRESHOLD))
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
    table = designs.rdd_bandwidth_sensitivity(arrests, threshold=THRESHOLD, bandwidth=120)
    assert table["bandwidth"].tolist() == [90.0, 120.0, 180.0, 240.0]
    placebo = designs.rdd_placebo_cutoffs(arrests, threshold=THRESHOLD, cutoffs=(150.0, 400.0))
    assert placebo["cutoff"].tolist() == [150.0, 400.0]


def test_additional_charges_carry_the_interval_and_cost():
    est = Estimate(4.0, -2.0, 10.0, 0.2, 500, "percentage points", "m", "e")
    arrests = pd.DataFrame({"focus_investigation": [1] * 250, "finalised": [True] * 250})
    table = designs.additional_charges(est, arrests, cost_gbp=50_000)
    assert table.loc["additional charges"].tolist() == [10.0, -5.0, 25.0]
    cost = table.loc["cost per additional charge (GBP)"]
    assert cost["estimate"] == 5_000 and cost["ci_low"] == 2_000 and np.isinf(cost["ci_high"])


def test_charge_time_ratio_needs_both_kinds_of_outcome():
    frame = pd.DataFrame(
        {
            "arrest_date": pd.to_datetime(["2024-01-01"] * 2),
            "finalised": [True] * 2,
            "outcome_code": [1, 1],
            "days_to_outcome": [30.0, 50],
            "offence_group": ["rape"] * 2,
        }
    )
    with pytest.raises(EstimationError, match="both charges and other outcomes"):
        designs.charge_time_ratio(frame, before="2025-01-01")


def test_placebo_start_must_fall_before_the_pilot(evaluation):
    with pytest.raises(ConfigError, match="placebo start"):
        designs.placebo_did(evaluation.arrests, evaluation.pool, placebo_start="2026-06-01")


def test_harm_interval_resamples_matched_sets_within_common_support(evaluation):
    from analysis.errors import EstimationError
    from analysis.programmes.op_focus.designs import matched_set_bootstrap

    harm = evaluation.reoffending_estimates["harm"]
    d = harm.diagnostics
    assert d["bootstrap_reps"] == evaluation.params.reoffending_bootstrap_reps
    assert (d["abadie_imbens_ci_low"], d["abadie_imbens_ci_high"]) != (harm.ci_low, harm.ci_high)
    assert harm.ci_low < harm.effect < harm.ci_high
    assert 1 <= d["bootstrap_clusters"] <= d["n_matched"]
    assert d["n_outside_support_treated"] >= 0 and d["n_outside_support_control"] >= 0
    assert any("common support" in w for w in harm.warnings)
    assert any("matched sets" in w for w in harm.warnings)
    # The same seed gives the same interval: the report reproduces.
    again = matched_set_bootstrap(harm, "harm_after", reps=d["bootstrap_reps"])
    assert (again["ci_low"], again["ci_high"]) == (harm.ci_low, harm.ci_high)
    with pytest.raises(EstimationError, match="needs the matched pairs"):
        matched_set_bootstrap(harm.with_updates(details={}), "harm_after")


def test_bootstrap_clusters_are_the_matched_sets():
    from analysis.programmes.op_focus.designs import matched_set_bootstrap

    rng = np.random.default_rng(3)
    n = 400
    outcome = rng.pareto(1.8, size=2 * n) * 100  # heavy-tailed, no effect
    pairs = pd.DataFrame(
        {"treated_index": np.arange(n), "control_index": n + rng.integers(0, n // 4, n),
         "weight": 1.0}
    )  # fmt: skip
    est = Estimate(
        0.0, -1, 1, 0.5, 2 * n, "harm", "m", "e",
        details={"pairs": pairs, "matched": pd.DataFrame({"y": outcome})},
    )  # fmt: skip
    result = matched_set_bootstrap(est, "y", reps=999)
    # One match each: every comparison suspect and its treated suspects form one set.
    assert result["n_clusters"] == pairs["control_index"].nunique()
    differences = outcome[:n] - outcome[pairs["control_index"]]
    assert result["effect"] == pytest.approx(differences.mean())
    # Resampling sets, not pairs: wider than the naive pairs interval when matches repeat.
    naive_se = differences.std(ddof=1) / np.sqrt(n)
    assert result["se"] > naive_se


def test_did_by_group_keeps_not_recorded_suppresses_small_groups_and_tests(evaluation):
    from analysis.programmes.op_focus.designs import NOT_RECORDED, did_by_group

    arrests = evaluation.arrests.copy()
    # Age missing for a handful of suspects: their own group, suppressed for being small.
    missing = arrests["suspect_id"].isin(arrests["suspect_id"].drop_duplicates().head(5))
    arrests["age_band"] = arrests["age_band"].astype("object").where(~missing, None)
    table = did_by_group(arrests, evaluation.pool, group="age_band", min_suspects=10)
    assert NOT_RECORDED in table.index
    small = table.loc[NOT_RECORDED]
    assert small["note"].startswith("suppressed") and small["focus_suspects"] < 10
    assert np.isnan(small["effect"])
    p_value = table.attrs["heterogeneity_p_value"]
    assert p_value is not None and 0 <= p_value <= 1
    estimated = table.dropna(subset=["effect"])
    assert (estimated["ci_low"] < estimated["effect"]).all() and len(estimated) >= 2
    # Enough suspects but too few charges: not estimated either.
    assert (estimated[["focus_charges", "comparison_charges"]] >= 10).all().all()
    with pytest.raises(ConfigError, match="sex and ethnicity when the extract has them"):
        did_by_group(arrests.drop(columns="ethnicity"), evaluation.pool, group="ethnicity")


def test_did_by_group_reads_not_stated_and_blank_as_one_group(evaluation):
    from analysis.programmes.op_focus.designs import NOT_RECORDED, did_by_group

    arrests = evaluation.arrests.copy()
    blank = arrests["ethnicity"].eq("not stated")
    arrests["ethnicity"] = arrests["ethnicity"].astype("object").where(~blank, None)
    with_blanks = did_by_group(arrests, evaluation.pool, group="ethnicity")
    as_recorded = did_by_group(evaluation.arrests, evaluation.pool, group="ethnicity")
    assert "not stated" not in as_recorded.index and NOT_RECORDED in as_recorded.index
    pd.testing.assert_frame_equal(with_blanks, as_recorded)
