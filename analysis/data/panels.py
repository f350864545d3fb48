"""Unit-by-month panels and monthly series: the builders staggered-adoption designs start from.

Generic over programmes: a *unit* is whatever adopts an intervention (premises,
ward, team) and an *event* is whatever is counted (incidents, crimes, calls).

- month arithmetic: :func:`month_start`, :func:`months_between`,
  :func:`last_complete_month` (the last month an extract has fully recorded);
- :func:`unit_month_panel`: a balanced unit-by-month panel of event counts with
  each unit's adoption cohort, the input of the panel estimators in
  :mod:`analysis.methods`;
- :func:`monthly_counts`: a monthly series with months without events kept as zeros;
- :func:`placebo_adoption`: the panel with fake adoption dates moved earlier;
- :func:`uptake_table`: how many units adopted, by group, with Wilson intervals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = [
    "last_complete_month",
    "month_start",
    "monthly_counts",
    "months_between",
    "placebo_adoption",
    "unit_month_panel",
    "uptake_table",
]


def month_start(dates: pd.Series | pd.DatetimeIndex) -> pd.Series:
    """First day of each date's month (missing dates stay missing).

    Examples
    --------
    >>> month_start(pd.Series(pd.to_datetime(["2025-04-17", None]))).tolist()
    [Timestamp('2025-04-01 00:00:00'), NaT]
    """
    dates = pd.Series(pd.to_datetime(dates))
    return dates.dt.to_period("M").dt.to_timestamp().astype(dates.dtype)


def months_between(start: pd.Timestamp, dates: pd.Series) -> pd.Series:
    """Whole calendar months from ``start``'s month to each date's month.

    Examples
    --------
    >>> months_between(pd.Timestamp("2025-04-01"),
    ...                pd.Series(pd.to_datetime(["2025-04-30", "2026-01-02"]))).tolist()
    [0, 9]
    """
    dates = pd.Series(pd.to_datetime(dates))
    return (dates.dt.year - start.year) * 12 + (dates.dt.month - start.month)


def last_complete_month(
    extract_date: str | pd.Timestamp, recording_lag_days: int = 14
) -> pd.Timestamp:
    """Start of the last month whose incidents are all recorded by the extract date.

    Incidents reach the police system a few days after they happen, so a month
    counts as complete only if it ended at least ``recording_lag_days`` before the
    extract was taken; later months would look artificially quiet.

    Parameters
    ----------
    extract_date : str or Timestamp
        Date the extract was taken.
    recording_lag_days : int, default 14
        Longest usual delay between an incident and its record.

    Returns
    -------
    pandas.Timestamp
        First day of the last complete month.

    Examples
    --------
    >>> last_complete_month("2026-07-15")
    Timestamp('2026-06-01 00:00:00')
    >>> last_complete_month("2026-07-10")
    Timestamp('2026-05-01 00:00:00')
    """
    if recording_lag_days < 0:
        raise ConfigError(f"recording_lag_days must be 0 or more, got {recording_lag_days}")
    cutoff = pd.Timestamp(extract_date) - pd.Timedelta(days=recording_lag_days)
    # A month is complete when its last day is on or before the cut-off.
    following = (cutoff + pd.Timedelta(days=1)).to_period("M").to_timestamp()
    return following - pd.DateOffset(months=1)


def _month_range(start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DatetimeIndex:
    start_month = pd.Timestamp(start).to_period("M").to_timestamp()
    end_month = pd.Timestamp(end).to_period("M").to_timestamp()
    if end_month < start_month:
        raise ConfigError(
            f"the window ends ({end_month:%Y-%m}) before it starts ({start_month:%Y-%m})"
        )
    return pd.date_range(start_month, end_month, freq="MS").astype("datetime64[us]")


def _select(events: pd.DataFrame, where: Mapping[str, Sequence[object]] | None) -> pd.Series:
    """Rows of ``events`` whose columns take one of the given values (all conditions)."""
    keep = pd.Series(True, index=events.index)
    for column, values in (where or {}).items():
        if column not in events.columns:
            raise ConfigError(f"events have no column '{column}' to select on")
        keep &= events[column].isin(list(values))
    return keep


def _with_adoption(
    panel: pd.DataFrame, first: np.ndarray, first_month: pd.Timestamp
) -> pd.DataFrame:
    """Set ``cohort``, ``first_treated``, ``treated`` and ``event_time`` from first periods.

    ``first`` holds each row's first treated period (NaN: not treated in the window).
    """
    adopter = ~np.isnan(first)
    panel = panel.drop(
        columns=["cohort", "first_treated", "treated", "event_time"], errors="ignore"
    )
    offsets = np.where(adopter, first - 1, 0).astype("int64")
    cohort = pd.Series(
        [
            first_month + pd.DateOffset(months=int(k))
            for k in range(int(offsets.max(initial=0)) + 1)
        ],
        dtype="datetime64[us]",
    ).to_numpy()[offsets]
    position = panel.columns.get_loc("period") + 1
    panel.insert(position, "cohort", pd.Series(cohort, index=panel.index).where(adopter))
    panel.insert(
        position + 1,
        "first_treated",
        pd.array(np.where(adopter, first, 0).astype("int64"), dtype="Int64"),
    )
    panel.loc[~adopter, "first_treated"] = pd.NA
    treated = adopter & (panel["period"].to_numpy() >= np.nan_to_num(first))
    panel.insert(position + 2, "treated", treated.astype("int64"))
    event_time = pd.array(
        np.where(adopter, panel["period"].to_numpy() - np.nan_to_num(first), 0).astype("int64"),
        dtype="Int64",
    )
    panel.insert(position + 3, "event_time", event_time)
    panel.loc[~adopter, "event_time"] = pd.NA
    return panel


def unit_month_panel(
    units: pd.DataFrame,
    events: pd.DataFrame,
    *,
    unit: str,
    event_date: str,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    outcomes: Mapping[str, Mapping[str, Sequence[object]]],
    adoption_date: str | None = None,
    keep: Sequence[str] = (),
    never_treated: int = 0,
) -> pd.DataFrame:
    """Balanced unit-by-month panel of event counts, with each unit's adoption cohort.

    Every unit appears in every month of the window (months with no events
    count 0), which is what panel estimators need. Periods are numbered 1, 2,
    ... from the window's first month; a unit's ``first_treated`` is the period
    of the month it adopted the intervention.

    Parameters
    ----------
    units : DataFrame
        One row per unit (premises, ward, team...).
    events : DataFrame
        One row per event, with the unit, the date and the columns ``outcomes``
        select on. Events without a unit or outside the window are not counted.
    unit : str
        Unit identifier column (in both tables).
    event_date : str
        Date column of ``events``.
    start, end : str or Timestamp
        First and last month of the window (any day in the month).
    outcomes : mapping of str to mapping
        Outcome name -> ``{column: allowed values}``; an event counts towards
        the outcome when every listed column takes one of its values (an empty
        mapping counts every event).
    adoption_date : str, optional
        Column of ``units`` with the date each unit adopted (blank: never).
    keep : sequence of str
        Columns of ``units`` to carry into every row.

    Returns
    -------
    DataFrame
        One row per unit and month: ``unit``, ``month`` (first day), ``period``
        (1 = first month), ``cohort`` (first day of the adoption month),
        ``first_treated`` (its period; both missing for units that did not adopt
        within the window, the convention of the panel estimators), ``treated``
        (1 from the adoption month on), ``event_time`` (months since adoption),
        one integer count column per outcome, then ``keep``.

    Raises
    ------
    ConfigError
        A column is missing, units repeat, or a unit adopted before the window
        starts (it would have no pre-period; start the window earlier).

    Examples
    --------
    >>> units = pd.DataFrame({"site": ["a", "b"],
    ...                       "joined": pd.to_datetime(["2025-02-10", None])})
    >>> events = pd.DataFrame({"site": ["a", "a", "b"], "kind": ["x", "y", "x"],
    ...                        "date": pd.to_datetime(["2025-01-05", "2025-02-20", "2025-03-01"])})
    >>> panel = unit_month_panel(units, events, unit="site", event_date="date",
    ...                          start="2025-01-01", end="2025-03-01",
    ...                          outcomes={"x_events": {"kind": ["x"]}}, adoption_date="joined")
    >>> panel.groupby("site")[["first_treated", "treated", "x_events"]].agg(list)
               first_treated    treated   x_events
    site
    a              [2, 2, 2]  [0, 1, 1]  [1, 0, 0]
    b     [<NA>, <NA>, <NA>]  [0, 0, 0]  [0, 0, 1]
    """
    missing = [c for c in (unit, adoption_date, *keep) if c and c not in units.columns]
    missing += [c for c in (unit, event_date) if c not in events.columns]
    if missing:
        raise ConfigError(f"unit_month_panel: column(s) {sorted(set(missing))} not found")
    if units[unit].duplicated().any():
        raise ConfigError(
            f"unit_month_panel: units repeat in column '{unit}'; give one row per unit"
        )
    months = _month_range(start, end)
    first_month, n_months = months[0], len(months)

    in_window = events[event_date].notna() & events[unit].notna()
    event_month = months_between(first_month, events[event_date])
    in_window &= event_month.between(0, n_months - 1)

    ids = units[unit].to_numpy()
    position = pd.Index(ids).get_indexer(events[unit])
    known = position >= 0
    unknown = int((in_window & ~known).sum())
    if unknown:
        logger.warning("unit_month_panel: %d events name a unit not in the units table", unknown)
    counted = in_window & known

    panel = pd.DataFrame(
        {
            unit: np.repeat(ids, n_months),
            "month": np.tile(months.to_numpy(), len(ids)),
            "period": np.tile(np.arange(1, n_months + 1), len(ids)),
        }
    )
    if adoption_date is not None:
        adoption = months_between(first_month, units[adoption_date]).to_numpy(dtype="float64")
        if np.nanmin(np.append(adoption, 0.0)) < 0:
            early = units.loc[adoption < 0, unit].head(5).tolist()
            raise ConfigError(
                f"unit_month_panel: {int((adoption < 0).sum())} unit(s) adopted before the window "
                f"starts ({first_month:%Y-%m}), e.g. {early}; start the window earlier so every "
                "adopter has months before adoption"
            )
        adopted = ~np.isnan(adoption) & (adoption < n_months)
    else:
        adoption = np.full(len(ids), np.nan)
        adopted = np.zeros(len(ids), dtype=bool)
    panel = _with_adoption(
        panel, np.repeat(np.where(adopted, adoption + 1, np.nan), n_months), first_month
    )

    cell = position * n_months + event_month.to_numpy()
    for name, where in outcomes.items():
        selected = counted & _select(events, where)
        panel[name] = np.bincount(cell[selected.to_numpy()], minlength=len(panel)).astype("int64")
    for column in keep:
        panel[column] = np.repeat(units[column].to_numpy(), n_months)
    return panel


def monthly_counts(
    events: pd.DataFrame,
    *,
    event_date: str,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    where: Mapping[str, Sequence[object]] | None = None,
    by: str | None = None,
    levels: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Monthly event counts over a window, months with no events kept as zeros.

    Parameters
    ----------
    events : DataFrame
        One row per event.
    event_date : str
        Date column.
    start, end : str or Timestamp
        First and last month of the series.
    where : mapping of str to values, optional
        Count only events whose columns take these values.
    by : str, optional
        A column to split the series by (one series per value).
    levels : sequence, optional
        Values of ``by`` to include even when they have no events.

    Returns
    -------
    DataFrame
        Columns ``month`` (first day), ``count`` (and ``by``), one row per month
        (per group).

    Examples
    --------
    >>> events = pd.DataFrame({"date": pd.to_datetime(["2025-01-03", "2025-03-09"])})
    >>> monthly_counts(events, event_date="date", start="2025-01-01",
    ...                end="2025-03-31")["count"].tolist()
    [1, 0, 1]
    """
    months = _month_range(start, end)
    selected = events.loc[_select(events, where) & events[event_date].notna()]
    month = month_start(selected[event_date])
    if by is None:
        counts = month.value_counts().reindex(months, fill_value=0)
        return pd.DataFrame({"month": months, "count": counts.to_numpy().astype("int64")})
    groups = list(levels) if levels is not None else sorted(selected[by].dropna().unique())
    counts = (
        pd.DataFrame({by: selected[by].to_numpy(), "month": month.to_numpy()})
        .value_counts()
        .reindex(pd.MultiIndex.from_product([groups, months], names=[by, "month"]), fill_value=0)
    )
    return counts.rename("count").astype("int64").reset_index()


