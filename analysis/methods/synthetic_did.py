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
largest set to zero, then a second pass), so estimates agree with the package's. The
placebo studies' weight searches are solved side by side, each to its own stopping rule,
with the same iterates as solving them one at a time.

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
#: Memory for the Gram matrices of the weight searches solved side by side (128 MiB); more
#: problems than fit are solved in turn.
STACK_BYTES = 2**27

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


@dataclass(frozen=True)
class _WeightProblem:
    """One weight search: simplex weights minimising ``zeta^2 |w|^2 + |A w - b|^2 / rows``.

    ``matrix`` holds ``A`` in its first columns and ``b`` in the last; with ``intercept``
    every column is centred first, so only the shape over rows is matched (the synthdid
    package's ``sc.weight.fw``). ``start`` is the solver's first iterate (uniform if None).
    """

    matrix: np.ndarray
    zeta: float
    intercept: bool
    min_decrease: float
    start: np.ndarray | None = None


def _frank_wolfe(
    hessian: np.ndarray,
    linear: np.ndarray,
    rows: np.ndarray,
    tolerance: np.ndarray,
    weights: np.ndarray,
    max_iterations: int,
) -> np.ndarray:
    """Frank-Wolfe with exact line search over a stack of problems, each stopping on its own.

    Problem ``p`` minimises ``(w'Hw - 2c'w + b'b) / rows[p]`` over the simplex, the Gram
    form of ``zeta^2 |w|^2 + |A w - b|^2 / rows`` with ``H = A'A + rows zeta^2 I``
    (``hessian[p]``) and ``c = A'b`` (``linear[p]``). The iterates are the synthdid
    package's ``fw.step``, iteration for iteration, to rounding (the Gram form sums in
    another order; ``tests/methods/test_synthetic_did.py`` holds the two to 1e-8): a step
    towards the vertex ``e_i`` of the smallest element of ``g = Hw - c`` (half the
    gradient, times ``rows``), of the exact line search's length ``g'(w - e_i) / (e_i -
    w)'H(e_i - w)`` clipped to [0, 1]; a problem stops once an iteration after its first
    lowers the objective by at most ``tolerance[p]`` (``min_decrease^2``), or at
    ``max_iterations``.

    Why it is fast: ``H w`` is carried from one iteration to the next (the step adds a row
    of ``H``), so an iteration costs ``O(n)`` a problem rather than ``O(rows n)``, and every
    problem of the stack moves in the same numpy operations, so the loop runs as often as
    the slowest problem needs rather than their sum. A problem that has stopped takes
    steps of length zero. A problem at a vertex whose own gradient element is the smallest
    has nowhere to go: its step is zero (0/0 counts as no step, as the package's
    ``min(1, max(0, step))`` has it), so it stops, where the package stops at once.

    ``weights`` holds the starting points, one row per problem; a problem with fewer
    weights than the widest is padded with zero weights whose ``linear`` is minus the
    largest float, so that their gradient element is never the smallest.
    """
    n_problems, width = weights.shape
    offsets = np.arange(n_problems) * width
    hessian_rows = hessian.reshape(n_problems * width, width)
    diagonal = np.einsum("pii->pi", hessian).ravel()
    # Rows c, Hw and w, so that one vecdot gives c'w and w'Hw, and one product scales Hw
    # and w together.
    state = np.empty((3, n_problems, width))
    state[0] = linear
    state[1] = np.einsum("pij,pj->pi", hessian, weights)
    state[2] = weights
    c, hessian_weights, w = state
    flat_hessian_weights = hessian_weights.reshape(-1)
    flat_weights = w.reshape(-1)
    running = np.ones(n_problems, dtype=bool)
    # The decrease of a step of length s is s (2 g'(w - e_i) - s (e_i - w)'H(e_i - w)) / rows.
    threshold = tolerance * rows
    with np.errstate(divide="ignore", invalid="ignore"):
        for iteration in range(max_iterations):
            gradient = hessian_weights - c
            best = gradient.argmin(axis=1)
            best += offsets
            c_w, w_hessian_w = np.vecdot(state[:2], w)
            hessian_weights_best = flat_hessian_weights.take(best)
            slope = w_hessian_w - c_w - gradient.take(best)
            curvature = w_hessian_w + diagonal.take(best) - 2 * hessian_weights_best
            step = slope / curvature
            np.fmax(step, 0.0, out=step)
            np.fmin(step, 1.0, out=step)
            step *= running
            state[1:] *= (1 - step)[:, None]
            flat_weights[best] += step
            hessian_weights += step[:, None] * hessian_rows.take(best, axis=0)
            if iteration >= 1:
                running &= step * (2 * slope - step * curvature) > threshold
                # Stopped problems take steps of length zero, so looking for the end every
                # 16th iteration changes no result and saves a reduction an iteration.
                if iteration % 16 == 0 and not running.any():
                    break
    return w.copy()


