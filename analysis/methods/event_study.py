"""Event study: dynamic effects relative to the period before treatment, with a pre-trend test.

Relative-time indicators ``D_r`` for ``r = -leads, ..., -2, 0, ..., lags`` (``r`` =
period minus first treated period) are regressed on the outcome with unit and period
effects absorbed (the same exact within transformation as :func:`analysis.methods.did`).
The period before treatment, ``r = -1``, is the reference; the endpoints are binned
(``D_{-leads}`` marks every ``r <= -leads`` and ``D_{lags}`` every ``r >= lags``), so the
model stays identified without never-treated units and distant periods do not leak into
the reference. Standard errors are clustered (CR1, ``G - 1`` degrees of freedom) with the
small-sample correction of :func:`analysis.methods.did`: by default fixest's (absorbed
effects counted unless nested within the clusters), ``small_sample="none"`` for the earlier
convention that counted none.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConfigError, EstimationError
from ..results import EventStudyResult
from ._inference import SMALL_SAMPLE, cluster_small_sample, interval, wald_test
from ._panel import (
    WithinTransformer,
    check_cluster_count,
    check_conf_level,
    codes_of,
    fit_absorbed,
    numeric_column,
    period_numbers,
    require_columns,
    require_complete,
    unit_constant,
)

logger = logging.getLogger(__name__)

__all__ = ["event_study"]

ASSUMPTIONS = (
    "Parallel trends: without treatment, treated and comparison units' outcomes would have "
    "moved in parallel; the pre-period coefficients test this before treatment.",
    "No anticipation: outcomes do not respond before the first treated period.",
    "No spillovers between units.",
    "Effects at each time since treatment are the same for every adoption cohort; with "
    "staggered adoption and cohort-specific effects the coefficients mix cohorts and can be "
    "contaminated by other periods' effects (Sun and Abraham 2021; use staggered_did).",
)


def _check_window(leads: int, lags: int) -> None:
    if not isinstance(leads, int | np.integer) or leads < 2:
        raise ConfigError(
            f"event_study: leads must be a whole number of at least 2 (periods -leads..-2 are "
            f"estimated, -1 is the reference), not {leads!r}; a pre-trend test needs at least "
            "one pre-period coefficient."
        )
    if not isinstance(lags, int | np.integer) or lags < 0:
        raise ConfigError(f"event_study: lags must be a whole number >= 0, not {lags!r}.")


def event_study(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    leads: int = 4,
    lags: int = 4,
    cluster: str | None = None,
    small_sample: str = "nested",
    conf_level: float = 0.95,
) -> EventStudyResult:
    """Dynamic difference-in-differences (event study) with a joint pre-trend test.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    outcome : str
        Outcome column.
    unit, time : str
        Unit and period columns (``time``: month-start dates or whole-number periods).
    first_treated : str
        First treated period of the row's unit, of the same type as ``time``; NaN/NaT for
        never-treated units. Must be the same on every row of a unit.
    leads : int
        Relative periods before treatment: ``-leads..-2`` are estimated (``-leads``
        binned with all earlier periods), ``-1`` is the reference. At least 2.
    lags : int
        Relative periods after treatment: ``0..lags`` (``lags`` binned with all later).
    cluster : str, optional
        Cluster column (defaults to ``unit``).
    small_sample : {"nested", "none", "full"}
        How absorbed effects count in the small-sample factor ``G/(G-1) * (n-1)/(n-K)``
        (see :func:`analysis.methods.did`); ``"nested"`` is fixest's and reghdfe's default.
    conf_level : float
        Confidence level.

    Returns
    -------
    EventStudyResult
        ``effect`` = average of the post-period coefficients ``0..lags`` (difference
        scale); ``details["dynamic"]`` = DataFrame ``rel_time, coef, se, ci_low, ci_high``
        (reference ``-1`` included with coef 0 and NaN se/interval);
        ``diagnostics["pretrend_p_value"]`` and ``diagnostics["pretrend_f"]`` = joint F
        test that every pre-period coefficient is zero (``F(q, G - 1)``); ``table``
        indexed by ``rel_time`` with ``p_value``, ``binned`` and ``n_obs`` as well.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> panel = pd.DataFrame([(u, t) for u in range(60) for t in range(10)], columns=["unit", "t"])
    >>> panel["first"] = np.where(panel["unit"] < 30, 5.0, np.nan)
    >>> panel["y"] = np.where(panel["t"] >= panel["first"], 1.5, 0.0) + rng.normal(0, 0.2, 600)
    >>> est = event_study(panel, outcome="y", unit="unit", time="t", first_treated="first")
    >>> abs(est.effect - 1.5) < 3 * est.se, list(est.details["dynamic"]["rel_time"])
    (True, [-4, -3, -2, -1, 0, 1, 2, 3, 4])
    """
    estimator = "event_study"
    _check_window(leads, lags)
    if small_sample not in SMALL_SAMPLE:
        raise ConfigError(
            f"event_study: small_sample must be one of {', '.join(SMALL_SAMPLE)}, not "
            f"{small_sample!r}."
        )
    check_conf_level(conf_level, estimator=estimator)
    cluster_column = unit if cluster is None else cluster
    require_columns(
        data,
        {
            "outcome": outcome,
            "unit": unit,
            "time": time,
            "first_treated": first_treated,
            "cluster": cluster,
        },
        estimator=estimator,
    )
    require_complete(
        data, list(dict.fromkeys([outcome, unit, time, cluster_column])), estimator=estimator
    )
    y = numeric_column(data, outcome, estimator=estimator)
    periods, first, period_unit, _ = period_numbers(data, time, first_treated, estimator=estimator)
    unit_codes, n_units = codes_of(data[unit])
    time_codes, n_periods = codes_of(data[time])
    unit_constant(data, unit_codes, first, first_treated, estimator=estimator)
    ever = np.isfinite(first)
    if not ever.any():
        raise EstimationError(
            f"event_study: no unit is ever treated ('{first_treated}' is missing everywhere). "
            "Fix: give treated units their first treated period."
        )
    cluster_codes, n_clusters = codes_of(data[cluster_column])
    warnings = check_cluster_count(
        n_clusters,
        inference="cluster",
        estimator=estimator,
        cluster=cluster_column,
        wild_available=False,
    )

    relative = np.where(ever, periods - np.nan_to_num(first), np.nan)
    rel_times = [r for r in range(-leads, lags + 1) if r != -1]
    columns, counts = [], []
    for r in rel_times:
        if r == -leads:
            mask = ever & (relative <= r)
        elif r == lags:
            mask = ever & (relative >= r)
        else:
            mask = ever & (relative == r)
        if not mask.any():
            raise EstimationError(
                f"event_study: no treated unit is observed {abs(r)} {period_unit}(s) "
                f"{'before' if r < 0 else 'after'} treatment (relative time {r}), so its "
                "coefficient cannot be estimated. Fix: reduce leads/lags to the periods the "
                "panel covers."
            )
        columns.append(mask.astype(float))
        counts.append(int(mask.sum()))
    if not (ever & (relative == -1)).any():
        raise EstimationError(
            "event_study: no treated unit is observed in the period before treatment (relative "
            "time -1), the reference period. Fix: include the pre-treatment periods."
        )
    names = [f"rel_time {r}" for r in rel_times]
    transformer = WithinTransformer(unit_codes, time_codes)
    fit = fit_absorbed(
        y, np.column_stack(columns), names, transformer, cluster_codes, estimator=estimator
    )
    df = n_clusters - 1
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
    se = np.sqrt(np.diag(cov))
    rows = []
    for j, r in enumerate(rel_times):
        low, high, p = interval(float(fit.coef[j]), float(se[j]), conf_level, df)
        rows.append(
            {
                "rel_time": r,
                "coef": fit.coef[j],
                "se": se[j],
                "ci_low": low,
                "ci_high": high,
                "p_value": p,
                "binned": r in (-leads, lags),
                "n_obs": counts[j],
            }
        )
    reference = {
        "rel_time": -1,
        "coef": 0.0,
        "se": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p_value": np.nan,
        "binned": False,
        "n_obs": int((ever & (relative == -1)).sum()),
    }
    table = pd.DataFrame([*rows, reference]).sort_values("rel_time").set_index("rel_time")
    table["n_obs"] = table["n_obs"].astype(int)

    pre = np.array([r < -1 for r in rel_times])
    post = ~pre
    wald, q = wald_test(fit.coef[pre], cov[np.ix_(pre, pre)])
    f_stat = wald / q
    pretrend_p = float(stats.f.sf(f_stat, q, df))
    weights = post / post.sum()
    effect = float(weights @ fit.coef)
    effect_se = float(np.sqrt(weights @ cov @ weights))
    ci_low, ci_high, p_value = interval(effect, effect_se, conf_level, df)

    cohorts = pd.unique(first[ever])
    if len(cohorts) > 1:
        warnings.append(
            f"{len(cohorts)} adoption cohorts: with staggered adoption, event-study coefficients "
            "can mix cohorts and borrow from other periods' effects when effects differ by "
            "cohort (Sun and Abraham 2021). Compare with staggered_did."
        )
    if pretrend_p < 0.05:
        warnings.append(
            f"Pre-period coefficients differ jointly from zero (F = {f_stat:.2f}, "
            f"p = {pretrend_p:.3f}): parallel trends is in doubt."
        )
    dynamic = table.reset_index()[["rel_time", "coef", "se", "ci_low", "ci_high"]]
    dynamic["rel_time"] = dynamic["rel_time"].astype(int)
    diagnostics = {
        "pretrend_p_value": pretrend_p,
        "pretrend_f": f_stat,
        "pretrend_df": q,
        "pretrend_df_denominator": df,
        "df": df,
        "n_obs": fit.n_obs,
        "n_units": n_units,
        "n_periods": n_periods,
        "n_treated_units": int(pd.Series(unit_codes[ever]).nunique()),
        "n_cohorts": len(cohorts),
        "n_clusters": n_clusters,
        "cluster": cluster_column,
        "leads": int(leads),
        "lags": int(lags),
        "period_unit": period_unit,
        "covariance": small.text,
        "small_sample": small.convention,
        "small_sample_k": small.k,
        "within_method": transformer.method,
    }
    logger.info(
        "event_study: %s, average post effect %.4g, pre-trend p %.3g", outcome, effect, pretrend_p
    )
    return EventStudyResult(
        effect=effect,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        n=n_units,
        scale="difference",
        method="event study (two-way fixed effects, binned endpoints)",
        estimand=(
            f"average effect on {outcome} after treatment (mean of the event-study "
            f"coefficients for {period_unit}s 0 to {lags}, the last binned with later ones)"
        ),
        se=effect_se,
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details={"dynamic": dynamic},
        conf_level=conf_level,
        outcome=outcome,
    )
