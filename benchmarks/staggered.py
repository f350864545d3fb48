"""Staggered difference-in-differences against the ``csdid`` package, ATT(g,t) by ATT(g,t).

The panel has 50 periods and five adoption cohorts (first treated in periods 10, 18,
26, 34 and 42) plus never-treated units, a unit effect, a common trend and an effect
that grows with time since adoption; the size is the number of unit-periods. Both
implementations estimate every group-time effect with never-treated comparisons and the
varying base period, with the same inference, in two pairs:

- analytic (influence-function) standard errors, no multiplier bootstrap:
  ``staggered_did(..., n_boot=0)`` against csdid's
  ``ATTgt(...).fit(est_method="reg", bstrap=False)``;
- with the multiplier bootstrap, 999 Rademacher draws for a uniform band:
  ``staggered_did(..., n_boot=999)`` (band over the event-time effects) against
  ``ATTgt(..., biters=999, cband=True).fit(est_method="reg", bstrap=True)`` (band over
  the ATT(g,t), whose standard errors then come from the draws too).

With no covariates every ``est_method`` gives the same estimate. Ours also aggregates
(overall, event-time and cohort effects, pre-trend tests) inside the clock, so the ratio
understates the difference. Agreement is the largest absolute difference over all
ATT(g,t), matched by cohort and period, and (analytic pair only: csdid's bootstrap
standard errors are draws) over their standard errors. Each run records the one-minute
load average when it started, as the machine is shared.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from . import _runs

PERIODS = 50
COHORTS = (10, 18, 26, 34, 42)
#: Unit-periods at each size (units = size / PERIODS).
SIZES = (100_000, 1_000_000, 5_000_000)
QUICK_SIZES = (5_000,)
#: Multiplier-bootstrap draws in the bootstrap pair.
N_BOOT = 999
#: Ours and the reference with the same inference.
PAIRS = {
    "analytic": ("staggered_did", "csdid"),
    "bootstrap": ("staggered_did_bootstrap", "csdid_bootstrap"),
}


def panel(size: int, seed: int = 0) -> pd.DataFrame:
    """Long balanced panel ``unit, period, first_treated, y``; 0 = never treated (csdid's code)."""
    units = size // PERIODS
    rng = np.random.default_rng(seed)
    # A sixth of the units never treated, the rest spread over the five cohorts.
    cohort = np.array((0, *COHORTS))[rng.integers(0, len(COHORTS) + 1, units)]
    unit = np.repeat(np.arange(units), PERIODS)
    period = np.tile(np.arange(1, PERIODS + 1), units)
    first = cohort[unit]
    exposure = np.where((first > 0) & (period >= first), period - first + 1, 0)
    y = (
        rng.normal(0, 1, units)[unit]
        + 0.05 * period
        + 0.1 * exposure
        + rng.normal(0, 1, units * PERIODS)
    )
    return pd.DataFrame({"unit": unit, "period": period, "first_treated": first, "y": y})


def prepare(case: str, size: int) -> dict[str, Any]:
    """The panel (outside the timed region)."""
    data = panel(size)
    if case.startswith("staggered_did"):
        # Ours reads "never treated" as a missing first period.
        data["first_treated"] = data["first_treated"].astype(float).where(data["first_treated"] > 0)
    return {"data": data}


def warm(case: str) -> None:
    """One fit on a small panel, outside the timed region, for both implementations.

    Each case runs once in a fresh process, so without this the clock would include
    importing the library and the first-call costs of NumPy and its BLAS threads
    (about half a second on a busy machine, enough to swamp the 100,000-row case).
    """
    CASES[case](prepare(case, QUICK_SIZES[0]))


def _ours(p: dict, n_boot: int = 0) -> pd.DataFrame:
    from analysis.methods import staggered_did

    fit = staggered_did(
        p["data"],
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first_treated",
        n_boot=n_boot,
    )
    return fit.table[["group", "time", "att", "se"]]


def _csdid(p: dict, bootstrap: bool = False) -> pd.DataFrame:
    from csdid.att_gt import ATTgt

    fit = ATTgt(
        yname="y",
        tname="period",
        idname="unit",
        gname="first_treated",
        data=p["data"],
        control_group="nevertreated",
        biters=N_BOOT,
        cband=bootstrap,
    ).fit(est_method="reg", base_period="varying", bstrap=bootstrap)
    return pd.DataFrame(
        {
            "group": np.asarray(fit.results["group"]),
            "time": np.asarray(fit.results["year"]),
            "att": np.asarray(fit.results["att"], dtype=float),
            "se": np.asarray(fit.results["se"], dtype=float),
        }
    )


CASES = {
    "staggered_did": _ours,
    "csdid": _csdid,
    "staggered_did_bootstrap": lambda p: _ours(p, n_boot=N_BOOT),
    "csdid_bootstrap": lambda p: _csdid(p, bootstrap=True),
}


def summarise(case: str, result: pd.DataFrame) -> dict:
    """ATT(g,t) and standard errors keyed ``"group/time"`` (JSON-safe)."""
    keys = [f"{int(g)}/{int(t)}" for g, t in zip(result["group"], result["time"], strict=True)]
    return {
        "att": dict(zip(keys, map(float, result["att"]), strict=True)),
        "se": dict(zip(keys, map(float, result["se"]), strict=True)),
    }


def largest_difference(ours: dict, theirs: dict, key: str) -> float:
    """Largest absolute difference of ``key`` ("att" or "se") over the group-time cells.

    Infinite when the two estimated different sets of cells (a cell one skipped).
    """
    if set(ours[key]) != set(theirs[key]):
        return float("inf")
    return max(abs(ours[key][cell] - theirs[key][cell]) for cell in ours[key])


def agreement(ours: dict, theirs: dict) -> str:
    """The table's ``abs_difference``: the largest ATT(g,t) difference."""
    return f"{largest_difference(ours, theirs, 'att'):.1e}"


def compare(
    ours: str, reference: str, size: int, repeat: int, log
) -> tuple[dict[str, list[_runs.Run]], list[float]]:
    """Both cases ``repeat`` times, interleaved, each in a fresh process; the loads seen.

    As :func:`benchmarks._runs.compare`, with the one-minute load average read before
    every run (the machine is shared, and a number means little without it).
    """
    runs: dict[str, list[_runs.Run]] = {ours: [], reference: []}
    loads = []
    for repetition in range(repeat):
        for case in runs:
            loads.append(os.getloadavg()[0])
            run = _runs.run_case("benchmarks.staggered", case, size, summarise=repetition == 0)
            runs[case].append(run)
            log(
                f"  {case} at {size:,} (run {repetition + 1}, load {loads[-1]:.1f}): "
                f"{run.seconds:.2f}s, {run.peak_mb:.0f} MB"
            )
    return runs, loads


def run(quick: bool, repeat: int, log) -> list[dict]:
    """Rows for the table: ours against csdid at each size and inference, interleaved runs."""
    rows = []
    for size in QUICK_SIZES if quick else SIZES:
        for inference, (ours, reference) in PAIRS.items():
            runs, loads = compare(ours, reference, size, 1 if quick else repeat, log)
            for row in _runs.rows("staggered", runs, ours, size, agreement):
                mine, theirs = runs[ours][0].summary, runs[reference][0].summary
                row["inference"] = inference
                row["se_max_difference"] = (
                    largest_difference(mine, theirs, "se")
                    if inference == "analytic"
                    else float("nan")
                )
                row["cells"] = len(mine["att"])
                row["load"] = f"{min(loads):.1f}-{max(loads):.1f}"
                rows.append(row)
    return rows
