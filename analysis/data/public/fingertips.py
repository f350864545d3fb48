"""Public health indicator exports (Fingertips), read in their published layout.

The public health profiles (fingertips.phe.org.uk, now run by the Office for Health
Improvement and Disparities) export an indicator's data as CSV: one row per indicator, area,
sex, age, category and time period, with the value, its 95% and 99.8% confidence limits,
the count and the denominator. :func:`read_indicators` reads one or more such files and
returns the columns of :data:`INDICATORS` under tidy names.

What the real exports do, and what the reader does about it:

- the column comparing each area with its parent is worded after the parent area type and
  changed between releases (``Compared to Region value or percentiles``, ``Compared to
  Counties & UAs (from Apr 2021) value or percentiles``, ...), and some exports have
  ``Column not used`` in its place: both are dropped (``compared_to_england`` is kept);
- later releases added ``Time period Sortable``, ``New data``, ``Compared to goal`` and
  ``Time period range``: read when present, missing otherwise;
- the R package fingertipsR writes the same columns without spaces (``IndicatorID``,
  ``LowerCI95.0limit``, ``Timeperiod``): accepted, as is a byte-order mark;
- suppressed or unavailable values are empty, with the reason in ``Value note``: they are
  missing values, never zeros;
- an area can appear once per area type it belongs to (a unitary authority is both a
  district and a county): the key of a row includes ``area_type``.

A header close to a published one but not equal to it is rejected with the closest expected
name; values that are not numbers, and confidence limits that do not contain the value, are
reported with their spreadsheet rows. :func:`validate_indicators` returns those problems as a
list; :func:`read_indicators` raises them as a :class:`~analysis.errors.DataValidationError`.

Examples
--------
>>> from analysis.paths import PROJ_ROOT
>>> export = PROJ_ROOT / "tests" / "data" / "public" / "fingertips" / "indicators.csv"
>>> indicators = read_indicators(export, areas=["E06000058"])
>>> indicators[["area_code", "time_period", "value", "lower_ci_95", "upper_ci_95"]]
   area_code      time_period  value  lower_ci_95  upper_ci_95
0  E06000058  2019/20 - 21/22   44.6         40.9         48.5
1  E06000058  2020/21 - 22/23   47.1         43.3         51.2
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ...errors import DataValidationError, Problem
from ..loaders import display_path
from .layout import Column, Layout, read_layout_csv, spreadsheet_rows, stack

_FIX = (
    "Export the indicator again from the public health profiles (fingertips.phe.org.uk: "
    "Download, 'Export table as CSV file') and read it as downloaded."
)

#: The Fingertips CSV export layout, as published (optional columns marked).
INDICATORS = Layout(
    title="Fingertips indicator export",
    columns=(
        Column("indicator_id", "Indicator ID", "Int64", "The indicator's Fingertips number."),
        Column("indicator_name", "Indicator Name", "category", "The indicator's name."),
        Column("parent_code", "Parent Code", "category", "The parent area's code.", False),
        Column("parent_name", "Parent Name", "category", "The parent area's name.", False),
        Column("area_code", "Area Code", "category", "The area's ONS code."),
        Column("area_name", "Area Name", "category", "The area's name."),
        Column("area_type", "Area Type", "category", "The area type (e.g. 'Counties & UAs')."),
        Column("sex", "Sex", "category", "The sex (Persons, Male or Female)."),
        Column("age", "Age", "category", "The age band (e.g. 'All ages')."),
        Column(
            "category_type",
            "Category Type",
            "category",
            "The breakdown (e.g. deprivation).",
            False,
        ),
        Column("category", "Category", "category", "The group within the breakdown.", False),
        Column("time_period", "Time period", "category", "The period as published."),
        Column("value", "Value", "float64", "The indicator's value."),
        Column("lower_ci_95", "Lower CI 95.0 limit", "float64", "The lower 95% confidence limit."),
        Column("upper_ci_95", "Upper CI 95.0 limit", "float64", "The upper 95% confidence limit."),
        Column(
            "lower_ci_99_8",
            "Lower CI 99.8 limit",
            "float64",
            "The lower 99.8% confidence limit.",
            False,
        ),
        Column(
            "upper_ci_99_8",
            "Upper CI 99.8 limit",
            "float64",
            "The upper 99.8% confidence limit.",
            False,
        ),
        Column("count", "Count", "float64", "The numerator (events counted)."),
        Column("denominator", "Denominator", "float64", "The population at risk."),
        Column("value_note", "Value note", "category", "The reason a value is missing.", False),
        Column("recent_trend", "Recent Trend", "category", "The published trend.", False),
        Column(
            "compared_to_england",
            "Compared to England value or percentiles",
            "category",
            "The published comparison with England.",
            False,
        ),
        Column(
            "time_period_sortable",
            "Time period Sortable",
            "Int64",
            "The period as a sortable number (YYYY0000 for a year).",
            False,
        ),
        Column("new_data", "New data", "category", "The flag marking new data.", False),
        Column(
            "compared_to_goal", "Compared to goal", "category", "The comparison with a goal.", False
        ),
        Column("time_period_range", "Time period range", "category", "The period's length.", False),
    ),
    ignored=(r"Compared\s*to\s*.+value\s*or\s*percentiles", r"Column\s*not\s*used"),
    fix=_FIX,
)

_NUMERIC = ("indicator_id", "value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8",
            "upper_ci_99_8", "count", "denominator", "time_period_sortable")  # fmt: skip
_NOT_NEGATIVE = ("count", "denominator")
_KEY = ("indicator_id", "area_code", "time_period")


def read_indicators(
    source: str | Path | Sequence[str | Path],
    *,
    indicators: Iterable[int] | None = None,
    areas: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read Fingertips indicator exports into one tidy table.

    Parameters
    ----------
    source : path or list of paths
        One or more CSV files exported from the public health profiles.
    indicators : list of int, optional
        Indicator IDs to keep.
    areas : list of str, optional
        Area codes to keep (``E06000058``).

    Returns
    -------
    pandas.DataFrame
        One row per indicator, area, sex, age, category and period, with the columns of
        :data:`INDICATORS` that the files have (required ones always).

    Raises
    ------
    DataValidationError
        Naming every file, column and row that does not follow the published layout.

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> export = PROJ_ROOT / "tests" / "data" / "public" / "fingertips" / "indicators.csv"
    >>> read_indicators(export)["value"].dtype
    dtype('float64')
    """
    frame, problems = _read(source, indicators=indicators, areas=areas)
    if problems:
        raise DataValidationError(problems, programme="Fingertips indicators")
    return frame


