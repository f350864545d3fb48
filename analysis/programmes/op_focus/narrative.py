"""Every sentence of the Operation Focus report whose wording depends on a result.

Each function takes the :class:`~.evaluation.Evaluation` (and, where a sentence
quotes a finding's MDE, the findings) and returns Markdown, or plain text for a
figure's title or source line. The notebook only displays them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...data.harm_score import HarmScoreWeights
from ...evidence.disclosure import suppress_count
from ...evidence.multiplicity import holm_by_name
from ...results import Estimate, format_number
from .findings import finding_of, headline_finding
from .tables import FOR_WHOM

if TYPE_CHECKING:
    import pandas as pd

    from ...evidence import Finding
    from .evaluation import Evaluation


def harm_score_weights(evaluation: Evaluation, weights: HarmScoreWeights | None = None) -> str:
    """The harm score's weights and the selection rule, as Markdown bullets."""
    weights = weights or HarmScoreWeights()
    params = evaluation.params
    gravity = ", ".join(
        f"{group.replace('_', ' ')} {points:g}" for group, points in weights.gravity_points.items()
    )
    return (
        f"- **Recency**: {weights.recency_points:g} points for a crime recorded on the day of the "
        f"run, halving every {weights.recency_half_life_days:g} days since the latest VAWG crime.\n"
        f"- **Frequency**: {weights.frequency_points:g} points per VAWG crime in the last "
        f"{weights.lookback_days:,} days, up to {weights.frequency_cap} crimes.\n"
        f"- **Gravity**: points per crime by offence group ({gravity}; other groups "
        f"{weights.default_gravity:g}).\n"
        f"- **Selection**: suspects scoring **{params.harm_threshold:g}** or more at the run on "
        f"{params.pilot:%d %B %Y} are selected into Focus."
    )


def missingness_intro(evaluation: Evaluation) -> str:
    """The line before the table of blank cells."""
    if len(evaluation.published["missingness"]):
        return "Blank cells by column (each has a meaning; none is an error):"
    return "No column has blank cells."


def pending_outcomes(evaluation: Evaluation) -> str:
    """How many arrests are still pending, and how the analyses treat them."""
    pending = evaluation.pending
    waiting, arrests = pending["pending"].sum(), pending["arrests"].sum()
    return (
        "Outcomes take months, so recent arrests are often still pending (outcome 0) at the "
        f"extract date: {waiting:,} of {arrests:,} VAWG arrests ({waiting / arrests:.0%}). Rates "
        "below leave pending arrests out of the denominators and say how many; the "
        "time-to-charge analysis keeps them, censored at the extract date."
    )


def funnel_title(evaluation: Evaluation) -> str:
    """Title of the identification-to-charge funnel."""
    from ...evidence.disclosure import suppress_count

    stages = evaluation.funnel
    charged = suppress_count(
        stages["Charged or summonsed"], evaluation.params.suppression_threshold
    )
    return (
        f"{charged} of {stages['Adopted into Focus']:,} Focus perpetrators charged after an "
        "enhanced investigation so far"
    )


def focus_arrests(evaluation: Evaluation) -> str:
    """How many arrests were investigated under Focus, and how many have an outcome."""
    arrests = evaluation.arrests
    treated = arrests["focus_investigation"].eq(1)
    return (
        f"Since the pilot start {int(treated.sum()):,} arrests of Focus perpetrators for VAWG "
        f"crimes were investigated under Focus, {int((treated & arrests['finalised']).sum()):,} "
        "of them with an outcome assigned by the extract date."
    )


