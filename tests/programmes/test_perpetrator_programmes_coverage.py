"""Planted truth: do the perpetrator-programme estimates' intervals cover what was planted?

Each seed generates a Dorset-scale synthetic extract, runs the notebook's estimators with
its default settings and checks each 95% interval against the exact value of its estimand
in the generating process. The quick test uses a handful of seeds; the slow study (run by
``make validate``) uses many and writes ``benchmarks/results/coverage_perpetrator_programmes.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
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
        trial = designs.target_trial_reoffending(
            outcomes,
            extract["offences"],
            name,
            covariates=cohort.covariates,
            risk_levels=cohort.risk_levels,
            extract_date=synth.extract_date,
        )
        rows += [
            (f"{name}: 12-month reoffending, target trial", trial, difference),
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
        "Drive: 12-month reoffending, target trial",
        "Up2U: 12-month reoffending, target trial",
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


def target_trial_errors(seed: int) -> list[dict[str, float]]:
    """Each programme's target-trial estimate, standard error and planted truth for one seed."""
    synth = generate("perpetrator_programmes", seed=seed)
    people, offences = synth.tables["people"], synth.tables["offences"]
    outcomes = tables.person_outcomes(people, offences, extract_date=synth.extract_date)
    rows = []
    for name, key in (("Drive", "drive"), ("Up2U", "up2u")):
        cohort = tables.programme_cohort(outcomes, name)
        trial = designs.target_trial_reoffending(
            outcomes,
            offences,
            name,
            covariates=cohort.covariates,
            risk_levels=cohort.risk_levels,
            extract_date=synth.extract_date,
        )
        truth = synth.truth[f"{key}_reoffending_12m_difference"]
        rows.append(
            {
                "programme": name,
                "seed": seed,
                "error": trial.effect - truth,
                "se": trial.se,
                "covered": trial.ci_low <= truth <= trial.ci_high,
            }
        )
    return rows


@pytest.mark.slow
def test_target_trial_interval_is_calibrated_over_many_seeds():
    """The headline's paired-t interval against the spread of its estimates over seeds.

    The spread over seeds includes everything the paired t ignores (the estimated
    propensity score, the caliper, who picks a match first), so its ratio to the mean
    reported standard error says whether the interval is too narrow. Over seeds 5000 to
    5199 the ratio was 1.00 (Drive) and 1.05 (Up2U), the mean error +0.10 and -0.23 points
    (standard error 0.29 and 0.27) and coverage 0.945 and 0.96: the 0.875 seen over seeds
    5000 to 5039 was a run of bad luck (about 1 in 20 at 95%), not a narrow interval or a
    biased match.
    """
    seeds = int(os.environ.get("TRIAL_SEEDS", "200"))
    results = pd.DataFrame(
        [row for seed in range(5000, 5000 + seeds) for row in target_trial_errors(seed)]
    )
    for name, runs in results.groupby("programme"):
        spread = runs["error"].std(ddof=1)
        assert 0.85 <= spread / runs["se"].mean() <= 1.15, (name, spread, runs["se"].mean())
        # Unbiased within three standard errors of the mean error.
        assert abs(runs["error"].mean()) <= 3 * spread / np.sqrt(len(runs)), name
        assert 0.92 <= runs["covered"].mean() <= 0.98, (name, runs["covered"].mean())
