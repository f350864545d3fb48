from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib import dates as mdates
from matplotlib.collections import PolyCollection

from analysis.errors import ConfigError
from analysis.plots import alt_text, figure_info, plot_event_study, plot_its
from analysis.results import Estimate
from tests.plots.helpers import artists, one

INTERVENTION = pd.Timestamp("2024-01-01")


def its_result(effect=0.8, low=0.7, high=0.9, months=36, start="2022-01-01") -> Estimate:
    time = pd.date_range(start, periods=months, freq="MS")
    after = time >= INTERVENTION
    counterfactual = 60 + 0.5 * np.arange(months)
    fitted = counterfactual * np.where(after, effect, 1.0)
    observed = np.round(fitted + np.tile([3, -2, 1, -4], months // 4 + 1)[:months])
    frame = pd.DataFrame(
        {
            "time": time,
            "observed": observed,
            "fitted": fitted,
            "counterfactual": counterfactual,
            "counterfactual_low": counterfactual - 6,
            "counterfactual_high": counterfactual + 6,
        }
    )
    return Estimate(
        effect,
        low,
        high,
        0.01,
        months,
        "rate ratio",
        "segmented regression",
        "step change in violent incidents",
        outcome="violent_incidents",
        details={"fitted": frame, "intervention": INTERVENTION},
    )


def test_its_draws_observed_fitted_and_counterfactual_after_the_intervention():
    result = its_result()
    frame = result.details["fitted"]
    fig = plot_its(result, source="Crime records")
    ax = fig.axes[0]
    observed = one(fig, "observed")
    assert observed.get_linestyle() == "None" and observed.get_marker() == "o"
    np.testing.assert_array_equal(observed.get_ydata(), frame["observed"])
    np.testing.assert_allclose(one(fig, "fitted").get_ydata(), frame["fitted"])
    counterfactual = one(fig, "counterfactual")
    assert counterfactual.get_linestyle() == "--"
    post = frame["time"] >= INTERVENTION
    assert len(counterfactual.get_xdata()) == post.sum() == 12
    np.testing.assert_allclose(counterfactual.get_ydata(), frame.loc[post, "counterfactual"])
    band = one(fig, "counterfactual_band")
    assert isinstance(band, PolyCollection)
    vertices = band.get_paths()[0].vertices
    assert vertices[:, 1].min() == pytest.approx(frame.loc[post, "counterfactual_low"].min())
    assert vertices[:, 1].max() == pytest.approx(frame.loc[post, "counterfactual_high"].max())
    line = one(fig, "intervention")
    assert mdates.date2num(line.get_xdata()[0]) == pytest.approx(mdates.date2num(INTERVENTION))
    assert one(fig, "intervention_label").get_text() == "Intervention\nJanuary 2024"
    assert ax.get_xlabel() == "Month" and ax.get_ylabel() == "Violent incidents"
    assert ax.get_ylim()[0] == 0
    assert len(ax.get_legend().get_texts()) == 4


def test_its_title_and_alt_text_state_the_finding():
    fig = plot_its(its_result())
    info = figure_info(fig)
    assert info.title == "Violent incidents fell after the intervention in January 2024"
    alt = alt_text(fig)
    assert alt.startswith("Interrupted time series chart of violent incidents, 36 months")
    assert "January 2022 to December 2024" in alt
    assert "rate ratio of 0.800" in alt
    unclear = plot_its(its_result(effect=0.97, low=0.85, high=1.1))
    assert "showed no clear change" in figure_info(unclear).title
    assert plot_its(its_result(), title="Custom finding").get_suptitle() == "Custom finding"


def test_its_refuses_inputs_it_cannot_draw():
    with pytest.raises(ConfigError, match="analysis.methods.its"):
        plot_its(Estimate(0.8, 0.7, 0.9, 0.01, 10, "rate ratio", "did", "e"))
    with pytest.raises(ConfigError, match="Estimate"):
        plot_its(its_result().details["fitted"])
    late = its_result(start="2024-02-01", months=12)
    with pytest.raises(ConfigError, match="inside the series"):
        plot_its(late)
    broken = its_result()
    broken.details["fitted"] = broken.details["fitted"].drop(columns="counterfactual")
    with pytest.raises(ConfigError, match="counterfactual"):
        plot_its(broken)


# ----------------------------------------------------------------------------- event study


def event_study_result(pretrend=0.42, reference_row=True) -> Estimate:
    rel = np.arange(-4, 4)
    coef = np.array([0.1, -0.2, 0.15, 0.0, -1.2, -1.5, -1.4, -1.6])
    se = np.full(8, 0.3)
    if reference_row:
        se[rel == -1] = np.nan
    else:
        keep = rel != -1
        rel, coef, se = rel[keep], coef[keep], se[keep]
    dynamic = pd.DataFrame(
        {
            "rel_time": rel,
            "coef": coef,
            "se": se,
            "ci_low": coef - 1.96 * se,
            "ci_high": coef + 1.96 * se,
        }
    )
    return Estimate(
        -1.4,
        -1.9,
        -0.9,
        0.001,
        500,
        "difference",
        "event study",
        "effect",
        outcome="incidents",
        details={"dynamic": dynamic},
        diagnostics={"pretrend_p_value": pretrend},
    )


def test_event_study_draws_coefficients_intervals_zero_line_and_treatment_period():
    result = event_study_result()
    dynamic = result.details["dynamic"]
    estimated = dynamic[dynamic["se"].notna()]
    fig = plot_event_study(result)
    ax = fig.axes[0]
    points = one(fig, "coefficients")
    np.testing.assert_array_equal(points.get_xdata(), estimated["rel_time"])
    np.testing.assert_allclose(points.get_ydata(), estimated["coef"])
    segments = one(fig, "intervals").get_segments()
    assert len(segments) == len(estimated) == 7
    for segment, row in zip(segments, estimated.itertuples(), strict=True):
        assert segment[:, 0] == pytest.approx([row.rel_time] * 2)
        assert sorted(segment[:, 1]) == pytest.approx([row.ci_low, row.ci_high])
    zero = one(fig, "zero_line")
    assert list(zero.get_ydata()) == [0, 0]
    reference = one(fig, "reference")
    assert list(reference.get_xdata()) == [-1] and list(reference.get_ydata()) == [0]
    assert reference.get_markerfacecolor() == "white"
    shading = one(fig, "post_period")
    x0, x1 = shading.get_x(), shading.get_x() + shading.get_width()
    assert (x0, x1) == pytest.approx((-0.5, 3.5))
    assert ax.get_xlabel() == "Periods relative to treatment"
    assert ax.get_ylabel() == "Effect on incidents"


def test_event_study_titles_and_alt_text_report_the_pretrend_test():
    calm = plot_event_study(event_study_result(pretrend=0.42))
    title = figure_info(calm).title
    assert title.startswith("Incidents: lower in 4 of 4 periods after treatment")
    assert "no sign of differing trends beforehand (p = 0.42)" in title
    assert "Before treatment 0 of 3 intervals exclude zero" in alt_text(calm)
    worrying = plot_event_study(event_study_result(pretrend=0.003))
    assert "trends differed beforehand (p = 0.003" in figure_info(worrying).title


def test_event_study_without_a_reference_row_marks_none():
    fig = plot_event_study(event_study_result(reference_row=False))
    assert artists(fig, "reference") == []
    assert len(one(fig, "intervals").get_segments()) == 7
