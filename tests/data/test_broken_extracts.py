"""The catalogue of broken extracts: each gets its own specific, readable problem.

Every case breaks one thing in a clean Operation Focus extract (``conftest.py``)
and checks that exactly one problem is reported, naming the file, the column,
the spreadsheet rows (header = row 1) and the fix, and that the command line
reports it with exit status 2 and no traceback.
"""

import contextlib
import io
import re

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.data import validate_source
from analysis.errors import ConfigError

EXTRACT_DATE = "2026-09-30"


def problems_in(source, **kwargs):
    """Problems found in an extract, checked to read the same through the command line.

    Every case of the catalogue therefore also proves that ``python -m analysis
    validate`` prints the problem and exits 2 (0 when clean) without a traceback.
    """
    kwargs.setdefault("extract_date", EXTRACT_DATE)
    problems = validate_source("op_focus", source, **kwargs)
    if set(kwargs) == {"extract_date"} and kwargs["extract_date"]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(
                [
                    "validate",
                    "op_focus",
                    "--source",
                    str(source),
                    "--extract-date",
                    kwargs["extract_date"],
                ]
            )
        assert status == (2 if problems else 0)
        assert "Traceback" not in err.getvalue()
        for problem in problems:
            assert str(problem) in err.getvalue()
    return problems


def only(problems):
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def column_of(rows, table, name):
    return rows[table][0].index(name)


def set_cell(rows, table, row_number, column, value):
    """Set a cell by spreadsheet row number (the header is row 1)."""
    rows[table][row_number - 1][column_of(rows, table, column)] = value


def test_clean_extract_has_no_problems(rows, write_extract):
    assert problems_in(write_extract(rows)) == []


def test_headers_matched_ignoring_case_and_spaces(rows, write_extract):
    rows["crimes"][0] = [name.replace("_", " ").title() for name in rows["crimes"][0]]
    rows["suspects"][0] = [f"  {name.upper()} " for name in rows["suspects"][0]]
    assert problems_in(write_extract(rows)) == []


# --------------------------------------------------------------------------- columns


def test_missing_column(rows, write_extract):
    position = column_of(rows, "crimes", "outcome_code")
    for row in rows["crimes"]:
        del row[position]
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column) == ("crimes", "outcome_code")
    text = str(problem)
    assert "crimes.csv" in text
    assert "required column 'outcome_code' is missing" in text
    assert "add a column 'outcome_code'" in text


def test_renamed_column_gets_a_suggestion(rows, write_extract):
    rows["crimes"][0][column_of(rows, "crimes", "outcome_code")] = "Outcome Cde"
    problem = only(problems_in(write_extract(rows)))
    assert problem.column == "outcome_code"
    assert "column 'Outcome Cde' looks like it" in str(problem)
    assert "rename column 'Outcome Cde' to 'outcome_code'" in str(problem)


def test_duplicated_column(rows, write_extract):
    for row in rows["crimes"]:
        row.append(row[0])
    rows["crimes"][0][-1] = "Crime ID"
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column) == ("crimes", "crime_id")
    # Columns A and L of the spreadsheet (the 1st and the 12th).
    assert "appears 2 times: spreadsheet columns A ('crime_id'), L ('Crime ID')" in str(problem)


def test_missing_optional_column_is_a_warning_not_a_problem(rows, write_extract, caplog):
    position = column_of(rows, "suspects", "focus_end_date")
    for row in rows["suspects"]:
        del row[position]
    folder = write_extract(rows)
    assert problems_in(folder) == []
    assert "optional column 'focus_end_date' is missing" in caplog.text


# --------------------------------------------------------------------------- values


def test_wrong_type(rows, write_extract):
    set_cell(rows, "suspects", 3, "harm_score", "high")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("suspects", "harm_score", (3,))
    assert "suspects.csv, column 'harm_score': 1 value(s) not a number: 'high' [rows 3]" in str(
        problem
    )


def test_unparseable_date(rows, write_extract):
    set_cell(rows, "crimes", 4, "offence_date", "next week")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("offence_date", (4,))
    assert "not a date: 'next week'" in str(problem)
    assert "DD/MM/YYYY or YYYY-MM-DD" in problem.fix


def test_impossible_date(rows, write_extract):
    set_cell(rows, "crimes", 5, "offence_date", "31/02/2026")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("crimes", "offence_date", (5,))
    assert "not a real calendar date: '31/02/2026'" in str(problem)


def test_month_first_dates_are_named(rows, write_extract):
    set_cell(rows, "crimes", 2, "offence_date", "05/31/2026")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("offence_date", (2,))
    assert "month-first (US) dates: '05/31/2026'" in str(problem)


