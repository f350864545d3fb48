"""Tests for analysis.results: the common interface, the typed families and compare()."""

from __future__ import annotations

import json
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods import did, event_study, staggered_did
from analysis.methods.poisson_did import poisson_etwfe
from analysis.results import (
    Comparison,
    Estimate,
    EventStudyResult,
    PanelRegressionResult,
    PoissonPanelResult,
    StaggeredResult,
    compare,
)
from tests.methods.coverage_study import (
    simulate_did_panel,
    simulate_event_panel,
    simulate_staggered_panel,
)


def ratio_panel(seed: int, *, units: int = 120, periods: int = 8, ratio: float = 0.75):
    """Counts with unit levels and a planted rate ratio from period 5 for half the units."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), periods)
    period = np.tile(np.arange(periods), units)
    first = np.where(unit < units // 2, 5.0, np.nan)
    level = np.exp(rng.normal(scale=0.5, size=units))[unit] * 4
    treated = period >= np.nan_to_num(first, nan=np.inf)
    y = rng.poisson(level * np.where(treated, ratio, 1.0))
    return pd.DataFrame({"id": unit, "t": period, "first": first, "y": y})


def did_estimate(seed: int = 3, **options) -> PanelRegressionResult:
    return did(
        simulate_did_panel(seed),
        outcome="y",
        treatment="treated",
        unit="unit",
        time="period",
        **options,
    )


# ----------------------------------------------------------------- conf_int
def test_conf_int_at_the_reported_level_is_the_reported_interval():
    est = did_estimate(inference="wild", n_boot=199)  # a test-inversion interval, not Wald
    assert est.conf_int() == est.interval == (est.ci_low, est.ci_high)
    assert est.conf_int(0.95) == est.interval
    assert est.estimate == est.effect


def test_conf_int_rebuilds_the_t_interval_a_did_reports_at_another_level():
    at_95 = did_estimate()
    at_90 = did_estimate(conf_level=0.90)
    assert at_95.degrees_of_freedom == at_95.diagnostics["n_clusters"] - 1
    np.testing.assert_allclose(at_95.conf_int(0.90), at_90.interval, rtol=1e-12)


def test_conf_int_rebuilds_an_event_study_interval_with_its_t_reference():
    panel = simulate_event_panel(4)
    kwargs = {"outcome": "y", "unit": "unit", "time": "period", "first_treated": "first"}
    at_95 = event_study(panel, **kwargs)
    at_80 = event_study(panel, conf_level=0.80, **kwargs)
    np.testing.assert_allclose(at_95.conf_int(0.80), at_80.interval, rtol=1e-12)


def test_conf_int_rebuilds_a_rate_ratio_interval_on_the_log_scale():
    panel = ratio_panel(5)
    kwargs = {"outcome": "y", "unit": "id", "time": "t", "first_treated": "first"}
    at_95 = poisson_etwfe(panel, **kwargs)
    at_90 = poisson_etwfe(panel, conf_level=0.90, **kwargs)
    assert at_95.degrees_of_freedom is None  # a normal reference
    np.testing.assert_allclose(at_95.conf_int(0.90), at_90.interval, rtol=1e-12)
    low, high = at_95.conf_int(0.99)
    assert low < at_95.ci_low and high > at_95.ci_high
    assert np.log(high) - np.log(at_95.effect) == pytest.approx(np.log(at_95.effect) - np.log(low))


def test_rebuilt_interval_covers_planted_truth_at_its_level():
    """A did's 80% interval rebuilt from its 95% result covers the planted 1.0 near 80%."""
    covered = []
    for seed in range(200):
        low, high = did_estimate(seed).conf_int(0.80)
        covered.append(low <= 1.0 <= high)
    rate = float(np.mean(covered))
    # 200 replications: the binomial sd at 0.8 is 0.028.
    assert 0.72 <= rate <= 0.88, rate


def test_conf_int_by_hand_on_a_difference_with_t():
    est = Estimate(2.0, 1.0, 3.0, 0.01, 50, "difference", "m", "e", se=0.5, diagnostics={"df": 9})
    critical = stats.t.ppf(0.95, 9)
    assert est.conf_int(0.90) == pytest.approx((2.0 - critical * 0.5, 2.0 + critical * 0.5))


def test_conf_int_without_se_or_with_a_bad_level_is_a_clear_error():
    est = Estimate(0.3, 0.1, 0.5, None, 40, "proportion", "Wilson interval", "a proportion")
    assert est.conf_int() == (0.1, 0.5)
    with pytest.raises(EstimationError, match="no standard error"):
        est.conf_int(0.9)
    with pytest.raises(ConfigError, match="between 0 and 1"):
        est.with_updates(se=0.1).conf_int(1.5)


# ----------------------------------------------------------------- typed families
def _as_plain_estimate(result: Estimate) -> Estimate:
    return Estimate(**{f.name: getattr(result, f.name) for f in fields(Estimate)})


def test_estimators_return_their_family_and_serialise_as_before():
    panel = simulate_event_panel(4)
    staggered_panel = simulate_staggered_panel(2)
    results = {
        PanelRegressionResult: did_estimate(),
        EventStudyResult: event_study(
            panel, outcome="y", unit="unit", time="period", first_treated="first"
        ),
        StaggeredResult: staggered_did(
            staggered_panel, outcome="y", unit="unit", time="period", first_treated="first"
        ),
        PoissonPanelResult: poisson_etwfe(
            ratio_panel(1), outcome="y", unit="id", time="t", first_treated="first"
        ),
    }
    for family, result in results.items():
        assert type(result) is family
        assert isinstance(result, Estimate)
        # No new fields: findings.json is what it was.
        assert result.to_dict() == _as_plain_estimate(result).to_dict()
        # Copies made by the programmes keep the family.
        assert type(result.with_updates(scale="percentage points")) is family


