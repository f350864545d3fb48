"""build_findings: SMS levels, headlines, MDEs and planted truth from the evaluation's data."""

import dataclasses
import json

from analysis.evidence import design_comparison, save_findings
from analysis.programmes.op_focus.findings import (
    QUESTION_CHARGE,
    QUESTION_REOFFENDING,
    analysis_plan,
    build_findings,
    finding_of,
    headline_finding,
)


def test_headline_is_the_did_and_the_underpowered_rd_is_demoted(evaluation, tmp_path):
    findings = build_findings(evaluation)
    headlines = [f for f in findings if f.headline]
    assert [f.design for f in headlines] == ["difference_in_differences"]
    assert {f.question for f in headlines} == {QUESTION_CHARGE}
    assert all(f.truth is not None and f.mde is not None and f.mde > 0 for f in findings
               if f.role == "finding")  # fmt: skip
    assert headline_finding(findings).design == "difference_in_differences"
    rd = finding_of(findings, evaluation.charge["rdd"])
    # 5 points expected, an MDE near 50: about 6% power, so not a headline.
    assert rd.expected_effect == 5.0 and rd.mde > 10.0
    assert rd.headline_note.startswith("Not a headline: the minimum detectable effect")
    plan = analysis_plan()
    record = save_findings(
        tmp_path / "findings.json",
        programme="op_focus",
        findings=findings,
        synthetic=True,
        analysis_plan=plan,
        value_for_money={"components": [evaluation.cost_per_charge.to_dict()]},
    )
    written = json.loads((tmp_path / "findings.json").read_text())
    assert written["findings"] == record["findings"]
    assert written["analysis_plan"]["sha256"] == plan.sha256
    assert written["value_for_money"]["components"][0]["cost_confirmed"] is False


def test_ratings_are_earned_from_each_designs_checks(evaluation):
    findings = build_findings(evaluation)
    checks = {f.label: {c.name for c in f.checks} for f in findings}
    did = finding_of(findings, evaluation.charge["did"])
    assert {"parallel pre-trends"} < checks[did.label]
    rd = finding_of(findings, evaluation.charge["rdd"])
    assert {
        "no sorting at the cutoff",
        "no jump in the share of suspects arrested",
        "no jump in the share of outcomes pending",
        "strength of the first stage",
    } <= checks[rd.label]
    # The density test runs on suspects (one row each), not on arrest rows.
    density = next(c for c in rd.checks if c.name == "no sorting at the cutoff")
    p_value = evaluation.rd_suspects.diagnostics["density_p_value"]
    assert f"{p_value:.2f}"[:3] in density.detail
    matched = finding_of(findings, evaluation.reoffending_estimates["harm"])
    assert {"balance after matching", "overlap of the groups"} <= checks[matched.label]
    # Poor overlap and balance of the matching lower it below its design's SMS 2.
    assert matched.sms_level == 1 and len(matched.rating.reasons) >= 1
    assert all(f.sms_override is None for f in findings)


def test_checks_have_no_level_and_secondary_findings_are_adjusted(evaluation):
    findings = build_findings(evaluation)
    checks = [f for f in findings if f.role == "check"]
    assert len(checks) == 5 and all(f.sms_level is None and not f.headline for f in checks)
    families = {f.family for f in findings if f.family}
    assert families == {"victim and case outcomes", "reoffending"}
    for f in findings:
        if f.family:
            assert f.p_adjustment and f.adjusted_p_value >= f.estimate.p_value
        else:
            assert f.adjusted_p_value is None


def test_matched_and_cox_findings_carry_e_values(evaluation):
    findings = build_findings(evaluation)
    cox = finding_of(findings, evaluation.cox)
    assert cox.extra["e_value"] >= cox.extra["e_value_limit"] >= 1.0
    assert any("clustered by suspect" in c for c in cox.caveats)
    assert evaluation.cox.diagnostics["n_clusters"] < len(evaluation.post_pilot)
    for key in ("harm", "count"):
        matched = finding_of(findings, evaluation.reoffending_estimates[key])
        assert matched.extra["e_value"] >= 1.0 and "rosenbaum_gamma" in matched.extra
        assert any(c.startswith("Unmeasured confounding") for c in matched.caveats)


def test_expected_effect_parameter_overrides_the_plan(evaluation):
    big = dataclasses.replace(
        evaluation, params=dataclasses.replace(evaluation.params, expected_effect_pp=40.0)
    )
    rd = finding_of(build_findings(big), evaluation.charge["rdd"])
    assert rd.expected_effect == 40.0 and rd.headline and rd.headline_note == ""


def test_without_a_plan_nothing_is_demoted_or_adjusted(evaluation):
    findings = build_findings(evaluation, plan=False)
    assert all(not f.family and not f.headline_note for f in findings)


def test_real_data_carry_no_truth(evaluation, world):
    class RealExtract:
        tables = world.tables
        extract_date = world.extract_date
        truth = None
        synthetic = False

    real = dataclasses.replace(evaluation, data=RealExtract())
    assert all(f.truth is None for f in build_findings(real))


def test_caveats_quote_the_checks(evaluation):
    findings = build_findings(evaluation)
    did = finding_of(findings, evaluation.charge["did"])
    assert any("placebo pilot start" in c for c in did.caveats)
    harm = [f for f in findings if "harm (Crime Harm Index days)" in f.label]
    assert harm and any("one rape weighs" in c for c in harm[0].caveats)


def test_design_comparison_puts_the_weakest_design_first(evaluation):
    table = design_comparison(build_findings(evaluation), QUESTION_REOFFENDING)
    assert len(table) == 3