def selection(evaluation: Evaluation) -> str:
    """Whether adoption into Focus follows the threshold (sharp or fuzzy selection)."""
    sides = evaluation.selection
    below, above = sides.loc["below threshold"], sides.loc["at or above threshold"]
    text = (
        f"**Does selection follow the threshold?** {above['share_in_focus_pct']:.0f}% of "
        f"suspects at or above {evaluation.params.harm_threshold:g} were adopted, and "
        f"{below['share_in_focus_pct']:.1f}% of those below. "
    )
    if evaluation.selection_is_sharp:
        return text + "Selection is sharp."
    return text + (
        "Selection is **fuzzy**: some suspects above the threshold were not adopted (in "
        "custody, out of the force area, managed elsewhere) and some below were adopted on "
        "professional judgement. The regression discontinuity below is therefore a *fuzzy* "
        "design: the jump in outcomes at the threshold divided by the jump in the share "
        "investigated under Focus."
    )


def drop_out(evaluation: Evaluation) -> str:
    """How many Focus perpetrators left the cohort by the extract date."""
    from ...evidence.disclosure import suppress_count

    status = evaluation.cohort
    left = suppress_count(
        status.loc["left the cohort", "perpetrators"], evaluation.params.suppression_threshold
    )
    return (
        f"**Drop-out.** By the extract date {left} of {status.loc['Total', 'perpetrators']:,} "
        "Focus perpetrators had left the cohort (moved away, long custodial sentence, "
        "deselected); their later arrests are not investigated under Focus and count as "
        "ordinary arrests."
    )


def not_estimable_reason(estimate: Estimate) -> str:
    """Why a design could not be estimated (``""`` when it was), for the report's sentences.

    Examples
    --------
    >>> from analysis.programmes.op_focus.designs import not_estimable
    >>> not_estimable_reason(not_estimable("too few arrests.", outcome="charged_pp", what="RD"))
    'too few arrests'
    """
    return str(estimate.diagnostics.get("not_estimable") or "").rstrip(".")


def _rd_words(rd: Estimate) -> str:
    """The discontinuity's estimate as a clause, or that it is not estimable and why."""
    reason = not_estimable_reason(rd)
    if reason:
        return f"the regression discontinuity is **not estimable** on these data: {reason}"
    return (
        f"the regression discontinuity {rd.effect:+.1f} points (95% CI {rd.ci_low:+.1f} to "
        f"{rd.ci_high:+.1f})"
    )


def charge_rate(evaluation: Evaluation) -> str:
    """The charge-rate estimates of the four designs, weakest first."""
    ba, naive, did, rd = (evaluation.charge[k] for k in ("before_after", "naive", "did", "rdd"))
    if not_estimable_reason(rd):
        return (
            f"Among Focus perpetrators' arrests under Focus, "
            f"{ba.diagnostics['rate_focus_pct']:.1f}% of finalised outcomes were charges, against "
            f"{ba.diagnostics['rate_comparison_pct']:.1f}% before the pilot: a naive "
            f"before/after change of **{ba.effect:+.1f} points**. Against other suspects since "
            f"the pilot ({naive.diagnostics['rate_comparison_pct']:.1f}%) the naive difference "
            f"is **{naive.effect:+.1f} points**. The difference-in-differences gives "
            f"**{did.effect:+.1f} points** (95% CI {did.ci_low:+.1f} to {did.ci_high:+.1f}); "
            f"{_rd_words(rd)}. {did.diagnostics['n_pending_excluded']:,} pending arrests were "
            "left out of the difference-in-differences."
        )
    return (
        f"Among Focus perpetrators' arrests under Focus, {ba.diagnostics['rate_focus_pct']:.1f}% "
        f"of finalised outcomes were charges, against {ba.diagnostics['rate_comparison_pct']:.1f}% "
        f"before the pilot: a naive before/after change of **{ba.effect:+.1f} points**. Against "
        f"other suspects since the pilot ({naive.diagnostics['rate_comparison_pct']:.1f}%) the "
        f"naive difference is **{naive.effect:+.1f} points**. The difference-in-differences, "
        "which removes the trend and the fixed differences between suspects, gives "
        f"**{did.effect:+.1f} points** (95% CI {did.ci_low:+.1f} to {did.ci_high:+.1f}); the "
        f"regression discontinuity gives **{rd.effect:+.1f} points** (95% CI {rd.ci_low:+.1f} to "
        f"{rd.ci_high:+.1f}). {did.diagnostics['n_pending_excluded']:,} pending arrests were left "
        "out of the difference-in-differences and "
        f"{rd.diagnostics['n_pending_excluded']:,} of the regression discontinuity."
    )


