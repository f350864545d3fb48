"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens and Wager 2021).

Synthetic control reweights comparison areas so their past matches the treated area's;
difference-in-differences compares changes, so levels need not match. Synthetic
difference-in-differences does both: unit weights ``omega`` make the comparison areas'
pre-period trend parallel to the treated areas' (with an intercept, so levels may differ,
and a ridge penalty that spreads the weight), time weights ``lambda`` pick the pre-periods
that best predict the post-period for the comparison areas, and the effect is the weighted
difference-in-differences

``tau = (mean_treated_post - sum_t lambda_t treated_t) - sum_i omega_i (mean_post_i -
sum_t lambda_t Y_it)``.

Weights are found by the Frank-Wolfe solver of the authors' R package ``synthdid``, with
its defaults (ridge ``zeta_omega = (N_treated T_post)^(1/4) sigma``, where ``sigma`` is the
standard deviation of the comparison areas' pre-period first differences; a negligible
``zeta_lambda``; a first pass of 100 iterations, weights at or below a quarter of the
largest set to zero, then a second pass), so estimates agree with the package's.

For staggered adoption (treated areas starting at different times), each adoption cohort
is estimated against the never-treated areas over all periods, and the cohort estimates
are averaged with weights proportional to their treated area-periods (Clarke, Pailanir,
Athey and Imbens 2023, the Stata ``sdid`` command).

