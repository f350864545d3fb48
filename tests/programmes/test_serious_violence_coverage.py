"""Planted truth: do the serious violence intervals cover what the friendly world planted?

Each seed generates a Dorset-scale synthetic extract, runs the report's estimators with its
default settings and checks each 95% interval against the exact value of its estimand in the
generating process (:data:`analysis.synthetic.serious_violence.TRUTH_DEFINITIONS`). The quick
test uses two seeds; the slow study writes ``benchmarks/results/coverage_serious_violence.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.programmes.serious_violence import designs, tables
from analysis.programmes.serious_violence.evaluation import OFFENCES, Parameters
from analysis.synthetic import generate
from tests.programmes.coverage import write_coverage_summary

RESULTS = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_serious_violence.csv"
)
#: Estimates whose coverage the slow study asserts; homicide is reported, not asserted: with a
#: handful a quarter its intervals are unreliable, and its findings fail the events check.
ASSERTED = (
    "synthetic control: knife",
    "synthetic control: violence_with_injury",
    "synthetic control: admissions",
    "time series: knife",
    "time series: violence_with_injury",
    "hot spots, net of regression to the mean",
)


def estimates_for_seed(seed: int, *, scale: float = 1.0) -> pd.DataFrame:
    """Every Duty and hot-spot estimate and its truth for one synthetic extract."""
    synth = generate("serious_violence", seed=seed, scale=scale)
    data, truth = synth.tables, synth.truth
    params = Parameters()
    duty = pd.Timestamp(params.duty_start)
    rows = []
    for name, (subgroup, _) in OFFENCES.items():
        panel = tables.quarterly_panel(data["recorded_crime"], data["comparison_areas"], subgroup)
        sc = designs.duty_synthetic_control(panel, time="quarter", intervention=duty)
        its = designs.duty_its(
            tables.dorset_series(panel), count="offences", time="quarter", intervention=duty,
            harmonics=1,
        )  # fmt: skip
        rows.append((f"synthetic control: {name}", sc, truth[f"sc_{name}_gap_per_100k"]))
        rows.append((f"time series: {name}", its, truth[f"its_{name}_rate_ratio"]))
    admissions = tables.admissions_panel(
        data["hospital_admissions"], data["comparison_areas"], params.sharp_object_indicator,
        "All ages",
    )  # fmt: skip
    sc = designs.duty_synthetic_control(
        admissions, time="year", intervention=pd.Timestamp("2023-04-01")
    )
    rows.append(("synthetic control: admissions", sc, truth["sc_admissions_gap_per_100k"]))
    counts = tables.lsoa_year_counts(data["street_crimes"], data["lsoas"])
    hot = designs.hotspot_change(
        counts, selection_year=2022, follow_year=2023, share=0.05, draws=200, seed=seed
    )
    rows.append(
        ("hot spots, net of regression to the mean", hot.adjusted, truth["hotspot_rate_ratio"])
    )
    rows.append(("hot spots, naive", hot.naive, truth["hotspot_rate_ratio"]))
    return pd.DataFrame(
        [
            {
                "seed": seed,
                "estimate": label,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "truth": value,
                "covered": bool(est.ci_low <= value <= est.ci_high),
            }
            for label, est, value in rows
        ]
    )


def test_every_estimate_runs_and_carries_its_truth():
    results = pd.concat([estimates_for_seed(seed, scale=0.3) for seed in (1, 2)])
    assert results[["effect", "ci_low", "ci_high", "truth"]].notna().all().all()
    assert set(ASSERTED) <= set(results["estimate"])


@pytest.mark.slow
def test_intervals_cover_the_planted_truth_about_95_times_in_100():
    results = pd.concat([estimates_for_seed(seed) for seed in range(100, 140)])
    summary = write_coverage_summary(results, RESULTS).set_index("estimate")
    assert summary.loc[list(ASSERTED), "coverage"].between(0.85, 1.0).all(), summary
    # The naive hot-spot before/after is biased by regression to the mean: it should miss.
    assert summary.loc["hot spots, naive", "coverage"] < 0.6