def event_study_title(evaluation: Evaluation) -> str:
    """Title of the event-study figure: whether the groups diverged before the pilot."""
    pretrend = evaluation.event_study.diagnostics["pretrend_p_value"]
    if pretrend >= 0.05:
        verdict = "No sign of differing trends before the pilot"
    else:
        verdict = "Focus and comparison suspects were already diverging before the pilot"
    return f"{verdict} (joint test p = {pretrend:.2f})"


def placebo(evaluation: Evaluation) -> str:
    """The placebo pilot start's estimate and what it says about parallel trends."""
    est = evaluation.placebo
    text = (
        f"Placebo: a pretend pilot start on {evaluation.params.placebo_start:%d %B %Y} gives "
        f"{est.effect:+.1f} points (95% CI {est.ci_low:+.1f} to {est.ci_high:+.1f}), "
    )
    if est.ci_low <= 0 <= est.ci_high:
        return text + "consistent with no pre-existing divergence."
    return text + "**which is not near zero: treat the difference-in-differences with caution.**"


def rdd_panels(evaluation: Evaluation) -> list[tuple[Estimate, str, str]]:
    """The discontinuity's figures: (fit, title, y-axis label) for the first stage and the jump.

    Empty when the discontinuity is not estimable (:func:`rdd_checks` then says why).
    """
    rd = evaluation.charge["rdd"]
    if not_estimable_reason(rd):
        return []
    first_stage, jump = rd.details["first_stage"], rd.details["reduced_form"]
    return [
        (first_stage, first_stage_title(evaluation), "Share investigated under Focus"),
        (jump, reduced_form_title(evaluation), "Charged or summonsed (%)"),
    ]


def first_stage_title(evaluation: Evaluation) -> str:
    """Title of the first-stage figure of the regression discontinuity."""
    jump = evaluation.charge["rdd"].details["first_stage"].effect
    return f"The share of arrests under Focus jumps by {jump:.2f} at the threshold"


def reduced_form_title(evaluation: Evaluation) -> str:
    """Title of the reduced-form figure (the jump in the charge rate)."""
    jump = evaluation.charge["rdd"].details["reduced_form"].effect
    return f"Charge rate at the harm-score threshold: jump of {jump:+.1f} points"


def rdd_checks(evaluation: Evaluation) -> str:
    """The regression discontinuity's bandwidth, first stage and its checks at the threshold.

    The density (sorting) test is on suspects, one row each; the jumps in the share of
    suspects arrested and of outcomes pending check that the finalised arrests either side
    of the threshold are alike.
    """
    rd = evaluation.charge["rdd"]
    d = rd.diagnostics
    suspects, pending = evaluation.rd_suspects, evaluation.rd_pending
    density = suspects.diagnostics.get("density_p_value")
    if not_estimable_reason(rd):
        text = (
            f"The regression discontinuity at {evaluation.params.harm_threshold:g} is **not "
            f"estimable** on these data: {not_estimable_reason(rd)}. No number is given for it, "
            "and it earns no evidence level. "
        )
    else:
        text = (
            f"Bandwidth {d['bandwidth']:.0f} points either side of "
            f"{evaluation.params.harm_threshold:g}; {d['n_below_in_bandwidth']:,} finalised "
            f"arrests below and {d['n_above_in_bandwidth']:,} above. Within it "
            f"{d['share_treated_below']:.0%} of arrests below and "
            f"{d['share_treated_above']:.0%} above were investigated under Focus. The bandwidths "
            "in the table below are a fixed grid (0.75, 1, 1.5 and 2 times the chosen one), set "
            "before the results. "
        )
    if density is None:
        text += "Density test on suspects: not run. "
    else:
        verdict = "no sign of sorting" if density >= 0.05 else "**possible sorting**"
        text += (
            f"Density (McCrary) test on the harm scores of "
            f"{suspects.diagnostics['n_suspects']:,} suspects (one each, not their arrests): "
            f"p = {density:.2f} ({verdict}). "
        )
    for estimate, what in (
        (suspects, "the share of suspects arrested since the pilot"),
        (pending, "the share of arrests still pending"),
    ):
        if not_estimable_reason(estimate):
            text += f"Jump in {what}: not estimable ({not_estimable_reason(estimate)}). "
            continue
        moved = not estimate.ci_low <= 0 <= estimate.ci_high
        text += (
            f"Jump in {what}: {estimate.effect:+.1f} points (95% CI {estimate.ci_low:+.1f} to "
            f"{estimate.ci_high:+.1f})"
            + (
                ", **so the arrests either side are not alike**. "
                if moved
                else ", consistent with none. "
            )
        )
    return text.rstrip()


