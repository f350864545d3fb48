"""Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service): the designs, over :mod:`analysis.methods`."""

from __future__ import annotations

import pandas as pd

from ...methods import compare_proportions
from ...results import Estimate


def outcome_difference(counts: pd.DataFrame) -> Estimate:
    """Outcome rate of those who took part minus those who did not, in percentage points.

    A comparison of people who chose to take part with people who did not (Maryland
    SMS 1): it is the programme's effect only if the two groups would otherwise have
    had the same outcome rate.
    """
    took_part = counts.set_index("group").loc["took part"]
    did_not = counts.set_index("group").loc["did not take part"]
    return compare_proportions(
        int(took_part["with outcome"]),
        int(took_part["people"]),
        int(did_not["with outcome"]),
        int(did_not["people"]),
    )
