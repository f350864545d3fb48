"""Perpetrator programmes: the evaluation questions, their findings and caveats.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the findings the
report lists and ``findings.json`` records, in this order: for Drive then Up2U the six
12-month reoffending designs (the target trial first: Drive's is the headline), then time
to first reoffence for each, then the four harm and offending designs for each, then the
practitioners' training, then the pre-referral trend checks. Each earns its SMS level from
its checks, carries its E-value (and Rosenbaum bound for matched pairs), its family from
the analysis plan (:func:`analysis_plan`) and its planted truth when the data are synthetic
(:func:`planted_truth`, keys ``<programme>_<outcome>``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...errors import ConfigError
from ...evidence import Finding, adjust_families, demote_underpowered
from ...evidence.checks import (
    negative_control_check,
    placebo_check,
    pretrend_check,
    standard_checks,
)
from ...evidence.plan import AnalysisPlan, programme_plan
from ...evidence.sms import Check
from ...methods import mde
from ...methods.sensitivity import RosenbaumBounds, e_value, rosenbaum_binary
from ...results import Estimate, format_number
from .tables import RISK_LEVELS

if TYPE_CHECKING:
    from .evaluation import Evaluation

#: The programme whose matched 12-month reoffending effect is the report's headline.
HEADLINE_PROGRAMME = "Drive"

#: Prefix of each programme's truth keys in the synthetic world.
TRUTH_PREFIX = {"Drive": "drive", "Up2U": "up2u"}

#: The evaluation questions ("{programme}" is Drive or Up2U).
REOFFENDING_QUESTION = (
    "Did {programme} participants commit fewer DA crimes in the year after starting?"
)
SURVIVAL_QUESTION = "Did {programme} participants take longer to commit a first DA crime?"
HARM_QUESTION = "Did {programme} participants' {outcome} fall against the comparison?"
TRAINING_QUESTION = "Did practitioners' knowledge scores rise after training?"

#: Why the matching designs start at SMS 3 (their design,
#: ``matched_comparison_pre_outcome``): the comparison is matched on the pre-period outcome.
PRE_OUTCOME_NOTE = (
    "Starts at SMS 3 rather than 2: the comparison group was matched on the pre-period outcome "
    "(DA incidents in the two years before); the checks below can lower it."
)

#: The 12-month reoffending designs: attribute, question suffix, design, label suffix,
#: caveat, plan outcome (``{p}`` is the programme's truth prefix).
REOFFENDING_DESIGNS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "target_trial",
        "",
        "matched_comparison_pre_outcome",
        "target trial",
        PRE_OUTCOME_NOTE,
        "{p}_reoffending_12m",
    ),
    (
        "intention_to_treat",
        " (everyone referred: intention to treat)",
        "matched_comparison_pre_outcome",
        "intention to treat",
        "Everyone referred, started or not, from the referral: the effect of referring, not of "
        "taking part.",
        "{p}_reoffending_12m_itt",
    ),
    (
        "matched",
        " (matched, comparisons followed from identification)",
        "matched_comparison_pre_outcome",
        "matched from identification",
        PRE_OUTCOME_NOTE,
        "{p}_reoffending_12m_matched_from_identification",
    ),
    (
        "naive",
        " (naive comparison)",
        "naive_comparison",
        "naive",
        "Compares participants with everyone never referred: biased by selection.",
        "{p}_reoffending_12m_naive",
    ),
    (
        "same_risk",
        " (same risk level, unmatched)",
        "naive_comparison",
        "same risk unmatched",
        "No adjustment for who was chosen for referral within the risk levels.",
        "{p}_reoffending_12m_same_risk",
    ),
    (
        "ipw",
        " (inverse probability weighting, sensitivity)",
        "matched_comparison_pre_outcome",
        "IPW",
        PRE_OUTCOME_NOTE,
        "{p}_reoffending_12m_ipw",
    ),
)

#: The harm and offending designs: label, attribute of HarmEstimates, truth key, design,
#: plan outcome, role.
HARM_DESIGNS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "harm, matched DiD",
        "matched_did",
        "harm_did",
        "matched_difference_in_differences",
        "{p}_harm",
        "finding",
    ),
    (
        "DA crimes, matched DiD",
        "da_offences_did",
        "da_offences_did",
        "matched_difference_in_differences",
        "{p}_da_crimes",
        "finding",
    ),
    (
        "non-DA crimes (negative control), matched DiD",
        "non_da_offences_did",
        "non_da_offences_did",
        "matched_difference_in_differences",
        "",
        "check",
    ),
    (
        "harm, participants only before/after",
        "before_after",
        "harm_did",
        "before_after",
        "{p}_harm_before_after",
        "finding",
    ),
)

BEFORE_AFTER_CAVEAT = "No comparison group: regression to the mean and trends count as effect."
TRAINING_CAVEAT = "Before/after of the trained group only (SMS 1): no comparison group."

#: The report's caveats that read the same whatever the results (the ones that quote a
#: result or a setting are written by ``narrative.caveats``).
POLICE_RECORDED_CAVEAT = (
    "**Police-recorded crime.** Reoffending is DA crime recorded by police. Closer contact with "
    "the police and partners (Drive's disruption work) may raise the recording of abuse that "
    "would otherwise be hidden, which would make Drive look worse than it is; victims' own "
    "accounts are not in the data."
)
FIXED_CAVEATS: tuple[str, ...] = (
    "**Harm.** The Crime Harm Index is dominated by a few serious crimes (rape, violence with "
    "injury), so the harm estimates are imprecise; DA crime counts are the steadier measure.",
    "**Small numbers.** Small areas and age bands hold too few participants to estimate effects "
    "for them separately; counts below the threshold are suppressed.",
    "**Training** is a before/after comparison of trained practitioners only (SMS 1), and its "
    "benefits are not valued: its cost counts against the funding without any benefit.",
    "**Value for money** counts victims spared within a year only, values each at the national "
    "average cost, and leaves out partners' and criminal-justice costs and savings.",
)
SYNTHETIC_CAVEAT = (
    "**Synthetic data.** These results come from synthetic data with planted effects; they "
    "show what the evaluation would report, not what the programmes achieved."
)


#: Analysis settings the synthetic world's truth refers to (see the generator).
TRUTH_SETTINGS: dict[str, Any] = {
    "followup_days": 365,
    "risk_levels": RISK_LEVELS,
    "periods_before": 4,
    "harm_weight_overrides": "",
}


def planted_truth(truth: Mapping[str, float] | None, key: str, **settings: Any) -> float | None:
    """The planted value of an estimand in synthetic data, or None.

    None for real data, and when the analysis settings passed differ from those the
    truth refers to (:data:`TRUTH_SETTINGS`): a truth for a 12-month window says
    nothing about an 18-month one.

    Examples
    --------
    >>> planted_truth({"drive_harm_did": -1.5}, "drive_harm_did"), planted_truth(None, "x")
    (-1.5, None)
    >>> print(planted_truth({"drive_harm_did": -1.5}, "drive_harm_did", followup_days=540))
    None
    """
    if not truth:
        return None
    for name, value in settings.items():
        if name not in TRUTH_SETTINGS:
            raise ConfigError(f"planted_truth: unknown setting '{name}'")
        expected = TRUTH_SETTINGS[name]
        if name == "risk_levels":
            value = {k: tuple(v) for k, v in dict(value).items()}
        if value != expected:
            return None
    return truth.get(key)


def _truth(evaluation: Evaluation, programme: str, outcome: str) -> float | None:
    prefix = TRUTH_PREFIX.get(programme, programme.lower())
    return planted_truth(
        evaluation.data.truth, f"{prefix}_{outcome}", **evaluation.params.truth_settings
    )


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The programme's analysis plan (the ``analysis_plan:`` block of its config).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.family_of("up2u_reoffending_12m")
    ('drive_reoffending_12m', 'reoffending')
    """
    return programme_plan("perpetrator_programmes", path)


