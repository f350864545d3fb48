"""Op Soteria Bluestone: every sentence whose wording depends on a result."""

from __future__ import annotations

from ...evidence import Finding
from ...evidence.sms import describe_level
from ...evidence.vfm import format_gbp
from ...results import Estimate, format_p_value

#: Monthly charge counts vary this much by chance alone when their mean is m: sqrt(m).
_POISSON = "a Poisson count with that mean"


def _points(value: float) -> str:
    return f"{value * 100:+.1f}"


def headline(estimate: Estimate, sms_level: int, followup_days: int = 365) -> str:
    """The headline sentence: the change in the share charged, its interval and strength.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> headline(Estimate(0.03, 0.01, 0.05, 0.01, 900, "difference", "m", "e"), 1)[:33]
    '**More adult rape reports now end'
    """
    if not estimate.significant:
        verdict = "No clear change in how often adult rape reports end in charge"
    elif estimate.effect > 0:
        verdict = "More adult rape reports now end in charge"
    else:
        verdict = "Fewer adult rape reports now end in charge"
    return (
        f"**{verdict}** within {followup_days} days of report: "
        f"{_points(estimate.effect)} percentage points (95% CI {_points(estimate.ci_low)} to "
        f"{_points(estimate.ci_high)}), reports since adoption against reports before. "
        f"Evidence: {describe_level(sms_level)}; national trends are not removed."
    )


def truth_check(finding: Finding) -> str:
    """Whether the interval covers the effect planted in synthetic data ('' on real data)."""
    if finding.truth is None:
        return ""
    est = finding.estimate
    covers = est.ci_low <= finding.truth <= est.ci_high
    shown = (
        f"{finding.truth:.2f}"
        if est.scale == "hazard ratio"
        else f"{finding.truth * 100:+.1f} points"
    )
    return (
        f"The planted value in these synthetic data is {shown}, which the interval "
        f"{'covers' if covers else 'misses'}."
    )


def sooner(estimate: Estimate) -> str:
    """The cause-specific hazard ratio of charge in words."""
    if not estimate.significant:
        verdict = "no clear change in the pace of charging among cases still open"
    elif estimate.effect > 1:
        verdict = "cases still open are charged at a faster rate than before"
    else:
        verdict = "cases still open are charged at a slower rate than before"
    return (
        f"Since adoption {verdict} (cause-specific hazard ratio {estimate.effect:.2f}, 95% CI "
        f"{estimate.ci_low:.2f} to {estimate.ci_high:.2f}; closures counted as ending the case)."
    )


def withdrawal(estimate: Estimate, early: Estimate) -> str:
    """Withdrawal within the follow-up, and how early it happens."""
    if not estimate.significant:
        verdict = "No clear change in the share of victims withdrawing support"
    elif estimate.effect < 0:
        verdict = "Fewer victims withdraw support"
    else:
        verdict = "More victims withdraw support"
    return (
        f"{verdict}: {_points(estimate.effect)} percentage points (95% CI "
        f"{_points(estimate.ci_low)} to {_points(estimate.ci_high)}) of adult rape reports "
        f"ending in outcome 14 or 16 within the follow-up. Of the withdrawals recorded, "
        f"{early.effect:.0%} (95% CI {early.ci_low:.0%} to {early.ci_high:.0%}) came within "
        "30 days of report: support in the first month matters most."
    )