def withdrawal(evaluation: Evaluation) -> str:
    """The victim-withdrawal estimates of the two stronger designs."""
    did, rd = evaluation.withdrawal["did"], evaluation.withdrawal["rdd"]
    return (
        f"The difference-in-differences estimates a change of **{did.effect:+.1f} points** in "
        f"victim withdrawal (95% CI {did.ci_low:+.1f} to {did.ci_high:+.1f}); {_rd_words(rd)}."
    )


def time_to_charge_title(evaluation: Evaluation, *, days: int = 180) -> str:
    """Title of the Kaplan-Meier figure: the share charged within ``days`` in each group."""
    from .tables import COMPARISON_LABEL, FOCUS_LABEL

    km = evaluation.km
    focus = 1 - km.survival_at(days, group=FOCUS_LABEL)
    comparison = 1 - km.survival_at(days, group=COMPARISON_LABEL)
    return (
        f"Within {days} days of arrest {focus:.0%} of Focus investigations and "
        f"{comparison:.0%} of comparison arrests were charged"
    )


def time_to_decision(evaluation: Evaluation) -> str:
    """The log-rank test and the Cox model of the time to an outcome decision."""
    km, cox = evaluation.km, evaluation.cox
    ph = format_number(cox.diagnostics.get("ph_global_p_value"), 2)
    return (
        f"Log-rank test of the two curves: p = {format_number(km.p_value, 2)}. Cox model of the "
        f"time to an outcome decision: hazard ratio **{cox.effect:.2f}** (95% CI "
        f"{cox.ci_low:.2f} to {cox.ci_high:.2f}; above 1 means sooner), "
        f"{cox.diagnostics['n_censored_pending']:,} pending arrests censored; standard errors "
        f"clustered by suspect ({cox.diagnostics.get('n_clusters', 0):,} suspects). "
        f"Proportional-hazards check: p = {ph}."
    )


def charge_time(evaluation: Evaluation) -> str:
    """Whether charges take about as long as other outcomes, and what follows."""
    text = (
        f"Within offence groups, charges took {evaluation.charge_time_ratio:.2f} times as long "
        "as other outcomes: "
    )
    if evaluation.charge_times_similar:
        return text + (
            "similar, so the decision-time model also describes the time to charge, and "
            "pending arrests can be expected to end in a charge about as often as finalised "
            "ones did."
        )
    return text + (
        "**not similar**, so the decision-time model does not describe the time to charge, "
        "and rates among finalised arrests may over- or under-state the rate pending arrests "
        "will reach."
    )