def alignment_check(evaluation: Evaluation, programme: str) -> Check:
    """Whether both groups were followed from the same time since identification.

    Fails for a design that follows participants from their start and comparisons
    from identification: offending that runs high soon after identification then
    falls more on the comparisons, and the programme looks better than it is. The
    target trial (matched at a pseudo start date) passes by construction.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.perpetrator_programmes.evaluation import Parameters, evaluate
    >>> ev = evaluate(load("perpetrator_programmes", source="synthetic", seed=3, scale=0.5),
    ...               Parameters())
    >>> alignment_check(ev, "Drive").passed
    False
    """
    table = evaluation.cohorts[programme].complete
    treated = table[table["treated"] == 1]
    median = float((treated["index_date"] - treated["identified_date"]).dt.days.median())
    return Check(
        "comparisons followed from the same time since identification",
        median <= 0,
        f"participants are followed from their start, a median of {median:.0f} days after "
        "identification, and comparisons from identification, so offending that runs high "
        "soon after identification falls more on the comparisons (the target trial aligns them)",
    )


def pre_referral_check(evaluation: Evaluation, programme: str) -> Check:
    """The pre-referral trend (Ashenfelter's dip) in the target trial's pairs, as a check."""
    return placebo_check(
        evaluation.pre_referral[programme],
        what="no spike in DA crimes just before identification (pre-referral trend)",
    )


