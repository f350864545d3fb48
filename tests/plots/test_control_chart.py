from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.methods import control_limits
from analysis.plots import alt_text, figure_info, plot_control_chart
from tests.plots.helpers import artists, one


def chart_table() -> pd.DataFrame:
    series = pd.DataFrame(
        {"year": pd.date_range("2013-04-01", periods=12, freq="12MS"),
         "people": [40, 42, 38, 41, 39, 40, 43, 41, 40, 60, 62, 61],
         "population": [1000.0] * 12}
    )  # fmt: skip
    return control_limits(
        series, observed="people", time="year", chart="u", denominator="population",
        baseline_end=pd.Timestamp("2022-04-01"),
    )  # fmt: skip


def test_the_limits_drawn_are_the_methods_and_signals_are_marked():
    table = chart_table()
    fig = plot_control_chart(table, per=1000)
    ax = fig.axes[0]
    upper = artists(ax, "limits")[1].get_ydata()
    np.testing.assert_allclose(upper, 1000 * table["upper"].to_numpy())
    assert one(ax, "centre").get_ydata()[0] == pytest.approx(1000 * table.attrs["centre"])
    assert len(one(ax, "signals").get_offsets()) == int((table["signal"] != "").sum()) == 3
    assert figure_info(fig).title == "3 of 3 periods after the baseline signal a change"
    assert "Control chart of 12 periods" in alt_text(fig)
    assert one(ax, "baseline_end") is not None


def test_a_quiet_chart_has_no_signal_points_and_a_table_without_attrs_is_refused():
    table = chart_table()
    quiet = control_limits(table.assign(observed=40.0), observed="observed", time="time",
                           chart="c", baseline_end=table["time"].iloc[9])  # fmt: skip
    fig = plot_control_chart(quiet)
    assert not artists(fig.axes[0], "signals")
    stripped = pd.DataFrame(table.to_dict("list"))
    with pytest.raises(ConfigError, match="lost the chart type"):
        plot_control_chart(stripped)
    with pytest.raises(ConfigError, match="per must be positive"):
        plot_control_chart(table, per=0)
