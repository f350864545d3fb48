"""Perpetrator programmes' findings: order, headline, truth keys and caveats."""

from __future__ import annotations

import dataclasses

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
    assert len(findings) == 19
    assert labels[:4] == [
        "Drive: 12-month DA reoffending, matched (pp)",
        "Drive: 12-month DA reoffending, naive (pp)",
        "Drive: 12-month DA reoffending, same risk unmatched (pp)",
        "Drive: 12-month DA reoffending, IPW (pp)",
    ]
    assert labels[8:10] == [
        "Drive: time to first DA reoffence (hazard ratio)",
        "Up2U: time to first DA reoffence (hazard ratio)",
    ]
    assert labels[-1] == "Training: knowledge score change (points, SMS 1)"
    assert [f for f in findings if f.headline] == [pf.headline(findings)]
    top = pf.headline(findings)
    assert top.estimate is evaluation.reoffending["Drive"].matched
    assert top.extra["programme"] == "Drive"
    assert top.extra["vfm_drive_benefit_cost_ratio"] == evaluation.components["Drive"].bcr[0]
    assert "vfm_up2u_verdict" in top.extra
    assert "vfm_drive_verdict" not in findings[1].extra


def test_findings_carry_sms_mde_and_planted_truth(evaluation, findings):
    by_label = {f.label: f for f in findings}
    matched = by_label["Up2U: 12-month DA reoffending, matched (pp)"]
    assert matched.sms_level == 3 and matched.mde is not None and matched.mde > 0
    assert matched.truth == evaluation.data.truth["up2u_reoffending_12m_difference"]
    naive = by_label["Drive: 12-month DA reoffending, naive (pp)"]
    assert naive.mde is None and naive.sms_level < 3
    hazard = by_label["Drive: time to first DA reoffence (hazard ratio)"]
    assert hazard.truth == evaluation.data.truth["drive_reoffence_hazard_ratio"]
    before = by_label["Drive: harm, participants only before/after (per person-quarter)"]
    assert before.caveats[0] == pf.BEFORE_AFTER_CAVEAT
    assert before.truth == evaluation.data.truth["drive_harm_did"]
    control = by_label["Up2U: non-DA crimes (negative control), matched DiD (per person-quarter)"]
    assert control.caveats[0].startswith("Pre-trend test p = ")
    assert control.question == (
        "Did Up2U participants' non-DA crimes (negative control) fall against the comparison?"
    )
    training = by_label["Training: knowledge score change (points, SMS 1)"]
    assert training.sms_level == 1
    assert training.truth == evaluation.data.truth["training_score_change"]


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
    assert len(designs) == 9  # four 12-month designs each, and training
    rows = pf.harm_rows(findings)
    assert [row["label"] for row in rows[:4]] == [design[0] for design in pf.HARM_DESIGNS]
    assert {row["programme"] for row in rows} == {"Drive", "Up2U"}
    assert rows[3]["sms_level"] == 1 and rows[0]["sms_level"] >= 2


def test_mde_is_read_from_the_interval_each_finding_reports(findings):
    with_mde = [f for f in findings if f.mde is not None]
    # The matched reoffending effects, the hazard ratios, the harm designs and training.
    assert len(with_mde) == 2 + 2 + 8 + 1
    for finding in with_mde:
        assert finding.mde == mde(finding.estimate), finding.label
    hazard = next(f for f in findings if f.estimate.scale == "hazard ratio")
    assert hazard.mde > 1  # a ratio: the rise (or, inverted, the fall) the design would detect
