"""Poisson extended two-way fixed effects: a statsmodels reference fit, a planted ratio, errors."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.errors import ConfigError, EstimationError
from analysis.methods.poisson_did import poisson_etwfe


def ratio_panel(seed: int, *, units: int = 300, periods: int = 10, ratio: float = 0.75):
    """Levels differ by unit and seasonality is proportional to them: parallel on logs only."""
    rng = np.random.default_rng(seed)
    panel = pd.DataFrame(
        [(u, t) for u in range(units) for t in range(periods)], columns=["id", "t"]
    )
    panel["first"] = panel["id"].map(
        lambda u: 5.0 if u < units // 3 else 7.0 if u < 2 * units // 3 else np.nan
    )
    level = np.exp(rng.normal(scale=0.8, size=units) + 0.5 * (np.arange(units) < units // 3))
    season = 1 + 0.6 * np.sin(panel["t"].to_numpy())
    treated = (panel["t"] >= panel["first"]).to_numpy()
    panel["y"] = rng.poisson(level[panel["id"]] * season * np.where(treated, ratio, 1.0))
    return panel


def test_matches_a_statsmodels_poisson_fit_with_the_same_fixed_effects():
    panel = ratio_panel(3, units=60, periods=8)
    est = poisson_etwfe(panel, outcome="y", unit="id", time="t", first_treated="first", leads=3)
    keep = panel.groupby("id")["y"].transform("sum") > 0
    data = panel[keep].reset_index(drop=True)
    design = pd.get_dummies(data["id"], prefix="u", dtype=float)
    design = design.join(pd.get_dummies(data["t"], prefix="t", drop_first=True, dtype=float))
    cells = est.table[["group", "time"]].itertuples(index=False)
    names = []
    for g, t in cells:
        name = f"c{g:g}_{t:g}"
        design[name] = ((data["first"] == g) & (data["t"] == t)).astype(float)
        names.append(name)
    since = data["t"] - data["first"]
    for e in est.diagnostics["pretrend_leads"]:
        design[f"lead{e}"] = (since == e).astype(float)
    fit = sm.GLM(data["y"], design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": data["id"].to_numpy()}
    )
    np.testing.assert_allclose(est.table["log_effect"], fit.params[names], rtol=1e-6, atol=1e-8)
    # Cluster-robust standard errors agree once statsmodels' extra small-sample factor
    # (N-1)/(N-K) is taken out: it counts the unit dummies, which are nested in the
    # clusters and which the estimator, like Stata's ppmlhdfe, does not count.
    n_obs, n_params = design.shape
    extra = np.sqrt((n_obs - 1) / (n_obs - n_params))
    np.testing.assert_allclose(est.table["se"] * extra, fit.bse[names], rtol=1e-4)
    leads = [f"lead{e}" for e in est.diagnostics["pretrend_leads"]]
    wald = fit.wald_test(
        np.eye(len(fit.params))[[fit.params.index.get_loc(n) for n in leads]], scalar=True
    )
    # The same Wald test of the leads, up to that factor on the covariance.
    assert est.diagnostics["pretrend_chi2"] / extra**2 == pytest.approx(
        float(wald.statistic), rel=1e-4
    )


def test_interval_covers_a_planted_rate_ratio():
    covered = []
    for seed in range(40):
        est = poisson_etwfe(
            ratio_panel(seed), outcome="y", unit="id", time="t", first_treated="first"
        )
        covered.append(est.ci_low <= 0.75 <= est.ci_high)
    assert 0.85 <= np.mean(covered) <= 1.0


def test_pre_trend_test_holds_its_size_on_the_ratio_scale():
    rejections = [
        poisson_etwfe(
            ratio_panel(seed), outcome="y", unit="id", time="t", first_treated="first", leads=4
        ).diagnostics["pretrend_p_value"]
        < 0.05
        for seed in range(40)
    ]
    assert np.mean(rejections) <= 0.15


def test_edge_cases_raise_clear_errors():
    panel = ratio_panel(0, units=30, periods=8)
    with pytest.raises(ConfigError, match="leads must be 0"):
        poisson_etwfe(panel, outcome="y", unit="id", time="t", first_treated="first", leads=1)
    negative = panel.assign(y=panel["y"] - 5)
    with pytest.raises(EstimationError, match="must hold counts"):
        poisson_etwfe(negative, outcome="y", unit="id", time="t", first_treated="first")
    with pytest.raises(EstimationError, match="not balanced"):
        poisson_etwfe(panel.iloc[1:], outcome="y", unit="id", time="t", first_treated="first")
    never = panel.assign(first=np.nan)
    with pytest.raises(EstimationError, match="need treated units"):
        poisson_etwfe(never, outcome="y", unit="id", time="t", first_treated="first")
