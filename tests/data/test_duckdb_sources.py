"""DuckDB files and folders of Parquet or CSV parts as sources: the same tables as pandas reads.

Every extract here is written at test time from a small synthetic Operation Focus
extract, with one column the contract does not know (``notes``, free text), so that
each test can check both that the tables equal those of the pandas reader and that
the unknown column never reached pandas.
"""

import json

import duckdb
import pandas as pd
import pytest

from analysis.data import load, validate_source
from analysis.data.loaders import read_source
from analysis.data.sources import DuckDBSource, FolderSource, Source
from analysis.data.store import write_synthetic
from analysis.data.validation import resolve_contract
from analysis.errors import ConfigError, DataValidationError

KEY = "ab" * 32


@pytest.fixture
def extract(tmp_path, monkeypatch):
    """The raw tables (text, as an extract arrives, plus a ``notes`` column) and their date."""
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", KEY)
    folder = write_synthetic("op_focus", seed=5, scale=0.05, folder=tmp_path / "synthetic")
    manifest = json.loads((folder / "manifest.json").read_text())
    tables = {}
    for name in ("suspects", "crimes"):
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        frame["notes"] = [f"free text {i}" for i in range(len(frame))]
        tables[name] = frame
    return tables, manifest["extract_date"]


def _files(tmp_path, tables):
    folder = tmp_path / "files"
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def _parts(tmp_path, tables, fmt, parts=3):
    folder = tmp_path / f"parts-{fmt}"
    for name, frame in tables.items():
        (folder / name).mkdir(parents=True)
        size = -(-len(frame) // parts)
        for number in range(parts):
            piece = frame.iloc[number * size : (number + 1) * size]
            path = folder / name / f"part-{number:03d}.{fmt}"
            piece.to_parquet(path, index=False) if fmt == "parquet" else piece.to_csv(
                path, index=False
            )
    return folder


def _duckdb_file(tmp_path, tables, files):
    """A DuckDB database whose tables DuckDB typed itself (dates as DATE, codes as BIGINT)."""
    path = tmp_path / "national.duckdb"
    with duckdb.connect(str(path)) as connection:
        for name in tables:
            connection.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv_auto(?)",
                [str(files / f"{name}.csv")],
            )
    return path


def _same_load(reference, other):
    for name in reference.tables:
        pd.testing.assert_frame_equal(reference[name], other[name])

    def said(dataset):  # each warning without the file or table it names, which differ
        return sorted(w.split(": ", 1)[-1] for w in dataset.warnings)

    assert said(reference) == said(other)
    assert reference.extract_date == other.extract_date


def test_parsed_as_duckdb_sources(tmp_path):
    path = tmp_path / "national.duckdb"
    path.write_bytes(b"")
    assert Source.parse(f"duckdb:///{path}") == DuckDBSource(path)
    assert Source.parse(path) == DuckDBSource(path)
    assert Source.parse(f"DuckDB:///{path}").is_database
    with pytest.raises(ConfigError, match=r"duckdb:///relative/path\.duckdb"):
        Source.parse("duckdb://national.duckdb")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_folders_of_parts_equal_the_pandas_path(tmp_path, extract, fmt):
    tables, extract_date = extract
    reference = load("op_focus", _files(tmp_path, tables), extract_date=extract_date)
    parts = _parts(tmp_path, tables, fmt)
    assert Source.parse(parts) == FolderSource(parts)
    _same_load(reference, load("op_focus", parts, extract_date=extract_date))
    assert any("'notes'" in w for w in reference.warnings), "the ignored column is reported"


def test_a_duckdb_file_equals_the_pandas_path(tmp_path, extract):
    tables, extract_date = extract
    files = _files(tmp_path, tables)
    reference = load("op_focus", files, extract_date=extract_date)
    database = _duckdb_file(tmp_path, tables, files)
    _same_load(reference, load("op_focus", f"duckdb:///{database}", extract_date=extract_date))
    provenance = load("op_focus", database, extract_date=extract_date).provenance
    assert provenance["crimes"]["source"].endswith("national.duckdb, table crimes")


def test_only_the_contract_columns_reach_pandas(tmp_path, extract):
    tables, _ = extract
    files = _files(tmp_path, tables)
    contract = resolve_contract("op_focus")
    for source in (_duckdb_file(tmp_path, tables, files), _parts(tmp_path, tables, "parquet")):
        read = read_source(contract, source)
        assert not read.problems
        assert "notes" not in read.tables["crimes"].frame.columns
        expected = {c.name for c in contract.table("crimes").columns}
        assert set(read.tables["crimes"].frame.columns) <= expected
        assert any("'notes'" in w for w in read.warnings)


