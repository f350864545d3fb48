"""Kaplan-Meier, log-rank and Cox regression against lifelines and statsmodels."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_waltons
from lifelines.statistics import logrank_test, multivariate_logrank_test, proportional_hazard_test
from lifelines.utils import median_survival_times
from statsmodels.duration.hazard_regression import PHReg

from analysis.errors import DataValidationError, EstimationError
from analysis.methods.survival import cox, kaplan_meier

# lifelines calls pandas with positional arguments that pandas 4 will reject; not ours.
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")

ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


# --------------------------------------------------------------------------- Kaplan-Meier
def test_kaplan_meier_matches_lifelines_on_rossi(rossi):
    km = kaplan_meier(rossi, duration="week", event="arrest", time_unit="weeks")
    reference = KaplanMeierFitter().fit(rossi["week"], rossi["arrest"])
    curve = km.details["curves"]
    assert curve["time"].tolist() == reference.survival_function_.index.tolist()
    np.testing.assert_allclose(
        curve["survival"], reference.survival_function_.iloc[:, 0], atol=1e-12
    )
    np.testing.assert_allclose(
        curve["ci_low"], reference.confidence_interval_.iloc[:, 0], atol=1e-10
    )
    np.testing.assert_allclose(
        curve["ci_high"], reference.confidence_interval_.iloc[:, 1], atol=1e-10
    )
    np.testing.assert_array_equal(curve["at_risk"], reference.event_table["at_risk"])
    np.testing.assert_array_equal(curve["events"], reference.event_table["observed"])
    np.testing.assert_array_equal(curve["censored"], reference.event_table["censored"])
    # Fewer than half rearrested within a year: median not reached, said, not hidden.
    assert km.median == {"all": None}
    assert km.scale == "proportion" and any("Median not reached" in w for w in km.warnings)
    assert km.effect == pytest.approx(reference.survival_function_.iloc[-1, 0])
    for t in (0, 10.5, 26, 52, 60):
        assert km.survival_at(t) == pytest.approx(float(reference.predict(t)), abs=1e-12)


def test_kaplan_meier_median_and_interval_match_lifelines():
    waltons = load_waltons()
    km = kaplan_meier(waltons, duration="T", event="E", group="group")
    for label, rows in waltons.groupby("group"):
        reference = KaplanMeierFitter().fit(rows["T"], rows["E"])
        assert km.median[label] == pytest.approx(reference.median_survival_time_)
        bounds = median_survival_times(reference.confidence_interval_)
        low, high = km.details["median_ci"][label]
        assert low == pytest.approx(bounds.iloc[0, 0])
        assert high == pytest.approx(bounds.iloc[0, 1])
        curve = km.details["curves"].query("group == @label")
        np.testing.assert_allclose(
            curve["ci_low"], reference.confidence_interval_.iloc[:, 0], atol=1e-10
        )


def test_single_group_median_effect_with_interval():
    waltons = load_waltons().query("group == 'control'")
    km = kaplan_meier(waltons, duration="T", event="E", time_unit="days")
    reference = KaplanMeierFitter().fit(waltons["T"], waltons["E"])
    assert km.scale == "days"
    assert km.effect == pytest.approx(reference.median_survival_time_)
    bounds = median_survival_times(reference.confidence_interval_)
    assert (km.ci_low, km.ci_high) == pytest.approx((bounds.iloc[0, 0], bounds.iloc[0, 1]))
    assert km.summary().startswith("Median time to E:")


def test_log_rank_matches_lifelines_two_groups(rossi):
    km = kaplan_meier(rossi, duration="week", event="arrest", group="fin")
    treated, control = rossi[rossi["fin"] == 1], rossi[rossi["fin"] == 0]
    reference = logrank_test(treated["week"], control["week"], treated["arrest"], control["arrest"])
    assert km.p_value == pytest.approx(reference.p_value, rel=1e-10)
    assert km.diagnostics["log_rank_statistic"] == pytest.approx(reference.test_statistic)
    table = km.table
    # Observed and expected totals agree, as they must under the log-rank construction.
    assert table["observed"].sum() == pytest.approx(table["expected"].sum())
    ratio = (table.loc[1, "observed"] / table.loc[1, "expected"]) / (
        table.loc[0, "observed"] / table.loc[0, "expected"]
    )
    assert km.effect == pytest.approx(ratio)
    assert km.scale == "hazard ratio"
    curves = km.details["curves"]
    assert list(curves.columns) == [
        "group",
        "time",
        "survival",
        "ci_low",
        "ci_high",
        "at_risk",
        "events",
        "censored",
    ]
    assert list(km.details["risk_table"].index) == [0, 1]
    assert km.details["risk_table"].iloc[:, 0].tolist() == [216, 216]


def test_log_rank_matches_lifelines_three_groups(rossi):
    frame = rossi.assign(age_band=pd.cut(rossi["age"], [0, 20, 25, 100], labels=False))
    km = kaplan_meier(frame, duration="week", event="arrest", group="age_band")
    reference = multivariate_logrank_test(frame["week"], frame["age_band"], frame["arrest"])
    assert km.p_value == pytest.approx(reference.p_value, rel=1e-9)
    assert km.diagnostics["log_rank_df"] == 2
    assert any("3 groups" in w for w in km.warnings)


def test_log_rank_hazard_ratio_recovers_planted_truth():
    rng = np.random.default_rng(2)
    n = 20_000
    group = rng.integers(0, 2, n)
    time_to_event = rng.exponential(1 / (0.01 * np.where(group == 1, 0.6, 1.0)))
    censor = rng.uniform(20, 150, n)
    frame = pd.DataFrame(
        {
            "days": np.minimum(time_to_event, censor),
            "event": time_to_event <= censor,
            "group": group,
        }
    )
    km = kaplan_meier(frame, duration="days", event="event", group="group")
    assert km.ci_low < 0.6 < km.ci_high
    assert km.effect == pytest.approx(0.6, abs=0.03)


def test_kaplan_meier_errors_and_edge_cases():
    frame = pd.DataFrame({"days": [1.0, 2.0, np.nan, 4.0], "event": [1, 0, 1, 1]})
    with pytest.raises(DataValidationError, match=r"'days'.*1 missing.*rows 4"):
        kaplan_meier(frame, duration="days", event="event")
    with pytest.raises(EstimationError, match="no row has event = 1"):
        kaplan_meier(frame.fillna(3.0).assign(event=0), duration="days", event="event")
    with pytest.raises(DataValidationError, match="negative"):
        kaplan_meier(frame.fillna(-3.0), duration="days", event="event")
    everyone = kaplan_meier(frame.fillna(3.0).assign(event=1), duration="days", event="event")
    curve = everyone.details["curves"]
    assert curve["survival"].iloc[-1] == 0.0
    assert np.isfinite(curve[["ci_low", "ci_high"]].to_numpy()).all()
    one_group_empty = pd.DataFrame(
        {"days": [1, 2, 3, 4, 5, 6], "event": [1, 1, 1, 0, 0, 0], "g": [0, 0, 0, 1, 1, 1]}
    )
    km = kaplan_meier(one_group_empty, duration="days", event="event", group="g")
    assert math.isfinite(km.effect) and any("0.5 was added" in w for w in km.warnings)


def test_timedelta_durations_are_days():
    frame = pd.DataFrame(
        {"wait": pd.to_timedelta([1, 2, 3, 5, 8], unit="D"), "charged": [1, 1, 0, 1, 1]}
    )
    km = kaplan_meier(frame, duration="wait", event="charged")
    assert km.details["curves"]["time"].tolist() == [0.0, 1.0, 2.0, 3.0, 5.0, 8.0]


# --------------------------------------------------------------------------- Cox
@pytest.mark.parametrize("formula", [False, True])
def test_cox_matches_lifelines_on_rossi(rossi, formula):
    covariates = " + ".join(ROSSI_COVARIATES) if formula else ROSSI_COVARIATES
    model = cox(rossi, duration="week", event="arrest", covariates=covariates)
    reference = CoxPHFitter().fit(rossi, "week", "arrest")
    ours = model.table.loc[ROSSI_COVARIATES]
    np.testing.assert_allclose(ours["coef"], reference.params_[ROSSI_COVARIATES], atol=1e-6)
    np.testing.assert_allclose(ours["se"], reference.standard_errors_[ROSSI_COVARIATES], atol=1e-6)
    np.testing.assert_allclose(
        ours["p_value"], reference.summary.loc[ROSSI_COVARIATES, "p"], rtol=1e-5
    )
    assert model.diagnostics["log_partial_likelihood"] == pytest.approx(
        reference.log_likelihood_, abs=1e-8
    )
    assert model.effect == pytest.approx(math.exp(reference.params_["fin"]), rel=1e-6)
    assert list(model.table.columns) == [
        "coef",
        "se",
        "hazard_ratio",
        "ci_low",
        "ci_high",
        "p_value",
    ]


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_matches_statsmodels_phreg(rossi, ties):
    model = cox(rossi, duration="week", event="arrest", covariates=ROSSI_COVARIATES, ties=ties)
    reference = PHReg(
        rossi["week"], rossi[ROSSI_COVARIATES], status=rossi["arrest"], ties=ties
    ).fit()
    np.testing.assert_allclose(model.table["coef"], reference.params, atol=1e-9)
    np.testing.assert_allclose(model.table["se"], reference.bse, atol=1e-9)


def test_cox_stratified_matches_lifelines(rossi):
    covariates = ["fin", "age", "prio"]
    model = cox(rossi, duration="week", event="arrest", covariates=covariates, strata="wexp")
    reference = CoxPHFitter().fit(
        rossi[["week", "arrest", "wexp", *covariates]], "week", "arrest", strata=["wexp"]
    )
    np.testing.assert_allclose(model.table["coef"], reference.params_[covariates], atol=1e-6)
    np.testing.assert_allclose(model.table["se"], reference.standard_errors_[covariates], atol=1e-6)


def test_ph_test_matches_lifelines_without_ties():
    # Continuous times: no ties, so lifelines' rank transform and ours coincide.
    rng = np.random.default_rng(5)
    n = 600
    x = rng.normal(size=n)
    z = rng.integers(0, 2, n)
    # The effect of x fades over time: a proportional-hazards violation to detect.
    t = rng.weibull(np.where(x > 0, 1.6, 0.8)) * np.exp(-0.3 * z)
    c = rng.uniform(0, 3, n)
    frame = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x": x, "z": z})
    model = cox(frame, duration="t", event="e", covariates=["x", "z"])
    reference_model = CoxPHFitter().fit(frame, "t", "e")
    reference = proportional_hazard_test(reference_model, frame, time_transform="rank")
    ours = model.details["ph_test"]
    for name in ("x", "z"):
        assert ours.loc[name, "statistic"] == pytest.approx(
            reference.summary.loc[name, "test_statistic"], rel=1e-5
        )
        assert ours.loc[name, "p_value"] == pytest.approx(
            reference.summary.loc[name, "p"], rel=1e-4
        )
    assert "GLOBAL" in ours.index and model.diagnostics["ph_global_p_value"] < 0.05
    assert any("Proportional-hazards test" in w for w in model.warnings)


def test_cox_with_many_ties_never_nan_and_matches_lifelines():
    rng = np.random.default_rng(8)
    n = 20_000
    frame = pd.DataFrame({"programme": rng.integers(0, 2, n), "age": rng.normal(35, 10, n)})
    hazard = 0.02 * np.exp(-0.4 * frame["programme"] + 0.02 * (frame["age"] - 35))
    weeks = np.ceil(rng.exponential(1 / hazard.to_numpy()))
    frame["event"] = (weeks <= 52).astype(int)
    frame["weeks"] = np.minimum(weeks, 52)
    model = cox(frame, duration="weeks", event="event", covariates=["programme", "age"])
    reference = CoxPHFitter().fit(frame, "weeks", "event")
    assert np.isfinite(model.table.to_numpy()).all()
    np.testing.assert_allclose(
        model.table["coef"], reference.params_[["programme", "age"]], atol=1e-6
    )
    np.testing.assert_allclose(
        model.table["se"], reference.standard_errors_[["programme", "age"]], atol=1e-6
    )


def test_cox_edge_cases_raise_clear_errors(rossi):
    with pytest.raises(EstimationError, match="no row has arrest = 1"):
        cox(rossi.assign(arrest=0), duration="week", event="arrest", covariates=["fin"])
    with pytest.raises(EstimationError, match="single value"):
        cox(rossi.assign(one=1), duration="week", event="arrest", covariates=["fin", "one"])
    with pytest.raises(EstimationError, match="collinear"):
        cox(
            rossi.assign(double_age=2 * rossi["age"]),
            duration="week",
            event="arrest",
            covariates=["age", "double_age"],
        )
    # Nobody in the flagged group is rearrested: the likelihood has no finite maximum.
    flagged = rossi.assign(flag=(rossi["arrest"] == 0) & (rossi.index % 3 == 0))
    with pytest.raises(EstimationError, match=r"no finite maximum.*flag"):
        cox(flagged, duration="week", event="arrest", covariates=["fin", "flag"])
    missing = rossi.astype({"age": float})
    missing.loc[[3, 10], "age"] = np.nan
    with pytest.raises(DataValidationError, match=r"'age'.*2 missing.*rows 5, 12"):
        cox(missing, duration="week", event="arrest", covariates=["fin", "age"])


def _simulate_cox(seed: int, n: int = 400, log_hr: float = -0.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    programme = rng.integers(0, 2, n)
    age = rng.normal(0, 1, n)
    hazard = 0.03 * np.exp(log_hr * programme + 0.3 * age)
    weeks = np.ceil(rng.exponential(1 / hazard))
    follow_up = rng.integers(20, 60, n)
    return pd.DataFrame(
        {
            "weeks": np.minimum(weeks, follow_up),
            "event": (weeks <= follow_up).astype(int),
            "programme": programme,
            "age": age,
        }
    )


def _cox_coverage(reps: int, n: int) -> tuple[float, float, float, float]:
    hits, errors, ses = 0, [], []
    truth = math.exp(-0.5)
    for seed in range(reps):
        model = cox(
            _simulate_cox(seed, n), duration="weeks", event="event", covariates=["programme", "age"]
        )
        hits += model.ci_low <= truth <= model.ci_high
        errors.append(math.log(model.effect) + 0.5)
        ses.append(model.se)
    return hits / reps, float(np.mean(errors)), float(np.std(errors)), float(np.mean(ses))


def test_cox_planted_effect_coverage_quick():
    coverage, bias, _, _ = _cox_coverage(150, 400)
    # Weekly ties (Efron) and 150 replications: coverage within about 3 binomial SDs.
    assert 0.89 <= coverage <= 0.995
    assert abs(bias) < 0.05


@pytest.mark.slow
def test_cox_coverage_study(record_coverage):
    start = time.perf_counter()
    coverage, bias, spread, mean_se = _cox_coverage(1000, 400)
    record_coverage(
        estimator="cox",
        design="n=400, weekly durations (ties), log HR -0.5, Efron",
        replications=1000,
        coverage=coverage,
        mean_bias=bias,
        sd_estimate=spread,
        mean_se=mean_se,
        truth=-0.5,
        seconds=time.perf_counter() - start,
    )
    assert 0.93 <= coverage <= 0.97


# --------------------------------------------------------------------------- Cox, clustered
def _untied_rossi(rossi: pd.DataFrame) -> pd.DataFrame:
    """Rossi with each tie broken by a fixed offset within the week, and 97 clusters.

    lifelines' score residuals take the rows in sorted order and do not handle tied
    times (its source says so), so it is a reference only where there are no ties.
    """
    rng = np.random.default_rng(0)
    return rossi.assign(
        week=rossi["week"] - rng.uniform(0, 0.5, len(rossi)),
        suspect=np.arange(len(rossi)) % 97,
    )


def test_cox_cluster_matches_lifelines_on_rossi(rossi):
    frame = _untied_rossi(rossi)
    model = cox(
        frame, duration="week", event="arrest", covariates=ROSSI_COVARIATES, cluster="suspect"
    )
    reference = CoxPHFitter().fit(
        frame[["week", "arrest", *ROSSI_COVARIATES, "suspect"]],
        "week",
        "arrest",
        cluster_col="suspect",
    )
    np.testing.assert_allclose(model.table["coef"], reference.params_[ROSSI_COVARIATES], atol=1e-6)
    np.testing.assert_allclose(
        model.table["se"], reference.standard_errors_[ROSSI_COVARIATES], atol=1e-6
    )
    np.testing.assert_allclose(
        model.table["p_value"], reference.summary.loc[ROSSI_COVARIATES, "p"], rtol=1e-5
    )
    assert model.diagnostics["n_clusters"] == 97
    assert "cluster-robust variance by suspect" in model.method
    # The model-based errors are kept beside the robust ones, and the estimate is unchanged.
    plain = cox(frame, duration="week", event="arrest", covariates=ROSSI_COVARIATES)
    assert model.effect == plain.effect
    assert model.diagnostics["model_se"]["fin"] == pytest.approx(plain.se, rel=1e-12)
    # One row per cluster is Lin and Wei's robust variance: lifelines' robust=True.
    per_row = cox(
        frame.assign(row=np.arange(len(frame))),
        duration="week",
        event="arrest",
        covariates=ROSSI_COVARIATES,
        cluster="row",
    )
    robust = CoxPHFitter().fit(
        frame[["week", "arrest", *ROSSI_COVARIATES]], "week", "arrest", robust=True
    )
    np.testing.assert_allclose(
        per_row.table["se"], robust.standard_errors_[ROSSI_COVARIATES], atol=1e-6
    )


def test_cox_cluster_breslow_matches_statsmodels_with_ties(rossi):
    # statsmodels' PHReg computes Breslow score residuals, so with ties='breslow' it is a
    # reference on the original weekly (heavily tied) data.
    frame = rossi.assign(suspect=np.arange(len(rossi)) % 97)
    model = cox(
        frame,
        duration="week",
        event="arrest",
        covariates=ROSSI_COVARIATES,
        ties="breslow",
        cluster="suspect",
    )
    reference = PHReg(
        frame["week"], frame[ROSSI_COVARIATES], status=frame["arrest"], ties="breslow"
    ).fit(groups=frame["suspect"])
    np.testing.assert_allclose(model.table["coef"], reference.params, atol=1e-9)
    np.testing.assert_allclose(model.table["se"], reference.bse, atol=1e-9)


def _efron_score_residuals_by_loop(
    x: np.ndarray, time: np.ndarray, event: np.ndarray, beta: np.ndarray
) -> np.ndarray:
    """Efron score residuals written out event time by event time (as R's coxscore)."""
    risk = np.exp(x @ beta)
    residuals = np.zeros_like(x)
    for t in np.unique(time[event]):
        at_risk = time >= t
        tied = (time == t) & event
        d = tied.sum()
        for k in range(d):
            share = k / d
            denominator = risk[at_risk].sum() - share * risk[tied].sum()
            mean = (
                (risk[at_risk, None] * x[at_risk]).sum(0)
                - share * (risk[tied, None] * x[tied]).sum(0)
            ) / denominator
            residuals[tied] += (x[tied] - mean) / d
            weight = np.where(tied, 1 - share, 1.0) * at_risk
            residuals -= (weight * risk / denominator)[:, None] * (x - mean)
    return residuals


def test_cox_cluster_efron_with_ties_matches_the_formula_written_out(rossi):
    covariates = ["fin", "age", "prio"]
    frame = rossi.assign(suspect=np.arange(len(rossi)) // 3)
    model = cox(frame, duration="week", event="arrest", covariates=covariates, cluster="suspect")
    x = frame[covariates].to_numpy(dtype=float)
    residuals = _efron_score_residuals_by_loop(
        x,
        frame["week"].to_numpy(dtype=float),
        frame["arrest"].to_numpy() == 1,
        model.table["coef"].to_numpy(),
    )
    # At the maximum the residuals sum to the score, zero.
    np.testing.assert_allclose(residuals.sum(0), 0, atol=1e-6)
    by_cluster = pd.DataFrame(residuals).groupby(frame["suspect"].to_numpy()).sum().to_numpy()
    bread = model.details["model_covariance"]
    sandwich = bread @ by_cluster.T @ by_cluster @ bread
    np.testing.assert_allclose(model.table["se"], np.sqrt(np.diag(sandwich)), rtol=1e-8)


def test_cox_cluster_with_strata_sums_residuals_within_each_stratum(rossi):
    frame = _untied_rossi(rossi)
    covariates = ["fin", "age", "prio"]
    model = cox(
        frame,
        duration="week",
        event="arrest",
        covariates=covariates,
        strata="wexp",
        cluster="suspect",
    )
    reference = CoxPHFitter().fit(
        frame[["week", "arrest", "wexp", *covariates, "suspect"]],
        "week",
        "arrest",
        strata=["wexp"],
        cluster_col="suspect",
    )
    np.testing.assert_allclose(model.table["se"], reference.standard_errors_[covariates], atol=1e-6)


def test_cox_cluster_edge_cases(rossi):
    with pytest.raises(EstimationError, match="single value"):
        cox(
            rossi.assign(suspect=1),
            duration="week",
            event="arrest",
            covariates=["fin"],
            cluster="suspect",
        )
    few = cox(
        rossi.assign(suspect=np.arange(len(rossi)) % 12),
        duration="week",
        event="arrest",
        covariates=["fin", "age"],
        cluster="suspect",
    )
    assert any("Only 12 clusters" in w for w in few.warnings)
    missing = rossi.assign(suspect=np.where(rossi.index == 4, np.nan, rossi.index % 50))
    with pytest.raises(DataValidationError, match=r"'suspect'.*1 missing.*rows 6"):
        cox(missing, duration="week", event="arrest", covariates=["fin"], cluster="suspect")


def _positive_stable(rng: np.random.Generator, index: float, size: int) -> np.ndarray:
    """Positive stable frailties with Laplace transform exp(-s**index) (Kanter's method)."""
    angle = rng.uniform(0, np.pi, size)
    exponential = rng.exponential(1.0, size)
    return (np.sin(index * angle) / np.sin(angle) ** (1 / index)) * (
        np.sin((1 - index) * angle) / exponential
    ) ** ((1 - index) / index)


#: Conditional log hazard ratio and frailty index: the marginal model is again a Cox
#: model, with log hazard ratio index x conditional (Hougaard 1986), the planted truth.
_FRAILTY_LOG_HR, _FRAILTY_INDEX = -0.8, 0.5


def _simulate_clustered(seed: int, n_suspects: int = 150, arrests: int = 4) -> pd.DataFrame:
    """Suspects with several arrests each, a shared frailty and a suspect-level programme."""
    rng = np.random.default_rng(seed)
    suspect = np.repeat(np.arange(n_suspects), arrests)
    programme = rng.integers(0, 2, n_suspects)[suspect]
    frailty = _positive_stable(rng, _FRAILTY_INDEX, n_suspects)[suspect]
    time = rng.exponential(1.0, suspect.size) / (
        0.05 * frailty * np.exp(_FRAILTY_LOG_HR * programme)
    )
    follow_up = rng.uniform(5, 40, suspect.size)
    return pd.DataFrame(
        {
            "days": np.minimum(time, follow_up),
            "event": (time <= follow_up).astype(int),
            "programme": programme,
            "suspect": suspect,
        }
    )


def _clustered_coverage(reps: int) -> tuple[float, float, float, float, float]:
    truth = _FRAILTY_INDEX * _FRAILTY_LOG_HR
    naive_hits = robust_hits = 0
    errors, ses = [], []
    for seed in range(reps):
        model = cox(
            _simulate_clustered(seed),
            duration="days",
            event="event",
            covariates=["programme"],
            cluster="suspect",
        )
        log_hr = math.log(model.effect)
        naive_se = model.diagnostics["model_se"]["programme"]
        naive_hits += abs(log_hr - truth) <= 1.959964 * naive_se
        robust_hits += model.ci_low <= math.exp(truth) <= model.ci_high
        errors.append(log_hr - truth)
        ses.append(model.se)
    return (
        naive_hits / reps,
        robust_hits / reps,
        float(np.mean(errors)),
        float(np.std(errors)),
        float(np.mean(ses)),
    )


def test_cox_cluster_coverage_with_shared_frailty_quick():
    naive, robust, bias, _, _ = _clustered_coverage(200)
    # Four arrests per suspect and a suspect-level programme: the model-based interval
    # is far too narrow, the clustered one is not (200 replications: +/- 3 SDs).
    assert naive < 0.85
    assert 0.9 <= robust <= 0.99
    assert abs(bias) < 0.05


@pytest.mark.slow
def test_cox_cluster_coverage_study(record_coverage):
    start = time.perf_counter()
    naive, robust, bias, spread, mean_se = _clustered_coverage(1000)
    record_coverage(
        estimator="cox (cluster-robust)",
        design="150 suspects x 4 arrests, positive stable frailty (index 0.5), "
        f"suspect-level programme, marginal log HR -0.4; model-based coverage {naive:.3f}",
        replications=1000,
        coverage=robust,
        mean_bias=bias,
        sd_estimate=spread,
        mean_se=mean_se,
        truth=_FRAILTY_INDEX * _FRAILTY_LOG_HR,
        seconds=time.perf_counter() - start,
    )
    assert 0.93 <= robust <= 0.97
    assert naive < 0.85
