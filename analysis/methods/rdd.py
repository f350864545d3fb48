"""Regression discontinuity by local polynomial regression: sharp (:func:`rdd`) and fuzzy.

Used where treatment follows a threshold on a score (Operation Focus selects
perpetrators whose harm score passes a cut-off): people just either side of the
threshold are alike, so the jump in the outcome at the threshold estimates the
effect for people near it.

The estimate is the difference between two kernel-weighted polynomial fits at
the cutoff, one on each side. The default bandwidth is Calonico, Cattaneo and
Titiunik's MSE-optimal choice with one common bandwidth for both sides
(rdrobust's ``"mserd"``), and the interval is their robust bias-corrected one,
which stays valid at that bandwidth (the conventional interval undercovers
there and is reported beside it). Variances use rdrobust's nearest-neighbour
residuals (3 neighbours), or with clusters CR1 on the fitted residuals; with a
fixed bandwidth the estimates, standard errors and bandwidths agree with
rdrobust 2.1 to about 1e-10. A McCrary (2008) density test, with a local
quadratic fit for a robust bias correction, checks for manipulation of the
score at the cutoff.

Where crossing the threshold raises the chance of treatment without deciding
it, :func:`fuzzy_rdd` divides the jump in the outcome by the jump in the share
treated (the Wald ratio), with an interval by inverting the robust test (Feir,
Lemieux and Marmer 2016), which stays valid when the first stage is weak.

References
----------
Calonico S, Cattaneo MD, Titiunik R (2014). Robust nonparametric confidence
intervals for regression-discontinuity designs. Econometrica 82:2295-2326.
Calonico S, Cattaneo MD, Farrell MH, Titiunik R (2017). rdrobust: software for
regression-discontinuity designs. Stata Journal 17:372-404.
McCrary J (2008). Manipulation of the running variable in the regression
discontinuity design: a density test. Journal of Econometrics 142:698-714.
Feir D, Lemieux T, Marmer V (2016). Weak identification in fuzzy regression
discontinuity designs. Journal of Business & Economic Statistics 34:185-196.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods._formula import require_columns, z_value
from analysis.results import DiscontinuityResult, FuzzyDiscontinuityResult

__all__ = ["fuzzy_rdd", "rdd"]

#: Preliminary-bandwidth constants per kernel (rule of thumb, CCT 2014).
_PILOT_CONSTANT = {"triangular": 2.576, "uniform": 1.843, "epanechnikov": 2.34}
#: Neighbours for the nearest-neighbour variance (rdrobust's default).
_NN_MATCHES = 3
#: Share of repeated running-variable values that counts as mass points.
_MASS_POINT_SHARE = 0.2
#: Distinct values a preliminary bandwidth must contain when there are mass points.
_MASS_POINT_MINIMUM = 10


def _kernel_weights(distance: np.ndarray, h: float, kernel: str) -> np.ndarray:
    u = distance / h
    inside = np.abs(u) <= 1
    if kernel == "triangular":
        return np.where(inside, 1 - np.abs(u), 0.0) / h
    if kernel == "uniform":
        return np.where(inside, 0.5, 0.0) / h
    return np.where(inside, 0.75 * (1 - u**2), 0.0) / h


def _powers(distance: np.ndarray, order: int) -> np.ndarray:
    return distance[:, None] ** np.arange(order + 1)


@dataclass
class _Side:
    """One side of the cutoff, sorted by the running variable, centred on the cutoff."""

    distance: np.ndarray  # x - cutoff, ascending
    y: np.ndarray
    cluster: np.ndarray | None

    def window(self, h: float, kernel: str) -> np.ndarray:
        return _kernel_weights(self.distance, h, kernel) > 0


def _nn_residuals(distance: np.ndarray, y: np.ndarray, matches: int) -> np.ndarray:
    """Nearest-neighbour residuals as in rdrobust: sqrt(J/(J+1)) (y - mean of J neighbours).

    The neighbours are the ``matches`` closest other observations (by the running
    variable, sorted ascending) plus any tied with the furthest of them.
    """
    size = distance.size
    j = min(matches, size - 1)
    positions = np.arange(size)
    offsets = np.concatenate([np.arange(-j, 0), np.arange(1, j + 1)])
    candidates = positions[:, None] + offsets
    valid = (candidates >= 0) & (candidates < size)
    gaps = np.abs(distance[np.clip(candidates, 0, size - 1)] - distance[:, None])
    gaps[~valid] = np.inf
    radius = np.partition(gaps, j - 1, axis=1)[:, j - 1]
    radius = radius * (1 + np.sqrt(np.finfo(float).eps))
    low = np.searchsorted(distance, distance - radius, side="left")
    high = np.searchsorted(distance, distance + radius, side="right")
    prefix = np.concatenate([[0.0], np.cumsum(y)])
    count = high - low - 1
    neighbour_mean = (prefix[high] - prefix[low] - y) / count
    return np.sqrt(count / (count + 1)) * (y - neighbour_mean)


def _residuals(
    distance: np.ndarray,
    y: np.ndarray,
    design: np.ndarray,
    weighted: np.ndarray,
    inverse: np.ndarray,
    cluster: np.ndarray | None,
) -> np.ndarray:
    """Residuals for the sandwich: nearest-neighbour ones, or with clusters the fit's own.

    Clustered variances use the residuals of the weighted polynomial fit (CR1), as
    rdrobust does once a cluster variable is given; the nearest-neighbour device is
    for independent observations.
    """
    if cluster is None:
        return _nn_residuals(distance, y, _NN_MATCHES)
    return y - design @ (inverse @ (weighted.T @ y))


def _meat(
    scores: np.ndarray, residuals: np.ndarray, cluster: np.ndarray | None, k: int
) -> np.ndarray:
    """Middle of the sandwich: sum of score outer products, or CR1 by cluster."""
    contributions = scores * residuals[:, None]
    if cluster is None:
        return contributions.T @ contributions
    codes, _ = pd.factorize(cluster)
    totals = np.column_stack(
        [np.bincount(codes, weights=contributions[:, c]) for c in range(contributions.shape[1])]
    )
    groups, n = totals.shape[0], contributions.shape[0]
    if groups < 2:
        raise EstimationError(
            "rdd: a single cluster within the bandwidth on one side; cluster-robust "
            "standard errors need several."
        )
    factor = (n - 1) / (n - k) * groups / (groups - 1)
    return factor * totals.T @ totals


def _bandwidth_terms(
    side: _Side,
    kernel: str,
    order: int,
    derivative: int,
    bias_order: int,
    h_variance: float,
    h_bias: float,
    regularise: bool,
) -> tuple[float, float, float, float]:
    """Variance, bias and regularisation constants of CCT's bandwidth formula, one side.

    The variance of the ``derivative``-th coefficient of an ``order`` polynomial
    is estimated at the pilot bandwidth ``h_variance``; the bias needs the next
    derivative, estimated by an ``bias_order`` polynomial at ``h_bias``.
    Returns (V, B, R, rate) with the optimal bandwidth (V / (B^2 + R))^rate.
    """
    keep = side.window(h_variance, kernel)
    distance, y = side.distance[keep], side.y[keep]
    cluster = None if side.cluster is None else side.cluster[keep]
    if np.unique(distance).size < order + 1:
        raise EstimationError(
            "rdd: too few distinct values of the running variable near the cutoff to choose "
            "a bandwidth; give bandwidth= explicitly or widen the data."
        )
    weights = _kernel_weights(distance, h_variance, kernel)
    design = _powers(distance, order)
    weighted = design * weights[:, None]
    inverse = np.linalg.inv(design.T @ weighted)
    residuals = _residuals(distance, y, design, weighted, inverse, cluster)
    variance = (inverse @ _meat(weighted, residuals, cluster, order + 1) @ inverse)[
        derivative, derivative
    ]
    leading = weighted.T @ (distance / h_variance) ** (order + 1)
    bias_constant = (h_variance ** np.arange(order + 1) * (inverse @ leading))[derivative]

    keep = side.window(h_bias, kernel)
    distance, y = side.distance[keep], side.y[keep]
    cluster = None if side.cluster is None else side.cluster[keep]
    if np.unique(distance).size < bias_order + 1:
        raise EstimationError(
            "rdd: too few distinct values of the running variable to estimate the bias for "
            "the bandwidth choice; give bandwidth= explicitly."
        )
    weights = _kernel_weights(distance, h_bias, kernel)
    design = _powers(distance, bias_order)
    weighted = design * weights[:, None]
    inverse = np.linalg.inv(design.T @ weighted)
    coefficients = inverse @ (weighted.T @ y)
    regularisation = 0.0
    if regularise:
        residuals = _residuals(distance, y, design, weighted, inverse, cluster)
        coefficient_variance = (
            inverse @ _meat(weighted, residuals, cluster, bias_order + 1) @ inverse
        )[order + 1, order + 1]
        regularisation = 2 * (order + 1 - derivative) * 3 * bias_constant**2 * coefficient_variance
    bias = math.sqrt(2 * (order + 1 - derivative)) * bias_constant * coefficients[order + 1]
    variance_term = (2 * derivative + 1) * h_variance ** (2 * derivative + 1) * variance
    return variance_term, bias, regularisation, 1 / (2 * order + 3)


def _type2_quartiles(values: np.ndarray) -> tuple[float, float]:
    """Lower and upper quartiles by R's type-2 definition (averaging at jumps)."""
    ordered = np.sort(values)
    n = ordered.size
    out = []
    for prob in (0.25, 0.75):
        position = n * prob
        index = int(math.floor(position))
        out.append(
            0.5 * (ordered[index - 1] + ordered[index]) if position == index else ordered[index]
        )
    return out[0], out[1]


