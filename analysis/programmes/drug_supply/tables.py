"""Operation Viper and Operation Scorpion: the analysis tables built from the loaded data.

- what the operations did: :func:`monthly_outputs`, :func:`phase_outputs` and the run
  chart rules (:func:`run_chart`);
- Scorpion's surges: :func:`surges` (each round's week and targeted neighbourhoods),
  :func:`weekly_panel` (neighbourhood-by-week counts from the force's dated extract),
  :func:`rings` (target, buffer and control LSOAs) and :func:`displacement_counts`;
- Viper against other forces: :func:`force_month_panel` (police.uk monthly counts by force)
  and :func:`police_uk_counts` (the same from the published street-level files).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...data.contracts.drug_supply import ACQUISITIVE, ACTIVITY_COUNTS, VIOLENCE
from ...errors import DataValidationError, Problem
from ...evidence.disclosure import suppress

#: Crime groups the designs use, as police.uk categories.
GROUPS: dict[str, tuple[str, ...]] = {
    "harms": (VIOLENCE, *ACQUISITIVE),
    "violence": (VIOLENCE,),
    "acquisitive": ACQUISITIVE,
    "weapons": ("Possession of weapons",),
    "drugs": ("Drugs",),
    "criminal_damage": ("Criminal damage and arson",),
}

#: Outputs shown over time (columns of the operations log) and their labels.
OUTPUTS = {
    "warrants": "Warrants",
    "arrests": "Arrests",
    "charges": "Charges",
    "lines_closed": "County lines closed",
    "weapons": "Weapons seized",
    "safeguarding_referrals": "Safeguarding referrals",
    "nrm_referrals": "NRM referrals",
}

#: Consecutive points on one side of the median that make a shift (run chart rule).
SHIFT_POINTS = 6
#: Consecutive rises or falls that make a trend (run chart rule).
TREND_POINTS = 5


def _month_start(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.dt.start_time
    return pd.to_datetime(values).dt.to_period("M").dt.start_time


def monthly_outputs(operations: pd.DataFrame, *, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each month's outputs of both operations, months with no activity as zeros.

    Examples
    --------
    >>> log = pd.DataFrame({"start_date": pd.to_datetime(["2024-01-03", "2024-03-09"]),
    ...                     **{c: [1, 2] for c in ACTIVITY_COUNTS}})
    >>> monthly_outputs(log)["arrests"].tolist()
    [1, 0, 2]
    """
    frame = operations.assign(
        month=_month_start(operations["start_date"]),
        lines_closed=operations["lines_closed_holder_charged"]
        + operations["lines_closed_phone_deactivated"],
    )
    counts = frame.groupby("month")[list(OUTPUTS)].sum()
    last = end if end is not None else counts.index.max()
    months = pd.date_range(counts.index.min(), last, freq="MS")
    return counts.reindex(months, fill_value=0).rename_axis("month")


