"""Tests for analysis.methods.funnel: funnel plot control limits and empirical-Bayes rates."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.stats.proportion import proportion_confint

from analysis.errors import ConfigError, EstimationError
from analysis.methods.funnel import funnel_limit_curve, funnel_limits, shrink_rates
from tests.methods.coverage_study import record

Z = {0.95: stats.norm.isf(0.025), 0.998: stats.norm.isf(0.001)}


# --------------------------------------------------------------------------- limits
@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize("target", [0.03, 0.2, 0.65])
def test_exact_binomial_limits_are_scipys_quantiles_interpolated(level, target):
    """Spiegelhalter's limit ``r - a`` is where the CDF, joined linearly between whole
    counts, reaches the tail probability: checked against scipy's exact binomial CDF."""
    denominators = np.array([7, 25, 60, 233, 1000, 4321])
    low, high = funnel_limit_curve(target, denominators, statistic="proportion", level=level)
    tail = (1 - level) / 2
    for n, lower, upper in zip(denominators, low, high, strict=True):
        counts = np.arange(-1, n + 1)
        cdf = stats.binom.cdf(counts, n, target)
        assert np.interp(upper * n, counts, cdf) == pytest.approx(1 - tail, abs=1e-12)
        if stats.binom.cdf(0, n, target) < tail:
            assert np.interp(lower * n, counts, cdf) == pytest.approx(tail, abs=1e-12)
        else:  # no count is improbably low: the lower limit is 0
            assert lower == 0


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_exact_poisson_limits_for_rates_and_ratios(level):
    tail = (1 - level) / 2
    expected = np.array([0.7, 4.2, 18.0, 95.5, 2000.0])
    rate = 0.004  # per person
    population = expected / rate
    low, high = funnel_limit_curve(rate, population, statistic="rate", level=level)
    ratio_low, ratio_high = funnel_limit_curve(1.0, expected, statistic="ratio", level=level)
    # A rate's limits are the ratio's limits times the target rate.
    np.testing.assert_allclose(low, ratio_low * rate, rtol=1e-12)
    np.testing.assert_allclose(high, ratio_high * rate, rtol=1e-12)
    for mean, upper in zip(expected, ratio_high * expected, strict=True):
        counts = np.arange(-1, int(mean * 3 + 30))
        cdf = stats.poisson.cdf(counts, mean)
        assert np.interp(upper, counts, cdf) == pytest.approx(1 - tail, abs=1e-12)
    # Large denominators: the exact limits become the normal ones.
    big = 2_000_000.0
    exact = funnel_limit_curve(1.0, big, statistic="ratio", level=level)
    spread = Z[level] * np.sqrt(1 / big)
    assert exact[0][0] == pytest.approx(1 - spread, rel=1e-4)
    assert exact[1][0] == pytest.approx(1 + spread, rel=1e-4)


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_phe_proportion_limits_are_where_an_areas_wilson_interval_reaches_the_target(level):
    target = 0.31
    denominators = np.array([12.0, 50.0, 400.0, 9000.0])
    low, high = funnel_limit_curve(target, denominators, level=level, method="phe")
    for n, lower, upper in zip(denominators, low, high, strict=True):
        # An area exactly on the upper limit has a Wilson interval whose lower end is the
        # target, and one on the lower limit an interval whose upper end is the target.
        ci_of_upper = proportion_confint(upper * n, n, alpha=1 - level, method="wilson")
        ci_of_lower = proportion_confint(lower * n, n, alpha=1 - level, method="wilson")
        assert ci_of_upper[0] == pytest.approx(target, rel=1e-9)
        assert ci_of_lower[1] == pytest.approx(target, rel=1e-9)


def test_phe_count_limits_exact_below_ten_and_byar_from_ten():
    """For counts the Fingertips limits are the interval of a count equal to the expected
    one: exact chi-squared limits below 10, Byar's approximation (close to exact) above."""
    z = Z[0.95]
    low, high = funnel_limit_curve(1.0, np.array([4.0, 9.5]), statistic="ratio", method="phe")
    for expected, lower, upper in zip([4.0, 9.5], low, high, strict=True):
        assert lower * expected == pytest.approx(stats.chi2.ppf(0.025, 2 * expected) / 2)
        assert upper * expected == pytest.approx(stats.chi2.ppf(0.975, 2 * expected + 2) / 2)
    # Byar's approximation at O = 64 (Breslow and Day's formula) is within 0.2% of exact.
    low, high = funnel_limit_curve(1.0, 64.0, statistic="ratio", method="phe")
    byar_low = 64 * (1 - 1 / (9 * 64) - z / (3 * 8)) ** 3
    byar_high = 65 * (1 - 1 / (9 * 65) + z / (3 * np.sqrt(65))) ** 3
    assert low[0] * 64 == pytest.approx(byar_low, rel=1e-12)
    assert high[0] * 64 == pytest.approx(byar_high, rel=1e-12)
    assert byar_low == pytest.approx(stats.chi2.ppf(0.025, 128) / 2, rel=2e-3)
    assert byar_high == pytest.approx(stats.chi2.ppf(0.975, 130) / 2, rel=2e-3)
    # Both give 49.3 to 81.7 for 64 events, to the one decimal indicator tables print.
    assert round(byar_low, 1) == round(stats.chi2.ppf(0.025, 128) / 2, 1) == 49.3
    assert round(byar_high, 1) == round(stats.chi2.ppf(0.975, 130) / 2, 1) == 81.7