def _rosenbaum(pairs: pd.DataFrame, effect: float) -> RosenbaumBounds:
    alternative = "less" if effect < 0 else "greater"
    return rosenbaum_binary(
        pairs, treated="treated_outcome", control="control_outcome", alternative=alternative
    )


def _matched_pairs(estimate: Estimate, outcome: str = "reoffended") -> pd.DataFrame | None:
    """0/1 outcomes of the treated and control member of each matched pair (``match`` output)."""
    pairs = estimate.details.get("pairs")
    matched = estimate.details.get("matched")
    if pairs is None or matched is None or outcome not in matched:
        return None
    values = matched[outcome]
    return pd.DataFrame(
        {
            "treated_outcome": values.reindex(pairs["treated_index"]).to_numpy(),
            "control_outcome": values.reindex(pairs["control_index"]).to_numpy(),
        }
    ).dropna()


def sensitivity_extra(
    estimate: Estimate, *, pairs: pd.DataFrame | None = None, outcome_sd: float | None = None
) -> dict[str, Any]:
    """E-value (and Rosenbaum bounds for matched pairs) of a finding, JSON-ready.

    ``e_value`` is the strength, on the risk-ratio scale, an unmeasured confounder
    would need with both the programme and the outcome to explain the estimate away;
    ``e_value_ci`` the same for the interval's limit nearest no effect; and for
    matched pairs ``rosenbaum_gamma`` the odds of treatment within a pair at which the
    one-sided test would lose significance (None when it is not significant at 1).

    Examples
    --------
    >>> hr = Estimate(0.6, 0.5, 0.72, 0.001, 600, "hazard ratio", "cox", "first reoffence")
    >>> round(sensitivity_extra(hr)["e_value"], 2)
    2.2
    """
    extra: dict[str, Any] = {}
    scale = estimate.scale
    try:
        if scale == "hazard ratio":
            value = e_value(estimate, rare_outcome=False)
        elif scale in ("difference",) and outcome_sd is not None and outcome_sd > 0:
            value = e_value(estimate, outcome_sd=outcome_sd)
        elif scale == "percentage points" and "events_1" in estimate.diagnostics:
            value = e_value(estimate)
        elif scale == "percentage points" and "mean_outcome_control_weighted" in (
            estimate.diagnostics
        ):
            treated = estimate.diagnostics["mean_outcome_treated"]
            control = estimate.diagnostics["mean_outcome_control_weighted"]
            value = e_value(treated / control, scale="risk ratio")
        else:
            value = None
    except ConfigError:
        value = None
    if value is not None:
        extra["e_value"] = value.point
        extra["e_value_ci"] = value.limit
    if pairs is not None and len(pairs):
        bounds = _rosenbaum(pairs, estimate.effect)
        extra["rosenbaum_gamma"] = bounds.critical_gamma
    return extra


#: Smallest E-value of the interval's limit nearest no effect at which a significant
#: matched or Cox finding keeps its rating: below it, an unmeasured confounder associated
#: one and a half times with taking part and with reoffending (weaker than the measured
#: ones) could carry the interval to no effect.
ROBUST_E_VALUE = 1.5


