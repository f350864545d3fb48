"""Earned ratings, checks, multiplicity, power and unconfirmed costs as the reports show them.

Findings are built as a programme builds them (``Finding`` from small
``Estimate``s, then ``save_findings``), so these tests cover the path from the
evidence layer to the page.
"""

from __future__ import annotations

import json

import pytest

from analysis.evidence import checks, vfm
from analysis.evidence.findings import Finding, demote_underpowered, save_findings
from analysis.evidence.multiplicity import adjust_families
from analysis.reporting import render_report
from analysis.reporting.formatting import finding_view, rating_view
from analysis.reporting.index import build_index
from analysis.results import Estimate
from tests.reporting.builders import executed_notebook, visible_text


def words(page: str) -> str:
    return " ".join(visible_text(page).split())


def programme_findings() -> list[Finding]:
    """A discontinuity headline that fails its density check, an underpowered second
    headline, a family of secondary findings, and a placebo check."""
    rd = Estimate(
        8.0, 3.0, 13.0, 0.002, 900, "percentage points", "rd", "charge rate",
        diagnostics={"density_p_value": 0.004, "first_stage": 0.6,
                     "first_stage_ci_low": 0.5, "first_stage_ci_high": 0.7},
    )  # fmt: skip
    weak = Estimate(3.0, -8.0, 14.0, 0.6, 250, "percentage points", "rd", "withdrawal")
    secondary = [
        Estimate(-2.0, -3.9, -0.1, 0.04, 500, "percentage points", "m", "outcome a"),
        Estimate(-1.0, -2.0, 0.0, 0.05, 500, "percentage points", "m", "outcome b"),
    ]
    placebo = Estimate(0.4, -1.5, 2.3, 0.68, 900, "percentage points", "rd", "placebo cutoff")
    findings = [
        Finding(
            "Did Focus raise the charge rate?", rd, "regression_discontinuity", headline=True,
            mde=7.0, expected_effect=5.0, label="Charge rate at the threshold",
            checks=checks.standard_checks(rd),
        ),
        Finding(
            "Did withdrawals fall?", weak, "regression_discontinuity", headline=True,
            mde=15.4, expected_effect=2.0, label="Victim withdrawal at the threshold",
        ),
        *(
            Finding(f"Secondary {name}", est, "matched_comparison", family="victims",
                    label=f"Secondary outcome {name}")
            for name, est in zip("ab", secondary, strict=True)
        ),
        Finding("Placebo cutoff", placebo, "regression_discontinuity", role="check",
                label="Placebo threshold at 40"),
    ]  # fmt: skip
    return adjust_families(demote_underpowered(findings), "holm")


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "findings.json"
    averted = vfm.outcomes_averted(
        Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e", se=4.08),
        100,
        outcome="victims",
    )
    appraisal = vfm.value_for_money(
        cost=50_000,
        participants=100,
        averted=averted,
        unit_cost=vfm.UnitCost(40_000.0, "victim", "2024/25", "test"),
        label="Pilot",
        cost_confirmed=False,
    )
    return save_findings(
        path,
        programme="toy",
        findings=programme_findings(),
        synthetic=True,
        value_for_money=vfm.value_for_money_block([appraisal]),
    )


@pytest.fixture(scope="module")
def report(record, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "toy.html"
    return render_report(executed_notebook(), record, out).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def scorecard(record, tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    (root / "toy").mkdir()
    (root / "toy" / "findings.json").write_text(json.dumps(record), encoding="utf-8")
    (root / "toy" / "toy.html").write_text("<html></html>", encoding="utf-8")
    return build_index(root, expected=[]).read_text(encoding="utf-8")


def test_the_record_carries_the_rating_the_checks_earned(record):
    charge, withdrawal, a, b, placebo = record["findings"]
    assert (charge["sms_design"], charge["sms_level"]) == (4, 3)
    assert [c["name"] for c in charge["checks"]] == [
        "no sorting at the cutoff",
        "strength of the first stage",
    ]
    assert charge["headline"] is True and charge["headline_note"] == ""
    assert withdrawal["headline"] is False and "Not a headline" in withdrawal["headline_note"]
    assert a["adjusted_p_value"] == pytest.approx(0.08) and b["adjusted_p_value"] == 0.08
    assert placebo["role"] == "check" and placebo["sms_level"] is None


def test_the_report_explains_how_the_rating_was_reached(report):
    text = words(report)
    assert "How the evidence rating was reached" in text
    assert "Lowered from SMS 4 to SMS 3: no sorting at the cutoff failed" in text
    assert "moderate (SMS 3)" in text and "(the design is strong (SMS 4))" in text
    assert "strength of the first stage passed first-stage F" in text
    assert "each of its own checks that failed" in text


def test_the_report_shows_adjusted_p_values_demotions_and_expected_effects(report):
    text = words(report)
    assert "p-value adjusted for multiple testing 0.080 (Holm, within the family “victims”)" in text
    assert "Not a headline: the minimum detectable effect (15.4) is 7.7 times" in text
    assert "Expected effect +5.0" in text
    assert "adjusted for multiple testing: with many findings" in text


def test_checks_of_the_design_have_their_own_table_and_no_level(report):
    box = report[report.index('id="main-findings"') : report.index('class="contents"')]
    other = box[box.index("Other findings") : box.index('id="checks-of-the-design"')]
    checks_table = box[box.index('id="checks-of-the-design"') :]
    assert "Placebo threshold at 40" not in other
    assert "Placebo threshold at 40" in checks_table
    assert "no effect, as expected" in checks_table
    assert "SMS" not in words(checks_table)
    detail = report[report.index("Placebo threshold at 40</h3>") :]
    detail = detail[: detail.index("Back to the main findings")]
    assert "none: a check of the design" in words(detail)


def test_the_scorecard_shows_mde_reasons_demotions_and_an_unconfirmed_cost(scorecard):
    block = scorecard[scorecard.index('<tbody id="programme-toy">') :]
    block = words(block[: block.index("</tbody>")])
    assert "Minimum detectable effect" in words(scorecard)
    assert "+7.0" in block and "expected effect +5.0" in block
    assert "Lowered from SMS 4 to SMS 3: no sorting at the cutoff failed" in block
    assert "Victim withdrawal at the threshold : Not a headline" in block
    assert "Cost not confirmed" in block
    assert "No benefit-cost ratio is published until the programme's cost is confirmed" in block
    assert "Benefit-cost ratio" not in block
    assert 'href="toy/toy.html#finding-2"' in scorecard


def test_schema_one_findings_read_as_before():
    old = {"label": "Incidents", "effect": 0.8, "ci_low": 0.7, "ci_high": 0.9,
           "scale": "rate ratio", "sms_level": 3, "headline": True}  # fmt: skip
    view = finding_view(0, old)
    assert view["sms"] == "moderate (SMS 3)"
    assert view["sms_reasons"] == [] and view["checks"] == [] and not view["is_check"]
    assert view["adjusted_p_value"] == "" and view["headline_note"] == ""


def test_reasons_are_shown_only_for_findings_rated_by_their_checks():
    # An override without checks is recorded in findings.json but reads as before.
    override = {"sms_level": 3, "sms_design": 2, "checks": [],
                "sms_reasons": ["Set to SMS 3 by the analyst: no reason stated."]}  # fmt: skip
    assert rating_view(override)["sms_reasons"] == []
    rated = {**override, "checks": [{"name": "balance", "passed": True, "detail": "0.05"}]}
    assert rating_view(rated)["sms_reasons"] == override["sms_reasons"]
