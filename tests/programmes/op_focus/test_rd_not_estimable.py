"""A regression discontinuity that cannot be estimated is carried as "not estimable", with why.

Each way it can fail (a harm score that does not vary, too few finalised arrests on one
side, no first stage, a first stage too weak for a bounded interval at every bandwidth)
gives a result with no number and the reason, which the findings rate SMS 1 with that
reason and every sentence and figure of the report handles, instead of a stopped report
or a printed number.
"""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.programmes.op_focus import designs, narrative
from analysis.programmes.op_focus.findings import build_findings
from analysis.programmes.op_focus.tables import rdd_sample

from .conftest import THRESHOLD


@pytest.fixture(scope="module")
def arrests(evaluation):
    return evaluation.arrests


def _reason(arrests: pd.DataFrame, threshold: float = THRESHOLD) -> str:
    estimate = designs.focus_rdd_or_not_estimable(arrests, threshold=threshold)
    assert math.isnan(estimate.effect) and math.isnan(estimate.ci_low)
    assert estimate.warnings[0].startswith("The regression discontinuity is not estimable: ")
    return estimate.diagnostics["not_estimable"]


def test_estimable_data_give_the_discontinuity(arrests):
    assert designs.rdd_not_estimable_reason(rdd_sample(arrests), threshold=THRESHOLD) == ""
    estimate = designs.focus_rdd_or_not_estimable(arrests, threshold=THRESHOLD)
    assert math.isfinite(estimate.effect) and "not_estimable" not in estimate.diagnostics


def test_a_harm_score_that_does_not_vary(arrests):
    same = arrests.assign(harm_score=250.0)
    assert _reason(same).startswith("the harm score does not vary: all ")


def test_too_few_arrests_on_one_side(arrests):
    scores = rdd_sample(arrests)["harm_score"]
    # A threshold with fewer than 20 finalised arrests at or above it.
    high = float(np.sort(scores.to_numpy())[-10])
    reason = _reason(arrests, threshold=high)
    assert reason.startswith("too few finalised arrests since the pilot either side")
    assert "at least 20 each" in reason


@pytest.mark.parametrize("value, words", [(0, "no finalised arrest"), (1, "every finalised")])
def test_no_first_stage(arrests, value, words):
    reason = _reason(arrests.assign(focus_investigation=value))
    assert reason.startswith(f"no first stage: {words}")


def test_a_first_stage_too_weak_at_every_bandwidth(arrests):
    rng = np.random.default_rng(1)
    # Focus investigations unrelated to the score: the share treated does not jump.
    random_focus = (rng.random(len(arrests)) < 0.3).astype(int)
    reason = _reason(arrests.assign(focus_investigation=random_focus))
    assert "share treated" in reason and "first stage" in reason


def test_a_check_that_cannot_be_fitted_is_not_estimable(arrests):
    estimate = designs.check_or_not_estimable(
        designs.pending_jump,
        arrests.assign(harm_score=250.0),
        threshold=THRESHOLD,
        what="jump in the share of arrests pending",
    )
    assert math.isnan(estimate.effect)
    assert "outside the range" in estimate.diagnostics["not_estimable"]


def test_grid_and_placebo_cutoffs_cope(arrests):
    assert designs.rdd_bandwidth_sensitivity(arrests, threshold=THRESHOLD, bandwidth=0.0).empty
    table = designs.rdd_placebo_cutoffs(arrests, threshold=1e6, cutoffs=(2e6,))
    assert table["note"].tolist() == ["no finalised arrests on this side"]


@pytest.fixture(scope="module")
def not_estimable_evaluation(evaluation):
    reason = "too few finalised arrests since the pilot either side of the threshold"

    def missing(outcome):
        return designs.not_estimable(reason, outcome=outcome, what="regression discontinuity")

    check = designs.not_estimable(
        "the cutoff is outside the range", outcome="pending", what="jump in the share pending"
    )
    return replace(
        evaluation,
        charge={**evaluation.charge, "rdd": missing("charged_pp")},
        withdrawal={**evaluation.withdrawal, "rdd": missing("withdrawn_pp")},
        rd_pending=check,
    )


def test_findings_rate_it_sms_1_with_the_reason(not_estimable_evaluation):
    findings = build_findings(not_estimable_evaluation, plan=False)
    rd = [f for f in findings if f.design == "regression_discontinuity" and f.role != "check"]
    assert len(rd) == 2
    for finding in rd:
        assert finding.sms_level == 1 and not finding.headline and finding.mde is None
        assert any("too few finalised arrests" in reason for reason in finding.rating.reasons)
        assert finding.caveats[0].startswith("Not estimable on these data: too few")
    # The difference-in-differences is still the headline.
    assert any(f.headline and f.design == "difference_in_differences" for f in findings)


def test_every_sentence_says_not_estimable(not_estimable_evaluation):
    ev = not_estimable_evaluation
    findings = build_findings(ev, plan=False)
    assert narrative.rdd_panels(ev) == []
    charge = narrative.charge_rate(ev)
    assert "the regression discontinuity is **not estimable** on these data: too few" in charge
    assert "nan" not in charge
    assert "**not estimable** on these data" in narrative.withdrawal(ev)
    checks = narrative.rdd_checks(ev)
    assert checks.startswith("The regression discontinuity at 240 is **not estimable**")
    assert "Jump in the share of arrests still pending: not estimable (the cutoff" in checks
    caveats = narrative.caveats(ev, findings)
    assert "The regression discontinuity could not be estimated (too few" in caveats
    assert "nan" not in narrative.headline(ev, findings)


def test_estimable_discontinuity_has_its_two_figures(evaluation):
    panels = narrative.rdd_panels(evaluation)
    assert [ylabel for _, _, ylabel in panels] == [
        "Share investigated under Focus",
        "Charged or summonsed (%)",
    ]


def test_findings_json_records_no_number(not_estimable_evaluation, tmp_path):
    import json

    from analysis.evidence import findings_table, save_findings

    findings = build_findings(not_estimable_evaluation, plan=False)
    save_findings(tmp_path / "findings.json", programme="op_focus", findings=findings)
    record = json.loads((tmp_path / "findings.json").read_text())
    rd = [f for f in record["findings"] if f["design"] == "regression_discontinuity"]
    assert rd[0]["effect"] is None and rd[0]["ci_low"] is None
    table = findings_table(findings)
    assert len(table) == len(findings)