def placebo_adoption(
    panel: pd.DataFrame,
    *,
    shift_months: int,
    before_period: int,
) -> pd.DataFrame:
    """Placebo panel: adoption moved ``shift_months`` earlier, periods before ``before_period``.

    With the real adoption months removed from the window, any "effect" found at
    the fake dates is a failure of the design (different trends or anticipation),
    not the intervention. Units whose fake adoption falls in the window's first
    period or before are dropped (they would have no pre-period).

    Parameters
    ----------
    panel : DataFrame
        From :func:`unit_month_panel`.
    shift_months : int
        How many months earlier the fake adoption is (positive).
    before_period : int
        Keep periods strictly before this one (usually the programme's start, so
        that no real adoption is left in the window).

    Returns
    -------
    DataFrame
        The panel with ``cohort``, ``first_treated``, ``treated`` and ``event_time``
        rewritten.

    Examples
    --------
    >>> panel = pd.DataFrame({"unit": ["a"] * 6 + ["b"] * 6, "period": list(range(1, 7)) * 2,
    ...                       "month": list(pd.date_range("2025-01-01", periods=6, freq="MS")) * 2,
    ...                       "first_treated": pd.array([5] * 6 + [None] * 6, dtype="Int64")})
    >>> placebo = placebo_adoption(panel, shift_months=2, before_period=5)
    >>> placebo.loc[placebo.unit == "a", "treated"].tolist()
    [0, 0, 1, 1]
    """
    if shift_months <= 0:
        raise ConfigError(f"shift_months must be positive (fake dates earlier), got {shift_months}")
    placebo = panel.loc[panel["period"] < before_period]
    fake = placebo["first_treated"].to_numpy(dtype="float64", na_value=np.nan) - shift_months
    drop = fake < 2
    if drop.any():
        logger.info(
            "placebo_adoption: %d rows of units with no placebo pre-period dropped", drop.sum()
        )
    placebo, fake = placebo.loc[~drop], fake[~drop]
    # A fake date after the kept window leaves the unit untreated throughout the placebo.
    fake = np.where(fake < before_period, fake, np.nan)
    first_month = pd.Timestamp(placebo["month"].min()) - pd.DateOffset(
        months=int(placebo["period"].min()) - 1
    )
    return _with_adoption(placebo, fake, first_month)


