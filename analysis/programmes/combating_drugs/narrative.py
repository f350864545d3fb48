"""Combating Drugs Partnership: every sentence whose wording depends on a result."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ...evidence import Finding
from ...evidence.sms import SMS_SHORT, Check
from ...evidence.vfm import COST_NOT_CONFIRMED, format_gbp
from ...results import Estimate, format_number

if TYPE_CHECKING:
    from .designs import DeathsDetectability
    from .evaluation import Evaluation


def _ratio_words(estimate: Estimate, what: str) -> str:
    """'rose by about 17% (95% CI 8% to 28%)' and its kin, from a rate ratio."""
    low, high = (estimate.ci_low - 1) * 100, (estimate.ci_high - 1) * 100
    interval = f"95% CI {low:+.0f}% to {high:+.0f}%"
    change = (estimate.effect - 1) * 100
    if not estimate.significant:
        return f"{what} showed no clear change ({change:+.0f}%, {interval})"
    verb = "rose" if estimate.effect > 1 else "fell"
    return f"{what} {verb} by about {abs(change):.0f}% ({interval})"


def headline(finding: Finding) -> str:
    """The headline sentence: the change in adults in treatment, its interval and its rating.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(1.17, 1.08, 1.28, 0.001, 16, "rate ratio", "m", "e")
    >>> headline(Finding("q", est, "difference_in_differences"))[:60]
    '**Adults in structured treatment in Dorset rose by about 17%'
    """
    words = _ratio_words(finding.estimate, "Adults in structured treatment in Dorset")
    level = finding.sms_level
    return (
        f"**{words}** after the new funding, against what their own trend and comparable "
        f"authorities' change predict. Evidence: {SMS_SHORT[level]}."
    )


def truth_check(finding: Finding) -> str:
    """Whether the interval covers the planted truth ('' on real data).

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(1.17, 1.08, 1.28, 0.001, 16, "rate ratio", "m", "e")
    >>> truth_check(Finding("q", est, "descriptive", truth=1.2))[:46]
    'The ratio planted in these synthetic data is 1'
    """
    if finding.truth is None:
        return ""
    est = finding.estimate
    covers = est.ci_low <= finding.truth <= est.ci_high
    return (
        f"The ratio planted in these synthetic data is {format_number(finding.truth)}, which "
        f"the interval {'covers' if covers else 'misses'}."
    )


def rating_paragraph(finding: Finding) -> str:
    """How the headline's evidence level was reached, with each check."""
    rating = finding.rating
    lines = [f"**Evidence level: {SMS_SHORT[rating.level]}.** {' '.join(rating.reasons)}".rstrip()]
    for check in finding.checks:
        lines.append(f"- {check.name}: {check.verdict} ({check.detail}).")
    if rating.level < 3:
        lines.append(
            "\nBecause a check failed, the comparison cannot be read as the funding's effect: "
            "the figure is shown with its reason, not as a finding the partnership can rely on."
        )
    if finding.headline_note:
        lines.append(f"\n{finding.headline_note}")
    return "\n".join(lines)


def own_trend_paragraph(own_trend: Estimate, headline_finding: Finding) -> str:
    """Dorset against its own trend alone, and when that reading matters.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(1.2, 1.1, 1.3, 0.001, 12, "rate ratio", "m", "e")
    >>> own_trend_paragraph(est, Finding("q", est, "descriptive"))[:52]
    'Against their own trend alone (no comparison, SMS 2)'
    """
    words = _ratio_words(own_trend, "adults in structured treatment")
    text = f"Against their own trend alone (no comparison, SMS 2), {words}."
    comparators = [c for c in headline_finding.checks if c.name.startswith("comparators")]
    if comparators and comparators[0].passed is False:
        text += (
            " The comparable authorities changed too when the funding began, as they would if "
            "the same national funding reached them: this reading, which includes whatever "
            "the funding did in Dorset, is then the one to weigh, knowing that it also "
            "credits the funding with anything else that changed at the same time."
        )
    else:
        text += (
            " The comparison above is the stronger reading; this one would matter if the "
            "comparable authorities had received the same funding."
        )
    return text


