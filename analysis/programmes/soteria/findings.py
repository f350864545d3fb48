"""Op Soteria Bluestone: the questions, the headline and the findings.

The headline is written down before the data: do adult rape reports made since adoption end
in charge more often within the follow-up than those made before? It is a before/after
comparison of cohorts (Maryland SMS 1): national trends over the same years are not removed,
which the across-forces designs will address.
"""

from __future__ import annotations

from ...evidence import Finding
from ...methods import mde
from ...synthetic.soteria import DEFAULT_EFFECTS
from .evaluation import Evaluation

#: The primary question, written down before the data.
QUESTION = (
    "Do adult rape reports made since Soteria's adoption end in charge more often within a "
    "year of report?"
)
HAZARD_QUESTION = "Among adult rape cases still open, is charge now reached sooner?"
WITHDRAWAL_QUESTION = "Do fewer adult rape victims withdraw support within a year of report?"
TEAM_QUESTION = (
    "Did the specialist RASSO team's share charged rise more than other teams' since adoption?"
)

#: Planted-truth key of each finding in the synthetic data.
TRUTH_KEY = "charge_cif_difference"
HAZARD_TRUTH_KEY = "charge_hazard_ratio"
WITHDRAWAL_TRUTH_KEY = "withdrawal_cif_difference"
TEAM_TRUTH_KEY = "team_did_charge"

CAVEATS = (
    "Before/after on cohorts of report (Maryland SMS 1): national trends in rape charging "
    "over the same years are not removed, so the change is not all Soteria's.",
    "Rising reports dilute a rate: the cohort share charged is compared, not charges per "
    "quarter against reports per quarter.",
)
WITHDRAWAL_CAVEATS = (
    "Withdrawal is counted from recorded outcome codes 14 and 16, and codes are often "
    "misapplied (an inspection found the right code in 61 of 86 Dorset cases): a change in "
    "coding practice would show here as a change in withdrawal.",
)
TEAM_CAVEAT_NOT_PARALLEL = (
    "The specialist team's and other teams' shares charged did not move together before "
    "adoption (or could not be checked), so the comparison is rated SMS 2, not 3."
)


def _truth(evaluation: Evaluation, key: str) -> float | None:
    """Planted truth, when the data are synthetic and evaluated as they were generated."""
    data = evaluation.data
    if not (data.synthetic and data.truth):
        return None
    params = evaluation.params
    # The truth holds for the generator's adoption date and follow-up only.
    if params.adoption_date != DEFAULT_EFFECTS["adoption_date"] or float(
        params.followup_days
    ) != float(DEFAULT_EFFECTS["followup_days"]):
        return None
    return data.truth.get(key)


def build_findings(evaluation: Evaluation) -> list[Finding]:
    """The findings of an evaluation, the headline first."""
    team = evaluation.team
    return [
        Finding(
            question=QUESTION,
            estimate=evaluation.charge,
            design="before_after",
            headline=True,
            truth=_truth(evaluation, TRUTH_KEY),
            mde=mde(evaluation.charge),
            label="Adult rape charged within a year, after minus before",
            caveats=CAVEATS,
        ),
        Finding(
            question=HAZARD_QUESTION,
            estimate=evaluation.charge_hazard,
            design="before_after",
            truth=_truth(evaluation, HAZARD_TRUTH_KEY),
            mde=mde(evaluation.charge_hazard),
            label="Hazard of charge among open cases, after against before",
            caveats=CAVEATS[:1],
        ),
        Finding(
            question=WITHDRAWAL_QUESTION,
            estimate=evaluation.withdrawal,
            design="before_after",
            truth=_truth(evaluation, WITHDRAWAL_TRUTH_KEY),
            mde=mde(evaluation.withdrawal),
            label="Adult rape victims withdrawing within a year, after minus before",
            caveats=CAVEATS[:1] + WITHDRAWAL_CAVEATS,
        ),
        Finding(
            question=TEAM_QUESTION,
            estimate=team.estimate,
            design="difference_in_differences",
            truth=_truth(evaluation, TEAM_TRUTH_KEY),
            mde=mde(team.estimate),
            label="Specialist team against other teams, change in share charged",
            caveats=() if team.parallel_before else (TEAM_CAVEAT_NOT_PARALLEL,),
            sms_override=None if team.parallel_before else 2,
        ),
    ]
