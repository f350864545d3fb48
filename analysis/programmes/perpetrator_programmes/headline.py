"""Perpetrator programmes: the headline alone, for design-stage power.

``python -m analysis power perpetrator_programmes --headline-only``.

The headline: Drive's 12-month domestic-abuse reoffending in the emulated target trial.

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

from ...config import parse_list
from . import designs, findings, tables
from .evaluation import Parameters

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = "matched_comparison_pre_outcome"


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract."""
    params = Parameters()
    programme = findings.HEADLINE_PROGRAMME
    # As ``evaluate`` builds the outcomes and the headline programme's cohort, then
    # estimates its target trial from the start dates, without the other designs.
    outcomes = tables.person_outcomes(
        synthetic.tables["people"],
        synthetic.tables["offences"],
        extract_date=synthetic.extract_date,
        followup_days=params.followup_days,
        urban_areas=parse_list(str(params.urban_areas)),
    )
    cohort = tables.programme_cohort(outcomes, programme, risk_levels=params.risk_levels[programme])
    estimate = designs.target_trial_reoffending(
        outcomes,
        synthetic.tables["offences"],
        programme,
        covariates=cohort.covariates,
        risk_levels=cohort.risk_levels,
        extract_date=synthetic.extract_date,
        index="start",
        followup_days=params.followup_days,
        caliper=params.caliper,
    )
    prefix = findings.TRUTH_PREFIX[programme]
    truth = findings.planted_truth(
        synthetic.truth, f"{prefix}_reoffending_12m_difference", **params.truth_settings
    )
    # The label ``findings.reoffending_findings`` gives the target trial's finding.
    return f"{programme}: 12-month DA reoffending, target trial (pp)", estimate, truth
