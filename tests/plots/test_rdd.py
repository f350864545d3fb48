from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.plots import alt_text, figure_info, plot_rdd
from analysis.results import Estimate
from tests.plots.helpers import artists, one


def rdd_result(effect=0.1, low=0.04, high=0.16) -> Estimate:
    x = np.linspace(-9.5, 9.5, 20)
    side = np.where(x >= 0, "above", "below")
    bins = pd.DataFrame(
        {
            "x": x,
            "y": 0.2 + 0.01 * x + effect * (x >= 0),
            # The outermost bin on each side holds too few people to show.
            "n": np.where(np.abs(x) > 9, 6, 40),
            "side": side,
        }
    )
    fit = pd.DataFrame(
        {
            "x": [-10.0, 0.0, 0.0, 10.0],
            "fitted": [0.1, 0.2, 0.3, 0.4],
            "side": ["below", "below", "above", "above"],
        }
    )
    return Estimate(
        effect,
        low,
        high,
        0.001,
        760,
        "difference",
        "local linear RDD",
        "jump in the charge rate",
        outcome="charge_rate",
        details={"bins": bins, "fit": fit, "cutoff": 0.0, "running": "harm_score"},
        diagnostics={"bandwidth": 8.0},
    )


def test_binned_means_each_side_local_fits_and_cutoff_line():
    result = rdd_result()
    bins = result.details["bins"]
    fig = plot_rdd(result)
    ax = fig.axes[0]
    below, above = one(fig, "bins:below"), one(fig, "bins:above")
    shown = bins[bins["n"] >= 10]
    np.testing.assert_allclose(below.get_offsets(), shown[shown.side == "below"][["x", "y"]])
    np.testing.assert_allclose(above.get_offsets(), shown[shown.side == "above"][["x", "y"]])
    assert len(below.get_offsets()) == len(above.get_offsets()) == 9
    fit_below, fit_above = one(fig, "fit:below"), one(fig, "fit:above")
    assert list(fit_below.get_xdata()) == [-10, 0] and list(fit_above.get_ydata()) == [0.3, 0.4]
    assert list(one(fig, "cutoff").get_xdata()) == [0, 0]
    assert ax.get_xlabel() == "Harm score" and ax.get_ylabel() == "Charge rate"


def test_bins_of_fewer_than_10_are_not_drawn_and_the_notes_say_so():
    fig = plot_rdd(rdd_result())
    caption = figure_info(fig).caption
    assert "2 bin(s) with fewer than 10 units are not shown" in caption
    assert "within 8.00 of the cutoff" in caption


def test_title_and_alt_text_state_the_jump():
    fig = plot_rdd(rdd_result())
    assert figure_info(fig).title == "Charge rate jumps up at the cutoff (harm score = 0)"
    alt = alt_text(fig)
    assert alt.startswith("Regression discontinuity chart of charge rate against harm score")
    assert "9 binned means below and 9 at or above the cutoff at 0" in alt
    none = plot_rdd(rdd_result(effect=0.01, low=-0.05, high=0.07))
    assert "showed no clear change" in figure_info(none).title


def test_rdd_input_errors():
    result = rdd_result()
    del result.details["cutoff"]
    with pytest.raises(ConfigError, match="cutoff"):
        plot_rdd(result)
    with pytest.raises(ConfigError, match="details\\['bins'\\]"):
        plot_rdd(Estimate(0.1, 0.0, 0.2, 0.05, 10, "difference", "did", "e"))
    odd = rdd_result()
    odd.details["bins"]["side"] = "left"
    with pytest.raises(ConfigError, match="below"):
        plot_rdd(odd)
    assert artists(plot_rdd(rdd_result()), "cutoff_label")[0].get_text() == "Cutoff 0"
