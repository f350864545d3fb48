"""Planted truth: do the lSaVI estimates' intervals cover what the synthetic world planted?

Each seed generates a Dorset-scale synthetic extract, runs the notebook's estimators with
its default settings and checks each 95% interval against the exact value of its estimand
in the generating process. The quick test uses a handful of seeds; the slow study (run by
``make validate``) uses many and writes ``benchmarks/results/coverage_lsavi.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data.panels import last_complete_month
from analysis.programmes.lsavi import designs, tables
from analysis.synthetic import generate
from analysis.synthetic import lsavi as world
from tests.programmes.coverage import write_coverage_summary

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_lsavi.csv"
PANEL_START = "2023-04-01"
PILOT_START = world.PILOT_START


def estimates_for_seed(seed: int, *, full: bool = True) -> pd.DataFrame:
    """Every finding's estimate and truth for one synthetic extract (notebook defaults)."""
    synth = generate("lsavi", seed=seed)
    extract, truth = synth.tables, synth.truth
    end = last_complete_month(synth.extract_date)
    panel = tables.premises_month_panel(
        extract["premises"], extract["incidents"], start=PANEL_START, end=end
    )
    rows = [
        ("staggered ATT", designs.staggered_effect(panel, n_boot=0), "att_violence_vulnerability"),
        (
            "placebo ATT",
            designs.placebo_effect(panel, pilot_start=PILOT_START),
            "placebo_att_violence_vulnerability",
        ),
        (
            "theft ATT (null)",
            designs.staggered_effect(panel, outcome="theft", n_boot=0),
            "att_theft",
        ),
        (
            "naive rate ratio",
            designs.naive_comparison(panel, pilot_start=PILOT_START),
            "att_violence_vulnerability_rate_ratio",
        ),
    ]
    if full:
        history = tables.assessment_history(extract["self_assessments"])
        series = tables.nte_violence_series(extract["incidents"], start=PANEL_START, end=end)
        rows += [
            (
                "staggered ATT, not-yet-treated controls",
                designs.staggered_effect(panel, control="not_yet", n_boot=0),
                "att_violence_vulnerability",
            ),
            ("two-way fixed effects", designs.twfe_effect(panel), "att_violence_vulnerability"),
            (
                "county ITS rate ratio",
                designs.nte_violence_its(series, intervention=PILOT_START),
                "its_nte_violence_rate_ratio",
            ),
            (
                "uptake proportion",
                designs.uptake_estimate(
                    extract["premises"], end=PILOT_START + pd.DateOffset(months=12)
                ),
                "uptake_proportion",
            ),
            ("score change", designs.score_change_estimate(history), "score_change"),
            (
                "incidents by score rate ratio",
                designs.incidents_by_score(panel, history, threshold=world.SCORE_THRESHOLD),
                "incidents_by_score_rate_ratio",
            ),
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


def test_headline_and_checks_cover_the_truth_on_a_few_seeds():
    results = pd.concat([estimates_for_seed(seed, full=False) for seed in range(3)])
    checks = results[results["estimate"] != "naive rate ratio"]
    # 9 intervals at 95%: eight or more should cover (fewer happens about 1% of the time).
    assert checks["covered"].sum() >= 8, checks
    # The naive comparison is biased by selection: it misses the truth every time.
    naive = results[results["estimate"] == "naive rate ratio"]
    assert not naive["covered"].any()
    assert (naive["effect"] > 1).all() and (naive["truth"] < 1).all()


@pytest.mark.slow
def test_coverage_study_writes_table():
    results = pd.concat([estimates_for_seed(seed) for seed in range(150)])
    summary = write_coverage_summary(results, RESULTS)
    coverage = summary.set_index("estimate")["coverage"]
    for name in (
        "staggered ATT",
        "placebo ATT",
        "theft ATT (null)",
        "staggered ATT, not-yet-treated controls",
    ):
        assert 0.90 <= coverage[name] <= 0.99, (name, coverage[name])
    assert coverage["naive rate ratio"] < 0.05
    # The effect grows with time since sign-up, so two-way fixed effects is attenuated
    # (it uses earlier participants as controls) while the staggered estimator is not.
    # Judged against the Monte Carlo error of the mean over seeds.
    error = results.assign(error=results["effect"] - results["truth"]).groupby("estimate")["error"]
    t_statistic = error.mean() / (error.std() / np.sqrt(error.size()))
    assert abs(t_statistic["staggered ATT"]) < 3
    assert t_statistic["two-way fixed effects"] > 3  # towards zero: the truth is negative
