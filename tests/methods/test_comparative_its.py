"""Tests for analysis.methods.comparative_its."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.errors import ConfigError, EstimationError
from analysis.methods.comparative_its import comparative_its
from tests.methods.coverage_study import coverage, record

INTERVENTION = "2022-01-01"
ARGS = {
    "outcome": "count",
    "time": "month",
    "series": "area",
    "treated_series": "Dorset",
    "intervention": INTERVENTION,
}


def simulate_comparative(seed: int, *, rate_ratio: float = 0.8, nb_alpha: float = 0.05):
    """A treated area and three comparisons sharing seasonality and a common shock.

    Each area has its own level and trend; every area's rate moves by a common shock from
    the intervention month (which the comparison series must absorb), and the treated
    area's rate is multiplied by ``rate_ratio`` from then on; gamma-Poisson overdispersion.
    """
    rng = np.random.default_rng(seed)
    months = pd.date_range("2019-01-01", periods=60, freq="MS")
    t = np.arange(60) / 12
    post = months >= INTERVENTION
    season = 0.25 * np.sin(2 * np.pi * months.month / 12) + 0.1 * np.cos(
        2 * np.pi * months.month / 12
    )
    frames = []
    areas = (
        ("Dorset", 40.0, 0.03),
        ("Devon", 70.0, -0.02),
        ("Wilts", 35.0, 0.05),
        ("Hants", 90.0, 0.0),
    )
    for name, level, slope in areas:
        log_mean = np.log(level) + slope * t + season + np.log(1.15) * post
        if name == "Dorset":
            log_mean = log_mean + np.log(rate_ratio) * post
        frailty = rng.gamma(1 / nb_alpha, nb_alpha, size=60)
        counts = rng.poisson(np.exp(log_mean) * frailty)
        frames.append(pd.DataFrame({"area": name, "month": months, "count": counts}))
    return pd.concat(frames, ignore_index=True)


def test_matches_statsmodels_formula_glm():
    data = simulate_comparative(1)
    est = comparative_its(data, **ARGS, harmonics=1)
    first = data["month"].min()
    frame = data.assign(
        trend=((data["month"].dt.year - first.year) * 12 + data["month"].dt.month - 1) / 12,
        post=(data["month"] >= INTERVENTION).astype(float),
        treated_post=((data["area"] == "Dorset") & (data["month"] >= INTERVENTION)).astype(float),
        moy=data["month"].dt.month,
    )
    reference = smf.glm(
        "count ~ 0 + C(area) + C(area):trend + post + treated_post + np.sin(2 * np.pi * moy / 12)"
        " + np.cos(2 * np.pi * moy / 12)",
        frame,
        family=sm.families.Poisson(),
    ).fit(scale="X2", use_t=True)
    assert est.effect == pytest.approx(np.exp(reference.params["treated_post"]), rel=1e-8)
    assert est.se == pytest.approx(reference.bse["treated_post"], rel=1e-6)
    low, high = np.exp(reference.conf_int().loc["treated_post"])
    assert est.ci_low == pytest.approx(low, rel=1e-6) and est.ci_high == pytest.approx(high)
    assert est.p_value == pytest.approx(reference.pvalues["treated_post"], rel=1e-6)
    fitted = est.details["fitted"]
    post = fitted["time"] >= INTERVENTION
    np.testing.assert_allclose(
        fitted.loc[post, "counterfactual"], fitted.loc[post, "fitted"] / est.effect, rtol=1e-9
    )
    assert (fitted["counterfactual_low"] < fitted["counterfactual"]).all()
    json.dumps(est.to_dict(), allow_nan=False)


def test_offset_and_negative_binomial_run():
    data = simulate_comparative(2).assign(population=100_000.0)
    est = comparative_its(data, **ARGS, offset="population", family="negativebinomial")
    assert 0.6 < est.effect < 1.0 and est.diagnostics["nb_alpha"] > 0


def _ratio(seed: int) -> tuple[float, float, float]:
    est = comparative_its(simulate_comparative(seed), **ARGS)
    return est.effect, est.ci_low, est.ci_high


def test_covers_planted_ratio_despite_common_shock():
    result = coverage(_ratio, truth=0.8, seeds=range(120))
    assert abs(result["mean_estimate"] - 0.8) < 0.02
    assert 0.88 <= result["coverage"] <= 0.99


def test_single_series_its_is_fooled_by_the_common_shock():
    """The comparison series have teeth: without them the shock looks like an effect."""
    from analysis.methods.its import its

    effects = [
        its(
            simulate_comparative(seed).query("area == 'Dorset'"),
            outcome="count",
            time="month",
            intervention=INTERVENTION,
        ).effect
        for seed in range(30)
    ]
    assert np.mean(effects) > 0.87  # about 0.8 x 1.15 = 0.92, not the planted 0.8


@pytest.mark.slow
def test_full_coverage_study():
    result = coverage(_ratio, truth=0.8, seeds=range(60_000, 61_000))
    record("comparative_its_quasipoisson", result)
    assert 0.93 <= result["coverage"] <= 0.97


def test_edge_cases():
    data = simulate_comparative(3)
    with pytest.raises(ConfigError, match="treated_series 'Poole'"):
        comparative_its(data, **{**ARGS, "treated_series": "Poole"})
    with pytest.raises(EstimationError, match="only one series"):
        comparative_its(data.query("area == 'Dorset'"), **ARGS)
    with pytest.raises(EstimationError, match="share a"):
        comparative_its(pd.concat([data, data.head(1)]), **ARGS)
    with pytest.raises(EstimationError, match="only 3 month"):
        comparative_its(data, **{**ARGS, "intervention": "2019-04-01"})
    with pytest.raises(EstimationError, match="no month"):
        comparative_its(data, **{**ARGS, "intervention": "2030-01-01"})
    with pytest.raises(ConfigError, match="family"):
        comparative_its(data, **ARGS, family="gaussian")
    broken = data.astype({"count": float})
    broken.loc[[4], "count"] = np.nan
    with pytest.raises(EstimationError, match="missing"):
        comparative_its(broken, **ARGS)
