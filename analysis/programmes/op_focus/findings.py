"""Operation Focus findings: the questions, the headline, truth keys, caveats.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into findings,
each with its design (Maryland SMS level), minimum detectable effect and, on
synthetic data, the planted truth. The headlines are the charge-rate effect
from the strongest design, the regression discontinuity (SMS 4), and from the
most precise one, the difference-in-differences (SMS 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...methods import mde
from ...results import Estimate

if TYPE_CHECKING:
    from ...evidence import Finding
    from .evaluation import Evaluation

QUESTION_CHARGE = (
    "Did enhanced investigation raise the charge/summons rate of arrested Focus perpetrators?"
)
QUESTION_WITHDRAWAL = "Did victim withdrawal (outcome 16) fall?"
QUESTION_TIME = "Did enhanced investigation shorten the time from arrest to charge?"
QUESTION_REOFFENDING = "Did harm-weighted reoffending after arrest fall?"

#: Truth key of each finding (the synthetic generator's TRUTH_DEFINITIONS).
_TRUTH_KEYS = {
    "charge": "charge_rate_effect_pp",
    "withdrawal": "withdrawal_rate_effect_pp",
    "time": "decision_hazard_ratio",
    "reoffending_before_after": "reoffending_rate_ratio",
    "reoffending_harm": "reoffending_harm_effect",
    "reoffending_count": "reoffending_count_effect",
}

_RATE_DESIGNS = {
    "before_after": ("before_after", "before/after, Focus perpetrators only"),
    "naive": ("naive_comparison", "Focus against all non-Focus suspects since the pilot"),
    "did": ("difference_in_differences", "difference-in-differences against high-harm suspects"),
    "rdd": ("regression_discontinuity", "regression discontinuity at the harm-score threshold"),
}


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


def build_findings(evaluation: Evaluation) -> list[Finding]:
    """The evaluation's findings, each with its design (SMS level), MDE and planted truth.

    The headlines are the charge-rate effect from the strongest design, the
    regression discontinuity (SMS 4), and from the most precise one, the
    difference-in-differences (SMS 3): at Dorset volumes the discontinuity alone
    cannot detect an effect of a few points, so a reader needs both.

    Parameters
    ----------
    evaluation : Evaluation
        Output of :func:`~.evaluation.evaluate`; the planted truth comes from its
        data when they are synthetic.

    Returns
    -------
    list of analysis.evidence.Finding

    Examples
    --------
    >>> from analysis.programmes.op_focus.evaluation import evaluate
    >>> from analysis.synthetic import generate
    >>> findings = build_findings(evaluate(generate("op_focus", seed=5, scale=0.5)))
    >>> [f.sms_level for f in findings if f.headline], len(findings)
    ([3, 4], 12)
    """
    from ...evidence import Finding

    truth = dict(evaluation.truth or {}) if evaluation.synthetic else {}

    def planted(key: str) -> float | None:
        value = truth.get(_TRUTH_KEYS[key])
        return None if value is None else float(value)

    findings = []
    for question, outcome, estimates, truth_key in (
        (QUESTION_CHARGE, "Charge rate", evaluation.charge, "charge"),
        (QUESTION_WITHDRAWAL, "Victim withdrawal", evaluation.withdrawal, "withdrawal"),
    ):
        for key, (design, words) in _RATE_DESIGNS.items():
            estimate = estimates[key]
            findings.append(
                Finding(
                    question=question,
                    estimate=estimate,
                    design=design,
                    headline=truth_key == "charge" and key in ("did", "rdd"),
                    truth=planted(truth_key),
                    mde=mde(estimate),
                    caveats=tuple(_design_caveats(key, estimate, evaluation)),
                    label=f"{outcome}: {words}",
                    extra={"question_group": outcome},
                )
            )
    cox_model = evaluation.cox
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
            ),
            label="Time to outcome decision: Cox model against high-harm suspects",
            extra={"question_group": "Time to decision"},
        )
    )
    reoffending = evaluation.reoffending_estimates
    follow_up = evaluation.params.reoffending_follow_up_days
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
    harm_unit = evaluation.params.harm_unit
    for key, what in (("harm", f"harm ({harm_unit})"), ("count", "number of crimes")):
        estimate = reoffending[key]
        caveats = [
            f"Compares each Focus perpetrator's first enhanced-investigation arrest with "
            f"matched high-harm suspects' first arrest since the pilot, over {follow_up} days; "
            "no pre-pilot comparison, so SMS 2."
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
                extra={"question_group": "Reoffending"},
            )
        )
    return findings


def headline_finding(findings: list[Finding]) -> Finding:
    """The headline finding from the strongest design (the regression discontinuity, SMS 4).

    Examples
    --------
    >>> from analysis.evidence import Finding
    >>> est = Estimate(5.0, 1.0, 9.0, 0.02, 500, "percentage points", "m", "e")
    >>> headline_finding([Finding("Q", est, "regression_discontinuity", headline=True)]).design
    'regression_discontinuity'
    """
    return next(f for f in findings if f.headline and f.sms_level == 4)


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
