"""Victim services: the headline alone, for design-stage power.

``python -m analysis power victim_services --headline-only``.

The headline: repeat victimisation, supported against matched unsupported victims
(emulated trial, Cox model).

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

from . import designs, tables
from .evaluation import Parameters
from .findings import TRUTH_KEYS

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = "matched_comparison"


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract."""
    params = Parameters()
    # As ``evaluate`` emulates the trial and estimates repeat victimisation, without the
    # criminal-justice outcomes, the service-change series, exits and value for money.
    trial = tables.emulated_trial(
        synthetic.tables["offences"],
        synthetic.tables["cases"],
        synthetic.tables["incidents"],
        support_window_days=params.support_window_days,
        follow_up_days=params.follow_up_days,
        extract_date=synthetic.extract_date,
    )
    estimate = designs.repeat_victimisation(trial).matched
    truth = synthetic.truth.get(TRUTH_KEYS["repeat"])
    # The label ``findings.build_findings`` gives the headline finding.
    return (
        "Next DA incident, supported against matched (hazard ratio)",
        estimate,
        None if truth is None else float(truth),
    )
