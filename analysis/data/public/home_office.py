"""Home Office police recorded crime and crime outcomes open data tables, in their published layout.

The Home Office publishes, with each quarterly release of police recorded crime, open data
tables at police force area level: one row per financial year, financial quarter, force and
offence (recorded crime), and the same per outcome (crime outcomes).
:func:`read_recorded_crime` and :func:`read_crime_outcomes` read one or more such tables
saved as CSV (the files as downloaded, or each sheet of a spreadsheet release saved as CSV)
and return the columns of :data:`RECORDED_CRIME` or :data:`CRIME_OUTCOMES` under tidy names.

What the published record confirms, and what it does not (checked with the project's search
of stored public pages): the tables and their user guide exist as described here ("Police
recorded crime and outcomes open data tables user guide", gov.uk, updated 24 October 2024,
covering police recorded crime and crime outcomes among eight open data tables; earlier
editions of April and October 2016 cover the same two tables), and the guide warns that
recording practice changes (the National Crime Recording Standard in 2002/03, the
improvements after the 2014 inspection of crime recording) break series. The stored copies
did not include the guide's column lists, so the headers below are **not verified against
the guide**: the recorded crime headers (``Financial Year``, ``Financial Quarter``, ``Force
Name``, ``Offence Description``, ``Offence Group``, ``Offence Subgroup``, ``Offence Code``,
``Number of Offences``) are those the project's users download; the outcomes headers
(the same first seven, then ``Outcome Description``, ``Outcome Group``, ``Outcome Type``
and ``Force outcomes for offences recorded in quarter``) are as the project understands the
outcomes table and must be checked against a downloaded file before a report relies on
them. The tidy names and dtypes are fixed whatever the headers turn out to be.

What the reader does about the files' awkward parts:

- a header that only differs in case, spacing or a byte-order mark (a file re-saved by a
  spreadsheet) is accepted; so is the shorter ``Force outcomes`` for the outcomes count,
  the wording of a changed header between releases; a header only *close* to a published
  one is a near miss, rejected with the closest expected name (:mod:`.layout`);
- force names are kept as published (``London, City of``; national fraud reporting bodies
  such as ``Action Fraud`` appear as rows with a force name of their own): matching them to
  another list is the caller's job, and :func:`read_recorded_crime` filters on them
  case-insensitively;
- financial years must read ``YYYY/YY`` with consecutive years, quarters 1 to 4 (quarter 1
  is April to June); counts must be whole numbers (a thousands separator is accepted); a
  negative count is kept as published rather than changed, since a reader must never alter
  a published figure; every other value is reported with its spreadsheet rows.

:func:`validate_recorded_crime` and :func:`validate_crime_outcomes` return every problem
as a list; the readers raise them together as a :class:`~analysis.errors.DataValidationError`
naming the file, the column, the rows and the fix. :func:`calendar_quarter` turns a
financial year and quarter into a calendar quarter.

Examples
--------
>>> from analysis.paths import PROJ_ROOT
>>> folder = PROJ_ROOT / "tests" / "data" / "public" / "home_office"
>>> crime = read_recorded_crime(folder / "recorded-crime.csv", forces=["Dorset"])
>>> crime.groupby("financial_year")["number_of_offences"].sum().to_dict()
{'2023/24': 769, '2024/25': 407}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ...errors import DataValidationError, Problem
from ..loaders import display_path
from .layout import Column, Layout, read_layout_csv, spreadsheet_rows, stack

_FIX = (
    "The open data tables are published by the Home Office on gov.uk ('Police recorded crime "
    "open data tables'): read them as downloaded, saving a spreadsheet release's sheets as CSV."
)

_KEY_COLUMNS = (
    Column(
        "financial_year",
        "Financial Year",
        "str",
        "The financial year, April to March, as YYYY/YY (2023/24).",
    ),
    Column(
        "financial_quarter",
        "Financial Quarter",
        "Int64",
        "The quarter of the financial year, 1 (April to June) to 4 (January to March).",
    ),
    Column("force_name", "Force Name", "category", "The police force area, as published."),
    Column(
        "offence_description",
        "Offence Description",
        "category",
        "The notifiable offence (e.g. 'Rape of a female aged 16 and over').",
    ),
    Column(
        "offence_group", "Offence Group", "category", "The offence group (e.g. 'Sexual offences')."
    ),
    Column(
        "offence_subgroup", "Offence Subgroup", "category", "The offence subgroup (e.g. 'Rape')."
    ),
    Column(
        "offence_code",
        "Offence Code",
        "category",
        "The Home Office offence code (e.g. '19C').",
    ),
)

#: The police recorded crime open data table (force by quarter by offence).
RECORDED_CRIME = Layout(
    title="Home Office police recorded crime open data",
    columns=(
        *_KEY_COLUMNS,
        Column(
            "number_of_offences",
            "Number of Offences",
            "Int64",
            "The offences recorded in the quarter.",
        ),
    ),
    fix=_FIX,
)

#: The crime outcomes open data table (force by quarter by offence by outcome).
CRIME_OUTCOMES = Layout(
    title="Home Office crime outcomes open data",
    columns=(
        *_KEY_COLUMNS,
        Column(
            "outcome_description",
            "Outcome Description",
            "category",
            "The outcome (e.g. 'Charged/Summonsed').",
        ),
        Column(
            "outcome_group", "Outcome Group", "category", "The group of outcomes it belongs to."
        ),
        Column(
            "outcome_type",
            "Outcome Type",
            "category",
            "The Home Office outcome type (1 charge/summons, 14 and 16 victim does not support, "
            "15 evidential difficulties, 18 no suspect identified, ...).",
        ),
        Column(
            "force_outcomes",
            "Force outcomes for offences recorded in quarter",
            "Int64",
            "The outcomes assigned in the quarter.",
            variants=("Force outcomes",),
        ),
    ),
    fix=_FIX,
)

_COUNT = {"recorded_crime": "number_of_offences", "outcomes": "force_outcomes"}
_LAYOUTS = {"recorded_crime": RECORDED_CRIME, "outcomes": CRIME_OUTCOMES}
_FINANCIAL_YEAR = re.compile(r"(?P<first>\d{4})/(?P<second>\d{2})")


def read_recorded_crime(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    offence_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read Home Office police recorded crime open data tables into one tidy table.

    Parameters
    ----------
    source : path or list of paths
        One or more CSV files in the published layout, or a folder of them.
    forces : list of str, optional
        Force names to keep, as the table writes them (case ignored: ``"dorset"``).
    offence_codes : list of str, optional
        Home Office offence codes to keep (``["19C", "19F"]`` for rape aged 16 and over).

    Returns
    -------
    pandas.DataFrame
        One row per financial year, quarter, force and offence, with the columns of
        :data:`RECORDED_CRIME` (tidy names, dtypes as documented there).

    Raises
    ------
    DataValidationError
        Naming every file, column and row that does not follow the published layout.

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> folder = PROJ_ROOT / "tests" / "data" / "public" / "home_office"
    >>> rape = read_recorded_crime(folder / "recorded-crime.csv", offence_codes=["19C"])
    >>> rape["number_of_offences"].dtype.name, sorted(rape["offence_code"].unique())
    ('Int64', ['19C'])
    """
    return _read_or_raise("recorded_crime", source, forces=forces, offence_codes=offence_codes)


