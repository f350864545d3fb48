"""Victim services: the evaluation questions, which is primary, truth keys, caveats, findings.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the findings the
report lists and ``findings.json`` records: repeat victimisation (matched: the
headline; then naive), victim withdrawal (matched, naive) and charge, the service change
(time to first contact, engagement, withdrawal) and abuse ceased at exit. Each carries
its planted truth when the data are synthetic.

The analysis plan (``analysis_plan:`` in ``config/victim_services.yaml``,
:func:`analysis_plan`) names the primary outcome (repeat victimisation, matched), its
expected effect and the families of secondary findings, whose p-values are adjusted
within family (Holm); its fingerprint goes into findings.json. The headline is demoted,
with the reason, when its minimum detectable effect is more than twice the expected
effect (:func:`~analysis.evidence.demote_underpowered`). The step in the share of MARAC
referrals, a negative control of the service-change series, is listed as a check
(``role="check"``), with no evidence level of its own.

The matched findings earn their rating: balance and overlap after matching, whether the
recorded risk they match on means the same month to month (:func:`risk_recording_check`)
and whether the comparison group was supported after all (:func:`comparison_check`). Each matched or
Cox finding records its E-value and the Rosenbaum bound of its matched pairs
(:func:`sensitivity_extra`): no check of the data can show confounding by what was not
recorded, so these say how strong it would have to be, and each matched finding's caveats
say so in plain words (:func:`.narrative.unmeasured_confounding`).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...errors import ConfigError
from ...evidence import Check, Finding, adjust_families, demote_underpowered
from ...evidence.checks import negative_control_check, standard_checks
from ...evidence.plan import AnalysisPlan, programme_plan
from ...methods import mde
from ...methods.sensitivity import EValue, e_value, rosenbaum_binary
from ...results import Estimate, format_p_value
from . import designs, narrative

if TYPE_CHECKING:
    from .evaluation import Evaluation

#: The primary question, written down before the data: safety is what the services are for.
REPEAT_QUESTION = "Were supported victims victimised again less often?"
WITHDRAWAL_QUESTION = "Did supported victims withdraw from prosecutions less often (outcome 16)?"
CHARGE_QUESTION = "Were offences against supported victims charged more often?"
FIRST_CONTACT_QUESTION = (
    "Were victims contacted sooner after the move to the pan-Dorset IDVA service?"
)
ENGAGEMENT_QUESTION = "Did more victims engage after the move to the pan-Dorset IDVA service?"
WITHDRAWAL_TREND_QUESTION = (
    "Did victim withdrawal change after the move to the pan-Dorset IDVA service?"
)
EXIT_QUESTION = "How many victims' abuse had stopped when their case closed?"
REFERRAL_MIX_QUESTION = (
    "Did the share of MARAC referrals step at the service change? (check: should not)"
)

#: The analysis plan's outcome names, by finding label (``config/victim_services.yaml``).
PLAN_OUTCOMES = {
    "repeat": "repeat_victimisation",
    "repeat_naive": "repeat_victimisation_naive",
    "withdrawal": "victim_withdrawal",
    "withdrawal_naive": "victim_withdrawal_naive",
    "charge": "charge",
    "first_contact": "days_to_first_contact",
    "engagement": "engagement",
    "withdrawal_trend": "withdrawal_after_change",
}

#: Planted-truth keys in the synthetic data, by finding label.
TRUTH_KEYS = {
    "repeat": "repeat_hazard_ratio",
    "withdrawal": "withdrawal_difference_pp",
    "charge": "charge_difference_pp",
    "first_contact": "first_contact_change_days",
    "engagement": "engagement_change_pp",
    "withdrawal_trend": "withdrawal_change_pp",
    "abuse_ceased": "abuse_ceased_share",
}

SELECTION_CAVEAT = (
    "Higher-risk victims are referred more: a naive comparison of supported with unsupported "
    "victims can point the wrong way (a London specialist court study found repeat "
    "incidents almost twice as high on days an IDVA was present, from selection, not harm). "
    "The matched comparison removes differences in recorded risk and history only."
)
MATCHED_CAVEAT = (
    "Matched observational comparison (Maryland SMS 2): supported victims were not shown to "
    "be similar to the comparison beforehand on the outcome's trend, only on risk level, "
    "prior incidents and offence type at the date of the crime."
)
NAIVE_CAVEAT = "Naive comparison (SMS 1), shown beside the matched one: biased by selection."
ITS_CAVEAT = (
    "Interrupted time series without a comparison series (SMS 2): anything else that changed "
    "at the same time (other services, recording, demand) would be read as the service change."
)
CENSORED_CAVEAT = (
    "Comparison victims referred to a service after the grace period are followed only "
    "until that referral (they then stop being unsupported)."
)
ITS_MIX_NOTE = (
    "The monthly series are standardised to the period's mix of MARAC and other "
    "referrals, so a change in that mix at the service change is not read as its effect."
)
EXIT_CAVEAT = (
    "Exit measures are missing for victims who disengage, and those are the victims whose "
    "abuse is least likely to have stopped: the complete-case share is an upper reading. "
    "The worst and best case bounds beside it assume nothing about the missing."
)


#: Share of the comparison group referred after the grace period, within follow-up, above
#: which the comparison counts as part supported: a difference in a 0/1 outcome then
#: shrinks towards none by about that share of the effect.
COMPARISON_SUPPORTED_LIMIT = 0.10


#: Significance level of the month-to-month test of recorded risk.
RISK_RECORDING_ALPHA = 0.05


def comparison_check(evaluation: Evaluation) -> Check:
    """Whether the comparison group stayed unsupported, as a check on a matched difference.

    Fails when more than :data:`COMPARISON_SUPPORTED_LIMIT` of the comparison victims were
    referred after the grace period but within follow-up (referrals lag): the
    comparison is then part supported and the difference is too small.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.victim_services.evaluation import evaluate
    >>> comparison_check(evaluate(load("victim_services", seed=4, scale=0.5))).passed
    True
    """
    later, total = designs.comparison_referred_later(
        evaluation.trial, evaluation.params.follow_up_days
    )
    name = "comparison group not supported later"
    if total == 0:
        return Check(name, None, "no comparison victims with a finalised outcome")
    share = later / total
    return Check(
        name,
        share <= COMPARISON_SUPPORTED_LIMIT,
        f"{later:,} of {total:,} comparison victims ({share:.0%}) were referred after the "
        f"{evaluation.params.support_window_days}-day grace period, within follow-up "
        f"(limit {COMPARISON_SUPPORTED_LIMIT:.0%})",
    )


def risk_recording_check(evaluation: Evaluation) -> Check:
    """Whether the recorded DASH risk means the same from month to month, as a check.

    Fails when the gap in recorded risk between supported and comparison victims varies
    by month of the crime (p below 0.05, :func:`.designs.risk_recording_stability`): a
    sign that the level on the police record was overwritten after the crime for some
    supported victims (re-assessment at intake), so matching on it no longer compares
    like with like.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.victim_services.evaluation import evaluate
    >>> risk_recording_check(evaluate(load("victim_services", seed=4, scale=0.5))).passed
    True
    """
    name = "recorded risk stable from month to month"
    p_value = designs.risk_recording_stability(evaluation.trial)
    if p_value is None:
        return Check(name, None, "too few victims a month to compare the recorded risk")
    return Check(
        name,
        p_value >= RISK_RECORDING_ALPHA,
        "test that the gap in recorded DASH risk between supported and comparison victims "
        f"is the same every month p = {format_p_value(p_value)} (fails below "
        f"{RISK_RECORDING_ALPHA:g})",
    )


def referral_mix_check(evaluation: Evaluation) -> Check:
    """Whether the share of MARAC referrals held steady at the service change, as a check.

    The service-change series are standardised to the period's MARAC/other mix, which
    removes a change in that share but not a change in who is referred within each kind;
    a step in the share says the caseload changed with the service, and an interrupted
    time series cannot tell the two apart.
    """
    return negative_control_check(
        evaluation.referral_mix, what="share of MARAC referrals steady at the service change"
    )


def cohort_pairs(cohort: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """0/1 ``outcome`` of the supported and comparison member of each 1:1 matched pair.

    The pairs are the repeat-victimisation cohort's (matched on the same covariates,
    without replacement), kept where both crimes are finalised: the matched differences
    themselves match with replacement, which pairs each supported victim with every tied
    comparison, and Rosenbaum's bound needs one comparison per pair.

    Examples
    --------
    >>> cohort = pd.DataFrame({"pair_id": [0, 0, 1, 1], "supported": [1, 0, 1, 0],
    ...     "finalised": [True, True, True, False], "withdrawn": [0, 1, 1, 0]})
    >>> cohort_pairs(cohort, "withdrawn").to_dict("records")
    [{'treated_outcome': 0, 'control_outcome': 1}]
    """
    treated = cohort[cohort["supported"] == 1].set_index("pair_id")
    control = cohort[cohort["supported"] == 0].set_index("pair_id").reindex(treated.index)
    both = treated["finalised"].astype(bool) & control["finalised"].astype(bool)
    return pd.DataFrame(
        {
            "treated_outcome": treated.loc[both, outcome].astype(int),
            "control_outcome": control.loc[both, outcome].astype(int),
        }
    ).reset_index(drop=True)


def sensitivity_extra(
    estimate: Estimate, *, value: EValue | None = None, pairs: pd.DataFrame | None = None
) -> dict[str, Any]:
    """E-value and Rosenbaum bound of a matched or Cox finding, JSON-ready.

    ``e_value`` is the strength, on the risk-ratio scale, an unmeasured confounder would
    need with both support and the outcome to explain the estimate away; ``e_value_ci``
    the same for the interval's limit nearest no effect (1: the interval already
    includes no effect). A hazard ratio's E-value is formed here (the outcome is not
    rare); a difference in points passes its own (``value``). For matched pairs,
    ``rosenbaum_gamma`` is the odds of support within a pair at which the one-sided
    McNemar-type test would lose significance (``None``: not significant even at 1).

    Examples
    --------
    >>> hr = Estimate(0.6, 0.5, 0.72, 0.001, 600, "hazard ratio", "cox", "next incident")
    >>> round(sensitivity_extra(hr)["e_value"], 2)
    2.2
    """
    extra: dict[str, Any] = {}
    if value is None and estimate.scale == "hazard ratio":
        try:
            value = e_value(estimate, rare_outcome=False)
        except ConfigError:
            value = None
    if value is not None:
        extra["e_value"] = value.point
        extra["e_value_ci"] = value.limit
    if pairs is not None and len(pairs) and math.isfinite(estimate.effect):
        alternative = "less" if estimate.effect < estimate.null_value else "greater"
        bounds = rosenbaum_binary(
            pairs, treated="treated_outcome", control="control_outcome", alternative=alternative
        )
        extra["rosenbaum_gamma"] = bounds.critical_gamma
        extra["rosenbaum_pairs"] = bounds.n_pairs
    return extra


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The analysis plan of victim services (``analysis_plan:`` in its config).

    Raises
    ------
    ConfigError
        When the config has no ``analysis_plan`` block (or an invalid one).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.design, plan.expected_effect
    ('repeat_victimisation', 'matched_comparison', 0.8)
    >>> plan.family_of("charge")
    'criminal justice'
    """
    return programme_plan("victim_services", path)


