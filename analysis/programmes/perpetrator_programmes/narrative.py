"""Perpetrator programmes: every sentence of the report whose wording depends on a result.

Each function takes the :class:`~.evaluation.Evaluation` (or a part of it) and returns
Markdown, or plain text for a figure's title or note. The sentences every programme's
report shares (the source line, loading notes, the closing line) are in
:mod:`analysis.reporting.narrative`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...evidence import Finding, vfm
from ...evidence.disclosure import suppress_count
from ...evidence.multiplicity import holm_by_name
from ...evidence.sms import describe_level
from ...methods import mde
from ...results import Estimate, format_number
from . import findings as programme_findings
from .tables import FOR_WHOM, completion_by_prior_incidents, incomplete_participants

if TYPE_CHECKING:
    import pandas as pd

    from .evaluation import Evaluation


def effect_headline(subject: str, estimate: Estimate, *, fewer: str, more: str) -> str:
    """A figure title stating a finding from its estimate (never hard-coded).

    Parameters
    ----------
    subject : str
        Who or what the finding is about ("Drive participants").
    estimate : Estimate
    fewer, more : str
        Words for a significant fall and rise ("reoffended less", "reoffended more").

    Examples
    --------
    >>> est = Estimate(-12.0, -20.0, -4.0, 0.003, 400, "percentage points", "m", "e")
    >>> effect_headline("Drive participants", est, fewer="reoffended less",
    ...                 more="reoffended more")
    'Drive participants reoffended less: -12.0 percentage points (95% CI -20.0 to -4.0)'
    """
    if not estimate.significant:
        verb = "showed no clear difference"
    else:
        verb = fewer if estimate.effect < estimate.null_value else more
    return f"{subject} {verb}: {estimate.describe_effect()}"


# ---------------------------------------------------------------------------- data and process
def data_paragraph(evaluation: Evaluation) -> str:
    """What the extract holds: people, crimes, spending years and training scores."""
    data = evaluation.data
    people, offences = data["people"], data["offences"]
    referred = int(people["programme"].ne("none").sum())
    return (
        f"The extract was taken on **{data.extract_date:%d %B %Y}**. It holds "
        f"**{len(people):,}** DA perpetrators identified between "
        f"{people['identified_date'].min():%B %Y} and {people['identified_date'].max():%B %Y} "
        f"(of whom {referred:,} were referred to a programme), "
        f"**{len(offences):,}** crimes recorded against them from "
        f"{offences['offence_date'].min():%B %Y}, spending for "
        f"{data['programme_costs']['financial_year'].nunique()} financial years, and "
        f"**{len(data['training_scores']):,}** practitioners' training scores."
    )


def left_out_of_twelve_months(evaluation: Evaluation) -> str:
    """Who the 12-month outcomes and the training comparison leave out (counts suppressed)."""
    threshold = evaluation.params.suppression_threshold
    incomplete = {
        name: suppress_count(incomplete_participants(cohort), threshold)
        for name, cohort in evaluation.cohorts.items()
    }
    missing_after = int(evaluation.data["training_scores"]["score_after"].isna().sum())
    return (
        "The 12-month outcomes use only people whose whole year of follow-up had passed by the "
        f"extract date: recent starters ({incomplete['Drive']} "
        f"Drive and {incomplete['Up2U']} Up2U participants) "
        "are left out of them rather than counted as not reoffending, and are kept (censored at "
        "the extract date) in the time-to-reoffence analysis. "
        f"{suppress_count(missing_after, threshold)} practitioners did not return the "
        "post-training questionnaire and are left out of the training comparison."
    )


def funnel_note(evaluation: Evaluation, programme: str) -> str:
    """The note under a programme's funnel: the referrals it counts."""
    first = evaluation.data["people"]["referral_date"].min()
    return f"{programme}: all referrals {first:%B %Y} to the extract date."


def attrition_heading(programme: str, label: str) -> str:
    """The heading above one attrition table (``label``: what it is split by)."""
    return (
        f"**{programme}: referral, start and completion by {label}** (rates in %; "
        "start rate among referrals no longer awaiting a start; completion "
        "rate among those who completed or left)"
    )


