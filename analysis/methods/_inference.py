"""Inference helpers shared by the panel estimators.

t intervals, the small-sample correction of clustered standard errors, and the wild cluster
bootstrap.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..errors import ConfigError, EstimationError
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


#: How absorbed effects enter ``K`` in the clustered small-sample factor (fixest's ``fixef.K``).
SMALL_SAMPLE = ("nested", "none", "full")


@dataclass(frozen=True)
class SmallSample:
    """The clustered (CR1) small-sample factor ``G/(G-1) * (n-1)/(n-K)`` and how ``K`` was counted.

    Attributes
    ----------
    convention : str
        ``"nested"``, ``"none"`` or ``"full"`` (see :func:`cluster_small_sample`).
    factor : float
        The factor the raw cluster sandwich is multiplied by.
    k : int
        Parameters counted in ``K``: estimated coefficients plus the absorbed effects the
        convention counts.
    nested : tuple of str
        Absorbed effects found nested within the clusters (not counted under ``"nested"``).
    text : str
        The formula in words, for ``diagnostics["covariance"]``.
    """

    convention: str
    factor: float
    k: int
    nested: tuple[str, ...]
    text: str


def nested_within(effect_codes: np.ndarray, cluster_codes: np.ndarray) -> bool:
    """Whether every level of an absorbed effect lies inside a single cluster.

    Examples
    --------
    >>> import numpy as np
    >>> units = np.array([0, 0, 1, 1, 2, 2]); areas = np.array([0, 0, 0, 0, 1, 1])
    >>> nested_within(units, areas), nested_within(areas, units)
    (True, False)
    """
    n_clusters = int(cluster_codes.max()) + 1
    pairs = np.unique(effect_codes.astype(np.int64) * n_clusters + cluster_codes)
    return len(pairs) == len(np.unique(effect_codes))


def cluster_small_sample(
    convention: str,
    *,
    n_obs: int,
    n_coef: int,
    n_clusters: int,
    n_absorbed: int,
    effects: dict[str, np.ndarray],
    cluster_codes: np.ndarray,
    estimator: str,
) -> SmallSample:
    """Small-sample factor of clustered standard errors, counting absorbed effects as asked.

    The factor is ``G/(G-1) * (n-1)/(n-K)``; conventions differ only in ``K``:

    - ``"nested"`` (default of the estimators; fixest's default ``ssc(fixef.K = "nested")``,
      and how reghdfe treats effects nested within the clusters): ``K`` counts the
      coefficients and every absorbed effect except those nested within the clusters. A
      cluster-level effect adds nothing to the cluster sandwich, so counting it would only
      shrink ``n - K``; an effect that cuts across clusters (periods, when clustering by
      unit) does use up degrees of freedom. As in fixest, a nested set of effects gives back
      one parameter (the intercept it had absorbed): a unit-by-period panel clustered by unit
      has ``K = k + T``.
    - ``"none"``: ``K = k``, the absorbed effects not counted (Stata's ``xtreg, fe
      vce(cluster)``; linearmodels' ``debiased=True, group_debias=True,
      count_effects=False``). The estimators' convention before the fixest default.
    - ``"full"``: ``K = k + a``, every absorbed effect counted (fixest's ``fixef.K = "full"``,
      Stata's ``areg``).

    ``n_absorbed`` is the exact number of absorbed parameters (levels less redundancies).

    Examples
    --------
    >>> import numpy as np
    >>> unit = np.repeat(np.arange(50), 4); period = np.tile(np.arange(4), 50)
    >>> ss = cluster_small_sample("nested", n_obs=200, n_coef=1, n_clusters=50, n_absorbed=53,
    ...     effects={"unit": unit, "period": period}, cluster_codes=unit, estimator="did")
    >>> ss.k, ss.nested, round(ss.factor, 6) == round(50 / 49 * 199 / 195, 6)
    (5, ('unit',), True)
    """
    if convention not in SMALL_SAMPLE:
        raise ConfigError(
            f"{estimator}: small_sample must be one of {', '.join(SMALL_SAMPLE)}, not "
            f"{convention!r}. 'nested' is fixest's and reghdfe's default."
        )
    nested = tuple(name for name, codes in effects.items() if nested_within(codes, cluster_codes))
    if convention == "none":
        k = n_coef
        text = "absorbed effects not counted"
    elif convention == "full":
        k = n_coef + n_absorbed
        text = "every absorbed effect counted"
    else:
        nested_levels = sum(len(np.unique(effects[name])) for name in nested)
        k = n_coef + n_absorbed - nested_levels + len(nested)
        shown = ", ".join(nested) if nested else "none"
        text = f"absorbed effects counted unless nested within the clusters; nested: {shown}"
    if n_obs - k <= 0:
        raise EstimationError(
            f"{estimator}: no residual degrees of freedom for the small-sample correction "
            f"({n_obs} rows, K = {k}). Fix: use a longer panel, fewer covariates, or "
            "small_sample='none'."
        )
    factor = n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - k)
    return SmallSample(
        convention=convention,
        factor=factor,
        k=int(k),
        nested=nested,
        text=f"CR1: G/(G-1) x (n-1)/(n-K), K = {k} ({convention}: {text})",
    )


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
