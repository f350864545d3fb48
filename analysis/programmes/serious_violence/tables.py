"""Serious violence: analysis tables built from the loaded data, and the tables the report shows.

- :func:`quarterly_panel`: one offence's rate per 100,000 by force and quarter, Dorset and the
  forces without a Violence Reduction Unit (VRU), from the Home Office tidy table;
- :func:`admissions_panel`: one admissions indicator by force area and financial year, its
  local authorities summed;
- :func:`recording_ratio`: police-recorded violence with injury per hospital admission for
  assault, by year, Dorset against the comparison forces;
- :func:`lsoa_year_counts`, :func:`concentration`, :func:`hotspot_stability`: where violence
  concentrates and whether the hot spots stay hot;
- :func:`street_from_public`, :func:`admissions_from_public`: the public readers' frames made
  ready for the same tables;
- ``*_display``: the same, safe to publish (small counts suppressed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ...data.contracts.serious_violence import (
    STREET_CRIME_TYPES,
    VIOLENCE_CRIME_TYPE,
)
from ...errors import DataValidationError, EstimationError, Problem
from ...evidence.disclosure import suppress

#: The force the programme evaluates.
DORSET = "Dorset"


def quarter_start(financial_year: pd.Series, financial_quarter: pd.Series) -> pd.Series:
    """First day of a financial quarter: ``("2023/24", 1)`` is 1 April 2023.

    Examples
    --------
    >>> quarter_start(pd.Series(["2022/23", "2023/24"]), pd.Series([4, 1])).dt.date.tolist()
    [datetime.date(2023, 1, 1), datetime.date(2023, 4, 1)]
    """
    start_year = financial_year.astype(str).str[:4].astype(int)
    quarter = financial_quarter.astype(int)
    month = (quarter - 1) * 3 + 4
    year = start_year + (month > 12)
    month = np.where(month > 12, month - 12, month)
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))


def comparison_forces(areas: pd.DataFrame) -> list[str]:
    """Forces without a VRU, Dorset excluded: the comparison pool."""
    forces = areas[(areas["area_type"] == "force") & ~areas["has_vru"].astype(bool)]
    return sorted(set(forces["area_name"]) - {DORSET})


def quarterly_panel(recorded: pd.DataFrame, areas: pd.DataFrame, subgroup: str) -> pd.DataFrame:
    """One offence subgroup's offences and rate per 100,000 by force and quarter.

    Dorset and the forces without a VRU only; every force observed in every quarter (a force
    missing any quarter is left out of the pool, with its name in ``attrs["dropped"]``).

    Examples
    --------
    >>> recorded = pd.DataFrame({"financial_year": ["2023/24"] * 2, "financial_quarter": [1, 1],
    ...     "force_name": ["Dorset", "Wiltshire"], "offence_subgroup": ["Homicide"] * 2,
    ...     "number_of_offences": [2, 1]})
    >>> areas = pd.DataFrame({"area_type": ["force"] * 2, "area_name": ["Dorset", "Wiltshire"],
    ...     "has_vru": [False, False], "population": [800000, 700000]})
    >>> quarterly_panel(recorded, areas, "Homicide")["rate"].round(3).tolist()
    [0.25, 0.143]
    """
    pool = [DORSET, *comparison_forces(areas)]
    rows = recorded[
        (recorded["offence_subgroup"] == subgroup) & recorded["force_name"].isin(pool)
    ].copy()
    if rows.empty or DORSET not in set(rows["force_name"]):
        raise EstimationError(
            f"recorded_crime: no '{subgroup}' offences for {DORSET}; check the offence subgroup "
            "names in the Home Office table."
        )
    rows["quarter"] = quarter_start(rows["financial_year"], rows["financial_quarter"])
    panel = (
        rows.groupby(["force_name", "quarter"], as_index=False)["number_of_offences"]
        .sum()
        .rename(columns={"force_name": "force", "number_of_offences": "offences"})
    )
    quarters = panel["quarter"].nunique()
    complete = panel.groupby("force")["quarter"].nunique() == quarters
    dropped = sorted(complete.index[~complete])
    panel = panel[panel["force"].isin(complete.index[complete])]
    population = areas[areas["area_type"] == "force"].set_index("area_name")["population"]
    panel = panel.assign(population=panel["force"].map(population).astype(float))
    panel["rate"] = panel["offences"] / panel["population"] * 100_000
    panel = panel.sort_values(["force", "quarter"]).reset_index(drop=True)
    panel.attrs["dropped"] = dropped
    return panel


def admissions_panel(
    admissions: pd.DataFrame, areas: pd.DataFrame, indicator_id: int, age: str | None = None
) -> pd.DataFrame:
    """One admissions indicator by force area and financial year (local authorities summed).

    Years where any of a force's authorities has a suppressed (blank) count are dropped for
    that force; a force missing any year is left out of the pool (``attrs["dropped"]``).
    ``year`` is the first day of the financial year (1 April), for the time-series designs.
    """
    rows = admissions[admissions["indicator_id"] == indicator_id]
    if age is not None:
        rows = rows[rows["age"] == age]
    authorities = areas[areas["area_type"] == "local authority"]
    authorities = authorities[~authorities["has_vru"].astype(bool)]
    rows = rows.merge(
        authorities[["area_code", "force_name"]], on="area_code", how="inner", validate="m:1"
    )
    if rows.empty or DORSET not in set(rows["force_name"]):
        raise EstimationError(
            f"hospital_admissions: no rows of indicator {indicator_id} for Dorset's local "
            "authorities; check indicator_id and the area codes in comparison_areas."
        )
    rows = rows.assign(
        suppressed=rows["count"].isna(),
        start=rows["time_period"].astype(str).str[:4].astype(int),
    )
    panel = rows.groupby(["force_name", "start"], as_index=False).agg(
        admissions=("count", "sum"),
        population=("denominator", "sum"),
        suppressed=("suppressed", "any"),
    )
    panel = panel[~panel["suppressed"]].drop(columns="suppressed")
    years = panel["start"].nunique()
    complete = panel.groupby("force_name")["start"].nunique() == years
    panel = panel[panel["force_name"].isin(complete.index[complete])]
    panel = panel.rename(columns={"force_name": "force"})
    panel["year"] = pd.to_datetime(panel["start"].astype(str) + "-04-01")
    panel["rate"] = panel["admissions"] / panel["population"] * 100_000
    panel = panel.sort_values(["force", "year"]).reset_index(drop=True)
    panel.attrs["dropped"] = sorted(complete.index[~complete])
    return panel


def dorset_series(panel: pd.DataFrame) -> pd.DataFrame:
    """Dorset's rows of a force panel."""
    return panel[panel["force"] == DORSET].reset_index(drop=True)


