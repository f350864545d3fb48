"""Stacked event study: one sub-experiment per event date, each with its own clean controls.

Operations that come round again (surge weeks, days of action) treat different areas at
different dates. A single two-way fixed-effects regression over all of them uses areas
treated earlier as controls for later ones and mixes the periods' effects. The stacked
design (Cengiz, Dube, Lindner and Zipperer 2019; Baker, Larcker and Wang 2022) instead
builds, for each event date ``e``, a sub-experiment of

- the units treated at ``e`` (the treated), and
- the units with no event anywhere in the window around ``e`` (the *clean controls*),
  less any the analyst names as exposed (for example the neighbours of the treated, where
  displacement would contaminate them),

over periods ``e - leads`` to ``e + lags``, optionally leaving out the ``exclude_before``
periods just before ``e`` (a selection window: areas chosen for a recent spike would
otherwise bring the fall back from the spike into the estimate). The sub-experiments are
stacked and one regression is fitted with unit-by-stack and period-by-stack effects
absorbed, so each treated unit is compared only with its own stack's controls in its own
stack's periods:

``y = a[unit, stack] + b[period, stack] + effect * treated * post + error``.

The pooled ``effect`` is the average effect over the post periods ``0..lags`` (weighted
by the stacks' treated-unit-periods). The event-time version replaces ``treated * post``
by one indicator per period relative to the event (reference: the last pre-period kept),
whose pre-period coefficients give a joint test of parallel pre-trends. Standard errors
are clustered on the original unit (a unit may appear in several stacks), with the
small-sample factor ``G/(G-1) * (n-1)/(n-k)`` counting every absorbed effect in ``k``: the
figures a regression with the dummies written out gives (statsmodels ``OLS`` with
``cov_type="cluster"``), which the tests check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConfigError, EstimationError
from ..results import Estimate
from ._inference import interval, wald_test
from ._panel import (
    WithinTransformer,
    check_cluster_count,
    check_conf_level,
    codes_of,
    fit_absorbed,
    numeric_column,
    require_columns,
    require_complete,
)

__all__ = ["stack_events", "stacked_event_study"]

ESTIMATOR = "stacked_event_study"

ASSUMPTIONS = (
    "Parallel trends within each sub-experiment: without the event, treated and clean "
    "control units would have moved in parallel over the event's window.",
    "No anticipation outside the periods left out before each event.",
    "No spillovers onto the clean controls (name exposed units in exclude_controls).",
    "Each event's treated units are not treated again within the window.",
)


def _pretrend_contrasts(coef: np.ndarray, cov: np.ndarray, times: np.ndarray, df: int) -> float:
    """Bonferroni p-value of two one-degree-of-freedom tests on the pre-period coefficients.

    The level (their mean) and the slope (their least-squares trend in event time). A joint
    Wald test of every pre-period coefficient estimates a many-by-many cluster-robust
    covariance from few treated clusters and over-rejects badly when there are few of them;
    two single contrasts keep close to their nominal size and still catch a level shift
    (a spike before the events) or a diverging trend.
    """
    contrasts = [np.full(len(coef), 1 / len(coef))]
    if len(coef) >= 3:
        centred = times - times.mean()
        contrasts.append(centred / np.sum(centred**2))
    p_values = []
    for weights in contrasts:
        value = float(weights @ coef)
        se = float(np.sqrt(weights @ cov @ weights))
        p_values.append(float(2 * stats.t.sf(abs(value) / se, df)) if se > 0 else 1.0)
    return min(1.0, len(p_values) * min(p_values))


def _period_numbers(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Number the distinct periods 0, 1, ... in order (the panel's regular grid)."""
    ordered = pd.Index(np.sort(values.unique()))
    return ordered.get_indexer(values), ordered