def _mserd_bandwidth(
    below: _Side, above: _Side, running: np.ndarray, kernel: str, order: int
) -> tuple[float, float]:
    """CCT's MSE-optimal common bandwidth (h) and bias-correction bandwidth (b).

    Three steps, each plugging estimated constants into the asymptotic MSE:
    a pilot for the (q+1)-th derivative, then b for the bias of the p-th order
    fit, then h. Constants follow Calonico, Cattaneo, Farrell and Titiunik
    (2017), including the regularisation term and, with mass points, a
    minimum of ten distinct values in the preliminary bandwidth.
    """
    bias_order = order + 1
    lower_q, upper_q = _type2_quartiles(running)
    spread = min(np.std(running, ddof=1), (upper_q - lower_q) / 1.349)
    distinct_below = np.unique(below.distance)
    distinct_above = np.unique(above.distance)
    distinct = distinct_below.size + distinct_above.size
    pilot = _PILOT_CONSTANT[kernel] * spread * distinct ** (-1 / 5)
    reach_below, reach_above = -below.distance.min(), above.distance.max()
    largest = max(reach_below, reach_above)
    pilot = min(pilot, largest)
    smallest = 0.0
    mass_points = (
        1 - distinct_below.size / below.distance.size >= _MASS_POINT_SHARE
        or 1 - distinct_above.size / above.distance.size >= _MASS_POINT_SHARE
    )
    if mass_points:
        widen = 1 + np.sqrt(np.finfo(float).eps)
        nearest_below = np.sort(np.abs(distinct_below))
        nearest_above = np.sort(np.abs(distinct_above))
        smallest = max(
            nearest_below[min(_MASS_POINT_MINIMUM, nearest_below.size) - 1] * widen,
            nearest_above[min(_MASS_POINT_MINIMUM, nearest_above.size) - 1] * widen,
        )
        pilot = max(pilot, smallest)

    def combine(terms_below: tuple, terms_above: tuple, regularise: bool) -> float:
        variance = terms_below[0] + terms_above[0]
        bias = terms_above[1] - terms_below[1]
        regularisation = terms_below[2] + terms_above[2] if regularise else 0.0
        denominator = bias**2 + regularisation
        if denominator <= 0:
            raise EstimationError(
                "rdd: the estimated bias is zero, so no MSE-optimal bandwidth exists; give "
                "bandwidth= explicitly."
            )
        return (variance / denominator) ** terms_below[3]

    widen = 1 + np.sqrt(np.finfo(float).eps)
    derivative_pilot = combine(
        _bandwidth_terms(
            below,
            kernel,
            bias_order + 1,
            bias_order + 1,
            bias_order + 2,
            pilot,
            reach_below * widen,
            False,
        ),
        _bandwidth_terms(
            above,
            kernel,
            bias_order + 1,
            bias_order + 1,
            bias_order + 2,
            pilot,
            reach_above * widen,
            False,
        ),
        regularise=False,
    )
    derivative_pilot = max(min(derivative_pilot, largest), smallest)
    bias_bandwidth = combine(
        _bandwidth_terms(
            below, kernel, bias_order, order + 1, bias_order + 1, pilot, derivative_pilot, True
        ),
        _bandwidth_terms(
            above, kernel, bias_order, order + 1, bias_order + 1, pilot, derivative_pilot, True
        ),
        regularise=True,
    )
    bias_bandwidth = min(bias_bandwidth, largest)
    bandwidth = combine(
        _bandwidth_terms(below, kernel, order, 0, bias_order, pilot, bias_bandwidth, True),
        _bandwidth_terms(above, kernel, order, 0, bias_order, pilot, bias_bandwidth, True),
        regularise=True,
    )
    return min(bandwidth, largest), bias_bandwidth


