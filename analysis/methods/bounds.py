"""Bounds on an outcome when some outcomes are missing: worst/best case and Lee (2009).

When outcomes go missing for reasons that may depend on the outcome itself (people who
disengage from a service are not asked whether the abuse stopped), the complete-case
mean is not identified without an assumption about the missing. Two partial
identification answers, weakest assumption first:

- :func:`worst_best_bounds` (Manski 1989; Horowitz and Manski 2000): fill every missing
  outcome with the lowest, then the highest, value the outcome can take. Needs nothing
  but the outcome's range; the bounds are wide when much is missing.
- :func:`lee_bounds` (Lee 2009): for a comparison of two groups whose outcomes are
  observed at different rates, assume *monotone* observation (anyone whose outcome would
  be observed in the group observed less often would also be observed in the other) and
  trim the better-observed group's outcomes from the top, then from the bottom, by the
  excess share. The bounds are sharp bounds on the effect among the *always-observed*
  (those whose outcome would be observed in either group).

Confidence intervals are those of Imbens and Manski (2004): they cover the partially
identified parameter, not the whole identified set, with the stated probability.

Both return :class:`Bounds`, an immutable result that renders itself as a sentence, as
HTML and as a dict, like :class:`analysis.results.Estimate`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import ConfigError, EstimationError
from ..results import _plain, format_number

__all__ = ["Bounds", "lee_bounds", "worst_best_bounds"]


@dataclass(frozen=True)
class Bounds:
    """Lower and upper bounds on a partially identified parameter, with their interval.

    Parameters
    ----------
    lower, upper : float
        Estimated bounds of the identified set.
    ci_low, ci_high : float
        Imbens-Manski confidence interval for the parameter at ``conf_level``.
    n : int
        Units (observed and missing) behind the bounds.
    scale : str
        ``"proportion"``, ``"mean"`` or ``"difference"``.
    method : str
        ``"worst/best case bounds"`` or ``"Lee bounds"``.
    estimand : str
        What the bounds bound, in words.
    complete_case : float
        The estimate from the observed outcomes alone, for comparison.
    se_lower, se_upper : float
        Standard errors of the two bound estimates.
    assumptions, warnings : tuple of str
        What the bounds rest on; what a reader must know.
    diagnostics : dict
        Observation shares, the trimming proportion (Lee) and counts.
    conf_level : float
        Confidence level of the interval.
    """

    lower: float
    upper: float
    ci_low: float
    ci_high: float
    n: int
    scale: str
    method: str
    estimand: str
    complete_case: float
    se_lower: float
    se_upper: float
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    diagnostics: dict[str, Any] = field(default_factory=dict)
    conf_level: float = 0.95

    def __post_init__(self) -> None:
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @property
    def width(self) -> float:
        """Width of the identified set (upper minus lower)."""
        return self.upper - self.lower

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the confidence interval."""
        return bool(self.ci_low <= value <= self.ci_high)

    def summary(self) -> str:
        """One plain-English sentence: the bounds, their interval and the complete-case figure.

        Examples
        --------
        >>> Bounds(0.4, 0.7, 0.35, 0.75, 200, "proportion", "worst/best case bounds",
        ...        "share with abuse ceased", 0.6, 0.03, 0.03).summary()  # doctest: +ELLIPSIS
        'Share with abuse ceased: between 0.400 and 0.700 (worst/best case bounds; 95% CI ...'
        """
        level = f"{self.conf_level:.0%}"
        return (
            f"{self.estimand[:1].upper()}{self.estimand[1:]}: between "
            f"{format_number(self.lower)} and {format_number(self.upper)} ({self.method}; "
            f"{level} CI {format_number(self.ci_low)} to {format_number(self.ci_high)}); "
            f"the complete-case figure is {format_number(self.complete_case)}."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, tuple):
                value = list(value)
            if isinstance(value, dict):
                value = {k: _plain(v) for k, v in value.items()}
            out[item.name] = _plain(value)
        out["summary"] = self.summary()
        return out

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = [
            ("Estimand", esc(self.estimand)),
            ("Method", esc(self.method)),
            ("Bounds", f"{format_number(self.lower)} to {format_number(self.upper)}"),
            (
                f"{self.conf_level:.0%} CI",
                f"{format_number(self.ci_low)} to {format_number(self.ci_high)}",
            ),
            ("Complete case", format_number(self.complete_case)),
            ("n", f"{self.n:,}"),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows
        )
        notes = "".join(f"<li>{esc(w)}</li>" for w in self.warnings)
        return f"<table class='estimate'>{body}</table>" + (f"<ul>{notes}</ul>" if notes else "")


