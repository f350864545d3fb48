"""Shared by the programmes' planted-truth coverage studies (``make validate``)."""

from pathlib import Path

import pandas as pd


def write_coverage_summary(results: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Summarise per-seed estimates (coverage, bias, width) by estimate and write the CSV.

    ``results`` holds one row per seed and estimate with columns ``seed, estimate,
    effect, ci_low, ci_high, truth, covered``.
    """
    summary = (
        results.assign(
            error=results["effect"] - results["truth"], width=results["ci_high"] - results["ci_low"]
        )
        .groupby("estimate", sort=False)
        .agg(
            seeds=("seed", "nunique"),
            coverage=("covered", "mean"),
            mean_estimate=("effect", "mean"),
            mean_truth=("truth", "mean"),
            mean_error=("error", "mean"),
            mean_ci_width=("width", "mean"),
        )
        .reset_index()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    summary.to_csv(path, index=False, float_format="%.6g")
    return summary


def summarise_worlds(
    results: pd.DataFrame,
    measures: dict[str, str],
    *,
    by: str = "estimate",
    width: bool = False,
) -> pd.DataFrame:
    """Summarise a hostile-worlds study by world and ``by``: coverage, the study's own rates, bias.

    Parameters
    ----------
    results : DataFrame
        One row per world, seed and estimate with ``world, seed, effect, truth, covered`` (and
        ``ci_low, ci_high`` when ``width``), plus the columns ``measures`` averages.
    measures : dict of str to str
        Output name to the column whose mean it is (confidently wrong, mean SMS, ...), in the
        order the CSV shows them, between ``coverage`` and ``mean_estimate``.
    by : str
        The column naming the estimate or design.
    width : bool
        Whether to add the mean interval width as ``mean_ci_width``.
    """
    extra = {"width": results["ci_high"] - results["ci_low"]} if width else {}
    means = {name: (column, "mean") for name, column in measures.items()}
    tail = {"mean_ci_width": ("width", "mean")} if width else {}
    return (
        results.assign(error=results["effect"] - results["truth"], **extra)
        .groupby(["world", by], sort=False)
        .agg(
            seeds=("seed", "nunique"),
            coverage=("covered", "mean"),
            **means,
            mean_estimate=("effect", "mean"),
            mean_truth=("truth", "mean"),
            mean_error=("error", "mean"),
            **tail,
        )
        .reset_index()
    )
