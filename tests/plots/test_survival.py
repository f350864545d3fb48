from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.plots import alt_text, figure_info, plot_kaplan_meier
from analysis.results import Estimate
from tests.plots.helpers import artists, one


def km_result(small_group_at_risk=(40, 30, 20, 12, 8, 4)) -> Estimate:
    """Two step functions built by hand; the small group's numbers at risk fall below 10."""
    times = np.array([0, 30, 60, 90, 120, 150], dtype=float)
    big = pd.DataFrame(
        {
            "group": "Comparison",
            "time": times,
            "survival": [1.0, 0.95, 0.9, 0.84, 0.8, 0.77],
            "at_risk": [300, 280, 250, 220, 190, 160],
            "events": [0, 15, 14, 16, 10, 7],
            "censored": [0, 5, 16, 14, 20, 23],
        }
    )
    small = pd.DataFrame(
        {
            "group": "Drive",
            "time": times,
            "survival": [1.0, 0.97, 0.93, 0.9, 0.85, 0.8],
            "at_risk": list(small_group_at_risk),
            "events": [0, 1, 1, 1, 1, 1],
            "censored": [0, 9, 9, 7, 3, 3],
        }
    )
    curves = pd.concat([big, small], ignore_index=True)
    curves["ci_low"] = curves["survival"] - 0.05
    curves["ci_high"] = np.minimum(curves["survival"] + 0.05, 1.0)
    risk = pd.DataFrame(
        {
            0: [300, small_group_at_risk[0]],
            60: [250, small_group_at_risk[2]],
            120: [190, small_group_at_risk[4]],
            150: [160, small_group_at_risk[5]],
        },
        index=["Comparison", "Drive"],
    )
    return Estimate(
        0.6,
        0.4,
        0.9,
        0.02,
        340,
        "hazard ratio",
        "Kaplan-Meier",
        "time to a DA reoffence",
        outcome="a DA reoffence",
        details={"curves": curves, "risk_table": risk},
    )


def test_one_step_curve_band_and_censoring_marks_per_group():
    result = km_result()
    curves = result.details["curves"]
    fig = plot_kaplan_meier(result)
    ax = fig.axes[0]
    comparison = one(fig, "survival:Comparison")
    assert comparison.get_drawstyle() == "steps-post"
    expected = curves[curves["group"] == "Comparison"]
    np.testing.assert_allclose(comparison.get_xdata(), expected["time"])
    np.testing.assert_allclose(comparison.get_ydata(), expected["survival"])
    marks = one(fig, "censored:Comparison")
    assert marks.get_marker() == "|"
    censored = expected[expected["censored"] > 0]
    np.testing.assert_allclose(marks.get_xdata(), censored["time"])
    np.testing.assert_allclose(marks.get_ydata(), censored["survival"])
    assert len(artists(fig, "band:Comparison")) == 1
    assert ax.get_ylim() == (0, 1.02)
    assert ax.get_xlabel() == "Time since start (days)"
    assert ax.get_ylabel() == "Without a DA reoffence"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Comparison", "Drive"]


def test_curves_stop_when_fewer_than_10_remain_at_risk():
    fig = plot_kaplan_meier(km_result())
    drive = one(fig, "survival:Drive")
    # At risk 40, 30, 20, 12 then 8: the curve ends at day 90, the last time with 10 or more.
    assert max(drive.get_xdata()) == 90
    assert "Curves stop where fewer than 10 people remain at risk" in figure_info(fig).caption


def test_risk_table_suppresses_small_numbers(assert_no_small_counts):
    fig = plot_kaplan_meier(km_result())
    cells = [t.get_text() for t in artists(fig, "risk_count")]
    assert cells == ["300", "250", "190", "160", "40", "20", "<10", "<10"]
    assert_no_small_counts(fig, [8, 4])
    table_ax = fig.axes[1]
    assert [t.get_text() for t in table_ax.get_yticklabels()] == ["Comparison", "Drive"]
    assert table_ax.get_title(loc="left") == "Number at risk"


def test_a_group_too_small_to_show_is_left_out_and_explained():
    fig = plot_kaplan_meier(km_result(small_group_at_risk=(9, 8, 6, 5, 3, 2)))
    assert artists(fig, "survival:Drive") == []
    assert "Not shown (fewer than 10 people at risk from the start): Drive." in (
        figure_info(fig).caption
    )


def test_default_title_and_alt_text():
    fig = plot_kaplan_meier(km_result())
    # Drive's curve ends at day 90; the latest risk-table time both curves reach is day 60,
    # where 90% (Comparison) and 93% (Drive) were without the event.
    assert figure_info(fig).title == (
        "After 60 days, 90% of Comparison and 93% of Drive were without a DA reoffence"
    )
    alt = alt_text(fig)
    assert alt.startswith("Kaplan-Meier chart of the proportion without a DA reoffence")
    assert "Comparison 90%, Drive 93%" in alt
    assert "numbers below 10 are shown as '<10'" in alt


def test_curves_starting_after_time_zero_start_from_one():
    result = km_result()
    curves = result.details["curves"]
    result.details["curves"] = curves[curves["time"] > 0]
    fig = plot_kaplan_meier(result)
    line = one(fig, "survival:Comparison")
    assert line.get_xdata()[0] == 0 and line.get_ydata()[0] == 1


def test_missing_curves_is_a_config_error():
    with pytest.raises(ConfigError, match="kaplan_meier"):
        plot_kaplan_meier(Estimate(0.6, 0.4, 0.9, 0.02, 10, "hazard ratio", "cox", "e"))