def team(comparison) -> str:
    """The specialist-team difference-in-differences and its pre-adoption check."""
    estimate = comparison.estimate
    p = comparison.pre_trend_p
    if p is None:
        check = (
            "The gap between the teams before adoption could not be checked (fewer than two "
            "pre-adoption years with enough cases), so the comparison is rated SMS 2."
        )
    elif comparison.parallel_before:
        check = (
            "Before adoption the gap between the teams was steady from year to year "
            f"(p = {format_p_value(p)}), which supports the comparison (SMS 3)."
        )
    else:
        check = (
            "Before adoption the gap between the teams changed from year to year "
            f"(p = {format_p_value(p)}), so the comparison is rated SMS 2."
        )
    verdict = "rose more" if estimate.effect > 0 else "rose less"
    if not estimate.significant:
        verdict = "did not clearly change differently"
        return (
            f"The specialist team's share charged {verdict} from other teams' "
            f"({_points(estimate.effect)} points, 95% CI {_points(estimate.ci_low)} to "
            f"{_points(estimate.ci_high)}). {check}"
        )
    return (
        f"The specialist team's share charged {verdict} than other teams' "
        f"({_points(estimate.effect)} points, 95% CI {_points(estimate.ci_low)} to "
        f"{_points(estimate.ci_high)}). {check}"
    )


def rates_differ(rates) -> str:
    """Why the period rate and the cohort rate differ, from the latest year of report."""
    latest = rates.iloc[-1]
    return (
        f"Of the {int(latest['reported']):,} adult rapes reported in {rates.index[-1]}, "
        f"{int(latest['still_open']):,} "
        "are still open: their cohort rate will rise as they reach an outcome, so recent "
        "cohorts look worse than they will be. The period rate (charges assigned in a year "
        "over outcomes assigned in it) mixes crimes reported years apart, and charges per "
        "report fall whenever reports rise. Only the cohort view, with open cases censored, "
        "follows the same crimes from report to outcome."
    )


def monthly_noise(monthly) -> str:
    """How noisy monthly charge counts are."""
    counts = monthly["charges"]
    mean = float(counts.mean())
    return (
        f"Adult rape charges average {mean:.1f} a month (from {int(counts.min())} to "
        f"{int(counts.max())}); by chance alone a month typically varies by about "
        f"{mean**0.5:.1f} either way ({_POISSON}), so a good or bad month says little."
    )


def value(value_of_charges) -> str:
    """Extra charges with their interval, and what prevented reoffending would be worth."""
    v = value_of_charges
    point, low, high = v.extra_charges
    if low <= 0 <= high:
        return (
            f"The interval for extra charges among the {v.crimes:,} adult rapes reported since "
            f"adoption runs from {low:,.0f} to {high:,.0f}, including none, so no value is "
            "claimed."
        )
    return (
        f"Among the {v.crimes:,} adult rapes reported since adoption, about {point:,.0f} more "
        f"were charged within the follow-up than before-adoption rates imply (95% CI "
        f"{low:,.0f} to {high:,.0f}). If each extra charge prevented "
        f"{v.offences_prevented_per_charge:g} further rape (an assumption: no published "
        f"figure), that would be worth {format_gbp(v.value[0])} ({format_gbp(v.value[1])} to "
        f"{format_gbp(v.value[2])}) at {format_gbp(v.unit_cost)} a rape in {v.price_year} "
        f"prices (Home Office unit cost, Heeks et al. 2018, uprated), of which police costs "
        f"are {format_gbp(v.police_cost)}."
    )


def headline_status(finding: Finding) -> str:
    """Why the headline is not on the scorecard, or that its checks passed ('' if none ran)."""
    if finding.headline_note:
        return f"**{finding.headline_note}**"
    if any(check.passed is True for check in finding.checks):
        passed = ", ".join(check.name for check in finding.checks if check.passed is True)
        return f"Its checks passed ({passed}), so it stays the headline at SMS 1."
    return ""


def across_forces(forces) -> str:
    """The staggered difference-in-differences over the adoption waves, in words."""
    if forces.staggered is None:
        return f"No across-forces estimate could be made: {forces.staggered_reason}."
    est = forces.staggered
    cohorts = "; ".join(
        f"{row.adoption_quarter}: {row.forces}" for row in forces.cohorts.itertuples()
    )
    if not est.significant:
        verdict = "showed no clear change in their charge share"
    elif est.effect > 0:
        verdict = "charged a larger share of adult rape outcomes"
    else:
        verdict = "charged a smaller share of adult rape outcomes"
    return (
        f"Forces of the earlier waves ({cohorts}) {verdict} after adopting than forces not yet "
        f"adopting: {_points(est.effect)} percentage points (95% CI {_points(est.ci_low)} to "
        f"{_points(est.ci_high)}). Every force adopted in the end, so the comparison stops "
        "the quarter before the last wave adopted: this is the earlier waves' change, "
        "evidence about the model, not a measure of Dorset's."
    )