def test_family_properties_name_what_sits_in_the_dictionaries():
    est = did_estimate()
    assert est.coefficients is est.table
    assert est.n_clusters == est.diagnostics["n_clusters"] == 40
    assert est.cluster == "unit" and est.inference == "cluster"
    assert est.small_sample == "nested" and est.covariance == est.diagnostics["covariance"]

    panel = simulate_event_panel(4)
    study = event_study(panel, outcome="y", unit="unit", time="period", first_treated="first")
    assert study.dynamic is study.details["dynamic"]
    assert study.pretrend_p_value == study.diagnostics["pretrend_p_value"]
    assert study.pretrend_statistic == study.diagnostics["pretrend_f"]

    staggered = staggered_did(
        simulate_staggered_panel(2), outcome="y", unit="unit", time="period", first_treated="first"
    )
    assert staggered.group_time is staggered.table
    assert staggered.dynamic is staggered.details["dynamic"]
    assert staggered.by_group is staggered.details["by_group"]
    assert staggered.dynamic_vcov is staggered.details["dynamic_vcov"]
    assert staggered.pretrend_p_value == staggered.diagnostics["pretrend_p_value"]

    ratio = poisson_etwfe(ratio_panel(1), outcome="y", unit="id", time="t", first_treated="first")
    assert ratio.cells is ratio.table
    assert ratio.log_ratio_se == ratio.diagnostics["log_ratio_se"]


# ----------------------------------------------------------------- compare
def designs() -> dict[str, Estimate]:
    return {
        "Two-way fixed effects": Estimate(
            -0.9, -1.2, -0.6, 0.001, 120, "difference", "TWFE", "effect", se=0.15
        ),
        "Staggered": Estimate(-0.5, -0.8, -0.2, 0.002, 120, "difference", "CS", "effect", se=0.15),
        "Poisson": Estimate(0.8, 0.7, 0.92, 0.002, 120, "rate ratio", "Poisson", "effect", se=0.07),
    }


def test_compare_puts_designs_side_by_side_in_order():
    comparison = compare(designs(), estimand="effect of signing up on incidents")
    table = comparison.table
    assert list(table.index) == ["Two-way fixed effects", "Staggered", "Poisson"]
    assert table.index.name == "design"
    assert list(table["effect"]) == [-0.9, -0.5, 0.8]
    assert list(table["ci_low"]) == [-1.2, -0.8, 0.7]
    assert list(table["scale"]) == ["difference", "difference", "rate ratio"]
    assert list(table["conf_level"]) == [0.95, 0.95, 0.95]
    assert comparison.estimand == "effect of signing up on incidents"
    record = json.loads(json.dumps(comparison.to_dict(), allow_nan=False))
    assert [d["design"] for d in record["designs"]] == list(table.index)
    html = comparison._repr_html_()
    assert "Effect of signing up on incidents" in html and "Staggered" in html


def test_compare_accepts_lists_and_labels_by_method():
    naive, staggered, _ = designs().values()
    assert list(compare([naive, staggered]).table.index) == ["TWFE", "CS"]
    assert list(compare([("A", naive), ("B", staggered)]).table.index) == ["A", "B"]
    assert compare([naive, staggered]).estimand == "effect"


def test_compare_puts_every_interval_on_a_common_level():
    est_90 = did_estimate(conf_level=0.90)
    est_95 = did_estimate()
    comparison = compare({"at 90": est_90, "at 95": est_95}, conf_level=0.90)
    table = comparison.table
    np.testing.assert_allclose(table.loc["at 95", ["ci_low", "ci_high"]], est_90.interval)
    assert list(table["conf_level"]) == [0.90, 0.90]
    as_reported = compare({"at 90": est_90, "at 95": est_95}).table
    assert list(as_reported["conf_level"]) == [0.90, 0.95]


def test_compare_summary_says_whether_designs_agree():
    text = compare(designs(), estimand="effect of signing up").summary()
    assert text.startswith("Effect of signing up: 3 designs, 3 of which rule out no effect")
    assert "difference scale the 2 estimate(s) (-0.900, -0.500) agree in direction" in text
    assert "do not all overlap" not in text.split(";")[1]  # -0.8 to -0.6 is shared
    apart = designs()
    apart["Staggered"] = apart["Staggered"].with_updates(effect=0.5, ci_low=0.2, ci_high=0.8)
    text = compare(apart).summary()
    assert "disagree in direction and their intervals do not all overlap" in text


def test_compare_errors_name_the_problem():
    naive, staggered, _ = designs().values()
    with pytest.raises(ConfigError, match="at least two designs"):
        compare({"only": naive})
    with pytest.raises(ConfigError, match="not an Estimate"):
        compare({"a": naive, "b": {"effect": 1.0}})
    with pytest.raises(ConfigError, match="'TWFE' appear more than once"):
        compare([naive, naive])
    with pytest.raises(ConfigError, match="pass several results"):
        compare(naive)
    with pytest.raises(ConfigError, match="conf_level must be between 0 and 1"):
        compare([naive, staggered], conf_level=95)
    without_se = naive.with_updates(se=None)
    with pytest.raises(EstimationError, match="no standard error"):
        compare([without_se, staggered], conf_level=0.9)


def test_comparison_is_exported_at_the_front_door():
    import analysis

    assert analysis.compare is compare
    assert isinstance(compare(designs()), Comparison)
