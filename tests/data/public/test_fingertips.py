"""Fingertips reader on small exports in the published layout (tests/data/public/fingertips/)."""

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.public.fingertips import INDICATORS, read_indicators, validate_indicators
from analysis.errors import DataValidationError

HERE = Path(__file__).parent
EXPORT = HERE / "fingertips" / "indicators.csv"
VARIANTS = HERE / "fingertips_variants"


def test_columns_and_dtypes_are_the_documented_ones():
    indicators = read_indicators(EXPORT)
    assert list(indicators.columns) == [column.name for column in INDICATORS.columns]
    documented = {column.name: column.dtype for column in INDICATORS.columns}
    assert {name: str(dtype) for name, dtype in indicators.dtypes.items()} == documented
    assert len(indicators) == 8
    england = indicators.loc[indicators["area_code"] == "E92000001"].iloc[0]
    assert (england["value"], england["lower_ci_95"], england["upper_ci_95"]) == (41.9, 41.6, 42.2)
    assert (england["count"], england["denominator"]) == (70587, 168437802)
    assert england["time_period_sortable"] == 20190000
    assert pd.isna(england["parent_code"])


def test_a_suppressed_value_is_missing_with_its_reason_not_zero():
    indicators = read_indicators(EXPORT, areas=["E06000059"])
    suppressed = indicators.loc[indicators["value"].isna()]
    assert len(suppressed) == 1
    assert suppressed[["lower_ci_95", "upper_ci_95", "count"]].isna().all().all()
    assert suppressed["denominator"].iloc[0] == 1139713
    assert "suppressed" in suppressed["value_note"].iloc[0]


def test_filters_keep_the_indicators_and_areas_asked_for():
    dorset = read_indicators(EXPORT, indicators=[11201], areas=["E06000058", "E06000059"])
    assert set(dorset["area_code"]) == {"E06000058", "E06000059"} and len(dorset) == 4
    assert list(dorset["area_code"].cat.categories) == ["E06000058", "E06000059"]
    assert read_indicators(EXPORT, indicators=[90000]).empty


def comparable(frame):
    columns = [c.name for c in INDICATORS.columns if c.required] + ["compared_to_england"]
    return frame[columns].reset_index(drop=True)


def test_an_earlier_release_with_another_comparison_header_reads_the_same_values():
    """Its parent comparison column is worded after the parent type, and it lacks the
    columns later releases added; the values read are the same."""
    earlier = read_indicators(VARIANTS / "indicators-earlier-release.csv")
    assert "time_period_sortable" not in earlier and "compared_to_goal" not in earlier
    assert not any("region" in name for name in earlier.columns)
    current = read_indicators(EXPORT).iloc[:4]
    pd.testing.assert_frame_equal(comparable(earlier), comparable(current), check_categorical=False)


def test_the_fingertipsR_layout_without_spaces_reads_the_same_frame():
    from_r = read_indicators(VARIANTS / "indicators-fingertipsR.csv")
    current = read_indicators(EXPORT).iloc[:4].reset_index(drop=True)
    pd.testing.assert_frame_equal(from_r, current, check_categorical=False)


def test_a_near_miss_header_is_rejected_naming_file_column_closest_name_and_fix():
    near_miss = VARIANTS / "indicators-near-miss.csv"
    with pytest.raises(DataValidationError) as caught:
        read_indicators(near_miss)
    (problem,) = caught.value.problems
    assert problem.source.endswith("indicators-near-miss.csv")
    assert problem.column == "Lower CI 95 limit"
    assert "closest expected 'Lower CI 95.0 limit'" in problem.message
    assert "rename it to 'Lower CI 95.0 limit'" in problem.fix
    assert "Lower CI 95 limit" in str(caught.value)


def edited(tmp_path, edit):
    frame = pd.read_csv(EXPORT, dtype=str, keep_default_na=False)
    edit(frame)
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return path


def set_cell(row, column, value):
    def edit(frame):
        frame.loc[row, column] = value

    return edit


def test_a_required_column_missing_is_named(tmp_path):
    path = edited(tmp_path, lambda frame: frame.pop("Denominator"))
    (problem,) = validate_indicators(path)
    assert problem.column == "Denominator" and "is missing" in problem.message


def test_values_that_are_not_numbers_are_reported_with_rows(tmp_path):
    def edit(frame):
        frame.loc[2, "Value"] = "*"  # spreadsheet row 4
        frame.loc[5, "Count"] = "n/a"  # row 7

    problems = {problem.column: problem for problem in validate_indicators(edited(tmp_path, edit))}
    assert problems["Value"].rows == (4,) and "Value note" in problems["Value"].fix
    assert problems["Count"].rows == (7,)


def test_a_value_outside_its_confidence_limits_is_reported(tmp_path):
    def swap_limits(frame):
        row = 3  # spreadsheet row 5
        frame.loc[row, ["Lower CI 95.0 limit", "Value"]] = frame.loc[
            row, ["Value", "Lower CI 95.0 limit"]
        ].to_numpy()

    (problem,) = validate_indicators(edited(tmp_path, swap_limits))
    assert problem.column == "Value" and problem.rows == (5,)
    assert "confidence limits" in problem.message


def test_a_row_without_its_area_code_is_reported(tmp_path):
    path = edited(tmp_path, set_cell(1, "Area Code", ""))
    (problem,) = validate_indicators(path)
    assert problem.column == "Area Code" and problem.rows == (3,)
    assert "is empty" in problem.message


def test_a_negative_count_is_reported(tmp_path):
    path = edited(tmp_path, set_cell(0, "Count", "-3"))
    (problem,) = validate_indicators(path)
    assert problem.column == "Count" and problem.rows == (2,)
    assert validate_indicators(EXPORT) == []
