"""Value for money under uncertainty: unconfirmed costs, optimism bias, switching values,
the Monte Carlo and cost per additional outcome."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.errors import ConfigError
from analysis.evidence import vfm
from analysis.results import Estimate

UNIT = vfm.UnitCost(40_000.0, "victim", "2024/25", "test")


def pp_estimate(effect=-10.0, low=-18.0, high=-2.0, se=4.0) -> Estimate:
    return Estimate(effect, low, high, 0.01, 400, "percentage points", "m", "e", se=se)


def appraisal(**options) -> vfm.ValueForMoney:
    # The standard error that matches the interval exactly (half-width 8 = 1.96 se).
    averted = vfm.outcomes_averted(pp_estimate(se=8 / 1.959964), 100, outcome="victims")
    return vfm.value_for_money(
        cost=150_000, participants=100, averted=averted, unit_cost=UNIT, label="A", **options
    )


# ----------------------------------------------------------------------------- confirmation
def test_confirmed_by_default_output_is_unchanged():
    confirmed = appraisal()
    explicit = appraisal(cost_confirmed=True)
    assert confirmed == explicit
    record = confirmed.to_dict()
    assert "cost_confirmed" not in record and "optimism_bias" not in record
    assert record["benefit_cost_ratio"]["estimate"] == pytest.approx(40_000 * 10 / 150_000)
    assert "Benefit-cost ratio 2.67" in confirmed.summary()


def test_an_unconfirmed_cost_publishes_no_ratio_anywhere():
    result = appraisal(cost_confirmed=False)
    assert all(math.isnan(v) for v in (*result.bcr, *result.net_benefit))
    assert result.repays_cost is None and result.p_value_break_even is None
    # Break-even stays: 150,000 / 40,000 victims.
    assert result.break_even_outcomes == pytest.approx(3.75)
    summary = result.summary()
    assert "cost not confirmed" in summary and "Break-even: 3.8 victims" in summary
    assert "2.67" not in summary
    table = result.table()
    assert table.loc["Benefit-cost ratio", "estimate"] == "cost not confirmed"
    html = result._repr_html_()
    assert "cost not confirmed" in html and "2.67" not in html
    record = result.to_dict()
    assert record["cost_confirmed"] is False
    assert record["benefit_cost_ratio"] == "cost not confirmed"
    assert record["break_even_outcomes"] == pytest.approx(3.75)
    json.dumps(record, allow_nan=False)  # findings.json refuses NaN
    block = vfm.value_for_money_block([result])
    assert "cost not confirmed" in block["headline"] and "2.67" not in block["headline"]
    json.dumps(block, allow_nan=False)


def test_combining_an_unconfirmed_component_leaves_the_whole_unconfirmed():
    whole = vfm.combine([appraisal(), appraisal(cost_confirmed=False)], label="both")
    assert whole.cost_confirmed is False and math.isnan(whole.bcr[0])
    assert "cost not confirmed" in whole.summary()
    assert vfm.combine([appraisal(), appraisal()], label="both").cost_confirmed is True


# ----------------------------------------------------------------------------- optimism bias
def test_optimism_bias_uplifts_the_cost_and_says_where_from():
    result = appraisal(optimism_bias=0.25, optimism_bias_source="Green Book, outsourcing")
    assert result.cost == pytest.approx(187_500) and result.base_cost == 150_000
    assert result.bcr[0] == pytest.approx(400_000 / 187_500)
    assert result.break_even_outcomes == pytest.approx(187_500 / 40_000)
    assert any("uplifted by 25%" in a for a in result.assumptions)
    assert "optimism-bias uplift of 25%" in result.summary()
    assert result.to_dict()["optimism_bias"] == {
        "uplift": 0.25,
        "source": "Green Book, outsourcing",
        "base_cost_gbp": 150_000,
    }


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"optimism_bias": 0.2}, "optimism_bias_source"),
        ({"optimism_bias": -0.1, "optimism_bias_source": "x"}, "non-negative fraction"),
    ],
)
def test_optimism_bias_errors(options, message):
    with pytest.raises(ConfigError, match=message):
        appraisal(**options)


# ----------------------------------------------------------------------------- switching values
@pytest.mark.parametrize("uplift", [0.0, 0.4])
def test_switching_values_make_net_benefit_zero(uplift):
    source = {"optimism_bias_source": "test"} if uplift else {}
    result = appraisal(optimism_bias=uplift, **source)
    sv = vfm.switching_values(result)
    a = result.averted
    # At each switching value, with the others at their estimates, benefit equals cost.
    assert a.averted_at(sv.effect) * UNIT.value == pytest.approx(result.cost)
    assert a.point * sv.unit_cost == pytest.approx(result.cost)
    assert sv.cost == pytest.approx(a.point * UNIT.value)
    if uplift:
        assert sv.cost_before_uplift * (1 + uplift) == pytest.approx(sv.cost)
    assert "Net benefit is zero" in sv.describe()
    assert set(sv.to_dict()) == {"effect", "unit_cost_gbp", "cost_gbp", "cost_before_uplift_gbp"}


def test_switching_values_on_a_ratio_scale_and_when_nothing_is_averted():
    est = Estimate(0.8, 0.6, 1.05, 0.1, 500, "risk ratio", "m", "e", se=0.14)
    averted = vfm.outcomes_averted(est, 100, outcome="victims", baseline=0.5)
    result = vfm.value_for_money(cost=200_000, participants=100, averted=averted, unit_cost=UNIT)
    sv = vfm.switching_values(result)
    assert averted.averted_at(sv.effect) * UNIT.value == pytest.approx(200_000)
    harmful = Estimate(1.2, 0.9, 1.6, 0.2, 500, "risk ratio", "m", "e", se=0.15)
    none = vfm.outcomes_averted(harmful, 100, outcome="victims", baseline=0.5)
    result = vfm.value_for_money(cost=200_000, participants=100, averted=none, unit_cost=UNIT)
    assert vfm.switching_values(result).unit_cost is None
    with pytest.raises(ConfigError, match="one programme"):
        vfm.switching_values(vfm.combine([appraisal()], label="x"))


# ----------------------------------------------------------------------------- Monte Carlo
def test_with_fixed_costs_the_simulation_reproduces_the_analytic_interval():
    result = appraisal()
    sim = vfm.simulate_value_for_money(result, draws=200_000, seed=11)
    # Difference scale: the benefit is normal, so the percentile interval is the
    # analytic one up to simulation error (se of a 2.5% quantile ~ 0.3% of the spread).
    spread = result.benefit[2] - result.benefit[1]
    for simulated, analytic in zip(sim.benefit, result.benefit, strict=True):
        assert simulated == pytest.approx(analytic, abs=0.01 * spread)
    for simulated, analytic in zip(sim.bcr, result.bcr, strict=True):
        assert simulated == pytest.approx(analytic, abs=0.01 * (result.bcr[2] - result.bcr[1]))
    assert sim.probability_repays == pytest.approx(1 - result.p_value_break_even, abs=0.005)


def test_the_simulation_on_a_ratio_scale_keeps_the_asymmetry():
    est = Estimate(0.8, 0.6, 1.05, 0.1, 500, "risk ratio", "m", "e", se=0.14)
    averted = vfm.outcomes_averted(est, 100, outcome="victims", baseline=0.5)
    result = vfm.value_for_money(cost=200_000, participants=100, averted=averted, unit_cost=UNIT)
    sim = vfm.simulate_value_for_money(result, draws=200_000, seed=5)
    # Each benefit bound is the image of the ratio's log-normal quantiles, with the
    # standard error read back from the interval on the log scale.
    z = 1.959964
    se = (math.log(1.05) - math.log(0.6)) / (2 * z)
    ratios = np.exp(math.log(0.8) + np.array([0.0, z, -z]) * se)
    expected = (1 - ratios) * 0.5 * 100 * UNIT.value
    np.testing.assert_allclose(sim.benefit, expected, atol=0.01 * (expected[2] - expected[1]))


def test_cost_and_unit_cost_ranges_widen_the_interval_and_are_reproducible():
    result = appraisal()
    fixed = vfm.simulate_value_for_money(result, draws=50_000, seed=1)
    wide = vfm.simulate_value_for_money(
        result,
        unit_cost_range=vfm.Range(20_000, 40_000, 60_000, "test range"),
        cost_range=vfm.Range(100_000, 150_000, 300_000),
        draws=50_000,
        seed=1,
    )
    assert wide.bcr[2] - wide.bcr[1] > fixed.bcr[2] - fixed.bcr[1]
    # A cost range skewed upwards lowers the ratio's median.
    assert wide.bcr[0] < fixed.bcr[0]
    again = vfm.simulate_value_for_money(
        result,
        unit_cost_range=vfm.Range(20_000, 40_000, 60_000, "test range"),
        cost_range=vfm.Range(100_000, 150_000, 300_000),
        draws=50_000,
        seed=1,
    )
    assert again == wide
    assert "test range" in wide.summary()
    json.dumps(wide.to_dict(), allow_nan=False)


def test_the_simulation_withholds_the_ratio_while_the_cost_is_unconfirmed():
    sim = vfm.simulate_value_for_money(appraisal(cost_confirmed=False), draws=1000, seed=1)
    assert sim.probability_repays is None and math.isnan(sim.bcr[0])
    assert sim.summary().endswith("Benefit-cost ratio: cost not confirmed.")
    record = sim.to_dict()
    assert record["benefit_cost_ratio"] == "cost not confirmed"
    json.dumps(record, allow_nan=False)


def test_optimism_bias_is_applied_to_every_cost_drawn():
    biased = appraisal(optimism_bias=0.5, optimism_bias_source="test")
    sim = vfm.simulate_value_for_money(biased, draws=100_000, seed=2)
    plain = vfm.simulate_value_for_money(appraisal(), draws=100_000, seed=2)
    assert sim.bcr[0] == pytest.approx(plain.bcr[0] / 1.5, rel=1e-9)


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((5, 4, 6), "low <= central <= high"),
        ((-1, 0, 1), "low <= central"),
        ((1, 2, math.inf), "finite"),
    ],
)
def test_bad_ranges_and_draws_are_refused(bounds, message):
    with pytest.raises(ConfigError, match=message):
        vfm.Range(*bounds)
    with pytest.raises(ConfigError, match="at least 100 draws"):
        vfm.simulate_value_for_money(appraisal(), draws=10)


# ----------------------------------------------------------------------------- cost per outcome
def test_cost_per_additional_charge():
    # +6 points (2 to 10) on 500 arrests: 30 more charges (10 to 50).
    est = Estimate(6.0, 2.0, 10.0, 0.003, 900, "percentage points", "m", "charge rate")
    result = vfm.cost_per_additional_outcome(60_000, est, 500, outcome="charges")
    assert result.additional == pytest.approx((30, 10, 50))
    assert result.cost_per == pytest.approx((2000, 1200, 6000))
    record = result.to_dict()
    assert record["cost_per_additional_gbp"]["estimate"] == pytest.approx(2000)


def test_cost_per_outcome_unbounded_unconfirmed_or_none_added():
    crossing = Estimate(6.0, -1.0, 13.0, 0.09, 900, "percentage points", "m", "charge rate")
    result = vfm.cost_per_additional_outcome(60_000, crossing, 500, outcome="charges")
    assert math.isinf(result.cost_per[2]) and "no upper limit" in result.summary()
    assert result.to_dict()["cost_per_additional_gbp"]["ci_high"] is None
    unconfirmed = vfm.cost_per_additional_outcome(
        60_000, crossing, 500, outcome="charges", cost_confirmed=False
    )
    assert unconfirmed.cost_per is None and "cost not confirmed" in unconfirmed.summary()
    fewer = Estimate(-3.0, -6.0, 0.5, 0.09, 900, "percentage points", "m", "charge rate")
    result = vfm.cost_per_additional_outcome(60_000, fewer, 500, outcome="charges")
    assert result.cost_per is None and "none were added" in result.summary()


def test_simulated_benefit_intervals_cover_the_planted_benefit():
    # Planted: 10 fewer reoffenders per 100 (-10 points), se 4 points. Each simulated
    # study estimates the effect, and the Monte Carlo interval of its benefit should
    # cover the planted benefit (10 victims x £40,000) in about 95% of studies.
    rng = np.random.default_rng(20)
    se, z, studies = 4.0, 1.959964, 300
    planted_benefit = 10 * UNIT.value
    covered = 0
    for effect in rng.normal(-10.0, se, studies):
        est = Estimate(effect, effect - z * se, effect + z * se, 0.05, 400, "percentage points",
                       "m", "e", se=se)  # fmt: skip
        averted = vfm.outcomes_averted(est, 100, outcome="victims")
        result = vfm.value_for_money(cost=1e5, participants=100, averted=averted, unit_cost=UNIT)
        sim = vfm.simulate_value_for_money(result, draws=2000, seed=int(rng.integers(1 << 31)))
        covered += sim.benefit[1] <= planted_benefit <= sim.benefit[2]
    # 95% of 300 with binomial standard error 1.3%: allow three of them.
    assert covered / studies == pytest.approx(0.95, abs=0.04)


def test_the_simulation_reads_the_spread_from_the_interval_the_report_shows():
    # Two estimates with the same interval but different reported standard errors (as a
    # robust bias-corrected interval differs from the conventional se) simulate alike.
    def simulated(se):
        averted = vfm.outcomes_averted(pp_estimate(se=se), 100, outcome="victims")
        result = vfm.value_for_money(
            cost=150_000, participants=100, averted=averted, unit_cost=UNIT
        )
        return vfm.simulate_value_for_money(result, draws=5000, seed=4)

    assert simulated(3.0).benefit == simulated(6.0).benefit
