"""Sensitivity to unmeasured confounding: E-values and Rosenbaum bounds.

An observational estimate is only as good as the claim that nothing unmeasured
drives both who is treated and what happens to them. These functions say how
strong such a hidden confounder would have to be to change the conclusion, so a
report can never be more confident than the design allows.

- :func:`e_value` (VanderWeele and Ding 2017): the smallest risk ratio that an
  unmeasured confounder would need with both treatment and outcome to explain
  away the point estimate, and the confidence limit nearest the null. Risk,
  rate, odds and hazard ratios, differences in means (standardised by the
  outcome's standard deviation) and differences in proportions, with the
  conversions of the R package ``EValue``.
- :func:`rosenbaum_binary` and :func:`rosenbaum_wilcoxon` (Rosenbaum 2002,
  chapter 4): for matched pairs, the upper bound on the one-sided p-value when
  hidden bias may multiply the odds of treatment within a pair by up to Gamma,
  over a grid of Gamma, and the largest Gamma at which the finding survives.
- :func:`omitted_variable_bounds` (Cinelli and Hazlett 2020, as the R package
  ``sensemakr``): for a regression estimate, how far a hidden confounder as strong
  as a measured covariate (or k times as strong) could move it, with
  :func:`benchmark_strength`, :func:`omitted_variable_bias` and :func:`partial_r2`
  beneath it.

References
----------
VanderWeele TJ, Ding P (2017). Sensitivity analysis in observational research:
introducing the E-value. Annals of Internal Medicine 167:268-274.
Ding P, VanderWeele TJ (2016). Sensitivity analysis without assumptions.
Epidemiology 27:368-377 (the risk-difference bound).
VanderWeele TJ (2017). On a square-root transformation of the odds ratio for a
common outcome. Epidemiology 28:e58.
Chinn S (2000). A simple method for converting an odds ratio to effect size for
use in meta-analysis. Statistics in Medicine 19:3127-3131.
Rosenbaum PR (2002). Observational Studies, 2nd edition. Springer, chapter 4.
Rosenbaum PR (2010). Design of Observational Studies. Springer, chapter 3.
Cinelli C, Hazlett C (2020). Making sense of sensitivity: extending omitted variable
bias. Journal of the Royal Statistical Society B 82:39-67.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods._formula import binary_indicator, require_columns, z_value
from analysis.results import Estimate, _plain, format_number, format_p_value

__all__ = [
    "EValue",
    "RosenbaumBounds",
    "benchmark_strength",
    "e_value",
    "e_value_risk_difference",
    "omitted_variable_bias",
    "omitted_variable_bounds",
    "partial_r2",
    "rosenbaum_binary",
    "rosenbaum_binary_counts",
    "rosenbaum_wilcoxon",
]

#: Chinn's (2000) factor: log odds ratio ~ 1.81 x standardised difference, and the
#: square-root transform halves it on the way to a risk ratio: RR ~ exp(0.91 d).
_CHINN_FACTOR = 0.91

#: Default grid of Gamma for the Rosenbaum bounds: 1 (no hidden bias) to 6 in steps of 0.25.
DEFAULT_GAMMAS = tuple(1 + 0.25 * k for k in range(21))

_RATIO_ALIASES = {"risk ratio", "rate ratio", "ratio"}
_DIFFERENCE_SCALES = {"difference", "mean difference"}
_STANDARDISED_SCALES = {"standardised mean difference", "standardized mean difference"}
_PROPORTION_DIFFERENCE_SCALES = {"percentage points", "risk difference"}

_E_VALUE_ASSUMPTIONS = (
    "The E-value is on the risk ratio scale: a confounder must be associated with both "
    "treatment and outcome by at least this ratio, above the measured covariates.",
    "It bounds confounding only: selection bias, measurement error and chance are separate.",
)


def _threshold(risk_ratio: float) -> float:
    """E-value of one risk ratio: RR + sqrt(RR (RR - 1)), after inverting RR < 1."""
    ratio = 1 / risk_ratio if risk_ratio < 1 else risk_ratio
    return ratio + math.sqrt(ratio * (ratio - 1))


def _hazard_to_risk_ratio(hazard_ratio: float) -> float:
    """VanderWeele's (2017) conversion of a hazard ratio for an outcome that is common."""
    return (1 - 0.5 ** math.sqrt(hazard_ratio)) / (1 - 0.5 ** math.sqrt(1 / hazard_ratio))


