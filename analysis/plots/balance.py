"""Covariate balance before and after matching or weighting (a love plot)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..results import CovariateBalance, Estimate, format_number
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


def _balance_table(result_or_table: Any) -> pd.DataFrame:
    fix = (
        "Pass the result of analysis.methods.balance, match or ipw, or a DataFrame indexed by "
        "covariate with columns smd_before and smd_after."
    )
    if isinstance(result_or_table, CovariateBalance):
        table = result_or_table.table
    elif isinstance(result_or_table, Estimate):
        table = result_or_table.details.get("balance", result_or_table.table)
        if table is None:
            raise ConfigError(
                f"plot_balance: this estimate ({result_or_table.method!r}) carries no balance "
                f"table. {fix}"
            )
    else:
        table = result_or_table
    return require_columns(table, ["smd_before", "smd_after"], "the balance table", fix)


@styled
def plot_balance(
    result_or_table: Any,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    threshold: float = 0.1,
) -> Figure:
    """Love plot: absolute standardised mean differences before and after adjustment.

    Parameters
    ----------
    result_or_table : CovariateBalance, Estimate or DataFrame
        Result of :func:`analysis.methods.balance` (its ``table``) or of
        ``match``/``ipw`` (``details["balance"]``), or a DataFrame indexed by
        covariate with ``smd_before`` and ``smd_after``.
    title : str, optional
        The finding (default: how many covariates remain imbalanced).
    source, note : str, optional
        Footer text.
    threshold : float
        Largest absolute standardised difference read as balanced (0.1 by
        convention), drawn as a dashed line.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> table = pd.DataFrame({"smd_before": [0.45, -0.3, 0.12], "smd_after": [0.04, 0.02, -0.06]},
    ...                      index=["age", "prior_arrests", "female"])
    >>> fig = plot_balance(table)
    >>> fig.axes[0].get_xlabel()
    'Absolute standardised mean difference'
    """
    table = _balance_table(result_or_table)
    before = pd.to_numeric(table["smd_before"], errors="coerce").abs().to_numpy(float)
    after = pd.to_numeric(table["smd_after"], errors="coerce").abs().to_numpy(float)
    if not np.isfinite(before).all():
        bad = [str(c) for c, b in zip(table.index, before, strict=True) if not np.isfinite(b)]
        raise ConfigError(
            f"plot_balance: smd_before is missing for {', '.join(bad)}; a covariate with no "
            "variation has no standardised difference: drop it from the covariates"
        )
    # Largest imbalance at the top, where the eye starts.
    order = np.argsort(before, kind="stable")
    names = [humanise(str(c)) for c in table.index[order]]
    before, after = before[order], after[order]
    has_after = np.isfinite(after)
    k = len(names)
    y = np.arange(k, dtype=float)

    fig = new_figure(2.3 + 0.34 * k)
    ax = fig.subplots()
    ax.grid(axis="x")
    ax.hlines(
        y[has_after],
        before[has_after],
        after[has_after],
        color="#B1B4B6",
        linewidth=1.2,
        gid="change",
    )
    ax.plot(
        before,
        y,
        linestyle="none",
        marker="o",
        markersize=7,
        markerfacecolor="white",
        markeredgecolor=PALETTE["dark_pink"],
        markeredgewidth=1.6,
        label="Before adjustment",
        gid="before",
    )
    if has_after.any():
        ax.plot(
            after[has_after],
            y[has_after],
            linestyle="none",
            marker="o",
            markersize=7,
            color=PALETTE["dark_blue"],
            label="After adjustment",
            gid="after",
        )
    ax.axvline(
        threshold, color=PALETTE["dark_grey"], linestyle="--", linewidth=1.2, gid="threshold"
    )
    ax.annotate(
        f"{threshold:g}",
        xy=(threshold, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, 2),
        textcoords="offset points",
        fontsize=SMALL_SIZE,
        color=SECONDARY_TEXT_COLOUR,
        gid="threshold_label",
    )
    largest = max(before.max(), np.nanmax(after) if has_after.any() else 0.0, threshold)
    ax.set_xlim(0, largest * 1.1)
    ax.set_ylim(-0.7, k - 0.3)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Absolute standardised mean difference")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2)

    over_before = int((before >= threshold).sum())
    over_after = int((after[has_after] >= threshold).sum())
    worst_before = names[int(np.argmax(before))]
    parts = [
        f"Love plot of absolute standardised mean differences for {k} covariates, before "
        "adjustment (hollow circles) and after (filled circles), with a dashed line at "
        f"{threshold:g}.",
        f"Before: {over_before} of {k} at or above {threshold:g} (largest {worst_before}, "
        f"{format_number(before.max(), 2)}).",
    ]
    if has_after.any():
        worst_after = names[int(np.nanargmax(np.where(has_after, after, -np.inf)))]
        parts.append(
            f"After: {over_after} of {int(has_after.sum())} at or above {threshold:g} "
            f"(largest {worst_after}, {format_number(np.nanmax(after), 2)})."
        )
    alt = " ".join(parts)
    if title is None:
        if not has_after.any():
            title = f"{over_before} of {k} covariates differ by {threshold:g} or more"
        elif over_after == 0:
            title = (
                f"After adjustment all {k} covariates are balanced (standardised differences "
                f"below {threshold:g})"
            )
        else:
            title = (
                f"{over_after} of {k} covariates remain imbalanced after adjustment "
                f"(standardised difference of {threshold:g} or more)"
            )
    notes = [
        "Standardised mean difference: difference in means between the groups divided by the "
        f"pooled standard deviation; below {threshold:g} is conventionally read as balanced."
    ]
    if not has_after.all():
        missing = [n for n, h in zip(names, has_after, strict=True) if not h]
        notes.append(f"No after-adjustment value for: {', '.join(missing)}.")
    if note:
        notes.append(note)
    return finish(fig, kind="balance", title=title, alt=alt, source=source, notes=notes)