def expected_effect(evaluation: Evaluation, plan: AnalysisPlan) -> float | None:
    """The headline's expected hazard ratio: the parameter when set (not 0), else the plan's.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from analysis.programmes.victim_services.evaluation import Parameters
    >>> plan = analysis_plan()
    >>> expected_effect(SimpleNamespace(params=Parameters()), plan)
    0.8
    >>> expected_effect(SimpleNamespace(params=Parameters(expected_hazard_ratio=0.9)), plan)
    0.9
    """
    given = evaluation.params.expected_hazard_ratio
    return float(given) if given else plan.expected_effect


def with_confounding_caveat(finding: Finding, outcome: str) -> Finding:
    """``finding`` with the plain-words caveat on unmeasured confounding added last.

    ``outcome`` is a key of :data:`.narrative.OUTCOME_WORDS` ("repeat", "withdrawal",
    "charge").

    The caveat is written from the finding's own E-value and Rosenbaum bound
    (:func:`.narrative.unmeasured_confounding`), so the report says for every matched
    finding what it rests on, whatever its rating.
    """
    words = narrative.unmeasured_confounding(finding, outcome)
    return dataclasses.replace(finding, caveats=(*finding.caveats, words))


def _truth(evaluation: Evaluation, name: str) -> float | None:
    data = evaluation.data
    if not (data.synthetic and data.truth):
        return None
    value = data.truth.get(TRUTH_KEYS[name])
    if value is None:
        return None
    return float(value)