def validate_indicators(
    source: str | Path | Sequence[str | Path],
    *,
    indicators: Iterable[int] | None = None,
    areas: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem :func:`read_indicators` would raise, as a list (empty when all is well).

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> validate_indicators(PROJ_ROOT / "tests" / "data" / "public" / "fingertips")
    []
    """
    return _read(source, indicators=indicators, areas=areas)[1]


def _read(source, *, indicators, areas) -> tuple[pd.DataFrame | None, list[Problem]]:
    paths = [source] if isinstance(source, str | Path) else list(source)
    files: list[Path] = []
    problems: list[Problem] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.csv")))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                Problem("indicators", display_path(path), None, "does not exist", fix=_FIX)
            )
    if not files and not problems:
        problems.append(Problem("indicators", str(source), None, "holds no CSV files", fix=_FIX))
    frames = []
    for path in files:
        label = display_path(path)
        frame, file_problems = read_layout_csv(
            lambda path=path: path.open("rb"), INDICATORS, source=label, table="indicators"
        )
        if frame is not None:
            frame, file_problems = _convert(frame, label)
        problems.extend(file_problems)
        if frame is not None:
            frames.append(frame)
    if problems:
        return None, problems
    combined = stack(frames, INDICATORS)
    keep = pd.Series(True, index=combined.index)
    if indicators is not None:
        keep &= combined["indicator_id"].isin([int(i) for i in indicators])
    if areas is not None:
        keep &= combined["area_code"].isin(list(areas))
    combined = combined.loc[keep].reset_index(drop=True)
    for name in combined.columns:
        if INDICATORS.column(name).dtype == "category":
            combined[name] = combined[name].cat.remove_unused_categories()
    return combined, []


def _convert(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    def problem(column: str, message: str, fix: str, index) -> Problem:
        rows, n_rows = spreadsheet_rows(index)
        header = INDICATORS.column(column).header
        return Problem("indicators", label, header, message, rows=rows, fix=fix, n_rows=n_rows)

    problems = []
    for name in _KEY:
        empty = frame.index[frame[name].isna()]
        if len(empty):
            problems.append(
                problem(name, "is empty", "every row names its indicator, area and period", empty)
            )
    for name in _NUMERIC:
        if name not in frame:
            continue
        numbers = pd.to_numeric(frame[name], errors="coerce")
        bad = frame.index[numbers.isna() & frame[name].notna()]
        if len(bad):
            problems.append(
                problem(
                    name,
                    "has values that are not numbers",
                    "leave a suppressed or missing value empty (its reason goes in Value note)",
                    bad,
                )
            )
        dtype = INDICATORS.column(name).dtype
        if dtype == "Int64":
            whole = numbers.notna() & (numbers != numbers.round())
            if whole.any():
                problems.append(
                    problem(name, "has values that are not whole numbers",
                            "use the file as exported", frame.index[whole])
                )  # fmt: skip
                continue
        frame[name] = numbers.astype(dtype)
    if problems:
        return None, problems
    for name in _NOT_NEGATIVE:
        negative = frame.index[frame[name] < 0]
        if len(negative):
            problems.append(
                problem(name, "has negative values", "counts cannot be negative", negative)
            )
    # Limits that exclude their own value mean columns were shifted or mislabelled.
    tolerance = 1e-9 * frame["value"].abs().clip(lower=1)
    outside = frame.index[
        (frame["lower_ci_95"] > frame["value"] + tolerance)
        | (frame["upper_ci_95"] < frame["value"] - tolerance)
    ]
    if len(outside):
        problems.append(
            problem(
                "value",
                "lies outside its 95% confidence limits",
                "check Value, Lower CI 95.0 limit and Upper CI 95.0 limit were not shifted or "
                "swapped when the file was edited",
                outside,
            )
        )
    return (None, problems) if problems else (frame, [])
