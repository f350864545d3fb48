"""Operation Viper and Operation Scorpion: the headline alone, for design-stage power.

``python -m analysis power drug_supply --headline-only``.

The headline: harms per neighbourhood-week where Scorpion surged, against clean controls
(stacked event study).

How a fast path stays equal to the report's headline: :mod:`analysis.programmes.power`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import designs, findings, tables
from .evaluation import Parameters

#: The design of the headline finding, as ``findings.json`` names it.
DESIGN = "event_study"


def headline_replication(synthetic: Any) -> tuple[str, Any, float | None]:
    """The headline's label, estimate and planted truth from one synthetic extract."""
    params = Parameters()
    # As ``evaluate`` builds Scorpion's weekly harms panel, its surges and the buffer rings,
    # then fits the stacked event study, without Viper, the other Scorpion designs or the
    # displacement quotient.
    lsoas = synthetic.tables["lsoas"]
    surge_table = tables.surges(synthetic.tables["operations"])
    harms = tables.weekly_panel(synthetic.tables["crimes"], lsoas, tables.GROUPS["harms"])
    exposed = tables.exposed_neighbourhoods(lsoas, surge_table, params.buffer_km)
    estimate = designs.scorpion_event_study(
        harms,
        surge_table,
        exposed=exposed,
        pre_weeks=params.surge_pre_weeks,
        selection_weeks=params.selection_weeks,
        post_weeks=params.surge_post_weeks,
    )
    truth = findings.planted_truth(
        synthetic.truth, params, pd.Timestamp(params.viper_start), "scorpion"
    )
    # The label ``findings.scorpion_headline`` gives the finding.
    return "Harms per targeted neighbourhood-week (stacked event study)", estimate, truth