def pooled_comparison_series(panel: pd.DataFrame, time: str) -> pd.DataFrame:
    """The comparison forces' counts and populations summed, one row per period."""
    others = panel[panel["force"] != DORSET]
    count = "offences" if "offences" in panel else "admissions"
    pooled = others.groupby(time, as_index=False)[[count, "population"]].sum()
    pooled["rate"] = pooled[count] / pooled["population"] * 100_000
    return pooled


def recording_ratio(
    violence: pd.DataFrame, assault_admissions: pd.DataFrame, first_year_after: int
) -> pd.DataFrame:
    """Police-recorded violence with injury per hospital admission for assault, by year.

    A change in police recording (an audit, a new crime system) moves the police count but
    not hospital admissions, so the log of their ratio, Dorset's minus the comparison
    forces', should not shift when only violence changes. One row per financial year
    present in both (complete years only): ``start, dorset, comparison, difference``
    (log ratios) and ``after``.
    """
    police = violence.assign(
        start=np.where(
            violence["quarter"].dt.month >= 4,
            violence["quarter"].dt.year,
            violence["quarter"].dt.year - 1,
        )
    )
    quarters = police.groupby(["force", "start"])["quarter"].nunique()
    full_years = quarters[quarters == 4].reset_index()[["force", "start"]]
    police = police.merge(full_years, on=["force", "start"])
    police_year = police.groupby(["force", "start"])["offences"].sum()
    hospital = assault_admissions.set_index(["force", "start"])["admissions"]
    joined = pd.concat({"police": police_year, "hospital": hospital}, axis=1, join="inner")
    joined = joined[joined["hospital"] > 0].reset_index()
    joined["is_dorset"] = joined["force"] == DORSET
    summed = joined.groupby(["start", "is_dorset"])[["police", "hospital"]].sum()
    log_ratio = np.log(summed["police"] / summed["hospital"]).unstack("is_dorset")
    table = pd.DataFrame(
        {"dorset": log_ratio.get(True), "comparison": log_ratio.get(False)}
    ).dropna()
    table["difference"] = table["dorset"] - table["comparison"]
    table = table.reset_index()
    table["after"] = table["start"] >= first_year_after
    return table


