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

For the programmes in :data:`FAST_PATHS`, ``headline_only=True`` answers for the headline
alone, several times faster (the README's performance table has the measurements): the same
synthetic tables, the headline's own estimator and nothing else.

Used by ``python -m analysis power <programme>`` (``--headline-only`` for the fast path).
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
# ``evaluate`` (checks, tables, value for money). The fast path draws the same synthetic
# tables and runs only the headline's estimator, through the programme's own ``tables`` and
# ``designs`` functions with its default ``Parameters``, so each replication's estimate is the
# one the slow path's headline finding reports for the same seed.


def _lsavi_headline(synthetic: Any) -> tuple[str, Any, float | None]:
    from ..data.panels import last_complete_month
    from .lsavi import designs, findings, tables
    from .lsavi.evaluation import Parameters

    params = Parameters()
    panel_end = last_complete_month(synthetic.extract_date, params.recording_lag_days)
    panel = tables.premises_month_panel(
        synthetic.tables["premises"],
        synthetic.tables["incidents"],
        start=params.panel_start,
        end=panel_end,
    )
    headline = designs.staggered_effect(
        panel, control=params.comparison_group, n_boot=params.bootstrap_draws
    )
    truth = findings.planted_truth(
        synthetic.truth,
        findings.TRUTH_KEYS["headline"],
        panel_start=params.panel_start,
        panel_end=panel_end,
        pilot_start=params.pilot_start,
        score_threshold=params.low_score_threshold,
    )
    # The label ``findings.impact_headline`` gives the finding.
    return (
        "Violence and vulnerability incidents per premises-month (staggered DiD)",
        headline,
        truth,
    )


def _combating_drugs_headline(synthetic: Any) -> tuple[str, Any, float | None]:
    import pandas as pd

    from ..synthetic import combating_drugs as world
    from .combating_drugs import designs, tables
    from .combating_drugs.evaluation import COMPARISONS, Parameters
    from .combating_drugs.findings import TRUTH_KEYS

    params = Parameters()
    key = "adults_in_treatment"
    # As ``evaluate`` reads its settings (comma-separated codes, the generator's comparators)
    # and ``indicator_comparison`` estimates, without the placebo and checks it adds.
    partnership = [code.strip() for code in params.partnership_codes.split(",") if code.strip()]
    panel = tables.comparison_panel(
        synthetic.tables["indicators"], key, partnership, list(world.COMPARATOR_CODES)
    )
    estimate = designs.funding_effect(
        panel, pd.Timestamp(params.funding_start), outcome=COMPARISONS[key]
    )
    truth = synthetic.truth.get(TRUTH_KEYS[key])
    # The label ``findings.comparison_finding`` gives the finding.
    label = f"{COMPARISONS[key].capitalize()}, against comparable authorities (rate ratio)"
    return label, estimate, None if truth is None else float(truth)


def _serious_violence_headline(synthetic: Any) -> tuple[str, Any, float | None]:
    import pandas as pd

    from .serious_violence import designs, tables
    from .serious_violence.evaluation import OFFENCES, Parameters
    from .serious_violence.findings import TRUTH_KEYS

    params = Parameters()
    # The default settings read the loaded tables (no public source) and match the
    # generator's, so ``findings.truths`` shows the planted gap.
    if params.home_office_source or params.police_uk_source or params.fingertips_source:
        raise ConfigError(
            "serious_violence's default Parameters name a public source: the headline-only "
            "path reads only the synthetic tables; run its power without --headline-only"
        )
    subgroup, _ = OFFENCES["knife"]
    panel = tables.quarterly_panel(
        synthetic.tables["recorded_crime"], synthetic.tables["comparison_areas"], subgroup
    )
    estimate = designs.duty_synthetic_control(
        panel, time="quarter", intervention=pd.Timestamp(params.duty_start)
    )
    truth = synthetic.truth.get(TRUTH_KEYS["sc_knife"])
    # The label ``findings.headline_finding`` gives the finding.
    return (
        "Knife crime per 100,000 a quarter, Dorset against synthetic control",
        estimate,
        None if truth is None else float(truth),
    )


#: Per programme: the design of its headline finding, and the function drawing that finding's
#: label, estimate and planted truth from one synthetic extract.
FAST_PATHS: dict[str, tuple[str, Callable[[Any], tuple[str, Any, float | None]]]] = {
    "lsavi": ("staggered_difference_in_differences", _lsavi_headline),
    "combating_drugs": ("before_after_with_comparison", _combating_drugs_headline),
    "serious_violence": ("synthetic_control", _serious_violence_headline),
}


def _one_headline_run(task: tuple[str, int, float, str]) -> list[dict[str, Any]]:
    from ..synthetic import generate

    slug, seed, scale, world = task
    design, headline = FAST_PATHS[slug]
    label, estimate, truth = headline(generate(slug, seed=seed, scale=scale, world=world))
    return [_row(seed, label, design, estimate, truth)]


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
