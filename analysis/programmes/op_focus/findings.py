"""Operation Focus findings: the questions, their earned ratings, the headline, caveats.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into findings,
each with its design, the checks its design allows (so its Maryland SMS level is
earned, with the reasons recorded), its minimum detectable effect and, on
synthetic data, the planted truth. The analysis plan (``analysis_plan:`` in
``config/op_focus.yaml``, :func:`analysis_plan`) names the primary outcome and
design, the expected effect and the families of secondary findings, whose
p-values are adjusted together (Holm). The charge-rate difference-in-differences
and regression discontinuity are meant as headlines; a headline whose minimum
detectable effect is more than twice the expected effect is demoted, with the
reason recorded (:func:`~analysis.evidence.demote_underpowered`). Placebo and
threshold checks are findings of the role ``"check"``: shown, never rated.

Each design answers its own question: the matched comparison and the
difference-in-differences estimate the effect on the arrests that were
investigated under Focus (the ATT), the regression discontinuity the effect for
suspects at the threshold whose adoption followed it (a LATE). Where effects
grow with harm they differ, so the report never presents one as the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...methods import mde
from ...results import Estimate

if TYPE_CHECKING:
    import pandas as pd

    from ...evidence import AnalysisPlan, Check, Finding
    from .evaluation import Evaluation

QUESTION_CHARGE = (
    "Did enhanced investigation raise the charge/summons rate of arrested Focus perpetrators?"
)
QUESTION_WITHDRAWAL = "Did victim withdrawal (outcome 16) fall?"
QUESTION_TIME = "Did enhanced investigation shorten the time from arrest to charge?"
QUESTION_REOFFENDING = "Did harm-weighted reoffending after arrest fall?"
#: The question of the findings that check a design rather than answer a question.
QUESTION_CHECKS = "Do the designs' own checks hold?"

#: Truth key of each finding (the synthetic generator's TRUTH_DEFINITIONS).
_TRUTH_KEYS = {
    "charge": "charge_rate_effect_pp",
    "withdrawal": "withdrawal_rate_effect_pp",
    "time": "decision_hazard_ratio",
    "reoffending_before_after": "reoffending_rate_ratio",
    "reoffending_harm": "reoffending_harm_effect",
    "reoffending_count": "reoffending_count_effect",
}
#: The regression discontinuity's own truth where the world states it (its LATE at the
#: threshold, which differs from the ATT when effects vary with harm).
_RD_TRUTH_KEY = "charge_rate_effect_at_threshold_pp"

#: The name of each planned outcome in the analysis plan, by (question, design key).
PLAN_OUTCOMES = {
    ("charge", "did"): "charge_rate",
    ("charge", "rdd"): "charge_rate_at_threshold",
    ("withdrawal", "did"): "withdrawal_rate",
    ("withdrawal", "rdd"): "withdrawal_rate_at_threshold",
    ("time", "cox"): "time_to_decision",
    ("reoffending", "harm"): "reoffending_harm",
    ("reoffending", "count"): "reoffending_count",
}

#: What each design estimates, in words the report uses.
ESTIMAND_WORDS = {
    "did": "the effect on the arrests investigated under Focus (ATT)",
    "rdd": (
        "the effect for suspects at the harm-score threshold whose adoption followed it "
        "(a local average treatment effect, LATE)"
    ),
    "matched": "the effect on the Focus perpetrators who were matched (ATT)",
}

_RATE_DESIGNS = {
    "before_after": ("before_after", "before/after, Focus perpetrators only"),
    "naive": ("naive_comparison", "Focus against all non-Focus suspects since the pilot"),
    "did": ("difference_in_differences", "difference-in-differences against high-harm suspects"),
    "rdd": ("regression_discontinuity", "regression discontinuity at the harm-score threshold"),
}


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The programme's analysis plan (``analysis_plan:`` in ``config/op_focus.yaml``).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.design, plan.expected_effect
    ('charge_rate', 'difference_in_differences', 5.0)
    """
    from ...evidence import programme_plan

    return programme_plan("op_focus", path)


