"""The lSaVI contract accepts the synthetic extract and names what is wrong with broken ones."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data import validate
from analysis.data.contracts import get_contract
from analysis.data.contracts.lsavi import CONTRACT, cross_table_problems
from analysis.errors import DataValidationError
from analysis.synthetic import generate


@pytest.fixture(scope="module")
def synth():
    return generate("lsavi", seed=7, scale=0.25)


def _tables(synth):
    return {name: frame.copy() for name, frame in synth.tables.items()}


def _problems(synth, tables):
    with pytest.raises(DataValidationError) as caught:
        validate("lsavi", tables, extract_date=synth.extract_date)
    return caught.value.problems


def test_contract_is_registered():
    assert get_contract("lsavi") is CONTRACT
    assert CONTRACT.table_names == ["premises", "self_assessments", "incidents"]
    identifiers = {t.name: t.identifiers for t in CONTRACT.tables}
    assert identifiers == {
        "premises": ["premises_id"],
        "self_assessments": ["premises_id"],
        "incidents": ["incident_id", "premises_id"],
    }


def test_synthetic_extract_validates(synth):
    typed = validate("lsavi", synth.tables, extract_date=synth.extract_date)
    assert set(typed) == {"premises", "self_assessments", "incidents"}
    assert typed["premises"]["signup_date"].dtype.kind == "M"
    assert typed["incidents"]["night_time_economy"].dtype == bool
    assert len(typed["incidents"]) == len(synth.tables["incidents"])


def test_assessment_before_signup_is_named(synth):
    tables = _tables(synth)
    assessments = tables["self_assessments"]
    first = assessments["assessment_id"] == assessments["assessment_id"].iloc[0]
    assessments.loc[first, "assessment_date"] = pd.Timestamp("2024-01-01")
    problems = _problems(synth, tables)
    matching = [p for p in problems if "before their premises' signup_date" in p.message]
    assert len(matching) == 1
    problem = matching[0]
    assert problem.table == "self_assessments" and problem.column == "assessment_date"
    assert problem.n_rows == int(first.sum())
    assert problem.rows[0] == 2  # the first data row of the extract
    assert "signup_date" in problem.fix


def test_assessment_for_premises_that_never_signed_up(synth):
    tables = _tables(synth)
    never = tables["premises"].loc[tables["premises"]["signup_date"].isna(), "premises_id"].iloc[0]
    extra = (
        tables["self_assessments"].iloc[[0]].assign(premises_id=never, assessment_id="SA9999999")
    )
    tables["self_assessments"] = pd.concat([tables["self_assessments"], extra], ignore_index=True)
    messages = [p.message for p in _problems(synth, tables)]
    assert any("premises with no signup_date" in m for m in messages)


def test_domain_rows_of_one_assessment_must_agree(synth):
    tables = _tables(synth)
    assessments = tables["self_assessments"]
    second_row = assessments.index[1]
    assert assessments.loc[second_row, "assessment_id"] == assessments["assessment_id"].iloc[0]
    assessments.loc[second_row, "assessment_date"] += pd.Timedelta(days=3)
    problems = _problems(synth, tables)
    assert any(
        p.column == "assessment_date" and "more than one assessment_date" in p.message
        for p in problems
    )


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        ("premises", "premises_type", "casino", "premises_type"),
        ("self_assessments", "score", 120.0, "score"),
        ("self_assessments", "domain", "fire_safety", "domain"),
        ("incidents", "category", "burglary", "category"),
        ("incidents", "area", "Dorchester", "area"),
    ],
)
def test_values_outside_the_coding_frames_are_named(synth, table, column, value, expected):
    tables = _tables(synth)
    tables[table] = tables[table].astype({column: object})
    tables[table].loc[tables[table].index[3], column] = value
    problems = _problems(synth, tables)
    assert any(p.table == table and p.column == expected and 5 in p.rows for p in problems)


def test_incident_at_unknown_premises_is_an_orphan(synth):
    tables = _tables(synth)
    linked = tables["incidents"]["premises_id"].notna()
    row = tables["incidents"].index[linked][0]
    tables["incidents"].loc[row, "premises_id"] = "P999999"
    problems = _problems(synth, tables)
    assert any(p.table == "incidents" and p.column == "premises_id" for p in problems)


def test_incident_after_the_extract_date_and_duplicate_id(synth):
    tables = _tables(synth)
    incidents = tables["incidents"]
    incidents.loc[incidents.index[0], "incident_date"] = synth.extract_date + pd.Timedelta(days=2)
    incidents.loc[incidents.index[2], "incident_id"] = incidents["incident_id"].iloc[1]
    problems = _problems(synth, tables)
    columns = {(p.table, p.column) for p in problems}
    assert ("incidents", "incident_date") in columns
    assert ("incidents", "incident_id") in columns


def test_cross_table_check_passes_clean_tables_and_skips_missing_ones(synth):
    assert cross_table_problems(synth.tables) == []
    assert cross_table_problems({"premises": synth.tables["premises"]}) == []
