"""Op Soteria Bluestone: the questions, the headline and the findings.

The headline is written down before the data: do adult rape reports made since adoption end
in charge more often within the follow-up than those made before? It is a before/after
comparison of cohorts (Maryland SMS 1): national trends over the same years are not removed.
Three checks stand between it and the scorecard (:func:`headline_checks`): a placebo
adoption a year early, a national change at adoption in forces that had adopted earlier, and
a step in reports at adoption; when one fails the headline is demoted with its reason, since
the change it measures cannot then be taken for Soteria's. The across-forces designs are
findings of their own: the staggered difference-in-differences (earlier waves' change,
SMS 3 before its checks) and, where the adoption table leaves forces to compare with, a
synthetic control of Dorset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ...evidence import Finding, adjust_families, demote_underpowered
from ...evidence.checks import placebo_check
from ...evidence.plan import AnalysisPlan, programme_plan
from ...evidence.sms import Check
from ...methods import mde
from ...synthetic.soteria import DEFAULT_EFFECTS
from .designs import RECORDING_STEP, AcrossForces
from .evaluation import Evaluation, Parameters

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
ACROSS_QUESTION = (
    "Across forces, did the share of adult rape outcomes that are charges rise in forces of "
    "the earlier waves once they adopted, against forces not yet adopting?"
)
SYNTHETIC_QUESTION = (
    "Did Dorset's share of adult rape outcomes that are charges rise after adoption, against "
    "a weighted combination of forces not yet adopting?"
)

#: The plan's name for each finding's outcome (``config/soteria.yaml``, ``analysis_plan:``).
PLAN_OUTCOMES = {
    QUESTION: "charged_within_a_year",
    HAZARD_QUESTION: "hazard_of_charge",
    WITHDRAWAL_QUESTION: "victim_withdrawal",
    TEAM_QUESTION: "specialist_team",
    ACROSS_QUESTION: "earlier_waves",
    SYNTHETIC_QUESTION: "synthetic_control",
}

#: Planted-truth key of each finding in the synthetic data.
TRUTH_KEY = "charge_cif_difference"
HAZARD_TRUTH_KEY = "charge_hazard_ratio"
WITHDRAWAL_TRUTH_KEY = "withdrawal_cif_difference"
TEAM_TRUTH_KEY = "team_did_charge"
ACROSS_TRUTH_KEY = "national_charge_difference"

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
ACROSS_CAVEATS = (
    "Charge shares are period rates from the Home Office outcomes table (charges over all "
    "outcomes assigned in a quarter, whenever the crimes were reported), not cohort rates.",
    "Every force adopted in the end: the comparison ends when the last wave adopts, so this "
    "is the earlier waves' change, not Dorset's.",
    "The adoption table's dates are not yet confirmed against a Home Office or NPCC list.",
)
SYNTHETIC_CAVEATS = (
    "Only the quarters before the first comparison force adopts can be compared, so the "
    "post-adoption period is short.",
    "Charge shares are period rates from the Home Office outcomes table, not cohort rates.",
)
TEAM_CAVEAT_NOT_PARALLEL = (
    "The specialist team's and other teams' shares charged did not move together before "
    "adoption (or could not be checked), so the comparison is rated SMS 2, not 3."
)


def planted_truth(truth: Mapping[str, float] | None, params: Parameters, key: str) -> float | None:
    """The planted value of ``key``, when the data were evaluated as they were generated.

    Parameters
    ----------
    truth : mapping or None
        The synthetic data's planted truth (None for a real extract).
    params : Parameters
        The parameters of the evaluation: the truth holds for the generator's adoption date
        and follow-up only.
    key : str
        The truth key (e.g. :data:`TRUTH_KEY`).

    Examples
    --------
    >>> from analysis.programmes.soteria.evaluation import Parameters
    >>> planted_truth({TRUTH_KEY: 0.05}, Parameters(), TRUTH_KEY)
    0.05
    >>> planted_truth({TRUTH_KEY: 0.05}, Parameters(followup_days=180), TRUTH_KEY) is None
    True
    """
    if not truth:
        return None
    if params.adoption_date != DEFAULT_EFFECTS["adoption_date"] or float(
        params.followup_days
    ) != float(DEFAULT_EFFECTS["followup_days"]):
        return None
    return truth.get(key)


def _truth(evaluation: Evaluation, key: str) -> float | None:
    """Planted truth, when the data are synthetic and evaluated as they were generated."""
    data = evaluation.data
    return planted_truth(data.truth if data.synthetic else None, evaluation.params, key)


def headline_checks(evaluation: Evaluation) -> tuple[Check, ...]:
    """What could make the before/after headline someone else's change, each as a Check.

    - a placebo adoption a year early, on reports made before adoption: fails when their
      share charged was already moving (a trend, or a dip that drew the force in);
    - a national change: fails when forces that had adopted earlier saw their charge share
      step at Dorset's adoption in the headline's direction (a change Soteria did not make);
    - a change in recording: fails when monthly reports stepped at adoption, beyond their
      trend, by :data:`~.designs.RECORDING_STEP` or more (the cohorts are then not alike).
    """
    checks = []
    if evaluation.placebo_early is None:
        checks.append(Check("placebo adoption a year early", None, "too few earlier reports"))
    else:
        checks.append(placebo_check(evaluation.placebo_early, what="placebo adoption a year early"))
    shift = evaluation.forces.national_shift
    name = "no national change at adoption"
    if shift is None:
        checks.append(Check(name, None, evaluation.forces.national_shift_reason))
    else:
        same_way = (shift.effect > 0) == (evaluation.charge.effect > 0)
        moved = shift.ci_low > 0 or shift.ci_high < 0
        checks.append(
            Check(
                name,
                not (moved and same_way),
                f"earlier adopters' charge share changed by {shift.effect * 100:+.1f} points "
                f"(95% CI {shift.ci_low * 100:+.1f} to {shift.ci_high * 100:+.1f}) at "
                "Dorset's adoption",
            )
        )
    step = evaluation.reports_step
    name = "no change in recording at adoption"
    if step is None:
        checks.append(Check(name, None, "no months on both sides of adoption"))
    else:
        moved = (step.ci_low > 1 or step.ci_high < 1) and abs(step.effect - 1) >= RECORDING_STEP
        checks.append(
            Check(
                name,
                not moved,
                f"monthly reports from adoption were {step.effect:.2f} times their trend "
                f"(95% CI {step.ci_low:.2f} to {step.ci_high:.2f})",
            )
        )
    return tuple(checks)


def demote_if_checks_fail(finding: Finding) -> Finding:
    """The headline, demoted with its reasons when one of its checks failed.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(0.03, 0.01, 0.05, 0.01, 900, "difference", "m", "e")
    >>> failed = Check("no national change at adoption", False, "changed by +2.0 points")
    >>> demoted = demote_if_checks_fail(
    ...     Finding("q", est, "before_after", headline=True, checks=(failed,)))
    >>> demoted.headline, demoted.headline_note[:17]
    (False, 'Not a headline: t')
    """
    failed = [check for check in finding.checks if check.passed is False]
    if not finding.headline or not failed:
        return finding
    reasons = "; ".join(f"{check.name} failed ({check.detail})" for check in failed)
    return replace(
        finding,
        headline=False,
        headline_note=(
            f"Not a headline: the change cannot be taken for Soteria's, because {reasons}."
        ),
    )


def across_forces_findings(evaluation: Evaluation) -> list[Finding]:
    """The staggered difference-in-differences and the synthetic control, where they exist."""
    forces: AcrossForces = evaluation.forces
    out = []
    if forces.staggered is not None:
        anticipation = forces.anticipation
        checks = [
            Check(
                "parallel pre-trends",
                None,
                "not judged by the joint test: with four forces or fewer in each adoption "
                "cohort its covariance rests on too few forces; the dip check stands in",
            ),
            placebo_check(forces.dip, what="no dip before adoption"),
        ]
        if anticipation is not None:
            inside = anticipation.ci_low <= forces.staggered.effect <= anticipation.ci_high
            checks.append(
                Check(
                    "robust to a year's anticipation",
                    inside,
                    f"with the base period a year before adoption the estimate is "
                    f"{anticipation.effect * 100:+.1f} points (95% CI "
                    f"{anticipation.ci_low * 100:+.1f} to {anticipation.ci_high * 100:+.1f})",
                )
            )
        out.append(
            Finding(
                question=ACROSS_QUESTION,
                estimate=forces.staggered,
                design="staggered_difference_in_differences",
                truth=_truth(evaluation, ACROSS_TRUTH_KEY),
                mde=mde(forces.staggered),
                label="Earlier waves against forces not yet adopting, charge share",
                caveats=ACROSS_CAVEATS,
                checks=tuple(checks),
            )
        )
    if forces.synthetic_bounded:
        out.append(
            Finding(
                question=SYNTHETIC_QUESTION,
                estimate=forces.synthetic,
                design="before_after_with_comparison",
                truth=_truth(evaluation, ACROSS_TRUTH_KEY),
                mde=mde(forces.synthetic),
                label="Dorset against its synthetic control, charge share",
                caveats=SYNTHETIC_CAVEATS,
            )
        )
    return out


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The analysis plan of Op Soteria Bluestone (``analysis_plan:`` in ``config/soteria.yaml``).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.family_of("earlier_waves")
    ('charged_within_a_year', 'comparisons')
    """
    return programme_plan("soteria", path)


