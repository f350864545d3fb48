"""Perpetrator programmes: the evaluation questions, their findings and caveats.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the findings the
report lists and ``findings.json`` records, in this order: for Drive then Up2U the four
12-month reoffending designs (matched first: Drive's is the headline), then time to
first reoffence for each, then the four harm and offending designs for each, then the
practitioners' training. Each carries its planted truth when the data are synthetic
(:func:`planted_truth`, keys ``<programme>_<outcome>``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError
from ...evidence import Finding
from ...methods import mde
from ...results import format_number
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

#: Why the matched and weighted designs are rated SMS 3.
SMS_NOTE = (
    "Rated SMS 3 rather than 2: the comparison group was matched on the pre-period outcome "
    "(DA incidents in the two years before) and shown to be similar beforehand (balance plot)."
)

#: The four 12-month reoffending designs: attribute of ReoffendingEstimates, question
#: suffix, design, label suffix, SMS override, caveat.
REOFFENDING_DESIGNS: tuple[tuple[str, str, str, str, int | None, str], ...] = (
    ("matched", "", "matched_comparison", "matched", 3, SMS_NOTE),
    (
        "naive",
        " (naive comparison)",
        "naive_comparison",
        "naive",
        None,
        "Compares participants with everyone never referred: biased by selection.",
    ),
    (
        "same_risk",
        " (same risk level, unmatched)",
        "naive_comparison",
        "same risk unmatched",
        None,
        "No adjustment for who was chosen for referral within the risk levels.",
    ),
    (
        "ipw",
        " (inverse probability weighting, sensitivity)",
        "matched_comparison",
        "IPW",
        3,
        SMS_NOTE,
    ),
)

#: The harm and offending designs: label, attribute of HarmEstimates, truth key, design.
HARM_DESIGNS: tuple[tuple[str, str, str, str], ...] = (
    ("harm, matched DiD", "matched_did", "harm_did", "matched_difference_in_differences"),
    (
        "DA crimes, matched DiD",
        "da_offences_did",
        "da_offences_did",
        "matched_difference_in_differences",
    ),
    (
        "non-DA crimes (negative control), matched DiD",
        "non_da_offences_did",
        "non_da_offences_did",
        "matched_difference_in_differences",
    ),
    ("harm, participants only before/after", "before_after", "harm_did", "before_after"),
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


def reoffending_findings(evaluation: Evaluation, programme: str) -> list[Finding]:
    """The four 12-month DA reoffending findings of one programme, matched (primary) first."""
    result = evaluation.reoffending[programme]
    truth = _truth(evaluation, programme, "reoffending_12m_difference")
    question = REOFFENDING_QUESTION.format(programme=programme)
    return [
        Finding(
            question=question + suffix,
            estimate=getattr(result, attribute),
            design=design,
            sms_override=sms,
            headline=attribute == "matched" and programme == HEADLINE_PROGRAMME,
            mde=mde(getattr(result, attribute)) if attribute == "matched" else None,
            label=f"{programme}: 12-month DA reoffending, {label} (pp)",
            caveats=(caveat,),
            truth=truth,
            extra={"programme": programme},
        )
        for attribute, suffix, design, label, sms, caveat in REOFFENDING_DESIGNS
    ]


def survival_finding(evaluation: Evaluation, programme: str) -> Finding:
    """Time to first DA reoffence: the matched Cox hazard ratio of one programme."""
    hazard_ratio = evaluation.survival[programme].hazard_ratio
    return Finding(
        question=SURVIVAL_QUESTION.format(programme=programme),
        estimate=hazard_ratio,
        design="matched_comparison",
        sms_override=3,
        mde=mde(hazard_ratio),
        truth=_truth(evaluation, programme, "reoffence_hazard_ratio"),
        label=f"{programme}: time to first DA reoffence (hazard ratio)",
        caveats=(SMS_NOTE,),
        extra={"programme": programme},
    )


def harm_findings(evaluation: Evaluation, programme: str) -> list[Finding]:
    """Harm, DA crimes, the negative control and the before/after of one programme."""
    estimates = evaluation.harm[programme]
    pretrend = estimates.event_study.diagnostics.get("pretrend_p_value")
    findings = []
    for label, attribute, truth_key, design in HARM_DESIGNS:
        caveat = (
            BEFORE_AFTER_CAVEAT
            if design == "before_after"
            else f"Pre-trend test p = {format_number(pretrend, 2)}."
        )
        estimate = getattr(estimates, attribute)
        findings.append(
            Finding(
                question=HARM_QUESTION.format(programme=programme, outcome=label.split(",")[0]),
                estimate=estimate,
                design=design,
                mde=mde(estimate),
                truth=_truth(evaluation, programme, truth_key),
                label=f"{programme}: {label} (per person-quarter)",
                caveats=(caveat,),
                extra={"programme": programme},
            )
        )
    return findings


def training_finding(evaluation: Evaluation) -> Finding:
    """Practitioners' knowledge-score change after training (before/after, SMS 1)."""
    return Finding(
        question=TRAINING_QUESTION,
        estimate=evaluation.training,
        design="before_after",
        mde=mde(evaluation.training),
        truth=planted_truth(
            evaluation.data.truth, "training_score_change", **evaluation.params.truth_settings
        ),
        label="Training: knowledge score change (points, SMS 1)",
        caveats=(TRAINING_CAVEAT,),
        extra={"programme": "Training"},
    )


def build_findings(evaluation: Evaluation) -> list[Finding]:
    """Every finding of the report, in the report's order; the headline carries value for money.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.perpetrator_programmes.evaluation import Parameters, evaluate
    >>> data = load("perpetrator_programmes", source="synthetic", seed=3, scale=0.5)
    >>> findings = build_findings(evaluate(data, Parameters()))
    >>> len(findings), headline(findings).label
    (19, 'Drive: 12-month DA reoffending, matched (pp)')
    """
    programmes = evaluation.programmes
    findings: list[Finding] = []
    for name in programmes:
        findings += reoffending_findings(evaluation, name)
    findings += [survival_finding(evaluation, name) for name in programmes]
    for name in programmes:
        findings += harm_findings(evaluation, name)
    findings.append(training_finding(evaluation))
    value = findings_extra(evaluation.components)
    return [
        replace(finding, extra={**finding.extra, **value}) if finding.headline else finding
        for finding in findings
    ]


def headline(findings: Sequence[Finding]) -> Finding:
    """The report's headline finding (Drive's matched 12-month reoffending effect)."""
    return next(finding for finding in findings if finding.headline)


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


def findings_extra(components: Mapping[str, Any]) -> dict[str, Any]:
    """Value-for-money figures flattened for the headline's ``extra`` (JSON-safe)."""
    extra: dict[str, Any] = {}
    for programme, result in components.items():
        key = programme.lower()
        extra[f"vfm_{key}_benefit_cost_ratio"] = result.bcr[0]
        extra[f"vfm_{key}_benefit_cost_ratio_ci_low"] = result.bcr[1]
        extra[f"vfm_{key}_benefit_cost_ratio_ci_high"] = result.bcr[2]
        extra[f"vfm_{key}_cost_per_participant_gbp"] = result.cost_per_participant
        extra[f"vfm_{key}_break_even_victims"] = result.break_even_outcomes
        extra[f"vfm_{key}_verdict"] = result.verdict
    return extra