@dataclass
class _SideFit:
    intercept: float
    intercept_bc: float
    variance: float
    variance_rb: float
    coefficients: np.ndarray
    n_effective: int


def _fit_side(side: _Side, h: float, b: float, kernel: str, order: int, name: str) -> _SideFit:
    """Conventional and bias-corrected intercepts at the cutoff, with their variances.

    The bias-corrected estimate subtracts the estimated leading bias term (from
    an order p+1 fit with bandwidth b); its robust variance treats the estimate
    as one linear smoother of the outcomes (CCT 2014, Theorem 1).
    """
    bias_order = order + 1
    in_h, in_b = side.window(h, kernel), side.window(b, kernel)
    keep = in_h | in_b
    distance, y = side.distance[keep], side.y[keep]
    cluster = None if side.cluster is None else side.cluster[keep]
    if (
        np.unique(side.distance[in_h]).size < order + 2
        or np.unique(side.distance[in_b]).size < bias_order + 1
    ):
        raise EstimationError(
            f"rdd: too few observations {name} the cutoff within the bandwidth "
            f"({int(in_h.sum())} rows, {np.unique(side.distance[in_h]).size} distinct scores) "
            f"for a polynomial of order {order}; widen the bandwidth or lower the order."
        )
    weights_h = _kernel_weights(distance, h, kernel)
    weights_b = _kernel_weights(distance, b, kernel)
    design_q = _powers(distance, bias_order)
    design_p = design_q[:, : order + 1]
    weighted_p = design_p * weights_h[:, None]
    inverse_p = np.linalg.inv(design_p.T @ weighted_p)
    inverse_q = np.linalg.inv(design_q.T @ (design_q * weights_b[:, None]))
    coefficients = inverse_p @ (weighted_p.T @ y)
    leading = weighted_p.T @ (distance / h) ** (order + 1)
    bias_row = (design_q @ inverse_q[order + 1]) * weights_b
    corrected = weighted_p - h ** (order + 1) * bias_row[:, None] * leading[None, :]
    coefficients_bc = inverse_p @ (corrected.T @ y)
    residuals_p = _residuals(distance, y, design_p, weighted_p, inverse_p, cluster)
    residuals_q = _residuals(
        distance, y, design_q, design_q * weights_b[:, None], inverse_q, cluster
    )
    variance = (inverse_p @ _meat(weighted_p, residuals_p, cluster, order + 1) @ inverse_p)[0, 0]
    variance_rb = (inverse_p @ _meat(corrected, residuals_q, cluster, bias_order + 1) @ inverse_p)[
        0, 0
    ]
    return _SideFit(
        intercept=float(coefficients[0]),
        intercept_bc=float(coefficients_bc[0]),
        variance=float(variance),
        variance_rb=float(variance_rb),
        coefficients=coefficients,
        n_effective=int(in_h.sum()),
    )


