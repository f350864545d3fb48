"""Tests for analysis.methods.event_study."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from linearmodels import PanelOLS
from linearmodels.datasets import wage_panel

from analysis.errors import ConfigError, EstimationError
from analysis.methods.event_study import event_study
from tests.methods.coverage_study import (
    coverage,
    event_effect,
    record,
    simulate_event_panel,
)

# linearmodels settings equal to small_sample="none"; the default is checked against pyfixest.
CR1 = {"debiased": True, "group_debias": True, "auto_df": False, "count_effects": False}


def _event_dummies(frame, *, time, first, leads, lags) -> pd.DataFrame:
    """Binned event-time indicators built with pandas, independently of the estimator."""
    rel = frame[time] - frame[first]
    dummies = {}
    for r in [*range(-leads, -1), *range(0, lags + 1)]:
        if r == -leads:
            column = rel <= r
        elif r == lags:
            column = rel >= r
        else:
            column = rel == r
        dummies[f"rel_time {r}"] = column.fillna(False).astype(float)
    return pd.DataFrame(dummies, index=frame.index)


def _reference_event_study(frame, *, unit, time, first, outcome, leads, lags):
    """Event-time dummies built with pandas, estimated by linearmodels PanelOLS."""
    regressors = _event_dummies(frame, time=time, first=first, leads=leads, lags=lags)
    dummies = list(regressors.columns)
    indexed = pd.concat([frame[[unit, time, outcome]], regressors], axis=1).set_index([unit, time])
    return PanelOLS(
        indexed[outcome], indexed[list(dummies)], entity_effects=True, time_effects=True
    ).fit(cov_type="clustered", cluster_entity=True, **CR1)


def test_matches_dummy_regression_on_wage_panel():
    wages = wage_panel.load()
    first_union = wages[wages["union"] == 1].groupby("nr")["year"].min()
    wages["first_union"] = wages["nr"].map(first_union)
    est = event_study(
        wages,
        outcome="lwage",
        unit="nr",
        time="year",
        first_treated="first_union",
        leads=3,
        lags=3,
        small_sample="none",
    )
    ref = _reference_event_study(
        wages, unit="nr", time="year", first="first_union", outcome="lwage", leads=3, lags=3
    )
    estimated = est.table.drop(index=-1)
    np.testing.assert_allclose(estimated["coef"], ref.params, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(estimated["se"], ref.std_errors, rtol=1e-7, atol=1e-10)
    # Joint test of the pre-period coefficients, computed from the reference covariance.
    pre = ["rel_time -3", "rel_time -2"]
    b = ref.params[pre].to_numpy()
    wald = b @ np.linalg.solve(ref.cov.loc[pre, pre].to_numpy(), b)
    assert est.diagnostics["pretrend_f"] == pytest.approx(wald / 2, rel=1e-7)


def test_default_small_sample_matches_pyfixest_on_wage_panel():
    """fixest's default: the person effects are nested in the person clusters, years counted."""
    wages = wage_panel.load()
    first_union = wages[wages["union"] == 1].groupby("nr")["year"].min()
    wages["first_union"] = wages["nr"].map(first_union)
    est = event_study(
        wages, outcome="lwage", unit="nr", time="year", first_treated="first_union", leads=3, lags=3
    )
    dummies = _event_dummies(wages, time="year", first="first_union", leads=3, lags=3)
    names = [f"d{j}" for j in range(dummies.shape[1])]  # formula-safe names
    frame = pd.concat([wages[["nr", "year", "lwage"]], dummies.set_axis(names, axis=1)], axis=1)
    ref = pf.feols(f"lwage ~ {' + '.join(names)} | nr + year", data=frame, vcov={"CRV1": "nr"})
    estimated = est.table.drop(index=-1)
    np.testing.assert_allclose(estimated["coef"], ref.coef(), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(estimated["se"], ref.se(), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(estimated["p_value"], ref.pvalue(), rtol=1e-6, atol=1e-10)
    assert est.diagnostics["small_sample"] == "nested"
    assert est.diagnostics["small_sample_k"] == len(names) + 8
    # The post-period average's interval uses the same covariance.
    post = [name for name, column in zip(names, dummies.columns, strict=True) if "-" not in column]
    weights = np.full(len(post), 1 / len(post))
    vcov = pd.DataFrame(ref._vcov, index=names, columns=names).loc[post, post].to_numpy()
    assert est.se == pytest.approx(float(np.sqrt(weights @ vcov @ weights)), rel=1e-7)


def test_unknown_small_sample_convention_is_a_config_error(panel):
    with pytest.raises(ConfigError, match="small_sample must be one of"):
        event_study(
            panel, outcome="y", unit="unit", time="period", first_treated="first", small_sample="x"
        )


def test_recovers_planted_dynamic_effects():
    data = simulate_event_panel(0, n_units=400)
    est = event_study(data, outcome="y", unit="unit", time="period", first_treated="first")
    dynamic = est.details["dynamic"]
    assert list(dynamic.columns) == ["rel_time", "coef", "se", "ci_low", "ci_high"]
    assert dynamic["rel_time"].dtype.kind == "i"
    reference = dynamic.set_index("rel_time").loc[-1]
    assert reference["coef"] == 0 and np.isnan(reference["se"])
    truth = event_effect(dynamic["rel_time"].to_numpy())
    np.testing.assert_allclose(dynamic["coef"], truth, atol=0.25)
    assert est.effect == pytest.approx(event_effect(np.arange(5)).mean(), abs=0.15)
    json.dumps(est.to_dict(), allow_nan=False)


def _average_post(seed: int) -> tuple[float, float, float]:
    est = event_study(
        simulate_event_panel(seed), outcome="y", unit="unit", time="period", first_treated="first"
    )
    return est.effect, est.ci_low, est.ci_high


def test_average_post_effect_coverage_with_serial_correlation():
    result = coverage(
        _average_post, truth=float(event_effect(np.arange(5)).mean()), seeds=range(120)
    )
    assert 0.88 <= result["coverage"] <= 0.99


def test_pretrend_test_has_nominal_size_and_power():
    null_p = [
        event_study(
            simulate_event_panel(s), outcome="y", unit="unit", time="period", first_treated="first"
        ).diagnostics["pretrend_p_value"]
        for s in range(120)
    ]
    assert 0.01 <= np.mean(np.array(null_p) < 0.05) <= 0.12
    trending = event_study(
        simulate_event_panel(1, pretrend=0.4),
        outcome="y",
        unit="unit",
        time="period",
        first_treated="first",
    )
    assert trending.diagnostics["pretrend_p_value"] < 0.01
    assert any("parallel trends is in doubt" in w for w in trending.warnings)


def test_month_start_dates_count_relative_time_in_months():
    data = simulate_event_panel(2)
    months = pd.date_range("2023-01-01", periods=10, freq="MS")
    dated = data.assign(
        period=months[data["period"]],
        first=pd.Series(months[5], index=data.index).where(data["first"].notna()),
    )
    est = event_study(dated, outcome="y", unit="unit", time="period", first_treated="first")
    plain = event_study(data, outcome="y", unit="unit", time="period", first_treated="first")
    np.testing.assert_allclose(est.details["dynamic"]["coef"], plain.details["dynamic"]["coef"])
    assert est.diagnostics["period_unit"] == "month"


def test_staggered_cohorts_warn():
    data = simulate_event_panel(3)
    data.loc[data["unit"] < 10, "first"] = 4.0
    est = event_study(data, outcome="y", unit="unit", time="period", first_treated="first")
    assert any("Sun and Abraham" in w for w in est.warnings)


# ----------------------------------------------------------------- edge cases
@pytest.fixture
def panel() -> pd.DataFrame:
    return simulate_event_panel(4)


def test_leads_below_two_is_a_config_error(panel):
    with pytest.raises(ConfigError, match="leads must be"):
        event_study(panel, outcome="y", unit="unit", time="period", first_treated="first", leads=1)


def test_window_beyond_the_data_is_an_error(panel):
    with pytest.raises(EstimationError, match="reduce leads/lags"):
        event_study(panel, outcome="y", unit="unit", time="period", first_treated="first", leads=8)


def test_too_few_pre_periods_is_an_error(panel):
    late = panel[panel["period"] >= 5]
    with pytest.raises(EstimationError, match="before treatment|reference period"):
        event_study(
            late, outcome="y", unit="unit", time="period", first_treated="first", leads=2, lags=2
        )


def test_no_treated_units_is_an_error(panel):
    with pytest.raises(EstimationError, match="no unit is ever treated"):
        event_study(
            panel.assign(first=np.nan),
            outcome="y",
            unit="unit",
            time="period",
            first_treated="first",
        )


def test_first_treated_must_be_constant_within_unit(panel):
    broken = panel.copy()
    broken.loc[0, "first"] = 3.0
    with pytest.raises(EstimationError, match="same in every row of a unit"):
        event_study(broken, outcome="y", unit="unit", time="period", first_treated="first")


def test_zero_as_never_treated_is_caught(panel):
    coded_like_r = panel.assign(
        period=panel["period"] + 2000, first=panel["first"].fillna(-2000) + 2000
    )
    with pytest.raises(EstimationError, match="use NaN"):
        event_study(coded_like_r, outcome="y", unit="unit", time="period", first_treated="first")


def test_mid_month_first_treated_date_is_an_error(panel):
    months = pd.date_range("2023-01-01", periods=10, freq="MS")
    dated = panel.assign(
        period=months[panel["period"]],
        first=pd.Series(pd.Timestamp("2023-06-14"), index=panel.index).where(
            panel["first"].notna()
        ),
    )
    with pytest.raises(EstimationError, match="month-start date"):
        event_study(dated, outcome="y", unit="unit", time="period", first_treated="first")


def test_few_clusters_is_an_error(panel):
    small = panel[panel["unit"].isin([0, 1, 2, 40, 41, 42])]
    with pytest.raises(EstimationError, match="only 6 clusters"):
        event_study(small, outcome="y", unit="unit", time="period", first_treated="first")


def test_missing_outcome_is_named(panel):
    broken = panel.copy()
    broken.loc[7, "y"] = np.nan
    with pytest.raises(EstimationError, match=r"'y' has 1 missing.*rows 7"):
        event_study(broken, outcome="y", unit="unit", time="period", first_treated="first")


@pytest.mark.slow
def test_full_coverage_study():
    result = coverage(
        _average_post, truth=float(event_effect(np.arange(5)).mean()), seeds=range(20_000, 21_000)
    )
    record("event_study_average_post_ar1", result)
    assert 0.93 <= result["coverage"] <= 0.97
