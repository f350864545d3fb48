"""Tests for analysis.methods.its (interrupted time series)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.datasets import elec_equip

from analysis.errors import ConfigError, EstimationError
from analysis.methods.its import its
from tests.methods.coverage_study import coverage, record, simulate_its_series

#: The 2008 financial crisis: the public series' interruption.
CRISIS = pd.Timestamp("2008-10-01")

FOURIER = " + ".join(
    f"np.sin(2 * np.pi * {k} * month_of_year / 12) + np.cos(2 * np.pi * {k} * month_of_year / 12)"
    for k in (1, 2)
)


@pytest.fixture(scope="module")
def equipment() -> pd.DataFrame:
    """Euro-area electrical equipment orders, monthly 1995-2016 (statsmodels dataset)."""
    data = elec_equip.load_pandas().data.reset_index()
    data.columns = ["month", "orders"]
    months = np.arange(len(data))
    post = (data["month"] >= CRISIS).to_numpy()
    return data.assign(
        trend=months / 12,
        step=post.astype(float),
        slope=np.where(post, months - months[post][0], 0) / 12,
        month_of_year=data["month"].dt.month,
    )


@pytest.mark.parametrize(
    ("family", "reference_family", "fit_args"),
    [
        ("quasipoisson", sm.families.Poisson(), {"scale": "X2"}),
        ("poisson", sm.families.Poisson(), {}),
        ("gaussian", sm.families.Gaussian(), {}),
    ],
)
def test_matches_statsmodels_formula_glm_on_public_series(
    equipment, family, reference_family, fit_args
):
    est = its(
        equipment,
        outcome="orders",
        time="month",
        intervention=CRISIS,
        family=family,
        slope_change=True,
    )
    ref = smf.glm(
        f"orders ~ trend + step + slope + {FOURIER}", equipment, family=reference_family
    ).fit(**fit_args)
    np.testing.assert_allclose(
        est.table["coef"].to_numpy(), ref.params.to_numpy(), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(est.table["se"].to_numpy(), ref.bse.to_numpy(), rtol=1e-6)
    expected = np.exp(ref.params["step"]) if family != "gaussian" else ref.params["step"]
    assert est.effect == pytest.approx(expected, rel=1e-8)
    assert est.se == pytest.approx(ref.bse["step"], rel=1e-6)


def test_hac_and_negative_binomial_match_statsmodels(equipment):
    formula = f"orders ~ trend + step + {FOURIER}"
    est = its(equipment, outcome="orders", time="month", intervention=CRISIS, hac_lags=4)
    ref = smf.glm(formula, equipment, family=sm.families.Poisson()).fit(
        cov_type="HAC", cov_kwds={"maxlags": 4}
    )
    np.testing.assert_allclose(est.table["se"].to_numpy(), ref.bse.to_numpy(), rtol=1e-6)
    nb = its(
        equipment, outcome="orders", time="month", intervention=CRISIS, family="negativebinomial"
    )
    # Joint maximum likelihood of the NB2 model (coefficients and dispersion together). Newton
    # reaches the same point but reports no convergence for this near-Poisson series (alpha
    # about 0.001); Nelder-Mead converges by its own test.
    mle = smf.negativebinomial(formula, equipment).fit(disp=0, method="nm", maxiter=20_000)
    assert mle.mle_retvals["converged"]
    np.testing.assert_allclose(
        nb.table["coef"].to_numpy(), mle.params.iloc[:-1].to_numpy(), rtol=1e-4, atol=1e-6
    )
    assert nb.diagnostics["nb_alpha"] == pytest.approx(mle.params["alpha"], rel=1e-3)


def test_offset_matches_statsmodels_and_counterfactual_is_consistent():
    series = simulate_its_series(3)
    population = np.linspace(50_000, 56_000, len(series))
    series["population"] = population
    est = its(
        series,
        outcome="count",
        time="month",
        intervention="2022-01-01",
        offset="population",
        harmonics=1,
    )
    frame = series.assign(
        trend=np.arange(len(series)) / 12,
        step=(series["month"] >= "2022-01-01").astype(float),
        month_of_year=series["month"].dt.month,
    )
    ref = smf.glm(
        "count ~ trend + step + np.sin(2 * np.pi * month_of_year / 12)"
        " + np.cos(2 * np.pi * month_of_year / 12)",
        frame,
        family=sm.families.Poisson(),
        offset=np.log(population),
    ).fit(scale="X2")
    np.testing.assert_allclose(est.table["coef"].to_numpy(), ref.params.to_numpy(), rtol=1e-6)
    fitted = est.details["fitted"]
    assert list(fitted.columns) == [
        "time",
        "observed",
        "fitted",
        "counterfactual",
        "counterfactual_low",
        "counterfactual_high",
    ]
    post = fitted["time"] >= "2022-01-01"
    # Without the step the model's prediction is the fit divided by the rate ratio.
    np.testing.assert_allclose(
        fitted.loc[post, "counterfactual"], fitted.loc[post, "fitted"] / est.effect, rtol=1e-9
    )
    np.testing.assert_allclose(
        fitted.loc[~post, "counterfactual"], fitted.loc[~post, "fitted"], rtol=1e-9
    )
    assert (fitted["counterfactual_low"] < fitted["counterfactual"]).all()
    assert (fitted["counterfactual"] < fitted["counterfactual_high"]).all()
    assert est.details["intervention"] == pd.Timestamp("2022-01-01")
    json.dumps(est.to_dict(), allow_nan=False)


# ----------------------------------------------------------------- planted effects
def _step(seed: int, family: str = "quasipoisson", **design) -> tuple[float, float, float]:
    est = its(
        simulate_its_series(seed, **design),
        outcome="count",
        time="month",
        intervention="2022-01-01",
        family=family,
    )
    return est.effect, est.ci_low, est.ci_high


def test_quasipoisson_covers_planted_rate_ratio_with_overdispersed_counts():
    result = coverage(_step, truth=0.8, seeds=range(160))
    assert abs(result["mean_estimate"] - 0.8) < 0.02
    assert 0.88 <= result["coverage"] <= 0.99


def test_poisson_undercovers_overdispersed_counts_and_warns():
    """The coverage check has teeth: ignoring overdispersion fails it."""
    result = coverage(lambda s: _step(s, "poisson", nb_alpha=0.1), truth=0.8, seeds=range(80))
    assert result["coverage"] < 0.85
    est = its(
        simulate_its_series(0, nb_alpha=0.1),
        outcome="count",
        time="month",
        intervention="2022-01-01",
        family="poisson",
    )
    assert any("overdispersed" in w for w in est.warnings)


def test_autocorrelated_residuals_are_reported():
    series = simulate_its_series(
        4, n_months=96, intervention=60, baseline=300.0, rho=0.9, nb_alpha=0.0
    )
    est = its(series, outcome="count", time="month", intervention="2024-01-01")
    assert est.diagnostics["ljung_box_p_value"] < 0.05
    assert est.diagnostics["durbin_watson"] < 1.5
    assert any("consider hac_lags" in w for w in est.warnings)
    hac = its(series, outcome="count", time="month", intervention="2024-01-01", hac_lags=6)
    assert hac.diagnostics["covariance"].startswith("HAC")
    assert hac.se > est.se


# ----------------------------------------------------------------- edge cases
@pytest.fixture
def series() -> pd.DataFrame:
    return simulate_its_series(5)


def test_zero_events_everywhere_is_an_error(series):
    with pytest.raises(EstimationError, match="zero in every month"):
        its(series.assign(count=0), outcome="count", time="month", intervention="2022-01-01")


def test_zero_events_after_intervention_is_an_error(series):
    after = series["month"] >= "2022-01-01"
    with pytest.raises(EstimationError, match="no events after"):
        its(
            series.assign(count=np.where(after, 0, series["count"])),
            outcome="count",
            time="month",
            intervention="2022-01-01",
        )


def test_too_few_pre_periods_is_an_error(series):
    with pytest.raises(EstimationError, match="only 6 month"):
        its(series, outcome="count", time="month", intervention="2019-07-01")


def test_series_too_short_for_harmonics_names_the_fix(series):
    short = series.iloc[:16]
    with pytest.raises(EstimationError, match=r"fewer harmonics \(harmonics=3\)"):
        its(short, outcome="count", time="month", intervention="2019-10-01", harmonics=4)


def test_bad_inputs_give_clear_errors(series):
    with pytest.raises(EstimationError, match="negative"):
        its(
            series.assign(count=-series["count"]),
            outcome="count",
            time="month",
            intervention="2022-01-01",
        )
    with pytest.raises(EstimationError, match="more than one row"):
        its(
            pd.concat([series, series.head(1)]),
            outcome="count",
            time="month",
            intervention="2022-01-01",
        )
    with pytest.raises(EstimationError, match="month-start dates"):
        its(
            series.assign(month=np.arange(len(series))),
            outcome="count",
            time="month",
            intervention="2022-01-01",
        )
    with pytest.raises(ConfigError, match="offset needs a log link"):
        its(
            series.assign(pop=1.0),
            outcome="count",
            time="month",
            intervention="2022-01-01",
            family="gaussian",
            offset="pop",
        )
    with pytest.raises(EstimationError, match="must be positive"):
        its(
            series.assign(pop=0.0),
            outcome="count",
            time="month",
            intervention="2022-01-01",
            offset="pop",
        )
    with pytest.raises(ConfigError, match="family"):
        its(series, outcome="count", time="month", intervention="2022-01-01", family="logit")
    broken = series.astype({"count": float})
    broken.loc[[3, 9], "count"] = np.nan
    with pytest.raises(EstimationError, match=r"'count' has 2 missing.*rows 3, 9"):
        its(broken, outcome="count", time="month", intervention="2022-01-01")


@pytest.mark.slow
def test_full_coverage_study():
    result = coverage(_step, truth=0.8, seeds=range(40_000, 41_000))
    record("its_quasipoisson_overdispersed", result)
    assert 0.93 <= result["coverage"] <= 0.97