def test_two_digit_year(rows, write_extract):
    set_cell(rows, "crimes", 6, "recorded_date", "21/09/26")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("recorded_date", (6,))
    assert "two-digit year" in str(problem)


def test_excel_serial_number_in_a_date_column(rows, write_extract):
    set_cell(rows, "crimes", 3, "recorded_date", "46184")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("recorded_date", (3,))
    assert "Excel date serial number" in problem.fix


def test_outcome_code_23(rows, write_extract):
    set_cell(rows, "crimes", 5, "outcome_code", "23")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("crimes", "outcome_code", (5,))
    assert "not allowed: '23'" in str(problem)
    assert "whole numbers 0 to 22" in problem.fix


def test_unknown_category(rows, write_extract):
    set_cell(rows, "suspects", 3, "area", "Atlantis")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("suspects", "area", (3,))
    assert "not allowed: 'Atlantis'" in str(problem)
    assert "Bournemouth" in problem.fix


def test_not_a_yes_no_value(rows, write_extract):
    set_cell(rows, "crimes", 3, "da_flag", "maybe")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("da_flag", (3,))
    assert "not a yes/no value: 'maybe'" in str(problem)


def test_blank_in_a_required_column(rows, write_extract):
    set_cell(rows, "crimes", 2, "suspect_id", "")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("suspect_id", (2,))
    assert "blank value(s) in a column that must be filled in" in str(problem)


def test_negative_value(rows, write_extract):
    set_cell(rows, "suspects", 4, "harm_score", "-5")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("suspects", "harm_score", (4,))
    assert "below the minimum 0: '-5'" in str(problem)


# --------------------------------------------------------------------------- rules


def test_duplicate_key(rows, write_extract):
    set_cell(rows, "crimes", 6, "crime_id", "C002")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("crimes", "crime_id", (3, 6))
    assert "must be unique" in str(problem)


def test_duplicate_identifiers_are_not_quoted(rows, write_extract):
    set_cell(rows, "crimes", 2, "crime_id", "SECRET-REF-77")
    set_cell(rows, "crimes", 4, "crime_id", "SECRET-REF-77")
    problem = only(problems_in(write_extract(rows)))
    assert problem.rows == (2, 4)
    assert "SECRET-REF-77" not in str(problem)


def test_orphan_foreign_key(rows, write_extract):
    set_cell(rows, "crimes", 5, "suspect_id", "S999")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("crimes", "suspect_id", (5,))
    assert "no matching suspect_id in suspects" in str(problem)
    assert "S999" not in str(problem)


def test_date_after_the_extract_date(rows, write_extract):
    set_cell(rows, "crimes", 6, "recorded_date", "01/10/2026")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("recorded_date", (6,))
    assert "after the extract date 30/09/2026: '01/10/2026'" in str(problem)


def test_future_date_without_an_extract_date(rows, write_extract):
    future = (pd.Timestamp.today() + pd.Timedelta(days=400)).strftime("%d/%m/%Y")
    set_cell(rows, "crimes", 6, "recorded_date", future)
    problem = only(problems_in(write_extract(rows), extract_date=None))
    assert (problem.column, problem.rows) == ("recorded_date", (6,))
    assert f"in the future (after today, {pd.Timestamp.today():%d/%m/%Y}): '{future}'" in str(
        problem
    )


def test_year_out_of_range(rows, write_extract):
    set_cell(rows, "crimes", 2, "outcome_date", "20/06/2206")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("outcome_date", (2,))
    assert "year outside 1900-2100: '20/06/2206'" in str(problem)


def test_dates_out_of_order(rows, write_extract):
    set_cell(rows, "crimes", 3, "recorded_date", "2026-06-09")
    problem = only(problems_in(write_extract(rows)))
    assert (problem.column, problem.rows) == ("recorded_date", (3,))
    assert "recorded_date is earlier than offence_date" in str(problem)


def test_programme_rule_rows_count_skipped_blank_lines(rows, write_extract):
    # Pending (code 0) with an outcome date breaks the Operation Focus rule. A blank
    # line before it must not shift the row number the message gives.
    set_cell(rows, "crimes", 6, "outcome_date", "25/09/2026")
    rows["crimes"].insert(2, [""] * len(rows["crimes"][0]))
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column, problem.rows) == ("crimes", "outcome_date", (7,))
    assert "pending crimes (outcome_code 0) with an outcome_date" in problem.message


def test_empty_table(rows, write_extract):
    rows["crimes"] = rows["crimes"][:1]
    problem = only(problems_in(write_extract(rows)))
    assert (problem.table, problem.column) == ("crimes", None)
    assert "crimes.csv: the table has no data rows" in str(problem)