def phase_outputs(operations: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Outputs and seizures by operation phase, as published (small counts suppressed)."""
    columns = [*ACTIVITY_COUNTS, "cocaine_kg", "heroin_kg", "cannabis_kg", "cash_gbp"]
    table = operations.groupby(["operation", "phase"], observed=True)[columns].sum()
    table.insert(0, "activities", operations.groupby(["operation", "phase"], observed=True).size())
    counts = ["activities", *ACTIVITY_COUNTS]
    table[["cocaine_kg", "heroin_kg", "cannabis_kg"]] = table[
        ["cocaine_kg", "heroin_kg", "cannabis_kg"]
    ].round(2)
    table["cash_gbp"] = table["cash_gbp"].round(-2)
    shown = suppress(table, columns=counts, threshold=threshold)
    return shown.rename(columns=PHASE_LABELS).rename_axis(["Operation", "Phase"])


#: Column headings of the phase table.
PHASE_LABELS = {
    "activities": "Activities",
    "warrants": "Warrants",
    "arrests": "Arrests",
    "charges": "Charges",
    "cannabis_plants": "Cannabis plants",
    "weapons": "Weapons",
    "firearms": "Firearms",
    "lines_closed_holder_charged": "Lines closed: holder charged",
    "lines_closed_phone_deactivated": "Lines closed: phone deactivated",
    "safeguarding_referrals": "Safeguarding referrals",
    "nrm_referrals": "NRM referrals",
    "cocaine_kg": "Cocaine (kg)",
    "heroin_kg": "Heroin (kg)",
    "cannabis_kg": "Cannabis (kg)",
    "cash_gbp": "Cash (£)",
}


def run_chart(values: pd.Series) -> pd.DataFrame:
    """A run chart's median and rules: shifts and trends that signal non-random change.

    A *shift* is :data:`SHIFT_POINTS` or more consecutive points on one side of the median
    (points on the median neither break nor extend it); a *trend* is :data:`TREND_POINTS`
    or more consecutive rises or falls (repeated values neither break nor extend it)
    (Perla, Provost and Murray 2011, "The run chart", *BMJ Quality & Safety*).

    Returns
    -------
    DataFrame
        ``value``, ``median``, ``shift`` (bool: the point is part of a shift) and ``trend``
        (bool: part of a trend), indexed as ``values``.

    Examples
    --------
    >>> chart = run_chart(pd.Series([5, 5, 5, 5, 5, 5, 9, 9, 9, 9, 9, 9, 9]))
    >>> int(chart["shift"].sum()), float(chart["median"].iloc[0])  # the six 5s; 9s sit on it
    (6, 9.0)
    """
    data = values.astype(float)
    median = float(data.median())
    side = np.sign(data.to_numpy() - median)
    shift = np.zeros(len(data), dtype=bool)
    run: list[int] = []
    current = 0.0
    for i, s in enumerate(side):
        if s == 0:
            continue
        if s != current:
            if len(run) >= SHIFT_POINTS:
                shift[run] = True
            run, current = [], s
        run.append(i)
    if len(run) >= SHIFT_POINTS:
        shift[run] = True
    trend = np.zeros(len(data), dtype=bool)
    step = np.sign(np.diff(data.to_numpy()))
    run, current = [0], 0.0
    for i, s in enumerate(step, start=1):
        if s == 0:
            continue
        if s != current:
            if len(run) >= TREND_POINTS:
                trend[run] = True
            run, current = [run[-1]], s
        run.append(i)
    if len(run) >= TREND_POINTS:
        trend[run] = True
    return pd.DataFrame(
        {"value": data, "median": median, "shift": shift, "trend": trend}, index=values.index
    )


def surges(operations: pd.DataFrame) -> pd.DataFrame:
    """Scorpion's rounds: the Monday of each surge week and the neighbourhoods it targeted.

    Examples
    --------
    >>> log = pd.DataFrame({"operation": ["Scorpion"] * 3, "phase": ["Scorpion 1"] * 3,
    ...                     "start_date": pd.to_datetime(["2024-03-12", "2024-03-14",
    ...                                                   "2024-03-13"]),
    ...                     "neighbourhood": ["Poole 1", "Poole 2", "Poole 1"]})
    >>> surges(log).to_dict("records")
    [{'phase': 'Scorpion 1', 'surge_week': Timestamp('2024-03-11 00:00:00'), 'neighbourhood': 'Poole 1'}, {'phase': 'Scorpion 1', 'surge_week': Timestamp('2024-03-11 00:00:00'), 'neighbourhood': 'Poole 2'}]
    """  # noqa: E501
    scorpion = operations[operations["operation"] == "Scorpion"]
    if scorpion.empty:
        raise DataValidationError(
            [
                Problem(
                    table="operations",
                    source="the loaded operations log",
                    column="operation",
                    message="no Scorpion activity in the operations log",
                    fix="the surge design needs the Scorpion rows of the log",
                )
            ]
        )
    first = scorpion.groupby("phase")["start_date"].transform("min")
    frame = scorpion.assign(surge_week=first - pd.to_timedelta(first.dt.day_of_week, unit="D"))
    return (
        frame[["phase", "surge_week", "neighbourhood"]]
        .drop_duplicates()
        .sort_values(["surge_week", "neighbourhood"])
        .reset_index(drop=True)
    )


def week_start(dates: pd.Series) -> pd.Series:
    """The Monday of each date's week."""
    dates = pd.to_datetime(dates).dt.normalize()
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def weekly_panel(
    crimes: pd.DataFrame,
    lsoas: pd.DataFrame,
    crime_types: Sequence[str],
    *,
    by: str = "neighbourhood",
) -> pd.DataFrame:
    """Counts of ``crime_types`` by ``by`` (neighbourhood or LSOA) and week, zeros filled.

    Only whole weeks inside the extract's first and last recorded dates are kept.
    """
    chosen = crimes[crimes["crime_type"].astype(str).isin(crime_types)]
    lookup = lsoas.set_index("lsoa_code")["neighbourhood"]
    weeks_all = week_start(crimes["recorded_date"])
    first = weeks_all.min() + pd.Timedelta(days=7 if crimes["recorded_date"].min().weekday() else 0)
    last_day = crimes["recorded_date"].max()
    last = week_start(pd.Series([last_day])).iloc[0]
    if last_day.weekday() != 6:
        last -= pd.Timedelta(days=7)
    frame = pd.DataFrame(
        {
            "week": week_start(chosen["recorded_date"]).to_numpy(),
            "unit": (
                chosen["lsoa_code"].map(lookup) if by == "neighbourhood" else chosen["lsoa_code"]
            ).to_numpy(),
        }
    )
    units = sorted(lookup.unique()) if by == "neighbourhood" else sorted(lsoas["lsoa_code"])
    weeks = pd.date_range(first, last, freq="7D")
    counts = frame.groupby(["unit", "week"]).size()
    index = pd.MultiIndex.from_product([units, weeks], names=[by, "week"])
    return counts.reindex(index, fill_value=0).rename("crimes").reset_index()


def _distances_km(lsoas: pd.DataFrame) -> np.ndarray:
    lat = np.radians(lsoas["latitude"].to_numpy(dtype=float))
    lon = np.radians(lsoas["longitude"].to_numpy(dtype=float))
    x = 6371.0 * lon * np.cos(lat.mean())
    y = 6371.0 * lat
    return np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])


