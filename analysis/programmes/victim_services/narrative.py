"""Victim services: every sentence whose wording depends on a result.

Each function takes the evaluation (or a part of it) and returns Markdown. Shared
sentences (source line, loading notes, the closing line) are in
:mod:`analysis.reporting.narrative`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...errors import ConfigError
from ...evidence import Finding
from ...evidence.sms import describe_level
from ...evidence.vfm import COST_NOT_CONFIRMED, format_gbp
from ...methods.bounds import Bounds
from ...results import Estimate

#: How each matched finding's outcome ends the phrase "the chance of ...", by name.
OUTCOME_WORDS = {
    "repeat": "being victimised again",
    "withdrawal": "withdrawing from the prosecution",
    "charge": "the offence being charged",
}


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def headline(finding: Finding) -> str:
    """The headline sentence: repeat victimisation, its interval and how sure we are.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(0.75, 0.64, 0.88, 0.001, 2000, "hazard ratio", "Cox", "next incident")
    >>> headline(Finding("q", est, "matched_comparison"))[:45]
    '**Supported victims were victimised again les'
    """
    est = finding.estimate
    if not est.significant:
        verdict = (
            "No clear difference in repeat victimisation between supported and matched victims"
        )
    elif est.effect < 1:
        verdict = "Supported victims were victimised again less often than matched victims"
    else:
        verdict = "Supported victims were victimised again more often than matched victims"
    text = (
        f"**{verdict}** (hazard ratio of the next DA incident {est.effect:.2f}, 95% CI "
        f"{est.ci_low:.2f} to {est.ci_high:.2f}). Evidence: {describe_level(finding.sms_level)}."
    )
    # Demoted for want of power: the reason goes with the sentence, so it is not read as
    # a headline (:func:`analysis.evidence.demote_underpowered`).
    return f"{text} *{finding.headline_note}*" if finding.headline_note else text


def _raised(ratio: float) -> tuple[str, str]:
    """A factor raising a chance, as a verb and what follows its object.

    'doubled', 'tripled' or 'raised ... 1.6-fold'.
    """
    rounded = round(ratio, 1)
    if rounded == 2.0:
        return "doubled", ""
    if rounded == 3.0:
        return "tripled", ""
    return "raised", f" {rounded:.1f}-fold"


def _cut(ratio: float) -> tuple[str, str]:
    """The same factor lowering a chance: 'halved', 'cut ... to a third' or 'cut ... 1.6-fold'."""
    rounded = round(ratio, 1)
    if rounded == 2.0:
        return "halved", ""
    if rounded == 3.0:
        return "cut", " to a third"
    return "cut", f" {rounded:.1f}-fold"


def _hidden_difference(ratio: float, outcome: str, falls: bool) -> str:
    """What a hidden difference of strength ``ratio`` (an E-value) would have to do."""
    support_verb, support_tail = _raised(ratio)
    outcome_verb, outcome_tail = (_cut if falls else _raised)(ratio)
    return (
        f"{support_verb} their chance of being supported{support_tail} and {outcome_verb} "
        f"their chance of {outcome}{outcome_tail}"
    )


def unmeasured_confounding(finding: Finding, outcome: str) -> str:
    """What a matched finding rests on, and how big a hidden difference would undo it.

    Said plainly for a reader without statistics: the comparison holds only if
    supported and unsupported victims with the same recorded risk and history would
    otherwise have fared alike (no unmeasured confounding), which no check of the data
    can show. The E-value becomes a hidden difference that multiplies both the chance
    of being supported and the chance of ``outcome`` by the same factor; Rosenbaum's
    Gamma becomes the odds of support between two victims who look alike on the record.

    Parameters
    ----------
    finding : Finding
        A matched or Cox finding; its ``extra`` may hold ``e_value``, ``e_value_ci``,
        ``rosenbaum_gamma`` and ``rosenbaum_pairs`` (:func:`.findings.sensitivity_extra`).
    outcome : {"repeat", "withdrawal", "charge"}
        The finding's outcome (:data:`OUTCOME_WORDS` gives its words).

    Raises
    ------
    ConfigError
        For an outcome not in :data:`OUTCOME_WORDS`.

    Examples
    --------
    >>> est = Estimate(0.6, 0.5, 0.72, 0.001, 600, "hazard ratio", "cox", "next incident")
    >>> text = unmeasured_confounding(Finding("q", est, "matched_comparison",
    ...     extra={"e_value": 2.0, "e_value_ci": 1.6}), "repeat")
    >>> "doubled their chance of being supported and halved their chance of being" in text
    True
    >>> "raised their chance of being supported 1.6-fold and cut their chance" in text
    True
    """
    if outcome not in OUTCOME_WORDS:
        raise ConfigError(
            f"unknown outcome {outcome!r} for the unmeasured-confounding sentence; use one "
            f"of {sorted(OUTCOME_WORDS)}"
        )
    assumption = (
        "**This comparison rests on an assumption no data can check:** that supported and "
        "unsupported victims with the same recorded risk and history would otherwise have "
        "fared alike (no unmeasured confounding). If something the records do not hold, "
        "such as a safe support network or readiness to engage, makes victims both likelier "
        "to be supported and likelier to do well, the comparison credits support with it."
    )
    point, limit = finding.extra.get("e_value"), finding.extra.get("e_value_ci")
    parts = [assumption]
    if point is not None:
        # A confounder explains a fall away by lowering the outcome among the supported,
        # a rise by raising it: say the direction the estimate points.
        falls = finding.estimate.effect < finding.estimate.null_value
        words = OUTCOME_WORDS[outcome]
        whole = (
            "A hidden difference between supported and unsupported victims that "
            f"{_hidden_difference(point, words, falls)} would explain the whole estimate away"
        )
        if limit is None or limit <= 1:
            parts.append(
                f"{whole}; and the interval already includes no difference, so no hidden "
                "difference at all is needed to make it unclear."
            )
        else:
            parts.append(
                f"{whole}; one that {_hidden_difference(limit, words, falls)} would be "
                "enough to make it unclear. The larger these factors, the stronger the result."
            )
    pairs, gamma = finding.extra.get("rosenbaum_pairs"), finding.extra.get("rosenbaum_gamma")
    if pairs and gamma is not None:
        parts.append(
            f"In the {pairs:,} matched pairs, two victims who look alike on the record would "
            f"need to differ by a hidden factor making one {gamma:.1f} times as likely as "
            "the other to be supported before the difference stopped being clear (Rosenbaum "
            f"bound, Gamma {gamma:.2f})."
        )
    elif pairs:
        parts.append(
            f"In the {pairs:,} matched pairs the difference is not clear even with no hidden "
            "difference at all (Rosenbaum bound)."
        )
    return " ".join(parts)


def rating_reasons(finding: Finding) -> str:
    """Why a finding's evidence rating is below its design's ('' when it is not).

    Examples
    --------
    >>> from analysis.evidence import Check
    >>> est = Estimate(-8.0, -12.0, -4.0, 0.001, 2000, "percentage points", "m", "e")
    >>> rating_reasons(Finding("q", est, "matched_comparison",
    ...     checks=[Check("comparison group not supported later", False, "19%")]))[:33]
    '*Evidence rating lowered.* Lowere'
    """
    reasons = finding.rating.reasons
    if not reasons:
        return ""
    return "*Evidence rating lowered.* " + " ".join(reasons)


def for_whom(result: Any, label: str) -> str:
    """Whether the repeat hazard ratio differs by a characteristic, from its interaction test.

    ``result`` is a :class:`~.designs.ForWhom`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> table = pd.DataFrame({"hazard ratio": [0.7, None]}, index=["25-34", "16-17"])
    >>> for_whom(SimpleNamespace(table=table, p_value=0.4), "age band")[:46]
    'No clear difference in the effect by age band '
    """
    shown = int(result.table["hazard ratio"].notna().sum())
    hidden = len(result.table) - shown
    withheld = (
        f" No estimate is published for {hidden} group{'s' if hidden != 1 else ''}: too "
        "few pairs or repeat incidents, or too little variation in risk and history to "
        "fit the model there."
        if hidden
        else ""
    )
    if result.p_value is None:
        return f"Too few groups by {label} to compare the effect between them.{withheld}"
    if result.p_value < 0.05:
        verdict = f"**The effect on repeat victimisation differed by {label}**"
    else:
        verdict = f"No clear difference in the effect by {label}"
    return (
        f"{verdict} (test that the hazard ratio is the same in all {shown} groups shown: "
        f"p = {result.p_value:.2f}). Groups are small: read a single group's interval, "
        f"not its point estimate.{withheld}"
    )


def truth_check(finding: Finding) -> str:
    """Whether the interval covers the value planted in synthetic data ('' on real data)."""
    if finding.truth is None:
        return ""
    est = finding.estimate
    covers = est.ci_low <= finding.truth <= est.ci_high
    return (
        f"In these synthetic data the planted value is {finding.truth:.3g}, which the interval "
        f"({est.ci_low:.3g} to {est.ci_high:.3g}) {'covers' if covers else 'misses'}."
    )


def bounds_truth_check(bounds: Bounds, truth: float | None, scale: float = 1.0) -> str:
    """Whether bounds' interval covers the value planted in synthetic data ('' on real data).

    ``scale`` converts the truth to the bounds' scale (0.01 for a truth in points).
    """
    if truth is None:
        return ""
    covers = bounds.contains(truth * scale)
    return (
        f"The planted value, {truth * scale:.3g}, lies "
        f"{'inside' if covers else 'outside'} the bounds' interval "
        f"({bounds.ci_low:.3g} to {bounds.ci_high:.3g})."
    )


def naive_against_matched(naive: Estimate, matched: Estimate, what: str) -> str:
    """How far the naive comparison is from the matched one, and whether it points the wrong way.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> n = Estimate(1.1, 1.0, 1.2, 0.04, 4000, "hazard ratio", "Cox", "e")
    >>> m = Estimate(0.75, 0.64, 0.88, 0.001, 2000, "hazard ratio", "Cox", "e")
    >>> "points the wrong way" in naive_against_matched(n, m, "repeat victimisation")
    True
    """
    null = matched.null_value
    opposite = (naive.effect - null) * (matched.effect - null) < 0
    if opposite:
        return (
            f"The naive comparison of {what} points the wrong way: "
            f"{naive.effect:.3g} against {matched.effect:.3g} once supported victims are "
            "compared with victims of the same risk and history. Higher-risk victims are "
            "referred more, and they are also the ones more often victimised again."
        )
    if abs(naive.effect - matched.effect) > abs(matched.effect - null) / 2:
        return (
            f"The naive comparison of {what} ({naive.effect:.3g}) differs markedly from the "
            f"matched one ({matched.effect:.3g}): selection into support moves it."
        )
    return (
        f"The naive ({naive.effect:.3g}) and matched ({matched.effect:.3g}) comparisons of "
        f"{what} agree closely here; the matched one is still the one to quote."
    )


def criminal_justice(result: Any) -> str:
    """The matched effect on a criminal justice outcome.

    What it rests on and how strong a hidden difference would have to be to undo it
    follow in :func:`unmeasured_confounding`. ``result`` is an
    :class:`~.evaluation.CriminalJustice`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> est = Estimate(-8.0, -12.0, -4.0, 0.001, 2000, "percentage points", "m", "e")
    >>> criminal_justice(SimpleNamespace(outcome="Victim withdrawal", matched=est))[:50]
    '**Victim withdrawal was less common for supported '
    """
    est = result.matched
    if not est.significant:
        verdict = f"No clear difference in {result.outcome.lower()}"
    elif est.effect < 0:
        verdict = f"{result.outcome} was less common for supported victims"
    else:
        verdict = f"{result.outcome} was more common for supported victims"
    return (
        f"**{verdict}** ({est.effect:+.1f} points, 95% CI {est.ci_low:+.1f} to "
        f"{est.ci_high:+.1f}, supported victims against matched victims not supported)."
    )


def service_change(estimate: Estimate, what: str, unit: str) -> str:
    """The step change in a monthly series at the move to the pan-Dorset IDVA service.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(-3.0, -3.6, -2.4, 0.001, 24, "difference", "ITS", "e")
    >>> service_change(est, "days from referral to first contact", "days")[:30]
    '**Days from referral to first '
    """
    if not estimate.significant:
        verdict = "showed no clear change"
    elif estimate.effect < 0:
        verdict = "fell"
    else:
        verdict = "rose"
    return (
        f"**{what[:1].upper()}{what[1:]} {verdict}** at the move to the pan-Dorset IDVA "
        f"service ({estimate.effect:+.1f} {unit}, 95% CI {estimate.ci_low:+.1f} to "
        f"{estimate.ci_high:+.1f}; interrupted time series, no comparison series)."
    )


def exit_outcome(result: Any) -> str:
    """The complete-case share at exit beside its worst and best case bounds.

    ``result`` is a :class:`~.designs.ExitOutcome`.
    """
    bounds = result.bounds
    share = result.complete_case.effect
    missing = bounds.diagnostics["missing_share"]
    if missing == 0:
        return (
            f"Every closed case was asked; {_pct(share)} said the abuse had ceased, and "
            "no bounds are needed."
        )
    return (
        f"Of the cases asked at exit, **{_pct(share)}** said the abuse had ceased; but "
        f"{_pct(missing)} of closed cases were not asked (most had disengaged). If none of "
        f"them had seen the abuse stop, the share would be {_pct(bounds.lower)}; if all had, "
        f"{_pct(bounds.upper)}. The true share lies in that range (95% CI "
        f"{_pct(bounds.ci_low)} to {_pct(bounds.ci_high)}); the complete-case figure is its "
        "upper reading when those who disengage fare worse."
    )


def exit_change(bounds: Bounds) -> str:
    """Lee bounds on the change in abuse ceased after the service change (IDVA cases)."""
    low, high = bounds.lower * 100, bounds.upper * 100
    trimmed = bounds.diagnostics["trimming_share"]
    if bounds.ci_low > 0:
        verdict = "rose after the move to the pan-Dorset service, even at its lower bound"
    elif bounds.ci_high < 0:
        verdict = "fell after the move to the pan-Dorset service, even at its upper bound"
    else:
        verdict = "may have risen or fallen after the move to the pan-Dorset service"
    return (
        f"Among IDVA victims whose exit would be recorded either way, the share with abuse "
        f"ceased **{verdict}**: Lee bounds {low:+.1f} to {high:+.1f} points (95% CI "
        f"{bounds.ci_low * 100:+.1f} to {bounds.ci_high * 100:+.1f}), against "
        f"{bounds.complete_case * 100:+.1f} points from the recorded exits alone; "
        f"{trimmed:.0%} of the better-recorded period's exits were trimmed."
    )


def capacity(table: pd.DataFrame) -> str:
    """Caseload and MARAC volume against the published benchmarks."""
    sentences = []
    for measure, row in table.iterrows():
        if row["Dorset"] > row["benchmark"] * 1.1:
            relation = "above"
        elif row["Dorset"] < row["benchmark"] * 0.9:
            relation = "below"
        else:
            relation = "close to"
        sentences.append(
            f"{measure}: {row['Dorset']:.0f}, {relation} the benchmark of {row['benchmark']:.0f}."
        )
    return " ".join(sentences)


def value_for_money(value: Any) -> str:
    """What the funding buys in repeat victims averted, and the switching values.

    While the cost is unconfirmed, only the break-even point is given (no ratio).

    ``value`` is an :class:`analysis.evidence.vfm.ValueForMoney`.
    """
    averted = value.averted
    low, point, high = value.bcr[1], value.bcr[0], value.bcr[2]
    if averted is None or averted.point <= 0:
        return (
            f"No repeat victimisation was averted by the estimate, so the {format_gbp(value.cost)} "
            "is not repaid in prevented repeats; its case rests on the service's other outcomes."
        )
    if not value.cost_confirmed:
        # No ratio until the cost is confirmed; the break-even point still says what the
        # service would have to achieve at the stated cost.
        return (
            f"The {format_gbp(value.cost)} is not yet confirmed as the service's full cost, so "
            f"no benefit-cost ratio is published ({COST_NOT_CONFIRMED}). At that cost it would "
            f"break even if {value.break_even_outcomes:.0f} repeat victims were averted "
            f"(estimate {averted.point:.0f}, 95% CI {averted.low:.0f} to {averted.high:.0f})."
        )
    if low > 1:
        verdict = "repays its cost in prevented repeats even at the low end of the interval"
    elif high < 1:
        verdict = "does not repay its cost in prevented repeats"
    else:
        verdict = "may or may not repay its cost in prevented repeats"
    switching = value.cost / averted.point
    return (
        f"On the stated assumption, the {format_gbp(value.cost)} **{verdict}** (benefit-cost "
        f"ratio {point:.1f}, 95% CI {low:.1f} to {high:.1f}). Switching values: it breaks even "
        f"if {value.break_even_outcomes:.0f} repeat victims are averted (estimate "
        f"{averted.point:.0f}), or if a prevented repeat is worth {format_gbp(switching)} "
        f"rather than {format_gbp(value.unit_cost.value)}."
    )


def repeat_figure_title(matched: Estimate) -> str:
    """Title of the Kaplan-Meier figure, saying what it shows."""
    if not matched.significant:
        return "Time to the next DA incident: no clear difference with support"
    if matched.effect < 1:
        return "Supported victims went longer before the next DA incident"
    return "Supported victims were victimised again sooner"
