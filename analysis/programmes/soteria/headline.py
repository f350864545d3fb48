"""Op Soteria Bluestone: the headline alone, for design-stage power.

``python -m analysis power soteria --headline-only``.

The headline is the primary question written down before the data: the share of adult
rape reports charged within the follow-up, cohorts reported from adoption minus those
reported before (cumulative incidence, other ends competing, open crimes censored). Its
checks (placebo adoption, national change, a step in recording) may demote it in the report
but do not move its estimate, so they are left out here.

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import designs, findings, tables
from .evaluation import Parameters

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = "before_after"


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> label, estimate, truth = headline_replication(generate("soteria", seed=3, scale=0.3))
    >>> label, estimate.scale
    ('Adult rape charged within a year, after minus before', 'difference')
    """
    params = Parameters()
    ends = tables.crime_ends(
        synthetic.tables["crimes"], pd.Timestamp(synthetic.extract_date), params.adoption
    )
    estimate = designs.before_after_cif(tables.adult_rape(ends), "charge", params.followup_days)
    truth = findings.planted_truth(synthetic.truth, params, findings.TRUTH_KEY)
    # The label ``findings.build_findings`` gives the headline.
    return (
        "Adult rape charged within a year, after minus before",
        estimate,
        None if truth is None else float(truth),
    )