def simulate_areas(
    seed: int, *, n_areas: int = 150, target: float = 0.2, spread: float = 0.0
) -> pd.DataFrame:
    """Areas of very different sizes; true proportions vary around ``target`` by ``spread``
    (a standard deviation on the proportion scale; 0 means every area has the target)."""
    rng = np.random.default_rng(seed)
    sizes = np.round(np.exp(rng.uniform(np.log(30), np.log(5000), n_areas))).astype(int)
    truth = np.clip(target + rng.normal(scale=spread, size=n_areas), 0.01, 0.99)
    counts = rng.binomial(sizes, truth)
    return pd.DataFrame({"area": [f"A{i}" for i in range(n_areas)], "k": counts, "n": sizes})


FUNNEL_ARGS = {"area": "area", "observed": "k", "denominator": "n", "target": 0.2}


def _share_outside(seeds: range, **kwargs) -> tuple[float, float, float]:
    outside_95, outside_998, dispersions = [], [], []
    for seed in seeds:
        table = funnel_limits(simulate_areas(seed, **kwargs.pop("sim", {})), **FUNNEL_ARGS)
        outside_95.append(np.mean(table["flag"] != "within"))
        outside_998.append(np.mean(table["flag"].str.endswith("99.8%")))
        dispersions.append(table.attrs["dispersion"])
    return float(np.mean(outside_95)), float(np.mean(outside_998)), float(np.mean(dispersions))


def test_in_control_areas_fall_outside_the_limits_about_as_often_as_promised():
    """With every area at the target, about 5% fall outside the 95% limits and 0.2% outside
    the 99.8% limits (a little fewer: discrete counts make exact limits conservative)."""
    outside_95, outside_998, dispersion = _share_outside(range(40))
    assert 0.035 <= outside_95 <= 0.055
    assert outside_998 <= 0.004
    # Winsorising at the 10th and 90th percentiles puts the mean squared z of in-control
    # areas at E[min(z^2, 1.2816^2)] = 0.679, not 1: the test for overdispersion is
    # conservative by construction, as in Spiegelhalter's method.
    assert 0.62 <= dispersion <= 0.74