def completion_line(split) -> str:
    """One programme's completion by prior incidents, and whether more incidents meant dropping out.

    ``split`` is a :class:`~.tables.CompletionByPriorIncidents`.
    """
    if not split.comparable:
        return f"- **{split.programme}**: too few people in one of the groups to compare."
    reading = (
        ": people with more prior incidents dropped out more often."
        if split.rate_many < split.rate_few
        else ": they were no more likely to drop out."
    )
    return (
        f"- **{split.programme}**: of those who finished, {split.rate_few:.0%} of people with "
        f"fewer than four prior DA incidents completed, against {split.rate_many:.0%} of those "
        f"with four or more ({split.people_many} people)" + reading
    )


def completion_by_incidents(evaluation: Evaluation) -> str:
    """Completion by DA incidents before referral, one bullet per programme."""
    people = evaluation.data["people"]
    threshold = evaluation.params.suppression_threshold
    lines = [
        completion_line(completion_by_prior_incidents(people, name, threshold=threshold))
        for name in evaluation.programmes
    ]
    return "Completion by DA incidents before referral:\n\n" + "\n".join(lines)


# ---------------------------------------------------------------------------- reoffending
def balance_title(evaluation: Evaluation, programme: str) -> str:
    """A balance plot's title, quoting the largest standardised difference after matching."""
    largest = evaluation.reoffending[programme].balance.diagnostics["max_abs_smd_after"]
    return (
        f"{programme}: after matching, the largest standardised difference is "
        f"{largest:.2f} (below 0.1 reads as balanced)"
    )


def balance_note(evaluation: Evaluation, programme: str) -> str:
    """The note under a balance plot: who was matched to whom, and how."""
    return (
        f"{programme} participants against never-referred people of DASH "
        f"{'/'.join(evaluation.risk_levels[programme])} risk; 1:1 nearest-neighbour matching on "
        "the logit propensity score without replacement."
    )


#: Labels of the target-trial rows of the reoffending forest plot.
TARGET_TRIAL_LABEL = "Target trial: matched at the same time since identification (primary)"
INTENTION_TO_TREAT_LABEL = "Intention to treat: everyone referred, target trial"


def reoffending_rows(evaluation: Evaluation) -> list[tuple[str, Estimate, str]]:
    """(label, estimate, programme) rows of the reoffending forest plot and table."""
    rows = []
    for name in evaluation.programmes:
        rows += [
            (
                label.replace("Propensity-matched", "Matched, comparisons from identification"),
                est,
                name,
            )
            for label, est in evaluation.reoffending[name].as_rows()
        ]
        rows += [
            (TARGET_TRIAL_LABEL, evaluation.target_trial[name], name),
            (INTENTION_TO_TREAT_LABEL, evaluation.intention_to_treat[name], name),
        ]
    return rows


def reoffending_title(evaluation: Evaluation) -> str:
    """The reoffending forest plot's title: Drive's target-trial effect."""
    return effect_headline(
        "Against never-referred people matched at the same time since identification, "
        "Drive participants",
        evaluation.target_trial["Drive"],
        fewer="reoffended less",
        more="reoffended more",
    )


def reoffending_note(evaluation: Evaluation) -> str:
    """The note under the reoffending forest plot."""
    return (
        f"Difference in the share committing a DA crime within {evaluation.params.followup_days} "
        "days, participants minus comparison, percentage points; complete follow-up windows only. "
        "Target trial: comparisons followed from the same time after identification as their "
        "participant's start (or referral)."
    )


def reoffending_summary(evaluation: Evaluation, programme: str) -> str:
    """The target-trial 12-month reoffending finding of one programme, with its evidence."""
    primary = programme_findings.reoffending_findings(evaluation, programme)[0]
    return f"**{programme}.** " + primary.summary()


def reoffending_designs(evaluation: Evaluation, programme: str) -> str:
    """The other designs beside the target trial, and the smallest difference it could detect."""
    result = evaluation.reoffending[programme]
    detectable = mde(evaluation.target_trial[programme])
    return (
        "Following the matched comparisons from identification instead (participants from "
        f"their start) gives {result.matched.describe_effect()}: offending that runs high "
        "soon after identification then falls more on the comparisons. Counting everyone "
        "referred, started or not, from the referral (intention to treat) gives "
        f"{evaluation.intention_to_treat[programme].describe_effect()}. "
        f"The naive comparison gives {result.naive.describe_effect()}; against never-referred "
        f"people of the same risk level without matching, {result.same_risk.describe_effect()}; "
        f"inverse probability weighting (a check on the matching) gives "
        f"{result.ipw.describe_effect()}. The target trial could detect a difference of "
        f"about {format_number(detectable, 2)} percentage points with 80% power."
    )