def stack_events(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    events: pd.DataFrame,
    leads: int,
    lags: int,
    exclude_before: int = 0,
    exclude_controls: Mapping[Any, Iterable[Any]] | None = None,
) -> pd.DataFrame:
    """The stacked data: one copy of each sub-experiment's rows, with its labels.

    Parameters
    ----------
    data, unit, time, events, leads, lags, exclude_before, exclude_controls
        As for :func:`stacked_event_study`.

    Returns
    -------
    pandas.DataFrame
        The rows of ``data`` in each sub-experiment, plus ``stack`` (the event's time),
        ``event_time`` (periods from the event), ``treated`` (1 for the event's treated
        units) and ``post`` (1 from the event on).

    Examples
    --------
    >>> panel = pd.DataFrame({"area": np.repeat(["a", "b", "c"], 6), "week": list(range(6)) * 3,
    ...                       "y": 1.0})
    >>> events = pd.DataFrame({"area": ["a"], "week": [3]})
    >>> stacked = stack_events(panel, unit="area", time="week", events=events, leads=2, lags=1)
    >>> stacked.groupby("area")["event_time"].agg(["min", "max"]).to_dict("list")
    {'min': [-2, -2, -2], 'max': [1, 1, 1]}
    """
    if not isinstance(leads, int | np.integer) or leads < 1:
        raise ConfigError(
            f"{ESTIMATOR}: leads must be a whole number of at least 1, not {leads!r}."
        )
    if not isinstance(lags, int | np.integer) or lags < 0:
        raise ConfigError(f"{ESTIMATOR}: lags must be a whole number >= 0, not {lags!r}.")
    if not isinstance(exclude_before, int | np.integer) or not 0 <= exclude_before < leads:
        raise ConfigError(
            f"{ESTIMATOR}: exclude_before must be a whole number from 0 to leads - 1 "
            f"({leads - 1}), not {exclude_before!r}: at least one pre-period must stay."
        )
    missing = [c for c in (unit, time) if c not in events.columns]
    if missing:
        raise ConfigError(
            f"{ESTIMATOR}: events must have the columns {unit!r} and {time!r} (one row per "
            f"treated unit and event); missing {missing}."
        )
    period, ordered = _period_numbers(data[time])
    event_period = ordered.get_indexer(events[time])
    if (event_period < 0).any():
        unknown = events.loc[event_period < 0, time].head(3).tolist()
        raise ConfigError(
            f"{ESTIMATOR}: event time(s) {unknown} are not periods of '{time}' in the data. "
            "Fix: give event times on the panel's own grid (e.g. the Monday of the week)."
        )
    all_units = set(data[unit].drop_duplicates())
    unknown_units = sorted(set(events[unit]) - all_units, key=str)
    if unknown_units:
        raise ConfigError(
            f"{ESTIMATOR}: treated unit(s) {unknown_units[:5]} are not values of '{unit}'."
        )
    frame = data.assign(_period=period)
    event_list = events.assign(_period=event_period)
    exposed = {key: set(units) for key, units in (exclude_controls or {}).items()}
    # Rows are picked by a lookup on each unit's code and the stacks taken in one go: masking
    # and copying the whole panel once per event, and building a set of every row's unit,
    # was two thirds of the estimator's time on a force's weekly panel.
    unit_codes, unit_values = pd.factorize(frame[unit], use_na_sentinel=False)
    unit_index = pd.Index(unit_values)
    rows, events_of_rows, treated_of_rows = [], [], []
    for e, group in event_list.groupby("_period", sort=True):
        first, last = e - leads, e + lags
        if first < 0 or last > len(ordered) - 1:
            raise EstimationError(
                f"{ESTIMATOR}: the event at {ordered[e]} needs periods {leads} before and "
                f"{lags} after it, but the panel runs from {ordered[0]} to {ordered[-1]}. "
                "Fix: shorten leads or lags, or leave that event out."
            )
        treated_units = set(group[unit])
        # Clean controls: no event of their own in this window (nor in a window that
        # overlaps it), and not named as exposed to this event.
        busy = event_list[
            (event_list["_period"] >= first - lags) & (event_list["_period"] <= last + leads)
        ][unit]
        controls = all_units - set(busy) - exposed.get(ordered[e], set())
        if not controls:
            raise EstimationError(
                f"{ESTIMATOR}: the event at {ordered[e]} has no clean control units (every unit "
                "has an event in its window or is excluded). Fix: shorten the window."
            )
        in_stack = unit_index.isin(list(treated_units | controls))[unit_codes]
        in_window = (period >= first) & (period <= last)
        left_out = (period >= e - exclude_before) & (period <= e - 1)
        kept = np.flatnonzero(in_stack & in_window & ~left_out)
        rows.append(kept)
        events_of_rows.append(np.full(kept.size, e))
        treated_of_rows.append(unit_index.isin(list(treated_units))[unit_codes[kept]])
    taken = np.concatenate(rows)
    stack_period = np.concatenate(events_of_rows)
    stacked = frame.take(taken).reset_index(drop=True)
    stacked["stack"] = ordered.take(stack_period)
    stacked["event_time"] = period[taken] - stack_period
    stacked["treated"] = np.concatenate(treated_of_rows).astype(int)
    stacked["post"] = (stacked["event_time"] >= 0).astype(int)
    stacked = stacked.drop(columns="_period")
    return stacked


