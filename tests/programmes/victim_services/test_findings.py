"""Victim services' findings: order, headline, truth, SMS levels and caveats."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.data import load
from analysis.errors import ConfigError
from analysis.evidence import save_findings
from analysis.evidence.multiplicity import holm
from analysis.programmes.victim_services import findings
from analysis.programmes.victim_services.evaluation import Parameters, evaluate
from analysis.results import Estimate


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
    built = {f.label: f for f in findings.build_findings(evaluation)}
    exit_finding = built["Abuse ceased at exit (complete case, share)"]
    record = exit_finding.to_dict()
    assert record["bounds_low"] <= record["effect"] <= record["bounds_high"]
    assert findings.EXIT_CAVEAT in record["caveats"]


def test_real_data_have_no_truth(evaluation):
    real = dataclasses.replace(evaluation, data=SimpleNamespace(synthetic=False, truth=None))
    assert all(f.truth is None for f in findings.build_findings(real))


def test_matched_and_cox_findings_carry_e_values_and_rosenbaum_bounds(evaluation):
    built = {f.label: f for f in findings.build_findings(evaluation)}
    for label in (
        "Next DA incident, supported against matched (hazard ratio)",
        "Victim withdrawal, supported minus matched (points)",
        "Charge, supported minus matched (points)",
    ):
        record = built[label].to_dict()
        assert record["e_value"] >= 1 and record["e_value_ci"] >= 1, label
        assert record["rosenbaum_pairs"] > 500, label
        gamma = record["rosenbaum_gamma"]
        assert gamma is None or gamma >= 1, label
    assert built["Next DA incident, naive (hazard ratio)"].extra == {}


def test_matched_findings_earn_balance_overlap_and_comparison_checks(evaluation):
    built = {f.label: f for f in findings.build_findings(evaluation)}
    names = [c.name for c in built["Charge, supported minus matched (points)"].checks]
    assert names == [
        "balance after matching",
        "overlap of the groups",
        "recorded risk stable from month to month",
        "comparison group not supported later",
    ]
    # The repeat design censors later referrals, so it carries no comparison check.
    headline = built["Next DA incident, supported against matched (hazard ratio)"]
    assert [c.name for c in headline.checks] == [
        "balance after matching",
        "overlap of the groups",
        "recorded risk stable from month to month",
    ]
    assert headline.extra["censored_at_referral"] > 0
    assert all(c.passed for c in headline.checks), headline.checks


def test_lagged_referrals_lower_the_matched_differences_with_the_reason():
    lagged = evaluate(load("victim_services", seed=3, scale=0.5, world="referral_lag"))
    check = findings.comparison_check(lagged)
    assert check.passed is False and "referred after the 28-day grace period" in check.detail
    built = {f.label: f for f in findings.build_findings(lagged)}
    withdrawal = built["Victim withdrawal, supported minus matched (points)"]
    assert withdrawal.sms_level == 1
    assert "comparison group not supported later failed" in withdrawal.rating.reasons[0]


def test_cohort_pairs_keep_pairs_with_both_crimes_finalised():
    cohort = pd.DataFrame(
        {
            "pair_id": [0, 0, 1, 1, 2, 2],
            "supported": [1, 0, 0, 1, 1, 0],
            "finalised": [True, True, True, True, False, True],
            "charged": [1, 0, 1, 1, 0, 0],
        }
    )
    pairs = findings.cohort_pairs(cohort, "charged")
    assert pairs.to_dict("list") == {"treated_outcome": [1, 1], "control_outcome": [0, 1]}


def test_sensitivity_extra_without_pairs_or_a_ratio_is_empty():
    est = Estimate(-5.0, -9.0, -1.0, 0.01, 900, "percentage points", "m", "e")
    assert findings.sensitivity_extra(est) == {}
    hr = Estimate(1.0, 0.8, 1.25, 0.9, 900, "hazard ratio", "cox", "e")
    assert findings.sensitivity_extra(hr)["e_value_ci"] == 1


def test_risk_overwritten_when_busy_lowers_every_matched_finding_with_the_reason():
    busy = evaluate(load("victim_services", seed=3, scale=0.5, world="risk_reassessed_when_busy"))
    assert findings.risk_recording_check(busy).passed is False
    for finding in findings.build_findings(busy)[:5]:
        if finding.design == "matched_comparison":
            assert finding.sms_level == 1
            assert any("recorded risk stable" in reason for reason in finding.rating.reasons)


def test_a_changed_referral_mix_lowers_the_service_change_findings():
    changed = evaluate(load("victim_services", seed=3, scale=0.5, world="marac_volume_change"))
    assert findings.referral_mix_check(changed).passed is False
    built = {f.label: f for f in findings.build_findings(changed)}
    for label in (
        "Days from referral to first contact, step change",
        "Share engaged, step change (points)",
    ):
        assert built[label].sms_level == 1
        assert "share of MARAC referrals steady" in built[label].rating.reasons[0]


def test_a_steady_referral_mix_passes(evaluation):
    assert findings.referral_mix_check(evaluation).passed is True


def test_the_plan_names_the_primary_outcome_and_a_family_for_every_secondary_one():
    plan = findings.analysis_plan()
    assert (plan.outcome, plan.design) == ("repeat_victimisation", "matched_comparison")
    assert plan.expected_effect == 0.8
    assert plan.outcome == findings.PLAN_OUTCOMES["repeat"]
    secondary = {name: o for name, o in findings.PLAN_OUTCOMES.items() if name != "repeat"}
    assert all(plan.family_of(outcome) for outcome in secondary.values()), secondary
    assert set(plan.diagnostics) == {"balance", "overlap", "negative_control"}


def test_a_config_without_a_plan_is_refused_with_the_fix(tmp_path):
    config = tmp_path / "victim_services.yaml"
    config.write_text("programme: victim_services\nparameters: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no analysis_plan block.*config/victim_services.yaml"):
        findings.analysis_plan(config)


def test_the_plan_fingerprint_is_recorded_in_findings_json(evaluation, tmp_path):
    plan = findings.analysis_plan()
    path = tmp_path / "findings.json"
    save_findings(
        path,
        programme="victim_services",
        findings=findings.build_findings(evaluation, plan),
        synthetic=True,
        analysis_plan=plan,
    )
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["analysis_plan"]["sha256"] == plan.sha256
    assert record["analysis_plan"]["source"] == "config/victim_services.yaml"


def test_secondary_findings_are_holm_adjusted_within_their_families(evaluation):
    built = findings.build_findings(evaluation)
    families: dict[str, list] = {}
    for finding in built:
        if finding.family:
            families.setdefault(finding.family, []).append(finding)
    assert sorted(families) == ["criminal justice", "naive comparisons", "service change"]
    assert [len(members) for members in families.values()] == [2, 2, 3]
    for members in families.values():
        expected = holm([f.estimate.p_value for f in members])
        assert [f.adjusted_p_value for f in members] == pytest.approx(expected)
        assert {f.p_adjustment for f in members} == {"Holm"}
    # The headline is judged on its own p-value; descriptive shares and checks are not tested.
    headline = built[0]
    assert headline.family == "" and headline.adjusted_p_value is None
    exit_share = {f.label: f for f in built}["Abuse ceased at exit (complete case, share)"]
    assert exit_share.family == "" and exit_share.adjusted_p_value is None


def test_the_referral_mix_is_a_check_with_no_evidence_level(evaluation):
    built = findings.build_findings(evaluation)
    checks = [f for f in built if f.role == "check"]
    assert [f.question for f in checks] == [findings.REFERRAL_MIX_QUESTION]
    mix = checks[0]
    assert mix.estimate is evaluation.referral_mix
    assert mix.sms_level is None and mix.adjusted_p_value is None and not mix.headline
    assert mix.to_dict()["role"] == "check"


def test_the_headline_carries_the_plans_expected_effect_and_keeps_its_place(evaluation):
    headline = findings.build_findings(evaluation)[0]
    assert headline.expected_effect == 0.8
    assert headline.headline and headline.headline_note == ""
    # At Dorset volumes the matched design can detect a fifth fewer repeats: its MDE
    # (a hazard ratio above 1, as far from no effect) is within twice the expected one.
    assert 1 < headline.mde < 1 / 0.8**2


def test_an_expected_effect_the_design_cannot_detect_demotes_the_headline(evaluation):
    hopeful = dataclasses.replace(evaluation, params=Parameters(expected_hazard_ratio=0.97))
    built = findings.build_findings(hopeful)
    repeat = built[0]
    assert repeat.question == findings.REPEAT_QUESTION
    assert not repeat.headline and repeat.expected_effect == 0.97
    assert repeat.headline_note.startswith("Not a headline: the minimum detectable effect")
    assert not any(f.headline for f in built)
    assert repeat.to_dict()["mde"] == pytest.approx(repeat.mde)


def test_every_matched_finding_says_in_plain_words_what_it_rests_on(evaluation):
    built = {f.label: f for f in findings.build_findings(evaluation)}
    for label, outcome in (
        ("Next DA incident, supported against matched (hazard ratio)", "being victimised again"),
        ("Victim withdrawal, supported minus matched (points)", "withdrawing from the prosecution"),
        ("Charge, supported minus matched (points)", "the offence being charged"),
    ):
        caveat = built[label].caveats[-1]
        assert "no unmeasured confounding" in caveat, label
        assert f"their chance of {outcome}" in caveat, label
        assert "Rosenbaum bound" in caveat, label
    for finding in built.values():
        if finding.design != "matched_comparison":
            assert not any("no unmeasured confounding" in c for c in finding.caveats)


def test_unobserved_confounding_is_flagged_in_words_though_no_check_fails():
    hidden = evaluate(load("victim_services", seed=3, scale=0.5, world="unobserved_confounding"))
    headline = findings.build_findings(hidden)[0]
    # The caveat is there whatever the rating: no check can see this failure.
    assert headline.sms_level <= 2
    caveat = headline.caveats[-1]
    assert "rests on an assumption no data can check" in caveat
    assert "would explain the whole estimate away" in caveat