def robustness_checks(estimate: Estimate, sensitivity: Mapping[str, Any]) -> list[Check]:
    """The robustness of a significant finding to unmeasured confounding, as a check.

    Only a significant finding is judged (an interval that already includes no effect
    has nothing for confounding to explain away). It fails when the E-value of the
    interval's limit nearest no effect is below :data:`ROBUST_E_VALUE`: the design
    cannot see what was not measured, so a result that modest confounding could undo
    is not rated as if it could.

    Examples
    --------
    >>> est = Estimate(-6.0, -11.0, -1.0, 0.02, 800, "percentage points", "m", "e")
    >>> [c.passed for c in robustness_checks(est, {"e_value": 1.5, "e_value_ci": 1.1})]
    [False]
    >>> robustness_checks(est.with_updates(ci_high=1.0, p_value=0.09), {"e_value_ci": 1.0})
    []
    """
    limit = sensitivity.get("e_value_ci")
    if not estimate.significant or limit is None:
        return []
    return [
        Check(
            "robust to modest unmeasured confounding",
            limit >= ROBUST_E_VALUE,
            f"E-value of the interval's limit nearest no effect {format_number(limit, 3)} "
            f"(at least {ROBUST_E_VALUE:g} needed)",
        )
    ]


#: The measured confounders in words, for the benchmarked sensitivity check's reason.
COVARIATE_WORDS: dict[str, str] = {
    "marac": "being heard at MARAC",
    "prior_da_incidents": "DA incidents in the two years before",
    "age_under_25": "being under 25",
    "age_25_34": "being 25 to 34",
    "age_45_54": "being 45 to 54",
    "age_55_plus": "being 55 or over",
    "age_not_recorded": "age not recorded",
    "urban": "living in an urban area",
    "dash_medium": "DASH medium risk (against standard)",
}

#: How many times as strong as the strongest measured confounder a hidden one is supposed
#: to be by the benchmarked check. Fixed before any data, from the literature: selection on
#: what is unobserved as strong as selection on what is observed is the benchmark of
#: Altonji, Elder and Taber (2005) and Oster (2019, delta = 1), and Cinelli and Hazlett
#: (2020) start their benchmarks at once the strongest covariate. A careful evaluator cannot
#: rule out one missing confounder as strong as the strongest one they happened to measure.
BENCHMARK_MULTIPLE = 1.0


def benchmark_adjusted_interval(
    estimate: Estimate, strongest: Mapping[str, Any]
) -> tuple[float, float]:
    """The finding's interval if a hidden confounder as strong as the benchmark were removed.

    The interval is moved towards no effect by the benchmark's bias (percentage points)
    and its half-width scaled by the adjusted standard error's factor
    ``sqrt((1 - r2yz_dx) / (1 - r2dz_x))`` (Cinelli and Hazlett 2020, equation 12).

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e")
    >>> benchmark_adjusted_interval(est, {"bias": 3.0, "r2dz_x": 0.0, "r2yz_dx": 0.0})
    (-15.0, 1.0)
    """
    shift = strongest["bias"] if estimate.effect < 0 else -strongest["bias"]
    factor = math.sqrt((1 - strongest["r2yz_dx"]) / (1 - strongest["r2dz_x"]))
    centre = estimate.effect + shift
    half = (estimate.ci_high - estimate.ci_low) / 2 * factor
    return float(centre - half), float(centre + half)


