"""Validation of in-memory tables: types, column matching, rules, and the pandera schema."""

import pandas as pd
import pandera.pandas as pa
import pytest

from analysis.data import pandera_schema, validate
from analysis.data.contracts import get_contract
from analysis.data.schema import Column, Contract, TableSpec
from analysis.data.validation import match_columns, spreadsheet_column
from analysis.errors import ConfigError, DataValidationError


def premises(**changes):
    table = pd.DataFrame(
        {
            "premises_id": ["P1", "P2", "P3"],
            "premises_type": ["pub", "Night Club", "bar"],
            "area": ["Poole", "Bournemouth", "purbeck"],
            "capacity_band": ["under_50", "500_plus", "50_149"],
            "late_licence": ["N", "Y", "0"],
            "signup_date": ["01/05/2025", "", "2025-06-30"],
        }
    )
    return table.assign(**changes)


def assessments(**changes):
    table = pd.DataFrame(
        {
            "assessment_id": ["A1", "A1", "A2"],
            "premises_id": ["P1", "P1", "P3"],
            "assessment_date": ["02/05/2025", "02/05/2025", "01/07/2025"],
            "domain": ["cctv", "drugs", "cctv"],
            "score": ["50", "75.5", "100"],
        }
    )
    return table.assign(**changes)


def incidents(**changes):
    table = pd.DataFrame(
        {
            "incident_id": ["I1", "I2"],
            "premises_id": ["P2", ""],
            "area": ["Bournemouth", "Poole"],
            "incident_date": ["24/12/2025", "01/01/2026"],
            "category": ["violence_with_injury", "theft"],
            "night_time_economy": ["true", "false"],
        }
    )
    return table.assign(**changes)


def lsavi(**tables):
    base = {"premises": premises(), "self_assessments": assessments(), "incidents": incidents()}
    base.update(tables)
    return base


def problems(tables, extract_date="2026-07-15"):
    with pytest.raises(DataValidationError) as error:
        validate("lsavi", tables, extract_date=extract_date)
    return error.value.problems


def test_clean_tables_are_typed_and_not_pseudonymised():
    typed = validate("lsavi", lsavi(), extract_date="2026-07-15")
    table = typed["premises"]
    assert table["premises_id"].tolist() == ["P1", "P2", "P3"]  # raw: validate does not hash
    assert table["premises_type"].tolist() == ["pub", "nightclub", "bar"]
    assert table["area"].tolist() == ["Poole", "Bournemouth", "Purbeck"]
    assert table["late_licence"].tolist() == [False, True, False]
    assert str(table["late_licence"].dtype) == "bool"
    assert table["signup_date"].tolist()[0] == pd.Timestamp("2025-05-01")
    assert pd.isna(table["signup_date"][1])
    assert typed["self_assessments"]["score"].tolist() == [50.0, 75.5, 100.0]
    assert pd.isna(typed["incidents"]["premises_id"][1])


def test_composite_key_duplicates():
    repeated = assessments(domain=["cctv", "cctv", "cctv"])
    found = problems(lsavi(self_assessments=repeated))
    assert len(found) == 1
    assert (found[0].column, found[0].rows) == ("assessment_id, domain", (2, 3))
    assert "same assessment_id + domain" in found[0].message


def test_nullable_foreign_key_ignores_blanks_but_not_orphans():
    found = problems(lsavi(incidents=incidents(premises_id=["P9", ""])))
    assert [(p.table, p.column, p.rows) for p in found] == [("incidents", "premises_id", (2,))]


def test_bounds_and_programme_rules_together():
    found = problems(lsavi(self_assessments=assessments(score=["50", "101", "-1"])))
    assert [(p.column, p.rows) for p in found] == [("score", (4,)), ("score", (3,))]
    assert "above the maximum 100" in found[1].message


def test_programme_rule_from_the_contract_runs():
    early = assessments(assessment_date=["02/05/2025", "02/05/2025", "01/06/2025"])
    found = problems(lsavi(self_assessments=early))
    assert [(p.column, p.rows) for p in found] == [("assessment_date", (4,))]
    assert "before their premises' signup_date" in found[0].message


def test_missing_table():
    tables = lsavi()
    del tables["incidents"]
    found = problems(tables)
    assert [(p.table, p.message) for p in found] == [("incidents", "table 'incidents' is missing")]


def test_unknown_columns_are_dropped_with_a_warning(caplog):
    extra = premises(licence_holder_name=["A. Person", "B. Person", "C. Person"])
    typed = validate("lsavi", lsavi(premises=extra), extract_date="2026-07-15")
    assert "licence_holder_name" not in typed["premises"]
    assert "column(s) not in the premises contract were ignored: 'licence_holder_name'" in (
        caplog.text
    )


def test_problem_sources_name_where_tables_came_from():
    found = problems(
        lsavi(premises=premises(area=["Poole", "Atlantis", "Poole"])),
    )
    assert str(found[0]).startswith("premises, column 'area'")
    with pytest.raises(DataValidationError) as error:
        validate(
            "lsavi",
            lsavi(premises=premises(area=["Poole", "Atlantis", "Poole"])),
            extract_date="2026-07-15",
            sources={"premises": "licensing.xlsx"},
        )
    assert str(error.value.problems[0]).startswith("licensing.xlsx, column 'area'")


def test_extract_date_must_be_a_date():
    with pytest.raises(ConfigError, match="is not a date"):
        validate("lsavi", lsavi(), extract_date="soon")


TOY = Contract(
    "toy",
    "Toy",
    [
        TableSpec(
            "things",
            "One row per thing.",
            [
                Column("thing_id", "id", "Thing.", unique=True, identifier=True),
                Column("count", "int", "How many.", min=0),
                Column("visits", "int", "Visits.", required=False, default=0),
                Column("note", "str", "Note.", required=False, nullable=True),
                Column("seen", "date", "Seen.", nullable=True, not_after_extract=True),
            ],
        )
    ],
)


def test_missing_optional_columns_get_typed_defaults(caplog):
    typed = validate(
        TOY, {"things": pd.DataFrame({"thing_id": ["a"], "count": ["2"], "seen": [""]})}
    )
    things = typed["things"]
    assert things["visits"].tolist() == [0]
    assert str(things["visits"].dtype) == "int64"
    assert things["note"].isna().all()
    assert "optional column 'visits' is missing; every row gets the default (0)" in caplog.text


def test_near_miss_of_an_optional_column_is_a_problem():
    frame = pd.DataFrame({"thing_id": ["a"], "count": ["2"], "seen": [""], "visit": ["3"]})
    with pytest.raises(DataValidationError, match="optional column 'visits' is missing; column "):
        validate(TOY, {"things": frame})


def test_match_columns_ignores_case_spaces_and_underscores():
    spec = TOY.table("things")
    match = match_columns(["THING ID", "Count", "Seen"], spec, "things.csv")
    assert match.positions == {"thing_id": 0, "count": 1, "seen": 2}
    assert match.problems == []


def test_spreadsheet_columns():
    assert [spreadsheet_column(i) for i in (0, 1, 25, 26, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_pandera_schema_from_the_contract():
    spec = get_contract("op_focus").table("crimes")
    schema = pandera_schema(spec, extract_date=pd.Timestamp("2026-09-30"))
    assert isinstance(schema, pa.DataFrameSchema)
    assert set(schema.columns) == {c.name for c in spec.columns}
    assert schema.columns["crime_id"].unique
    assert schema.columns["arrest_date"].nullable
    names = [check.name for check in schema.columns["outcome_code"].checks]
    assert names == ["allowed", "min", "max"]
    assert {check.name for check in schema.checks} == {
        "not_before:recorded_date:offence_date",
        "not_before:arrest_date:offence_date",
        "not_before:outcome_date:recorded_date",
    }


def test_pandera_schema_accepts_typed_tables():
    typed = validate("lsavi", lsavi(), extract_date="2026-07-15")
    for name, table in typed.items():
        spec = get_contract("lsavi").table(name)
        pandera_schema(spec, extract_date=pd.Timestamp("2026-07-15")).validate(table)