@dataclass(frozen=True)
class EValue:
    """E-values for a point estimate and for its confidence limit nearest the null.

    Parameters
    ----------
    point : float
        E-value of the point estimate (1 when the estimate is at the null).
    limit : float or None
        E-value of the confidence limit nearest the null; 1 when the interval
        includes the null; None when no interval was given.
    risk_ratio : float
        The estimate on the risk ratio scale after any conversion.
    risk_ratio_limit : float or None
        The confidence limit nearest the null on the risk ratio scale (None
        when no interval was given or the conversion has no such limit, as for
        a risk difference).
    scale : str
        Scale of the estimate given (``"risk ratio"``, ``"hazard ratio"``...).
    conversion : str
        How the estimate was brought to the risk ratio scale, in words.
    estimand : str
        What the E-value is about.
    assumptions, warnings : tuple of str
        As for :class:`analysis.results.Estimate`.
    conf_level : float
        Confidence level of the interval the limit comes from.
    """

    point: float
    limit: float | None
    risk_ratio: float
    risk_ratio_limit: float | None
    scale: str
    conversion: str
    estimand: str = "E-value for unmeasured confounding"
    assumptions: tuple[str, ...] = _E_VALUE_ASSUMPTIONS
    warnings: tuple[str, ...] = ()
    conf_level: float = 0.95
    method: str = "E-value (VanderWeele and Ding 2017)"

    def __post_init__(self) -> None:
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    def summary(self) -> str:
        """One sentence: how strong a confounder would have to be.

        Examples
        --------
        >>> print(e_value(0.80, 0.71, 0.91, scale="risk ratio").summary())
        ... # doctest: +NORMALIZE_WHITESPACE
        An unmeasured confounder associated with both treatment and outcome by a risk ratio
        of 1.81 each could explain away the estimate; 1.43 could move the interval's limit
        to no effect.
        """
        if self.point <= 1:
            return (
                "The estimate is at no effect, so there is nothing for an unmeasured "
                "confounder to explain away (E-value 1)."
            )
        text = (
            "An unmeasured confounder associated with both treatment and outcome by a risk "
            f"ratio of {self.point:.2f} each could explain away the estimate"
        )
        if self.limit is None:
            return text + "."
        if self.limit <= 1:
            return text + "; the interval already includes no effect (E-value 1 for its limit)."
        return text + f"; {self.limit:.2f} could move the interval's limit to no effect."

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with the sentence."""
        out = {
            name: _plain(getattr(self, name))
            for name in (
                "point",
                "limit",
                "risk_ratio",
                "risk_ratio_limit",
                "scale",
                "conversion",
                "estimand",
                "method",
                "conf_level",
            )
        }
        out["assumptions"] = list(self.assumptions)
        out["warnings"] = list(self.warnings)
        out["summary"] = self.summary()
        return out

    def __str__(self) -> str:
        return self.summary()


def _to_risk_ratio(
    value: float, scale: str, rare_outcome: bool | None, outcome_sd: float | None
) -> float:
    if scale in _RATIO_ALIASES:
        return value
    if scale == "odds ratio":
        return value if rare_outcome else math.sqrt(value)
    if scale == "hazard ratio":
        return value if rare_outcome else _hazard_to_risk_ratio(value)
    standardised = value if scale in _STANDARDISED_SCALES else value / outcome_sd
    return math.exp(_CHINN_FACTOR * standardised)


def _conversion_text(scale: str, rare_outcome: bool | None) -> str:
    if scale in _RATIO_ALIASES:
        return f"none: a {scale} is used as a risk ratio"
    if scale in ("odds ratio", "hazard ratio") and rare_outcome:
        return f"none: with a rare outcome (< 15%) the {scale} approximates the risk ratio"
    if scale == "odds ratio":
        return "square root of the odds ratio, for a common outcome (VanderWeele 2017)"
    if scale == "hazard ratio":
        return (
            "(1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)), for a common outcome "
            "(VanderWeele and Ding 2017)"
        )
    return "exp(0.91 x standardised mean difference) (Chinn 2000; VanderWeele 2017)"


def e_value(
    estimate: Estimate | float,
    ci_low: float | None = None,
    ci_high: float | None = None,
    *,
    scale: str | None = None,
    rare_outcome: bool | None = None,
    outcome_sd: float | None = None,
    conf_level: float = 0.95,
) -> EValue:
    """E-value of an estimate and of its confidence limit nearest the null.

    The E-value is the minimum strength of association, on the risk ratio
    scale, that an unmeasured confounder would need with both the treatment
    and the outcome, beyond the measured covariates, to explain away the
    estimate: ``RR + sqrt(RR (RR - 1))`` for ``RR >= 1`` (``1/RR`` first when
    ``RR < 1``). The limit's E-value is that of the confidence limit nearest the
    null, and 1 when the interval includes the null.

    Parameters
    ----------
    estimate : Estimate or float
        An :class:`analysis.results.Estimate` (its effect, interval, scale and
        confidence level are used), or a point estimate on ``scale``.
    ci_low, ci_high : float, optional
        Confidence limits when ``estimate`` is a number.
    scale : str, optional
        Needed with a number: ``"risk ratio"``, ``"rate ratio"``, ``"ratio"``,
        ``"odds ratio"``, ``"hazard ratio"``, ``"difference"`` (a difference
        in means, standardised by ``outcome_sd``) or ``"standardised mean
        difference"``. A difference of proportions from
        :func:`analysis.methods.compare_proportions` is handled from its counts
        (see :func:`e_value_risk_difference`).
    rare_outcome : bool, optional
        Required for odds and hazard ratios: True when under 15% have the
        outcome by the end of follow-up (the ratio then approximates a risk
        ratio), False otherwise (square root of the odds ratio; VanderWeele's
        conversion of the hazard ratio).
    outcome_sd : float, optional
        Standard deviation of the outcome (or the residual standard deviation)
        for a difference in means.
    conf_level : float, default 0.95
        Level of the interval given as numbers (an Estimate brings its own).

    Returns
    -------
    EValue
        ``point``, ``limit`` (None without an interval), the risk ratios they
        come from and how the conversion was made; ``summary()`` says it in a
        sentence.

    Raises
    ------
    ConfigError
        Unknown scale, an odds or hazard ratio without ``rare_outcome``, a
        difference in means without ``outcome_sd``, a non-positive ratio or an
        estimate outside its own interval.

    Examples
    --------
    VanderWeele and Ding's (2017) breastfeeding and leukaemia example:

    >>> result = e_value(0.80, 0.71, 0.91, scale="risk ratio")
    >>> round(result.point, 3), round(result.limit, 3)
    (1.809, 1.429)

    A hazard ratio for a common outcome:

    >>> round(e_value(0.56, 0.46, 0.69, scale="hazard ratio", rare_outcome=False).point, 3)
    2.35
    """
    if isinstance(estimate, Estimate):
        if ci_low is not None or ci_high is not None or scale is not None:
            raise ConfigError(
                "e_value: an Estimate carries its own interval and scale; pass only the "
                "Estimate (and rare_outcome or outcome_sd where the scale needs one)."
            )
        scale = estimate.scale
        if scale in _PROPORTION_DIFFERENCE_SCALES:
            counts = [estimate.diagnostics.get(k) for k in ("events_1", "n_1", "events_0", "n_0")]
            if any(c is None for c in counts):
                raise ConfigError(
                    "e_value: a difference of proportions needs the counts of both groups; "
                    "use compare_proportions, or call e_value_risk_difference with the counts."
                )
            return e_value_risk_difference(*counts, conf_level=estimate.conf_level)
        value, ci_low, ci_high = estimate.effect, estimate.ci_low, estimate.ci_high
        conf_level = estimate.conf_level
        estimand = f"E-value for unmeasured confounding of the {estimate.estimand}"
    else:
        estimand = "E-value for unmeasured confounding"
        value = float(estimate)
        if scale is None:
            raise ConfigError(
                "e_value: give scale= for a plain number ('risk ratio', 'rate ratio', "
                "'odds ratio', 'hazard ratio', 'difference' or 'standardised mean difference')."
            )
    known = (
        _RATIO_ALIASES | {"odds ratio", "hazard ratio"} | _DIFFERENCE_SCALES | _STANDARDISED_SCALES
    )
    if scale in _PROPORTION_DIFFERENCE_SCALES:
        raise ConfigError(
            "e_value: a difference of proportions needs the counts; call "
            "e_value_risk_difference(events_1, n_1, events_0, n_0)."
        )
    if scale not in known:
        raise ConfigError(
            f"e_value: no E-value conversion for the scale {scale!r}; known scales are "
            f"{', '.join(sorted(known))}."
        )
    if scale in ("odds ratio", "hazard ratio") and rare_outcome is None:
        raise ConfigError(
            f"e_value: for a {scale} say whether the outcome is rare: rare_outcome=True when "
            "under 15% have it by the end of follow-up, False otherwise."
        )
    if scale in _DIFFERENCE_SCALES and (outcome_sd is None or not outcome_sd > 0):
        raise ConfigError(
            "e_value: a difference in means needs outcome_sd= (the outcome's standard "
            "deviation, or the residual one) to be standardised."
        )
    ratio_scale = scale not in (_DIFFERENCE_SCALES | _STANDARDISED_SCALES)
    null = 1.0 if ratio_scale else 0.0
    limits = [v for v in (ci_low, ci_high) if v is not None]
    if ratio_scale and any(not (v > 0) for v in [value, *limits]):
        raise ConfigError(f"e_value: a {scale} and its limits must be positive, got {value!r}.")
    if ci_low is not None and ci_high is not None and ci_low > ci_high:
        raise ConfigError(f"e_value: ci_low {ci_low!r} is above ci_high {ci_high!r}.")
    if (ci_low is not None and value < ci_low) or (ci_high is not None and value > ci_high):
        raise ConfigError(
            f"e_value: the estimate {value!r} lies outside its interval ({ci_low!r}, {ci_high!r})."
        )

    def convert(v: float) -> float:
        return _to_risk_ratio(v, scale, rare_outcome, outcome_sd)

    risk_ratio = convert(value)
    point = _threshold(risk_ratio)
    warnings: list[str] = []
    # The limit nearest the null is on the same side as the estimate; if the
    # interval reaches the null it takes E-value 1.
    if value > null:
        nearest = ci_low
    elif value < null:
        nearest = ci_high
    else:
        nearest = ci_low if ci_low is not None else ci_high
        point = 1.0
        warnings.append(
            "The estimate is exactly at no effect: confounding has nothing to explain away, "
            "so the E-values are 1."
        )
    limit: float | None = None
    risk_ratio_limit: float | None = None
    if nearest is not None:
        risk_ratio_limit = convert(nearest)
        crosses = (value > null and nearest <= null) or (value < null and nearest >= null)
        limit = 1.0 if crosses or value == null else _threshold(risk_ratio_limit)
    elif limits:
        warnings.append(
            "Only the limit away from the null was given, so no E-value for the interval."
        )
    if scale in ("odds ratio", "hazard ratio") and rare_outcome:
        warnings.append(
            f"The {scale} is used as a risk ratio because the outcome was said to be rare "
            "(under 15%); if it is common, the E-value overstates robustness."
        )
    return EValue(
        point=float(point),
        limit=None if limit is None else float(limit),
        risk_ratio=float(risk_ratio),
        risk_ratio_limit=None if risk_ratio_limit is None else float(risk_ratio_limit),
        scale=scale,
        conversion=_conversion_text(scale, rare_outcome),
        estimand=estimand,
        warnings=tuple(warnings),
        conf_level=conf_level,
    )


def e_value_risk_difference(
    events_1: int,
    n_1: int,
    events_0: int,
    n_0: int,
    *,
    conf_level: float = 0.95,
) -> EValue:
    """E-value for a difference of two proportions (Ding and VanderWeele 2016).

    The bound applies to the population-standardised risk difference: for a
    joint bounding factor B of the confounder, the true difference is at least
    ``(p1 - B p0)(f + (1 - f)/B)`` with ``f`` the share treated. The E-value of
    the estimate is that of the B which brings this bound to 0; the limit's
    E-value is that of the B at which the lower Wald limit of the bound (with
    the uncertainty in p1, p0 and f) reaches 0, found by root-finding where the
    R package ``EValue`` searches a grid. A negative difference is handled by
    exchanging the groups.

    Parameters
    ----------
    events_1, n_1 : int
        Cases with the outcome, and cases, in the treated group.
    events_0, n_0 : int
        The same in the comparison group.
    conf_level : float, default 0.95

    Returns
    -------
    EValue
        ``risk_ratio`` is the bias factor that explains the estimate away;
        ``risk_ratio_limit`` is None.

    Examples
    --------
    Hammond and Holl's smokers and lung cancer, as in the ``EValue`` package:

    >>> result = e_value_risk_difference(397, 397 + 78557, 51, 51 + 108778)
    >>> round(result.limit, 2)
    15.96
    """
    counts = {"events_1": events_1, "n_1": n_1, "events_0": events_0, "n_0": n_0}
    for name, count in counts.items():
        if count < 0 or int(count) != count:
            raise ConfigError(f"e_value_risk_difference: {name} must be a count, got {count!r}.")
    if events_1 > n_1 or events_0 > n_0 or min(n_1, n_0) == 0:
        raise ConfigError(
            "e_value_risk_difference: each group needs cases, and no more events than cases "
            f"(got {events_1}/{n_1} and {events_0}/{n_0})."
        )
    z = z_value(conf_level)
    p1, p0 = events_1 / n_1, events_0 / n_0
    warnings: list[str] = []
    conversion = "bias factor for the population-standardised risk difference"
    if p1 < p0:
        # The bound is written for a positive difference: exchange the groups.
        events_1, n_1, events_0, n_0 = events_0, n_0, events_1, n_1
        p1, p0 = p0, p1
        conversion += " (groups exchanged, as the difference is negative)"
    if p1 == p0:
        return EValue(
            point=1.0,
            limit=1.0,
            risk_ratio=1.0,
            risk_ratio_limit=None,
            scale="risk difference",
            conversion=conversion,
            warnings=(
                "The two proportions are equal: confounding has nothing to explain away, so "
                "the E-values are 1.",
            ),
            conf_level=conf_level,
        )
    if p0 == 0:
        raise EstimationError(
            "e_value_risk_difference: the lower-risk group has no events, so any confounder, "
            "however weak, is compatible with the bound; report the counts instead."
        )
    total = n_1 + n_0
    f = n_1 / total
    var_p1 = p1 * (1 - p1) / n_1
    var_p0 = p0 * (1 - p0) / n_0
    var_f = f * (1 - f) / total
    shift = p0 * (1 - f) - p1 * f
    bias_factor = (math.sqrt(shift**2 + 4 * p1 * p0 * f * (1 - f)) - shift) / (2 * p0 * f)
    point = _threshold(bias_factor)

    def lower_limit(factor: float) -> float:
        difference = p1 - p0 * factor
        share = f + (1 - f) / factor
        spread = (var_p1 + var_p0 * factor**2) * share**2 + difference**2 * (
            1 - 1 / factor
        ) ** 2 * var_f
        return difference * share - z * math.sqrt(spread)

    if lower_limit(1.0) <= 0:
        limit = 1.0
    else:
        factor = optimize.brentq(lower_limit, 1.0, bias_factor, xtol=1e-12)
        limit = _threshold(factor)
    return EValue(
        point=float(point),
        limit=float(limit),
        risk_ratio=float(bias_factor),
        risk_ratio_limit=None,
        scale="risk difference",
        conversion=conversion,
        warnings=tuple(warnings),
        conf_level=conf_level,
    )


# --------------------------------------------------------------------------- Rosenbaum bounds
_ROSENBAUM_ASSUMPTIONS = (
    "Pairs are matched on the measured covariates; within a pair, hidden bias may make one "
    "member up to Gamma times as likely as the other to be the treated one (odds).",
    "The bound is on a one-sided test of no effect; it is the worst case over all hidden "
    "confounders of that strength, not an estimate of the actual bias.",
)


@dataclass(frozen=True)
class RosenbaumBounds:
    """Rosenbaum bounds on a matched-pairs test over a grid of Gamma.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per Gamma: ``gamma``, ``p_upper`` (upper bound on the one-sided
        p-value: the worst case) and ``p_lower`` (the best case).
    largest_significant_gamma : float or None
        Largest Gamma in the grid at which ``p_upper <= alpha``, scanning up
        from 1 (None when not significant even at Gamma = 1).
    critical_gamma : float or None
        The Gamma at which ``p_upper`` reaches ``alpha`` exactly (solved, not
        read from the grid); None when not significant at Gamma = 1.
    statistic : float
        Observed test statistic (treated-favouring discordant pairs, or the
        signed-rank sum).
    n_pairs, n_informative : int
        Pairs given, and pairs that carry information (discordant, or a non-zero
        difference).
    alpha : float
        One-sided significance level.
    alternative : str
        ``"greater"`` (treatment raises the outcome) or ``"less"``.
    method, estimand : str
    assumptions, warnings : tuple of str
    upper_bound : callable
        The bound as a function of Gamma (see :meth:`p_upper_at`).
    """

    table: pd.DataFrame = field(repr=False, compare=False)
    largest_significant_gamma: float | None
    critical_gamma: float | None
    statistic: float
    n_pairs: int
    n_informative: int
    alpha: float
    alternative: str
    method: str
    estimand: str
    assumptions: tuple[str, ...] = _ROSENBAUM_ASSUMPTIONS
    warnings: tuple[str, ...] = ()
    upper_bound: Callable[[float], float] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    def p_upper_at(self, gamma: float) -> float:
        """Upper bound on the one-sided p-value at any ``gamma >= 1``, not only the grid's.

        Examples
        --------
        >>> round(rosenbaum_binary_counts(110, 12).p_upper_at(4.5), 4)
        0.008
        """
        if self.upper_bound is None or not gamma >= 1:
            raise ConfigError(f"p_upper_at: gamma must be a number >= 1, got {gamma!r}.")
        return float(self.upper_bound(gamma))

    @property
    def p_value(self) -> float:
        """The ordinary one-sided p-value (Gamma = 1, no hidden bias)."""
        return float(self._upper_at_one)

    @property
    def _upper_at_one(self) -> float:
        # From the bound itself, so it is there whether or not the grid includes 1.
        if self.upper_bound is not None:
            return float(self.upper_bound(1.0))
        row = self.table.loc[np.isclose(self.table["gamma"], 1.0)]
        return float(row["p_upper"].iloc[0]) if len(row) else math.nan

    def summary(self) -> str:
        """One sentence: how much hidden bias the finding survives.

        Examples
        --------
        >>> print(rosenbaum_binary_counts(110, 12).summary())  # doctest: +NORMALIZE_WHITESPACE
        In 122 informative pairs the finding stays significant (one-sided p <= 0.05) unless
        hidden bias multiplies the odds of treatment within a pair by more than 5.47
        (largest Gamma checked at which it holds: 5.25).
        """
        direction = "" if self.alternative == "greater" else " (treatment lowering the outcome)"
        if self.critical_gamma is None:
            return (
                f"In {self.n_informative:,} informative pairs the finding{direction} is not "
                f"significant even without hidden bias (one-sided p = "
                f"{format_p_value(self._upper_at_one)}), so there is nothing for a sensitivity "
                "analysis to protect."
            )
        return (
            f"In {self.n_informative:,} informative pairs the finding{direction} stays "
            f"significant (one-sided p <= {self.alpha:g}) unless hidden bias multiplies the "
            f"odds of treatment within a pair by more than {self.critical_gamma:.2f} (largest "
            f"Gamma checked at which it holds: {format_number(self.largest_significant_gamma)})."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with the table as records and the sentence."""
        out = {
            name: _plain(getattr(self, name))
            for name in (
                "largest_significant_gamma",
                "critical_gamma",
                "statistic",
                "n_pairs",
                "n_informative",
                "alpha",
                "alternative",
                "method",
                "estimand",
            )
        }
        out["assumptions"] = list(self.assumptions)
        out["warnings"] = list(self.warnings)
        out["table"] = [
            {k: _plain(v) for k, v in row.items()} for row in self.table.to_dict("records")
        ]
        out["summary"] = self.summary()
        return out

    def _repr_html_(self) -> str:
        parts = [f"<p>{html.escape(self.summary())}</p>"]
        parts.append(self.table.to_html(index=False, border=0, float_format=lambda v: f"{v:.4g}"))
        if self.warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
            parts.append(f"<ul class='warnings'>{items}</ul>")
        return "<div class='analysis-estimate'>" + "".join(parts) + "</div>"

    def __str__(self) -> str:
        return self.summary()


