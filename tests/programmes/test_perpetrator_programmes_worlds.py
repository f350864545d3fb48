"""Hostile worlds: how often is a perpetrator-programmes headline confidently wrong?

For each named world of the generator and unseen seeds, the evaluation runs as the
notebook does (:func:`evaluate`, :func:`build_findings`) and each headline design's
interval is set against the truth planted for its estimand. A finding is **confidently
wrong** when its interval excludes the truth while it keeps SMS 3 or higher with no
reason recorded (no failed or unrun check). The target: at most 1 run in 20 confidently
wrong in any world, and coverage near 95% in the friendly world.

The quick test (``make test``) runs a few seeds; the slow study (``make validate``)
writes ``benchmarks/results/coverage_worlds_perpetrator_programmes.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.data import load
from analysis.programmes.perpetrator_programmes.evaluation import Parameters, evaluate
from analysis.programmes.perpetrator_programmes.findings import build_findings
from analysis.synthetic import worlds
from tests.programmes.coverage import summarise_worlds

RESULTS = (
    Path(__file__).resolve().parents[2]
    / "benchmarks"
    / "results"
    / "coverage_worlds_perpetrator_programmes.csv"
)

#: The headline designs studied: finding label -> the truth key of its estimand.
DESIGNS = {
    "Drive: 12-month DA reoffending, target trial (pp)": "drive_reoffending_12m_difference",
    "Drive: 12-month DA reoffending, matched from identification (pp)": (
        "drive_reoffending_12m_difference"
    ),
    "Up2U: 12-month DA reoffending, target trial (pp)": "up2u_reoffending_12m_difference",
    "Up2U: 12-month DA reoffending, matched from identification (pp)": (
        "up2u_reoffending_12m_difference"
    ),
    "Drive: time to first DA reoffence (hazard ratio)": "drive_reoffence_hazard_ratio",
    "Up2U: time to first DA reoffence (hazard ratio)": "up2u_reoffence_hazard_ratio",
}

#: Designs rated SMS 3 from their design label before the ratings were earned (the
#: "before" column: an interval that missed the truth was then confidently wrong).
RATED_THREE_BY_LABEL = (
    "matched from identification",
    "time to first DA reoffence",
)

#: Worlds whose failure no check of the data can reveal: a trait the extract does not hold
#: (motivation) lowers offending only after identification, so balance, pre-trends and the
#: negative control all pass. The rate of confidently wrong headlines there is reported in
#: the CSV, not held to the target; the E-value and Rosenbaum bound are the defence.
#:
#: The one trace the trait leaves is in the weeks between identification and the start,
#: when participants (more motivated) offend less than their pairs before any programme
#: could act: the ``pre_start_control_p`` column records that negative-control outcome
#: (:func:`pre_start_negative_control`) so its power is measured with the study. Over
#: seeds 5000 to 5059 it fired (p < 0.05) in 10% (Drive) and 8% (Up2U) of friendly runs
#: and 10% and 12% of unobserved-confounding runs: the window (a median 30 to 45 days)
#: holds too few crimes to tell the worlds apart, so it is measured, not used as a check.
#:
#: The benchmarked check (:data:`BENCHMARK_CHECK`) asks whether a hidden confounder as strong
#: as the strongest measured one could explain a target trial away. Over seeds 5000 to 5059
#: it fired in 45% of Up2U runs here (confidently wrong 0.400 -> 0.350) and in no Drive run
#: (0.383 unchanged): the trait is about twice as strongly tied to starting and five times as
#: strongly to reoffending (partial R2 6.1% and 7.0% for Drive) as the strongest measured
#: confounder (3.1% and 1.4%), so a benchmark at the measured strength cannot reveal it. In
#: the friendly world it fired in no Drive run and in 91% of significant Up2U runs.
UNDETECTABLE_WORLDS = ("unobserved_confounding",)

#: The benchmarked sensitivity check of the target trials (:func:`benchmark_checks`).
BENCHMARK_CHECK = "robust to a hidden confounder as strong as the strongest measured one"

#: Seeds of the study: away from the notebook's (2026) and the unit tests' (3, 11).
FIRST_SEED = 5000


def _da_crimes_between(
    offences: pd.DataFrame, person_ids: pd.Series, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """DA crimes of each person dated in (start, end]."""
    da = offences.loc[offences["da_flag"].astype(bool), ["person_id", "offence_date"]]
    windows = pd.DataFrame(
        {"row": np.arange(len(person_ids)), "person_id": person_ids.to_numpy()}
    ).assign(start=starts, end=ends)
    joined = windows.merge(da, on="person_id")
    inside = joined[
        (joined["offence_date"] > joined["start"]) & (joined["offence_date"] <= joined["end"])
    ]
    return np.bincount(inside["row"].to_numpy(), minlength=len(person_ids))


def pre_start_negative_control(estimate, outcomes: pd.DataFrame, offences: pd.DataFrame) -> float:
    """p-value of the target trial's pairs' DA crimes from identification to the (pseudo) start.

    No programme can have changed them, so participants and their matched pairs should
    differ only by chance; a trait that lowers offending from identification and raises
    the chance of starting makes participants' fewer.
    """
    pairs = estimate.details["pairs"]
    identified = outcomes.set_index("person_id")["identified_date"]
    offset = pd.to_timedelta(pairs["offset_days"], unit="D").to_numpy()
    counts = {}
    for role in ("treated", "control"):
        start = identified.loc[pairs[f"{role}_id"]].to_numpy()
        counts[role] = _da_crimes_between(offences, pairs[f"{role}_id"], start, start + offset)
    difference = counts["treated"] - counts["control"]
    spread = difference.std(ddof=1)
    if not spread > 0:
        return 1.0
    return float(2 * stats.norm.sf(abs(difference.mean() / (spread / np.sqrt(difference.size)))))


def runs_for_seed(world: str, seed: int) -> pd.DataFrame:
    """One row per studied design: interval, truth, rating and whether it was confidently wrong."""
    data = load("perpetrator_programmes", source="synthetic", seed=seed, world=world)
    evaluation = evaluate(data, Parameters())
    findings = {f.label: f for f in build_findings(evaluation)}
    rows = []
    for label, key in DESIGNS.items():
        finding = findings[label]
        truth = data.truth[key]
        est = finding.estimate
        covered = bool(est.ci_low <= truth <= est.ci_high)
        reasons = finding.rating.reasons
        control_p = (
            pre_start_negative_control(est, evaluation.outcomes, data["offences"])
            if "target trial" in label
            else None
        )
        benchmark = [c for c in finding.checks if c.name == BENCHMARK_CHECK]
        rows.append(
            {
                "world": world,
                "estimate": label,
                "seed": seed,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "truth": truth,
                "covered": covered,
                "sms_level": finding.sms_level,
                "reason_recorded": bool(reasons),
                "significant": bool(est.significant),
                "e_value_ci": finding.extra.get("e_value_ci"),
                "pre_start_control_p": control_p,
                # Whether the benchmarked check (a hidden confounder as strong as the
                # strongest measured one) lowered the finding; blank where it was not run.
                "benchmark_fires": (not benchmark[0].passed) if benchmark else None,
                "confidently_wrong": (not covered) and finding.sms_level >= 3 and not reasons,
                "wrong_at_label_rating": (not covered)
                and any(name in label for name in RATED_THREE_BY_LABEL),
            }
        )
    return pd.DataFrame(rows)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Coverage, bias, width, mean SMS and the confidently-wrong rate by world and design."""
    control_p = results["pre_start_control_p"]
    fires = control_p.lt(0.05).astype(float).where(control_p.notna())
    benchmark = results["benchmark_fires"].map({True: 1.0, False: 0.0, "True": 1.0, "False": 0.0})
    return summarise_worlds(
        results.assign(pre_start_control_fires=fires, benchmark_fires=benchmark),
        {
            "confidently_wrong": "confidently_wrong",
            "wrong_at_label_rating": "wrong_at_label_rating",
            "mean_sms": "sms_level",
            "pre_start_control_fires": "pre_start_control_fires",
            "benchmark_fires": "benchmark_fires",
        },
        width=True,
    )


