"""A tiny, hand-written Operation Focus extract that meets its contract.

Tests break one thing in it at a time and check the message names the file,
column and spreadsheet rows. Row numbers are spreadsheet rows: the header is
row 1, so ``CRIMES[1]`` is row 2.
"""

import copy
import csv
import sqlite3
from pathlib import Path

import pytest

#: The extract is taken on 30/09/2026 (tests pass this as the extract date).
SUSPECTS = [
    ["suspect_id", "harm_score", "focus_flag", "focus_date", "focus_end_date", "age_band", "area",
     "sex", "ethnicity"],
    ["S001", "182.5", "Y", "01/04/2026", "", "25-34", "Bournemouth", "male", "White"],
    ["S002", "40", "N", "", "", "18-24", "Poole", "male", "not stated"],
    ["S003", "12.25", "no", "", "", "35-44", "Weymouth and Portland", "female", ""],
]  # fmt: skip

CRIMES = [
    [
        "crime_id",
        "suspect_id",
        "victim_id",
        "offence_group",
        "vawg_flag",
        "da_flag",
        "offence_date",
        "recorded_date",
        "arrest_date",
        "outcome_code",
        "outcome_date",
    ],
    # row 2
    [
        "C001",
        "S001",
        "V01",
        "violence_with_injury",
        "1",
        "1",
        "02/05/2026",
        "03/05/2026",
        "03/05/2026",
        "1",
        "20/06/2026",
    ],
    # row 3
    [
        "C002",
        "S001",
        "V02",
        "stalking_and_harassment",
        "true",
        "false",
        "2026-06-10",
        "2026-06-11",
        "",
        "16",
        "2026-08-01",
    ],
    # row 4: pending
    [
        "C003",
        "S002",
        "V03",
        "Criminal damage",
        "yes",
        "no",
        "15/07/2026",
        "15/07/2026",
        "16/07/2026",
        "0",
        "",
    ],
    # row 5
    [
        "C004",
        "S003",
        "V04",
        "robbery",
        "0",
        "0",
        "01/08/2026",
        "02/08/2026",
        "02/08/2026",
        "8",
        "03/08/2026",
    ],
    # row 6: pending
    ["C005", "S002", "V05", "rape", "1", "0", "20/09/2026", "21/09/2026", "", "0", ""],
]


@pytest.fixture
def rows():
    """Fresh copies of the clean extract's rows, by table."""
    return {"suspects": copy.deepcopy(SUSPECTS), "crimes": copy.deepcopy(CRIMES)}


def _write_csv(path: Path, table_rows, *, encoding="utf-8", delimiter=","):
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(table_rows)
    return path


@pytest.fixture
def write_csv():
    """Write rows to one CSV file, with a chosen encoding and delimiter."""
    return _write_csv


@pytest.fixture
def write_extract(tmp_path):
    """Write tables of rows as CSV files in a fresh folder; return the folder."""

    def write(tables, folder_name="extract"):
        folder = tmp_path / folder_name
        folder.mkdir(exist_ok=True)
        for name, table_rows in tables.items():
            _write_csv(folder / f"{name}.csv", table_rows)
        return folder

    return write


@pytest.fixture
def write_sqlite(tmp_path):
    """Write tables of rows into a SQLite file (all columns TEXT); return its path."""

    def write(tables, file_name="extract.db"):
        path = tmp_path / file_name
        with sqlite3.connect(path) as connection:
            for name, table_rows in tables.items():
                header, *body = table_rows
                columns = ", ".join(f'"{c}" TEXT' for c in header)
                connection.execute(f'CREATE TABLE "{name}" ({columns})')
                marks = ", ".join("?" for _ in header)
                values = [[v if v != "" else None for v in row] for row in body]
                connection.executemany(f'INSERT INTO "{name}" VALUES ({marks})', values)
        return path

    return write
