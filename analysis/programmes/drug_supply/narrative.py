"""Operation Viper and Operation Scorpion: every sentence whose wording depends on a result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from ...evidence import Finding
from ...evidence.sms import SMS_SHORT
from ...results import Estimate, format_number

if TYPE_CHECKING:
    from .evaluation import Evaluation


def data_sources(evaluation: Evaluation) -> str:
    """Which data each design used: weekly force extract, monthly police.uk."""
    crimes = evaluation.data["crimes"]
    first, last = crimes["recorded_date"].min(), crimes["recorded_date"].max()
    return (
        "**Which data each design used.** Scorpion's stacked event study, its before/after "
        "comparison and the displacement quotient use **weekly** counts from the force's own "
        f"dated crime extract ({len(crimes):,} crimes recorded {first:%d %B %Y} to "
        f"{last:%d %B %Y}): police.uk publishes months only, too coarse for one-week surges. "
        "Viper's comparative time series and synthetic control use **monthly** police.uk "
        f"counts ({evaluation.police_uk_note}), which anyone can download and check."
    )


def outputs_paragraph(charts: Mapping[str, pd.DataFrame]) -> str:
    """What the run charts show: which outputs had a shift or a trend.

    Examples
    --------
    >>> quiet = pd.DataFrame({"shift": [False], "trend": [False]})
    >>> outputs_paragraph({"Warrants": quiet})[:40]
    'No output shows a signal of non-random c'
    """
    signals = []
    for label, chart in charts.items():
        kinds = [k for k in ("shift", "trend") if chart[k].any()]
        if kinds:
            # Lower-case the label for the sentence, but keep acronyms ("NRM referrals").
            name = label if label.split()[0].isupper() else label.lower()
            signals.append(f"{name} ({' and '.join(kinds)})")
    if not signals:
        return (
            "No output shows a signal of non-random change in its run chart: month to month "
            "the operations did about the same."
        )
    return (
        "The run charts signal non-random change in "
        + ", ".join(signals)
        + ". A shift is the operations doing more (or less) for months together, such as "
        "Viper's start; it says what was done, not what changed for residents."
    )


def pretrend_note(estimate: Estimate) -> str:
    """The event-study figure's note on the weeks before the surges.

    Examples
    --------
    >>> est = Estimate(-3.0, -4.0, -2.0, 0.001, 48, "difference", "m", "e",
    ...                diagnostics={"pretrend_p_value": 0.27})
    >>> pretrend_note(est)[:40]
    'Weeks before the surges: their mean and '
    """
    p = estimate.diagnostics.get("pretrend_p_value")
    if p is None:
        return "No weeks before the surges to test."
    verdict = "no sign of diverging trends" if p >= 0.05 else "the weeks before differ"
    return (
        "Weeks before the surges: their mean and their trend against the reference week, "
        f"each tested, p = {format_number(p, 2)} (Bonferroni, fails below 0.05): {verdict}."
    )


def scorpion_headline(finding: Finding) -> str:
    """The headline sentence: harms in targeted neighbourhoods, interval and evidence.

    Examples
    --------
    >>> est = Estimate(-3.0, -4.0, -2.0, 0.001, 48, "difference", "m", "e")
    >>> scorpion_headline(Finding("q", est, "event_study"))[:44]
    '**Harms fell in the neighbourhoods Scorpion '
    """
    est = finding.estimate
    if not est.significant:
        verdict = "No clear change in harms in the neighbourhoods Scorpion targeted"
    elif est.effect < 0:
        verdict = "Harms fell in the neighbourhoods Scorpion targeted"
    else:
        verdict = "Harms rose in the neighbourhoods Scorpion targeted"
    return (
        f"**{verdict}**: {format_number(est.effect)} harms per neighbourhood-week over the "
        f"surge week and the weeks after (95% CI {format_number(est.ci_low)} to "
        f"{format_number(est.ci_high)}), against neighbourhoods with no surge that were not "
        f"next to one. Evidence: {SMS_SHORT[finding.sms_level]}."
    )


def rating_paragraph(finding: Finding) -> str:
    """A finding's evidence rating, each step from its design's level with the reason.

    Examples
    --------
    >>> est = Estimate(-3.0, -4.0, -2.0, 0.001, 48, "difference", "m", "e")
    >>> rating_paragraph(Finding("q", est, "event_study"))[:48]
    '**Strength of evidence: moderate (SMS 3).** The '
    """
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


def selection_paragraph(headline: Estimate, with_selection: Estimate, naive: Estimate) -> str:
    """How the estimate moves when the weeks before each surge are kept, and without controls.

    Examples
    --------
    >>> a = Estimate(-3.0, -4.0, -2.0, 0.001, 48, "difference", "m", "e")
    >>> b = Estimate(-6.0, -7.0, -5.0, 0.001, 48, "difference", "m", "e")
    >>> "regression to the mean" in selection_paragraph(a, b, b)
    True
    """
    gap = with_selection.effect - headline.effect
    moved = abs(gap) > max(headline.se or 0.0, 1e-9) if headline.se else abs(gap) > 0.5
    text = (
        f"Keeping the weeks just before each surge gives {format_number(with_selection.effect)} "
        f"(95% CI {format_number(with_selection.ci_low)} to "
        f"{format_number(with_selection.ci_high)}); the naive before/after in the targeted "
        f"neighbourhoods alone gives {format_number(naive.effect)}. "
    )
    if moved and gap < 0:
        return text + (
            "The estimate grows when those weeks are kept: harms were high just before the "
            "surges, as they would be if areas were chosen for a recent spike, and part of "
            "the fall after is regression to the mean, not the surge. The headline leaves "
            "those weeks out."
        )
    if moved:
        return text + (
            "The estimate shrinks when those weeks are kept: harms were low just before the "
            "surges. The headline leaves those weeks out."
        )
    return text + "The weeks before each surge look like the weeks before them: no sign of a spike."


def viper_sentence(finding: Finding) -> str:
    """One Viper finding in a sentence: direction, ratio, interval and evidence.

    Examples
    --------
    >>> est = Estimate(0.94, 0.9, 0.98, 0.01, 21, "rate ratio", "m", "e")
    >>> viper_sentence(Finding("Did violence fall?", est, "difference_in_differences",
    ...                        label="Viper, violence"))[:35]
    '**Viper, violence**: 6% lower than '
    """
    est = finding.estimate
    change = (est.effect - 1) * 100
    if est.significant:
        direction = f"{abs(change):.0f}% {'lower' if change < 0 else 'higher'} than expected"
    else:
        direction = "no clear change from what was expected"
    return (
        f"**{finding.label}**: {direction} (ratio {format_number(est.effect)}, 95% CI "
        f"{format_number(est.ci_low)} to {format_number(est.ci_high)}); evidence "
        f"{SMS_SHORT[finding.sms_level]}."
    )


def activity_paragraph(drugs: Estimate, weapons: Estimate) -> str:
    """Drug and weapons offences: activity, with the direction the data show.

    Examples
    --------
    >>> up = Estimate(1.25, 1.1, 1.4, 0.001, 21, "rate ratio", "m", "e")
    >>> "activity, not outcomes" in activity_paragraph(up, up)
    True
    """
    rose = [
        name
        for name, est in (("drug offences", drugs), ("weapons possession", weapons))
        if est.significant and est.effect > 1
    ]
    found = (
        f"Recorded {' and '.join(rose)} rose after Viper began. "
        if rose
        else "Recorded drug and weapons-possession offences show no clear rise after Viper began. "
    )
    return found + (
        "These offences are mostly found by the police rather than reported by victims, so "
        "they measure enforcement activity, not outcomes: a rise is what successful "
        "enforcement looks like, and a fall could mean less enforcement as easily as less "
        "supply. The report treats them as activity, not outcomes, and counts no rise as "
        "a harm and no fall as a success."
    )


def scorpion_drugs_sentence(drugs: Estimate) -> str:
    """Drug offences recorded where Scorpion ran: activity, with its interval.

    Examples
    --------
    >>> up = Estimate(0.3, 0.1, 0.5, 0.01, 48, "difference", "m", "e")
    >>> scorpion_drugs_sentence(up)[:38]
    'Where Scorpion ran, police recorded 0.'
    """
    interval = f"95% CI {format_number(drugs.ci_low)} to {format_number(drugs.ci_high)}"
    if drugs.significant and drugs.effect > 0:
        found = f"{format_number(drugs.effect)} more drug offences per neighbourhood-week"
    elif drugs.significant:
        found = f"{format_number(-drugs.effect)} fewer drug offences per neighbourhood-week"
    else:
        found = f"no clear change in drug offences ({format_number(drugs.effect)} a week)"
    return (
        f"Where Scorpion ran, police recorded {found} over the surge week and the weeks after "
        f"({interval}): the surge finding offences, not more drug crime."
    )


def negative_control_sentence(control: Estimate) -> str:
    """What criminal damage (not targeted by Viper) did at Viper's start.

    Examples
    --------
    >>> flat = Estimate(1.0, 0.95, 1.05, 0.9, 21, "rate ratio", "m", "e")
    >>> negative_control_sentence(flat)[:30]
    'Criminal damage and arson, whi'
    """
    if control.significant:
        return (
            "Criminal damage and arson, which Viper does not target, **also changed** at "
            f"Viper's start (ratio {format_number(control.effect)}, 95% CI "
            f"{format_number(control.ci_low)} to {format_number(control.ci_high)}): something "
            "force-wide (a recording change, another initiative) moved Dorset's crime then, "
            "and the Viper estimates carry it too. Their evidence rating is lowered."
        )
    return (
        "Criminal damage and arson, which Viper does not target, did not clearly change at "
        f"Viper's start (ratio {format_number(control.effect)}, 95% CI "
        f"{format_number(control.ci_low)} to {format_number(control.ci_high)}): no sign of a "
        "force-wide change in recording at the same time."
    )


def displacement_sentence(wdq: Estimate) -> str:
    """Displacement, diffusion or neither, from the quotient's interval.

    Examples
    --------
    >>> neither = Estimate(0.05, -0.2, 0.3, 0.7, 100, "quotient", "m", "e",
    ...                    diagnostics={"total_net_effect": 120.0})
    >>> displacement_sentence(neither)[:40]
    'No clear displacement or diffusion: the '
    """
    tne = wdq.diagnostics.get("total_net_effect", float("nan"))
    interval = f"(95% CI {format_number(wdq.ci_low)} to {format_number(wdq.ci_high)})"
    if wdq.warnings:
        return (
            f"The quotient cannot be read: {wdq.warnings[0]} The buffer ring's own change "
            "relative to the control is in the table."
        )
    if not wdq.significant:
        head = (
            f"No clear displacement or diffusion: the weighted displacement quotient is "
            f"{format_number(wdq.effect)} {interval}."
        )
    elif wdq.effect < 0:
        head = (
            f"**Displacement**: harms rose in the buffer ring around the targets relative to "
            f"the control (quotient {format_number(wdq.effect)} {interval}); "
            + (
                "more moved than was prevented."
                if wdq.effect < -1
                else "less moved than was prevented."
            )
        )
    else:
        head = (
            f"**Diffusion of benefits**: harms fell in the buffer ring too (quotient "
            f"{format_number(wdq.effect)} {interval})."
        )
    return head + (
        f" Net of any displacement, about {tne:,.0f} fewer harms were recorded in the targets "
        "and their buffers than the control's trend predicts."
    )


def truth_check(finding: Finding) -> str:
    """Whether the interval covers the value planted in synthetic data ('' on real data).

    Examples
    --------
    >>> est = Estimate(-3.0, -4.0, -2.0, 0.001, 48, "difference", "m", "e")
    >>> truth_check(Finding("q", est, "event_study", truth=-3.5))[:30]
    'The planted effect in these sy'
    """
    if finding.truth is None:
        return ""
    est = finding.estimate
    covers = est.ci_low <= finding.truth <= est.ci_high
    return (
        f"The planted effect in these synthetic data is {format_number(finding.truth)}, which "
        f"the interval {'covers' if covers else 'misses'}."
    )


def value_for_money_paragraph(evaluation: Evaluation, harms_averted: float | None) -> str:
    """Value for money: nothing published without a cost and its source.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> params = SimpleNamespace(programme_cost_gbp=0.0, cost_source="", cost_confirmed=False)
    >>> value_for_money_paragraph(SimpleNamespace(params=params), 100.0)[:40]
    '**Value for money: not assessed.** No co'
    """
    params = evaluation.params
    if not params.programme_cost_gbp or not params.cost_source:
        return (
            "**Value for money: not assessed.** No cost of Viper or Scorpion has been given "
            "with its source, so no cost per outcome and no benefit-cost ratio are published. "
            "Counting warrants or seizures per pound would measure activity, not value."
        )
    confirmed = "confirmed" if params.cost_confirmed else "not yet confirmed"
    if harms_averted is None or harms_averted <= 0:
        return (
            f"**Value for money.** The cost given (£{params.programme_cost_gbp:,.0f}, "
            f"{params.cost_source}; {confirmed}) buys no clear reduction in harms, so no cost "
            "per harm averted is published."
        )
    return (
        f"**Value for money.** The cost given (£{params.programme_cost_gbp:,.0f}, "
        f"{params.cost_source}; {confirmed}) over the {harms_averted:,.0f} harms the surges "
        f"averted is about £{params.programme_cost_gbp / harms_averted:,.0f} per harm averted "
        "in the targeted neighbourhoods. No benefit-cost ratio is published"
        + (" until the cost is confirmed." if not params.cost_confirmed else ".")
    )
