"""The Combating Drugs Partnership: the headline alone, for design-stage power.

``python -m analysis power combating_drugs --headline-only``.

The headline: adults in structured treatment against comparable authorities
(comparative interrupted time series, rate ratio).

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...synthetic import combating_drugs as world
from . import designs, tables
from .evaluation import COMPARISONS, Parameters
from .findings import TRUTH_KEYS

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = "before_after_with_comparison"


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract."""
    params = Parameters()
    key = "adults_in_treatment"
    # As ``evaluate`` reads its settings (comma-separated codes, the generator's comparators)
    # and ``indicator_comparison`` estimates, without the placebo and checks it adds.
    partnership = [code.strip() for code in params.partnership_codes.split(",") if code.strip()]
    panel = tables.comparison_panel(
        synthetic.tables["indicators"], key, partnership, list(world.COMPARATOR_CODES)
    )
    estimate = designs.funding_effect(
        panel, pd.Timestamp(params.funding_start), outcome=COMPARISONS[key]
    )
    truth = synthetic.truth.get(TRUTH_KEYS[key])
    # The label ``findings.comparison_finding`` gives the finding.
    label = f"{COMPARISONS[key].capitalize()}, against comparable authorities (rate ratio)"
    return label, estimate, None if truth is None else float(truth)