@pytest.mark.slow
def test_in_control_false_alarm_rate_full():
    started = time.perf_counter()
    outside_95, outside_998, dispersion = _share_outside(range(1000, 1400))
    record(
        "funnel_limits_exact_in_control",
        {
            "replications": 400,
            "coverage": 1 - outside_95,
            "truth": 0.2,
            "outside_998": outside_998,
            "mean_dispersion": dispersion,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
    assert 0.04 <= outside_95 <= 0.053
    assert 0.0008 <= outside_998 <= 0.0025


def test_overdispersion_is_detected_and_the_additive_funnel_restores_the_promise():
    data = simulate_areas(5, n_areas=300, spread=0.04)
    plain = funnel_limits(data, **FUNNEL_ARGS)
    assert plain.attrs["dispersion"] > 2 and plain.attrs["dispersion_p_value"] < 1e-6
    assert any("vary more than chance" in note for note in plain.attrs["notes"])
    assert np.mean(plain["flag"] != "within") > 0.15
    # The planted between-area standard deviation is 0.04 (tau2 = 0.0016). Without
    # winsorising, the moment estimate finds it and the random-effects funnel flags about
    # 5% of areas again.
    additive = funnel_limits(data, **FUNNEL_ARGS, overdispersion="additive", winsorise=0)
    assert 0.0010 < additive.attrs["tau2"] < 0.0024
    assert 0.02 <= np.mean(additive["flag"] != "within") <= 0.08
    # Spiegelhalter's 10% winsorising under-estimates a spread this wide (it clips the
    # very z-scores the spread produces): the adjusted limits help, but not fully.
    winsorised = funnel_limits(data, **FUNNEL_ARGS, overdispersion="additive")
    assert 0 < winsorised.attrs["tau2"] < additive.attrs["tau2"]
    assert 0.08 < np.mean(winsorised["flag"] != "within") < np.mean(plain["flag"] != "within")
    multiplicative = funnel_limits(data, **FUNNEL_ARGS, overdispersion="multiplicative")
    np.testing.assert_allclose(
        multiplicative["upper_95"] - 0.2,
        Z[0.95] * np.sqrt(plain.attrs["dispersion"] * 0.2 * 0.8 / data["n"]),
        rtol=1e-12,
    )
    assert (multiplicative["lower_95"] >= 0).all()  # a proportion's limit stops at 0


def test_table_columns_flags_and_target():
    data = pd.DataFrame(
        {
            "area": ["A", "B", "C", "D", "E"],
            "k": [20, 200, 60, 5, 90],
            "n": [100, 1000, 150, 80, 300],
        }
    )
    table = funnel_limits(data, area="area", observed="k", denominator="n")
    assert table.attrs["target"] == pytest.approx(375 / 1630)
    assert list(table["area"]) == ["A", "B", "C", "D", "E"]
    assert (table["lower_998"] <= table["lower_95"]).all()
    assert (table["upper_95"] <= table["upper_998"]).all()
    flags = dict(zip(table["area"], table["flag"], strict=True))
    # Against a target of 23%: 40% of 150 and 6% of 80 are more than three standard errors
    # away (z = 4.9 and -3.6), 30% of 300 and 20% of 1,000 between two and three.
    assert flags == {
        "A": "within",
        "B": "below 95%",
        "C": "above 99.8%",
        "D": "below 99.8%",
        "E": "above 95%",
    }
    assert table["z"].round(1).tolist() == [-0.7, -2.3, 4.9, -3.6, 2.9]
    np.testing.assert_allclose(table["expected"], table.attrs["target"] * data["n"])


def test_funnel_edge_cases():
    data = pd.DataFrame({"area": ["A", "B", "C"], "k": [1, 2, 3], "n": [10, 20, 30]})
    args = {"area": "area", "observed": "k", "denominator": "n"}
    with pytest.raises(ConfigError, match="statistic"):
        funnel_limits(data, **args, statistic="mean")
    with pytest.raises(ConfigError, match="method"):
        funnel_limits(data, **args, method="normal")
    with pytest.raises(ConfigError, match="winsorise"):
        funnel_limits(data, **args, winsorise=0.5)
    with pytest.raises(ConfigError, match="overdispersion"):
        funnel_limits(data, **args, overdispersion="both")
    with pytest.raises(ConfigError, match="observed='cases'"):
        funnel_limits(data, **{**args, "observed": "cases"})
    with pytest.raises(EstimationError, match="share an area"):
        funnel_limits(pd.concat([data, data.head(1)]), **args)
    with pytest.raises(EstimationError, match="whole, non-negative"):
        funnel_limits(data.assign(k=[1, -2, 3]), **args)
    with pytest.raises(EstimationError, match="must be positive.*areas B"):
        funnel_limits(data.assign(n=[10, 0, 30]), **args)
    with pytest.raises(EstimationError, match="exceeds"):
        funnel_limits(data.assign(k=[1, 25, 3]), **args)
    with pytest.raises(EstimationError, match="at least 3"):
        funnel_limits(data.head(2), **args)
    with pytest.raises(EstimationError, match="strictly between 0 and 1"):
        funnel_limits(data.assign(k=0), **args)
    with pytest.raises(EstimationError, match="positive target"):
        funnel_limits(data.assign(k=0), **args, statistic="rate")
    with pytest.raises(EstimationError, match="missing"):
        funnel_limits(data.assign(n=[10, np.nan, 30]), **args)


# --------------------------------------------------------------------------- shrinkage
def test_moments_shrinkage_by_hand():
    """Three areas of 10 households with 5, 10 and 15 crimes: overall rate m = 1, weighted
    variance of the raw rates 1/6, less chance variance m / 10 = 1/10, leaves a between-area
    variance of 1/15; so the prior is Gamma(15, 15), each area's shrinkage factor is
    15 / (15 + 10) = 0.6 and the first area's rate 0.6 x 1 + 0.4 x 0.5 = 0.8."""
    data = pd.DataFrame({"ward": ["A", "B", "C"], "y": [5, 10, 15], "e": [10.0, 10.0, 10.0]})
    table = shrink_rates(data, area="ward", observed="y", exposure="e", method="moments")
    assert table.attrs["prior_shape"] == pytest.approx(15)
    assert table.attrs["prior_rate"] == pytest.approx(15)
    np.testing.assert_allclose(table["shrinkage"], 0.6)
    np.testing.assert_allclose(table["shrunken_rate"], [0.8, 1.0, 1.2])
    # The posterior of area A is Gamma(15 + 5, rate 15 + 10).
    assert table["lower"].iloc[0] == pytest.approx(stats.gamma.ppf(0.025, 20, scale=1 / 25))
    assert table["upper"].iloc[0] == pytest.approx(stats.gamma.isf(0.025, 20, scale=1 / 25))


def simulate_rates(seed: int, n_areas: int = 60) -> tuple[pd.DataFrame, np.ndarray]:
    """Small areas with gamma-distributed true rates (mean 0.02, coefficient of variation
    0.35) and populations from 200 to 20,000."""
    rng = np.random.default_rng(seed)
    population = np.round(np.exp(rng.uniform(np.log(200), np.log(20_000), n_areas)))
    shape = 1 / 0.35**2
    truth = rng.gamma(shape, 0.02 / shape, size=n_areas)
    counts = rng.poisson(population * truth)
    frame = pd.DataFrame({"lsoa": np.arange(n_areas), "crimes": counts, "pop": population})
    return frame, truth


def test_marginal_likelihood_prior_matches_statsmodels_negative_binomial():
    """The Poisson-gamma marginal is a negative binomial with mean E m and NB2 alpha 1/a:
    the intercept-only NegativeBinomial with exposure finds the same prior."""
    frame, _ = simulate_rates(11, n_areas=80)
    table = shrink_rates(frame, area="lsoa", observed="crimes", exposure="pop")
    reference = NegativeBinomial(
        frame["crimes"].to_numpy(), np.ones((80, 1)), exposure=frame["pop"].to_numpy()
    ).fit(disp=0, maxiter=500)
    assert table.attrs["prior_mean"] == pytest.approx(np.exp(reference.params[0]), rel=1e-5)
    assert 1 / table.attrs["prior_shape"] == pytest.approx(reference.params[1], rel=1e-4)


def _shrinkage_run(seed: int, method: str) -> tuple[float, float, float]:
    frame, truth = simulate_rates(seed)
    table = shrink_rates(frame, area="lsoa", observed="crimes", exposure="pop", method=method)
    raw_error = np.mean((table["raw_rate"] - truth) ** 2)
    shrunken_error = np.mean((table["shrunken_rate"] - truth) ** 2)
    covered = np.mean((table["lower"] <= truth) & (truth <= table["upper"]))
    return raw_error, shrunken_error, covered


@pytest.mark.parametrize("method", ["mle", "moments"])
def test_shrunken_rates_beat_raw_rates_and_intervals_cover(method):
    runs = np.array([_shrinkage_run(seed, method) for seed in range(60)])
    raw_error, shrunken_error, covered = runs.mean(axis=0)
    assert shrunken_error < 0.6 * raw_error
    assert (runs[:, 1] < runs[:, 0]).mean() > 0.9
    assert 0.91 <= covered <= 0.97


@pytest.mark.slow
@pytest.mark.parametrize("method", ["mle", "moments"])
def test_shrinkage_coverage_full(method):
    started = time.perf_counter()
    runs = np.array([_shrinkage_run(seed, method) for seed in range(5000, 6000)])
    record(
        f"shrink_rates_{method}",
        {
            "replications": 1000,
            "coverage": runs[:, 2].mean(),
            "mse_ratio": runs[:, 1].mean() / runs[:, 0].mean(),
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
    assert runs[:, 1].mean() < 0.6 * runs[:, 0].mean()
    assert 0.93 <= runs[:, 2].mean() <= 0.965


def test_no_heterogeneity_shrinks_every_area_to_the_overall_rate():
    data = pd.DataFrame({"a": list("ABCDE"), "y": [10, 10, 10, 10, 10], "e": [100.0] * 5})
    for method in ("moments", "mle"):
        table = shrink_rates(data, area="a", observed="y", exposure="e", method=method)
        np.testing.assert_allclose(table["shrunken_rate"], 0.1)
        np.testing.assert_allclose(table["shrinkage"], 1.0)
        assert any("no more than chance" in note for note in table.attrs["notes"])


def test_shrinkage_edge_cases():
    data = pd.DataFrame({"a": list("ABC"), "y": [1, 2, 3], "e": [10.0, 20.0, 30.0]})
    args = {"area": "a", "observed": "y", "exposure": "e"}
    with pytest.raises(ConfigError, match="method"):
        shrink_rates(data, **args, method="bayes")
    with pytest.raises(ConfigError, match="conf_level"):
        shrink_rates(data, **args, conf_level=95)
    with pytest.raises(EstimationError, match="at least 3"):
        shrink_rates(data.head(2), **args)
    with pytest.raises(EstimationError, match="no area recorded an event"):
        shrink_rates(data.assign(y=0), **args)
    with pytest.raises(EstimationError, match="must be positive"):
        shrink_rates(data.assign(e=[10.0, -1.0, 3.0]), **args)
