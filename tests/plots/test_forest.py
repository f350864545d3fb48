from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.evidence import Finding
from analysis.plots import alt_text, figure_info, forest_rows, plot_forest
from analysis.results import Estimate
from tests.plots.helpers import artists


def findings() -> list[Finding]:
    return [
        Finding(
            "Did Drive cut reoffending?",
            Estimate(0.7, 0.55, 0.89, 0.01, 300, "rate ratio", "m", "e"),
            "matched_difference_in_differences",
            label="Drive",
        ),
        Finding(
            "Did Up2U cut reoffending?",
            Estimate(0.95, 0.8, 1.13, 0.5, 300, "rate ratio", "m", "e"),
            "matched_comparison",
            label="Up2U",
        ),
        Finding(
            "Did Focus raise charging?",
            Estimate(6.1, 2.0, 10.2, 0.01, 300, "percentage points", "m", "e"),
            "regression_discontinuity",
            label="Focus charge rate",
        ),
        Finding(
            "Did Focus cut withdrawal?",
            Estimate(-2.0, -5.5, 1.5, 0.3, 300, "percentage points", "m", "e"),
            "difference_in_differences",
            label="Focus withdrawal",
        ),
    ]


def panel_points(ax):
    estimates = [a for a in artists(ax, "estimates")]
    assert len(estimates) == 1
    return estimates[0]


def test_mixed_scales_get_one_panel_each_with_their_own_null_line():
    fig = plot_forest(findings())
    ratio_ax, difference_ax = fig.axes
    assert ratio_ax.get_xscale() == "log" and difference_ax.get_xscale() == "linear"
    assert list(artists(ratio_ax, "null_line")[0].get_xdata()) == [1, 1]
    assert list(artists(difference_ax, "null_line")[0].get_xdata()) == [0, 0]
    np.testing.assert_allclose(panel_points(ratio_ax).get_xdata(), [0.7, 0.95])
    np.testing.assert_allclose(panel_points(difference_ax).get_xdata(), [6.1, -2.0])
    segments = artists(ratio_ax, "intervals")[0].get_segments()
    assert [sorted(s[:, 0]) for s in segments] == [
        pytest.approx([0.55, 0.89]),
        pytest.approx([0.8, 1.13]),
    ]
    assert ratio_ax.get_xlabel() == "Rate ratio (log scale; 1 = no difference)"
    assert difference_ax.get_xlabel() == "Difference in percentage points (0 = no difference)"
    # Every interval and the null line are inside the axis limits.
    low, high = ratio_ax.get_xlim()
    assert low < 0.55 and high > 1.13


def test_labels_sms_levels_and_values_are_shown_as_text():
    fig = plot_forest(findings())
    ratio_ax = fig.axes[0]
    assert [t.get_text() for t in ratio_ax.get_yticklabels()] == ["Drive", "Up2U"]
    sms = [t.get_text() for t in artists(fig, "sms_label")]
    assert sms == ["SMS 3", "SMS 2", "SMS 4", "SMS 3"]
    values = [t.get_text() for t in artists(fig, "value_label")]
    assert values[0] == "0.700 (0.550 to 0.890)"
    assert values[2] == "6.10 (2.00 to 10.2)"


def test_group_headings_by_design_are_bold_rows_without_points():
    fig = plot_forest(findings(), group_by="design")
    ratio_ax = fig.axes[0]
    labels = ratio_ax.get_yticklabels()
    assert [t.get_text() for t in labels] == [
        "Matched difference in differences",
        "Drive",
        "Matched comparison",
        "Up2U",
    ]
    assert [t.get_fontweight() for t in labels] == ["bold", "normal", "bold", "normal"]
    ticks = ratio_ax.get_yticks()
    np.testing.assert_allclose(panel_points(ratio_ax).get_ydata(), [ticks[1], ticks[3]])


