"""Serious violence: every sentence whose wording depends on a result."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...evidence import Finding
from ...evidence.sms import describe_level
from ...evidence.vfm import COST_NOT_CONFIRMED, format_gbp
from ...results import Estimate
from .findings import MIN_EVENTS_PER_PERIOD


def _interval(estimate: Estimate, digits: int = 2, signed: bool = True) -> str:
    sign = "+" if signed else ""
    return f"95% CI {estimate.ci_low:{sign}.{digits}f} to {estimate.ci_high:{sign}.{digits}f}"


def headline(finding: Finding, population: float) -> str:
    """The headline sentence: knife crime against the synthetic control, in offences a year.

    Examples
    --------
    >>> est = Estimate(-1.5, -2.6, -0.4, 0.01, 22, "difference", "sdid", "gap")
    >>> headline(Finding("q", est, "synthetic_control"), 780_000)[:44]
    '**Knife crime in Dorset fell against similar'
    """
    estimate = finding.estimate
    per_year = estimate.effect * population / 100_000 * 4
    if not estimate.significant:
        verdict = "No clear change in knife crime in Dorset against similar forces"
    elif estimate.effect < 0:
        verdict = "Knife crime in Dorset fell against similar forces"
    else:
        verdict = "Knife crime in Dorset rose against similar forces"
    text = (
        f"**{verdict}** after the Duty: {estimate.effect:+.2f} offences per 100,000 a quarter "
        f"({_interval(estimate)}), about {abs(per_year):.0f} "
        f"{'fewer' if per_year < 0 else 'more'} a year. Evidence: "
        f"{describe_level(finding.sms_level)}."
    )
    failed = [check.name for check in finding.checks if check.passed is False]
    if failed:
        text += f" Rated down because a check failed: {'; '.join(failed)}."
    if finding.headline_note:
        text += f" {finding.headline_note}"
    return text


def duty_change(change: Any) -> str:
    """One outcome: the time series beside the synthetic control, and what the checks say.

    ``change`` is an :class:`~.evaluation.DutyChange`.
    """
    its_est, sc = change.its, change.synthetic_control
    comparison = change.comparison_its
    if its_est.significant:
        its_words = (
            f"{'fell' if its_est.effect < 1 else 'rose'} against its own trend "
            f"(rate ratio {its_est.effect:.2f}, {_interval(its_est, signed=False)})"
        )
    else:
        its_words = (
            f"showed no clear step against its own trend (rate ratio {its_est.effect:.2f}, "
            f"{_interval(its_est, signed=False)})"
        )
    if sc.significant:
        sc_words = (
            f"{'below' if sc.effect < 0 else 'above'} its synthetic control by "
            f"{abs(sc.effect):.2f} per 100,000 ({_interval(sc)})"
        )
    else:
        sc_words = (
            f"within chance of its synthetic control ({sc.effect:+.2f} per 100,000, "
            f"{_interval(sc)})"
        )
    text = f"**{change.label.capitalize()}**: Dorset {its_words}, and was {sc_words}."
    count = "offences" if "offences" in change.panel else "admissions"
    per_period = float(change.panel.loc[change.panel["force"] == "Dorset", count].mean())
    if per_period < MIN_EVENTS_PER_PERIOD:
        return text + (
            f" With about {per_period:.1f} a period in Dorset, **neither design can tell a "
            "change from chance**: read both as unreliable, whatever their intervals say."
        )
    if comparison.significant:
        text += (
            f" The comparison forces changed at the same date too (rate ratio "
            f"{comparison.effect:.2f}), so the time series reads a wider change as Dorset's: "
            "trust the synthetic control here."
        )
    elif its_est.significant != sc.significant:
        text += (
            " The two designs disagree; the synthetic control, which allows for what happened "
            "in similar forces, is the stronger."
        )
    return text


def counterfactual_title(change: Any) -> str:
    """Title of a synthetic control figure, saying what it shows."""
    sc = change.synthetic_control
    label = change.label.capitalize()
    if not sc.significant:
        return f"{label}: Dorset tracked its synthetic control after the Duty"
    side = "below" if sc.effect < 0 else "above"
    return f"{label}: Dorset {side} its synthetic control after the Duty"


def recording(estimate: Estimate) -> str:
    """Whether police recording of violence shifted, against hospital admissions.

    Examples
    --------
    >>> recording(Estimate(1.25, 1.1, 1.4, 0.001, 8, "ratio", "m", "e"))[:30]
    "**Dorset's police-recorded vio"
    """
    if estimate.significant and estimate.effect > 1:
        return (
            f"**Dorset's police-recorded violence rose against hospital admissions for assault** "
            f"(ratio {estimate.effect:.2f}, {_interval(estimate, signed=False)}): police "
            "recording changed, so police-recorded changes since the Duty mix recording with "
            "violence and are rated down."
        )
    if estimate.significant:
        return (
            f"**Dorset's police-recorded violence fell against hospital admissions for "
            f"assault** (ratio {estimate.effect:.2f}, {_interval(estimate, signed=False)}): "
            "less violence reaches police records than before, so police-recorded falls may "
            "overstate the real change; they are rated down."
        )
    return (
        f"Police-recorded violence kept step with hospital admissions for assault (ratio "
        f"{estimate.effect:.2f}, {_interval(estimate, signed=False)}): no sign that recording "
        "changed."
    )


def emergency_departments(estimate: Estimate | None) -> str:
    """Assault attendances at emergency departments (Cardiff Model), or why they are absent."""
    if estimate is None:
        return (
            "**No emergency department data were shared.** Assault attendances under the "
            "Cardiff Model would show violence that never reaches the police; until the "
            "hospitals share them, this report rests on police records and admissions."
        )
    if estimate.significant:
        verdict = "fell" if estimate.effect < 1 else "rose"
        return (
            f"Assault attendances at Dorset's emergency departments **{verdict}** after the "
            f"Duty (rate ratio {estimate.effect:.2f}, {_interval(estimate, signed=False)}; "
            "time series, no comparison)."
        )
    return (
        f"Assault attendances at Dorset's emergency departments showed no clear change "
        f"(rate ratio {estimate.effect:.2f}, {_interval(estimate, signed=False)})."
    )


def concentration(table: pd.DataFrame, share: float) -> str:
    """How much violence the top LSOAs hold, first year to last."""
    first, last = table.iloc[0], table.iloc[-1]
    return (
        f"The {share:.0%} of small areas with most violence held **{last['top_share']:.0%}** of "
        f"it in {int(last['year'])} ({first['top_share']:.0%} in {int(first['year'])}): "
        f"{last['top_share'] / share:.0f} times their share of areas."
    )


def stability(table: pd.DataFrame, share: float) -> str:
    """Whether the hot spots stay hot: overlap of the top sets against chance."""
    overlap = table["overlap"].mean()
    rho = table["rank_correlation"].mean()
    if overlap >= 0.75:
        verdict = "mostly the same places year after year"
    elif overlap >= 2 * share:
        verdict = "partly the same places: a core that stays, and areas that come and go"
    else:
        verdict = "hardly more stable than chance"
    return (
        f"Hot spots are **{verdict}**: on average {overlap:.0%} of one year's top areas are in "
        f"the top the next year (chance alone: {share:.0%}); the rank correlation of areas' "
        f"counts year on year is {rho:.2f}. A strategy should target the stable core, not "
        "last year's list."
    )


def hotspots(result: Any, selection_year: int, follow_year: int) -> str:
    """The hot spots' change, naive beside net of regression to the mean.

    ``result`` is a :class:`~.designs.HotspotChange`.
    """
    naive, adjusted = result.naive, result.adjusted
    text = (
        f"The {result.hotspots} hot spots chosen on {selection_year}'s violence had "
        f"{abs(naive.effect - 1):.0%} {'less' if naive.effect < 1 else 'more'} violence in "
        f"{follow_year} than in {selection_year}, relative to the rest of the county "
        f"(naive: rate ratio {naive.effect:.2f}, {_interval(naive, signed=False)}). "
    )
    if adjusted.significant:
        change = "fell" if adjusted.effect < 1 else "rose"
        text += (
            f"Against the years before they were chosen, which the choice did not see, their "
            f"violence **{change}** (rate ratio {adjusted.effect:.2f}, "
            f"{_interval(adjusted, signed=False)})."
        )
    else:
        text += (
            f"Against the years before they were chosen, which the choice did not see, there "
            f"is **no clear change** (rate ratio {adjusted.effect:.2f}, "
            f"{_interval(adjusted, signed=False)})"
        )
        text += (
            ": the naive fall is regression to the mean, not an effect."
            if naive.effect < adjusted.effect
            else "."
        )
    return text


def funnel(table: pd.DataFrame, shrunken: pd.DataFrame, year: int) -> str:
    """How many areas stand out once chance and overdispersion are allowed for."""
    above = int((table["flag"] == "above 99.8%").sum())
    raw_top = shrunken["raw_rate"].nlargest(10).index
    shrunk_top = shrunken["shrunken_rate"].nlargest(10).index
    kept = len(set(raw_top) & set(shrunk_top))
    text = (
        f"In {year}, **{above} of {len(table)} small areas** lie above the 99.8% limits once "
        "the limits allow for areas differing more than chance (overdispersion). "
    )
    if kept == len(raw_top):
        return text + (
            "Ranked on shrunken rates, the 10 areas with the highest raw rates stay the top 10: "
            "their rates are high well beyond chance."
        )
    return text + (
        f"Ranked on shrunken rates, {kept} of the 10 areas with the highest raw rates stay in "
        "the top 10: the others were small areas whose high rates were partly chance."
    )


def vru_synthesis(pooled: Estimate | None, rows: pd.DataFrame) -> str:
    """What the national VRU evaluations say, and how partial the synthesis is."""
    if pooled is None:
        return (
            "**No published VRU estimate with a measure of its precision was found for "
            "sharp-object admissions**, so no synthesis is possible."
        )
    text = (
        f"The national VRU evaluations estimate sharp-object admissions **{pooled.effect:+.1f} "
        f"per 100,000** a year in VRU areas ({_interval(pooled, digits=1)})."
    )
    if pooled.n == 1:
        text += (
            " **The synthesis is partial**: only one published estimate of this outcome could "
            "be sourced with a p-value or interval (the most recent evaluation); "
            "earlier years' estimates were reported without them, and the successive "
            "evaluations re-use the same areas, so they could not be pooled as independent "
            "studies in any case."
        )
    else:
        text += (
            f" Random-effects synthesis of {pooled.n} estimates (between-study variance "
            f"{pooled.diagnostics['tau2']:.2f})."
        )
    return text


def power(result: Any) -> str:
    """Plainly: could a Dorset evaluation detect the national effect.

    ``result`` is a :class:`~.designs.EvaluationPower`.
    """
    three = result.by_years.set_index("years_after").loc[
        min(3, int(result.by_years["years_after"].max())), "mde_per_100k"
    ]
    head = (
        f"Dorset sees about **{result.baseline_count:.0f} sharp-object admissions a year** "
        f"({result.baseline_rate:.1f} per 100,000). The national effect, "
        f"{result.target_per_100k:.1f} per 100,000, would be about "
        f"{result.target_admissions:.0f} fewer a year. After three years of a VRU, the "
        f"smallest fall an evaluation could reliably detect is {three:.1f} per 100,000."
    )
    if result.years_needed is None:
        horizon = int(result.by_years["years_after"].max())
        return head + (
            f" **An evaluation would be too small to detect an effect of the national size, "
            f"even after {horizon} years**: it could report only a much larger change, so a "
            "null result would not show that a VRU does not work."
        )
    return head + (
        f" An effect of the national size would be detectable after about "
        f"**{result.years_needed} year{'s' if result.years_needed > 1 else ''}**."
    )


def value(value: Any, homicide: dict, break_even: dict, cost: float, sharp_rate: float) -> str:
    """What a VRU would have to achieve to pay for itself, and what the national effects are worth.

    ``value`` is an :class:`analysis.evidence.vfm.ValueForMoney` (or None).
    """
    sentences = [
        f"A VRU costing {format_gbp(cost)} a year pays for itself if it prevents about "
        f"**{break_even['admissions_a_year']:.0f} admissions for violent injury a year** "
        f"({break_even['admissions_per_100k']:.1f} per 100,000, at "
        f"{format_gbp(break_even['violence_cost'])} each), or **one homicide every "
        f"{1 / break_even['homicides_a_year']:.0f} years** (at "
        f"{format_gbp(break_even['homicide_cost'])} each)."
    ]
    if value is not None:
        low, point, high = value.benefit[1], value.benefit[0], value.benefit[2]
        sentences.append(
            f"At the national effect on admissions for any violent injury, a Dorset VRU would "
            f"avert about {value.averted.point:.0f} a year, worth {format_gbp(point)} "
            f"(95% CI {format_gbp(low)} to {format_gbp(high)})."
        )
        if not value.cost_confirmed:
            sentences.append(f"No benefit-cost ratio is published ({COST_NOT_CONFIRMED}).")
        elif value.bcr[1] > 1:
            sentences.append(
                f"That repays the cost even at the low end (benefit-cost ratio "
                f"{value.bcr[0]:.1f}, 95% CI {value.bcr[1]:.1f} to {value.bcr[2]:.1f})."
            )
        else:
            sentences.append(
                f"The benefit-cost ratio is {value.bcr[0]:.1f} (95% CI {value.bcr[1]:.1f} to "
                f"{value.bcr[2]:.1f}): it may or may not repay its cost."
            )
    if homicide:
        sentences.append(
            f"The national homicide estimate ({homicide['per_million']:.2f} fewer per million) "
            f"would be {homicide['averted_a_year']:.1f} homicides a year in Dorset, worth "
            f"{format_gbp(homicide['value'])}: more than the cost on its own, but published "
            "without an interval, and no Dorset evaluation could ever detect it."
        )
    needed = break_even["admissions_per_100k"]
    if needed > sharp_rate:
        sentences.append(
            f"Sharp-object admissions alone cannot repay the cost: breaking even on them needs "
            f"a fall of {needed:.1f} per 100,000, more than Dorset's whole rate of "
            f"{sharp_rate:.1f}."
        )
    else:
        sentences.append(
            f"Breaking even on sharp-object admissions alone needs a fall of {needed:.1f} per "
            f"100,000, out of Dorset's rate of {sharp_rate:.1f}."
        )
    return " ".join(s for s in sentences if s)


def truth_check(finding: Finding) -> str:
    """Whether the interval covers the effect planted in synthetic data ('' on real data)."""
    if finding.truth is None:
        return ""
    est = finding.estimate
    covers = est.ci_low <= finding.truth <= est.ci_high
    return (
        f"The planted value in these synthetic data is {finding.truth:+.2f}, which the "
        f"interval {'covers' if covers else 'misses'}."
    )
