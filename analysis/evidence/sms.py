"""Maryland Scientific Methods Scale: how strong the evidence of a design is.

Levels follow the What Works Centre for Local Economic Growth scoring guide.
A finding's level starts as a property of its design, so each estimator's design
is mapped once here rather than chosen by hand in each notebook. It is then
earned: :func:`earned_level` lowers it, with the reason written down, for each
of the finding's own diagnostics that failed (:class:`Check`; the standard
checks are built from estimators' diagnostics by :mod:`analysis.evidence.checks`).
A design is only as strong as the assumptions its data support: a matched
comparison whose groups still differ after matching is not a comparison "with
adequate controls", and a discontinuity with sorting at the cutoff is not
quasi-random.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
    # A weighted comparison of areas matched on the outcome's whole pre-period path.
    "synthetic_control": 3,
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


# --------------------------------------------------------------------------- earned levels
#: How far below its design a finding's rating may fall (the scale has no level 0).
LOWEST_LEVEL = 1


@dataclass(frozen=True)
class Check:
    """One diagnostic a finding's evidence rating depends on.

    Parameters
    ----------
    name : str
        What was checked, as a reader would say it ("balance after matching").
    passed : bool or None
        ``True`` passed, ``False`` failed, ``None`` could not be run (recorded,
        lowers nothing: a check that was never run is a caveat, not a failure).
    detail : str
        The numbers behind the verdict ("largest |SMD| 0.14, above 0.1").
    lowers_to : int, optional
        On failure, the level the finding falls to (when lower than one level
        down); ``None`` lowers it by one level.

    Examples
    --------
    >>> Check("pre-trends", False, "joint test p = 0.003").verdict
    'failed'
    """

    name: str
    passed: bool | None
    detail: str
    lowers_to: int | None = None

    def __post_init__(self) -> None:
        if self.passed not in (True, False, None):
            raise ConfigError(
                f"check '{self.name}': passed must be True, False or None, got {self.passed!r}"
            )
        if self.lowers_to is not None and self.lowers_to not in SMS_LEVELS:
            raise ConfigError(
                f"check '{self.name}': lowers_to must be an SMS level 1 to 5, "
                f"got {self.lowers_to!r}"
            )

    @property
    def verdict(self) -> str:
        """'passed', 'failed' or 'not run'."""
        return {True: "passed", False: "failed", None: "not run"}[self.passed]

    def to_dict(self) -> dict[str, Any]:
        """The record written to findings.json."""
        return {
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
            "lowers_to": self.lowers_to,
        }


@dataclass(frozen=True)
class Rating:
    """A finding's evidence level and how it was reached.

    Attributes
    ----------
    design_level : int
        The level of the design (:data:`DESIGN_LEVELS`).
    level : int
        The level the finding earned.
    reasons : tuple of str
        Each step from the design's level to ``level``, in order.
    """

    design_level: int
    level: int
    reasons: tuple[str, ...]


def earned_level(
    design: str,
    checks: Iterable[Check] = (),
    *,
    override: int | None = None,
    override_reason: str = "",
) -> Rating:
    """The SMS level a finding earns: its design's level, lowered by each failed check.

    Notes
    -----
    The rules:

    1. Start at the design's level (:func:`sms_level`), or at ``override`` when
       the analyst sets one (for example a matched comparison that includes the
       pre-period outcome, which the scoring guide puts at level 3). The
       override and its reason are recorded.
    2. Each failed check lowers the level by one, or to its ``lowers_to`` when
       that is lower still, never below 1. Checks are applied in the order given
       and each failure is recorded with its detail.
    3. A check that could not be run (``passed=None``) is recorded and lowers
       nothing; a passed check is recorded and changes nothing.

    An override therefore sets where the rating starts, never where it ends: a
    level-3 override with failed balance gives level 2. Overrides with checks
    must say why (``override_reason``); without checks an override without a
    reason is accepted, as before checks existed, and recorded as such.

    Parameters
    ----------
    design : str
        Design name (a key of :data:`DESIGN_LEVELS`).
    checks : iterable of Check
        The finding's diagnostics.
    override : int, optional
        Starting level set by the analyst.
    override_reason : str
        Why.

    Returns
    -------
    Rating

    Examples
    --------
    >>> rating = earned_level("regression_discontinuity",
    ...                       [Check("density at the cutoff", False, "McCrary p = 0.01")])
    >>> rating.level, rating.reasons[-1]
    (3, 'Lowered from SMS 4 to SMS 3: density at the cutoff failed (McCrary p = 0.01).')
    >>> earned_level("matched_comparison", override=3, override_reason="pre-period outcome "
    ...              "matched").level
    3
    """
    checks = tuple(checks)
    design_level = sms_level(design)
    reasons: list[str] = []
    if override is not None:
        if override not in SMS_LEVELS:
            raise ConfigError(f"sms_override must be an SMS level 1 to 5, got {override!r}")
        if checks and not str(override_reason).strip():
            raise ConfigError(
                f"sms_override={override} on a '{design}' finding with checks needs "
                "sms_override_reason= saying why the design deserves that level."
            )
        level = override
        why = str(override_reason).strip() or "no reason stated"
        reasons.append(
            f"Set to SMS {override} by the analyst (the {design.replace('_', ' ')} design is "
            f"SMS {design_level}): {why}."
        )
    else:
        level = design_level
    for check in checks:
        if check.passed is None:
            reasons.append(f"Not run: {check.name} ({check.detail}).")
            continue
        if check.passed:
            continue
        lowered = level - 1 if check.lowers_to is None else min(level - 1, check.lowers_to)
        lowered = max(lowered, LOWEST_LEVEL)
        if lowered < level:
            reasons.append(
                f"Lowered from SMS {level} to SMS {lowered}: {check.name} failed ({check.detail})."
            )
        else:
            reasons.append(
                f"Already at SMS {level}, the lowest level: {check.name} failed ({check.detail})."
            )
        level = lowered
    return Rating(design_level=design_level, level=level, reasons=tuple(reasons))
