"""Rates: Wilson, Newcombe and rate-ratio intervals against statsmodels and theory."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
)

from analysis.errors import ConfigError, EstimationError
from analysis.methods.rates import compare_proportions, proportion, rate_ratio

COUNTS = [(0, 10), (1, 10), (7, 23), (23, 23), (50, 200), (199, 200)]


@pytest.mark.parametrize(("k", "n"), COUNTS)
@pytest.mark.parametrize("conf_level", [0.9, 0.95, 0.99])
def test_proportion_matches_statsmodels_wilson(k, n, conf_level):
    est = proportion(k, n, conf_level=conf_level)
    low, high = proportion_confint(k, n, alpha=1 - conf_level, method="wilson")
    assert est.effect == pytest.approx(k / n, abs=1e-15)
    assert est.ci_low == pytest.approx(low, abs=1e-12)
    assert est.ci_high == pytest.approx(high, abs=1e-12)
    assert est.scale == "proportion"
    assert est.p_value is None


def test_proportion_at_the_edges_warns_and_stays_finite():
    est = proportion(0, 30)
    assert est.ci_low == 0.0 and 0 < est.ci_high < 0.2
    assert est.warnings and "Wilson" in est.warnings[0]
    assert all(math.isfinite(v) for v in (est.effect, est.ci_low, est.ci_high, est.se))


@pytest.mark.parametrize(
    ("k1", "n1", "k0", "n0"), [(30, 100, 45, 100), (3, 40, 9, 35), (0, 20, 4, 25)]
)
def test_compare_proportions_matches_statsmodels(k1, n1, k0, n0):
    est = compare_proportions(k1, n1, k0, n0)
    low, high = confint_proportions_2indep(k1, n1, k0, n0, compare="diff", method="newcomb")
    assert est.scale == "percentage points"
    assert est.effect == pytest.approx(100 * (k1 / n1 - k0 / n0), abs=1e-12)
    assert est.ci_low == pytest.approx(100 * low, abs=1e-10)
    assert est.ci_high == pytest.approx(100 * high, abs=1e-10)
    # Score test for equal proportions = Pearson chi-square without continuity correction.
    table = np.array([[k1, n1 - k1], [k0, n0 - k0]])
    chi2, p_value, *_ = stats.chi2_contingency(table, correction=False)
    assert est.p_value == pytest.approx(p_value, rel=1e-10)


def test_risk_ratio_matches_statsmodels_log_interval():
    est = compare_proportions(30, 100, 45, 100)
    low, high = confint_proportions_2indep(30, 100, 45, 100, compare="ratio", method="log")
    row = est.table.loc["risk_ratio"]
    assert row["estimate"] == pytest.approx((30 / 100) / (45 / 100))
    assert row["ci_low"] == pytest.approx(low, rel=1e-10)
    assert row["ci_high"] == pytest.approx(high, rel=1e-10)
    assert est.diagnostics["risk_ratio"] == pytest.approx(row["estimate"])


def test_compare_proportions_zero_events_warns_not_nan():
    est = compare_proportions(0, 20, 0, 25)
    assert est.p_value == 1.0
    assert np.isfinite(est.table[["estimate", "ci_low", "ci_high"]].to_numpy()).all()
    assert any("0.5 was added" in w for w in est.warnings)


@pytest.mark.parametrize(("e1", "t1", "e0", "t0"), [(30, 1000.0, 60, 1200.0), (4, 50.0, 11, 80.5)])
def test_rate_ratio_matches_statsmodels(e1, t1, e0, t0):
    est = rate_ratio(e1, t1, e0, t0)
    low, high = sm_rates.confint_poisson_2indep(e1, t1, e0, t0, method="wald-log", compare="ratio")
    reference = sm_rates.test_poisson_2indep(e1, t1, e0, t0, method="exact-cond")
    assert est.effect == pytest.approx((e1 / t1) / (e0 / t0), rel=1e-12)
    assert est.ci_low == pytest.approx(low, rel=1e-10)
    assert est.ci_high == pytest.approx(high, rel=1e-10)
    assert est.p_value == pytest.approx(reference.pvalue, rel=1e-10)
    assert est.se == pytest.approx(math.sqrt(1 / e1 + 1 / e0))


def test_rate_ratio_exact_interval_matches_clopper_pearson():
    e1, t1, e0, t0 = 3, 100.0, 12, 150.0
    est = rate_ratio(e1, t1, e0, t0)
    low, high = proportion_confint(e1, e1 + e0, alpha=0.05, method="beta")
    to_ratio = lambda p: p / (1 - p) * t0 / t1  # noqa: E731
    assert est.diagnostics["exact_ci_low"] == pytest.approx(to_ratio(low), rel=1e-9)
    assert est.diagnostics["exact_ci_high"] == pytest.approx(to_ratio(high), rel=1e-9)


def test_rate_ratio_zero_events_in_one_group():
    treated_zero = rate_ratio(0, 500.0, 8, 400.0)
    assert treated_zero.ci_low == 0.0 and math.isfinite(treated_zero.ci_high)
    assert 0 < treated_zero.effect < treated_zero.ci_high
    assert treated_zero.se is None and treated_zero.warnings
    comparison_zero = rate_ratio(8, 400.0, 0, 500.0)
    assert math.isinf(comparison_zero.ci_high) and comparison_zero.ci_low > 0
    assert "unbounded" in comparison_zero.warnings[0]
    assert comparison_zero.to_dict()["ci_high"] is None  # JSON-safe, not NaN


def test_rate_ratio_no_events_at_all_is_an_error():
    with pytest.raises(EstimationError, match="neither group"):
        rate_ratio(0, 10.0, 0, 12.0)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: proportion(5, 3), ConfigError),
        (lambda: proportion(-1, 3), ConfigError),
        (lambda: proportion(1.5, 3), ConfigError),
        (lambda: proportion(0, 0), EstimationError),
        (lambda: proportion(1, 3, conf_level=1.2), ConfigError),
        (lambda: rate_ratio(1, 0.0, 2, 3.0), ConfigError),
        (lambda: compare_proportions(1, 0, 2, 3), EstimationError),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error):
    with pytest.raises(error):
        call()


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 5000), data=st.data(), conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_property_wilson_interval_in_unit_interval(n, data, conf):
    k = data.draw(st.integers(0, n))
    est = proportion(k, n, conf_level=conf)
    assert 0.0 <= est.ci_low <= est.effect <= est.ci_high <= 1.0


@settings(max_examples=150, deadline=None)
@given(
    e1=st.integers(0, 300),
    e0=st.integers(0, 300),
    t1=st.floats(0.5, 1e5),
    t0=st.floats(0.5, 1e5),
)
def test_property_rate_ratio_inverts_when_groups_swap(e1, e0, t1, t0):
    if e1 + e0 == 0:
        return
    forward, backward = rate_ratio(e1, t1, e0, t0), rate_ratio(e0, t0, e1, t1)
    assert forward.effect * backward.effect == pytest.approx(1.0, rel=1e-9)
    if math.isinf(forward.ci_high):
        assert backward.ci_low == 0.0
    else:
        assert forward.ci_high * backward.ci_low == pytest.approx(1.0, rel=1e-9)
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-9)


def _coverage_proportions(reps: int, seed: int) -> tuple[float, float]:
    """Coverage of Newcombe's interval and of the log rate-ratio interval at planted truths."""
    rng = np.random.default_rng(seed)
    p1, p0, n1, n0 = 0.25, 0.35, 150, 180
    rate1, rate0, t1, t0 = 0.02, 0.03, 4000.0, 3000.0
    diff_hits = ratio_hits = 0
    for _ in range(reps):
        k1, k0 = rng.binomial(n1, p1), rng.binomial(n0, p0)
        est = compare_proportions(k1, n1, k0, n0)
        diff_hits += est.ci_low <= 100 * (p1 - p0) <= est.ci_high
        e1, e0 = rng.poisson(rate1 * t1), rng.poisson(rate0 * t0)
        rr = rate_ratio(e1, t1, e0, t0)
        ratio_hits += rr.ci_low <= rate1 / rate0 <= rr.ci_high
    return diff_hits / reps, ratio_hits / reps


def test_planted_effect_coverage_quick():
    difference, ratio = _coverage_proportions(400, seed=20261124)
    # 400 replications: the binomial SD of a 95% coverage is about 1.1 points.
    assert 0.91 <= difference <= 0.985
    assert 0.91 <= ratio <= 0.985


@pytest.mark.slow
def test_coverage_study_rates(record_coverage):
    start = time.perf_counter()
    difference, ratio = _coverage_proportions(5000, seed=7)
    seconds = time.perf_counter() - start
    for name, value, truth in (
        ("compare_proportions", difference, -10.0),
        ("rate_ratio", ratio, 2 / 3),
    ):
        record_coverage(
            estimator=name,
            design="binomial 150 vs 180 / Poisson 80 vs 90 expected events",
            replications=5000,
            coverage=value,
            truth=truth,
            seconds=seconds,
        )
        assert 0.93 <= value <= 0.97
