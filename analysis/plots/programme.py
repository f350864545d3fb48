"""Delivery figures: the programme funnel and uptake by group, with small counts suppressed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..evidence.disclosure import (
    DEFAULT_THRESHOLD,
    is_disclosive,
    suppress_count,
    suppression_mask,
)
from ._inputs import require_columns
from .style import (
    PALETTE,
    SECONDARY_TEXT_COLOUR,
    SMALL_SIZE,
    finish,
    humanise,
    new_figure,
    styled,
)


def wilson_interval(k: int, n: int, conf_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k / n``.

    Stays inside [0, 1] and behaves well for small ``n`` and proportions near
    0 or 1, unlike the Wald interval.

    Examples
    --------
    >>> low, high = wilson_interval(30, 100)
    >>> round(low, 4), round(high, 4)
    (0.2189, 0.3958)
    """
    if n <= 0:
        raise ConfigError(f"a proportion needs a positive total, got n = {n}")
    if not 0 <= k <= n:
        raise ConfigError(f"a proportion needs 0 <= k <= n, got k = {k}, n = {n}")
    from statistics import NormalDist  # scipy.stats costs seconds at import time

    z = NormalDist().inv_cdf(0.5 + conf_level / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def _stages(stages: Any) -> list[tuple[str, int]]:
    fix = "Pass a mapping of stage name to count, in funnel order, e.g. {'Referred': 250, ...}."
    if isinstance(stages, pd.Series | Mapping):
        items = list(stages.items())
    elif isinstance(stages, list | tuple):
        items = list(stages)
    else:
        raise ConfigError(f"plot_funnel: stages must be a mapping, got {type(stages).__name__}")
    if not items:
        raise ConfigError(f"plot_funnel: no stages to plot. {fix}")
    out = []
    for name, count in items:
        is_disclosive(count)  # validates: a whole number of at least 0
        out.append((str(name), int(count)))
    return out


@styled
def plot_funnel(
    stages: Any,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    suppress_below: int = DEFAULT_THRESHOLD,
    unit: str = "people",
) -> Figure:
    """Programme funnel: how many reached each stage, and the share of the stage before.

    Counts below ``suppress_below`` get no bar and are labelled ``"<10"``; a
    percentage is shown only when both of its counts are shown, since a
    percentage of a known count would reveal a suppressed one. Zero counts
    are shown: a stage nobody reached discloses nothing about a person. The
    drop-out between two shown stages can be read by subtraction; where that
    difference is a small count and must not be published, merge the stages.

    Parameters
    ----------
    stages : mapping of str to int
        Stage name -> count, in funnel order (e.g. referred, started, completed).
    title : str, optional
        The finding (default: the share of the first stage that reached the last).
    source, note : str, optional
        Footer text.
    suppress_below : int
        Disclosure threshold.
    unit : str
        What is counted (axis label, alt text).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_funnel({"Referred": 250, "Started": 120, "Completed": 7})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['250', '120 (48% of referred)', '<10']
    """
    items = _stages(stages)
    names = [name for name, _ in items]
    counts = np.array([count for _, count in items])
    hidden = np.array([is_disclosive(c, suppress_below) for c in counts])
    k = len(items)
    y = np.arange(k, dtype=float)

    fig = new_figure(1.6 + 0.55 * k)
    ax = fig.subplots()
    ax.grid(axis="x")
    shown = ~hidden
    bars = ax.barh(y[shown], counts[shown], height=0.6, color=PALETTE["dark_blue"], gid="stages")
    for patch, name in zip(bars.patches, np.array(names)[shown], strict=True):
        patch.set_gid(f"stage:{name}")
    labels = []
    for i, (_, count) in enumerate(items):
        text = suppress_count(count, suppress_below)
        if i > 0 and not hidden[i] and not hidden[i - 1] and counts[i - 1] > 0:
            text += f" ({count / counts[i - 1]:.0%} of {names[i - 1].lower()})"
        labels.append(text)
        ax.annotate(
            text,
            xy=(0 if hidden[i] else count, y[i]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=SMALL_SIZE,
            color=SECONDARY_TEXT_COLOUR if hidden[i] else None,
            gid="count_label",
        )
    largest = counts[shown].max() if shown.any() else suppress_below
    ax.set_xlim(0, max(largest, 1) * 1.4)
    ax.set_ylim(k - 0.4, -0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel(f"Number of {unit}")

    described = "; ".join(f"{name} {label}" for name, label in zip(names, labels, strict=True))
    alt = (
        f"Horizontal bar chart of a programme funnel with {k} stages, one bar per stage "
        f"labelled with its count of {unit} and the share of the stage before: {described}."
    )
    if hidden.any():
        alt += f" Counts below {suppress_below} are suppressed and drawn without a bar."
    if title is None:
        first, last = items[0], items[-1]
        if k > 1 and not hidden[0] and not hidden[-1] and first[1] > 0:
            title = (
                f"{last[1] / first[1]:.0%} of {unit} at the first stage ({first[0].lower()}) "
                f"reached the last ({last[0].lower()})"
            )
        elif k > 1 and hidden[-1]:
            title = f"Fewer than {suppress_below} {unit} reached the last stage ({last[0].lower()})"
        else:
            title = f"Programme funnel: {suppress_count(first[1], suppress_below)} {unit} " + (
                f"at {first[0].lower()}"
            )
    notes = ["Bars: number reaching each stage; percentages: share of the stage before."]
    if hidden.any():
        notes.append(
            f"Counts below {suppress_below} are suppressed (shown as '<{suppress_below}') to "
            "protect individuals, with percentages that would reveal them."
        )
    if note:
        notes.append(note)
    return finish(fig, kind="funnel", title=title, alt=alt, source=source, notes=notes)


@styled
def plot_uptake(
    table: pd.DataFrame,
    *,
    group: str,
    count: str,
    total: str,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    suppress_below: int = DEFAULT_THRESHOLD,
    conf_level: float = 0.95,
    unit: str = "eligible",
) -> Figure:
    """Uptake rate by group with Wilson intervals; small groups suppressed.

    A group is suppressed when the number who took up, or the number who did
    not, is below ``suppress_below`` (a rate with its interval gives both
    away), including when all or none took up, since that says something
    about everyone in the group. If exactly one group would be hidden and
    group totals are published elsewhere, it could be recovered, so the next
    smallest group is hidden too (secondary suppression, as for tables).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    group, count, total : str
        Columns: group label, number who took up, number eligible.
    title : str, optional
        The finding (default: the range of uptake across groups).
    source, note : str, optional
        Footer text.
    suppress_below : int
        Disclosure threshold.
    conf_level : float
        Confidence level of the intervals.
    unit : str
        What the total counts (for the notes), e.g. "eligible premises".

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> table = pd.DataFrame({"type": ["Pub", "Club", "Shop"], "signed": [40, 18, 25],
    ...                       "eligible": [100, 30, 120]})
    >>> fig = plot_uptake(table, group="type", count="signed", total="eligible")
    >>> fig.axes[0].get_xlabel()
    'Uptake (%)'
    """
    fix = "Pass one row per group with the group label, the number who took up and the total."
    frame = require_columns(table, [group, count, total], "plot_uptake's table", fix)
    k_values = frame[count].to_numpy()
    n_values = frame[total].to_numpy()
    for i, (k, n) in enumerate(zip(k_values, n_values, strict=True)):
        is_disclosive(k)
        is_disclosive(n)
        if n == 0 or k > n:
            raise ConfigError(
                f"plot_uptake: row {i + 2} ({frame[group].iloc[i]}) has {count} = {k} and "
                f"{total} = {n}; the total must be positive and at least the count. {fix}"
            )
    k_values, n_values = k_values.astype(int), n_values.astype(int)
    cells = pd.DataFrame({"took_up": k_values, "did_not": n_values - k_values})
    mask = suppression_mask(cells, threshold=suppress_below, total_row=None, total_column=None)
    small_rows = {row for row, _ in mask.attrs["primary_cells"]}
    primary = np.array([i in small_rows for i in range(len(cells))])
    hidden = mask.any(axis=1).to_numpy()
    names = [str(g) for g in frame[group]]
    m = len(names)
    y = np.arange(m, dtype=float)
    rates = k_values / n_values
    intervals = np.array(
        [wilson_interval(k, n, conf_level) for k, n in zip(k_values, n_values, strict=True)]
    )
    overall = k_values.sum() / n_values.sum()

    fig = new_figure(1.7 + 0.42 * m)
    ax = fig.subplots()
    ax.grid(axis="x")
    shown = ~hidden
    if shown.any():
        container = ax.errorbar(
            100 * rates[shown],
            y[shown],
            xerr=100
            * np.vstack([rates[shown] - intervals[shown, 0], intervals[shown, 1] - rates[shown]]),
            fmt="o",
            color=PALETTE["dark_blue"],
            ecolor=PALETTE["dark_blue"],
            elinewidth=1.8,
            markersize=7,
            capsize=0,
        )
        container.lines[0].set_gid("uptake")
        for collection in container.lines[2]:
            collection.set_gid("intervals")
    ax.axvline(
        100 * overall, color=PALETTE["dark_grey"], linestyle="--", linewidth=1.2, gid="overall"
    )
    ax.annotate(
        f"All groups {overall:.0%}",
        xy=(100 * overall, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, 2),
        textcoords="offset points",
        fontsize=SMALL_SIZE,
        color=SECONDARY_TEXT_COLOUR,
        gid="overall_label",
    )
    for i in np.flatnonzero(hidden):
        text = (
            f"Suppressed: <{suppress_below} in a category"
            if primary[i]
            else "Suppressed to protect another group"
        )
        ax.annotate(
            text,
            xy=(0, y[i]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=SMALL_SIZE,
            color=SECONDARY_TEXT_COLOUR,
            gid="suppressed_label",
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(m - 0.4, -0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:.0f}"))
    ax.set_xlabel("Uptake (%)")

    group_name = humanise(group, "group")
    level = f"{conf_level:.0%}"
    parts = [
        f"Dot plot of uptake by {group_name} for {m} groups, each a point with a horizontal "
        f"{level} interval, on a scale from 0 to 100%, with a dashed line at the uptake across "
        f"all groups, {overall:.0%}."
    ]
    if shown.any():
        high, low = (
            int(np.argmax(np.where(shown, rates, -1))),
            int(np.argmin(np.where(shown, rates, 2))),
        )
        parts.append(
            f"Highest: {names[high]}, {rates[high]:.0%}. Lowest: {names[low]}, {rates[low]:.0%}."
        )
    if hidden.any():
        parts.append(
            f"{int(hidden.sum())} group(s) suppressed because of small numbers: "
            f"{', '.join(np.array(names)[hidden])}."
        )
    alt = " ".join(parts)
    if title is None:
        if shown.sum() >= 2:
            title = (
                f"Uptake ranges from {rates[low]:.0%} ({names[low]}) to {rates[high]:.0%} "
                f"({names[high]})"
            )
        elif shown.sum() == 1:
            title = f"Uptake is {rates[high]:.0%} in {names[high]}"
        else:
            title = f"Uptake across all groups is {overall:.0%}"
    notes = [
        f"Points: share of {unit} who took up, with {level} Wilson intervals; dashed line: "
        "all groups together."
    ]
    if hidden.any():
        notes.append(
            f"Groups where fewer than {suppress_below} took up, or fewer than "
            f"{suppress_below} did not, are suppressed to protect individuals; another group "
            "may be suppressed so that a hidden one cannot be worked out from the total."
        )
    if note:
        notes.append(note)
    return finish(fig, kind="uptake", title=title, alt=alt, source=source, notes=notes)
