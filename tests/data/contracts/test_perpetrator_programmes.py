"""The perpetrator-programmes contract accepts the synthetic extract and names broken ones."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data import validate
from analysis.data.contracts import get_contract
from analysis.data.contracts.perpetrator_programmes import CONTRACT, cross_column_problems
from analysis.errors import DataValidationError
from analysis.synthetic import generate

PROGRAMME = "perpetrator_programmes"


@pytest.fixture(scope="module")
def synth():
    return generate(PROGRAMME, seed=11, scale=0.3)


def _tables(synth):
    return {name: frame.copy() for name, frame in synth.tables.items()}


def _problems(synth, tables):
    with pytest.raises(DataValidationError) as caught:
        validate(PROGRAMME, tables, extract_date=synth.extract_date)
    return caught.value.problems


def _first(frame: pd.DataFrame, mask: pd.Series) -> int:
    """Position of the first row matching ``mask`` (as a spreadsheet row: + 2)."""
    return int(mask.to_numpy().nonzero()[0][0])


def test_contract_is_registered_with_its_identifiers():
    assert get_contract(PROGRAMME) is CONTRACT
    assert CONTRACT.table_names == ["people", "offences", "programme_costs", "training_scores"]
    identifiers = {t.name: t.identifiers for t in CONTRACT.tables}
    assert identifiers == {
        "people": ["person_id"],
        "offences": ["offence_id", "person_id"],
        "programme_costs": [],
        "training_scores": ["practitioner_id"],
    }
    assert CONTRACT.table("offences").column("person_id").references == ("people", "person_id")


def test_synthetic_extract_validates(synth):
    typed = validate(PROGRAMME, synth.tables, extract_date=synth.extract_date)
    assert set(typed) == set(CONTRACT.table_names)
    people = typed["people"]
    assert people["start_date"].dtype.kind == "M"
    assert people["marac_flag"].dtype == bool
    assert people["sessions_attended"].dtype == "int64"
    assert len(typed["offences"]) == len(synth.tables["offences"])
    assert cross_column_problems(typed) == []


def test_completed_without_end_date_is_named(synth):
    tables = _tables(synth)
    people = tables["people"]
    completed = people["status"].eq("completed")
    position = _first(people, completed)
    people.loc[people.index[position], "end_date"] = pd.NaT
    problems = _problems(synth, tables)
    matching = [p for p in problems if "without an end_date" in p.message]
    assert len(matching) == 1
    problem = matching[0]
    assert (problem.table, problem.column, problem.n_rows) == ("people", "end_date", 1)
    assert problem.rows == (position + 2,)
    assert "give the date" in problem.fix


def test_comparison_person_with_programme_dates_is_named(synth):
    tables = _tables(synth)
    people = tables["people"]
    position = _first(people, people["programme"].eq("none"))
    row = people.index[position]
    people.loc[row, "referral_date"] = people.loc[row, "identified_date"] + pd.Timedelta(days=3)
    problems = _problems(synth, tables)
    messages = [p.message for p in problems if p.column == "referral_date"]
    assert any("comparison pool" in m and "programme dates" in m for m in messages)


def test_status_contradicting_programme_is_named(synth):
    tables = _tables(synth)
    people = tables["people"]
    position = _first(people, people["programme"].eq("Drive"))
    people.loc[people.index[position], "status"] = "not_referred"
    problems = _problems(synth, tables)
    assert any(
        p.column == "status"
        and "with status not_referred" in p.message
        and p.rows[0] == position + 2
        for p in problems
    )


def test_start_before_referral_is_refused(synth):
    tables = _tables(synth)
    people = tables["people"]
    position = _first(people, people["start_date"].notna())
    row = people.index[position]
    people.loc[row, "start_date"] = people.loc[row, "referral_date"] - pd.Timedelta(days=10)
    problems = _problems(synth, tables)
    assert any(p.table == "people" and p.column == "start_date" for p in problems)


@pytest.mark.parametrize(
    ("table", "column", "value", "words"),
    [
        ("people", "dash_risk", "very high", "not allowed"),
        ("people", "programme", "CARA", "not allowed"),
        ("people", "sessions_attended", -2, ""),
        ("training_scores", "score_after", 120.0, ""),
        ("offences", "offence_group", "fraud", "not allowed"),
    ],
)
def test_bad_values_are_named_with_their_column(synth, table, column, value, words):
    tables = _tables(synth)
    frame = tables[table]
    frame[column] = frame[column].astype(object)
    frame.loc[frame.index[0], column] = value
    problems = _problems(synth, tables)
    found = [p for p in problems if p.table == table and p.column == column]
    assert found, [str(p) for p in problems]
    assert words in found[0].message
    assert found[0].rows[0] == 2


def test_offence_of_unknown_person_is_named(synth):
    tables = _tables(synth)
    tables["offences"].loc[tables["offences"].index[4], "person_id"] = "N9999999"
    problems = _problems(synth, tables)
    assert any(p.table == "offences" and p.column == "person_id" for p in problems)


def test_financial_year_must_be_written_yyyy_yy(synth):
    tables = _tables(synth)
    tables["programme_costs"].loc[0, "financial_year"] = "2024-2026"
    problems = _problems(synth, tables)
    matching = [p for p in problems if p.column == "financial_year"]
    assert len(matching) == 1 and "YYYY/YY" in matching[0].message
    assert matching[0].rows == (2,)


def test_missing_notes_column_is_optional(synth):
    tables = _tables(synth)
    tables["programme_costs"] = tables["programme_costs"].drop(columns="notes")
    typed = validate(PROGRAMME, tables, extract_date=synth.extract_date)
    assert "notes" in typed["programme_costs"].columns


def test_sex_and_ethnicity_are_optional(synth):
    tables = _tables(synth)
    tables["people"] = tables["people"].drop(columns=["sex", "ethnicity"])
    typed = validate(PROGRAMME, tables, extract_date=synth.extract_date)
    assert typed["people"]["sex"].isna().all() and typed["people"]["ethnicity"].isna().all()
