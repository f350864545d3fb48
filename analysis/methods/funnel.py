"""Comparing areas fairly: funnel plot control limits and empirical-Bayes shrinkage.

A league table of area rates rewards and punishes small areas for noise. Two remedies:

- :func:`funnel_limits` sets each area's value against control limits around a target
  that narrow as the area's denominator grows (Spiegelhalter 2005, "Funnel plots for
  comparing institutional performance", Statistics in Medicine 24: 1185-1202). Limits are
  at 95% (about two standard errors) and 99.8% (about three), as public health indicator
  tools draw them. Counts (crude rates per population, and indirectly standardised ratios
  of observed to expected events) use Poisson limits; proportions use binomial limits.
  Two ways of drawing them are offered: ``"exact"``, Spiegelhalter's exact quantiles
  interpolated between whole counts so the funnel is smooth (his Appendix A.1.1), and
  ``"phe"``, the limits the Fingertips funnel tools publish (Wilson score limits for
  proportions; for counts the Poisson interval of an observed count equal to the expected,
  exact below 10 and Byar's approximation from 10, divided by the expected).
  When areas vary more than chance allows (overdispersion, judged by Spiegelhalter's
  winsorised z-scores), the limits can be widened by his multiplicative or additive
  (random-effects) adjustment; the dispersion estimate is reported either way.
- :func:`shrink_rates` replaces each area's raw rate with its posterior mean under a
  Poisson-gamma model whose prior is estimated from all the areas (empirical Bayes, by
  method of moments or marginal maximum likelihood), so a small area's extreme rate is
  pulled towards the overall rate in proportion to how little it says.
"""

from __future__ import annotations

import logging
import math
import warnings as warnings_module
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import ConfigError, EstimationError
from ._panel import check_conf_level, numeric_column, require_columns, require_complete

logger = logging.getLogger(__name__)

__all__ = ["funnel_limit_curve", "funnel_limits", "shrink_rates"]

STATISTICS = ("proportion", "rate", "ratio")
LIMIT_METHODS = ("exact", "phe")
OVERDISPERSION = (None, "multiplicative", "additive")
#: Two-sided coverage of the inner and outer limits, as funnel plots draw them.
LEVELS = (0.95, 0.998)
#: Share of z-scores winsorised at each end before the dispersion is estimated.
WINSOR_SHARE = 0.10
#: Below this observed count the Fingertips method uses the exact Poisson interval.
BYAR_FROM = 10

FLAG_ORDER = ("below 99.8%", "below 95%", "within", "above 95%", "above 99.8%")


