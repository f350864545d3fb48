"""lSaVI's findings: the evaluation questions, the headline, the planted truths and caveats.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the
findings the report tabulates and ``findings.json`` records, in the report's
order. On synthetic data each finding carries the value the generator planted
(:data:`TRUTH_KEYS`), when the analysis settings match the generator's own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ...data.panels import last_complete_month
from ...evidence import Finding

if TYPE_CHECKING:
    from .evaluation import Evaluation

logger = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- questions
UPTAKE_QUESTION = "How many licensed premises signed up to lSaVI during the pilot?"
#: The headline question; the naive and two-way fixed-effects findings answer it too.
IMPACT_QUESTION = "Did violence and vulnerability incidents fall at participating premises?"
NAIVE_QUESTION = f"{IMPACT_QUESTION} (naive comparison)"
TWFE_QUESTION = f"{IMPACT_QUESTION} (two-way fixed effects)"
PLACEBO_QUESTION = "Placebo: is there an 'effect' at fake sign-up dates before the pilot?"
#: The sensitivity question, by the comparison group the check uses.
SENSITIVITY_QUESTIONS = {
    "not_yet": "Does the headline hold with premises not yet signed up as comparisons?",
    "never": "Does the headline hold with only never-signed-up premises as comparisons?",
}
THEFT_QUESTION = "Did theft incidents (not targeted by the tool) change?"
ITS_QUESTION = "Did night-time-economy violence fall across the county after the pilot began?"
SCORE_CHANGE_QUESTION = "Did participating premises' self-assessment scores rise?"
BY_SCORE_QUESTION = (
    "Do premises with low first self-assessment scores have more incidents? (descriptive)"
)

#: The finding shown on the scorecard.
HEADLINE_QUESTION = IMPACT_QUESTION

# ----------------------------------------------------------------------------- truth keys
#: The synthetic generator's truth for each finding (see ``analysis.synthetic.lsavi``).
TRUTH_KEYS = {
    "uptake": "uptake_proportion",
    "naive": "att_violence_vulnerability_rate_ratio",
    "headline": "att_violence_vulnerability",
    "twfe": "att_violence_vulnerability",
    "placebo": "placebo_att_violence_vulnerability",
    "sensitivity": "att_violence_vulnerability",
    "theft": "att_theft",
    "its": "its_nte_violence_rate_ratio",
    "score_change": "score_change",
    "by_score": "incidents_by_score_rate_ratio",
}

# ----------------------------------------------------------------------------- caveats
UPTAKE_CAVEATS = ("Descriptive: who chose to take part, not an effect.",)
NAIVE_CAVEATS = ("Biased by selection: riskier premises signed up.",)
HEADLINE_CAVEATS = (
    "Participants chose to sign up; the design removes fixed differences between "
    "premises but not differences in how their incidents would have changed.",
)
TWFE_CAVEATS = (
    "Uses premises that signed up earlier as controls for later ones; biased when the "
    "effect grows with time since sign-up.",
)
ITS_CAVEATS = (
    "A step model for an effect that built up as premises joined through the year.",
    "Anything else that changed when the pilot began is attributed to it.",
)
SCORE_CHANGE_CAVEATS = (
    "Before/after of participants only: practice at the questionnaire and keener "
    "premises staying on would also raise scores.",
)
BY_SCORE_CAVEATS = ("Descriptive association only: not an effect of the score or of the tool.",)

#: Designs that estimate no effect of the tool: left out of the forest plot of impact estimates.
NOT_IMPACT_DESIGNS = ("descriptive", "before_after")


def planted_truth(
    truth: Mapping[str, float] | None,
    key: str,
    *,
    panel_start: str | pd.Timestamp,
    panel_end: str | pd.Timestamp,
    pilot_start: str | pd.Timestamp,
    score_threshold: float,
) -> float | None:
    """The synthetic world's truth for ``key``, if the analysis settings match its definition.

    The synthetic generator computes each truth for its own evaluation window,
    pilot start and score threshold (see :data:`analysis.synthetic.lsavi.TRUTH_DEFINITIONS`);
    an analysis run with other settings estimates something else, so no truth is
    shown rather than a misleading one.

    Examples
    --------
    >>> planted_truth({"att_theft": 0.0}, "att_theft", panel_start="2023-04-01",
    ...               panel_end="2026-06-01", pilot_start="2025-04-01", score_threshold=60)
    0.0
    >>> planted_truth({"att_theft": 0.0}, "att_theft", panel_start="2023-04-01",
    ...               panel_end="2026-05-01", pilot_start="2025-04-01", score_threshold=60) is None
    True
    """
    from ...synthetic import lsavi as world

    if not truth or key not in truth:
        return None
    generator_end = last_complete_month(world.EXTRACT_DATE, world.MAX_RECORDING_LAG_DAYS)
    matches = (
        pd.Timestamp(panel_start) <= world.PILOT_START
        and pd.Timestamp(panel_end) == generator_end
        and pd.Timestamp(pilot_start) == world.PILOT_START
        and float(score_threshold) == world.SCORE_THRESHOLD
    )
    if not matches:
        logger.info(
            "planted truth '%s' not shown: analysis settings differ from the generator's", key
        )
        return None
    return float(truth[key])


def truths(evaluation: Evaluation) -> dict[str, float | None]:
    """The planted truth of each finding (by :data:`TRUTH_KEYS`' names); None on real data."""
    params = evaluation.params
    return {
        name: planted_truth(
            evaluation.data.truth,
            key,
            panel_start=params.panel_start,
            panel_end=evaluation.panel_end,
            pilot_start=params.pilot_start,
            score_threshold=params.low_score_threshold,
        )
        for name, key in TRUTH_KEYS.items()
    }


def build_findings(evaluation: Evaluation) -> list[Finding]:
    """The lSaVI findings, in the order the report tabulates them.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.lsavi.evaluation import Parameters, evaluate
    >>> data = load("lsavi", source="synthetic", seed=3, scale=0.5)
    >>> findings = build_findings(evaluate(data, Parameters(bootstrap_draws=0)))
    >>> len(findings), [f.question for f in findings if f.headline] == [HEADLINE_QUESTION]
    (10, True)
    """
    params = evaluation.params
    truth = truths(evaluation)
    shift = params.placebo_shift_months
    return [
        Finding(
            question=UPTAKE_QUESTION,
            estimate=evaluation.uptake,
            design="descriptive",
            truth=truth["uptake"],
            label="Uptake: share of premises signed up",
            caveats=UPTAKE_CAVEATS,
        ),
        Finding(
            question=NAIVE_QUESTION,
            estimate=evaluation.naive,
            design="naive_comparison",
            truth=truth["naive"],
            mde=evaluation.naive_mde,
            label="Naive: participants vs non-participants (rate ratio)",
            caveats=NAIVE_CAVEATS,
        ),
        Finding(
            question=IMPACT_QUESTION,
            estimate=evaluation.headline,
            design="staggered_difference_in_differences",
            headline=True,
            truth=truth["headline"],
            mde=evaluation.headline_mde,
            label="Violence and vulnerability incidents per premises-month (staggered DiD)",
            caveats=HEADLINE_CAVEATS,
        ),
        Finding(
            question=TWFE_QUESTION,
            estimate=evaluation.twfe,
            design="difference_in_differences",
            truth=truth["twfe"],
            mde=evaluation.twfe_mde,
            label="Two-way fixed effects (biased under staggered sign-up)",
            caveats=TWFE_CAVEATS,
        ),
        Finding(
            question=PLACEBO_QUESTION,
            estimate=evaluation.placebo,
            design="staggered_difference_in_differences",
            truth=truth["placebo"],
            mde=evaluation.placebo_mde,
            label=f"Placebo: sign-up {shift} months earlier (should be zero)",
        ),
        Finding(
            question=SENSITIVITY_QUESTIONS[params.sensitivity_group],
            estimate=evaluation.sensitivity,
            design="staggered_difference_in_differences",
            truth=truth["sensitivity"],
            mde=evaluation.sensitivity_mde,
            label=f"Sensitivity: comparison group '{params.sensitivity_group}'",
        ),
        Finding(
            question=THEFT_QUESTION,
            estimate=evaluation.theft,
            design="staggered_difference_in_differences",
            truth=truth["theft"],
            mde=evaluation.theft_mde,
            label="Theft incidents (not targeted: should show no change)",
        ),
        Finding(
            question=ITS_QUESTION,
            estimate=evaluation.its,
            design="interrupted_time_series",
            truth=truth["its"],
            mde=evaluation.its_mde,
            label="County NTE violence (interrupted time series)",
            caveats=ITS_CAVEATS,
        ),
        Finding(
            question=SCORE_CHANGE_QUESTION,
            estimate=evaluation.score_change,
            design="before_after",
            truth=truth["score_change"],
            label="Self-assessment score, first to latest (before/after)",
            caveats=SCORE_CHANGE_CAVEATS,
        ),
        Finding(
            question=BY_SCORE_QUESTION,
            estimate=evaluation.by_score,
            design="descriptive",
            truth=truth["by_score"],
            label=(
                f"Incidents, first score below {params.low_score_threshold:g} vs above "
                "(descriptive)"
            ),
            caveats=BY_SCORE_CAVEATS,
        ),
    ]


def impact_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that estimate an effect of the tool (for the forest plot).

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(0.1, 0.0, 0.2, 0.05, 10, "difference", "m", "e")
    >>> kept = impact_findings(
    ...     [Finding("q1", est, "descriptive"), Finding("q2", est, "interrupted_time_series")]
    ... )
    >>> [f.question for f in kept]
    ['q2']
    """
    return [f for f in findings if f.design not in NOT_IMPACT_DESIGNS]
