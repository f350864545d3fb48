"""Every branch of every result-dependent sentence of the Operation Focus report."""

import dataclasses

import pandas as pd
import pytest

from analysis.evidence import Check
from analysis.programmes.op_focus import narrative
from analysis.programmes.op_focus.findings import build_findings


@pytest.fixture(scope="module")
def findings(evaluation):
    return build_findings(evaluation)


def replace(evaluation, **changes):
    return dataclasses.replace(evaluation, **changes)


def with_params(evaluation, **changes):
    return replace(evaluation, params=dataclasses.replace(evaluation.params, **changes))


def with_charge(evaluation, key, **changes):
    charge = dict(evaluation.charge)
    charge[key] = charge[key].with_updates(**changes)
    return replace(evaluation, charge=charge)


def test_harm_score_weights_and_selection_rule(evaluation):
    text = narrative.harm_score_weights(evaluation)
    assert "- **Recency**: 50 points" in text and "rape 40" in text
    assert "**240** or more at the run on 01 April 2026" in text


def test_missingness_intro(evaluation):
    assert narrative.missingness_intro(evaluation).startswith("Blank cells by column")
    published = {**evaluation.published, "missingness": evaluation.published["missingness"][:0]}
    assert narrative.missingness_intro(replace(evaluation, published=published)) == (
        "No column has blank cells."
    )


def test_counts_and_process_sentences(evaluation):
    pending = narrative.pending_outcomes(evaluation)
    total = evaluation.pending["arrests"].sum()
    assert f"of {total:,} VAWG arrests" in pending
    assert "Focus perpetrators charged" in narrative.funnel_title(evaluation)
    assert narrative.focus_arrests(evaluation).startswith("Since the pilot start ")
    assert "**Drop-out.**" in narrative.drop_out(evaluation)


def test_selection_sharp_or_fuzzy(evaluation):
    assert "Selection is **fuzzy**" in narrative.selection(evaluation)
    sharp = pd.DataFrame(
        {"suspects": [100, 50], "in_focus": [0, 50], "share_in_focus_pct": [0.0, 100.0]},
        index=["below threshold", "at or above threshold"],
    )
    assert narrative.selection(replace(evaluation, selection=sharp)).endswith("Selection is sharp.")


def test_estimate_sentences_quote_the_estimates(evaluation):
    did = evaluation.charge["did"]
    assert f"**{did.effect:+.1f} points**" in narrative.charge_rate(evaluation)
    w = evaluation.withdrawal["did"]
    assert f"**{w.effect:+.1f} points**" in narrative.withdrawal(evaluation)
    assert "jumps by" in narrative.first_stage_title(evaluation)
    assert "jump of" in narrative.reduced_form_title(evaluation)
    assert narrative.time_to_charge_title(evaluation).startswith("Within 180 days of arrest ")
    assert "hazard ratio **" in narrative.time_to_decision(evaluation)
    assert "crimes per person" in narrative.reoffending(evaluation)


def test_event_study_title_both_ways(evaluation):
    study = evaluation.event_study
    calm = replace(
        evaluation, event_study=study.with_updates(diagnostics={"pretrend_p_value": 0.4})
    )
    assert narrative.event_study_title(calm) == (
        "No sign of differing trends before the pilot (joint test p = 0.40)"
    )
    apart = replace(
        evaluation, event_study=study.with_updates(diagnostics={"pretrend_p_value": 0.01})
    )
    assert narrative.event_study_title(apart).startswith(
        "Focus and comparison suspects were already"
    )


def test_placebo_both_ways(evaluation):
    near = replace(evaluation, placebo=evaluation.placebo.with_updates(ci_low=-1.0, ci_high=1.0))
    assert narrative.placebo(near).endswith("consistent with no pre-existing divergence.")
    far = replace(evaluation, placebo=evaluation.placebo.with_updates(ci_low=2.0, ci_high=5.0))
    assert narrative.placebo(far).endswith("treat the difference-in-differences with caution.**")


@pytest.mark.parametrize(
    ("density", "words"),
    [
        (None, "Density test on suspects: not run."),
        (0.5, "not their arrests): p = 0.50 (no sign of sorting)."),
        (0.01, "p = 0.01 (**possible sorting**)."),
    ],
)
def test_rdd_checks_density_on_suspects_branches(evaluation, density, words):
    suspects = evaluation.rd_suspects
    d = {**suspects.diagnostics, "density_p_value": density}
    changed = replace(evaluation, rd_suspects=suspects.with_updates(diagnostics=d))
    assert words in narrative.rdd_checks(changed)


