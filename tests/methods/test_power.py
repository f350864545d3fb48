"""Tests for analysis.methods.power: each minimum detectable effect has about 80% power."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from analysis.errors import ConfigError, EstimationError
from analysis.methods.did import did
from analysis.methods.its import its
from analysis.methods.power import mde_from_standard_error, minimum_detectable_effect
from tests.methods.coverage_study import ar1

Z = stats.norm.ppf(0.975)


# ----------------------------------------------------------------- proportions
@pytest.mark.parametrize("direction", ["increase", "decrease"])
def test_arcsine_proportions_match_statsmodels(direction):
    mde = minimum_detectable_effect(
        "proportions", n1=120, n0=400, baseline=0.2, method="arcsine", direction=direction
    )
    p1 = 0.2 + mde if direction == "increase" else 0.2 - mde
    h = abs(proportion_effectsize(p1, 0.2))
    reference_h = NormalIndPower().solve_power(nobs1=120, ratio=400 / 120, alpha=0.05, power=0.8)
    assert h == pytest.approx(reference_h, rel=1e-6)


def test_wald_proportions_have_nominal_power_in_statsmodels_and_simulation():
    n1, n0, p0 = 120, 400, 0.2
    mde = minimum_detectable_effect("proportions", n1=n1, n0=n0, baseline=p0, direction="increase")
    p1 = p0 + mde
    sd = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    # statsmodels' power engine, with the effect standardised by the Wald test's sd.
    standardised = mde / sd * np.sqrt(1 / n1 + 1 / n0)
    power = NormalIndPower().power(standardised, nobs1=n1, alpha=0.05, ratio=n0 / n1)
    assert power == pytest.approx(0.8, abs=1e-6)
    # Simulation of the unpooled Wald z test at the minimum detectable effect.
    rng = np.random.default_rng(0)
    x1, x0 = rng.binomial(n1, p1, 20_000) / n1, rng.binomial(n0, p0, 20_000) / n0
    se = np.sqrt(x1 * (1 - x1) / n1 + x0 * (1 - x0) / n0)
    rejected = np.abs(x1 - x0) / se > Z
    assert rejected.mean() == pytest.approx(0.8, abs=0.02)


def test_either_direction_is_the_larger():
    both = [
        minimum_detectable_effect("proportions", n1=80, n0=80, baseline=0.3, direction=d)
        for d in ("increase", "decrease", "either")
    ]
    assert both[2] == max(both[:2]) and both[0] != both[1]


# ----------------------------------------------------------------- rates
@pytest.mark.parametrize(
    ("rate", "exposure1", "exposure0", "tolerance"),
    [(0.4, 3000.0, 9000.0, 0.015), (0.4, 300.0, 900.0, 0.04)],
)
def test_rate_ratio_has_nominal_power_by_simulation(rate, exposure1, exposure0, tolerance):
    """Close to 80% with many events; a little above it (conservative) with about 90."""
    rr = minimum_detectable_effect(
        "rates", baseline_rate=rate, exposure1=exposure1, exposure0=exposure0
    )
    assert rr < 1
    rng = np.random.default_rng(1)
    events1 = rng.poisson(rr * rate * exposure1, 20_000)
    events0 = rng.poisson(rate * exposure0, 20_000)
    log_rr = np.log(events1 / exposure1) - np.log(events0 / exposure0)
    rejected = np.abs(log_rr) / np.sqrt(1 / events1 + 1 / events0) > Z
    assert rejected.mean() == pytest.approx(0.8, abs=tolerance)
    increase = minimum_detectable_effect(
        "rates", baseline_rate=rate, exposure1=exposure1, exposure0=exposure0, direction="increase"
    )
    assert increase > 1


# ----------------------------------------------------------------- difference-in-differences
def test_did_mde_matches_textbook_formula_without_serial_correlation():
    # Independent errors: Var = sd^2 (1/J1 + 1/J0)(1/m + 1/r) (Bloom 1995).
    mde = minimum_detectable_effect(
        "did", n_treated=20, n_control=40, periods_pre=6, periods_post=6, sd=3.0
    )
    multiplier = stats.t.ppf(0.975, 58) + stats.t.ppf(0.8, 58)
    assert mde == pytest.approx(multiplier * 3.0 * np.sqrt((1 / 20 + 1 / 40) * (2 / 6)), rel=1e-10)
    # A persistent unit effect is absorbed: icc lowers the idiosyncratic variance only.
    with_icc = minimum_detectable_effect(
        "clustered", n_treated=20, n_control=40, periods_pre=6, periods_post=6, sd=3.0, icc=0.75
    )
    assert with_icc == pytest.approx(mde / 2, rel=1e-10)


def test_did_mde_has_nominal_power_with_ar1_errors():
    n_units, m, r, rho, sd = 40, 6, 6, 0.6, 1.0
    mde = minimum_detectable_effect(
        "did",
        n_treated=20,
        n_control=20,
        periods_pre=m,
        periods_post=r,
        sd=sd,
        serial_correlation=rho,
    )
    unit = np.repeat(np.arange(n_units), m + r)
    period = np.tile(np.arange(m + r), n_units)
    treated = ((unit < 20) & (period >= m)).astype(int)
    rejections = []
    for seed in range(150):
        rng = np.random.default_rng(seed)
        y = (
            mde * treated
            + rng.normal(size=n_units)[unit]
            + sd * ar1(rng, n_units, m + r, rho).ravel()
        )
        data = pd.DataFrame({"unit": unit, "period": period, "treated": treated, "y": y})
        est = did(data, outcome="y", treatment="treated", unit="unit", time="period")
        rejections.append(est.p_value < 0.05)
    assert np.mean(rejections) == pytest.approx(0.8, abs=0.09)


# ----------------------------------------------------------------- interrupted time series
def test_its_mde_has_nominal_power_by_simulation():
    n_pre, n_post, baseline = 30, 12, 25.0
    rr = minimum_detectable_effect(
        "its", n_pre=n_pre, n_post=n_post, baseline=baseline, harmonics=1
    )
    months = pd.date_range("2020-01-01", periods=n_pre + n_post, freq="MS")
    mean = baseline * np.where(np.arange(n_pre + n_post) >= n_pre, rr, 1.0)
    rejections = []
    for seed in range(120):
        counts = np.random.default_rng(seed).poisson(mean)
        est = its(
            pd.DataFrame({"month": months, "count": counts}),
            outcome="count",
            time="month",
            intervention=months[n_pre],
            family="poisson",
            harmonics=1,
        )
        rejections.append(est.p_value < 0.05)
    assert np.mean(rejections) == pytest.approx(0.8, abs=0.1)


# ----------------------------------------------------------------- arguments
def test_bad_arguments_are_config_errors():
    with pytest.raises(ConfigError, match="design must be one of"):
        minimum_detectable_effect("anova", n=10)
    with pytest.raises(ConfigError, match="missing a required argument: 'baseline'"):
        minimum_detectable_effect("proportions", n1=10, n0=10)
    with pytest.raises(ConfigError, match="unexpected keyword argument 'clusters'"):
        minimum_detectable_effect("proportions", n1=10, n0=10, baseline=0.1, clusters=4)
    with pytest.raises(ConfigError, match="direction"):
        minimum_detectable_effect(
            "rates", baseline_rate=1, exposure1=1, exposure0=1, direction="either"
        )
    with pytest.raises(ConfigError, match="baseline must be a proportion"):
        minimum_detectable_effect("proportions", n1=10, n0=10, baseline=1.2)


def test_hopelessly_small_sample_is_an_estimation_error():
    with pytest.raises(EstimationError, match="no difference would be detected"):
        minimum_detectable_effect("proportions", n1=2, n0=2, baseline=0.5, direction="increase")


def _estimate(low, high, scale="difference"):
    from analysis.results import Estimate

    return Estimate(
        effect=(low + high) / 2,
        ci_low=low,
        ci_high=high,
        se=None,
        p_value=0.5,
        n=100,
        scale=scale,
        method="test",
        estimand="test",
    )


def test_mde_reads_the_standard_error_back_from_the_reported_interval():
    from scipy import stats

    from analysis.methods import mde

    se = 0.7
    z = stats.norm.ppf(0.975)
    multiplier = z + stats.norm.ppf(0.8)
    assert mde(_estimate(1 - z * se, 1 + z * se)) == pytest.approx(multiplier * se, rel=1e-12)
    ratio = _estimate(float(np.exp(-z * 0.2)), float(np.exp(z * 0.2)), scale="rate ratio")
    assert mde(ratio) == pytest.approx(np.exp(multiplier * 0.2), rel=1e-12)
    # more power needs a larger effect; a wider interval too
    assert mde(_estimate(-1, 1), power=0.9) > mde(_estimate(-1, 1)) > mde(_estimate(-0.5, 0.5))


@pytest.mark.parametrize("low, high", [(float("nan"), 1.0), (1.0, 1.0), (0.0, float("inf"))])
def test_mde_of_an_interval_that_says_nothing_is_an_error(low, high):
    from analysis.errors import EstimationError
    from analysis.methods import mde

    with pytest.raises(EstimationError, match="finite interval"):
        mde(_estimate(low, high))


def test_mde_from_standard_error_uses_the_normal_quantiles():
    multiplier = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert mde_from_standard_error(2.0) == pytest.approx(2.0 * multiplier)
    assert mde_from_standard_error(0.1, scale="hazard ratio") == pytest.approx(
        np.exp(0.1 * multiplier)
    )
    with pytest.raises(EstimationError):
        mde_from_standard_error(0.0)