def build_findings(evaluation: Evaluation, plan: AnalysisPlan | None = None) -> list[Finding]:
    """The findings of an evaluation, the headline first, ratings earned and p-values adjusted.

    Parameters
    ----------
    evaluation : Evaluation
    plan : AnalysisPlan, optional
        Default: :func:`analysis_plan` (``config/victim_services.yaml``). Its expected
        effect (unless ``expected_hazard_ratio`` is set) decides whether the headline
        keeps its place; its families group the secondary findings for Holm's adjustment.

    Returns
    -------
    list of Finding
        Repeat victimisation (matched: the headline; naive), withdrawal (matched, naive),
        charge, the three service-change steps, abuse ceased at exit, then the referral
        mix check (``role="check"``).

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.victim_services.evaluation import evaluate
    >>> built = build_findings(evaluate(load("victim_services", seed=4, scale=0.5)))
    >>> built[0].headline, built[0].estimate.scale, len(built), built[-1].role
    (True, 'hazard ratio', 10, 'check')
    >>> built[2].family, built[2].p_adjustment
    ('criminal justice', 'Holm')
    """
    plan = plan or analysis_plan()
    family = {name: plan.family_of(outcome) for name, outcome in PLAN_OUTCOMES.items()}
    repeat, withdrawal, charge = evaluation.repeat, evaluation.withdrawal, evaluation.charge
    exit_result = evaluation.exits["abuse_ceased"]
    repeat_sensitivity = sensitivity_extra(repeat.matched, pairs=repeat.pairs)
    comparison = comparison_check(evaluation)
    difference_sensitivity = {
        name: sensitivity_extra(
            result.matched, value=result.e_value, pairs=cohort_pairs(repeat.cohort, outcome)
        )
        for name, result, outcome in (
            ("withdrawal", withdrawal, "withdrawn"),
            ("charge", charge, "charged"),
        )
    }

    recording = risk_recording_check(evaluation)
    mix = referral_mix_check(evaluation)

    def matched_checks(result: Any) -> list[Check]:
        return [*standard_checks(result.matched), recording, comparison]

    findings = [
        Finding(
            question=REPEAT_QUESTION,
            estimate=repeat.matched,
            design="matched_comparison",
            headline=True,
            truth=_truth(evaluation, "repeat"),
            mde=mde(repeat.matched),
            expected_effect=expected_effect(evaluation, plan),
            label="Next DA incident, supported against matched (hazard ratio)",
            caveats=(SELECTION_CAVEAT, MATCHED_CAVEAT, CENSORED_CAVEAT),
            # Balance and overlap are the 1:1 matching's; comparison victims referred later
            # are censored at referral, so the comparison check does not apply.
            checks=[*standard_checks(repeat.matching), recording],
            extra={
                **repeat_sensitivity,
                "censored_at_referral": repeat.censored_at_referral,
            },
        ),
        Finding(
            question=REPEAT_QUESTION + " (naive comparison)",
            estimate=repeat.naive,
            design="naive_comparison",
            truth=_truth(evaluation, "repeat"),
            mde=mde(repeat.naive),
            label="Next DA incident, naive (hazard ratio)",
            caveats=(NAIVE_CAVEAT,),
            family=family["repeat_naive"],
        ),
        Finding(
            question=WITHDRAWAL_QUESTION,
            estimate=withdrawal.matched,
            design="matched_comparison",
            truth=_truth(evaluation, "withdrawal"),
            mde=mde(withdrawal.matched),
            label="Victim withdrawal, supported minus matched (points)",
            caveats=(SELECTION_CAVEAT, MATCHED_CAVEAT),
            checks=matched_checks(withdrawal),
            extra=difference_sensitivity["withdrawal"],
            family=family["withdrawal"],
        ),
        Finding(
            question=WITHDRAWAL_QUESTION + " (naive comparison)",
            estimate=withdrawal.naive,
            design="naive_comparison",
            truth=_truth(evaluation, "withdrawal"),
            mde=mde(withdrawal.naive),
            label="Victim withdrawal, naive (points)",
            caveats=(NAIVE_CAVEAT,),
            family=family["withdrawal_naive"],
        ),
        Finding(
            question=CHARGE_QUESTION,
            estimate=charge.matched,
            design="matched_comparison",
            truth=_truth(evaluation, "charge"),
            mde=mde(charge.matched),
            label="Charge, supported minus matched (points)",
            caveats=(SELECTION_CAVEAT, MATCHED_CAVEAT),
            checks=matched_checks(charge),
            extra=difference_sensitivity["charge"],
            family=family["charge"],
        ),
        Finding(
            question=FIRST_CONTACT_QUESTION,
            estimate=evaluation.first_contact,
            design="interrupted_time_series",
            truth=_truth(evaluation, "first_contact"),
            mde=mde(evaluation.first_contact),
            label="Days from referral to first contact, step change",
            caveats=(ITS_CAVEAT, ITS_MIX_NOTE),
            checks=[mix],
            family=family["first_contact"],
        ),
        Finding(
            question=ENGAGEMENT_QUESTION,
            estimate=evaluation.engagement,
            design="interrupted_time_series",
            truth=_truth(evaluation, "engagement"),
            mde=mde(evaluation.engagement),
            label="Share engaged, step change (points)",
            caveats=(ITS_CAVEAT, ITS_MIX_NOTE),
            checks=[mix],
            family=family["engagement"],
        ),
        Finding(
            question=WITHDRAWAL_TREND_QUESTION,
            estimate=evaluation.withdrawal_trend,
            design="interrupted_time_series",
            truth=_truth(evaluation, "withdrawal_trend"),
            mde=mde(evaluation.withdrawal_trend),
            label="Withdrawal among supported victims, step change (points)",
            caveats=(ITS_CAVEAT,),
            family=family["withdrawal_trend"],
        ),
        Finding(
            question=EXIT_QUESTION,
            estimate=exit_result.complete_case,
            design="descriptive",
            truth=_truth(evaluation, "abuse_ceased"),
            label="Abuse ceased at exit (complete case, share)",
            caveats=(EXIT_CAVEAT,),
            extra={
                "bounds_low": exit_result.bounds.lower,
                "bounds_high": exit_result.bounds.upper,
                "bounds_ci_low": exit_result.bounds.ci_low,
                "bounds_ci_high": exit_result.bounds.ci_high,
            },
        ),
        Finding(
            question=REFERRAL_MIX_QUESTION,
            estimate=evaluation.referral_mix,
            design="interrupted_time_series",
            mde=mde(evaluation.referral_mix),
            label="Share of MARAC referrals, step change (points; check: should be none)",
            role="check",
            # The generator plants the share's step in no world's truth: its friendly
            # world holds the mix steady, and marac_volume_change moves it by design.
            extra={"truth_not_planted": True},
        ),
    ]
    # The plain-words caveat is written last, from each matched finding's own E-value and
    # Rosenbaum bound, so it cannot disagree with the numbers recorded beside it.
    for position, name in ((0, "repeat"), (2, "withdrawal"), (4, "charge")):
        findings[position] = with_confounding_caveat(findings[position], name)
    return adjust_families(demote_underpowered(findings))
