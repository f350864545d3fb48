"""Victim services' findings: order, headline, truth, SMS levels and caveats."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from analysis.programmes.victim_services import findings


def test_build_findings_puts_the_matched_repeat_headline_first(evaluation):
    built = findings.build_findings(evaluation)
    assert [f.headline for f in built].count(True) == 1
    assert built[0].headline and built[0].question == findings.REPEAT_QUESTION
    assert built[0].truth == evaluation.data.truth["repeat_hazard_ratio"]
    assert built[0].mde > 1
    assert built[0].sms_level == 2


def test_sms_levels_are_honest(evaluation):
    levels = {f.label: f.sms_level for f in findings.build_findings(evaluation)}
    assert levels["Next DA incident, naive (hazard ratio)"] == 1
    assert levels["Days from referral to first contact, step change"] == 2
    assert levels["Abuse ceased at exit (complete case, share)"] == 1


def test_each_finding_carries_its_planted_truth(evaluation):
    truth = evaluation.data.truth
    for finding in findings.build_findings(evaluation):
        key = {
            findings.REPEAT_QUESTION: "repeat_hazard_ratio",
            findings.WITHDRAWAL_QUESTION: "withdrawal_difference_pp",
            findings.EXIT_QUESTION: "abuse_ceased_share",
        }.get(finding.question)
        if key:
            assert finding.truth == truth[key]


def test_exit_finding_records_its_bounds_and_missing_data_caveat(evaluation):
    exit_finding = findings.build_findings(evaluation)[-1]
    record = exit_finding.to_dict()
    assert record["bounds_low"] <= record["effect"] <= record["bounds_high"]
    assert findings.EXIT_CAVEAT in record["caveats"]


def test_real_data_have_no_truth(evaluation):
    real = dataclasses.replace(evaluation, data=SimpleNamespace(synthetic=False, truth=None))
    assert all(f.truth is None for f in findings.build_findings(real))
