"""Statistical process control: c-, u- and p-chart limits and the signals they raise.

A control chart (Shewhart; as NHS "Making Data Count" draws them) sets each period's value
against a centre line and limits three standard errors either side, computed from a
*baseline* of periods in which the process is taken as stable. A point beyond the limits,
or a long run of points on one side of the centre line, is a signal that something other
than chance has changed; points within the limits with no run are common-cause variation
and call for no explanation.

- ``"c"``: counts with a constant opportunity (offences a month); centre ``c_bar``, the
  baseline mean; limits ``c_bar +/- k sqrt(c_bar)`` (Poisson).
- ``"u"``: rates, counts over a varying exposure (people in treatment per 1,000
  population); centre ``u_bar = sum(c) / sum(n)`` over the baseline; limits
  ``u_bar +/- k sqrt(u_bar / n_i)`` at each period's own exposure.
- ``"p"``: proportions (completions out of people in treatment); centre
  ``p_bar = sum(x) / sum(n)``; limits ``p_bar +/- k sqrt(p_bar (1 - p_bar) / n_i)``.

Lower limits below zero are set to zero (and upper limits of proportions above one to one).
The limits describe the baseline process; where counts vary more than Poisson or binomial
chance allows (overdispersion), many points fall outside them, and the chart says so
(the dispersion of the baseline is reported: Laney's 2002 u'- and p'-charts widen the limits
for it, which ``overdispersed=True`` does).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import ConfigError, EstimationError
from ._panel import numeric_column, require_columns, require_complete

__all__ = ["CHARTS", "control_limits"]

CHARTS = ("c", "u", "p")
#: Points in a row on one side of the centre line that signal a shift (NHS Making Data Count
#: uses 7; the Western Electric rules 8).
RUN_LENGTH = 7
#: Fewest baseline periods the limits are computed from.
MIN_BASELINE = 6


def control_limits(
    data: pd.DataFrame,
    *,
    observed: str,
    time: str,
    chart: str = "c",
    denominator: str | None = None,
    baseline_end: object | None = None,
    sigma: float = 3.0,
    run_length: int = RUN_LENGTH,
    overdispersed: bool = False,
) -> pd.DataFrame:
    """Control limits for a series of counts, rates or proportions, and the signals raised.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period, in any order (sorted by ``time`` on output).
    observed : str
        Events in each period (offences, completions).
    time : str
        Period column (dates or any sortable label).
    chart : {"c", "u", "p"}
        Counts with constant opportunity, rates, or proportions.
    denominator : str, optional
        Exposure (``"u"``) or people at risk (``"p"``); not used by ``"c"``.
    baseline_end : object, optional
        Periods before this value form the baseline the centre line and limits come from
        (for example the start of a programme). Default: every period.
    sigma : float
        Limits are this many standard errors from the centre line.
    run_length : int
        A run of this many consecutive points on one side of the centre line signals a shift
        (points on the line break a run).
    overdispersed : bool
        Widen the limits by the square root of the baseline's dispersion (Laney's u'- and
        p'-charts: the standard deviation of the baseline z-scores estimated from their
        moving ranges) when it is above 1.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``time, observed, denominator, value, centre, lower, upper,
        baseline`` (bool), ``signal`` (``"above"``, ``"below"``, ``"shift up"``,
        ``"shift down"`` or ``""``). ``attrs``: ``chart``, ``centre``, ``sigma``,
        ``dispersion`` (the baseline z-scores' moving-range standard deviation, squared),
        ``n_baseline`` and ``notes``.

    Raises
    ------
    ConfigError
        For an unknown chart, a missing denominator, or ``sigma`` or ``run_length`` out of
        range.
    EstimationError
        For negative counts, non-positive denominators, proportions above one, fewer than
        six baseline periods or a baseline with no events.

    Examples
    --------
    >>> import pandas as pd
    >>> series = pd.DataFrame({"month": range(8), "offences": [4, 9, 6, 5, 7, 8, 5, 20]})
    >>> chart = control_limits(series, observed="offences", time="month", baseline_end=7)
    >>> round(chart.attrs["centre"], 3), round(float(chart["upper"].iloc[0]), 3)
    (6.286, 13.807)
    >>> chart["signal"].tolist()[-1]
    'above'
    """
    where = "control_limits"
    if chart not in CHARTS:
        raise ConfigError(f"{where}: chart must be one of {', '.join(CHARTS)}, not {chart!r}.")
    if chart in ("u", "p") and denominator is None:
        raise ConfigError(
            f"{where}: a {chart}-chart needs denominator= (exposure for 'u', people at risk for "
            "'p'); use chart='c' for counts with a constant opportunity."
        )
    if not (isinstance(sigma, int | float) and math.isfinite(sigma) and sigma > 0):
        raise ConfigError(f"{where}: sigma must be a positive number, not {sigma!r}.")
    if not (isinstance(run_length, int) and run_length >= 2):
        raise ConfigError(f"{where}: run_length must be a whole number of at least 2.")
    columns = {"observed": observed, "time": time, "denominator": denominator}
    require_columns(data, columns, estimator=where)
    require_complete(data, [c for c in columns.values() if c], estimator=where)
    frame = data.sort_values(time).reset_index(drop=True)
    counts = numeric_column(frame, observed, estimator=where)
    if (counts < 0).any():
        raise EstimationError(f"{where}: '{observed}' has negative values, impossible for counts.")
    if denominator is None:
        exposure = np.ones(len(frame))
    else:
        exposure = numeric_column(frame, denominator, estimator=where)
        if (exposure <= 0).any():
            rows = list(frame.loc[exposure <= 0, time][:5])
            raise EstimationError(
                f"{where}: '{denominator}' must be positive; it is not at {rows}. Fix: drop "
                "periods with no one at risk."
            )
    if chart == "p" and (counts > exposure).any():
        raise EstimationError(
            f"{where}: '{observed}' exceeds '{denominator}' in some periods; a proportion's "
            "numerator cannot exceed its denominator."
        )
    baseline = (
        np.ones(len(frame), dtype=bool)
        if baseline_end is None
        else (frame[time] < baseline_end).to_numpy()
    )
    n_baseline = int(baseline.sum())
    if n_baseline < MIN_BASELINE:
        raise EstimationError(
            f"{where}: {n_baseline} baseline period(s) before {baseline_end!r}; limits need at "
            f"least {MIN_BASELINE}. Fix: an earlier start or a later baseline_end."
        )
    centre = float(counts[baseline].sum() / exposure[baseline].sum())
    if centre <= 0 or (chart == "p" and centre >= 1):
        raise EstimationError(
            f"{where}: the baseline's centre line is {centre:g}; a {chart}-chart needs "
            + ("a proportion strictly between 0 and 1." if chart == "p" else "some events.")
        )
    value = counts / exposure
    variance = (centre * (1 - centre) if chart == "p" else centre) / exposure
    z = (value - centre) / np.sqrt(variance)
    # Laney's sigma_z: the average moving range of the baseline z-scores over d2 = 1.128.
    moving = np.abs(np.diff(z[baseline]))
    dispersion = float((moving.mean() / 1.128) ** 2) if len(moving) else 1.0
    widen = math.sqrt(dispersion) if overdispersed and dispersion > 1 else 1.0
    half = sigma * widen * np.sqrt(variance)
    lower = np.maximum(centre - half, 0.0)
    upper = centre + half
    if chart == "p":
        upper = np.minimum(upper, 1.0)
    signal = np.where(value > upper, "above", np.where(value < lower, "below", "")).astype(object)
    side = np.sign(value - centre)
    run_start, run = 0, 0
    for i in range(len(side)):
        if i > 0 and side[i] != 0 and side[i] == side[i - 1]:
            run += 1
        else:
            run, run_start = (1 if side[i] != 0 else 0), i
        if run >= run_length:
            label = "shift up" if side[i] > 0 else "shift down"
            for j in range(run_start, i + 1):
                if signal[j] == "":
                    signal[j] = label
    notes = []
    if dispersion > 2 and not overdispersed:
        notes.append(
            f"The baseline varies more than chance allows (dispersion {dispersion:.1f}): more "
            "points fall outside the limits than they promise; overdispersed=True widens them "
            "(Laney's chart)."
        )
    table = pd.DataFrame(
        {
            "time": frame[time].to_numpy(),
            "observed": counts,
            "denominator": exposure,
            "value": value,
            "centre": centre,
            "lower": lower,
            "upper": upper,
            "baseline": baseline,
            "signal": signal,
        }
    )
    table.attrs.update(
        {
            "chart": chart,
            "centre": centre,
            "sigma": float(sigma),
            "dispersion": dispersion,
            "widened_by": widen,
            "n_baseline": n_baseline,
            "run_length": run_length,
            "notes": notes,
        }
    )
    return table
