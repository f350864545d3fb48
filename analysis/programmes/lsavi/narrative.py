"""lSaVI's sentences whose wording depends on a result: verdicts, figure titles, caveats.

Each function takes the :class:`~.evaluation.Evaluation` (or the part it speaks
of) and returns Markdown, or plain text for a figure title. Sentences every
programme shares (source lines, loading notes, the closing line) are in
:mod:`analysis.reporting.narrative`, a layer above this one, so the notebook joins them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ...evidence.disclosure import suppress_count
from ...evidence.sms import SMS_SHORT, describe_level
from ...evidence.vfm import COST_NOT_CONFIRMED, format_gbp
from ...results import Estimate, format_number
from . import tables

if TYPE_CHECKING:
    from ...evidence import Finding
    from .evaluation import Evaluation
    from .tables import UptakeBreakdown


# ----------------------------------------------------------------------------- data
def data_paragraph(evaluation: Evaluation) -> str:
    """What the extract holds and the panel's window, with the loader's notes."""
    data, params, panel = evaluation.data, evaluation.params, evaluation.panel
    incidents = data["incidents"]
    return (
        f"The extract was taken on **{data.extract_date:%d %B %Y}** and holds "
        f"**{len(data['premises']):,}** licensed premises, "
        f"**{len(incidents):,}** incidents from "
        f"{incidents['incident_date'].min():%B %Y} to "
        f"{incidents['incident_date'].max():%B %Y}, and "
        f"**{data['self_assessments']['assessment_id'].nunique():,}** self-assessments. "
        f"The premises-month panel runs from {pd.Timestamp(params.panel_start):%B %Y} to "
        f"{evaluation.panel_end:%B %Y} ({panel['period'].max()} months, {len(panel):,} "
        "premises-months): "
        f"months ending fewer than {params.recording_lag_days} days before the extract are "
        "left out because their incidents are still being recorded."
    )


# ----------------------------------------------------------------------------- process
def uptake_paragraph(evaluation: Evaluation) -> str:
    """Uptake by the pilot's end and the share of the problem participants accounted for."""
    uptake, premises = evaluation.uptake, evaluation.data["premises"]
    share = evaluation.reach.loc["violence_vulnerability", "share"]
    return (
        f"By the end of the pilot **{uptake.effect:.0%}** of licensed premises had signed up "
        f"(95% CI {uptake.ci_low:.0%} to {uptake.ci_high:.0%}; "
        f"{int(premises['signup_date'].notna().sum()):,} of {len(premises):,}). "
        f"Participants accounted for **{share:.0%}** of the "
        "violence and vulnerability incidents at licensed premises in the two years before the "
        "pilot: the tool reached a large share of the problem."
    )


def uptake_heading(breakdown: UptakeBreakdown, threshold: int) -> str:
    """The heading of an uptake table.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> uptake_heading(SimpleNamespace(title="area"), 10)
    '**Uptake by area** (counts below 10 suppressed)'
    """
    return f"**Uptake by {breakdown.title}** (counts below {threshold} suppressed)"


def uptake_title(breakdown: UptakeBreakdown, threshold: int) -> str:
    """The uptake figure's title: the group with the highest uptake that may be named.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> table = pd.DataFrame({"group": ["pub", "bar"], "units": [100, 60],
    ...                       "adopted": [30, 40], "proportion": [0.3, 0.67]})
    >>> uptake_title(SimpleNamespace(title="premises type", column="premises_type",
    ...                              table=table), 10)
    'Uptake was highest among bar premises'
    >>> uptake_title(SimpleNamespace(title="area", column="area", table=table), 10)
    'Uptake was highest in bar'
    >>> uptake_title(SimpleNamespace(title="area", column="area", table=table), 50)
    'Uptake by area'
    """
    highest = tables.highest_uptake_group(breakdown.table, threshold=threshold)
    if highest is None:
        # Every group is suppressed: naming the highest would disclose its rate.
        return f"Uptake by {breakdown.title}"
    if breakdown.column == "premises_type":
        return f"Uptake was highest among {highest} premises"
    return f"Uptake was highest in {highest}"


