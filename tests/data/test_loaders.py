"""Reading sources: CSV details, Excel sheets, Parquet, SQLite (read-only), provenance."""

import hashlib
import sqlite3

import openpyxl
import pandas as pd
import pytest

from analysis.data.contracts import get_contract
from analysis.data.loaders import (
    display_path,
    is_sql_url,
    read_folder,
    read_source,
    read_sql,
    resolve_path,
    safe_url,
)
from analysis.paths import PROJ_ROOT

OP_FOCUS = get_contract("op_focus")


def test_csv_rows_are_numbered_as_in_a_spreadsheet(rows, write_extract):
    rows["crimes"].insert(3, [""] * 11)  # a blank line: row 4 of the file
    folder = write_extract(rows)
    read = read_folder(OP_FOCUS, folder)
    crimes = read.tables["crimes"].frame
    assert crimes.index.tolist() == [2, 3, 5, 6, 7]
    assert crimes["crime_id"].tolist() == ["C001", "C002", "C003", "C004", "C005"]
    assert read.problems == []


def test_csv_cells_are_read_as_text(rows, write_extract):
    rows["suspects"][1][0] = "00123"
    read = read_folder(OP_FOCUS, write_extract(rows))
    assert read.tables["suspects"].frame["suspect_id"].tolist()[0] == "00123"


def test_provenance_fingerprint_is_the_file_bytes(rows, write_extract):
    folder = write_extract(rows)
    read = read_folder(OP_FOCUS, folder)
    for name in ("suspects", "crimes"):
        digest = hashlib.sha256((folder / f"{name}.csv").read_bytes()).hexdigest()
        assert read.tables[name].sha256 == digest
        assert read.tables[name].source == display_path(folder / f"{name}.csv")


def test_excel_the_only_sheet_or_the_named_one(rows, write_extract, tmp_path):
    folder = write_extract(rows)
    (folder / "crimes.csv").unlink()
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["this sheet is not the data"])
    sheet = book.create_sheet("Crimes")  # matched ignoring case
    for row in rows["crimes"]:
        sheet.append(row)
    book.save(folder / "crimes.xlsx")
    read = read_folder(OP_FOCUS, folder)
    assert read.problems == []
    table = read.tables["crimes"]
    assert table.source.endswith("crimes.xlsx, sheet 'Crimes'")
    assert len(table.frame) == 5


def test_excel_native_cells(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["suspect_id", "harm_score", "focus_flag", "focus_date", "age_band", "area"])
    book.active.append(
        [123, 15.5, True, pd.Timestamp("2026-04-01").to_pydatetime(), "25-34", "Poole"]
    )
    book.active.append([124, 3, False, None, "55+", "Poole"])
    book.save(tmp_path / "suspects.xlsx")
    read = read_folder(OP_FOCUS, tmp_path)
    frame = read.tables["suspects"].frame
    assert frame["suspect_id"].tolist() == [123, 124]
    assert frame.index.tolist() == [2, 3]


def test_parquet(tmp_path):
    frame = pd.DataFrame({"suspect_id": ["S1"], "harm_score": [1.5]})
    frame.to_parquet(tmp_path / "suspects.parquet")
    read = read_folder(OP_FOCUS, tmp_path)
    table = read.tables["suspects"]
    assert table.frame.index.tolist() == [2]
    assert table.sha256 == hashlib.sha256((tmp_path / "suspects.parquet").read_bytes()).hexdigest()


def test_damaged_parquet(tmp_path):
    (tmp_path / "suspects.parquet").write_bytes(b"not parquet at all")
    read = read_folder(OP_FOCUS, tmp_path)
    problem = next(p for p in read.problems if p.table == "suspects")
    assert "cannot be read as Parquet" in problem.message


def test_sqlite_is_read_only_and_fingerprinted(rows, write_sqlite):
    path = write_sqlite(rows)
    before = path.read_bytes()
    read = read_sql(OP_FOCUS, f"sqlite:///{path}")
    assert read.problems == []
    assert path.read_bytes() == before
    crimes = read.tables["crimes"]
    assert crimes.frame.index.tolist() == [2, 3, 4, 5, 6]
    assert crimes.source.endswith("extract.db, table crimes")
    again = read_sql(OP_FOCUS, f"sqlite:///{path}")
    assert again.tables["crimes"].sha256 == crimes.sha256


def test_sqlite_queries_and_case_insensitive_table_names(rows, write_sqlite):
    path = write_sqlite({"SUSPECTS": rows["suspects"], "crimes_all": rows["crimes"]})
    queries = {"crimes": "SELECT * FROM crimes_all WHERE crime_id <> 'C005'"}
    read = read_sql(OP_FOCUS, f"sqlite:///{path}", queries=queries)
    assert read.problems == []
    assert len(read.tables["crimes"].frame) == 4
    assert read.tables["crimes"].source.endswith("query for crimes")
    assert read.tables["suspects"].source.endswith("table SUSPECTS")


def test_sqlite_views_are_tables_too(rows, write_sqlite):
    path = write_sqlite({"suspects": rows["suspects"], "raw_crimes": rows["crimes"]})
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE VIEW crimes AS SELECT * FROM raw_crimes")
    read = read_sql(OP_FOCUS, f"sqlite:///{path}")
    assert read.problems == []
    assert len(read.tables["crimes"].frame) == 5


def test_queries_for_unknown_tables(rows, write_sqlite):
    path = write_sqlite(rows)
    read = read_sql(OP_FOCUS, f"sqlite:///{path}", queries={"crime": "SELECT 1"})
    assert (
        "queries given for table(s) the contract does not have: crime" in read.problems[0].message
    )


def test_a_sqlite_file_path_is_a_source(rows, write_sqlite):
    path = write_sqlite(rows)
    read = read_source(OP_FOCUS, path)
    assert set(read.tables) == {"suspects", "crimes"}


def test_a_single_csv_file_is_not_a_source(rows, write_extract):
    folder = write_extract(rows)
    read = read_source(OP_FOCUS, folder / "crimes.csv")
    assert "the source is a single file, not a folder" in read.problems[0].message


def test_unknown_database_kind_and_invalid_url():
    read = read_sql(OP_FOCUS, "nodriver://")
    assert "the database driver is not installed" in read.problems[0].message
    read = read_sql(OP_FOCUS, "not a url://x")
    assert "not a valid SQLAlchemy URL" in read.problems[0].message


def test_safe_url_hides_passwords():
    assert safe_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert safe_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("source", "expected"),
    [("sqlite:///a.db", True), ("postgresql+psycopg://h/db", True), ("data/raw/x", False)],
)
def test_is_sql_url(source, expected):
    assert is_sql_url(source) is expected


def test_relative_paths_resolve_from_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_path("data/reference") == PROJ_ROOT / "data" / "reference"
    assert display_path(PROJ_ROOT / "data" / "reference" / "x.csv") == "data/reference/x.csv"