def read_crime_outcomes(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    offence_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read Home Office crime outcomes open data tables into one tidy table.

    Parameters are those of :func:`read_recorded_crime`.

    Returns
    -------
    pandas.DataFrame
        One row per financial year, quarter, force, offence and outcome type, with the
        columns of :data:`CRIME_OUTCOMES`. ``force_outcomes`` counts outcomes *assigned* in
        the quarter, whenever the crimes were recorded: a period count, not a cohort's.

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> folder = PROJ_ROOT / "tests" / "data" / "public" / "home_office"
    >>> outcomes = read_crime_outcomes(folder / "outcomes.csv", forces=["Dorset"])
    >>> sorted(outcomes["outcome_type"].unique())[:3]
    ['1', '14', '15']
    """
    return _read_or_raise("outcomes", source, forces=forces, offence_codes=offence_codes)


def validate_recorded_crime(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    offence_codes: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem :func:`read_recorded_crime` would raise, as a list (empty when all is well).

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> validate_recorded_crime(
    ...     PROJ_ROOT / "tests" / "data" / "public" / "home_office" / "recorded-crime.csv"
    ... )
    []
    """
    return _read("recorded_crime", source, forces=forces, offence_codes=offence_codes)[1]


def validate_crime_outcomes(
    source: str | Path | Sequence[str | Path],
    *,
    forces: Iterable[str] | None = None,
    offence_codes: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem :func:`read_crime_outcomes` would raise, as a list (empty when all is well).

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> validate_crime_outcomes(
    ...     PROJ_ROOT / "tests" / "data" / "public" / "home_office" / "outcomes.csv"
    ... )
    []
    """
    return _read("outcomes", source, forces=forces, offence_codes=offence_codes)[1]


def calendar_quarter(financial_year: pd.Series, financial_quarter: pd.Series) -> pd.Series:
    """The calendar quarter of each financial year and quarter (quarter 1 is April to June).

    Examples
    --------
    >>> years = pd.Series(["2023/24", "2023/24"])
    >>> quarters = pd.Series([1, 4], dtype="Int64")
    >>> calendar_quarter(years, quarters).astype(str).tolist()
    ['2023Q2', '2024Q1']
    """
    first = financial_year.astype(str).str.slice(0, 4).astype(int)
    # Financial quarter q of year Y starts in calendar quarter q + 1 of Y (q = 4: Q1 of Y + 1).
    ordinal = first * 4 + financial_quarter.astype(int)
    return pd.Series(
        pd.PeriodIndex.from_fields(year=ordinal // 4, quarter=ordinal % 4 + 1, freq="Q"),
        index=financial_year.index,
    )


def _read_or_raise(kind: str, source, **filters) -> pd.DataFrame:
    frame, problems = _read(kind, source, **filters)
    if problems:
        title = "Home Office recorded crime" if kind == "recorded_crime" else "Home Office outcomes"
        raise DataValidationError(problems, programme=title)
    return frame


def _files(kind: str, source) -> tuple[list[Path], list[Problem]]:
    paths = [source] if isinstance(source, str | Path) else list(source)
    files: list[Path] = []
    problems: list[Problem] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.glob("*.csv"))
            if not found:
                problems.append(
                    Problem(kind, display_path(path), None, "holds no CSV files", fix=_FIX)
                )
            files.extend(found)
        elif path.is_file() and path.suffix.lower() in (".ods", ".xlsx", ".xls"):
            problems.append(
                Problem(
                    kind,
                    display_path(path),
                    None,
                    "is a spreadsheet, not a CSV file",
                    fix="save each sheet (one financial year each) as CSV and read those files",
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(kind, display_path(path), None, "does not exist", fix=_FIX))
    return files, problems


def _read(kind: str, source, *, forces, offence_codes) -> tuple[pd.DataFrame | None, list[Problem]]:
    layout = _LAYOUTS[kind]
    files, problems = _files(kind, source)
    frames = []
    for path in files:
        label = display_path(path)
        frame, file_problems = read_layout_csv(
            lambda path=path: path.open("rb"), layout, source=label, table=kind
        )
        if frame is not None:
            frame, file_problems = _convert(frame, layout, _COUNT[kind], label, kind)
        problems.extend(file_problems)
        if frame is not None:
            frames.append(frame)
    if problems:
        return None, problems
    combined = stack(frames, layout)
    keep = pd.Series(True, index=combined.index)
    if forces is not None:
        wanted = {str(force).strip().casefold() for force in _as_list(forces)}
        keep &= combined["force_name"].astype(str).str.strip().str.casefold().isin(wanted)
    if offence_codes is not None:
        keep &= (
            combined["offence_code"]
            .astype(str)
            .str.strip()
            .isin([str(code).strip() for code in _as_list(offence_codes)])
        )
    combined = combined.loc[keep].reset_index(drop=True)
    for column in layout.columns:
        if column.dtype == "category":
            combined[column.name] = combined[column.name].cat.remove_unused_categories()
    return combined, []


def _as_list(values: Iterable[str] | str) -> list[str]:
    return [values] if isinstance(values, str) else list(values)


def _convert(
    frame: pd.DataFrame, layout: Layout, count: str, label: str, kind: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    def problem(name: str, message: str, fix: str, index) -> Problem:
        rows, n_rows = spreadsheet_rows(index)
        header = layout.column(name).header
        return Problem(kind, label, header, message, rows=rows, fix=fix, n_rows=n_rows)

    problems = []
    for column in layout.columns:
        empty = frame.index[frame[column.name].isna()]
        if len(empty):
            problems.append(
                problem(
                    column.name, "is empty", "every row of the published table is complete", empty
                )
            )
    year = frame["financial_year"].astype("str").str.strip()
    parts = year.str.extract(_FINANCIAL_YEAR.pattern)
    first = pd.to_numeric(parts["first"], errors="coerce")
    second = pd.to_numeric(parts["second"], errors="coerce")
    # Only whole matches count: '2023/24 (r)' or '2023-24' are not the published form.
    whole = year.str.fullmatch(_FINANCIAL_YEAR.pattern)
    bad = frame.index[frame["financial_year"].notna() & ~(whole & ((first + 1) % 100 == second))]
    if len(bad):
        problems.append(
            problem(
                "financial_year",
                "has values that are not financial years written YYYY/YY (2023/24)",
                "write each financial year as its first year, a slash and the next year's last "
                "two digits, as published",
                bad,
            )
        )
    frame["financial_year"] = year.astype("str")
    quarter = pd.to_numeric(frame["financial_quarter"].astype("str").str.strip(), errors="coerce")
    bad = frame.index[frame["financial_quarter"].notna() & ~quarter.isin([1, 2, 3, 4])]
    if len(bad):
        problems.append(
            problem(
                "financial_quarter",
                "has values that are not quarters 1 to 4",
                "give the quarter of the financial year as a number: 1 is April to June, 4 is "
                "January to March",
                bad,
            )
        )
    counts_text = frame[count].astype("str").str.strip().str.replace(",", "", regex=False)
    counts = pd.to_numeric(counts_text, errors="coerce")
    bad = frame.index[frame[count].notna() & (counts.isna() | (counts != counts.round()))]
    if len(bad):
        problems.append(
            problem(
                count,
                "has values that are not whole numbers",
                "give each count as a whole number, as published (no suppression marks or notes)",
                bad,
            )
        )
    if problems:
        return None, problems
    frame["financial_quarter"] = quarter.astype("Int64")
    frame[count] = counts.astype("Int64")
    for column in layout.columns:
        if column.dtype == "category":
            frame[column.name] = frame[column.name].astype("str").str.strip().astype("category")
    return frame, []