def _gamma_grid(gammas: Sequence[float] | None) -> np.ndarray:
    grid = np.asarray(DEFAULT_GAMMAS if gammas is None else gammas, dtype=float)
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 1):
        raise ConfigError(f"Rosenbaum bounds: gammas must be finite numbers >= 1, got {gammas!r}.")
    return np.unique(grid)


def _check_alpha_and_alternative(alpha: float, alternative: str) -> None:
    if not 0 < alpha < 1:
        raise ConfigError(f"Rosenbaum bounds: alpha must lie between 0 and 1, got {alpha!r}.")
    if alternative not in ("greater", "less"):
        raise ConfigError(
            f"Rosenbaum bounds: alternative must be 'greater' or 'less', got {alternative!r}."
        )


def _assemble(
    upper: Any,
    lower: Any,
    grid: np.ndarray,
    *,
    statistic: float,
    n_pairs: int,
    n_informative: int,
    alpha: float,
    alternative: str,
    method: str,
    estimand: str,
    warnings: list[str],
) -> RosenbaumBounds:
    """Table over the grid, the largest significant Gamma and the solved critical Gamma."""
    p_upper = np.array([upper(g) for g in grid])
    p_lower = np.array([lower(g) for g in grid])
    table = pd.DataFrame({"gamma": grid, "p_upper": p_upper, "p_lower": p_lower})
    at_one = upper(1.0)
    if at_one > alpha:
        largest, critical = None, None
    else:
        failing = np.flatnonzero(p_upper > alpha)
        holding = grid[: failing[0]] if failing.size else grid
        largest = float(holding[-1]) if holding.size else None
        # The worst-case p-value rises towards 1 (or 1/2, normal approximation) as Gamma
        # grows, so a finite Gamma always ends significance: bracket it, then solve.
        high = 2.0
        while upper(high) <= alpha:
            high *= 2
        critical = float(optimize.brentq(lambda g: upper(g) - alpha, 1.0, high, xtol=1e-10))
        if largest is not None and largest == grid[-1] and critical > grid[-1]:
            warnings.append(
                f"Still significant at the largest Gamma checked ({grid[-1]:g}); the critical "
                f"Gamma is {critical:.2f}."
            )
    return RosenbaumBounds(
        table=table,
        largest_significant_gamma=largest,
        critical_gamma=critical,
        statistic=float(statistic),
        n_pairs=int(n_pairs),
        n_informative=int(n_informative),
        alpha=alpha,
        alternative=alternative,
        method=method,
        estimand=estimand,
        warnings=tuple(warnings),
        upper_bound=upper,
    )


