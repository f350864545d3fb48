"""Staggered-adoption difference-in-differences: Callaway and Sant'Anna (2021) group-time effects.

Two-way fixed effects compares newly treated units with already-treated ones, so with
staggered adoption and effects that differ by cohort or grow over time it can be badly
biased, even of the wrong sign. Callaway and Sant'Anna estimate one 2x2
difference-in-differences per cohort ``g`` (units first treated in period ``g``) and
period ``t``:

``ATT(g,t) = mean(Y_t - Y_b | G = g) - mean(Y_t - Y_b | comparison)``

with base period ``b = g - 1`` for ``t >= g`` and ``b = t - 1`` before treatment (the
"varying" base period, the default of R's ``did`` package), comparison units never
treated (``control="never"``) or not yet treated by ``max(t, b)`` (``"not_yet"``). This is
the unconditional (no covariates) estimator; with no covariates the outcome-regression,
inverse-probability and doubly-robust versions coincide.

Inference uses each unit's influence function (clustered by unit, analytic), the same
as R's ``did`` with ``bstrap=FALSE``; aggregations carry the extra term for the
estimated group-size weights. The multiplier bootstrap (Rademacher weights) gives the
critical value of uniform (simultaneous) bands for the event-time effects.

How it is computed: the outcome is pivoted once into a units x periods array. Units fall
into classes (each cohort, and the never treated), and every influence function is
linear in a unit's outcomes with coefficients the whole class shares. So every ATT(g,t)
comes from the classes' mean outcomes by period, and every variance and covariance (of
the cells, the overall, event-time and cohort effects, the pre-trend tests) from each
class's period-by-period scatter matrix: no units x cells array is built. Per-unit
influence functions are formed only for the bootstrap, and only for the event-time
effects. At 20,000 units x 50 periods this takes about a tenth of a second; the tests
check it against the cell-by-cell definition to 1e-10.
"""

from __future__ import annotations

import functools
import logging
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import ThreadpoolController

from ..errors import ConfigError, EstimationError
from ..results import Estimate, StaggeredResult
from ._inference import interval, wald_test
from ._panel import (
    check_conf_level,
    codes_of,
    numeric_column,
    period_numbers,
    require_columns,
    require_complete,
    unit_constant,
)

logger = logging.getLogger(__name__)

__all__ = ["pre_period_shift", "relative_magnitude_bound", "staggered_did"]

_CONTROLS = ("never", "not_yet")
#: Cohorts smaller than this get a warning (their ATT(g,t) rest on very few units).
SMALL_COHORT = 5

ASSUMPTIONS = (
    "Parallel trends: each cohort's untreated outcomes would have moved in parallel with the "
    "comparison units' outcomes (conditional on nothing: no covariates are used).",
    "No anticipation: outcomes do not respond before the first treated period.",
    "Treatment is absorbing: once treated, a unit stays treated.",
    "No spillovers between units.",
)


def _label(value: object) -> object:
    """Period label that survives JSON (dates as ISO strings)."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _levels_and_positions(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of an integer array and each value's position among them.

    Ids and period numbers are usually whole numbers in a range not much longer than the
    data; then a table of which values occur replaces the sort (or hashing) of
    ``np.unique``: a handful of passes over the data instead of a sort of it (at a
    million rows, a few milliseconds against a few tens). Other values take the sort.

    Examples
    --------
    >>> levels, position = _levels_and_positions(np.array([2006, 2004, 2007, 2004]))
    >>> levels.tolist(), position.tolist()
    ([2004, 2006, 2007], [1, 0, 2, 0])
    """
    if values.dtype.kind in "iu" and len(values) > 0:
        low, high = int(values.min()), int(values.max())
        if high - low < 2 * len(values) + 1024:
            offset = values - low
            present = np.zeros(high - low + 1, dtype=bool)
            present[offset] = True
            position = np.cumsum(present) - 1
            return np.flatnonzero(present) + low, position[offset]
    levels, position = np.unique(values, return_inverse=True)
    return levels, position.reshape(-1)


