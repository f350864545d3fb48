"""The discontinuity's density (sorting) test: its size under smooth densities, and rddensity.

McCrary's (2008) local-linear version at his rule-of-thumb bandwidth rejected in 12.5% of
40 synthetic Operation Focus worlds with no sorting (the suspects' harm scores are skewed:
a few very high scores stretched the bandwidth over the curved bulk of the density, whose
curvature then read as a jump). The local quadratic fit (a robust bias correction) at one
and a half times Silverman's bandwidth rejected there in 5% of 140 worlds (seeds 5000 to
5139; rddensity 3.6%); at 1 and 2 times, 4.3% and 7.9%. These tests hold its size near 5%
under smooth densities and its estimate of the jump to rddensity's (Cattaneo, Jansson and
Ma 2020, test-only dependency) on public data.
"""

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import EstimationError
from analysis.methods.rdd import _boundary_variance_constant, _density_test

ALPHA = 0.05


def _rejection_rate(draw, cutoff: float, simulations: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    rejections = sum(
        _density_test(draw(rng), cutoff)["density_p_value"] < ALPHA for _ in range(simulations)
    )
    return rejections / simulations


def test_variance_constants_are_the_known_ones():
    # McCrary's 24/5 for local linear; 72/7 for local quadratic (equivalent kernel).
    assert _boundary_variance_constant(1) == pytest.approx(24 / 5, rel=1e-6)
    assert _boundary_variance_constant(2) == pytest.approx(72 / 7, rel=1e-6)


def test_size_under_a_smooth_density_quick():
    rate = _rejection_rate(lambda rng: rng.normal(0, 1, 1000), 0.3, 100, seed=3)
    # 100 tests at 5%: 12 or more rejections has probability under 0.3%.
    assert rate <= 0.11, rate


@pytest.mark.slow
def test_size_near_five_percent_over_500_simulations():
    # Measured: normal n=2000 5.0%, uniform n=1000 4.8%, normal n=500 4.0% (seed 20261206).
    # 500 tests at 5%: a binomial SD of 1 point, so 2.5% to 7.5% is within 2.5 SD.
    for draw, cutoff in (
        (lambda rng: rng.normal(0, 1, 2000), 0.3),
        (lambda rng: rng.uniform(0, 1, 1000), 0.5),
    ):
        rate = _rejection_rate(draw, cutoff, 500, seed=20261206)
        assert 0.025 <= rate <= 0.075, rate


def test_detects_planted_sorting():
    rng = np.random.default_rng(5)
    score = rng.normal(0, 1, 20_000)
    # A third of those just below the cutoff push themselves just above it.
    moved = (score > 0.1) & (score < 0.3) & (rng.random(score.size) < 1 / 3)
    score[moved] = 0.6 - score[moved]
    assert _density_test(score, 0.3)["density_p_value"] < 0.001


def test_a_score_that_does_not_vary_is_refused():
    with pytest.raises(EstimationError, match="does not vary"):
        _density_test(np.full(100, 3.0), 3.0)


@pytest.fixture(scope="module")
def senate_margin() -> np.ndarray:
    rdrobust = pytest.importorskip("rdrobust")
    path = Path(rdrobust.__file__).parent / "data" / "rdrobust_RDsenate.csv"
    return pd.read_csv(path).dropna(subset=["margin", "vote"])["margin"].to_numpy(float)


def _reference_log_ratio(running: np.ndarray, cutoff: float) -> float:
    rddensity = pytest.importorskip("rddensity").rddensity
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rddensity warns about its plotting defaults
        fit = rddensity(X=running, c=cutoff)
    return math.log(fit.hat["right"] / fit.hat["left"])


def test_jump_agrees_with_rddensity_on_senate_elections(senate_margin):
    # Without sorting (US Senate vote margins) and with sorting planted: three in five
    # races lost by under 10 points pushed just over the line. The two estimators use
    # different bandwidths, so they agree within our standard error: measured 0.07 against
    # -0.18 (SE 0.30) and 1.63 against 1.57 (SE 0.34).
    rng = np.random.default_rng(7)
    moved = senate_margin.copy()
    lost_narrowly = (moved < 0) & (moved > -10) & (rng.random(moved.size) < 0.6)
    moved[lost_narrowly] = -0.5 * moved[lost_narrowly]
    for margin, sorted_ in ((senate_margin, False), (moved, True)):
        ours = _density_test(margin, 0.0)
        reference = _reference_log_ratio(margin, 0.0)
        assert abs(ours["density_log_difference"] - reference) < ours["density_se"]
        assert (ours["density_p_value"] < ALPHA) is sorted_
