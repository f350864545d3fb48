"""Turning the raw cells of an extract into the types a contract declares.

Extracts arrive as text (CSV), as spreadsheet cells (Excel: numbers, dates,
booleans, text) or as database values. Every column is converted by its
contract kind, and every cell that cannot be converted is reported, never
guessed: a value that does not parse becomes missing *and* is listed as a
problem with its rows.

Dates are read day-first, as UK extracts write them: ``DD/MM/YYYY`` (also
with ``-`` or ``.``), ``YYYY-MM-DD`` (ISO, optionally with a time), and
``1 Mar 2024``. A time of day, if present, is dropped: contract dates are
calendar dates. Two-digit years are refused rather than guessed, and
month-first (US) dates are recognised where they cannot be day-first and
reported as such.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .schema import Column

#: Cell contents read as blank (compared case-insensitively, after trimming spaces).
#: "None" is deliberately absent: it is a real category value in some contracts.
BLANK_MARKERS = frozenset({"", "na", "n/a", "#n/a", "null", "nan", "nat"})

#: Accepted spellings of true and false (case-insensitive).
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n"})

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(rf"^(?P<y>\d{{4}})[-/](?P<m>\d{{1,2}})[-/](?P<d>\d{{1,2}}){_TIME}$")
_DAY_FIRST = re.compile(rf"^(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}}){_TIME}$")
_TWO_DIGIT_YEAR = re.compile(rf"^\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2}}{_TIME}$")
_MONTH_NAME = re.compile(
    rf"^(?P<d>\d{{1,2}})[ -](?P<mon>[A-Za-z]{{3,9}})\.?[ -](?P<y>\d{{4}}){_TIME}$"
)
_EXCEL_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?(?:[eE][+-]?\d+)?$")
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100

#: How many distinct offending values a message quotes.
MAX_EXAMPLES = 3


@dataclass
class ValueIssue:
    """Cells of one column that could not be converted, with what to say about them."""

    mask: pd.Series
    message: str
    fix: str


@dataclass
class Coerced:
    """A column converted to its contract type.

    ``values`` is missing wherever the cell was blank or could not be
    converted; ``blank`` marks the cells that were blank in the extract;
    ``issues`` lists the cells that could not be converted.
    """

    values: pd.Series
    blank: pd.Series
    issues: list[ValueIssue] = field(default_factory=list)


def normalise_name(name: Any) -> str:
    """Normalise a column or table name for matching: lower case, words joined by ``_``.

    Examples
    --------
    >>> normalise_name(" Outcome Code ")
    'outcome_code'
    >>> normalise_name("Offence-Date (UK)")
    'offence_date_uk'
    """
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def examples(values: pd.Series, limit: int = MAX_EXAMPLES) -> str:
    """Quote the first few distinct values of ``values`` for a message.

    Examples
    --------
    >>> examples(pd.Series(["x", "y", "x", "z", "w"]))
    "'x', 'y', 'z', ..."
    """
    distinct = list(dict.fromkeys(str(v) for v in values.tolist()))
    quoted = ", ".join(f"'{v}'" for v in distinct[:limit])
    return quoted + (", ..." if len(distinct) > limit else "")


def _cell_text(value: Any) -> str | None:
    """Text of one spreadsheet or database cell, None when empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        # Spreadsheets store whole numbers as floats; 12345.0 must read as the id "12345".
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def as_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed text (str dtype), missing where the cell is empty.

    Whole numbers stored as floats are written without a decimal point, so an
    identifier read from a spreadsheet equals the same identifier read from CSV.

    Examples
    --------
    >>> as_text(pd.Series([12345.0, " A7 ", None], dtype=object)).tolist()
    ['12345', 'A7', nan]
    """
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
        values.dtype
    ):
        return values.str.strip()
    if pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        return values.astype("int64").astype(str)
    return pd.Series([_cell_text(v) for v in values.tolist()], index=values.index, dtype="str")


def blank_cells(text: pd.Series) -> pd.Series:
    """Which cells of a text column are blank (empty, or a blank marker such as ``NULL``).

    Examples
    --------
    >>> blank_cells(pd.Series(["x", "", "NULL", " n/a ", None])).tolist()
    [False, True, True, True, True]
    """
    lowered = text.str.strip().str.lower()
    return (text.isna() | lowered.isin(BLANK_MARKERS)).astype(bool)


def coerce_column(values: pd.Series, column: Column) -> Coerced:
    """Convert one extract column to the type its contract declares.

    Parameters
    ----------
    values : Series
        The column as read (text from CSV; native values from Excel, Parquet or SQL).
    column : Column
        Its contract entry.

    Returns
    -------
    Coerced
        Typed values (``id``/``category``/``str``: str; ``int``: Int64;
        ``float``: float64; ``bool``: boolean; ``date``: datetime64[us]), the
        blank cells, and the cells that could not be converted.

    Examples
    --------
    >>> from analysis.data.schema import Column
    >>> out = coerce_column(pd.Series(["01/02/2024", "2024-03-05", "31/02/2024"]),
    ...                     Column("d", "date", "a date"))
    >>> out.values.dt.strftime("%Y-%m-%d").tolist()
    ['2024-02-01', '2024-03-05', nan]
    >>> out.issues[0].message
    "not a real calendar date: '31/02/2024'"
    """
    converters = {
        "id": _coerce_text,
        "str": _coerce_text,
        "category": _coerce_category,
        "int": _coerce_int,
        "float": _coerce_float,
        "bool": _coerce_bool,
        "date": _coerce_date,
    }
    return converters[column.kind](values, column)


def _coerce_text(values: pd.Series, column: Column) -> Coerced:
    text = as_text(values)
    blank = blank_cells(text)
    return Coerced(text.mask(blank).astype("str"), blank)


def _coerce_category(values: pd.Series, column: Column) -> Coerced:
    result = _coerce_text(values, column)
    if column.allowed is None:
        return result
    # Extracts write coded values in their own case and spacing ("Violence with injury",
    # "Night Club"); they are mapped onto the contract's spelling when they match it with
    # case, spaces and punctuation removed. Anything else stays as written and is reported
    # as not allowed. Each distinct spelling is looked up once.
    canonical = {normalise_name(a).replace("_", ""): str(a) for a in column.allowed}
    spellings = {
        v: canonical.get(normalise_name(v).replace("_", ""), v)
        for v in result.values.dropna().unique()
    }
    result.values = result.values.map(spellings).astype("str")
    return result


def _numbers(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers from a column, the blank cells and the cells that are not numbers."""
    if pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype(object)
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype("float64")
        blank = numbers.isna()
        return numbers, blank, pd.Series(False, index=values.index)
    text = as_text(values)
    blank = blank_cells(text)
    # "£1,250.50" is how a spreadsheet shows money; the symbol and the thousands
    # separators carry no information, so they are removed before reading the number.
    cleaned = text.str.replace(r"^£\s*", "", regex=True).str.replace(" ", "", regex=False)
    looks_numeric = cleaned.str.fullmatch(_NUMBER_TEXT.pattern).fillna(False).astype(bool)
    numbers = pd.to_numeric(cleaned.where(looks_numeric).str.replace(",", ""), errors="coerce")
    not_number = ~blank & numbers.isna()
    return numbers.astype("float64"), blank, not_number


