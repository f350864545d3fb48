"""Run charts: a monthly count with its median, and the points that break the run rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..results import format_number
from .style import PALETTE, finish, new_figure, sentence_case, styled

_COLUMNS = ("value", "median", "shift", "trend")


@styled
def plot_run_chart(
    chart: pd.DataFrame,
    *,
    outcome: str,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Figure:
    """Run chart: monthly values, the median line, and points in a shift or a trend marked.

    Parameters
    ----------
    chart : pandas.DataFrame
        Indexed by month, with columns ``value``, ``median``, ``shift`` and ``trend`` (as
        :func:`analysis.programmes.drug_supply.tables.run_chart` returns).
    outcome : str
        What is counted, for the labels ("warrants").
    title, source, note : str, optional
        Title (default: states whether any rule was broken) and footer text.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=8, freq="MS")
    >>> chart = pd.DataFrame({"value": [1.0, 2, 1, 2, 5, 6, 7, 8], "median": 3.5,
    ...                       "shift": [False] * 8, "trend": [False] * 4 + [True] * 4},
    ...                      index=months)
    >>> plot_run_chart(chart, outcome="warrants").axes[0].get_ylabel()
    'Warrants a month'
    """
    missing = [c for c in _COLUMNS if c not in chart.columns]
    if missing or chart.empty:
        raise ConfigError(
            f"plot_run_chart needs a non-empty table with columns {list(_COLUMNS)}; "
            f"missing {missing or 'rows'}"
        )
    times = pd.to_datetime(chart.index).to_numpy()
    values = chart["value"].to_numpy(dtype=float)
    median = float(chart["median"].iloc[0])
    shift = chart["shift"].to_numpy(dtype=bool)
    trend = chart["trend"].to_numpy(dtype=bool)
    fig = new_figure(4.2)
    ax = fig.subplots()
    ax.grid(axis="y")
    ax.plot(times, values, marker="o", markersize=4, color=PALETTE["dark_blue"], label=outcome)
    ax.axhline(median, color=PALETTE["dark_grey"], linestyle="--", linewidth=1.2, label="Median")
    if shift.any():
        ax.plot(times[shift], values[shift], "o", color=PALETTE["orange"], label="Shift")
    if trend.any():
        ax.plot(
            times[trend],
            values[trend],
            "s",
            fillstyle="none",
            color=PALETTE["dark_pink"],
            markersize=8,
            label="Trend",
        )
    if np.nanmin(values) >= 0:
        ax.set_ylim(bottom=0)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylabel(f"{sentence_case(outcome)} a month")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=4, borderaxespad=0.2)
    signals = [name for name, flags in (("a shift", shift), ("a trend", trend)) if flags.any()]
    if title is None:
        title = (
            f"{sentence_case(outcome)}: {' and '.join(signals)} in the run chart"
            if signals
            else f"{sentence_case(outcome)}: no signal of non-random change"
        )
    start, end = pd.Timestamp(times[0]), pd.Timestamp(times[-1])
    alt = (
        f"Run chart of {outcome} a month from {start:%B %Y} to {end:%B %Y}, median "
        f"{format_number(median)}; values range from {format_number(np.nanmin(values))} to "
        f"{format_number(np.nanmax(values))}. "
        + (f"Points in {' and '.join(signals)} are marked." if signals else "No rule is broken.")
    )
    notes = [
        "Dashed line: the median. A shift is six or more points in a row on one side of it; "
        "a trend, five or more rises or falls in a row: either signals non-random change.",
    ]
    if note:
        notes.append(note)
    return finish(fig, kind="run_chart", title=title, alt=alt, source=source, notes=notes)
