"""Forest plot: several estimates, designs or programmes side by side."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..evidence.findings import Finding
from ..results import RATIO_SCALES, Comparison, Estimate, format_number
from ._inputs import require_columns, require_finite
from .style import (
    PALETTE,
    SECONDARY_TEXT_COLOUR,
    SMALL_SIZE,
    finish,
    humanise,
    new_figure,
    scale_label,
    sentence_case,
    styled,
)

_ROW_COLUMNS = ["label", "effect", "ci_low", "ci_high", "group", "scale", "sms_level"]
_VALUE_OFFSET = 8  # points right of the axes for the "effect (interval)" column
_SMS_OFFSET = 150  # points right of the axes for the evidence-strength column


def forest_rows(rows: Any, group_by: str | None = None) -> pd.DataFrame:
    """Normalise forest-plot input to one DataFrame.

    Parameters
    ----------
    rows : list of Finding, list of (label, Estimate[, group]), Comparison or DataFrame
        A DataFrame needs ``label, effect, ci_low, ci_high`` and may have
        ``group``, ``scale`` (default "difference") and ``sms_level``. A
        :class:`~analysis.results.Comparison` gives one row per design.
    group_by : str, optional
        For findings: "design", or a key of ``Finding.extra`` (e.g.
        "programme"). For a DataFrame: the column holding group headings
        (default "group" when present).

    Returns
    -------
    pandas.DataFrame
        Columns ``label, effect, ci_low, ci_high, group, scale, sms_level``.

    Examples
    --------
    >>> est = Estimate(0.8, 0.7, 0.9, 0.01, 300, "rate ratio", "m", "incidents")
    >>> forest_rows([("Drive", est)])[["label", "effect", "scale"]].to_dict("records")
    [{'label': 'Drive', 'effect': 0.8, 'scale': 'rate ratio'}]
    """
    fix = (
        "Pass a list of Finding, a list of (label, Estimate) pairs, a Comparison, or a "
        "DataFrame with label, effect, ci_low, ci_high[, group, scale, sms_level]."
    )
    if isinstance(rows, Comparison):
        rows = rows.forest_rows()
    if isinstance(rows, pd.DataFrame):
        frame = require_columns(rows, ["label", "effect", "ci_low", "ci_high"], "rows", fix)
        frame = frame.copy()
        group_column = group_by or "group"
        if group_by is not None and group_by not in frame.columns:
            raise ConfigError(f"group_by={group_by!r} is not a column of rows. {fix}")
        frame["group"] = frame[group_column] if group_column in frame.columns else None
        # findings.json writes no scale as null; such rows are differences.
        frame["scale"] = frame["scale"].fillna("difference") if "scale" in frame else "difference"
        if "sms_level" not in frame.columns:
            frame["sms_level"] = None
        frame["label"] = frame["label"].astype(str)
        for column in ("effect", "ci_low", "ci_high"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return frame[_ROW_COLUMNS].reset_index(drop=True)
    if isinstance(rows, Finding | Estimate) or not isinstance(rows, Iterable):
        raise ConfigError(f"plot_forest needs several rows, got {type(rows).__name__}. {fix}")
    records = []
    for i, item in enumerate(rows):
        if isinstance(item, Finding):
            estimate, label, sms = item.estimate, item.label or item.question, item.sms_level
            if group_by == "design":
                group = sentence_case(humanise(item.design))
            elif group_by is not None:
                group = item.extra.get(group_by)
            else:
                group = None
        elif isinstance(item, tuple) and len(item) in (2, 3) and isinstance(item[1], Estimate):
            label, estimate = str(item[0]), item[1]
            group = item[2] if len(item) == 3 else None
            sms = None
        else:
            raise ConfigError(f"row {i} of plot_forest's rows is a {type(item).__name__}. {fix}")
        records.append(
            {
                "label": label,
                "effect": float(estimate.effect),
                "ci_low": float(estimate.ci_low),
                "ci_high": float(estimate.ci_high),
                "group": group,
                "scale": estimate.scale,
                "sms_level": sms,
            }
        )
    if not records:
        raise ConfigError(f"plot_forest was given no rows, so there is nothing to plot. {fix}")
    return pd.DataFrame(records, columns=_ROW_COLUMNS)


def _ratio_ticks(low: float, high: float) -> list[float]:
    """Readable ticks for a log axis: 1-2-5 steps, finer when the range is narrow."""
    step_sets = (
        (1.0, 2.0, 5.0),
        (1.0, 1.5, 2.0, 3.0, 5.0, 7.0),
        (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0),
    )
    ticks: list[float] = []
    for steps in step_sets:
        candidates = sorted({round(s * 10.0**k, 6) for k in range(-4, 5) for s in steps})
        ticks = [t for t in candidates if low <= t <= high]
        if len(ticks) >= 3:
            break
    if len(ticks) > 8:
        ticks = ticks[:: math.ceil(len(ticks) / 8)]
    if low <= 1.0 <= high and 1.0 not in ticks:
        ticks = sorted({*ticks, 1.0})
    return ticks


def _label(value: float) -> str:
    return format_number(value) if value is not None and np.isfinite(value) else "n/a"


@styled
def plot_forest(
    rows: Any,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    group_by: str | None = None,
    show_values: bool = True,
) -> Figure:
    """Forest plot: estimates with 95% intervals, one row each, by scale and group.

    Rows on different scales (a rate ratio and a difference) get separate
    panels, each with its own axis and its own line of no effect (1 on a log
    axis for ratios, 0 otherwise). Group headings (design or programme) are
    shown in bold; the SMS level (Maryland Scientific Methods Scale) is shown
    as text beside each row.

    Parameters
    ----------
    rows : list of Finding, list of (label, Estimate[, group]), or DataFrame
        See :func:`forest_rows`.
    title : str, optional
        The finding (default: how many estimates rule out no effect).
    source, note : str, optional
        Footer text.
    group_by : str, optional
        Group headings: "design" or a ``Finding.extra`` key for findings, a
        column for a DataFrame.
    show_values : bool
        Print each effect and interval beside its row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rows = pd.DataFrame({"label": ["Drive", "Up2U"], "effect": [0.7, 0.95],
    ...     "ci_low": [0.55, 0.8], "ci_high": [0.89, 1.13], "scale": "rate ratio",
    ...     "sms_level": [3, 3]})
    >>> fig = plot_forest(rows, title="Drive cut reoffending; Up2U's effect is unclear")
    >>> fig.axes[0].get_xscale()
    'log'
    """
    frame = forest_rows(rows, group_by=group_by)
    require_finite(frame, ["effect"], "plot_forest rows")
    ratio = frame["scale"].isin(RATIO_SCALES)
    nonpositive = ratio & ((frame["effect"] <= 0) | (frame["ci_low"] <= 0))
    if nonpositive.any():
        labels = ", ".join(frame.loc[nonpositive, "label"])
        raise ConfigError(
            f"plot_forest: ratio estimates must be positive, but {labels} are not; check the "
            "scale of those rows"
        )
    scales = list(dict.fromkeys(frame["scale"]))
    has_groups = frame["group"].notna().any()
    layouts = []
    for scale in scales:
        panel = frame[frame["scale"] == scale]
        lines: list[tuple[str, int | None]] = []  # (text, row index or None for a heading)
        if has_groups:
            for group, members in panel.groupby(
                panel["group"].fillna("Other"), sort=False, dropna=False
            ):
                lines.append((str(group), None))
                lines.extend((label, idx) for idx, label in members["label"].items())
        else:
            lines.extend((label, idx) for idx, label in panel["label"].items())
        layouts.append((scale, lines))
    heights = [len(lines) + 1.2 for _, lines in layouts]
    fig = new_figure(1.6 + 0.36 * sum(heights) + 0.5 * len(layouts))
    axes = fig.subplots(len(layouts), 1, height_ratios=heights, squeeze=False)[:, 0]
    missing_interval: list[str] = []
    for ax, (scale, lines) in zip(axes, layouts, strict=True):
        _draw_panel(ax, frame, scale, lines, show_values, missing_interval)

    n = len(frame)
    low, high = frame["ci_low"].to_numpy(float), frame["ci_high"].to_numpy(float)
    null = np.where(ratio, 1.0, 0.0)
    rules_out = np.isfinite(low) & np.isfinite(high) & ((low > null) | (high < null))
    described = []
    for row in frame.itertuples():
        text = f"{row.label}: {_label(row.effect)} (95% CI {_label(row.ci_low)} to "
        text += f"{_label(row.ci_high)}, {row.scale})"
        if row.sms_level is not None and not pd.isna(row.sms_level):
            text += f", SMS {int(row.sms_level)}"
        described.append(text)
    shown = described[:12]
    more = f"; and {n - 12} more" if n > 12 else ""
    panels = f" in {len(scales)} panels, one per scale" if len(scales) > 1 else ""
    alt = (
        f"Forest plot of {n} estimate{'s' if n != 1 else ''}{panels}, each a point with a "
        "horizontal 95% interval and a vertical line at no effect (1 for ratios, 0 for "
        f"differences). {rules_out.sum()} of {n} intervals exclude no effect. "
        + "; ".join(shown)
        + more
        + "."
    )
    if title is None:
        title = f"Estimated effects with 95% intervals: {rules_out.sum()} of {n} rule out no effect"
    notes = [
        "Points: estimated effects; lines: 95% intervals; vertical line: no effect. "
        "Ratios are drawn on a log scale so that halving and doubling look the same size."
    ]
    if frame["sms_level"].notna().any():
        notes.append(
            "SMS: strength of the design on the Maryland Scientific Methods Scale, from 1 "
            "(before/after only) to 5 (randomised trial)."
        )
    if missing_interval:
        notes.append(f"No interval is available for: {', '.join(missing_interval)}.")
    if note:
        notes.append(note)
    return finish(fig, kind="forest", title=title, alt=alt, source=source, notes=notes)


def _draw_panel(
    ax: Any,
    frame: pd.DataFrame,
    scale: str,
    lines: list[tuple[str, int | None]],
    show_values: bool,
    missing_interval: list[str],
) -> None:
    is_ratio = scale in RATIO_SCALES
    null = 1.0 if is_ratio else 0.0
    positions = -np.arange(len(lines), dtype=float)
    rows = [(pos, idx) for pos, (_, idx) in zip(positions, lines, strict=True) if idx is not None]
    ys = np.array([pos for pos, _ in rows])
    sub = frame.loc[[idx for _, idx in rows]]
    effect = sub["effect"].to_numpy(float)
    low, high = sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float)
    finite = np.isfinite(low) & np.isfinite(high)
    ax.grid(axis="x")
    ax.axvline(null, color=PALETTE["dark_grey"], linewidth=1.0, gid="null_line")
    if finite.any():
        container = ax.errorbar(
            effect[finite],
            ys[finite],
            xerr=np.vstack([effect[finite] - low[finite], high[finite] - effect[finite]]),
            fmt="s",
            color=PALETTE["dark_blue"],
            ecolor=PALETTE["dark_blue"],
            elinewidth=1.8,
            markersize=6.5,
            capsize=0,
        )
        container.lines[0].set_gid("estimates")
        for collection in container.lines[2]:
            collection.set_gid("intervals")
    if (~finite).any():
        ax.plot(
            effect[~finite],
            ys[~finite],
            linestyle="none",
            marker="s",
            markerfacecolor="white",
            markeredgecolor=PALETTE["dark_blue"],
            gid="estimates_without_interval",
        )
        missing_interval.extend(sub.loc[~finite, "label"])
    # Limits: every interval and the null line, with a margin.
    values = np.concatenate([effect, low[finite], high[finite], [null]])
    if is_ratio:
        logs = np.log(values)
        pad = max((logs.max() - logs.min()) * 0.08, 0.05)
        lo, hi = math.exp(logs.min() - pad), math.exp(logs.max() + pad)
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        ax.xaxis.set_major_locator(ticker.FixedLocator(_ratio_ticks(lo, hi)))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_locator(ticker.NullLocator())
    else:
        pad = max((values.max() - values.min()) * 0.08, 1e-9)
        ax.set_xlim(values.min() - pad, values.max() + pad)
    ax.set_ylim(positions.min() - 0.7, 0.7)
    ax.set_yticks(positions)
    ax.set_yticklabels([textwrap.fill(text, 38) for text, _ in lines])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    for tick_label, (_, idx) in zip(ax.get_yticklabels(), lines, strict=True):
        if idx is None:
            tick_label.set_fontweight("bold")
    ax.set_xlabel(scale_label(scale))
    if show_values:
        header = {"fontsize": SMALL_SIZE, "fontweight": "bold", "va": "bottom", "ha": "left"}
        ax.annotate(
            "Effect (95% CI)",
            xy=(1, 1),
            xycoords="axes fraction",
            xytext=(_VALUE_OFFSET, 2),
            textcoords="offset points",
            gid="value_header",
            **header,
        )
        has_sms = sub["sms_level"].notna().any()
        if has_sms:
            ax.annotate(
                "Evidence",
                xy=(1, 1),
                xycoords="axes fraction",
                xytext=(_SMS_OFFSET, 2),
                textcoords="offset points",
                gid="sms_header",
                **header,
            )
        for y, row in zip(ys, sub.itertuples(), strict=True):
            text = f"{_label(row.effect)} ({_label(row.ci_low)} to {_label(row.ci_high)})"
            ax.annotate(
                text,
                xy=(1, y),
                xycoords=("axes fraction", "data"),
                xytext=(_VALUE_OFFSET, 0),
                textcoords="offset points",
                va="center",
                fontsize=SMALL_SIZE,
                gid="value_label",
            )
            if has_sms and row.sms_level is not None and not pd.isna(row.sms_level):
                ax.annotate(
                    f"SMS {int(row.sms_level)}",
                    xy=(1, y),
                    xycoords=("axes fraction", "data"),
                    xytext=(_SMS_OFFSET, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=SMALL_SIZE,
                    color=SECONDARY_TEXT_COLOUR,
                    gid="sms_label",
                )
    if len({*frame["scale"]}) > 1:
        ax.set_title(sentence_case(scale), loc="left", fontsize=SMALL_SIZE)


def plot_comparison(
    comparison: Comparison,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Figure:
    """Forest plot of a :func:`~analysis.results.compare` table: one row per design.

    Designs on different scales (a rate ratio beside differences) get a panel each,
    as in :func:`plot_forest`. The default title says how many designs rule out no
    effect; the note names the estimand they share and any interval not at 95%.

    Parameters
    ----------
    comparison : Comparison
        From :func:`analysis.results.compare`.
    title : str, optional
        The finding the figure shows.
    source, note : str, optional
        Footer text.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from analysis.results import compare
    >>> twfe = Estimate(-0.9, -1.2, -0.6, 0.001, 120, "difference", "two-way FE", "effect")
    >>> cs = Estimate(-0.5, -0.8, -0.2, 0.002, 120, "difference", "staggered", "effect")
    >>> poisson = Estimate(0.8, 0.7, 0.92, 0.002, 120, "rate ratio", "Poisson", "effect")
    >>> fig = plot_comparison(compare({"TWFE": twfe, "Staggered": cs, "Poisson": poisson}))
    >>> len(fig.axes)  # a difference panel and a rate-ratio panel
    2
    """
    if not isinstance(comparison, Comparison):
        raise ConfigError(
            f"plot_comparison needs the result of compare(...), not a {type(comparison).__name__}."
        )
    levels = comparison.table["conf_level"]
    notes = [f"Every design estimates: {comparison.estimand}."]
    off_level = levels[~np.isclose(levels, 0.95)]
    if len(off_level):
        shown = ", ".join(f"{label} ({level:.0%})" for label, level in off_level.items())
        notes.append(f"Intervals not at 95%: {shown}.")
    if note:
        notes.append(note)
    return plot_forest(comparison, title=title, source=source, note=" ".join(notes))