def test_dataframe_rows_with_groups_as_on_the_scorecard():
    rows = pd.DataFrame(
        {
            "label": ["Charge rate", "Reoffending", "Incidents"],
            "effect": [1.3, 0.8, 0.9],
            "ci_low": [1.1, 0.7, 0.75],
            "ci_high": [1.5, 0.92, 1.08],
            "scale": ["risk ratio", "rate ratio", "rate ratio"],
            "group": ["Operation Focus", "Drive", "lSaVI"],
            "sms_level": [4, 3, 3],
        }
    )
    fig = plot_forest(rows, title="Two of three programmes show an effect")
    assert len(fig.axes) == 2
    assert fig.get_suptitle() == "Two of three programmes show an effect"
    heading_texts = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert heading_texts == ["Drive", "Reoffending", "lSaVI", "Incidents"]
    assert "Forest plot of 3 estimates in 2 panels" in alt_text(fig)


def test_label_estimate_pairs_and_alt_text():
    rows = [("Drive", findings()[0].estimate), ("Up2U", findings()[1].estimate)]
    fig = plot_forest(rows)
    assert len(fig.axes) == 1
    alt = alt_text(fig)
    assert alt.startswith("Forest plot of 2 estimates")
    assert "1 of 2 intervals exclude no effect" in alt
    assert "Drive: 0.700 (95% CI 0.550 to 0.890, rate ratio)" in alt
    assert figure_info(fig).title == (
        "Estimated effects with 95% intervals: 1 of 2 rule out no effect"
    )


def test_rows_without_an_interval_are_drawn_and_explained():
    rows = pd.DataFrame(
        {
            "label": ["A", "B"],
            "effect": [0.5, 1.0],
            "ci_low": [0.1, np.nan],
            "ci_high": [0.9, np.nan],
        }
    )
    fig = plot_forest(rows)
    hollow = artists(fig, "estimates_without_interval")
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [1.0]
    assert "No interval is available for: B." in figure_info(fig).caption


def test_bad_rows_are_config_errors():
    with pytest.raises(ConfigError, match="positive"):
        plot_forest(
            pd.DataFrame(
                {
                    "label": ["A"],
                    "effect": [0.0],
                    "ci_low": [-0.1],
                    "ci_high": [0.2],
                    "scale": ["odds ratio"],
                }
            )
        )
    with pytest.raises(ConfigError, match="ci_high"):
        plot_forest(pd.DataFrame({"label": ["A"], "effect": [0.1], "ci_low": [0.0]}))
    with pytest.raises(ConfigError, match="no rows"):
        plot_forest([])
    with pytest.raises(ConfigError, match="row 0"):
        plot_forest([("A", 0.5)])
    assert list(forest_rows(findings())["sms_level"]) == [3, 2, 4, 3]


def test_findings_json_rows_without_a_scale_are_differences():
    rows = pd.DataFrame(
        {
            "label": ["A", "B"],
            "effect": [0.5, 0.8],
            "ci_low": [0.1, 0.7],
            "ci_high": [0.9, 0.95],
            "scale": [None, "rate ratio"],
        }
    )
    fig = plot_forest(rows)
    assert [ax.get_xscale() for ax in fig.axes] == ["linear", "log"]


def test_plot_comparison_draws_one_row_per_design_and_a_panel_per_scale():
    from analysis.plots import plot_comparison
    from analysis.results import compare

    comparison = compare(
        {
            "Two-way fixed effects": Estimate(-0.9, -1.2, -0.6, 0.001, 120, "difference", "a", "e"),
            "Staggered": Estimate(-0.5, -0.8, -0.2, 0.002, 120, "difference", "b", "e"),
            "Poisson": Estimate(0.8, 0.7, 0.92, 0.002, 120, "rate ratio", "c", "e", conf_level=0.9),
        },
        estimand="effect of signing up on incidents a month",
    )
    fig = plot_comparison(comparison, title="Every design finds fewer incidents")
    assert [ax.get_xscale() for ax in fig.axes] == ["linear", "log"]
    assert len(artists(fig, "value_label")) == 3
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert labels == ["Two-way fixed effects", "Staggered", "Poisson"]
    notes = " ".join(figure_info(fig).notes)
    assert "Every design estimates: effect of signing up on incidents a month." in notes
    assert "Intervals not at 95%: Poisson (90%)." in notes
    assert forest_rows(comparison)["label"].tolist() == labels


def test_plot_comparison_needs_a_comparison():
    from analysis.plots import plot_comparison

    with pytest.raises(ConfigError, match="needs the result of compare"):
        plot_comparison([("a", Estimate(1.0, 0.5, 1.5, 0.1, 10, "difference", "m", "e"))])