def funnel_title(funnel: dict[str, int]) -> str:
    """The engagement funnel's title: the share that repeated the self-assessment.

    Examples
    --------
    >>> funnel_title({"Completed a self-assessment": 80, "Repeated it": 20})
    '25% of premises that assessed themselves repeated the assessment'
    """
    return (
        f"{tables.repeat_share(funnel):.0%} of premises that assessed themselves repeated the "
        "assessment"
    )


def funnel_paragraph(funnel: dict[str, int], threshold: int) -> str:
    """From sign-up to a repeated self-assessment (a small repeat count suppressed).

    Examples
    --------
    >>> funnel = {"Signed up": 120, "Completed a self-assessment": 90, "Repeated it": 4}
    >>> funnel_paragraph(funnel, 10)[:60]
    'Of 120 premises that signed up, 90 completed a first self-as'
    """
    return (
        f"Of {funnel['Signed up']:,} premises that signed up, "
        f"{funnel['Completed a self-assessment']:,} completed a first self-assessment and "
        f"{suppress_count(funnel['Repeated it'], threshold)} repeated it by the extract "
        "date; the rest dropped out or signed up too late to repeat it."
    )


# ----------------------------------------------------------------------------- impact
def selection_paragraph(evaluation: Evaluation) -> str:
    """Why the naive comparison misleads: participants were riskier before the pilot."""
    ratio = tables.before_pilot_rate_ratio(evaluation.selection)
    return (
        f"Before the pilot began, premises that went on to sign up already had "
        f"**{ratio:.1f} times** the violence and vulnerability incidents per month of those "
        "that never did, and the earliest to sign up had the most. So comparing participants with "
        f"non-participants during the pilot gives {evaluation.naive.describe_effect()}: "
        "participants look "
        "worse, because of who they are, not because of the tool. This naive comparison (SMS 1) "
        "is shown only to make that bias visible."
    )


def twfe_comparison(twfe: Estimate, headline: Estimate) -> str:
    """How two-way fixed effects compares with the staggered headline, and why.

    Examples
    --------
    >>> def est(effect):
    ...     return Estimate(effect, effect - 0.1, effect + 0.1, 0.5, 10, "difference", "m", "e")
    >>> twfe_comparison(est(-0.1), est(-0.2)).startswith("smaller")
    True
    >>> twfe_comparison(est(-0.3), est(-0.2)).startswith("larger")
    True
    """
    if abs(twfe.effect) < abs(headline.effect):
        return (
            "smaller than the staggered estimate, as expected when earlier participants, whose "
            "incidents are still falling, serve as controls."
        )
    return (
        "larger than the staggered estimate; the two differ because two-way fixed "
        "effects weights cohorts and months differently."
    )


def headline_paragraph(evaluation: Evaluation) -> str:
    """The headline with its percentage change and MDE, then two-way fixed effects beside it."""
    headline, twfe = evaluation.headline, evaluation.twfe
    change, change_low, change_high = evaluation.percent_change
    return (
        f"**Headline (staggered difference-in-differences, {describe_level(3)}).** "
        f"{headline.summary()} That is a change of **{change:+.0f}%** in participants' violence "
        f"and vulnerability incidents (95% CI {change_low:+.0f}% to {change_high:+.0f}%). "
        f"The design could detect an effect of {format_number(evaluation.headline_mde)} "
        "incidents per "
        f"premises-month with 80% power.\n\n"
        f"Two-way fixed effects gives {twfe.describe_effect()}: " + twfe_comparison(twfe, headline)
    )


def parallel_before(pretrend_p: float) -> bool:
    """Whether the pre-trend test finds no evidence of different trends (p at least 0.05)."""
    return pretrend_p >= 0.05


def event_study_title(evaluation: Evaluation) -> str:
    """The event-study figure's title: a verdict only when pre-trends and the effect allow it."""
    headline = evaluation.headline
    if (
        parallel_before(evaluation.dynamic.pretrend_p)
        and headline.significant
        and headline.effect < 0
    ):
        return "No sign of different trends before sign-up; incidents fell after it"
    return "Incidents at participating premises relative to the month before sign-up"