def test_a_near_miss_column_is_fetched_so_the_fix_names_it(tmp_path, extract):
    tables, extract_date = extract
    tables["crimes"] = tables["crimes"].rename(columns={"outcome_code": "Outcome Cde"})
    database = _duckdb_file(tmp_path, tables, _files(tmp_path, tables))
    with pytest.raises(DataValidationError) as raised:
        load("op_focus", f"duckdb:///{database}", extract_date=extract_date)
    message = str(raised.value)
    assert "national.duckdb, table crimes" in message
    assert "rename column 'Outcome Cde' to 'outcome_code'" in message


def test_a_missing_duckdb_table_names_the_file_and_the_fix(tmp_path):
    path = tmp_path / "national.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE suspect_list AS SELECT 1 AS suspect_id")
    problems = validate_source("op_focus", f"duckdb:///{path}")
    messages = [str(p) for p in problems]
    assert any(
        "national.duckdb, table crimes" in m
        and "no table or view 'crimes'" in m
        and "queries:" in m
        and "suspect_list" in m
        for m in messages
    )
    missing = validate_source("op_focus", f"duckdb:///{tmp_path}/none.duckdb")
    assert "does not exist" in missing[0].message and "duckdb:////" in missing[0].fix


def test_a_file_that_is_not_duckdb_is_refused(tmp_path):
    path = tmp_path / "national.duckdb"
    path.write_text("not a database")
    problem = validate_source("op_focus", path)[0]
    assert "cannot be opened as a DuckDB database" in problem.message


def test_queries_read_a_duckdb_file(tmp_path, extract):
    tables, extract_date = extract
    files = _files(tmp_path, tables)
    reference = load("op_focus", files, extract_date=extract_date)
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        for name in tables:
            connection.execute(
                f"CREATE TABLE raw_{name} AS SELECT * FROM read_csv_auto(?)",
                [str(files / f"{name}.csv")],
            )
    queries = {"suspects": "SELECT * FROM raw_suspects", "crimes": "SELECT * FROM raw_crimes"}
    _same_load(reference, load("op_focus", database, extract_date=extract_date, queries=queries))
    broken = validate_source("op_focus", database, queries={"crimes": "SELECT * FROM nowhere"})
    assert any("query for crimes" in p.source and "config/op_focus.yaml" in p.fix for p in broken)


def test_csv_parts_with_another_header_are_refused_by_name(tmp_path, extract):
    tables, _ = extract
    parts = _parts(tmp_path, tables, "csv")
    odd = parts / "crimes" / "part-001.csv"
    frame = pd.read_csv(odd, dtype=str).rename(columns={"outcome_date": "date_of_outcome"})
    frame.to_csv(odd, index=False)
    problems = validate_source("op_focus", parts)
    (problem,) = [p for p in problems if p.source.endswith("part-001.csv")]
    assert "differs from the first part's" in problem.message
    assert "'date_of_outcome'" in problem.message and "same header" in problem.fix


def test_a_parts_folder_must_hold_one_format(tmp_path, extract):
    tables, _ = extract
    parts = _parts(tmp_path, tables, "parquet")
    tables["crimes"].head(3).to_csv(parts / "crimes" / "extra.csv", index=False)
    (parts / "suspects" / "readme.txt").write_text("notes")
    problems = {p.table: p for p in validate_source("op_focus", parts)}
    assert "mixes Parquet and CSV" in problems["crimes"].message
    assert "readme.txt" in problems["suspects"].message
    assert "all .parquet or all .csv" in problems["suspects"].fix


def test_a_table_given_twice_is_refused(tmp_path, extract):
    tables, _ = extract
    parts = _parts(tmp_path, tables, "parquet")
    tables["crimes"].to_csv(parts / "crimes.csv", index=False)
    problems = validate_source("op_focus", parts)
    assert any("several files or folders for table 'crimes'" in p.message for p in problems)


def test_a_damaged_parquet_part_names_the_folder(tmp_path, extract):
    tables, _ = extract
    parts = _parts(tmp_path, tables, "parquet")
    (parts / "crimes" / "part-001.parquet").write_bytes(b"PAR1 not really")
    (problem,) = [p for p in validate_source("op_focus", parts) if p.table == "crimes"]
    assert problem.source.endswith("parts-parquet/crimes")
    assert "DuckDB could not read it" in problem.message and "write the part again" in problem.fix
