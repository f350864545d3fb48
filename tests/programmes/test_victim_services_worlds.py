"""Hostile worlds: how often is a victim services headline confidently wrong?

For each named world of the generator and unseen seeds, the evaluation runs as the
notebook does (:func:`evaluate`, :func:`build_findings`) and each headline design's
interval is set against the truth planted for its estimand. A finding is **confidently
wrong** when its interval excludes the truth while it keeps SMS 3 or higher with no
reason recorded (no failed check). No victim services design is rated above SMS 2, so
the study also counts the stricter **wrong and unflagged**: an interval that excludes
both the truth and no effect (a claimed effect, wrong) on a finding still rated at its
design's level with no reason recorded. The target for both: at most 1 run in 20 in any
world whose failure the data can reveal (for the stricter count, not significantly more,
since a calibrated interval's own misses come near 1 in 20), and coverage near 95% in
the friendly world.

The quick test (``make test``) runs a few seeds; the slow study (``make validate``)
writes ``benchmarks/results/coverage_worlds_victim_services.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from analysis.data import load
from analysis.evidence import sms_level
from analysis.programmes.victim_services.evaluation import Parameters, evaluate
from analysis.programmes.victim_services.findings import build_findings
from analysis.synthetic import worlds
from tests.programmes.coverage import summarise_worlds

RESULTS = (
    Path(__file__).resolve().parents[2]
    / "benchmarks"
    / "results"
    / "coverage_worlds_victim_services.csv"
)

#: The headline designs studied: finding label -> the truth key of its estimand.
DESIGNS = {
    "Next DA incident, supported against matched (hazard ratio)": "repeat_hazard_ratio",
    "Victim withdrawal, supported minus matched (points)": "withdrawal_difference_pp",
    "Charge, supported minus matched (points)": "charge_difference_pp",
    "Days from referral to first contact, step change": "first_contact_change_days",
    "Share engaged, step change (points)": "engagement_change_pp",
}

#: Worlds whose failure no check of the data can reveal: a trait the extract does not
#: hold (a safe support network) makes referral likelier and outcomes better, so balance
#: and overlap pass. Its rates are reported in the CSV, not held to the target; the
#: E-value and Rosenbaum bound are the defence, and every significant matched finding
#: must carry them.
UNDETECTABLE_WORLDS = ("unobserved_confounding",)

#: Seeds of the study: away from the notebook's (2026) and the unit tests' (3, 4, 11).
FIRST_SEED = 5000


def runs_for_seed(world: str, seed: int) -> pd.DataFrame:
    """One row per studied design: interval, truth, rating and whether it was wrong unflagged."""
    data = load("victim_services", source="synthetic", seed=seed, world=world)
    findings = {f.label: f for f in build_findings(evaluate(data, Parameters()))}
    rows = []
    for label, key in DESIGNS.items():
        finding = findings[label]
        truth = data.truth[key]
        est = finding.estimate
        covered = bool(est.ci_low <= truth <= est.ci_high)
        reasons = finding.rating.reasons
        at_design_level = finding.sms_level >= sms_level(finding.design)
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
                "rosenbaum_gamma": finding.extra.get("rosenbaum_gamma"),
                # Whether the report says, in words, what the finding rests on and how
                # strong a hidden difference would undo it (matched findings only).
                "assumption_stated": any(
                    "no unmeasured confounding" in caveat for caveat in finding.caveats
                ),
                "confidently_wrong": (not covered) and finding.sms_level >= 3 and not reasons,
                "wrong_unflagged": (not covered)
                and bool(est.significant)
                and at_design_level
                and not reasons,
            }
        )
    return pd.DataFrame(rows)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Coverage, bias, width, mean SMS and the wrong-headline rates by world and design."""
    return summarise_worlds(
        results,
        {
            "confidently_wrong": "confidently_wrong",
            "wrong_unflagged": "wrong_unflagged",
            "reason_recorded": "reason_recorded",
            "mean_sms": "sms_level",
        },
        width=True,
    )