def event_study_paragraph(evaluation: Evaluation) -> str:
    """The pre-trend verdict, the early and late effects and what the uniform band shows."""
    dynamic = evaluation.dynamic
    verdict = (
        "(no evidence of different trends before sign-up). "
        if parallel_before(dynamic.pretrend_p)
        else "(**evidence of different trends before sign-up: treat the headline with caution**). "
    )
    band = (
        f" Allowing for looking at all {dynamic.months_after} months after "
        f"sign-up at once (a uniform 95% band), {dynamic.band_excludes} of them clearly differ "
        "from zero on their own; the overall average above is the better summary."
        if dynamic.band_excludes is not None
        else ""
    )
    return (
        f"Before sign-up the effects hover around zero: the joint test that every pre-sign-up "
        f"effect is zero gives p = {format_number(dynamic.pretrend_p, 2)} "
        + verdict
        + f"After sign-up the effect averages {format_number(dynamic.early)} incidents per "
        f"premises-month in the first three months and {format_number(dynamic.late)} from month "
        f"{dynamic.late_from} on." + band
    )


def checks_bullets(evaluation: Evaluation) -> str:
    """The placebo, comparison-group and theft checks, each with its verdict."""
    params, placebo, theft = evaluation.params, evaluation.placebo, evaluation.theft
    placebo_verdict = (
        " - no spurious effect." if not placebo.significant else " - **a spurious effect**."
    )
    theft_verdict = (
        " - no change, as expected."
        if not theft.significant
        else " - a change the tool should not cause, a warning that something else moved "
        "with sign-up."
    )
    return (
        f"- **Placebo dates**: moving every sign-up {params.placebo_shift_months} months earlier "
        f"and using only months before the pilot gives {placebo.describe_effect()}"
        + placebo_verdict
        + f"\n- **Comparison group**: with '{params.sensitivity_group}' comparisons the estimate "
        f"is {format_number(evaluation.sensitivity.effect)} (headline "
        f"{format_number(evaluation.headline.effect)})."
        + f"\n- **Theft**, which the tool does not target: {theft.describe_effect()}"
        + theft_verdict
        + "\n"
        + pre_signup_bullets(evaluation)
    )


def pre_signup_bullets(evaluation: Evaluation) -> str:
    """The dip check, the estimate without the months before sign-up, and the trend bound."""
    params, shift = evaluation.params, evaluation.pre_signup_shift
    months = params.anticipation_months
    if shift.significant:
        direction = "higher" if shift.effect > 0 else "lower"
        shift_verdict = (
            f" - **incidents were {direction} just before sign-up**: premises may have joined "
            "after a bad spell that would have passed anyway, so the month before sign-up is a "
            "poor baseline and the headline's rating is lowered."
        )
    else:
        shift_verdict = " - no sign of a bad spell drawing premises in."
    bound = evaluation.trend_sensitivity
    if bound["breakdown_m"] > 0:
        sensitivity = (
            f"the headline stays clear of zero if the trends diverged after sign-up by up to "
            f"{format_number(bound['breakdown_m'], 2)} times the largest month-on-month "
            f"divergence seen before it ({format_number(bound['largest_pre_change'])} incidents "
            "per premises-month), a divergence that grows month by month"
        )
    else:
        sensitivity = "the headline is not clear of zero even if trends were exactly parallel"
    return (
        f"- **Just before sign-up**: incidents in the {months} months before sign-up against "
        f"the months before those: {shift.describe_effect()}"
        + shift_verdict
        + f"\n- **Leaving those {months} months out** of the comparison's baseline gives "
        f"{evaluation.anticipation.describe_effect()} (headline "
        f"{format_number(evaluation.headline.effect)})."
        + f"\n- **How far from parallel could trends be?** (relative magnitudes): {sensitivity}."
    )