# ---------------------------------------------------------------------------- for whom
def for_whom(evaluation: Evaluation) -> str:
    """The target trial's effect by sex, age band and ethnicity: what can and cannot be said.

    One sentence per programme and characteristic from its interaction test and the
    groups not estimated, a sentence on the people whose characteristic is not
    recorded and how they are treated, and why no group result is a headline.
    """
    threshold = evaluation.params.suppression_threshold
    parts = [
        "**For whom.** The target trial's 12-month reoffending effect was estimated within "
        "each group of participants (against the comparisons matched to them) by sex, age "
        "band and ethnicity."
    ]
    adjusted = holm_by_name(
        {
            (programme, by): table.attrs.get("heterogeneity_p_value")
            for programme, breakdowns in evaluation.for_whom.items()
            for by, table in breakdowns.items()
            if table is not None
        }
    )
    for programme, breakdowns in evaluation.for_whom.items():
        for by, words in FOR_WHOM.items():
            parts.append(
                _for_whom_sentence(
                    programme, breakdowns.get(by), words, threshold, adjusted.get((programme, by))
                )
            )
    gaps = evaluation.not_recorded
    recorded = [
        f"{words} for {suppress_count(gaps.loc[words, 'not_recorded'], threshold)}"
        for words in gaps.index
        if gaps.loc[words, "handling"].startswith("kept") and gaps.loc[words, "not_recorded"] > 0
    ]
    if recorded:
        parts.append(
            "Not recorded: "
            + ", ".join(recorded)
            + f" of the {int(gaps['people'].iloc[0]):,} people identified. They are kept as a "
            "group of their own, never dropped; age band is a matching covariate, and a blank "
            "one enters the models as a category of its own (a missing indicator) rather than "
            "as the reference band or by dropping the person. Whether a characteristic is "
            "recorded can depend on what it is, so the 'not recorded' group is not a random "
            "sample of the others."
        )
    parts.append(
        "No group result is a headline: the groups are small, their intervals wide, and "
        "with several groups one interval in twenty misses by chance alone; read the overall "
        "estimate, and a difference between groups only where its interaction test finds one."
    )
    return " ".join(parts)


def _for_whom_sentence(
    programme: str,
    table: pd.DataFrame | None,
    words: str,
    threshold: int,
    adjusted: tuple[float, int] | None = None,
) -> str:
    """What one programme's breakdown by one characteristic shows.

    ``adjusted`` is the interaction test's Holm-adjusted p-value over the section's
    tests and how many there are: the effect is said to depend on a characteristic
    only when that adjusted p-value is below 0.05.
    """
    if table is None:
        return f"{programme} by {words}: not possible, the extract does not record {words}."
    p_value = table.attrs.get("heterogeneity_p_value")
    withheld = table.index[table["note"].astype(str).str.startswith("suppressed")].tolist()
    if p_value is None:
        text = (
            f"{programme} by {words}: too few groups could be estimated to test whether the "
            "effect differs"
        )
    elif p_value < 0.05 and adjusted is not None and adjusted[0] >= 0.05:
        text = (
            f"{programme} by {words}: the groups differ (test of equal effects p = "
            f"{p_value:.3f}) but not once adjusted for the {adjusted[1]} tests of this section "
            f"(Holm p = {adjusted[0]:.2f}), so read it as chance unless it recurs"
        )
    elif p_value < 0.05:
        text = (
            f"{programme} by {words}: the effect differs between groups by more than chance "
            f"allows (test of equal effects p = {p_value:.3f}"
            + (f", Holm-adjusted p = {adjusted[0]:.3f}" if adjusted else "")
            + f"): **the effect depends on {words}**"
        )
    else:
        text = (
            f"{programme} by {words}: no clear difference between groups (test of equal "
            f"effects p = {p_value:.2f})"
        )
    if withheld:
        text += (
            f"; not estimated (fewer than {threshold} pairs or reoffenders): "
            + ", ".join(withheld)
            + ", so nothing can be said about the effect there"
        )
        if p_value is not None:
            text += " and the test compares only the groups estimated"
    return text + "."


# ---------------------------------------------------------------------------- survival
def survival_title(evaluation: Evaluation, programme: str) -> str:
    """A Kaplan-Meier plot's title: the programme's hazard ratio."""
    return effect_headline(
        f"Against matched never-referred people, {programme} participants",
        evaluation.survival[programme].hazard_ratio,
        fewer="took longer to reoffend",
        more="reoffended sooner",
    )


