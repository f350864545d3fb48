"""Figures over time: interrupted time series and event studies."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..results import Estimate, format_number
from ._inputs import require_detail, require_estimate, require_finite
from .style import (
    BAND_ALPHA,
    PALETTE,
    SECONDARY_TEXT_COLOUR,
    SMALL_SIZE,
    finish,
    humanise,
    new_figure,
    sentence_case,
    styled,
)

_ITS_COLUMNS = [
    "time",
    "observed",
    "fitted",
    "counterfactual",
    "counterfactual_low",
    "counterfactual_high",
]


def _legend_above(ax, ncols: int) -> None:
    # Above the plotting area the legend can never hide data.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols, borderaxespad=0.2)


@styled
def plot_its(
    result: Estimate,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    ylabel: str | None = None,
    xlabel: str = "Month",
) -> Figure:
    """Interrupted time series: observed, fitted, and the counterfactual without the intervention.

    Parameters
    ----------
    result : Estimate
        Result of :func:`analysis.methods.its`, with ``details["fitted"]``
        (columns ``time, observed, fitted, counterfactual, counterfactual_low,
        counterfactual_high``) and ``details["intervention"]``.
    title : str, optional
        The finding, in words (default: built from the estimate, e.g.
        "Violent incidents fell after the intervention in March 2024").
    source : str, optional
        Data source for the footer.
    note : str, optional
        Extra note for the footer (the default notes say how to read the chart).
    ylabel, xlabel : str, optional
        Axis labels (default y: the outcome's name).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> months = pd.date_range("2023-01-01", periods=24, freq="MS")
    >>> base = np.full(24, 50.0)
    >>> after = months >= "2024-01-01"
    >>> fitted = pd.DataFrame({"time": months, "observed": base - 8 * after,
    ...     "fitted": base - 8 * after, "counterfactual": base,
    ...     "counterfactual_low": base - 5, "counterfactual_high": base + 5})
    >>> est = Estimate(0.84, 0.76, 0.93, 0.001, 24, "rate ratio", "segmented regression",
    ...     "step change in incidents", outcome="incidents",
    ...     details={"fitted": fitted, "intervention": pd.Timestamp("2024-01-01")})
    >>> fig = plot_its(est)
    >>> fig.axes[0].get_ylabel()
    'Incidents'
    """
    result = require_estimate(result, "plot_its", "analysis.methods.its")
    frame = require_detail(result, "fitted", _ITS_COLUMNS, "plot_its", "analysis.methods.its")
    if "intervention" not in result.details:
        raise ConfigError(
            "plot_its needs details['intervention'] (the intervention date); pass the result "
            f"of analysis.methods.its (got an estimate from {result.method!r})"
        )
    intervention = pd.Timestamp(result.details["intervention"])
    frame = frame.sort_values("time").reset_index(drop=True)
    require_finite(frame, ["fitted", "counterfactual"], "details['fitted']")
    times = pd.to_datetime(frame["time"]).to_numpy()
    observed = frame["observed"].to_numpy(dtype=float)
    post = (pd.to_datetime(frame["time"]) >= intervention).to_numpy()
    if not post.any() or post.all():
        raise ConfigError(
            f"plot_its: the intervention ({intervention:%Y-%m-%d}) must fall inside the series "
            f"({pd.Timestamp(times[0]):%Y-%m-%d} to {pd.Timestamp(times[-1]):%Y-%m-%d})"
        )
    outcome = humanise(result.outcome)
    fig = new_figure(5.2)
    ax = fig.subplots()
    ax.grid(axis="y")
    ax.fill_between(
        times[post],
        frame["counterfactual_low"].to_numpy(dtype=float)[post],
        frame["counterfactual_high"].to_numpy(dtype=float)[post],
        color=PALETTE["orange"],
        alpha=BAND_ALPHA,
        linewidth=0,
        label="95% interval of the counterfactual",
        gid="counterfactual_band",
    )
    ax.plot(
        times,
        observed,
        linestyle="none",
        marker="o",
        markersize=4.5,
        color=PALETTE["dark_grey"],
        label="Observed",
        gid="observed",
    )
    ax.plot(
        times,
        frame["fitted"].to_numpy(dtype=float),
        color=PALETTE["dark_blue"],
        label="Fitted",
        gid="fitted",
    )
    ax.plot(
        times[post],
        frame["counterfactual"].to_numpy(dtype=float)[post],
        linestyle="--",
        color=PALETTE["orange"],
        label="Counterfactual (no intervention)",
        gid="counterfactual",
    )
    ax.axvline(intervention, color=PALETTE["dark_grey"], linewidth=1.2, gid="intervention")
    ax.annotate(
        f"Intervention\n{intervention:%B %Y}",
        xy=(intervention, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=SMALL_SIZE,
        color=SECONDARY_TEXT_COLOUR,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        gid="intervention_label",
    )
    values = np.concatenate([observed[np.isfinite(observed)], frame["fitted"].to_numpy(float)])
    if values.size and values.min() >= 0:
        ax.set_ylim(bottom=0)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or sentence_case(outcome))
    _legend_above(ax, ncols=2)

    start, end = pd.Timestamp(times[0]), pd.Timestamp(times[-1])
    finite = observed[np.isfinite(observed)]
    post_observed = observed[post & np.isfinite(observed)]
    post_counterfactual = frame["counterfactual"].to_numpy(float)[post]
    alt = (
        f"Interrupted time series chart of {outcome}, {len(frame)} months from "
        f"{start:%B %Y} to {end:%B %Y}. Observed values range from "
        f"{format_number(finite.min())} to {format_number(finite.max())}. A vertical line "
        f"marks the intervention in {intervention:%B %Y}. A solid line shows the fitted "
        "model; after the intervention a dashed line with a shaded 95% band shows the "
        "counterfactual, what the model expects without the intervention. After the "
        f"intervention the observed monthly average was {format_number(post_observed.mean())} "
        f"against a counterfactual average of {format_number(post_counterfactual.mean())}. "
        f"Estimated effect: {result.describe_effect()}."
    )
    if title is None:
        title = (
            f"{sentence_case(outcome)} {_its_verb(result)} after the intervention in "
            f"{intervention:%B %Y}"
        )
    notes = [
        "Points: observed values. Solid line: fitted model. Dashed line and band: the "
        "model's expectation without the intervention (counterfactual) and its 95% interval.",
        f"Estimated change: {result.describe_effect()}.",
    ]
    if note:
        notes.append(note)
    return finish(fig, kind="its", title=title, alt=alt, source=source, notes=notes)


def _its_verb(result: Estimate) -> str:
    if not result.significant:
        return "showed no clear change"
    return "rose" if result.effect > result.null_value else "fell"


@styled
def plot_event_study(
    result: Estimate,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    ylabel: str | None = None,
    xlabel: str = "Periods relative to treatment",
    reference: int = -1,
) -> Figure:
    """Event study: effects by period relative to treatment, with intervals.

    Parameters
    ----------
    result : Estimate
        Result of :func:`analysis.methods.event_study` or
        :func:`analysis.methods.staggered_did`, with ``details["dynamic"]``
        (columns ``rel_time, coef, ci_low, ci_high``; the reference period
        included with coefficient 0 and no interval) and optionally
        ``diagnostics["pretrend_p_value"]``.
    title : str, optional
        The finding (default: built from the estimates and the pre-trend test).
    source, note : str, optional
        Footer text.
    ylabel, xlabel : str, optional
        Axis labels.
    reference : int
        The reference period, marked on the chart when present.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> dynamic = pd.DataFrame({"rel_time": [-3, -2, -1, 0, 1, 2],
    ...     "coef": [0.1, -0.2, 0.0, -1.5, -2.0, -2.2], "se": [0.3, 0.3, np.nan, 0.3, 0.3, 0.3]})
    >>> dynamic["ci_low"] = dynamic["coef"] - 1.96 * dynamic["se"]
    >>> dynamic["ci_high"] = dynamic["coef"] + 1.96 * dynamic["se"]
    >>> est = Estimate(-1.9, -2.5, -1.3, 0.001, 400, "difference", "event study",
    ...     "effect on incidents", outcome="incidents", details={"dynamic": dynamic},
    ...     diagnostics={"pretrend_p_value": 0.61})
    >>> fig = plot_event_study(est)
    >>> fig.axes[0].get_xlabel()
    'Periods relative to treatment'
    """
    producer = "analysis.methods.event_study or analysis.methods.staggered_did"
    result = require_estimate(result, "plot_event_study", producer)
    frame = require_detail(
        result, "dynamic", ["rel_time", "coef", "ci_low", "ci_high"], "plot_event_study", producer
    )
    frame = frame.sort_values("rel_time").reset_index(drop=True)
    require_finite(frame, ["rel_time", "coef"], "details['dynamic']")
    rel = frame["rel_time"].to_numpy(dtype=float)
    coef = frame["coef"].to_numpy(dtype=float)
    low = frame["ci_low"].to_numpy(dtype=float)
    high = frame["ci_high"].to_numpy(dtype=float)
    has_interval = np.isfinite(low) & np.isfinite(high)
    is_reference = (rel == reference) & ~has_interval
    no_interval = ~has_interval & ~is_reference
    outcome = humanise(result.outcome)

    fig = new_figure(5.0)
    ax = fig.subplots()
    ax.grid(axis="y")
    last = rel.max()
    if last >= 0:
        ax.axvspan(
            -0.5,
            last + 0.5,
            color=PALETTE["turquoise"],
            alpha=0.10,
            linewidth=0,
            label="After treatment",
            gid="post_period",
        )
    ax.axhline(0, color=PALETTE["dark_grey"], linewidth=1.0, gid="zero_line")
    shown = has_interval
    container = ax.errorbar(
        rel[shown],
        coef[shown],
        yerr=np.vstack([coef[shown] - low[shown], high[shown] - coef[shown]]),
        fmt="o",
        color=PALETTE["dark_blue"],
        ecolor=PALETTE["dark_blue"],
        elinewidth=1.6,
        capsize=0,
        markersize=6,
        label="Estimate with 95% interval",
    )
    container.lines[0].set_gid("coefficients")
    for collection in container.lines[2]:
        collection.set_gid("intervals")
    if no_interval.any():
        ax.plot(
            rel[no_interval],
            coef[no_interval],
            linestyle="none",
            marker="o",
            color=PALETTE["dark_blue"],
            gid="coefficients_without_interval",
        )
    if is_reference.any():
        ax.plot(
            rel[is_reference],
            coef[is_reference],
            linestyle="none",
            marker="o",
            markerfacecolor="white",
            markeredgecolor=PALETTE["dark_blue"],
            markeredgewidth=1.6,
            markersize=7,
            label=f"Reference period ({reference})",
            gid="reference",
        )
    span = rel.max() - rel.min()
    ax.xaxis.set_major_locator(
        ticker.MultipleLocator(1) if span <= 16 else ticker.MaxNLocator(integer=True)
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or f"Effect on {outcome}")
    _legend_above(ax, ncols=3)

    pre = (rel < 0) & has_interval
    post = (rel >= 0) & has_interval
    excludes_zero = has_interval & ((low > 0) | (high < 0))
    pretrend = result.diagnostics.get("pretrend_p_value")
    pretrend_text = (
        f" (joint test of the pre-treatment estimates: p = {format_number(pretrend, 2)})"
        if pretrend is not None
        else ""
    )
    parts = [
        f"Event-study chart of {int(shown.sum())} estimated effects on {outcome} by period "
        f"relative to treatment, from {int(rel.min())} to {int(rel.max())}, with 95% intervals "
        "as vertical bars and a horizontal line at zero."
    ]
    if is_reference.any():
        parts.append(f"Period {reference} is the reference, fixed at zero.")
    if pre.any():
        parts.append(
            f"Before treatment {int((pre & excludes_zero).sum())} of {int(pre.sum())} "
            f"intervals exclude zero{pretrend_text}."
        )
    if post.any():
        parts.append(
            f"From treatment onwards (shaded) estimates range from "
            f"{format_number(coef[post].min())} to {format_number(coef[post].max())}; "
            f"{int((post & excludes_zero).sum())} of {int(post.sum())} intervals exclude zero."
        )
    alt = " ".join(parts)
    if title is None:
        title = _event_study_title(outcome, coef, post, excludes_zero, pretrend)
    against = f", measured against period {reference}" if is_reference.any() else ""
    notes = [
        f"Points: estimated effect in each period relative to the start of treatment{against}; "
        "bars: 95% intervals; shading: periods after treatment starts."
    ]
    if pretrend is not None:
        notes.append(
            f"Joint test that every pre-treatment effect is zero: p = {format_number(pretrend, 2)}."
        )
    if no_interval.any():
        periods = ", ".join(str(int(r)) for r in rel[no_interval])
        notes.append(f"No interval could be estimated for period(s) {periods}.")
    if note:
        notes.append(note)
    return finish(fig, kind="event_study", title=title, alt=alt, source=source, notes=notes)


def _event_study_title(
    outcome: str,
    coef: np.ndarray,
    post: np.ndarray,
    excludes_zero: np.ndarray,
    pretrend: float | None,
) -> str:
    head = sentence_case(outcome)
    if post.any():
        significant = int((post & excludes_zero).sum())
        if significant == 0:
            effect = "no clear effect in any period after treatment"
        else:
            direction = "lower" if coef[post & excludes_zero].mean() < 0 else "higher"
            effect = f"{direction} in {significant} of {int(post.sum())} periods after treatment"
    else:
        effect = "no periods after treatment to show"
    if pretrend is None:
        trend = ""
    elif pretrend >= 0.05:
        trend = f"; no sign of differing trends beforehand (p = {format_number(pretrend, 2)})"
    else:
        trend = f"; trends differed beforehand (p = {format_number(pretrend, 2)})"
    return f"{head}: {effect}{trend}"
