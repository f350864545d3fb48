"""How findings read: numbers on each scale, intervals, evidence strength, anchors."""

import pytest

from analysis.reporting.formatting import (
    finding_view,
    format_effect,
    format_interval,
    format_timestamp,
    format_value,
    ordered_findings,
    relative_change,
    slugify,
    sms_words,
    truth_note,
)
from analysis.results import format_p_value


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (0.1234, "proportion", "12.3%"),
        (-2.46, "percentage points", "-2.5"),
        (2.44, "percentage points", "+2.4"),
        (0.5, "difference", "+0.500"),
        (-12.0, "difference", "-12.0"),
        (1.25, "hazard ratio", "1.25"),
        (1234.5, "months", "1,234"),
        (None, "rate ratio", "not estimable"),
        (float("nan"), "difference", "not estimable"),
        (float("inf"), "ratio", "not estimable"),
    ],
)
def test_values_on_each_scale(value, scale, expected):
    assert format_value(value, scale) == expected


def test_ratios_read_as_percentage_changes():
    assert relative_change(0.75, "rate ratio") == "25% decrease"
    assert relative_change(1.1, "hazard ratio") == "10% increase"
    assert relative_change(1.001, "odds ratio") == "no change"
    assert relative_change(0.75, "percentage points") == ""
    assert (
        format_effect({"effect": 0.75, "scale": "risk ratio"}) == "0.750 risk ratio (25% decrease)"
    )


def test_intervals_need_both_bounds():
    assert (
        format_interval({"ci_low": 0.1, "ci_high": 0.3, "scale": "proportion"}) == "10.0% to 30.0%"
    )
    assert (
        format_interval({"ci_low": 0.1, "ci_high": None, "scale": "proportion"}) == "not estimable"
    )
    assert format_interval({"scale": "difference"}) == "not estimable"


def test_sms_levels_in_words_and_number():
    assert [sms_words(level) for level in range(1, 6)] == [
        "weak (SMS 1)",
        "limited (SMS 2)",
        "moderate (SMS 3)",
        "strong (SMS 4)",
        "very strong (SMS 5)",
    ]
    assert sms_words(7) == "not rated"


def test_truth_is_checked_against_the_interval():
    finding = {"truth": -3.0, "ci_low": -5.5, "ci_high": -0.7, "scale": "percentage points"}
    assert truth_note(finding) == "-3.0, inside the interval"
    assert truth_note({**finding, "truth": 1.0}) == "+1.0, outside the interval"
    assert truth_note({**finding, "ci_low": None}) == "-3.0"


def test_p_values():
    assert format_p_value(0.00099) == "< 0.001"
    assert format_p_value(0.001) == "0.0010"
    assert format_p_value(0.0449) == "0.045"
    assert format_p_value(0.5) == "0.50"
    assert format_p_value(None, missing="") == ""


def test_timestamps_are_shown_in_utc():
    assert format_timestamp("2026-03-01T09:05:00+01:00") == "1 March 2026, 08:05 UTC"
    assert format_timestamp("not a date") == "not a date"


def test_anchors_and_order():
    assert slugify("Value for money (£270,000)") == "value-for-money-270-000"
    findings = [{"headline": False}, {"headline": True}, {"headline": False}, {"headline": True}]
    assert [i for i, _ in ordered_findings(findings)] == [1, 3, 0, 2]
    view = finding_view(3, {"question": "Q?", "effect": 1.0, "sms_level": 2})
    assert view["anchor"] == "finding-4"
    assert view["label"] == "Q?", "the question stands in for a missing label"
    assert view["interval"] == "not estimable"
