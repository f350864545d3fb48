"""Typed results of the discontinuity, time-series, survival and synthetic DiD estimators.

Each family names what sits in its estimate's ``diagnostics``/``details``/``table``; these
tests run the estimators on public and simulated data and check that every property is the
old dictionary value, that the serialised form is the plain Estimate's, that copies keep
the family, and that ``conf_int(level)`` equals re-running the estimator at that level.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError, EstimationError
from analysis.evidence.checks import balance_check
from analysis.methods.comparative_its import comparative_its
from analysis.methods.competing_risks import (
    CumulativeIncidence,
    cause_specific_cox,
    cumulative_incidence,
)
from analysis.methods.its import its
from analysis.methods.propensity import balance, ipw, propensity_score
from analysis.methods.rates import (
    Proportion,
    ProportionDifference,
    compare_proportions,
    proportion,
)
from analysis.methods.rdd import fuzzy_rdd, rdd
from analysis.methods.survival import CoxModel, KaplanMeier, cox, kaplan_meier
from analysis.methods.synthetic_did import synthetic_did
from analysis.plots import plot_balance
from analysis.results import (
    ComparativeTimeSeriesResult,
    CovariateBalance,
    DiscontinuityResult,
    Estimate,
    FuzzyDiscontinuityResult,
    InterruptedTimeSeriesResult,
    PropensityFit,
    SyntheticDiDResult,
    compare,
)
from tests.methods.coverage_study import simulate_its_series
from tests.methods.test_comparative_its import simulate_comparative

CALIFORNIA = Path(__file__).parent / "data" / "california_prop99.csv"


def _as_plain_estimate(result: Estimate) -> Estimate:
    return Estimate(**{f.name: getattr(result, f.name) for f in fields(Estimate)})


def assert_serialises_as_before(result: Estimate, family: type) -> None:
    """The family adds no field: to_dict is the plain Estimate's, and copies keep the type.

    The survival families had their own sentences before they had named properties, so
    the summary compared is the family's own.
    """
    assert type(result) is family
    plain = _as_plain_estimate(result).to_dict()
    plain["summary"] = result.summary()
    assert result.to_dict() == plain
    json.dumps(result.to_dict(), allow_nan=False)
    assert type(result.with_updates(outcome="renamed")) is family
    assert type(result.with_warning("a caveat")) is family


def assert_interval_is_rerun(at_95: Estimate, rerun: Estimate, level: float) -> None:
    np.testing.assert_allclose(at_95.conf_int(level), rerun.interval, rtol=1e-9)
    assert at_95.conf_int() == at_95.interval


# ----------------------------------------------------------------- regression discontinuity
@pytest.fixture(scope="module")
def fuzzy_frame() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 3000
    score = rng.uniform(-1, 1, n)
    treated = (rng.random(n) < np.where(score >= 0, 0.8, 0.1)).astype(int)
    outcome = 0.3 * score + 0.5 * treated + rng.normal(0, 0.3, n)
    return pd.DataFrame({"score": score, "d": treated, "y": outcome})


def test_sharp_discontinuity_names_bandwidth_sides_and_density_test(senate):
    est = rdd(senate, outcome="vote", running="margin")
    assert_serialises_as_before(est, DiscontinuityResult)
    d = est.diagnostics
    assert est.bandwidth == d["bandwidth"] and est.bias_bandwidth == d["bandwidth_bias"]
    assert est.bandwidth_method == d["bandwidth_method"]
    assert (est.kernel, est.polynomial) == ("triangular", 1)
    assert (est.n_below, est.n_above) == (d["n_below_in_bandwidth"], d["n_above_in_bandwidth"])
    assert est.bias_corrected_effect == d["bias_corrected_effect"]
    assert est.robust_se == d["robust_se"]
    assert est.conventional_interval == (d["conventional_ci_low"], d["conventional_ci_high"])
    assert est.density_p_value == d["density_p_value"]
    assert est.density_test["density_log_difference"] == d["density_log_difference"]
    assert est.density_test["density_test"] == d["density_test"]
    assert set(est.density_test) == {k for k in d if k.startswith("density_")}
    assert est.cutoff == 0 and est.bins is est.details["bins"] and est.fit is est.details["fit"]


@pytest.mark.parametrize("level", [0.90, 0.80])
def test_sharp_discontinuity_rebuilds_its_robust_interval_at_another_level(senate, level):
    at_95 = rdd(senate, outcome="vote", running="margin")
    rerun = rdd(senate, outcome="vote", running="margin", conf_level=level)
    assert rerun.bandwidth == at_95.bandwidth  # the bandwidth does not depend on the level
    assert_interval_is_rerun(at_95, rerun, level)
    # The robust interval is centred on the bias-corrected jump, not on the conventional one.
    low, high = at_95.conf_int(level)
    assert (low + high) / 2 == pytest.approx(at_95.bias_corrected_effect)
    with pytest.raises(ConfigError, match="between 0 and 1"):
        at_95.conf_int(95)
    # Rescaled by a programme, the robust statistics no longer describe it: Wald from se.
    rescaled = at_95.with_updates(effect=100 * at_95.effect, se=100 * at_95.se)
    assert rescaled.conf_int(level) == pytest.approx(Estimate.conf_int(rescaled, level))


def test_fuzzy_discontinuity_names_first_stage_and_reduced_form(fuzzy_frame):
    est = fuzzy_rdd(fuzzy_frame, outcome="y", treatment="d", running="score", cutoff=0)
    assert_serialises_as_before(est, FuzzyDiscontinuityResult)
    d = est.diagnostics
    assert type(est.first_stage) is DiscontinuityResult
    assert est.first_stage.effect == d["first_stage"]
    assert est.first_stage.interval == (d["first_stage_ci_low"], d["first_stage_ci_high"])
    assert est.reduced_form.effect == d["reduced_form"]
    assert est.reduced_form.interval == (d["reduced_form_ci_low"], d["reduced_form_ci_high"])
    assert est.bandwidth == d["bandwidth"]
    assert (est.n_below, est.n_above) == (d["n_below_in_bandwidth"], d["n_above_in_bandwidth"])
    assert est.share_treated_below == d["share_treated_below"]
    assert est.share_treated_above == d["share_treated_above"]
    assert est.density_p_value == d["density_p_value"]


@pytest.mark.parametrize("level", [0.90, 0.99])
def test_fuzzy_discontinuity_inverts_the_test_again_at_another_level(fuzzy_frame, level):
    kwargs = {"outcome": "y", "treatment": "d", "running": "score", "cutoff": 0}
    at_95 = fuzzy_rdd(fuzzy_frame, bandwidth=0.4, **kwargs)
    rerun = fuzzy_rdd(fuzzy_frame, bandwidth=0.4, conf_level=level, **kwargs)
    assert_interval_is_rerun(at_95, rerun, level)
    rescaled = at_95.with_updates(effect=100 * at_95.effect, se=100 * at_95.se)
    assert rescaled.conf_int(level) == pytest.approx(Estimate.conf_int(rescaled, level))


def test_fuzzy_interval_at_a_level_where_the_first_stage_is_weak_is_a_clear_error():
    rng = np.random.default_rng(8)
    n = 800
    score = rng.uniform(-1, 1, n)
    treated = (rng.random(n) < np.where(score >= 0, 0.35, 0.2)).astype(int)
    frame = pd.DataFrame({"score": score, "d": treated, "y": treated + rng.normal(0, 1, n)})
    est = fuzzy_rdd(
        frame,
        outcome="y",
        treatment="d",
        running="score",
        cutoff=0,
        bandwidth=0.8,
        conf_level=0.5,
    )
    with pytest.raises(EstimationError, match="unbounded"):
        est.conf_int(0.9999)


# ----------------------------------------------------------------- interrupted time series
def test_its_names_level_and_slope_changes_seasonality_and_autocorrelation():
    series = simulate_its_series(3, rho=0.3)
    est = its(series, outcome="count", time="month", intervention="2022-01-01", slope_change=True)
    assert_serialises_as_before(est, InterruptedTimeSeriesResult)
    d = est.diagnostics
    assert est.level_change == est.effect
    assert est.slope_change == d["slope_change_per_year"]
    row = est.table.loc["slope_change"]
    assert est.slope_change_interval == pytest.approx(
        (np.exp(row["ci_low"]), np.exp(row["ci_high"]))
    )
    assert est.harmonics == d["harmonics"] == 2
    assert list(est.seasonality.index) == ["sin1", "cos1", "sin2", "cos2"]
    assert est.autocorrelation == {
        "ljung_box_p_value": d["ljung_box_p_value"],
        "ljung_box_lags": d["ljung_box_lags"],
        "durbin_watson": d["durbin_watson"],
        "hac_lags": None,
    }
    assert est.events == (d["events_pre"], d["events_post"])
    assert (est.n_pre, est.n_post) == (d["n_pre"], d["n_post"])
    assert est.family == "quasipoisson" and est.dispersion == d["dispersion"]
    assert est.covariance == "model-based" and est.nb_alpha is None
    assert est.coefficients is est.table and est.fitted is est.details["fitted"]
    assert est.intervention == pd.Timestamp("2022-01-01")


def test_its_without_slope_change_or_seasonality_says_so():
    series = simulate_its_series(4)
    est = its(series, outcome="count", time="month", intervention="2022-01-01", harmonics=0)
    assert est.slope_change is None and est.slope_change_interval is None
    assert est.seasonality.empty


@pytest.mark.parametrize(
    ("family", "options"),
    [
        ("quasipoisson", {}),  # t reference on the residual degrees of freedom
        ("poisson", {}),  # normal reference
        ("gaussian", {}),  # a difference, t reference
        ("quasipoisson", {"hac_lags": 3}),
        ("negativebinomial", {}),
    ],
)
def test_its_conf_int_equals_rerunning_at_that_level(family, options):
    series = simulate_its_series(5)
    kwargs = {"outcome": "count", "time": "month", "intervention": "2022-01-01"}
    at_95 = its(series, family=family, **kwargs, **options)
    rerun = its(series, family=family, conf_level=0.90, **kwargs, **options)
    assert_interval_is_rerun(at_95, rerun, 0.90)
    if family in ("quasipoisson", "gaussian"):
        assert at_95.degrees_of_freedom == at_95.details["model"].df_resid
    else:
        assert at_95.degrees_of_freedom is None


def test_comparative_its_names_series_and_seasonality():
    data = simulate_comparative(2)
    kwargs = {
        "outcome": "count",
        "time": "month",
        "series": "area",
        "treated_series": "Dorset",
        "intervention": "2022-01-01",
    }
    est = comparative_its(data, **kwargs)
    assert_serialises_as_before(est, ComparativeTimeSeriesResult)
    d = est.diagnostics
    assert est.level_change == est.effect
    assert (est.n_series, est.n_comparison_series) == (d["n_series"], d["n_comparison_series"])
    assert est.harmonics == d["harmonics"] and len(est.seasonality) == 2 * d["harmonics"]
    assert (est.n_pre, est.n_post, est.dispersion) == (d["n_pre"], d["n_post"], d["dispersion"])
    assert est.fitted is est.details["fitted"] and est.coefficients is est.table
    rerun = comparative_its(data, conf_level=0.80, **kwargs)
    assert_interval_is_rerun(est, rerun, 0.80)


# ----------------------------------------------------------------- survival
def test_cox_names_its_clusters_and_proportional_hazards_check(rossi):
    frame = rossi.assign(cluster=np.arange(len(rossi)) // 4)
    est = cox(
        frame, duration="week", event="arrest", covariates=["fin", "age", "prio"], cluster="cluster"
    )
    assert_serialises_as_before(est, CoxModel)
    d = est.diagnostics
    assert est.clustered and est.n_clusters == d["n_clusters"] == 108
    assert est.model_se == d["model_se"]
    assert est.ph_p_value == d["ph_global_p_value"]
    assert est.ph_p_values == d["ph_p_values"]
    assert est.ph_test is est.details["ph_test"]
    assert est.n_events == d["n_events"] == 114
    assert est.likelihood_ratio_p_value == d["lr_p_value"]
    assert est.coefficients is est.table and est.covariance is est.details["covariance"]
    unclustered = cox(rossi, duration="week", event="arrest", covariates=["fin"])
    assert not unclustered.clustered and unclustered.n_clusters is None
    assert unclustered.model_se is None


def test_cox_and_cause_specific_cox_rebuild_the_interval_at_another_level(rossi):
    kwargs = {"duration": "week", "event": "arrest", "covariates": ["fin", "age"]}
    at_95 = cox(rossi, **kwargs)
    assert_interval_is_rerun(at_95, cox(rossi, conf_level=0.90, **kwargs), 0.90)
    ends = rossi.assign(end=np.where(rossi["arrest"] == 1, np.where(rossi["age"] < 22, 1, 2), 0))
    options = {"duration": "week", "event": "end", "cause": 1, "covariates": ["fin"]}
    specific = cause_specific_cox(ends, **options)
    assert type(specific) is CoxModel
    rerun = cause_specific_cox(ends, conf_level=0.80, **options)
    assert_interval_is_rerun(specific, rerun, 0.80)


def test_kaplan_meier_names_curves_and_rebuilds_each_kind_of_interval(rossi):
    grouped = kaplan_meier(rossi, duration="week", event="arrest", group="fin")
    assert_serialises_as_before(grouped, KaplanMeier)
    assert grouped.log_rank_p_value == grouped.diagnostics["log_rank_p_value"]
    assert (grouped.n_events, grouped.n_censored) == (114, 318)
    assert grouped.curves is grouped.details["curves"]
    assert grouped.risk_table is grouped.details["risk_table"]
    rerun = kaplan_meier(rossi, duration="week", event="arrest", group="fin", conf_level=0.9)
    assert_interval_is_rerun(grouped, rerun, 0.90)  # a hazard ratio, on the log scale

    # Median not reached: the effect is the share still without arrest, with the curve's
    # log(-log) interval, which conf_int rebuilds at another level.
    share = kaplan_meier(rossi, duration="week", event="arrest")
    assert share.scale == "proportion" and share.log_rank_p_value is None
    rerun = kaplan_meier(rossi, duration="week", event="arrest", conf_level=0.8)
    assert_interval_is_rerun(share, rerun, 0.80)
    assert share.median_interval is share.details["median_ci"]

    medians = pd.DataFrame({"days": [1, 2, 2, 3, 5, 6], "ended": [1, 1, 0, 1, 1, 0]})
    median = kaplan_meier(medians, duration="days", event="ended")
    assert median.scale == "days" and median.se is None
    with pytest.raises(EstimationError, match="no standard error"):
        median.conf_int(0.9)


def test_cumulative_incidence_names_its_counts_and_rebuilds_its_interval(rossi):
    ends = rossi.assign(end=np.where(rossi["arrest"] == 1, np.where(rossi["age"] < 22, 1, 2), 0))
    kwargs = {"duration": "week", "event": "end", "cause": 1, "at": 40}
    single = cumulative_incidence(ends, **kwargs)
    assert_serialises_as_before(single, CumulativeIncidence)
    d = single.diagnostics
    assert single.time == d["time"] == 40
    assert (single.n_events, single.n_competing_events, single.n_censored) == (
        d["n_events"],
        d["n_competing_events"],
        d["n_censored"],
    )
    assert single.curves is single.details["curves"]
    assert_interval_is_rerun(single, cumulative_incidence(ends, conf_level=0.9, **kwargs), 0.9)
    grouped = cumulative_incidence(ends, group="fin", **kwargs)
    assert grouped.scale == "difference"
    rerun = cumulative_incidence(ends, group="fin", conf_level=0.9, **kwargs)
    assert_interval_is_rerun(grouped, rerun, 0.9)


# ----------------------------------------------------------------- synthetic DiD
def test_synthetic_did_names_unit_and_time_weights():
    data = pd.read_csv(CALIFORNIA)
    kwargs = {"outcome": "PacksPerCapita", "unit": "State", "time": "Year", "treatment": "treated"}
    est = synthetic_did(data, **kwargs, replications=2)
    assert_serialises_as_before(est, SyntheticDiDResult)
    assert est.unit_weights is est.details["unit_weights"]
    assert est.time_weights is est.details["time_weights"]
    (omega,) = est.unit_weights.values()
    (lam,) = est.time_weights.values()
    assert omega.sum() == pytest.approx(1) and lam.sum() == pytest.approx(1)
    assert est.cohorts is est.table and est.replicates is est.details["replicates"]
    assert est.estimator == "sdid" and est.variance == est.diagnostics["variance"]
    assert est.effective_comparison_units == est.diagnostics["effective_comparison_units"]
    rerun = synthetic_did(data, **kwargs, replications=2, conf_level=0.9)
    assert_interval_is_rerun(est, rerun, 0.9)


# ----------------------------------------------------------------- diagnostics, not effects
CATTANEO_COLUMNS = ["mmarried_", "mage", "mage2", "fbaby_", "medu"]


def test_propensity_model_is_a_fit_diagnostic_not_an_effect(cattaneo):
    kwargs = {"treatment": "mbsmoke_", "covariates": CATTANEO_COLUMNS}
    model = propensity_score(cattaneo, **kwargs)
    assert isinstance(model, PropensityFit) and not isinstance(model, Estimate)
    d = model.diagnostics
    assert model.c_statistic == d["c_statistic"] and model.c_statistic_se == d["c_statistic_se"]
    assert model.share_treated_outside_control_range == d["share_treated_outside_control_range"]
    assert (model.n_treated, model.n_control) == (d["n_treated"], d["n_control"])
    assert model.n == model.n_treated + model.n_control == len(cattaneo)
    assert model.overlap["score_min_control"] == d["score_min_control"]
    assert "c_statistic" not in model.overlap
    assert model.coefficients is model.table and model.scores is model.details["scores"]
    # The DeLong interval at another level is the one a fit at that level reports.
    low, high = model.conf_int()
    assert 0 <= low < model.c_statistic < high <= 1
    at_90 = propensity_score(cattaneo, conf_level=0.90, **kwargs)
    np.testing.assert_allclose(model.conf_int(0.90), at_90.conf_int(), rtol=1e-12)
    assert model.summary().startswith(f"Propensity model: c-statistic {model.c_statistic:.3f}")
    record = json.loads(json.dumps(model.to_dict(), allow_nan=False))
    assert record["kind"] == "PropensityModel" and record["diagnostics"]["c_statistic"] > 0.5
    assert "effect" not in record and "ci_low" not in record
    with pytest.raises(ConfigError, match="not an Estimate"):
        compare({"model": model, "other": rdd_like_estimate()})


def rdd_like_estimate() -> Estimate:
    return Estimate(0.1, 0.0, 0.2, 0.05, 100, "difference", "m", "e", se=0.05)


@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_propensity_effective_sample_sizes_are_those_weighting_leaves(cattaneo, estimand):
    model = propensity_score(cattaneo, treatment="mbsmoke_", covariates=CATTANEO_COLUMNS)
    weighted = ipw(
        cattaneo,
        outcome="bweight",
        treatment="mbsmoke_",
        covariates=CATTANEO_COLUMNS,
        estimand=estimand,
    )
    sizes = model.effective_sample_size(estimand.lower())
    assert sizes["treated"] == pytest.approx(weighted.diagnostics["effective_sample_size_treated"])
    assert sizes["control"] == pytest.approx(weighted.diagnostics["effective_sample_size_control"])
    if estimand == "ATT":
        assert sizes["treated"] == model.n_treated  # every treated unit has weight 1
    with pytest.raises(ConfigError, match="'ATT' or 'ATE'"):
        model.effective_sample_size("ATC")


def test_balance_is_a_description_with_no_pretend_interval(cattaneo):
    model = propensity_score(cattaneo, treatment="mbsmoke_", covariates=CATTANEO_COLUMNS)
    scores = model.scores.to_numpy()
    odds = np.where(cattaneo["mbsmoke_"] == 1, 1.0, scores / (1 - scores))
    before_and_after = balance(
        cattaneo, treatment="mbsmoke_", covariates=CATTANEO_COLUMNS, weights=odds
    )
    assert isinstance(before_and_after, CovariateBalance)
    assert not isinstance(before_and_after, Estimate)
    assert not hasattr(before_and_after, "ci_low") and not hasattr(before_and_after, "p_value")
    d = before_and_after.diagnostics
    table = before_and_after.table
    assert before_and_after.max_abs_after == d["max_abs_smd_after"]
    assert before_and_after.max_abs_before == d["max_abs_smd_before"]
    assert before_and_after.max_abs_after < before_and_after.max_abs_before  # weighting helps
    assert before_and_after.threshold == d["threshold"] == 0.1
    assert before_and_after.sd_denominator == "pooled"
    assert len(before_and_after.imbalanced) == d["n_imbalanced"]
    assert before_and_after.balanced == (d["n_imbalanced"] == 0)
    assert before_and_after.worst_covariate == table["smd_after"].abs().idxmax()
    assert list(before_and_after.standardised_differences.columns) == ["smd_before", "smd_after"]

    unadjusted = balance(cattaneo, treatment="mbsmoke_", covariates=CATTANEO_COLUMNS)
    assert unadjusted.imbalanced == table.index[table["smd_before"].abs() > 0.1].tolist()
    assert not unadjusted.balanced
    assert any(", ".join(unadjusted.imbalanced) in w for w in unadjusted.warnings)
    assert "so the groups still differ" in unadjusted.summary()

    # The evidence checks and the Love plot read it as they read the old dictionaries.
    from_result = balance_check(unadjusted)
    assert from_result == balance_check(dict(unadjusted.diagnostics))
    assert from_result.passed is False
    record = json.loads(json.dumps(unadjusted.to_dict(), allow_nan=False))
    assert record["kind"] == "Balance" and len(record["table"]) == len(table)
    figure = plot_balance(unadjusted)
    np.testing.assert_allclose(
        sorted(figure.axes[0].collections[0].get_offsets()[:, 0]),
        sorted(plot_balance(unadjusted.table).axes[0].collections[0].get_offsets()[:, 0]),
    )


# ----------------------------------------------------------------- proportions
@pytest.mark.parametrize(("k", "n"), [(12, 40), (0, 25), (3, 3), (480, 1200)])
def test_a_proportion_rebuilds_its_wilson_interval_at_another_level(k, n):
    est = proportion(k, n)
    assert_serialises_as_before(est, Proportion)
    assert (est.events, est.trials) == (k, n)
    for level in (0.80, 0.90, 0.99):
        assert_interval_is_rerun(est, proportion(k, n, conf_level=level), level)
    # A copy a programme rescales is no longer described by its counts: Wald from se.
    rescaled = est.with_updates(effect=100 * est.effect, scale="percent", se=100 * est.se)
    assert rescaled.conf_int(0.9) == pytest.approx(
        (rescaled.effect - 1.6448536 * rescaled.se, rescaled.effect + 1.6448536 * rescaled.se)
    )


@pytest.mark.parametrize(("k1", "n1", "k0", "n0"), [(30, 100, 45, 100), (0, 40, 6, 50)])
def test_two_proportions_name_their_parts_and_rebuild_the_newcombe_interval(k1, n1, k0, n0):
    est = compare_proportions(k1, n1, k0, n0)
    assert_serialises_as_before(est, ProportionDifference)
    d = est.diagnostics
    assert est.counts == (k1, n1, k0, n0)
    assert est.proportions == (d["proportion_1"], d["proportion_0"]) == (k1 / n1, k0 / n0)
    assert est.risk_ratio == d["risk_ratio"]
    assert est.risk_ratio_interval == (d["risk_ratio_ci_low"], d["risk_ratio_ci_high"])
    for level in (0.80, 0.99):
        assert_interval_is_rerun(est, compare_proportions(k1, n1, k0, n0, level), level)
    rescaled = est.with_updates(effect=est.effect / 100, scale="difference", se=est.se / 100)
    assert rescaled.conf_int(0.8) != pytest.approx(est.conf_int(0.8))