def reoffending(evaluation: Evaluation) -> str:
    """The matched reoffending estimates, with how well the matching worked."""
    count = evaluation.reoffending_estimates["count"]
    harm = evaluation.reoffending_estimates["harm"]
    d = count.diagnostics
    text = (
        f"Within {evaluation.params.reoffending_follow_up_days} days of the arrest, Focus "
        f"perpetrators committed {count.effect:+.2f} crimes per person relative to their "
        f"matches (95% CI {count.ci_low:+.2f} to {count.ci_high:+.2f}), and "
        f"{harm.effect:+.0f} {harm.scale} (95% CI {harm.ci_low:+.0f} to {harm.ci_high:+.0f})."
    )
    if "c_statistic" in d:
        text += (
            f" The matching rests on {d.get('n_controls_used', 0):,} comparison suspects "
            f"(effective sample size {d.get('effective_sample_size_control', 0):.0f}); the "
            f"propensity c-statistic is {d['c_statistic']:.2f} and the largest standardised "
            f"difference after matching {d.get('max_abs_smd_after', float('nan')):.2f}, which "
            "the ratings below take into account."
        )
    return text


def for_whom(evaluation: Evaluation) -> str:
    """The charge-rate effect by sex, age band and ethnicity: what can and cannot be said.

    One sentence per characteristic from its interaction test and what was not
    estimated, a sentence on the suspects whose characteristic is not recorded, and
    why no group result is a headline.
    """
    threshold = evaluation.params.suppression_threshold
    parts = [
        "**For whom.** The charge-rate difference-in-differences was estimated within each "
        "group of suspects by sex, age band and ethnicity."
    ]
    adjusted = holm_by_name(
        {
            by: table.attrs.get("heterogeneity_p_value")
            for by, table in evaluation.for_whom.items()
            if table is not None
        }
    )
    for by, words in FOR_WHOM.items():
        parts.append(
            _for_whom_sentence(evaluation.for_whom.get(by), words, threshold, adjusted.get(by))
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
            + f" of the {int(gaps['suspects'].iloc[0]):,} suspects scored. They are kept as a "
            "group of their own, never dropped (no one leaves the overall estimate, which "
            "adjusts for none of these); whether a characteristic is recorded can depend on "
            "what it is, so the 'not recorded' group is not a random sample of the others."
        )
    parts.append(
        "No group result is a headline: the groups are small, their intervals wide, and "
        "with several groups one interval in twenty misses by chance alone; read the overall "
        "estimate, and a difference between groups only where its interaction test finds one."
    )
    return " ".join(parts)


def _for_whom_sentence(
    table: pd.DataFrame | None,
    words: str,
    threshold: int,
    adjusted: tuple[float, int] | None = None,
) -> str:
    """What the breakdown by one characteristic shows, from its table and interaction test.

    ``adjusted`` is the interaction test's Holm-adjusted p-value over the section's
    tests and how many there are: the effect is said to depend on a characteristic
    only when that adjusted p-value is below 0.05.
    """
    if table is None:
        return f"By {words}: not possible, the extract does not record the suspects' {words}."
    p_value = table.attrs.get("heterogeneity_p_value")
    withheld = table.index[table["note"].astype(str).str.startswith("suppressed")].tolist()
    if p_value is None:
        text = f"By {words}: too few groups could be estimated to test whether the effect differs"
    elif p_value < 0.05 and adjusted is not None and adjusted[0] >= 0.05:
        text = (
            f"By {words}: the groups differ (test of equal effects p = {p_value:.3f}) but not "
            f"once adjusted for the {adjusted[1]} tests of this section (Holm p = "
            f"{adjusted[0]:.2f}), so read it as chance unless it recurs"
        )
    elif p_value < 0.05:
        text = (
            f"By {words}: the effect differs between groups by more than chance allows (test "
            f"of equal effects p = {p_value:.3f}"
            + (f", Holm-adjusted p = {adjusted[0]:.3f}" if adjusted else "")
            + f"): **the effect depends on {words}**"
        )
    else:
        text = (
            f"By {words}: no clear difference between groups (test of equal effects p = "
            f"{p_value:.2f})"
        )
    if withheld:
        text += (
            f"; not estimated (fewer than {threshold} suspects or charges): "
            + ", ".join(withheld)
            + ", so nothing can be said about the effect there"
        )
        if p_value is not None:
            text += " and the test compares only the groups estimated"
    return text + "."


