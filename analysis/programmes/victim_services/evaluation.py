"""Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service): every computation the report shows, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...results import Estimate
from . import designs, tables


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (same names and defaults as its ``parameters`` cell).

    Parameters
    ----------
    synthetic_seed : int
        Seed of the synthetic data (named in the report's source line).
    suppression_threshold : int
        Counts below this are suppressed in published tables.
    """

    synthetic_seed: int = 2026
    suppression_threshold: int = 10


@dataclass(frozen=True)
class Evaluation:
    """Everything the Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service) report shows.

    Parameters
    ----------
    data : Dataset
        The loaded data (``analysis.data.load``).
    params : Parameters
        The parameters it was evaluated with.
    counts : DataFrame
        People and outcomes by group (:func:`tables.group_counts`).
    difference : Estimate
        The outcome difference, took part minus did not (percentage points).
    """

    data: Any
    params: Parameters
    counts: pd.DataFrame
    difference: Estimate

    @property
    def counts_display(self) -> pd.DataFrame:
        """The counts as published, small counts suppressed."""
        return tables.group_counts_display(self.counts, self.params.suppression_threshold)


def evaluate(data: Any, params: Parameters | None = None) -> Evaluation:
    """Evaluate Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service) on loaded data.

    Parameters
    ----------
    data : Dataset
        What ``analysis.data.load("victim_services", ...)`` returned.
    params : Parameters, optional
        Analysis parameters (defaults: the notebook's).

    Returns
    -------
    Evaluation
    """
    params = params or Parameters()
    counts = tables.group_counts(data["participants"])
    return Evaluation(data, params, counts, designs.outcome_difference(counts))
