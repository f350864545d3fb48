from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.errors import ConfigError
from analysis.plots import alt_text, figure_info, plot_funnel, plot_uptake, wilson_interval
from tests.plots.helpers import artists, one

# ----------------------------------------------------------------------------- funnel


def test_funnel_bars_counts_and_share_of_previous_stage():
    fig = plot_funnel({"Referred": 250, "Started": 120, "Completed": 90})
    ax = fig.axes[0]
    bars = [p for p in ax.patches if (p.get_gid() or "").startswith("stage:")]
    assert [p.get_width() for p in bars] == [250, 120, 90]
    # Referral at the top, in funnel order.
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Referred", "Started", "Completed"]
    assert bars[0].get_y() < bars[1].get_y() and ax.yaxis_inverted()
    labels = [t.get_text() for t in artists(fig, "count_label")]
    assert labels == ["250", "120 (48% of referred)", "90 (75% of started)"]
    assert figure_info(fig).title == (
        "36% of people at the first stage (referred) reached the last (completed)"
    )
    assert ax.get_xlabel() == "Number of people"


def test_small_funnel_stages_have_no_bar_and_show_only_the_marker(assert_no_small_counts):
    fig = plot_funnel({"Referred": 250, "Started": 120, "Completed": 7})
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches]
    assert widths == [250, 120]
    labels = [t.get_text() for t in artists(fig, "count_label")]
    assert labels == ["250", "120 (48% of referred)", "<10"]
    assert_no_small_counts(fig, [7])
    assert "<10" in alt_text(fig)
    assert figure_info(fig).title == "Fewer than 10 people reached the last stage (completed)"


def test_percentages_that_would_reveal_a_small_count_are_left_out(assert_no_small_counts):
    fig = plot_funnel({"Referred": 250, "Assessed": 8, "Started": 6}, suppress_below=10)
    labels = [t.get_text() for t in artists(fig, "count_label")]
    assert labels == ["250", "<10", "<10"]
    assert_no_small_counts(fig, [8, 6])
    assert not any("%" in label for label in labels)


def test_funnel_threshold_is_a_parameter():
    fig = plot_funnel({"Referred": 40, "Started": 7}, suppress_below=5)
    assert [t.get_text() for t in artists(fig, "count_label")] == ["40", "7 (18% of referred)"]


def test_funnel_input_errors():
    with pytest.raises(ConfigError):
        plot_funnel({"Referred": -3})
    with pytest.raises(ConfigError, match="no stages"):
        plot_funnel({})


# ----------------------------------------------------------------------------- uptake

UPTAKE = pd.DataFrame(
    {
        "type": ["Pub", "Club", "Off-licence", "Restaurant", "Hotel"],
        "signed": [40, 18, 3, 25, 14],
        "eligible": [100, 30, 60, 120, 41],
    }
)


def test_wilson_interval_matches_statsmodels():
    for k, n in [(0, 10), (3, 60), (40, 100), (41, 41), (500, 1200)]:
        expected = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert wilson_interval(k, n) == pytest.approx(expected, abs=1e-12)
    assert wilson_interval(3, 60, 0.9) == pytest.approx(
        proportion_confint(3, 60, alpha=0.1, method="wilson"), abs=1e-12
    )


def test_uptake_points_and_wilson_intervals_for_groups_large_enough():
    big = UPTAKE[UPTAKE["type"] != "Off-licence"]
    fig = plot_uptake(big, group="type", count="signed", total="eligible")
    ax = fig.axes[0]
    points = one(fig, "uptake")
    expected = 100 * big["signed"] / big["eligible"]
    np.testing.assert_allclose(points.get_xdata(), expected)
    for segment, row in zip(one(fig, "intervals").get_segments(), big.itertuples(), strict=True):
        low, high = proportion_confint(row.signed, row.eligible, method="wilson")
        assert sorted(segment[:, 0]) == pytest.approx([100 * low, 100 * high])
    overall = 100 * big["signed"].sum() / big["eligible"].sum()
    assert list(one(fig, "overall").get_xdata()) == pytest.approx([overall, overall])
    assert ax.get_xlim() == (0, 100)
    assert ax.get_xlabel() == "Uptake (%)"
    assert figure_info(fig).title == "Uptake ranges from 21% (Restaurant) to 60% (Club)"


def test_small_groups_are_suppressed_with_a_second_group_to_protect_them(assert_no_small_counts):
    fig = plot_uptake(UPTAKE, group="type", count="signed", total="eligible")
    points = one(fig, "uptake")
    # Off-licence has 3 sign-ups: suppressed. Hiding it alone would let the totals reveal
    # it, so the cheapest other group goes too: Club (18 of 30) costs fewer hidden people
    # than Hotel (14 of 41), Restaurant or Pub.
    shown = {"Pub": 40, "Restaurant": 100 * 25 / 120, "Hotel": 100 * 14 / 41}
    np.testing.assert_allclose(sorted(points.get_xdata()), sorted(shown.values()))
    labels = {t.get_text() for t in artists(fig, "suppressed_label")}
    assert labels == {"Suppressed: <10 in a category", "Suppressed to protect another group"}
    assert_no_small_counts(fig, [3])
    alt = alt_text(fig)
    assert "2 group(s) suppressed because of small numbers: Club, Off-licence" in alt


def test_everyone_or_nobody_taking_up_is_suppressed():
    table = pd.DataFrame(
        {"area": ["East", "West", "North"], "signed": [30, 0, 22], "eligible": [30, 45, 50]}
    )
    fig = plot_uptake(table, group="area", count="signed", total="eligible")
    assert artists(fig, "uptake") == [] or len(one(fig, "uptake").get_xdata()) < 3
    texts = {t.get_text() for t in artists(fig, "suppressed_label")}
    assert "Suppressed: <10 in a category" in texts


def test_uptake_input_errors():
    with pytest.raises(ConfigError, match="total must be positive"):
        plot_uptake(pd.DataFrame({"g": ["a"], "k": [5], "n": [3]}), group="g", count="k", total="n")
    with pytest.raises(ConfigError, match="eligible"):
        plot_uptake(UPTAKE, group="type", count="signed", total="population")
