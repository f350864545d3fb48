"""Perpetrator programmes' narrative: every result-dependent sentence, every branch.

Branches are reached with small made-up results; the sentences built from a whole
evaluation are checked against the numbers they quote.
"""

from __future__ import annotations

import dataclasses

import pytest

from analysis.evidence import vfm
from analysis.evidence.sms import Check
from analysis.programmes.perpetrator_programmes import findings as pf
from analysis.programmes.perpetrator_programmes import narrative
from analysis.programmes.perpetrator_programmes.evaluation import Parameters, evaluate
from analysis.programmes.perpetrator_programmes.tables import CompletionByPriorIncidents
from analysis.results import Estimate, format_number


def _estimate(effect, low, high, scale="percentage points"):
    return Estimate(effect, low, high, 0.01, 400, scale, "m", "e")


@pytest.mark.parametrize(
    ("estimate", "verb"),
    [
        (_estimate(-12.0, -20.0, -4.0), "reoffended less"),
        (_estimate(6.0, 1.0, 11.0), "reoffended more"),
        (_estimate(-3.0, -9.0, 3.0), "showed no clear difference"),
        (_estimate(0.7, 0.55, 0.9, scale="hazard ratio"), "reoffended less"),
        (_estimate(1.3, 0.9, 1.8, scale="hazard ratio"), "showed no clear difference"),
    ],
)
def test_effect_headline_states_the_direction_the_interval_supports(estimate, verb):
    title = narrative.effect_headline(
        "Drive participants", estimate, fewer="reoffended less", more="reoffended more"
    )
    assert title == f"Drive participants {verb}: {estimate.describe_effect()}"


def test_completion_line_too_few_to_compare():
    split = CompletionByPriorIncidents("Drive", 4, 30, None, None)
    assert narrative.completion_line(split) == (
        "- **Drive**: too few people in one of the groups to compare."
    )


def test_completion_line_more_incidents_dropped_out_more():
    line = narrative.completion_line(CompletionByPriorIncidents("Up2U", 40, 60, 0.75, 0.5))
    assert line == (
        "- **Up2U**: of those who finished, 75% of people with fewer than four prior DA "
        "incidents completed, against 50% of those with four or more (40 people): people with "
        "more prior incidents dropped out more often."
    )


@pytest.mark.parametrize(("rate_many", "rate_few"), [(0.6, 0.6), (0.7, 0.6)])
def test_completion_line_no_more_likely_to_drop_out(rate_many, rate_few):
    line = narrative.completion_line(
        CompletionByPriorIncidents("Up2U", 40, 60, rate_few, rate_many)
    )
    assert line.endswith("(40 people): they were no more likely to drop out.")


@pytest.mark.parametrize(
    ("p_value", "reading"),
    [
        (None, " (no evidence the ratio changes over time)."),
        (0.05, " (no evidence the ratio changes over time)."),
        (0.01, " (the ratio may change over follow-up: read it as an average)."),
    ],
)
def test_proportional_hazards_reading(p_value, reading):
    text = narrative.proportional_hazards(p_value)
    assert text == f" Proportional-hazards check: p = {format_number(p_value, 2)}{reading}"


def test_funding_check_matching_or_against(evaluation):
    matching = dataclasses.replace(evaluation, cash_total=135_000.4)
    assert ", matching the £135,000 continuation funding announced." in narrative.funding_check(
        matching
    )
    short = dataclasses.replace(evaluation, cash_total=125_000.0)
    text = narrative.funding_check(short)
    assert "add up to £125,000 in cash, against the £135,000 continuation funding" in text
    assert "the cost is not confirmed, so no benefit-cost ratio is shown" in text
    assert text.endswith(evaluation.unit_cost.describe() + ".")
    assert f"in {evaluation.money_year} prices" in text


def test_caveats_name_synthetic_data_only_when_synthetic(evaluation):
    synthetic = narrative.caveats(evaluation)
    assert synthetic.count("\n- ") == 7 and "**Synthetic data.**" in synthetic
    real = dataclasses.replace(evaluation.data, synthetic=False, truth=None)
    text = narrative.caveats(dataclasses.replace(evaluation, data=real))
    assert "Synthetic data" not in text and text.count("\n- ") == 6
    balance = evaluation.reoffending["Drive"].balance.diagnostics["max_abs_smd_after"]
    assert f"Drive: {format_number(balance, 2)})" in text
    assert "started within 365 days" in text


