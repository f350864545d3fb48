"""build_findings: SMS levels, headlines, MDEs and planted truth from the evaluation's data."""

import dataclasses
import json

from analysis.evidence import design_comparison, save_findings
from analysis.programmes.op_focus.findings import (
    QUESTION_CHARGE,
    QUESTION_REOFFENDING,
    build_findings,
    finding_of,
    headline_finding,
)


def test_findings_have_sms4_and_sms3_headlines_with_truth_and_mde(evaluation, tmp_path):
    findings = build_findings(evaluation)
    headlines = [f for f in findings if f.headline]
    assert sorted(f.sms_level for f in headlines) == [3, 4]
    assert {f.question for f in headlines} == {QUESTION_CHARGE}
    assert all(f.truth is not None and f.mde is not None and f.mde > 0 for f in findings)
    assert headline_finding(findings).design == "regression_discontinuity"
    assert finding_of(findings, evaluation.charge["did"]).sms_level == 3
    record = save_findings(
        tmp_path / "findings.json", programme="op_focus", findings=findings, synthetic=True
    )
    assert json.loads((tmp_path / "findings.json").read_text())["findings"] == record["findings"]


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
    assert table["SMS"].is_monotonic_increasing and len(table) == 3
