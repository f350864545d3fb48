"""``load`` and ``validate_source``: the Dataset, provenance, extract dates, config queries."""

import pandas as pd
import pytest

import analysis.config
from analysis.data import Dataset, load, validate_source
from analysis.errors import ConfigError, DataValidationError

KEY = "dataset-test-key-0123456789abcdef0123456789"
EXTRACT_DATE = "2026-09-30"


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", KEY)


def test_load_a_folder(rows, write_extract):
    folder = write_extract(rows)
    data = load("op_focus", folder, extract_date=EXTRACT_DATE)
    assert isinstance(data, Dataset)
    assert (data.programme, data.synthetic, data.truth) == ("op_focus", False, None)
    assert data.extract_date == pd.Timestamp(EXTRACT_DATE)
    assert list(data) == ["suspects", "crimes"] and "crimes" in data and len(data) == 2
    assert data.warnings == []
    crimes = data["crimes"]
    assert crimes["outcome_code"].tolist() == [1, 16, 0, 8, 0]
    assert crimes["offence_group"][2] == "criminal_damage"
    assert crimes["suspect_id"].isin(data["suspects"]["suspect_id"]).all()
    assert all(len(v) == 64 for v in crimes["crime_id"])
    entry = data.provenance["crimes"]
    assert set(entry) == {"source", "rows", "sha256", "columns"}
    assert entry["rows"] == 5 and entry["columns"] == list(crimes.columns)


def test_unknown_table_name_is_a_clear_key_error(rows, write_extract):
    data = load("op_focus", write_extract(rows), extract_date=EXTRACT_DATE)
    with pytest.raises(KeyError, match="op_focus has no table 'crime'; tables: suspects, crimes"):
        data["crime"]


def test_summary_and_displays(rows, write_extract):
    data = load("op_focus", write_extract(rows), extract_date=EXTRACT_DATE)
    summary = data.summary()
    assert summary["rows"].tolist() == [3, 5]
    assert "extract date 30 Sep 2026" in repr(data)
    assert "<table>" in data._repr_html_()


def test_extract_date_inferred_with_a_warning(rows, write_extract):
    data = load("op_focus", write_extract(rows))
    assert data.extract_date == pd.Timestamp("2026-09-21")  # the latest date in the extract
    assert any("extract date not given: taken as 21/09/2026" in w for w in data.warnings)


def test_missing_optional_column_goes_into_warnings(rows, write_extract):
    position = rows["suspects"][0].index("focus_end_date")
    for row in rows["suspects"]:
        del row[position]
    data = load("op_focus", write_extract(rows), extract_date=EXTRACT_DATE)
    assert data["suspects"]["focus_end_date"].isna().all()
    assert str(data["suspects"]["focus_end_date"].dtype) == "datetime64[us]"
    assert any("optional column 'focus_end_date' is missing" in w for w in data.warnings)


def test_load_raises_every_problem(rows, write_extract):
    rows["crimes"][4][9] = "23"
    rows["suspects"][2][6] = "Atlantis"
    with pytest.raises(DataValidationError) as error:
        load("op_focus", write_extract(rows), extract_date=EXTRACT_DATE)
    assert {(p.table, p.column) for p in error.value.problems} == {
        ("crimes", "outcome_code"),
        ("suspects", "area"),
    }
    assert error.value.programme == "op_focus"


def test_validate_source_needs_no_key(rows, write_extract, monkeypatch):
    monkeypatch.delenv("ANALYSIS_PSEUDONYM_KEY")
    assert validate_source("op_focus", write_extract(rows), extract_date=EXTRACT_DATE) == []


def test_validate_source_synthetic():
    assert validate_source("lsavi", "synthetic", seed=3, scale=0.02) == []


def test_sql_queries_come_from_the_programme_config(rows, write_sqlite, tmp_path, monkeypatch):
    path = write_sqlite({"suspects": rows["suspects"], "niche_crimes": rows["crimes"]})
    config = tmp_path / "config"
    config.mkdir()
    (config / "op_focus.yaml").write_text(
        "programme: op_focus\nqueries:\n  crimes: SELECT * FROM niche_crimes\n"
    )
    monkeypatch.setattr(analysis.config, "CONFIG_DIR", config)
    data = load("op_focus", f"sqlite:///{path}", extract_date=EXTRACT_DATE)
    assert len(data["crimes"]) == 5
    assert data.provenance["crimes"]["source"].endswith("query for crimes")
    # Queries given to load take precedence over the config's.
    problems = validate_source(
        "op_focus", f"sqlite:///{path}", queries={"crimes": "SELECT * FROM nowhere"}
    )
    assert "no such table: nowhere" in problems[0].message


def test_unknown_programme():
    with pytest.raises(ConfigError, match="unknown programme 'focus'"):
        load("focus")


def test_blank_source_means_synthetic():
    data = load("lsavi", "", seed=3, scale=0.02)
    assert data.synthetic and data.truth


def test_a_hostile_world_is_generated_and_named_in_the_provenance():
    from analysis.data import load
    from analysis.synthetic import generate

    friendly = load("lsavi", seed=5, scale=0.1)
    hostile = load("lsavi", seed=5, scale=0.1, world="multiplicative_seasonality")
    assert (
        hostile.truth
        == generate("lsavi", seed=5, scale=0.1, world="multiplicative_seasonality").truth
    )
    assert not hostile["incidents"].equals(friendly["incidents"])
    assert "world multiplicative_seasonality" in hostile.provenance["incidents"]["source"]


def test_an_unknown_world_names_the_choices():
    import pytest

    from analysis.data import load
    from analysis.errors import ConfigError

    with pytest.raises(ConfigError, match="multiplicative_seasonality"):
        load("lsavi", seed=5, scale=0.1, world="no_such_world")
