"""Inference helpers shared by the panel estimators: t intervals and the wild cluster bootstrap."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..errors import EstimationError
from ._panel import _group_sums

#: Webb's six-point weights: more distinct bootstrap samples than Rademacher's two points
#: when there are few clusters (Webb 2023, "Reworking wild bootstrap-based inference for
#: clustered errors").
WEBB_WEIGHTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
#: Below this many clusters Webb weights replace Rademacher weights.
WEBB_BELOW = 12


def interval(
    coef: float, se: float, conf_level: float, df: float | None = None
) -> tuple[float, float, float]:
    """Wald interval and two-sided p-value (t with ``df`` degrees of freedom, else normal)."""
    stat = abs(coef / se)
    if df is None:
        crit = float(stats.norm.ppf(0.5 + conf_level / 2))
        p_value = float(2 * stats.norm.sf(stat))
    else:
        crit = float(stats.t.ppf(0.5 + conf_level / 2, df))
        p_value = float(2 * stats.t.sf(stat, df))
    return coef - crit * se, coef + crit * se, p_value


def wald_test(coef: np.ndarray, cov: np.ndarray) -> tuple[float, int]:
    """Wald statistic ``b' V^+ b`` and its degrees of freedom (rank of ``V``)."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    keep = values > values.max() * 1e-10
    projected = vectors[:, keep].T @ coef
    return float(np.sum(projected**2 / values[keep])), int(keep.sum())


@dataclass(frozen=True)
class WildResult:
    """Wild cluster bootstrap-t results for one coefficient."""

    p_value: float
    ci_low: float
    ci_high: float
    weights: str
    n_draws: int
    enumerated: bool


def _draws(n_clusters: int, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, str, bool]:
    if n_clusters < WEBB_BELOW:
        support, name = WEBB_WEIGHTS, "Webb six-point"
    else:
        support, name = np.array([-1.0, 1.0]), "Rademacher"
    if len(support) ** n_clusters <= n_boot:
        draws = np.array(list(itertools.product(support, repeat=n_clusters)))
        return draws, name, True
    return rng.choice(support, size=(n_boot, n_clusters)), name, False


def wild_cluster_bootstrap(
    x: np.ndarray,
    y: np.ndarray,
    cluster_codes: np.ndarray,
    residualise: Callable[[np.ndarray], np.ndarray],
    *,
    se: float,
    correction: float,
    conf_level: float,
    n_boot: int,
    seed: int,
    chunk: int = 64,
) -> WildResult:
    """Restricted wild cluster bootstrap-t (WCR) for the coefficient of ``x``.

    ``x`` and ``y`` are the regressor of interest and the outcome after every other
    term of the model (absorbed effects, other regressors) has been partialled out;
    ``residualise`` applies that same partialling-out to a matrix. The null
    ``beta = b0`` is imposed on the bootstrap data-generating process; the p-value
    is the share of bootstrap ``|t*|`` at least ``|t|`` (symmetric), and the interval
    is found by test inversion: the values ``b0`` not rejected at ``1 - conf_level``.
    Every bootstrap t statistic is an explicit function of ``b0`` (Roodman, Nielsen,
    MacKinnon and Webb 2019, "Fast and wild"), so inversion costs no re-estimation.
    """
    n_clusters = int(cluster_codes.max()) + 1
    xx = float(x @ x)
    beta = float(x @ y) / xx
    c_y = np.bincount(cluster_codes, weights=x * y, minlength=n_clusters)
    c_x = np.bincount(cluster_codes, weights=x * x, minlength=n_clusters)
    # A[h, g]: cluster h's share of x' P(v_g u_g) where P projects on the partialled-out terms.
    a_y = np.empty((n_clusters, n_clusters))
    a_x = np.empty((n_clusters, n_clusters))
    for start in range(0, n_clusters, chunk):
        block = np.arange(start, min(start + chunk, n_clusters))
        indicator = (cluster_codes[:, None] == block[None, :]).astype(float)
        raw = np.hstack([indicator * y[:, None], indicator * x[:, None]])
        projected = raw - residualise(raw)
        sums = _group_sums(cluster_codes, projected * x[:, None], n_clusters)
        a_y[:, block] = sums[:, : len(block)]
        a_x[:, block] = sums[:, len(block) :]
    rng = np.random.default_rng(seed)
    v, weight_name, enumerated = _draws(n_clusters, n_boot, rng)
    vc_y, vc_x = v @ c_y, v @ c_x
    s_y = v * c_y - v @ a_y.T - np.outer(vc_y / xx, c_x)
    s_x = v * c_x - v @ a_x.T - np.outer(vc_x / xx, c_x)
    q_yy = np.sum(s_y * s_y, axis=1)
    q_xy = np.sum(s_y * s_x, axis=1)
    q_xx = np.sum(s_x * s_x, axis=1)

    def p_value(b0: float) -> float:
        numerator = (vc_y - b0 * vc_x) / xx
        variance = correction * (q_yy - 2 * b0 * q_xy + b0 * b0 * q_xx) / xx**2
        with np.errstate(divide="ignore", invalid="ignore"):
            t_star = np.abs(numerator) / np.sqrt(np.maximum(variance, 0))
        t_star = np.nan_to_num(t_star, nan=0.0, posinf=np.inf)
        t_obs = abs(beta - b0) / se
        return float(np.mean(t_star >= t_obs * (1 - 1e-12)))

    alpha = 1 - conf_level

    def endpoint(direction: float) -> float:
        inside, step = beta, se
        outside = beta + direction * step
        while p_value(outside) > alpha:
            inside, step = outside, step * 2
            outside = beta + direction * step
            if step > 1e4 * se:
                raise EstimationError(
                    "The wild cluster bootstrap interval is unbounded: there are too few "
                    "clusters (or treated clusters) for the data to bound the effect. Fix: "
                    "collect data on more clusters, or report the estimate descriptively."
                )
        for _ in range(60):
            middle = (inside + outside) / 2
            if p_value(middle) > alpha:
                inside = middle
            else:
                outside = middle
            if abs(outside - inside) < 1e-9 * se:
                break
        return (inside + outside) / 2

    return WildResult(
        p_value=p_value(0.0),
        ci_low=endpoint(-1.0),
        ci_high=endpoint(1.0),
        weights=weight_name,
        n_draws=len(v),
        enumerated=enumerated,
    )
