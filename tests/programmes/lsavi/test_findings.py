"""lSaVI's findings: questions in the report's order, one headline, planted truths, caveats."""

from __future__ import annotations

import dataclasses

import pytest

from analysis.errors import ConfigError
from analysis.evidence import Finding
from analysis.programmes.lsavi import findings as lsavi_findings
from analysis.programmes.lsavi.findings import (
    HEADLINE_QUESTION,
    analysis_plan,
    build_findings,
    headline_finding,
    impact_findings,
    planted_truth,
)
from analysis.results import Estimate
from analysis.synthetic import lsavi as world

from .conftest import PANEL_END


def test_planted_truth_only_for_the_generators_settings():
    truth = {"att_theft": 0.0}
    settings = dict(
        panel_start="2023-04-01",
        panel_end=PANEL_END,
        pilot_start="2025-04-01",
        score_threshold=world.SCORE_THRESHOLD,
    )
    assert planted_truth(truth, "att_theft", **settings) == 0.0
    assert planted_truth(truth, "missing", **settings) is None
    assert planted_truth(None, "att_theft", **settings) is None
    assert planted_truth(truth, "att_theft", **{**settings, "score_threshold": 50}) is None


def test_findings_in_the_reports_order_with_one_headline(evaluation):
    findings = build_findings(evaluation)
    assert all(isinstance(f, Finding) for f in findings)
    assert [f.question for f in findings] == [
        lsavi_findings.UPTAKE_QUESTION,
        lsavi_findings.NAIVE_QUESTION,
        lsavi_findings.IMPACT_QUESTION,
        lsavi_findings.TWFE_QUESTION,
        lsavi_findings.PLACEBO_QUESTION,
        lsavi_findings.SENSITIVITY_QUESTIONS["not_yet"],
        lsavi_findings.ANTICIPATION_QUESTION,
        lsavi_findings.RATIO_QUESTION,
        lsavi_findings.THEFT_QUESTION,
        lsavi_findings.ITS_QUESTION,
        lsavi_findings.SCORE_CHANGE_QUESTION,
        lsavi_findings.BY_SCORE_QUESTION,
    ]
    # Placebo and theft are checks of the design, with no evidence level of their own.
    checks = [f for f in findings if f.role == "check"]
    assert [f.question for f in checks] == [
        lsavi_findings.PLACEBO_QUESTION,
        lsavi_findings.THEFT_QUESTION,
    ]
    assert all(f.sms_level is None for f in checks)
    headline = [f for f in findings if f.question == HEADLINE_QUESTION]
    assert headline[0].estimate is evaluation.headline
    assert headline[0].caveats == lsavi_findings.HEADLINE_CAVEATS
    # Every design that estimates an effect reports the smallest effect it could detect.
    assert all(f.mde is not None and f.mde > 0 for f in impact_findings(findings))
    assert {f.design for f in impact_findings(findings)}.isdisjoint({"descriptive", "before_after"})


def test_findings_carry_the_planted_truth_on_synthetic_data(evaluation):
    findings = build_findings(evaluation)
    truth = evaluation.data.truth
    expected = [truth[key] for key in lsavi_findings.TRUTH_KEYS.values()]
    assert [f.truth for f in findings] == pytest.approx(expected)


def test_no_truth_on_real_data_or_other_settings(evaluation):
    real = dataclasses.replace(evaluation, data=dataclasses.replace(evaluation.data, truth=None))
    assert all(f.truth is None for f in build_findings(real))
    other = dataclasses.replace(
        evaluation, params=dataclasses.replace(evaluation.params, low_score_threshold=50.0)
    )
    findings = build_findings(other)
    assert all(f.truth is None for f in findings)
    assert "below 50 vs above" in findings[-1].label


def test_sensitivity_question_follows_the_comparison_group(evaluation):
    swapped = dataclasses.replace(
        evaluation, params=dataclasses.replace(evaluation.params, comparison_group="not_yet")
    )
    sensitivity = build_findings(swapped)[5]
    assert sensitivity.question == lsavi_findings.SENSITIVITY_QUESTIONS["never"]
    assert sensitivity.label == "Sensitivity: comparison group 'never'"


def test_headline_earns_its_rating_from_its_checks(evaluation):
    headline = headline_finding(build_findings(evaluation))
    assert [c.name for c in headline.checks] == [
        "parallel pre-trends",
        "no shift in incidents just before sign-up",
        "placebo sign-up 12 months earlier",
        "theft incidents (not targeted)",
    ]
    failed = sum(c.passed is False for c in headline.checks)
    assert headline.sms_level == max(1, 3 - failed)
    assert headline.sms_override is None
    assert set(headline.extra["trend_sensitivity"]) == {
        "breakdown_m",
        "largest_pre_change",
        "mean_periods_exposed",
    }


def test_a_shift_before_sign_up_lowers_the_rating_with_its_reason(evaluation):
    spike = Estimate(
        0.15, 0.05, 0.25, 0.003, 600, "difference", "m", "e", diagnostics={"window": 3}
    )
    lowered = dataclasses.replace(evaluation, pre_signup_shift=spike)
    headline = headline_finding(build_findings(lowered))
    reasons = " ".join(headline.rating.reasons)
    assert "no shift in incidents just before sign-up failed" in reasons
    assert "incidents were higher in the 3 months before sign-up" in reasons


def test_secondary_findings_are_adjusted_within_the_plans_families(evaluation):
    findings = build_findings(evaluation)
    plan = analysis_plan()
    assert plan.expected_effect == -0.1
    families = {f.family for f in findings if f.family}
    assert families == {"impact at premises, other designs", "county and practice"}
    for finding in findings:
        if finding.family and finding.estimate.p_value is not None:
            assert finding.adjusted_p_value >= finding.estimate.p_value
    assert all(not f.family for f in findings if f.question == HEADLINE_QUESTION)
    assert all(not f.family for f in findings if f.role == "check")


def test_headline_demoted_when_its_design_could_not_detect_the_expected_effect(evaluation):
    tiny = dataclasses.replace(
        evaluation, params=dataclasses.replace(evaluation.params, expected_effect=-0.01)
    )
    headline = headline_finding(build_findings(tiny))
    assert not headline.headline
    assert headline.expected_effect == -0.01
    assert headline.headline_note.startswith("Not a headline: the minimum detectable effect")
    large = dataclasses.replace(
        evaluation, params=dataclasses.replace(evaluation.params, expected_effect=-1.0)
    )
    assert headline_finding(build_findings(large)).headline


def test_analysis_plan_missing_is_a_clear_error(tmp_path):
    config = tmp_path / "lsavi.yaml"
    config.write_text("programme: lsavi\n")
    with pytest.raises(ConfigError, match="no analysis_plan block"):
        analysis_plan(str(config))
    with pytest.raises(ConfigError, match="no finding answers the headline question"):
        headline_finding([])