def benchmark_extra(estimate: Estimate, benchmarks: pd.DataFrame) -> dict[str, Any]:
    """The benchmarked sensitivity of a finding, JSON-ready (empty without a benchmark).

    ``benchmark_covariate`` is the strongest measured confounder (largest bias),
    ``benchmark_r2_treatment`` and ``benchmark_r2_outcome`` its partial R2 with taking
    part and with reoffending as a hidden confounder as strong would have them,
    ``benchmark_bias`` the bias such a confounder could cause (percentage points) and
    ``benchmark_ci_low`` / ``benchmark_ci_high`` the interval with it removed
    (:func:`benchmark_adjusted_interval`).

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e")
    >>> table = pd.DataFrame([{"benchmark": "marac", "bias": 3.0, "r2dz_x": 0.0,
    ...                        "r2yz_dx": 0.0}])
    >>> extra = benchmark_extra(est, table)
    >>> extra["benchmark_covariate"], extra["benchmark_ci_high"]
    ('marac', 1.0)
    """
    if benchmarks is None or benchmarks.empty:
        return {}
    strongest = benchmarks.iloc[0]
    low, high = benchmark_adjusted_interval(estimate, strongest)
    return {
        "benchmark_covariate": str(strongest["benchmark"]),
        "benchmark_multiple": BENCHMARK_MULTIPLE,
        "benchmark_r2_treatment": float(strongest["r2dz_x"]),
        "benchmark_r2_outcome": float(strongest["r2yz_dx"]),
        "benchmark_bias": float(strongest["bias"]),
        "benchmark_ci_low": low,
        "benchmark_ci_high": high,
    }


def benchmark_checks(
    estimate: Estimate, benchmark: Mapping[str, Any], *, programme: str
) -> list[Check]:
    """The check: could a hidden confounder as strong as the strongest measured one undo it.

    Only a significant finding is judged (an interval that already includes no effect has
    nothing to explain away). It fails when the interval with such a confounder removed
    (:func:`benchmark_extra`) reaches no effect, and then lowers the finding to SMS 2: the
    design adjusts for what was measured, and cannot rule out one more confounder as strong
    as the strongest of those.

    Examples
    --------
    >>> est = Estimate(-10.0, -18.0, -2.0, 0.01, 400, "percentage points", "m", "e")
    >>> extra = {"benchmark_covariate": "marac", "benchmark_r2_treatment": 0.03,
    ...          "benchmark_r2_outcome": 0.014, "benchmark_bias": 3.0,
    ...          "benchmark_ci_low": -15.0, "benchmark_ci_high": 1.0}
    >>> [(c.passed, c.lowers_to) for c in benchmark_checks(est, extra, programme="Drive")]
    [(False, 2)]
    """
    if not estimate.significant or "benchmark_covariate" not in benchmark:
        return []
    low, high = benchmark["benchmark_ci_low"], benchmark["benchmark_ci_high"]
    explained = low <= 0 <= high or (low > 0) != (estimate.effect > 0)
    name = benchmark["benchmark_covariate"]
    words = COVARIATE_WORDS.get(name, name)
    detail = (
        f"a hidden confounder as strongly tied to taking part in {programme} (partial R\u00b2 "
        f"{100 * benchmark['benchmark_r2_treatment']:.1f}%) and to reoffending (partial R\u00b2 "
        f"{100 * benchmark['benchmark_r2_outcome']:.1f}%) as {words}, the strongest measured "
        f"confounder, could shift the estimate by {format_number(benchmark['benchmark_bias'], 2)} "
        f"points, to an interval of {format_number(low, 3)} to {format_number(high, 3)}"
    )
    detail += (
        ", which reaches no effect: it could explain the finding away"
        if explained
        else ", which still excludes no effect"
    )
    return [
        Check(
            "robust to a hidden confounder as strong as the strongest measured one",
            not explained,
            detail,
            lowers_to=2,
        )
    ]


def _with_counts(estimate: Estimate) -> Estimate:
    """The matched estimate with its group counts, so its E-value can be formed."""
    pairs = _matched_pairs(estimate)
    if pairs is None:
        return estimate
    counts = {
        "events_1": int(pairs["treated_outcome"].sum()),
        "n_1": len(pairs),
        "events_0": int(pairs["control_outcome"].sum()),
        "n_0": len(pairs),
    }
    return estimate.with_updates(diagnostics={**estimate.diagnostics, **counts})


def _reoffending_estimate(evaluation: Evaluation, programme: str, attribute: str) -> Estimate:
    if attribute == "target_trial":
        return evaluation.target_trial[programme]
    if attribute == "intention_to_treat":
        return evaluation.intention_to_treat[programme]
    return getattr(evaluation.reoffending[programme], attribute)