def _boundary_variance_constant(order: int) -> float:
    """Variance constant of a triangular-kernel local polynomial's intercept at a boundary.

    The integral of the squared equivalent kernel on [0, 1]: 24/5 for local linear
    (McCrary's constant), 72/7 for local quadratic.

    Examples
    --------
    >>> round(_boundary_variance_constant(1), 6), round(_boundary_variance_constant(2), 6)
    (4.8, 10.285714)
    """
    u = np.linspace(0.0, 1.0, 20_001)
    kernel = 1.0 - u
    powers = u[:, None] ** np.arange(order + 1)
    gram = np.trapezoid(powers[:, :, None] * powers[:, None, :] * kernel[:, None, None], u, axis=0)
    equivalent = (powers @ np.linalg.solve(gram, np.eye(order + 1)[:, 0])) * kernel
    return float(np.trapezoid(equivalent**2, u))


#: Order of the density test's local polynomial: quadratic, so the test is robust to the
#: curvature a local-linear fit leaves as bias at a rule-of-thumb bandwidth.
_DENSITY_ORDER = 2
#: Fewest histogram bins within the density test's bandwidth on each side.
_DENSITY_MIN_BINS = 5
#: The density test's bandwidth in multiples of Silverman's rule of thumb: wide enough for
#: power against sorting, narrow enough that a skewed score's curvature is no false alarm
#: (sizes measured at 1, 1.5 and 2 in ``tests/methods/test_rdd_density.py``'s notes).
_DENSITY_BANDWIDTH_FACTOR = 1.5


_DENSITY_VARIANCE_CONSTANT = _boundary_variance_constant(_DENSITY_ORDER)


def _density_test(running: np.ndarray, cutoff: float) -> dict[str, float]:
    """Test of a jump in the running variable's density at the cutoff (sorting).

    McCrary's (2008) binned construction with a robust bias correction: a fine
    histogram (the cutoff on a bin edge) is smoothed on each side by a
    triangular-kernel local *quadratic* fit, at one and a half times Silverman's
    rule of thumb (``1.06 min(sd, IQR / 1.349) n^(-1/5)``); the statistic is
    the log difference of the two density estimates at the cutoff, with the local
    quadratic's own variance. McCrary's local-linear fit at his rule-of-thumb
    bandwidth leaves the density's curvature as bias, which a skewed score (a few
    very high harm scores stretching the bandwidth) turns into false alarms: on
    the synthetic suspects' harm scores it rejected in 12.5% of 40 worlds with no
    sorting, where this test rejects in 5% of 140 (rddensity, the local-polynomial
    reference, in 3.6%); under a smooth density its size is near 5%
    (``tests/methods/test_rdd_density.py``).
    """
    n = running.size
    spread = np.std(running, ddof=1)
    quartiles = np.subtract(*np.percentile(running, [75, 25]))
    scale = min(spread, quartiles / 1.349) if quartiles > 0 else spread
    h = _DENSITY_BANDWIDTH_FACTOR * 1.06 * scale * n ** (-1 / 5)
    width = min(2 * spread * n ** (-1 / 2), h / 10)
    distinct = np.unique(running)
    if distinct.size < n * (1 - _MASS_POINT_SHARE) and distinct.size > 1:
        # A discrete score: bins narrower than the spacing of its values would be
        # empty by construction, so each bin holds at least one possible value.
        width = max(width, float(np.min(np.diff(distinct))))
    if not (width > 0 and h > 0):
        raise EstimationError("rdd: the running variable does not vary, so no density test.")
    h = max(h, _DENSITY_MIN_BINS * width)
    lower = cutoff - width * math.ceil((cutoff - running.min()) / width)
    n_bins = int(math.ceil((running.max() - lower) / width)) + 1
    edges = lower + width * np.arange(n_bins + 1)
    counts, _ = np.histogram(running, bins=edges)
    mids = edges[:-1] + width / 2
    density = counts / (n * width)
    below = mids < cutoff

    def intercept(mask: np.ndarray) -> float:
        centre = mids[mask] - cutoff
        weights = np.clip(1 - np.abs(centre) / h, 0, None)
        use = weights > 0
        if use.sum() < _DENSITY_MIN_BINS:
            raise EstimationError(
                f"rdd: only {int(use.sum())} histogram bin(s) on one side within the density "
                f"test's bandwidth; it needs {_DENSITY_MIN_BINS}."
            )
        design = centre[use, None] ** np.arange(_DENSITY_ORDER + 1)
        weighted = design * weights[use, None]
        return float(np.linalg.solve(design.T @ weighted, weighted.T @ density[mask][use])[0])

    f_below, f_above = intercept(below), intercept(~below)
    if f_below <= 0 or f_above <= 0:
        raise EstimationError("rdd: the estimated density at the cutoff is not positive.")
    theta = math.log(f_above) - math.log(f_below)
    se = math.sqrt((1 / (n * h)) * _DENSITY_VARIANCE_CONSTANT * (1 / f_above + 1 / f_below))
    return {
        "density_log_difference": theta,
        "density_se": se,
        "density_p_value": float(2 * stats.norm.sf(abs(theta / se))),
        "density_bandwidth": float(h),
        "density_bin_width": float(width),
    }