def check_bullets(checks: tuple[Check, ...]) -> str:
    """The checks of a comparison as bullets."""
    return "\n".join(f"- **{c.name}**: {c.verdict}. {c.detail}." for c in checks)


def targets_paragraph(targets: pd.DataFrame) -> str:
    """What the targets table shows, in words.

    Examples
    --------
    >>> table = pd.DataFrame({"verdict": ["above target beyond chance", "not yet published"]})
    >>> targets_paragraph(table)[:40]
    '1 of 2 targets is above target beyond ch'
    """
    counts = targets["verdict"].value_counts()
    total = len(targets)
    parts = []
    for verdict in ("above target beyond chance", "within chance of the target",
                    "below target beyond chance", "not yet published"):  # fmt: skip
        if verdict in counts:
            n = int(counts[verdict])
            parts.append(f"{n} of {total} target{'s' if total != 1 else ''} "
                         f"{'is' if n == 1 else 'are'} {verdict}")  # fmt: skip
    text = "; ".join(parts) + "."
    return (
        text[0].upper() + text[1:] + " A figure within chance of its target cannot be said to "
        "have met or missed it: a year's count varies by chance around the level services "
        "actually reached. Targets are the partnership's own; meeting one says what was "
        "delivered, not what the funding caused."
    )


def chart_paragraph(chart: pd.DataFrame, what: str) -> str:
    """What a control chart shows after its baseline: signals, or common-cause variation.

    Examples
    --------
    >>> chart = pd.DataFrame({"baseline": [True, False], "signal": ["", "above"],
    ...                       "time": pd.to_datetime(["2021-04-01", "2022-04-01"])})
    >>> chart_paragraph(chart, "Adults in treatment")[:45]
    'Adults in treatment: since the funding began,'
    """
    after = chart[~chart["baseline"]]
    signals = after[after["signal"] != ""]
    unstable = bool((chart.loc[chart["baseline"], "signal"] != "").any())
    caution = (
        " The periods before the funding already signal (a trend or a shift), so the limits "
        "describe no stable process and a signal since may continue it."
        if unstable
        else ""
    )
    if after.empty:
        return f"{what}: no period after the baseline is published yet."
    if signals.empty:
        return (
            f"{what}: since the funding began, every period lies within the limits set by the "
            "periods before it, with no run on one side: common-cause variation, no signal of a "
            "change." + caution
        )
    kinds = signals["signal"].value_counts()
    first = pd.Timestamp(signals["time"].iloc[0])
    described = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    return (
        f"{what}: since the funding began, {len(signals)} of {len(after)} periods signal a "
        f"change ({described}), the first in {first:%B %Y}. A signal says something other than "
        "chance changed; it does not say what (the comparison with similar authorities below "
        "asks whether it was the funding)." + caution
    )


def funnel_paragraph(rows: pd.DataFrame, what: str) -> str:
    """Where Dorset's authorities sit among all authorities, raw and shrunk."""
    parts = []
    for authority, row in rows.iterrows():
        flag = row["funnel"]
        where = (
            "within the range chance allows around England"
            if flag == "within"
            else f"{flag} limits around England"
        )
        parts.append(
            f"{authority} is {where} (shrunken estimate {row['shrunken']:g}, "
            f"{row['95% interval']}; rank {row['rank (1 highest)']} of all authorities)"
        )
    return (
        f"{what}: " + "; ".join(parts) + ". Shrinkage pulls each authority towards England by "
        "how little its own figures say, so a rank among the shrunken estimates is steadier "
        "than a league table of raw values."
    )


