"""Planted-effect simulations for the panel estimators (did, event study, staggered, ITS,
synthetic control).

Each ``simulate_*`` function draws one data set with a known effect; ``coverage``
runs an estimator over many seeds and counts how often its interval covers the truth.
The per-commit tests use a few hundred replications on small data; the slow tests
(``make validate``) use 1,000 and write their rows to
``benchmarks/results/coverage_panel.csv`` through :func:`record`.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_panel.csv"


def ar1(rng: np.random.Generator, n_series: int, length: int, rho: float) -> np.ndarray:
    """Stationary AR(1) noise with unit variance, one row per series."""
    noise = rng.normal(size=(n_series, length))
    out = np.empty_like(noise)
    out[:, 0] = noise[:, 0]
    scale = np.sqrt(1 - rho**2)
    for t in range(1, length):
        out[:, t] = rho * out[:, t - 1] + scale * noise[:, t]
    return out


def simulate_did_panel(
    seed: int, *, n_units: int = 40, n_periods: int = 8, effect: float = 1.0, rho: float = 0.6
) -> pd.DataFrame:
    """Half the units treated from the middle period; unit, period and AR(1) errors."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_periods)
    period = np.tile(np.arange(n_periods), n_units)
    treated_unit = np.arange(n_units) < n_units // 2
    treated = (treated_unit[unit] & (period >= n_periods // 2)).astype(int)
    errors = ar1(rng, n_units, n_periods, rho).ravel()
    y = (
        effect * treated
        + rng.normal(scale=2.0, size=n_units)[unit]
        + 0.3 * period
        + rng.normal(scale=0.5, size=n_periods)[period]
        + errors
    )
    return pd.DataFrame({"unit": unit, "period": period, "treated": treated, "y": y})


def event_effect(rel_time: np.ndarray) -> np.ndarray:
    """Dynamic effect planted in the event-study simulation: 1, 1.5, 2, ... from treatment."""
    return np.where(rel_time >= 0, 1.0 + 0.5 * np.clip(rel_time, 0, None), 0.0)


def simulate_event_panel(
    seed: int,
    *,
    n_units: int = 60,
    n_periods: int = 10,
    first: int = 5,
    rho: float = 0.5,
    pretrend: float = 0.0,
) -> pd.DataFrame:
    """Half the units treated at ``first`` with growing effects; optional treated pre-trend."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_periods)
    period = np.tile(np.arange(n_periods), n_units)
    ever = np.arange(n_units) < n_units // 2
    first_treated = np.where(ever[unit], float(first), np.nan)
    rel = period - first_treated
    y = (
        event_effect(np.nan_to_num(rel, nan=-99))
        + pretrend * np.where(ever[unit], period, 0)
        + rng.normal(size=n_units)[unit]
        + rng.normal(size=n_periods)[period]
        + ar1(rng, n_units, n_periods, rho).ravel()
    )
    return pd.DataFrame({"unit": unit, "period": period, "first": first_treated, "y": y})


@dataclass(frozen=True)
class StaggeredDesign:
    """Cohorts and their group-time effects ``tau(g, t) = level_g + slope_g * (t - g)``."""

    n_periods: int = 8
    cohorts: tuple[tuple[float, int, float, float], ...] = (
        # (first treated period, units, level, slope per period since treatment)
        (2.0, 40, 1.0, 1.0),
        (4.0, 40, 0.5, 0.5),
        (6.0, 40, 0.0, 0.2),
    )
    n_never: int = 40

    def effect(self, first: float, period: np.ndarray) -> np.ndarray:
        for cohort_first, _, level, slope in self.cohorts:
            if cohort_first == first:
                return np.where(period >= first, level + slope * (period - first), 0.0)
        return np.zeros_like(period, dtype=float)

    def simple_att(self) -> float:
        """Cohort-size-weighted average of the post-treatment ATT(g,t) (R aggte "simple")."""
        total, weight = 0.0, 0.0
        for first, units, level, slope in self.cohorts:
            for t in range(int(first), self.n_periods):
                total += units * (level + slope * (t - first))
                weight += units
        return total / weight


def simulate_staggered_panel(
    seed: int,
    design: StaggeredDesign | None = None,
    *,
    rho: float = 0.5,
    random_cohorts: bool = True,
) -> pd.DataFrame:
    """Staggered adoption with effects differing by cohort and growing with exposure.

    With ``random_cohorts`` each unit's cohort is drawn with probabilities proportional
    to the design's unit counts, the sampling the influence-function standard errors
    assume (cohort shares are estimated); otherwise the counts are exact.
    """
    design = design or StaggeredDesign()
    rng = np.random.default_rng(seed)
    firsts = np.concatenate(
        [np.full(units, first) for first, units, _, _ in design.cohorts]
        + [np.full(design.n_never, np.nan)]
    )
    if random_cohorts:
        firsts = rng.choice(firsts, size=len(firsts), replace=True)
    n_units, n_periods = len(firsts), design.n_periods
    unit = np.repeat(np.arange(n_units), n_periods)
    period = np.tile(np.arange(n_periods), n_units)
    first = firsts[unit]
    effect = np.zeros(len(unit))
    for cohort_first, _, _, _ in design.cohorts:
        mask = first == cohort_first
        effect[mask] = design.effect(cohort_first, period[mask])
    y = (
        effect
        + rng.normal(size=n_units)[unit]
        + 0.2 * period
        + ar1(rng, n_units, n_periods, rho).ravel()
    )
    treated = (np.nan_to_num(first, nan=np.inf) <= period).astype(int)
    return pd.DataFrame(
        {"unit": unit, "period": period, "first": first, "treated": treated, "y": y}
    )


def simulate_its_series(
    seed: int,
    *,
    n_months: int = 60,
    intervention: int = 36,
    baseline: float = 30.0,
    rate_ratio: float = 0.8,
    nb_alpha: float = 0.05,
    rho: float = 0.0,
) -> pd.DataFrame:
    """Monthly counts with trend, seasonality, a step and gamma-Poisson overdispersion.

    ``rho`` > 0 adds an AR(1) latent log-rate (serially correlated overdispersion).
    """
    rng = np.random.default_rng(seed)
    months = pd.date_range("2019-01-01", periods=n_months, freq="MS")
    t = np.arange(n_months)
    log_mean = (
        np.log(baseline)
        + 0.05 * t / 12
        + 0.25 * np.sin(2 * np.pi * months.month / 12)
        + 0.1 * np.cos(2 * np.pi * months.month / 12)
        + np.log(rate_ratio) * (t >= intervention)
    )
    if rho:
        log_mean = log_mean + 0.15 * ar1(rng, 1, n_months, rho)[0]
    mean = np.exp(log_mean)
    frailty = rng.gamma(1 / nb_alpha, nb_alpha, size=n_months) if nb_alpha else 1.0
    return pd.DataFrame({"month": months, "count": rng.poisson(mean * frailty)})


def simulate_synthetic_panel(
    seed: int,
    *,
    n_donors: int = 20,
    n_pre: int = 30,
    n_post: int = 6,
    effect: float = -2.0,
    noise: float = 0.5,
) -> pd.DataFrame:
    """One treated area inside the donors' convex hull, from a two-factor model.

    Every area's outcome is ``level + loadings @ factors_t + noise``; the treated area's
    level and loadings are a random convex combination of four donors', so a synthetic
    control exists, and ``effect`` is added to its post-period outcomes. Columns ``area``
    (``"T"`` treated, ``"D0"``... donors), ``period`` (0, 1, ...; treatment at ``n_pre``)
    and ``y``.
    """
    rng = np.random.default_rng(seed)
    n_periods = n_pre + n_post
    factors = rng.normal(size=(n_periods, 2))
    loadings = rng.uniform(0.5, 2.0, size=(n_donors, 2))
    levels = rng.normal(20, 3, size=n_donors)
    mix = np.zeros(n_donors)
    mix[rng.choice(n_donors, 4, replace=False)] = rng.dirichlet(np.ones(4))
    donors = levels + factors @ loadings.T + rng.normal(scale=noise, size=(n_periods, n_donors))
    treated = mix @ levels + factors @ (mix @ loadings) + rng.normal(scale=noise, size=n_periods)
    treated[n_pre:] += effect
    wide = pd.DataFrame(
        np.column_stack([donors, treated]), columns=[f"D{j}" for j in range(n_donors)] + ["T"]
    )
    wide["period"] = np.arange(n_periods)
    return wide.melt(id_vars="period", var_name="area", value_name="y")


def coverage(
    estimate: Callable[[int], tuple[float, float, float]], truth: float, seeds: range
) -> dict[str, float]:
    """Run ``estimate(seed) -> (effect, ci_low, ci_high)`` over seeds; coverage and bias."""
    started = time.perf_counter()
    effects, covered = [], []
    for seed in seeds:
        effect, low, high = estimate(seed)
        effects.append(effect)
        covered.append(low <= truth <= high)
    effects_array = np.array(effects)
    return {
        "replications": len(covered),
        "coverage": float(np.mean(covered)),
        "truth": truth,
        "mean_estimate": float(effects_array.mean()),
        "bias": float(effects_array.mean() - truth),
        "sd_estimate": float(effects_array.std(ddof=1)),
        "seconds": round(time.perf_counter() - started, 1),
    }


def record(design: str, row: dict[str, float], path: Path = RESULTS) -> None:
    """Add or replace ``design``'s row in the coverage table (safe with parallel workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The lock lives outside the results folder so that nothing but the table is left there.
    lock_path = Path(tempfile.gettempdir()) / f"{path.stem}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = pd.read_csv(path).to_dict("records") if path.exists() else []
        rows = [r for r in rows if r["design"] != design] + [{"design": design, **row}]
        table = pd.DataFrame(rows).sort_values("design")
        table["replications"] = table["replications"].astype(int)
        tmp = path.with_suffix(".tmp")
        table.to_csv(tmp, index=False)
        os.replace(tmp, path)
