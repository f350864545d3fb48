"""Staggered difference-in-differences against the ``csdid`` package, ATT(g,t) by ATT(g,t).

The panel has 50 periods and five adoption cohorts (first treated in periods 10, 18,
26, 34 and 42) plus never-treated units, a unit effect, a common trend and an effect
that grows with time since adoption; the size is the number of unit-periods. Both
implementations estimate every group-time effect with never-treated comparisons, the
varying base period and the analytic (influence-function) standard errors, without the
multiplier bootstrap: ``staggered_did(..., n_boot=0)`` against csdid's
``ATTgt(...).fit(est_method="reg", bstrap=False)`` (with no covariates every
``est_method`` gives the same estimate). Ours also aggregates (overall, event-time and
cohort effects, pre-trend tests) inside the clock, so the ratio understates the
difference. Agreement is the largest absolute difference over all ATT(g,t) and over
their standard errors, matched by cohort and period.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _runs

PERIODS = 50
COHORTS = (10, 18, 26, 34, 42)
#: Unit-periods at each size (units = size / PERIODS).
SIZES = (100_000, 1_000_000)
QUICK_SIZES = (5_000,)


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
    if case == "staggered_did":
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


def _ours(p: dict) -> pd.DataFrame:
    from analysis.methods import staggered_did

    fit = staggered_did(
        p["data"],
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first_treated",
        n_boot=0,
    )
    return fit.table[["group", "time", "att", "se"]]


def _csdid(p: dict) -> pd.DataFrame:
    from csdid.att_gt import ATTgt

    fit = ATTgt(
        yname="y",
        tname="period",
        idname="unit",
        gname="first_treated",
        data=p["data"],
        control_group="nevertreated",
    ).fit(est_method="reg", base_period="varying", bstrap=False)
    return pd.DataFrame(
        {
            "group": np.asarray(fit.results["group"]),
            "time": np.asarray(fit.results["year"]),
            "att": np.asarray(fit.results["att"], dtype=float),
            "se": np.asarray(fit.results["se"], dtype=float),
        }
    )


CASES = {"staggered_did": _ours, "csdid": _csdid}


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


def run(quick: bool, repeat: int, log) -> list[dict]:
    """Rows for the table: ours against csdid at each size, interleaved runs."""
    rows = []
    for size in QUICK_SIZES if quick else SIZES:
        runs = _runs.compare(
            "benchmarks.staggered", "staggered_did", ["csdid"], size, 1 if quick else repeat, log
        )
        for row in _runs.rows("staggered", runs, "staggered_did", size, agreement):
            mine, theirs = runs["staggered_did"][0].summary, runs[row["reference"]][0].summary
            row["se_max_difference"] = largest_difference(mine, theirs, "se")
            row["cells"] = len(mine["att"])
            rows.append(row)
    return rows
