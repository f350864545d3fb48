"""lSaVI: analysis tables and findings for the licensing Security and Vulnerability Initiative.

lSaVI is a one-year pilot of an online self-assessment tool for alcohol licence
holders. Premises sign up at different times during the pilot year, so the
evaluation is a staggered adoption design. This module holds the programme's
analysis steps, so the notebook only sets parameters, calls these functions and
explains the results:

- generic builders another programme can reuse: :func:`last_complete_month`,
  :func:`unit_month_panel` (a balanced unit-by-month panel of event counts with
  the adoption cohort), :func:`monthly_counts` (a monthly series with zero
  months kept), :func:`placebo_adoption` (fake adoption dates moved earlier) and
  :func:`uptake_table` (uptake by group with Wilson intervals);
- lSaVI tables: :func:`premises_month_panel`, :func:`assessment_history`,
  :func:`data_quality_table`;
- the findings for each evaluation question (see the ``*_finding`` functions).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...data.codes import AREAS
from ...data.contracts.lsavi import INCIDENT_CATEGORIES, NTE_VIOLENCE, VIOLENCE_VULNERABILITY
from ...errors import ConfigError, EstimationError
from ...evidence import vfm
from ...results import Estimate

logger = logging.getLogger(__name__)

#: Outcomes counted in the premises-month panel: name -> incident categories.
PANEL_OUTCOMES: dict[str, tuple[str, ...]] = {
    "violence_vulnerability": VIOLENCE_VULNERABILITY,
    "theft": ("theft",),
    "drugs": ("drugs",),
    "disorder": ("disorder",),
    "nte_violence": NTE_VIOLENCE,
    "all_incidents": INCIDENT_CATEGORIES,
}

#: Plain names of the panel outcomes, for sentences and labels.
OUTCOME_LABELS: dict[str, str] = {
    "violence_vulnerability": "violence and vulnerability incidents",
    "theft": "theft incidents",
    "drugs": "drugs incidents",
    "disorder": "disorder incidents",
    "nte_violence": "night-time-economy violence",
    "all_incidents": "incidents of any kind",
}

#: Home Office unit-cost line for each incident category the initiative targets; None:
#: no published cost (vulnerability incidents are not crimes against a victim with a cost).
UNIT_COST_LINES: dict[str, str | None] = {
    "violence_with_injury": "violence_with_injury",
    "violence_without_injury": "violence_without_injury",
    "sexual_offence": "other_sexual_offences",
    "vulnerability": None,
}

#: Premises characteristics carried into the panel (for descriptions and subgroups).
PREMISES_COLUMNS: tuple[str, ...] = ("premises_type", "area", "capacity_band", "late_licence")


# ----------------------------------------------------------------------------- generic builders
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
    from ...methods import proportion

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


# ----------------------------------------------------------------------------- lSaVI tables
def premises_month_panel(
    premises: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
) -> pd.DataFrame:
    """Premises-by-month panel of incident counts with each premises' sign-up cohort.

    A thin wrapper of :func:`unit_month_panel` for the lSaVI tables: one count
    column per outcome in :data:`PANEL_OUTCOMES`, the premises characteristics in
    :data:`PREMISES_COLUMNS`, and the sign-up month as the adoption cohort.
    Street incidents (no premises) are not in the panel; premises that signed up
    after ``end`` count as not signed up within the window.

    Parameters
    ----------
    premises, incidents : DataFrame
        The ``premises`` and ``incidents`` tables as loaded.
    start, end : str or Timestamp
        First and last month of the panel.

    Returns
    -------
    DataFrame
        See :func:`unit_month_panel`.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.1).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> len(panel) == len(tables["premises"]) * 39
    True
    """
    return unit_month_panel(
        premises,
        incidents,
        unit="premises_id",
        event_date="incident_date",
        start=start,
        end=end,
        outcomes={name: {"category": cats} for name, cats in PANEL_OUTCOMES.items()},
        adoption_date="signup_date",
        keep=PREMISES_COLUMNS,
    )


def assessment_history(self_assessments: pd.DataFrame) -> pd.DataFrame:
    """Each premises' first and latest self-assessment, scored as the mean over domains.

    Parameters
    ----------
    self_assessments : DataFrame
        The ``self_assessments`` table (one row per assessment and domain).

    Returns
    -------
    DataFrame
        One row per premises that assessed: ``premises_id``, ``assessments``
        (how many), ``first_date``, ``latest_date``, ``months_apart``,
        ``first_score``, ``latest_score`` and ``change`` (latest minus first; only
        for premises with two or more assessments, missing otherwise).

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "assessment_id": ["A1", "A1", "A2", "A2", "A3"],
    ...     "premises_id": ["P1", "P1", "P1", "P1", "P2"],
    ...     "assessment_date": pd.to_datetime(["2025-04-01"] * 2 + ["2025-07-01"] * 2
    ...                                       + ["2025-05-01"]),
    ...     "domain": ["cctv", "drugs", "cctv", "drugs", "cctv"],
    ...     "score": [50.0, 60.0, 70.0, 70.0, 40.0]})
    >>> assessment_history(rows)[["premises_id", "assessments", "first_score", "change"]]
      premises_id  assessments  first_score  change
    0          P1            2         55.0    15.0
    1          P2            1         40.0     NaN
    """
    per_assessment = (
        self_assessments.groupby(["premises_id", "assessment_id"], sort=False)
        .agg(date=("assessment_date", "first"), score=("score", "mean"))
        .reset_index()
        .sort_values(["premises_id", "date", "assessment_id"], kind="stable")
    )
    grouped = per_assessment.groupby("premises_id", sort=True)
    history = grouped.agg(
        assessments=("assessment_id", "size"),
        first_date=("date", "first"),
        latest_date=("date", "last"),
        first_score=("score", "first"),
        latest_score=("score", "last"),
    ).reset_index()
    history["months_apart"] = (history["latest_date"] - history["first_date"]).dt.days / (
        365.25 / 12
    )
    repeated = history["assessments"] >= 2
    history["change"] = (history["latest_score"] - history["first_score"]).where(repeated)
    return history


def domain_score_changes(self_assessments: pd.DataFrame) -> pd.DataFrame:
    """Mean first and latest score by domain, premises with two or more assessments.

    Parameters
    ----------
    self_assessments : DataFrame
        The ``self_assessments`` table.

    Returns
    -------
    DataFrame
        Indexed by domain: ``premises``, ``first_mean``, ``latest_mean``,
        ``mean_change``.

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "assessment_id": ["A1", "A2"], "premises_id": ["P1", "P1"],
    ...     "assessment_date": pd.to_datetime(["2025-04-01", "2025-07-01"]),
    ...     "domain": ["cctv", "cctv"], "score": [50.0, 65.0]})
    >>> domain_score_changes(rows).loc["cctv", "mean_change"]
    np.float64(15.0)
    """
    ordered = self_assessments.sort_values(
        ["premises_id", "domain", "assessment_date"], kind="stable"
    )
    grouped = ordered.groupby(["premises_id", "domain"], sort=True)["score"]
    pairs = pd.DataFrame(
        {"first": grouped.first(), "latest": grouped.last(), "n": grouped.size()}
    ).reset_index()
    pairs = pairs.loc[pairs["n"] >= 2]
    table = pairs.groupby("domain").agg(
        premises=("premises_id", "size"),
        first_mean=("first", "mean"),
        latest_mean=("latest", "mean"),
    )
    table["mean_change"] = table["latest_mean"] - table["first_mean"]
    return table


def engagement_funnel(premises: pd.DataFrame, history: pd.DataFrame) -> dict[str, int]:
    """Licensed premises -> signed up -> first self-assessment -> a repeat assessment.

    Parameters
    ----------
    premises : DataFrame
        The ``premises`` table.
    history : DataFrame
        From :func:`assessment_history`.

    Returns
    -------
    dict of str to int
        Stage -> number of premises, in order.

    Examples
    --------
    >>> premises = pd.DataFrame({"premises_id": ["P1", "P2", "P3"],
    ...                          "signup_date": pd.to_datetime(["2025-05-01", "2025-06-01", None])})
    >>> history = pd.DataFrame({"premises_id": ["P1", "P2"], "assessments": [3, 1]})
    >>> engagement_funnel(premises, history)
    {'Licensed premises': 3, 'Signed up': 2, 'Completed a self-assessment': 2, 'Repeated it': 1}
    """
    signed = premises.loc[premises["signup_date"].notna(), "premises_id"]
    assessed = history.loc[history["premises_id"].isin(signed)]
    return {
        "Licensed premises": len(premises),
        "Signed up": len(signed),
        "Completed a self-assessment": len(assessed),
        "Repeated it": int((assessed["assessments"] >= 2).sum()),
    }


def data_quality_table(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    pilot_start: str | pd.Timestamp,
    pilot_months: int,
) -> pd.DataFrame:
    """What the extract holds, and what each analysis keeps or leaves out, and why.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The loaded ``premises``, ``self_assessments`` and ``incidents`` tables.
    start, end : str or Timestamp
        First and last month of the analysis window.
    pilot_start : str or Timestamp
        First day of the pilot.
    pilot_months : int
        Length of the pilot in months.

    Returns
    -------
    DataFrame
        Columns ``table``, ``item``, ``rows`` and ``treatment`` (what the analysis
        does with those rows).

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.1).tables
    >>> quality = data_quality_table(tables, start="2023-04-01", end="2026-06-01",
    ...                              pilot_start="2025-04-01", pilot_months=12)
    >>> quality.loc[0, "item"]
    'Licensed premises'
    """
    premises = tables["premises"]
    incidents = tables["incidents"]
    assessments = tables["self_assessments"]
    window_start = pd.Timestamp(start).to_period("M").to_timestamp()
    window_end = pd.Timestamp(end).to_period("M").to_timestamp() + pd.offsets.MonthEnd(0)
    pilot_start = pd.Timestamp(pilot_start)
    pilot_end = pilot_start + pd.DateOffset(months=pilot_months) - pd.Timedelta(days=1)

    signup = premises["signup_date"]
    street = incidents["premises_id"].isna()
    before = incidents["incident_date"] < window_start
    after = incidents["incident_date"] > window_end
    history = assessment_history(assessments)
    rows = [
        ("premises", "Licensed premises", len(premises), "all in the panel"),
        ("premises", "Signed up to lSaVI", int(signup.notna().sum()), "participants"),
        (
            "premises",
            "Signed up outside the pilot year",
            int((signup.notna() & ~signup.between(pilot_start, pilot_end)).sum()),
            "kept; cohort is the sign-up month",
        ),
        ("premises", "Never signed up", int(signup.isna().sum()), "comparison group"),
        ("incidents", "Incidents in the extract", len(incidents), ""),
        (
            "incidents",
            "Street incidents (no premises)",
            int(street.sum()),
            "in the area time series only; not in the premises panel",
        ),
        (
            "incidents",
            "Before the analysis window",
            int(before.sum()),
            "left out of every analysis",
        ),
        (
            "incidents",
            "After the last complete month",
            int(after.sum()),
            "left out: still being recorded at the extract date",
        ),
        (
            "incidents",
            "Premises incidents in the panel",
            int((~street & ~before & ~after).sum()),
            "counted in the premises-month panel",
        ),
        (
            "self_assessments",
            "Assessments (all domains)",
            int(assessments["assessment_id"].nunique()),
            "",
        ),
        (
            "self_assessments",
            "Signed up but never self-assessed",
            int((signup.notna() & ~premises["premises_id"].isin(history["premises_id"])).sum()),
            "participants all the same (the comparison is by sign-up)",
        ),
        (
            "self_assessments",
            "Premises with a single assessment",
            int((history["assessments"] == 1).sum()),
            "left out of the score-change analysis (no second score)",
        ),
        (
            "self_assessments",
            "Assessments without a door-security score",
            int(
                assessments["assessment_id"].nunique()
                - assessments.loc[
                    assessments["domain"] == "door_security", "assessment_id"
                ].nunique()
            ),
            "expected: premises with no door staff skip that domain",
        ),
    ]
    for name, frame in tables.items():
        for column in frame.columns:
            blanks = int(frame[column].isna().sum())
            if blanks:
                rows.append((name, f"Blank {column}", blanks, _BLANK_MEANING.get(column, "")))
    return pd.DataFrame(rows, columns=["table", "item", "rows", "treatment"])


#: What a blank means, for the columns where blanks are allowed.
_BLANK_MEANING = {
    "signup_date": "never signed up (comparison group)",
    "premises_id": "street incident, not linked to a premises",
}


# ----------------------------------------------------------------------------- impact
def _label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " "))


def staggered_effect(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    control: str = "never",
    n_boot: int = 999,
    seed: int = 0,
) -> Estimate:
    """Average effect of signing up on incidents per premises-month (Callaway-Sant'Anna).

    Each sign-up cohort is compared with premises that never signed up (or, with
    ``control="not_yet"``, also those yet to sign up), month by month from the month
    before its sign-up; the cohort-by-month effects are averaged over every
    participating premises-month. Unlike two-way fixed effects it never uses premises
    that already signed up as controls, so effects that grow with time since sign-up
    do not bias it.

    Parameters
    ----------
    panel : DataFrame
        From :func:`premises_month_panel`.
    outcome : str
        Count column of the panel.
    control : {"never", "not_yet"}
        Comparison premises.
    n_boot : int
        Multiplier-bootstrap draws for the uniform band of the dynamic effects
        (0 skips it; the overall effect does not need it).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    Estimate
        Difference scale (incidents per premises-month), with ``details["dynamic"]``
        (effects by months since sign-up) as :func:`analysis.methods.staggered_did`.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> staggered_effect(panel, n_boot=0).scale
    'difference'
    """
    from ...methods import staggered_did

    estimate = staggered_did(
        panel,
        outcome=outcome,
        unit="premises_id",
        time="month",
        first_treated="cohort",
        control=control,
        n_boot=n_boot,
        seed=seed,
    )
    comparison = "never signed up" if control == "never" else "had not signed up yet"
    return estimate.with_updates(
        estimand=(
            f"average change in {_label(outcome)} per participating premises per month from "
            f"its sign-up month, against premises that {comparison}"
        ),
        outcome=_label(outcome),
    )


def twfe_effect(panel: pd.DataFrame, *, outcome: str = "violence_vulnerability") -> Estimate:
    """Two-way fixed-effects difference-in-differences on the premises-month panel.

    Shown beside :func:`staggered_effect` because it is the usual first attempt: with
    staggered sign-up and effects that grow over time it is biased (it compares new
    participants with premises that signed up earlier).

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> twfe_effect(panel).method.startswith("two-way")
    True
    """
    from ...methods import did

    estimate = did(panel, outcome=outcome, treatment="treated", unit="premises_id", time="month")
    return estimate.with_updates(
        estimand=(
            f"change in {_label(outcome)} per premises-month after sign-up (two-way fixed "
            "effects: premises and month effects absorbed)"
        ),
        outcome=_label(outcome),
    )


def naive_comparison(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    pilot_start: str | pd.Timestamp,
) -> Estimate:
    """Participants against non-participants during the pilot, with no adjustment (SMS 1).

    The incident rate of participating premises in their months after sign-up over
    that of premises that never signed up, in the months from the pilot's start.
    Premises that signed up were riskier to begin with, so this comparison mixes the
    effect of the tool with that selection.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> naive_comparison(panel, pilot_start="2025-04-01").effect > 1
    True
    """
    from ...methods import rate_ratio

    during = panel["month"] >= pd.Timestamp(pilot_start)
    participants = panel.loc[during & (panel["treated"] == 1), outcome]
    others = panel.loc[during & panel["first_treated"].isna(), outcome]
    if participants.empty or others.empty:
        raise EstimationError(
            "naive_comparison: the pilot period has no participating or no comparison "
            "premises-months; check pilot_start and the sign-up dates"
        )
    estimate = rate_ratio(
        int(participants.sum()), len(participants), int(others.sum()), len(others)
    )
    return estimate.with_updates(
        estimand=(
            f"{_label(outcome)} per premises-month, participants after sign-up over premises "
            "that never signed up (no adjustment)"
        ),
        method="naive comparison: Poisson rate ratio of participants and non-participants",
        outcome=_label(outcome),
        warnings=(
            *estimate.warnings,
            "No adjustment for who signed up: premises with more incidents were more likely "
            "to join, so this ratio mixes selection with any effect.",
        ),
    )


def rate_mde(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    pilot_start: str | pd.Timestamp,
    power: float = 0.8,
) -> float:
    """Smallest rate ratio the naive comparison would detect, allowing for overdispersion.

    Exposures are the participating and comparison premises-months of
    :func:`naive_comparison`; the dispersion (variance over mean of premises-month
    counts among comparison premises) widens the Poisson variance.

    Examples
    --------
    >>> panel = pd.DataFrame({"month": pd.to_datetime(["2025-05-01"] * 400),
    ...                       "treated": [1] * 200 + [0] * 200,
    ...                       "first_treated": pd.array([1] * 200 + [None] * 200, dtype="Int64"),
    ...                       "violence_vulnerability": [1, 0] * 200})
    >>> 0 < rate_mde(panel, pilot_start="2025-04-01") < 1
    True
    """
    from ...methods import minimum_detectable_effect

    during = panel["month"] >= pd.Timestamp(pilot_start)
    participants = panel.loc[during & (panel["treated"] == 1), outcome]
    others = panel.loc[during & panel["first_treated"].isna(), outcome]
    mean = float(others.mean())
    if participants.empty or others.empty or mean <= 0:
        raise EstimationError(
            "rate_mde: the pilot period needs participating and comparison premises-months "
            "with some incidents"
        )
    return minimum_detectable_effect(
        "rates",
        power=power,
        baseline_rate=mean,
        exposure1=float(len(participants)),
        exposure0=float(len(others)),
        dispersion=max(1.0, float(others.var(ddof=1)) / mean),
    )


def placebo_effect(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    pilot_start: str | pd.Timestamp,
    shift_months: int = 12,
    control: str = "never",
) -> Estimate:
    """Staggered estimate at fake sign-up dates ``shift_months`` earlier, before the pilot.

    Only months before the pilot are used, so no real sign-up is in the data: an
    effect here would mean the comparison premises do not show what would have
    happened to participants (different trends), and the headline could not be
    trusted.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> placebo_effect(panel, pilot_start="2025-04-01").n > 0
    True
    """
    pilot_period = int(panel.loc[panel["month"] >= pd.Timestamp(pilot_start), "period"].min())
    placebo = placebo_adoption(panel, shift_months=shift_months, before_period=pilot_period)
    if placebo["first_treated"].notna().sum() == 0:
        raise EstimationError(
            f"placebo_effect: moving sign-up {shift_months} months earlier leaves no "
            "participant with a month before its fake sign-up; use a smaller shift or an "
            "earlier panel start"
        )
    estimate = staggered_effect(placebo, outcome=outcome, control=control, n_boot=0)
    return estimate.with_updates(
        estimand=(
            f"placebo: average change in {_label(outcome)} per premises-month at sign-up dates "
            f"moved {shift_months} months earlier, months before the pilot only (truth: none)"
        ),
    )


def staggered_mde(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    pilot_start: str | pd.Timestamp,
    power: float = 0.8,
) -> float:
    """Minimum detectable effect of the staggered design, from the comparison premises' data.

    The Callaway-Sant'Anna effect of a cohort contrasts its months after sign-up with
    the single month before, so the design is a difference-in-differences with one
    pre-period and, on average, as many post-periods as participants have been signed
    up. The month-to-month standard deviation (premises effects removed) and its
    serial correlation are measured on premises that never signed up, before the pilot.

    Returns
    -------
    float
        Smallest effect (incidents per premises-month) detected with ``power`` at 5%.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> staggered_mde(panel, pilot_start="2025-04-01") > 0
    True
    """
    from ...methods import minimum_detectable_effect

    comparison = panel.loc[
        panel["first_treated"].isna() & (panel["month"] < pd.Timestamp(pilot_start))
    ]
    within = comparison[outcome] - comparison.groupby("premises_id")[outcome].transform("mean")
    lagged = within.groupby(comparison["premises_id"]).shift(1)
    pairs = pd.DataFrame({"now": within, "before": lagged}).dropna()
    serial = float(np.corrcoef(pairs["now"], pairs["before"])[0, 1]) if len(pairs) > 2 else 0.0
    treated = panel.loc[panel["treated"] == 1]
    months_after = treated.groupby("premises_id").size().mean()
    return minimum_detectable_effect(
        "did",
        power=power,
        n_treated=int(panel.loc[panel["first_treated"].notna(), "premises_id"].nunique()),
        n_control=int(comparison["premises_id"].nunique()),
        periods_pre=1,
        periods_post=max(1, int(round(months_after))),
        sd=float(within.std(ddof=1)),
        serial_correlation=min(max(serial, -0.9), 0.9),
    )


def percent_change(estimate: Estimate, panel: pd.DataFrame, *, outcome: str) -> tuple[float, ...]:
    """The effect per premises-month as a percentage of the participants' counterfactual rate.

    The counterfactual rate is the participants' observed rate after sign-up minus the
    effect; the interval divides the effect's bounds by the same rate (the rate's own
    sampling error, small beside the effect's, is ignored).

    Returns
    -------
    tuple of float
        (point, low, high) percentage changes.

    Examples
    --------
    >>> est = Estimate(-0.1, -0.2, 0.0, 0.05, 10, "difference", "m", "e")
    >>> panel = pd.DataFrame({"treated": [1, 1], "y": [0.4, 0.4]})
    >>> [round(v, 1) for v in percent_change(est, panel, outcome="y")]
    [-20.0, -40.0, 0.0]
    """
    observed = float(panel.loc[panel["treated"] == 1, outcome].mean())
    counterfactual = observed - estimate.effect
    if counterfactual <= 0:
        raise EstimationError(
            "percent_change: the implied counterfactual rate is not positive; the effect "
            "cannot be expressed as a percentage"
        )
    return tuple(
        100 * v / counterfactual for v in (estimate.effect, estimate.ci_low, estimate.ci_high)
    )


# ----------------------------------------------------------------------------- area series
def nte_violence_series(
    incidents: pd.DataFrame,
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    by_area: bool = False,
) -> pd.DataFrame:
    """Monthly night-time-economy violence, county-wide or by area (premises and street).

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> incidents = generate("lsavi", seed=1, scale=0.25).tables["incidents"]
    >>> nte_violence_series(incidents, start="2023-04-01", end="2026-06-01").shape
    (39, 2)
    """
    return monthly_counts(
        incidents,
        event_date="incident_date",
        start=start,
        end=end,
        where={"category": NTE_VIOLENCE, "night_time_economy": [True]},
        by="area" if by_area else None,
        levels=AREAS if by_area else None,
    )


def nte_violence_its(
    series: pd.DataFrame,
    *,
    intervention: str | pd.Timestamp,
    harmonics: int = 2,
) -> Estimate:
    """Interrupted time series of monthly night-time-economy violence (SMS 2).

    A quasi-Poisson segmented regression with a trend and ``harmonics`` pairs of
    seasonal terms; the step at the pilot's start is the estimate. Participants are a
    minority of premises and joined through the year, so a county-wide step is
    diluted and phased in: this design can only detect large changes.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> incidents = generate("lsavi", seed=1, scale=0.5).tables["incidents"]
    >>> series = nte_violence_series(incidents, start="2023-04-01", end="2026-06-01")
    >>> nte_violence_its(series, intervention="2025-04-01").scale
    'rate ratio'
    """
    from ...methods import its

    estimate = its(
        series, outcome="count", time="month", intervention=intervention, harmonics=harmonics
    )
    return estimate.with_updates(
        estimand=(
            "ratio of monthly night-time-economy violence after the pilot began to the level "
            "projected from the trend and season before it"
        ),
        outcome="night-time-economy violence",
    )


def its_mde(
    series: pd.DataFrame,
    estimate: Estimate,
    *,
    intervention: str | pd.Timestamp,
    harmonics: int = 2,
    power: float = 0.8,
) -> float:
    """Smallest step (rate ratio) the area time series would detect with ``power``.

    Examples
    --------
    >>> series = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=36, freq="MS"),
    ...                        "count": [50] * 36})
    >>> est = Estimate(1.0, 0.9, 1.1, 1.0, 1800, "rate ratio", "its", "e",
    ...                diagnostics={"dispersion": 1.0})
    >>> 0.7 < its_mde(series, est, intervention="2025-01-01") < 0.9
    True
    """
    from ...methods import minimum_detectable_effect

    post = series["month"] >= pd.Timestamp(intervention)
    return minimum_detectable_effect(
        "its",
        power=power,
        n_pre=int((~post).sum()),
        n_post=int(post.sum()),
        baseline=float(series.loc[~post, "count"].mean()),
        harmonics=harmonics,
        dispersion=max(1.0, float(estimate.diagnostics.get("dispersion", 1.0))),
    )


def area_its_table(
    series_by_area: pd.DataFrame,
    *,
    intervention: str | pd.Timestamp,
    harmonics: int = 2,
    minimum_monthly: float = 5.0,
) -> pd.DataFrame:
    """The area time series one area at a time, where counts allow.

    Areas averaging fewer than ``minimum_monthly`` incidents a month before the pilot
    are not modelled (a seasonal model on a handful of events is noise) and say so.

    Returns
    -------
    DataFrame
        One row per area: ``area``, ``events_before``, ``events_after``, ``effect``,
        ``ci_low``, ``ci_high``, ``p_value``, ``note``.

    Examples
    --------
    >>> months = pd.date_range("2023-01-01", periods=36, freq="MS")
    >>> series = pd.DataFrame({"area": ["Poole"] * 36, "month": months, "count": [2] * 36})
    >>> area_its_table(series, intervention="2025-01-01")["note"].iloc[0]
    'too few incidents to model (fewer than 5 a month)'
    """
    from ...methods import its

    rows = []
    for area, series in series_by_area.groupby("area", sort=False):
        post = series["month"] >= pd.Timestamp(intervention)
        before, after = int(series.loc[~post, "count"].sum()), int(series.loc[post, "count"].sum())
        row = {
            "area": area,
            "events_before": before,
            "events_after": after,
            "effect": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
            "note": "",
        }
        if series.loc[~post, "count"].mean() < minimum_monthly:
            row["note"] = f"too few incidents to model (fewer than {minimum_monthly:g} a month)"
        else:
            try:
                est = its(
                    series,
                    outcome="count",
                    time="month",
                    intervention=intervention,
                    harmonics=harmonics,
                )
            except EstimationError as error:
                row["note"] = f"not modelled: {error}"
            else:
                row.update(
                    effect=est.effect,
                    ci_low=est.ci_low,
                    ci_high=est.ci_high,
                    p_value=est.p_value,
                    note="; ".join(est.warnings),
                )
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- process
def uptake_estimate(premises: pd.DataFrame, *, end: str | pd.Timestamp) -> Estimate:
    """Share of licensed premises that signed up by ``end`` (Wilson interval).

    Examples
    --------
    >>> premises = pd.DataFrame({"signup_date": pd.to_datetime(["2025-05-01", None, None, None])})
    >>> round(uptake_estimate(premises, end="2026-03-31").effect, 2)
    0.25
    """
    from ...methods import proportion

    signed = premises["signup_date"].notna() & (premises["signup_date"] <= pd.Timestamp(end))
    estimate = proportion(int(signed.sum()), len(premises))
    return estimate.with_updates(
        estimand="share of licensed premises that signed up to lSaVI during the pilot",
        outcome="uptake",
    )


def reach_table(panel: pd.DataFrame, *, pilot_start: str | pd.Timestamp) -> pd.DataFrame:
    """How much of the pre-pilot problem participating premises accounted for.

    Returns
    -------
    DataFrame
        Indexed by outcome: ``at_participants``, ``all``, ``share`` of the incidents in
        the months before the pilot that happened at premises that later signed up.

    Examples
    --------
    >>> panel = pd.DataFrame({"month": pd.to_datetime(["2025-01-01"] * 2),
    ...                       "first_treated": pd.array([5, None], dtype="Int64"),
    ...                       "violence_vulnerability": [3, 1], "theft": [0, 2]})
    >>> reach_table(panel, pilot_start="2025-04-01").loc["violence_vulnerability", "share"]
    np.float64(0.75)
    """
    before = panel.loc[panel["month"] < pd.Timestamp(pilot_start)]
    participant = before["first_treated"].notna()
    rows = {}
    for outcome in [c for c in PANEL_OUTCOMES if c in before.columns]:
        total = int(before[outcome].sum())
        mine = int(before.loc[participant, outcome].sum())
        rows[outcome] = {
            "at_participants": mine,
            "all": total,
            "share": mine / total if total else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def score_change_estimate(history: pd.DataFrame) -> Estimate:
    """Mean change in self-assessment score, first to latest assessment (paired, SMS 1).

    Only premises with two or more assessments count. With no comparison group this
    cannot separate the tool's effect from practice at filling it in.

    Examples
    --------
    >>> history = pd.DataFrame({"assessments": [2, 3, 2, 1], "first_score": [50, 60, 40, 55.0],
    ...                         "latest_score": [60, 65, 52, 58.0]})
    >>> round(score_change_estimate(history).effect, 2)
    9.0
    """
    from ...methods.paired import paired_difference

    repeated = history.loc[history["assessments"] >= 2]
    if len(repeated) < 2:
        raise EstimationError(
            "score_change_estimate: fewer than two premises completed a second "
            "self-assessment, so no change can be estimated"
        )
    estimate = paired_difference(repeated, before="first_score", after="latest_score")
    return estimate.with_updates(
        estimand=(
            "mean change in self-assessment score (0-100, mean over domains) from the first to "
            "the latest assessment, premises with two or more"
        ),
        method="before/after of participants only (paired t on premises' mean scores)",
        outcome="self-assessment score",
    )


def incidents_by_score(
    panel: pd.DataFrame,
    history: pd.DataFrame,
    *,
    threshold: float = 60.0,
    outcome: str = "violence_vulnerability",
) -> Estimate:
    """Incident rate after sign-up, premises whose first score was low against high (SMS 1).

    A description of who the tool reaches, not an effect: premises scoring below
    ``threshold`` at their first assessment against those at or above it, on their
    incidents per month from their sign-up month.

    Examples
    --------
    >>> panel = pd.DataFrame({"premises_id": ["a", "a", "b", "b"], "treated": [1, 1, 1, 1],
    ...                       "violence_vulnerability": [2, 2, 1, 0]})
    >>> history = pd.DataFrame({"premises_id": ["a", "b"], "first_score": [40.0, 80.0]})
    >>> incidents_by_score(panel, history).effect
    4.0
    """
    from ...methods import rate_ratio

    low_score = panel["premises_id"].map(
        history.set_index("premises_id")["first_score"] < threshold
    )
    after = panel.loc[(panel["treated"] == 1) & low_score.notna()]
    low = after.loc[low_score.loc[after.index].astype(bool), outcome]
    high = after.loc[~low_score.loc[after.index].astype(bool), outcome]
    if low.empty or high.empty:
        raise EstimationError(
            f"incidents_by_score: every assessed participant scored "
            f"{'at or above' if low.empty else 'below'} {threshold:g}; choose another threshold"
        )
    estimate = rate_ratio(int(low.sum()), len(low), int(high.sum()), len(high))
    return estimate.with_updates(
        estimand=(
            f"{_label(outcome)} per premises-month after sign-up, premises whose first "
            f"self-assessment scored below {threshold:g} over those at or above it "
            "(descriptive association, not an effect)"
        ),
        method="descriptive: Poisson rate ratio by first self-assessment score",
        outcome=_label(outcome),
        warnings=(
            *estimate.warnings,
            "Premises-months of one premises are not independent (premises differ in risk), "
            "so the interval is too narrow.",
        ),
    )


# ----------------------------------------------------------------------------- value for money
def averted_incident_value(
    panel: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    pilot_start: str | pd.Timestamp,
    price_year: str | None = None,
) -> tuple[vfm.UnitCost, pd.DataFrame]:
    """Home Office cost of the average violence or vulnerability incident averted.

    The tool is assumed to reduce each targeted category in proportion, so the
    incidents averted have the mix of the participants' incidents before the pilot.
    Each category is valued at its Home Office unit cost uprated to ``price_year``
    (vulnerability incidents have no published cost and count as £0, so the value is
    cautious).

    Returns
    -------
    (UnitCost, DataFrame)
        The mix-weighted cost per incident, and the table behind it (``category``,
        ``incidents``, ``share``, ``unit_cost``, ``line``).

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> cost, mix = averted_incident_value(panel, tables["incidents"], pilot_start="2025-04-01")
    >>> cost.unit, float(round(mix["share"].sum(), 6))
    ('incident', 1.0)
    """
    from ...data import PRICE_YEAR, unit_cost

    price_year = price_year or PRICE_YEAR
    participants = panel.loc[panel["first_treated"].notna(), "premises_id"].unique()
    before = incidents.loc[
        incidents["premises_id"].isin(participants)
        & (incidents["incident_date"] < pd.Timestamp(pilot_start))
        & incidents["category"].isin(list(UNIT_COST_LINES))
    ]
    counts = before["category"].value_counts().reindex(list(UNIT_COST_LINES), fill_value=0)
    if counts.sum() == 0:
        raise EstimationError(
            "averted_incident_value: participants had no violence or vulnerability incidents "
            "before the pilot, so the mix of incidents averted is unknown"
        )
    costs = {
        category: (unit_cost(line, price_year=price_year) if line else 0.0)
        for category, line in UNIT_COST_LINES.items()
    }
    mix = pd.DataFrame(
        {
            "category": counts.index,
            "incidents": counts.to_numpy(),
            "share": counts.to_numpy() / counts.sum(),
            "unit_cost": [costs[c] for c in counts.index],
            "line": [
                UNIT_COST_LINES[c] or "no published cost (valued at £0)" for c in counts.index
            ],
        }
    )
    value = float((mix["share"] * mix["unit_cost"]).sum())
    return (
        vfm.UnitCost(
            value,
            "incident",
            str(price_year),
            "Home Office economic and social costs of crime (2015/16 prices) by incident mix, "
            "uprated with the GDP deflator; vulnerability incidents at £0",
        ),
        mix,
    )


def pilot_value_for_money(
    estimate: Estimate,
    panel: pd.DataFrame,
    *,
    cost: float,
    value: vfm.UnitCost,
) -> vfm.ValueForMoney:
    """Value for money of the pilot: incidents averted at participating premises x unit cost.

    Incidents averted = the effect per participating premises-month x the
    participating premises-months observed (from each sign-up to the end of the panel),
    with the effect's interval carried through.

    Examples
    --------
    >>> est = Estimate(-0.1, -0.2, -0.01, 0.03, 100, "difference", "m", "e", se=0.05)
    >>> panel = pd.DataFrame({"premises_id": ["a"] * 3 + ["b"] * 3, "treated": [0, 1, 1, 1, 1, 1],
    ...                       "first_treated": pd.array([2] * 3 + [1] * 3, dtype="Int64")})
    >>> result = pilot_value_for_money(est, panel, cost=1000.0,
    ...                                value=vfm.UnitCost(5000.0, "incident", "2024/25", "HO"))
    >>> round(result.averted.point, 2)
    0.5
    """
    treated = panel.loc[panel["treated"] == 1]
    participants = int(treated["premises_id"].nunique())
    months_each = len(treated) / participants
    averted = vfm.outcomes_averted(
        estimate,
        participants,
        outcome="violence and vulnerability incidents",
        multiplier=months_each,
    )
    return vfm.value_for_money(
        cost=cost,
        participants=participants,
        averted=averted,
        unit_cost=value,
        label="lSaVI pilot",
        assumptions=(
            "The pilot's cost is a parameter to be confirmed: the online tool's licence, set-up "
            "and licensing officers' time.",
            f"Incidents averted are counted over the {months_each:.1f} months the average "
            "participant was signed up within the evaluation window; none after it.",
            "Each incident averted is valued at the Home Office cost of the crime it would have "
            "been; police-recorded incidents that were not crimes are over-valued by this.",
        ),
    )


# ----------------------------------------------------------------------------- reporting helpers
def selection_table(
    panel: pd.DataFrame,
    *,
    pilot_start: str | pd.Timestamp,
    outcome: str = "violence_vulnerability",
    quarters: bool = True,
) -> pd.DataFrame:
    """Incidents per premises-month before the pilot, by when (or whether) premises signed up.

    Shows selection into the pilot on risk: if participants, and the earliest of
    them most, had more incidents before anyone could sign up, a naive comparison
    is biased.

    Returns
    -------
    DataFrame
        One row per group (sign-up quarter of the pilot, or month, then "never"):
        ``group``, ``premises``, ``premises_months``, ``incidents``, ``rate`` (incidents
        per premises-month).

    Examples
    --------
    >>> panel = pd.DataFrame({"premises_id": ["a", "a", "b", "b"],
    ...                       "month": pd.to_datetime(["2025-01-01", "2025-05-01"] * 2),
    ...                       "cohort": pd.to_datetime(["2025-05-01"] * 2 + [None] * 2),
    ...                       "violence_vulnerability": [3, 0, 1, 1]})
    >>> selection_table(panel, pilot_start="2025-04-01")[["group", "rate"]].values.tolist()
    [['signed up in pilot quarter 1', 3.0], ['never signed up', 1.0]]
    """
    start = pd.Timestamp(pilot_start)
    before = panel.loc[panel["month"] < start]
    months_in = months_between(start, before["cohort"])
    if quarters:
        label = "signed up in pilot quarter " + (months_in // 3 + 1).astype("Int64").astype(str)
    else:
        label = "signed up in pilot month " + (months_in + 1).astype("Int64").astype(str)
    label = label.where(before["cohort"].notna(), "never signed up")
    grouped = before.groupby(label.to_numpy(), sort=False).agg(
        premises=("premises_id", "nunique"),
        premises_months=(outcome, "size"),
        incidents=(outcome, "sum"),
    )
    order = sorted(g for g in grouped.index if g != "never signed up") + ["never signed up"]
    grouped = grouped.reindex([g for g in order if g in grouped.index])
    grouped["rate"] = grouped["incidents"] / grouped["premises_months"]
    return grouped.rename_axis("group").reset_index()


def dynamic_window(estimate: Estimate, months: int) -> Estimate:
    """The estimate with its dynamic (event-time) effects cut to ``months`` either side.

    Long leads and lags rest on one or two cohorts and are too noisy to read;
    the overall effect is unchanged.

    Examples
    --------
    >>> dynamic = pd.DataFrame({"rel_time": range(-5, 6), "coef": 0.0, "se": 0.1,
    ...                         "ci_low": -0.2, "ci_high": 0.2})
    >>> est = Estimate(0.0, -0.2, 0.2, 1.0, 10, "difference", "m", "e",
    ...                details={"dynamic": dynamic})
    >>> dynamic_window(est, 2).details["dynamic"]["rel_time"].tolist()
    [-2, -1, 0, 1, 2]
    """
    if months < 1:
        raise ConfigError(f"the event-study window must be at least 1 month, got {months}")
    dynamic = estimate.details["dynamic"]
    kept = dynamic.loc[dynamic["rel_time"].between(-months, months)].reset_index(drop=True)
    return estimate.with_updates(details={**estimate.details, "dynamic": kept})


def planted_truth(
    truth: Mapping[str, float] | None,
    key: str,
    *,
    panel_start: str | pd.Timestamp,
    panel_end: str | pd.Timestamp,
    pilot_start: str | pd.Timestamp,
    score_threshold: float,
) -> float | None:
    """The synthetic world's truth for ``key``, if the analysis settings match its definition.

    The synthetic generator computes each truth for its own evaluation window,
    pilot start and score threshold (see :data:`analysis.synthetic.lsavi.TRUTH_DEFINITIONS`);
    an analysis run with other settings estimates something else, so no truth is
    shown rather than a misleading one.

    Examples
    --------
    >>> planted_truth({"att_theft": 0.0}, "att_theft", panel_start="2023-04-01",
    ...               panel_end="2026-06-01", pilot_start="2025-04-01", score_threshold=60)
    0.0
    >>> planted_truth({"att_theft": 0.0}, "att_theft", panel_start="2023-04-01",
    ...               panel_end="2026-05-01", pilot_start="2025-04-01", score_threshold=60) is None
    True
    """
    from ...synthetic import lsavi as world

    if not truth or key not in truth:
        return None
    generator_end = last_complete_month(world.EXTRACT_DATE, world.MAX_RECORDING_LAG_DAYS)
    matches = (
        pd.Timestamp(panel_start) <= world.PILOT_START
        and pd.Timestamp(panel_end) == generator_end
        and pd.Timestamp(pilot_start) == world.PILOT_START
        and float(score_threshold) == world.SCORE_THRESHOLD
    )
    if not matches:
        logger.info(
            "planted truth '%s' not shown: analysis settings differ from the generator's", key
        )
        return None
    return float(truth[key])
