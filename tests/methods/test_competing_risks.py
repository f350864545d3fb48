"""Cumulative incidence (Aalen-Johansen) and cause-specific Cox against lifelines and truth."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter

from analysis.errors import ConfigError, DataValidationError, EstimationError
from analysis.methods import cause_specific_cox, cox, cumulative_incidence

# lifelines calls pandas with positional arguments that pandas 4 will reject; not ours.
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")

MELANOMA = Path(__file__).parent / "data" / "melanoma.csv"


@pytest.fixture(scope="module")
def melanoma() -> pd.DataFrame:
    """MASS::Melanoma with ``end`` 1 = died of melanoma, 2 = other death, 0 = alive."""
    frame = pd.read_csv(MELANOMA)
    frame["end"] = frame["status"].map({1: 1, 2: 0, 3: 2})
    return frame


def _lifelines(frame: pd.DataFrame, cause: int) -> AalenJohansenFitter:
    with pytest.warns(Warning, match="Tied event times"):
        return AalenJohansenFitter(calculate_variance=True, seed=11).fit(
            frame["time"], frame["end"], event_of_interest=cause
        )


def test_melanoma_copy_is_complete(melanoma):
    assert len(melanoma) == 205
    assert melanoma["status"].value_counts().sort_index().tolist() == [57, 134, 14]


@pytest.mark.parametrize("cause", [1, 2])
def test_cif_variance_and_interval_match_lifelines(melanoma, cause):
    # lifelines jitters tied event times of different causes (two deaths on day 232);
    # fitting ours to the very durations it used makes the comparison exact.
    reference = _lifelines(melanoma, cause)
    jittered = pd.DataFrame({"time": np.asarray(reference.durations), "end": melanoma["end"]})
    ours = cumulative_incidence(jittered, duration="time", event="end", cause=cause)
    curve = ours.details["curves"]
    np.testing.assert_allclose(curve["time"], reference.cumulative_density_.index, atol=0)
    np.testing.assert_allclose(curve["cif"], reference.cumulative_density_.iloc[:, 0], atol=1e-6)
    np.testing.assert_allclose(curve["se"] ** 2, reference.variance_, atol=1e-6)
    # lifelines labels its first interval column "upper", but it holds the lower bound.
    # Before the first event lifelines leaves the interval undefined; ours is [0, 0].
    bounds = reference.confidence_interval_.to_numpy()
    defined = np.isfinite(bounds[:, 0])
    assert (curve["cif"][~defined] == 0).all() and (curve["ci_high"][~defined] == 0).all()
    np.testing.assert_allclose(curve["ci_low"][defined], bounds[defined, 0], atol=1e-6)
    np.testing.assert_allclose(curve["ci_high"][defined], bounds[defined, 1], atol=1e-6)
    np.testing.assert_array_equal(curve["at_risk"], reference.event_table["at_risk"])


def test_tied_times_of_different_causes_need_no_jitter(melanoma):
    # The order of tied events does not change the product, so the unjittered estimate
    # agrees with lifelines' jittered one at every time away from the jitter.
    reference = _lifelines(melanoma, 1)
    ours = cumulative_incidence(melanoma, duration="time", event="end", cause=1)
    times = np.array([100, 231, 233, 500, 1000, 2000, 3000, 5000])
    np.testing.assert_allclose(ours.cif_at(times), reference.predict(times), atol=1e-12)
    assert ours.effect == pytest.approx(reference.cumulative_density_.iloc[-1, 0])


def test_cif_with_competing_causes_sums_with_overall_survival(melanoma):
    one = cumulative_incidence(melanoma, duration="time", event="end", cause=1)
    two = cumulative_incidence(melanoma, duration="time", event="end", cause=2)
    from analysis.methods import kaplan_meier

    melanoma = melanoma.assign(died=melanoma["end"] > 0)
    km = kaplan_meier(melanoma, duration="time", event="died")
    times = np.array([500.0, 1500.0, 3000.0])
    np.testing.assert_allclose(
        one.cif_at(times) + two.cif_at(times) + km.survival_at(times), 1.0, atol=1e-12
    )


def test_grouped_difference_and_table(melanoma):
    aj = cumulative_incidence(
        melanoma, duration="time", event="end", cause=1, group="ulcer", at=1825
    )
    assert aj.scale == "difference"
    table = aj.table
    assert list(table.index) == [0, 1]
    for label in (0, 1):
        alone = cumulative_incidence(
            melanoma[melanoma["ulcer"] == label], duration="time", event="end", cause=1, at=1825
        )
        assert table.loc[label, "cif"] == pytest.approx(alone.effect)
        assert aj.cif_at(1825, group=label) == pytest.approx(alone.effect)
    assert aj.effect == pytest.approx(table.loc[1, "cif"] - table.loc[0, "cif"])
    se = np.hypot(table.loc[1, "se"], table.loc[0, "se"])
    assert aj.se == pytest.approx(se)
    assert aj.ci_low == pytest.approx(aj.effect - 1.959964 * se, abs=1e-5)
    # Ulcerated tumours: far more melanoma deaths by five years (about 40% against 10%).
    assert aj.effect > 0.2 and aj.p_value < 0.001
    reversed_ = cumulative_incidence(
        melanoma, duration="time", event="end", cause=1, group="ulcer", at=1825, reference=1
    )
    assert reversed_.effect == pytest.approx(-aj.effect)
    with pytest.raises(ConfigError, match="pass group="):
        aj.cif_at(100)


def test_string_causes_and_censoring_code():
    frame = pd.DataFrame(
        {
            "days": [10, 20, 20, 35, 40, 60, 70, 90],
            "end": ["charge", "closed", "charge", "open", "closed", "charge", "open", "closed"],
        }
    )
    aj = cumulative_incidence(frame, duration="days", event="end", cause="charge", censored="open")
    # By hand: 1/8 at day 10; (7/8)(1/7) at day 20; (5/8)(3/4)(1/3) at day 60.
    assert aj.effect == pytest.approx(1 / 8 + 1 / 8 + 5 / 32)
    assert aj.summary().startswith("Share of cases ended by charge within 90 days: 40.6%")


def test_edge_cases():
    frame = pd.DataFrame({"days": [1.0, 2, 3, 4], "end": [0, 2, 0, 2]})
    none = cumulative_incidence(frame, duration="days", event="end", cause=1)
    assert none.effect == 0 and none.ci_low == 0 and none.ci_high == 0
    assert any("No case ended by 1" in w for w in none.warnings)
    all_censored = frame.assign(end=0)
    censored = cumulative_incidence(all_censored, duration="days", event="end", cause=1)
    assert censored.effect == 0 and censored.diagnostics["n_censored"] == 4
    everyone = pd.DataFrame({"days": [1.0, 1, 2, 2], "end": [1, 1, 1, 2]})
    full = cumulative_incidence(everyone, duration="days", event="end", cause=1)
    assert full.effect == pytest.approx(0.75)
    assert np.isfinite(full.details["curves"]["se"]).all()
    with pytest.raises(ConfigError, match="censoring code"):
        cumulative_incidence(frame, duration="days", event="end", cause=0)
    with pytest.raises(ConfigError, match="at must be"):
        cumulative_incidence(frame, duration="days", event="end", cause=1, at=-1)
    with pytest.raises(DataValidationError, match="missing value"):
        cumulative_incidence(
            frame.assign(end=[1, None, 0, 2]), duration="days", event="end", cause=1
        )
    with pytest.raises(DataValidationError, match="negative"):
        cumulative_incidence(
            frame.assign(days=[1, -2, 3, 4]), duration="days", event="end", cause=1
        )
    with pytest.raises(ConfigError, match="reference"):
        cumulative_incidence(
            frame.assign(g=[0, 0, 1, 1]),
            duration="days",
            event="end",
            cause=2,
            group="g",
            reference=5,
        )
    late = cumulative_incidence(frame, duration="days", event="end", cause=2, at=10)
    assert any("carried forward" in w for w in late.warnings)


def test_timedelta_durations_are_days():
    frame = pd.DataFrame({"wait": pd.to_timedelta([1, 2, 3], unit="D"), "end": [1, 2, 1]})
    aj = cumulative_incidence(frame, duration="wait", event="end", cause=1)
    assert aj.details["curves"]["time"].tolist() == [0.0, 1.0, 2.0, 3.0]


# --------------------------------------------------------------------------- cause-specific Cox
def test_cause_specific_cox_is_cox_with_other_causes_censored(melanoma):
    model = cause_specific_cox(
        melanoma, duration="time", event="end", cause=1, covariates=["ulcer", "thickness"]
    )
    direct = cox(
        melanoma.assign(melanoma_death=melanoma["end"] == 1),
        duration="time",
        event="melanoma_death",
        covariates=["ulcer", "thickness"],
    )
    pd.testing.assert_frame_equal(model.table, direct.table)
    assert model.estimand.startswith("cause-specific hazard ratio of 1 for ulcer")
    assert any("Competing ends are treated as censoring" in a for a in model.assumptions)
    with pytest.raises(ConfigError, match="censoring code"):
        cause_specific_cox(melanoma, duration="time", event="end", cause=0, covariates=["ulcer"])
    with pytest.raises(EstimationError, match="no row has"):
        cause_specific_cox(melanoma, duration="time", event="end", cause=9, covariates=["ulcer"])


# --------------------------------------------------------------------------- planted truth
def _simulate(rng: np.random.Generator, n: int, hazards: tuple[float, float], follow: float):
    """Constant cause-specific hazards with uniform administrative censoring."""
    total = sum(hazards)
    first = rng.exponential(1 / total, n)
    cause = np.where(rng.random(n) < hazards[0] / total, 1, 2)
    censor = rng.uniform(0.3 * follow, follow, n)
    return pd.DataFrame(
        {"days": np.minimum(first, censor), "end": np.where(first <= censor, cause, 0)}
    )


def _cif_coverage(reps: int, n: int) -> tuple[float, float, float, float, float]:
    hazards, at, follow = (0.002, 0.004), 200.0, 400.0
    total = sum(hazards)
    truth = hazards[0] / total * (1 - np.exp(-total * at))
    rng = np.random.default_rng(20260)
    estimates, ses, hits = [], [], 0
    for _ in range(reps):
        aj = cumulative_incidence(
            _simulate(rng, n, hazards, follow), duration="days", event="end", cause=1, at=at
        )
        estimates.append(aj.effect)
        ses.append(aj.se)
        hits += aj.ci_low <= truth <= aj.ci_high
    estimates = np.array(estimates)
    return (
        hits / reps,
        float(estimates.mean() - truth),
        float(estimates.std()),
        float(np.mean(ses)),
        truth,
    )


def test_cif_planted_truth_coverage_quick():
    coverage, bias, spread, mean_se, _ = _cif_coverage(200, 300)
    assert 0.90 <= coverage <= 0.99
    assert abs(bias) < 0.01
    # The delta-method standard error tracks the sampling spread.
    assert mean_se == pytest.approx(spread, rel=0.2)


@pytest.mark.slow
def test_cif_coverage_study(record_coverage):
    start = time.perf_counter()
    coverage, bias, spread, mean_se, truth = _cif_coverage(1000, 300)
    record_coverage(
        estimator="cumulative_incidence",
        design=(
            "constant hazards 0.002 and 0.004 per day, uniform censoring, CIF at 200 days, n 300"
        ),
        replications=1000,
        coverage=coverage,
        mean_bias=bias,
        sd_estimate=spread,
        mean_se=mean_se,
        truth=truth,
        seconds=time.perf_counter() - start,
    )
    assert 0.93 <= coverage <= 0.97


def test_difference_in_cif_coverage_quick():
    rng = np.random.default_rng(5)
    at, total_after = 200.0, 0.003 + 0.004
    truth = 0.003 / total_after * (1 - np.exp(-total_after * at)) - 0.002 / 0.006 * (
        1 - np.exp(-0.006 * at)
    )
    hits = 0
    for _ in range(200):
        before = _simulate(rng, 300, (0.002, 0.004), 400.0).assign(after=0)
        after = _simulate(rng, 300, (0.003, 0.004), 400.0).assign(after=1)
        aj = cumulative_incidence(
            pd.concat([before, after]), duration="days", event="end", cause=1, group="after", at=at
        )
        hits += aj.ci_low <= truth <= aj.ci_high
    assert 0.90 <= hits / 200 <= 0.99


def test_cause_specific_hazard_ratio_recovers_planted_truth():
    rng = np.random.default_rng(8)
    frames = []
    for after, charge_hazard in ((0, 0.002), (1, 0.002 * np.exp(0.4))):
        frames.append(_simulate(rng, 3000, (charge_hazard, 0.004), 400.0).assign(after=after))
    model = cause_specific_cox(
        pd.concat(frames), duration="days", event="end", cause=1, covariates=["after"]
    )
    assert model.ci_low < np.exp(0.4) < model.ci_high
    assert abs(np.log(model.effect) - 0.4) < 0.12
