"""Two-way fixed-effects difference-in-differences with absorbed unit and period effects.

The unit and period effects are removed by the exact within transformation
(:class:`analysis.methods._panel.WithinTransformer`), never by dummy columns, so a
million-row panel takes about a second and well under a gigabyte.

Small-sample corrections (stated in every result's ``diagnostics["covariance"]``):

- ``inference="cluster"`` (default, clustered by ``unit`` unless ``cluster`` is given):
  CR1, ``V = G/(G-1) * (n-1)/(n-K) * (X'X)^-1 (sum_g s_g s_g') (X'X)^-1`` on the
  within-transformed data, with intervals and p-values from the t distribution with
  ``G - 1`` degrees of freedom. ``K`` follows fixest's default small-sample correction
  (``ssc(fixef.K = "nested")``, also how reghdfe counts): the estimated coefficients plus
  every absorbed effect *not nested within the clusters*, so a unit-by-period panel
  clustered by unit has ``K = k + T``. It matches pyfixest's ``feols(..., vcov={"CRV1":
  cluster})`` to machine precision (``tests/methods/test_did.py``). The convention is
  chosen by ``small_sample``: ``"none"`` (``K = k``, absorbed effects not counted: Stata's
  ``xtreg, fe vce(cluster)`` and this estimator's convention before the fixest default;
  equal to linearmodels' ``debiased=True, group_debias=True, count_effects=False``) or
  ``"full"`` (every absorbed effect counted, as ``areg``). The result says which in
  ``diagnostics["small_sample"]`` and ``diagnostics["covariance"]``.
- ``inference="robust"``: HC1, ``n/(n-k-a)`` with the absorbed effects counted
  (linearmodels' default for ``cov_type="robust"``); t with ``n-k-a`` degrees of
  freedom. It ignores serial correlation and is rarely right for panels.
- ``inference="wild"``: restricted wild cluster bootstrap-t (null imposed; Webb
  six-point weights below 12 clusters, Rademacher otherwise). The p-value is the
  symmetric bootstrap-t p-value; the interval is found by test inversion. ``se`` is
  still the CR1 standard error.

Cluster-count rules: one cluster is always an error; clustered (CR1) inference needs at
least 10 clusters (error suggesting ``inference="wild"`` below that) and carries a
warning below 30; the wild bootstrap needs at least 4 clusters; fewer than 3 treated
clusters gives a warning for every clustered inference (MacKinnon and Webb 2017).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError, EstimationError
from ..results import PanelRegressionResult
from ._inference import SMALL_SAMPLE, cluster_small_sample, interval, wild_cluster_bootstrap
from ._panel import (
    WARN_TREATED_CLUSTERS,
    WithinTransformer,
    binary_column,
    check_cluster_count,
    check_conf_level,
    codes_of,
    fit_absorbed,
    numeric_column,
    require_columns,
    require_complete,
)

logger = logging.getLogger(__name__)

__all__ = ["did"]

_INFERENCE = ("cluster", "robust", "wild")
#: The wild bootstrap needs one within transformation per cluster; above this, use "cluster".
MAX_WILD_CLUSTERS = 1000

HC1_TEXT = "HC1: n/(n-k-a), a = absorbed unit and period effects"

ASSUMPTIONS = (
    "Parallel trends: without treatment, the outcomes of treated and comparison units would "
    "have moved in parallel (after unit and period effects).",
    "No anticipation: outcomes do not respond before treatment starts.",
    "No spillovers: one unit's treatment does not change another unit's outcome.",
    "The effect is the same for every adoption cohort and does not change with time since "
    "treatment; otherwise two-way fixed effects averages effects with weights that can be "
    "negative under staggered adoption (use staggered_did).",
)


def _as_list(covariates: str | Sequence[str] | None) -> list[str]:
    if covariates is None:
        return []
    if isinstance(covariates, str):
        return [covariates]
    return list(covariates)


def did(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    cluster: str | None = None,
    weights: str | None = None,
    covariates: str | Sequence[str] | None = None,
    inference: str = "cluster",
    small_sample: str = "nested",
    conf_level: float = 0.95,
    n_boot: int = 999,
    seed: int = 0,
) -> PanelRegressionResult:
    """Difference-in-differences by two-way fixed effects (unit and period effects absorbed).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel: one row per unit and period (unbalanced panels and repeated rows are
        fine).
    outcome : str
        Outcome column (numeric).
    treatment : str
        0/1 column marking treated unit-periods.
    unit, time : str
        Unit and period identifier columns; their effects are absorbed.
    cluster : str, optional
        Cluster column for the standard errors; defaults to ``unit``.
    weights : str, optional
        Column of positive weights (weighted least squares).
    covariates : str or list of str, optional
        Time-varying numeric covariates.
    inference : {"cluster", "robust", "wild"}
        Clustered CR1 (default), heteroskedasticity-robust HC1, or the wild cluster
        bootstrap for few clusters. See the module notes for the corrections.
    small_sample : {"nested", "none", "full"}
        How absorbed effects count in the clustered small-sample factor
        ``G/(G-1) * (n-1)/(n-K)``: ``"nested"`` (default, as fixest and reghdfe: counted
        unless nested within the clusters), ``"none"`` (not counted) or ``"full"`` (all
        counted). Ignored by ``inference="robust"``.
    conf_level : float
        Confidence level of the interval.
    n_boot : int
        Bootstrap draws for ``inference="wild"``.
    seed : int
        Random seed for the wild bootstrap.

    Returns
    -------
    PanelRegressionResult
        ``effect`` = coefficient of ``treatment`` on the ``"difference"`` scale (outcome
        units); ``table`` holds every coefficient (``coef, se, ci_low, ci_high,
        p_value``); ``n`` = number of units.

    Raises
    ------
    ConfigError
        Unknown column or option.
    EstimationError
        Missing values, a treatment with no variation once effects are absorbed (no
        treated units, everyone treated at the same time), or too few clusters.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> panel = pd.DataFrame(
    ...     [(u, t) for u in range(40) for t in range(6)], columns=["unit", "month"]
    ... )
    >>> panel["treated"] = ((panel["unit"] < 20) & (panel["month"] >= 3)).astype(int)
    >>> panel["y"] = 2.0 * panel["treated"] + panel["unit"] % 5 + rng.normal(0, 0.2, len(panel))
    >>> est = did(panel, outcome="y", treatment="treated", unit="unit", time="month")
    >>> abs(est.effect - 2.0) < 3 * est.se, est.scale, est.n  # the planted effect is 2
    (True, 'difference', 40)
    """
    estimator = "did"
    covariate_names = _as_list(covariates)
    cluster_column = unit if cluster is None else cluster
    if inference not in _INFERENCE:
        raise ConfigError(
            f"did: inference must be one of {', '.join(_INFERENCE)}, not {inference!r}."
        )
    if small_sample not in SMALL_SAMPLE:
        raise ConfigError(
            f"did: small_sample must be one of {', '.join(SMALL_SAMPLE)}, not {small_sample!r}."
        )
    check_conf_level(conf_level, estimator=estimator)
    if inference == "wild" and (not isinstance(n_boot, int | np.integer) or n_boot < 99):
        raise ConfigError(f"did: n_boot must be a whole number of at least 99, not {n_boot!r}.")
    require_columns(
        data,
        {
            "outcome": outcome,
            "treatment": treatment,
            "unit": unit,
            "time": time,
            "cluster": cluster,
            "weights": weights,
            "covariates": covariate_names,
        },
        estimator=estimator,
    )
    used = [outcome, treatment, unit, time, *covariate_names]
    if cluster is not None:
        used.append(cluster)
    if weights is not None:
        used.append(weights)
    require_complete(data, list(dict.fromkeys(used)), estimator=estimator)

    y = numeric_column(data, outcome, estimator=estimator)
    d = binary_column(data, treatment, estimator=estimator)
    if d.min() == d.max():
        state = "treated" if d[0] == 1 else "untreated"
        raise EstimationError(
            f"did: every row of '{treatment}' is {state}, so there is no "
            f"{'comparison' if state == 'treated' else 'treated'} group to contrast. Fix: "
            "include both treated unit-periods and comparison unit-periods."
        )
    z = np.column_stack(
        [np.empty((len(y), 0))]
        + [numeric_column(data, c, estimator=estimator) for c in covariate_names]
    )
    w = None
    if weights is not None:
        w = numeric_column(data, weights, estimator=estimator)
        if (w <= 0).any():
            raise EstimationError(
                f"did: weights column '{weights}' must be positive; {int((w <= 0).sum())} "
                "row(s) are zero or negative. Fix: drop those rows or correct the weights."
            )
    unit_codes, n_units = codes_of(data[unit])
    time_codes, n_periods = codes_of(data[time])
    if cluster_column == unit:
        cluster_codes, n_clusters = unit_codes, n_units
    else:
        cluster_codes, n_clusters = codes_of(data[cluster_column])

    warnings: list[str] = []
    if inference in ("cluster", "wild"):
        warnings += check_cluster_count(
            n_clusters, inference=inference, estimator=estimator, cluster=cluster_column
        )
        if inference == "wild" and n_clusters > MAX_WILD_CLUSTERS:
            raise ConfigError(
                f"did: the wild cluster bootstrap is meant for few clusters; with {n_clusters} "
                "clusters use inference='cluster', which is reliable there."
            )

    transformer = WithinTransformer(unit_codes, time_codes, w)
    regressors = np.column_stack([d, z])
    names = [treatment, *covariate_names]
    fit = fit_absorbed(
        y,
        regressors,
        names,
        transformer,
        cluster_codes if inference != "robust" else None,
        estimator=estimator,
    )

    treated_rows = d == 1
    n_treated_clusters = int(
        (np.bincount(cluster_codes[treated_rows], minlength=n_clusters) > 0).sum()
    )
    if inference != "robust" and n_treated_clusters < WARN_TREATED_CLUSTERS:
        warnings.append(
            f"Only {n_treated_clusters} treated cluster(s): clustered and wild bootstrap "
            "inference are unreliable with so few treated clusters; read the interval as "
            "indicative only."
        )
    first_treated_time = np.full(n_units, n_periods)
    np.minimum.at(first_treated_time, unit_codes[treated_rows], time_codes[treated_rows])
    last_untreated_time = np.full(n_units, -1)
    np.maximum.at(last_untreated_time, unit_codes[~treated_rows], time_codes[~treated_rows])
    ever_treated = first_treated_time < n_periods
    if len(np.unique(first_treated_time[ever_treated])) > 1:
        warnings.append(
            "Treatment starts at different times for different units (staggered adoption): "
            "two-way fixed effects is biased if effects differ by cohort or grow with time "
            "since treatment. Compare with staggered_did."
        )
    switch_off = int((last_untreated_time[ever_treated] > first_treated_time[ever_treated]).sum())
    if switch_off:
        warnings.append(
            f"Treatment switches off for {switch_off} unit(s); the estimate then also assumes "
            "effects stop when treatment stops."
        )
    if inference == "robust":
        warnings.append(
            "Heteroskedasticity-robust standard errors ignore correlation within units over "
            "time; in panels they are usually too small. Prefer inference='cluster'."
        )

    small = None
    if inference == "robust":
        cov = fit.cov_robust
    else:
        small = cluster_small_sample(
            small_sample,
            n_obs=fit.n_obs,
            n_coef=len(names),
            n_clusters=n_clusters,
            n_absorbed=fit.n_absorbed,
            effects={unit: unit_codes, time: time_codes},
            cluster_codes=cluster_codes,
            estimator=estimator,
        )
        # fit_absorbed scales by its own CR1 factor; swap it for the chosen convention's.
        cov = fit.cov_cluster / fit.cluster_correction * small.factor
    df = fit.df_resid if inference == "robust" else n_clusters - 1
    se_all = np.sqrt(np.diag(cov))
    bounds = np.array(
        [interval(float(fit.coef[j]), float(se_all[j]), conf_level, df) for j in range(len(names))]
    )
    table = pd.DataFrame(
        {
            "coef": fit.coef,
            "se": se_all,
            "ci_low": bounds[:, 0],
            "ci_high": bounds[:, 1],
            "p_value": bounds[:, 2],
        },
        index=pd.Index(names, name="term"),
    )
    effect = float(fit.coef[0])
    se = float(se_all[0])
    ci_low, ci_high, p_value = (float(v) for v in bounds[0])

    diagnostics: dict[str, object] = {
        "n_obs": fit.n_obs,
        "n_units": n_units,
        "n_periods": n_periods,
        "n_treated_units": int(ever_treated.sum()),
        "n_clusters": n_clusters if inference != "robust" else None,
        "n_treated_clusters": n_treated_clusters if inference != "robust" else None,
        "cluster": cluster_column if inference != "robust" else None,
        "inference": inference,
        "covariance": HC1_TEXT if small is None else small.text,
        "small_sample": None if small is None else small.convention,
        "small_sample_k": None if small is None else small.k,
        "df": df,
        "absorbed_effects": fit.n_absorbed,
        "within_r2": fit.r2_within,
        "balanced": transformer.balanced,
        "within_method": transformer.method,
        "weighted": weights is not None,
    }
    method = "two-way fixed effects difference-in-differences"
    if inference == "wild":
        x, y_part, residualise = _partial_out(fit, 0)
        result = wild_cluster_bootstrap(
            x,
            y_part,
            cluster_codes,
            residualise,
            se=se,
            correction=small.factor,
            conf_level=conf_level,
            n_boot=n_boot,
            seed=seed,
        )
        ci_low, ci_high, p_value = result.ci_low, result.ci_high, result.p_value
        diagnostics.update(
            bootstrap="restricted wild cluster bootstrap-t (null imposed), interval by test "
            "inversion",
            bootstrap_weights=result.weights,
            bootstrap_draws=result.n_draws,
            bootstrap_enumerated=result.enumerated,
            analytic_ci_low=float(bounds[0, 0]),
            analytic_ci_high=float(bounds[0, 1]),
        )
        method += " (wild cluster bootstrap)"
    label = "clustered by " + cluster_column if inference != "robust" else "robust"
    logger.info("did: %s on %s rows, effect %.4g (se %.3g, %s)", outcome, len(y), effect, se, label)
    return PanelRegressionResult(
        effect=effect,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=float(p_value),
        n=n_units,
        scale="difference",
        method=method,
        estimand=(
            f"average effect of '{treatment}' on {outcome} in treated unit-periods "
            "(two-way fixed effects)"
        ),
        se=se,
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details={},
        conf_level=conf_level,
        outcome=outcome,
    )


def _partial_out(fit, index: int):
    """Regressor ``index`` and the outcome with every other model term partialled out."""
    others = [j for j in range(fit.x_star.shape[1]) if j != index]
    x = fit.x_star[:, index]
    y = fit.y_star
    if not others:
        return x, y, fit.residualise_star
    z = fit.x_star[:, others]
    solve = np.linalg.pinv(z)

    def residualise(matrix: np.ndarray) -> np.ndarray:
        within = fit.residualise_star(matrix)
        return within - z @ (solve @ within)

    return x - z @ (solve @ x), y - z @ (solve @ y), residualise