def survival_note(programme: str) -> str:
    """The note under a Kaplan-Meier plot."""
    return (
        f"{programme} participants (from the start) and matched never-referred people (from "
        "identification); censored at the extract date."
    )


def proportional_hazards(p_value: float | None) -> str:
    """The proportional-hazards check and how to read the hazard ratio given it.

    Examples
    --------
    >>> proportional_hazards(0.4)
    ' Proportional-hazards check: p = 0.40 (no evidence the ratio changes over time).'
    """
    reading = (
        " (no evidence the ratio changes over time)."
        if p_value is None or p_value >= 0.05
        else " (the ratio may change over follow-up: read it as an average)."
    )
    return f" Proportional-hazards check: p = {format_number(p_value, 2)}" + reading


def survival_summary(evaluation: Evaluation, programme: str) -> str:
    """The hazard-ratio finding of one programme with its proportional-hazards check."""
    finding = programme_findings.survival_finding(evaluation, programme)
    check = evaluation.survival[programme].cox.diagnostics.get("ph_global_p_value")
    return f"**{programme}.** " + finding.summary() + proportional_hazards(check)


# ---------------------------------------------------------------------------- harm
def event_study_note(programme: str) -> str:
    """The note under a programme's event study."""
    return (
        f"{programme}: DA crimes per person-quarter, participants minus matched comparison, "
        "relative to the quarter before identification (-1)."
    )


def harm_rows(evaluation: Evaluation) -> list[tuple[str, Estimate, str]]:
    """(label, estimate, programme) rows of the harm forest plot."""
    return [
        (label, estimate, name)
        for name in evaluation.programmes
        for label, estimate in evaluation.harm[name].as_rows()
    ]


def harm_title(evaluation: Evaluation) -> str:
    """The harm forest plot's title: Drive's matched difference-in-differences."""
    return effect_headline(
        "Against matched comparison people, the harm caused by Drive participants",
        evaluation.harm["Drive"].matched_did,
        fewer="fell",
        more="rose",
    )


def harm_checks(evaluation: Evaluation) -> str:
    """The checks that could refute the harm design: pre-trends and the negative control."""
    lines = [
        f"- **{name}**: pre-trend test p = "
        f"{format_number(estimates.event_study.diagnostics.get('pretrend_p_value'), 2)}; "
        f"negative control (non-DA crimes): {estimates.non_da_offences_did.describe_effect()}."
        for name, estimates in evaluation.harm.items()
    ]
    return (
        "Checks that could refute the design: a difference before the start (pre-trends) or an "
        "'effect' on crimes the programmes do not target (negative control).\n\n" + "\n".join(lines)
    )


def training_summary(evaluation: Evaluation) -> str:
    """The training finding with its evidence strength and its worst and best case."""
    finding = programme_findings.training_finding(evaluation)
    return finding.summary() + " " + finding.caveats[-1]


# ---------------------------------------------------------------------------- value for money
def funding_check(evaluation: Evaluation) -> str:
    """The costed year's cash spending against the funding announced, and the money basis."""
    params = evaluation.params
    from .evaluation import funding_confirmed

    matches = funding_confirmed(evaluation.cash_total, params.continuation_funding_gbp)
    return (
        f"The {params.costed_year} spending lines add up to "
        f"{vfm.format_gbp(evaluation.cash_total)} in cash, "
        + ("matching" if matches else "against")
        + f" the {vfm.format_gbp(params.continuation_funding_gbp)} continuation funding announced"
        + ("." if matches else ": the cost is not confirmed, so no benefit-cost ratio is shown.")
        + f" Money below is in {evaluation.money_year} prices; a victim of domestic abuse is "
        "valued at " + evaluation.unit_cost.describe() + "."
    )


def crimes_averted(evaluation: Evaluation) -> str:
    """DA crimes averted among the costed year's starters, each with its interval."""
    return (
        "DA crimes averted in the year after starting among the costed year's starters "
        "(counted, not valued): "
        + "; ".join(
            f"{name} {format_number(a.point, 2)} (95% CI {format_number(a.low, 2)} to "
            f"{format_number(a.high, 2)})"
            for name, a in evaluation.crimes_averted.items()
        )
        + "."
    )