def reoffending_findings(evaluation: Evaluation, programme: str) -> list[Finding]:
    """The 12-month DA reoffending findings of one programme, the target trial (primary) first.

    Matching designs carry the balance and overlap checks their diagnostics allow and the
    pre-referral trend check; those that follow comparisons from identification also
    carry the failed alignment check. Each carries its E-value, and matched pairs their
    Rosenbaum bound.
    """
    truth = _truth(evaluation, programme, "reoffending_12m_difference")
    question = REOFFENDING_QUESTION.format(programme=programme)
    prefix = TRUTH_PREFIX.get(programme, programme.lower())
    out = []
    for attribute, suffix, design, label, caveat, outcome in REOFFENDING_DESIGNS:
        estimate = _reoffending_estimate(evaluation, programme, attribute)
        checks: list[Check] = []
        pairs = None
        if design != "naive_comparison":
            checks += [*standard_checks(estimate), pre_referral_check(evaluation, programme)]
        if attribute in ("matched", "ipw"):
            checks.append(alignment_check(evaluation, programme))
        if attribute in ("target_trial", "intention_to_treat"):
            pairs = estimate.details["pairs"]
        elif attribute == "matched":
            estimate = _with_counts(estimate)
            pairs = _matched_pairs(estimate)
        sensitivity = sensitivity_extra(estimate, pairs=pairs)
        if attribute in ("target_trial", "intention_to_treat"):
            sensitivity |= benchmark_extra(
                estimate, evaluation.confounder_benchmarks.get(programme)
            )
        if design != "naive_comparison":
            checks += robustness_checks(estimate, sensitivity)
            checks += benchmark_checks(estimate, sensitivity, programme=programme)
        out.append(
            Finding(
                question=question + suffix,
                estimate=estimate,
                design=design,
                headline=attribute == "target_trial" and programme == HEADLINE_PROGRAMME,
                mde=mde(estimate) if design != "naive_comparison" else None,
                label=f"{programme}: 12-month DA reoffending, {label} (pp)",
                caveats=(caveat,),
                truth=None if attribute == "intention_to_treat" else truth,
                checks=checks,
                extra={
                    "programme": programme,
                    "plan_outcome": outcome.format(p=prefix),
                    **sensitivity,
                    # The synthetic worlds plant no intention-to-treat truth.
                    **({"truth_not_planted": True} if attribute == "intention_to_treat" else {}),
                },
            )
        )
    return out


def pre_referral_finding(evaluation: Evaluation, programme: str) -> Finding:
    """The pre-referral trend of one programme, shown as a check (no evidence level)."""
    return Finding(
        question=f"Did {programme} participants' DA crimes spike just before identification?",
        estimate=evaluation.pre_referral[programme],
        design="matched_comparison_pre_outcome",
        role="check",
        # No anticipation: the causal truth of any pre-period contrast is zero.
        truth=_truth(evaluation, programme, "placebo_did"),
        label=f"{programme}: pre-referral trend check (DA crimes)",
        caveats=(
            "A spike that would have passed anyway (a crisis prompting the referral) makes "
            "the programme look better than it is; a failed check lowers the matched ratings.",
        ),
        extra={"programme": programme},
    )


def survival_finding(evaluation: Evaluation, programme: str) -> Finding:
    """Time to first DA reoffence: the matched Cox hazard ratio of one programme."""
    survival = evaluation.survival[programme]
    hazard_ratio = survival.hazard_ratio
    ph = survival.cox.diagnostics.get("ph_global_p_value")
    checks = [alignment_check(evaluation, programme), pre_referral_check(evaluation, programme)]
    if isinstance(ph, float):
        checks.append(
            Check(
                "proportional hazards",
                ph >= 0.05,
                f"global Schoenfeld test p = {format_number(ph, 2)} (fails below 0.05)",
            )
        )
    prefix = TRUTH_PREFIX.get(programme, programme.lower())
    sensitivity = sensitivity_extra(hazard_ratio)
    checks += robustness_checks(hazard_ratio, sensitivity)
    return Finding(
        question=SURVIVAL_QUESTION.format(programme=programme),
        estimate=hazard_ratio,
        design="matched_comparison_pre_outcome",
        mde=mde(hazard_ratio),
        truth=_truth(evaluation, programme, "reoffence_hazard_ratio"),
        label=f"{programme}: time to first DA reoffence (hazard ratio)",
        caveats=(
            PRE_OUTCOME_NOTE,
            "One row per person (no one repeats), so the model's variance needs no clustering.",
        ),
        checks=checks,
        extra={
            "programme": programme,
            "plan_outcome": f"{prefix}_reoffence_hazard",
            **sensitivity,
        },
    )