def test_friendly_world_covers_and_every_world_runs():
    friendly = pd.concat([runs_for_seed("friendly", FIRST_SEED + s) for s in range(2)])
    primary = friendly[friendly["estimate"].str.contains("target trial")]
    # Four 95% intervals: all four cover about 81% of the time, three or more 99.5%.
    assert primary["covered"].sum() >= 3, primary
    assert not friendly["confidently_wrong"].any(), friendly
    # The pre-start negative control is measured for every target-trial headline.
    assert primary["pre_start_control_p"].between(0, 1).all(), primary
    # The hostile worlds run end to end and rate every studied design.
    hostile = runs_for_seed("dip_before_referral", FIRST_SEED)
    assert set(hostile["estimate"]) == set(DESIGNS)
    assert hostile["sms_level"].between(1, 5).all()


@pytest.mark.slow
def test_confidently_wrong_at_most_one_in_twenty_in_every_world():
    seeds = int(os.environ.get("WORLD_SEEDS", "20"))
    # Each run's rows are appended as they come (WORLD_RUNS names the file), so a long
    # study can be followed, and resumed runs skipped.
    runs = Path(os.environ.get("WORLD_RUNS", RESULTS.with_suffix(".runs.csv")))
    done = pd.read_csv(runs) if runs.exists() else pd.DataFrame(columns=["world", "seed"])
    for seed in range(seeds):
        for world in worlds("perpetrator_programmes"):
            if ((done["world"] == world) & (done["seed"] == FIRST_SEED + seed)).any():
                continue
            rows = runs_for_seed(world, FIRST_SEED + seed)
            rows.to_csv(runs, mode="a", header=not runs.exists(), index=False)
    results = pd.read_csv(runs)
    results = results[results["seed"] < FIRST_SEED + seeds]
    summary = summarise(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary.to_csv(RESULTS, index=False, float_format="%.6g")
    primary = summary[summary["estimate"].str.contains("target trial")]
    friendly = primary[primary["world"] == "friendly"]
    assert (friendly["coverage"] >= 0.85).all(), friendly
    detectable = primary[~primary["world"].isin(UNDETECTABLE_WORLDS)]
    assert (detectable["confidently_wrong"] <= 0.05).all(), detectable
    # Where nothing in the data can reveal the failure, every run must at least say how
    # strong an unmeasured confounder would have to be (the E-value in the report).
    hidden = results[results["world"].isin(UNDETECTABLE_WORLDS)]
    assert hidden.loc[hidden["significant"], "e_value_ci"].notna().all()
    # Every significant target trial, in every world, is set against the strongest
    # measured confounder (the benchmarked check ran and recorded its verdict).
    trials = results[results["estimate"].str.contains("target trial") & results["significant"]]
    assert trials["benchmark_fires"].notna().all()


def test_missing_covariates_world_carries_blank_ages_by_a_missing_indicator():
    from analysis.programmes.perpetrator_programmes.tables import AGE_NOT_RECORDED

    data = load("perpetrator_programmes", source="synthetic", seed=FIRST_SEED,
                world="missing_covariates")  # fmt: skip
    evaluation = evaluate(data, Parameters())
    for cohort in evaluation.cohorts.values():
        assert AGE_NOT_RECORDED in cohort.covariates
    assert evaluation.not_recorded.loc["age band", "not_recorded"] > 500
    findings = {f.label: f for f in build_findings(evaluation)}
    assert set(DESIGNS) <= set(findings)