def _design_caveats(key: str, estimate: Estimate, evaluation: Evaluation) -> list[str]:
    """Caveats specific to a design, with the numbers that justify them."""
    d = estimate.diagnostics
    if key == "before_after":
        return [
            "Anything else that changed between the periods (charge rates were changing for "
            "every suspect, and the offences Focus perpetrators were arrested for before "
            "selection were unusually serious) is counted as the effect of Focus."
        ]
    if key == "naive":
        return [
            "Focus perpetrators were selected for high harm and their cases differ from other "
            "suspects' (victims withdraw more often), so the groups were not comparable."
        ]
    if key == "did":
        pretrend = evaluation.event_study.diagnostics.get("pretrend_p_value")
        placebo = evaluation.placebo
        text = [
            "Rests on parallel trends between Focus perpetrators and "
            f"{d['n_comparison_suspects']:,} high-harm comparison suspects: pre-pilot "
            f"quarters' joint test p = {pretrend:.2f}; a placebo pilot start a year earlier gives "
            f"{placebo.effect:+.1f} points (95% CI {placebo.ci_low:+.1f} to "
            f"{placebo.ci_high:+.1f})."
        ]
        return text
    if key == "rdd" and d.get("not_estimable"):
        return [f"Not estimable on these data: {d['not_estimable'].rstrip('.')}."]
    if key == "rdd":
        return [
            f"Selection is fuzzy: within the bandwidth {d['share_treated_below']:.0%} of arrests "
            f"below the threshold and {d['share_treated_above']:.0%} above had a Focus "
            "investigation, so the estimate is a Wald ratio for suspects whose adoption "
            "followed the threshold, close to it.",
            f"Only {d['n_below_in_bandwidth'] + d['n_above_in_bandwidth']:,} finalised arrests "
            "fall within the bandwidth, so the interval is wide.",
        ]
    return []


def _rd_checks(evaluation: Evaluation, rd: Estimate) -> list[Check]:
    """The regression discontinuity's checks: sorting, selection, pending, first stage.

    A discontinuity that could not be estimated has one failed check instead, which
    carries the reason and lowers it to SMS 1: a design with no number has earned no
    evidence level.
    """
    from ...evidence import Check
    from ...evidence.checks import density_check, first_stage_check, placebo_check

    reason = rd.diagnostics.get("not_estimable")
    if reason:
        return [Check("estimable on these data", False, reason, lowers_to=1)]

    suspects = evaluation.rd_suspects
    checks = [
        # On suspects, not arrest rows: see designs.suspect_density_and_arrest_jump.
        density_check(suspects),
        placebo_check(suspects, what="no jump in the share of suspects arrested"),
        placebo_check(evaluation.rd_pending, what="no jump in the share of outcomes pending"),
        first_stage_check(rd, conf_level=rd.conf_level),
    ]
    cutoffs = evaluation.rdd_placebo_cutoffs
    if "jump" in cutoffs:
        tested = cutoffs.dropna(subset=["ci_low", "ci_high"])
        jumps = tested.loc[(tested["ci_low"] > 0) | (tested["ci_high"] < 0), "cutoff"]
        where = ", ".join(f"{value:g}" for value in tested["cutoff"])
        checks.append(
            Check(
                "no jumps at pretend thresholds",
                jumps.empty,
                f"pretend thresholds {where}: "
                + (
                    "no interval excludes 0"
                    if jumps.empty
                    else "a jump at " + ", ".join(f"{v:g}" for v in jumps)
                ),
            )
        )
    return checks


def _did_checks(evaluation: Evaluation, placebo: Estimate, *, charge: bool) -> list[Check]:
    """Pre-trends (the charge rate's event study) and the placebo pilot start."""
    from ...evidence.checks import placebo_check, pretrend_check

    checks = [pretrend_check(evaluation.event_study)] if charge else []
    checks.append(
        placebo_check(
            placebo, what=f"placebo pilot start {evaluation.params.placebo_start:%d %B %Y}"
        )
    )
    return checks


def _cox_checks(cox: Estimate) -> list[Check]:
    from ...evidence import Check

    p = cox.diagnostics.get("ph_global_p_value")
    if p is None:
        return []
    return [
        Check(
            "proportional hazards",
            bool(p >= 0.05),
            f"global test of proportional hazards p = {p:.2f} (fails below 0.05)",
        )
    ]