def uptake_table(
    units: pd.DataFrame,
    *,
    adopted: str,
    by: str | None = None,
    levels: Sequence[object] | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """How many units adopted, by group, with Wilson intervals for the proportion.

    Parameters
    ----------
    units : DataFrame
        One row per eligible unit.
    adopted : str
        Boolean column: whether the unit adopted.
    by : str, optional
        Grouping column; ``None`` gives one row for all units.
    levels : sequence, optional
        Groups to list even when they have no units (shown with zeros).
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        Columns ``group``, ``units``, ``adopted``, ``proportion``, ``ci_low``,
        ``ci_high`` (interval missing where a group has no units).

    Examples
    --------
    >>> units = pd.DataFrame({"kind": ["pub", "pub", "bar"], "joined": [True, False, True]})
    >>> table = uptake_table(units, adopted="joined", by="kind")
    >>> table[["group", "units", "adopted"]].values.tolist()
    [['bar', 1, 1], ['pub', 2, 1]]
    """
    from ..methods import proportion

    flag = units[adopted].astype(bool)
    if by is None:
        grouped = pd.DataFrame({"units": [len(units)], "adopted": [int(flag.sum())]}, index=["all"])
    else:
        grouped = flag.groupby(units[by]).agg(units="size", adopted="sum")
        if levels is not None:
            grouped = grouped.reindex(list(levels), fill_value=0)
    rows = []
    for group, row in grouped.iterrows():
        n, k = int(row["units"]), int(row["adopted"])
        if n:
            est = proportion(k, n, conf_level=conf_level)
            rows.append((group, n, k, est.effect, est.ci_low, est.ci_high))
        else:
            rows.append((group, 0, 0, np.nan, np.nan, np.nan))
    return pd.DataFrame(
        rows, columns=["group", "units", "adopted", "proportion", "ci_low", "ci_high"]
    )