def test_rdd_checks_jumps_in_arrests_and_pending(evaluation):
    none = replace(
        evaluation,
        rd_suspects=evaluation.rd_suspects.with_updates(ci_low=-1.0, ci_high=1.0),
        rd_pending=evaluation.rd_pending.with_updates(ci_low=-1.0, ci_high=1.0),
    )
    assert narrative.rdd_checks(none).count("consistent with none.") == 2
    moved = replace(none, rd_pending=evaluation.rd_pending.with_updates(ci_low=2.0, ci_high=9.0))
    text = narrative.rdd_checks(moved)
    assert "still pending" in text and "**so the arrests either side are not alike**" in text
    assert "fixed grid" in text


def test_charge_time_similar_or_not(evaluation):
    assert "similar, so the decision-time" in narrative.charge_time(
        replace(evaluation, charge_time_ratio=1.0)
    )
    assert "**not similar**" in narrative.charge_time(replace(evaluation, charge_time_ratio=2.0))


def test_value_for_money_without_unconfirmed_and_confirmed_cost(evaluation):
    from analysis.evidence.vfm import cost_per_additional_outcome

    assert narrative.value_for_money(evaluation).endswith("no cost per charge is given.")
    unconfirmed = with_params(evaluation, focus_cost_gbp=50_000.0)
    assert "has not been confirmed by the force" in narrative.value_for_money(unconfirmed)
    did = evaluation.charge["did"]
    confirmed = replace(
        with_params(evaluation, focus_cost_gbp=50_000.0, focus_cost_confirmed=True),
        cost_per_charge=cost_per_additional_outcome(50_000.0, did, 500, outcome="charges"),
    )
    text = narrative.value_for_money(confirmed)
    assert text.endswith("uses the confirmed cost.") and "per additional charge (£" in text


def _set_mde(findings, estimate, mde):
    return [dataclasses.replace(f, mde=mde) if f.estimate is estimate else f for f in findings]


def test_headline_branches(evaluation, findings):
    import dataclasses as dc

    rd, did = evaluation.charge["rdd"], evaluation.charge["did"]
    text = narrative.headline(evaluation, findings)
    # The discontinuity cannot detect the expected effect: named, but not the headline.
    assert text.startswith("**Headline.** The difference-in-differences")
    assert "regression discontinuity at the harm-score threshold (" in text
    assert "is not a headline: the minimum detectable effect" in text
    assert "(ATT)" in text
    lowered = [
        dc.replace(f, checks=(Check("parallel pre-trends", False, "p = 0.01"),))
        if f.estimate is did
        else f
        for f in findings
    ]
    assert "Its rating was lowered: Lowered from SMS 3 to SMS 2" in narrative.headline(
        evaluation, lowered
    )
    none = [dc.replace(f, headline=False) for f in findings]
    assert "No design is strong and precise enough" in narrative.headline(evaluation, none)
    top = next(f for f in findings if f.estimate is rd)
    inside = dataclasses.replace(top, truth=(rd.ci_low + rd.ci_high) / 2)
    outside = dataclasses.replace(top, truth=rd.ci_high + 1)
    assert narrative.truth_check(inside).endswith("which the interval covers.")
    assert narrative.truth_check(outside).endswith("which the interval misses.")
    assert narrative.truth_check(dataclasses.replace(top, truth=None)) == ""


def test_estimands_name_att_and_late(findings):
    text = narrative.estimands(findings)
    assert "(ATT)" in text and "(a local average treatment effect, LATE)" in text
    assert "not two measurements of one number" in text


def test_sensitivity_lists_e_values_and_rosenbaum(findings):
    text = narrative.sensitivity(findings)
    assert text.count("\n- ") == 3 and "E-value" in text and "Rosenbaum bound" in text
    assert narrative.sensitivity([f for f in findings if "e_value" not in f.extra]) == ""


def test_reoffending_reports_the_matching(evaluation):
    text = narrative.reoffending(evaluation)
    assert "effective sample size" in text and "propensity c-statistic" in text
    bare = dict(evaluation.reoffending_estimates)
    bare["count"] = bare["count"].with_updates(diagnostics={})
    assert "c-statistic" not in narrative.reoffending(
        replace(evaluation, reoffending_estimates=bare)
    )