def harm_findings(evaluation: Evaluation, programme: str) -> list[Finding]:
    """Harm, DA crimes, the negative control (a check) and the before/after of one programme."""
    estimates = evaluation.harm[programme]
    panel = evaluation.panels[programme]
    prefix = TRUTH_PREFIX.get(programme, programme.lower())
    control = negative_control_check(
        estimates.non_da_offences_did, what="negative control (non-DA crimes)"
    )
    findings = []
    for label, attribute, truth_key, design, outcome, role in HARM_DESIGNS:
        estimate = getattr(estimates, attribute)
        checks: list[Check] = []
        caveat = BEFORE_AFTER_CAVEAT
        if design != "before_after":
            trend = pretrend_check(estimates.event_study)
            if role == "finding":
                checks = [trend, alignment_check(evaluation, programme), control]
            caveat = f"Pre-trends: {trend.detail}."
        column = "da_offences" if "DA crimes" in label else "harm"
        sd = float(panel[column].std()) if role == "finding" else None
        findings.append(
            Finding(
                question=HARM_QUESTION.format(programme=programme, outcome=label.split(",")[0]),
                estimate=estimate,
                design=design,
                mde=mde(estimate) if role == "finding" else None,
                truth=_truth(evaluation, programme, truth_key),
                label=f"{programme}: {label} (per person-quarter)",
                caveats=(caveat,),
                checks=checks,
                role=role,
                extra={
                    "programme": programme,
                    **({"plan_outcome": outcome.format(p=prefix)} if outcome else {}),
                    **(
                        sensitivity_extra(estimate, outcome_sd=sd)
                        if design != "before_after" and role == "finding"
                        else {}
                    ),
                },
            )
        )
    return findings


def training_finding(evaluation: Evaluation) -> Finding:
    """Practitioners' knowledge-score change after training (before/after, SMS 1).

    The worst and best case over everyone trained (blanks at 0 and at 100) are
    recorded beside the complete-case change, which assumes the blanks are missing
    at random.
    """
    low, high = evaluation.training_bounds
    missing = int(evaluation.training.diagnostics.get("n_incomplete", 0) or 0)
    bounds = (
        f"{missing} practitioner(s) did not return the second questionnaire: over everyone "
        f"trained the change lies between {format_number(low, 2)} (worst case) and "
        f"{format_number(high, 2)} points (best case) whatever kept them away; the complete-case "
        "change assumes they would have scored like those who returned it."
    )
    return Finding(
        question=TRAINING_QUESTION,
        estimate=evaluation.training,
        design="before_after",
        mde=mde(evaluation.training),
        truth=planted_truth(
            evaluation.data.truth, "training_score_change", **evaluation.params.truth_settings
        ),
        label="Training: knowledge score change (points, SMS 1)",
        caveats=(TRAINING_CAVEAT, bounds),
        extra={
            "programme": "Training",
            "plan_outcome": "training_score_change",
            "worst_case_change": low,
            "best_case_change": high,
            "missing_second_scores": missing,
        },
    )