def sensitivity(findings: list[Finding]) -> str:
    """E-values (and Rosenbaum bounds) of the matched and Cox findings, as bullets."""
    items = [
        f"- {finding.label}: " + next(c for c in finding.caveats if c.startswith("Unmeasured"))
        for finding in findings
        if "e_value" in finding.extra
    ]
    if not items:
        return ""
    return "**Sensitivity to unmeasured confounding.**\n\n" + "\n".join(items)


def value_for_money(evaluation: Evaluation) -> str:
    """The charges the difference-in-differences implies, and the cost per charge if confirmed."""
    params = evaluation.params
    text = (
        "Over the finalised arrests investigated under Focus, the difference-in-differences "
        f"implies: {evaluation.cost_per_charge.summary()} "
    )
    if params.focus_cost_gbp <= 0:
        return text + "No cost was supplied, so no cost per charge is given."
    if not params.focus_cost_confirmed:
        return text + (
            f"The cost supplied (£{params.focus_cost_gbp:,.0f}) has not been confirmed by the "
            "force, so no cost per additional charge is published."
        )
    return text + "The cost per additional charge uses the confirmed cost."


def estimands(findings: list[Finding]) -> str:
    """Which estimand each charge-rate design estimates, so that none is read as another."""
    from .findings import ESTIMAND_WORDS

    return (
        "**What each design estimates.** The difference-in-differences estimates "
        f"{ESTIMAND_WORDS['did']}; the regression discontinuity estimates "
        f"{ESTIMAND_WORDS['rdd']}; the matched reoffending comparison estimates "
        f"{ESTIMAND_WORDS['matched']}. Where the effect grows with harm these differ (the "
        "highest-harm perpetrators weigh in the first and not in the second), so the two "
        "charge-rate estimates are not two measurements of one number."
    )


def headline(evaluation: Evaluation, findings: list[Finding]) -> str:
    """The headline: the best earned headline, what it estimates, and the demoted designs."""
    from ...evidence.sms import SMS_SHORT

    top = headline_finding(findings)
    demoted = [f for f in findings if f.headline_note]
    if top is None:
        text = (
            "**Headline.** No design is strong and precise enough for a headline: every one "
            "meant as a headline could not detect the expected effect."
        )
    else:
        est = top.estimate
        kind = top.extra.get("estimand_kind", "")
        text = (
            f"**Headline.** The {top.label.split(': ', 1)[-1]} (evidence "
            f"{SMS_SHORT[top.sms_level]}, earned from its checks) estimates "
            f"{kind + ' as ' if kind else ''}**{est.effect:+.1f} percentage points** on the "
            f"charge rate (95% CI {est.ci_low:+.1f} to {est.ci_high:+.1f}; minimum detectable "
            f"effect {top.mde:.1f} points)."
        )
        if top.sms_level < top.rating.design_level:
            text += " Its rating was lowered: " + " ".join(top.rating.reasons)
        text += truth_check(top)
    for finding in demoted:
        est = finding.estimate
        text += (
            f" The {finding.label.split(': ', 1)[-1]} ({est.effect:+.1f} points, 95% CI "
            f"{est.ci_low:+.1f} to {est.ci_high:+.1f}; MDE {finding.mde:.0f} points) is not a "
            f"headline: {finding.headline_note.removeprefix('Not a headline: ')}"
        )
    return text


def truth_check(finding: Finding) -> str:
    """Whether the finding's interval covers the planted truth (nothing for real data)."""
    if finding.truth is None:
        return ""
    est = finding.estimate
    verdict = "covers" if est.ci_low <= finding.truth <= est.ci_high else "misses"
    return (
        f" The planted effect in these synthetic data is {finding.truth:+.1f} points, which the "
        f"interval {verdict}."
    )


