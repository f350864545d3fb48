"""Victim services: the evaluation questions, which is primary, truth keys, caveats, findings.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the findings the
report lists and ``findings.json`` records: repeat victimisation (matched: the
headline; then naive), victim withdrawal (matched, naive) and charge, the service change
(time to first contact, engagement, withdrawal) and abuse ceased at exit. Each carries
its planted truth when the data are synthetic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...evidence import Finding
from ...methods import mde

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
#: The sensitivity caveat of a matched difference ({:.2f}: its E-value).
E_VALUE_NOTE = (
    "E-value {:.2f}: an unmeasured confounder associated with both support and the outcome "
    "by a risk ratio this large, beyond risk and history, could explain the estimate away."
)
EXIT_CAVEAT = (
    "Exit measures are missing for victims who disengage, and those are the victims whose "
    "abuse is least likely to have stopped: the complete-case share is an upper reading. "
    "The worst and best case bounds beside it assume nothing about the missing."
)


def _truth(evaluation: Evaluation, name: str) -> float | None:
    data = evaluation.data
    if not (data.synthetic and data.truth):
        return None
    value = data.truth.get(TRUTH_KEYS[name])
    if value is None:
        return None
    return float(value)


def build_findings(evaluation: Evaluation) -> list[Finding]:
    """The findings of an evaluation, the headline first.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.victim_services.evaluation import evaluate
    >>> built = build_findings(evaluate(load("victim_services", seed=4, scale=0.5)))
    >>> built[0].headline, built[0].estimate.scale, len(built)
    (True, 'hazard ratio', 9)
    """
    repeat, withdrawal, charge = evaluation.repeat, evaluation.withdrawal, evaluation.charge
    exit_result = evaluation.exits["abuse_ceased"]
    return [
        Finding(
            question=REPEAT_QUESTION,
            estimate=repeat.matched,
            design="matched_comparison",
            headline=True,
            truth=_truth(evaluation, "repeat"),
            mde=mde(repeat.matched),
            label="Next DA incident, supported against matched (hazard ratio)",
            caveats=(SELECTION_CAVEAT, MATCHED_CAVEAT),
        ),
        Finding(
            question=REPEAT_QUESTION + " (naive comparison)",
            estimate=repeat.naive,
            design="naive_comparison",
            truth=_truth(evaluation, "repeat"),
            mde=mde(repeat.naive),
            label="Next DA incident, naive (hazard ratio)",
            caveats=(NAIVE_CAVEAT,),
        ),
        Finding(
            question=WITHDRAWAL_QUESTION,
            estimate=withdrawal.matched,
            design="matched_comparison",
            truth=_truth(evaluation, "withdrawal"),
            mde=mde(withdrawal.matched),
            label="Victim withdrawal, supported minus matched (points)",
            caveats=(
                SELECTION_CAVEAT,
                MATCHED_CAVEAT,
                E_VALUE_NOTE.format(withdrawal.e_value.point),
            ),
        ),
        Finding(
            question=WITHDRAWAL_QUESTION + " (naive comparison)",
            estimate=withdrawal.naive,
            design="naive_comparison",
            truth=_truth(evaluation, "withdrawal"),
            mde=mde(withdrawal.naive),
            label="Victim withdrawal, naive (points)",
            caveats=(NAIVE_CAVEAT,),
        ),
        Finding(
            question=CHARGE_QUESTION,
            estimate=charge.matched,
            design="matched_comparison",
            truth=_truth(evaluation, "charge"),
            mde=mde(charge.matched),
            label="Charge, supported minus matched (points)",
            caveats=(SELECTION_CAVEAT, MATCHED_CAVEAT, E_VALUE_NOTE.format(charge.e_value.point)),
        ),
        Finding(
            question=FIRST_CONTACT_QUESTION,
            estimate=evaluation.first_contact,
            design="interrupted_time_series",
            truth=_truth(evaluation, "first_contact"),
            mde=mde(evaluation.first_contact),
            label="Days from referral to first contact, step change",
            caveats=(ITS_CAVEAT,),
        ),
        Finding(
            question=ENGAGEMENT_QUESTION,
            estimate=evaluation.engagement,
            design="interrupted_time_series",
            truth=_truth(evaluation, "engagement"),
            mde=mde(evaluation.engagement),
            label="Share engaged, step change (points)",
            caveats=(ITS_CAVEAT,),
        ),
        Finding(
            question=WITHDRAWAL_TREND_QUESTION,
            estimate=evaluation.withdrawal_trend,
            design="interrupted_time_series",
            truth=_truth(evaluation, "withdrawal_trend"),
            mde=mde(evaluation.withdrawal_trend),
            label="Withdrawal among supported victims, step change (points)",
            caveats=(ITS_CAVEAT,),
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
    ]