def test_summary_counts_wrong_unflagged_runs():
    runs = pd.DataFrame(
        {
            "world": ["w"] * 4,
            "estimate": ["e"] * 4,
            "seed": [1, 2, 3, 4],
            "effect": [1.0, 2.0, 3.0, 4.0],
            "ci_low": [0.0] * 4,
            "ci_high": [5.0] * 4,
            "truth": [1.0] * 4,
            "covered": [True, False, False, True],
            "sms_level": [2, 2, 1, 2],
            "reason_recorded": [False, False, True, False],
            "confidently_wrong": [False] * 4,
            "wrong_unflagged": [False, True, False, False],
        }
    )
    row = summarise(runs).iloc[0]
    assert (row["seeds"], row["coverage"], row["wrong_unflagged"]) == (4, 0.5, 0.25)
    assert row["mean_error"] == pytest.approx(1.5)


def test_friendly_world_covers_and_every_world_runs():
    friendly = pd.concat([runs_for_seed("friendly", FIRST_SEED + s) for s in range(2)])
    # Ten 95% intervals: nine or more cover with probability about 0.91, eight or more 0.99.
    assert friendly["covered"].sum() >= 8, friendly
    assert not friendly["confidently_wrong"].any(), friendly
    # The hostile worlds run end to end and rate every studied design.
    for world in ("referral_lag", "marac_volume_change", *UNDETECTABLE_WORLDS):
        hostile = runs_for_seed(world, FIRST_SEED)
        assert set(hostile["estimate"]) == set(DESIGNS)
        assert hostile["sms_level"].between(1, 5).all()
        # Every matched design says what it rests on, whatever its rating; no other does.
        matched = hostile["estimate"].isin(list(DESIGNS)[:3])
        assert hostile.loc[matched, "assumption_stated"].all(), hostile
        assert not hostile.loc[~matched, "assumption_stated"].any(), hostile


@pytest.mark.slow
def test_wrong_headlines_at_most_one_in_twenty_in_every_world():
    seeds = int(os.environ.get("WORLD_SEEDS", "40"))
    # Each run's rows are appended as they come (WORLD_RUNS names the file), so a long
    # study can be followed, and resumed runs skipped.
    runs = Path(os.environ.get("WORLD_RUNS", RESULTS.with_suffix(".runs.csv")))
    done = pd.read_csv(runs) if runs.exists() else pd.DataFrame(columns=["world", "seed"])
    if runs.exists() and "assumption_stated" not in done.columns:
        # Rows from before the plain-words caveat was recorded cannot be mixed in.
        runs.unlink()
        done = pd.DataFrame(columns=["world", "seed"])
    for seed in range(seeds):
        for world in worlds("victim_services"):
            if ((done["world"] == world) & (done["seed"] == FIRST_SEED + seed)).any():
                continue
            rows = runs_for_seed(world, FIRST_SEED + seed)
            rows.to_csv(runs, mode="a", header=not runs.exists(), index=False)
    results = pd.read_csv(runs)
    results = results[results["seed"] < FIRST_SEED + seeds]
    summary = summarise(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary.to_csv(RESULTS, index=False, float_format="%.6g")
    friendly = summary[summary["world"] == "friendly"]
    assert (friendly["coverage"] >= 0.85).all(), friendly
    assert (summary["confidently_wrong"] <= 0.05).all(), summary
    # A calibrated 95% interval misses about 1 run in 20, and a miss usually excludes no
    # effect as well: wrong-and-unflagged runs near 1 in 20 are the interval's own error.
    # A design fails the target when its count is significantly above 1 in 20.
    detectable = summary[~summary["world"].isin(UNDETECTABLE_WORLDS)]
    above = detectable.apply(
        lambda row: (
            stats.binomtest(
                round(row["wrong_unflagged"] * row["seeds"]),
                row["seeds"],
                0.05,
                alternative="greater",
            ).pvalue
            < 0.05
        ),
        axis=1,
    )
    assert not above.any(), detectable[above]
    # Where nothing in the data can reveal the failure, every significant matched or Cox
    # run must at least say how strong an unmeasured confounder would have to be.
    hidden = results[
        results["world"].isin(UNDETECTABLE_WORLDS)
        & results["estimate"].isin(list(DESIGNS)[:3])
        & results["significant"]
    ]
    assert hidden["e_value_ci"].notna().all()
    assert hidden["assumption_stated"].all()