def test_data_and_process_sentences_quote_the_data(evaluation):
    people = evaluation.data["people"]
    paragraph = narrative.data_paragraph(evaluation)
    assert f"**{len(people):,}** DA perpetrators" in paragraph
    assert f"{int(people['programme'].ne('none').sum()):,} were referred" in paragraph
    left_out = narrative.left_out_of_twelve_months(evaluation)
    assert "Drive and" in left_out and "post-training questionnaire" in left_out
    assert narrative.funnel_note(evaluation, "Up2U").startswith("Up2U: all referrals ")
    assert "by area**" in narrative.attrition_heading("Drive", "area")
    lines = narrative.completion_by_incidents(evaluation).splitlines()
    assert lines[0] == "Completion by DA incidents before referral:"
    assert lines[2].startswith("- **Drive**") and lines[3].startswith("- **Up2U**")


def test_reoffending_sentences(evaluation):
    drive = evaluation.reoffending["Drive"]
    largest = drive.balance.diagnostics["max_abs_smd_after"]
    assert f"is {largest:.2f} (below 0.1" in narrative.balance_title(evaluation, "Drive")
    assert "DASH standard/medium risk" in narrative.balance_note(evaluation, "Up2U")
    rows = narrative.reoffending_rows(evaluation)
    trial = evaluation.target_trial["Drive"]
    assert len(rows) == 12
    assert rows[2] == ("Matched, comparisons from identification", drive.matched, "Drive")
    assert rows[4] == (narrative.TARGET_TRIAL_LABEL, trial, "Drive")
    assert rows[5][1] is evaluation.intention_to_treat["Drive"]
    assert narrative.reoffending_title(evaluation).endswith(trial.describe_effect())
    assert "within 365 days" in narrative.reoffending_note(evaluation)
    summary = narrative.reoffending_summary(evaluation, "Drive")
    assert summary.startswith("**Drive.** " + trial.summary())
    designs = narrative.reoffending_designs(evaluation, "Up2U")
    up2u = evaluation.reoffending["Up2U"]
    assert up2u.naive.describe_effect() in designs and up2u.ipw.describe_effect() in designs
    assert up2u.matched.describe_effect() in designs
    assert evaluation.intention_to_treat["Up2U"].describe_effect() in designs
    assert designs.endswith("percentage points with 80% power.")


def test_survival_and_harm_sentences(evaluation):
    hazard = evaluation.survival["Up2U"].hazard_ratio
    assert narrative.survival_title(evaluation, "Up2U").endswith(hazard.describe_effect())
    assert narrative.survival_note("Up2U").startswith("Up2U participants (from the start)")
    summary = narrative.survival_summary(evaluation, "Up2U")
    assert summary.startswith("**Up2U.** " + hazard.summary())
    assert " Proportional-hazards check: p = " in summary
    assert narrative.event_study_note("Drive").startswith("Drive: DA crimes per person-quarter")
    assert len(narrative.harm_rows(evaluation)) == 6
    matched = evaluation.harm["Drive"].matched_did
    assert narrative.harm_title(evaluation).endswith(matched.describe_effect())
    checks = narrative.harm_checks(evaluation)
    assert checks.count("\n- **") == 2
    assert evaluation.harm["Up2U"].non_da_offences_did.describe_effect() in checks
    assert narrative.training_summary(evaluation).startswith(evaluation.training.summary())


def test_value_for_money_and_headline_sentences(evaluation, findings):
    drive = evaluation.components["Drive"]
    averted = narrative.crimes_averted(evaluation)
    assert f"Drive {format_number(evaluation.crimes_averted['Drive'].point, 2)} (95% CI" in averted
    heading = narrative.value_heading(evaluation, "Drive")
    assert heading.startswith("**Drive, 2024/25** (")
    assert narrative.overall_heading(evaluation) == "**All continuation funding, 2024/25**"
    verdict = narrative.verdict(evaluation)
    assert verdict.startswith(
        f"**Verdict.** Drive cost {vfm.format_gbp(drive.cost_per_participant)}"
    )
    assert f"Benefit-cost ratio {drive.bcr[0]:.2f}" in verdict
    assert f"overall ratio is {evaluation.sensitivity_overall.bcr[0]:.2f}" in verdict
    assert evaluation.switching["Drive"].describe() in verdict
    assert evaluation.simulated["Up2U"].summary() in verdict
    assert narrative.value_for_money_headline(evaluation) == (
        f"Drive, 2024/25: benefit-cost ratio {drive.bcr[0]:.2f} (95% CI {drive.bcr[1]:.2f} to "
        f"{drive.bcr[2]:.2f}); {drive.verdict}."
    )
    assert narrative.headline_title(evaluation).startswith("In the year after starting, Drive")
    headline = narrative.headline(evaluation, findings)
    assert headline.startswith("**Headline.** " + evaluation.target_trial["Drive"].summary())
    assert headline.endswith(f"Value for money: {drive.verdict}.")


