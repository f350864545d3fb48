"""Staggered design sensitivities: anticipation, a pre-adoption shift, relative magnitudes."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError, EstimationError
from analysis.methods import staggered_did
from analysis.methods.staggered import pre_period_shift, relative_magnitude_bound


def dip_panel(seed: int, *, dip: float, effect: float = -1.0, units: int = 300) -> pd.DataFrame:
    """Two cohorts and never-treated units; ``dip`` higher for the 3 periods before sign-up."""
    rng = np.random.default_rng(seed)
    panel = pd.DataFrame([(u, t) for u in range(units) for t in range(18)], columns=["id", "t"])
    panel["first"] = panel["id"].map(
        lambda u: 10.0 if u < units // 3 else 13.0 if u < 2 * units // 3 else np.nan
    )
    lead = panel["first"] - panel["t"]
    panel["y"] = (
        dip * lead.between(1, 3)
        + effect * (panel["t"] >= panel["first"])
        + rng.normal(size=len(panel))
    )
    return panel


def fit(panel: pd.DataFrame, **kwargs) -> object:
    return staggered_did(
        panel, outcome="y", unit="id", time="t", first_treated="first", n_boot=0, **kwargs
    )


def test_anticipation_window_removes_the_dip_bias_and_covers_the_truth():
    covered, biased = [], []
    for seed in range(40):
        panel = dip_panel(seed, dip=1.0)
        covered.append(
            fit(panel, anticipation=3).ci_low <= -1.0 <= fit(panel, anticipation=3).ci_high
        )
        biased.append(fit(panel).effect)
    # Without the window the base period sits inside the dip: biased by about -1.
    assert np.mean(biased) < -1.7
    assert 0.85 <= np.mean(covered) <= 1.0


def test_pre_period_shift_finds_a_dip_and_holds_its_size_without_one():
    rejections = [
        pre_period_shift(fit(dip_panel(s, dip=0.0)), reference=5).p_value < 0.05 for s in range(40)
    ]
    assert np.mean(rejections) <= 0.15
    shift = pre_period_shift(fit(dip_panel(99, dip=1.0)), reference=5)
    assert shift.p_value < 0.001 and shift.ci_low <= 1.0 <= shift.ci_high


def test_relative_magnitude_breakdown_is_zero_unless_significant_and_grows_with_the_effect():
    null = fit(dip_panel(1, dip=0.0, effect=0.0))
    assert not null.significant
    assert relative_magnitude_bound(null)["breakdown_m"] == 0.0
    small = relative_magnitude_bound(fit(dip_panel(1, dip=0.0, effect=-1.0)))
    large = relative_magnitude_bound(fit(dip_panel(1, dip=0.0, effect=-3.0)))
    assert 0 < small["breakdown_m"] < large["breakdown_m"]
    # Cohorts treated at 10 and 13 of 18 periods: exposures 1..8 and 1..5, weighted by cells.
    assert large["mean_periods_exposed"] == pytest.approx((36 + 15) / 13)


def test_edge_cases_raise_clear_errors():
    panel = dip_panel(0, dip=0.0)
    with pytest.raises(ConfigError, match="anticipation"):
        fit(panel, anticipation=-1)
    with pytest.raises(EstimationError, match="shorter reference"):
        pre_period_shift(fit(panel), window=3, reference=30)
    with pytest.raises(ConfigError, match="window and reference"):
        pre_period_shift(fit(panel), window=0)
    from analysis.results import Estimate

    bare = Estimate(0.1, 0.0, 0.2, 0.05, 10, "difference", "m", "e")
    with pytest.raises(ConfigError, match="dynamic_vcov"):
        relative_magnitude_bound(bare)