def rosenbaum_binary_counts(
    treated_only: int,
    control_only: int,
    *,
    gammas: Sequence[float] | None = None,
    alpha: float = 0.05,
    alternative: str = "greater",
    n_pairs: int | None = None,
) -> RosenbaumBounds:
    """Rosenbaum bounds for a binary outcome in matched pairs, from the discordant counts.

    Only discordant pairs carry information (McNemar). Under hidden bias of at
    most Gamma, the number of discordant pairs in which the treated member had
    the outcome is bounded by binomials with success probability
    ``Gamma / (1 + Gamma)`` (worst case) and ``1 / (1 + Gamma)`` (best case);
    the bounds are their exact upper tails (Rosenbaum 2002, section 4.3.2).

    Parameters
    ----------
    treated_only : int
        Pairs in which only the treated member had the outcome.
    control_only : int
        Pairs in which only the control member had the outcome.
    gammas : sequence of float, optional
        Values of Gamma >= 1; default 1 to 6 in steps of 0.25.
    alpha : float, default 0.05
        One-sided significance level.
    alternative : {"greater", "less"}, default "greater"
        "greater": treatment raises the chance of the outcome; "less": lowers it
        (for example, fewer reoffend).
    n_pairs : int, optional
        All pairs, concordant included (for the record only).

    Returns
    -------
    RosenbaumBounds

    Examples
    --------
    Rosenbaum's (2002, section 4.3.2) smoking and lung cancer pairs:

    >>> bounds = rosenbaum_binary_counts(110, 12, gammas=[1, 2, 3, 4, 5, 6])
    >>> bounds.table["p_upper"].round(4).tolist()
    [0.0, 0.0, 0.0, 0.002, 0.0232, 0.0969]
    >>> bounds.largest_significant_gamma, round(bounds.critical_gamma, 2)
    (5.0, 5.47)
    """
    _check_alpha_and_alternative(alpha, alternative)
    for name, count in (("treated_only", treated_only), ("control_only", control_only)):
        if count < 0 or int(count) != count:
            raise ConfigError(f"rosenbaum_binary: {name} must be a count, got {count!r}.")
    grid = _gamma_grid(gammas)
    favouring, against = (
        (int(treated_only), int(control_only))
        if alternative == "greater"
        else (int(control_only), int(treated_only))
    )
    discordant = favouring + against
    warnings: list[str] = []
    if discordant == 0:
        warnings.append(
            "No discordant pairs: in every pair both members had the same outcome, so the "
            "pairs carry no information about the effect (p = 1 at every Gamma)."
        )

    def tail(probability: float) -> float:
        if discordant == 0:
            return 1.0
        return float(stats.binom.sf(favouring - 1, discordant, probability))

    def upper(gamma: float) -> float:
        return tail(gamma / (1 + gamma))

    def lower(gamma: float) -> float:
        return tail(1 / (1 + gamma))

    return _assemble(
        upper,
        lower,
        grid,
        statistic=favouring,
        n_pairs=discordant if n_pairs is None else n_pairs,
        n_informative=discordant,
        alpha=alpha,
        alternative=alternative,
        method="Rosenbaum bounds for McNemar's sign-score test (exact binomial)",
        estimand="effect of treatment on a binary outcome in matched pairs",
        warnings=warnings,
    )


