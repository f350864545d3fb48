"""Regression discontinuity against rdrobust (test-only reference) on the US Senate data
it ships, plus planted-effect coverage and the density test's size and power; the fuzzy
design against rdrobust's fuzzy estimate and its test-inversion interval."""

from __future__ import annotations

import contextlib
import io
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from rdrobust import rdrobust

from analysis.errors import ConfigError, DataValidationError, EstimationError
from analysis.methods.rdd import fuzzy_rdd, rdd

KERNELS = ["triangular", "uniform", "epanechnikov"]


def _reference(y: np.ndarray, x: np.ndarray, **kwargs):
    """rdrobust, silencing its console notes and warnings."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rdrobust(y, x, **kwargs)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("polynomial", [1, 2])
def test_fixed_bandwidth_matches_rdrobust(senate, kernel, polynomial):
    ref = _reference(
        senate["vote"].to_numpy(), senate["margin"].to_numpy(), h=17.75, kernel=kernel, p=polynomial
    )
    est = rdd(
        senate,
        outcome="vote",
        running="margin",
        bandwidth=17.75,
        kernel=kernel,
        polynomial=polynomial,
    )
    # Same bandwidth, same estimator: agreement to rounding (observed ~1e-12).
    assert est.effect == pytest.approx(ref.coef.iloc[0, 0], abs=1e-8)
    assert est.se == pytest.approx(ref.se.iloc[0, 0], abs=1e-8)
    assert est.diagnostics["bias_corrected_effect"] == pytest.approx(ref.coef.iloc[1, 0], abs=1e-8)
    assert est.diagnostics["robust_se"] == pytest.approx(ref.se.iloc[2, 0], abs=1e-8)
    assert est.ci_low == pytest.approx(ref.ci.iloc[2, 0], abs=1e-7)
    assert est.ci_high == pytest.approx(ref.ci.iloc[2, 1], abs=1e-7)
    assert est.p_value == pytest.approx(ref.pv.iloc[2, 0], rel=1e-6)


@pytest.mark.parametrize("kernel", KERNELS)
def test_mserd_bandwidth_matches_rdrobust(senate, kernel):
    ref = _reference(senate["vote"].to_numpy(), senate["margin"].to_numpy(), kernel=kernel)
    est = rdd(senate, outcome="vote", running="margin", kernel=kernel)
    assert est.diagnostics["bandwidth"] == pytest.approx(ref.bws.iloc[0, 0], rel=1e-8)
    assert est.diagnostics["bandwidth_bias"] == pytest.approx(ref.bws.iloc[1, 0], rel=1e-8)
    assert est.effect == pytest.approx(ref.coef.iloc[0, 0], abs=1e-8)
    assert est.diagnostics["robust_se"] == pytest.approx(ref.se.iloc[2, 0], rel=1e-7)


def test_clustered_variance_matches_rdrobust(senate):
    ref = _reference(
        senate["vote"].to_numpy(), senate["margin"].to_numpy(), cluster=senate["state"].to_numpy()
    )
    est = rdd(senate, outcome="vote", running="margin", cluster="state")
    assert est.diagnostics["bandwidth"] == pytest.approx(ref.bws.iloc[0, 0], rel=1e-8)
    assert est.se == pytest.approx(ref.se.iloc[0, 0], rel=1e-8)
    assert est.diagnostics["robust_se"] == pytest.approx(ref.se.iloc[2, 0], rel=1e-8)


def test_discrete_running_variable_matches_rdrobust_mass_point_rule():
    # Simulated (no public discrete-score data set ships with the references).
    rng = np.random.default_rng(1)
    score = rng.integers(-30, 31, 3000).astype(float)
    frame = pd.DataFrame(
        {"score": score, "y": 0.05 * score + 1.0 * (score >= 0) + rng.normal(size=3000)}
    )
    ref = _reference(frame["y"].to_numpy(), frame["score"].to_numpy())
    est = rdd(frame, outcome="y", running="score")
    assert est.diagnostics["bandwidth"] == pytest.approx(ref.bws.iloc[0, 0], rel=1e-8)
    assert est.diagnostics["bandwidth_bias"] == pytest.approx(ref.bws.iloc[1, 0], rel=1e-8)
    assert est.se == pytest.approx(ref.se.iloc[0, 0], rel=1e-8)
    # Bins as wide as the spacing of the scores: no spurious density jump.
    assert est.diagnostics["density_p_value"] > 0.01


def test_details_for_plots(senate):
    est = rdd(senate, outcome="vote", running="margin", cutoff=0.0)
    bins, fit = est.details["bins"], est.details["fit"]
    assert list(bins.columns) == ["x", "y", "n", "side"]
    assert bins["n"].sum() == len(senate)
    assert set(bins["side"]) == {"below", "above"}
    assert (bins.loc[bins["side"] == "below", "x"] < 0).all()
    assert list(fit.columns) == ["x", "fitted", "side"]
    at_cutoff = fit[fit["x"] == 0.0].set_index("side")["fitted"]
    assert at_cutoff["above"] - at_cutoff["below"] == pytest.approx(est.effect)
    assert est.details["cutoff"] == 0.0
    assert 0 <= est.diagnostics["density_p_value"] <= 1
    assert est.scale == "difference"


def test_cutoff_shift_is_equivariant(senate):
    shifted = senate.assign(margin=senate["margin"] + 50)
    base = rdd(senate, outcome="vote", running="margin", bandwidth=20.0)
    moved = rdd(shifted, outcome="vote", running="margin", cutoff=50.0, bandwidth=20.0)
    assert moved.effect == pytest.approx(base.effect, abs=1e-8)
    assert moved.se == pytest.approx(base.se, abs=1e-8)


def test_edge_cases_raise_clear_errors(senate):
    with pytest.raises(EstimationError, match="outside the range"):
        rdd(senate, outcome="vote", running="margin", cutoff=500.0)
    with pytest.raises(EstimationError, match="too few observations"):
        rdd(senate, outcome="vote", running="margin", bandwidth=0.05)
    with pytest.raises(ConfigError, match="kernel"):
        rdd(senate, outcome="vote", running="margin", kernel="gaussian")
    with pytest.raises(ConfigError, match="bandwidth"):
        rdd(senate, outcome="vote", running="margin", bandwidth=-1.0)
    gaps = senate.copy()
    gaps.loc[[0, 5], "vote"] = np.nan
    with pytest.raises(DataValidationError, match=r"'vote'.*2 missing.*rows 2, 7"):
        rdd(gaps, outcome="vote", running="margin")


def _simulate(seed: int, n: int = 1000, jump: float = 0.5) -> pd.DataFrame:
    """Lee (2008)-style cubic regression function with a planted jump at 0."""
    rng = np.random.default_rng(seed)
    score = 2 * rng.beta(2, 4, n) - 1
    outcome = (
        0.48 + 1.27 * score + 7.18 * score**2 + 20.21 * score**3 + jump * (score >= 0)
    ) + rng.normal(0, 0.259, n)
    return pd.DataFrame({"score": score, "y": outcome})


def _coverage(reps: int, n: int) -> dict[str, float]:
    robust = conventional = 0
    errors, ses = [], []
    for seed in range(reps):
        est = rdd(_simulate(seed, n), outcome="y", running="score")
        robust += est.ci_low <= 0.5 <= est.ci_high
        conventional += (
            est.diagnostics["conventional_ci_low"] <= 0.5 <= est.diagnostics["conventional_ci_high"]
        )
        errors.append(est.effect - 0.5)
        ses.append(est.diagnostics["robust_se"])
    return {
        "coverage": robust / reps,
        "conventional": conventional / reps,
        "mean_bias": float(np.mean(errors)),
        "sd_estimate": float(np.std(errors)),
        "mean_se": float(np.mean(ses)),
    }


def test_planted_jump_coverage_quick():
    result = _coverage(100, 1000)
    # 100 replications: 95% coverage has a binomial SD of about 2 points.
    assert 0.88 <= result["coverage"] <= 1.0
    assert abs(result["mean_bias"]) < 0.05


def _density_sample(seed: int, n: int, keep_below: float) -> pd.DataFrame:
    """Normal scores; a share of those below 0 removed (manipulation) when keep_below < 1."""
    rng = np.random.default_rng(seed)
    score = rng.normal(size=int(n / keep_below) + n)
    score = score[(score >= 0) | (rng.random(score.size) < keep_below)][:n]
    return pd.DataFrame({"score": score, "y": score + rng.normal(size=score.size)})


def test_density_test_size_and_power():
    rejections = sum(
        rdd(
            _density_sample(seed, 1500, 1.0), outcome="y", running="score", bandwidth=0.8
        ).diagnostics["density_p_value"]
        < 0.05
        for seed in range(60)
    )
    assert rejections <= 8  # nominal 5%: 3 expected out of 60
    manipulated = rdd(
        _density_sample(1, 20_000, 2 / 3), outcome="y", running="score", bandwidth=0.5
    )
    theta = manipulated.diagnostics["density_log_difference"]
    # Planted log ratio of the densities at the cutoff: log(1 / (2/3)).
    assert abs(theta - math.log(1.5)) < 3 * manipulated.diagnostics["density_se"]
    assert manipulated.diagnostics["density_p_value"] < 0.001
    assert any("density test" in w for w in manipulated.warnings)


@pytest.mark.slow
def test_coverage_study_rdd(record_coverage):
    start = time.perf_counter()
    result = _coverage(1000, 1000)
    conventional = result.pop("conventional")
    record_coverage(
        estimator="rdd (robust bias-corrected)",
        design="n=1000, Lee-style cubic, jump 0.5, mserd bandwidth, triangular, p=1",
        replications=1000,
        truth=0.5,
        seconds=time.perf_counter() - start,
        **result,
    )
    record_coverage(
        estimator="rdd (conventional interval, for comparison)",
        design="n=1000, Lee-style cubic, jump 0.5, mserd bandwidth, triangular, p=1",
        replications=1000,
        coverage=conventional,
        truth=0.5,
    )
    assert 0.93 <= result["coverage"] <= 0.97


# --------------------------------------------------------------------------- fuzzy
@pytest.fixture(scope="module")
def fuzzy_frame():
    rng = np.random.default_rng(4)
    n = 3000
    score = rng.uniform(-1, 1, n)
    treated = (rng.random(n) < np.where(score >= 0, 0.8, 0.1)).astype(int)
    outcome = 0.3 * score + 0.5 * treated + rng.normal(0, 0.3, n)
    return pd.DataFrame({"score": score, "d": treated, "y": outcome})


def test_fuzzy_rdd_matches_rdrobust(fuzzy_frame):
    rdrobust = pytest.importorskip("rdrobust").rdrobust
    est = fuzzy_rdd(
        fuzzy_frame, outcome="y", treatment="d", running="score", cutoff=0, bandwidth=0.4
    )
    reference = rdrobust(
        fuzzy_frame["y"].to_numpy(),
        fuzzy_frame["score"].to_numpy(),
        c=0,
        fuzzy=fuzzy_frame["d"].to_numpy(),
        h=0.4,
        b=0.4,
        kernel="triangular",
        vce="nn",
    )
    assert est.effect == pytest.approx(reference.coef.iloc[0, 0], abs=1e-6)
    assert est.se == pytest.approx(reference.se.iloc[0, 0], abs=1e-6)


def test_fuzzy_rdd_interval_is_the_test_inversion(fuzzy_frame):
    est = fuzzy_rdd(
        fuzzy_frame, outcome="y", treatment="d", running="score", cutoff=0, bandwidth=0.4
    )
    # At each end of the interval the robust test of "no jump in y - b * d" has p = 0.05.
    for bound in (est.ci_low, est.ci_high):
        shifted = fuzzy_frame.assign(net=fuzzy_frame["y"] - bound * fuzzy_frame["d"])
        jump = rdd(shifted, outcome="net", running="score", cutoff=0, bandwidth=0.4)
        assert jump.p_value == pytest.approx(0.05, abs=1e-6)
    inside = fuzzy_frame.assign(net=fuzzy_frame["y"] - est.effect * fuzzy_frame["d"])
    assert rdd(inside, outcome="net", running="score", cutoff=0, bandwidth=0.4).p_value > 0.05
    assert est.ci_low < 0.5 < est.ci_high


def test_fuzzy_rdd_refuses_an_unbounded_interval():
    rng = np.random.default_rng(8)
    score = rng.uniform(-1, 1, 400)
    frame = pd.DataFrame(
        {"score": score, "d": (rng.random(400) < 0.5).astype(int), "y": rng.normal(size=400)}
    )
    with pytest.raises(EstimationError, match="unbounded"):
        fuzzy_rdd(frame, outcome="y", treatment="d", running="score", cutoff=0)


def _simulate_fuzzy(seed: int, n: int = 2000, effect: float = 0.5) -> pd.DataFrame:
    """Crossing 0 raises the chance of treatment from 10% to 80%; treatment adds ``effect``."""
    rng = np.random.default_rng(seed)
    score = rng.uniform(-1, 1, n)
    treated = (rng.random(n) < np.where(score >= 0, 0.8, 0.1)).astype(int)
    outcome = 0.3 * score + 0.4 * score**2 + effect * treated + rng.normal(0, 0.3, n)
    return pd.DataFrame({"score": score, "d": treated, "y": outcome})


def _fuzzy_coverage(reps: int) -> dict[str, float]:
    covered, errors = 0, []
    for seed in range(reps):
        est = fuzzy_rdd(
            _simulate_fuzzy(seed), outcome="y", treatment="d", running="score", cutoff=0
        )
        covered += est.ci_low <= 0.5 <= est.ci_high
        errors.append(est.effect - 0.5)
    return {
        "coverage": covered / reps,
        "median_bias": float(np.median(errors)),
        "sd_estimate": float(np.std(errors)),
    }


def test_fuzzy_planted_effect_coverage_quick():
    result = _fuzzy_coverage(200)
    # 200 replications: 95% coverage has a binomial SD of about 1.5 points.
    assert 0.90 <= result["coverage"] <= 0.99
    # A ratio estimator: its median, not its mean, is the stable summary of bias.
    assert abs(result["median_bias"]) < 0.05


@pytest.mark.slow
def test_coverage_study_fuzzy_rdd(record_coverage):
    start = time.perf_counter()
    result = _fuzzy_coverage(1000)
    record_coverage(
        estimator="fuzzy_rdd (test-inversion interval)",
        design="n=2000, uniform score, quadratic, take-up 10% -> 80%, effect 0.5, mserd bandwidth",
        replications=1000,
        truth=0.5,
        seconds=time.perf_counter() - start,
        coverage=result["coverage"],
        sd_estimate=result["sd_estimate"],
    )
    assert 0.93 <= result["coverage"] <= 0.97