def value_heading(evaluation: Evaluation, programme: str) -> str:
    """The heading above a programme's value for money, with its starters (suppressed)."""
    starters = evaluation.year.participants[programme]
    threshold = evaluation.params.suppression_threshold
    return (
        f"**{programme}, {evaluation.params.costed_year}** "
        f"({suppress_count(starters, threshold)} starters)"
    )


def overall_heading(evaluation: Evaluation) -> str:
    """The heading above the whole funding's value for money."""
    return f"**All continuation funding, {evaluation.params.costed_year}**"


def verdict(evaluation: Evaluation) -> str:
    """The value-for-money verdict: Drive's costs, break-even and ratio, then the whole funding."""
    drive = evaluation.components["Drive"]
    overall, sensitivity = evaluation.overall, evaluation.sensitivity_overall
    effect = evaluation.target_trial["Drive"].effect
    costed_year = evaluation.params.costed_year
    return (
        f"**Verdict.** Drive cost {vfm.format_gbp(drive.cost_per_participant)} per participant "
        f"and {vfm.format_gbp(drive.cost_per_completer)} per completer. To repay its "
        f"{costed_year} cost it had to spare about {format_number(drive.break_even_outcomes, 2)} "
        f"victims, a fall of {format_number(-drive.break_even_effect, 2)} percentage points in "
        f"12-month reoffending; the estimate is {format_number(-effect, 2)} "
        f"points. Benefit-cost ratio {_ratio(drive.bcr)}: {drive.verdict} (one-sided p = "
        f"{format_number(drive.p_value_break_even, 2)} against not repaying). Taking the whole "
        "funding together, training included at cost only: benefit-cost ratio "
        f"{_ratio(overall.bcr)}; {overall.verdict}. "
        f"With the inverse-probability-weighted effects instead, the overall ratio is "
        f"{_ratio(sensitivity.bcr)}.\n\n" + uncertainty(evaluation)
    )


def _ratio(bcr: tuple[float, float, float]) -> str:
    """A benefit-cost ratio and its interval, or why none is published.

    Examples
    --------
    >>> _ratio((2.0, 1.1, 2.9)), _ratio((float("nan"),) * 3)
    ('2.00 (95% CI 1.10 to 2.90)', 'not published (cost not confirmed)')
    """
    if any(value != value for value in bcr):
        return "not published (cost not confirmed)"
    return f"{bcr[0]:.2f} (95% CI {bcr[1]:.2f} to {bcr[2]:.2f})"


def uncertainty(evaluation: Evaluation) -> str:
    """Switching values and the Monte Carlo interval of each programme, against the funding."""
    lines = []
    for name in evaluation.programmes:
        switching = evaluation.switching[name].describe()
        lines.append(f"- **{name}.** {switching} {evaluation.simulated[name].summary()}")
    funding = vfm.format_gbp(evaluation.params.continuation_funding_gbp)
    return (
        f"**How wrong the inputs would have to be** (switching values; the {funding} "
        "continuation funding is split between the lines as in the costs), and the value "
        "for money with the effect, the value of a victim spared and the cost drawn "
        "together (Monte Carlo):\n\n" + "\n".join(lines)
    )


def value_for_money_headline(evaluation: Evaluation) -> str:
    """The one-line value-for-money headline recorded in findings.json."""
    drive = evaluation.components["Drive"]
    return (
        f"Drive, {evaluation.params.costed_year}: benefit-cost ratio {_ratio(drive.bcr)}; "
        f"{drive.verdict}."
    )


# ---------------------------------------------------------------------------- findings
def headline_title(evaluation: Evaluation) -> str:
    """The closing forest plot's title: Drive's target-trial effect."""
    return effect_headline(
        "In the year after starting, Drive participants",
        evaluation.target_trial["Drive"],
        fewer="reoffended less than matched comparison people",
        more="reoffended more than matched comparison people",
    )


def headline(evaluation: Evaluation, findings: Sequence[Finding]) -> str:
    """The report's headline: Drive's target-trial effect, how its rating was earned, value."""
    finding = programme_findings.headline(findings)
    reasons = " ".join(finding.rating.reasons)
    demoted = f" {finding.headline_note}" if finding.headline_note else ""
    return (
        f"**Headline.** {finding.estimate.summary()} Evidence: "
        f"{describe_level(finding.sms_level)}."
        + (f" {reasons}" if reasons else " Every check of the design passed.")
        + demoted
        + f" Value for money: {evaluation.components['Drive'].verdict}."
    )