def rosenbaum_binary(
    data: pd.DataFrame,
    *,
    treated: str,
    control: str,
    gammas: Sequence[float] | None = None,
    alpha: float = 0.05,
    alternative: str = "greater",
) -> RosenbaumBounds:
    """Rosenbaum bounds for a binary outcome in matched pairs (one row per pair).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per matched pair.
    treated, control : str
        0/1 (or boolean) outcome columns of the treated member and of its
        matched control.
    gammas, alpha, alternative
        As for :func:`rosenbaum_binary_counts`.

    Returns
    -------
    RosenbaumBounds

    Examples
    --------
    >>> pairs = pd.DataFrame({"focus": [1] * 30 + [0] * 8 + [1] * 20,
    ...                       "comparison": [0] * 30 + [1] * 8 + [1] * 20})
    >>> bounds = rosenbaum_binary(pairs, treated="focus", control="comparison")
    >>> bounds.n_informative, round(bounds.critical_gamma, 2)
    (38, 1.87)
    """
    require_columns(data, [treated, control], caller="rosenbaum_binary")
    treated_outcome = binary_indicator(data, treated, caller="rosenbaum_binary")
    control_outcome = binary_indicator(data, control, caller="rosenbaum_binary")
    return rosenbaum_binary_counts(
        int(np.sum(treated_outcome & ~control_outcome)),
        int(np.sum(control_outcome & ~treated_outcome)),
        gammas=gammas,
        alpha=alpha,
        alternative=alternative,
        n_pairs=len(data),
    )


