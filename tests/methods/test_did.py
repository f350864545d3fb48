"""Tests for analysis.methods.did: reference agreement, planted effects, edge cases, properties."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linearmodels import PanelOLS
from linearmodels.datasets import wage_panel

from analysis.errors import ConfigError, EstimationError
from analysis.methods._panel import WithinTransformer
from analysis.methods.did import did
from tests.methods.coverage_study import coverage, record, simulate_did_panel

# linearmodels settings that give did()'s CR1 correction with small_sample="none" (absorbed
# effects not counted); the default, fixest's, is checked against pyfixest below.
CR1 = {"debiased": True, "group_debias": True, "auto_df": False, "count_effects": False}
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def wages() -> pd.DataFrame:
    return wage_panel.load()


def panel_ols(frame: pd.DataFrame, regressors: list[str], weights: str | None = None):
    indexed = frame.set_index(["nr", "year"])
    return PanelOLS(
        indexed["lwage"],
        indexed[regressors],
        entity_effects=True,
        time_effects=True,
        weights=indexed[weights] if weights else None,
    )


# ----------------------------------------------------------------- reference implementation
def test_matches_linearmodels_on_wage_panel_clustered(wages):
    est = did(
        wages,
        outcome="lwage",
        treatment="union",
        unit="nr",
        time="year",
        covariates=["married", "hours"],
        small_sample="none",
    )
    ref = panel_ols(wages, ["union", "married", "hours"]).fit(
        cov_type="clustered", cluster_entity=True, **CR1
    )
    np.testing.assert_allclose(est.table["coef"], ref.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(est.table["se"], ref.std_errors, rtol=1e-8, atol=1e-10)
    assert est.diagnostics["balanced"] and est.diagnostics["within_method"] == "closed form"
    assert est.n == wages["nr"].nunique()


def test_matches_linearmodels_robust_default(wages):
    est = did(
        wages,
        outcome="lwage",
        treatment="union",
        unit="nr",
        time="year",
        covariates="married",
        inference="robust",
    )
    ref = panel_ols(wages, ["union", "married"]).fit(cov_type="robust")
    np.testing.assert_allclose(est.table["coef"], ref.params, rtol=1e-8)
    np.testing.assert_allclose(est.table["se"], ref.std_errors, rtol=1e-8)
    assert any("ignore correlation" in w for w in est.warnings)


def test_matches_linearmodels_unbalanced_weighted_other_cluster(wages):
    rng = np.random.default_rng(7)
    sample = wages.sample(frac=0.8, random_state=3).assign(
        w=rng.uniform(0.5, 2.0, size=int(len(wages) * 0.8)),
        occupation_cluster=lambda f: f["occupation"],
    )
    est = did(
        sample,
        outcome="lwage",
        treatment="union",
        unit="nr",
        time="year",
        covariates=["married"],
        weights="w",
        small_sample="none",
    )
    ref = panel_ols(sample, ["union", "married"], weights="w").fit(
        cov_type="clustered", cluster_entity=True, **CR1
    )
    assert est.diagnostics["within_method"] == "direct"
    np.testing.assert_allclose(est.table["coef"], ref.params, rtol=1e-7)
    np.testing.assert_allclose(est.table["se"], ref.std_errors, rtol=1e-7)


def _assert_matches_pyfixest(est, ref, rtol: float = 1e-8) -> None:
    """Coefficients, standard errors, intervals and p-values agree with a pyfixest fit."""
    names = list(ref.coef().index)
    table = est.table.loc[names]
    np.testing.assert_allclose(table["coef"], ref.coef(), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(table["se"], ref.se(), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(table["p_value"], ref.pvalue(), rtol=max(rtol, 1e-6), atol=1e-12)
    bounds = ref.confint(alpha=1 - est.conf_level)
    np.testing.assert_allclose(table["ci_low"], bounds.iloc[:, 0], rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(table["ci_high"], bounds.iloc[:, 1], rtol=rtol, atol=1e-12)


@pytest.mark.parametrize(
    ("small_sample", "k_fixef"), [("nested", "nonnested"), ("full", "full"), ("none", "none")]
)
def test_matches_pyfixest_small_sample_conventions_on_wage_panel(wages, small_sample, k_fixef):
    """The default ("nested") is fixest's ssc(); pyfixest reproduces fixest's conventions."""
    est = did(
        wages,
        outcome="lwage",
        treatment="union",
        unit="nr",
        time="year",
        covariates=["married", "hours"],
        small_sample=small_sample,
    )
    ref = pf.feols(
        "lwage ~ union + married + hours | nr + year",
        data=wages,
        vcov={"CRV1": "nr"},
        ssc=pf.ssc(k_fixef=k_fixef),
    )
    _assert_matches_pyfixest(est, ref)
    assert est.diagnostics["small_sample"] == small_sample
    # Clustering by person nests the person effects: K = 3 coefficients + 8 years.
    expected_k = {"nested": 3 + 8, "full": 3 + 545 + 8 - 1, "none": 3}[small_sample]
    assert est.diagnostics["small_sample_k"] == expected_k
    assert f"K = {expected_k}" in est.diagnostics["covariance"]


def test_default_is_pyfixest_default_unbalanced_weighted_cross_cutting_cluster(wages):
    """Clusters that cut across people and years: both sets of effects are counted."""
    rng = np.random.default_rng(7)
    sample = wages.sample(frac=0.8, random_state=3).assign(
        w=rng.uniform(0.5, 2.0, size=int(len(wages) * 0.8)),
        occupation_by_marriage=lambda f: f["occupation"] * 2 + f["married"],
    )
    est = did(
        sample,
        outcome="lwage",
        treatment="union",
        unit="nr",
        time="year",
        covariates=["married"],
        weights="w",
        cluster="occupation_by_marriage",
    )
    ref = pf.feols(
        "lwage ~ union + married | nr + year",
        data=sample,
        weights="w",
        vcov={"CRV1": "occupation_by_marriage"},
    )
    assert est.diagnostics["within_method"] == "direct"
    assert est.diagnostics["small_sample_k"] == 2 + est.diagnostics["absorbed_effects"]
    # On an unbalanced weighted panel pyfixest demeans iteratively, to its own tolerance
    # (relative error about 1e-8); ours is the exact projection.
    _assert_matches_pyfixest(est, ref, rtol=1e-6)


def test_matches_pyfixest_on_minimum_wage_panel_clustered_by_state():
    """Counties nested in states: the county effects drop out of K, the years stay."""
    mpdta = pd.read_csv(DATA / "mpdta.csv").rename(columns={"first.treat": "first_treat"})
    mpdta["treat_post"] = (
        (mpdta["first_treat"] > 0) & (mpdta["year"] >= mpdta["first_treat"])
    ).astype(int)
    mpdta["state"] = mpdta["countyreal"] // 1000
    est = did(
        mpdta,
        outcome="lemp",
        treatment="treat_post",
        unit="countyreal",
        time="year",
        cluster="state",
    )
    ref = pf.feols("lemp ~ treat_post | countyreal + year", data=mpdta, vcov={"CRV1": "state"})
    _assert_matches_pyfixest(est, ref)
    assert est.diagnostics["small_sample_k"] == 1 + 5
    assert "nested: countyreal" in est.diagnostics["covariance"]  # the county effects
    assert (est.effect, est.se) == pytest.approx((float(ref.coef().iloc[0]), ref.se().iloc[0]))


def test_within_transform_equals_dummy_regression_on_every_path():
    """Residuals from explicit unit and period dummies, computed by least squares."""
    rng = np.random.default_rng(0)
    units, periods = np.meshgrid(np.arange(15), np.arange(9), indexing="ij")
    keep = rng.random(units.size) > 0.25
    unit, period = units.ravel()[keep], periods.ravel()[keep]
    x = rng.normal(size=(len(unit), 2))
    weights = rng.uniform(0.5, 3, size=len(unit))
    dummies = np.column_stack(
        [unit[:, None] == np.arange(15), (period[:, None] == np.arange(9))[:, 1:]]
    ).astype(float)
    root = np.sqrt(weights)[:, None]
    coef = np.linalg.lstsq(dummies * root, x * root, rcond=None)[0]
    expected = x - dummies @ coef
    for limit in (5000, 0):  # direct solve, then alternating projections
        transformer = WithinTransformer(unit, period, weights, direct_limit=limit)
        np.testing.assert_allclose(transformer.transform(x), expected, atol=1e-9)
        assert transformer.n_absorbed == 15 + 9 - 1
    assert WithinTransformer(unit, period, weights, direct_limit=0).method == (
        "alternating projections"
    )


# ----------------------------------------------------------------- planted effects
def _estimate(
    seed: int, inference: str = "cluster", n_boot: int = 199, **design
) -> tuple[float, float, float]:
    data = simulate_did_panel(seed, **design)
    est = did(
        data,
        outcome="y",
        treatment="treated",
        unit="unit",
        time="period",
        inference=inference,
        n_boot=n_boot,
    )
    return est.effect, est.ci_low, est.ci_high


def test_cluster_interval_covers_planted_effect_with_serial_correlation():
    result = coverage(_estimate, truth=1.0, seeds=range(150))
    assert abs(result["bias"]) < 0.08
    assert 0.88 <= result["coverage"] <= 0.99


def test_robust_interval_undercovers_with_serial_correlation():
    """The coverage check has teeth: ignoring serial correlation fails it."""
    result = coverage(lambda s: _estimate(s, "robust"), truth=1.0, seeds=range(150))
    assert result["coverage"] < 0.88


def test_wild_bootstrap_covers_with_few_clusters():
    result = coverage(lambda s: _estimate(s, "wild", n_units=8), truth=1.0, seeds=range(80))
    assert 0.85 <= result["coverage"] <= 1.0


def _brute_force_wild_p(
    data: pd.DataFrame,
    b0: float,
    draws: np.ndarray,
    covariates: tuple[str, ...] = (),
    weights: str | None = None,
) -> float:
    """Wild cluster restricted bootstrap by re-estimating dummy-variable (weighted) OLS."""
    unit, period = data["unit"].to_numpy(), data["period"].to_numpy()
    d, y = data["treated"].to_numpy(float), data["y"].to_numpy()
    root = np.sqrt(data[weights].to_numpy()) if weights else np.ones(len(y))
    n_units = unit.max() + 1
    fe = np.column_stack(
        [
            unit[:, None] == np.arange(n_units),
            (period[:, None] == np.arange(period.max() + 1))[:, 1:],
            data[list(covariates)].to_numpy(),
        ]
    ).astype(float)
    full = np.column_stack([d, fe])
    n, k = len(y), 1 + len(covariates)
    solve = np.linalg.pinv(full * root[:, None])
    cluster_indicator = (unit[None, :] == np.arange(n_units)[:, None]).astype(float)

    def t_stats(outcomes: np.ndarray, null: float) -> np.ndarray:
        """Cluster-robust (CR1) t statistics of the treatment coefficient, one per column."""
        coef = solve @ (outcomes * root[:, None])
        resid = (outcomes - full @ coef) * root[:, None]
        scores = cluster_indicator @ (solve[0][:, None] * resid)
        var = n_units / (n_units - 1) * (n - 1) / (n - k) * np.sum(scores**2, axis=0)
        return (coef[0] - null) / np.sqrt(var)

    restricted = np.linalg.lstsq(fe * root[:, None], (y - b0 * d) * root, rcond=None)[0]
    fitted = b0 * d + fe @ restricted
    resid = y - fitted
    t_obs = abs(t_stats(y[:, None], b0)[0])
    t_boot = np.abs(t_stats(fitted[:, None] + draws[:, unit].T * resid[:, None], b0))
    return float(np.mean(t_boot >= t_obs * (1 - 1e-12)))


@pytest.mark.parametrize(
    ("covariates", "weights"), [((), None), (("x",), "w")], ids=["plain", "covariate-weighted"]
)
def test_wild_bootstrap_matches_brute_force_reestimation(covariates, weights):
    data = simulate_did_panel(11, n_units=12, n_periods=4)
    rng = np.random.default_rng(5)
    data["x"] = rng.normal(size=len(data)) + 0.5 * data["treated"]
    data["w"] = rng.uniform(0.5, 2.0, size=len(data))
    est = did(
        data,
        outcome="y",
        treatment="treated",
        unit="unit",
        time="period",
        covariates=list(covariates) or None,
        weights=weights,
        inference="wild",
        n_boot=5000,
    )
    assert est.diagnostics["bootstrap_enumerated"]  # all 2^12 Rademacher draws
    draws = np.array(list(itertools.product([-1.0, 1.0], repeat=12)))

    def brute(b0: float) -> float:
        return _brute_force_wild_p(data, b0, draws, covariates, weights)

    assert est.p_value == pytest.approx(brute(0.0), abs=1e-12)
    # At the interval's ends the test inversion sits on the rejection boundary.
    for end, inside in ((est.ci_low, 1e-4), (est.ci_high, -1e-4)):
        assert brute(end + inside) > 0.05
        assert brute(end - inside) <= 0.05


# ----------------------------------------------------------------- edge cases
@pytest.fixture
def small_panel() -> pd.DataFrame:
    return simulate_did_panel(1, n_units=30, n_periods=6)


def test_one_cluster_is_an_error(small_panel):
    with pytest.raises(EstimationError, match="only 1 cluster"):
        did(
            small_panel.assign(region="all"),
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
            cluster="region",
        )


def test_few_clusters_refuses_analytic_and_suggests_wild(small_panel):
    region = small_panel["unit"] % 6
    with pytest.raises(EstimationError, match="inference='wild'"):
        did(
            small_panel.assign(region=region),
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
            cluster="region",
        )


def test_too_few_clusters_even_for_wild(small_panel):
    with pytest.raises(EstimationError, match="even the wild"):
        did(
            small_panel.assign(region=small_panel["unit"] % 3),
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
            cluster="region",
            inference="wild",
        )


def test_borderline_cluster_count_warns():
    est = did(
        simulate_did_panel(2, n_units=16),
        outcome="y",
        treatment="treated",
        unit="unit",
        time="period",
    )
    assert any("Only 16 clusters" in w for w in est.warnings)


@pytest.mark.parametrize("value", [0, 1])
def test_everyone_or_no_one_treated_is_an_error(small_panel, value):
    with pytest.raises(EstimationError, match="every row of 'treated'"):
        did(
            small_panel.assign(treated=value),
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
        )


def test_treatment_absorbed_by_period_effects_is_an_error(small_panel):
    everyone_from_3 = (small_panel["period"] >= 3).astype(int)
    with pytest.raises(EstimationError, match="does not vary once unit and period effects"):
        did(
            small_panel.assign(treated=everyone_from_3),
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
        )


def test_missing_outcome_names_column_and_rows(small_panel):
    broken = small_panel.copy()
    broken.loc[[4, 17], "y"] = np.nan
    with pytest.raises(EstimationError, match=r"column 'y' has 2 missing.*rows 4, 17"):
        did(broken, outcome="y", treatment="treated", unit="unit", time="period")


def test_treatment_must_be_binary(small_panel):
    with pytest.raises(EstimationError, match="must hold 0/1"):
        did(
            small_panel.assign(treated=small_panel["treated"] * 2),
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
        )


def test_collinear_covariate_is_named(small_panel):
    data = small_panel.assign(
        x=small_panel["unit"] * 0.1 + small_panel["period"] * 0.2,
        x2=lambda f: 2 * f["x"] + f["treated"],
    )
    with pytest.raises(EstimationError, match="does not vary|collinear"):
        did(data, outcome="y", treatment="treated", unit="unit", time="period", covariates=["x"])
    data["z"] = np.random.default_rng(0).normal(size=len(data))
    data["z2"] = 3 * data["z"]
    with pytest.raises(EstimationError, match="collinear"):
        did(
            data,
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
            covariates=["z", "z2"],
        )


def test_unknown_small_sample_convention_is_a_config_error(small_panel):
    with pytest.raises(ConfigError, match="small_sample must be one of nested, none, full"):
        did(
            small_panel,
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
            small_sample="stata",
        )


def test_bad_arguments_are_config_errors(small_panel):
    with pytest.raises(ConfigError, match="outcome='nope'"):
        did(small_panel, outcome="nope", treatment="treated", unit="unit", time="period")
    with pytest.raises(ConfigError, match="inference"):
        did(
            small_panel,
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
            inference="bootstrap",
        )
    with pytest.raises(EstimationError, match="positive"):
        did(
            small_panel.assign(w=0.0),
            outcome="y",
            treatment="treated",
            unit="unit",
            time="period",
            weights="w",
        )


def test_staggered_timing_is_flagged_and_result_serialises():
    data = simulate_did_panel(3)
    data.loc[(data["unit"] < 5) & (data["period"] == 3), "treated"] = 1
    est = did(data, outcome="y", treatment="treated", unit="unit", time="period")
    assert any("staggered_did" in w for w in est.warnings)
    record_json = json.dumps(est.to_dict(), allow_nan=False)
    assert "union" not in record_json and est.to_dict()["scale"] == "difference"
    assert list(est.table.columns) == ["coef", "se", "ci_low", "ci_high", "p_value"]


# ----------------------------------------------------------------- properties
_fast = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_fast
@given(seed=st.integers(0, 10_000), shift=st.floats(-1e3, 1e3, allow_nan=False))
def test_adding_a_constant_to_the_outcome_changes_nothing(seed, shift):
    data = simulate_did_panel(seed, n_units=20, n_periods=5)
    base = did(data, outcome="y", treatment="treated", unit="unit", time="period")
    moved = did(
        data.assign(y=data["y"] + shift),
        outcome="y",
        treatment="treated",
        unit="unit",
        time="period",
    )
    assert moved.effect == pytest.approx(base.effect, abs=1e-8 * (1 + abs(shift)))
    assert moved.se == pytest.approx(base.se, rel=1e-6)


@_fast
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_relabelling_and_reordering_units_changes_nothing(seed, perm_seed):
    data = simulate_did_panel(seed, n_units=20, n_periods=5)
    rng = np.random.default_rng(perm_seed)
    labels = rng.permutation(20)
    shuffled = data.assign(unit=[f"premises-{labels[u]}" for u in data["unit"]]).sample(
        frac=1.0, random_state=perm_seed
    )
    base = did(data, outcome="y", treatment="treated", unit="unit", time="period")
    other = did(shuffled, outcome="y", treatment="treated", unit="unit", time="period")
    assert other.effect == pytest.approx(base.effect, rel=1e-9, abs=1e-12)
    assert other.se == pytest.approx(base.se, rel=1e-9)


# ----------------------------------------------------------------- full coverage study
@pytest.mark.slow
@pytest.mark.parametrize(
    ("design", "inference", "n_units"),
    [("did_cluster_ar1", "cluster", 40), ("did_wild_8_clusters_ar1", "wild", 8)],
)
def test_full_coverage_study(design, inference, n_units):
    result = coverage(
        lambda s: _estimate(s, inference, 999, n_units=n_units),
        truth=1.0,
        seeds=range(10_000, 11_000),
    )
    record(design, result)
    assert 0.93 <= result["coverage"] <= 0.97
