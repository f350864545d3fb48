"""Value for money: arithmetic from first principles, intervals, break-even and errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.evidence import vfm
from analysis.results import Estimate

UNIT = vfm.UnitCost(40_000.0, "victim", "2024/25", "test")


def pp_estimate(effect=-10.0, low=-18.0, high=-2.0, se=4.0) -> Estimate:
    return Estimate(effect, low, high, 0.01, 400, "percentage points", "m", "e", se=se)


def test_averted_from_percentage_points_maps_the_interval():
    averted = vfm.outcomes_averted(pp_estimate(), 250, outcome="victims")
    # 10 points of 250 people = 25; the interval bounds swap (a bigger fall averts more).
    assert averted.point == pytest.approx(25.0)
    assert (averted.low, averted.high) == pytest.approx((5.0, 45.0))
    assert averted.per_person == pytest.approx(0.10)
    assert averted.se == pytest.approx(4.0 / 100 * 250)


def test_averted_from_difference_uses_the_multiplier():
    est = Estimate(-0.1, -0.15, -0.05, 0.01, 500, "difference", "m", "e", se=0.0255)
    averted = vfm.outcomes_averted(est, 50, outcome="DA crimes", multiplier=4)
    assert averted.point == pytest.approx(0.1 * 4 * 50)
    assert (averted.low, averted.high) == pytest.approx((0.05 * 200, 0.15 * 200))


def test_averted_from_a_ratio_needs_a_baseline_and_keeps_asymmetry():
    est = Estimate(0.8, 0.6, 1.05, 0.1, 500, "risk ratio", "m", "e", se=0.14)
    with pytest.raises(ConfigError, match="baseline"):
        vfm.outcomes_averted(est, 100, outcome="victims")
    averted = vfm.outcomes_averted(est, 100, outcome="victims", baseline=0.5)
    assert averted.point == pytest.approx(0.2 * 0.5 * 100)
    assert averted.low == pytest.approx(-0.05 * 50)
    assert averted.high == pytest.approx(0.4 * 50)
    # Delta method: d/dlog r of (1 - r) * 50 = -r * 50.
    assert averted.se == pytest.approx(0.8 * 0.14 * 50)


def test_missing_se_is_recovered_from_the_interval():
    est = Estimate(-10.0, -19.6, -0.4, 0.04, 100, "percentage points", "m", "e", se=None)
    averted = vfm.outcomes_averted(est, 100, outcome="victims")
    # Interval half-width 9.6 points = 1.96 se, so se = 4.9 points -> 4.9 people of 100.
    assert averted.se == pytest.approx(4.898, rel=1e-3)


def test_value_for_money_arithmetic_and_break_even():
    averted = vfm.outcomes_averted(pp_estimate(), 250, outcome="victims")
    result = vfm.value_for_money(
        cost=200_000,
        participants=250,
        completers=160,
        averted=averted,
        unit_cost=UNIT,
        label="A",
    )
    assert result.cost_per_participant == pytest.approx(800.0)
    assert result.cost_per_completer == pytest.approx(1250.0)
    assert result.benefit == pytest.approx((1_000_000.0, 200_000.0, 1_800_000.0))
    assert result.net_benefit == pytest.approx((800_000.0, 0.0, 1_600_000.0))
    assert result.bcr == pytest.approx((5.0, 1.0, 9.0))
    assert result.break_even_outcomes == pytest.approx(5.0)
    assert result.break_even_per_participant == pytest.approx(0.02)
    # Break-even effect: 5 of 250 people = a fall of 2 percentage points.
    assert result.break_even_effect == pytest.approx(-2.0)
    # One-sided test of averted <= 5 with se 10 people: z = (25 - 5)/10.
    assert result.p_value_break_even == pytest.approx(stats.norm.sf(2.0))


def test_p_value_is_one_half_at_break_even():
    est = pp_estimate(effect=-2.0, low=-10.0, high=6.0, se=4.0)
    averted = vfm.outcomes_averted(est, 250, outcome="victims")
    result = vfm.value_for_money(cost=200_000, participants=250, averted=averted, unit_cost=UNIT)
    assert result.p_value_break_even == pytest.approx(0.5)


def test_ratio_scale_break_even_test_works_on_the_log_scale():
    est = Estimate(0.7, 0.5, 0.98, 0.04, 800, "risk ratio", "m", "e", se=0.17)
    averted = vfm.outcomes_averted(est, 100, outcome="victims", baseline=0.5)
    result = vfm.value_for_money(cost=200_000, participants=100, averted=averted, unit_cost=UNIT)
    # Break-even: 5 victims of a baseline 50 -> ratio 0.9; z = (log 0.9 - log 0.7)/0.17.
    assert result.break_even_effect == pytest.approx(0.9)
    z = (math.log(0.9) - math.log(0.7)) / 0.17
    assert result.p_value_break_even == pytest.approx(stats.norm.sf(z))


@pytest.mark.parametrize(
    ("effect", "low", "high", "expected"),
    [
        (-10.0, -18.0, -4.0, "across the whole"),
        (-3.0, -11.0, 5.0, "central estimate repays"),
        (-1.0, -9.0, 7.0, "does not repay"),
        (5.0, 1.0, 9.0, "fall short"),
    ],
)
def test_verdicts(effect, low, high, expected):
    averted = vfm.outcomes_averted(pp_estimate(effect, low, high), 250, outcome="victims")
    result = vfm.value_for_money(cost=200_000, participants=250, averted=averted, unit_cost=UNIT)
    assert expected in result.verdict


def test_combine_adds_costs_and_variances():
    a = vfm.value_for_money(
        cost=150_000,
        participants=100,
        unit_cost=UNIT,
        averted=vfm.outcomes_averted(pp_estimate(se=4.0), 100, outcome="victims"),
    )
    b = vfm.value_for_money(
        cost=80_000,
        participants=100,
        unit_cost=UNIT,
        averted=vfm.outcomes_averted(pp_estimate(-3.0, -9.0, 3.0, se=3.0), 100, outcome="victims"),
    )
    both = vfm.combine([a, b], label="all", other_costs={"training": 20_000})
    assert both.cost == pytest.approx(250_000)
    point = a.benefit[0] + b.benefit[0]
    se = math.hypot(a.benefit_se, b.benefit_se)
    assert both.benefit[0] == pytest.approx(point)
    assert both.benefit[1] == pytest.approx(point - stats.norm.ppf(0.975) * se)
    assert both.bcr[0] == pytest.approx(point / 250_000)
    assert "training" in both.components
    assert any("not monetised" in text for text in both.assumptions)


def test_bcr_interval_covers_the_true_ratio_as_often_as_the_effect_interval():
    # The BCR interval is the image of the effect's interval, so their coverage is equal.
    rng = np.random.default_rng(7)
    true_effect, se, participants, cost = -8.0, 3.0, 200, 150_000.0
    true_bcr = -true_effect / 100 * participants * UNIT.value / cost
    draws = rng.normal(true_effect, se, 4000)
    covered = 0
    for effect in draws:
        est = pp_estimate(effect, effect - 1.96 * se, effect + 1.96 * se, se)
        averted = vfm.outcomes_averted(est, participants, outcome="victims")
        result = vfm.value_for_money(
            cost=cost, participants=participants, averted=averted, unit_cost=UNIT
        )
        covered += result.bcr[1] <= true_bcr <= result.bcr[2]
    assert covered / draws.size == pytest.approx(0.95, abs=0.015)


@settings(max_examples=60, deadline=None)
@given(
    effect=st.floats(-50, 50),
    half=st.floats(0.1, 30),
    participants=st.integers(1, 5000),
    cost=st.floats(1_000, 1e7),
)
def test_intervals_are_ordered(effect, half, participants, cost):
    est = pp_estimate(effect, effect - half, effect + half, half / 1.96)
    averted = vfm.outcomes_averted(est, participants, outcome="victims")
    result = vfm.value_for_money(
        cost=cost, participants=participants, averted=averted, unit_cost=UNIT
    )
    for low, point, high in (
        (averted.low, averted.point, averted.high),
        (result.benefit[1], result.benefit[0], result.benefit[2]),
        (result.bcr[1], result.bcr[0], result.bcr[2]),
    ):
        assert low <= point + 1e-9 and point <= high + 1e-9


def test_record_is_json_ready_and_complete():
    averted = vfm.outcomes_averted(pp_estimate(), 250, outcome="victims")
    result = vfm.value_for_money(
        cost=200_000, participants=250, averted=averted, unit_cost=UNIT, label="Drive"
    )
    block = vfm.value_for_money_block([result], overall=vfm.combine([result], label="all"))
    text = json.dumps(block, allow_nan=False)
    record = json.loads(text)["components"][0]
    assert record["benefit_cost_ratio"]["estimate"] == pytest.approx(5.0)
    assert record["unit_cost"]["value_gbp"] == UNIT.value
    assert record["assumptions"] and record["verdict"]
    assert "Drive" in block["headline"] or "all" in block["headline"]
    assert "Benefit-cost ratio" in result.table().index
    assert "Benefit-cost ratio" in result._repr_html_()


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (
            lambda: vfm.outcomes_averted(pp_estimate(), 0, outcome="victims"),
            EstimationError,
            "participant",
        ),
        (
            lambda: vfm.outcomes_averted(
                Estimate(0.3, 0.2, 0.4, None, 10, "proportion", "m", "e"), 10, outcome="v"
            ),
            ConfigError,
            "scale",
        ),
        (
            lambda: vfm.outcomes_averted(pp_estimate(-5.0, float("nan"), 1.0), 10, outcome="v"),
            EstimationError,
            "ci_low",
        ),
        (lambda: vfm.UnitCost(-1.0, "victim", "2024/25", "x"), ConfigError, "positive"),
        (lambda: vfm.cost_per_unit(1000, 0), EstimationError, "at least one"),
        (lambda: vfm.cost_per_unit(-5, 3), ConfigError, "non-negative"),
        (
            lambda: vfm.value_for_money(
                cost=0,
                participants=10,
                unit_cost=UNIT,
                averted=vfm.outcomes_averted(pp_estimate(), 10, outcome="victims"),
            ),
            EstimationError,
            "£0",
        ),
    ],
)
def test_errors_name_the_problem(call, error, text):
    with pytest.raises(error, match=text):
        call()


def test_mismatched_participant_counts_are_warned_about():
    averted = vfm.outcomes_averted(pp_estimate(), 100, outcome="victims")
    result = vfm.value_for_money(cost=50_000, participants=120, averted=averted, unit_cost=UNIT)
    assert any("same period" in w for w in result.warnings)


def test_format_gbp():
    assert vfm.format_gbp(34015) == "£34,000"
    assert vfm.format_gbp(12.345) == "£12.35"
    assert vfm.format_gbp(float("inf")) == "n/a"
