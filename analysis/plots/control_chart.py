"""Control chart: a series against its centre line and limits, with the signals marked."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from ..errors import ConfigError
from ._inputs import require_columns
from .style import PALETTE, finish, new_figure, styled

_COLUMNS = ["time", "value", "centre", "lower", "upper", "baseline", "signal"]
_CHART_WORDS = {
    "c": "counts (c-chart)",
    "u": "rates (u-chart)",
    "p": "proportions (p-chart)",
}


@styled
def plot_control_chart(
    table: pd.DataFrame,
    *,
    per: float = 1.0,
    value_label: str | None = None,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Figure:
    """Control chart: each period's value against the centre line and limits from a baseline.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`analysis.methods.control_limits` returns (its ``attrs`` give the chart).
    per : float
        Multiplier for the value axis (1,000 for a rate per 1,000; 100 for a percentage).
    value_label : str, optional
        The value axis label.
    title : str, optional
        The finding (default: how many periods after the baseline signal a change).
    source, note : str, optional
        Footer text.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.methods import control_limits
    >>> series = pd.DataFrame({"month": range(9), "offences": [4, 9, 6, 5, 7, 8, 5, 20, 6]})
    >>> chart = control_limits(series, observed="offences", time="month", baseline_end=7)
    >>> plot_control_chart(chart).get_label()
    '1 of 2 periods after the baseline signal a change'
    """
    fix = "Pass the table control_limits() returns."
    frame = require_columns(table, _COLUMNS, "plot_control_chart's table", fix)
    if "chart" not in table.attrs:
        raise ConfigError(
            "plot_control_chart: the table has lost the chart type control_limits() keeps in "
            f"its attrs (filtering or merging can drop them). {fix}"
        )
    if not per > 0:
        raise ConfigError(f"plot_control_chart: per must be positive, not {per!r}.")
    time = frame["time"]
    values = per * frame["value"].to_numpy(dtype=float)
    signal = frame["signal"].astype(str).to_numpy() != ""
    baseline = frame["baseline"].to_numpy(dtype=bool)

    fig = new_figure(4.2)
    ax = fig.subplots()
    ax.grid(axis="y")
    ax.plot(time, per * frame["centre"], color=PALETTE["dark_grey"], linewidth=1.2, gid="centre")
    for column in ("lower", "upper"):
        ax.plot(time, per * frame[column], "--", color=PALETTE["dark_grey"], linewidth=1.1,
                gid="limits")  # fmt: skip
    ax.plot(time, values, color=PALETTE["dark_blue"], linewidth=1.5, zorder=2, gid="series")
    ax.scatter(time[~signal], values[~signal], s=18, color=PALETTE["dark_blue"], zorder=3,
               label="Common-cause variation", gid="points")  # fmt: skip
    if signal.any():
        ax.scatter(time[signal], values[signal], s=34, color=PALETTE["orange"], zorder=4,
                   label="Signal (outside the limits or a run)", gid="signals")  # fmt: skip
    if (~baseline).any() and baseline.any():
        ax.axvline(time[~baseline].iloc[0], color=PALETTE["dark_grey"], linestyle=":",
                   linewidth=1.0, gid="baseline_end")  # fmt: skip
    ax.set_ylabel(value_label or ("Value" if per == 1 else f"Value x {per:,.0f}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    after = ~baseline
    n_after, n_signals = int(after.sum()), int((signal & after).sum())
    if title is None:
        title = (
            f"{n_signals} of {n_after} periods after the baseline signal a change"
            if n_after
            else f"{int(signal.sum())} of {len(frame)} periods signal a change"
        )
    attrs = table.attrs
    notes = [
        f"Solid line: centre ({_CHART_WORDS[attrs['chart']]}) from the {attrs['n_baseline']} "
        f"baseline periods; dashed lines: {attrs['sigma']:g}-sigma limits"
        + (
            f", widened {attrs['widened_by']:.2f}-fold for overdispersion (Laney)"
            if attrs.get("widened_by", 1.0) > 1
            else ""
        )
        + f"; a signal is a point outside them or {attrs['run_length']} in a row on one side."
    ]
    notes.extend(str(n) for n in attrs.get("notes", ()))
    if note:
        notes.append(note)
    alt = (
        f"Control chart of {len(frame)} periods: the value (vertical axis) over time, with a "
        f"centre line and limits from the first {attrs['n_baseline']} periods. "
        f"{int(signal.sum())} period(s) signal a change, {n_signals} of them after the baseline."
    )
    return finish(fig, kind="control_chart", title=title, alt=alt, source=source, notes=notes)


__all__ = ["plot_control_chart"]
