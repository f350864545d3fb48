"""lSaVI's findings: questions in the report's order, one headline, planted truths, caveats."""

from __future__ import annotations

import dataclasses

import pytest

from analysis.evidence import Finding
from analysis.programmes.lsavi import findings as lsavi_findings
from analysis.programmes.lsavi.findings import (
    HEADLINE_QUESTION,
    build_findings,
    impact_findings,
    planted_truth,
)
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
        lsavi_findings.THEFT_QUESTION,
        lsavi_findings.ITS_QUESTION,
        lsavi_findings.SCORE_CHANGE_QUESTION,
        lsavi_findings.BY_SCORE_QUESTION,
    ]
    headline = [f for f in findings if f.headline]
    assert [f.question for f in headline] == [HEADLINE_QUESTION]
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