def scale_paragraph(evaluation: Evaluation) -> str:
    """Both scales side by side, and which one the pre-trend tests support.

    The count-scale headline assumes participants' incidents would have changed
    by the same number as comparisons'; the ratio scale, by the same proportion.
    Busy premises whose seasonal swings are proportional to their level satisfy
    the second and not the first. When the ratio scale could not be estimated
    (``evaluation.ratio_scale`` is None) the paragraph says so with the reason,
    and judges the count scale alone.
    """
    count = evaluation.headline
    count_p = count.diagnostics.get("pretrend_p_value")
    count_ok = parallel_before(count_p)
    if evaluation.ratio_scale is None:
        count_verdict = (
            "consistent with parallel trends before sign-up."
            if count_ok
            else "**evidence of different trends before sign-up**: treat the headline with caution."
        )
        return (
            "**Both scales.** The ratio scale (Poisson extended two-way fixed effects) is "
            f"**not estimable** on these data: {evaluation.ratio_scale_note.rstrip('.')}. "
            "Only the count scale is reported; its pre-trend test gives "
            f"p = {format_number(count_p, 2)}, {count_verdict}"
        )
    ratio = evaluation.ratio_scale
    ratio_p = ratio.diagnostics.get("pretrend_p_value")
    text = (
        f"**Both scales.** In proportion, participants had {ratio.describe_effect()}. The "
        f"pre-trend test gives p = {format_number(count_p, 2)} on the count scale and "
        f"p = {format_number(ratio_p, 2)} on the ratio scale: "
    )
    ratio_ok = parallel_before(ratio_p)
    if ratio_ok and not count_ok:
        return text + (
            "**the data support the ratio scale**, where incidents moved in proportion "
            "before sign-up; read the rate ratio rather than the change in counts."
        )
    if count_ok and not ratio_ok:
        return text + "the data support the count scale, the headline's."
    if count_ok and ratio_ok:
        return text + "both are consistent with parallel trends before sign-up."
    return text + (
        "**neither scale shows parallel trends before sign-up**: treat both with caution."
    )


def rating_paragraph(finding: Finding) -> str:
    """The headline's evidence rating, each step from its design's level with the reason."""
    rating = finding.rating
    head = (
        f"**Strength of evidence: {SMS_SHORT[rating.level]}.** The design starts at SMS "
        f"{rating.design_level}"
    )
    steps = [reason for reason in rating.reasons if not reason.startswith("Not run")]
    body = (
        head + "; " + " ".join(steps)
        if steps
        else head + " and every check it carries passed, so it keeps that level."
    )
    if finding.headline_note:
        body += f" {finding.headline_note}"
    return body


# ----------------------------------------------------------------------------- the county
def its_title(its: Estimate) -> str:
    """The county series' title: how far violence ran below or above projection.

    Examples
    --------
    >>> def est(effect):
    ...     return Estimate(effect, effect - 0.1, effect + 0.1, 0.5, 10, "rate ratio", "m", "e")
    >>> its_title(est(0.9))
    'County NTE violence ran 10% below projection after the pilot began'
    >>> its_title(est(1.25))
    'County NTE violence ran 25% above projection after the pilot began'
    """
    where = "below" if its.effect < 1 else "above"
    return (
        f"County NTE violence ran {abs(its.effect - 1):.0%} {where} projection after the pilot "
        "began"
    )


def its_paragraph(evaluation: Evaluation) -> str:
    """The county estimate, the step the series could detect and its residual autocorrelation.

    The minimum detectable step is a ratio above 1; a fall the series would detect
    as often is its inverse (the interval is symmetric on the log scale), and a fall
    is what the pilot aims at, so both are quoted.
    """
    its, detectable = evaluation.its, evaluation.its_mde
    return (
        f"{its.summary()} The series could detect a step to a rate ratio of "
        f"{format_number(1 / detectable)} (or {format_number(detectable)}) with 80% power. "
        "Residual autocorrelation "
        f"(Ljung-Box) p = {format_number(its.diagnostics.get('ljung_box_p_value'), 2)}."
    )


# ----------------------------------------------------------------------------- practice
def score_change_paragraph(evaluation: Evaluation) -> str:
    """The score change, introducing the table of scores by domain."""
    return (
        f"{evaluation.score_change.summary()} Scores by domain (premises with two or more "
        f"assessments; fewer than {evaluation.params.suppression_threshold} premises "
        "suppressed):"
    )