# --------------------------------------------------------------------------- helpers
def _imbens_manski(
    lower: float, upper: float, se_lower: float, se_upper: float, conf_level: float
) -> tuple[float, float]:
    """Imbens and Manski (2004) interval for a parameter inside [lower, upper].

    The critical value c solves Phi(c + width / max(se)) - Phi(-c) = conf_level: it is
    the one-sided quantile when the set is wide against its noise and the two-sided one
    when the set shrinks to a point.
    """
    if not 0 < conf_level < 1:
        raise ConfigError(f"bounds: conf_level must be between 0 and 1, not {conf_level!r}.")
    width = max(upper - lower, 0.0)
    scale = max(se_lower, se_upper)
    if scale <= 0:
        return lower, upper
    ratio = width / scale

    def gap(c: float) -> float:
        return stats.norm.cdf(c + ratio) - stats.norm.cdf(-c) - conf_level

    critical = optimize.brentq(gap, 0.0, 10.0)
    return lower - critical * se_lower, upper + critical * se_upper


def _observed_mask(
    data: pd.DataFrame, outcome: str, observed: str | None, caller: str
) -> np.ndarray:
    if outcome not in data.columns:
        raise ConfigError(
            f"{caller}: no column '{outcome}' in the data; columns: {list(data.columns)}"
        )
    values = pd.to_numeric(data[outcome], errors="coerce")
    if observed is None:
        return values.notna().to_numpy()
    if observed not in data.columns:
        raise ConfigError(f"{caller}: no column '{observed}' in the data (the observed flag)")
    flag = data[observed].astype("boolean")
    if flag.isna().any():
        raise EstimationError(
            f"{caller}: column '{observed}' has {int(flag.isna().sum())} missing value(s); "
            "it must say for every row whether the outcome was observed"
        )
    mask = flag.to_numpy(dtype=bool)
    bad = mask & values.isna().to_numpy()
    if bad.any():
        rows = [int(row) for row in np.flatnonzero(bad)[:5]]
        raise EstimationError(
            f"{caller}: '{observed}' is true but '{outcome}' is missing at rows {rows}; "
            "fix the flag or the outcome"
        )
    return mask


def _treatment_codes(data: pd.DataFrame, treatment: str, caller: str) -> np.ndarray:
    if treatment not in data.columns:
        raise ConfigError(f"{caller}: no column '{treatment}' in the data")
    values = data[treatment]
    if values.isna().any():
        raise EstimationError(
            f"{caller}: column '{treatment}' has missing values; drop those rows first"
        )
    levels = set(pd.unique(values))
    if not levels <= {0, 1}:  # True and False compare equal to 1 and 0
        raise EstimationError(
            f"{caller}: column '{treatment}' must be 0/1 or boolean, "
            f"found {sorted(map(str, levels))}"
        )
    codes = values.astype(int).to_numpy()
    if codes.min() == codes.max():
        raise EstimationError(f"{caller}: column '{treatment}' holds one group only; need both")
    return codes