def build_findings(evaluation: Evaluation, plan: AnalysisPlan | None = None) -> list[Finding]:
    """Every finding of the report, in the report's order, rated, adjusted and planned.

    Each finding's family comes from the analysis plan (:func:`analysis_plan` unless
    ``plan`` is given); the headline takes the plan's expected effect and is demoted
    with its reason when its minimum detectable effect is more than twice it; p-values
    are Holm-adjusted within each family. Placebo-like results (the negative control,
    the pre-referral trend) are checks with no evidence level.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.perpetrator_programmes.evaluation import Parameters, evaluate
    >>> data = load("perpetrator_programmes", source="synthetic", seed=3, scale=0.5)
    >>> findings = build_findings(evaluate(data, Parameters()))
    >>> len(findings), headline(findings).label
    (25, 'Drive: 12-month DA reoffending, target trial (pp)')
    """
    plan = plan if plan is not None else analysis_plan()
    programmes = evaluation.programmes
    findings: list[Finding] = []
    for name in programmes:
        findings += reoffending_findings(evaluation, name)
    findings += [survival_finding(evaluation, name) for name in programmes]
    for name in programmes:
        findings += harm_findings(evaluation, name)
    findings.append(training_finding(evaluation))
    findings += [pre_referral_finding(evaluation, name) for name in programmes]
    value = findings_extra(evaluation)
    planned = []
    for finding in findings:
        outcome = finding.extra.get("plan_outcome", "")
        changes: dict[str, Any] = {}
        if finding.role == "finding" and outcome != plan.outcome:
            changes["family"] = plan.family_of(outcome)
        if outcome == plan.outcome and finding.headline:
            changes["expected_effect"] = plan.expected_effect
            changes["extra"] = {**finding.extra, **value}
        planned.append(replace(finding, **changes) if changes else finding)
    return adjust_families(demote_underpowered(planned))


def headline(findings: Sequence[Finding]) -> Finding:
    """The report's headline finding (Drive's target-trial 12-month reoffending effect).

    When the headline was demoted for want of power, the finding meant to be it.
    """
    meant = next((f for f in findings if f.headline), None)
    if meant is not None:
        return meant
    return next(f for f in findings if f.headline_note)


def headline_designs(findings: Sequence[Finding]) -> list[Finding]:
    """The findings of the closing forest plot: every 12-month design, and training."""
    return [
        finding
        for finding in findings
        if finding.estimate.scale == "percentage points"
        or finding.label.endswith("(points, SMS 1)")
    ]


def harm_rows(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The harm findings as rows of the report's harm table (:func:`.tables.harm_table`)."""
    return [
        {
            "programme": finding.extra["programme"],
            "label": finding.label.split(": ", 1)[1].removesuffix(" (per person-quarter)"),
            "estimate": finding.estimate,
            "mde": finding.mde,
            "sms_level": finding.sms_level,
        }
        for finding in findings
        if finding.label.endswith("(per person-quarter)")
    ]


def findings_extra(evaluation: Evaluation) -> dict[str, Any]:
    """Value-for-money figures flattened for the headline's ``extra`` (JSON-safe).

    Per programme: the benefit-cost ratio and its interval (NaN while the cost is
    unconfirmed), cost per participant, break-even victims, the verdict, the
    switching values (effect, value per victim and cost at which net benefit is
    zero) and the Monte Carlo benefit-cost interval and chance of repaying.
    """
    extra: dict[str, Any] = {"vfm_cost_confirmed": evaluation.cost_confirmed}
    for programme, result in evaluation.components.items():
        key = programme.lower()
        switching = evaluation.switching[programme]
        simulated = evaluation.simulated[programme]
        extra[f"vfm_{key}_benefit_cost_ratio"] = result.bcr[0]
        extra[f"vfm_{key}_benefit_cost_ratio_ci_low"] = result.bcr[1]
        extra[f"vfm_{key}_benefit_cost_ratio_ci_high"] = result.bcr[2]
        extra[f"vfm_{key}_cost_per_participant_gbp"] = result.cost_per_participant
        extra[f"vfm_{key}_break_even_victims"] = result.break_even_outcomes
        extra[f"vfm_{key}_verdict"] = result.verdict
        extra[f"vfm_{key}_switching_effect"] = switching.effect
        extra[f"vfm_{key}_switching_unit_cost_gbp"] = switching.unit_cost
        extra[f"vfm_{key}_switching_cost_gbp"] = switching.cost
        extra[f"vfm_{key}_monte_carlo_bcr"] = simulated.bcr[0]
        extra[f"vfm_{key}_monte_carlo_bcr_low"] = simulated.bcr[1]
        extra[f"vfm_{key}_monte_carlo_bcr_high"] = simulated.bcr[2]
        extra[f"vfm_{key}_probability_repays"] = simulated.probability_repays
    return extra
