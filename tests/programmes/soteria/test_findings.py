"""Soteria's analysis plan: its families, expected effect and fingerprint reach the findings."""

from __future__ import annotations

import dataclasses
import json

import pytest

from analysis.errors import ConfigError
from analysis.evidence import save_findings
from analysis.programmes.soteria import findings as soteria_findings


def test_the_plan_names_every_finding_of_the_programme():
    plan = soteria_findings.analysis_plan()
    assert plan.outcome == soteria_findings.PLAN_OUTCOMES[soteria_findings.QUESTION]
    planned = {outcome for family in plan.families for outcome in family.outcomes}
    secondary = set(soteria_findings.PLAN_OUTCOMES.values()) - {plan.outcome}
    assert planned == secondary


def test_secondary_findings_are_adjusted_within_their_families(findings):
    headline, *rest = findings
    assert headline.headline and headline.family == "" and headline.expected_effect == 0.058
    for finding in rest:
        assert finding.family in {"investigation and victims", "comparisons"}
        assert finding.adjusted_p_value >= finding.estimate.p_value
    investigation = [f for f in rest if f.family == "investigation and victims"]
    smallest = min(investigation, key=lambda f: f.estimate.p_value)
    # Holm: the smallest of a family of two is doubled (capped at 1).
    assert smallest.adjusted_p_value == pytest.approx(min(1.0, 2 * smallest.estimate.p_value))


def test_a_headline_unable_to_see_the_expected_effect_is_demoted_with_its_reason(evaluation):
    plan = soteria_findings.analysis_plan()
    modest = dataclasses.replace(plan, expected_effect=0.005)
    headline = soteria_findings.build_findings(evaluation, modest)[0]
    assert not headline.headline
    assert "expected effect" in headline.headline_note


def test_the_plans_fingerprint_goes_into_findings_json(evaluation, findings, tmp_path):
    plan = soteria_findings.analysis_plan()
    path = tmp_path / "findings.json"
    save_findings(
        path,
        programme="soteria",
        findings=findings,
        inputs=evaluation.data.provenance,
        synthetic=True,
        analysis_plan=plan,
    )
    recorded = json.loads(path.read_text())
    text = json.dumps(recorded)
    assert plan.sha256 in text and "config/soteria.yaml" in text


def test_a_config_without_a_plan_is_refused_with_the_file_named(tmp_path):
    config = tmp_path / "soteria.yaml"
    config.write_text("programme: soteria\nparameters: {}\n")
    with pytest.raises(ConfigError, match="no analysis_plan block"):
        soteria_findings.analysis_plan(config)