def e_value_words(estimate: Estimate, *, outcome_sd: float | None = None) -> dict[str, float]:
    """E-values of an estimate and of its interval's limit nearest no effect.

    Cox hazard ratios are converted for a common outcome (most arrests reach a
    decision); differences in means are standardised by ``outcome_sd``.

    Examples
    --------
    >>> est = Estimate(1.5, 1.2, 1.9, 0.001, 500, "hazard ratio", "cox", "e")
    >>> sorted(e_value_words(est))
    ['e_value', 'e_value_limit']
    """
    from ...methods.sensitivity import e_value

    if estimate.scale == "hazard ratio":
        result = e_value(estimate, rare_outcome=False)
    else:
        result = e_value(
            estimate.effect,
            estimate.ci_low,
            estimate.ci_high,
            scale="difference",
            outcome_sd=outcome_sd,
            conf_level=estimate.conf_level,
        )
    return {"e_value": result.point, "e_value_limit": result.limit or 1.0}


def matched_pairs(estimate: Estimate, outcome: str) -> pd.DataFrame | None:
    """Treated outcome against the mean of its matches, one row per matched treated unit.

    Returns a DataFrame with ``treated`` and ``control``, or None without pairs.
    """
    details = estimate.details or {}
    pairs, matched = details.get("pairs"), details.get("matched")
    if pairs is None or matched is None or pairs.empty or outcome not in matched:
        return None
    values = matched[outcome]
    frame = pairs.assign(
        treated=values.loc[pairs["treated_index"]].to_numpy(),
        control=values.loc[pairs["control_index"]].to_numpy() * pairs["weight"].to_numpy(),
    )
    grouped = frame.groupby("treated_index")
    out = grouped["treated"].first().to_frame()
    out["control"] = grouped["control"].sum() / grouped["weight"].sum()
    return out.reset_index(drop=True)


def rosenbaum_gamma(estimate: Estimate, outcome: str) -> dict[str, float | None]:
    """Rosenbaum bound of the matched pairs' signed-rank test, in the estimate's direction.

    ``rosenbaum_gamma`` is the largest hidden bias (odds of treatment within a
    pair) at which the matched difference stays significant at 5% (one-sided);
    None when it is not significant even with no hidden bias.
    """
    from ...methods.sensitivity import rosenbaum_wilcoxon

    pairs = matched_pairs(estimate, outcome)
    if pairs is None or len(pairs) < 5:
        return {"rosenbaum_gamma": None}
    alternative = "greater" if estimate.effect > 0 else "less"
    bounds = rosenbaum_wilcoxon(
        pairs, treated="treated", control="control", alternative=alternative
    )
    return {"rosenbaum_gamma": bounds.largest_significant_gamma}


def _sensitivity_caveat(extra: dict, what: str) -> str:
    text = (
        f"Unmeasured confounding: to explain away the {what} a confounder would need to be "
        f"associated with both Focus and the outcome by a risk ratio of "
        f"{extra['e_value']:.2f} (E-value; {extra['e_value_limit']:.2f} to move the interval "
        "to include no effect)"
    )
    if "rosenbaum_gamma" in extra:
        gamma = extra["rosenbaum_gamma"]
        text += (
            "; the matched pairs' signed-rank test is not significant even without hidden bias"
            if gamma is None
            else "; the matched pairs' signed-rank test is significant only if there is no "
            "hidden bias at all (Rosenbaum bound, Gamma = 1)"
            if gamma <= 1
            else f"; the matched pairs' signed-rank test stays significant up to a hidden bias "
            f"of Gamma = {gamma:g} (Rosenbaum bound)"
        )
    return text + "."


