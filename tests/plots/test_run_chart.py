"""Tests for analysis.plots.plot_run_chart."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.plots import alt_text, figure_info, plot_run_chart


def _chart(shift: bool, trend: bool) -> pd.DataFrame:
    months = pd.date_range("2024-01-01", periods=8, freq="MS")
    return pd.DataFrame(
        {
            "value": [1.0, 2, 1, 2, 5, 6, 7, 8],
            "median": 3.5,
            "shift": [False] * 2 + [shift] * 6,
            "trend": [False] * 4 + [trend] * 4,
        },
        index=months,
    )


@pytest.mark.parametrize(
    "shift, trend, words",
    [
        (True, True, "a shift and a trend"),
        (False, True, "a trend in the run chart"),
        (False, False, "no signal of non-random change"),
    ],
)
def test_title_and_alt_text_say_which_rules_were_broken(shift, trend, words):
    fig = plot_run_chart(_chart(shift, trend), outcome="warrants")
    info = figure_info(fig)
    assert info.kind == "run_chart"
    assert words in info.title
    assert "median 3.50" in alt_text(fig)


def test_a_table_without_the_rule_columns_is_refused():
    with pytest.raises(ConfigError, match="missing \\['shift', 'trend'\\]"):
        plot_run_chart(pd.DataFrame({"value": [1.0], "median": [1.0]}), outcome="arrests")
