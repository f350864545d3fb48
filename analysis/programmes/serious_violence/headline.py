"""Serious violence: the headline alone, for design-stage power.

``python -m analysis power serious_violence --headline-only``.

The headline: knife crime per 100,000 a quarter, Dorset against a synthetic control of
forces without a VRU (synthetic difference-in-differences).

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...errors import ConfigError
from . import designs, tables
from .evaluation import OFFENCES, Parameters
from .findings import TRUTH_KEYS

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = "synthetic_control"


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract."""
    params = Parameters()
    # The default settings read the loaded tables (no public source) and match the
    # generator's, so ``findings.truths`` shows the planted gap.
    if params.home_office_source or params.police_uk_source or params.fingertips_source:
        raise ConfigError(
            "serious_violence's default Parameters name a public source: the headline-only "
            "path reads only the synthetic tables; run its power without --headline-only"
        )
    subgroup, _ = OFFENCES["knife"]
    panel = tables.quarterly_panel(
        synthetic.tables["recorded_crime"], synthetic.tables["comparison_areas"], subgroup
    )
    estimate = designs.duty_synthetic_control(
        panel, time="quarter", intervention=pd.Timestamp(params.duty_start)
    )
    truth = synthetic.truth.get(TRUTH_KEYS["sc_knife"])
    # The label ``findings.headline_finding`` gives the finding.
    return (
        "Knife crime per 100,000 a quarter, Dorset against synthetic control",
        estimate,
        None if truth is None else float(truth),
    )