Variance: placebo (the paper's Algorithm 4: comparison areas assigned the treated areas'
adoption pattern at random, the estimate's spread over these placebo studies), or the
jackknife over areas with the weights held fixed (Algorithm 3), which needs at least two
treated areas in every cohort.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConfigError, EstimationError
from ..results import SyntheticDiDResult
from ._panel import (
    binary_column,
    check_conf_level,
    numeric_column,
    require_columns,
    require_complete,
)

logger = logging.getLogger(__name__)

__all__ = ["synthetic_did"]

ESTIMATORS = ("sdid", "sc", "did")
VARIANCES = ("auto", "placebo", "jackknife")
#: Frank-Wolfe iterations before the weights are made sparse, and at most after.
ITERATIONS_BEFORE_SPARSIFY = 100
MAX_ITERATIONS = 10_000

METHOD_NAMES = {
    "sdid": "synthetic difference-in-differences",
    "sc": "synthetic control (synthdid formulation)",
    "did": "difference-in-differences (unweighted)",
}

ASSUMPTIONS = (
    "Without the intervention, the treated areas' outcomes would have moved in parallel "
    "with the weighted comparison areas' over the weighted pre-periods (levels may differ).",
    "The comparison areas were never treated and not affected by the intervention (no "
    "spillover), and adoption is not anticipated before it starts.",
    "Treatment, once started, stays on (absorbing adoption).",
)


@dataclass(frozen=True)
class _Weights:
    omega: np.ndarray  # one per comparison unit
    lam: np.ndarray  # one per pre-period


def _frank_wolfe(
    matrix: np.ndarray,
    zeta: float,
    *,
    intercept: bool,
    start: np.ndarray | None,
    min_decrease: float,
    max_iterations: int,
) -> np.ndarray:
    """Weights on the simplex minimising ``zeta^2 |w|^2 + |A w - b|^2 / rows``.

    ``matrix`` holds ``A`` in its first columns and ``b`` in the last; with ``intercept``
    every column is centred first, so only the shape over rows is matched (the synthdid
    package's ``sc.weight.fw``).
    """
    if intercept:
        matrix = matrix - matrix.mean(axis=0)
    rows, columns = matrix.shape
    n_weights = columns - 1
    a, b = matrix[:, :n_weights], matrix[:, n_weights]
    weights = np.full(n_weights, 1 / n_weights) if start is None else start.astype(float).copy()
    eta = rows * zeta**2
    zeta2 = zeta**2
    previous = math.inf
    fitted = a @ weights
    # The step towards vertex i is d = e_i - w, so every product with d is written out in
    # terms of w and its i-th element: the loop is the package's fw.step, with less overhead.
    for iteration in range(max_iterations):
        half_gradient = (fitted - b) @ a + eta * weights
        best = int(half_gradient.argmin())
        direction_norm2 = float(weights @ weights) - 2 * weights[best] + 1
        if direction_norm2 == 0:  # already at that vertex
            break
        direction_error = a[:, best] - fitted
        step = -(half_gradient[best] - half_gradient @ weights) / (
            direction_error @ direction_error + eta * direction_norm2
        )
        step = min(1.0, max(0.0, float(step)))
        weights *= 1 - step
        weights[best] += step
        fitted += step * direction_error
        residual = fitted - b
        value = zeta2 * float(weights @ weights) + float(residual @ residual) / rows
        if iteration >= 1 and previous - value <= min_decrease**2:
            break
        previous = value
    return weights


def _normalised(weights: np.ndarray) -> np.ndarray:
    """Weights rescaled to sum to one; uniform when none is left (synthdid's sum_normalize)."""
    total = weights.sum()
    return weights / total if total != 0 else np.full(len(weights), 1 / len(weights))


def _sparsify(weights: np.ndarray) -> np.ndarray:
    kept = np.where(weights <= weights.max() / 4, 0.0, weights)
    return kept / kept.sum()


def _solve_weights(
    matrix: np.ndarray,
    zeta: float,
    intercept: bool,
    min_decrease: float,
    start: np.ndarray | None = None,
) -> np.ndarray:
    first = _frank_wolfe(
        matrix,
        zeta,
        intercept=intercept,
        start=start,
        min_decrease=min_decrease,
        max_iterations=ITERATIONS_BEFORE_SPARSIFY,
    )
    return _frank_wolfe(
        matrix,
        zeta,
        intercept=intercept,
        start=_sparsify(first),
        min_decrease=min_decrease,
        max_iterations=MAX_ITERATIONS,
    )


def _block_weights(
    y: np.ndarray, n_control: int, n_pre: int, estimator: str, start: _Weights | None = None
) -> _Weights:
    """Unit and time weights for one block: rows controls then treated, columns periods.

    ``start`` gives the solver's starting weights (the placebo studies start from the
    estimate's own weights, as the synthdid package does); by default uniform.
    """
    n_treated = y.shape[0] - n_control
    n_post = y.shape[1] - n_pre
    if estimator == "did":
        return _Weights(np.full(n_control, 1 / n_control), np.full(n_pre, 1 / n_pre))
    pre_controls = y[:n_control, :n_pre]
    noise = float(np.std(np.diff(pre_controls, axis=1), ddof=1)) if n_pre > 1 else 0.0
    min_decrease = 1e-5 * noise
    # Collapsed form: controls' pre-periods and post-period mean, treated units averaged.
    collapsed = np.column_stack([y[:, :n_pre], y[:, n_pre:].mean(axis=1)])
    collapsed = np.vstack([collapsed[:n_control], collapsed[n_control:].mean(axis=0)])
    if estimator == "sc":
        omega = _solve_weights(
            collapsed[:, :n_pre].T,
            1e-6 * noise,
            False,
            min_decrease,
            None if start is None else start.omega,
        )
        return _Weights(omega, np.zeros(n_pre))
    zeta_omega = (n_treated * n_post) ** 0.25 * noise
    zeta_lambda = 1e-6 * noise
    lam = _solve_weights(
        collapsed[:n_control], zeta_lambda, True, min_decrease, None if start is None else start.lam
    )
    omega = _solve_weights(
        collapsed[:, :n_pre].T,
        zeta_omega,
        True,
        min_decrease,
        None if start is None else start.omega,
    )
    return _Weights(omega, lam)


def _block_effect(y: np.ndarray, n_control: int, n_pre: int, weights: _Weights) -> float:
    n_treated, n_post = y.shape[0] - n_control, y.shape[1] - n_pre
    unit = np.concatenate([-weights.omega, np.full(n_treated, 1 / n_treated)])
    time = np.concatenate([-weights.lam, np.full(n_post, 1 / n_post)])
    return float(unit @ y @ time)


@dataclass(frozen=True)
class _Cohort:
    start: Any  # the adoption period's label
    n_pre: int
    treated_rows: np.ndarray  # row indices into the wide matrix


def _staggered_effect(
    wide: np.ndarray,
    controls: np.ndarray,
    cohorts: list[_Cohort],
    estimator: str,
    fixed: list[_Weights] | None = None,
    starts: list[_Weights] | None = None,
) -> tuple[float, list[float], list[_Weights]]:
    """Treated-unit-period-weighted average of the cohort estimates (and their weights)."""
    effects, sizes, all_weights = [], [], []
    n_periods = wide.shape[1]
    for k, cohort in enumerate(cohorts):
        y = wide[np.concatenate([controls, cohort.treated_rows])]
        if fixed is not None:
            weights = fixed[k]
        else:
            start = None if starts is None else starts[k]
            weights = _block_weights(y, len(controls), cohort.n_pre, estimator, start)
        effects.append(_block_effect(y, len(controls), cohort.n_pre, weights))
        sizes.append(len(cohort.treated_rows) * (n_periods - cohort.n_pre))
        all_weights.append(weights)
    share = np.asarray(sizes, dtype=float) / sum(sizes)
    return float(share @ np.asarray(effects)), effects, all_weights


def synthetic_did(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    estimator: str = "sdid",
    variance: str = "auto",
    replications: int = 200,
    seed: int = 0,
    conf_level: float = 0.95,
) -> SyntheticDiDResult:
    """Average effect on the treated areas by synthetic difference-in-differences.

    Parameters
    ----------
    data : pandas.DataFrame
        A balanced panel: one row per unit and period.
    outcome : str
        Outcome column.
    unit, time : str
        Unit identifier and period (any sortable values: years, month starts).
    treatment : str
        0/1: 1 from the period a unit adopts on (absorbing). Units never at 1 are the
        comparison pool.
    estimator : {"sdid", "sc", "did"}
        Synthetic difference-in-differences, or for comparison the synthetic control and
        the plain difference-in-differences of the same formulation (the paper's Table 1).
    variance : {"auto", "placebo", "jackknife"}
        ``"auto"``: jackknife when every cohort has at least two treated units, placebo
        otherwise (the paper's recommendation with one treated unit).
    replications : int
        Placebo studies to draw; when there are no more distinct placebo assignments than
        this (one treated unit: one per comparison unit), every one is used, so the
        standard error does not depend on the seed.
    seed : int
        Seed for the placebo draws.
    conf_level : float
        Confidence level (normal interval, as in the paper).

    Returns
    -------
    SyntheticDiDResult
        ``effect`` = average effect on the treated over their treated periods (outcome
        units, ``"difference"`` scale); ``table`` = one row per adoption cohort (``start,
        n_treated, n_pre, n_post, effect, weight``); ``details["unit_weights"]`` and
        ``details["time_weights"]`` = Series of ``omega`` and ``lambda`` per cohort
        (dicts keyed by cohort start); ``details["replicates"]`` = the placebo or
        leave-one-out estimates behind the standard error; ``diagnostics`` has the
        variance method and its replications. Named properties: ``unit_weights``,
        ``time_weights``, ``cohorts``, ``replicates``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> units, periods = 20, 12
    >>> y = rng.normal(size=(units, 1)) + np.arange(periods) * 0.3 + rng.normal(
    ...     scale=0.3, size=(units, periods))
    >>> treated = np.zeros((units, periods), dtype=int)
    >>> treated[:3, 8:] = 1
    >>> y = y + 2.0 * treated
    >>> panel = pd.DataFrame({"area": np.repeat(np.arange(units), periods),
    ...                       "month": np.tile(np.arange(periods), units),
    ...                       "y": y.ravel(), "on": treated.ravel()})
    >>> est = synthetic_did(panel, outcome="y", unit="area", time="month", treatment="on")
    >>> 1.5 < est.effect < 2.5, est.diagnostics["variance"]
    (True, 'jackknife')
    """
    name = "synthetic_did"
    if estimator not in ESTIMATORS:
        raise ConfigError(
            f"{name}: estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}."
        )
    if variance not in VARIANCES:
        raise ConfigError(
            f"{name}: variance must be one of {', '.join(VARIANCES)}, not {variance!r}."
        )
    if not isinstance(replications, int) or replications < 2:
        raise ConfigError(f"{name}: replications must be a whole number of at least 2.")
    check_conf_level(conf_level, estimator=name)
    require_columns(
        data,
        {"outcome": outcome, "unit": unit, "time": time, "treatment": treatment},
        estimator=name,
    )
    require_complete(data, [outcome, unit, time, treatment], estimator=name)
    numeric_column(data, outcome, estimator=name)
    binary_column(data, treatment, estimator=name)
    if data.duplicated([unit, time]).any():
        raise EstimationError(
            f"{name}: {int(data.duplicated([unit, time]).sum())} rows repeat a ({unit}, {time}) "
            "pair. Fix: aggregate to one row per unit and period."
        )
    wide_frame = data.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    if wide_frame.isna().any().any():
        gaps = wide_frame.isna().any(axis=1)
        raise EstimationError(
            f"{name}: the panel is unbalanced: units {list(wide_frame.index[gaps][:5])} lack "
            "some periods. Fix: keep units observed in every period, or fill the gaps."
        )
    treated_frame = data.pivot(index=unit, columns=time, values=treatment).sort_index(axis=1)
    treated_frame = treated_frame.loc[wide_frame.index]
    on = treated_frame.to_numpy(dtype=float)
    if (np.diff(on, axis=1) < 0).any():
        bad = wide_frame.index[(np.diff(on, axis=1) < 0).any(axis=1)]
        raise EstimationError(
            f"{name}: treatment switches off in units {list(bad[:5])}; the design needs "
            "absorbing adoption (once on, on in every later period)."
        )
    periods = list(wide_frame.columns)
    wide = wide_frame.to_numpy(dtype=float)
    ever = on.any(axis=1)
    controls = np.flatnonzero(~ever)
    if len(controls) < 2:
        raise EstimationError(
            f"{name}: {len(controls)} never-treated unit(s); the comparison pool needs at least "
            "2. Fix: add comparison areas."
        )
    if not ever.any():
        raise EstimationError(
            f"{name}: no unit is ever treated ('{treatment}' is 0 throughout). Fix: check the "
            "treatment column."
        )
    first = np.argmax(on, axis=1)
    cohorts = []
    for start_index in sorted(set(first[ever])):
        rows = np.flatnonzero(ever & (first == start_index))
        if start_index < 2:
            raise EstimationError(
                f"{name}: units {list(wide_frame.index[rows][:5])} are treated from period "
                f"{periods[start_index]!r}, leaving fewer than 2 pre-periods. Fix: drop them "
                "or extend the panel backwards."
            )
        cohorts.append(_Cohort(periods[start_index], int(start_index), rows))

    effect, cohort_effects, weights = _staggered_effect(wide, controls, cohorts, estimator)
    smallest_cohort = min(len(c.treated_rows) for c in cohorts)
    chosen = variance
    if variance == "auto":
        chosen = "jackknife" if smallest_cohort >= 2 else "placebo"
    warnings: list[str] = []
    if chosen == "jackknife":
        if smallest_cohort < 2:
            raise EstimationError(
                f"{name}: the jackknife needs at least 2 treated units in every adoption "
                f"cohort; the smallest has {smallest_cohort}. Fix: variance='placebo'."
            )
        se, replicates = _jackknife_se(wide, controls, cohorts, estimator, weights)
    else:
        n_treated = int(ever.sum())
        if n_treated >= len(controls):
            raise EstimationError(
                f"{name}: placebo inference needs more comparison units ({len(controls)}) "
                f"than treated units ({n_treated}). Fix: variance='jackknife'."
            )
        se, replicates = _placebo_se(
            wide, controls, cohorts, estimator, weights, replications, seed
        )
        if len(replicates) < 20:
            warnings.append(
                f"Only {len(replicates)} placebo studies are possible: the standard error is rough."
            )
    z = float(stats.norm.isf((1 - conf_level) / 2))
    p_value = float(2 * stats.norm.sf(abs(effect) / se)) if se > 0 else None
    n_periods = len(periods)
    table = pd.DataFrame(
        {
            "start": [c.start for c in cohorts],
            "n_treated": [len(c.treated_rows) for c in cohorts],
            "n_pre": [c.n_pre for c in cohorts],
            "n_post": [n_periods - c.n_pre for c in cohorts],
            "effect": cohort_effects,
        }
    )
    table["weight"] = (
        table["n_treated"] * table["n_post"] / (table["n_treated"] * table["n_post"]).sum()
    )
    control_names = wide_frame.index[controls]
    details = {
        "unit_weights": {
            c.start: pd.Series(w.omega, index=control_names, name="omega")
            for c, w in zip(cohorts, weights, strict=True)
        },
        "time_weights": {
            c.start: pd.Series(w.lam, index=periods[: c.n_pre], name="lambda")
            for c, w in zip(cohorts, weights, strict=True)
        },
        "replicates": replicates,
    }
    effective_donors = [float(1 / np.sum(w.omega**2)) for w in weights]
    if estimator != "did" and min(effective_donors) < 2:
        warnings.append(
            "One comparison unit carries almost all the weight in a cohort: the estimate rests "
            "on that unit alone."
        )
    diagnostics = {
        "estimator": estimator,
        "variance": chosen,
        "variance_replications": len(replicates),
        "n_cohorts": len(cohorts),
        "n_treated_units": int(ever.sum()),
        "n_control_units": len(controls),
        "n_periods": n_periods,
        "effective_comparison_units": min(effective_donors),
    }
    logger.info("%s: %s %.4g (se %.3g, %s)", name, estimator, effect, se, chosen)
    return SyntheticDiDResult(
        effect=effect,
        ci_low=effect - z * se,
        ci_high=effect + z * se,
        p_value=p_value,
        n=len(wide),
        scale="difference",
        method=f"{METHOD_NAMES[estimator]}, {chosen} standard error",
        estimand=(
            f"average effect on {outcome} in the {int(ever.sum())} treated unit(s) over their "
            "treated periods"
        ),
        se=se,
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details=details,
        conf_level=conf_level,
        outcome=outcome,
    )


def _jackknife_se(
    wide: np.ndarray,
    controls: np.ndarray,
    cohorts: list[_Cohort],
    estimator: str,
    weights: list[_Weights],
) -> tuple[float, np.ndarray]:
    """Leave-one-unit-out standard error with the unit and time weights held fixed."""
    units = np.concatenate([controls] + [c.treated_rows for c in cohorts])
    leave_one_out = []
    for dropped in units:
        kept_controls = controls[controls != dropped]
        kept_cohorts = [
            _Cohort(c.start, c.n_pre, c.treated_rows[c.treated_rows != dropped]) for c in cohorts
        ]
        fixed = []
        for w in weights:
            fixed.append(_Weights(_normalised(w.omega[controls != dropped]), w.lam))
        leave_one_out.append(
            _staggered_effect(wide, kept_controls, kept_cohorts, estimator, fixed)[0]
        )
    values = np.asarray(leave_one_out)
    n = len(values)
    return float(np.sqrt((n - 1) / n * np.sum((values - values.mean()) ** 2))), values


def _placebo_se(
    wide: np.ndarray,
    controls: np.ndarray,
    cohorts: list[_Cohort],
    estimator: str,
    weights: list[_Weights],
    replications: int,
    seed: int,
) -> tuple[float, np.ndarray]:
    """Spread of the estimate when comparison units take the treated units' adoption pattern.

    Each placebo study starts its weight search from the estimate's own weights (unit
    weights of the units left as comparisons, renormalised), as the synthdid package does.
    """
    sizes = [len(c.treated_rows) for c in cohorts]
    n_placebo = sum(sizes)
    if n_placebo == 1 and len(controls) <= replications:
        assignments = [np.array([i]) for i in range(len(controls))]
    else:
        rng = np.random.default_rng(seed)
        assignments = [rng.permutation(len(controls))[:n_placebo] for _ in range(replications)]
    estimates = []
    for chosen in assignments:
        placebo_controls = np.delete(controls, chosen)
        kept = np.ones(len(controls), dtype=bool)
        kept[chosen] = False
        starts = [_Weights(_normalised(w.omega[kept]), w.lam) for w in weights]
        placebo_cohorts, offset = [], 0
        for cohort, size in zip(cohorts, sizes, strict=True):
            rows = controls[chosen[offset : offset + size]]
            placebo_cohorts.append(_Cohort(cohort.start, cohort.n_pre, rows))
            offset += size
        estimates.append(
            _staggered_effect(wide, placebo_controls, placebo_cohorts, estimator, starts=starts)[0]
        )
    values = np.asarray(estimates)
    return float(np.sqrt(np.mean((values - values.mean()) ** 2))), values
