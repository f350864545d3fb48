"""lSaVI: the headline alone, for design-stage power.

``python -m analysis power lsavi --headline-only``.

The headline: violence and vulnerability incidents per premises-month, staggered
difference-in-differences against premises that never signed up.

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

from ...data.panels import last_complete_month
from . import designs, findings, tables
from .evaluation import Parameters

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = "staggered_difference_in_differences"


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract."""
    params = Parameters()
    panel_end = last_complete_month(synthetic.extract_date, params.recording_lag_days)
    panel = tables.premises_month_panel(
        synthetic.tables["premises"],
        synthetic.tables["incidents"],
        start=params.panel_start,
        end=panel_end,
    )
    headline = designs.staggered_effect(
        panel, control=params.comparison_group, n_boot=params.bootstrap_draws
    )
    truth = findings.planted_truth(
        synthetic.truth,
        findings.TRUTH_KEYS["headline"],
        panel_start=params.panel_start,
        panel_end=panel_end,
        pilot_start=params.pilot_start,
        score_threshold=params.low_score_threshold,
    )
    # The label ``findings.impact_headline`` gives the finding.
    return (
        "Violence and vulnerability incidents per premises-month (staggered DiD)",
        headline,
        truth,
    )
