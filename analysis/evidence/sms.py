"""Maryland Scientific Methods Scale: how strong the evidence of a design is.

Levels follow the What Works Centre for Local Economic Growth scoring guide.
A finding's level is a property of its design, so each estimator's design is
mapped once here rather than chosen by hand in each notebook.
"""

from __future__ import annotations

from ..errors import ConfigError

SMS_LEVELS: dict[int, str] = {
    1: "Before/after of the treated only, or a treated/untreated comparison with no controls",
    2: "Comparison with adequate controls or matching on observed characteristics",
    3: "Treated before/after against a comparison group shown to be similar beforehand",
    4: "Quasi-random variation (regression discontinuity, instrumental variables)",
    5: "Randomised controlled trial",
}

SMS_SHORT: dict[int, str] = {
    1: "weak (SMS 1)",
    2: "limited (SMS 2)",
    3: "moderate (SMS 3)",
    4: "strong (SMS 4)",
    5: "very strong (SMS 5)",
}

#: Level of each design the notebooks use.
DESIGN_LEVELS: dict[str, int] = {
    "descriptive": 1,
    "before_after": 1,
    "naive_comparison": 1,
    "interrupted_time_series": 2,
    "regression_adjusted": 2,
    "matched_comparison": 2,
    "before_after_with_comparison": 2,
    "matched_difference_in_differences": 3,
    # Matching that includes the pre-period outcome: before/after against a comparison
    # shown to be similar beforehand, which the scoring guide puts at level 3.
    "matched_comparison_pre_outcome": 3,
    "difference_in_differences": 3,
    "staggered_difference_in_differences": 3,
    "event_study": 3,
    "regression_discontinuity": 4,
    "instrumental_variables": 4,
    "randomised_controlled_trial": 5,
}


def sms_level(design: str) -> int:
    """Maryland SMS level of a named design.

    Parameters
    ----------
    design : str
        One of the keys of ``DESIGN_LEVELS``.

    Returns
    -------
    int
        Level 1 (weakest) to 5 (randomised).

    Examples
    --------
    >>> sms_level("regression_discontinuity")
    4
    """
    try:
        return DESIGN_LEVELS[design]
    except KeyError:
        known = ", ".join(sorted(DESIGN_LEVELS))
        raise ConfigError(f"unknown design '{design}'; known designs: {known}") from None


def describe_level(level: int) -> str:
    """Plain-English description of an SMS level.

    Examples
    --------
    >>> describe_level(4)
    'strong (SMS 4): Quasi-random variation (regression discontinuity, instrumental variables)'
    """
    if level not in SMS_LEVELS:
        raise ConfigError(f"SMS level must be 1 to 5, got {level!r}")
    return f"{SMS_SHORT[level]}: {SMS_LEVELS[level]}"
