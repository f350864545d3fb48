"""The Operation Focus contract accepts the synthetic extract and names what is wrong with
broken ones."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data import validate
from analysis.data.contracts import get_contract
from analysis.data.contracts.op_focus import CONTRACT, cross_column_problems
from analysis.errors import DataValidationError
from analysis.synthetic import generate


@pytest.fixture(scope="module")
def synth():
    return generate("op_focus", seed=11, scale=0.2)


def _tables(synth):
    return {name: frame.copy() for name, frame in synth.tables.items()}


def _problems(synth, tables):
    with pytest.raises(DataValidationError) as caught:
        validate("op_focus", tables, extract_date=synth.extract_date)
    return caught.value.problems


def test_contract_is_registered_with_its_identifiers():
    assert get_contract("op_focus") is CONTRACT
    assert CONTRACT.table_names == ["suspects", "crimes"]
    identifiers = {t.name: t.identifiers for t in CONTRACT.tables}
    assert identifiers == {
        "suspects": ["suspect_id"],
        "crimes": ["crime_id", "suspect_id", "victim_id"],
    }
    outcome = CONTRACT.table("crimes").column("outcome_code")
    assert sorted(outcome.allowed) == list(range(23))


def test_synthetic_extract_validates(synth):
    typed = validate("op_focus", synth.tables, extract_date=synth.extract_date)
    assert typed["suspects"]["focus_flag"].dtype == bool
    assert typed["crimes"]["arrest_date"].dtype.kind == "M"
    assert len(typed["crimes"]) == len(synth.tables["crimes"])
    assert cross_column_problems(typed) == []


def test_focus_perpetrator_without_focus_date_is_named(synth):
    tables = _tables(synth)
    suspects = tables["suspects"]
    position = int(suspects["focus_flag"].to_numpy().argmax())
    suspects.loc[suspects.index[position], "focus_date"] = pd.NaT
    suspects.loc[suspects.index[position], "focus_end_date"] = pd.NaT
    matching = [p for p in _problems(synth, tables) if "without a focus_date" in p.message]
    assert len(matching) == 1
    problem = matching[0]
    assert problem.table == "suspects" and problem.column == "focus_date"
    assert problem.rows == (position + 2,) and problem.n_rows == 1
    assert "focus_flag" in problem.fix


def test_focus_date_for_a_suspect_not_in_focus_is_named(synth):
    tables = _tables(synth)
    suspects = tables["suspects"]
    position = int((~suspects["focus_flag"]).to_numpy().argmax())
    suspects.loc[suspects.index[position], "focus_date"] = pd.Timestamp("2026-04-02")
    messages = [p.message for p in _problems(synth, tables)]
    assert any("(focus_flag false) with a focus_date" in m for m in messages)


def test_pending_outcome_with_a_date_and_final_outcome_without_one(synth):
    tables = _tables(synth)
    crimes = tables["crimes"]
    pending = int(crimes["outcome_code"].eq(0).to_numpy().argmax())
    final = int(crimes["outcome_code"].ne(0).to_numpy().argmax())
    crimes.loc[crimes.index[pending], "outcome_date"] = crimes.loc[
        crimes.index[pending], "recorded_date"
    ]
    crimes.loc[crimes.index[final], "outcome_date"] = pd.NaT
    problems = {p.message.split(" ", 1)[1]: p for p in _problems(synth, tables)}
    with_date = problems["pending crimes (outcome_code 0) with an outcome_date"]
    without = problems["crimes with a final outcome (code 1-22) but no outcome_date"]
    assert with_date.rows == (pending + 2,) and without.rows == (final + 2,)
    assert with_date.column == without.column == "outcome_date"


def test_outcome_code_23_and_outcome_before_recording_are_reported_together(synth):
    tables = _tables(synth)
    crimes = tables["crimes"]
    final = crimes.index[crimes["outcome_code"].ne(0)]
    crimes.loc[final[0], "outcome_code"] = 23
    crimes.loc[final[1], "outcome_date"] = crimes.loc[final[1], "recorded_date"] - pd.Timedelta(
        days=5
    )
    problems = _problems(synth, tables)
    columns = {p.column for p in problems}
    assert {"outcome_code", "outcome_date"} <= columns
    code_problem = next(p for p in problems if p.column == "outcome_code")
    assert code_problem.rows[0] == crimes.index.get_loc(final[0]) + 2


def test_crime_of_an_unknown_suspect_is_named(synth):
    tables = _tables(synth)
    tables["crimes"].loc[tables["crimes"].index[3], "suspect_id"] = "S999999"
    problems = [p for p in _problems(synth, tables) if p.column == "suspect_id"]
    assert problems and problems[0].table == "crimes"
    assert problems[0].rows == (5,)


def test_missing_optional_focus_end_date_column_is_defaulted_to_blank(synth):
    tables = _tables(synth)
    tables["suspects"] = tables["suspects"].drop(columns="focus_end_date")
    typed = validate("op_focus", tables, extract_date=synth.extract_date)
    assert typed["suspects"]["focus_end_date"].isna().all()


def test_extract_without_sex_and_ethnicity_still_loads(synth):
    tables = _tables(synth)
    tables["suspects"] = tables["suspects"].drop(columns=["sex", "ethnicity"])
    typed = validate("op_focus", tables, extract_date=synth.extract_date)
    assert typed["suspects"]["sex"].isna().all() and typed["suspects"]["ethnicity"].isna().all()


def test_ethnicity_outside_the_five_groups_is_named(synth):
    tables = _tables(synth)
    tables["suspects"].loc[tables["suspects"].index[0], "ethnicity"] = "White British"
    problems = [p for p in _problems(synth, tables) if p.column == "ethnicity"]
    assert len(problems) == 1 and problems[0].rows == (2,)
