from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.methods.funnel import funnel_limit_curve, funnel_limits
from analysis.plots import alt_text, figure_info, plot_funnel_areas
from tests.plots.helpers import artists


def area_table(**kwargs) -> pd.DataFrame:
    areas = pd.DataFrame(
        {
            "area": ["Poole", "Weymouth", "Bridport", "Blandford", "Gillingham", "Wimborne"],
            "repeat": [30, 12, 70, 44, 2, 80],
            "victims": [150, 40, 300, 200, 90, 250],
        }
    )
    return funnel_limits(areas, area="area", observed="repeat", denominator="victims", **kwargs)


def test_limits_drawn_are_the_methods_limits_and_every_area_is_a_point():
    table = area_table()
    fig = plot_funnel_areas(table, per=100)
    ax = fig.axes[0]
    lines_95 = artists(ax, "limits_95")
    assert len(lines_95) == 2 and len(artists(ax, "limits_998")) == 2
    grid = lines_95[0].get_xdata()
    low, high = funnel_limit_curve(table.attrs["target"], grid, level=0.95)
    np.testing.assert_allclose(lines_95[0].get_ydata(), 100 * low)
    np.testing.assert_allclose(lines_95[1].get_ydata(), 100 * high)
    points = sum(
        len(c.get_offsets()) for c in ax.collections if str(c.get_gid()).startswith("areas")
    )
    assert points == len(table)
    assert ax.get_xscale() == "log"
    assert artists(ax, "target")[0].get_ydata()[0] == pytest.approx(100 * table.attrs["target"])


def test_areas_outside_the_outer_limits_are_named_and_counted():
    table = area_table()
    outside = table.loc[table["flag"].str.endswith("99.8%"), "area"].tolist()
    assert outside  # Gillingham (2 of 90) and Wimborne (80 of 250) sit outside
    fig = plot_funnel_areas(table)
    labels = [t.get_text() for t in artists(fig.axes[0], "area_label")]
    assert sorted(labels) == sorted(outside)
    assert figure_info(fig).title.startswith(f"{len(outside)} of 6 areas lie outside")
    # Six areas this varied are overdispersed: the title says so rather than single them out.
    assert table.attrs["dispersion_p_value"] < 0.05
    assert figure_info(fig).title.endswith("vary more than chance allows")
    adjusted = plot_funnel_areas(area_table(overdispersion="additive"))
    assert "vary more than chance" not in figure_info(adjusted).title
    assert "Funnel plot of 6 areas" in alt_text(fig)


def test_overdispersion_adjustment_is_drawn_and_said():
    table = area_table(overdispersion="multiplicative")
    fig = plot_funnel_areas(table)
    line = artists(fig.axes[0], "limits_998")[1]
    _, high = funnel_limit_curve(
        table.attrs["target"], line.get_xdata(), level=0.998, dispersion=table.attrs["dispersion"]
    )
    np.testing.assert_allclose(line.get_ydata(), high)
    assert "widened by the dispersion factor" in figure_info(fig).caption


def test_input_errors():
    with pytest.raises(ConfigError, match="lacks column"):
        plot_funnel_areas(pd.DataFrame({"area": ["A"]}))
    table = area_table()
    stripped = table.copy()
    stripped.attrs = {}
    with pytest.raises(ConfigError, match="attrs"):
        plot_funnel_areas(stripped)
    with pytest.raises(ConfigError, match="per must be positive"):
        plot_funnel_areas(table, per=0)
