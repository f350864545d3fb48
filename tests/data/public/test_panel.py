"""The DuckDB crime panel equals the pandas reader's groupby, and stays small in memory."""

import hashlib
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from analysis.data.public import read_street
from analysis.data.public.panel import count_street_crimes, street_files
from analysis.errors import ConfigError, DataValidationError

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
CRIME_TYPES = ["Anti-social behaviour", "Burglary", "Shoplifting", "Violence and sexual offences"]
FORCES = {"dorset": "Dorset Police", "hampshire": "Hampshire Constabulary", "kent": "Kent Police"}


def street_month(force: str, month: str, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """One force-month of street-level crimes in the published layout (some unlocated)."""
    crime_type = rng.choice(CRIME_TYPES, size=rows)
    lsoa = np.array([f"E01{n:06d}" for n in rng.integers(0, 40, size=rows)], dtype=object)
    unlocated = rng.random(rows) < 0.05
    ids = [
        "" if kind == "Anti-social behaviour" else hashlib.sha256(f"{force}{month}{i}".encode())
        for i, kind in enumerate(crime_type)
    ]
    name = FORCES[force]
    return pd.DataFrame(
        {
            "Crime ID": [i if i == "" else i.hexdigest() for i in ids],
            "Month": month,
            "Reported by": name,
            "Falls within": name,
            "Longitude": np.where(unlocated, np.nan, rng.uniform(-2, -1, rows).round(6)),
            "Latitude": np.where(unlocated, np.nan, rng.uniform(50, 51, rows).round(6)),
            "Location": np.where(unlocated, "No Location", "On or near High Street"),
            "LSOA code": np.where(unlocated, "", lsoa),
            "LSOA name": np.where(unlocated, "", "Somewhere 001A"),
            "Crime type": crime_type,
            "Last outcome category": "",
            "Context": "",
        }
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Three forces, three months, as the archive unpacks; some files re-saved.

    Re-saved: one with a byte-order mark, one with its columns reordered, one with Windows
    line endings; one has quoted text holding commas and quotes.
    """
    folder = tmp_path_factory.mktemp("police_uk")
    rng = np.random.default_rng(7)
    for month in ("2024-01", "2024-02", "2024-03"):
        (folder / month).mkdir()
        for force in FORCES:
            frame = street_month(force, month, int(rng.integers(50, 300)), rng)
            path = folder / month / f"{month}-{force}-street.csv"
            encoding = "utf-8-sig" if (force, month) == ("kent", "2024-02") else "utf-8"
            if (force, month) == ("hampshire", "2024-03"):  # re-saved with columns reordered
                frame = frame[frame.columns[::-1]]
            if (force, month) == ("dorset", "2024-01"):
                frame["Location"] = 'On or near "The Square", Bournemouth'
            newline = "\n"
            if (force, month) == ("kent", "2024-03"):  # Windows line ends after a panel column
                frame = frame[[c for c in frame.columns if c != "Crime type"] + ["Crime type"]]
                newline = "\r\n"
            frame.to_csv(path, index=False, encoding=encoding, lineterminator=newline)
    return folder


def pandas_panel(folder, **filters) -> pd.DataFrame:
    """The same panel through the pandas reader: every row loaded, then grouped."""
    street = read_street(folder, **filters)
    panel = (
        street.astype({"lsoa_code": "object", "crime_type": "object"})
        .groupby(["lsoa_code", "month", "crime_type"], dropna=False)
        .size()
        .rename("crimes")
        .reset_index()
    )
    panel["crimes"] = panel["crimes"].astype("int64")
    return panel.sort_values(["month", "lsoa_code", "crime_type"], ignore_index=True)


def comparable(panel: pd.DataFrame) -> pd.DataFrame:
    out = panel.copy()
    out["lsoa_code"] = out["lsoa_code"].astype(object).where(out["lsoa_code"].notna(), None)
    out["crime_type"] = out["crime_type"].astype(object)
    return out


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"forces": ["dorset"]},
        {"forces": ["Hampshire Constabulary", "kent"], "start": "2024-02"},
        {"end": "2024-01"},
    ],
)
def test_duckdb_panel_equals_the_pandas_groupby(archive, filters):
    expected = pandas_panel(archive, **filters)
    got = count_street_crimes(archive, **filters)
    assert got["month"].dtype == expected["month"].dtype == "period[M]"
    pd.testing.assert_frame_equal(comparable(got), comparable(expected))
    assert got["lsoa_code"].isna().any(), "unlocated crimes are kept, not dropped"


def test_parquet_copy_of_the_archive_gives_the_same_panel(archive, tmp_path):
    for path in street_files(archive):
        target = tmp_path / path.parent.name / (path.stem + ".parquet")
        target.parent.mkdir(exist_ok=True)
        pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").to_parquet(target)
    pd.testing.assert_frame_equal(
        comparable(count_street_crimes(tmp_path)), comparable(count_street_crimes(archive))
    )


def test_a_missing_column_names_the_file_and_the_fix(tmp_path):
    (tmp_path / "2024-01").mkdir()
    frame = street_month("dorset", "2024-01", 10, np.random.default_rng(1))
    frame.rename(columns={"Crime type": "Crime category"}).to_csv(
        tmp_path / "2024-01" / "2024-01-dorset-street.csv", index=False
    )
    with pytest.raises(DataValidationError) as caught:
        count_street_crimes(tmp_path)
    text = str(caught.value)
    assert "2024-01-dorset-street.csv" in text
    assert "'Crime type' is missing" in text
    assert "validate_street" in text


def test_no_matching_files_is_an_error(archive):
    with pytest.raises(DataValidationError, match="no YYYY-MM-<force>-street"):
        count_street_crimes(archive, forces=["cumbria"])


def test_a_bad_memory_limit_is_refused_before_sql(archive):
    with pytest.raises(ConfigError, match="memory_limit '1GB; DROP' is not a size"):
        count_street_crimes(archive, memory_limit="1GB; DROP")


MEASURE = textwrap.dedent(
    """
    import resource, sys, time
    from analysis.data.public.panel import count_street_crimes
    started = time.perf_counter()
    panel = count_street_crimes(sys.argv[1], memory_limit="256MB")
    print(int(panel["crimes"].sum()), len(panel), time.perf_counter() - started)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)


@pytest.mark.slow
def test_peak_memory_stays_bounded_on_a_national_archive(tmp_path):
    """43 forces x 24 months x 3,000 rows (3.1 million rows): peak RSS under 400 MiB.

    Measured: 252 MiB, of which 151 MiB is importing pandas and DuckDB.
    """
    rng = np.random.default_rng(11)
    template = street_month("dorset", "2024-01", 3000, rng).to_csv(index=False)
    body = template.split("\n", 1)[1]
    rows = 0
    for m in range(24):
        month = f"{2023 + m // 12}-{m % 12 + 1:02d}"
        (tmp_path / month).mkdir()
        for f in range(43):
            (tmp_path / month / f"{month}-force{f:02d}-street.csv").write_text(
                ",".join(HEADER) + "\n" + body.replace("2024-01", month)
            )
            rows += 3000
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    *_, counted, peak = result.stdout.strip().splitlines()
    total, cells, seconds = counted.split()
    peak_kib = peak.strip()
    assert int(total) == rows
    peak_mib = int(peak_kib) / 1024
    print(f"{rows:,} rows, {int(cells):,} cells in {float(seconds):.1f} s, peak {peak_mib:.0f} MiB")
    assert peak_mib < 400, f"peak RSS {peak_mib:.0f} MiB"
