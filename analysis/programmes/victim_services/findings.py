"""Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service): the questions, the headline and the findings."""

from __future__ import annotations

from ...evidence import Finding
from ...methods import mde
from .evaluation import Evaluation

#: The primary question, written down before the data.
QUESTION = "Did taking part change the outcome rate?"

#: Planted-truth key of the headline estimate in the synthetic data.
TRUTH_KEY = "outcome_difference_pp"

CAVEATS = (
    "People chose to take part: the comparison holds only if those who did and those "
    "who did not would otherwise have had the same outcome rate (Maryland SMS 1).",
)


def build_findings(evaluation: Evaluation) -> list[Finding]:
    """The findings of an evaluation, the headline first."""
    data = evaluation.data
    truth = data.truth.get(TRUTH_KEY) if data.synthetic and data.truth else None
    return [
        Finding(
            question=QUESTION,
            estimate=evaluation.difference,
            design="naive_comparison",
            headline=True,
            truth=truth,
            mde=mde(evaluation.difference),
            label="Outcome rate, took part minus did not (points)",
            caveats=CAVEATS,
        )
    ]