def stacked_event_study(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    events: pd.DataFrame,
    leads: int = 8,
    lags: int = 4,
    exclude_before: int = 0,
    exclude_controls: Mapping[Any, Iterable[Any]] | None = None,
    conf_level: float = 0.95,
) -> Estimate:
    """Average effect over the periods after repeated events, each against its clean controls.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced panel: one row per unit and period (weeks, months), every unit in every
        period.
    unit, time, outcome : str
        Unit, period (orderable: dates or integers on a regular grid) and outcome columns.
    events : pandas.DataFrame
        One row per treated unit and event, with columns ``unit`` and ``time`` (the first
        treated period). Rows sharing a time form one sub-experiment.
    leads : int
        Periods before each event in its window (the comparison period).
    lags : int
        Periods after the event period in its window: the effect is averaged over
        ``0..lags``.
    exclude_before : int
        Periods just before each event left out of its window (a selection or anticipation
        window); the reference period of the event-time coefficients is the last one kept.
    exclude_controls : mapping, optional
        Event time -> units that may not serve as its controls (exposed to spillovers).
    conf_level : float
        Confidence level.

    Returns
    -------
    Estimate
        ``effect`` = pooled post-period effect on the outcome's scale (``"difference"``),
        t interval with ``G - 1`` degrees of freedom (``G`` clusters = units).
        ``table``: event-time coefficients (``event_time, coef, se, ci_low, ci_high``,
        the reference period at 0 with no interval). ``diagnostics``: ``pretrend_p_value``
        (the pre-period coefficients' mean and trend, each a t test with ``G - 1`` degrees of
        freedom, Bonferroni-combined), ``pretrend_joint_p_value`` (joint Wald test of every
        pre-period coefficient, F with ``G - 1`` denominator degrees of freedom: shown, not
        used, as it over-rejects with few treated clusters), ``n_stacks``,
        ``n_treated_units``, ``n_clean_controls_min``, ``n_clusters``, ``n_rows``.
        ``details``: ``stacked`` (the stacked data), ``dynamic`` (the event-time table
        with ``rel_time``, for :func:`analysis.plots.plot_event_study`) and
        ``reference`` (the reference period).

    Raises
    ------
    ConfigError
        Bad arguments (unknown columns, events off the panel's grid, bad window).
    EstimationError
        An unbalanced panel, an event whose window runs off the panel, an event with no
        clean controls, or too few clusters.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rows = [{"area": a, "week": w, "y": rng.poisson(10) - 3 * (a < 6 and 20 <= w < 24)
    ...          - 3 * (6 <= a < 12 and 40 <= w < 44)} for a in range(40) for w in range(60)]
    >>> panel = pd.DataFrame(rows)
    >>> events = pd.DataFrame({"area": range(12), "week": [20] * 6 + [40] * 6})
    >>> est = stacked_event_study(panel, unit="area", time="week", outcome="y", events=events,
    ...                           leads=8, lags=3)
    >>> est.ci_low < -3 < est.ci_high, est.diagnostics["n_stacks"]
    (True, 2)
    """
    check_conf_level(conf_level, estimator=ESTIMATOR)
    require_columns(data, {"unit": unit, "time": time, "outcome": outcome}, estimator=ESTIMATOR)
    require_complete(data, [unit, time, outcome], estimator=ESTIMATOR)
    duplicated = data.duplicated([unit, time], keep=False)
    if duplicated.any():
        raise EstimationError(
            f"{ESTIMATOR}: {int(duplicated.sum())} rows share a ({unit}, {time}) pair. Fix: "
            "aggregate to one row per unit and period."
        )
    n_units, n_periods = data[unit].nunique(), data[time].nunique()
    if len(data) != n_units * n_periods:
        raise EstimationError(
            f"{ESTIMATOR}: the panel is not balanced ({len(data)} rows for {n_units} units x "
            f"{n_periods} periods). Fix: add the missing unit-periods (zero counts where "
            "nothing was recorded)."
        )
    numeric_column(data, outcome, estimator=ESTIMATOR)
    stacked = stack_events(
        data,
        unit=unit,
        time=time,
        events=events,
        leads=leads,
        lags=lags,
        exclude_before=exclude_before,
        exclude_controls=exclude_controls,
    )
    y = stacked[outcome].to_numpy(dtype=float)
    unit_codes, _ = codes_of(stacked[unit].astype(str) + "|" + stacked["stack"].astype(str))
    time_codes, _ = codes_of(stacked["stack"].astype(str) + "|" + stacked["event_time"].astype(str))
    cluster_codes, n_clusters = codes_of(stacked[unit])
    warnings = check_cluster_count(
        n_clusters, inference="cluster", estimator=ESTIMATOR, cluster=unit, wild_available=False
    )
    transformer = WithinTransformer(unit_codes, time_codes)

    def fit(regressors: np.ndarray, names: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
        result = fit_absorbed(y, regressors, names, transformer, cluster_codes, estimator=ESTIMATOR)
        n, k, a = result.n_obs, len(names), result.n_absorbed
        # Count the absorbed effects in k, as a regression with the dummies written out does.
        cov = result.cov_cluster * (n - k) / (n - k - a)
        return result.coef, cov, n

    treated_post = (stacked["treated"] * stacked["post"]).to_numpy(dtype=float)
    coef, cov, n_rows = fit(treated_post[:, None], ["treated_post"])
    effect, se = float(coef[0]), float(np.sqrt(cov[0, 0]))
    df = n_clusters - 1
    ci_low, ci_high, p_value = interval(effect, se, conf_level, df)

    # Event-time coefficients, against the last pre-period kept.
    reference = -exclude_before - 1
    event_times = [k for k in range(-leads, lags + 1) if not (reference <= k < 0)]
    indicators = np.column_stack(
        [
            (stacked["treated"].to_numpy() == 1) & (stacked["event_time"].to_numpy() == k)
            for k in event_times
        ]
    ).astype(float)
    dyn, dyn_cov, _ = fit(indicators, [f"event_time[{k}]" for k in event_times])
    dyn_se = np.sqrt(np.diag(dyn_cov))
    crit = float(stats.t.ppf(0.5 + conf_level / 2, df))
    table = pd.DataFrame(
        {
            "event_time": event_times,
            "coef": dyn,
            "se": dyn_se,
            "ci_low": dyn - crit * dyn_se,
            "ci_high": dyn + crit * dyn_se,
        }
    )
    table = (
        pd.concat(
            [
                table,
                pd.DataFrame(
                    {
                        "event_time": [reference],
                        "coef": [0.0],
                        "se": [np.nan],
                        "ci_low": [np.nan],
                        "ci_high": [np.nan],
                    }
                ),
            ],
            ignore_index=True,
        )
        .sort_values("event_time")
        .reset_index(drop=True)
    )
    pre = [i for i, k in enumerate(event_times) if k < reference]
    pretrend_p = joint_p = None
    if pre:
        statistic, rank = wald_test(dyn[pre], dyn_cov[np.ix_(pre, pre)])
        joint_p = float(stats.f.sf(statistic / rank, rank, df))
        pretrend_p = _pretrend_contrasts(
            dyn[pre], dyn_cov[np.ix_(pre, pre)], np.array(event_times)[pre], df
        )
    treated_rows = stacked[stacked["treated"] == 1]
    controls_per_stack = stacked[stacked["treated"] == 0].groupby("stack")[unit].nunique()
    diagnostics = {
        "pretrend_p_value": pretrend_p,
        "pretrend_joint_p_value": joint_p,
        "n_stacks": int(stacked["stack"].nunique()),
        "n_treated_units": int(treated_rows.groupby("stack")[unit].nunique().sum()),
        "n_clean_controls_min": int(controls_per_stack.min()),
        "n_clusters": int(n_clusters),
        "n_rows": int(n_rows),
        "leads": int(leads),
        "lags": int(lags),
        "exclude_before": int(exclude_before),
    }
    return Estimate(
        effect=effect,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        n=int(n_clusters),
        scale="difference",
        method="stacked event study (clean controls per event, unit and period effects by stack)",
        estimand=(
            f"average effect on {outcome} per treated unit-period over periods 0 to {lags} "
            "after each event, against clean controls"
        ),
        se=se,
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details={
            "stacked": stacked,
            # The layout analysis.plots.plot_event_study draws.
            "dynamic": table.rename(columns={"event_time": "rel_time"}),
            "reference": reference,
        },
        conf_level=conf_level,
        outcome=outcome,
    )