def _unit_codes(values: pd.Series) -> np.ndarray:
    """Codes ``0..L-1`` of the unit column in sorted order of the units (as ``codes_of``)."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
        return _levels_and_positions(values.to_numpy())[1]
    return codes_of(values)[0]


def staggered_did(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    control: str = "never",
    conf_level: float = 0.95,
    n_boot: int = 999,
    seed: int = 0,
    anticipation: int = 0,
) -> StaggeredResult:
    """Group-time average treatment effects (Callaway and Sant'Anna 2021), aggregated.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period. Units missing some periods are dropped
        with a warning (the estimator needs a balanced panel).
    outcome : str
        Outcome column.
    unit, time : str
        Unit and period columns (``time``: month-start dates or whole-number periods).
    first_treated : str
        First treated period of the unit (same type as ``time``), NaN/NaT if never
        treated; the same on every row of a unit. Units first treated after the last
        period count as never treated; units treated in the first period are dropped.
    control : {"never", "not_yet"}
        Comparison units: never treated, or never treated plus not yet treated.
    conf_level : float
        Confidence level (normal intervals, as the influence function is asymptotic).
    n_boot : int
        Multiplier-bootstrap draws for the uniform band of the event-time effects (0 to
        skip).
    seed : int
        Random seed of the multiplier bootstrap.
    anticipation : int
        Periods before the first treated period in which units may already respond
        (R ``did``'s ``anticipation``): post-treatment effects use the base period
        ``g - 1 - anticipation`` and not-yet-treated comparisons must be untreated
        that many periods beyond ``t``. A sensitivity to a dip or spike just before
        adoption (Ashenfelter 1978).

    Returns
    -------
    StaggeredResult
        ``effect`` = overall ATT: post-treatment ATT(g,t) averaged with weights
        proportional to cohort size (R ``aggte(type="simple")``), difference scale;
        ``table`` = ATT(g,t) (``group, time, rel_time, att, se, ci_low, ci_high,
        n_treated, n_control, post``); ``details["dynamic"]`` = event-time effects
        (``rel_time, coef, se, ci_low, ci_high, band_low, band_high, n_groups``);
        ``details["by_group"]`` = effect per cohort; ``diagnostics["pretrend_p_value"]``
        = Wald test that the pre-treatment event-time effects are all zero;
        ``details["dynamic_vcov"]`` = covariance of the event-time effects (for
        :func:`pre_period_shift` and :func:`relative_magnitude_bound`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> panel = pd.DataFrame([(u, t) for u in range(90) for t in range(8)], columns=["id", "t"])
    >>> panel["first"] = panel["id"].map(lambda u: 3.0 if u < 30 else 5.0 if u < 60 else np.nan)
    >>> effect = np.where(panel["t"] >= panel["first"], 1 + panel["t"] - panel["first"], 0)
    >>> panel["y"] = effect + rng.normal(scale=0.1, size=len(panel))
    >>> est = staggered_did(panel, outcome="y", unit="id", time="t", first_treated="first")
    >>> round(est.effect, 1), est.table.shape[0]  # truth: (1+2+3+4+5 + 1+2+3) / 8 = 2.625
    (2.6, 14)
    """
    # One BLAS thread throughout. Most products here are small (periods x cells), where a
    # pool of threads costs more to wake than the work: on a busy two-core machine 30 ms
    # against 0.2 ms for each covariance, once most of the estimator's time. And the
    # bootstrap's long, thin products fared no better shared: 999 draws at 100,000 units
    # took 3.6 s on one thread against 7 s (or 48 s in chunks of 40 draws) on two.
    with _blas_controller().limit(limits=1, user_api="blas"):
        return _staggered_did(
            data,
            outcome=outcome,
            unit=unit,
            time=time,
            first_treated=first_treated,
            control=control,
            conf_level=conf_level,
            n_boot=n_boot,
            seed=seed,
            anticipation=anticipation,
        )


def _staggered_did(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    control: str,
    conf_level: float,
    n_boot: int,
    seed: int,
    anticipation: int,
) -> StaggeredResult:
    """:func:`staggered_did` itself, on one BLAS thread."""
    estimator = "staggered_did"
    if control not in _CONTROLS:
        raise ConfigError(f"staggered_did: control must be 'never' or 'not_yet', not {control!r}.")
    check_conf_level(conf_level, estimator=estimator)
    if not isinstance(n_boot, int | np.integer) or n_boot < 0:
        raise ConfigError(f"staggered_did: n_boot must be a whole number >= 0, not {n_boot!r}.")
    if not isinstance(anticipation, int | np.integer) or anticipation < 0:
        raise ConfigError(
            f"staggered_did: anticipation must be a whole number >= 0, not {anticipation!r}."
        )
    require_columns(
        data,
        {"outcome": outcome, "unit": unit, "time": time, "first_treated": first_treated},
        estimator=estimator,
    )
    require_complete(data, [outcome, unit, time], estimator=estimator)
    y_all = numeric_column(data, outcome, estimator=estimator)
    periods, first, period_unit, to_label = period_numbers(
        data, time, first_treated, estimator=estimator
    )
    unit_codes = _unit_codes(data[unit])
    unit_constant(data, unit_codes, first, first_treated, estimator=estimator)
    warnings: list[str] = []

    # ---- balanced panel: units x periods
    grid, position = _levels_and_positions(periods)
    n_periods = len(grid)
    if n_periods < 2:
        raise EstimationError("staggered_did: the panel has a single period; need at least two.")
    n_unit_codes = int(unit_codes.max()) + 1
    cell = unit_codes * n_periods + position
    counts = np.bincount(cell, minlength=n_unit_codes * n_periods)
    if (counts > 1).any():
        dup = counts[cell] > 1
        raise EstimationError(
            f"staggered_did: some units have more than one row in a period (rows "
            f"{', '.join(map(str, data.index[dup][:5]))}). Fix: aggregate to one row per "
            "unit and period."
        )
    complete = (counts.reshape(n_unit_codes, n_periods) == 1).all(axis=1)
    if not complete.all():
        warnings.append(
            f"{int((~complete).sum())} unit(s) not observed in every period were dropped "
            "(the estimator needs a balanced panel)."
        )
    wide = np.full(n_unit_codes * n_periods, np.nan)
    wide[cell] = y_all
    unit_first = np.empty(n_unit_codes)
    unit_first[unit_codes] = first
    y = wide.reshape(n_unit_codes, n_periods)
    if not complete.all():
        y, unit_first = y[complete], unit_first[complete]

    # ---- cohorts as positions on the period grid (inf = never treated in the window)
    group = np.full(len(unit_first), np.inf)
    treated = np.isfinite(unit_first)
    late = treated & (unit_first > grid[-1])
    if late.any():
        warnings.append(
            f"{int(late.sum())} unit(s) first treated after the last period count as never treated."
        )
    early = treated & (unit_first <= grid[0])
    if early.any():
        warnings.append(
            f"{int(early.sum())} unit(s) already treated in the first period were dropped "
            "(no untreated period to compare)."
        )
    inside = treated & ~late & ~early
    pos = np.searchsorted(grid, unit_first[inside])
    if (grid[pos] != unit_first[inside]).any():
        raise EstimationError(
            f"staggered_did: some '{first_treated}' values are not periods of the panel. Fix: "
            "give the first treated period as one of the observed periods."
        )
    group[inside] = pos
    if early.any():
        y, group = y[~early], group[~early]
    n_units = len(group)
    cohorts = np.unique(group[np.isfinite(group)]).astype(int)
    if len(cohorts) == 0:
        raise EstimationError(
            "staggered_did: no unit is treated within the panel, so there is no effect to "
            f"estimate. Fix: check '{first_treated}'."
        )
    never = ~np.isfinite(group)
    if control == "never" and not never.any():
        raise EstimationError(
            "staggered_did: every unit is eventually treated, so there are no never-treated "
            "comparison units. Fix: use control='not_yet' (units not yet treated as the "
            "comparison)."
        )

    # ---- ATT(g,t) and their influence functions, from each class's moments
    # Units fall into classes (each cohort, then the never treated). Every quantity below
    # is linear in a unit's outcomes with coefficients its whole class shares, so the
    # effects need only each class's mean outcome by period, and the sums of squares and
    # cross-products of the influence functions only each class's period-by-period
    # scatter matrix: no units x cells array is built (at 20,000 units and 245 cells it
    # was most of the time and memory).
    unit_class = np.searchsorted(cohorts, group)  # never treated (inf): the last class
    moments = _ClassMoments(y, unit_class, len(cohorts) + 1)
    cells = _group_time_cells(cohorts, n_periods, moments.sizes, control, anticipation)
    if cells.skipped:
        warnings.append(
            f"{cells.skipped} group-time effect(s) had no comparison units (every unit treated "
            "by then) or no base period before the anticipation window, and were not estimated."
        )
    effects = _GroupTimeEffects(moments, cells)
    att = effects.att
    se = np.sqrt(effects.variances())
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    g_idx, t_idx = cohorts[cells.cohort], cells.period
    n_treated, n_control = effects.n_treated, effects.n_control
    post = t_idx >= g_idx
    event_time = (grid[t_idx] - grid[g_idx]).astype(int)
    labels = {p: _label(to_label(grid[p])) for p in range(n_periods)}
    table = pd.DataFrame(
        {
            "group": [labels[g] for g in g_idx],
            "time": [labels[t] for t in t_idx],
            "rel_time": event_time,
            "att": att,
            "se": se,
            "ci_low": att - z * se,
            "ci_high": att + z * se,
            "n_treated": n_treated,
            "n_control": n_control,
            "post": post,
        }
    )
    if not post.any():
        raise EstimationError(
            "staggered_did: no post-treatment group-time effect could be estimated. Fix: "
            "check that treated units have comparison units after they are treated."
        )
    group_share = moments.sizes[cells.cohort] / n_units
    # The influence of the estimated cohort-size weights is the same for every unit of a
    # class, so it is computed once a class (classes x J), never per unit.
    in_class = (np.arange(len(cohorts) + 1)[:, None] == cells.cohort[None, :]).astype(float)

    def aggregate_many(
        which: np.ndarray, weighted: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Averages of ATT(g,t) over the cells of each column of ``which`` (cells x J).

        Returns the J averages, their weights on the cells (cells x J) and, when the
        weights are estimated cohort shares, their extra influence by class (classes x J,
        on the scale of :class:`_GroupTimeEffects`), for :meth:`_GroupTimeEffects.covariance`.
        """
        chosen = which.astype(float)
        share = group_share[:, None] * chosen if weighted else chosen
        total = share.sum(axis=0)
        weights = share / total
        class_term = None
        if weighted:
            # Influence of the estimated cohort-size weights (R did's wif()): per unit,
            # (membership - share) / total - (sum of that) * share / total^2, times att.
            weighted_att = share.T @ att
            class_att = in_class @ (chosen * att[:, None])
            class_cells = in_class @ chosen
            class_term = (
                (class_att - weighted_att) / total - (class_cells - total) * weighted_att / total**2
            ) / n_units
        return weights.T @ att, weights, class_term

    effect_coef, effect_weights, effect_term = aggregate_many(post[:, None], weighted=True)
    effect = float(effect_coef[0])
    effect_se = float(np.sqrt(effects.covariance(effect_weights, effect_term)[0, 0]))
    ci_low, ci_high, p_value = interval(effect, effect_se, conf_level)

    # ---- event-time (dynamic) aggregation
    event_times = np.unique(event_time)
    at_event = event_time[:, None] == event_times[None, :]
    dyn_coef_array, dyn_weights, dyn_term = aggregate_many(at_event, weighted=True)
    dyn_groups = at_event.sum(axis=0).astype(int)
    dyn_vcov = effects.covariance(dyn_weights, dyn_term)
    dyn_se = np.sqrt(np.diag(dyn_vcov))
    if n_boot > 0:
        critical = _uniform_critical_value(
            effects.influence(dyn_weights, dyn_term),
            dyn_se,
            conf_level,
            n_boot,
            seed,
        )
    else:
        critical = z
    dynamic = pd.DataFrame(
        {
            "rel_time": event_times.astype(int),
            "coef": dyn_coef_array,
            "se": dyn_se,
            "ci_low": dyn_coef_array - z * dyn_se,
            "ci_high": dyn_coef_array + z * dyn_se,
            "band_low": dyn_coef_array - critical * dyn_se,
            "band_high": dyn_coef_array + critical * dyn_se,
            "n_groups": dyn_groups,
        }
    )

    diagnostics: dict[str, object] = {
        "control": control,
        "base_period": "varying",
        "anticipation": int(anticipation),
        "n_units": n_units,
        "n_never_treated": int(never.sum()),
        "n_cohorts": len(cohorts),
        "n_periods": n_periods,
        "period_unit": period_unit,
        "n_group_time": len(att),
        "uniform_critical_value": critical,
    }
    pre_events = event_times < 0
    if pre_events.any():
        pre_coef = dyn_coef_array[pre_events]
        pre_cov = dyn_vcov[np.ix_(pre_events, pre_events)]
        wald, q = wald_test(pre_coef, pre_cov)
        diagnostics["pretrend_p_value"] = float(stats.chi2.sf(wald, q))
        diagnostics["pretrend_chi2"] = wald
        diagnostics["pretrend_df"] = q
        pre_cells = ~post
        cell_cov = effects.covariance(np.eye(len(att))[:, pre_cells])
        wald_cells, q_cells = wald_test(att[pre_cells], cell_cov)
        diagnostics["pretrend_p_value_cells"] = float(stats.chi2.sf(wald_cells, q_cells))
        if diagnostics["pretrend_p_value"] < 0.05:
            warnings.append(
                f"Pre-treatment event-time effects differ jointly from zero "
                f"(p = {diagnostics['pretrend_p_value']:.3f}): parallel trends is in doubt."
            )
    else:
        diagnostics["pretrend_p_value"] = None
        warnings.append(
            "No pre-treatment periods to test parallel trends (every cohort is treated in the "
            "second period)."
        )
    post_events = event_times >= 0
    dyn_average = post_events / post_events.sum()
    diagnostics["dynamic_average_effect"] = float(dyn_coef_array[post_events].mean())
    diagnostics["dynamic_average_se"] = float(np.sqrt(dyn_average @ dyn_vcov @ dyn_average))

    # ---- by cohort
    by_cohort = [g for g in cohorts if ((g_idx == g) & post).any()]
    which = np.column_stack([(g_idx == g) & post for g in by_cohort])
    group_coef, group_weights, _ = aggregate_many(which, weighted=False)
    group_se = np.sqrt(np.diag(effects.covariance(group_weights)))
    by_group = pd.DataFrame(
        {
            "group": [labels[g] for g in by_cohort],
            "coef": group_coef,
            "se": group_se,
            "ci_low": group_coef - z * group_se,
            "ci_high": group_coef + z * group_se,
            "n_units": moments.sizes[np.searchsorted(cohorts, by_cohort)],
        }
    )
    small = by_group.loc[by_group["n_units"] < SMALL_COHORT, "group"].tolist()
    if small:
        warnings.append(
            f"{len(small)} cohort(s) have fewer than {SMALL_COHORT} units; their group-time "
            "effects are noisy and the normal approximation is rough."
        )
    if n_units < 50:
        warnings.append(
            f"Only {n_units} units: the influence-function standard errors are asymptotic and "
            "can be too small with few units."
        )

    logger.info("staggered_did: %s, overall ATT %.4g (se %.3g)", outcome, effect, effect_se)
    return StaggeredResult(
        effect=effect,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        n=n_units,
        scale="difference",
        method=(
            "Callaway-Sant'Anna staggered difference-in-differences ("
            + ("never-treated" if control == "never" else "not-yet-treated")
            + " comparison)"
        ),
        estimand=(
            f"average effect on {outcome} in treated unit-periods after adoption (group-time "
            "effects weighted by cohort size)"
        ),
        se=effect_se,
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details={
            "dynamic": dynamic,
            "by_group": by_group,
            "dynamic_vcov": pd.DataFrame(
                dyn_vcov,
                index=event_times.astype(int),
                columns=event_times.astype(int),
            ),
        },
        conf_level=conf_level,
        outcome=outcome,
    )


@functools.cache
def _blas_controller() -> ThreadpoolController:
    """The BLAS libraries NumPy and SciPy loaded (found once: a search takes milliseconds)."""
    return ThreadpoolController()


class _ClassMoments:
    """Each class's size, mean outcome by period and scatter matrix over the periods.

    ``unit_class`` gives each unit's class (``0..n_classes-1``); a class may be empty (no
    never-treated units), and then has zero means and scatter.
    """

    def __init__(self, y: np.ndarray, unit_class: np.ndarray, n_classes: int) -> None:
        n_periods = y.shape[1]
        # Each unit's own mean is taken out first: every contrast below is a difference
        # of periods, which it leaves unchanged, and without it the scatter matrices would
        # carry the spread between units and lose digits to cancellation.
        self.centred = y - y.mean(axis=1, keepdims=True)
        self.unit_class = unit_class
        self.sizes = np.bincount(unit_class, minlength=n_classes)
        order = np.argsort(unit_class, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(self.sizes)])
        self.rows = [order[bounds[k] : bounds[k + 1]] for k in range(n_classes)]
        self.means = np.zeros((n_classes, n_periods))
        self.scatter = np.zeros((n_classes, n_periods, n_periods))
        for k, rows in enumerate(self.rows):
            if len(rows) == 0:
                continue
            block = self.centred[rows]
            self.means[k] = block.mean(axis=0)
            block -= self.means[k]
            self.scatter[k] = block.T @ block


class _Cells(NamedTuple):
    """The group-time cells to estimate, in the table's order (cohort, then period)."""

    cohort: np.ndarray  # class (cohort index) of the cell's cohort
    period: np.ndarray  # position of t on the period grid
    base: np.ndarray  # position of the base period
    comparison: np.ndarray  # classes x cells: the classes compared with the cohort
    skipped: int  # cells with no base period or no comparison units


def _group_time_cells(
    cohorts: np.ndarray, n_periods: int, sizes: np.ndarray, control: str, anticipation: int
) -> _Cells:
    """Every estimable (cohort, period) cell with its base period and comparison classes.

    Base period ``g - 1 - anticipation`` after adoption and ``t - 1`` before it (the
    varying base period). Comparison: the never treated (the last class), plus with
    ``control="not_yet"`` the other cohorts untreated, and not anticipating, in both
    the period and its base.
    """
    n_cohorts = len(cohorts)
    cohort = np.repeat(np.arange(n_cohorts), n_periods - 1)
    first = cohorts[cohort]
    period = np.tile(np.arange(1, n_periods), n_cohorts)
    base = np.where(period >= first, first - 1 - anticipation, period - 1)
    class_first = np.append(cohorts.astype(float), np.inf)
    comparison = np.zeros((n_cohorts + 1, len(cohort)), dtype=bool)
    comparison[n_cohorts] = True
    if control == "not_yet":
        untreated_until = np.maximum(period, base) + anticipation
        comparison |= class_first[:, None] > untreated_until[None, :]
        comparison[cohort, np.arange(len(cohort))] = False
    estimable = (base >= 0) & (sizes @ comparison > 0)
    return _Cells(
        cohort[estimable],
        period[estimable],
        base[estimable],
        comparison[:, estimable],
        int((~estimable).sum()),
    )


class _GroupTimeEffects:
    """ATT(g,t) of each cell and its influence functions, held by class of unit.

    Unit ``i`` of class ``k`` has influence ``phi[i, c] = weight[k, c] * (change_ic -
    reference[k, c])`` on cell ``c``, where ``change_ic = y[i, t_c] - y[i, b_c]``, the
    weight is ``1 / n_treated`` for the cell's cohort, ``-1 / n_control`` for its
    comparison classes and 0 otherwise, and the reference is that side's mean change.
    (``phi`` is R did's influence function divided by the number of units, so the
    variance of an estimate is the sum of its squared influence.) Written as the
    unit's deviation from its class mean plus the class mean, every linear
    combination's cross-products come from the class scatter matrices and means.
    """

    def __init__(self, moments: _ClassMoments, cells: _Cells) -> None:
        self.moments = moments
        n_cells = len(cells.cohort)
        every = np.arange(n_cells)
        sizes = moments.sizes
        change = moments.means[:, cells.period] - moments.means[:, cells.base]
        self.n_treated = sizes[cells.cohort]
        self.n_control = sizes @ cells.comparison
        mean_treated = change[cells.cohort, every]
        mean_control = (sizes[:, None] * cells.comparison * change).sum(axis=0) / self.n_control
        self.att = mean_treated - mean_control
        self.weight = np.where(cells.comparison, -1.0 / self.n_control, 0.0)
        self.weight[cells.cohort, every] = 1.0 / self.n_treated
        reference = np.where(cells.comparison, mean_control, 0.0)
        reference[cells.cohort, every] = mean_treated
        self.class_mean = self.weight * (change - reference)  # mean of phi in each class
        self.period, self.base = cells.period, cells.base
        # Period contrasts: column c picks y[t_c] - y[b_c].
        self.contrast = np.zeros((moments.means.shape[1], n_cells))
        self.contrast[cells.period, every] = 1.0
        self.contrast[cells.base, every] -= 1.0

    def _linear_maps(self, combination: np.ndarray, class_term: np.ndarray | None):
        """Per class: the map from a unit's deviation to its influence, and the class mean."""
        for k, size in enumerate(self.moments.sizes):
            if size == 0:
                continue
            on_deviation = self.contrast @ (self.weight[k][:, None] * combination)
            mean = self.class_mean[k] @ combination
            if class_term is not None:
                mean = mean + class_term[k]
            yield k, on_deviation, mean

    def variances(self) -> np.ndarray:
        """Variance of each ATT(g,t): the diagonal of ``covariance(identity)`` alone."""
        moments, t, b = self.moments, self.period, self.base
        # Within-class sum of squares of each cell's change y_t - y_b, from the scatter.
        change_ss = (
            moments.scatter[:, t, t] + moments.scatter[:, b, b] - 2 * moments.scatter[:, t, b]
        )
        return (self.weight**2 * change_ss + moments.sizes[:, None] * self.class_mean**2).sum(
            axis=0
        )

    def covariance(
        self, combination: np.ndarray, class_term: np.ndarray | None = None
    ) -> np.ndarray:
        """Covariance (J x J) of the combinations ``phi @ combination`` (cells x J).

        ``class_term`` (classes x J) adds an influence shared by each unit of a class.
        """
        n_out = combination.shape[1]
        out = np.zeros((n_out, n_out))
        for k, on_deviation, mean in self._linear_maps(combination, class_term):
            out += on_deviation.T @ self.moments.scatter[k] @ on_deviation
            out += self.moments.sizes[k] * np.outer(mean, mean)
        return out

    def influence(self, combination: np.ndarray, class_term: np.ndarray | None = None):
        """The units x J influence functions ``phi @ combination`` (for the bootstrap)."""
        moments = self.moments
        out = np.empty((len(moments.unit_class), combination.shape[1]))
        for k, on_deviation, mean in self._linear_maps(combination, class_term):
            rows = moments.rows[k]
            out[rows] = (moments.centred[rows] - moments.means[k]) @ on_deviation + mean
        return out


def _uniform_critical_value(
    influence: np.ndarray,
    se: np.ndarray,
    conf_level: float,
    n_boot: int,
    seed: int,
    *,
    chunk: int | None = None,
) -> float:
    """Sup-t critical value for simultaneous bands by the multiplier bootstrap.

    ``influence`` is units x estimates, scaled so that ``se**2`` is its column sums of
    squares; Rademacher draws perturb it ``n_boot`` times, ``chunk`` draws at a time
    (None: about four million random signs a chunk). The draws are one stream, so the
    chunks do not change the result.
    """
    rng = np.random.default_rng(seed)
    usable = se > 0
    usable_influence = np.ascontiguousarray(influence[:, usable])
    column_sums = usable_influence.sum(axis=0)
    n_units = influence.shape[0]
    if chunk is None:
        # Draws of a few tens of megabytes stay in memory already mapped; 200 rows of
        # 100,000 units (160 MB twice over) took twice as long (at 5M unit-periods), and
        # fewer than about 32 rows make the product slow.
        chunk = int(np.clip(4_000_000 // n_units, 32, 200))
    maxima = []
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        # Rademacher draws 2b - 1 from bits b: the stream of rng.choice([-1.0, 1.0]),
        # applied as 2 (b @ influence) - column sums, one pass over the draws fewer.
        bits = rng.integers(0, 2, size=(size, n_units)).astype(float)
        perturbed = 2.0 * (bits @ usable_influence) - column_sums
        maxima.append(np.abs(perturbed / se[usable]).max(axis=1))
    return float(np.quantile(np.concatenate(maxima), conf_level))


def _event_study(estimate: Estimate, caller: str) -> tuple[pd.Series, pd.DataFrame]:
    """The event-time effects and their covariance recorded by :func:`staggered_did`."""
    dynamic = estimate.details.get("dynamic")
    vcov = estimate.details.get("dynamic_vcov")
    if dynamic is None or vcov is None:
        raise ConfigError(
            f"{caller}: the estimate carries no event-time effects with their covariance "
            "(details['dynamic'] and details['dynamic_vcov']). Fix: pass an estimate from "
            "analysis.methods.staggered_did."
        )
    return dynamic.set_index("rel_time")["coef"], vcov


def pre_period_shift(
    estimate: Estimate, *, window: int = 3, reference: int = 9, conf_level: float = 0.95
) -> Estimate:
    """Test for a shift in the ``window`` periods just before adoption (Ashenfelter's dip).

    With the varying base period the pre-treatment event-time effects of
    :func:`staggered_did` are one-period changes ``d_e`` (treated minus
    comparison). Summed back from period -1 they give each lead's level
    relative to the last period before adoption; this test compares the mean
    level over leads ``-window..-1`` with the mean over the ``reference`` leads
    before them. A dip (or, for incidents, a spike) that draws units into the
    programme and would have passed anyway shows as a clear difference, while a
    steady difference in trend shows only in proportion to the gap between the
    two windows.

    Parameters
    ----------
    estimate : Estimate
        From :func:`staggered_did`.
    window : int
        Leads just before adoption that a dip would affect.
    reference : int
        Earlier leads the window is compared with.
    conf_level : float
        Confidence level of the interval.

    Returns
    -------
    Estimate
        Difference scale: window mean minus reference mean (positive: the
        outcome was higher just before adoption than earlier, relative to the
        comparison units).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> panel = pd.DataFrame([(u, t) for u in range(300) for t in range(16)], columns=["id", "t"])
    >>> panel["first"] = panel["id"].map(lambda u: 12.0 if u < 150 else np.nan)
    >>> dip = (panel["first"] - panel["t"]).between(1, 3)  # three bad periods before
    >>> panel["y"] = 2.0 * dip + rng.normal(size=len(panel))
    >>> est = staggered_did(panel, outcome="y", unit="id", time="t", first_treated="first",
    ...                     n_boot=0)
    >>> shift = pre_period_shift(est, window=3, reference=6)
    >>> round(shift.effect), shift.p_value < 0.001
    (2, True)
    """
    if window < 1 or reference < 1:
        raise ConfigError(
            f"pre_period_shift: window and reference must be at least 1, got {window} and "
            f"{reference}."
        )
    coef, vcov = _event_study(estimate, "pre_period_shift")
    leads = range(-(window + reference), 0)
    missing = [e for e in leads if e not in coef.index]
    if missing:
        raise EstimationError(
            f"pre_period_shift: leads {missing[0]} to {missing[-1]} were not estimated (too few "
            f"pre-treatment periods for window={window} and reference={reference}). Fix: use "
            "a shorter reference or a longer pre-period."
        )
    # Level at lead e relative to lead -1: minus the changes d_{e+1} .. d_{-1}.
    changes = list(leads)
    level = {e: np.array([-1.0 if e < f else 0.0 for f in changes]) for e in leads}
    in_window = np.mean([level[e] for e in range(-window, 0)], axis=0)
    before = np.mean([level[e] for e in range(-(window + reference), -window)], axis=0)
    weights = in_window - before
    d = coef.loc[changes].to_numpy()
    cov = vcov.loc[changes, changes].to_numpy()
    effect = float(weights @ d)
    se = float(np.sqrt(weights @ cov @ weights))
    ci_low, ci_high, p_value = interval(effect, se, conf_level)
    return Estimate(
        effect=effect,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        n=estimate.n,
        scale="difference",
        method="event-study lead contrast (Callaway-Sant'Anna event-time effects)",
        estimand=(
            f"mean outcome over the {window} periods before adoption minus the mean over the "
            f"{reference} periods before those, treated relative to comparison units"
        ),
        se=se,
        conf_level=conf_level,
        outcome=estimate.outcome,
        diagnostics={"window": window, "reference": reference},
    )


def relative_magnitude_bound(
    estimate: Estimate, *, max_lead: int | None = None, conf_level: float = 0.95
) -> dict[str, float]:
    """How large a violation of parallel trends the overall effect survives (relative magnitudes).

    Rambachan and Roth (2023) bound each post-treatment period's change in the
    violation of parallel trends by ``M`` times the largest change seen
    before treatment. With the varying base period the pre-treatment event-time
    effects of :func:`staggered_did` are exactly those one-period changes, so the
    largest is ``max |d_e|`` over the leads. A violation growing by at most
    ``M x max |d_e|`` a period biases the effect ``e`` periods after adoption by
    at most ``(e + 1) M max |d_e|``, and the overall effect (an average over
    event times with the weights of the headline's cells) by ``M x max |d_e| x``
    the weighted mean of ``e + 1``. The breakdown value is the largest ``M`` at
    which the interval widened by that bias still excludes zero (0 when the
    effect is not significant to begin with).

    This is the plug-in version of the bound (the largest pre-period change is
    taken as known, not estimated), so it is a sensitivity statement rather than
    a test; R's ``HonestDiD`` gives the exact conditional intervals.

    Parameters
    ----------
    estimate : Estimate
        From :func:`staggered_did`.
    max_lead : int, optional
        Only leads ``-max_lead..-1`` count (distant leads rest on few cohorts).
    conf_level : float

    Returns
    -------
    dict
        ``largest_pre_change``, ``mean_periods_exposed`` (weighted mean of ``e + 1``)
        and ``breakdown_m``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> panel = pd.DataFrame([(u, t) for u in range(400) for t in range(10)], columns=["id", "t"])
    >>> panel["first"] = panel["id"].map(lambda u: 6.0 if u < 200 else np.nan)
    >>> panel["y"] = -1.0 * (panel["t"] >= panel["first"]) + rng.normal(size=len(panel))
    >>> est = staggered_did(panel, outcome="y", unit="id", time="t", first_treated="first",
    ...                     n_boot=0)
    >>> bound = relative_magnitude_bound(est)
    >>> bound["mean_periods_exposed"], bound["breakdown_m"] > 1
    (2.5, True)
    """
    coef, _ = _event_study(estimate, "relative_magnitude_bound")
    leads = coef.index[coef.index < 0]
    if max_lead is not None:
        leads = leads[leads >= -max_lead]
    if len(leads) == 0:
        raise EstimationError(
            "relative_magnitude_bound: no pre-treatment event-time effects to bound the "
            "violation by. Fix: use a panel with periods before adoption."
        )
    largest = float(np.abs(coef.loc[leads]).max())
    cells = estimate.table
    post = cells.loc[cells["post"]]
    weights = post["n_treated"] / post["n_treated"].sum()
    exposed = float((weights * (post["rel_time"] + 1)).sum())
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    margin = abs(estimate.effect) - z * float(estimate.se)
    if margin <= 0:
        breakdown = 0.0
    elif largest == 0:
        breakdown = float("inf")
    else:
        breakdown = margin / (largest * exposed)
    return {
        "largest_pre_change": largest,
        "mean_periods_exposed": exposed,
        "breakdown_m": float(breakdown),
    }