def build_findings(
    evaluation: Evaluation, plan: AnalysisPlan | None | bool = None
) -> list[Finding]:
    """The evaluation's findings, each with its earned SMS level, MDE and planted truth.

    The charge-rate difference-in-differences and regression discontinuity are
    meant as headlines, each with the expected effect (the ``expected_effect_pp``
    parameter, else the plan's): a headline whose MDE is more than twice that is
    demoted with its reason. Each finding carries the checks its design allows;
    placebo and threshold checks come back as findings of the role ``"check"``;
    the secondary findings the plan names are adjusted within their families
    (Holm). Matched and Cox findings carry E-values (and the matched ones a
    Rosenbaum bound) in ``extra`` and a caveat.

    Parameters
    ----------
    evaluation : Evaluation
        Output of :func:`~.evaluation.evaluate`; the planted truth comes from its
        data when they are synthetic.
    plan : AnalysisPlan or False, optional
        The analysis plan (default: :func:`analysis_plan`); ``False`` for none,
        when only ``expected_effect_pp`` can demote a headline and no family is
        adjusted.

    Returns
    -------
    list of analysis.evidence.Finding

    Examples
    --------
    >>> from analysis.programmes.op_focus.evaluation import evaluate
    >>> from analysis.synthetic import generate
    >>> findings = build_findings(evaluate(generate("op_focus", seed=5, scale=0.5)))
    >>> [f.design for f in findings if f.headline]
    ['difference_in_differences']
    >>> next(f for f in findings if f.design == "regression_discontinuity").headline_note[:16]
    'Not a headline: '
    """
    from ...evidence import Finding, adjust_families, demote_underpowered
    from ...evidence.checks import standard_checks

    if plan is None:
        plan = analysis_plan()
    elif plan is False:
        plan = None
    params = evaluation.params
    expected = params.expected_effect_pp or (plan.expected_effect if plan else None)
    truth = dict(evaluation.truth or {}) if evaluation.synthetic else {}

    def planted(key: str) -> float | None:
        value = truth.get(_TRUTH_KEYS[key]) if key in _TRUTH_KEYS else truth.get(key)
        return None if value is None else float(value)

    def family(question_key: str, design_key: str) -> str:
        outcome = PLAN_OUTCOMES.get((question_key, design_key))
        return plan.family_of(outcome) if plan and outcome else ""

    findings = []
    for question, outcome, estimates, truth_key in (
        (QUESTION_CHARGE, "Charge rate", evaluation.charge, "charge"),
        (QUESTION_WITHDRAWAL, "Victim withdrawal", evaluation.withdrawal, "withdrawal"),
    ):
        charge = truth_key == "charge"
        for key, (design, words) in _RATE_DESIGNS.items():
            estimate = estimates[key]
            checks = []
            value = planted(truth_key)
            if key == "did":
                placebo = evaluation.placebo if charge else evaluation.placebo_withdrawal
                checks = _did_checks(evaluation, placebo, charge=charge)
            elif key == "rdd":
                checks = _rd_checks(evaluation, estimate)
                if charge and planted(_RD_TRUTH_KEY) is not None:
                    value = planted(_RD_TRUTH_KEY)
            estimable = not estimate.diagnostics.get("not_estimable")
            headline = charge and key in ("did", "rdd") and estimable
            findings.append(
                Finding(
                    question=question,
                    estimate=estimate,
                    design=design,
                    headline=headline,
                    truth=value,
                    mde=mde(estimate) if estimable else None,
                    caveats=tuple(_design_caveats(key, estimate, evaluation)),
                    label=f"{outcome}: {words}",
                    extra={
                        "question_group": outcome,
                        **({"estimand_kind": ESTIMAND_WORDS[key]} if key in ESTIMAND_WORDS else {}),
                    },
                    checks=checks,
                    expected_effect=expected if headline else None,
                    family=family(truth_key, key),
                )
            )
    cox_model = evaluation.cox
    cox_extra = e_value_words(cox_model)
    findings.append(
        Finding(
            question=QUESTION_TIME,
            estimate=cox_model,
            design="regression_adjusted",
            truth=planted("time"),
            mde=mde(cox_model),
            caveats=(
                "Arrests since the pilot only, against high-harm comparison suspects' arrests, "
                "adjusted for offence group (own baseline) and harm score: no pre-pilot "
                "comparison, so SMS 2.",
                "Read as the speed-up in time to charge only because decisions take similar "
                "times whatever they are (see the check on older arrests).",
                f"Standard errors clustered by suspect "
                f"({cox_model.diagnostics.get('n_clusters', 0):,} suspects), who contribute "
                "several arrests each.",
                _sensitivity_caveat(cox_extra, "hazard ratio"),
            ),
            label="Time to outcome decision: Cox model against high-harm suspects",
            extra={"question_group": "Time to decision", **cox_extra},
            checks=_cox_checks(cox_model),
            family=family("time", "cox"),
        )
    )
    reoffending = evaluation.reoffending_estimates
    follow_up = params.reoffending_follow_up_days
    before_after_rate = reoffending["before_after"]
    findings.append(
        Finding(
            question=QUESTION_REOFFENDING,
            estimate=before_after_rate,
            design="before_after",
            truth=planted("reoffending_before_after"),
            mde=mde(before_after_rate),
            caveats=(
                "Focus perpetrators were selected on recent offending, so their pre-pilot "
                "rates are not what they would have been later (regression to the mean); "
                "seasons and desistance differ between the periods too.",
            ),
            label=f"Reoffending ({follow_up} days): before/after rate ratio, Focus only",
            extra={"question_group": "Reoffending"},
        )
    )
    harm_unit = params.harm_unit
    index = evaluation.reoffending_index
    for key, what, column in (
        ("harm", f"harm ({harm_unit})", "harm_after"),
        ("count", "number of crimes", "crimes_after"),
    ):
        estimate = reoffending[key]
        extra = {
            "question_group": "Reoffending",
            "estimand_kind": ESTIMAND_WORDS["matched"],
            **e_value_words(estimate, outcome_sd=float(index[column].std()) or None),
            **rosenbaum_gamma(estimate, column),
        }
        caveats = [
            f"Compares each Focus perpetrator's first enhanced-investigation arrest with "
            f"matched high-harm suspects' first arrest since the pilot, over {follow_up} days; "
            "no pre-pilot comparison, so SMS 2.",
            _sensitivity_caveat(extra, f"difference in {what}"),
        ]
        if key == "harm" and harm_unit == "Crime Harm Index days":
            caveats.append(
                "Harm is dominated by a few serious offences (one rape weighs 2,555 days): "
                "its interval is less reliable than the count's (too narrow when a rare, very "
                "serious offence falls in one group), so read it beside the count of crimes."
            )
        findings.append(
            Finding(
                question=QUESTION_REOFFENDING,
                estimate=estimate,
                design="matched_comparison",
                truth=planted(f"reoffending_{key}"),
                mde=mde(estimate),
                caveats=tuple(caveats),
                label=f"Reoffending ({follow_up} days), {what}: matched comparison",
                extra=extra,
                checks=standard_checks(estimate),
                family=family("reoffending", key),
            )
        )
    findings.extend(_check_findings(evaluation))
    return adjust_families(demote_underpowered(findings))


