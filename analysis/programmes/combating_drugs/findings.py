"""Combating Drugs Partnership: the questions, the headline, truth keys, caveats, findings.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the findings the report
lists and ``findings.json`` records. The headline is the comparative time series of adults
in structured treatment from the start of the new funding against comparable authorities;
its rating is earned: it starts at SMS 3 (a before/after against a comparison group over
nine years before the funding) and falls, with the reason written down, when the placebo
start a year earlier finds an "effect" (a bounce-back from a bad year), when the
comparators themselves changed at the start (they got the same funding), or when the
publisher noted a recording change. Secondary findings are adjusted for multiple testing
within the families of the analysis plan (``analysis_plan:`` in
``config/combating_drugs.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import ConfigError
from ...evidence import Finding, adjust_families, demote_underpowered
from ...evidence.plan import AnalysisPlan, programme_plan
from ...methods import mde

if TYPE_CHECKING:
    from .evaluation import Comparison, Evaluation

#: The primary question, written down before the data.
HEADLINE_QUESTION = (
    "Did the new funding raise the number of adults in structured drug treatment in Dorset?"
)
QUESTIONS = {
    "adults_in_treatment": HEADLINE_QUESTION,
    "young_people_in_treatment": "Did more young people enter specialist treatment?",
    "completions": "Did more people in treatment complete it successfully?",
    "continuity_of_care": "Did more people leaving prison engage with community treatment?",
    "poisoning_admissions": "Did hospital admissions for drug poisoning change?",
}
OWN_TREND_QUESTION = f"{HEADLINE_QUESTION} (against Dorset's own trend, no comparison)"
OWN_TREND_CAVEAT = (
    "No comparison (SMS 2): anything else that changed in Dorset when the funding began is "
    "read as the funding; shown because it still holds if comparable authorities received "
    "the same funding."
)
PLACEBO_QUESTION = "Placebo: is there an 'effect' at a start a year before the funding?"
OFFENDING_QUESTION = "Did drug-related acquisitive crime change after the funding began?"
DEATHS_QUESTION = "Have drug deaths changed since the funding began? (before/after)"

#: Planted-truth key of each finding in the synthetic data.
TRUTH_KEYS = {
    "adults_in_treatment": "treatment_rate_ratio",
    "placebo": "placebo_rate_ratio",
    "own_trend": "treatment_rate_ratio",
    "young_people_in_treatment": "young_people_rate_ratio",
    "completions": "completions_ratio",
    "continuity_of_care": "continuity_ratio",
    "poisoning_admissions": "admissions_rate_ratio",
    "offending": "offending_rate_ratio",
    "deaths": "deaths_rate_ratio",
}

#: The outcome names the analysis plan uses for each finding.
PLAN_OUTCOMES = {
    "adults_in_treatment": "adults_in_treatment",
    "own_trend": "adults_in_treatment_own_trend",
    "young_people_in_treatment": "young_people_in_treatment",
    "completions": "completions",
    "continuity_of_care": "continuity_of_care",
    "poisoning_admissions": "poisoning_admissions",
    "offending": "drug_related_acquisitive_crime",
    "deaths": "drug_deaths",
}

#: Why a comparative time series starts at SMS 3.
CITS_LEVEL_REASON = (
    "a before/after comparison against comparable authorities followed for nine years before "
    "the funding, each with its own level and trend (comparative interrupted time series)"
)
CITS_CAVEAT = (
    "Every authority in England received new treatment funding from 2022 (the supplementary "
    "grant of From Harm to Hope): the comparison estimates Dorset's change beyond whatever "
    "changed in comparable authorities at the same time. If they received the same funding, "
    "it is Dorset's difference from them, not the funding's effect; the check on the "
    "comparators' own change says whether that happened."
)
PUBLISHED_CAVEAT = (
    "Published indicators are official statistics from national datasets (NDTMS, ONS, "
    "hospital episodes); numbers in treatment depend on how providers record who is in "
    "structured treatment."
)
OFFENDING_CAVEAT = (
    "The force's drug-related flag is management information, not statistics: it depends on "
    "the recording officer, and the series has no comparison area (SMS 2)."
)
DEATHS_CAVEAT = (
    "Deaths are published pooled over three years and registered after inquests; the funding "
    "could change them only after years of treatment. A before/after ratio includes the "
    "national rise in drug deaths, so it is no measure of the partnership's effect."
)


def _truth(evaluation: Evaluation, name: str) -> float | None:
    return evaluation.planted(TRUTH_KEYS[name])


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The analysis plan (the ``analysis_plan:`` block of ``config/combating_drugs.yaml``).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.family_of("drug_deaths")
    ('adults_in_treatment', 'harms')
    """
    return programme_plan("combating_drugs", path)