def _coerce_float(values: pd.Series, column: Column) -> Coerced:
    numbers, blank, not_number = _numbers(values)
    issues = []
    if not_number.any():
        issues.append(
            ValueIssue(
                not_number,
                f"not a number: {examples(values[not_number])}",
                "write plain numbers (a decimal point, no units or words)",
            )
        )
    return Coerced(numbers.mask(not_number), blank, issues)


def _coerce_int(values: pd.Series, column: Column) -> Coerced:
    numbers, blank, not_number = _numbers(values)
    fractional = numbers.notna() & (numbers != np.floor(numbers))
    issues = []
    if not_number.any():
        issues.append(
            ValueIssue(
                not_number,
                f"not a whole number: {examples(values[not_number])}",
                "write whole numbers only (no words, units or decimals)",
            )
        )
    if fractional.any():
        issues.append(
            ValueIssue(
                fractional,
                f"not a whole number: {examples(values[fractional])}",
                "this column holds counts or codes: write whole numbers",
            )
        )
    whole = numbers.mask(not_number | fractional)
    return Coerced(whole.round().astype("Int64"), blank, issues)


def _coerce_bool(values: pd.Series, column: Column) -> Coerced:
    if pd.api.types.is_bool_dtype(values.dtype):
        typed = values.astype("boolean")
        return Coerced(typed, typed.isna().astype(bool))
    text = as_text(values)
    blank = blank_cells(text)
    lowered = text.str.strip().str.lower()
    truth = pd.Series(pd.NA, index=values.index, dtype="boolean")
    truth[lowered.isin(TRUE_WORDS).fillna(False).astype(bool)] = True
    truth[lowered.isin(FALSE_WORDS).fillna(False).astype(bool)] = False
    unknown = ~blank & truth.isna()
    issues = []
    if unknown.any():
        issues.append(
            ValueIssue(
                unknown,
                f"not a yes/no value: {examples(values[unknown])}",
                "write 1/0, true/false, yes/no or Y/N",
            )
        )
    return Coerced(truth, blank, issues)