def caveats(evaluation: Evaluation, findings: list[Finding]) -> str:
    """The report's caveats, as Markdown bullets, each worded by what the checks found."""
    params = evaluation.params
    arrests = evaluation.arrests
    rd = evaluation.charge["rdd"].diagnostics
    rd_reason = not_estimable_reason(evaluation.charge["rdd"])
    top_mde = finding_of(findings, evaluation.charge["rdd"]).mde
    did_mde = finding_of(findings, evaluation.charge["did"]).mde
    pending_share = arrests.loc[arrests["after_pilot"], "finalised"].eq(False).mean()
    supports = (
        "supports this)." if evaluation.charge_times_similar else "does **not** support this)."
    )
    if evaluation.selection_is_sharp:
        rdd = "The regression discontinuity estimates the effect for suspects near the threshold"
    else:
        rdd = (
            "Selection into Focus is fuzzy, so the regression discontinuity estimates the effect "
            "for suspects near the threshold whose adoption followed it"
        )
    rdd += "; it says nothing directly about the highest-harm perpetrators"
    if rd_reason:
        rdd = (
            f"The regression discontinuity could not be estimated ({rd_reason}), so the "
            "charge-rate findings rest on the difference-in-differences alone."
        )
    elif top_mde > did_mde:
        near = rd["n_below_in_bandwidth"] + rd["n_above_in_bandwidth"]
        rdd += (
            f", and with {near:,} arrests near the threshold it is imprecise "
            f"(MDE {top_mde:.0f} points)."
        )
    else:
        rdd += "."
    if evaluation.parallel_trends_supported:
        checks = "the pre-pilot checks (event study and placebo date) support it, but "
    else:
        checks = "**the pre-pilot checks cast doubt on it**, and in any case "
    if params.focus_cost_gbp <= 0:
        value = "Value for money cannot be judged without the cost of the enhanced investigations."
    elif not params.focus_cost_confirmed:
        value = (
            f"The cost supplied (£{params.focus_cost_gbp:,.0f}) is not confirmed by the force, "
            "so no cost per additional charge is published until it is."
        )
    else:
        value = (
            "The cost per additional charge uses the cost supplied "
            f"(£{params.focus_cost_gbp:,.0f}) and the charges gained so far; charges still to "
            "come from pending arrests are not counted."
        )
    items = [
        f"Pilot length: outcomes are known for arrests made between {params.pilot:%d %B %Y} and "
        f"{evaluation.extract_date:%d %B %Y} only, and {pending_share:.0%} of those arrests were "
        "still pending; rates among finalised arrests assume that pending cases end as "
        "finalised ones did (the decision-time check above " + supports,
        rdd,
        "The difference-in-differences rests on parallel trends with high-harm comparison "
        "suspects; " + checks + "a change that affected only the highest-harm suspects at the "
        "pilot start (for example a new domestic-abuse policy) would be attributed to Focus.",
        "Intervals are clustered by suspect, who contribute several arrests each. Where "
        "several suspects share a victim (a victim's reluctance affects each case), arrests "
        "are correlated across suspects too: intervals would then need clustering by victim "
        "as well (two-way), which these do not do.",
        "Charge is measured at the first outcome recorded; later changes of outcome (e.g. a "
        "charge discontinued) are not seen.",
        "Reoffending is measured by crimes recorded against the same suspect: offences never "
        "reported are missed, and a charge followed by remand can lower recorded reoffending "
        "without any change in behaviour.",
        f"Harm weights: {params.harm_weights.replace('_', ' ')}; the Crime Harm Index values are "
        "indicative (see data/reference/README.md) and one serious offence can dominate a total.",
        value,
    ]
    return "\n".join(f"- {item}" for item in items)