def rings(lsoas: pd.DataFrame, targeted: Sequence[str], buffer_km: float) -> pd.Series:
    """Each LSOA's ring around the targeted neighbourhoods: target, buffer, gap or control.

    The buffer is every other LSOA whose centroid is within ``buffer_km`` of a targeted
    LSOA's centroid; the control, every LSOA beyond twice that (the gap between keeps
    displaced crime out of the control).
    """
    in_target = lsoas["neighbourhood"].isin(targeted).to_numpy()
    nearest = _distances_km(lsoas)[:, in_target].min(axis=1)
    ring = np.select(
        [in_target, nearest <= buffer_km, nearest > 2 * buffer_km],
        ["target", "buffer", "control"],
        default="gap",
    )
    return pd.Series(ring, index=lsoas["lsoa_code"].to_numpy(), name="ring")


def exposed_neighbourhoods(
    lsoas: pd.DataFrame, surge_table: pd.DataFrame, buffer_km: float
) -> dict[pd.Timestamp, set[str]]:
    """Per surge week, the untargeted neighbourhoods holding part of its buffer ring.

    They may receive displaced crime, so they are no clean controls for that surge.
    """
    exposed = {}
    for week, group in surge_table.groupby("surge_week"):
        ring = rings(lsoas, list(group["neighbourhood"]), buffer_km)
        buffer = lsoas.loc[ring.to_numpy() == "buffer", "neighbourhood"]
        exposed[week] = set(buffer) - set(group["neighbourhood"])
    return exposed