def synthetic_control(forces) -> str:
    """Dorset against its synthetic control, or why it could not be built."""
    if forces.synthetic is None:
        return (
            f"**No synthetic control of Dorset:** {forces.synthetic_reason}. It becomes "
            "possible if Dorset adopted earlier than the adoption table's other forces (the "
            "`adoption_date` parameter) or if their dates turn out later when confirmed."
        )
    est = forces.synthetic
    quarters = int(est.details["gaps"]["post"].sum())
    if not forces.synthetic_bounded:
        return (
            f"Dorset's charge share was {_points(est.effect)} percentage points from its "
            f"synthetic control (built from {len(forces.donors)} forces not yet adopting) on "
            f"average over the {quarters} quarter(s) before the first of them adopted, but "
            "with so few quarters the 95% interval has no bounds: no conclusion can be drawn."
        )
    direction = (
        "no clear difference from"
        if not est.significant
        else "above"
        if est.effect > 0
        else "below"
    )
    return (
        f"After adoption Dorset's charge share was {direction} its synthetic control, built "
        f"from {len(forces.donors)} forces not yet adopting: {_points(est.effect)} percentage "
        f"points on average (95% CI {_points(est.ci_low)} to {_points(est.ci_high)})."
    )


def national_change(forces) -> str:
    """What forces that had adopted earlier did at Dorset's adoption."""
    shift = forces.national_shift
    if shift is None:
        return (
            f"The national change at adoption could not be checked: {forces.national_shift_reason}."
        )
    if not shift.significant:
        return (
            "Forces that had adopted earlier showed no clear change in their charge share at "
            f"Dorset's adoption ({_points(shift.effect)} points, 95% CI "
            f"{_points(shift.ci_low)} to {_points(shift.ci_high)}): no sign of a national "
            "change arriving at the same time."
        )
    way = "a rise" if shift.effect > 0 else "a fall"
    return (
        f"**Forces that had adopted earlier also saw {way} in their charge share at Dorset's "
        f"adoption** ({_points(shift.effect)} points, 95% CI "
        f"{_points(shift.ci_low)} to {_points(shift.ci_high)}): something national changed "
        "then, which a before/after comparison in Dorset alone would take for Soteria."
    )


def recording(step) -> str:
    """Whether monthly reports stepped at adoption beyond their trend."""
    if step is None:
        return ""
    if step.ci_low <= 1 <= step.ci_high:
        return (
            f"Monthly adult rape reports show no step at adoption beyond their trend (ratio "
            f"{step.effect:.2f}, 95% CI {step.ci_low:.2f} to {step.ci_high:.2f})."
        )
    return (
        f"Monthly adult rape reports were {step.effect:.2f} times their trend from adoption "
        f"(95% CI {step.ci_low:.2f} to {step.ci_high:.2f}): if what is recorded as a crime "
        "changed then, the cohorts after adoption hold different cases from those before."
    )


def placebo(estimate) -> str:
    """The before/after at a date a year before adoption, in words."""
    if estimate is None:
        return ""
    if estimate.ci_low <= 0 <= estimate.ci_high:
        return (
            "A placebo adoption a year early, on reports made before adoption, finds no "
            f"change ({_points(estimate.effect)} points, 95% CI {_points(estimate.ci_low)} to "
            f"{_points(estimate.ci_high)}): the series was not already moving."
        )
    return (
        "**A placebo adoption a year early finds a change** in reports made before adoption "
        f"({_points(estimate.effect)} points, 95% CI {_points(estimate.ci_low)} to "
        f"{_points(estimate.ci_high)}): the share charged was already moving before Soteria, "
        "so the before/after comparison cannot be taken for its effect."
    )