# --------------------------------------------------------------------------- limits
def _interpolated_quantile(distribution: Any, probability: float) -> np.ndarray:
    """Spiegelhalter's smooth quantile of a discrete distribution (Appendix A.1.1).

    ``r`` is the smallest count with ``F(r) >= p``; the limit is ``r - a`` with
    ``a = (F(r) - p) / (F(r) - F(r - 1))``, so that it moves continuously with the
    denominator instead of jumping from one whole count to the next.
    """
    r = distribution.ppf(probability)
    at_r = distribution.cdf(r)
    below_r = distribution.cdf(r - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(at_r > below_r, (at_r - probability) / (at_r - below_r), 0.0)
    return np.maximum(r - share, 0.0)


def _poisson_interval_of_count(count: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided interval of an observed count, as the Fingertips tools compute it.

    Exact (chi-squared) limits for counts below 10, Byar's approximation from 10 on;
    ``count`` may be fractional (the expected count at a point on the funnel).
    """
    count = np.asarray(count, dtype=float)
    tail = stats.norm.sf(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        exact_low = np.where(count > 0, stats.chi2.ppf(tail, 2 * count) / 2, 0.0)
        exact_high = stats.chi2.isf(tail, 2 * count + 2) / 2
        byar_low = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
        plus_one = count + 1
        byar_high = plus_one * (1 - 1 / (9 * plus_one) + z / (3 * np.sqrt(plus_one))) ** 3
    small = count < BYAR_FROM
    return np.where(small, exact_low, byar_low), np.where(small, exact_high, byar_high)


def _wilson_funnel(target: float, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed proportions whose Wilson score interval just reaches the target.

    The Fingertips funnel for proportions: an area is outside the limit exactly when its
    own Wilson interval excludes the target. Solving ``Wilson bound(y, n) = target`` for
    ``y`` gives a quadratic whose roots are the two limits.
    """
    # With k = z^2 / n the bound is (y + k/2 -/+ sqrt(k y (1 - y) + k^2/4)) / (1 + k); set
    # it to t, write u = t (1 + k) - k/2 and square: (1 + k) y^2 - 2 t (1 + k) y +
    # u^2 - k^2/4 = 0, whose two roots are the lower and upper limits.
    k = z**2 / n
    u = target * (1 + k) - k / 2
    a = 1 + k
    b = -2 * target * (1 + k)
    c = u**2 - k**2 / 4
    root = np.sqrt(np.maximum(b**2 - 4 * a * c, 0.0))
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def funnel_limit_curve(
    target: float,
    denominator: np.ndarray | float,
    *,
    statistic: str = "proportion",
    level: float = 0.95,
    method: str = "exact",
    dispersion: float = 1.0,
    tau2: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper control limits around ``target`` at each denominator.

    Parameters
    ----------
    target : float
        The value areas are compared with: a proportion, a rate per unit of denominator,
        or 1 for a standardised ratio.
    denominator : array-like
        People at risk (proportion), population or person-time (rate), or expected
        events (ratio).
    statistic : {"proportion", "rate", "ratio"}
        Kind of indicator.
    level : float
        Two-sided coverage of the limits (0.95 or 0.998 in a funnel plot).
    method : {"exact", "phe"}
        ``"exact"``: Spiegelhalter's interpolated binomial or Poisson quantiles;
        ``"phe"``: Wilson score (proportions) or Byar/exact Poisson (counts) limits.
    dispersion : float
        Multiplicative overdispersion factor ``phi``; when above 1 the limits are the
        normal ones ``target +/- z sqrt(phi V / n)``.
    tau2 : float
        Additive between-area variance; when above 0 the limits are
        ``target +/- z sqrt(V / n + tau2)``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits, on the indicator's scale.

    Examples
    --------
    >>> low, high = funnel_limit_curve(0.2, [100, 1000], level=0.95)
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.12, 0.175], [0.276, 0.225])
    """
    if statistic not in STATISTICS:
        raise ConfigError(
            f"funnel: statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}."
        )
    if method not in LIMIT_METHODS:
        raise ConfigError(
            f"funnel: method must be one of {', '.join(LIMIT_METHODS)}, not {method!r}."
        )
    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    z = float(stats.norm.isf((1 - level) / 2))
    variance = target * (1 - target) / n if statistic == "proportion" else target / n
    if dispersion > 1 or tau2 > 0:
        spread = z * np.sqrt(max(dispersion, 1.0) * variance + tau2)
        low, high = target - spread, target + spread
        return (np.maximum(low, 0.0), np.minimum(high, 1.0) if statistic == "proportion" else high)
    tail = (1 - level) / 2
    if statistic == "proportion":
        if method == "phe":
            return _wilson_funnel(target, n, z)
        counts = np.maximum(np.round(n), 1)
        distribution = stats.binom(counts, target)
        low = _interpolated_quantile(distribution, tail) / n
        high = _interpolated_quantile(distribution, 1 - tail) / n
        return low, high
    expected = target * n
    if method == "phe":
        low, high = _poisson_interval_of_count(expected, z)
        return low / n, high / n
    distribution = stats.poisson(expected)
    low = _interpolated_quantile(distribution, tail) / n
    high = _interpolated_quantile(distribution, 1 - tail) / n
    return low, high


def _validated_counts(
    data: pd.DataFrame,
    *,
    area: str,
    observed: str,
    denominator: str,
    estimator: str,
    denominator_role: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Observed counts and positive denominators, one row per area, or a clear error."""
    require_columns(
        data, {"area": area, "observed": observed, "denominator": denominator}, estimator=estimator
    )
    require_complete(data, [area, observed, denominator], estimator=estimator)
    duplicated = data[area].duplicated(keep=False).to_numpy()
    if duplicated.any():
        shown = ", ".join(map(str, pd.unique(data.loc[duplicated, area])[:5]))
        raise EstimationError(
            f"{estimator}: {int(duplicated.sum())} rows share an area in '{area}' ({shown}). "
            "Fix: aggregate to one row per area."
        )
    counts = numeric_column(data, observed, estimator=estimator)
    exposure = numeric_column(data, denominator, estimator=estimator)
    bad = (counts < 0) | (counts != np.round(counts))
    if bad.any():
        raise EstimationError(
            f"{estimator}: column '{observed}' must hold whole, non-negative counts; "
            f"{int(bad.sum())} row(s) do not (areas "
            f"{', '.join(map(str, data.loc[bad, area][:5]))}). Fix: pass event counts."
        )
    if (exposure <= 0).any():
        zero = exposure <= 0
        raise EstimationError(
            f"{estimator}: column '{denominator}' ({denominator_role}) must be positive; "
            f"{int(zero.sum())} row(s) are not (areas "
            f"{', '.join(map(str, data.loc[zero, area][:5]))}). Fix: drop areas with no "
            f"{denominator_role}."
        )
    return counts, exposure


def funnel_limits(
    data: pd.DataFrame,
    *,
    area: str,
    observed: str,
    denominator: str,
    statistic: str = "proportion",
    target: float | None = None,
    method: str = "exact",
    overdispersion: str | None = None,
    winsorise: float = WINSOR_SHARE,
) -> pd.DataFrame:
    """Each area's value against funnel plot control limits at its own denominator.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per area.
    area : str
        Area name column.
    observed : str
        Events (numerator) in each area: people with the outcome, crimes, deaths.
    denominator : str
        People at risk (``"proportion"``), population or person-time (``"rate"``), or
        expected events from indirect standardisation (``"ratio"``).
    statistic : {"proportion", "rate", "ratio"}
        The indicator: ``observed / denominator`` is a proportion, a crude rate per unit
        of denominator, or an observed-to-expected ratio.
    target : float, optional
        The centre line. Default: the pooled value, sum of ``observed`` over sum of
        ``denominator`` (1 for ratios).
    method : {"exact", "phe"}
        ``"exact"``: Spiegelhalter's interpolated binomial or Poisson quantiles;
        ``"phe"``: the Fingertips tools' limits (Wilson score for proportions; exact
        Poisson below 10 expected events and Byar's approximation from 10 for counts).
    overdispersion : {None, "multiplicative", "additive"}
        Widen the limits when areas vary more than chance allows: by the dispersion
        factor ``phi`` (multiplicative), or by a between-area variance ``tau2``
        estimated by DerSimonian and Laird's method of moments (additive, a random-
        effects funnel). The dispersion is estimated and reported whatever the choice.
    winsorise : float
        Share of z-scores pulled in at each end before the dispersion is estimated, so a
        few divergent areas do not widen everyone's limits (Spiegelhalter's 10% by
        default). Winsorising biases the dispersion low: about 0.68 rather than 1 with no
        overdispersion at all, and a random-effects spread is then under-estimated, so the
        adjusted limits still flag more areas than they promise. ``winsorise=0`` gives the
        unbiased moment estimates, at the cost of letting outliers inflate them.

    Returns
    -------
    pandas.DataFrame
        One row per area, in input order: ``area, observed, denominator, value``
        (``observed / denominator``), ``expected`` (target times denominator), ``z``
        (standardised difference from the target), ``lower_95, upper_95, lower_998,
        upper_998`` (limits at the area's denominator, after any overdispersion
        adjustment) and ``flag`` (``"above 99.8%"``, ``"above 95%"``, ``"within"``,
        ``"below 95%"`` or ``"below 99.8%"``). ``attrs`` holds ``statistic``, ``target``,
        ``method``, ``overdispersion``, ``dispersion`` (Spiegelhalter's ``phi`` from
        z-scores winsorised at 10%), ``dispersion_p_value`` (``n_areas * phi`` against
        chi-squared on ``n_areas - 1`` degrees of freedom), ``tau2`` (additive
        between-area variance, 0 when there is none) and ``notes`` (sentences for a
        reader, including one when the data are overdispersed).

    Examples
    --------
    >>> import pandas as pd
    >>> areas = pd.DataFrame({"area": ["A", "B", "C", "D"], "repeat": [30, 12, 70, 44],
    ...                       "victims": [150, 40, 300, 200]})
    >>> table = funnel_limits(areas, area="area", observed="repeat", denominator="victims")
    >>> round(table.attrs["target"], 3), table["flag"].tolist()
    (0.226, ['within', 'within', 'within', 'within'])
    """
    estimator = "funnel_limits"
    if statistic not in STATISTICS:
        raise ConfigError(
            f"{estimator}: statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}."
        )
    if method not in LIMIT_METHODS:
        raise ConfigError(
            f"{estimator}: method must be one of {', '.join(LIMIT_METHODS)}, not {method!r}."
        )
    if not (isinstance(winsorise, int | float) and 0 <= winsorise < 0.5):
        raise ConfigError(
            f"{estimator}: winsorise must be a share from 0 to below 0.5 (e.g. 0.1), not "
            f"{winsorise!r}."
        )
    if overdispersion not in OVERDISPERSION:
        raise ConfigError(
            f"{estimator}: overdispersion must be None, 'multiplicative' or 'additive', not "
            f"{overdispersion!r}."
        )
    role = {"proportion": "people at risk", "rate": "population", "ratio": "expected events"}
    counts, exposure = _validated_counts(
        data,
        area=area,
        observed=observed,
        denominator=denominator,
        estimator=estimator,
        denominator_role=role[statistic],
    )
    if statistic == "proportion" and (counts > exposure).any():
        over = counts > exposure
        raise EstimationError(
            f"{estimator}: '{observed}' exceeds '{denominator}' in {int(over.sum())} row(s) "
            f"(areas {', '.join(map(str, data.loc[over, area][:5]))}); a proportion's "
            "numerator cannot exceed its denominator. Fix: check the two columns."
        )
    if target is None:
        target = 1.0 if statistic == "ratio" else float(counts.sum() / exposure.sum())
    target = float(target)
    if statistic == "proportion" and not 0 < target < 1:
        raise EstimationError(
            f"{estimator}: the target proportion is {target:g}; funnel limits need one "
            "strictly between 0 and 1 (every area at 0% or at 100% has nothing to compare)."
        )
    if statistic != "proportion" and not target > 0:
        raise EstimationError(
            f"{estimator}: the target {statistic} is {target:g}; funnel limits need a "
            "positive target (no area recorded an event)."
        )
    n_areas = len(counts)
    if n_areas < 3:
        raise EstimationError(
            f"{estimator}: {n_areas} area(s); a funnel plot compares at least 3. Fix: use "
            "rate_ratio() or compare_proportions() for two areas."
        )
    value = counts / exposure
    variance = (target * (1 - target) if statistic == "proportion" else target) / exposure
    z = (value - target) / np.sqrt(variance)
    dispersion, dispersion_p, tau2 = _dispersion(z, variance, winsorise)

    notes: list[str] = []
    if dispersion_p < 0.05:
        finding = (
            f"The areas vary more than chance allows (dispersion {dispersion:.2f}, p = "
            f"{dispersion_p:.2g})"
        )
        if overdispersion:
            notes.append(f"{finding}; the limits are widened for it ({overdispersion}).")
        else:
            notes.append(
                f"{finding}: more areas fall outside the limits than the limits promise, so "
                "an area outside them may reflect differences the indicator does not adjust "
                "for. Consider overdispersion='multiplicative' or 'additive'."
            )
    applied_dispersion = dispersion if overdispersion == "multiplicative" else 1.0
    applied_tau2 = tau2 if overdispersion == "additive" else 0.0
    if overdispersion == "multiplicative" and dispersion <= 1:
        notes.append("The dispersion is not above 1, so the limits are not widened.")
    if overdispersion == "additive" and tau2 == 0:
        notes.append("No between-area variance was found, so the limits are not widened.")
    table = pd.DataFrame(
        {
            "area": data[area].to_numpy(),
            "observed": counts,
            "denominator": exposure,
            "value": value,
            "expected": target * exposure,
            "z": z,
        }
    )
    for level, suffix in zip(LEVELS, ("95", "998"), strict=True):
        low, high = funnel_limit_curve(
            target,
            exposure,
            statistic=statistic,
            level=level,
            method=method,
            dispersion=applied_dispersion,
            tau2=applied_tau2,
        )
        table[f"lower_{suffix}"] = low
        table[f"upper_{suffix}"] = high
    table["flag"] = np.select(
        [
            value > table["upper_998"],
            value > table["upper_95"],
            value < table["lower_998"],
            value < table["lower_95"],
        ],
        ["above 99.8%", "above 95%", "below 99.8%", "below 95%"],
        default="within",
    )
    outside = int((table["flag"] != "within").sum())
    expected_outside = 0.05 * n_areas
    if n_areas >= 20 and outside > 2 * expected_outside + 2:
        notes.append(
            f"{outside} of {n_areas} areas are outside the 95% limits, where chance alone "
            f"would put about {expected_outside:.0f}."
        )
    table.attrs.update(
        {
            "statistic": statistic,
            "target": target,
            "method": method,
            "overdispersion": overdispersion,
            "dispersion": dispersion,
            "dispersion_p_value": dispersion_p,
            "winsorise": winsorise,
            "tau2": tau2,
            "notes": notes,
        }
    )
    logger.info("%s: %d areas, %d outside the 95%% limits", estimator, n_areas, outside)
    return table


def _dispersion(
    z: np.ndarray, variance: np.ndarray, winsorise: float
) -> tuple[float, float, float]:
    """Spiegelhalter's dispersion ``phi``, its chi-squared p-value and the additive ``tau2``.

    z-scores are winsorised (at the 10th and 90th percentiles by default) so that a few genuinely
    divergent areas do not widen everyone's limits (Spiegelhalter 2005, section 6.2);
    ``tau2`` is DerSimonian and Laird's moment estimator with weights ``1 / variance``.
    Winsorising has a price: with no overdispersion at all, ``phi`` averages about 0.68,
    not 1, so the test is conservative and ``tau2`` errs low.
    """
    n_areas = len(z)
    low, high = np.quantile(z, [winsorise, 1 - winsorise])
    winsorised = np.clip(z, low, high)
    dispersion = float(np.mean(winsorised**2))
    p_value = float(stats.chi2.sf(n_areas * dispersion, n_areas - 1))
    weights = 1 / variance
    denominator = weights.sum() - (weights**2).sum() / weights.sum()
    tau2 = max((n_areas * dispersion - (n_areas - 1)) / denominator, 0.0)
    return dispersion, p_value, float(tau2)


# --------------------------------------------------------------------------- shrinkage
SHRINKAGE_METHODS = ("moments", "mle")


def shrink_rates(
    data: pd.DataFrame,
    *,
    area: str,
    observed: str,
    exposure: str,
    method: str = "mle",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Empirical-Bayes rates: each area's rate pulled towards the others by its uncertainty.

    Counts follow ``y_i ~ Poisson(E_i theta_i)`` with area rates
    ``theta_i ~ Gamma(shape a, rate b)`` (mean ``m = a / b``, variance ``a / b^2``). The
    posterior of each rate is ``Gamma(a + y_i, b + E_i)``; its mean is
    ``B_i m + (1 - B_i) y_i / E_i`` with shrinkage factor ``B_i = b / (b + E_i)``, the
    weight on the overall rate, near 1 for a small area and near 0 for a large one.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per area.
    area, observed, exposure : str
        Columns: area name, event count, population or person-time (or expected events,
        for shrunken standardised ratios).
    method : {"mle", "moments"}
        How the prior is estimated: marginal maximum likelihood (the negative binomial
        likelihood of the counts) or the method of moments of Clayton and Kaldor (1987)
        and Marshall (1991).
    conf_level : float
        Level of each area's equal-tailed posterior interval.

    Returns
    -------
    pandas.DataFrame
        One row per area, in input order: ``area, observed, exposure, raw_rate,
        shrunken_rate, lower, upper`` (posterior interval) and ``shrinkage`` (``B_i``).
        ``attrs`` holds ``method``, ``prior_shape``, ``prior_rate``, ``prior_mean``,
        ``prior_variance`` (between-area variance of the true rates), ``conf_level`` and
        ``notes``. The intervals treat the estimated prior as known, so with few areas
        they are slightly too narrow.

    Examples
    --------
    >>> import pandas as pd
    >>> areas = pd.DataFrame({"ward": ["A", "B", "C"], "crimes": [5, 10, 15],
    ...                       "households": [10.0, 10.0, 10.0]})
    >>> table = shrink_rates(areas, area="ward", observed="crimes", exposure="households",
    ...                      method="moments")
    >>> table["shrunken_rate"].round(3).tolist(), table["shrinkage"].round(3).tolist()
    ([0.8, 1.0, 1.2], [0.6, 0.6, 0.6])
    """
    estimator = "shrink_rates"
    if method not in SHRINKAGE_METHODS:
        raise ConfigError(f"{estimator}: method must be 'mle' or 'moments', not {method!r}.")
    check_conf_level(conf_level, estimator=estimator)
    counts, person_time = _validated_counts(
        data,
        area=area,
        observed=observed,
        denominator=exposure,
        estimator=estimator,
        denominator_role="exposure",
    )
    n_areas = len(counts)
    if n_areas < 3:
        raise EstimationError(
            f"{estimator}: {n_areas} area(s); the prior is estimated from the spread of the "
            "areas, which needs at least 3 (and is fragile below about 10)."
        )
    if counts.sum() == 0:
        raise EstimationError(
            f"{estimator}: no area recorded an event, so there is no rate to shrink towards."
        )
    notes: list[str] = []
    if method == "moments":
        shape, rate = _prior_by_moments(counts, person_time)
    else:
        shape, rate = _prior_by_marginal_likelihood(counts, person_time)
    overall = float(counts.sum() / person_time.sum())
    if not math.isfinite(shape):
        notes.append(
            "The areas vary no more than chance allows, so every area's rate is shrunk "
            "all the way to the overall rate: the data give no evidence that areas differ."
        )
        shrunken = np.full(n_areas, overall)
        shrinkage = np.ones(n_areas)
        lower = upper = shrunken
        prior_mean, prior_variance = overall, 0.0
    else:
        posterior = stats.gamma(shape + counts, scale=1 / (rate + person_time))
        shrunken = (shape + counts) / (rate + person_time)
        shrinkage = rate / (rate + person_time)
        tail = (1 - conf_level) / 2
        lower, upper = posterior.ppf(tail), posterior.isf(tail)
        prior_mean, prior_variance = shape / rate, shape / rate**2
    if n_areas < 10:
        notes.append(
            f"Only {n_areas} areas inform the prior; its spread, and so the shrinkage, is "
            "uncertain."
        )
    table = pd.DataFrame(
        {
            "area": data[area].to_numpy(),
            "observed": counts,
            "exposure": person_time,
            "raw_rate": counts / person_time,
            "shrunken_rate": shrunken,
            "lower": lower,
            "upper": upper,
            "shrinkage": shrinkage,
        }
    )
    table.attrs.update(
        {
            "method": method,
            "prior_shape": float(shape),
            "prior_rate": float(rate),
            "prior_mean": float(prior_mean),
            "prior_variance": float(prior_variance),
            "conf_level": conf_level,
            "notes": notes,
        }
    )
    return table


def _prior_by_moments(counts: np.ndarray, person_time: np.ndarray) -> tuple[float, float]:
    """Gamma prior from the weighted moments of the raw rates (Marshall 1991).

    The exposure-weighted variance of the raw rates, less the Poisson variance an
    average-sized area would show by chance, estimates the variance of the true rates.
    """
    rates = counts / person_time
    mean = counts.sum() / person_time.sum()
    weighted_variance = np.sum(person_time * (rates - mean) ** 2) / person_time.sum()
    between = weighted_variance - mean / person_time.mean()
    if between <= 0:
        return math.inf, math.inf
    return float(mean**2 / between), float(mean / between)


def _prior_by_marginal_likelihood(
    counts: np.ndarray, person_time: np.ndarray
) -> tuple[float, float]:
    """Gamma prior maximising the negative binomial marginal likelihood of the counts."""

    def negative_log_likelihood(log_params: np.ndarray) -> float:
        shape, rate = np.exp(log_params)
        return -float(
            np.sum(
                special.gammaln(shape + counts)
                - special.gammaln(shape)
                + shape * np.log(rate / (rate + person_time))
                + counts * np.log(person_time / (rate + person_time))
            )
        )

    start_shape, start_rate = _prior_by_moments(counts, person_time)
    if not math.isfinite(start_shape):
        mean = counts.sum() / person_time.sum()
        start_shape, start_rate = 10.0, 10.0 / mean
    with warnings_module.catch_warnings():
        warnings_module.simplefilter("ignore", RuntimeWarning)
        result = optimize.minimize(
            negative_log_likelihood,
            np.log([start_shape, start_rate]),
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000},
        )
    shape, rate = np.exp(result.x)
    # A shape heading to infinity is the likelihood saying the rates do not vary: the
    # negative binomial has become a Poisson. Report that rather than a huge number.
    if shape > 1e6:
        return math.inf, math.inf
    return float(shape), float(rate)
