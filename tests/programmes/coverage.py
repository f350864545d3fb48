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