def by_score_paragraph(by_score: Estimate) -> str:
    """Whether premises that score themselves low have more incidents.

    Examples
    --------
    >>> def est(effect, low, high):
    ...     return Estimate(effect, low, high, 0.01, 10, "rate ratio", "m", "e")
    >>> by_score_paragraph(est(1.8, 1.3, 2.4)).endswith("target support.")
    True
    >>> by_score_paragraph(est(1.1, 0.8, 1.5)).endswith("more incidents.")
    True
    """
    if by_score.significant and by_score.effect > 1:
        verdict = (
            "Premises that rate their own practice poorly do have more incidents, so the score "
            "could help licensing officers target support."
        )
    else:
        verdict = "The score does not clearly separate premises with more incidents."
    return f"{by_score.summary()} {verdict}"


# ----------------------------------------------------------------------------- value for money
def value_for_money_paragraph(evaluation: Evaluation) -> str:
    """The verdict at the assumed cost, and the break-even when the benefit is above zero."""
    result = evaluation.value_for_money
    cost = format_gbp(evaluation.params.pilot_cost_gbp)
    if not result.cost_confirmed:
        benefit = (
            f"the benefit's 95% interval runs from {format_gbp(result.benefit[1])} to "
            f"{format_gbp(result.benefit[2])}"
        )
        return (
            f"The pilot's cost is **not confirmed** ({cost} is a placeholder until the licensing "
            f"team confirms it), so no benefit-cost ratio is published ({COST_NOT_CONFIRMED}). "
            f"At that cost the pilot would need to avert about "
            f"{format_number(result.break_even_outcomes)} incidents to repay it; {benefit}."
        )
    if result.benefit[1] > 0:
        return (
            f"At the confirmed cost of {cost}, "
            f"{result.verdict}. The pilot needs to avert about "
            f"{format_number(result.break_even_outcomes)} incidents to repay that cost; the "
            f"lower end of the benefit's 95% interval, {format_gbp(result.benefit[1])}, is the "
            "largest cost the evidence shows it repaid."
        )
    return (
        f"At the confirmed cost of {cost}, "
        f"{result.verdict}: the interval of incidents averted includes none."
    )


# ----------------------------------------------------------------------------- findings
def forest_title(evaluation: Evaluation) -> str:
    """The forest plot's title: a verdict when the headline fell and the naive ratio rose."""
    headline = evaluation.headline
    if headline.significant and headline.effect < 0 and evaluation.naive.effect > 1:
        return "Fewer incidents by the staggered design; the naive comparison misleads"
    return "Estimates from each design side by side"


def caveats(evaluation: Evaluation) -> str:
    """The report's caveats as Markdown bullets, quoting the checks and the follow-up."""
    items = [
        "**Self-selection.** Premises chose to sign up, and riskier premises chose more often "
        "and earlier. The staggered design removes fixed differences between premises; it "
        "relies on participants' incidents otherwise moving in parallel with "
        "non-participants'. The "
        f"pre-trend test (p = {format_number(evaluation.dynamic.pretrend_p, 2)}) and the "
        f"placebo dates ({format_number(evaluation.placebo.effect)}) are the checks on that, "
        "and they cannot rule out a "
        "change that began exactly at sign-up (for example a new manager who both signs up and "
        "improves practice).",
        "**Displacement and spillover.** Incidents prevented at a participating premises may "
        "move to the street or to a neighbouring premises; the premises comparison would count "
        "that as a benefit. The county time series is the check, and it is far less precise.",
        f"**Recording.** Incidents are police-recorded and linked to premises by location; "
        f"{evaluation.street_incidents:,} street incidents are not linked "
        "to a premises. A change in how staff report incidents after completing the tool would "
        "look like a change in incidents.",
        f"**Follow-up.** Participants were observed for "
        f"{format_number(evaluation.followup_months, 2)} "
        "months after signing up on average; whether effects last beyond that is unknown.",
        "**Self-assessment scores** are self-reported and measured only for participants: "
        "their rise is not evidence of impact on its own.",
        "**Value for money** rests on "
        + (
            ""
            if evaluation.value_for_money.cost_confirmed
            else "a cost not yet confirmed (no benefit-cost ratio is published until it is) and on "
        )
        + "unit costs of crime from 2015/16 uprated; incidents that were not crimes are valued "
        "as if they were.",
    ]
    return "\n".join(f"- {item}" for item in items)
