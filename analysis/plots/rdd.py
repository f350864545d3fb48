"""Regression discontinuity: binned means either side of the cutoff with the local fits."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..evidence.disclosure import DEFAULT_THRESHOLD
from ..results import Estimate, format_number
from ._inputs import require_detail, require_estimate, require_finite
from .style import (
    PALETTE,
    SECONDARY_TEXT_COLOUR,
    SMALL_SIZE,
    change_phrase,
    finish,
    humanise,
    new_figure,
    sentence_case,
    styled,
)

_SIDE_COLOURS = {"below": PALETTE["turquoise"], "above": PALETTE["dark_blue"]}


@styled
def plot_rdd(
    result: Estimate,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    suppress_below: int = DEFAULT_THRESHOLD,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    """Regression discontinuity: binned means, local fits on each side, and the cutoff.

    Bins holding fewer than ``suppress_below`` units are not drawn: a mean of
    a handful of people can reveal them ("means need at least 10 people
    behind them"); the notes say how many were left out.

    Parameters
    ----------
    result : Estimate
        Result of :func:`analysis.methods.rdd`, with ``details["bins"]``
        (columns ``x, y, n, side``), ``details["fit"]`` (``x, fitted,
        side``) and ``details["cutoff"]``; ``diagnostics["bandwidth"]`` and
        ``details["running"]`` (the running variable's name) are used when present.
    title : str, optional
        The finding (default: whether the outcome jumps at the cutoff).
    source, note : str, optional
        Footer text.
    suppress_below : int
        Smallest number of units behind a binned mean that is drawn.
    xlabel, ylabel : str, optional
        Axis labels (default: the running variable and the outcome).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> x = np.linspace(-9.5, 9.5, 20)
    >>> bins = pd.DataFrame({"x": x, "y": 0.2 + 0.01 * x + 0.1 * (x >= 0), "n": 40,
    ...                      "side": np.where(x >= 0, "above", "below")})
    >>> fit = pd.DataFrame({"x": [-10, 0, 0, 10], "fitted": [0.1, 0.2, 0.3, 0.4],
    ...                     "side": ["below", "below", "above", "above"]})
    >>> est = Estimate(0.1, 0.04, 0.16, 0.001, 800, "difference", "local linear RDD",
    ...     "jump in charge rate", outcome="charge_rate",
    ...     details={"bins": bins, "fit": fit, "cutoff": 0.0})
    >>> fig = plot_rdd(est)
    >>> fig.axes[0].get_ylabel()
    'Charge rate'
    """
    producer = "analysis.methods.rdd"
    result = require_estimate(result, "plot_rdd", producer)
    bins = require_detail(result, "bins", ["x", "y", "n", "side"], "plot_rdd", producer)
    fit = require_detail(result, "fit", ["x", "fitted", "side"], "plot_rdd", producer)
    if "cutoff" not in result.details:
        raise ConfigError(
            f"plot_rdd needs details['cutoff']; pass the result of {producer} "
            f"(got an estimate from {result.method!r})"
        )
    cutoff = float(result.details["cutoff"])
    require_finite(bins, ["x", "n"], "details['bins']")
    require_finite(fit, ["x", "fitted"], "details['fit']")
    unknown_sides = set(bins["side"]) - set(_SIDE_COLOURS)
    if unknown_sides:
        raise ConfigError(
            f"details['bins']['side'] holds {sorted(unknown_sides)}; sides must be "
            "'below' or 'above'"
        )
    enough = bins["n"].to_numpy(float) >= suppress_below
    dropped = int((~enough).sum())
    shown_bins = bins[enough & np.isfinite(bins["y"].to_numpy(float))]
    outcome = humanise(result.outcome)
    running_name = result.details.get("running")
    running = humanise(running_name, "the running variable")

    fig = new_figure(5.0)
    ax = fig.subplots()
    ax.grid(axis="y")
    for side, label in (("below", "Below the cutoff"), ("above", "At or above the cutoff")):
        side_bins = shown_bins[shown_bins["side"] == side]
        colour = _SIDE_COLOURS[side]
        if len(side_bins):
            ax.scatter(
                side_bins["x"].to_numpy(float),
                side_bins["y"].to_numpy(float),
                s=30,
                color=colour,
                alpha=0.9,
                label=f"{label}: binned means",
                gid=f"bins:{side}",
                zorder=3,
            )
        side_fit = fit[fit["side"] == side].sort_values("x")
        if len(side_fit):
            ax.plot(
                side_fit["x"].to_numpy(float),
                side_fit["fitted"].to_numpy(float),
                color=colour,
                linewidth=2.4,
                gid=f"fit:{side}",
            )
    ax.axvline(cutoff, color=PALETTE["dark_grey"], linestyle="--", linewidth=1.2, gid="cutoff")
    ax.annotate(
        f"Cutoff {cutoff:g}",
        xy=(cutoff, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        va="top",
        fontsize=SMALL_SIZE,
        color=SECONDARY_TEXT_COLOUR,
        gid="cutoff_label",
    )
    ax.set_xlabel(xlabel or (sentence_case(running) if running_name else "Running variable"))
    ax.set_ylabel(ylabel or sentence_case(outcome))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2)

    n_below = int((shown_bins["side"] == "below").sum())
    n_above = int((shown_bins["side"] == "above").sum())
    bandwidth = result.diagnostics.get("bandwidth")
    alt = (
        f"Regression discontinuity chart of {outcome} against {running}: {n_below} binned "
        f"means below and {n_above} at or above the cutoff at {cutoff:g} (dashed vertical "
        "line), with a local regression line fitted on each side. The estimated jump at the "
        f"cutoff is {result.describe_effect()}."
    )
    if title is None:
        where = f"{running} = {cutoff:g}" if running_name else f"cutoff {cutoff:g}"
        title = (
            f"{sentence_case(outcome)} {change_phrase(result, 'jumps up', 'drops')} at the "
            f"cutoff ({where})"
        )
    notes = [
        "Points: mean outcome in bins of the running variable; lines: local regression on "
        f"each side of the cutoff; jump at the cutoff: {result.describe_effect()}."
    ]
    if bandwidth is not None:
        notes.append(f"Fits use observations within {format_number(bandwidth)} of the cutoff.")
    if dropped:
        notes.append(
            f"{dropped} bin(s) with fewer than {suppress_below} units are not shown, to "
            "protect individuals."
        )
    if note:
        notes.append(note)
    return finish(fig, kind="rdd", title=title, alt=alt, source=source, notes=notes)
