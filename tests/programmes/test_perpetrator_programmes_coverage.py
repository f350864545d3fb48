"""Planted truth: do the perpetrator-programme estimates' intervals cover what was planted?

Each seed generates a Dorset-scale synthetic extract, runs the notebook's estimators with
its default settings and checks each 95% interval against the exact value of its estimand
in the generating process. The quick test uses a handful of seeds; the slow study (run by
``make validate``) uses many and writes ``benchmarks/results/coverage_perpetrator_programmes.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.reference import harm_weights
from analysis.programmes.perpetrator_programmes import designs, tables
from analysis.synthetic import generate
from tests.programmes.coverage import write_coverage_summary

RESULTS = (
    Path(__file__).resolve().parents[2]
    / "benchmarks"
    / "results"
    / "coverage_perpetrator_programmes.csv"
)


def estimates_for_seed(seed: int, *, full: bool = True) -> pd.DataFrame:
    """Every finding's estimate and truth for one synthetic extract (notebook defaults)."""
    synth = generate("perpetrator_programmes", seed=seed)
    extract, truth = synth.tables, synth.truth
    outcomes = tables.person_outcomes(
        extract["people"], extract["offences"], extract_date=synth.extract_date
    )
    weights = harm_weights()
    rows = []
    for name, key in (("Drive", "drive"), ("Up2U", "up2u")) if full else (("Drive", "drive"),):
        cohort = tables.programme_cohort(outcomes, name)
        reoffending = designs.reoffending_estimates(cohort, outcomes)
        survival = designs.survival_estimates(cohort)
        harm, panel = designs.harm_estimates(
            cohort,
            extract["offences"],
            harm_weights=weights,
            matched=reoffending.matched.details["matched"],
        )
        difference = f"{key}_reoffending_12m_difference"
        rows += [
            (f"{name}: 12-month reoffending, matched", reoffending.matched, difference),
            (f"{name}: 12-month reoffending, naive", reoffending.naive, difference),
            (f"{name}: 12-month reoffending, same risk", reoffending.same_risk, difference),
            (f"{name}: 12-month reoffending, IPW", reoffending.ipw, difference),
            (f"{name}: hazard ratio, Cox", survival.hazard_ratio, f"{key}_reoffence_hazard_ratio"),
            (f"{name}: DA crimes, matched DiD", harm.da_offences_did, f"{key}_da_offences_did"),
            (f"{name}: harm, matched DiD", harm.matched_did, f"{key}_harm_did"),
            (
                f"{name}: non-DA crimes (null), matched DiD",
                harm.non_da_offences_did,
                f"{key}_non_da_offences_did",
            ),
            (f"{name}: harm, before/after only", harm.before_after, f"{key}_harm_did"),
            (
                f"{name}: DA crimes, before/after only",
                designs.before_after(panel, outcome="da_offences", label="DA crimes"),
                f"{key}_da_offences_did",
            ),
        ]
    if full:
        training = designs.training_change(extract["training_scores"])
        rows.append(("Training: score change", training, "training_score_change"))
    return pd.DataFrame(
        [
            {
                "estimate": label,
                "seed": seed,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "truth": truth[key],
                "covered": est.ci_low <= truth[key] <= est.ci_high,
            }
            for label, est, key in rows
        ]
    )


def test_headline_and_checks_cover_the_truth_on_a_few_seeds():
    results = pd.concat([estimates_for_seed(seed, full=False) for seed in range(3)])
    checks = results[
        results["estimate"].str.contains("matched|Cox") & ~results["estimate"].str.contains("harm")
    ]
    # 12 intervals at 95% (matched 12-month, Cox, DA crimes, null): 11 or more should cover
    # (fewer happens about 2% of the time).
    assert len(checks) == 12
    assert checks["covered"].sum() >= 11, checks
    # The naive comparison is biased by selection (participants are riskier): it misses the
    # truth, and on the wrong side of no effect.
    naive = results[results["estimate"] == "Drive: 12-month reoffending, naive"]
    assert not naive["covered"].any()
    assert (naive["effect"] > 0).all() and (naive["truth"] < 0).all()


@pytest.mark.slow
def test_coverage_study_writes_table():
    results = pd.concat([estimates_for_seed(seed) for seed in range(150)])
    summary = write_coverage_summary(results, RESULTS)
    coverage = summary.set_index("estimate")["coverage"]
    for name in (
        "Drive: 12-month reoffending, matched",
        "Drive: hazard ratio, Cox",
        "Drive: DA crimes, matched DiD",
        "Drive: non-DA crimes (null), matched DiD",
        "Up2U: 12-month reoffending, matched",
        "Up2U: hazard ratio, Cox",
        "Up2U: DA crimes, matched DiD",
        "Training: score change",
    ):
        assert 0.90 <= coverage[name] <= 0.99, (name, coverage[name])
    assert coverage["Drive: 12-month reoffending, naive"] < 0.05
    assert coverage["Drive: DA crimes, before/after only"] < 0.5
