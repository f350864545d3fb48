"""Combating Drugs Partnership: the analysis and display tables built from the indicators.

The indicators arrive either as the contract's ``indicators`` table (synthetic data or a
prepared extract) or as a Fingertips CSV export read by
:func:`analysis.data.public.read_indicators` (:func:`published_indicators`); both have the
same tidy columns, so every function here takes either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...data.contracts.combating_drugs import INDICATOR_IDS, INDICATOR_NAMES
from ...errors import ConfigError, DataValidationError, Problem
from ...evidence.disclosure import suppress

#: The tidy columns the programme reads (the contract's and the reader's names).
INDICATOR_COLUMNS = (
    "indicator_id", "indicator_name", "area_code", "area_name", "area_type", "sex", "age",
    "time_period", "value", "lower_ci_95", "upper_ci_95", "count", "denominator", "value_note",
)  # fmt: skip

#: Label of the partnership's combined series (its two authorities summed).
PARTNERSHIP = "Dorset partnership"

_FINANCIAL = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*$")
_POOLED = re.compile(r"^\s*(\d{4})\s*-\s*(\d{2})\s*$")


def published_indicators(source: str | Sequence[str]) -> pd.DataFrame:
    """The programme's indicators from Fingertips CSV exports, in the contract's tidy columns.

    Reads with :func:`analysis.data.public.read_indicators` (which refuses a file that is
    not in the published layout, naming the column and the fix), keeps the indicators of
    :data:`~analysis.data.contracts.combating_drugs.INDICATOR_IDS` for persons, and checks
    that one row remains per indicator, area and period.

    Parameters
    ----------
    source : str or list of str
        A CSV export, a folder of them, or a list of files.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`INDICATOR_COLUMNS` (``value_note`` empty when the export has
        none).

    Raises
    ------
    DataValidationError
        The reader's, for a file not in the published layout; or when an indicator the
        programme needs is missing, or an indicator, area and period appears twice.
    """
    from ...data.public import read_indicators

    frame = read_indicators(source, indicators=INDICATOR_IDS.values())
    if "value_note" not in frame:
        frame["value_note"] = pd.NA
    frame = frame[frame["sex"].astype(str) == "Persons"]
    frame = frame[list(INDICATOR_COLUMNS)].copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["indicator_id"] = frame["indicator_id"].astype("int64")
    label = source if isinstance(source, str) else ", ".join(map(str, source))
    missing = sorted(set(INDICATOR_IDS.values()) - set(frame["indicator_id"]))
    problems = []
    if missing:
        names = [INDICATOR_NAMES[k] for k, v in INDICATOR_IDS.items() if v in missing]
        problems.append(
            Problem(
                "indicators",
                str(label),
                "Indicator ID",
                f"has no rows for indicator(s) {missing} ({'; '.join(names)})",
                fix="export every indicator the programme reads (see INDICATOR_IDS in "
                "analysis/data/contracts/combating_drugs.py) for all upper-tier authorities",
            )
        )
    twice = frame.duplicated(["indicator_id", "area_code", "time_period"], keep=False)
    if twice.any():
        shown = frame.loc[twice, ["indicator_id", "area_code", "time_period"]].head(3)
        problems.append(
            Problem(
                "indicators",
                str(label),
                "Time period",
                f"repeats an indicator, area and period for persons ({shown.to_dict('records')})",
                fix="export one age band per indicator (the one the profile publishes)",
            )
        )
    if problems:
        raise DataValidationError(problems, programme="combating_drugs")
    return frame.reset_index(drop=True)


def period_start(period: str) -> pd.Timestamp:
    """The first day of a published period (a financial year's April, pooled years' January).

    Examples
    --------
    >>> period_start("2022/23"), period_start("2020 - 22")
    (Timestamp('2022-04-01 00:00:00'), Timestamp('2020-01-01 00:00:00'))
    """
    text = str(period)
    found = _FINANCIAL.match(text)
    if found:
        return pd.Timestamp(int(found.group(1)), 4, 1)
    found = _POOLED.match(text)
    if found:
        return pd.Timestamp(int(found.group(1)), 1, 1)
    raise ConfigError(
        f"time period {period!r} is neither a financial year ('2022/23') nor pooled calendar "
        "years ('2020 - 22'): the programme reads the periods the outcomes framework publishes"
    )


def indicator_rows(
    indicators: pd.DataFrame, key: str, codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """One indicator's rows (optionally for some areas), with ``start``: the period's first day.

    Raises a :class:`~analysis.errors.ConfigError` naming the indicator when it has no rows.
    """
    if key not in INDICATOR_IDS:
        raise ConfigError(f"unknown indicator {key!r}; choose one of: {', '.join(INDICATOR_IDS)}")
    rows = indicators[indicators["indicator_id"] == INDICATOR_IDS[key]]
    if codes is not None:
        rows = rows[rows["area_code"].isin(list(codes))]
    if rows.empty:
        raise ConfigError(
            f"no rows for indicator {INDICATOR_IDS[key]} ({INDICATOR_NAMES[key]})"
            + ("" if codes is None else f" in areas {list(codes)}")
        )
    rows = rows.copy()
    rows["start"] = rows["time_period"].map(period_start)
    return rows.sort_values(["area_code", "start"]).reset_index(drop=True)


def partnership_series(indicators: pd.DataFrame, key: str, codes: Sequence[str]) -> pd.DataFrame:
    """The partnership's two authorities summed, one row per period: count, denominator, value.

    ``value`` is the combined count per denominator (a rate or a proportion, not scaled);
    periods missing for either authority are left out.
    """
    rows = indicator_rows(indicators, key, codes).dropna(subset=["count", "denominator"])
    grouped = rows.groupby(["time_period", "start"], as_index=False).agg(
        count=("count", "sum"), denominator=("denominator", "sum"), areas=("area_code", "nunique")
    )
    grouped = grouped[grouped["areas"] == len(set(codes))].drop(columns="areas")
    grouped["value"] = grouped["count"] / grouped["denominator"]
    return grouped.sort_values("start").reset_index(drop=True)


def comparison_panel(
    indicators: pd.DataFrame, key: str, partnership: Sequence[str], comparators: Sequence[str]
) -> pd.DataFrame:
    """Series for a comparative time series: the partnership (summed) and each comparator.

    Columns ``series, time, count, denominator``; only periods every series has, and only
    comparators with a count in every one of them.
    """
    own = partnership_series(indicators, key, partnership).assign(series=PARTNERSHIP)
    rows = indicator_rows(indicators, key, comparators).dropna(subset=["count", "denominator"])
    rows = rows[rows["denominator"] > 0]
    others = rows.assign(series=rows["area_name"].astype(str))
    panel = pd.concat(
        [own[["series", "start", "count", "denominator"]],
         others[["series", "start", "count", "denominator"]]],
        ignore_index=True,
    ).rename(columns={"start": "time"})  # fmt: skip
    periods = set(own["start"])
    complete = panel[panel["time"].isin(periods)].groupby("series")["time"].nunique()
    keep = complete[complete == len(periods)].index
    panel = panel[panel["series"].isin(keep) & panel["time"].isin(periods)]
    return panel.sort_values(["series", "time"]).reset_index(drop=True)


def latest_areas(indicators: pd.DataFrame, key: str, period: str | None = None) -> pd.DataFrame:
    """Every area's count and denominator in one period (default: the latest), for a funnel."""
    rows = indicator_rows(indicators, key).dropna(subset=["count", "denominator"])
    rows = rows[rows["denominator"] > 0]
    period = period or rows.loc[rows["start"].idxmax(), "time_period"]
    table = rows[rows["time_period"] == period]
    return table[["area_code", "area_name", "time_period", "count", "denominator"]].reset_index(
        drop=True
    )