def test_every_problem_is_reported_at_once(rows, write_extract):
    set_cell(rows, "suspects", 3, "area", "Atlantis")
    set_cell(rows, "suspects", 4, "harm_score", "-5")
    set_cell(rows, "crimes", 5, "outcome_code", "23")
    set_cell(rows, "crimes", 4, "offence_date", "31/02/2026")
    set_cell(rows, "crimes", 2, "suspect_id", "S999")
    rows["crimes"][0][column_of(rows, "crimes", "victim_id")] = "victim"
    found = {(p.table, p.column) for p in problems_in(write_extract(rows))}
    assert found == {
        ("suspects", "area"),
        ("suspects", "harm_score"),
        ("crimes", "outcome_code"),
        ("crimes", "offence_date"),
        ("crimes", "suspect_id"),
        ("crimes", "victim_id"),
    }


# --------------------------------------------------------------------------- files


def test_missing_file(rows, write_extract):
    folder = write_extract(rows)
    (folder / "crimes.csv").unlink()
    problem = only(problems_in(folder))
    assert problem.table == "crimes"
    assert "file not found: expected crimes.csv, crimes.parquet or crimes.xlsx" in str(problem)


def test_misnamed_file_gets_a_suggestion(rows, write_extract):
    folder = write_extract(rows)
    (folder / "crimes.csv").rename(folder / "crime.csv")
    problem = only(problems_in(folder))
    assert "'crime.csv' looks like it" in str(problem)
    assert "rename 'crime.csv' to 'crimes.csv'" in problem.fix


def test_missing_folder(tmp_path):
    problem = only(problems_in(tmp_path / "nowhere"))
    assert "nowhere: the folder does not exist" in str(problem)


def test_several_files_for_one_table(rows, write_extract, write_csv):
    folder = write_extract(rows)
    write_csv(folder / "Crimes.CSV", rows["crimes"])
    (folder / "crimes.parquet").write_bytes(b"")
    problem = only(problems_in(folder))
    assert problem.table == "crimes"
    assert "several files for table 'crimes'" in problem.message


def test_old_excel_format(rows, write_extract):
    folder = write_extract(rows)
    (folder / "crimes.csv").rename(folder / "crimes.xls")
    problem = only(problems_in(folder))
    assert "crimes.xls: file format '.xls' is not read" in str(problem)
    assert "Excel Workbook (.xlsx)" in problem.fix


def test_wrong_encoding(rows, write_extract, tmp_path, write_csv):
    set_cell(rows, "crimes", 4, "victim_id", "V03-Zoë")  # a character outside ASCII
    folder = write_extract(rows)
    write_csv(folder / "crimes.csv", rows["crimes"], encoding="cp1252")
    problem = only(problems_in(folder))
    assert (problem.table, problem.rows) == ("crimes", (4,))
    assert "crimes.csv: the file is not UTF-8 text: byte 0xEB on line 4" in str(problem)
    assert "Windows-1252" in problem.message
    assert "CSV UTF-8" in problem.fix


def test_utf8_with_byte_order_mark_is_fine(rows, write_extract, write_csv):
    folder = write_extract(rows)
    write_csv(folder / "crimes.csv", rows["crimes"], encoding="utf-8-sig")
    assert problems_in(folder) == []


def test_utf16_file(rows, write_extract, write_csv):
    folder = write_extract(rows)
    write_csv(folder / "crimes.csv", rows["crimes"], encoding="utf-16")
    problem = only(problems_in(folder))
    assert "UTF-16" in problem.message


def test_wrong_delimiter(rows, write_extract, write_csv):
    folder = write_extract(rows)
    write_csv(folder / "crimes.csv", rows["crimes"], delimiter=";")
    problem = only(problems_in(folder))
    assert problem.table == "crimes"
    assert "crimes.csv: the values are separated by semicolons (;), not commas" in str(problem)


def test_row_with_too_many_values(rows, write_extract):
    folder = write_extract(rows)
    lines = (folder / "crimes.csv").read_text().splitlines()
    lines[3] = lines[3] + ",Christchurch, Dorset"
    (folder / "crimes.csv").write_text("\n".join(lines) + "\n")
    problem = only(problems_in(folder))
    assert problem.rows == (4,)
    assert "row 4 has 13 values but the header has 11" in problem.message


def test_header_not_on_row_1(rows, write_extract):
    rows["crimes"][:0] = [["Crimes extract, Q3 2026"], [""]]
    rows["crimes"][0] += [""] * 10
    rows["crimes"][1] += [""] * 10
    problem = only(problems_in(write_extract(rows)))
    assert problem.rows == (3,)
    assert "the header is on row 3, not row 1" in str(problem)


def _workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, sheet_rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    book.save(path)


