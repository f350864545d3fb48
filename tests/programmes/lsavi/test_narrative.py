"""lSaVI's result-dependent sentences: every branch, from inputs built to take it."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.programmes.lsavi import narrative
from analysis.results import Estimate


def estimate(effect, low, high, scale="difference"):
    return Estimate(effect, low, high, 0.04, 100, scale, "method", "estimand")


def replace(evaluation, **changes):
    return dataclasses.replace(evaluation, **changes)


def test_data_paragraph_describes_the_extract_and_the_panel(evaluation):
    text = narrative.data_paragraph(evaluation)
    assert text.endswith("because their incidents are still being recorded.")
    assert f"{len(evaluation.panel):,} premises-months" in text


def test_process_sentences(evaluation):
    text = narrative.uptake_paragraph(evaluation)
    assert f"**{evaluation.uptake.effect:.0%}**" in text
    signed = int(evaluation.data["premises"]["signup_date"].notna().sum())
    assert f"; {signed:,} of {len(evaluation.data['premises']):,})." in text
    breakdown = evaluation.uptake_breakdowns[0]
    assert narrative.uptake_heading(breakdown, 10).startswith("**Uptake by premises type**")
    funnel = {"Signed up": 50, "Completed a self-assessment": 40, "Repeated it": 3}
    assert narrative.funnel_title(funnel).startswith("8% of premises")
    assert "<10 repeated it" in narrative.funnel_paragraph(funnel, 10)
    assert "3 repeated it" in narrative.funnel_paragraph(funnel, 3)


@pytest.mark.parametrize(
    ("column", "threshold", "expected"),
    [
        ("premises_type", 10, "Uptake was highest among bar premises"),
        ("area", 10, "Uptake was highest in bar"),
        ("area", 100, "Uptake by area"),
    ],
)
def test_uptake_title_names_only_a_publishable_group(column, threshold, expected):
    table = pd.DataFrame(
        {
            "group": ["pub", "bar"],
            "units": [100, 60],
            "adopted": [30, 40],
            "proportion": [0.3, 0.67],
        }
    )
    breakdown = SimpleNamespace(title="area", column=column, table=table)
    assert narrative.uptake_title(breakdown, threshold) == expected


def test_selection_and_headline_paragraphs(evaluation):
    selection = narrative.selection_paragraph(evaluation)
    assert evaluation.naive.describe_effect() in selection
    headline = narrative.headline_paragraph(evaluation)
    assert evaluation.headline.summary() in headline
    assert "with 80% power.\n\nTwo-way fixed effects gives" in headline


def test_twfe_comparison_both_ways():
    assert narrative.twfe_comparison(
        estimate(-0.1, -0.2, 0.0), estimate(-0.2, -0.3, -0.1)
    ).startswith("smaller than the staggered estimate")
    assert narrative.twfe_comparison(
        estimate(-0.3, -0.4, -0.2), estimate(-0.2, -0.3, -0.1)
    ).startswith("larger than the staggered estimate")


@pytest.mark.parametrize(
    ("pretrend_p", "headline", "verdict"),
    [
        (0.5, estimate(-0.2, -0.3, -0.1), True),
        (0.01, estimate(-0.2, -0.3, -0.1), False),  # different trends before sign-up
        (0.5, estimate(-0.2, -0.4, 0.1), False),  # no clear effect
        (0.5, estimate(0.2, 0.1, 0.3), False),  # incidents rose
    ],
)
def test_event_study_title_claims_only_what_the_checks_allow(
    evaluation, pretrend_p, headline, verdict
):
    changed = replace(
        evaluation,
        headline=headline,
        dynamic=dataclasses.replace(evaluation.dynamic, pretrend_p=pretrend_p),
    )
    title = narrative.event_study_title(changed)
    assert title.startswith("No sign of different trends") is verdict
    if not verdict:
        assert title == "Incidents at participating premises relative to the month before sign-up"


def test_event_study_paragraph_branches(evaluation):
    parallel = dataclasses.replace(evaluation.dynamic, pretrend_p=0.5, band_excludes=3)
    text = narrative.event_study_paragraph(replace(evaluation, dynamic=parallel))
    assert "(no evidence of different trends before sign-up)" in text
    assert f"at all {parallel.months_after} months after sign-up at once" in text
    assert "3 of them clearly differ" in text
    diverging = dataclasses.replace(evaluation.dynamic, pretrend_p=0.01, band_excludes=None)
    text = narrative.event_study_paragraph(replace(evaluation, dynamic=diverging))
    assert "**evidence of different trends before sign-up" in text
    assert "uniform" not in text
    assert text.endswith(f"from month {diverging.late_from} on.")


@pytest.mark.parametrize("placebo_significant", [False, True])
@pytest.mark.parametrize("theft_significant", [False, True])
def test_checks_bullets_verdicts(evaluation, placebo_significant, theft_significant):
    clear, null = estimate(0.3, 0.1, 0.5), estimate(0.0, -0.1, 0.1)
    text = narrative.checks_bullets(
        replace(
            evaluation,
            placebo=clear if placebo_significant else null,
            theft=clear if theft_significant else null,
        )
    )
    assert ("**a spurious effect**" in text) is placebo_significant
    assert ("no spurious effect" in text) is not placebo_significant
    assert ("a change the tool should not cause" in text) is theft_significant
    assert ("no change, as expected" in text) is not theft_significant
    assert "with 'not_yet' comparisons" in text


def test_its_sentences():
    assert narrative.its_title(estimate(0.8, 0.7, 0.9, "rate ratio")).startswith(
        "County NTE violence ran 20% below projection"
    )
    assert "5% above projection" in narrative.its_title(estimate(1.05, 0.9, 1.2, "rate ratio"))


def test_its_and_score_paragraphs(evaluation):
    its = narrative.its_paragraph(evaluation)
    assert its.startswith(evaluation.its.summary())
    assert "Residual autocorrelation (Ljung-Box) p = " in its
    fall, rise = evaluation.its_mde**-1, evaluation.its_mde
    assert f"a step to a rate ratio of {narrative.format_number(fall)} " in its
    assert f"(or {narrative.format_number(rise)}) with 80% power" in its
    score = narrative.score_change_paragraph(evaluation)
    assert score.endswith("fewer than 10 premises suppressed):")


@pytest.mark.parametrize(
    ("by_score", "more"),
    [
        (estimate(1.8, 1.3, 2.4, "rate ratio"), True),
        (estimate(1.1, 0.8, 1.5, "rate ratio"), False),  # no clear difference
        (estimate(0.6, 0.4, 0.8, "rate ratio"), False),  # low scorers have fewer
    ],
)
def test_by_score_paragraph(by_score, more):
    text = narrative.by_score_paragraph(by_score)
    assert text.startswith(by_score.summary())
    assert ("do have more incidents" in text) is more
    assert ("does not clearly separate" in text) is not more


def test_value_for_money_paragraph_publishes_no_ratio_until_the_cost_is_confirmed(evaluation):
    result = evaluation.value_for_money
    assert not result.cost_confirmed
    text = narrative.value_for_money_paragraph(evaluation)
    assert text.startswith("The pilot's cost is **not confirmed** (£50,000 is a placeholder")
    assert "(cost not confirmed)" in text and "benefit-cost ratio" in text
    assert "would need to avert about" in text
    assert "no benefit-cost ratio is published" in narrative.caveats(evaluation)


def test_value_for_money_paragraph_both_ways(evaluation):
    result = dataclasses.replace(evaluation.value_for_money, cost_confirmed=True)
    confirmed = replace(evaluation, value_for_money=result)
    assert "not yet confirmed" not in narrative.caveats(confirmed)
    repaid = replace(
        evaluation, value_for_money=dataclasses.replace(result, benefit=(9e4, 2e4, 1.6e5))
    )
    text = narrative.value_for_money_paragraph(repaid)
    assert "the lower end of the benefit's 95% interval, £20,000, is the largest cost" in text
    unclear = replace(
        evaluation, value_for_money=dataclasses.replace(result, benefit=(9e4, -1e4, 1.6e5))
    )
    text = narrative.value_for_money_paragraph(unclear)
    assert text.endswith(": the interval of incidents averted includes none.")
    assert text.startswith("At the confirmed cost of £50,000, ")


@pytest.mark.parametrize(
    ("headline", "naive_effect", "verdict"),
    [
        (estimate(-0.2, -0.3, -0.1), 2.0, True),
        (estimate(-0.2, -0.4, 0.1), 2.0, False),
        (estimate(0.2, 0.1, 0.3), 2.0, False),
        (estimate(-0.2, -0.3, -0.1), 0.9, False),
    ],
)
def test_forest_title(evaluation, headline, naive_effect, verdict):
    naive = estimate(naive_effect, naive_effect - 0.1, naive_effect + 0.1, "rate ratio")
    title = narrative.forest_title(replace(evaluation, headline=headline, naive=naive))
    assert title.startswith("Fewer incidents by the staggered design") is verdict
    if not verdict:
        assert title == "Estimates from each design side by side"


def test_caveats_quote_the_checks(evaluation):
    text = narrative.caveats(evaluation)
    assert text.count("\n- ") == 5 and text.startswith("- **Self-selection.**")
    assert f"({narrative.format_number(evaluation.placebo.effect)})" in text
    assert f"{evaluation.street_incidents:,} street incidents" in text


@pytest.mark.parametrize("shifted", [True, False])
@pytest.mark.parametrize("breakdown", [0.0, 0.4])
def test_pre_signup_bullets(evaluation, shifted, breakdown):
    shift = (
        Estimate(0.15, 0.05, 0.25, 0.003, 600, "difference", "m", "e")
        if shifted
        else Estimate(0.01, -0.05, 0.07, 0.7, 600, "difference", "m", "e")
    )
    bound = {"breakdown_m": breakdown, "largest_pre_change": 0.06, "mean_periods_exposed": 6.0}
    text = narrative.pre_signup_bullets(
        replace(evaluation, pre_signup_shift=shift, trend_sensitivity=bound)
    )
    assert ("**incidents were higher just before sign-up**" in text) is shifted
    assert ("no sign of a bad spell" in text) is not shifted
    assert ("up to 0.40 times the largest" in text) is (breakdown > 0)
    assert ("not clear of zero even if trends were exactly parallel" in text) is (breakdown == 0)
    assert "**Leaving those 3 months out**" in text
    assert text in narrative.checks_bullets(
        replace(evaluation, pre_signup_shift=shift, trend_sensitivity=bound)
    )


def test_rating_paragraph_passed_lowered_and_demoted():
    from analysis.evidence import Finding
    from analysis.evidence.sms import Check

    est = Estimate(-0.2, -0.3, -0.1, 0.001, 900, "difference", "m", "e")
    kept = Finding(
        "q",
        est,
        "staggered_difference_in_differences",
        checks=[Check("parallel pre-trends", True, "p = 0.4")],
    )
    assert narrative.rating_paragraph(kept) == (
        "**Strength of evidence: moderate (SMS 3).** The design starts at SMS 3 and every "
        "check it carries passed, so it keeps that level."
    )
    lowered = dataclasses.replace(
        kept,
        checks=(Check("parallel pre-trends", False, "p = 0.01"),),
        headline_note="Not a headline: underpowered.",
    )
    text = narrative.rating_paragraph(lowered)
    assert text.startswith(
        "**Strength of evidence: limited (SMS 2).** The design starts at SMS 3; "
    )
    assert "parallel pre-trends failed (p = 0.01)" in text
    assert text.endswith("Not a headline: underpowered.")


@pytest.mark.parametrize(
    ("count_p", "ratio_p", "verdict"),
    [
        (0.01, 0.4, "**the data support the ratio scale**"),
        (0.4, 0.01, "the data support the count scale, the headline's."),
        (0.4, 0.3, "both are consistent with parallel trends before sign-up."),
        (0.01, 0.02, "**neither scale shows parallel trends before sign-up**"),
    ],
)
def test_scale_paragraph_says_which_scale_the_data_support(evaluation, count_p, ratio_p, verdict):
    count = evaluation.headline.with_updates(diagnostics={"pretrend_p_value": count_p})
    ratio = Estimate(
        0.8, 0.7, 0.9, 0.001, 600, "rate ratio", "m", "e", diagnostics={"pretrend_p_value": ratio_p}
    )
    text = narrative.scale_paragraph(replace(evaluation, headline=count, ratio_scale=ratio))
    assert verdict in text
    assert text.startswith("**Both scales.** In proportion, participants had ")