def street_from_public(street: pd.DataFrame) -> pd.DataFrame:
    """The police.uk reader's frame in the contract's shape: month as a date, types kept.

    Examples
    --------
    >>> frame = pd.DataFrame({"crime_id": ["a", None], "month": pd.PeriodIndex(
    ...     ["2024-01", "2024-01"], freq="M"), "falls_within": ["Dorset Police"] * 2,
    ...     "lsoa_code": ["E01", "E02"], "lsoa_name": ["x", "y"],
    ...     "crime_type": ["Violence and sexual offences", "Anti-social behaviour"]})
    >>> street_from_public(frame)["month"].dt.strftime("%Y-%m-%d").tolist()
    ['2024-01-01']
    """
    kept = street[street["crime_type"].astype(str).isin(STREET_CRIME_TYPES)].copy()
    month = kept["month"]
    if isinstance(month.dtype, pd.PeriodDtype):
        month = month.dt.to_timestamp()
    kept["month"] = pd.to_datetime(month)
    for column in ("lsoa_code", "lsoa_name", "crime_type", "falls_within"):
        kept[column] = kept[column].astype("string")
    return kept.reset_index(drop=True)


def admissions_from_public(indicators: pd.DataFrame, indicator_ids: list[int]) -> pd.DataFrame:
    """The indicator reader's frame, the programme's indicators and single financial years."""
    kept = indicators[indicators["indicator_id"].isin(indicator_ids)].copy()
    if kept.empty:
        raise DataValidationError(
            [
                Problem(
                    table="hospital_admissions",
                    source="fingertips_source",
                    column="indicator_id",
                    message=f"none of the indicators {indicator_ids} is in the export",
                    fix="export the sharp-object and assault admissions indicators, or set "
                    "their numbers in the parameters (sharp_object_indicator, ...)",
                )
            ],
            "serious_violence",
        )
    for column in ("area_code", "area_name", "area_type", "sex", "age", "time_period"):
        kept[column] = kept[column].astype("string")
    return kept.reset_index(drop=True)


def lsoa_year_counts(
    street: pd.DataFrame, lsoas: pd.DataFrame, crime_type: str = VIOLENCE_CRIME_TYPE
) -> pd.DataFrame:
    """Crimes of ``crime_type`` by LSOA and complete calendar year, zeros included.

    Rows: every LSOA of ``lsoas``; columns: each year with twelve months of data. Crimes
    that could not be located (no LSOA) are left out (police.uk publishes about 1% so).
    """
    crimes = street[(street["crime_type"] == crime_type) & street["lsoa_code"].notna()]
    crimes = crimes[crimes["lsoa_code"].isin(lsoas["lsoa_code"])]
    months = crimes.groupby(crimes["month"].dt.year)["month"].nunique()
    years = sorted(int(year) for year in months.index[months == 12])
    counts = (
        crimes[crimes["month"].dt.year.isin(years)]
        .groupby(["lsoa_code", crimes["month"].dt.year.rename("year")])
        .size()
        .unstack("year", fill_value=0)
        .reindex(index=lsoas["lsoa_code"], columns=years, fill_value=0)
    )
    counts.columns = [int(c) for c in counts.columns]
    return counts


