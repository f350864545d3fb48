from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.plots import CATEGORICAL, PALETTE, figure_info, house_style, plot_funnel
from analysis.plots.style import change_phrase, footer_lines, humanise, scale_label
from analysis.results import Estimate


def test_palette_is_the_analysis_function_categorical_palette_in_order():
    assert list(PALETTE.values()) == [
        "#12436D",
        "#28A197",
        "#801650",
        "#F46A25",
        "#3D3D3D",
        "#A285D1",
    ]
    assert tuple(PALETTE.values()) == CATEGORICAL


def test_house_style_applies_inside_and_restores_global_settings():
    mpl.rcParams["axes.spines.top"] = True
    mpl.rcParams["legend.frameon"] = True
    before = dict(mpl.rcParams)
    with house_style():
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["legend.frameon"] is False
        colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [c.upper() for c in colours] == list(CATEGORICAL)
    assert dict(mpl.rcParams) == before


def test_figure_functions_leave_global_settings_and_pyplot_untouched():
    before = dict(mpl.rcParams)
    open_before = plt.get_fignums()
    fig = plot_funnel({"Referred": 100, "Started": 60})
    assert dict(mpl.rcParams) == before
    # Figures are not registered with pyplot, so a batch run never accumulates them.
    assert plt.get_fignums() == open_before
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()


def test_every_figure_carries_title_footer_and_alt_text():
    fig = plot_funnel({"Referred": 100, "Started": 60}, source="Case management system", note="X.")
    info = figure_info(fig)
    assert info.kind == "funnel"
    assert fig.get_suptitle().replace("\n", " ") == info.title
    assert info.footer.get_text().startswith("Source: Case management system")
    assert "Notes:" in info.footer.get_text() and info.footer.get_text().rstrip().endswith("X.")
    assert info.alt.startswith("Horizontal bar chart")
    # The footer sits below every axes: the layout keeps a band for it.
    fig.draw_without_rendering()
    footer_top = info.footer.get_window_extent().y1
    for ax in fig.axes:
        assert ax.get_tightbbox().y0 >= footer_top - 1


def test_footer_lines_read_naturally():
    assert footer_lines("Source: police records", ["Read it so.", " "]) == [
        "Source: police records",
        "Notes: Read it so.",
    ]
    assert footer_lines(None, []) == []


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ("hazard ratio", "Hazard ratio (log scale; 1 = no difference)"),
        ("difference", "Difference (0 = no difference)"),
        ("months", "Effect, months (0 = no difference)"),
    ],
)
def test_scale_labels_say_where_no_effect_lies(scale, expected):
    assert scale_label(scale) == expected


def test_words_helpers():
    assert humanise("time_to_charge") == "time to charge"
    up = Estimate(1.3, 1.1, 1.5, 0.01, 10, "rate ratio", "m", "e")
    assert change_phrase(up) == "rose"
    assert change_phrase(up, up="jumps up") == "jumps up"


def test_long_titles_wrap_to_the_figure_width():
    title = "A finding stated at some length " * 5
    fig = plot_funnel(pd.Series({"Referred": 100, "Started": 60}), title=title)
    fig.draw_without_rendering()
    suptitle = fig._suptitle
    assert "\n" in suptitle.get_text()
    assert suptitle.get_window_extent().x1 <= fig.bbox.width
