"""Synthetic control: one treated area against a weighted donor pool.

The synthetic control (Abadie and Gardeazabal 2003; Abadie, Diamond and Hainmueller 2010)
is the convex combination of donor units whose pre-treatment path best matches the treated
unit's; after treatment, the gap between the treated unit and its synthetic control is the
estimated effect.

Weights. Without predictors the donor weights ``w`` minimise the pre-period squared error
``||y1 - Y0 w||^2`` on the simplex (``w >= 0``, ``sum(w) = 1``). With predictors ``X`` (each
row scaled by its standard deviation across units, as R's ``Synth`` does) they minimise
``(x1 - X0 w)' V (x1 - X0 w)`` on the simplex, and the diagonal importance weights ``V``
(summing to one) are chosen, by Nelder-Mead from equal and regression-based starts, to
minimise the pre-period outcome error of the resulting synthetic control. Each inner problem
is a small quadratic programme on the simplex, solved exactly by a primal active-set method
(no tolerance-driven iteration), which is what makes the placebo loop fast. The searches
over V of the treated unit, every in-space placebo and the in-time placebo are independent,
so they run together: Nelder-Mead's steps (scipy's) in lockstep, each step's inner
programmes solved in one stacked call. The search is not convex and Nelder-Mead compares
nearly equal losses, so V can move with rounding (listing the donors in another order moves
one placebo's RMSPE ratio by 6.5% on a 43-unit panel, and the treated unit's weights by
3e-6 on a 21-unit one); the weights given V are exact.

Ridge augmentation (``augment="ridge"``; Ben-Michael, Feller and Rothstein 2021) corrects
the synthetic control by a ridge regression of each period's outcome on the pre-period
outcomes among donors, applied to the remaining pre-period imbalance; the implied weights
may be negative (controlled extrapolation), which is what a treated unit at the edge of the
donors needs.

Inference.

- Conformal (Chernozhukov, Wuthrich and Zhu 2021): under the hypothesis that the effect is
  ``theta`` in every post period, the treated unit's post-period outcomes less ``theta`` are
  untreated outcomes, the synthetic control is refitted to *all* periods, and the statistic
  ``|sum of post-period residuals| / sqrt(T1)`` is compared with its values under every
  cyclic shift of the residual series (moving-block permutations). Inverting the test gives
  the interval for the average effect and the p-value (at ``theta = 0``); the same test with
  one post period at a time gives the per-period intervals. The refits use the outcome-only
  synthetic control (ridge-augmented when ``augment="ridge"``), as the method requires a fit
  that sees the hypothesised post-period outcomes. With ``T`` periods the p-value moves in
  steps of ``1/T``, so the interval's exact level is ``1 - floor(alpha T) / T`` (97.2% for a
  nominal 95% with 36 periods; the simulation study measures 97.3%).
- In-space placebos (Abadie et al. 2010): every donor in turn is treated as if treated, with
  the other donors as its pool; the rank of the treated unit's post/pre RMSPE ratio among
  all the ratios gives the placebo p-value.
- In-time placebo: the whole analysis with a fictitious treatment date inside the
  pre-period; a large "effect" there means the design finds effects where none exist.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, EstimationError
from ..results import Estimate
from ._panel import check_conf_level, require_columns

logger = logging.getLogger(__name__)

__all__ = ["synthetic_control", "simplex_least_squares"]

#: Fewest pre-treatment periods for a fit to mean anything (the conformal p-value's
#: resolution is 1 / number of periods).
MIN_PRE_PERIODS = 5
#: Fewer pre-treatment periods than this: a warning.
WARN_PRE_PERIODS = 10
#: Pre-period RMSPE above this share of the treated unit's pre-period standard deviation:
#: the synthetic control does not reproduce the treated unit's path.
POOR_FIT_RATIO = 0.3
#: Largest donor weight above which the synthetic control is essentially one donor.
DOMINANT_WEIGHT = 0.9
#: Share of pre-periods outside the donors' range above which a warning is given.
OUTSIDE_RANGE_WARN = 0.25
#: Grid points and bisection steps of the conformal interval search (interval ends are
#: exact to about 2 * bracket / (grid points * 2**bisections)).
_GRID_POINTS = 61
#: Weight of the outcome tie-break relative to the predictor term (see _weights_given_v).
_TIE_BREAK = 1e-6
_BISECTIONS = 12

ASSUMPTIONS = (
    "Without treatment, the treated unit's outcome would have followed the weighted "
    "combination of donors that matched it before treatment (the donors share the factors "
    "that drive the treated unit's outcome).",
    "No donor was affected by the treatment or by a similar intervention during the "
    "study period (no spillover, a clean donor pool).",
    "Nothing else that affects the outcome changed in the treated unit alone at the time "
    "of treatment.",
    "For the conformal interval: the synthetic control's residuals are stationary and "
    "weakly dependent over time, and the effect is the same in every post period "
    "(the per-period intervals drop this last condition).",
)


# --------------------------------------------------------------------------- the QP
def simplex_least_squares(
    design: np.ndarray, target: np.ndarray, *, start: np.ndarray | None = None
) -> np.ndarray:
    """Weights on the simplex minimising ``||design @ w - target||^2`` (exact active set).

    A primal active-set method (Lawson and Hanson's NNLS with the sum-to-one constraint
    added): each step solves the least-squares problem on the current set of positive
    weights exactly, so the answer is exact to rounding, with no convergence tolerance.

    Parameters
    ----------
    design : numpy.ndarray, shape (m, J)
        One column per donor.
    target : numpy.ndarray, shape (m,)
        The treated unit's values.
    start : numpy.ndarray, optional
        Feasible starting weights (a warm start from a similar problem).

    Returns
    -------
    numpy.ndarray, shape (J,)

    Examples
    --------
    >>> import numpy as np
    >>> donors = np.array([[1.0, 3.0, 10.0], [2.0, 4.0, 10.0]])
    >>> simplex_least_squares(donors, np.array([2.0, 3.0])).round(3)
    array([0.5, 0.5, 0. ])
    """
    gram = design.T @ design
    cross = design.T @ target
    return _simplex_qp(gram, cross, start=start)


def _simplex_qp(
    gram: np.ndarray, cross: np.ndarray, *, start: np.ndarray | None = None
) -> np.ndarray:
    """Minimise ``w' G w / 2 - c' w`` on the simplex; ``G`` positive semi-definite."""
    n = len(cross)
    if n == 1:
        return np.ones(1)
    # A ridge far below rounding of the problem's scale makes the equality-constrained
    # subproblems solvable when donors are collinear; it selects the minimum-norm optimum.
    scale = max(float(np.trace(gram)) / n, 1e-300)
    gram = gram + np.eye(n) * scale * 1e-12
    tol = scale * 1e-11
    if start is not None and start.shape == (n,) and (start >= 0).all():
        weights = start / start.sum()
    else:
        weights = np.zeros(n)
        # The best single donor: a vertex of the simplex, feasible by construction.
        weights[int(np.argmin(np.diag(gram) / 2 - cross))] = 1.0
    passive = weights > 0
    for _ in range(10 * n + 20):
        # Make the weights optimal on the current positive set, dropping any weight the
        # unconstrained step would push below zero (a warm start need not be optimal).
        for _ in range(n + 1):
            candidate = _equality_solution(gram, cross, passive)
            if (candidate[passive] > 0).all():
                weights = candidate
                break
            # Move towards the subproblem's solution until the first weight reaches zero.
            shrinking = passive & (candidate <= 0)
            steps = weights[shrinking] / (weights[shrinking] - candidate[shrinking])
            step = float(np.min(steps))
            weights = weights + step * (candidate - weights)
            passive &= weights > 1e-14
            weights[~passive] = 0.0
            if not passive.any():  # rounding removed every weight: restart at the best one
                passive[int(np.argmax(candidate))] = True
                weights[passive] = 1.0
        gradient = gram @ weights - cross
        level = float(np.mean(gradient[passive]))
        slack = gradient - level
        slack[passive] = np.inf
        entering = int(np.argmin(slack))
        if slack[entering] >= -tol:
            break
        passive[entering] = True
    weights = np.clip(weights, 0.0, None)
    return weights / weights.sum()


def _equality_solution(gram: np.ndarray, cross: np.ndarray, passive: np.ndarray) -> np.ndarray:
    """Minimiser of the quadratic over the passive set with the weights summing to one."""
    index = np.flatnonzero(passive)
    k = len(index)
    system = np.empty((k + 1, k + 1))
    system[:k, :k] = gram[index][:, index]
    system[:k, k] = 1.0
    system[k, :k] = 1.0
    system[k, k] = 0.0
    rhs = np.empty(k + 1)
    rhs[:k] = cross[index]
    rhs[k] = 1.0
    try:
        solution = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:
        solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    if not np.isfinite(solution).all():
        solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    out = np.zeros(len(cross))
    out[index] = solution[:k]
    return out


# --------------------------------------------------------------------------- fits
@dataclass
class _Fit:
    weights: np.ndarray  # simplex weights over donors
    v_weights: np.ndarray | None  # predictor importance (None: outcome-only)
    synthetic: np.ndarray  # synthetic control path, every period
    augmented_weights: np.ndarray | None = None


def _outcome_fit(
    treated: np.ndarray, donors: np.ndarray, pre: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray:
    """Simplex weights fitted to the pre-period outcomes (``donors``: periods x J)."""
    return simplex_least_squares(donors[pre], treated[pre], start=start)


def _scale_predictors(x_treated: np.ndarray, x_donors: np.ndarray) -> tuple[np.ndarray, ...]:
    """Divide each predictor by its standard deviation across all units (R's Synth)."""
    both = np.column_stack([x_donors, x_treated])
    sd = both.std(axis=1, ddof=1)
    sd[sd == 0] = 1.0
    return x_treated / sd, x_donors / sd[:, None]


def _weights_given_v(
    v: np.ndarray,
    x_treated: np.ndarray,
    x_donors: np.ndarray,
    y_treated: np.ndarray,
    y_donors: np.ndarray,
    *,
    start: np.ndarray | None = None,
    outcome_terms: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Simplex weights minimising the V-weighted predictor gap.

    When predictors are fewer than donors many weight vectors can match them equally
    well; a tie-break term, the pre-period outcome error scaled to a millionth of the
    predictor term, picks among them the one that tracks the outcome best (and makes the
    choice, and so the outer loss of V, a deterministic function of V).

    ``start`` warm-starts the active set (the optimum does not depend on it: the problem
    is strictly convex); ``outcome_terms`` are ``(Y0'Y0, Y0'y1)``, the same for every V,
    so the search over V computes them once.
    """
    if outcome_terms is None:
        outcome_terms = (y_donors.T @ y_donors, y_donors.T @ y_treated)
    outcome_gram, outcome_cross = outcome_terms
    # X0' V X0 and X0' V x1 without forming the scaled design.
    weighted = x_donors * v[:, None]
    gram = x_donors.T @ weighted
    cross = weighted.T @ x_treated
    tie = _TIE_BREAK * max(np.trace(gram), 1e-300) / max(np.trace(outcome_gram), 1e-300)
    return _simplex_qp(gram + tie * outcome_gram, cross + tie * outcome_cross, start=start)


def _predictor_fit(
    x_treated: np.ndarray,
    x_donors: np.ndarray,
    y_treated: np.ndarray,
    y_donors: np.ndarray,
    fit_rows: np.ndarray,
    v_weights: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Nested fit: V minimising pre-period outcome error, weights given V."""
    return _predictor_fits([(x_treated, x_donors, y_treated, y_donors, fit_rows)], v_weights)[0]


def _predictor_fits(
    problems: Sequence[tuple[np.ndarray, ...]], v_weights: Sequence[float] | None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Nested fits of several units at once: for each, V and the weights given V.

    Each problem is ``(x_treated, x_donors, y_treated, y_donors, fit_rows)``: predictors
    (k, and k x J), outcomes (periods, and periods x J) and the periods whose outcome error
    chooses V. V is searched by Nelder-Mead from equal importance and from the
    regression-based start, as ``scipy.optimize.minimize`` would, but every problem's
    searches run together (:func:`_lockstep_nelder_mead`), so that each step solves the
    inner programmes of all of them in one stacked call (:class:`_StackedWeights`) instead
    of paying Python's and numpy's per-call cost once per problem. The treated unit, its
    in-space placebos and its in-time placebo are such a set.
    """
    scaled = []
    for x_treated, x_donors, y_treated, y_donors, fit_rows in problems:
        xt, xd = _scale_predictors(x_treated, x_donors)
        scaled.append((xt, xd, y_treated[fit_rows], y_donors[fit_rows]))
    k = len(scaled[0][0])
    if v_weights is not None or k == 1:
        v = np.ones(1) if v_weights is None else np.asarray(v_weights, dtype=float)
        v = v / v.sum()
        return [(_weights_given_v(v, *problem), v) for problem in scaled]

    stacked = _StackedWeights(scaled)
    count = len(scaled)
    equal = np.full((count, k), 1.0 / k)
    # The loss is relative to its value at equal importance, so that the stopping
    # tolerance is relative; that first solve also warm-starts every search.
    everyone = np.arange(count)
    first = stacked.solve(everyone, equal, None)
    scale = np.maximum(stacked.outcome_error(everyone, first), 1e-300)

    run_problem, run_start = [], []
    for index, (xt, xd, yt, yd) in enumerate(scaled):
        run_problem.append(index)
        run_start.append(equal[index])
        # Regression-based start (Synth's and pysyncon's "ols"): predictors that explain
        # the pre-period outcomes across units get more importance.
        design = np.column_stack([np.ones(xd.shape[1] + 1), np.column_stack([xd, xt]).T])
        outcomes = np.column_stack([yd, yt]).T
        coef = np.linalg.lstsq(design, outcomes, rcond=None)[0][1:]
        importance = np.sum(coef**2, axis=1)
        if np.isfinite(importance).all() and importance.sum() > 0:
            run_problem.append(index)
            run_start.append(importance / importance.sum())
    run_problem_array = np.array(run_problem)
    # Each search warm-starts the active set from its own last optimum: Nelder-Mead moves
    # V a little at a time, so most solves take one step instead of a dozen.
    warm = first[run_problem_array]

    def loss(runs: np.ndarray, params: np.ndarray) -> np.ndarray:
        v = np.abs(params)
        total = v.sum(axis=1)
        values = np.full(len(runs), np.inf)
        usable = total > 0
        runs, v = runs[usable], v[usable] / total[usable, None]
        problem = run_problem_array[runs]
        weights = stacked.solve(problem, v, warm[runs])
        # A search with several points in the call keeps the last one's optimum.
        warm[runs] = weights
        values[usable] = stacked.outcome_error(problem, weights) / scale[problem]
        return values

    best_x, best_loss = _lockstep_nelder_mead(loss, np.array(run_start), maxiter=200 * k)
    chosen: list[np.ndarray | None] = [None] * count
    lowest = np.full(count, math.inf)
    for run, index in enumerate(run_problem):
        # In start order, a later start replacing an earlier one only if strictly better.
        if best_loss[run] < lowest[index]:
            lowest[index] = best_loss[run]
            chosen[index] = np.abs(best_x[run]) / np.abs(best_x[run]).sum()
    out = []
    for index, problem in enumerate(scaled):
        v = chosen[index] if chosen[index] is not None else equal[index]
        out.append((_weights_given_v(v, *problem), v))
    return out


class _StackedWeights:
    """The inner programmes of several nested fits, stacked so one call solves them all.

    For problem ``p`` and importance ``v`` the programme is :func:`_weights_given_v`'s:
    minimise ``w' G w / 2 - c' w`` on the simplex, with ``G = X' diag(v) X + t Y'Y`` and
    ``c = X' diag(v) x + t Y'y`` (``t`` the tie-break's weight). Donor and period axes are
    padded with zeros to the largest problem; a padded donor never enters the active set.
    ``Y'Y`` and ``Y'y`` do not depend on V and are computed once.
    """

    def __init__(self, problems: Sequence[tuple[np.ndarray, ...]]):
        count = len(problems)
        k = len(problems[0][0])
        donors = max(p[1].shape[1] for p in problems)
        periods = max(len(p[2]) for p in problems)
        self.x_donors = np.zeros((count, donors, k))
        self.x_treated = np.zeros((count, k))
        self.y_donors = np.zeros((count, periods, donors))
        self.y_treated = np.zeros((count, periods))
        self.valid = np.zeros((count, donors), dtype=bool)
        self.n_donors = np.zeros(count)
        self.n_periods = np.zeros(count)
        for index, (xt, xd, yt, yd) in enumerate(problems):
            self.x_treated[index] = xt
            self.x_donors[index, : xd.shape[1]] = xd.T
            self.y_treated[index, : len(yt)] = yt
            self.y_donors[index, : len(yt), : xd.shape[1]] = yd
            self.valid[index, : xd.shape[1]] = True
            self.n_donors[index] = xd.shape[1]
            self.n_periods[index] = len(yt)
        self.outcome_gram = self.y_donors.transpose(0, 2, 1) @ self.y_donors
        self.outcome_cross = np.einsum("ptj,pt->pj", self.y_donors, self.y_treated)
        self.outcome_diagonal = np.einsum("pjj->pj", self.outcome_gram)
        self.outcome_trace = self.outcome_diagonal.sum(axis=1)
        self.predictor_squares = np.sum(self.x_donors**2, axis=1)

    def outcome_error(self, problem: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Mean squared fit-period outcome error of each problem's synthetic control."""
        fitted = np.einsum("ptj,pj->pt", self.y_donors[problem], weights)
        residual = self.y_treated[problem] - fitted
        return np.einsum("pt,pt->p", residual, residual) / self.n_periods[problem]

    def solve(self, problem: np.ndarray, v: np.ndarray, start: np.ndarray | None) -> np.ndarray:
        """Weights for ``problem[i]`` at importance ``v[i]``: :func:`_simplex_qp`'s steps.

        The primal active-set method runs for all problems together: each round solves
        every unfinished problem's equality-constrained subproblem in one stacked linear
        solve, then takes, problem by problem (as masks), the step :func:`_simplex_qp`
        would take. ``start`` (rows of feasible weights, or None for a cold start) plays
        the same part as there.
        """
        x_donors = self.x_donors[problem]
        weighted = x_donors * v[:, None, :]
        predictor_trace = np.sum(v * self.predictor_squares[problem], axis=1)
        outcome_trace = self.outcome_trace[problem]
        tie = _TIE_BREAK * np.maximum(predictor_trace, 1e-300) / np.maximum(outcome_trace, 1e-300)
        cross = (weighted @ self.x_treated[problem][:, :, None])[:, :, 0]
        cross += tie[:, None] * self.outcome_cross[problem]
        # As in _simplex_qp: a ridge far below the problem's scale, and the tolerance of
        # the optimality check, both relative to the mean diagonal of G.
        scale = np.maximum((predictor_trace + tie * outcome_trace) / self.n_donors[problem], 1e-300)
        ridge = scale * 1e-12
        tol = scale * 1e-11
        valid = self.valid[problem]
        qp = _StackedProgramme(
            x_donors, weighted, self.outcome_gram, problem, tie, ridge, cross, valid
        )
        count, donors = cross.shape
        if start is None:
            diagonal = np.sum(weighted * x_donors, axis=2)
            diagonal += tie[:, None] * self.outcome_diagonal[problem]
            diagonal += ridge[:, None]
            vertex = np.where(valid, diagonal / 2 - cross, np.inf)
            weights = np.zeros((count, donors))
            weights[np.arange(count), np.argmin(vertex, axis=1)] = 1.0
        else:
            weights = start / start.sum(axis=1, keepdims=True)
        return _stacked_active_set(qp, weights, tol)


@dataclass
class _StackedProgramme:
    """``G`` and ``c`` of stacked simplex programmes, with G's blocks formed on demand.

    ``G = X' diag(v) X + t Y'Y + r I`` is never formed whole: a round needs only its
    block on the positive set and its product with weights that live on that set.
    """

    x_donors: np.ndarray  # (n, J, k): each donor's scaled predictors
    weighted: np.ndarray  # the same scaled by V
    outcome_gram: np.ndarray  # (problems, J, J), indexed through `problem`
    problem: np.ndarray  # (n,)
    tie: np.ndarray  # (n,)
    ridge: np.ndarray  # (n,)
    cross: np.ndarray  # (n, J)
    valid: np.ndarray  # (n, J): real (not padded) donors

    def block(self, rows: np.ndarray, index: np.ndarray) -> np.ndarray:
        """``G[index, index]`` less its ridge, for each row (``index``: rows x m donors)."""
        row = rows[:, None]
        block = self.weighted[row, index] @ self.x_donors[row, index].transpose(0, 2, 1)
        problem = self.problem[rows][:, None, None]
        outcome = self.outcome_gram[problem, index[:, :, None], index[:, None, :]]
        return block + self.tie[rows, None, None] * outcome

    def gradient(
        self, rows: np.ndarray, weights: np.ndarray, index: np.ndarray, support: np.ndarray
    ) -> np.ndarray:
        """``G w - c`` for each row, ``w`` being ``support`` on the donors ``index``."""
        row = rows[:, None]
        projected = self.x_donors[row, index].transpose(0, 2, 1) @ support[:, :, None]
        out = (self.weighted[rows] @ projected)[:, :, 0]
        # Copying whole Y'Y blocks and multiplying is cheaper than gathering their columns.
        outcome = self.outcome_gram[self.problem[rows]] @ weights[:, :, None]
        out += self.tie[rows, None] * outcome[:, :, 0]
        out += self.ridge[rows, None] * weights - self.cross[rows]
        return out


def _stacked_active_set(qp: _StackedProgramme, weights: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """:func:`_simplex_qp`'s active-set iteration, for every stacked programme at once.

    Each round is one step of the single-problem method for every unfinished programme:
    where the subproblem's solution on the positive set is positive, adopt it and either
    stop (no donor would lower the objective) or let the most promising donor in; where
    it is not, move towards it until the first weight reaches zero and drop that donor.
    """
    count, donors = weights.shape
    passive = weights > 0
    unfinished = np.arange(count)
    # The method ends in finitely many rounds; the bound (_simplex_qp's on its steps) only
    # guards against rounding making it cycle.
    for _ in range((10 * donors + 20) * (donors + 2)):
        if len(unfinished) == 0:
            break
        rows = unfinished
        positive = passive[rows]
        candidate, index, support = _stacked_equality_solution(qp, rows, positive)
        feasible = np.all((candidate > 0) | ~positive, axis=1)
        adopt = rows[feasible]
        still = []
        if len(adopt):
            chosen = candidate[feasible]
            weights[adopt] = chosen
            gradient = qp.gradient(adopt, chosen, index[feasible], support[feasible])
            positive_adopt = positive[feasible]
            level = np.sum(gradient * positive_adopt, axis=1) / np.sum(positive_adopt, axis=1)
            slack = gradient - level[:, None]
            slack[positive_adopt | ~qp.valid[adopt]] = np.inf
            entering = np.argmin(slack, axis=1)
            improvable = slack[np.arange(len(adopt)), entering] < -tol[adopt]
            passive[adopt[improvable], entering[improvable]] = True
            still.append(adopt[improvable])
        retreat = rows[~feasible]
        if len(retreat):
            target = candidate[~feasible]
            current = weights[retreat]
            positive_retreat = positive[~feasible]
            shrinking = positive_retreat & (target <= 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                steps = np.where(shrinking, current / (current - target), np.inf)
            step = np.min(steps, axis=1)
            current = current + step[:, None] * (target - current)
            positive_retreat &= current > 1e-14
            current[~positive_retreat] = 0.0
            emptied = np.flatnonzero(~positive_retreat.any(axis=1))
            if len(emptied):  # rounding removed every weight: restart at the best one
                best = np.argmax(target[emptied], axis=1)
                positive_retreat[emptied, best] = True
                current[emptied, best] = 1.0
            weights[retreat] = current
            passive[retreat] = positive_retreat
            still.append(retreat)
        unfinished = np.sort(np.concatenate(still)) if still else rows[:0]
    weights = np.clip(weights, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def _stacked_equality_solution(
    qp: _StackedProgramme, rows: np.ndarray, passive: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_equality_solution` for each row, as one stacked linear solve.

    The positive sets differ in size; each system is padded to the largest with identity
    rows and columns (whose solution is zero), which leaves the others' solutions as they
    are. Returns the solutions over all donors, and each row's positive donors (padded
    with others) and its solution on them.
    """
    size = passive.sum(axis=1)
    m = int(size.max())
    index = np.argsort(~passive, axis=1, kind="stable")[:, :m]
    inside = np.arange(m)[None, :] < size[:, None]
    system = np.zeros((len(rows), m + 1, m + 1))
    system[:, :m, :m] = qp.block(rows, index) * (inside[:, :, None] & inside[:, None, :])
    diagonal = np.arange(m)
    system[:, diagonal, diagonal] += np.where(inside, qp.ridge[rows, None], 1.0)
    system[:, :m, m] = inside
    system[:, m, :m] = inside
    rhs = np.zeros((len(rows), m + 1))
    rhs[:, :m] = qp.cross[rows[:, None], index] * inside
    rhs[:, m] = 1.0
    try:
        solution = np.linalg.solve(system, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        solution = np.full_like(rhs, np.nan)
    # A singular or ill-conditioned system: least squares, one at a time, as there.
    for row in np.flatnonzero(~np.isfinite(solution).all(axis=1)):
        try:
            solution[row] = np.linalg.solve(system[row], rhs[row])
        except np.linalg.LinAlgError:
            solution[row] = np.linalg.lstsq(system[row], rhs[row], rcond=None)[0]
        if not np.isfinite(solution[row]).all():
            solution[row] = np.linalg.lstsq(system[row], rhs[row], rcond=None)[0]
    support = solution[:, :m] * inside
    out = np.zeros((len(rows), qp.cross.shape[1]))
    out[np.arange(len(rows))[:, None], index] = support
    return out, index, support


#: Nelder-Mead's reflection, expansion, contraction and shrink coefficients and the
#: relative (or, at zero, absolute) size of the first simplex: scipy's, so that
#: _lockstep_nelder_mead takes the steps scipy.optimize.minimize(method="Nelder-Mead") does.
_REFLECT, _EXPAND, _CONTRACT, _SHRINK = 1.0, 2.0, 0.5, 0.5
_SIMPLEX_STEP, _SIMPLEX_STEP_AT_ZERO = 0.05, 0.00025
#: Nelder-Mead's stopping rule: the simplex within this of its best point, in V and in loss.
_V_TOLERANCE, _LOSS_TOLERANCE = 1e-6, 1e-9


def _lockstep_nelder_mead(loss: Any, starts: np.ndarray, maxiter: int) -> tuple[np.ndarray, ...]:
    """Nelder-Mead from each row of ``starts``, all searches advancing together.

    The steps are scipy's (``minimize(method="Nelder-Mead")`` with ``xatol`` 1e-6,
    ``fatol`` 1e-9 and ``maxiter``): the same first simplex, reflection, expansion,
    contractions, shrink, ordering and stopping rule, so each search visits the points it
    would visit alone. What changes is the bookkeeping: ``loss(runs, points)`` is called
    with the points of several searches at once (``runs`` says whose, by row of
    ``starts``; a search's first simplex, or a shrink's points, come in one call, as they
    do not depend on one another's losses) and returns their losses, so that the
    searches' inner solves are stacked.

    Returns
    -------
    tuple of numpy.ndarray
        The best point of each search (rows) and its loss.
    """
    count, n = starts.shape
    simplex = np.empty((count, n + 1, n))
    simplex[:, 0] = starts
    for k in range(n):
        vertex = starts.copy()
        vertex[:, k] = np.where(
            vertex[:, k] != 0, (1 + _SIMPLEX_STEP) * vertex[:, k], _SIMPLEX_STEP_AT_ZERO
        )
        simplex[:, k + 1] = vertex
    everyone = np.arange(count)
    # The first simplex's points, like a shrink's, do not depend on one another's losses:
    # one call evaluates them all.
    values = loss(np.repeat(everyone, n + 1), simplex.reshape(-1, n)).reshape(count, n + 1)

    def reorder(rows: np.ndarray, points: np.ndarray, losses: np.ndarray) -> None:
        order = np.argsort(losses, axis=1)
        simplex[rows] = np.take_along_axis(points, order[:, :, None], axis=1)
        values[rows] = np.take_along_axis(losses, order, axis=1)

    # scipy sorts the first simplex twice (an unstable sort may reorder ties): so here.
    reorder(everyone, simplex.copy(), values.copy())
    reorder(everyone, simplex.copy(), values.copy())
    searching = np.ones(count, dtype=bool)
    for _ in range(maxiter - 1):
        spread = np.max(np.abs(simplex[:, 1:] - simplex[:, :1]), axis=(1, 2))
        loss_spread = np.max(np.abs(values[:, :1] - values[:, 1:]), axis=1)
        searching &= ~((spread <= _V_TOLERANCE) & (loss_spread <= _LOSS_TOLERANCE))
        rows = np.flatnonzero(searching)
        if len(rows) == 0:
            break
        points, losses = simplex[rows], values[rows]
        # The centroid of all but the worst point, summed in scipy's order.
        centroid = points[:, 0].copy()
        for k in range(1, n):
            centroid += points[:, k]
        centroid /= n
        worst = points[:, -1]
        reflected = (1 + _REFLECT) * centroid - _REFLECT * worst
        reflected_loss = loss(rows, reflected)
        expand = reflected_loss < losses[:, 0]
        accept = ~expand & (reflected_loss < losses[:, -2])
        outside = ~expand & ~accept & (reflected_loss < losses[:, -1])
        inside = ~expand & ~accept & ~outside
        second = np.where(
            expand[:, None],
            (1 + _REFLECT * _EXPAND) * centroid - _REFLECT * _EXPAND * worst,
            np.where(
                outside[:, None],
                (1 + _CONTRACT * _REFLECT) * centroid - _CONTRACT * _REFLECT * worst,
                (1 - _CONTRACT) * centroid + _CONTRACT * worst,
            ),
        )
        second_loss = np.full(len(rows), np.inf)
        tried = ~accept
        if tried.any():
            second_loss[tried] = loss(rows[tried], second[tried])
        take_second = (
            (expand & (second_loss < reflected_loss))
            | (outside & (second_loss <= reflected_loss))
            | (inside & (second_loss < losses[:, -1]))
        )
        shrink = (outside | inside) & ~take_second
        new_point = np.where(take_second[:, None], second, reflected)
        new_loss = np.where(take_second, second_loss, reflected_loss)
        keep = ~shrink
        points[keep, -1] = new_point[keep]
        losses[keep, -1] = new_loss[keep]
        shrinking = np.flatnonzero(shrink)
        if len(shrinking):
            best = points[shrinking, :1]
            points[shrinking, 1:] = best + _SHRINK * (points[shrinking, 1:] - best)
            shrunk = loss(np.repeat(rows[shrinking], n), points[shrinking, 1:].reshape(-1, n))
            losses[shrinking, 1:] = shrunk.reshape(-1, n)
        reorder(rows, points, losses)
    return simplex[:, 0].copy(), values.min(axis=1)


def _ridge_adjustment(
    treated_pre: np.ndarray, donors_pre: np.ndarray, weights: np.ndarray, ridge: float
) -> np.ndarray:
    """Ridge-ASCM correction to the weights (Ben-Michael, Feller and Rothstein, eq. 7).

    ``donors_pre`` is periods x J. Returns the augmented (possibly negative) weights.
    """
    centre = donors_pre.mean(axis=1)
    x0 = (donors_pre - centre[:, None]).T  # J x T0, centred across donors
    x1 = treated_pre - centre
    imbalance = x1 - x0.T @ weights
    system = x0.T @ x0 + ridge * np.eye(x0.shape[1])
    return weights + x0 @ np.linalg.solve(system, imbalance)


def _default_ridge(donors_pre: np.ndarray) -> float:
    """Ridge penalty: the largest squared singular value of the centred donor matrix / 10.

    Scaled to the data, as augsynth's cross-validation grid is; shrinks little along the
    leading factors and much along noise directions.
    """
    x0 = donors_pre - donors_pre.mean(axis=1, keepdims=True)
    singular = np.linalg.svd(x0, compute_uv=False)
    return float(max(singular[0] ** 2, 1e-12)) / 10


# --------------------------------------------------------------------------- inference
def _cyclic_statistics(residuals: np.ndarray, post_count: int) -> np.ndarray:
    """``|sum of the last post_count residuals| / sqrt(post_count)`` under every cyclic shift."""
    n = len(residuals)
    doubled = np.concatenate([residuals, residuals])
    cumulative = np.concatenate([[0.0], np.cumsum(doubled)])
    # Shift j moves block [n - post_count - j, n - j) (mod n) into the post positions.
    ends = n - np.arange(n) + n
    sums = cumulative[ends] - cumulative[ends - post_count]
    return np.abs(sums) / np.sqrt(post_count)


class _Conformal:
    """Test inversion of the constant-effect hypothesis by refits (CWZ 2021)."""

    def __init__(
        self, treated: np.ndarray, donors: np.ndarray, post: np.ndarray, ridge: float | None
    ):
        self.treated = treated
        self.donors = donors
        self.post = post
        self.ridge = ridge
        self._start: np.ndarray | None = None

    def _residuals(self, theta: float, rows: np.ndarray, post_rows: np.ndarray) -> np.ndarray:
        y = self.treated[rows] - theta * post_rows
        d = self.donors[rows]
        w = simplex_least_squares(d, y, start=self._start)
        self._start = w
        if self.ridge is not None:
            w = _ridge_adjustment(y, d, w, self.ridge)
        return y - d @ w

    def p_value(self, theta: float, rows: np.ndarray | None = None) -> float:
        if rows is None:
            rows = np.arange(len(self.treated))
        post_rows = self.post[rows].astype(float)
        residuals = self._residuals(theta, rows, post_rows)
        # Post periods last, so that the cyclic shifts move blocks of the residual series.
        order = np.concatenate([np.flatnonzero(post_rows == 0), np.flatnonzero(post_rows == 1)])
        stats = _cyclic_statistics(residuals[order], int(post_rows.sum()))
        return float(np.mean(stats >= stats[0] - 1e-12 * max(stats[0], 1.0)))

    def interval(
        self, centre: float, spread: float, alpha: float, rows: np.ndarray | None = None
    ) -> tuple[float, float]:
        """Smallest interval holding every ``theta`` with ``p(theta) > alpha``.

        The p-value is a step function of ``theta`` and need not be unimodal, so the
        accepted set is found on a grid over a bracket whose ends are both rejected, and
        its outermost accepted points are refined by bisection.
        """
        spread = max(spread, 1e-8 * max(abs(centre), 1.0))
        reach = spread
        for _ in range(60):
            if (
                self.p_value(centre - reach, rows) <= alpha
                and self.p_value(centre + reach, rows) <= alpha
            ):
                break
            reach *= 2
        else:
            return -math.inf, math.inf
        grid = np.linspace(centre - reach, centre + reach, _GRID_POINTS)
        accepted = np.flatnonzero([self.p_value(g, rows) > alpha for g in grid])
        if len(accepted) == 0:
            return centre, centre
        low = self._refine(grid[accepted[0] - 1], grid[accepted[0]], alpha, rows)
        high = self._refine(grid[accepted[-1] + 1], grid[accepted[-1]], alpha, rows)
        return low, high

    def _refine(
        self, rejected: float, accepted: float, alpha: float, rows: np.ndarray | None
    ) -> float:
        for _ in range(_BISECTIONS):
            middle = (rejected + accepted) / 2
            if self.p_value(middle, rows) > alpha:
                accepted = middle
            else:
                rejected = middle
        return accepted


def _rmspe(gaps: np.ndarray) -> float:
    return float(np.sqrt(np.mean(gaps**2))) if len(gaps) else float("nan")


# --------------------------------------------------------------------------- input
def _panel(data: pd.DataFrame, unit: str, time: str, outcome: str, estimator: str) -> pd.DataFrame:
    duplicated = data.duplicated([unit, time], keep=False)
    if duplicated.any():
        first = data.loc[duplicated, [unit, time]].iloc[0].tolist()
        raise EstimationError(
            f"{estimator}: {int(duplicated.sum())} rows share a ({unit}, {time}) pair, e.g. "
            f"{first}. Fix: aggregate to one row per unit and period."
        )
    if not pd.api.types.is_numeric_dtype(data[outcome]) or pd.api.types.is_bool_dtype(
        data[outcome]
    ):
        raise EstimationError(
            f"{estimator}: column '{outcome}' must be numeric, but has dtype "
            f"{data[outcome].dtype}. Fix: pd.to_numeric(data['{outcome}'])."
        )
    wide = data.pivot(index=time, columns=unit, values=outcome).sort_index()
    missing = ~np.isfinite(wide.to_numpy(dtype=float, na_value=np.nan))
    if missing.any():
        rows, cols = np.nonzero(missing)
        cells = [
            f"({wide.columns[c]}, {wide.index[r]})" for r, c in zip(rows[:5], cols[:5], strict=True)
        ]
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        raise EstimationError(
            f"{estimator}: {len(rows)} (unit, period) cell(s) of '{outcome}' are missing or "
            f"non-finite: {', '.join(cells)}{more}. The synthetic control needs every donor "
            "observed in every period. Fix: drop the incomplete units (or periods), or impute "
            "them before estimating."
        )
    return wide.astype(float)


def _predictor_matrix(
    data: pd.DataFrame,
    predictors: Sequence[Any],
    *,
    unit: str,
    time: str,
    units: pd.Index,
    pre_times: pd.Index,
    estimator: str,
) -> tuple[np.ndarray, list[str]]:
    """Rows = predictors (means over their periods, missing values skipped), cols = units."""
    rows, names = [], []
    for spec in predictors:
        if isinstance(spec, str):
            column, periods = spec, list(pre_times)
        elif isinstance(spec, tuple | list) and len(spec) == 2 and isinstance(spec[0], str):
            column, periods = spec[0], list(np.atleast_1d(spec[1]))
        else:
            raise ConfigError(
                f"{estimator}: each predictor must be a column name (averaged over the "
                f"pre-period) or a (column, periods) pair, not {spec!r}."
            )
        require_columns(data, {"predictors": column}, estimator=estimator)
        late = [p for p in periods if p not in set(pre_times)]
        if late:
            raise ConfigError(
                f"{estimator}: predictor '{column}' uses period(s) {late[:3]} that are not "
                "before the treatment (or not in the data). Predictors must be measured "
                "before treatment, or they can absorb the effect."
            )
        window = data[data[time].isin(periods)]
        values = pd.to_numeric(window[column], errors="coerce").groupby(window[unit]).mean()
        values = values.reindex(units)
        if values.isna().any():
            bad = values.index[values.isna()].tolist()[:5]
            raise EstimationError(
                f"{estimator}: predictor '{column}' has no value in periods {periods[:3]}... "
                f"for unit(s) {bad}. Fix: choose periods where it is recorded, or drop it."
            )
        rows.append(values.to_numpy(dtype=float))
        label = column if isinstance(spec, str) else f"{column} {_period_label(periods)}"
        names.append(label)
    return np.vstack(rows), names


def _period_label(periods: list) -> str:
    return str(periods[0]) if len(periods) == 1 else f"{periods[0]}-{periods[-1]}"


# --------------------------------------------------------------------------- estimator
def synthetic_control(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated_unit: Any,
    treatment_time: Any,
    predictors: Sequence[Any] | None = None,
    v_weights: Sequence[float] | None = None,
    fit_periods: Sequence[Any] | None = None,
    donors: Sequence[Any] | None = None,
    augment: str | None = None,
    ridge: float | None = None,
    placebo_time: Any = None,
    in_space_placebos: bool = True,
    period_intervals: bool = True,
    conf_level: float = 0.95,
) -> Estimate:
    """Synthetic control estimate of the effect on one treated unit.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel: one row per unit and period, every unit observed in every period.
    unit, time, outcome : str
        Unit identifier, period (orderable: years, month-start dates, integers) and
        outcome columns.
    treated_unit : object
        Value of ``unit`` that was treated.
    treatment_time : object
        First treated period; periods before it are the pre-period.
    predictors : sequence, optional
        Covariates to match on, each a column name (its mean over the pre-period) or a
        ``(column, periods)`` pair (its mean over those periods, e.g. a lagged outcome
        ``("rate", [2015])``). Without predictors the weights match the pre-period outcomes
        directly.
    v_weights : sequence of float, optional
        Importance of each predictor (fixed V); by default chosen to minimise the
        pre-period outcome error (the nested Abadie-Diamond-Hainmueller fit).
    fit_periods : sequence, optional
        Pre-periods whose outcome error chooses V (default: every pre-period).
    donors : sequence, optional
        Donor pool (default: every other unit). Exclude units that had a similar
        intervention.
    augment : {None, "ridge"}
        ``"ridge"``: ridge-augmented synthetic control for a poor pre-period fit.
    ridge : float, optional
        Ridge penalty for ``augment="ridge"`` (default: a tenth of the largest squared
        singular value of the centred donor pre-period matrix).
    placebo_time : object, optional
        Fictitious treatment date for the in-time placebo (default: a third of the way
        back into the pre-period); ``False`` to skip it.
    in_space_placebos : bool
        Refit with every donor as the treated unit (placebo distribution and p-value).
    period_intervals : bool
        Conformal intervals for each post-period gap (``details["gaps"]``); skip them
        for speed in simulations.
    conf_level : float
        Confidence level of the conformal intervals.

    Returns
    -------
    Estimate
        ``effect`` = average post-period gap (treated minus synthetic), on the outcome's
        difference scale, with its conformal interval and p-value. ``details``:
        ``weights`` (pandas Series over donors), ``v_weights`` (Series over predictors, or
        None), ``gaps`` (DataFrame ``time, treated, synthetic, gap, post, ci_low, ci_high``;
        per-period conformal intervals in the post-period), ``placebos`` (DataFrame, one
        row per unit: ``pre_rmspe, post_rmspe, ratio, treated``), ``placebo_gaps``
        (DataFrame periods x units), ``in_time_placebo`` (dict) and, with augmentation,
        ``augmented_weights``. ``diagnostics`` include ``pre_rmspe``, ``post_rmspe``,
        ``rmspe_ratio``, ``placebo_p_value``, ``placebo_rank``, ``max_weight``,
        ``pre_fit_ratio`` and ``share_pre_outside_donor_range``.

    Raises
    ------
    EstimationError
        Missing cells, duplicate rows, fewer than five pre-periods, no post-period, fewer
        than two donors, or a treated unit outside the donors' range in every pre-period
        (no convex combination can match it; ``augment="ridge"`` extrapolates instead).
    ConfigError
        Bad arguments (unknown columns, a treated unit or donor not in the data).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> years = np.arange(2000, 2020)
    >>> factor = np.cumsum(rng.normal(size=20))
    >>> rows = []
    >>> for area in range(8):
    ...     level = rng.normal(10, 2)
    ...     rows += [{"area": f"A{area}", "year": y, "rate": level + factor[i] * (1 + area / 8)
    ...               + rng.normal(scale=0.2)} for i, y in enumerate(years)]
    >>> panel = pd.DataFrame(rows)
    >>> treated = panel.groupby("year")["rate"].mean().to_numpy() + (years >= 2015) * 3
    >>> panel = pd.concat([panel, pd.DataFrame({"area": "T", "year": years, "rate": treated})])
    >>> est = synthetic_control(panel, unit="area", time="year", outcome="rate",
    ...                         treated_unit="T", treatment_time=2015)
    >>> 2 < est.effect < 4, round(float(est.details["weights"].sum()), 6)
    (True, 1.0)
    """
    estimator = "synthetic_control"
    if augment not in (None, "ridge"):
        raise ConfigError(f"{estimator}: augment must be None or 'ridge', not {augment!r}.")
    if ridge is not None and not (isinstance(ridge, int | float) and ridge > 0):
        raise ConfigError(f"{estimator}: ridge must be a positive number, not {ridge!r}.")
    check_conf_level(conf_level, estimator=estimator)
    require_columns(data, {"unit": unit, "time": time, "outcome": outcome}, estimator=estimator)
    wide = _panel(data, unit, time, outcome, estimator)
    units = wide.columns
    if treated_unit not in units:
        raise ConfigError(
            f"{estimator}: treated_unit {treated_unit!r} is not a value of '{unit}'. "
            f"Units include {list(units[:8])}."
        )
    if donors is None:
        donor_units = units.drop(treated_unit)
    else:
        unknown = [d for d in donors if d not in units]
        if unknown:
            raise ConfigError(f"{estimator}: donor(s) {unknown[:5]} are not values of '{unit}'.")
        donor_units = pd.Index([d for d in dict.fromkeys(donors) if d != treated_unit])
    if len(donor_units) < 2:
        raise EstimationError(
            f"{estimator}: the donor pool has {len(donor_units)} unit(s). A synthetic control "
            "needs at least two donors to weight (with one it is a plain before/after "
            "comparison with that unit, and there is no placebo distribution). Fix: add "
            "comparison units, or use a comparative interrupted time series."
        )
    times = wide.index
    try:
        pre = np.asarray(times < treatment_time)
    except TypeError as error:
        raise ConfigError(
            f"{estimator}: treatment_time {treatment_time!r} cannot be compared with "
            f"'{time}' values such as {times[0]!r}."
        ) from error
    n_pre, n_post = int(pre.sum()), int((~pre).sum())
    if n_pre < MIN_PRE_PERIODS:
        raise EstimationError(
            f"{estimator}: only {n_pre} period(s) of '{time}' before the treatment "
            f"({treatment_time}); at least {MIN_PRE_PERIODS} are needed to fit and judge the "
            "synthetic control. Fix: extend the series back in time."
        )
    if n_post == 0:
        raise EstimationError(
            f"{estimator}: no period of '{time}' on or after the treatment ({treatment_time}). "
            "Fix: check treatment_time or wait for post-treatment data."
        )
    y_treated = wide[treated_unit].to_numpy()
    y_donors = wide[donor_units].to_numpy()
    warnings: list[str] = []

    # ---- convex hull: a treated path above (or below) every donor cannot be matched
    above = y_treated[pre] > y_donors[pre].max(axis=1)
    below = y_treated[pre] < y_donors[pre].min(axis=1)
    outside_share = float(np.mean(above | below))
    if (above.all() or below.all()) and augment is None:
        side = "above" if above.all() else "below"
        raise EstimationError(
            f"{estimator}: '{treated_unit}' is {side} every donor in all {n_pre} pre-treatment "
            f"periods of '{outcome}', so no weighted average of donors (weights between 0 and "
            "1) can reproduce its path and every 'effect' would be that gap. Fix: model a rate "
            "rather than a count, widen the donor pool, or use augment='ridge', which "
            "extrapolates beyond the donors and says so."
        )
    if outside_share > OUTSIDE_RANGE_WARN:
        warnings.append(
            f"'{treated_unit}' lies outside the donors' range in {outside_share:.0%} of the "
            "pre-treatment periods: the synthetic control cannot match it there"
            + (
                " (the ridge augmentation extrapolates)."
                if augment
                else "; consider augment='ridge'."
            )
        )

    # ---- predictors
    x_all, predictor_names = None, None
    if predictors:
        x_all, predictor_names = _predictor_matrix(
            data,
            predictors,
            unit=unit,
            time=time,
            units=units,
            pre_times=times[pre],
            estimator=estimator,
        )
        if v_weights is not None and len(v_weights) != len(predictor_names):
            raise ConfigError(
                f"{estimator}: v_weights has {len(v_weights)} value(s) for "
                f"{len(predictor_names)} predictor(s)."
            )
    elif v_weights is not None:
        raise ConfigError(f"{estimator}: v_weights needs predictors.")
    if fit_periods is None:
        fit_rows = pre.copy()
    else:
        fit_rows = np.asarray(times.isin(list(fit_periods)))
        if not fit_rows.any() or (fit_rows & ~pre).any():
            raise ConfigError(
                f"{estimator}: fit_periods must be pre-treatment periods present in '{time}'."
            )
    column_of = {u: i for i, u in enumerate(units)}
    in_time_start = None
    if placebo_time is not False:
        in_time_start = _in_time_start(times[pre], placebo_time)
    in_time_pre = np.zeros(len(times), dtype=bool)
    if in_time_start is not None:
        in_time_pre[:in_time_start] = True

    # Every fit the estimate needs: the treated unit, each donor as a placebo (the other
    # donors its pool) and the treated unit before a fictitious date.
    fits_needed: dict[Any, tuple[Any, pd.Index, np.ndarray]] = {
        "treated": (treated_unit, donor_units, fit_rows)
    }
    if in_space_placebos:
        for donor in donor_units:
            fits_needed[("placebo", donor)] = (donor, donor_units.drop(donor), fit_rows)
    if in_time_start is not None:
        fits_needed["in_time"] = (treated_unit, donor_units, in_time_pre)
    # With predictors each fit searches over V; the searches are independent, so they run
    # together (one stacked inner solve per Nelder-Mead step for all of them).
    searched: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    if x_all is not None:
        searches = [
            (
                x_all[:, column_of[target]],
                x_all[:, [column_of[u] for u in pool]],
                wide[target].to_numpy(),
                wide[pool].to_numpy(),
                fit_mask,
            )
            for target, pool, fit_mask in fits_needed.values()
        ]
        searched = dict(zip(fits_needed, _predictor_fits(searches, v_weights), strict=True))

    def fit_unit(key: Any, pre_rows: np.ndarray) -> _Fit:
        target, pool, _ = fits_needed[key]
        yt = wide[target].to_numpy()
        yd = wide[pool].to_numpy()
        v = None
        if x_all is None:
            w = _outcome_fit(yt, yd, pre_rows)
        else:
            w, v = searched[key]
        augmented = None
        effective = w
        if augment == "ridge":
            penalty = ridge if ridge is not None else _default_ridge(yd[pre_rows])
            augmented = _ridge_adjustment(yt[pre_rows], yd[pre_rows], w, penalty)
            effective = augmented
        return _Fit(w, v, yd @ effective, augmented)

    main = fit_unit("treated", pre)
    gaps = y_treated - main.synthetic
    effect = float(gaps[~pre].mean())
    pre_rmspe, post_rmspe = _rmspe(gaps[pre]), _rmspe(gaps[~pre])
    ratio = post_rmspe / pre_rmspe if pre_rmspe > 0 else math.inf

    # ---- conformal inference (outcome-only refits on every period)
    penalty = None
    if augment == "ridge":
        penalty = ridge if ridge is not None else _default_ridge(y_donors[pre])
    conformal = _Conformal(y_treated, y_donors, ~pre, penalty)
    alpha = 1 - conf_level
    spread = float(np.std(gaps[pre], ddof=1)) / math.sqrt(n_post) + 1e-12
    p_value = conformal.p_value(0.0)
    ci_low, ci_high = conformal.interval(effect, 2 * spread, alpha)
    period_low = np.full(len(times), np.nan)
    period_high = np.full(len(times), np.nan)
    pre_index = np.flatnonzero(pre)
    for t in np.flatnonzero(~pre) if period_intervals else ():
        rows = np.append(pre_index, t)
        period_low[t], period_high[t] = conformal.interval(
            float(gaps[t]), 2 * float(np.std(gaps[pre], ddof=1)) + 1e-12, alpha, rows
        )
    min_p = 1 / len(times)
    if min_p > alpha:
        warnings.append(
            f"With {len(times)} periods the conformal p-value cannot be below {min_p:.2f}, so "
            f"the {conf_level:.0%} interval is unbounded or very wide."
        )

    weights = pd.Series(main.weights, index=donor_units, name="weight")
    weights.index.name = unit
    v_series = None
    if main.v_weights is not None:
        v_series = pd.Series(main.v_weights, index=predictor_names, name="v_weight")
    frame = pd.DataFrame(
        {
            "time": times,
            "treated": y_treated,
            "synthetic": main.synthetic,
            "gap": gaps,
            "post": ~pre,
            "ci_low": period_low,
            "ci_high": period_high,
        }
    )

    # ---- in-space placebos
    placebo_table = None
    placebo_gaps = None
    placebo_p = None
    placebo_rank = None
    if in_space_placebos:
        rows_out = [
            {
                unit: treated_unit,
                "pre_rmspe": pre_rmspe,
                "post_rmspe": post_rmspe,
                "ratio": ratio,
                "treated": True,
            }
        ]
        gap_columns = {treated_unit: gaps}
        for donor in donor_units:
            fit = fit_unit(("placebo", donor), pre)
            placebo_gap = wide[donor].to_numpy() - fit.synthetic
            a, b = _rmspe(placebo_gap[pre]), _rmspe(placebo_gap[~pre])
            rows_out.append(
                {
                    unit: donor,
                    "pre_rmspe": a,
                    "post_rmspe": b,
                    "ratio": b / a if a > 0 else math.inf,
                    "treated": False,
                }
            )
            gap_columns[donor] = placebo_gap
        placebo_table = pd.DataFrame(rows_out).set_index(unit)
        placebo_gaps = pd.DataFrame(gap_columns, index=times)
        ratios = placebo_table["ratio"].to_numpy()
        placebo_rank = int(np.sum(ratios >= ratio))
        placebo_p = placebo_rank / len(ratios)
        if 1 / len(ratios) > alpha:
            warnings.append(
                f"Only {len(donor_units)} donors: the placebo p-value cannot be below "
                f"{1 / len(ratios):.2f}."
            )

    # ---- in-time placebo
    in_time = None
    if in_time_start is not None:
        in_time = _in_time_placebo(
            wide,
            treated_unit,
            pre,
            in_time_pre,
            fit_unit("in_time", in_time_pre),
            x_all is not None,
        )
        if in_time["rmspe_ratio"] > ratio:
            warnings.append(
                f"The in-time placebo (a fictitious treatment at {in_time['time']!r}) shows a "
                f"larger post/pre RMSPE ratio ({in_time['rmspe_ratio']:.2f}) than the real "
                f"treatment ({ratio:.2f}): the design finds effects of this size where there "
                "are none."
            )

    # ---- fit warnings
    sd_pre = float(np.std(y_treated[pre], ddof=1))
    fit_ratio = pre_rmspe / sd_pre if sd_pre > 0 else math.inf
    if fit_ratio > POOR_FIT_RATIO:
        warnings.append(
            f"Poor pre-treatment fit: the pre-period RMSPE ({pre_rmspe:.3g}) is "
            f"{fit_ratio:.0%} of the treated unit's pre-period standard deviation, so the "
            "synthetic control does not track it and the gaps mix effect with mismatch."
            + ("" if augment else " Consider augment='ridge'.")
        )
    max_weight = float(main.weights.max())
    if max_weight > DOMINANT_WEIGHT:
        warnings.append(
            f"One donor ('{weights.idxmax()}') carries {max_weight:.0%} of the weight: the "
            "synthetic control is in effect a comparison with that single unit, and its own "
            "shocks drive the estimate."
        )
    if n_pre < WARN_PRE_PERIODS:
        warnings.append(
            f"Only {n_pre} pre-treatment periods: a good fit over so few periods is weak "
            "evidence that the donors share the treated unit's drivers."
        )

    diagnostics: dict[str, Any] = {
        "n_pre": n_pre,
        "n_post": n_post,
        "n_donors": len(donor_units),
        "pre_rmspe": pre_rmspe,
        "post_rmspe": post_rmspe,
        "rmspe_ratio": ratio,
        "pre_fit_ratio": fit_ratio,
        "max_weight": max_weight,
        "donors_with_weight": int((main.weights > 1e-3).sum()),
        "share_pre_outside_donor_range": outside_share,
        "placebo_p_value": placebo_p,
        "placebo_rank": placebo_rank,
        "inference": "conformal (moving-block permutations)",
        "augment": augment,
    }
    if penalty is not None:
        diagnostics["ridge"] = penalty
    if in_time is not None:
        diagnostics["in_time_placebo_effect"] = in_time["effect"]
        diagnostics["in_time_placebo_rmspe_ratio"] = in_time["rmspe_ratio"]
    details: dict[str, Any] = {
        "weights": weights,
        "v_weights": v_series,
        "gaps": frame,
        "placebos": placebo_table,
        "placebo_gaps": placebo_gaps,
        "in_time_placebo": in_time,
        "treatment_time": treatment_time,
    }
    if main.augmented_weights is not None:
        details["augmented_weights"] = pd.Series(
            main.augmented_weights, index=donor_units, name="augmented_weight"
        )
    method = "synthetic control" + (" (ridge-augmented)" if augment else "")
    logger.info("%s: %s, effect %.4g", estimator, treated_unit, effect)
    return Estimate(
        effect=effect,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=p_value,
        n=len(donor_units) + 1,
        scale="difference",
        method=method,
        estimand=(
            f"average difference in {outcome} between {treated_unit} and its synthetic "
            f"control over the {n_post} period(s) from {treatment_time}"
        ),
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=weights.to_frame().sort_values("weight", ascending=False),
        details=details,
        conf_level=conf_level,
        outcome=outcome,
    )


def _in_time_start(pre_times: pd.Index, placebo_time: Any) -> int | None:
    """Position of the in-time placebo's fictitious treatment among the pre-periods.

    ``None`` for the default date when the pre-period is too short to split.
    """
    n_pre = len(pre_times)
    if placebo_time is None:
        fake_index = n_pre - max(1, n_pre // 3)
        return fake_index if fake_index >= MIN_PRE_PERIODS else None
    fake_index = int(np.sum(np.asarray(pre_times < placebo_time)))
    if fake_index < MIN_PRE_PERIODS or fake_index >= n_pre:
        raise ConfigError(
            f"synthetic_control: placebo_time {placebo_time!r} must leave at least "
            f"{MIN_PRE_PERIODS} periods before it and one before the real treatment."
        )
    return fake_index


def _in_time_placebo(
    wide: pd.DataFrame,
    treated_unit: Any,
    pre: np.ndarray,
    fake_pre: np.ndarray,
    fit: _Fit,
    has_predictors: bool,
) -> dict[str, Any]:
    """The treated unit refitted on the periods before a fictitious date (``fake_pre``).

    Predictors keep their real windows (they may reach past the fictitious date), so the
    placebo refits V only on the outcomes before it.
    """
    fake_post = pre & ~fake_pre
    gap = wide[treated_unit].to_numpy() - fit.synthetic
    before, after = _rmspe(gap[fake_pre]), _rmspe(gap[fake_post])
    return {
        "time": wide.index[int(fake_pre.sum())],
        "effect": float(gap[fake_post].mean()),
        "pre_rmspe": before,
        "post_rmspe": after,
        "rmspe_ratio": after / before if before > 0 else math.inf,
        "predictor_windows_unchanged": has_predictors,
    }