def test_caveats_every_branch(evaluation, findings):
    rd, did = evaluation.charge["rdd"], evaluation.charge["did"]
    text = narrative.caveats(
        replace(evaluation, charge_time_ratio=1.0),
        _set_mde(_set_mde(findings, rd, 20.0), did, 5.0),
    )
    assert text.count("\n- ") == 7
    assert "clustering by victim" in text
    assert "check above supports this)." in text
    assert "Selection into Focus is fuzzy" in text and "imprecise (MDE 20 points)." in text
    assert "Value for money cannot be judged" in text
    sharp = pd.DataFrame(
        {"suspects": [100, 50], "in_focus": [0, 50], "share_in_focus_pct": [0.0, 100.0]},
        index=["below threshold", "at or above threshold"],
    )
    doubtful = replace(
        with_params(evaluation, focus_cost_gbp=50_000.0),
        charge_time_ratio=2.0,
        selection=sharp,
        placebo=evaluation.placebo.with_updates(ci_low=2.0, ci_high=5.0),
    )
    text = narrative.caveats(doubtful, _set_mde(_set_mde(findings, rd, 4.0), did, 5.0))
    assert "does **not** support this)." in text
    assert (
        "- The regression discontinuity estimates the effect for suspects near the threshold;"
        in text
    )
    assert "highest-harm perpetrators." in text
    assert "**the pre-pilot checks cast doubt on it**" in text
    assert "(£50,000) is not confirmed by the force" in text
    confirmed = with_params(doubtful, focus_cost_confirmed=True)
    text = narrative.caveats(confirmed, findings)
    assert "uses the cost supplied (£50,000)" in text
    supported = replace(
        evaluation,
        event_study=evaluation.event_study.with_updates(diagnostics={"pretrend_p_value": 0.5}),
        placebo=evaluation.placebo.with_updates(ci_low=-1.0, ci_high=1.0),
    )
    assert "checks (event study and placebo date) support it" in narrative.caveats(
        supported, findings
    )


def test_for_whom_every_branch(evaluation):
    table = evaluation.for_whom["age_band"]
    text = narrative.for_whom(evaluation)
    assert "By sex:" in text and "By ethnicity:" in text
    assert "No group result is a headline" in text

    def with_table(p_value, notes=None, by="age_band"):
        changed = table.copy()
        changed.attrs["heterogeneity_p_value"] = p_value
        if notes is not None:
            changed["note"] = notes
        return replace(evaluation, for_whom={**evaluation.for_whom, by: changed})

    assert "By age band: no clear difference between groups" in narrative.for_whom(with_table(0.5))
    assert "**the effect depends on age band**" in narrative.for_whom(with_table(0.001))
    # Significant alone but not once adjusted for the section's tests (Holm).
    tested = sum(t is not None and t.attrs["heterogeneity_p_value"] is not None
                 for t in evaluation.for_whom.values())  # fmt: skip
    assert tested == 3
    text = narrative.for_whom(with_table(0.049))
    assert "By age band: the groups differ (test of equal effects p = 0.049)" in text
    assert "but not once adjusted for the 3 tests of this section" in text
    assert "**the effect depends" not in text
    assert "too few groups could be estimated" in narrative.for_whom(with_table(None))
    notes = ["suppressed: fewer than 10 suspects or charges"] + [""] * (len(table) - 1)
    text = narrative.for_whom(with_table(0.5, notes))
    assert f"(fewer than 10 suspects or charges): {table.index[0]}, so nothing" in text
    assert "the test compares only the groups estimated" in text
    missing = replace(evaluation, for_whom={**evaluation.for_whom, "ethnicity": None})
    assert "By ethnicity: not possible" in narrative.for_whom(missing)


def test_for_whom_counts_what_is_not_recorded(evaluation):
    gaps = evaluation.not_recorded.copy()
    gaps.loc["ethnicity", "not_recorded"] = 4
    text = narrative.for_whom(replace(evaluation, not_recorded=gaps))
    assert "ethnicity for <10 of the" in text
    gaps.loc[:, "not_recorded"] = 0
    assert "Not recorded:" not in narrative.for_whom(replace(evaluation, not_recorded=gaps))
