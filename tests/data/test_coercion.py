"""Converting raw cells to contract types: dates day-first, flags, numbers, blanks."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis.data.coercion import (
    as_text,
    blank_cells,
    coerce_column,
    normalise_name,
    parse_date,
    parse_dates,
)
from analysis.data.schema import Column


def kinds_of(issues):
    return {issue.message.split(":")[0]: issue.mask[issue.mask].index.tolist() for issue in issues}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/04/2024", "2024-04-05"),  # day first: 5 April
        ("5/4/2024", "2024-04-05"),
        ("05-04-2024", "2024-04-05"),
        ("05.04.2024", "2024-04-05"),
        ("2024-04-05", "2024-04-05"),
        ("2024/04/05", "2024-04-05"),
        ("2024-04-05T23:59:59", "2024-04-05"),
        ("2024-04-05 00:00:00.000000", "2024-04-05"),  # SQLite's text timestamps
        ("05/04/2024 17:45", "2024-04-05"),
        ("5 Apr 2024", "2024-04-05"),
        ("05-April-2024", "2024-04-05"),
        ("29/02/2024", "2024-02-29"),  # leap day
        (" 05/04/2024 ", "2024-04-05"),
    ],
)
def test_dates_read_day_first(text, expected):
    dates, blank, issues = parse_dates(pd.Series([text]))
    assert issues == []
    assert dates.iloc[0] == pd.Timestamp(expected)
    assert str(dates.dtype) == "datetime64[us]"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("31/02/2024", "not a real calendar date"),
        ("29/02/2023", "not a real calendar date"),
        ("00/01/2024", "not a real calendar date"),
        ("2024-13-01", "not a real calendar date"),
        ("12/31/2024", "month-first (US) dates"),
        ("01/02/24", "two-digit year"),
        ("45352", "a number, not a date"),
        ("yesterday", "not a date"),
        ("01/01/1066", "year outside 1900-2100"),
        ("5 Foo 2024", "not a real calendar date"),
    ],
)
def test_bad_dates_are_reported_with_their_kind(text, kind):
    dates, blank, issues = parse_dates(pd.Series(["01/01/2024", text], index=[2, 3]))
    assert kinds_of(issues) == {kind: [3]}
    assert dates.isna().tolist() == [False, True]
    assert not blank.any()


def test_native_dates_from_spreadsheets_and_databases():
    cells = pd.Series([dt.datetime(2024, 4, 5, 13, 0), dt.date(2024, 4, 6), None], dtype=object)
    dates, blank, issues = parse_dates(cells)
    assert dates.tolist()[:2] == [pd.Timestamp("2024-04-05"), pd.Timestamp("2024-04-06")]
    assert blank.tolist() == [False, False, True]
    assert issues == []
    typed = pd.Series(pd.to_datetime(["2024-04-05 10:00", None]))
    dates, blank, issues = parse_dates(typed)
    assert dates.tolist()[0] == pd.Timestamp("2024-04-05")
    assert blank.tolist() == [False, True]


def test_parse_date_single_values():
    assert parse_date("30/09/2026") == pd.Timestamp("2026-09-30")
    assert parse_date(dt.date(2026, 9, 30)) == pd.Timestamp("2026-09-30")
    with pytest.raises(ValueError, match="is not a date"):
        parse_date("31/09/2026")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            ["1", "0", "true", "FALSE", "Yes", "no", "Y", "n", "T", "f"],
            [1, 0, 1, 0, 1, 0, 1, 0, 1, 0],
        ),
        ([1.0, 0.0, True, False], [1, 0, 1, 0]),
    ],
)
def test_booleans(cells, expected):
    out = coerce_column(pd.Series(cells, dtype=object), Column("b", "bool", "a flag"))
    assert out.issues == []
    assert out.values.astype(int).tolist() == expected


def test_boolean_problems_and_blanks():
    out = coerce_column(pd.Series(["yes", "maybe", "", "2"]), Column("b", "bool", "flag"))
    assert out.blank.tolist() == [False, False, True, False]
    assert kinds_of(out.issues) == {"not a yes/no value": [1, 3]}


def test_integers():
    cells = pd.Series(["3", "1,250", " 7 ", "2.0", "2.5", "three", ""])
    out = coerce_column(cells, Column("n", "int", "a count"))
    assert out.values.tolist()[:4] == [3, 1250, 7, 2]
    assert out.values.isna().tolist()[4:] == [True, True, True]
    assert str(out.values.dtype) == "Int64"
    assert {i.message for i in out.issues} == {
        "not a whole number: 'three'",
        "not a whole number: '2.5'",
    }


def test_numbers_with_pounds_and_thousands():
    cells = pd.Series(["£1,250.50", "-3.5", "1e3", "12,34", "£", "1 000"])
    out = coerce_column(cells, Column("x", "float", "money"))
    assert out.values.tolist()[:3] == [1250.5, -3.5, 1000.0]
    assert out.values[5] == 1000.0
    assert kinds_of(out.issues) == {"not a number": [3, 4]}


def test_numbers_from_numeric_columns_are_kept():
    out = coerce_column(pd.Series([1.5, np.nan, 3.0]), Column("x", "float", "x"))
    assert out.values.tolist()[0] == 1.5 and np.isnan(out.values[1])
    assert out.blank.tolist() == [False, True, False]


def test_categories_take_the_contract_spelling():
    column = Column("g", "category", "group", allowed=("violence_with_injury", "Poole", "none"))
    cells = pd.Series(["Violence with injury", "POOLE", "none", "None", "Poolee"])
    out = coerce_column(cells, column)
    assert out.values.tolist() == ["violence_with_injury", "Poole", "none", "none", "Poolee"]
    assert out.issues == []  # "Poolee" is left for the allowed-values rule to report


def test_identifiers_from_spreadsheet_numbers_match_text():
    out = coerce_column(pd.Series([12345.0, "12345", " 12345 ", 12345], dtype=object),
                        Column("i", "id", "id"))  # fmt: skip
    assert out.values.tolist() == ["12345"] * 4


@pytest.mark.parametrize("marker", ["", "  ", "NA", "n/a", "#N/A", "NULL", "null", "NaN"])
def test_blank_markers(marker):
    assert blank_cells(pd.Series([marker])).tolist() == [True]


def test_none_is_a_value_not_a_blank():
    assert blank_cells(pd.Series(["None", "none"])).tolist() == [False, False]


def test_text_of_mixed_cells():
    cells = pd.Series([1, 2.5, True, dt.date(2024, 1, 2), None, " x "], dtype=object)
    assert as_text(cells).tolist() == ["1", "2.5", "true", "2024-01-02", np.nan, "x"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Outcome Code", "outcome_code"),
        (" outcome_code ", "outcome_code"),
        ("OUTCOME-CODE", "outcome_code"),
        ("Offence.Date", "offence_date"),
        ("sessions attended (n)", "sessions_attended_n"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected
