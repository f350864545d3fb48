"""police.uk at archive scale: the LSOA x month x crime-type panel of up to 30 million rows.

A generated archive in the published layout (``YYYY-MM/YYYY-MM-<force>-street.csv``,
all twelve published columns, 64-character Crime IDs, blank for anti-social behaviour,
about 5% of crimes unlocated) of 43 forces x 60 months x 11,628 rows: 30.0 million rows,
about 7.5 GB of CSV. Each force has its own 800 LSOAs, used with a skewed frequency, and
fourteen crime types in roughly their national shares, so the panel has the shape of the
real one (millions of cells). It is written once under ``/tmp`` (``POLICE_ARCHIVE_DIR``
overrides) and reused; sizes are the first 6, 20 and 60 months.

Cases, each over the same files:

- ``count_street_crimes``: :func:`analysis.data.public.panel.count_street_crimes`;
- ``duckdb_bare``: DuckDB's own query over the same file list (the floor: the scan and
  the ``GROUP BY`` with nothing around them), same thread count and memory cap;
- ``pandas_read_csv``: pandas as an analyst writes it at its most careful: every file
  read with only the three columns the panel needs (``usecols``, as text), stacked and
  grouped;
- ``pandas_pyarrow``: the same with pandas' pyarrow parser (``engine="pyarrow"``, which
  uses every core), pandas at its quickest;
- ``read_street_groupby``: the toolkit's own pandas path (``read_street``, which types
  and checks every column, then ``groupby``), at the smallest size only.

Every case's panel is checked against ours after the clock stops (cells, crimes and an
order-free checksum of every cell).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORCES = 43
MONTHS = 60
ROWS_PER_FILE = 11_628
LSOAS_PER_FORCE = 800
#: DuckDB threads for both DuckDB cases: every core, as ``count_street_crimes`` uses by default.
THREADS = len(os.sched_getaffinity(0))
MEMORY_LIMIT = "512MB"
#: Months at each measured size (43 forces each): 3.0, 10.0 and 30.0 million rows.
SIZES = {3_000_000: 6, 10_000_000: 20, 30_000_000: 60}

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
#: Crime types with roughly their national shares (street-level data, England and Wales).
CRIME_TYPES = {
    "Violence and sexual offences": 0.33,
    "Anti-social behaviour": 0.18,
    "Public order": 0.08,
    "Criminal damage and arson": 0.07,
    "Other theft": 0.06,
    "Shoplifting": 0.06,
    "Vehicle crime": 0.05,
    "Burglary": 0.04,
    "Drugs": 0.03,
    "Other crime": 0.03,
    "Theft from the person": 0.02,
    "Robbery": 0.02,
    "Bicycle theft": 0.02,
    "Possession of weapons": 0.01,
}


def archive_folder() -> Path:
    """Where the generated archive lives (``POLICE_ARCHIVE_DIR``, else under ``/tmp``)."""
    return Path(os.environ.get("POLICE_ARCHIVE_DIR", "/tmp/police-uk-archive-bench"))


def _month_name(index: int) -> str:
    return f"{2019 + index // 12}-{index % 12 + 1:02d}"


def _force_template(force: int, variant: int) -> str:
    """One force-month's rows as CSV text with ``@MONTH@`` where the month goes."""
    rng = np.random.default_rng(1000 * force + variant)
    n = ROWS_PER_FILE
    types = np.array(list(CRIME_TYPES))
    shares = np.array(list(CRIME_TYPES.values()))
    crime_type = types[rng.choice(len(types), size=n, p=shares / shares.sum())]
    # Skewed (log-normal rates): a town centre records many times what a suburb does.
    rates = np.random.default_rng(force).lognormal(0.0, 0.8, LSOAS_PER_FORCE)
    lsoa_index = rng.choice(LSOAS_PER_FORCE, size=n, p=rates / rates.sum())
    lsoa = np.char.add("E01", np.char.zfill((force * LSOAS_PER_FORCE + lsoa_index).astype(str), 6))
    unlocated = rng.random(n) < 0.05
    crime_id = np.array([f"{v:064x}" for v in rng.integers(0, 2**62, size=n)], dtype=object)
    crime_id[crime_type == "Anti-social behaviour"] = ""
    name = f"Force {force:02d} Police"
    frame = pd.DataFrame(
        {
            "Crime ID": crime_id,
            "Month": "@MONTH@",
            "Reported by": name,
            "Falls within": name,
            "Longitude": np.where(unlocated, np.nan, rng.uniform(-3, 1, n).round(6)),
            "Latitude": np.where(unlocated, np.nan, rng.uniform(50, 55, n).round(6)),
            "Location": np.where(unlocated, "No Location", "On or near High Street"),
            "LSOA code": np.where(unlocated, "", lsoa),
            "LSOA name": np.where(unlocated, "", f"Force {force:02d} area 001A"),
            "Crime type": crime_type,
            "Last outcome category": np.where(
                crime_type == "Anti-social behaviour", "", "Investigation complete; no suspect"
            ),
            "Context": "",
        }
    )
    return frame.to_csv(index=False, header=False, lineterminator="\n")


def ensure_archive() -> Path:
    """Write the archive once (about 7.5 GB, a few minutes); later calls reuse it."""
    folder = archive_folder()
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for force in range(FORCES):
        templates = [_force_template(force, variant) for variant in range(3)]
        for m in range(MONTHS):
            month = _month_name(m)
            (folder / month).mkdir(exist_ok=True)
            body = templates[m % 3].replace("@MONTH@", month)
            path = folder / month / f"{month}-force{force:02d}-street.csv"
            path.write_text(HEADER + "\n" + body)
    done.write_text(f"{FORCES * MONTHS * ROWS_PER_FILE} rows\n")
    return folder


def files_for(size: int) -> tuple[str, str, list[str]]:
    """First and last month of a size, and its files (the archive's own order)."""
    from analysis.data.public.panel import street_files

    months = SIZES[size]
    first, last = _month_name(0), _month_name(months - 1)
    files = [str(p) for p in street_files(archive_folder(), start=first, end=last)]
    return first, last, files


def prepare(case: str, size: int) -> dict[str, Any]:
    """The archive's folder and the files of this size (written by the parent process)."""
    first, last, files = files_for(size)
    return {"folder": archive_folder(), "start": first, "end": last, "files": files}


def warm(case: str) -> None:
    """Import what the case uses (outside the timed region)."""
    import duckdb  # noqa: F401

    import analysis.data.public.panel  # noqa: F401


def summarise(case: str, panel: pd.DataFrame) -> dict:
    """Cells, crimes and an order-free checksum of the panel's contents (after the clock).

    Every column is compared as text (a missing LSOA as empty), so panels built with
    different dtypes and in different orders agree exactly when their cells do.
    """
    columns = {"lsoa_code": "LSOA code", "month": "Month", "crime_type": "Crime type"}
    frame = panel.rename(columns={v: k for k, v in columns.items()})
    text = pd.DataFrame(
        {
            name: frame[name].astype(object).where(frame[name].notna(), "").astype(str)
            for name in columns
        }
    )
    text["crimes"] = frame["crimes"].astype("int64")
    hashes = pd.util.hash_pandas_object(text, index=False).to_numpy()
    return {
        "cells": int(len(panel)),
        "crimes": int(panel["crimes"].sum()),
        "checksum": f"{int(hashes.sum(dtype=np.uint64)):016x}",
    }


def _ours(p: dict) -> dict:
    from analysis.data.public.panel import count_street_crimes

    panel = count_street_crimes(
        p["folder"], start=p["start"], end=p["end"], threads=THREADS, memory_limit=MEMORY_LIMIT
    )
    return panel


def _duckdb_bare(p: dict) -> dict:
    import duckdb

    with duckdb.connect(":memory:") as connection:
        connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        connection.execute(f"SET threads = {THREADS}")
        connection.execute("SET preserve_insertion_order = false")
        connection.execute("SET enable_progress_bar = false")
        panel = connection.execute(
            'SELECT "LSOA code" AS lsoa_code, "Month" AS month, "Crime type" AS crime_type, '
            "count(*) AS crimes FROM read_csv(?, header = true, all_varchar = true) GROUP BY ALL",
            [p["files"]],
        ).df()
    return panel


def _pandas_read_csv(p: dict) -> pd.DataFrame:
    """pandas at its quickest: the three columns of every file as text, stacked, grouped."""
    keys = ["LSOA code", "Month", "Crime type"]
    rows = pd.concat(
        (pd.read_csv(path, usecols=keys, dtype=str) for path in p["files"]), ignore_index=True
    )
    return rows.groupby(keys, dropna=False).size().rename("crimes").reset_index()


def _pandas_pyarrow(p: dict) -> pd.DataFrame:
    """pandas at its quickest: the same, with the multi-threaded pyarrow parser."""
    keys = ["LSOA code", "Month", "Crime type"]
    rows = pd.concat(
        (pd.read_csv(path, usecols=keys, dtype=str, engine="pyarrow") for path in p["files"]),
        ignore_index=True,
    )
    return rows.groupby(keys, dropna=False).size().rename("crimes").reset_index()


def _read_street_groupby(p: dict) -> pd.DataFrame:
    """The toolkit's pandas path, which count_street_crimes replaces: read_street, groupby."""
    from analysis.data.public import read_street

    street = read_street(p["folder"], start=p["start"], end=p["end"])
    keys = ["lsoa_code", "month", "crime_type"]
    return street.groupby(keys, dropna=False, observed=True).size().rename("crimes").reset_index()


CASES = {
    "count_street_crimes": _ours,
    "duckdb_bare": _duckdb_bare,
    "pandas_read_csv": _pandas_read_csv,
    "pandas_pyarrow": _pandas_pyarrow,
    "read_street_groupby": _read_street_groupby,
}


def _agreement(ours: dict, reference: dict) -> str:
    same = ours == reference
    return "identical panel" if same else f"DIFFERENT: {ours} vs {reference}"


def run(quick: bool, repeat: int, log, sizes: tuple[int, ...] | None = None) -> list[dict]:
    """Bench rows: ours against DuckDB's bare query and pandas at three sizes.

    ``read_street`` (every row typed into pandas: minutes and gigabytes at archive scale)
    is measured at the smallest size only.
    """
    from . import _runs

    ensure_archive()
    out = []
    for size in sizes or ((3_000_000,) if quick else tuple(SIZES)):
        references = ["duckdb_bare", "pandas_read_csv", "pandas_pyarrow"]
        if size == min(SIZES) and not quick:
            references.append("read_street_groupby")
        runs = _runs.compare(
            __name__, "count_street_crimes", references, size, 1 if quick else repeat, log
        )
        out += _runs.rows("police.uk archive", runs, "count_street_crimes", size, _agreement)
    return out