def deaths_paragraph(power: DeathsDetectability, change: Estimate | None) -> str:
    """What the drug-death figures can and cannot show yet (the MDE and the years needed)."""
    hoped = (1 - power.expected_ratio) * 100
    text = [
        f"About {power.deaths_per_year:.0f} drug deaths a year are registered across Dorset's "
        f"two authorities; they are published pooled over three years."
    ]
    if change is None or power.mde_now is None:
        text.append("No pooled period after the funding began is published yet.")
    else:
        mde_fall = (1 - power.mde_now) * 100
        text.append(
            f"The latest pooled period against the last before the funding could detect only "
            f"a fall of about {mde_fall:.0f}% or more (80% power), and the funding could not "
            f"have changed deaths yet: it is {power.lag_years:g} years or more before treatment "
            "shows in deaths."
        )
    if power.years_needed is None:
        text.append(
            f"Against {power.baseline_years} years of deaths before the funding, even "
            f"unlimited follow-up could detect no fall smaller than about "
            f"{(1 - power.limit_ratio) * 100:.0f}%, so a {hoped:.0f}% fall could never be told "
            "from chance in Dorset alone: it needs pooling with comparable authorities."
        )
    else:
        text.append(
            f"To detect a {hoped:.0f}% fall against the {power.baseline_years} years of deaths "
            f"before the funding would take about {power.years_needed} years from the start of "
            f"the funding ({power.lag_years:g} years' lag, then enough deaths to tell the fall "
            "from chance). **Until then, what the partnership did for drug deaths cannot be "
            "known from Dorset's figures.**"
        )
    return " ".join(text)


def value_paragraph(evaluation: Evaluation) -> str:
    """Value for money in words: the stated assumptions, the break-even and switching values."""
    value = evaluation.value
    reference = evaluation.assumptions.set_index("measure")
    phe = float(reference.loc["return_per_pound_of_treatment", "value_gbp"])
    a = value.averted
    parts = [
        f"Over the first two funded years the comparison implies about "
        f"{format_number(a.point, 2)} more years of adult treatment than Dorset's trend and "
        f"comparable authorities predict (95% CI {format_number(a.low, 2)} to "
        f"{format_number(a.high, 2)})."
    ]
    if value.cost_confirmed:
        parts.append(
            f"Valued at the NTA's crime cost of an addicted person out of treatment, they are "
            f"worth {format_gbp(value.benefit[0])} against {format_gbp(value.cost)}: a "
            f"benefit-cost ratio of {value.bcr[0]:.1f} ({value.bcr[1]:.1f} to "
            f"{value.bcr[2]:.1f}); {value.verdict}."
        )
    else:
        parts.append(
            f"The benefit-cost ratio is not published ({COST_NOT_CONFIRMED}): the partnership "
            f"has not yet confirmed {format_gbp(value.cost)} as the cost of the additional "
            f"treatment."
        )
    share = value.break_even_per_participant
    ratio = 1 / (1 - share) if share < 1 else float("inf")
    unit = evaluation.value_switching.unit_cost
    parts.append(
        f"At that cost the benefits repay it if the funding added at least "
        f"{format_number(value.break_even_outcomes, 2)} years of treatment (a ratio of "
        f"{format_number(ratio)} in the comparison)"
        + (
            f", or if a year out of treatment costs at least {format_gbp(unit)} in crime."
            if unit is not None
            else "."
        )
    )
    parts.append(
        f"The published return on drug treatment, £{phe:.2f} saved for every £1 (PHE 2016), "
        f"would put the funding's benefit at {format_gbp(phe * value.cost)} if it were all "
        "spent on treatment as effective as the treatment behind that figure: an assumption, "
        "not something this evaluation measured."
    )
    return " ".join(parts)


def caveats(evaluation: Evaluation) -> str:
    """The report's caveats as bullets."""
    lines = [
        "- **Every authority got new money.** From Harm to Hope funded treatment across "
        "England from 2022; the comparison estimates Dorset's change beyond comparable "
        "authorities', and says so when they changed too.",
        "- **Management information.** The force's drug-related offending flag depends on "
        "recording officers; drug possession and trafficking counts rise with enforcement, "
        "so they measure police activity, not drug harm.",
        "- **Deaths are small, pooled and lagged**: see what cannot yet be known above.",
        "- **Value for money rests on two published figures stated as assumptions** "
        "(`data/reference/drug_treatment_returns.csv`), both to be checked against their "
        "primary sources; the NTA crime cost is used in its own price year, not uprated.",
    ]
    if evaluation.indicators_source != "the loaded indicators table":
        lines.append(
            f"- Indicators read from the Fingertips export `{evaluation.indicators_source}`."
        )
    lines.extend(f"- {note}" for note in evaluation.notes)
    return "\n".join(lines)
