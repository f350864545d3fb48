"""Minimum detectable effects: what each design could have detected.

``minimum_detectable_effect(design, alpha=0.05, power=0.8, **parameters)`` returns a
float on the natural scale of the design:

============== ============================================ ==============================
design         parameters                                   returns
============== ============================================ ==============================
"proportions"  ``n1, n0, baseline`` [``direction``,          absolute difference in
               ``method``]                                  proportions (0.12 = 12 points)
"rates"        ``baseline_rate, exposure1, exposure0``      rate ratio
               [``dispersion``, ``direction``]
"did",         ``n_treated, n_control, periods_pre,         difference in outcome units
"clustered"    periods_post, sd`` [``icc``,
               ``serial_correlation``, ``cluster_size``]
"its"          ``n_pre, n_post, baseline`` [``harmonics``,   rate ratio of the step
               ``slope_change``, ``dispersion``,
               ``direction``]
============== ============================================ ==============================

All are for a two-sided test at level ``alpha``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize, stats

from ..errors import ConfigError, EstimationError
from ..results import RATIO_SCALES, Estimate

__all__ = ["mde", "mde_from_standard_error", "minimum_detectable_effect"]


def _two_sided_power(standardised, alpha: float):
    """Power of a two-sided z test when the effect is ``standardised`` standard errors.

    Works elementwise on arrays, so a whole grid of effects is evaluated at once.
    """
    crit = stats.norm.ppf(1 - alpha / 2)
    return stats.norm.sf(crit - standardised) + stats.norm.cdf(-crit - standardised)


def _solve(
    power_of: Callable[[np.ndarray], np.ndarray], low: float, high: float, target: float, what: str
) -> float:
    """Smallest effect in ``(low, high]`` whose power reaches ``target``.

    Power need not rise monotonically to ``high`` (a large decrease in a rate leaves few
    events and a wide interval), so the first crossing is bracketed on a grid first.
    """
    grid = np.linspace(low, high, 2001)
    reached = np.flatnonzero(np.asarray(power_of(grid)) >= target)
    if len(reached) == 0:
        raise EstimationError(
            f"minimum_detectable_effect: no {what} would be detected with {target:.0%} power "
            "at this sample size."
        )
    first = reached[0]
    if first == 0:
        return float(grid[0])
    return float(
        optimize.brentq(
            lambda x: float(power_of(np.array([x]))[0]) - target,
            grid[first - 1],
            grid[first],
            xtol=1e-12,
        )
    )


def _proportions(
    alpha: float,
    power: float,
    *,
    n1: float,
    n0: float,
    baseline: float,
    direction: str = "either",
    method: str = "wald",
) -> float:
    """Two-group difference in proportions.

    ``method="wald"``: the unpooled Wald test of the difference, whose variance under
    the alternative is ``p1(1-p1)/n1 + p0(1-p0)/n0`` (solved exactly, both tails).
    ``method="arcsine"``: Cohen's ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p0))``, the
    variance-stabilised test of ``statsmodels.stats.power.NormalIndPower``.
    ``direction``: ``"increase"`` (p1 > p0), ``"decrease"``, or ``"either"`` (the larger
    of the two, so the change is detectable whichever way it goes).
    """
    if not 0 < baseline < 1:
        raise ConfigError("minimum_detectable_effect: baseline must be a proportion in (0, 1).")
    if min(n1, n0) <= 0:
        raise ConfigError("minimum_detectable_effect: n1 and n0 must be positive.")
    if method not in ("wald", "arcsine"):
        raise ConfigError("minimum_detectable_effect: method must be 'wald' or 'arcsine'.")
    directions = _directions(direction, ("increase", "decrease", "either"))

    def one(sign: int) -> float:
        room = 1 - baseline if sign > 0 else baseline
        if method == "arcsine":

            def h_power(h: np.ndarray) -> np.ndarray:
                return _two_sided_power(h / np.sqrt(1 / n1 + 1 / n0), alpha)

            angle = np.arcsin(np.sqrt(baseline))
            limit = abs(2 * np.arcsin(np.sqrt(baseline + sign * room)) - 2 * angle)
            h = _solve(h_power, 1e-12, limit, power, "difference")
            return float(abs(np.sin(angle + sign * h / 2) ** 2 - baseline))

        def wald_power(delta: np.ndarray) -> np.ndarray:
            p1 = baseline + sign * delta
            sd = np.sqrt(p1 * (1 - p1) / n1 + baseline * (1 - baseline) / n0)
            return _two_sided_power(delta / sd, alpha)

        return _solve(wald_power, 1e-12, room * (1 - 1e-9), power, "difference")

    return max(one(+1 if d == "increase" else -1) for d in directions)


def _rates(
    alpha: float,
    power: float,
    *,
    baseline_rate: float,
    exposure1: float,
    exposure0: float,
    dispersion: float = 1.0,
    direction: str = "decrease",
) -> float:
    """Rate ratio detectable by the Wald test of ``log(rate1/rate0)``.

    ``Var(log RR) = dispersion * (1/E1 + 1/E0)`` with expected events
    ``E1 = RR * baseline_rate * exposure1`` and ``E0 = baseline_rate * exposure0``. A
    large-sample formula: with fewer than about 100 expected events per group the real
    power at the returned ratio is a few points above the target (conservative).
    """
    if min(baseline_rate, exposure1, exposure0, dispersion) <= 0:
        raise ConfigError(
            "minimum_detectable_effect: baseline_rate, exposures and dispersion must be positive."
        )
    (direction,) = _directions(direction, ("increase", "decrease"))
    events0 = baseline_rate * exposure0

    def rr_power(log_rr: np.ndarray) -> np.ndarray:
        events1 = np.exp(log_rr) * baseline_rate * exposure1
        se = np.sqrt(dispersion * (1 / events1 + 1 / events0))
        return _two_sided_power(np.abs(log_rr) / se, alpha)

    if direction == "increase":
        return float(np.exp(_solve(rr_power, 1e-12, 20.0, power, "increase")))
    return float(np.exp(-_solve(lambda x: rr_power(-x), 1e-12, 20.0, power, "decrease")))


def _did(
    alpha: float,
    power: float,
    *,
    n_treated: float,
    n_control: float,
    periods_pre: int,
    periods_post: int,
    sd: float,
    icc: float = 0.0,
    serial_correlation: float = 0.0,
    cluster_size: float = 1.0,
) -> float:
    """Difference-in-differences with unit (cluster) effects.

    The variance of the estimate is ``(1/J1 + 1/J0) c' S c`` where ``c`` contrasts the
    post-period mean with the pre-period mean and ``S`` is the covariance over time of a
    unit's (cluster's) period mean: ``sd^2 [icc * 11' + (1 - icc)/cluster_size * R]``,
    ``R`` the AR(1) correlation with ``serial_correlation``. The persistent part (``icc``)
    cancels, as unit effects absorb it. This is the serial-correlation-robust formula of
    Burlig, Preonas and Woerman (2020, "Panel data and experimental design", J. Dev.
    Econ. 144) for AR(1) errors, McKenzie (2012) when ``serial_correlation=0``. The
    multiplier is ``t(1-alpha/2) + t(power)`` with ``J1 + J0 - 2`` degrees of freedom
    (Bloom 1995, "Minimum detectable effects", Evaluation Review 19).
    """
    if min(n_treated, n_control) < 1 or n_treated + n_control < 3:
        raise ConfigError(
            "minimum_detectable_effect: need at least one treated and one control unit and "
            "three in all."
        )
    if periods_pre < 1 or periods_post < 1:
        raise ConfigError("minimum_detectable_effect: periods_pre and periods_post must be >= 1.")
    if sd <= 0 or not 0 <= icc < 1 or not -1 < serial_correlation < 1 or cluster_size < 1:
        raise ConfigError(
            "minimum_detectable_effect: need sd > 0, 0 <= icc < 1, -1 < serial_correlation < 1 "
            "and cluster_size >= 1."
        )
    m, r = int(periods_pre), int(periods_post)
    contrast = np.concatenate([np.full(m, -1 / m), np.full(r, 1 / r)])
    lag = np.abs(np.subtract.outer(np.arange(m + r), np.arange(m + r)))
    covariance = sd**2 * (icc + (1 - icc) / cluster_size * serial_correlation**lag)
    variance = (1 / n_treated + 1 / n_control) * contrast @ covariance @ contrast
    df = n_treated + n_control - 2
    multiplier = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    return float(multiplier * np.sqrt(variance))


def _its(
    alpha: float,
    power: float,
    *,
    n_pre: int,
    n_post: int,
    baseline: float,
    harmonics: int = 2,
    slope_change: bool = False,
    dispersion: float = 1.0,
    direction: str = "decrease",
) -> float:
    """Step rate ratio detectable by a segmented Poisson (or quasi-Poisson) regression.

    The variance of the step coefficient is ``dispersion * [(X' W X)^-1]_step`` for the
    model :func:`analysis.methods.its` fits (trend, step, optional slope change,
    ``harmonics`` Fourier pairs), with ``W`` the expected monthly counts under the
    alternative (``baseline`` per month before, ``baseline * RR`` after).
    """
    if n_pre < 8 or n_post < 1 or baseline <= 0 or dispersion <= 0:
        raise ConfigError(
            "minimum_detectable_effect: need n_pre >= 8, n_post >= 1, baseline > 0 and "
            "dispersion > 0."
        )
    (direction,) = _directions(direction, ("increase", "decrease"))
    months = np.arange(n_pre + n_post)
    post = months >= n_pre
    columns = [np.ones(len(months)), months / 12, post.astype(float)]
    if slope_change:
        columns.append(np.where(post, months - n_pre, 0) / 12)
    month_of_year = months % 12 + 1
    for k in range(1, harmonics + 1):
        angle = 2 * np.pi * k * month_of_year / 12
        if k < 6:
            columns.append(np.sin(angle))
        columns.append(np.cos(angle))
    design = np.column_stack(columns)

    def step_power(log_rr: np.ndarray) -> np.ndarray:
        mean = baseline * np.where(post[None, :], np.exp(log_rr)[:, None], 1.0)
        information = np.einsum("ip,gi,iq->gpq", design, mean, design)
        se = np.sqrt(dispersion * np.linalg.inv(information)[:, 2, 2])
        return _two_sided_power(np.abs(log_rr) / se, alpha)

    if direction == "increase":
        return float(np.exp(_solve(step_power, 1e-12, 20.0, power, "increase")))
    return float(np.exp(-_solve(lambda x: step_power(-x), 1e-12, 20.0, power, "decrease")))


def _directions(direction: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if direction not in allowed:
        raise ConfigError(
            f"minimum_detectable_effect: direction must be one of {', '.join(allowed)}, "
            f"not {direction!r}."
        )
    return ("increase", "decrease") if direction == "either" else (direction,)


_DESIGNS: dict[str, Callable[..., float]] = {
    "proportions": _proportions,
    "rates": _rates,
    "did": _did,
    "clustered": _did,
    "its": _its,
}


def minimum_detectable_effect(
    design: str, *, alpha: float = 0.05, power: float = 0.8, **parameters: Any
) -> float:
    """Smallest true effect the design would detect with the given power (two-sided test).

    Parameters
    ----------
    design : {"proportions", "rates", "did", "clustered", "its"}
        The comparison (see the module table for each design's parameters and scale).
    alpha : float
        Significance level of the two-sided test.
    power : float
        Probability of detecting an effect of the returned size.
    **parameters
        The design's parameters:

        - ``"proportions"``: ``n1``, ``n0`` (group sizes), ``baseline`` (comparison
          proportion); ``direction`` ``"either"`` (default), ``"increase"`` or
          ``"decrease"``; ``method`` ``"wald"`` (default) or ``"arcsine"``.
          Returns the absolute difference in proportions (x100 for percentage points).
        - ``"rates"``: ``baseline_rate`` (events per unit of exposure in the comparison
          group), ``exposure1``, ``exposure0``; ``dispersion`` (1 = Poisson);
          ``direction`` ``"decrease"`` (default) or ``"increase"``. Returns a rate ratio.
        - ``"did"`` / ``"clustered"``: ``n_treated``, ``n_control`` (units or clusters),
          ``periods_pre``, ``periods_post``, ``sd`` (outcome SD per unit-period, or per
          person for ``"clustered"``); ``icc`` (share of variance that is a persistent
          unit/cluster effect, default 0), ``serial_correlation`` (AR(1) of the rest,
          default 0), ``cluster_size`` (people per cluster and period, default 1).
          Returns a difference in outcome units (Burlig, Preonas and Woerman 2020;
          Bloom 1995).
        - ``"its"``: ``n_pre``, ``n_post`` (months), ``baseline`` (expected count per
          month); ``harmonics`` (2), ``slope_change`` (False), ``dispersion`` (1;
          quasi-Poisson scale), ``direction`` (``"decrease"``). Returns a rate ratio.

    Returns
    -------
    float
        The minimum detectable effect on the design's scale.

    Raises
    ------
    ConfigError
        Unknown design, or a missing, unexpected or impossible parameter.
    EstimationError
        No effect in range would be detected with the requested power.

    Examples
    --------
    >>> round(minimum_detectable_effect("proportions", n1=120, n0=400, baseline=0.2), 3)
    0.133
    >>> round(minimum_detectable_effect("rates", baseline_rate=0.5, exposure1=400,
    ...                                 exposure0=400), 3)
    0.738
    >>> round(minimum_detectable_effect("did", n_treated=30, n_control=60, periods_pre=12,
    ...                                 periods_post=12, sd=2.0, serial_correlation=0.5), 3)
    0.818
    >>> round(minimum_detectable_effect("its", n_pre=36, n_post=12, baseline=40), 3)
    0.786
    """
    if design not in _DESIGNS:
        raise ConfigError(
            f"minimum_detectable_effect: design must be one of {', '.join(_DESIGNS)}, "
            f"not {design!r}."
        )
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ConfigError("minimum_detectable_effect: alpha and power must be in (0, 1).")
    function = _DESIGNS[design]
    try:
        inspect.signature(function).bind(alpha, power, **parameters)
    except TypeError as error:
        raise ConfigError(
            f"minimum_detectable_effect({design!r}): {error}. See the docstring for the "
            "design's parameters."
        ) from error
    return function(alpha, power, **parameters)


def mde_from_standard_error(
    se: float, *, scale: str = "difference", alpha: float = 0.05, power: float = 0.8
) -> float:
    """Minimum detectable effect of a design from the standard error it achieved.

    ``(z[1 - alpha/2] + z[power]) * se`` (Bloom 1995), for designs without a
    closed-form power formula (regression discontinuity, matched comparisons,
    Cox models). On ratio scales ``se`` is on the log scale and the result is
    the ratio above 1 that would be detected.

    Examples
    --------
    >>> round(mde_from_standard_error(1.0), 2)
    2.8
    >>> round(mde_from_standard_error(0.1, scale="hazard ratio"), 3)
    1.323
    """
    from scipy import stats

    if se is None or not np.isfinite(se) or se <= 0:
        raise EstimationError(
            f"a minimum detectable effect needs a positive standard error, got {se!r}"
        )
    multiplier = float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    return float(np.exp(multiplier * se)) if scale in RATIO_SCALES else multiplier * float(se)


def mde(estimate: Estimate, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimum detectable effect of the design behind ``estimate``, from the interval it reports.

    The one MDE every report quotes: the standard error is read back from the
    95% interval the report shows (its half-width over 1.96, on the log scale
    for ratios), so the MDE and the interval can never disagree, whatever the
    estimator (clustered, bootstrapped, robust bias-corrected), and then
    ``(z[1 - alpha/2] + z[power]) * se`` (Bloom 1995). On ratio scales the result
    is the ratio above 1 the design would detect.

    Parameters
    ----------
    estimate : Estimate
        The estimate as the report shows it (a ``ci_level`` of 0.95 is assumed
        when it carries none).
    alpha : float
        Two-sided significance level.
    power : float
        Probability of detecting an effect of the returned size.

    Returns
    -------
    float
        The effect the design would detect with probability ``power``, on the
        estimate's scale (a distance from 0, or a ratio above 1).

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> e = Estimate(effect=1.0, ci_low=-0.96, ci_high=2.96, se=None, p_value=0.3, n=100,
    ...              scale="difference", method="m", estimand="e")
    >>> round(mde(e), 2)  # the interval's half-width, 1.96, is one standard error
    2.8
    """
    level = getattr(estimate, "ci_level", None) or 0.95
    low, high = estimate.ci_low, estimate.ci_high
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        raise EstimationError(
            f"a minimum detectable effect needs a finite interval, got {low!r} to {high!r}"
        )
    z = float(stats.norm.ppf(0.5 + level / 2))
    if estimate.scale in RATIO_SCALES:
        if low <= 0:
            raise EstimationError("a ratio's interval must be above 0 for its MDE")
        se = (np.log(high) - np.log(low)) / (2 * z)
    else:
        se = (high - low) / (2 * z)
    return mde_from_standard_error(float(se), scale=estimate.scale, alpha=alpha, power=power)
