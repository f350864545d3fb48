"""Planted truth: do the Combating Drugs Partnership's intervals cover what the generator planted?

Each seed generates the friendly synthetic world, runs the report's designs with its default
settings and checks each 95% interval against the planted value of its estimand. The quick
test uses a few seeds; the slow study (``make validate``) uses many and writes
``benchmarks/results/coverage_combating_drugs.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.contracts.combating_drugs import PARTNERSHIP_AREAS
from analysis.programmes.combating_drugs import designs, tables
from analysis.programmes.combating_drugs.evaluation import COMPARISONS, indicator_comparison
from analysis.programmes.combating_drugs.findings import TRUTH_KEYS
from analysis.synthetic import combating_drugs as world
from analysis.synthetic import generate
from tests.programmes.coverage import write_coverage_summary

RESULTS = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_combating_drugs.csv"
)
PARTNERSHIP = list(PARTNERSHIP_AREAS)
COMPARATORS = list(world.COMPARATOR_CODES)


def estimates_for_seed(seed: int, *, full: bool = True) -> pd.DataFrame:
    """Each design's estimate and planted truth for one synthetic draw (report defaults)."""
    synth = generate("combating_drugs", seed=seed)
    indicators, truth = synth.tables["indicators"], synth.truth
    start = world.FUNDING_START
    keys = list(COMPARISONS) if full else ["adults_in_treatment"]
    rows = [
        (key, indicator_comparison(indicators, key, PARTNERSHIP, COMPARATORS, start).estimate,
         TRUTH_KEYS[key])
        for key in keys
    ]  # fmt: skip
    if full:
        acquisitive = tables.monthly_offending(
            synth.tables["offending"], ["drug-related acquisitive crime"]
        )
        deaths = tables.partnership_series(indicators, "drug_deaths", PARTNERSHIP)
        rows += [
            ("offending", designs.offending_change(acquisitive, start), TRUTH_KEYS["offending"]),
            ("deaths", designs.deaths_before_after(deaths, start), TRUTH_KEYS["deaths"]),
        ]
    return pd.DataFrame(
        [
            {
                "estimate": name,
                "seed": seed,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "truth": truth[key],
                "covered": est.ci_low <= truth[key] <= est.ci_high,
            }
            for name, est, key in rows
        ]
    )


def test_the_headline_covers_its_truth_on_a_few_seeds():
    results = pd.concat([estimates_for_seed(seed, full=False) for seed in range(4)])
    # Four intervals at 95%: three or more cover 99.5% of the time.
    assert results["covered"].sum() >= 3, results


@pytest.mark.slow
def test_coverage_study_writes_table():
    results = pd.concat([estimates_for_seed(seed) for seed in range(150)])
    summary = write_coverage_summary(results, RESULTS)
    coverage = summary.set_index("estimate")["coverage"]
    for name in summary["estimate"]:
        assert 0.90 <= coverage[name] <= 0.99, (name, coverage[name])
