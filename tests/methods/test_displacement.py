"""Tests for analysis.methods.displacement (weighted displacement quotient)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import ConfigError
from analysis.methods.displacement import total_net_effect, weighted_displacement_quotient


def test_hand_computed_quotient_measures_and_net_effect():
    # Target 100 -> 60, buffer 50 -> 55, control 1,000 -> 1,000 (worked in the docstring).
    est = weighted_displacement_quotient(100, 60, 50, 55, 1000, 1000)
    assert est.diagnostics["success_measure"] == pytest.approx(-0.04)
    assert est.diagnostics["buffer_measure"] == pytest.approx(0.005)
    assert est.effect == pytest.approx(-0.125)
    assert est.diagnostics["total_net_effect"] == pytest.approx(35.0)
    # Total net effect variance by hand: 100 + 60 + 50 + 55 + 0.15^2 * (1000 + 1000) = 310.
    assert total_net_effect(100, 60, 50, 55, 1000, 1000)[1] == pytest.approx(np.sqrt(310))


def test_diffusion_is_positive_and_displacement_negative():
    diffusion = weighted_displacement_quotient(200, 100, 200, 150, 5000, 5000)
    assert diffusion.effect == pytest.approx(0.5)  # buffer fell half as much as the target
    displacement = weighted_displacement_quotient(200, 100, 200, 300, 5000, 5000)
    assert displacement.effect == pytest.approx(-1.0)  # as much moved as was prevented
    assert displacement.diagnostics["total_net_effect"] == pytest.approx(0.0)


def test_delta_method_standard_error_matches_numerical_derivatives():
    counts = np.array([400.0, 300.0, 350.0, 380.0, 6000.0, 6100.0])

    def wdq(x):
        r0, r1, d0, d1, c0, c1 = x
        return (d1 / c1 - d0 / c0) / (r1 / c1 - r0 / c0)

    step = 1e-4
    gradient = np.array(
        [
            (wdq(counts + step * np.eye(6)[i]) - wdq(counts - step * np.eye(6)[i])) / (2 * step)
            for i in range(6)
        ]
    )
    expected_se = np.sqrt(np.sum(gradient**2 * counts * 1.7))
    est = weighted_displacement_quotient(*counts, dispersion=1.7)
    assert est.se == pytest.approx(expected_se, rel=1e-6)


def test_the_interval_covers_the_quotient_of_the_expected_counts_about_95_times_in_100():
    rng = np.random.default_rng(11)
    means = np.array([900.0, 630.0, 1400.0, 1520.0, 20000.0, 20500.0])
    truth = (means[3] / means[5] - means[2] / means[4]) / (
        means[1] / means[5] - means[0] / means[4]
    )
    draws = 400
    covered = 0
    for _ in range(draws):
        est = weighted_displacement_quotient(*rng.poisson(means))
        covered += est.ci_low <= truth <= est.ci_high
    assert 0.92 <= covered / draws <= 0.98


def test_no_success_warns_and_zero_control_raises():
    flat = weighted_displacement_quotient(100, 101, 50, 55, 1000, 1000)
    assert any("did not clearly improve" in w for w in flat.warnings)
    with pytest.raises(ConfigError, match="control_before is 0"):
        weighted_displacement_quotient(100, 60, 50, 55, 0, 1000)
    with pytest.raises(ConfigError, match="non-negative"):
        weighted_displacement_quotient(-1, 60, 50, 55, 1000, 1000)
    with pytest.raises(ConfigError, match="dispersion"):
        weighted_displacement_quotient(100, 60, 50, 55, 1000, 1000, dispersion=0)
    no_change = weighted_displacement_quotient(100, 100, 50, 55, 1000, 1000)
    assert np.isnan(no_change.effect) and no_change.warnings
