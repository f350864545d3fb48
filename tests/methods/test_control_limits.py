"""control_limits: hand-computed c-, u- and p-chart limits, signals, in-control false alarms."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError, EstimationError
from analysis.methods import control_limits


def test_c_chart_limits_match_the_hand_computed_ones():
    series = pd.DataFrame({"t": range(10), "y": [10, 12, 8, 11, 9, 10, 14, 6, 30, 0]})
    chart = control_limits(series, observed="y", time="t", baseline_end=8)
    # Baseline mean 80 / 8 = 10; limits 10 +/- 3 sqrt(10) = 0.513 and 19.487.
    assert chart.attrs["centre"] == 10.0
    assert chart["upper"].iloc[0] == pytest.approx(10 + 3 * math.sqrt(10), abs=1e-12)
    assert chart["lower"].iloc[0] == pytest.approx(10 - 3 * math.sqrt(10), abs=1e-12)
    assert chart["signal"].tolist()[-2:] == ["above", "below"]
    assert chart["baseline"].sum() == 8


def test_u_chart_limits_follow_each_periods_exposure():
    series = pd.DataFrame(
        {"year": [2019, 2020, 2021, 2022, 2023, 2024, 2025], "y": [40, 55, 48, 60, 52, 45, 90],
         "n": [1000, 1200, 1100, 1300, 1150, 1050, 1000]}
    )  # fmt: skip
    chart = control_limits(series, observed="y", time="year", chart="u", denominator="n",
                           baseline_end=2025)  # fmt: skip
    u_bar = 300 / 6800
    assert chart.attrs["centre"] == pytest.approx(u_bar, abs=1e-15)
    expected_upper = u_bar + 3 * np.sqrt(u_bar / series["n"].to_numpy())
    assert np.allclose(chart["upper"], expected_upper, atol=1e-15)
    assert chart["signal"].iloc[-1] == "above"  # 0.09 against an upper limit of about 0.064


def test_p_chart_limits_and_clipping():
    series = pd.DataFrame({"t": range(6), "x": [30, 28, 35, 31, 29, 33], "n": [100] * 6})
    chart = control_limits(series, observed="x", time="t", chart="p", denominator="n")
    p_bar = 186 / 600
    half = 3 * math.sqrt(p_bar * (1 - p_bar) / 100)
    assert chart["lower"].iloc[0] == pytest.approx(p_bar - half, abs=1e-15)
    assert chart["upper"].iloc[0] == pytest.approx(p_bar + half, abs=1e-15)
    small = pd.DataFrame({"t": range(6), "x": [1, 0, 1, 0, 1, 0], "n": [5] * 6})
    clipped = control_limits(small, observed="x", time="t", chart="p", denominator="n")
    assert (clipped["lower"] == 0).all() and (clipped["upper"] <= 1).all()


def test_a_run_of_seven_on_one_side_is_a_shift():
    values = [10, 9, 11, 10, 9, 11, 10, 12, 12, 13, 12, 11, 12, 13]
    chart = control_limits(pd.DataFrame({"t": range(14), "y": values}), observed="y",
                           time="t", baseline_end=7)  # fmt: skip
    assert chart.attrs["centre"] == 10.0
    assert (chart["signal"].iloc[7:] == "shift up").all()
    assert (chart["signal"].iloc[:7] == "").all()


def test_in_control_series_rarely_signal_beyond_the_limits():
    rng = np.random.default_rng(11)
    outside = total = 0
    for _ in range(400):
        y = rng.poisson(400, 48)
        chart = control_limits(pd.DataFrame({"t": range(48), "y": y}), observed="y", time="t",
                               baseline_end=24)  # fmt: skip
        post = chart[~chart["baseline"]]
        outside += int(post["signal"].isin(["above", "below"]).sum())
        total += len(post)
    # Three-sigma limits: about 0.27% per point, plus the baseline mean's own error.
    assert 0.001 < outside / total < 0.008


def test_overdispersed_baseline_is_noted_and_can_widen_the_limits():
    rng = np.random.default_rng(3)
    y = rng.poisson(rng.gamma(4.0, 25.0, 30))
    frame = pd.DataFrame({"t": range(30), "y": y})
    plain = control_limits(frame, observed="y", time="t")
    wide = control_limits(frame, observed="y", time="t", overdispersed=True)
    assert plain.attrs["dispersion"] > 2 and plain.attrs["notes"]
    assert (wide["upper"] > plain["upper"]).all()
    assert wide.attrs["widened_by"] == pytest.approx(math.sqrt(plain.attrs["dispersion"]))


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"chart": "x"}, ConfigError, "chart must be one of"),
        ({"chart": "u"}, ConfigError, "needs denominator"),
        ({"sigma": 0}, ConfigError, "sigma"),
        ({"baseline_end": 3}, EstimationError, "at least 6"),
    ],
)
def test_clear_errors(kwargs, error, words):
    frame = pd.DataFrame({"t": range(8), "y": [3] * 8, "n": [10] * 8})
    with pytest.raises(error, match=words):
        control_limits(frame, observed="y", time="t", **kwargs)


def test_impossible_data_are_refused():
    frame = pd.DataFrame({"t": range(8), "y": [3] * 8, "n": [2] * 8})
    with pytest.raises(EstimationError, match="cannot exceed"):
        control_limits(frame, observed="y", time="t", chart="p", denominator="n")
    with pytest.raises(EstimationError, match="some events"):
        control_limits(frame.assign(y=0), observed="y", time="t")
    with pytest.raises(EstimationError, match="negative"):
        control_limits(frame.assign(y=-1), observed="y", time="t")
