"""Perpetrator programmes' findings: order, headline, truth keys and caveats."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.methods import mde
from analysis.programmes.perpetrator_programmes import findings as pf
from analysis.programmes.perpetrator_programmes.evaluation import Parameters


def test_truth_only_applies_to_the_settings_it_was_planted_for():
    truth = {"drive_reoffending_12m_difference": -18.0}
    key = "drive_reoffending_12m_difference"
    assert pf.planted_truth(truth, key, **pf.TRUTH_SETTINGS) == -18.0
    assert pf.planted_truth(truth, key, followup_days=180) is None
    assert pf.planted_truth(truth, key, risk_levels={"Drive": ["high", "medium"]}) is None
    assert pf.planted_truth(None, key) is None


def test_findings_in_the_report_order_with_one_headline(evaluation, findings):
    labels = [f.label for f in findings]
    assert len(findings) == 25
    assert labels[:6] == [
        "Drive: 12-month DA reoffending, target trial (pp)",
        "Drive: 12-month DA reoffending, intention to treat (pp)",
        "Drive: 12-month DA reoffending, matched from identification (pp)",
        "Drive: 12-month DA reoffending, naive (pp)",
        "Drive: 12-month DA reoffending, same risk unmatched (pp)",
        "Drive: 12-month DA reoffending, IPW (pp)",
    ]
    assert labels[12:14] == [
        "Drive: time to first DA reoffence (hazard ratio)",
        "Up2U: time to first DA reoffence (hazard ratio)",
    ]
    assert labels[-3] == "Training: knowledge score change (points, SMS 1)"
    assert [f.role for f in findings[-2:]] == ["check", "check"]
    assert [f for f in findings if f.headline] == [pf.headline(findings)]
    top = pf.headline(findings)
    assert top.estimate is evaluation.target_trial["Drive"]
    assert top.extra["programme"] == "Drive"
    assert top.expected_effect == pf.analysis_plan().expected_effect
    assert top.extra["vfm_drive_benefit_cost_ratio"] == evaluation.components["Drive"].bcr[0]
    assert top.extra["vfm_drive_switching_cost_gbp"] == evaluation.switching["Drive"].cost
    assert "vfm_up2u_monte_carlo_bcr_low" in top.extra
    assert "vfm_drive_verdict" not in findings[1].extra


def test_findings_carry_checks_families_sensitivity_and_planted_truth(evaluation, findings):
    by_label = {f.label: f for f in findings}
    trial = by_label["Up2U: 12-month DA reoffending, target trial (pp)"]
    assert trial.design == "matched_comparison_pre_outcome" and trial.sms_override is None
    assert {c.name for c in trial.checks} >= {
        "balance after matching",
        "overlap of the groups",
        "no spike in DA crimes just before identification (pre-referral trend)",
    }
    assert trial.mde is not None and trial.mde > 0 and trial.family == "reoffending"
    assert trial.adjusted_p_value is not None and trial.p_adjustment == "Holm"
    assert trial.truth == evaluation.data.truth["up2u_reoffending_12m_difference"]
    assert trial.extra["e_value"] >= 1 and "rosenbaum_gamma" in trial.extra
    itt = by_label["Drive: 12-month DA reoffending, intention to treat (pp)"]
    assert itt.truth is None and itt.estimate is evaluation.intention_to_treat["Drive"]
    old = by_label["Up2U: 12-month DA reoffending, matched from identification (pp)"]
    aligned = next(c for c in old.checks if c.name.startswith("comparisons followed"))
    assert aligned.passed is False and old.sms_level <= 2
    assert any("comparisons followed from the same time" in r for r in old.rating.reasons)
    naive = by_label["Drive: 12-month DA reoffending, naive (pp)"]
    assert naive.mde is None and naive.sms_level == 1 and not naive.checks
    hazard = by_label["Drive: time to first DA reoffence (hazard ratio)"]
    assert hazard.truth == evaluation.data.truth["drive_reoffence_hazard_ratio"]
    assert hazard.extra["e_value"] > 1 and hazard.family == "reoffending"
    before = by_label["Drive: harm, participants only before/after (per person-quarter)"]
    assert before.caveats[0] == pf.BEFORE_AFTER_CAVEAT
    assert before.truth == evaluation.data.truth["drive_harm_did"]
    control = by_label["Up2U: non-DA crimes (negative control), matched DiD (per person-quarter)"]
    assert control.role == "check" and control.sms_level is None and not control.family
    assert control.caveats[0].startswith("Pre-trends: joint test")
    did = by_label["Up2U: DA crimes, matched DiD (per person-quarter)"]
    assert [c.name for c in did.checks] == [
        "parallel pre-trends",
        "comparisons followed from the same time since identification",
        "negative control (non-DA crimes)",
    ]
    assert did.family == "harm and offending" and "e_value" in did.extra
    training = by_label["Training: knowledge score change (points, SMS 1)"]
    assert training.sms_level == 1
    assert training.truth == evaluation.data.truth["training_score_change"]
    low, high = evaluation.training_bounds
    assert low <= training.estimate.effect <= high
    assert training.extra["worst_case_change"] == low


def test_pre_referral_trend_lowers_the_matched_ratings(evaluation):
    from analysis.results import Estimate

    spike = Estimate(0.3, 0.1, 0.5, 0.003, 200, "difference", "paired t", "spike")
    dipped = dataclasses.replace(
        evaluation, pre_referral={**evaluation.pre_referral, "Drive": spike}
    )
    primary = pf.reoffending_findings(dipped, "Drive")[0]
    before = pf.reoffending_findings(evaluation, "Drive")[0]
    assert before.checks[2].passed and not primary.checks[2].passed
    assert primary.sms_level == max(1, before.sms_level - 1)
    assert any("pre-referral trend" in reason for reason in primary.rating.reasons)


def test_underpowered_headline_is_demoted_with_its_reason(evaluation):
    plan = pf.analysis_plan()
    tiny = dataclasses.replace(plan, expected_effect=-0.5)
    findings = pf.build_findings(evaluation, tiny)
    assert not any(f.headline for f in findings)
    meant = pf.headline(findings)
    assert meant.headline_note.startswith("Not a headline: the minimum detectable effect")


def test_analysis_plan_is_required(tmp_path):
    config = tmp_path / "perpetrator_programmes.yaml"
    config.write_text("programme: perpetrator_programmes\nparameters: {}\n")
    with pytest.raises(ConfigError, match="no analysis_plan block"):
        pf.analysis_plan(config)


def test_no_truth_when_the_settings_differ_from_the_planted_ones(evaluation):
    longer = dataclasses.replace(evaluation, params=Parameters(followup_days=540))
    assert all(f.truth is None for f in pf.build_findings(longer))


def test_no_truth_for_real_data(evaluation):
    real = dataclasses.replace(evaluation.data, synthetic=False, truth=None)
    assert all(
        f.truth is None for f in pf.build_findings(dataclasses.replace(evaluation, data=real))
    )


def test_headline_designs_and_harm_rows(findings):
    designs = pf.headline_designs(findings)
    assert len(designs) == 13  # six 12-month designs each, and training
    rows = pf.harm_rows(findings)
    assert [row["label"] for row in rows[:4]] == [design[0] for design in pf.HARM_DESIGNS]
    assert {row["programme"] for row in rows} == {"Drive", "Up2U"}
    assert rows[3]["sms_level"] == 1 and rows[0]["sms_level"] >= 2


def test_mde_is_read_from_the_interval_each_finding_reports(findings):
    with_mde = [f for f in findings if f.mde is not None]
    # Four reoffending designs each (not the naive two), the hazard ratios, the harm designs
    # (not the negative control) and training.
    assert len(with_mde) == 8 + 2 + 6 + 1
    for finding in with_mde:
        assert finding.mde == mde(finding.estimate), finding.label
    hazard = next(f for f in findings if f.estimate.scale == "hazard ratio")
    assert hazard.mde > 1  # a ratio: the rise (or, inverted, the fall) the design would detect


def test_significant_reoffending_findings_are_judged_for_robustness(findings):
    judged = [
        f
        for f in findings
        if f.role == "finding"
        and f.design != "naive_comparison"
        and "reoffen" in f.label
        and f.estimate.significant
        and f.extra.get("e_value_ci") is not None
    ]
    assert judged
    for finding in judged:
        check = next(c for c in finding.checks if c.name.startswith("robust to modest"))
        assert check.passed == (finding.extra["e_value_ci"] >= pf.ROBUST_E_VALUE)
    quiet = [f for f in findings if "reoffen" in f.label and not f.estimate.significant]
    assert all(not any(c.name.startswith("robust") for c in f.checks) for f in quiet)


def test_target_trials_carry_the_benchmarked_sensitivity(evaluation, findings):
    trials = [
        f
        for f in findings
        if f.role == "finding" and ("target trial" in f.label or "intention to treat" in f.label)
    ]
    assert len(trials) == 4
    for finding in trials:
        programme = finding.extra["programme"]
        strongest = evaluation.confounder_benchmarks[programme].iloc[0]
        assert finding.extra["benchmark_covariate"] == strongest["benchmark"]
        assert finding.extra["benchmark_bias"] == pytest.approx(strongest["bias"])
        low, high = pf.benchmark_adjusted_interval(finding.estimate, strongest)
        assert (finding.extra["benchmark_ci_low"], finding.extra["benchmark_ci_high"]) == (
            low,
            high,
        )
        checks = [c for c in finding.checks if c.name.startswith("robust to a hidden confounder")]
        if finding.estimate.significant:
            assert len(checks) == 1 and checks[0].passed == (not low <= 0 <= high)
        else:
            assert not checks
    # The other designs are not benchmarked (their comparison is not the headline's).
    others = [f for f in findings if "matched from identification" in f.label]
    assert others and all("benchmark_covariate" not in f.extra for f in others)


def test_a_finding_a_confounder_as_strong_as_the_strongest_could_undo_falls_to_sms_2():
    from analysis.evidence.sms import earned_level
    from analysis.results import Estimate

    estimate = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e")
    strong = {"benchmark": "marac", "bias": 3.0, "r2dz_x": 0.031, "r2yz_dx": 0.014}
    extra = pf.benchmark_extra(estimate, pd.DataFrame([strong]))
    # Moved 3 points towards no effect; half-width 8 x sqrt(0.986 / 0.969).
    half = 8 * ((1 - 0.014) / (1 - 0.031)) ** 0.5
    assert extra["benchmark_ci_low"] == pytest.approx(-7.0 - half)
    assert extra["benchmark_ci_high"] == pytest.approx(-7.0 + half)
    checks = pf.benchmark_checks(estimate, extra, programme="Drive")
    rating = earned_level("matched_comparison_pre_outcome", checks)
    assert rating.level == 2
    # The reason names the covariate and both strengths in plain words.
    assert "being heard at MARAC" in rating.reasons[-1]
    assert "3.1%" in rating.reasons[-1] and "1.4%" in rating.reasons[-1]
    assert "explain the finding away" in rating.reasons[-1]
    # A weak benchmark leaves the rating alone; a positive estimate is moved down.
    weak = pf.benchmark_extra(estimate, pd.DataFrame([{**strong, "bias": 0.5}]))
    assert [c.passed for c in pf.benchmark_checks(estimate, weak, programme="Drive")] == [True]
    harmful = Estimate(10.0, 2.0, 18.0, 0.01, 400, "percentage points", "m", "e")
    moved = pf.benchmark_extra(harmful, pd.DataFrame([strong]))
    assert moved["benchmark_ci_high"] == pytest.approx(7.0 + half)
    assert not pf.benchmark_checks(harmful, moved, programme="Up2U")[0].passed
    # Nothing to explain away in an interval that includes no effect; nothing to judge
    # without a benchmark.
    quiet = Estimate(-3.0, -9.0, 3.0, 0.3, 400, "percentage points", "m", "e")
    assert (
        pf.benchmark_checks(
            quiet, pf.benchmark_extra(quiet, pd.DataFrame([strong])), programme="Drive"
        )
        == []
    )
    assert pf.benchmark_extra(estimate, pd.DataFrame()) == {}
    assert pf.benchmark_checks(estimate, {}, programme="Drive") == []