def displacement_counts(
    lsoa_weeks: pd.DataFrame,
    lsoas: pd.DataFrame,
    surge_table: pd.DataFrame,
    *,
    buffer_km: float,
    pre_weeks: int,
    selection_weeks: int,
    post_weeks: int,
) -> pd.DataFrame:
    """Harms in target, buffer and control rings before and after each surge, and pooled.

    Before: weeks ``-pre_weeks`` to ``-selection_weeks - 1``; after: weeks 0 to
    ``post_weeks - 1``. The last row (``"all rounds"``) sums the rounds.
    """
    rows = []
    for (phase, week), group in surge_table.groupby(["phase", "surge_week"]):
        ring = rings(lsoas, list(group["neighbourhood"]), buffer_km)
        frame = lsoa_weeks.assign(ring=lsoa_weeks["lsoa_code"].map(ring))
        offset = (frame["week"] - week).dt.days // 7
        frame["period"] = np.select(
            [offset.between(-pre_weeks, -selection_weeks - 1), offset.between(0, post_weeks - 1)],
            ["before", "after"],
            default="",
        )
        kept = frame[(frame["period"] != "") & frame["ring"].isin(RINGS)]
        sums = kept.groupby(["ring", "period"])["crimes"].sum()
        rows.append(
            {
                "phase": phase,
                "surge_week": week,
                **{f"{r}_{p}": int(sums.get((r, p), 0)) for r in RINGS for p in PERIODS},
            }
        )
    table = pd.DataFrame(rows)
    total = table.drop(columns=["phase", "surge_week"]).sum()
    table.loc[len(table)] = {"phase": "all rounds", "surge_week": pd.NaT, **total.to_dict()}
    return table.set_index("phase")


#: Rings and periods of the displacement counts.
RINGS = ("target", "buffer", "control")
PERIODS = ("before", "after")


def police_uk_counts(street: pd.DataFrame, force_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contract's two police.uk tables from :func:`~analysis.data.public.read_street` rows.

    Returns ``street_counts`` (``force_name``'s crimes by LSOA, month and type) and
    ``force_counts`` (every other force by month and type). Anti-social behaviour is kept
    as published; the designs choose their categories.
    """
    frame = street.assign(
        month=_month_start(street["month"]),
        crime_type=street["crime_type"].astype(str),
        falls_within=street["falls_within"].astype(str),
    )
    home = frame["falls_within"] == force_name
    if not home.any():
        forces = sorted(frame["falls_within"].unique())[:8]
        raise DataValidationError(
            [
                Problem(
                    table="street",
                    source="police_uk_source",
                    column="Falls within",
                    message=f"no rows for {force_name!r}; forces in the files: {forces}",
                    fix="set force_name to the force as police.uk's Falls within names it",
                )
            ]
        )
    street_counts = (
        frame[home]
        .groupby(["lsoa_code", "month", "crime_type"], dropna=False)
        .size()
        .rename("crimes")
        .reset_index()
    )
    force_counts = (
        frame[~home]
        .groupby(["falls_within", "month", "crime_type"])
        .size()
        .rename("crimes")
        .reset_index()
    )
    return street_counts, force_counts


def force_month_panel(
    street_counts: pd.DataFrame,
    force_counts: pd.DataFrame,
    crime_types: Sequence[str],
    *,
    force_name: str,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Monthly counts of ``crime_types`` by force: the home force and every comparison force.

    A comparison force missing any month of the window is left out (a synthetic control
    needs every donor in every month); zero-count months are kept as zeros.
    """
    home = street_counts.assign(falls_within=force_name)
    frame = pd.concat(
        [
            home[["falls_within", "month", "crime_type", "crimes"]],
            force_counts[["falls_within", "month", "crime_type", "crimes"]],
        ],
        ignore_index=True,
    )
    frame["month"] = _month_start(frame["month"])
    frame = frame[frame["crime_type"].astype(str).isin(crime_types)]
    if start is not None:
        frame = frame[frame["month"] >= start]
    if end is not None:
        frame = frame[frame["month"] <= end]
    panel = frame.groupby(["falls_within", "month"])["crimes"].sum().unstack("month")
    panel = panel.reindex(
        columns=pd.date_range(panel.columns.min(), panel.columns.max(), freq="MS")
    )
    home_row = panel.loc[[force_name]].fillna(0)
    others = panel.drop(index=force_name).dropna()
    panel = pd.concat([home_row, others])
    return panel.stack().rename("crimes").rename_axis(["force", "month"]).reset_index()
