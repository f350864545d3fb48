"""Design-stage power: what each of a programme's designs could detect, before any real data.

The question a commissioner asks before funding an evaluation: at Dorset's volumes, would
the evaluation see the effect the programme is expected to have? :func:`simulate_power`
answers it by simulation from the programme's own synthetic generator: it draws many
synthetic extracts with the planted (expected) effects, runs the programme's whole
``evaluate`` and ``build_findings`` on each, exactly as the report would, and summarises
every finding: how often its interval excluded no effect (the power for the planted
effect), how often it covered the planted truth, and its minimum detectable effect at 80%
power (from the interval each run reported). Checks (placebos, negative controls) are
left out: they have no effect to detect.

Used by ``python -m analysis power <programme>``.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError
from .registry import get_programme


def _one_run(task: tuple[str, int, float, str]) -> list[dict[str, Any]]:
    from ..data import load
    from ..errors import AnalysisError
    from ..methods import mde

    slug, seed, scale, world = task
    programme = get_programme(slug)
    data = load(slug, source="synthetic", seed=seed, scale=scale, world=world)
    module = sys.modules[programme.evaluate.__module__]
    findings = programme.build_findings(programme.evaluate(data, module.Parameters()))
    rows = []
    for finding in findings:
        if getattr(finding, "role", "finding") == "check":
            continue
        estimate = finding.estimate
        try:
            detectable = mde(estimate)
        except AnalysisError:
            detectable = math.nan
        rows.append(
            {
                "seed": seed,
                "finding": finding.label or finding.question,
                "design": finding.design,
                "scale": estimate.scale,
                "truth": finding.truth,
                "effect": estimate.effect,
                "ci_low": estimate.ci_low,
                "ci_high": estimate.ci_high,
                "significant": estimate.significant,
                "mde": detectable,
            }
        )
    return rows


def simulate_power(
    slug: str,
    *,
    replications: int = 100,
    seed: int = 1,
    scale: float = 1.0,
    world: str = "friendly",
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Power, coverage and MDE of every design of a programme, by simulation from its generator.

    Parameters
    ----------
    slug : str
        The programme.
    replications : int
        Synthetic extracts to draw (seeds ``seed`` to ``seed + replications - 1``).
        Power is estimated to within about ``1 / sqrt(replications)``.
    seed : int
        First seed.
    scale : float
        Volume of each extract (1 is Dorset's).
    world : str
        The synthetic world (``analysis.synthetic.worlds``); the friendly one by default.
    jobs : int, optional
        Processes running replications side by side (default: the cores available).
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``design``, ``scale``, ``planted`` (the planted effect),
        ``power`` (share of runs whose interval excluded no effect), ``coverage`` (share
        covering the planted effect), ``mde_80`` (median minimum detectable effect at 80%
        power, on the finding's scale), ``mean_estimate`` and ``runs``.
    """
    import pandas as pd

    if replications < 2:
        raise ConfigError(f"replications must be at least 2, got {replications}")
    get_programme(slug)
    tasks = [(slug, seed + i, scale, world) for i in range(replications)]
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), replications))
    rows: list[dict[str, Any]] = []
    if jobs == 1:
        results = map(_one_run, tasks)
        for done, result in enumerate(results, 1):
            rows += result
            if progress:
                progress(done, replications)
    else:
        with mp.get_context("fork").Pool(jobs) as pool:
            for done, result in enumerate(pool.imap_unordered(_one_run, tasks), 1):
                rows += result
                if progress:
                    progress(done, replications)
    runs = pd.DataFrame(rows)
    runs["covers"] = (runs["ci_low"] <= runs["truth"]) & (runs["truth"] <= runs["ci_high"])
    summary = runs.groupby("finding", sort=False).agg(
        design=("design", "first"),
        scale=("scale", "first"),
        planted=("truth", "first"),
        power=("significant", "mean"),
        coverage=("covers", "mean"),
        mde_80=("mde", "median"),
        mean_estimate=("effect", "mean"),
        runs=("seed", "size"),
    )
    summary.loc[summary["planted"].isna(), "coverage"] = math.nan
    return summary


def print_progress(done: int, total: int, *, started: float | None = None) -> None:
    """One line on standard error, rewritten as replications finish."""
    elapsed = "" if started is None else f", {time.monotonic() - started:.0f}s"
    end = "\n" if done == total else ""
    print(f"\r  {done}/{total} replications{elapsed}", end=end, file=sys.stderr, flush=True)