def _worst_best_one(
    values: np.ndarray, observed: np.ndarray, low: float, high: float
) -> tuple[float, float, float, float, float]:
    """Bounds, their standard errors and the complete-case mean for one group."""
    n = values.size
    filled_low = np.where(observed, values, low)
    filled_high = np.where(observed, values, high)
    se_low = float(np.std(filled_low, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    se_high = float(np.std(filled_high, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    complete = float(values[observed].mean()) if observed.any() else float("nan")
    return float(filled_low.mean()), float(filled_high.mean()), se_low, se_high, complete


def worst_best_bounds(
    data: pd.DataFrame,
    *,
    outcome: str,
    outcome_range: Sequence[float] = (0.0, 1.0),
    observed: str | None = None,
    treatment: str | None = None,
    conf_level: float = 0.95,
) -> Bounds:
    """Worst and best case bounds: every missing outcome set to the lowest, then the highest value.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, missing outcomes included.
    outcome : str
        Outcome column (0/1 or numeric); missing where not observed.
    outcome_range : (low, high), default (0, 1)
        The values the outcome can take at the extremes (0 and 1 for a yes/no outcome).
    observed : str, optional
        Boolean column saying whether the outcome was observed; default: not missing.
    treatment : str, optional
        0/1 column of two groups: the bounds are then on the difference, group 1 minus
        group 0 (lowest of 1 minus highest of 0, and the reverse).
    conf_level : float, default 0.95
        Confidence level of the Imbens-Manski interval.

    Returns
    -------
    Bounds
        ``diagnostics``: ``n_observed``, ``n_missing`` (and per group with ``treatment``).

    Examples
    --------
    >>> frame = pd.DataFrame({"ceased": [1, 1, 0, 1, None, None]})
    >>> result = worst_best_bounds(frame, outcome="ceased")
    >>> round(result.lower, 3), round(result.upper, 3), result.complete_case
    (0.5, 0.833, 0.75)
    """
    caller = "worst_best_bounds"
    low, high = (float(v) for v in outcome_range)
    if not low < high:
        raise ConfigError(
            f"{caller}: outcome_range must be (low, high) with low < high, not {outcome_range!r}"
        )
    mask = _observed_mask(data, outcome, observed, caller)
    if not mask.any():
        raise EstimationError(
            f"{caller}: no observed values of '{outcome}'; bounds would be the whole range"
        )
    values = pd.to_numeric(data[outcome], errors="coerce").to_numpy(dtype=float)
    seen = values[mask]
    if seen.min() < low or seen.max() > high:
        raise EstimationError(
            f"{caller}: '{outcome}' has values outside outcome_range {low:g} to {high:g} "
            f"(from {seen.min():g} to {seen.max():g}); widen the range"
        )
    assumptions = (
        f"The missing outcomes lie between {low:g} and {high:g}; nothing else is assumed "
        "about why they are missing.",
    )
    if treatment is None:
        lower, upper, se_lower, se_upper, complete = _worst_best_one(values, mask, low, high)
        scale = "proportion" if (low, high) == (0.0, 1.0) else "mean"
        estimand = f"mean of {outcome} over all units, observed or not"
        diagnostics = {"n_observed": int(mask.sum()), "n_missing": int((~mask).sum())}
    else:
        group = _treatment_codes(data, treatment, caller)
        parts = {}
        for code in (0, 1):
            rows = group == code
            if not mask[rows].any():
                raise EstimationError(
                    f"{caller}: no observed '{outcome}' in group {treatment}={code}"
                )
            parts[code] = _worst_best_one(values[rows], mask[rows], low, high)
        lower = parts[1][0] - parts[0][1]
        upper = parts[1][1] - parts[0][0]
        se_lower = float(np.hypot(parts[1][2], parts[0][3]))
        se_upper = float(np.hypot(parts[1][3], parts[0][2]))
        complete = parts[1][4] - parts[0][4]
        scale = "difference"
        estimand = (
            f"difference in mean {outcome}, {treatment}=1 minus {treatment}=0, over all units"
        )
        diagnostics = {f"n_observed_{code}": int(mask[group == code].sum()) for code in (0, 1)} | {
            f"n_missing_{code}": int((~mask[group == code]).sum()) for code in (0, 1)
        }
    ci_low, ci_high = _imbens_manski(lower, upper, se_lower, se_upper, conf_level)
    missing_share = float((~mask).mean())
    warnings = ()
    if missing_share > 0.3:
        warnings = (
            f"{missing_share:.0%} of outcomes are missing: the bounds are wide because nothing "
            "is assumed about them.",
        )
    return Bounds(
        lower=lower,
        upper=upper,
        ci_low=ci_low,
        ci_high=ci_high,
        n=int(values.size),
        scale=scale,
        method="worst/best case bounds",
        estimand=estimand,
        complete_case=complete,
        se_lower=se_lower,
        se_upper=se_upper,
        assumptions=assumptions,
        warnings=warnings,
        diagnostics=diagnostics | {"missing_share": missing_share},
        conf_level=conf_level,
    )


def _trimmed_means(values: np.ndarray, trim: float) -> tuple[float, float]:
    """Means of ``values`` after removing a share ``trim`` from the top, then from the bottom.

    The share is removed as probability mass, with a fractional weight on the unit at the
    cut, so tied values (a 0/1 outcome) are trimmed exactly as the distribution is.
    """
    ordered = np.sort(values)
    kept = (1.0 - trim) * ordered.size
    position = np.arange(ordered.size)
    weights = np.clip(kept - position, 0.0, 1.0)
    lower = float(np.dot(weights, ordered) / kept)
    upper = float(np.dot(weights, ordered[::-1]) / kept)
    return lower, upper


def _lee_point(
    values: np.ndarray, observed: np.ndarray, group: np.ndarray
) -> tuple[float, float, float, float, float, float]:
    """Lee bounds, complete-case difference, observation shares and trimming share."""
    share = {code: float(observed[group == code].mean()) for code in (0, 1)}
    seen = {code: values[(group == code) & observed] for code in (0, 1)}
    if min(seen[0].size, seen[1].size) == 0:
        raise EstimationError(
            "lee_bounds: a bootstrap or the data left a group with no observed outcome"
        )
    complete = float(seen[1].mean() - seen[0].mean())
    more = 1 if share[1] >= share[0] else 0
    less = 1 - more
    trim = (share[more] - share[less]) / share[more]
    low_mean, high_mean = _trimmed_means(seen[more], trim)
    other = float(seen[less].mean())
    if more == 1:
        lower, upper = low_mean - other, high_mean - other
    else:
        lower, upper = other - high_mean, other - low_mean
    return lower, upper, complete, share[0], share[1], trim


def lee_bounds(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    observed: str | None = None,
    conf_level: float = 0.95,
    bootstrap: int = 400,
    seed: int = 0,
) -> Bounds:
    """Lee (2009) bounds on a difference between two groups whose outcomes go missing unequally.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, missing outcomes included.
    outcome : str
        Outcome column (0/1 or numeric), missing where not observed.
    treatment : str
        0/1 or boolean column of the two groups; the effect is group 1 minus group 0.
    observed : str, optional
        Boolean column saying whether the outcome was observed; default: not missing.
    conf_level : float, default 0.95
        Confidence level of the Imbens-Manski interval.
    bootstrap : int, default 400
        Resamples (stratified by group) for the bounds' standard errors.
    seed : int, default 0
        Seed of the bootstrap, so a run is reproducible.

    Returns
    -------
    Bounds
        ``diagnostics``: ``observed_share_0``, ``observed_share_1``, ``trimming_share``
        (the excess share trimmed from the better-observed group) and the counts.

    Notes
    -----
    The bounds are on the effect among units observed whichever group they were in, under
    (i) random (or as-good-as-random) assignment to the groups and (ii) monotone
    observation. With equal observation shares nothing is trimmed and the bounds meet at
    the complete-case difference.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "group": [1] * 6 + [0] * 4,
    ...     "score": [1, 2, 3, 4, 5, None, 1, 2, 3, None]})
    >>> result = lee_bounds(frame, outcome="score", treatment="group", bootstrap=50)
    >>> round(result.lower, 4), round(result.upper, 4)
    (0.7778, 1.2222)
    >>> round(result.diagnostics["trimming_share"], 3)
    0.1
    """
    caller = "lee_bounds"
    if not isinstance(bootstrap, int | np.integer) or bootstrap < 20:
        raise ConfigError(
            f"{caller}: bootstrap must be a whole number of at least 20, not {bootstrap!r}"
        )
    mask = _observed_mask(data, outcome, observed, caller)
    group = _treatment_codes(data, treatment, caller)
    values = pd.to_numeric(data[outcome], errors="coerce").to_numpy(dtype=float)
    for code in (0, 1):
        if not mask[group == code].any():
            raise EstimationError(
                f"{caller}: no observed '{outcome}' in group {treatment}={code}; the bounds need "
                "observed outcomes in both groups"
            )
    lower, upper, complete, share0, share1, trim = _lee_point(values, mask, group)
    rng = np.random.default_rng(seed)
    index = {code: np.flatnonzero(group == code) for code in (0, 1)}
    draws = []
    for _ in range(int(bootstrap)):
        rows = np.concatenate([rng.choice(index[c], size=index[c].size) for c in (0, 1)])
        try:
            draws.append(_lee_point(values[rows], mask[rows], group[rows])[:2])
        except EstimationError:
            continue
    if len(draws) < 20:
        raise EstimationError(
            f"{caller}: too few bootstrap samples had observed outcomes in both groups"
        )
    spread = np.std(np.asarray(draws), axis=0, ddof=1)
    se_lower, se_upper = float(spread[0]), float(spread[1])
    ci_low, ci_high = _imbens_manski(lower, upper, se_lower, se_upper, conf_level)
    warnings = []
    if trim > 0.5:
        warnings.append(
            f"The observation rates differ so much that {trim:.0%} of the better-observed group "
            "is trimmed: the bounds are wide."
        )
    return Bounds(
        lower=lower,
        upper=upper,
        ci_low=ci_low,
        ci_high=ci_high,
        n=int(values.size),
        scale="difference",
        method="Lee bounds",
        estimand=(
            f"difference in mean {outcome}, {treatment}=1 minus {treatment}=0, among units "
            "whose outcome would be observed in either group"
        ),
        complete_case=complete,
        se_lower=se_lower,
        se_upper=se_upper,
        assumptions=(
            "The two groups are comparable apart from the treatment (as good as randomly "
            "assigned).",
            "Monotone observation: anyone observed in the group observed less often would also "
            "be observed in the other.",
        ),
        warnings=tuple(warnings),
        diagnostics={
            "observed_share_0": share0,
            "observed_share_1": share1,
            "trimming_share": trim,
            "n_observed": int(mask.sum()),
            "n_missing": int((~mask).sum()),
            "bootstrap": len(draws),
        },
        conf_level=conf_level,
    )
