"""Tests for analysis.methods.stacked_event_study: reference, coverage and edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.errors import ConfigError, EstimationError
from analysis.methods.stacked_event_study import stack_events, stacked_event_study


def _panel(seed: int, *, effect: float = -2.0, n_units: int = 36, n_weeks: int = 70):
    """Weekly counts with AR(1) unit noise; three events of four units, effect for 4 weeks."""
    rng = np.random.default_rng(seed)
    event_weeks = (20, 35, 52)
    treated = {week: list(range(4 * i, 4 * i + 4)) for i, week in enumerate(event_weeks)}
    level = rng.gamma(5.0, 2.0, size=n_units)
    common = rng.normal(scale=1.0, size=n_weeks)
    noise = np.zeros((n_units, n_weeks))
    shocks = rng.normal(scale=1.5, size=(n_units, n_weeks))
    for t in range(n_weeks):
        noise[:, t] = (0.4 * noise[:, t - 1] if t else 0) + shocks[:, t]
    y = level[:, None] + common[None, :] + noise
    for week, units in treated.items():
        y[units, week : week + 4] += effect
    frame = pd.DataFrame(
        {
            "area": np.repeat(np.arange(n_units), n_weeks),
            "week": np.tile(np.arange(n_weeks), n_units),
            "y": y.ravel(),
        }
    )
    events = pd.DataFrame([{"area": u, "week": w} for w, units in treated.items() for u in units])
    return frame, events


def _hand_stacked(frame, events, *, leads, lags, exclude_before):
    """The stacked regression written out by hand: dummies and statsmodels OLS."""
    parts = []
    event_weeks = sorted(events["week"].unique())
    for e in event_weeks:
        treated = set(events.loc[events["week"] == e, "area"])
        busy = set(events.loc[events["week"].between(e - leads - lags, e + lags + leads), "area"])
        controls = set(frame["area"]) - busy
        weeks = [w for w in range(e - leads, e + lags + 1) if not e - exclude_before <= w < e]
        part = frame[frame["area"].isin(treated | controls) & frame["week"].isin(weeks)].copy()
        part["unit_stack"] = part["area"].astype(str) + f"@{e}"
        part["week_stack"] = part["week"].astype(str) + f"@{e}"
        part["d"] = (part["area"].isin(treated) & (part["week"] >= e)).astype(float)
        parts.append(part)
    stacked = pd.concat(parts, ignore_index=True)
    units = pd.get_dummies(stacked["unit_stack"], dtype=float)
    # Drop one week dummy per stack: the unit dummies already span each stack's constant.
    weeks = pd.get_dummies(stacked["week_stack"], dtype=float)
    firsts = stacked.groupby(stacked["week_stack"].str.split("@").str[1])["week_stack"].min()
    weeks = weeks.drop(columns=list(firsts))
    design = pd.concat([stacked[["d"]], units, weeks], axis=1)
    return sm.OLS(stacked["y"], design).fit(
        cov_type="cluster", cov_kwds={"groups": stacked["area"]}
    )


@pytest.mark.parametrize("exclude_before", [0, 3])
def test_equals_a_hand_stacked_statsmodels_regression_with_cluster_errors(exclude_before):
    frame, events = _panel(1)
    est = stacked_event_study(
        frame,
        unit="area",
        time="week",
        outcome="y",
        events=events,
        leads=10,
        lags=3,
        exclude_before=exclude_before,
    )
    reference = _hand_stacked(frame, events, leads=10, lags=3, exclude_before=exclude_before)
    assert est.effect == pytest.approx(reference.params["d"], rel=1e-9)
    assert est.se == pytest.approx(reference.bse["d"], rel=1e-9)
    assert est.diagnostics["n_rows"] == int(reference.nobs)


def test_clean_controls_leave_out_units_with_an_event_in_the_window_and_the_exposed():
    frame, events = _panel(2)
    stacked = stack_events(
        frame,
        unit="area",
        time="week",
        events=events,
        leads=14,
        lags=3,
        exclude_controls={35: [20, 21]},
    )
    second = stacked[stacked["stack"] == 35]
    controls = set(second.loc[second["treated"] == 0, "area"])
    # Units 0-3 (event at 20: its weeks 20-23 reach into the window from week 21) and
    # 8-11 (event at 52: within leads of the window's end) are not clean.
    assert not controls & {0, 1, 2, 3, 8, 9, 10, 11, 20, 21}
    assert set(second.loc[second["treated"] == 1, "area"]) == {4, 5, 6, 7}
    assert second["event_time"].between(-14, 3).all()


def _stacked_one_event_at_a_time(
    frame, events, *, unit, time, leads, lags, exclude_before, exposed
):
    """The stacking written plainly: each event's rows masked from the panel and copied."""
    ordered = pd.Index(np.sort(frame[time].unique()))
    period = pd.Series(ordered.get_indexer(frame[time]), index=frame.index)
    event_period = ordered.get_indexer(events[time])
    parts = []
    for e in sorted(set(event_period)):
        treated = set(events.loc[event_period == e, unit])
        near = (event_period >= e - leads - lags) & (event_period <= e + lags + leads)
        controls = set(frame[unit]) - set(events.loc[near, unit]) - set(exposed.get(ordered[e], ()))
        keep = (
            frame[unit].isin(treated | controls)
            & period.between(e - leads, e + lags)
            & ~period.between(e - exclude_before, e - 1)
        )
        part = frame[keep].copy()
        part["stack"] = ordered[e]
        part["event_time"] = period[keep] - e
        part["treated"] = part[unit].isin(treated).astype(int)
        part["post"] = (part["event_time"] >= 0).astype(int)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("labels", ["integers", "strings and dates"])
