"""Evidence ratings earned by diagnostics: the rules, the standard checks, findings.json."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.evidence import checks
from analysis.evidence.findings import (
    FINDINGS_SCHEMA_VERSION,
    Finding,
    demote_underpowered,
    power_for,
    save_findings,
    underpowered_reason,
)
from analysis.evidence.sms import Check, earned_level, sms_level
from analysis.methods.event_study import event_study
from analysis.methods.power import mde
from analysis.methods.propensity import match
from analysis.results import Estimate


def estimate(effect=0.1, low=0.0, high=0.2, p=0.05, scale="difference", **diagnostics):
    return Estimate(effect, low, high, p, 300, scale, "m", "e", diagnostics=diagnostics)


FAILED = Check("balance after matching", False, "largest |SMD| 0.14")
PASSED = Check("overlap of the groups", True, "c-statistic 0.71")
NOT_RUN = Check("parallel pre-trends", None, "no pre-period")


# ----------------------------------------------------------------------------- rules
def test_no_checks_keeps_the_design_level_and_records_no_reason():
    rating = earned_level("regression_discontinuity")
    assert (rating.design_level, rating.level, rating.reasons) == (4, 4, ())


def test_each_failed_check_lowers_one_level_with_its_reason():
    rating = earned_level("regression_discontinuity", [FAILED, PASSED, FAILED])
    assert rating.level == 2
    assert len(rating.reasons) == 2
    assert rating.reasons[0].startswith("Lowered from SMS 4 to SMS 3: balance after matching")
    assert "largest |SMD| 0.14" in rating.reasons[0]


def test_lowers_to_drops_to_the_stated_level_but_never_raises():
    sorting = Check("no sorting at the cutoff", False, "McCrary p = 0.001", lowers_to=2)
    assert earned_level("regression_discontinuity", [sorting]).level == 2
    # Already below the stated level: a failure still costs one level.
    assert earned_level("matched_comparison", [sorting]).level == 1


def test_level_never_falls_below_one_and_says_so():
    rating = earned_level("before_after", [FAILED])
    assert rating.level == 1
    assert "lowest level" in rating.reasons[0]


def test_a_check_not_run_is_recorded_and_lowers_nothing():
    rating = earned_level("event_study", [NOT_RUN])
    assert rating.level == 3
    assert rating.reasons == ("Not run: parallel pre-trends (no pre-period).",)


def test_override_sets_the_start_and_failed_checks_still_lower_it():
    rating = earned_level(
        "matched_comparison", [FAILED], override=3, override_reason="pre-period outcome matched"
    )
    assert (rating.design_level, rating.level) == (2, 2)
    assert "Set to SMS 3 by the analyst" in rating.reasons[0]
    assert "pre-period outcome matched" in rating.reasons[0]


def test_override_with_checks_needs_a_reason():
    with pytest.raises(ConfigError, match="sms_override_reason"):
        earned_level("matched_comparison", [PASSED], override=3)


def test_override_without_checks_keeps_todays_behaviour_and_is_recorded():
    rating = earned_level("matched_comparison", override=3)
    assert rating.level == 3
    assert "no reason stated" in rating.reasons[0]


@pytest.mark.parametrize("bad", [0, 6, 2.5])
def test_override_and_lowers_to_must_be_levels(bad):
    with pytest.raises(ConfigError, match="1 to 5"):
        earned_level("event_study", override=bad)
    with pytest.raises(ConfigError, match="1 to 5"):
        Check("x", False, "d", lowers_to=bad)


def test_passed_must_be_a_verdict():
    with pytest.raises(ConfigError, match="True, False or None"):
        Check("x", "yes", "d")


# ----------------------------------------------------------------------------- checks
@pytest.mark.parametrize(
    ("smd", "passed"), [(0.05, True), (0.1, True), (0.1000001, False), (0.3, False)]
)
def test_balance_threshold(smd, passed):
    assert checks.balance_check({"max_abs_smd_after": smd}).passed is passed


def test_overlap_fails_on_the_c_statistic_or_a_thin_comparison():
    assert checks.overlap_check({"c_statistic": 0.91}).passed is False
    assert checks.overlap_check({"c_statistic": 0.9}).passed is True
    thin = {"c_statistic": 0.7, "effective_sample_size_control": 20.0}
    assert checks.overlap_check(thin).passed is False
    assert checks.overlap_check({}).passed is None


def test_pretrend_density_and_missing_values():
    assert checks.pretrend_check({"pretrend_p_value": 0.049}).passed is False
    assert checks.pretrend_check({"pretrend_p_value": 0.05}).passed is True
    assert checks.pretrend_check({"pretrend_p_value": None}).passed is None
    assert checks.density_check({"density_p_value": 0.01}).passed is False
    assert checks.density_check({"density_p_value": float("nan")}).passed is None


def test_first_stage_f_from_the_jump_and_its_interval():
    # Jump 0.3 with se 0.05 (interval +/- 1.96 se): F = 36.
    strong = {"first_stage": 0.3, "first_stage_ci_low": 0.202, "first_stage_ci_high": 0.398}
    check = checks.first_stage_check(strong)
    assert check.passed is True
    assert "first-stage F 36.0" in check.detail
    weak = {"first_stage": 0.1, "first_stage_ci_low": 0.002, "first_stage_ci_high": 0.198}
    assert checks.first_stage_check(weak).passed is False  # F = 4
    assert checks.first_stage_check({"first_stage_f": 12.0}).passed is True
    assert checks.first_stage_check({}).passed is None


def test_placebo_and_negative_control_fail_when_their_interval_excludes_no_effect():
    shows_effect = estimate(0.3, 0.1, 0.5, 0.004)
    assert checks.placebo_check(shows_effect).passed is False
    assert checks.negative_control_check(estimate(0.02, -0.1, 0.14, 0.7)).passed is True
    ratio = estimate(0.7, 0.6, 0.82, 0.001, scale="rate ratio")
    assert checks.negative_control_check(ratio, what="vehicle crime").passed is False


def test_a_check_needs_an_estimate_or_diagnostics():
    with pytest.raises(ConfigError, match="Estimate or its diagnostics"):
        checks.balance_check([0.1])


def test_standard_checks_on_a_real_matching_estimate_with_poor_balance():
    # Treatment depends strongly on age; one-to-one matching without a caliper on a
    # small comparison pool leaves the groups apart, which the balance check must see.
    rng = np.random.default_rng(7)
    n = 400
    age = rng.normal(0, 1, n)
    treated = (rng.random(n) < 1 / (1 + np.exp(-(3.0 * age - 1.5)))).astype(int)
    frame = pd.DataFrame({"t": treated, "age": age, "y": age + rng.normal(0, 1, n)})
    result = match(frame, outcome="y", treatment="t", covariates=["age"])
    found = {c.name: c for c in checks.standard_checks(result)}
    assert set(found) == {"balance after matching", "overlap of the groups"}
    smd = result.diagnostics["max_abs_smd_after"]
    assert found["balance after matching"].passed is (smd <= 0.1)
    assert found["overlap of the groups"].passed is (result.diagnostics["c_statistic"] <= 0.9)
    finding = Finding("q", result, "matched_comparison", checks=checks.standard_checks(result))
    failures = sum(c.passed is False for c in found.values())
    assert failures >= 1  # the design here is built to fail
    assert finding.sms_level == max(2 - failures, 1)


def test_standard_checks_read_a_real_event_study_pretrend():
    # Treated units trend upward before treatment: parallel trends is false.
    rng = np.random.default_rng(3)
    rows = []
    for unit in range(60):
        first = 8 if unit < 30 else np.nan
        for t in range(1, 15):
            trend = 0.6 * t if unit < 30 else 0.0
            rows.append((unit, t, first, trend + rng.normal(0, 0.5)))
    panel = pd.DataFrame(rows, columns=["unit", "time", "first", "y"])
    result = event_study(
        panel, outcome="y", unit="unit", time="time", first_treated="first", cluster="unit"
    )
    (pretrend,) = checks.standard_checks(result)
    assert pretrend.name == "parallel pre-trends"
    assert pretrend.passed is False
    finding = Finding("q", result, "event_study", checks=[pretrend])
    assert (finding.sms_level, finding.to_dict()["sms_design"]) == (2, 3)


# ----------------------------------------------------------------------------- findings
def test_a_finding_without_checks_writes_todays_record_plus_the_new_keys():
    est = estimate()
    finding = Finding("Did it work?", est, "difference_in_differences", headline=True, mde=0.2)
    record = finding.to_dict()
    assert record["sms_level"] == sms_level("difference_in_differences") == 3
    assert record["sms_design"] == 3
    assert record["sms_reasons"] == [] and record["checks"] == []
    assert record["role"] == "finding" and record["adjusted_p_value"] is None
    assert record["summary"].endswith("Evidence strength: moderate (SMS 3).")
    todays_keys = [
        "question", "label", "estimand", "method", "design", "effect", "se", "ci_low",
        "ci_high", "conf_level", "p_value", "n", "scale", "null_value", "direction",
        "sms_level", "headline", "mde", "truth", "summary", "assumptions", "caveats",
    ]  # fmt: skip
    assert list(record)[: len(todays_keys)] == todays_keys


def test_failed_checks_reach_findings_json(tmp_path):
    finding = Finding(
        "Did charges rise?",
        estimate(),
        "regression_discontinuity",
        headline=True,
        checks=[checks.density_check({"density_p_value": 0.01})],
    )
    record = save_findings(tmp_path / "findings.json", programme="toy", findings=[finding])
    written = json.loads((tmp_path / "findings.json").read_text())
    assert written == record
    assert written["schema_version"] == FINDINGS_SCHEMA_VERSION == 2
    (item,) = written["findings"]
    assert (item["sms_design"], item["sms_level"]) == (4, 3)
    assert item["checks"][0]["passed"] is False
    assert item["summary"].endswith("moderate (SMS 3).")


def test_checks_must_be_check_objects_and_checks_have_no_level():
    with pytest.raises(ConfigError, match="Check objects"):
        Finding("q", estimate(), "event_study", checks=[{"name": "x"}])
    placebo = Finding("Placebo date", estimate(), "event_study", role="check")
    assert placebo.sms_level is None
    assert "Evidence strength" not in placebo.summary()
    assert placebo.to_dict()["sms_level"] is None
    with pytest.raises(ConfigError, match="cannot be a headline"):
        Finding("Placebo", estimate(), "event_study", role="check", headline=True)
    with pytest.raises(ConfigError, match="role"):
        Finding("q", estimate(), "event_study", role="placebo")


# ----------------------------------------------------------------------------- power
def test_power_for_matches_the_normal_formula():
    from scipy import stats

    se = 2.0
    the_mde = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * se
    expected = stats.norm.sf(1.96 - 1.0 / se) + stats.norm.cdf(-1.96 - 1.0 / se)
    assert power_for(1.0, the_mde, "difference") == pytest.approx(expected, abs=1e-4)
    # Ratios on the log scale: a ratio of 1/r is as detectable as r.
    assert power_for(0.8, 1.5, "rate ratio") == pytest.approx(power_for(1.25, 1.5, "rate ratio"))


def test_an_underpowered_headline_is_demoted_with_its_reason():
    # The reviewer's case: a discontinuity with under 10% power for the planted effect.
    est = Estimate(3.0, -8.0, 14.0, 0.6, 250, "percentage points", "rd", "charge rate")
    the_mde = mde(est)
    underpowered = Finding(
        "Did charges rise?", est, "regression_discontinuity", headline=True,
        mde=the_mde, expected_effect=2.0,
    )  # fmt: skip
    reason = underpowered_reason(underpowered)
    assert "Not a headline" in reason
    assert power_for(2.0, the_mde, "percentage points") < 0.10
    (demoted,) = demote_underpowered([underpowered])
    assert demoted.headline is False and demoted.headline_note == reason
    assert demoted.to_dict()["headline_note"] == reason


def test_a_powered_headline_and_unjudged_findings_are_kept():
    est = Estimate(6.0, 2.0, 10.0, 0.003, 900, "percentage points", "m", "charge rate")
    powered = Finding("q", est, "event_study", headline=True, mde=mde(est), expected_effect=3.0)
    assert mde(est) / 3.0 < 2
    no_expectation = Finding("q", est, "event_study", headline=True, mde=50.0)
    not_headline = Finding("q", est, "event_study", mde=50.0, expected_effect=1.0)
    assert demote_underpowered([powered, no_expectation, not_headline]) == [
        powered, no_expectation, not_headline,
    ]  # fmt: skip


def test_an_expected_effect_of_no_effect_is_an_error():
    est = estimate(0.9, 0.7, 1.1, 0.3, scale="rate ratio")
    finding = Finding("q", est, "event_study", headline=True, mde=1.3, expected_effect=1.0)
    with pytest.raises(ConfigError, match="expected_effect equals no effect"):
        demote_underpowered([finding])


def test_power_for_agrees_with_simulated_tests_at_a_planted_effect():
    # Planted effect 1.0, standard error 1.5: the share of 95% intervals that exclude
    # zero over many simulated studies is the power that power_for states.
    from scipy import stats

    rng = np.random.default_rng(12)
    se, planted, studies = 1.5, 1.0, 20_000
    estimates = rng.normal(planted, se, studies)
    detected = np.mean(np.abs(estimates / se) > stats.norm.ppf(0.975))
    the_mde = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * se
    stated = power_for(planted, the_mde, "difference")
    # Binomial standard error of the simulated share is about 0.003.
    assert detected == pytest.approx(stated, abs=0.012)
