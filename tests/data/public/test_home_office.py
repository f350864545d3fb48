"""Home Office open data readers on small tables in the published layout (home_office/)."""

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.public import (
    CRIME_OUTCOMES,
    RECORDED_CRIME,
    calendar_quarter,
    read_crime_outcomes,
    read_recorded_crime,
    validate_crime_outcomes,
    validate_recorded_crime,
)
from analysis.errors import DataValidationError

HERE = Path(__file__).parent
CRIME = HERE / "home_office" / "recorded-crime.csv"
OUTCOMES = HERE / "home_office" / "outcomes.csv"
VARIANTS = HERE / "home_office_variants"


def dtype_names(layout):
    return {column.name: column.dtype for column in layout.columns}


def test_recorded_crime_has_the_fixed_tidy_columns_and_dtypes():
    crime = read_recorded_crime(CRIME)
    assert list(crime.columns) == [
        "financial_year",
        "financial_quarter",
        "force_name",
        "offence_description",
        "offence_group",
        "offence_subgroup",
        "offence_code",
        "number_of_offences",
    ]
    assert {name: str(dtype) for name, dtype in crime.dtypes.items()} == dtype_names(RECORDED_CRIME)
    assert str(crime["financial_year"].dtype) == "str"
    assert len(crime) == 16
    first = crime.iloc[0]
    assert (first["financial_year"], first["financial_quarter"]) == ("2023/24", 1)
    assert (first["force_name"], first["offence_code"], first["number_of_offences"]) == (
        "Dorset",
        "19C",
        182,
    )


def test_outcomes_have_the_fixed_tidy_columns_and_dtypes():
    outcomes = read_crime_outcomes(OUTCOMES)
    assert list(outcomes.columns) == [
        "financial_year",
        "financial_quarter",
        "force_name",
        "offence_description",
        "offence_group",
        "offence_subgroup",
        "offence_code",
        "outcome_description",
        "outcome_group",
        "outcome_type",
        "force_outcomes",
    ]
    assert {name: str(d) for name, d in outcomes.dtypes.items()} == dtype_names(CRIME_OUTCOMES)
    dorset_q1 = outcomes[
        (outcomes["force_name"] == "Dorset")
        & (outcomes["financial_quarter"] == 1)
        & (outcomes["offence_code"] == "19C")
    ]
    assert dict(zip(dorset_q1["outcome_type"], dorset_q1["force_outcomes"], strict=True)) == {
        "1": 9,
        "14": 21,
        "15": 64,
        "16": 38,
        "18": 7,
    }


def test_filters_keep_forces_case_insensitively_and_offence_codes():
    dorset = read_recorded_crime(CRIME, forces=["dorset"], offence_codes=["19F"])
    assert set(dorset["force_name"]) == {"Dorset"} and len(dorset) == 6
    assert list(dorset["force_name"].cat.categories) == ["Dorset"]
    city = read_recorded_crime(CRIME, forces="London, City of")
    assert city["number_of_offences"].tolist() == [3]
    assert read_crime_outcomes(OUTCOMES, forces=["Nowhere"]).empty


def test_a_folder_or_a_list_reads_every_csv_in_it(tmp_path):
    files = [VARIANTS / "recorded-crime-resaved.csv", CRIME]  # in the folder's (sorted) order
    both = read_recorded_crime(files)
    assert len(both) == 5 + 16
    for path in files:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    pd.testing.assert_frame_equal(read_recorded_crime(tmp_path), both)


def test_a_resaved_file_with_bom_crlf_other_case_and_thousands_separator_reads_the_same():
    resaved = read_recorded_crime(VARIANTS / "recorded-crime-resaved.csv")
    current = read_recorded_crime(CRIME).iloc[:4].reset_index(drop=True)
    pd.testing.assert_frame_equal(resaved.iloc[:4], current, check_categorical=False)
    assert resaved["number_of_offences"].iloc[4] == 1024


def test_the_earlier_outcomes_count_header_reads_the_same_values():
    earlier = read_crime_outcomes(VARIANTS / "outcomes-earlier-release.csv")
    current = read_crime_outcomes(OUTCOMES).iloc[:5].reset_index(drop=True)
    pd.testing.assert_frame_equal(earlier, current, check_categorical=False)