def _binned_means(
    running: np.ndarray, outcome: np.ndarray, cutoff: float, bins_per_side: int
) -> pd.DataFrame:
    frames = []
    for side, mask in (("below", running < cutoff), ("above", running >= cutoff)):
        x, y = running[mask], outcome[mask]
        edges = np.linspace(x.min(), x.max(), bins_per_side + 1)
        if side == "below":
            edges[-1] = cutoff
        else:
            edges[0] = cutoff
        index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins_per_side - 1)
        counts = np.bincount(index, minlength=bins_per_side)
        used = counts > 0
        frames.append(
            pd.DataFrame(
                {
                    "x": (np.bincount(index, weights=x, minlength=bins_per_side)[used])
                    / counts[used],
                    "y": np.bincount(index, weights=y, minlength=bins_per_side)[used]
                    / counts[used],
                    "n": counts[used],
                    "side": side,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def rdd(
    data: pd.DataFrame,
    *,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    bandwidth: float | None = None,
    kernel: str = "triangular",
    polynomial: int = 1,
    conf_level: float = 0.95,
    cluster: str | None = None,
) -> DiscontinuityResult:
    """Sharp regression discontinuity: the jump in the outcome at a score threshold.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    outcome : str
        Numeric or 0/1 outcome column.
    running : str
        The score that decides treatment (treated when ``running >= cutoff``).
    cutoff : float, default 0.0
        The threshold.
    bandwidth : float, optional
        Half-width of the window either side of the cutoff. None chooses CCT's
        MSE-optimal common bandwidth (rdrobust's ``"mserd"``); its
        bias-correction bandwidth comes from the same procedure. A bandwidth you
        give is also used for the bias correction (as rdrobust does).
    kernel : {"triangular", "uniform", "epanechnikov"}, default "triangular"
        Weights by distance from the cutoff.
    polynomial : int, default 1
        Order of the local polynomial (1 = local linear, the standard choice).
    conf_level : float, default 0.95
        Confidence level.
    cluster : str, optional
        Column of cluster identifiers for cluster-robust (CR1) variances.

    Returns
    -------
    DiscontinuityResult
        ``effect`` = conventional local-polynomial estimate of the jump (scale
        ``"difference"``), ``se`` its standard error; ``ci_low, ci_high`` and
        ``p_value`` are the robust bias-corrected ones (CCT 2014), centred on
        the bias-corrected estimate. The conventional interval, the
        bias-corrected estimate and robust standard error, the bandwidths and
        the density (sorting) test (``density_p_value``) are in ``diagnostics``.
        ``details["bins"]`` (binned means: ``x, y, n, side``),
        ``details["fit"]`` (fitted lines: ``x, fitted, side``),
        ``details["cutoff"]``. Each is also a named property (``bandwidth``,
        ``n_below``, ``n_above``, ``bias_corrected_effect``, ``robust_se``,
        ``density_test``, ``bins``...), and ``conf_int(level)`` rebuilds the robust
        interval at another level.

    Raises
    ------
    EstimationError
        Too few observations on a side within the bandwidth; the cutoff outside
        the range of the running variable.

    Examples
    --------
    >>> rng = np.random.default_rng(11)
    >>> score = rng.uniform(-1, 1, 2000)
    >>> frame = pd.DataFrame({"score": score,
    ...                       "harm": 0.5 * score + 0.3 * (score >= 0) + rng.normal(0, 0.2, 2000)})
    >>> est = rdd(frame, outcome="harm", running="score")
    >>> bool(est.ci_low < 0.3 < est.ci_high), sorted(est.details["bins"]["side"].unique())
    (True, ['above', 'below'])
    """
    caller = "rdd"
    z = z_value(conf_level)
    if kernel not in _PILOT_CONSTANT:
        raise ConfigError(f"rdd: kernel must be one of {sorted(_PILOT_CONSTANT)}, got {kernel!r}.")
    if (
        isinstance(polynomial, bool)
        or not isinstance(polynomial, (int, np.integer))
        or not (0 <= polynomial <= 4)
    ):
        raise ConfigError(
            f"rdd: polynomial must be a whole number from 0 to 4, got {polynomial!r}."
        )
    if bandwidth is not None and not (isinstance(bandwidth, (int, float)) and bandwidth > 0):
        raise ConfigError(f"rdd: bandwidth must be a positive number, got {bandwidth!r}.")
    columns = [outcome, running] + ([cluster] if cluster is not None else [])
    require_columns(data, columns, caller=caller)
    for column in (outcome, running):
        if not pd.api.types.is_numeric_dtype(data[column]) and not pd.api.types.is_bool_dtype(
            data[column]
        ):
            raise ConfigError(
                f"rdd: column '{column}' must be numeric, found {data[column].dtype}."
            )
    x = data[running].to_numpy(dtype=float)
    y = data[outcome].to_numpy(dtype=float)
    if not (x.min() < cutoff <= x.max()):
        raise EstimationError(
            f"rdd: the cutoff {cutoff} is outside the range of {running} "
            f"({x.min():g} to {x.max():g}), so one side is empty."
        )
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    clusters = None if cluster is None else data[cluster].to_numpy()[order]
    is_below = x < cutoff
    below = _Side(
        x[is_below] - cutoff, y[is_below], None if clusters is None else clusters[is_below]
    )
    above = _Side(
        x[~is_below] - cutoff, y[~is_below], None if clusters is None else clusters[~is_below]
    )
    for name, side in (("below", below), ("above", above)):
        if np.unique(side.distance).size < polynomial + 2:
            raise EstimationError(
                f"rdd: only {np.unique(side.distance).size} distinct value(s) of {running} "
                f"{name} the cutoff; a polynomial of order {polynomial} needs more."
            )

    if bandwidth is None:
        h, b = _mserd_bandwidth(below, above, x, kernel, polynomial)
        bandwidth_method = "MSE-optimal common bandwidth (CCT mserd)"
    else:
        h = b = float(bandwidth)
        bandwidth_method = "fixed by the analyst"
    fit_below = _fit_side(below, h, b, kernel, polynomial, "below")
    fit_above = _fit_side(above, h, b, kernel, polynomial, "above")

    effect = fit_above.intercept - fit_below.intercept
    se = math.sqrt(fit_above.variance + fit_below.variance)
    effect_bc = fit_above.intercept_bc - fit_below.intercept_bc
    se_rb = math.sqrt(fit_above.variance_rb + fit_below.variance_rb)
    p_conventional = float(2 * stats.norm.sf(abs(effect / se))) if se > 0 else 1.0
    p_robust = float(2 * stats.norm.sf(abs(effect_bc / se_rb))) if se_rb > 0 else 1.0

    warnings = []
    try:
        density = _density_test(x, cutoff)
    except EstimationError as exc:
        density = {"density_p_value": None}
        warnings.append(f"The density (manipulation) test could not be run: {exc}")
    else:
        if density["density_p_value"] < 0.05:
            warnings.append(
                f"The density of {running} jumps at the cutoff (McCrary-type density test p = "
                f"{density['density_p_value']:.3f}): units may have sorted themselves across "
                "the threshold, which would bias the estimate."
            )
    for name, fit in (("below", fit_below), ("above", fit_above)):
        if fit.n_effective < 20:
            warnings.append(
                f"Only {fit.n_effective} observations {name} the cutoff within the bandwidth: "
                "the estimate is fragile."
            )

    grid_frames = []
    for name, fit, sign in (("below", fit_below, -1), ("above", fit_above, 1)):
        grid = np.sort(np.linspace(0, sign * h, 50))
        grid_frames.append(
            pd.DataFrame(
                {
                    "x": cutoff + grid,
                    "fitted": _powers(grid, polynomial) @ fit.coefficients,
                    "side": name,
                }
            )
        )
    bins = _binned_means(x, y, cutoff, bins_per_side=min(20, max(2, int(np.sqrt(x.size / 2)))))
    diagnostics = {
        "bandwidth": float(h),
        "bandwidth_bias": float(b),
        "bandwidth_method": bandwidth_method,
        "kernel": kernel,
        "polynomial": int(polynomial),
        "n_below_in_bandwidth": fit_below.n_effective,
        "n_above_in_bandwidth": fit_above.n_effective,
        "conventional_ci_low": effect - z * se,
        "conventional_ci_high": effect + z * se,
        "conventional_p_value": p_conventional,
        "bias_corrected_effect": effect_bc,
        "robust_se": se_rb,
        "variance": "cluster-robust (CR1) on the fitted residuals"
        if cluster is not None
        else "nearest-neighbour residuals (3 neighbours)",
        "density_test": "McCrary (2008) binned, local quadratic (robust bias-corrected)",
        **density,
    }
    return DiscontinuityResult(
        effect=effect,
        ci_low=effect_bc - z * se_rb,
        ci_high=effect_bc + z * se_rb,
        p_value=p_robust,
        n=int(x.size),
        scale="difference",
        method=(
            f"sharp regression discontinuity, local polynomial (order {polynomial}, {kernel} "
            "kernel), robust bias-corrected interval"
        ),
        estimand=f"jump in {outcome} at {running} = {cutoff:g} (effect for units near the cutoff)",
        se=se,
        assumptions=(
            f"Units just below and just above {running} = {cutoff:g} are comparable: the "
            "outcome would change smoothly through the cutoff without treatment.",
            f"Units cannot precisely manipulate {running} around the cutoff (density test).",
            "Treatment switches fully at the cutoff (sharp design).",
        ),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        details={
            "bins": bins,
            "fit": pd.concat(grid_frames, ignore_index=True),
            "cutoff": cutoff,
        },
        conf_level=conf_level,
        outcome=outcome,
    )


def fuzzy_rdd(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    running: str,
    cutoff: float,
    bandwidth: float | None = None,
    cluster: str | None = None,
    kernel: str = "triangular",
    polynomial: int = 1,
    conf_level: float = 0.95,
    scale: str = "difference",
) -> FuzzyDiscontinuityResult:
    """Fuzzy regression discontinuity: the jump in the outcome over the jump in treatment.

    For any programme whose selection follows a score only in part (Operation
    Focus adopts most, not all, suspects above its harm-score threshold). Built
    from :func:`rdd` at one common bandwidth:

    - the reduced form (jump in ``outcome``) and the first stage (jump in the
      share treated) are each a local-polynomial jump;
    - the effect is their ratio (the Wald estimator): the effect of treatment
      for units whose treatment follows the threshold ("compliers"), at the
      threshold;
    - the interval is found by test inversion: the set of effects ``b`` for
      which the robust bias-corrected test finds no jump in ``outcome - b *
      treatment`` (Anderson-Rubin style; Feir, Lemieux and Marmer 2016). Both
      the jump and its robust variance are linear and quadratic in the outcome,
      so three local fits (outcome, treatment, their sum) give the set in closed
      form. It stays valid when the first stage is weak, and is unbounded when
      the first stage is too weak to say anything (an error);
    - the p-value is that of the reduced form (the test of no effect);
    - ``se`` is the delta-method standard error of the ratio.

    Parameters
    ----------
    data : DataFrame
        One row per unit (or per case, with ``cluster`` naming the person).
    outcome, treatment, running : str
        Outcome, 0/1 treatment received, and the score.
    cutoff : float
        Threshold of the score.
    bandwidth : float, optional
        Common bandwidth; by default the MSE-optimal bandwidth of the reduced form.
    cluster : str, optional
        Cluster column for the variances.
    kernel, polynomial, conf_level
        As for :func:`rdd`.
    scale : str
        Scale of the effect (``"percentage points"`` when the outcome is 0/100).

    Returns
    -------
    FuzzyDiscontinuityResult
        ``details["reduced_form"]`` and ``details["first_stage"]`` (the two
        :func:`rdd` results), ``details["bins"]``,
        ``details["fit"]``, ``details["cutoff"]`` (the reduced form's, for
        ``plot_rdd``); ``diagnostics`` hold the first-stage jump and interval,
        the share treated either side within the bandwidth, the bandwidth and
        the density test. ``first_stage``, ``reduced_form``, ``bandwidth`` and the
        shares treated are named properties, and ``conf_int(level)`` inverts the test
        at another level.

    Raises
    ------
    EstimationError
        When the first stage is too weak for a bounded interval.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> score = rng.uniform(-1, 1, 4000)
    >>> took_part = rng.random(4000) < np.where(score >= 0, 0.8, 0.1)
    >>> frame = pd.DataFrame({"score": score, "took_part": took_part.astype(int),
    ...                       "y": 0.3 * score + 0.5 * took_part + rng.normal(0, 0.3, 4000)})
    >>> est = fuzzy_rdd(frame, outcome="y", treatment="took_part", running="score", cutoff=0)
    >>> bool(est.ci_low < 0.5 < est.ci_high), round(est.diagnostics["first_stage"], 1)
    (True, 0.7)
    """
    for column in (outcome, treatment, running):
        if column not in data.columns:
            raise ConfigError(f"fuzzy_rdd: no column '{column}' in the data")
    frame = data[[c for c in dict.fromkeys([outcome, treatment, running, cluster]) if c]].copy()
    frame[treatment] = frame[treatment].astype("float64")
    frame["_sum"] = frame[outcome].astype("float64") + frame[treatment]
    options = {
        "running": running,
        "cutoff": cutoff,
        "kernel": kernel,
        "polynomial": polynomial,
        "conf_level": conf_level,
        "cluster": cluster,
    }
    if bandwidth is None:
        bandwidth = float(rdd(frame, outcome=outcome, **options).diagnostics["bandwidth"])
    reduced = rdd(frame, outcome=outcome, bandwidth=bandwidth, **options)
    first = rdd(frame, outcome=treatment, bandwidth=bandwidth, **options)
    summed = rdd(frame, outcome="_sum", bandwidth=bandwidth, **options)
    z = float(stats.norm.ppf(0.5 + conf_level / 2))

    def covariance(se_sum: float, se_y: float, se_d: float) -> float:
        # Polarisation: var(y + d) = var(y) + 2 cov(y, d) + var(d).
        return (se_sum**2 - se_y**2 - se_d**2) / 2

    if first.effect == 0:
        raise EstimationError("fuzzy_rdd: the share treated does not jump at the cutoff")
    effect = reduced.effect / first.effect
    cov_conventional = covariance(summed.se, reduced.se, first.se)
    variance = reduced.se**2 - 2 * effect * cov_conventional + effect**2 * first.se**2
    se = float(np.sqrt(max(variance, 0.0)) / abs(first.effect))

    a_y = reduced.diagnostics["bias_corrected_effect"]
    a_d = first.diagnostics["bias_corrected_effect"]
    v_y, v_d = reduced.diagnostics["robust_se"] ** 2, first.diagnostics["robust_se"] ** 2
    c_yd = covariance(
        summed.diagnostics["robust_se"],
        reduced.diagnostics["robust_se"],
        first.diagnostics["robust_se"],
    )
    # {b : (a_y - b a_d)^2 <= z^2 (v_y - 2 b c + b^2 v_d)} is a quadratic inequality in b.
    quad_a = a_d**2 - z**2 * v_d
    quad_b = -2 * (a_y * a_d - z**2 * c_yd)
    quad_c = a_y**2 - z**2 * v_y
    if quad_a <= 0:
        raise EstimationError(
            "fuzzy_rdd: the jump in the share treated at the cutoff is not clearly different "
            f"from zero (first stage {first.effect:.3f}, robust 95% CI {first.ci_low:.3f} to "
            f"{first.ci_high:.3f}), so the interval for the effect is unbounded. Widen the "
            "bandwidth or report the reduced form (the effect of crossing the threshold) alone."
        )
    root = np.sqrt(max(quad_b**2 - 4 * quad_a * quad_c, 0.0))
    ci_low, ci_high = (-quad_b - root) / (2 * quad_a), (-quad_b + root) / (2 * quad_a)

    within = (frame[running] - cutoff).abs().le(bandwidth)
    above = frame[running].ge(cutoff)
    share_below = float(frame.loc[within & ~above, treatment].mean())
    share_above = float(frame.loc[within & above, treatment].mean())
    warnings = list(reduced.warnings)
    if first.ci_low < 0.5:
        warnings.append(
            f"The first stage is modest (jump in the share treated {first.effect:.2f}, robust "
            f"CI {first.ci_low:.2f} to {first.ci_high:.2f}): the effect is a ratio with a noisy "
            "denominator, which the test-inversion interval allows for."
        )
    diagnostics = {
        "bandwidth": bandwidth,
        "kernel": kernel,
        "polynomial": polynomial,
        "first_stage": first.effect,
        "first_stage_ci_low": first.ci_low,
        "first_stage_ci_high": first.ci_high,
        "reduced_form": reduced.effect,
        "reduced_form_ci_low": reduced.ci_low,
        "reduced_form_ci_high": reduced.ci_high,
        "share_treated_below": share_below,
        "share_treated_above": share_above,
        "n_below_in_bandwidth": reduced.diagnostics["n_below_in_bandwidth"],
        "n_above_in_bandwidth": reduced.diagnostics["n_above_in_bandwidth"],
        "density_p_value": reduced.diagnostics.get("density_p_value"),
        "interval": "robust bias-corrected test inversion (Anderson-Rubin style)",
    }
    return FuzzyDiscontinuityResult(
        effect=float(effect),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=reduced.p_value,
        n=reduced.n,
        scale=scale,
        method=(
            f"fuzzy regression discontinuity (Wald ratio of local-polynomial jumps, order "
            f"{polynomial}, {kernel} kernel, bandwidth {bandwidth:.3g}), interval by test "
            "inversion of the robust bias-corrected test"
        ),
        estimand=(
            f"effect of {treatment} on {outcome} for units whose treatment follows the "
            f"threshold of {running} at {cutoff:g} (local average treatment effect)"
        ),
        se=se,
        assumptions=(
            f"Without treatment the outcome would change smoothly through {running} = {cutoff:g}.",
            f"{running} cannot be precisely manipulated around the threshold (density test).",
            "Crossing the threshold changes the outcome only by changing treatment "
            "(exclusion), and never makes anyone less likely to be treated (monotonicity).",
        ),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        details={
            "reduced_form": reduced,
            "first_stage": first,
            "bins": reduced.details["bins"],
            "fit": reduced.details["fit"],
            "cutoff": cutoff,
            "running": running,
            # Covariance of the two bias-corrected jumps: conf_int inverts the test again.
            "robust_covariance": c_yd,
        },
        conf_level=conf_level,
        outcome=outcome,
    )