def top_areas(counts: pd.Series, share: float) -> pd.Index:
    """The ``share`` of areas with the most crimes (at least one area; ties by order)."""
    n = max(int(round(share * len(counts))), 1)
    order = np.argsort(-counts.to_numpy(), kind="stable")
    return counts.index[order[:n]]


def concentration(counts: pd.DataFrame, share: float) -> pd.DataFrame:
    """Each year's share of violence in the top ``share`` of LSOAs that year.

    Examples
    --------
    >>> counts = pd.DataFrame({2022: [10, 0, 0, 0], 2023: [5, 5, 0, 0]}, index=list("abcd"))
    >>> concentration(counts, 0.25)["top_share"].tolist()
    [1.0, 0.5]
    """
    rows = []
    for year in counts.columns:
        top = top_areas(counts[year], share)
        total = counts[year].sum()
        rows.append(
            {
                "year": year,
                "crimes": int(total),
                "top_areas": len(top),
                "top_share": float(counts.loc[top, year].sum() / total) if total else np.nan,
            }
        )
    return pd.DataFrame(rows)


def hotspot_stability(counts: pd.DataFrame, share: float) -> pd.DataFrame:
    """Year on year: rank correlation of LSOA counts and overlap of the top sets.

    ``overlap`` is the share of one year's top areas still in the top the next year (1:
    the same places; about ``share``: no more than chance).
    """
    rows = []
    for first, second in zip(counts.columns[:-1], counts.columns[1:], strict=True):
        rho = stats.spearmanr(counts[first], counts[second]).statistic
        top_first, top_second = top_areas(counts[first], share), top_areas(counts[second], share)
        rows.append(
            {
                "years": f"{first} to {second}",
                "rank_correlation": float(rho),
                "overlap": len(top_first.intersection(top_second)) / len(top_first),
            }
        )
    return pd.DataFrame(rows)


def concentration_display(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`concentration` as published: shares in per cent, small counts suppressed."""
    shown = table.set_index("year")[["crimes", "top_areas"]]
    published = suppress(shown, columns=["crimes"], threshold=threshold)
    published["share in top areas (%)"] = (table.set_index("year")["top_share"] * 100).round(1)
    return published


def annual_counts_display(panel: pd.DataFrame, count: str, threshold: int) -> pd.DataFrame:
    """Dorset's counts by complete financial year from a force panel, small counts suppressed.

    Examples
    --------
    >>> panel = pd.DataFrame({"force": ["Dorset"] * 4, "offences": [3, 4, 5, 6],
    ...     "quarter": pd.to_datetime(["2023-04-01", "2023-07-01", "2023-10-01", "2024-01-01"])})
    >>> annual_counts_display(panel, "offences", 10).to_dict()
    {'offences': {'2023/24': 18}}
    """
    dorset = dorset_series(panel)
    if "quarter" in dorset:
        month, year = dorset["quarter"].dt.month, dorset["quarter"].dt.year
        start = pd.Series(np.where(month >= 4, year, year - 1), index=dorset.index)
        quarters = start.map(start.value_counts())
        dorset, start = dorset[quarters == 4], start[quarters == 4]
    else:
        start = dorset["start"]
    label = start.map(lambda value: f"{value}/{(value + 1) % 100:02d}").rename("financial year")
    by_year = dorset.groupby(label)[count].sum()
    return suppress(by_year.to_frame(count), columns=[count], threshold=threshold)
