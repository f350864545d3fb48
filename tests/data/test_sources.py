"""The source text is parsed once, at the boundary, into a typed source."""

import sqlite3
from pathlib import Path

import pytest

from analysis.data import dataset, load, validate_source
from analysis.data.dataset import load_request
from analysis.data.loaders import read_source
from analysis.data.sources import FileSource, FolderSource, Source, SqlSource, SyntheticSource
from analysis.data.validation import resolve_contract
from analysis.errors import ConfigError
from analysis.paths import PROJ_ROOT


@pytest.mark.parametrize("text", [None, "", "   ", "synthetic", " synthetic "])
def test_synthetic_in_every_spelling(text):
    assert Source.parse(text) == SyntheticSource()


@pytest.mark.parametrize(
    "url", ["sqlite:///extract.db", "postgresql+psycopg://reader@host/db", "mssql+pyodbc://dsn"]
)
def test_urls_are_database_sources(url):
    parsed = Source.parse(url)
    assert parsed == SqlSource(url)
    assert parsed.is_database and not parsed.is_synthetic
    assert str(parsed) == url


def test_paths_become_folder_or_file_sources(tmp_path):
    (tmp_path / "extract.sqlite").write_bytes(b"")
    (tmp_path / "crimes.parquet").write_bytes(b"")
    (tmp_path / "crimes.csv").write_text("a\n1\n")
    (tmp_path / "notes.txt").write_text("x")
    assert Source.parse(tmp_path) == FolderSource(tmp_path)
    assert Source.parse(str(tmp_path / "extract.sqlite")) == FileSource(
        tmp_path / "extract.sqlite", "sqlite"
    )
    assert Source.parse(tmp_path / "crimes.parquet").format == "parquet"
    assert Source.parse(tmp_path / "crimes.csv").format == "csv"
    assert Source.parse(tmp_path / "notes.txt").format == "other"
    assert not Source.parse(tmp_path / "crimes.csv").is_database
    assert Source.parse(tmp_path / "missing").kind == "folder", "reading it names the folder"


def test_relative_paths_resolve_from_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Source.parse("data/reference") == FolderSource(PROJ_ROOT / "data" / "reference")


def test_parsing_is_idempotent():
    parsed = Source.parse("sqlite:///x.db")
    assert Source.parse(parsed) is parsed


@pytest.mark.parametrize("value", [42, 3.5, ["data/raw"], {"path": "x"}])
def test_anything_else_is_refused_with_the_fix(value):
    with pytest.raises(ConfigError, match=r"is not a data source\. Fix: give \"synthetic\""):
        Source.parse(value)
    with pytest.raises(ConfigError, match="is not a data source"):
        load("lsavi", source=value)


def test_load_request_carries_the_parsed_source():
    assert load_request("lsavi", "synthetic").source == SyntheticSource()
    assert load_request("lsavi", None).source == SyntheticSource()


def test_the_source_is_parsed_once_per_load(monkeypatch):
    calls = []
    real = Source.parse

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(Source, "parse", staticmethod(counting))
    load("op_focus", source="synthetic", seed=3, scale=0.02)
    assert [c for c in calls if not isinstance(c, Source)] == ["synthetic"]


def test_sqlite_file_and_its_url_read_alike(tmp_path):
    contract = resolve_contract("lsavi")
    path = tmp_path / "extract.db"
    sqlite3.connect(path).close()
    by_file = read_source(contract, path)
    by_url = read_source(contract, f"sqlite:///{path}")
    assert [p.message for p in by_file.problems] == [p.message for p in by_url.problems]
    assert by_file.problems, "an empty database lacks every table"


def test_a_single_table_file_is_explained(tmp_path):
    path = tmp_path / "premises.csv"
    path.write_text("premises_id\n1\n")
    problem = validate_source("lsavi", path)[0]
    assert "single file, not a folder" in problem.message
    assert "one file per table" in problem.fix


def test_reading_synthetic_as_an_extract_names_the_fix():
    read = read_source(resolve_contract("lsavi"), "synthetic")
    assert 'load("lsavi", source="synthetic")' in read.problems[0].fix


def test_config_queries_apply_to_database_urls_only(tmp_path):
    contract = resolve_contract("lsavi")
    assert dataset._queries_for(contract, Source.parse(tmp_path), None) is None
    given = {"premises": "SELECT 1"}
    assert dataset._queries_for(contract, Source.parse("sqlite:///x.db"), given) is given


def test_str_of_a_folder_source_is_its_path(tmp_path):
    assert Path(str(Source.parse(tmp_path))) == tmp_path