def _signed_rank_distribution(doubled_ranks: np.ndarray, probability: float) -> np.ndarray:
    """Exact distribution of sum(rank_i B_i), B_i ~ Bernoulli(p), on doubled integer ranks."""
    pmf = np.zeros(int(doubled_ranks.sum()) + 1)
    pmf[0] = 1.0
    reach = 0
    for rank in doubled_ranks:
        rank = int(rank)
        shifted = pmf[: reach + 1] * probability
        pmf[: reach + 1] *= 1 - probability
        pmf[rank : rank + reach + 1] += shifted
        reach += rank
    return pmf


def rosenbaum_wilcoxon(
    data: pd.DataFrame,
    *,
    treated: str,
    control: str,
    gammas: Sequence[float] | None = None,
    alpha: float = 0.05,
    alternative: str = "greater",
    exact: bool | None = None,
    zero_method: str = "pratt",
) -> RosenbaumBounds:
    """Rosenbaum bounds for Wilcoxon's signed-rank test in matched pairs.

    Tied absolute differences share their average rank. Pairs with a zero
    difference are ranked with the others and then add nothing (``"pratt"``,
    as in Rosenbaum's 2002 worked example) or are dropped before ranking
    (``"wilcox"``, as in R's ``rbounds::psens``). Under hidden bias of at most Gamma, the
    signed-rank statistic is bounded by sums of independent terms
    ``rank_i x Bernoulli(p)`` with ``p = Gamma / (1 + Gamma)`` (worst case) or
    ``1 / (1 + Gamma)`` (best case). The bounds use the normal approximation
    with those means and variances, as in Rosenbaum (2002, section 4.3.3) and
    R's ``rbounds::psens``, or the exact distribution of the bounding sum
    (Rosenbaum 2010, section 3.9), computed by convolution.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per matched pair.
    treated, control : str
        Numeric outcome columns of the treated member and its matched control.
    gammas : sequence of float, optional
        Values of Gamma >= 1; default 1 to 6 in steps of 0.25.
    alpha : float, default 0.05
        One-sided significance level.
    alternative : {"greater", "less"}, default "greater"
        "greater": treatment raises the outcome; "less": lowers it.
    exact : bool, optional
        Exact distribution (True) or normal approximation (False); default
        exact with fewer than 50 informative pairs.
    zero_method : {"pratt", "wilcox"}, default "pratt"
        Treatment of pairs with a zero difference (see above).

    Returns
    -------
    RosenbaumBounds

    Examples
    --------
    Rosenbaum's (2002, section 4.3.3) children's blood lead, 33 pairs:

    >>> exposed = [38, 23, 41, 18, 37, 36, 23, 62, 31, 34, 24, 14, 21, 17, 16, 20, 15,
    ...            10, 45, 39, 22, 35, 49, 48, 44, 35, 43, 39, 34, 13, 73, 25, 27]
    >>> control = [16, 18, 18, 24, 19, 11, 10, 15, 16, 18, 18, 13, 19, 10, 16, 16, 24,
    ...            13, 9, 14, 21, 19, 7, 18, 19, 12, 11, 22, 25, 16, 13, 11, 13]
    >>> pairs = pd.DataFrame({"exposed": exposed, "control": control})
    >>> bounds = rosenbaum_wilcoxon(pairs, treated="exposed", control="control",
    ...                             gammas=[1, 2, 3, 4, 5], exact=False)
    >>> bounds.table["p_upper"].round(4).tolist()
    [0.0, 0.0018, 0.0136, 0.0388, 0.074]
    """
    caller = "rosenbaum_wilcoxon"
    _check_alpha_and_alternative(alpha, alternative)
    require_columns(data, [treated, control], caller=caller)
    for column in (treated, control):
        if not pd.api.types.is_numeric_dtype(data[column]) or pd.api.types.is_bool_dtype(
            data[column]
        ):
            raise ConfigError(
                f"{caller}: outcome column '{column}' must be numeric, found dtype "
                f"{data[column].dtype}; for a 0/1 outcome use rosenbaum_binary."
            )
    if zero_method not in ("pratt", "wilcox"):
        raise ConfigError(
            f"{caller}: zero_method must be 'pratt' or 'wilcox', got {zero_method!r}."
        )
    grid = _gamma_grid(gammas)
    differences = data[treated].to_numpy(dtype=float) - data[control].to_numpy(dtype=float)
    if alternative == "less":
        differences = -differences
    n_pairs = differences.size
    nonzero = differences[differences != 0]
    n_informative = nonzero.size
    if zero_method == "pratt":
        ranks = stats.rankdata(np.abs(differences))[differences != 0]
    else:
        ranks = stats.rankdata(np.abs(nonzero))
    statistic = float(ranks[nonzero > 0].sum())
    warnings: list[str] = []
    if n_informative == 0:
        warnings.append(
            "Every pair has a zero difference, so the pairs carry no information about the "
            "effect (p = 1 at every Gamma)."
        )
    elif n_informative < n_pairs:
        warnings.append(
            f"{n_pairs - n_informative} pair(s) with a zero difference carry no information "
            + (
                "(ranked with the others, then left out of the statistic)."
                if zero_method == "pratt"
                else "and were left out before ranking."
            )
        )
    use_exact = n_informative < 50 if exact is None else bool(exact)
    if use_exact and n_informative > 2000:
        raise ConfigError(
            f"{caller}: the exact distribution with {n_informative:,} pairs is too large to "
            "compute; use exact=False (the normal approximation is accurate at this size)."
        )
    if use_exact:
        # Average ranks of ties are multiples of 1/2, so doubled ranks are whole numbers.
        doubled = np.rint(2 * ranks).astype(np.int64)
        observed = int(np.rint(2 * statistic))
        cache: dict[float, float] = {}

        def tail(probability: float) -> float:
            if n_informative == 0:
                return 1.0
            if probability not in cache:
                pmf = _signed_rank_distribution(doubled, probability)
                cache[probability] = float(min(pmf[observed:].sum(), 1.0))
            return cache[probability]

        method = "Rosenbaum bounds for Wilcoxon's signed-rank test (exact)"
    else:
        rank_sum = ranks.sum()
        rank_squares = (ranks**2).sum()

        def tail(probability: float) -> float:
            if n_informative == 0:
                return 1.0
            mean = probability * rank_sum
            variance = probability * (1 - probability) * rank_squares
            return float(stats.norm.sf((statistic - mean) / math.sqrt(variance)))

        method = "Rosenbaum bounds for Wilcoxon's signed-rank test (normal approximation)"
    return _assemble(
        lambda g: tail(g / (1 + g)),
        lambda g: tail(1 / (1 + g)),
        grid,
        statistic=statistic,
        n_pairs=n_pairs,
        n_informative=n_informative,
        alpha=alpha,
        alternative=alternative,
        method=method,
        estimand="effect of treatment on the outcome in matched pairs (signed-rank test)",
        warnings=warnings,
    )