def test_excel_data_on_the_wrong_sheet(rows, write_extract):
    folder = write_extract(rows)
    (folder / "crimes.csv").unlink()
    _workbook(folder / "crimes.xlsx", {"Summary": [["Q3 crimes"]], "Data": rows["crimes"]})
    problem = only(problems_in(folder))
    assert problem.table == "crimes"
    assert "crimes.xlsx: no sheet named 'crimes' among the 2 sheets" in str(problem)
    assert "'Summary' (has data), 'Data' (has data)" in problem.message


def test_excel_named_sheet_empty_data_elsewhere(rows, write_extract):
    folder = write_extract(rows)
    (folder / "crimes.csv").unlink()
    _workbook(folder / "crimes.xlsx", {"crimes": [], "Sheet2": rows["crimes"]})
    problem = only(problems_in(folder))
    assert "sheet 'crimes' is empty; data found on sheet(s) 'Sheet2'" in problem.message


def test_excel_cell_problem_names_sheet_and_row(rows, write_extract):
    folder = write_extract(rows)
    (folder / "crimes.csv").unlink()
    set_cell(rows, "crimes", 5, "outcome_code", "23")
    _workbook(folder / "crimes.xlsx", {"Sheet1": rows["crimes"]})
    problem = only(problems_in(folder))
    assert problem.rows == (5,)
    assert "crimes.xlsx, sheet 'Sheet1', column 'outcome_code'" in str(problem)


# --------------------------------------------------------------------------- SQL


def test_sql_source_that_refuses_to_connect(tmp_path):
    not_a_database = tmp_path / "folder.db"
    not_a_database.mkdir()
    problem = only(problems_in(f"sqlite:///{not_a_database}"))
    assert "could not connect to the database" in problem.message
    assert problem.source.endswith("folder.db")


def test_sql_password_is_never_echoed():
    url = "postgresql+psycopg2://analyst:Sup3rSecretPw@127.0.0.1:1/crime"
    problem = only(problems_in(url))
    assert "Sup3rSecretPw" not in str(problem)
    assert "analyst:***@127.0.0.1" in problem.source


def test_sqlite_file_that_does_not_exist_is_not_created(tmp_path):
    missing = tmp_path / "missing.db"
    problem = only(problems_in(f"sqlite:///{missing}"))
    assert "the database file does not exist" in problem.message
    assert not missing.exists()


def test_sql_missing_table(rows, write_sqlite):
    path = write_sqlite({"suspects": rows["suspects"]})
    problem = only(problems_in(f"sqlite:///{path}"))
    assert problem.table == "crimes"
    assert "the database has no table or view 'crimes'" in problem.message
    assert "tables found: suspects" in problem.fix


def test_sql_query_that_fails(rows, write_sqlite):
    path = write_sqlite(rows)
    queries = {"crimes": "SELECT * FROM crimes_q3"}
    problem = only(problems_in(f"sqlite:///{path}", queries=queries))
    assert (problem.table, problem.source.endswith("query for crimes")) == ("crimes", True)
    assert "the query failed: no such table: crimes_q3" in problem.message


def test_sql_cell_problem_has_row_numbers(rows, write_sqlite):
    set_cell(rows, "crimes", 5, "outcome_code", "23")
    path = write_sqlite(rows)
    problem = only(problems_in(f"sqlite:///{path}"))
    assert (problem.column, problem.rows) == ("outcome_code", (5,))


# --------------------------------------------------------------------------- parameters


def test_extract_date_that_is_not_a_date(rows, write_extract):
    with pytest.raises(ConfigError, match="extract date '30th Sept' is not a date"):
        problems_in(write_extract(rows), extract_date="30th Sept")


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "expected"),
    [
        ("crimes", 5, "outcome_code", "23", r"crimes\.csv, column 'outcome_code'.*\[rows 5\]"),
        ("suspects", 3, "area", "Atlantis", r"suspects\.csv, column 'area'.*\[rows 3\]"),
    ],
)
def test_command_line_reports_with_exit_status_2(
    rows, write_extract, capsys, table, row, column, value, expected
):
    set_cell(rows, table, row, column, value)
    folder = write_extract(rows)
    status = main(["validate", "op_focus", "--source", str(folder), "--extract-date", EXTRACT_DATE])
    err = capsys.readouterr().err
    assert status == 2
    assert re.search(expected, err)
    assert "Traceback" not in err


def test_command_line_clean_extract_exit_status_0(rows, write_extract, capsys):
    folder = write_extract(rows)
    status = main(["validate", "op_focus", "--source", str(folder), "--extract-date", EXTRACT_DATE])
    assert status == 0
    assert "meets its data contract" in capsys.readouterr().out