def test_the_stacks_are_exactly_those_built_one_event_at_a_time(labels):
    frame, events = _panel(6)
    exposed = {35: [20, 21], 52: [30]}
    if labels == "strings and dates":
        # A force's panel: named neighbourhoods and weeks as dates.
        start = pd.Timestamp("2024-01-01")
        for table in (frame, events):
            table["area"] = "lsoa " + table["area"].astype(str)
            table["week"] = start + pd.to_timedelta(7 * table["week"], unit="D")
        exposed = {
            start + pd.Timedelta(weeks=week): [f"lsoa {a}" for a in areas]
            for week, areas in exposed.items()
        }
    settings = {"unit": "area", "time": "week", "leads": 10, "lags": 3, "exclude_before": 2}
    stacked = stack_events(frame, events=events, exclude_controls=exposed, **settings)
    expected = _stacked_one_event_at_a_time(frame, events, exposed=exposed, **settings)
    pd.testing.assert_frame_equal(stacked, expected, check_exact=True)
    # And the estimator fits exactly those stacks.
    est = stacked_event_study(
        frame, outcome="y", events=events, exclude_controls=exposed, **settings
    )
    assert est.details["stacked"].equals(expected)


def test_the_interval_covers_the_planted_effect_and_the_pretrend_test_keeps_its_size():
    seeds = range(200)
    covered = rejected = 0
    for seed in seeds:
        frame, events = _panel(seed)
        est = stacked_event_study(
            frame, unit="area", time="week", outcome="y", events=events, leads=10, lags=3
        )
        covered += est.ci_low <= -2.0 <= est.ci_high
        rejected += est.diagnostics["pretrend_p_value"] < 0.05
    assert 0.90 <= covered / len(seeds) <= 0.99
    # Parallel trends hold: the pre-trend test should fail about 5% of the time, not more.
    assert rejected / len(seeds) <= 0.10


def test_pretrend_test_catches_a_spike_before_the_events_and_the_selection_window_removes_it():
    frame, events = _panel(5, effect=0.0)
    settings = {"unit": "area", "time": "week", "outcome": "y", "leads": 10, "lags": 3}
    before_spike = stacked_event_study(frame, events=events, exclude_before=3, **settings)
    for week, group in events.groupby("week"):
        spiking = frame["area"].isin(group["area"]) & frame["week"].between(week - 3, week - 1)
        frame.loc[spiking, "y"] += 6.0
    naive = stacked_event_study(frame, events=events, **settings)
    assert naive.diagnostics["pretrend_p_value"] < 0.05
    assert naive.ci_high < 0  # the fall back from the spike, read as an effect
    windowed = stacked_event_study(frame, events=events, exclude_before=3, **settings)
    assert windowed.effect == pytest.approx(before_spike.effect, rel=1e-9)
    assert windowed.ci_low <= 0.0 <= windowed.ci_high
    assert set(windowed.table["event_time"]) == set(range(-10, -3)) | set(range(0, 4))


def test_edge_cases_raise_clear_errors():
    frame, events = _panel(4)
    with pytest.raises(EstimationError, match="not balanced"):
        stacked_event_study(frame.iloc[1:], unit="area", time="week", outcome="y", events=events)
    with pytest.raises(EstimationError, match="runs from"):
        stacked_event_study(frame, unit="area", time="week", outcome="y", events=events, leads=30)
    with pytest.raises(ConfigError, match="not periods"):
        stacked_event_study(
            frame,
            unit="area",
            time="week",
            outcome="y",
            events=pd.DataFrame({"area": [0], "week": [500]}),
        )
    with pytest.raises(ConfigError, match="exclude_before"):
        stacked_event_study(
            frame, unit="area", time="week", outcome="y", events=events, exclude_before=8
        )
    with pytest.raises(EstimationError, match="no clean control"):
        stacked_event_study(
            frame,
            unit="area",
            time="week",
            outcome="y",
            events=events,
            exclude_controls={20: list(range(4, 36))},
        )