def _coerce_date(values: pd.Series, column: Column) -> Coerced:
    dates, blank, issues = parse_dates(values)
    return Coerced(dates, blank, issues)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, list[ValueIssue]]:
    """Read a column of dates, day-first, reporting every cell that is not a date.

    Parameters
    ----------
    values : Series
        Text (``31/01/2024``, ``2024-01-31``, ``31 Jan 2024``) or native dates.

    Returns
    -------
    dates : Series
        ``datetime64[us]`` calendar dates (time of day dropped), NaT where blank or unreadable.
    blank : Series
        Cells that were blank.
    issues : list of ValueIssue
        Unreadable, impossible, month-first and two-digit-year cells.

    Examples
    --------
    >>> dates, blank, issues = parse_dates(pd.Series(["05/04/2024", "2024-04-05 13:20", ""]))
    >>> dates.dt.strftime("%d %b %Y").tolist(), blank.tolist(), issues
    (['05 Apr 2024', '05 Apr 2024', nan], [False, False, True], [])
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        native = values.dt.tz_localize(None) if values.dt.tz is not None else values
        dates = native.dt.normalize().astype("datetime64[us]")
        return dates, dates.isna().astype(bool), []
    text = as_text(values)
    # Dates repeat (a few thousand distinct days cover years of records): read each
    # distinct spelling once, then map the verdicts back onto the rows.
    verdicts = {value: _read_date(value) for value in text.dropna().unique().tolist()}
    kinds = text.map({v: kind for v, (_, kind) in verdicts.items()}).astype(object)
    kinds = kinds.where(kinds.notna(), "blank")
    days = {v: day for v, (day, _) in verdicts.items() if day is not None}
    dates = pd.Series(pd.to_datetime(text.map(days), errors="coerce"), index=values.index).astype(
        "datetime64[us]"
    )
    blank = (kinds == "blank").astype(bool)
    issues = []
    for kind, message, fix in _DATE_ISSUES:
        mask = (kinds == kind).astype(bool)
        if mask.any():
            issues.append(ValueIssue(mask, f"{message}: {examples(text[mask])}", fix))
    return dates, blank, issues


_DATE_ISSUES = (
    (
        "month_first",
        "month-first (US) dates",
        "write dates day-first (DD/MM/YYYY) or as YYYY-MM-DD",
    ),
    (
        "impossible",
        "not a real calendar date",
        "correct the day or month: the date does not exist",
    ),
    (
        "year_out_of_range",
        f"year outside {_EARLIEST_YEAR}-{_LATEST_YEAR}",
        "correct the year (usually a typing slip)",
    ),
    (
        "two_digit_year",
        "two-digit year",
        "write the year in full (DD/MM/YYYY), so 1924 and 2024 cannot be confused",
    ),
    (
        "serial",
        "a number, not a date",
        "this looks like an Excel date serial number: format the column as a date "
        "(DD/MM/YYYY) before saving",
    ),
    ("unreadable", "not a date", "write dates as DD/MM/YYYY or YYYY-MM-DD"),
)


def _read_date(text: str) -> tuple[str | None, str]:
    """One cell's date (ISO text) and verdict: ok, blank, impossible, month_first, ..."""
    if text.strip().lower() in BLANK_MARKERS:
        return None, "blank"
    for pattern in (_YEAR_FIRST, _DAY_FIRST, _MONTH_NAME):
        found = pattern.match(text)
        if found is None:
            continue
        parts = found.groupdict()
        month = _month_number(parts["mon"]) if "mon" in parts else float(parts["m"])
        year, day = int(parts["y"]), int(parts["d"])
        if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
            return None, "year_out_of_range"
        try:
            if np.isnan(month):
                raise ValueError(text)
            return dt.date(year, int(month), day).isoformat(), "ok"
        except ValueError:
            # 05/31/2024 cannot be day-first but is a valid month-first date.
            swapped = pattern is _DAY_FIRST and int(month) > 12 and 1 <= day <= 12
            return None, "month_first" if swapped else "impossible"
    if _TWO_DIGIT_YEAR.match(text):
        return None, "two_digit_year"
    if _EXCEL_SERIAL.match(text):
        return None, "serial"
    return None, "unreadable"


def _month_number(word: str) -> float:
    lowered = word.lower().rstrip(".")
    number = _MONTHS.get(lowered[:3])
    if number is None:
        return np.nan
    full = _MONTH_NAMES[number - 1]
    return float(number) if full.startswith(lowered) or lowered == "sept" else np.nan


def parse_date(value: Any, *, what: str = "date") -> pd.Timestamp:
    """Read one date (``YYYY-MM-DD``, ``DD/MM/YYYY`` or a date object) as a Timestamp.

    Parameters
    ----------
    value : str, date or Timestamp
        The date.
    what : str
        What the date is, for the error message.

    Raises
    ------
    ValueError
        When the value is not a date; the message says which formats are accepted.

    Examples
    --------
    >>> parse_date("30/09/2026")
    Timestamp('2026-09-30 00:00:00')
    """
    dates, blank, issues = parse_dates(pd.Series([value], dtype=object))
    if blank.iloc[0] or issues:
        detail = issues[0].message if issues else "it is blank"
        raise ValueError(
            f"{what} {value!r} is not a date ({detail}); write it as YYYY-MM-DD or DD/MM/YYYY"
        )
    return pd.Timestamp(dates.iloc[0])


def typed_default(column: Column, length: int, index: Sequence[Any]) -> pd.Series:
    """A column filled with a contract column's default, typed like a loaded column.

    Examples
    --------
    >>> from analysis.data.schema import Column
    >>> typed_default(Column("n", "int", "n", required=False, default=0), 2, [2, 3]).tolist()
    [0, 0]
    """
    raw = pd.Series([column.default] * length, index=index, dtype=object)
    return coerce_column(raw, column).values
