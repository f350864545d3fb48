"""Kaplan-Meier curves with a number-at-risk table."""

from __future__ import annotations

import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from ..evidence.disclosure import DEFAULT_THRESHOLD, suppress_count
from ..results import Estimate, format_number
from ._inputs import require_columns, require_detail, require_estimate, require_finite
from .style import (
    BAND_ALPHA,
    CATEGORICAL,
    SECONDARY_TEXT_COLOUR,
    SMALL_SIZE,
    finish,
    humanise,
    new_figure,
    styled,
)

_CURVE_COLUMNS = ["group", "time", "survival", "ci_low", "ci_high", "at_risk", "censored"]


def _time_text(time: float) -> str:
    return f"{time:,.0f}" if float(time).is_integer() else format_number(time)


def _survival_at(curve: pd.DataFrame, time: float) -> float:
    before = curve[curve["time"] <= time]
    return float(before["survival"].iloc[-1]) if len(before) else 1.0


@styled
def plot_kaplan_meier(
    result: Estimate,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    suppress_below: int = DEFAULT_THRESHOLD,
    time_unit: str = "days",
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    """Kaplan-Meier curves per group, with intervals, censoring ticks and numbers at risk.

    Disclosure control: numbers at risk below ``suppress_below`` are shown as
    ``"<10"``, and each curve stops where fewer than ``suppress_below`` people
    remain at risk, because beyond that point each step reveals one person's
    event. Pass ``suppress_below=1`` to switch both off (never for a
    published report). Differences between neighbouring numbers at risk
    (people who had the event or left follow-up in between) are not
    protected; choose risk-table times far enough apart for them to be large.

    Parameters
    ----------
    result : Estimate
        Result of :func:`analysis.methods.kaplan_meier`, with
        ``details["curves"]`` (columns ``group, time, survival, ci_low,
        ci_high, at_risk, censored``) and ``details["risk_table"]`` (index
        group, columns time points, values numbers at risk).
    title : str, optional
        The finding (default: the proportion without the event in each group
        at a common time).
    source, note : str, optional
        Footer text.
    suppress_below : int
        Disclosure threshold.
    time_unit : str
        Unit of ``time`` (for the axis label).
    xlabel, ylabel : str, optional
        Axis labels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> times = np.arange(0, 400, 50)
    >>> curves = pd.concat([pd.DataFrame({"group": g, "time": times,
    ...     "survival": np.exp(-rate * times), "ci_low": np.exp(-rate * times) * 0.9,
    ...     "ci_high": np.minimum(np.exp(-rate * times) * 1.1, 1), "at_risk": 200 - times // 4,
    ...     "events": 3, "censored": 1}) for g, rate in [("Drive", 0.001), ("comparison", 0.002)]])
    >>> risk = pd.DataFrame({0: [200, 200], 180: [155, 155], 360: [110, 110]},
    ...     index=["Drive", "comparison"])
    >>> est = Estimate(0.6, 0.45, 0.8, 0.001, 400, "hazard ratio", "Kaplan-Meier",
    ...     "time to reoffence", outcome="reoffending",
    ...     details={"curves": curves, "risk_table": risk})
    >>> fig = plot_kaplan_meier(est)
    >>> fig.axes[0].get_xlabel()
    'Time since start (days)'
    """
    producer = "analysis.methods.kaplan_meier"
    result = require_estimate(result, "plot_kaplan_meier", producer)
    curves = require_detail(result, "curves", _CURVE_COLUMNS, "plot_kaplan_meier", producer)
    require_finite(curves, ["time", "survival", "at_risk"], "details['curves']")
    risk_table = result.details.get("risk_table")
    if risk_table is not None:
        risk_table = require_columns(
            risk_table, [], "details['risk_table']", f"Pass the result of {producer}."
        )
    groups = list(dict.fromkeys(curves["group"]))
    if risk_table is not None:
        groups = [g for g in risk_table.index if g in set(groups)] + [
            g for g in groups if g not in set(risk_table.index)
        ]
    outcome = humanise(result.outcome, "the event")

    table_height = 0.0 if risk_table is None else 0.32 * len(groups) + 0.55
    fig = new_figure(4.6 + table_height)
    if risk_table is None:
        ax = fig.subplots()
        ax_table = None
    else:
        ax, ax_table = fig.subplots(
            2, 1, sharex=True, height_ratios=[4.2, table_height], gridspec_kw={"hspace": 0.02}
        )
    ax.grid(axis="y")
    colours = {g: CATEGORICAL[i % len(CATEGORICAL)] for i, g in enumerate(groups)}
    ends: dict[str, float] = {}
    truncated: list[str] = []
    omitted: list[str] = []
    for group in groups:
        curve = curves[curves["group"] == group].sort_values("time")
        kept = curve[curve["at_risk"] >= suppress_below]
        if kept.empty:
            omitted.append(str(group))
            continue
        if len(kept) < len(curve):
            truncated.append(str(group))
        if kept["time"].iloc[0] > 0:
            start = pd.DataFrame(
                {
                    "time": [0.0],
                    "survival": [1.0],
                    "ci_low": [1.0],
                    "ci_high": [1.0],
                    "censored": [0],
                }
            )
            kept = pd.concat([start, kept[start.columns]], ignore_index=True)
        t = kept["time"].to_numpy(float)
        colour = colours[group]
        ax.fill_between(
            t,
            kept["ci_low"].to_numpy(float),
            kept["ci_high"].to_numpy(float),
            step="post",
            color=colour,
            alpha=BAND_ALPHA,
            linewidth=0,
            gid=f"band:{group}",
        )
        ax.step(
            t,
            kept["survival"].to_numpy(float),
            where="post",
            color=colour,
            label=str(group),
            gid=f"survival:{group}",
        )
        censored = kept[kept["censored"] > 0]
        if len(censored):
            ax.plot(
                censored["time"].to_numpy(float),
                censored["survival"].to_numpy(float),
                linestyle="none",
                marker="|",
                markersize=8,
                markeredgewidth=1.4,
                color=colour,
                gid=f"censored:{group}",
            )
        ends[str(group)] = float(t[-1])
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(xmax=1, decimals=0))
    ax.set_ylabel(ylabel or f"Without {outcome}")
    if ends:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=min(len(ends), 4))

    ax.set_xlabel(xlabel or f"Time since start ({time_unit})")
    if ax_table is not None:
        _draw_risk_table(ax, ax_table, risk_table, groups, colours, suppress_below)
        ax.tick_params(axis="x", labelbottom=True)

    common = None
    if ends:
        # Compare the groups at a round time every curve reaches: the latest time in the
        # risk table that is not beyond any curve's end, else where the first curve ends.
        reach = min(ends.values())
        table_times = [] if risk_table is None else [float(c) for c in risk_table.columns]
        reached = [t for t in table_times if 0 < t <= reach]
        common = max(reached) if reached else reach
    at_common = {
        g: _survival_at(curves[curves["group"].astype(str) == g].sort_values("time"), common)
        for g in ends
    }
    parts = [
        f"Kaplan-Meier chart of the proportion without {outcome} over time "
        f"({time_unit}) for {len(groups)} group{'s' if len(groups) != 1 else ''} "
        f"({', '.join(str(g) for g in groups)}), as step lines with shaded 95% bands and tick "
        "marks where follow-up ended without the event."
    ]
    if at_common:
        parts.append(
            f"At {_time_text(common)} {time_unit}: "
            + ", ".join(f"{g} {p:.0%}" for g, p in at_common.items())
            + " without the event."
        )
    if risk_table is not None:
        parts.append(
            "A table under the chart gives the number still at risk at "
            + ", ".join(f"{c:g}" for c in risk_table.columns)
            + f" {time_unit}; numbers below {suppress_below} are shown as '<{suppress_below}'."
        )
    alt = " ".join(parts)
    if title is None:
        if at_common:
            shares = " and ".join(f"{p:.0%} of {g}" for g, p in at_common.items())
            title = f"After {_time_text(common)} {time_unit}, {shares} were without {outcome}"
        else:
            title = f"Too few people to show time to {outcome}"
    notes = [
        "Lines: share without the event (Kaplan-Meier); bands: 95% intervals; ticks: people "
        "whose follow-up ended without the event."
    ]
    if truncated or suppress_below > 1:
        notes.append(
            f"Curves stop where fewer than {suppress_below} people remain at risk, and numbers "
            f"at risk below {suppress_below} are suppressed, to protect individuals."
        )
    if omitted:
        notes.append(
            f"Not shown (fewer than {suppress_below} people at risk from the start): "
            f"{', '.join(omitted)}."
        )
    if note:
        notes.append(note)
    return finish(fig, kind="kaplan_meier", title=title, alt=alt, source=source, notes=notes)


