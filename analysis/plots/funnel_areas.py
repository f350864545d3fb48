"""Funnel plot of areas: each area's value against control limits that narrow with size."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..methods.funnel import funnel_limit_curve
from ._inputs import require_columns
from .style import PALETTE, SECONDARY_TEXT_COLOUR, SMALL_SIZE, finish, new_figure, styled

_TABLE_COLUMNS = ["area", "denominator", "value", "flag"]
#: Colour and legend entry of each band of flags; above and below share a colour, since the
#: point's position already says which side it is on.
_BANDS = (
    (("within",), PALETTE["dark_blue"], "Within the 95% limits", "areas_within"),
    (("above 95%", "below 95%"), PALETTE["orange"], "Outside the 95% limits", "areas_outside_95"),
    (
        ("above 99.8%", "below 99.8%"),
        PALETTE["dark_pink"],
        "Outside the 99.8% limits",
        "areas_outside_998",
    ),
)
_DENOMINATOR_WORDS = {
    "proportion": "Number at risk",
    "rate": "Population",
    "ratio": "Expected events",
}


@styled
def plot_funnel_areas(
    table: pd.DataFrame,
    *,
    per: float = 1.0,
    value_label: str | None = None,
    denominator_label: str | None = None,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    label_outside: bool = True,
) -> Figure:
    """Funnel plot: each area's value against its denominator, with 95% and 99.8% limits.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`analysis.methods.funnel.funnel_limits` (its ``attrs`` give
        the target, the statistic, the method and any overdispersion adjustment).
    per : float
        Multiplier for the value axis: 100 for percentages, 1000 for rates per 1,000.
    value_label, denominator_label : str, optional
        Axis labels (defaults follow the statistic).
    title : str, optional
        The finding (default: how many areas lie outside the 99.8% limits).
    source, note : str, optional
        Footer text.
    label_outside : bool
        Name the areas outside the 99.8% limits beside their points.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.methods.funnel import funnel_limits
    >>> areas = pd.DataFrame({"area": list("ABCDEF"), "repeat": [30, 12, 70, 44, 9, 80],
    ...                       "victims": [150, 40, 300, 200, 90, 250]})
    >>> table = funnel_limits(areas, area="area", observed="repeat", denominator="victims")
    >>> fig = plot_funnel_areas(table, per=100)
    >>> fig.axes[0].get_ylabel()
    'Percentage'
    """
    fix = "Pass the table funnel_limits() returns."
    frame = require_columns(table, _TABLE_COLUMNS, "plot_funnel_areas' table", fix)
    attrs = table.attrs
    if "target" not in attrs or "statistic" not in attrs:
        raise ConfigError(
            "plot_funnel_areas: the table has lost the target and statistic funnel_limits() "
            f"keeps in its attrs (filtering or merging can drop them). {fix}"
        )
    if not per > 0:
        raise ConfigError(f"plot_funnel_areas: per must be positive, not {per!r}.")
    target, statistic = float(attrs["target"]), attrs["statistic"]
    denominators = frame["denominator"].to_numpy(dtype=float)
    values = frame["value"].to_numpy(dtype=float)
    flags = frame["flag"].astype(str).to_numpy()

    overdispersion = attrs.get("overdispersion")
    applied = {
        "dispersion": attrs.get("dispersion", 1.0) if overdispersion == "multiplicative" else 1.0,
        "tau2": attrs.get("tau2", 0.0) if overdispersion == "additive" else 0.0,
    }
    low_end = max(denominators.min() * 0.8, 1.0 if statistic == "proportion" else 1e-9)
    grid = np.geomspace(low_end, denominators.max() * 1.1, 300)

    fig = new_figure(5.2)
    ax = fig.subplots()
    ax.grid(axis="y")
    for level, style, gid in ((0.95, "--", "limits_95"), (0.998, ":", "limits_998")):
        low, high = funnel_limit_curve(
            target,
            grid,
            statistic=statistic,
            level=level,
            method=attrs.get("method", "exact"),
            **applied,
        )
        for bound in (low, high):
            ax.plot(grid, per * bound, style, color=PALETTE["dark_grey"], linewidth=1.2, gid=gid)
    ax.axhline(per * target, color=PALETTE["dark_grey"], linewidth=1.2, gid="target")
    for members, colour, label, gid in _BANDS:
        mask = np.isin(flags, members)
        if mask.any():
            ax.scatter(
                denominators[mask],
                per * values[mask],
                s=30,
                color=colour,
                zorder=3,
                label=label,
                gid=gid,
            )
    outside_998 = np.isin(flags, ["above 99.8%", "below 99.8%"])
    if label_outside:
        for i in np.flatnonzero(outside_998):
            ax.annotate(
                str(frame["area"].iloc[i]),
                xy=(denominators[i], per * values[i]),
                xytext=(5, 3),
                textcoords="offset points",
                fontsize=SMALL_SIZE,
                color=SECONDARY_TEXT_COLOUR,
                gid="area_label",
            )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(denominator_label or _DENOMINATOR_WORDS.get(statistic, "Denominator"))
    default_value_label = {
        "proportion": "Percentage" if per == 100 else "Proportion",
        "rate": f"Rate per {per:,.0f}" if per != 1 else "Rate",
        "ratio": "Observed / expected" if per == 1 else f"Observed / expected x {per:,.0f}",
    }[statistic]
    ax.set_ylabel(value_label or default_value_label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))

    n_areas = len(frame)
    n_outside_95 = int((flags != "within").sum())
    n_outside_998 = int(outside_998.sum())
    overdispersed = attrs.get("dispersion_p_value", 1.0) < 0.05 and overdispersion is None
    if title is None:
        if n_outside_998 and overdispersed:
            # When every area varies more than chance allows, being outside the limits says
            # the indicator leaves something out, not that one area stands apart.
            title = (
                f"{n_outside_998} of {n_areas} areas lie outside the 99.8% limits, but the "
                "areas vary more than chance allows"
            )
        elif n_outside_998:
            title = (
                f"{n_outside_998} of {n_areas} areas lie outside the 99.8% limits, beyond what "
                "chance would explain"
            )
        else:
            title = f"No area of {n_areas} lies outside the 99.8% limits"
    method_words = {
        "exact": "exact (interpolated) binomial or Poisson limits",
        "phe": "Wilson score or Byar's Poisson limits, as public health indicator tools draw them",
    }[attrs.get("method", "exact")]
    notes = [
        f"Points: areas; solid line: target {per * target:,.4g}; dashed and dotted lines: 95% "
        f"and 99.8% control limits ({method_words})."
    ]
    if overdispersion == "multiplicative":
        notes.append(
            f"Limits widened by the dispersion factor {attrs.get('dispersion', float('nan')):.2f}."
        )
    elif overdispersion == "additive":
        notes.append(
            "Limits widened by a between-area variance of "
            f"{per**2 * attrs.get('tau2', float('nan')):.3g} (random-effects funnel)."
        )
    notes.extend(str(n) for n in attrs.get("notes", ()))
    if note:
        notes.append(note)
    alt = (
        f"Funnel plot of {n_areas} areas: the value of each area (vertical axis) against its "
        f"{(denominator_label or _DENOMINATOR_WORDS.get(statistic, 'denominator')).lower()} "
        f"(horizontal axis, log scale), with a horizontal line at the target "
        f"{per * target:,.4g} and 95% and 99.8% control limits that narrow as areas grow. "
        f"{n_outside_95} area(s) lie outside the 95% limits and {n_outside_998} outside the "
        "99.8% limits."
    )
    return finish(fig, kind="funnel_areas", title=title, alt=alt, source=source, notes=notes)
