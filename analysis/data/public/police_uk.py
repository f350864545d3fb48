"""police.uk street-level crimes and outcomes, read in their published layout.

data.police.uk publishes, for every force and month, a street-level file (one row per
crime or anti-social behaviour incident, located to an anonymised point) and an outcomes
file (one row per outcome reached that month, for a crime of that or an earlier month).
The monthly archive unpacks to ``YYYY-MM/YYYY-MM-<force>-street.csv`` and
``YYYY-MM/YYYY-MM-<force>-outcomes.csv`` (``<force>`` as in ``dorset`` or
``avon-and-somerset``). :func:`read_street` and :func:`read_outcomes` read any of

- a folder of that archive (searched at any depth),
- the archive's zip, read in place,
- one or more single files (a path or a list of paths),

keep only the forces and months asked for (files are skipped by name before they are
read, so a national archive costs only what is kept) and return one tidy DataFrame with
the columns of :data:`STREET` or :data:`OUTCOMES`. Text columns that repeat (force,
location, LSOA, crime type, outcome) are categoricals, stored as one small code per row, and
stay categorical when months with different categories are stacked.

What the real files do, and what the reader does about it:

- anti-social behaviour rows have no Crime ID (``crime_id`` is missing there);
- ``Location`` is an anonymised map point worded ``On or near ...``, never an address; a
  crime that could not be located reads ``No Location`` with empty coordinates and LSOA
  (missing values here), and is kept: dropping it would undercount the force;
- the outcome categories change from month to month (new categories appear, old ones stop
  being used): they are read as they are, never checked against a fixed list;
- a file re-saved by a spreadsheet gains a byte-order mark and may change the case of a
  header: both are accepted; a header that is only *close* to a published one is a near
  miss, rejected with the closest expected name (:mod:`.layout`).

Every problem is collected and raised at once as a
:class:`~analysis.errors.DataValidationError` naming the file, the column, the
spreadsheet rows and the fix; :func:`validate_street` and :func:`validate_outcomes`
return the same problems as a list instead.

Examples
--------
>>> from analysis.paths import PROJ_ROOT
>>> archive = PROJ_ROOT / "tests" / "data" / "public" / "police_uk"
>>> street = read_street(archive, forces=["dorset"], start="2024-01", end="2024-02")
>>> street["crime_type"].dtype.name
'category'
>>> int(street["crime_id"].isna().sum()) == int((street["crime_type"] == "Anti-social behaviour").sum())
True
"""  # noqa: E501

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from ...errors import ConfigError, DataValidationError, Problem
from ..loaders import display_path
from .layout import Column, Layout, read_layout_csv, spreadsheet_rows, stack

_FIX = (
    "The published files are at data.police.uk (custom download or the monthly archive): "
    "read them as downloaded."
)

_COMMON = (
    Column(
        "crime_id",
        "Crime ID",
        "str",
        "The crime's identifier (64 hexadecimal characters); missing for anti-social behaviour.",
    ),
    Column("month", "Month", "period[M]", "The month the crime was recorded (YYYY-MM)."),
    Column("reported_by", "Reported by", "category", "The force that provided the record."),
    Column("falls_within", "Falls within", "category", "The force area the crime falls in."),
    Column("longitude", "Longitude", "float64", "The longitude of the anonymised map point."),
    Column("latitude", "Latitude", "float64", "The latitude of the anonymised map point."),
    Column(
        "location",
        "Location",
        "category",
        "The anonymised map point in words ('On or near ...'); missing when not located.",
    ),
    Column("lsoa_code", "LSOA code", "category", "The ONS code of the LSOA the point is in."),
    Column("lsoa_name", "LSOA name", "category", "The LSOA's name."),
)

#: The street-level layout (``YYYY-MM-<force>-street.csv``).
STREET = Layout(
    title="police.uk street-level crimes",
    columns=(
        *_COMMON,
        Column("crime_type", "Crime type", "category", "The police.uk crime category."),
        Column(
            "last_outcome_category",
            "Last outcome category",
            "category",
            "The latest outcome at publication; missing for anti-social behaviour.",
        ),
        Column("context", "Context", "str", "The free-text context (almost always empty)."),
    ),
    fix=_FIX,
)

#: The outcomes layout (``YYYY-MM-<force>-outcomes.csv``).
OUTCOMES = Layout(
    title="police.uk outcomes",
    columns=(
        *_COMMON,
        Column("outcome_type", "Outcome type", "category", "The outcome reached that month."),
    ),
    fix=_FIX,
)

_LAYOUTS = {"street": STREET, "outcomes": OUTCOMES}
_FILE_NAME = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes)")
_LSOA_CODE = re.compile(r"[EW]01\d{6}")


@dataclass(frozen=True)
class _File:
    """One CSV to read: where it is shown as coming from, how to open it, what its name says."""

    label: str
    open: Callable[[], IO[bytes]]
    month: pd.Period | None
    force: str | None


