"""Planted truth: do the victim services estimates' intervals cover what was planted?

Each seed generates a Dorset-scale synthetic extract, runs the notebook's estimators with
their default settings and checks each 95% interval against the planted value of its
estimand. The naive comparisons are checked too, the other way round: selection into
support should make them miss. The quick test uses a couple of dozen seeds; the slow study
(``make validate``) uses many and writes ``benchmarks/results/coverage_victim_services.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.programmes.victim_services import designs, tables
from analysis.programmes.victim_services.evaluation import Parameters
from analysis.synthetic import generate
from tests.programmes.coverage import write_coverage_summary

RESULTS = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_victim_services.csv"
)


def estimates_for_seed(seed: int, *, lee: bool = True) -> pd.DataFrame:
    """Every finding's interval and truth for one synthetic extract (notebook defaults)."""
    synth = generate("victim_services", seed=seed)
    extract, truth = synth.tables, synth.truth
    params = Parameters()
    change = pd.Timestamp(params.service_change_date)
    trial = tables.emulated_trial(
        extract["offences"],
        extract["cases"],
        extract["incidents"],
        support_window_days=params.support_window_days,
        follow_up_days=params.follow_up_days,
        extract_date=synth.extract_date,
    )
    repeat = designs.repeat_victimisation(trial)
    series = tables.monthly_service(extract["cases"], trial, extract_date=synth.extract_date)
    closed = tables.closed_cases(extract["cases"], change)
    exit_result = designs.exit_outcome(closed, "abuse_ceased")
    rows = [
        ("repeat, matched", repeat.matched, truth["repeat_hazard_ratio"]),
        ("repeat, naive", repeat.naive, truth["repeat_hazard_ratio"]),
        (
            "withdrawal, matched",
            designs.matched_difference(trial, "withdrawn"),
            truth["withdrawal_difference_pp"],
        ),
        (
            "withdrawal, naive",
            designs.naive_difference(trial, "withdrawn"),
            truth["withdrawal_difference_pp"],
        ),
        (
            "charge, matched",
            designs.matched_difference(trial, "charged"),
            truth["charge_difference_pp"],
        ),
        (
            "first contact, ITS",
            designs.service_change(series, "mean_days_to_contact_mix_adjusted", change),
            truth["first_contact_change_days"],
        ),
        (
            "engagement, ITS",
            designs.service_change(series, "engaged_pct_mix_adjusted", change),
            truth["engagement_change_pp"],
        ),
        (
            "withdrawal, ITS",
            designs.service_change(series, "withdrawal_pct", change),
            truth["withdrawal_change_pp"],
        ),
        ("abuse ceased, complete case", exit_result.complete_case, truth["abuse_ceased_share"]),
        ("abuse ceased, worst/best bounds", exit_result.bounds, truth["abuse_ceased_share"]),
    ]
    if lee:
        rows.append(
            (
                "abuse ceased after change, Lee bounds",
                designs.exit_comparison(closed, "abuse_ceased"),
                truth["abuse_ceased_after_change_pp"] / 100,
            )
        )
    return pd.DataFrame(
        [
            {
                "seed": seed,
                "estimate": name,
                "effect": getattr(result, "effect", getattr(result, "complete_case", None)),
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "truth": value,
                "covered": result.ci_low <= value <= result.ci_high,
            }
            for name, result, value in rows
        ]
    )


#: Estimates whose intervals must cover the truth, and those that must not (biased on
#: purpose: selection into support, exits missing not at random).
COVERING = (
    "repeat, matched",
    "withdrawal, matched",
    "charge, matched",
    "first contact, ITS",
    "engagement, ITS",
    "withdrawal, ITS",
    "abuse ceased, worst/best bounds",
)
MISSING = ("repeat, naive", "withdrawal, naive", "abuse ceased, complete case")


def test_headline_intervals_cover_the_planted_truth_and_naive_ones_do_not():
    results = pd.concat([estimates_for_seed(seed, lee=False) for seed in range(24)])
    coverage = results.groupby("estimate")["covered"].mean()
    for name in COVERING:
        # 24 seeds: a 95% interval covers at least 20 times with probability about 0.99.
        assert coverage[name] >= 20 / 24, (name, coverage[name])
    for name in MISSING:
        assert coverage[name] <= 0.25, (name, coverage[name])


@pytest.mark.slow
def test_coverage_study():
    results = pd.concat([estimates_for_seed(seed) for seed in range(200)])
    summary = write_coverage_summary(results, RESULTS).set_index("estimate")
    for name in COVERING:
        assert 0.9 <= summary.loc[name, "coverage"] <= 1.0, name
    assert summary.loc["abuse ceased after change, Lee bounds", "coverage"] >= 0.93
    for name in MISSING:
        assert summary.loc[name, "coverage"] <= 0.2, name
