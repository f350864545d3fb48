"""Operation Focus: the headline alone, for design-stage power.

``python -m analysis power op_focus --headline-only``.

The headline is the analysis plan's primary outcome and design (``config/op_focus.yaml``):
the charge rate of arrested Focus perpetrators, difference-in-differences against high-harm
comparison suspects.

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import designs, findings, tables
from .evaluation import Parameters

# The design and label ``findings.build_findings`` give the charge-rate
# difference-in-differences, read from the same table so that a renamed design moves both.
_DESIGN_KEY = "did"

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = findings._RATE_DESIGNS[_DESIGN_KEY][0]


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> label, estimate, truth = headline_replication(generate("op_focus", seed=3, scale=0.3))
    >>> label, estimate.scale
    ('Charge rate: difference-in-differences against high-harm suspects', 'percentage points')
    """
    params = Parameters()
    crimes, suspects = synthetic.tables["crimes"], synthetic.tables["suspects"]
    # As ``evaluate`` builds the sample: arrests, suspects' pre-pilot profiles and the pool of
    # Focus and high-harm suspects; the matching, checks and other outcomes are left out.
    arrests = tables.vawg_arrests(
        crimes,
        suspects,
        pilot_start=params.pilot,
        extract_date=pd.Timestamp(synthetic.extract_date),
    )
    profiles = tables.suspect_profiles(suspects, crimes, arrests, pilot_start=params.pilot)
    pool = tables.comparison_pool(
        profiles, threshold=params.harm_threshold, min_score_share=params.comparison_share
    )
    estimate = designs.arrest_did(arrests, pool, outcome="charged_pp")
    truth = synthetic.truth.get(findings._TRUTH_KEYS["charge"])
    label = f"Charge rate: {findings._RATE_DESIGNS[_DESIGN_KEY][1]}"
    return label, estimate, None if truth is None else float(truth)
