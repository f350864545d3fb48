"""police.uk readers on small files in the published layout (tests/data/public/police_uk/)."""

import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.public import police_uk
from analysis.data.public.police_uk import (
    OUTCOMES,
    STREET,
    read_outcomes,
    read_street,
    validate_outcomes,
    validate_street,
)
from analysis.errors import ConfigError, DataValidationError

HERE = Path(__file__).parent
ARCHIVE = HERE / "police_uk"
VARIANTS = HERE / "police_uk_variants"
JAN_STREET = ARCHIVE / "2024-01" / "2024-01-dorset-street.csv"
FEB_STREET = ARCHIVE / "2024-02" / "2024-02-dorset-street.csv"


def dtype_names(layout):
    return {column.name: column.dtype for column in layout.columns}


def test_street_columns_and_dtypes_are_the_documented_ones():
    street = read_street(ARCHIVE)
    assert list(street.columns) == [column.name for column in STREET.columns]
    assert {name: str(dtype) for name, dtype in street.dtypes.items()} == dtype_names(STREET)
    assert len(street) == 6 + 4 + 2  # Dorset January, Dorset February, Hampshire January
    assert street["month"].is_monotonic_increasing


def test_anti_social_behaviour_has_no_crime_id_and_every_crime_has_one():
    street = read_street(ARCHIVE)
    asb = street["crime_type"] == "Anti-social behaviour"
    assert asb.sum() == 4
    assert street.loc[asb, "crime_id"].isna().all()
    assert street.loc[asb, "last_outcome_category"].isna().all()
    assert street.loc[~asb, "crime_id"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_unlocated_crimes_are_kept_with_empty_coordinates_and_lsoa():
    street = read_street(ARCHIVE, forces=["dorset"])
    located = street["location"].astype(str).str.startswith("On or near ")
    unlocated = street.loc[~located]
    assert (unlocated["location"] == "No Location").all() and len(unlocated) == 2
    assert unlocated[["longitude", "latitude", "lsoa_code", "lsoa_name"]].isna().all().all()
    assert street.loc[located, ["longitude", "latitude", "lsoa_code"]].notna().all().all()
    assert street.loc[located, "lsoa_code"].astype(str).str.fullmatch(r"E01\d{6}").all()


def test_forces_are_filtered_by_file_name_before_reading(monkeypatch):
    opened = []
    read = police_uk.read_layout_csv

    def spy(open_file, layout, *, source, table):
        opened.append(source)
        return read(open_file, layout, source=source, table=table)

    monkeypatch.setattr(police_uk, "read_layout_csv", spy)
    street = read_street(ARCHIVE, forces=["Dorset"])
    assert set(street["falls_within"]) == {"Dorset Police"}
    assert opened and not any("hampshire" in source for source in opened)
    by_name = read_street(ARCHIVE, forces=["Hampshire Constabulary", "Dorset Police"])
    assert set(by_name["falls_within"]) == {"Dorset Police", "Hampshire Constabulary"}


def test_months_are_filtered_inclusively():
    february = read_street(ARCHIVE, start="2024-02", end="2024-02")
    assert set(february["month"].astype(str)) == {"2024-02"}
    assert len(read_street(ARCHIVE, end="2024-01")) == 8
    with pytest.raises(ConfigError, match="YYYY-MM"):
        read_street(ARCHIVE, start="Jan 2024")


def test_asking_for_a_force_the_source_lacks_names_what_it_has():
    with pytest.raises(DataValidationError) as caught:
        read_street(ARCHIVE, forces=["devon-and-cornwall"])
    message = str(caught.value)
    assert "devon-and-cornwall" in message and "['dorset', 'hampshire']" in message
    assert "2024-01 to 2024-02" in message and "Fix:" in message


def test_the_archive_zip_reads_exactly_as_the_folder(tmp_path):
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(ARCHIVE.rglob("*.csv")):
            bundle.write(path, path.relative_to(ARCHIVE).as_posix())
    pd.testing.assert_frame_equal(
        read_street(archive, forces=["dorset"]), read_street(ARCHIVE, forces=["dorset"])
    )
    pd.testing.assert_frame_equal(read_outcomes(archive), read_outcomes(ARCHIVE))


def test_single_files_read_alone_or_together():
    january = read_street(JAN_STREET)
    assert len(january) == 6
    both = read_street([JAN_STREET, FEB_STREET])
    pd.testing.assert_frame_equal(both, read_street(ARCHIVE, forces=["dorset"]))


def test_a_file_named_otherwise_is_filtered_on_falls_within(tmp_path):
    renamed = tmp_path / "hampshire january.csv"
    shutil.copy(ARCHIVE / "2024-01" / "2024-01-hampshire-street.csv", renamed)
    dorset = tmp_path / "dorset.csv"
    shutil.copy(JAN_STREET, dorset)
    street = read_street([renamed, dorset], forces=["hampshire"])
    assert set(street["falls_within"]) == {"Hampshire Constabulary"} and len(street) == 2


def test_outcome_categories_that_change_month_to_month_stay_categorical():
    outcomes = read_outcomes(ARCHIVE)
    assert list(outcomes.columns) == [column.name for column in OUTCOMES.columns]
    assert {name: str(dtype) for name, dtype in outcomes.dtypes.items()} == dtype_names(OUTCOMES)
    by_month = outcomes.groupby("month", observed=True)["outcome_type"].agg(set)
    january, february = by_month.iloc[0], by_month.iloc[1]
    assert "Offender given a caution" in january - february
    assert "Suspect charged" in february - january
    assert outcomes["outcome_type"].notna().all()
    street = read_street(ARCHIVE, forces=["dorset"])
    assert street["last_outcome_category"].dtype.name == "category"
    assert "Awaiting court outcome" in set(street["last_outcome_category"].cat.categories)


def test_outcomes_join_to_the_month_the_crime_was_recorded():
    street = read_street(ARCHIVE, forces=["dorset"])
    outcomes = read_outcomes(ARCHIVE, forces=["dorset"])
    joined = outcomes.merge(street[["crime_id", "month"]], on="crime_id", suffixes=("", "_crime"))
    assert len(joined) == len(outcomes)
    assert (joined["month_crime"] <= joined["month"]).all()
    assert (joined["month_crime"] < joined["month"]).sum() == 1


def test_a_spreadsheet_resaved_file_is_accepted():
    """Byte-order mark, CRLF line ends, and 'LSOA Code'/'Crime Type' in another case."""
    resaved = read_street(VARIANTS / "2024-03-dorset-street.csv")
    assert list(resaved.columns) == [column.name for column in STREET.columns]
    assert resaved["crime_type"].tolist() == ["Robbery", "Anti-social behaviour"]
    assert resaved["lsoa_code"].tolist() == ["E01015234", "E01015234"]


def test_a_near_miss_header_is_rejected_naming_file_column_closest_name_and_fix():
    near_miss = VARIANTS / "2024-03-dorset-near-miss-street.csv"
    with pytest.raises(DataValidationError) as caught:
        read_street(near_miss)
    (problem,) = caught.value.problems
    assert problem.source.endswith("2024-03-dorset-near-miss-street.csv")
    assert problem.column == "Crime category"
    assert "closest expected 'Crime type'" in problem.message
    assert "rename it to 'Crime type'" in problem.fix
    assert validate_street(near_miss) == caught.value.problems


def write_street(path, edit):
    text = JAN_STREET.read_text()
    path.write_text(edit(text))
    return path


def test_a_missing_column_is_named(tmp_path):
    def drop_context(text):
        return "\n".join(line.rsplit(",", 1)[0] for line in text.splitlines()) + "\n"

    path = write_street(tmp_path / "2024-01-dorset-street.csv", drop_context)
    (problem,) = validate_street(path)
    assert problem.column == "Context" and "is missing" in problem.message


def test_bad_values_are_reported_with_their_spreadsheet_rows(tmp_path):
    lines = JAN_STREET.read_text().splitlines()
    lines[2] = lines[2].replace("-1.878211", "west")  # row 3: longitude
    lines[3] = lines[3].replace("E01015445", "Poole 021C")  # row 4: LSOA code
    lines[6] = lines[6].replace("2024-01", "2024-02", 1)  # row 7: another month than the name
    path = tmp_path / "2024-01-dorset-street.csv"
    path.write_text("\n".join(lines) + "\n")
    problems = {problem.column: problem for problem in validate_street(path)}
    assert set(problems) == {"Longitude", "LSOA code", "Month"}
    assert problems["Longitude"].rows == (3,)
    assert problems["LSOA code"].rows == (4,)
    assert problems["Month"].rows == (7,) and "2024-01" in problems["Month"].message
    for problem in problems.values():
        assert problem.source.endswith("2024-01-dorset-street.csv") and problem.fix


def test_an_outcome_without_its_crime_id_is_rejected(tmp_path):
    source = ARCHIVE / "2024-01" / "2024-01-dorset-outcomes.csv"
    lines = source.read_text().splitlines()
    lines[2] = re.sub(r"^[0-9a-f]{64}", "", lines[2])
    path = tmp_path / "2024-01-dorset-outcomes.csv"
    path.write_text("\n".join(lines) + "\n")
    (problem,) = validate_outcomes(path)
    assert problem.column == "Crime ID" and problem.rows == (3,)


def test_a_missing_source_and_a_broken_zip_are_named(tmp_path):
    broken = tmp_path / "archive.zip"
    broken.write_bytes(b"not a zip")
    problems = validate_street([tmp_path / "nowhere", broken])
    assert [p.message for p in problems] == ["does not exist", "is not a readable zip file"]
    assert validate_street(ARCHIVE) == []