# --------------------------------------------------------------------------- benchmarked bounds
_OMITTED_VARIABLE_ASSUMPTIONS = (
    "The bounds are for the coefficient of a linear regression of the outcome on the "
    "treatment and the covariates (Cinelli and Hazlett 2020): a hidden confounder Z is "
    "described by its partial R2 with the treatment and with the outcome.",
    "Each benchmark row supposes Z is k times as strongly related to the treatment and to the "
    "outcome as the measured covariate named, after the other covariates; it is a judgement "
    "about what could be missing, not an estimate of it.",
)


def partial_r2(t_value: float, dof: float) -> float:
    """Partial R2 of a regressor from its t-statistic: t^2 / (t^2 + dof).

    The share of the residual variance of the outcome (after the other regressors)
    that the regressor explains (Cinelli and Hazlett 2020, section 4.2).

    Examples
    --------
    >>> round(partial_r2(2.0, 96), 4)
    0.04
    """
    if not dof > 0:
        raise ConfigError(
            f"partial_r2: the residual degrees of freedom must be positive, got {dof!r}."
        )
    return float(t_value**2 / (t_value**2 + dof))


def benchmark_strength(
    r2dxj_x: float, r2yxj_dx: float, *, kd: float = 1.0, ky: float | None = None
) -> tuple[float, float]:
    """Strength of a hidden confounder k times as strong as a measured covariate X_j.

    Cinelli and Hazlett's (2020, section 6.1) bound, as in ``sensemakr``'s
    ``ovb_partial_r2_bound``: from the partial R2 of X_j with the treatment D
    (given the other covariates X) and with the outcome Y (given D and X), the
    largest partial R2 a confounder Z, orthogonal to X, can have with D and with Y
    when it explains ``kd`` times as much of D and ``ky`` times as much of Y as X_j.

    Parameters
    ----------
    r2dxj_x : float
        Partial R2 of the benchmark covariate with the treatment.
    r2yxj_dx : float
        Partial R2 of the benchmark covariate with the outcome.
    kd : float, default 1
        How many times as strongly Z is related to the treatment.
    ky : float, optional
        The same for the outcome (default ``kd``).

    Returns
    -------
    (float, float)
        ``r2dz_x`` and ``r2yz_dx``, the confounder's partial R2 with the treatment and
        with the outcome (the latter capped at 1).

    Raises
    ------
    ConfigError
        A partial R2 outside [0, 1), a negative multiple, or a ``kd`` so large that the
        confounder would explain all of the treatment (lower ``kd``).

    Examples
    --------
    The Darfur example of Cinelli and Hazlett (2020), benchmarked on ``female``:

    >>> r2dz, r2yz = benchmark_strength(0.009081065, 0.109033915)
    >>> round(r2dz, 5), round(r2yz, 5)
    (0.00916, 0.12464)
    """
    ky = kd if ky is None else ky
    for name, value in (("r2dxj_x", r2dxj_x), ("r2yxj_dx", r2yxj_dx)):
        if not 0 <= value < 1:
            raise ConfigError(
                f"benchmark_strength: {name} must be a partial R2 in [0, 1), got {value!r}."
            )
    if not (kd >= 0 and ky >= 0):
        raise ConfigError(
            f"benchmark_strength: kd and ky must be non-negative, got {kd!r} and {ky!r}."
        )
    r2dz_x = kd * r2dxj_x / (1 - r2dxj_x)
    if r2dz_x >= 1:
        raise ConfigError(
            f"benchmark_strength: kd = {kd!r} times the benchmark's partial R2 with the treatment "
            f"({r2dxj_x:.4g}) would explain all of the treatment; choose a smaller kd."
        )
    # The part of X_j that Z, built orthogonal to X_j's own explanation, must carry.
    r2zxj_xd = kd * r2dxj_x**2 / ((1 - kd * r2dxj_x) * (1 - r2dxj_x))
    if r2zxj_xd >= 1:
        raise ConfigError(
            f"benchmark_strength: kd = {kd!r} is impossible for a benchmark this strongly "
            "related to the treatment; choose a smaller kd."
        )
    r2yz_dx = ((math.sqrt(ky) + math.sqrt(r2zxj_xd)) / math.sqrt(1 - r2zxj_xd)) ** 2 * (
        r2yxj_dx / (1 - r2yxj_dx)
    )
    return float(r2dz_x), float(min(r2yz_dx, 1.0))


def omitted_variable_bias(se: float, dof: float, r2dz_x: float, r2yz_dx: float) -> float:
    """Largest bias of a regression coefficient from a confounder of the given strength.

    ``se x sqrt(dof) x sqrt(r2yz_dx r2dz_x / (1 - r2dz_x))`` (Cinelli and Hazlett 2020,
    equation 11): ``se x sqrt(dof)`` is the ratio of the residual standard deviations of
    the outcome and of the treatment, so the bias is in the outcome's units.

    Examples
    --------
    >>> round(omitted_variable_bias(0.02325654, 783, 0.05, 0.05), 5)
    0.03338
    """
    if not (se >= 0 and dof > 0):
        raise ConfigError(f"omitted_variable_bias: need se >= 0 and dof > 0, got {se!r}, {dof!r}.")
    if not (0 <= r2dz_x < 1 and 0 <= r2yz_dx <= 1):
        raise ConfigError(
            "omitted_variable_bias: r2dz_x must lie in [0, 1) and r2yz_dx in [0, 1], got "
            f"{r2dz_x!r} and {r2yz_dx!r}."
        )
    return float(se * math.sqrt(dof) * math.sqrt(r2yz_dx * r2dz_x / (1 - r2dz_x)))


