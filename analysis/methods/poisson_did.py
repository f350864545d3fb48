"""Staggered difference-in-differences on the ratio scale: Poisson extended two-way fixed effects.

Counts whose seasonality and trend are proportional to each unit's level (busy
premises swing more) break parallel trends on the count scale but keep them on
the log scale. Wooldridge (2023, "Simple approaches to nonlinear
difference-in-differences with panel data") shows that a Poisson regression
with unit and period fixed effects and one effect per cohort and post-treatment
period (the extended two-way fixed effects, ETWFE) estimates each cohort's
effect as a rate ratio under parallel trends in the log of the expected count.

The unit effects are concentrated out (the conditional, multinomial form of the
Poisson likelihood gives the same coefficients as unit dummies), so a panel of a
thousand units fits in a second; standard errors are clustered by unit. Leads
(event times ``-leads..-2``, pooled over cohorts, ``-1`` the reference) give a
pre-trend test on the ratio scale.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ..errors import ConfigError, EstimationError
from ..results import PoissonPanelResult
from ._inference import wald_test
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

__all__ = ["poisson_etwfe"]

ASSUMPTIONS = (
    "Parallel trends on the ratio scale: each cohort's expected untreated count would have "
    "changed by the same proportion as the comparison units' from period to period.",
    "No anticipation: counts do not respond before the first treated period.",
    "Treatment is absorbing and there are no spillovers between units.",
)


def _conditional_poisson(
    y: np.ndarray, x: sparse.csr_matrix, *, max_iter: int = 100, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton steps on the unit-conditional Poisson likelihood.

    ``y`` is (units, periods); ``x`` the (units x periods, k) design of indicator
    columns, unit-major, held sparse (a few non-zeros a row). Returns the
    coefficients, the negative Hessian and the per-unit scores at the optimum.
    """
    n_units, n_periods = y.shape
    total = y.sum(axis=1)
    flat_y = y.ravel()
    # Sums over each unit's periods.
    by_unit = sparse.kron(sparse.eye(n_units, format="csr"), np.ones((1, n_periods))).tocsr()
    beta = np.zeros(x.shape[1])

    def pieces(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        eta = (x @ b).reshape(n_units, n_periods)
        eta -= eta.max(axis=1, keepdims=True)
        weight = np.exp(eta)
        p = (weight / weight.sum(axis=1, keepdims=True)).ravel()
        loglik = float(flat_y @ np.log(p))
        expected = np.repeat(total, n_periods) * p
        scores = np.asarray((by_unit @ x.multiply((flat_y - expected)[:, None])).todense())
        mean_x = np.asarray((by_unit @ x.multiply(p[:, None])).todense())
        info = np.asarray((x.T @ x.multiply(expected[:, None])).todense())
        info -= (mean_x * total[:, None]).T @ mean_x
        return loglik, scores, info

    loglik, scores, info = pieces(beta)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(info, scores.sum(axis=0))
        except np.linalg.LinAlgError:
            # An event-time cell with no events in a small panel leaves its column
            # unidentified; the identified coefficients are still fitted.
            step = np.linalg.lstsq(info, scores.sum(axis=0), rcond=None)[0]
        shrink = 1.0
        while True:
            candidate = beta + shrink * step
            new_loglik, new_scores, new_info = pieces(candidate)
            if new_loglik >= loglik - 1e-12 or shrink < 1e-6:
                break
            shrink /= 2
        beta, converged = candidate, abs(new_loglik - loglik) < tol * (1 + abs(loglik))
        loglik, scores, info = new_loglik, new_scores, new_info
        if converged:
            return beta, info, scores
    raise EstimationError(
        "poisson_etwfe: the Poisson fit did not converge. Fix: check for cohorts or periods "
        "with no events."
    )


def poisson_etwfe(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    leads: int = 0,
    conf_level: float = 0.95,
) -> PoissonPanelResult:
    """Average effect on a count as a rate ratio (Poisson extended two-way fixed effects).

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel, one row per unit and period.
    outcome : str
        Count column (whole numbers at least 0).
    unit, time, first_treated : str
        As :func:`analysis.methods.staggered_did` (never-treated units: NaN/NaT).
    leads : int
        Pre-treatment event times ``-leads..-2`` given their own (pooled) effects
        for a pre-trend test on the ratio scale (0: none, no test).
    conf_level : float

    Returns
    -------
    Estimate
        ``effect`` = the rate ratio over treated unit-periods: observed events over
        the events expected without treatment (each cohort-period's count divided by
        its exp(effect)); ``table`` = the cohort-period log effects;
        ``diagnostics["pretrend_p_value"]`` when ``leads`` is at least 2.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> panel = pd.DataFrame([(u, t) for u in range(300) for t in range(8)], columns=["id", "t"])
    >>> panel["first"] = panel["id"].map(lambda u: 4.0 if u < 100 else 6.0 if u < 200 else np.nan)
    >>> level = np.exp(rng.normal(size=300))[panel["id"]] * (1 + 0.5 * np.sin(panel["t"]))
    >>> panel["y"] = rng.poisson(level * np.where(panel["t"] >= panel["first"], 0.7, 1.0))
    >>> est = poisson_etwfe(panel, outcome="y", unit="id", time="t", first_treated="first")
    >>> est.scale, bool(est.ci_low < 0.7 < est.ci_high)
    ('rate ratio', True)
    """
    estimator = "poisson_etwfe"
    check_conf_level(conf_level, estimator=estimator)
    if not isinstance(leads, int | np.integer) or leads < 0 or leads == 1:
        raise ConfigError(
            f"{estimator}: leads must be 0 (no pre-trend test) or a whole number of at least 2 "
            f"(event times -leads..-2 against -1), not {leads!r}."
        )
    require_columns(
        data,
        {"outcome": outcome, "unit": unit, "time": time, "first_treated": first_treated},
        estimator=estimator,
    )
    require_complete(data, [outcome, unit, time], estimator=estimator)
    counts = numeric_column(data, outcome, estimator=estimator)
    bad = (counts < 0) | (counts != np.round(counts))
    if bad.any():
        raise EstimationError(
            f"{estimator}: '{outcome}' must hold counts (whole numbers at least 0); rows "
            f"{', '.join(map(str, data.index[bad][:5]))} do not. Fix: use a count outcome or "
            "staggered_did for other outcomes."
        )
    periods, first, _, _ = period_numbers(data, time, first_treated, estimator=estimator)
    unit_codes, _ = codes_of(data[unit])
    unit_constant(data, unit_codes, first, first_treated, estimator=estimator)
    grid = np.unique(periods)
    n_periods, n_units = len(grid), int(unit_codes.max()) + 1
    if len(data) != n_units * n_periods:
        raise EstimationError(
            f"{estimator}: the panel is not balanced ({len(data)} rows for {n_units} units x "
            f"{n_periods} periods). Fix: give every unit one row in every period."
        )
    position = np.searchsorted(grid, periods)
    y = np.zeros((n_units, n_periods))
    y[unit_codes, position] = counts
    unit_first = np.full(n_units, np.inf)
    unit_first[unit_codes] = np.where(np.isfinite(first), first, np.inf)
    cohort = np.full(n_units, -1)
    inside = np.isfinite(unit_first) & (unit_first > grid[0]) & (unit_first <= grid[-1])
    cohort[inside] = np.searchsorted(grid, unit_first[inside])
    keep = (np.isinf(unit_first) | inside) & (y.sum(axis=1) > 0)
    y, cohort = y[keep], cohort[keep]
    if not (cohort >= 0).any() or not (cohort < 0).any():
        raise EstimationError(
            f"{estimator}: need treated units and never-treated units with events. Fix: check "
            f"'{first_treated}' and '{outcome}'."
        )

    # ---- design: period effects, one effect per cohort and post period, pooled leads
    columns: list[np.ndarray] = []
    t_index = np.arange(n_periods)[None, :]
    for t in range(1, n_periods):
        columns.append(np.broadcast_to(t_index == t, y.shape))
    cells = [(g, t) for g in np.unique(cohort[cohort >= 0]) for t in range(g, n_periods)]
    for g, t in cells:
        columns.append((cohort[:, None] == g) & (t_index == t))
    lead_times = list(range(-leads, -1)) if leads else []
    since = np.where(cohort[:, None] >= 0, t_index - cohort[:, None], 10**6)
    lead_times = [e for e in lead_times if (since == e).any()]
    for e in lead_times:
        columns.append(since == e)
    x = sparse.csr_matrix(np.column_stack([column.ravel() for column in columns]).astype(float))
    beta, info, scores = _conditional_poisson(y, x)
    rank = np.linalg.matrix_rank(info)
    bread = np.linalg.inv(info) if rank == info.shape[0] else np.linalg.pinv(info)
    n_clusters = y.shape[0]
    vcov = bread @ (scores.T @ scores) @ bread * n_clusters / (n_clusters - 1)

    first_cell = n_periods - 1
    tau = beta[first_cell : first_cell + len(cells)]
    tau_vcov = vcov[first_cell : first_cell + len(cells), first_cell : first_cell + len(cells)]
    observed = np.array([y[cohort == g, t].sum() for g, t in cells])
    untreated = observed * np.exp(-tau)
    log_ratio = float(np.log(observed.sum() / untreated.sum()))
    gradient = untreated / untreated.sum()
    se = float(np.sqrt(gradient @ tau_vcov @ gradient))
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    p_value = float(2 * stats.norm.sf(abs(log_ratio / se)))
    diagnostics: dict[str, object] = {
        "n_units": int(y.shape[0]),
        "n_units_without_events": int((~keep).sum()),
        "n_periods": n_periods,
        "log_ratio_se": se,
    }
    if len(lead_times) >= 1:
        lead_slice = slice(first_cell + len(cells), None)
        wald, q = wald_test(beta[lead_slice], vcov[lead_slice, lead_slice])
        diagnostics["pretrend_p_value"] = float(stats.chi2.sf(wald, q))
        diagnostics["pretrend_chi2"] = float(wald)
        diagnostics["pretrend_df"] = q
        diagnostics["pretrend_leads"] = lead_times
    table = pd.DataFrame(
        {
            "group": [grid[g] for g, _ in cells],
            "time": [grid[t] for _, t in cells],
            "rel_time": [t - g for g, t in cells],
            "log_effect": tau,
            "se": np.sqrt(np.diag(tau_vcov)),
            "events": observed,
        }
    )
    logger.info("poisson_etwfe: %s, rate ratio %.4g (log se %.3g)", outcome, np.exp(log_ratio), se)
    return PoissonPanelResult(
        effect=float(np.exp(log_ratio)),
        ci_low=float(np.exp(log_ratio - z * se)),
        ci_high=float(np.exp(log_ratio + z * se)),
        p_value=p_value,
        n=int(y.shape[0]),
        scale="rate ratio",
        method=(
            "Poisson extended two-way fixed effects (Wooldridge): untreated unit-periods, "
            "never or not yet treated, as the comparison"
        ),
        estimand=(
            f"{outcome} in treated unit-periods over the count expected there without "
            "treatment (rate ratio)"
        ),
        se=se,
        assumptions=ASSUMPTIONS,
        diagnostics={**diagnostics, "unidentified_columns": int(info.shape[0] - rank)},
        table=table,
        conf_level=conf_level,
        outcome=outcome,
        warnings=(
            ()
            if rank == info.shape[0]
            else (
                f"{info.shape[0] - rank} event-time or lead terms had no information (cells with "
                "no events); they were left unidentified and the rest fitted without them",
            )
        ),
    )