def build_findings(evaluation: Evaluation, plan: AnalysisPlan | None = None) -> list[Finding]:
    """The findings of an evaluation, the headline first, as the analysis plan has them.

    The headline carries the plan's expected effect (a headline whose MDE is more than
    twice it is demoted, with the reason) and its three checks; the secondary findings'
    p-values are adjusted within the plan's families (Holm).

    Parameters
    ----------
    evaluation : Evaluation
        Output of :func:`~.evaluation.evaluate`.
    plan : AnalysisPlan, optional
        The analysis plan (default: :func:`analysis_plan`).

    Returns
    -------
    list of analysis.evidence.Finding
    """
    plan = plan or analysis_plan()
    findings = [
        replace(finding, family=plan.family_of(PLAN_OUTCOMES[finding.question]))
        for finding in _findings(evaluation)
    ]
    findings[0] = replace(findings[0], expected_effect=plan.expected_effect)
    return adjust_families(demote_underpowered(findings))


def _findings(evaluation: Evaluation) -> list[Finding]:
    """Every finding, the headline first, before the plan's families and expected effect."""
    team = evaluation.team
    return [
        demote_if_checks_fail(
            Finding(
                question=QUESTION,
                estimate=evaluation.charge,
                design="before_after",
                headline=True,
                truth=_truth(evaluation, TRUTH_KEY),
                mde=mde(evaluation.charge),
                label="Adult rape charged within a year, after minus before",
                caveats=CAVEATS,
                checks=headline_checks(evaluation),
            )
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
        *across_forces_findings(evaluation),
    ]
