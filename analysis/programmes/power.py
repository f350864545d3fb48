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

For the programmes in :data:`FAST_PATHS` (those whose package has a ``headline`` module),
``headline_only=True`` answers for the headline alone, several times faster (the README's
performance table has the measurements). A fast path draws the same synthetic tables and
calls the programme's own ``tables`` and ``designs`` with its default ``Parameters``, never
a copy of their logic, so each replication's label, estimate, interval, MDE and planted
truth equal the whole evaluation's headline for the same seed
(``tests/programmes/test_power.py`` checks every programme to 1e-12).

Used by ``python -m analysis power <programme>`` (``--headline-only`` for the fast path).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError
from .registry import _PACKAGE, REGISTRY, get_programme


def _row(seed: int, finding: str, design: str, estimate: Any, truth: float | None) -> dict:
    from ..errors import AnalysisError
    from ..methods import mde

    try:
        detectable = mde(estimate)
    except AnalysisError:
        detectable = math.nan
    return {
        "seed": seed,
        "finding": finding,
        "design": design,
        "scale": estimate.scale,
        "truth": truth,
        "effect": estimate.effect,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
        "significant": estimate.significant,
        "mde": detectable,
    }


def _one_blas_thread() -> None:
    # The processes already fill the cores: a BLAS that also threads each process's linear
    # algebra oversubscribes them (measured 2.5x slower per lSaVI headline on 2 shared cores).
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _one_run(task: tuple[str, int, float, str]) -> list[dict[str, Any]]:
    from ..data import load

    slug, seed, scale, world = task
    programme = get_programme(slug)
    data = load(slug, source="synthetic", seed=seed, scale=scale, world=world)
    module = sys.modules[programme.evaluate.__module__]
    findings = programme.build_findings(programme.evaluate(data, module.Parameters()))
    return [
        _row(
            seed,
            finding.label or finding.question,
            finding.design,
            finding.estimate,
            finding.truth,
        )
        for finding in findings
        if getattr(finding, "role", "finding") != "check"
    ]


# ----------------------------------------------------------------------------- fast path
# The slow path above answers for every design but spends almost all of its time on work
# a power study does not need: loading (contract checks, pseudonymisation) and the rest of
# ``evaluate`` (checks, tables, value for money). A programme offers the fast path with a
# module ``analysis/programmes/<slug>/headline.py`` declaring ``DESIGN`` and
# ``headline_replication(synthetic) -> (label, estimate, truth)``: it draws the same synthetic
# tables and runs only the headline's estimator, through the programme's own ``tables`` and
# ``designs`` functions with its default ``Parameters``, so each replication's estimate is the
# one the slow path's headline finding reports for the same seed.


def _has_fast_path(slug: str) -> bool:
    return importlib.util.find_spec(f"{_PACKAGE}.{slug}.headline") is not None


#: The programmes with a headline-only fast path (a ``headline`` module in their package).
FAST_PATHS: tuple[str, ...] = tuple(slug for slug in REGISTRY if _has_fast_path(slug))


def headline_design(slug: str) -> str:
    """The design of ``slug``'s headline finding, as its fast path declares it.

    Examples
    --------
    >>> headline_design("lsavi")
    'staggered_difference_in_differences'
    """
    return importlib.import_module(f"{_PACKAGE}.{slug}.headline").DESIGN


def _one_headline_run(task: tuple[str, int, float, str]) -> list[dict[str, Any]]:
    from ..synthetic import generate

    slug, seed, scale, world = task
    module = importlib.import_module(f"{_PACKAGE}.{slug}.headline")
    synthetic = generate(slug, seed=seed, scale=scale, world=world)
    label, estimate, truth = module.headline_replication(synthetic)
    return [_row(seed, label, module.DESIGN, estimate, truth)]


def simulate_power(
    slug: str,
    *,
    replications: int = 100,
    seed: int = 1,
    scale: float = 1.0,
    world: str = "friendly",
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    headline_only: bool = False,
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
    headline_only : bool
        The fast path: only the headline finding, from the generator's tables through the
        headline's own estimator, skipping loading checks, pseudonymisation and the rest of
        ``evaluate`` (same seeds, same estimates as the slow path's headline). Only for
        programmes in :data:`FAST_PATHS`.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``design``, ``scale``, ``planted`` (the planted effect),
        ``power`` (share of runs whose interval excluded no effect), ``coverage`` (share
        covering the planted effect), ``mde_80`` (median minimum detectable effect at 80%
        power, on the finding's scale), ``mean_estimate`` and ``runs``.

    Examples
    --------
    >>> table = simulate_power("combating_drugs", replications=2, jobs=1, headline_only=True)
    >>> list(table["design"]), int(table["runs"].iloc[0])
    (['before_after_with_comparison'], 2)
    """
    import pandas as pd

    if replications < 2:
        raise ConfigError(f"replications must be at least 2, got {replications}")
    get_programme(slug)
    if headline_only and slug not in FAST_PATHS:
        raise ConfigError(
            f"programme '{slug}' has no headline-only fast path (those with one: "
            f"{', '.join(sorted(FAST_PATHS))}); run its power without --headline-only"
        )
    one_run = _one_headline_run if headline_only else _one_run
    tasks = [(slug, seed + i, scale, world) for i in range(replications)]
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), replications))
    rows: list[dict[str, Any]] = []
    if jobs == 1:
        results = map(one_run, tasks)
        for done, result in enumerate(results, 1):
            rows += result
            if progress:
                progress(done, replications)
    else:
        with mp.get_context("fork").Pool(jobs, initializer=_one_blas_thread) as pool:
            for done, result in enumerate(pool.imap_unordered(one_run, tasks), 1):
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