@pytest.mark.parametrize(
    ("reader", "path", "found", "expected"),
    [
        (
            read_recorded_crime,
            "recorded-crime-near-miss.csv",
            "Offence Sub-group",
            "Offence Subgroup",
        ),
        (read_crime_outcomes, "outcomes-near-miss.csv", "Outcome Code", "Outcome Type"),
    ],
)
def test_a_near_miss_header_is_rejected_naming_file_column_closest_and_fix(
    reader, path, found, expected
):
    with pytest.raises(DataValidationError) as caught:
        reader(VARIANTS / path)
    (problem,) = caught.value.problems
    assert problem.source.endswith(path) and problem.column == found
    assert f"closest expected '{expected}'" in problem.message
    assert f"rename it to '{expected}'" in problem.fix and "gov.uk" in problem.fix


def test_a_recorded_crime_file_is_not_an_outcomes_file():
    problems = validate_crime_outcomes(CRIME)
    missing = {problem.column for problem in problems}
    assert {"Outcome Description", "Outcome Group", "Outcome Type"} <= missing
    assert all("is missing" in problem.message for problem in problems)


def edited(tmp_path, source, edit):
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    edit(frame)
    path = tmp_path / source.name
    frame.to_csv(path, index=False)
    return path


def test_bad_years_quarters_and_counts_are_reported_with_spreadsheet_rows(tmp_path):
    def edit(frame):
        frame.loc[0, "Financial Year"] = "2023-24"  # spreadsheet row 2
        frame.loc[1, "Financial Year"] = "2023/25"  # row 3: years not consecutive
        frame.loc[2, "Financial Quarter"] = "Q1"  # row 4
        frame.loc[3, "Financial Quarter"] = "5"  # row 5
        frame.loc[4, "Number of Offences"] = "*"  # row 6
        frame.loc[5, "Number of Offences"] = "12.5"  # row 7

    problems = {p.column: p for p in validate_recorded_crime(edited(tmp_path, CRIME, edit))}
    assert (
        problems["Financial Year"].rows == (2, 3)
        and "2023/24" in problems["Financial Year"].message
    )
    assert problems["Financial Quarter"].rows == (4, 5)
    assert "April to June" in problems["Financial Quarter"].fix
    assert problems["Number of Offences"].rows == (6, 7)
    assert all(p.source.endswith("recorded-crime.csv") for p in problems.values())
    with pytest.raises(DataValidationError, match="Number of Offences"):
        read_recorded_crime(edited(tmp_path, CRIME, edit))


def test_an_empty_cell_is_reported_and_a_negative_count_kept_as_published(tmp_path):
    path = edited(tmp_path, OUTCOMES, lambda frame: frame.__setitem__("Outcome Type", ""))
    (problem,) = validate_crime_outcomes(path)
    assert (
        problem.column == "Outcome Type" and problem.n_rows == 13 and "is empty" in problem.message
    )

    def negative(frame):
        frame.loc[0, "Number of Offences"] = "-2"

    crime = read_recorded_crime(edited(tmp_path, CRIME, negative))
    assert crime["number_of_offences"].iloc[0] == -2


def test_missing_files_and_spreadsheets_are_named(tmp_path):
    (missing,) = validate_recorded_crime(tmp_path / "absent.csv")
    assert "does not exist" in missing.message
    sheet = tmp_path / "prc-pfa-tables.ods"
    sheet.write_bytes(b"PK")
    (spreadsheet,) = validate_recorded_crime(sheet)
    assert "spreadsheet" in spreadsheet.message and "CSV" in spreadsheet.fix
    (empty,) = validate_crime_outcomes(tmp_path)
    assert "no CSV files" in empty.message


def test_calendar_quarter_starts_the_financial_year_in_april():
    outcomes = read_crime_outcomes(OUTCOMES, forces=["Dorset"], offence_codes=["19C"])
    quarters = calendar_quarter(outcomes["financial_year"], outcomes["financial_quarter"])
    assert sorted(quarters.astype(str).unique()) == ["2023Q2", "2023Q3"]