def omitted_variable_bounds(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    covariates: Sequence[str],
    benchmarks: Sequence[str] | None = None,
    kd: Sequence[float] | float = 1.0,
    ky: Sequence[float] | float | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Bias-adjusted regression estimates under confounders as strong as measured covariates.

    The benchmarked sensitivity analysis of Cinelli and Hazlett (2020), equal to
    ``sensemakr(model, treatment, benchmark_covariates, kd, ky)``'s ``bounds`` for an
    ordinary least squares model ``outcome ~ treatment + covariates``: for each
    benchmark covariate X_j and multiple k, a hidden confounder k times as strongly
    related to the treatment and to the outcome as X_j (after the other covariates)
    would move the treatment's coefficient towards no effect by at most ``bias``; the
    adjusted interval is the estimate so moved with the adjusted standard error.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric outcome, treatment and covariate columns without blanks.
    outcome, treatment : str
        Column names.
    covariates : sequence of str
        The regression's covariates (an intercept is added).
    benchmarks : sequence of str, optional
        Covariates to benchmark against (default: every covariate).
    kd, ky : float or sequence of float
        Multiples of the benchmark's strength with the treatment and with the outcome
        (``ky`` defaults to ``kd``; sequences pair up element by element).
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per benchmark and multiple: ``benchmark``, ``kd``, ``ky``,
        ``r2dxj_x``, ``r2yxj_dx`` (the benchmark's own partial R2 with treatment and
        outcome), ``r2dz_x``, ``r2yz_dx`` (the confounder's), ``bias``,
        ``adjusted_estimate``, ``adjusted_se``, ``adjusted_ci_low``,
        ``adjusted_ci_high``. ``attrs`` holds the unadjusted ``estimate``, ``se``,
        ``dof`` and ``r2yd_x`` (the treatment's partial R2 with the outcome) and the
        ``assumptions``.

    Raises
    ------
    ConfigError
        A missing or non-numeric column, a benchmark that is not a covariate, too few
        rows for the regression, or a multiple the benchmark cannot bear.
    DataValidationError
        Blanks in a column used (naming the rows).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"x": rng.normal(size=500), "w": rng.normal(size=500)})
    >>> frame["d"] = (frame["x"] + rng.normal(size=500) > 0).astype(float)
    >>> frame["y"] = 1.0 * frame["d"] + frame["x"] + rng.normal(size=500)
    >>> bounds = omitted_variable_bounds(frame, outcome="y", treatment="d",
    ...                                  covariates=["x", "w"])
    >>> bounds["benchmark"].tolist()
    ['x', 'w']
    >>> bool(bounds.loc[0, "bias"] > bounds.loc[1, "bias"])
    True
    """
    import statsmodels.api as sm

    covariates = list(covariates)
    benchmarks = covariates if benchmarks is None else list(benchmarks)
    require_columns(data, [outcome, treatment, *covariates], caller="omitted_variable_bounds")
    unknown = [b for b in benchmarks if b not in covariates]
    if unknown:
        raise ConfigError(
            f"omitted_variable_bounds: benchmark(s) {unknown} are not among the covariates "
            f"{covariates}; a benchmark must be adjusted for to be measured."
        )
    columns = [outcome, treatment, *covariates]
    try:
        values = data[columns].astype(float)
    except (TypeError, ValueError) as error:
        raise ConfigError(
            f"omitted_variable_bounds: the columns {columns} must be numeric ({error})."
        ) from error
    kds = np.atleast_1d(np.asarray(kd, dtype=float))
    kys = kds if ky is None else np.atleast_1d(np.asarray(ky, dtype=float))
    if kys.size != kds.size:
        raise ConfigError(
            f"omitted_variable_bounds: kd and ky must have the same length, got {kds.size} "
            f"and {kys.size}."
        )
    if len(values) <= len(covariates) + 3:
        raise ConfigError(
            f"omitted_variable_bounds: {len(values)} rows are too few for a regression on "
            f"{len(covariates) + 1} regressors."
        )
    exog = sm.add_constant(values[[treatment, *covariates]], has_constant="add")
    model = sm.OLS(values[outcome], exog).fit()
    treatment_model = sm.OLS(values[treatment], exog.drop(columns=treatment)).fit()
    estimate = float(model.params[treatment])
    se = float(model.bse[treatment])
    dof = float(model.df_resid)
    # sensemakr's ovb_bounds: t quantile on the model's residual degrees of freedom.
    critical = stats.t.ppf(0.5 + conf_level / 2, dof)
    rows = []
    for name in benchmarks:
        r2dxj_x = partial_r2(float(treatment_model.tvalues[name]), treatment_model.df_resid)
        r2yxj_dx = partial_r2(float(model.tvalues[name]), dof)
        for k_d, k_y in zip(kds, kys, strict=True):
            r2dz_x, r2yz_dx = benchmark_strength(r2dxj_x, r2yxj_dx, kd=k_d, ky=k_y)
            bias = omitted_variable_bias(se, dof, r2dz_x, r2yz_dx)
            # Towards no effect: the confounder is supposed to have inflated the estimate.
            adjusted = estimate - math.copysign(bias, estimate)
            adjusted_se = se * math.sqrt((1 - r2yz_dx) / (1 - r2dz_x)) * math.sqrt(dof / (dof - 1))
            rows.append(
                {
                    "benchmark": name,
                    "kd": float(k_d),
                    "ky": float(k_y),
                    "r2dxj_x": r2dxj_x,
                    "r2yxj_dx": r2yxj_dx,
                    "r2dz_x": r2dz_x,
                    "r2yz_dx": r2yz_dx,
                    "bias": bias,
                    "adjusted_estimate": adjusted,
                    "adjusted_se": adjusted_se,
                    "adjusted_ci_low": adjusted - critical * adjusted_se,
                    "adjusted_ci_high": adjusted + critical * adjusted_se,
                }
            )
    table = pd.DataFrame(rows)
    table.attrs.update(
        estimate=estimate,
        se=se,
        dof=dof,
        r2yd_x=partial_r2(float(model.tvalues[treatment]), dof),
        assumptions=list(_OMITTED_VARIABLE_ASSUMPTIONS),
    )
    return table
