"""Planted truth: do the Operation Focus intervals cover what the synthetic world planted?

Each seed generates a Dorset-scale synthetic extract, runs the notebook's analysis with its
default settings and checks each 95% interval against the exact value of its estimand in
the generating process. The quick test uses a handful of seeds and the headline designs;
the slow study (``make validate``) runs every finding over many seeds and writes
``benchmarks/results/coverage_op_focus.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.programmes.op_focus import designs, tables
from analysis.programmes.op_focus.evaluation import Parameters, evaluate
from analysis.programmes.op_focus.findings import build_findings
from analysis.synthetic import generate
from analysis.synthetic.op_focus import DEFAULT_EFFECTS
from tests.programmes.coverage import write_coverage_summary

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_op_focus.csv"
PILOT = DEFAULT_EFFECTS["pilot_start"]
THRESHOLD = DEFAULT_EFFECTS["harm_threshold"]


def _row(label: str, seed: int, estimate, truth: float) -> dict:
    return {
        "estimate": label,
        "seed": seed,
        "effect": estimate.effect,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
        "truth": truth,
        "covered": estimate.ci_low <= truth <= estimate.ci_high,
    }


def headline_estimates(seed: int) -> pd.DataFrame:
    """The charge-rate regression discontinuity (headline) and difference-in-differences."""
    synth = generate("op_focus", seed=seed)
    crimes, suspects = synth.tables["crimes"], synth.tables["suspects"]
    arrests = tables.vawg_arrests(
        crimes, suspects, pilot_start=PILOT, extract_date=synth.extract_date
    )
    profiles = tables.suspect_profiles(suspects, crimes, arrests, pilot_start=PILOT)
    pool = tables.comparison_pool(profiles, threshold=THRESHOLD)
    truth = synth.truth["charge_rate_effect_pp"]
    return pd.DataFrame(
        [
            _row("Charge rate: regression discontinuity", seed,
                 designs.focus_rdd(arrests, threshold=THRESHOLD), truth),
            _row("Charge rate: difference-in-differences", seed,
                 designs.arrest_did(arrests, pool), truth),
        ]
    )  # fmt: skip


def all_findings(seed: int) -> pd.DataFrame:
    """Every finding of the notebook (default settings) against its planted truth."""
    synth = generate("op_focus", seed=seed)
    evaluation = evaluate(synth, Parameters(pilot_start=PILOT, harm_threshold=THRESHOLD))
    findings = build_findings(evaluation)
    return pd.DataFrame([_row(f.label, seed, f.estimate, f.truth) for f in findings])


def test_headline_designs_cover_the_truth_on_a_few_seeds():
    results = pd.concat([headline_estimates(seed) for seed in range(6)])
    covered = results.groupby("estimate")["covered"].sum()
    # Six 95% intervals per design: five or more cover unless something is wrong (fewer
    # happens about 3% of the time by chance).
    assert (covered >= 5).all(), results


@pytest.mark.slow
def test_coverage_study_writes_table():
    results = pd.concat([all_findings(seed) for seed in range(150)])
    summary = write_coverage_summary(results, RESULTS)
    coverage = summary.set_index("estimate")["coverage"]
    unbiased = [label for label in coverage.index if "difference-in-differences" in label]
    unbiased += [label for label in coverage.index if "regression discontinuity" in label]
    unbiased += [label for label in coverage.index if "Cox" in label]
    assert len(unbiased) == 5
    for label in unbiased:
        assert 0.90 <= coverage[label] <= 0.995, (label, coverage[label])
    # A before/after credits Focus with the rise in charging that happened anyway.
    biased = summary.set_index("estimate").loc["Charge rate: before/after, Focus perpetrators only"]
    assert biased["mean_error"] > 1.0 and biased["coverage"] < 0.9