def _draw_risk_table(ax, ax_table, risk_table, groups, colours, suppress_below) -> None:
    times = [float(c) for c in risk_table.columns]
    ax.set_xticks(times)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    right = max(max(times), ax.get_xlim()[1])
    ax.set_xlim(0, right * 1.02)
    ax_table.set_ylim(len(groups) - 0.5, -0.5)
    ax_table.set_yticks(range(len(groups)))
    ax_table.set_yticklabels([str(g) for g in groups])
    for tick_label, group in zip(ax_table.get_yticklabels(), groups, strict=True):
        tick_label.set_color(colours[group])
    # Padding keeps group names clear of the counts centred on time 0.
    ax_table.tick_params(axis="y", length=0, pad=18)
    ax_table.tick_params(axis="x", length=0, labelbottom=False)
    for spine in ax_table.spines.values():
        spine.set_visible(False)
    ax_table.set_title(
        "Number at risk", loc="left", fontsize=SMALL_SIZE, color=SECONDARY_TEXT_COLOUR
    )
    for row, group in enumerate(groups):
        if group not in risk_table.index:
            continue
        for column, time in zip(risk_table.columns, times, strict=True):
            value = risk_table.loc[group, column]
            text = "n/a" if pd.isna(value) else suppress_count(value, suppress_below)
            ax_table.text(
                time,
                row,
                text,
                ha="center",
                va="center",
                fontsize=SMALL_SIZE,
                gid="risk_count",
            )