def test_value_for_money_without_a_confirmed_cost(synthetic_data):
    unconfirmed = evaluate(synthetic_data, Parameters())  # half-scale costs against £270,000
    assert not unconfirmed.cost_confirmed
    verdict = narrative.verdict(unconfirmed)
    assert "Benefit-cost ratio not published (cost not confirmed)" in verdict
    assert "benefit-cost ratio not published" in narrative.value_for_money_headline(unconfirmed)


def test_headline_sentence_gives_failed_checks_and_demotion(evaluation, findings):
    top = pf.headline(findings)
    failed = dataclasses.replace(
        top,
        checks=(Check("no spike before identification", False, "p = 0.001"),),
        headline=False,
        headline_note="Not a headline: the minimum detectable effect is too large.",
    )
    others = [f for f in findings if f is not top]
    text = narrative.headline(evaluation, [failed, *others])
    assert "Lowered from SMS 3 to SMS 2: no spike before identification failed" in text
    assert "Not a headline: the minimum detectable effect is too large." in text
    if not top.rating.reasons:
        assert "Every check of the design passed." in narrative.headline(evaluation, findings)


def test_sensitivity_lists_every_matched_and_cox_finding(findings):
    text = narrative.sensitivity(findings)
    with_e = [f for f in findings if "e_value" in f.extra and f.role == "finding"]
    assert text.count("\n- ") == len(with_e) >= 10
    assert "Rosenbaum: significant until" in text or "not significant even without" in text


def test_for_whom_every_branch(evaluation):
    text = narrative.for_whom(evaluation)
    assert "Drive by sex:" in text and "Up2U by ethnicity:" in text
    assert "No group result is a headline" in text
    table = evaluation.for_whom["Drive"]["age_band"]

    def with_table(p_value, notes=None):
        changed = table.copy()
        changed.attrs["heterogeneity_p_value"] = p_value
        if notes is not None:
            changed["note"] = notes
        drive = {**evaluation.for_whom["Drive"], "age_band": changed}
        return dataclasses.replace(evaluation, for_whom={**evaluation.for_whom, "Drive": drive})

    assert "Drive by age band: no clear difference between groups" in narrative.for_whom(
        with_table(0.5, [""] * len(table))
    )
    assert "**the effect depends on age band**" in narrative.for_whom(with_table(0.0001))
    # Significant alone but not once adjusted for the section's tests (Holm).
    text = narrative.for_whom(with_table(0.049))
    assert "Drive by age band: the groups differ (test of equal effects p = 0.049)" in text
    assert "but not once adjusted for the" in text
    assert "Drive by age band: too few groups could be estimated" in narrative.for_whom(
        with_table(None)
    )
    notes = ["suppressed: fewer than 10 pairs or reoffenders"] + [""] * (len(table) - 1)
    text = narrative.for_whom(with_table(0.5, notes))
    assert f"(fewer than 10 pairs or reoffenders): {table.index[0]}, so nothing" in text
    assert "the test compares only the groups estimated" in text
    lacking = {name: {**b, "ethnicity": None} for name, b in evaluation.for_whom.items()}
    text = narrative.for_whom(dataclasses.replace(evaluation, for_whom=lacking))
    assert "Drive by ethnicity: not possible" in text


def test_for_whom_counts_what_is_not_recorded(evaluation):
    gaps = evaluation.not_recorded.copy()
    gaps.loc["age band", "not_recorded"] = 4
    text = narrative.for_whom(dataclasses.replace(evaluation, not_recorded=gaps))
    assert "age band for <10," in text and "missing indicator" in text
    gaps.loc[:, "not_recorded"] = 0
    assert "Not recorded:" not in narrative.for_whom(
        dataclasses.replace(evaluation, not_recorded=gaps)
    )