def sensitivity(findings: Sequence[Finding]) -> str:
    """E-values and Rosenbaum bounds of every matched, weighted or Cox finding, as bullets.

    Examples
    --------
    >>> est = Estimate(-12.0, -20.0, -4.0, 0.003, 400, "percentage points", "m", "e")
    >>> f = Finding("q", est, "matched_comparison", label="Drive: x",
    ...             extra={"e_value": 1.9, "e_value_ci": 1.3, "rosenbaum_gamma": 1.4})
    >>> print(sensitivity([f]).splitlines()[-1][:40])
    - Drive: x: E-value 1.90 (interval 1.30)
    """
    lines = []
    for finding in findings:
        if "e_value" not in finding.extra or finding.role != "finding":
            continue
        limit = finding.extra.get("e_value_ci")
        text = f"- {finding.label}: E-value {format_number(finding.extra['e_value'], 3)}"
        text += f" (interval {format_number(limit, 3)})" if limit is not None else ""
        if "rosenbaum_gamma" in finding.extra:
            gamma = finding.extra["rosenbaum_gamma"]
            text += (
                "; Rosenbaum: not significant even without hidden bias"
                if gamma is None
                else "; Rosenbaum: significant until the odds of taking part within a pair "
                f"differ by {format_number(gamma, 3)}"
            )
        if "benchmark_covariate" in finding.extra:
            extra = finding.extra
            words = programme_findings.COVARIATE_WORDS.get(
                extra["benchmark_covariate"], extra["benchmark_covariate"]
            )
            text += (
                f"; a hidden confounder as strong as {words}, the strongest measured one, "
                f"would leave an interval of {format_number(extra['benchmark_ci_low'], 3)} to "
                f"{format_number(extra['benchmark_ci_high'], 3)} points"
            )
        lines.append(text + ".")
    return (
        "**Unmeasured confounding.** The E-value is how strongly, on the risk-ratio scale, "
        "something not in the data would have to be tied both to taking part and to "
        "reoffending to explain the estimate away (1 means anything would; the interval's "
        "E-value is for its limit nearest no effect). For matched pairs, Rosenbaum's bound "
        "is how far hidden bias could shift the odds of taking part within a pair before "
        "the result lost significance. For the target trials, the strongest measured "
        "confounder is the benchmark (Cinelli and Hazlett 2020): if a hidden confounder no "
        "stronger, with taking part and with reoffending, could carry the interval to no "
        "effect, the finding is lowered to SMS 2.\n\n" + "\n".join(lines)
    )


def caveats(evaluation: Evaluation) -> str:
    """The report's caveats as Markdown bullets, with the synthetic-data caveat when it applies."""
    drive_balance = evaluation.reoffending["Drive"].balance.diagnostics.get("max_abs_smd_after")
    items = [
        "**Unmeasured confounding.** Referral and starting depend on things the data do not "
        "hold (motivation, a relationship ending, a child protection plan). Matching balances "
        f"what was measured (largest standardised difference after matching, Drive: "
        f"{format_number(drive_balance, 2)}); it cannot balance what was not. Starting is also a "
        "choice: people who engage may differ from those who are referred but never start; the "
        "intention-to-treat estimate keeps them. The E-values say how strong such confounding "
        "would have to be. Each target trial is also set against the strongest confounder "
        "that was measured: a finding that a hidden one no stronger could explain away is "
        "lowered to SMS 2. That protects against a missing confounder as strong as the "
        "measured ones, not against a stronger one: a motivation to change that shapes both "
        "who starts and who reoffends could be stronger than anything the force records. "
        "Up2U serves standard and medium risk, whose reoffending is lower, so its effect is "
        "likely a few points: about as large as the bias a confounder as strong as DASH "
        "medium risk could cause. A significant Up2U result will therefore usually be lowered "
        "by this check even where the programme works; at Dorset volumes that is what the "
        "data can support.",
        programme_findings.POLICE_RECORDED_CAVEAT,
        f"**Recent starters.** People who started within {evaluation.params.followup_days} days "
        "of the extract are left out of the 12-month outcomes; the costed year's starters are "
        "assumed to respond as earlier starters did.",
        *programme_findings.FIXED_CAVEATS,
    ]
    if evaluation.data.synthetic:
        items.append(programme_findings.SYNTHETIC_CAVEAT)
    return "\n".join(f"- {item}" for item in items)