def monthly_offending(offending: pd.DataFrame, groups: Iterable[str] | None = None) -> pd.DataFrame:
    """Offences by month over the partnership's authorities (optionally some offence groups)."""
    rows = offending if groups is None else offending[offending["offence_group"].isin(list(groups))]
    monthly = rows.groupby("month", as_index=False)["offences"].sum()
    return monthly.sort_values("month").reset_index(drop=True)


@dataclass(frozen=True)
class Target:
    """A partnership target: an indicator's count (or percentage) in an area and period."""

    indicator: str
    area_code: str
    period: str
    value: float


def parse_targets(spec: str) -> list[Target]:
    """Targets written ``indicator@area_code@period:value``, separated by semicolons.

    Examples
    --------
    >>> parse_targets("adults_in_treatment@E06000058@2024/25:1600")[0].value
    1600.0
    """
    targets = []
    for part in filter(None, (p.strip() for p in str(spec).split(";"))):
        found = re.fullmatch(r"(\w+)@(\w+)@([^:]+):\s*([0-9.]+)", part)
        if not found or found.group(1) not in INDICATOR_IDS:
            raise ConfigError(
                f"target {part!r} is not 'indicator@area_code@period:value' with an indicator "
                f"among {', '.join(INDICATOR_IDS)} (e.g. adults_in_treatment@E06000058@2024/25"
                ":1600)"
            )
        targets.append(
            Target(found.group(1), found.group(2), found.group(3).strip(), float(found.group(4)))
        )
    return targets


def series_display(series: pd.DataFrame, *, per: float, threshold: int) -> pd.DataFrame:
    """A partnership series as published: period, count (small ones suppressed), value."""
    table = pd.DataFrame(
        {
            "period": series["time_period"].to_numpy(),
            "count": series["count"].round().astype("Int64").to_numpy(),
            "value": (series["value"] * per).round(2).to_numpy(),
        }
    ).set_index("period")
    return suppress(table, columns=["count"], threshold=threshold)


def area_label(codes: Sequence[str], indicators: pd.DataFrame) -> dict[str, str]:
    """Area code -> name, from the indicators."""
    names = indicators.drop_duplicates("area_code").set_index("area_code")["area_name"]
    return {code: str(names.get(code, code)) for code in codes}


def finite(values: Iterable[float]) -> bool:
    """Whether every value is a finite number."""
    return bool(np.all(np.isfinite(np.asarray(list(values), dtype=float))))


def chart_display(chart: pd.DataFrame, *, per: float, threshold: int, monthly: bool = False):
    """A control chart as a table: each period's value, centre line, limits and signal.

    Counts below ``threshold`` are suppressed; values are multiplied by ``per`` (1,000 for a
    rate per 1,000, 100 for a percentage).
    """
    time = pd.to_datetime(chart["time"])
    labels = (
        time.dt.strftime("%b %Y")
        if monthly
        else time.dt.year.map(lambda y: f"{y}/{(y + 1) % 100:02d}")
    )
    table = pd.DataFrame(
        {
            "period": labels.to_numpy(),
            "count": chart["observed"].round().astype("Int64").to_numpy(),
            "value": (chart["value"] * per).round(3).to_numpy(),
            "centre": (chart["centre"] * per).round(3).to_numpy(),
            "lower limit": (chart["lower"] * per).round(3).to_numpy(),
            "upper limit": (chart["upper"] * per).round(3).to_numpy(),
            "baseline": np.where(chart["baseline"], "yes", ""),
            "signal": chart["signal"].to_numpy(),
        }
    ).set_index("period")
    return suppress(table, columns=["count"], threshold=threshold)
