"""Perpetrator programmes' designs: the paired training change and the designs' samples.

The paired difference is checked against the t interval worked out independently
(scipy); the designs' samples against what the methods were asked for.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods.paired import paired_difference
from analysis.programmes.perpetrator_programmes import designs
from analysis.results import Estimate


def test_paired_difference_matches_the_t_interval():
    rng = np.random.default_rng(4)
    before = rng.normal(50, 10, 40)
    after = before + rng.normal(5, 4, 40)
    frame = pd.DataFrame({"pre": before, "post": after})
    frame.loc[3, "post"] = np.nan
    est = paired_difference(frame, before="pre", after="post")
    diff = (after - before)[np.arange(40) != 3]
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size)
    assert est.effect == pytest.approx(diff.mean())
    assert (est.ci_low, est.ci_high) == pytest.approx((diff.mean() - half, diff.mean() + half))
    assert est.n == 39 and est.diagnostics["n_incomplete"] == 1
    assert any("lack one" in w for w in est.warnings)


def test_paired_difference_errors():
    with pytest.raises(EstimationError, match="fewer than two"):
        paired_difference(pd.DataFrame({"x": [1.0], "y": [2.0]}), before="x", after="y")
    with pytest.raises(ConfigError, match="not in the data"):
        paired_difference(pd.DataFrame({"x": [1.0]}), before="x", after="z")
    with pytest.raises(EstimationError, match="same amount"):
        paired_difference(
            pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 3.0, 4.0]}), before="x", after="y"
        )


def test_training_change_is_the_paired_difference_relabelled():
    scores = pd.DataFrame({"score_before": [50.0, 60.0, 55.0], "score_after": [58.0, 61.0, 65.0]})
    est = designs.training_change(scores)
    assert est.effect == pytest.approx(19 / 3)
    assert est.outcome == "knowledge score"
    assert est.estimand.startswith("mean change in practitioners' knowledge score")


def test_designs_share_the_matched_sample(evaluation):
    for name in evaluation.programmes:
        reoffending = evaluation.reoffending[name]
        matched = reoffending.matched.details["matched"]
        # 1:1 without replacement: as many comparison people as participants.
        assert (matched["treated"] == 1).sum() == (matched["treated"] == 0).sum()
        # The harm panel holds exactly the matched people, four quarters either side.
        panel = evaluation.panels[name]
        assert set(panel["person_id"]) == set(matched["person_id"])
        assert panel.groupby("person_id").size().eq(8).all()
        # Survival matches everyone with follow-up, recent starters included.
        survival = evaluation.survival[name].sample
        assert len(survival) >= len(matched)
        assert evaluation.survival[name].hazard_ratio.scale == "hazard ratio"
        labels = [label for label, _ in reoffending.as_rows()]
        assert labels[2] == "Propensity-matched"


def test_before_after_is_the_participants_paired_change():
    panel = pd.DataFrame(
        {
            "person_id": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
            "treated": [1] * 8 + [0] * 4,
            "post": [0, 0, 1, 1] * 3,
            "harm": [4.0, 6.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0, 9.0, 9.0, 0.0, 0.0],
        }
    )
    est = designs.before_after(panel, outcome="harm", label="harm")
    # a: 5 -> 1 (-4); b: 2 -> 4 (+2); c is comparison and left out.
    assert est.effect == pytest.approx(-1.0)
    assert est.n == 2
    assert "participants only" in est.estimand


def test_target_trial_pairs_start_at_the_same_time_since_identification(evaluation):
    data = evaluation.data
    outcomes = evaluation.outcomes.set_index("person_id")
    trial = evaluation.target_trial["Drive"]
    pairs = trial.details["pairs"]
    assert trial.diagnostics["n_pairs"] == len(pairs) == trial.n
    assert pairs["control_id"].is_unique and pairs["treated_id"].is_unique
    treated = outcomes.loc[pairs["treated_id"]]
    controls = outcomes.loc[pairs["control_id"]]
    offset = (treated["start_date"] - treated["identified_date"]).dt.days.to_numpy()
    assert (offset == pairs["offset_days"].to_numpy()).all()
    assert controls["programme"].eq("none").all() and controls["dash_risk"].eq("high").all()
    # Every comparison can be followed for the whole window from its pseudo start.
    pseudo_end = controls["identified_date"].to_numpy() + pd.to_timedelta(offset + 365, unit="D")
    assert (pseudo_end <= data.extract_date).all()
    # The treated outcome is the 12-month reoffending the cohort already records.
    assert (pairs["treated_outcome"].to_numpy() == treated["reoffended"].to_numpy()).all()
    assert trial.effect == pytest.approx(
        100 * (pairs["treated_outcome"].mean() - pairs["control_outcome"].mean())
    )
    itt = evaluation.intention_to_treat["Drive"]
    assert itt.diagnostics["n_pairs"] > trial.diagnostics["n_pairs"]  # non-starters kept


def test_target_trial_comparison_window_is_counted_from_the_pseudo_start():
    people = pd.DataFrame(
        {
            "person_id": ["t", "c"],
            "programme": ["Drive", "none"],
            "started": [True, False],
            "dash_risk": ["high", "high"],
            "identified_date": pd.to_datetime(["2023-01-01", "2023-01-01"]),
            "start_date": pd.to_datetime(["2023-03-02", None]),
            "referral_date": pd.to_datetime(["2023-02-01", None]),
            "x": [1.0, 1.0],
        }
    )
    # The comparison's crime falls 30 days after identification: before its pseudo start
    # (59 days, the participant's), so it does not count.
    offences = pd.DataFrame(
        {
            "person_id": ["c", "t"],
            "offence_date": pd.to_datetime(["2023-01-31", "2023-06-01"]),
            "da_flag": [True, True],
        }
    )
    windows = designs._first_da_within(
        offences,
        pd.Series(["t", "c"]),
        pd.Series(pd.to_datetime(["2023-03-02", "2023-03-02"])),
        365,
    )
    assert windows.tolist() == [1.0, 0.0]
    with pytest.raises(ConfigError, match="index must be one of"):
        designs.target_trial_reoffending(
            people,
            offences,
            "Drive",
            covariates=["x"],
            risk_levels=("high",),
            extract_date=pd.Timestamp("2025-01-01"),
            index="completion",
        )
    with pytest.raises(EstimationError, match="no Up2U participants"):
        designs.target_trial_reoffending(
            people,
            offences,
            "Up2U",
            covariates=["x"],
            risk_levels=("high",),
            extract_date=pd.Timestamp("2025-01-01"),
        )


def test_pre_referral_trend_finds_a_planted_spike():
    rng = np.random.default_rng(2)
    n = 300
    ids = [f"p{i}" for i in range(2 * n)]
    outcomes = pd.DataFrame({"person_id": ids, "identified_date": pd.Timestamp("2024-01-01")})
    rows = []
    for i, person in enumerate(ids):
        days = rng.integers(1, 731, rng.poisson(4))
        if i < n:  # participants: two extra crimes in the 120 days before
            days = np.concatenate([days, rng.integers(1, 121, 2)])
        rows += [(person, pd.Timestamp("2024-01-01") - pd.Timedelta(days=int(d))) for d in days]
    offences = pd.DataFrame(rows, columns=["person_id", "offence_date"]).assign(da_flag=True)
    pairs = pd.DataFrame({"treated_id": ids[:n], "control_id": ids[n:]})
    spike = designs.pre_referral_trend(pairs, outcomes, offences)
    assert spike.effect == pytest.approx(2.0, abs=0.35) and spike.significant
    null = designs.pre_referral_trend(
        pd.DataFrame({"treated_id": ids[n:][: n // 2], "control_id": ids[n:][n // 2 :]}),
        outcomes,
        offences,
    )
    assert abs(null.effect) < 0.35


def test_training_bounds_hold_the_complete_case_change_and_every_truth(evaluation):
    low, high = evaluation.training_bounds
    assert low <= evaluation.training.effect <= high
    scores = evaluation.data["training_scores"]
    assert high - low == pytest.approx(100 * scores["score_after"].isna().mean())


def _trial_with_pairs(pairs: pd.DataFrame) -> Estimate:
    return Estimate(effect=0.0, se=1.0, ci_low=-2.0, ci_high=2.0, p_value=1.0, n=len(pairs),
                    scale="percentage points", method="target trial", estimand="ATT",
                    details={"pairs": pairs})  # fmt: skip


def test_trial_by_group_is_the_paired_difference_within_each_group():
    rng = np.random.default_rng(4)
    n = 200
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "sex": ["male"] * 120 + ["female"] * 70 + ["not stated"] * 5 + [None] * 5,
        }
    )
    pairs = pd.DataFrame(
        {
            "treated_id": people["person_id"],
            "control_id": [f"c{i}" for i in range(n)],
            "treated_outcome": (rng.random(n) < 0.3).astype(int),
            "control_outcome": (rng.random(n) < 0.45).astype(int),
        }
    )
    table = designs.trial_by_group(_trial_with_pairs(pairs), people, by="sex", min_count=10)
    assert list(table.index) == ["female", "male", "not recorded"]
    for group, rows in (("male", slice(0, 120)), ("female", slice(120, 190))):
        within = pairs.iloc[rows]
        reference = paired_difference(
            within.assign(t=100 * within["treated_outcome"], c=100 * within["control_outcome"]),
            before="c",
            after="t",
        )
        assert table.loc[group, "effect"] == pytest.approx(reference.effect)
        assert table.loc[group, "ci_low"] == pytest.approx(reference.ci_low)
        assert table.loc[group, "p_value"] == pytest.approx(reference.p_value)
        assert table.loc[group, "pairs"] == len(within)
    # "not stated" and blank are one group of 10 pairs, too few reoffenders to estimate.
    assert table.loc["not recorded", "pairs"] == 10
    assert table.loc["not recorded", "note"].startswith("suppressed")
    assert math.isnan(table.loc["not recorded", "effect"])
    # Cochran's Q over the two groups estimated.
    est = table.loc[["female", "male"]]
    se = (est["ci_high"] - est["effect"]) / stats.t.ppf(0.975, est["pairs"] - 1)
    weights = 1 / se**2
    pooled = (weights * est["effect"]).sum() / weights.sum()
    q = (weights * (est["effect"] - pooled) ** 2).sum()
    assert table.attrs["heterogeneity_p_value"] == pytest.approx(stats.chi2.sf(q, 1))


def test_trial_by_group_needs_the_column_and_tests_only_with_two_groups():
    pairs = pd.DataFrame({"treated_id": ["a", "b"], "control_id": ["x", "y"],
                          "treated_outcome": [1, 0], "control_outcome": [0, 1]})  # fmt: skip
    people = pd.DataFrame({"person_id": ["a", "b"], "sex": ["male", "male"]})
    with pytest.raises(ConfigError, match="optional columns of people"):
        designs.trial_by_group(_trial_with_pairs(pairs), people, by="ethnicity")
    table = designs.trial_by_group(_trial_with_pairs(pairs), people, by="sex")
    assert table.attrs["heterogeneity_p_value"] is None
    assert table.loc["male", "note"].startswith("suppressed")


def test_confounder_benchmarks_are_the_unmatched_cohort_regression(evaluation):
    from analysis.methods.sensitivity import omitted_variable_bias, omitted_variable_bounds

    for name, cohort in evaluation.cohorts.items():
        table = evaluation.confounder_benchmarks[name]
        # Strongest first, one row per covariate, all at once the benchmark's strength.
        assert sorted(table["benchmark"]) == sorted(cohort.covariates)
        assert table["bias"].is_monotonic_decreasing
        assert (table["kd"] == 1).all() and (table["ky"] == 1).all()
        # Read before matching: the regression over the whole complete-window cohort.
        direct = omitted_variable_bounds(
            cohort.complete,
            outcome="reoffended_pct",
            treatment="treated",
            covariates=cohort.covariates,
        ).set_index("benchmark")
        strongest = table.iloc[0]
        assert strongest["bias"] == pytest.approx(direct["bias"].max())
        assert table.attrs["dof"] == len(cohort.complete) - len(cohort.covariates) - 2
        assert strongest["bias"] == pytest.approx(
            omitted_variable_bias(
                table.attrs["se"], table.attrs["dof"], strongest["r2dz_x"], strongest["r2yz_dx"]
            )
        )