def expected_effect(evaluation: Evaluation, plan: AnalysisPlan) -> float | None:
    """The headline's expected effect: the ``expected_effect`` parameter, else the plan's."""
    given = evaluation.params.expected_effect
    return float(given) if given else plan.expected_effect


def comparison_finding(
    evaluation: Evaluation,
    comparison: Comparison,
    *,
    headline: bool = False,
    expected: float | None = None,
    family: str = "",
) -> Finding:
    """One comparative time series as a finding, its rating earned from its checks.

    The coverage study over the synthetic worlds rates the headline with this same function,
    so what it measures is what the report shows.
    """
    return Finding(
        question=QUESTIONS[comparison.key],
        estimate=comparison.estimate,
        design="before_after_with_comparison",
        sms_override=3,
        sms_override_reason=CITS_LEVEL_REASON,
        checks=comparison.checks,
        headline=headline,
        truth=_truth(evaluation, comparison.key),
        mde=mde(comparison.estimate),
        expected_effect=expected,
        label=f"{comparison.label.capitalize()}, against comparable authorities (rate ratio)",
        caveats=(CITS_CAVEAT, PUBLISHED_CAVEAT),
        family=family,
    )


def build_findings(evaluation: Evaluation, plan: AnalysisPlan | None = None) -> list[Finding]:
    """The findings, the headline first, ratings earned, families adjusted.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.combating_drugs.evaluation import evaluate
    >>> built = build_findings(evaluate(load("combating_drugs", seed=4)))
    >>> built[0].headline, built[0].estimate.scale, built[0].sms_level
    (True, 'rate ratio', 3)
    """
    plan = plan or analysis_plan()
    family = {name: plan.family_of(outcome) for name, outcome in PLAN_OUTCOMES.items()}
    comparisons = evaluation.comparisons
    findings = [
        comparison_finding(
            evaluation,
            comparisons["adults_in_treatment"],
            headline=True,
            expected=expected_effect(evaluation, plan),
        )
    ]
    placebo = comparisons["adults_in_treatment"].placebo
    if placebo is not None:
        findings.append(
            Finding(
                question=PLACEBO_QUESTION,
                estimate=placebo,
                design="before_after_with_comparison",
                truth=_truth(evaluation, "placebo"),
                label="Placebo: adults in treatment, start a year early (should be 1)",
                role="check",
            )
        )
    findings.append(
        Finding(
            question=OWN_TREND_QUESTION,
            estimate=evaluation.own_trend,
            design="interrupted_time_series",
            truth=_truth(evaluation, "own_trend"),
            mde=mde(evaluation.own_trend),
            label="Adults in structured treatment, against Dorset's own trend (rate ratio)",
            caveats=(OWN_TREND_CAVEAT, PUBLISHED_CAVEAT),
            family=family["own_trend"],
        )
    )
    for key in ("young_people_in_treatment", "completions", "continuity_of_care",
                "poisoning_admissions"):  # fmt: skip
        findings.append(comparison_finding(evaluation, comparisons[key], family=family[key]))
    findings.append(
        Finding(
            question=OFFENDING_QUESTION,
            estimate=evaluation.offending_change,
            design="interrupted_time_series",
            truth=_truth(evaluation, "offending"),
            mde=mde(evaluation.offending_change),
            label="Drug-related acquisitive crime, force extract (interrupted time series)",
            caveats=(OFFENDING_CAVEAT,),
            family=family["offending"],
        )
    )
    if evaluation.deaths_change is not None:
        findings.append(
            Finding(
                question=DEATHS_QUESTION,
                estimate=evaluation.deaths_change,
                design="before_after",
                truth=_truth(evaluation, "deaths"),
                mde=evaluation.deaths_power.mde_now,
                label="Drug deaths, latest pooled period against before the funding (ratio)",
                caveats=(DEATHS_CAVEAT,),
                family=family["deaths"],
            )
        )
    return adjust_families(demote_underpowered(findings))


def headline_finding(findings: Sequence[Finding]) -> Finding:
    """The finding answering the headline question (kept when demoted for want of power)."""
    for finding in findings:
        if finding.question == HEADLINE_QUESTION:
            return finding
    raise ConfigError(f"no finding answers the headline question {HEADLINE_QUESTION!r}")


def impact_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that estimate a change (for the forest plot): not the checks."""
    return [f for f in findings if f.role != "check"]