def _sparsify(weights: np.ndarray) -> np.ndarray:
    """Weights at or below a quarter of their row's largest set to zero, rows renormalised."""
    kept = np.where(weights <= weights.max(axis=1, keepdims=True) / 4, 0.0, weights)
    return kept / kept.sum(axis=1, keepdims=True)


def _solve_weight_problems(problems: list[_WeightProblem]) -> list[np.ndarray]:
    """The synthdid package's two-pass weights for every problem, solved side by side.

    A first pass of at most ``ITERATIONS_BEFORE_SPARSIFY`` iterations, weights at or below a
    quarter of the largest set to zero, then a second pass of at most ``MAX_ITERATIONS``.
    Each problem stops on its own, so the stack may be split anywhere without changing a
    result: it is, where the Gram matrices would take more than ``STACK_BYTES``.
    """
    width = max(problem.matrix.shape[1] - 1 for problem in problems)
    per_stack = max(1, STACK_BYTES // (8 * width**2))
    solved = []
    for first in range(0, len(problems), per_stack):
        solved += _solve_stack(problems[first : first + per_stack])
    return solved


def _solve_stack(problems: list[_WeightProblem]) -> list[np.ndarray]:
    """Both passes over one stack: problems in Gram form, narrower ones padded (_frank_wolfe)."""
    widths = [problem.matrix.shape[1] - 1 for problem in problems]
    width = max(widths)
    n_problems = len(problems)
    hessian = np.zeros((n_problems, width, width))
    # Padding weights: zero, with a gradient element of the largest float (see _frank_wolfe).
    linear = np.full((n_problems, width), -np.finfo(float).max)
    weights = np.zeros((n_problems, width))
    rows = np.empty(n_problems)
    tolerance = np.empty(n_problems)
    for p, (problem, n) in enumerate(zip(problems, widths, strict=True)):
        matrix = problem.matrix
        if problem.intercept:
            matrix = matrix - matrix.mean(axis=0)
        a, b = matrix[:, :n], matrix[:, n]
        rows[p] = len(matrix)
        hessian[p, :n, :n] = a.T @ a + len(matrix) * problem.zeta**2 * np.eye(n)
        linear[p, :n] = b @ a
        weights[p, :n] = 1 / n if problem.start is None else problem.start
        tolerance[p] = problem.min_decrease**2
    solve = (hessian, linear, rows, tolerance)
    weights = _frank_wolfe(*solve, weights, ITERATIONS_BEFORE_SPARSIFY)
    weights = _frank_wolfe(*solve, _sparsify(weights), MAX_ITERATIONS)
    return [weights[p, :n] for p, n in enumerate(widths)]


def _normalised(weights: np.ndarray) -> np.ndarray:
    """Weights rescaled to sum to one; uniform when none is left (synthdid's sum_normalize)."""
    total = weights.sum()
    return weights / total if total != 0 else np.full(len(weights), 1 / len(weights))


@dataclass(frozen=True)
class _Block:
    """One estimate's data: rows the comparison units then the treated, columns periods."""

    y: np.ndarray
    n_control: int
    n_pre: int


def _block_problems(block: _Block, estimator: str, start: _Weights | None) -> list[_WeightProblem]:
    """The weight searches of one block: time weights then unit weights (``sc``: unit only).

    ``start`` gives the solver's starting weights (the placebo studies start from the
    estimate's own weights, as the synthdid package does); by default uniform.
    """
    if estimator == "did":
        return []
    y, n_control, n_pre = block.y, block.n_control, block.n_pre
    n_treated = y.shape[0] - n_control
    n_post = y.shape[1] - n_pre
    pre_controls = y[:n_control, :n_pre]
    noise = float(np.std(np.diff(pre_controls, axis=1), ddof=1)) if n_pre > 1 else 0.0
    min_decrease = 1e-5 * noise
    # Collapsed form: controls' pre-periods and post-period mean, treated units averaged.
    collapsed = np.column_stack([y[:, :n_pre], y[:, n_pre:].mean(axis=1)])
    collapsed = np.vstack([collapsed[:n_control], collapsed[n_control:].mean(axis=0)])
    omega_start = None if start is None else start.omega
    if estimator == "sc":
        return [
            _WeightProblem(collapsed[:, :n_pre].T, 1e-6 * noise, False, min_decrease, omega_start)
        ]
    zeta_omega = (n_treated * n_post) ** 0.25 * noise
    zeta_lambda = 1e-6 * noise
    return [
        _WeightProblem(
            collapsed[:n_control],
            zeta_lambda,
            True,
            min_decrease,
            None if start is None else start.lam,
        ),
        _WeightProblem(collapsed[:, :n_pre].T, zeta_omega, True, min_decrease, omega_start),
    ]


def _blocks_weights(
    blocks: list[_Block], estimator: str, starts: list[_Weights] | None = None
) -> list[_Weights]:
    """Unit and time weights of every block, their weight searches solved side by side."""
    problems = [
        _block_problems(block, estimator, None if starts is None else starts[k])
        for k, block in enumerate(blocks)
    ]
    flat = [problem for block_problems in problems for problem in block_problems]
    solved = iter(_solve_weight_problems(flat) if flat else [])
    weights = []
    for block in blocks:
        if estimator == "did":
            omega = np.full(block.n_control, 1 / block.n_control)
            lam = np.full(block.n_pre, 1 / block.n_pre)
        elif estimator == "sc":
            omega, lam = next(solved), np.zeros(block.n_pre)
        else:
            lam = next(solved)
            omega = next(solved)
        weights.append(_Weights(omega, lam))
    return weights


def _block_effect(block: _Block, weights: _Weights) -> float:
    n_treated = block.y.shape[0] - block.n_control
    n_post = block.y.shape[1] - block.n_pre
    unit = np.concatenate([-weights.omega, np.full(n_treated, 1 / n_treated)])
    time = np.concatenate([-weights.lam, np.full(n_post, 1 / n_post)])
    return float(unit @ block.y @ time)


@dataclass(frozen=True)
class _Cohort:
    start: Any  # the adoption period's label
    n_pre: int
    treated_rows: np.ndarray  # row indices into the wide matrix


def _cohort_blocks(wide: np.ndarray, controls: np.ndarray, cohorts: list[_Cohort]) -> list[_Block]:
    """Each adoption cohort against the comparison units, over all periods."""
    return [
        _Block(wide[np.concatenate([controls, c.treated_rows])], len(controls), c.n_pre)
        for c in cohorts
    ]


def _cohort_average(blocks: list[_Block], weights: list[_Weights]) -> tuple[float, list[float]]:
    """Treated-unit-period-weighted average of the cohort estimates, and the estimates."""
    effects = [_block_effect(block, w) for block, w in zip(blocks, weights, strict=True)]
    sizes = [(b.y.shape[0] - b.n_control) * (b.y.shape[1] - b.n_pre) for b in blocks]
    share = np.asarray(sizes, dtype=float) / sum(sizes)
    return float(share @ np.asarray(effects)), effects


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

    blocks = _cohort_blocks(wide, controls, cohorts)
    weights = _blocks_weights(blocks, estimator)
    effect, cohort_effects = _cohort_average(blocks, weights)
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
            _cohort_average(_cohort_blocks(wide, kept_controls, kept_cohorts), fixed)[0]
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
    The weight searches of every placebo study are solved side by side, each to its own
    stopping rule, so the estimates are those of solving them one at a time.
    """
    sizes = [len(c.treated_rows) for c in cohorts]
    n_placebo = sum(sizes)
    if n_placebo == 1 and len(controls) <= replications:
        assignments = [np.array([i]) for i in range(len(controls))]
    else:
        rng = np.random.default_rng(seed)
        assignments = [rng.permutation(len(controls))[:n_placebo] for _ in range(replications)]
    studies, starts = [], []
    for chosen in assignments:
        placebo_controls = np.delete(controls, chosen)
        kept = np.ones(len(controls), dtype=bool)
        kept[chosen] = False
        placebo_cohorts, offset = [], 0
        for cohort, size in zip(cohorts, sizes, strict=True):
            rows = controls[chosen[offset : offset + size]]
            placebo_cohorts.append(_Cohort(cohort.start, cohort.n_pre, rows))
            offset += size
        studies.append(_cohort_blocks(wide, placebo_controls, placebo_cohorts))
        starts += [_Weights(_normalised(w.omega[kept]), w.lam) for w in weights]
    solved = iter(_blocks_weights([b for blocks in studies for b in blocks], estimator, starts))
    estimates = [_cohort_average(blocks, [next(solved) for _ in blocks])[0] for blocks in studies]
    values = np.asarray(estimates)
    return float(np.sqrt(np.mean((values - values.mean()) ** 2))), values