def _check_findings(evaluation: Evaluation) -> list[Finding]:
    """Placebos and threshold checks: shown with the findings, with no evidence level."""
    from ...evidence import Finding

    start = f"{evaluation.params.placebo_start:%d %B %Y}"
    rows = (
        (evaluation.placebo, "difference_in_differences",
         f"Check: charge rate, placebo pilot start {start}"),
        (evaluation.placebo_withdrawal, "difference_in_differences",
         f"Check: victim withdrawal, placebo pilot start {start}"),
        (evaluation.matching, "matched_comparison",
         "Check: pre-pilot charge rate of Focus perpetrators and their matches"),
        (evaluation.rd_suspects, "regression_discontinuity",
         "Check: share of suspects arrested, jump at the threshold"),
        (evaluation.rd_pending, "regression_discontinuity",
         "Check: share of outcomes pending, jump at the threshold"),
    )  # fmt: skip
    return [
        Finding(
            question=QUESTION_CHECKS,
            estimate=estimate,
            design=design,
            truth=0.0 if evaluation.synthetic else None,
            label=label,
            role="check",
            extra={"question_group": "Checks"},
        )
        for estimate, design, label in rows
    ]


def headline_finding(findings: list[Finding]) -> Finding | None:
    """The headline with the highest earned SMS level (None when every headline was demoted).

    Examples
    --------
    >>> from analysis.evidence import Finding
    >>> est = Estimate(5.0, 1.0, 9.0, 0.02, 500, "percentage points", "m", "e")
    >>> headline_finding([Finding("Q", est, "regression_discontinuity", headline=True)]).design
    'regression_discontinuity'
    """
    headlines = [f for f in findings if f.headline]
    return max(headlines, key=lambda f: f.sms_level, default=None)


def finding_of(findings: list[Finding], estimate: Estimate) -> Finding:
    """The finding that reports ``estimate``.

    Examples
    --------
    >>> from analysis.evidence import Finding
    >>> est = Estimate(5.0, 1.0, 9.0, 0.02, 500, "percentage points", "m", "e")
    >>> finding_of([Finding("Q", est, "before_after", mde=4.0)], est).mde
    4.0
    """
    return next(f for f in findings if f.estimate is estimate)