def read_street(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Read police.uk street-level crimes: an archive folder, its zip, or single files.

    Parameters
    ----------
    source : path or list of paths
        A folder of the monthly archive, the archive's ``.zip``, or ``-street.csv`` files.
    forces : list of str, optional
        Forces to keep, as in the file names (``dorset``, ``avon-and-somerset``) or as
        ``Falls within`` names them (``Dorset Police``). Files whose name has no force are
        filtered on their ``Falls within`` column.
    start, end : str, optional
        First and last month to keep (``YYYY-MM``, inclusive).

    Returns
    -------
    pandas.DataFrame
        One row per crime or anti-social behaviour incident, with the columns of
        :data:`STREET` (tidy names, dtypes as documented there), sorted by month.

    Raises
    ------
    DataValidationError
        Naming every file, column and row that does not follow the published layout.

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> folder = PROJ_ROOT / "tests" / "data" / "public" / "police_uk"
    >>> street = read_street(folder, forces=["dorset"], start="2024-02", end="2024-02")
    >>> sorted(street["month"].astype(str).unique())
    ['2024-02']
    """
    return _read_or_raise("street", source, forces=forces, start=start, end=end)


def read_outcomes(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Read police.uk outcomes: an archive folder, its zip, or single files.

    Parameters are those of :func:`read_street`; ``-outcomes.csv`` files are read.

    Returns
    -------
    pandas.DataFrame
        One row per outcome, with the columns of :data:`OUTCOMES`. ``month`` is the month
        the outcome was reached, not the month the crime was recorded: join to the street
        files on ``crime_id`` for that.

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> folder = PROJ_ROOT / "tests" / "data" / "public" / "police_uk"
    >>> outcomes = read_outcomes(folder, forces=["dorset"])
    >>> outcomes["outcome_type"].dtype.name
    'category'
    """
    return _read_or_raise("outcomes", source, forces=forces, start=start, end=end)


def validate_street(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[Problem]:
    """Every problem :func:`read_street` would raise, as a list (empty when all is well).

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> validate_street(PROJ_ROOT / "tests" / "data" / "public" / "police_uk", forces=["dorset"])
    []
    """
    return _read("street", source, forces=forces, start=start, end=end)[1]


def validate_outcomes(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[Problem]:
    """Every problem :func:`read_outcomes` would raise, as a list (empty when all is well)."""
    return _read("outcomes", source, forces=forces, start=start, end=end)[1]


def _read_or_raise(kind: str, source, **filters) -> pd.DataFrame:
    frame, problems = _read(kind, source, **filters)
    if problems:
        raise DataValidationError(problems, programme=f"police.uk {kind}")
    return frame


def _read(kind: str, source, *, forces, start, end) -> tuple[pd.DataFrame | None, list[Problem]]:
    layout = _LAYOUTS[kind]
    wanted_forces = _force_slugs(forces)
    first, last = _month(start, "start"), _month(end, "end")
    files, problems = _find_files(kind, source)
    seen_forces = sorted({file.force for file in files if file.force})
    seen_months = sorted({str(file.month) for file in files if file.month is not None})
    kept = [file for file in files if _wanted(file, wanted_forces, first, last)]
    if not problems and not kept:
        asked = f"forces {sorted(wanted_forces)}" if wanted_forces else "any force"
        if start or end:
            asked += f" in months {start or 'the first'} to {end or 'the last'}"
        problems.append(
            Problem(
                table=kind,
                source=_describe(source),
                column=None,
                message=(
                    f"no {kind} files for {asked}; the source has forces "
                    f"{seen_forces or 'none'} and months "
                    f"{(seen_months[0] + ' to ' + seen_months[-1]) if seen_months else 'none'}"
                ),
                fix=(
                    f"name forces as in the file names (YYYY-MM-<force>-{kind}.csv) and months as "
                    "YYYY-MM, or point at the folder or zip that holds them"
                ),
            )
        )
    frames = []
    for file in kept:
        frame, file_problems = _read_file(file, layout, kind)
        problems.extend(file_problems)
        if frame is not None:
            frames.append(_filter_rows(frame, file, wanted_forces, first, last))
    if problems:
        return None, problems
    combined = stack(frames, layout)
    return combined.sort_values("month", kind="stable").reset_index(drop=True), []


def _force_slugs(forces: Iterable[str] | None) -> set[str] | None:
    if forces is None:
        return None
    if isinstance(forces, str):
        forces = [forces]
    slugs = {re.sub(r"[^a-z0-9]+", "-", force.strip().lower()).strip("-") for force in forces}
    # 'Dorset Police' (as Falls within names it) is 'dorset' in the file names.
    return {re.sub(r"-(police-service|police|constabulary)$", "", slug) for slug in slugs}


def _month(value: str | None, name: str) -> pd.Period | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}", str(value)):
        raise ConfigError(f"police.uk {name} month '{value}' is not a month: write it as YYYY-MM")
    return pd.Period(str(value), freq="M")


def _describe(source) -> str:
    if isinstance(source, str | Path):
        return display_path(Path(source))
    return ", ".join(display_path(Path(path)) for path in source)


def _find_files(kind: str, source) -> tuple[list[_File], list[Problem]]:
    paths = [source] if isinstance(source, str | Path) else list(source)
    files: list[_File] = []
    problems: list[Problem] = []
    for path in map(Path, paths):
        if path.is_dir():
            for member in sorted(path.rglob(f"*-{kind}.csv")):
                files.append(_named(display_path(member), member.name, _path_opener(member)))
        elif path.is_file() and path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    names = [n for n in archive.namelist() if n.endswith(f"-{kind}.csv")]
            except zipfile.BadZipFile:
                problems.append(
                    Problem(kind, display_path(path), None, "is not a readable zip file", fix=_FIX)
                )
                continue
            for name in sorted(names):
                files.append(
                    _named(
                        f"{display_path(path)}:{name}",
                        name.rsplit("/", 1)[-1],
                        _zip_member_opener(path, name),
                    )
                )
        elif path.is_file():
            files.append(_named(display_path(path), path.name, _path_opener(path)))
        else:
            problems.append(
                Problem(
                    kind,
                    display_path(path),
                    None,
                    "does not exist",
                    fix="give the archive folder, its zip, or the CSV files themselves",
                )
            )
    return files, problems


def _path_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _zip_member_opener(path: Path, name: str) -> Callable[[], IO[bytes]]:
    # One member at a time, so a national archive is never held in memory whole.
    def opener() -> IO[bytes]:
        with zipfile.ZipFile(path) as archive:
            return io.BytesIO(archive.read(name))

    return opener


def _named(label: str, file_name: str, opener: Callable[[], IO[bytes]]) -> _File:
    match = _FILE_NAME.fullmatch(file_name.removesuffix(".csv"))
    if match is None:
        return _File(label, opener, None, None)
    return _File(label, opener, pd.Period(match["month"], freq="M"), match["force"])


def _wanted(file: _File, forces: set[str] | None, first, last) -> bool:
    if forces is not None and file.force is not None and file.force not in forces:
        return False
    if file.month is not None:
        if first is not None and file.month < first:
            return False
        if last is not None and file.month > last:
            return False
    return True


def _read_file(file: _File, layout: Layout, kind: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    def problem(message: str, fix: str, column: str | None = None, index=()) -> Problem:
        rows, n_rows = spreadsheet_rows(index)
        return Problem(kind, file.label, column, message, rows=rows, fix=fix, n_rows=n_rows)

    frame, problems = read_layout_csv(file.open, layout, source=file.label, table=kind)
    if frame is None:
        return None, problems
    problems = []
    months = pd.to_datetime(frame["month"], format="%Y-%m", errors="coerce")
    bad = frame.index[months.isna()]
    if len(bad):
        problems.append(
            problem("has months that are not YYYY-MM", "give each month as YYYY-MM", "Month", bad)
        )
    frame["month"] = months.dt.to_period("M")
    if file.month is not None:
        elsewhere = frame.index[months.notna() & (frame["month"] != file.month)]
        if len(elsewhere):
            problems.append(
                problem(
                    f"has rows for another month than the {file.month} in its name",
                    "keep each month's rows in its own file, as the archive has them",
                    "Month",
                    elsewhere,
                )
            )
    for name in ("longitude", "latitude"):
        numbers = pd.to_numeric(frame[name], errors="coerce")
        bad = frame.index[numbers.isna() & frame[name].notna()]
        if len(bad):
            header = layout.column(name).header
            problems.append(
                problem(
                    "has values that are not numbers",
                    f"leave a missing {header} empty",
                    header,
                    bad,
                )
            )
        frame[name] = numbers.astype("float64")
    codes = frame["lsoa_code"].astype("str")
    bad = frame.index[frame["lsoa_code"].notna() & ~codes.str.fullmatch(_LSOA_CODE.pattern)]
    if len(bad):
        problems.append(
            problem(
                "has values that are not LSOA codes (E01 or W01 and six digits)",
                "leave a missing LSOA code empty; codes come from the published file",
                "LSOA code",
                bad,
            )
        )
    if kind == "outcomes":
        bad = frame.index[frame["crime_id"].isna()]
        if len(bad):
            problems.append(
                problem(
                    "is empty: an outcome without its Crime ID cannot be joined to its crime",
                    "use the outcomes file as published (every outcome has a Crime ID)",
                    "Crime ID",
                    bad,
                )
            )
    return (None, problems) if problems else (frame, [])


def _filter_rows(frame: pd.DataFrame, file: _File, forces, first, last) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if forces is not None and file.force is None:
        slugs = (
            frame["falls_within"]
            .astype("str")
            .str.lower()
            .str.replace(r"[^a-z0-9]+", "-", regex=True)
        )
        keep &= slugs.map(lambda slug: any(slug.startswith(force) for force in forces))
    if first is not None:
        keep &= frame["month"] >= first
    if last is not None:
        keep &= frame["month"] <= last
    return frame.loc[keep]
