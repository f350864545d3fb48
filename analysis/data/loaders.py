"""Reading a programme's raw tables from a folder of files or a SQL database.

A source is either

- a **folder** holding one file per contract table, named after the table:
  ``crimes.csv`` (UTF-8, comma-separated), ``crimes.parquet`` or
  ``crimes.xlsx`` (the sheet named ``crimes``, or the only sheet); or
- a **SQLAlchemy URL** (``sqlite:///extract.db``,
  ``postgresql://user@host/db``, ...): one database table or view per
  contract table with the same name, or one SQL query per table given in the
  programme's config (``queries:`` in ``config/<programme>.yaml``).
- a **DuckDB file** (``duckdb:///national.duckdb``), tables or queries as for a
  SQL database; in a folder, a table may also be a **folder of Parquet or CSV
  parts** (``crimes/part-0001.parquet``, ...). Both are read with DuckDB, which
  hands pandas only the columns the contract's checks look at: at national scale
  the columns nobody asked for (free text, addresses) never reach memory.

Reading never stops at the first problem: a missing file, a file in the wrong
encoding or with the wrong delimiter, data on the wrong Excel sheet or a
database that refuses the connection each become a
:class:`~analysis.errors.Problem`, and every table that can be read is read so
that its own problems are found in the same pass. Raw values are returned
as read (text for CSV), indexed by spreadsheet row number; converting and
checking them is :mod:`analysis.data.validation`'s job.

Every table read carries its provenance: the SHA-256 of the file's bytes (for
SQL: of the query text and the rows returned), so a report can say exactly
which extract it was computed from. Database passwords never appear in a
message or in provenance.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import logging
import re
import sqlite3
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from ..paths import PROJ_ROOT
from .coercion import normalise_name
from .schema import Contract, TableSpec
from .sources import URL_PATTERN, DuckDBSource, FileSource, Source, SqlSource
from .sources import resolve_path as resolve_path  # re-exported: callers import it from here

logger = logging.getLogger(__name__)

#: File formats read from a folder, by suffix.
FILE_FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}
#: Suffixes recognised as SQLite database files when given as a source.
#: Rows searched for a header that is not on row 1.
HEADER_SEARCH_ROWS = 20
_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


@dataclass
class RawTable:
    """One table as read from its source, before conversion.

    Attributes
    ----------
    name : str
        Contract table name.
    frame : DataFrame
        Raw values with the extract's own column headers, indexed by spreadsheet
        row number (header = row 1, so the first data row is 2).
    source : str
        Where it came from (file path, or database and table/query), for messages.
    sha256 : str
        Fingerprint of the input: the file's bytes, or the query and its rows.
    """

    name: str
    frame: pd.DataFrame
    source: str
    sha256: str


@dataclass
class ReadResult:
    """Tables read from a source, the problems met reading it, and what a reader should know.

    ``warnings`` holds what the reader did that the checks would otherwise have said
    (columns outside the contract left unread by DuckDB).
    """

    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def reported(self, contract: Contract) -> list[str]:
        """Tables whose problems are already reported (so not reported again as missing).

        A problem with the source as a whole (no folder, no connection) covers every table.
        """
        if any(not p.table for p in self.problems):
            return list(contract.table_names)
        return sorted({p.table for p in self.problems})


def display_path(path: Path) -> str:
    """A path as messages and provenance show it: relative to the project when inside it.

    Examples
    --------
    >>> from analysis.paths import PROJ_ROOT
    >>> display_path(PROJ_ROOT / "data" / "raw" / "crimes.csv")
    'data/raw/crimes.csv'
    """
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(PROJ_ROOT.resolve()).as_posix()
    except ValueError:
        return str(resolved)


def is_sql_url(source: str) -> bool:
    """Whether a source string is a SQLAlchemy URL rather than a folder.

    Examples
    --------
    >>> is_sql_url("sqlite:///extract.db"), is_sql_url("data/raw/op_focus")
    (True, False)
    """
    return URL_PATTERN.match(str(source)) is not None


def read_source(
    contract: Contract, source: str | Path | Source, *, queries: Mapping[str, str] | None = None
) -> ReadResult:
    """Read every table of a contract from a folder or a SQLAlchemy URL.

    Parameters
    ----------
    contract : Contract
        The programme's contract (which tables to read).
    source : str, Path or Source
        A folder of ``<table>.csv|.parquet|.xlsx`` files, a SQLite file
        (``.db``, ``.sqlite``) or a SQLAlchemy URL; text is parsed with
        :meth:`analysis.data.sources.Source.parse`.
    queries : mapping of str to str, optional
        SQL query per table, for a database source (default: read the table
        of the same name).

    Returns
    -------
    ReadResult
        The tables that could be read and the problems met.
    """
    parsed = Source.parse(source)
    if isinstance(parsed, DuckDBSource):
        return read_duckdb(contract, parsed.path, queries=queries)
    if isinstance(parsed, SqlSource | FileSource) and parsed.is_database:
        return read_sql(contract, parsed.url, queries=queries)
    if parsed.is_synthetic:
        result = ReadResult()
        result.problems.append(
            Problem(
                "",
                "synthetic",
                None,
                "synthetic data are generated, not read from an extract",
                fix=f'call load("{contract.programme}", source="synthetic") for them, or give '
                "a folder of extracts, a SQLite file or a SQLAlchemy URL",
            )
        )
        return result
    # A folder, or a single Parquet/CSV file, which read_folder explains is not enough.
    return read_folder(contract, parsed.path)


# --------------------------------------------------------------------------- folders


def read_folder(contract: Contract, folder: str | Path) -> ReadResult:
    """Read a contract's tables from a folder with one file per table.

    Examples
    --------
    >>> from analysis.data.validation import resolve_contract
    >>> result = read_folder(resolve_contract("lsavi"), "/no/such/folder")
    >>> print(result.problems[0])
    /no/such/folder: the folder does not exist. Fix: give the folder holding premises,
    self_assessments and incidents files (e.g. data/raw/lsavi), or a SQLAlchemy URL
    """
    folder = Path(folder)
    result = ReadResult()
    names = ", ".join(contract.table_names[:-1]) + f" and {contract.table_names[-1]}"
    if not folder.exists():
        result.problems.append(
            Problem(
                "",
                display_path(folder),
                None,
                "the folder does not exist",
                fix=f"give the folder holding {names} files (e.g. data/raw/{contract.programme}), "
                "or a SQLAlchemy URL",
            )
        )
        return result
    if not folder.is_dir():
        result.problems.append(
            Problem(
                "",
                display_path(folder),
                None,
                "the source is a single file, not a folder",
                fix=f"give the folder holding one file per table ({names}), each named after "
                "its table (e.g. crimes.csv); a SQLite database file must end in .db or .sqlite",
            )
        )
        return result
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    files = sorted(p for p in entries if p.is_file())
    for spec in contract.tables:
        parts = [p for p in entries if p.is_dir() and normalise_name(p.name) == spec.name]
        if parts:
            table, problems, warnings = _read_parts(spec, folder, files, parts)
            result.problems.extend(problems)
            result.warnings.extend(warnings)
            if table is not None:
                result.tables[spec.name] = table
            continue
        path, problem = _find_table_file(spec, folder, files)
        if problem is not None:
            result.problems.append(problem)
            continue
        assert path is not None
        reader = {"csv": _read_csv, "parquet": _read_parquet, "excel": _read_excel}
        table, problems = reader[FILE_FORMATS[path.suffix.lower()]](spec, path)
        result.problems.extend(problems)
        if table is not None:
            result.tables[spec.name] = table
    return result


def _find_table_file(
    spec: TableSpec, folder: Path, files: list[Path]
) -> tuple[Path | None, Problem | None]:
    source = display_path(folder / f"{spec.name}.csv")
    mine = [p for p in files if normalise_name(p.stem) == spec.name]
    readable = [p for p in mine if p.suffix.lower() in FILE_FORMATS]
    if len(readable) == 1:
        return readable[0], None
    if len(readable) > 1:
        listed = ", ".join(p.name for p in readable)
        return None, Problem(
            spec.name,
            display_path(folder),
            None,
            f"several files for table '{spec.name}': {listed}",
            fix="keep one file per table, so it is clear which is the extract",
        )
    if mine:
        found = mine[0]
        if found.suffix.lower() == ".xls":
            fix = "open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8"
        else:
            fix = "save it as CSV UTF-8 (comma-separated), Parquet or Excel (.xlsx)"
        return None, Problem(
            spec.name,
            display_path(found),
            None,
            f"file format '{found.suffix}' is not read",
            fix=fix,
        )
    candidates = {normalise_name(p.stem): p for p in files}
    close = difflib.get_close_matches(spec.name, list(candidates), n=1, cutoff=0.6)
    message = (
        f"file not found: expected {spec.name}.csv, {spec.name}.parquet or {spec.name}.xlsx "
        f"in {display_path(folder)}"
    )
    if close:
        near = candidates[close[0]]
        message += f"; '{near.name}' looks like it"
        fix = f"rename '{near.name}' to '{spec.name}{near.suffix.lower()}'"
    else:
        shown = ", ".join(p.name for p in files[:10]) or "none"
        fix = f"add the {spec.name} extract ({spec.description}); files found: {shown}"
    return None, Problem(spec.name, source, None, message, fix=fix)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_csv(spec: TableSpec, path: Path) -> tuple[RawTable | None, list[Problem]]:
    source = display_path(path)
    data = path.read_bytes()

    def problem(message: str, fix: str, rows: tuple[int, ...] = ()) -> list[Problem]:
        return [Problem(spec.name, source, None, message, rows, fix, len(rows))]

    if not data.strip():
        return None, problem(
            "the file is empty (not even a header row)",
            f"export the {spec.name} table again, with its header row",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, problem(
            "the file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8 CSV",
            "save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)'",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Refused rather than guessed: a mis-decoded character silently changes an
        # identifier or a category, and one re-save fixes the file for good.
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("cp1252")
            guess = " It looks like Windows-1252, what Excel writes for 'CSV (Comma delimited)'."
        except UnicodeDecodeError:
            guess = ""
        return None, problem(
            f"the file is not UTF-8 text: byte 0x{data[exc.start]:02X} on line {line} "
            f"cannot be read.{guess}",
            "save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)', or convert it: "
            f"iconv -f WINDOWS-1252 -t UTF-8 {path.name} > {path.stem}-utf8.csv",
            (line,),
        )
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            expected, line, saw = (int(g) for g in found.groups())
            return None, problem(
                f"row {line} has {saw} values but the header has {expected}",
                "a value probably contains an unquoted comma: put the value in double quotes "
                "or remove the comma, and check the rows after it",
                (line,),
            )
        return None, problem(f"the file cannot be read as CSV: {exc}", "save it again as CSV")
    header = [str(h).strip() for h in cells.iloc[0].tolist()]
    if len(header) == 1:
        for delimiter, described in _DELIMITERS.items():
            if delimiter in header[0]:
                return None, problem(
                    f"the values are separated by {described}, not commas (the header reads "
                    f"'{header[0][:80]}')",
                    "save it as comma-separated CSV (in Excel: 'CSV UTF-8 (Comma delimited)')",
                )
    body = cells.iloc[1:].copy()
    body.columns = header
    body.index = pd.RangeIndex(2, 2 + len(body))
    return _finish_file_table(spec, source, _sha256(data), body, cells)


def _finish_file_table(
    spec: TableSpec, source: str, digest: str, body: pd.DataFrame, cells: pd.DataFrame
) -> tuple[RawTable | None, list[Problem]]:
    """Drop blank rows; refuse a table whose header is not on row 1."""
    header_row = _header_elsewhere(spec, cells)
    if header_row is not None:
        return None, [
            Problem(
                spec.name,
                source,
                None,
                f"the header is on row {header_row}, not row 1",
                (header_row,),
                f"delete the {header_row - 1} row(s) above the header (titles, notes), so the "
                "column names are on row 1",
                1,
            )
        ]
    # Empty lines of a CSV file and empty rows of a sheet are not records.
    filled = np.zeros(len(body), dtype=bool)
    for position in range(body.shape[1]):
        cells = body.iloc[:, position]
        native_text = pd.api.types.is_string_dtype(cells.dtype) and not (
            pd.api.types.is_object_dtype(cells.dtype)
        )
        text = cells if native_text else cells.astype("str")
        filled |= (cells.notna() & (text.str.strip() != "")).to_numpy(dtype=bool)
    return RawTable(spec.name, body[filled], source, digest), []


def _header_elsewhere(spec: TableSpec, cells: pd.DataFrame) -> int | None:
    """Row number of a header further down, when row 1 holds no contract column at all."""
    names = {c.name for c in spec.columns}

    def hits(row: pd.Series) -> int:
        return len({normalise_name(v) for v in row.tolist() if v is not None} & names)

    if cells.empty or hits(cells.iloc[0]) > 0:
        return None
    needed = max(2, len(names) // 2)
    for position in range(1, min(HEADER_SEARCH_ROWS, len(cells))):
        if hits(cells.iloc[position]) >= needed:
            return position + 1
    return None


def _read_parquet(spec: TableSpec, path: Path) -> tuple[RawTable | None, list[Problem]]:
    source = display_path(path)
    data = path.read_bytes()
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several types for a damaged file
        return None, [
            Problem(
                spec.name,
                source,
                None,
                f"the file cannot be read as Parquet ({type(exc).__name__}: {exc})",
                fix="write the file again (it may be damaged or not Parquet at all)",
            )
        ]
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return RawTable(spec.name, frame, source, _sha256(data)), []


def _read_excel(spec: TableSpec, path: Path) -> tuple[RawTable | None, list[Problem]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    source = display_path(path)
    data = path.read_bytes()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        return None, [
            Problem(
                spec.name,
                source,
                None,
                f"the file cannot be opened as an Excel workbook ({exc})",
                fix="open it in Excel and save it again as an Excel Workbook (.xlsx)",
            )
        ]
    try:
        sheets = list(workbook.sheetnames)
        named = [s for s in sheets if normalise_name(s) == spec.name]
        chosen = named[0] if named else (sheets[0] if len(sheets) == 1 else None)
        if chosen is None:
            listed = ", ".join(
                f"'{s}' ({'has data' if _sheet_has_data(workbook[s]) else 'empty'})" for s in sheets
            )
            return None, [
                Problem(
                    spec.name,
                    source,
                    None,
                    f"no sheet named '{spec.name}' among the {len(sheets)} sheets: {listed}",
                    fix=f"rename the sheet holding the {spec.name} data to '{spec.name}', or "
                    "save that sheet on its own",
                )
            ]
        rows = _sheet_rows(workbook[chosen])
        if not rows:
            others = [s for s in sheets if s != chosen and _sheet_has_data(workbook[s])]
            if others:
                return None, [
                    Problem(
                        spec.name,
                        source,
                        None,
                        f"sheet '{chosen}' is empty; data found on sheet(s) "
                        + ", ".join(f"'{s}'" for s in others),
                        fix=f"put the {spec.name} data on the sheet named '{spec.name}' "
                        "(or delete the empty sheet)",
                    )
                ]
    finally:
        workbook.close()
    label = f"{source}, sheet '{chosen}'"
    if not rows:
        frame = pd.DataFrame()
        return RawTable(spec.name, frame, label, _sha256(data)), []
    width = max(len(r) for r in rows)
    cells = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
    header = [("" if h is None else str(h).strip()) for h in cells.iloc[0].tolist()]
    body = cells.iloc[1:].copy()
    body.columns = header
    body.index = pd.RangeIndex(2, 2 + len(body))
    # Formatting can stretch a sheet's used range beyond the data: unnamed, empty columns go.
    keep = [i for i, name in enumerate(header) if name or not body.iloc[:, i].isna().all()]
    body = body.iloc[:, keep]
    return _finish_file_table(spec, label, _sha256(data), body, cells)


def _sheet_rows(sheet: Any) -> list[tuple]:
    """Rows of a sheet from row 1 (so positions are spreadsheet rows), trailing blanks cut."""
    rows: list[tuple] = []
    last_filled = 0
    for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        rows.append(row)
        if any(v is not None and str(v).strip() for v in row):
            last_filled = number
    return rows[:last_filled]


def _sheet_has_data(sheet: Any, *, rows_searched: int = 50) -> bool:
    """Whether any of a sheet's first rows holds a value."""
    for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        if any(v is not None and str(v).strip() for v in row):
            return True
        if number >= rows_searched:
            break
    return False


# --------------------------------------------------------------------------- SQL


def safe_url(url: str) -> str:
    """A SQLAlchemy URL with its password hidden, for messages and provenance.

    Examples
    --------
    >>> safe_url("postgresql://analyst:s3cret@db.example/crime")
    'postgresql://analyst:***@db.example/crime'
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _scrub(text: str, url: str) -> str:
    """Remove a URL's password (and the URL itself) from a driver's error message."""
    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except Exception:
        password = None
    text = text.replace(url, safe_url(url))
    if password:
        text = text.replace(str(password), "***")
    return text.strip().splitlines()[0] if text.strip() else text


def read_sql(
    contract: Contract, url: str, *, queries: Mapping[str, str] | None = None
) -> ReadResult:
    """Read a contract's tables from a database through SQLAlchemy.

    Each table is read from the database table or view of the same name (matched
    ignoring case), or with the query given for it in ``queries``. A SQLite file
    is opened read-only, and a SQLite path that does not exist is an error
    rather than a new empty database.

    Examples
    --------
    >>> from analysis.data.validation import resolve_contract
    >>> result = read_sql(resolve_contract("lsavi"), "sqlite:////no/such/extract.db")
    >>> print(result.problems[0].message)
    the database file does not exist
    """
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    queries = dict(queries or {})
    label = safe_url(url)
    result = ReadResult()

    def fail(message: str, fix: str) -> ReadResult:
        result.problems.append(Problem("", label, None, message, fix=fix))
        return result

    unknown = sorted(set(queries) - set(contract.table_names))
    if unknown:
        fail(
            f"queries given for table(s) the contract does not have: {', '.join(unknown)}",
            f"name the queries after the tables: {', '.join(contract.table_names)}",
        )
    try:
        parsed = make_url(url)
    except ArgumentError:
        return fail(
            "not a valid SQLAlchemy URL",
            "write it as dialect+driver://user@host/database, e.g. sqlite:///extract.db",
        )
    engine_options: dict = {}
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        if not database.exists():
            return fail(
                "the database file does not exist",
                f"check the path ({database}); a SQLite URL needs three slashes before a "
                "relative path and four before an absolute one",
            )
        # Read-only: validating or evaluating an extract must never change it.
        uri = f"file:{database.resolve()}?mode=ro"
        engine_options["creator"] = lambda: sqlite3.connect(uri, uri=True)
    try:
        engine = create_engine(parsed, **engine_options)
    except (NoSuchModuleError, ImportError) as exc:
        return fail(
            f"the database driver is not installed ({_scrub(str(exc), url)})",
            "install the driver for this database in the environment, or export the "
            "tables to files",
        )
    try:
        with engine.connect() as connection:
            names = list(inspect(connection).get_table_names())
            with contextlib.suppress(NotImplementedError):
                names += list(inspect(connection).get_view_names())
            by_name = {normalise_name(n): n for n in names}
            for spec in contract.tables:
                query = queries.get(spec.name)
                if query is None:
                    actual = by_name.get(spec.name)
                    if actual is None:
                        result.problems.append(
                            Problem(
                                spec.name,
                                f"{label}, table {spec.name}",
                                None,
                                f"the database has no table or view '{spec.name}'",
                                fix="create it, or give a query for it under 'queries:' in "
                                f"config/{contract.programme}.yaml; tables found: "
                                + (", ".join(sorted(names)[:15]) or "none"),
                            )
                        )
                        continue
                    quoted = connection.dialect.identifier_preparer.quote(actual)
                    query = f"SELECT * FROM {quoted}"
                    where = f"{label}, table {actual}"
                else:
                    where = f"{label}, query for {spec.name}"
                try:
                    rows = connection.execute(text(query))
                    columns = list(rows.keys())
                    records = rows.fetchall()
                except SQLAlchemyError as exc:
                    connection.rollback()
                    result.problems.append(
                        Problem(
                            spec.name,
                            where,
                            None,
                            f"the query failed: {_scrub(str(getattr(exc, 'orig', exc)), url)}",
                            fix=f"check the query for {spec.name} in config/"
                            f"{contract.programme}.yaml (or the table) in the database",
                        )
                    )
                    continue
                frame = pd.DataFrame.from_records(
                    [tuple(r) for r in records], columns=columns, coerce_float=False
                )
                frame.index = pd.RangeIndex(2, 2 + len(frame))
                digest = hashlib.sha256(query.encode("utf-8") + b"\n")
                digest.update(frame.to_csv(index=False).encode("utf-8"))
                result.tables[spec.name] = RawTable(spec.name, frame, where, digest.hexdigest())
    except SQLAlchemyError as exc:
        detail = _scrub(str(getattr(exc, "orig", None) or exc), url)
        return fail(
            f"could not connect to the database ({detail})",
            "check the host, port, database name and that the server is running; put the "
            "password in the environment or a .pgpass file rather than in the URL",
        )
    finally:
        engine.dispose()
    return result


# --------------------------------------------------------------------------- DuckDB

#: Suffixes of the parts of a table kept as a folder, and DuckDB's reader for each.
PART_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def _quote(name: str) -> str:
    """A SQL identifier in double quotes (a quote inside doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def _fetch_contract_columns(
    connection: Any, relation: str, parameters: list, spec: TableSpec, source: str
) -> tuple[pd.DataFrame, list[str]]:
    """Fetch from a DuckDB relation only the columns the contract's checks look at.

    The header is read first (``DESCRIBE``, no rows); the columns matched to the
    contract, and those close enough to be suggested for a missing one, are fetched;
    the others stay in DuckDB. Returns the frame (rows numbered from 2, as a
    spreadsheet's) and the warning the checks would have given about the columns
    left out, so that a user reads the same notes as for the whole table.
    """
    from .validation import match_columns

    described = connection.execute(f"DESCRIBE SELECT * FROM {relation}", parameters).fetchall()
    header = [str(row[0]) for row in described]
    whole = match_columns(header, spec, source)
    fetched = [header[i] for i in whole.consulted]
    left_out = match_columns(fetched, spec, source).warnings
    warnings = [w for w in whole.warnings if w not in left_out]
    if not fetched:  # nothing the contract knows: the header alone lets the checks say so
        count = connection.execute(f"SELECT count(*) FROM {relation}", parameters).fetchone()
        frame = pd.DataFrame(index=pd.RangeIndex(int(count[0])))
    else:
        selected = ", ".join(_quote(name) for name in fetched)
        frame = connection.execute(f"SELECT {selected} FROM {relation}", parameters).df()
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame, warnings


def _digest_rows(text: str, frame: pd.DataFrame) -> str:
    """SHA-256 of a query's text and the rows it returned (vectorised: fast at any size)."""
    digest = hashlib.sha256(text.encode("utf-8") + b"\n")
    digest.update("\x1f".join(map(str, frame.columns)).encode("utf-8") + b"\n")
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _duckdb_problem(spec: TableSpec, source: str, exc: Exception, fix: str) -> Problem:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Problem(spec.name, source, None, f"DuckDB could not read it: {first_line}", fix=fix)


def read_duckdb(
    contract: Contract, database: str | Path, *, queries: Mapping[str, str] | None = None
) -> ReadResult:
    """Read a contract's tables from a DuckDB database file, with DuckDB.

    Each table is read from the table or view of the same name (matched ignoring
    case), or with the query given for it in ``queries``, as :func:`read_sql` does;
    the file is opened read-only. Only the columns the contract's checks look at are
    fetched into pandas (see the module docstring); the fingerprint is of the query
    and the rows fetched.

    Examples
    --------
    >>> from analysis.data.validation import resolve_contract
    >>> result = read_duckdb(resolve_contract("lsavi"), "/no/such/national.duckdb")
    >>> print(result.problems[0])
    /no/such/national.duckdb: the DuckDB database file does not exist. Fix: check the path;
    a DuckDB URL is duckdb:///relative/path.duckdb or duckdb:////absolute/path.duckdb
    """
    import duckdb

    database = Path(database)
    label = display_path(database)
    queries = dict(queries or {})
    result = ReadResult()

    def fail(message: str, fix: str) -> ReadResult:
        result.problems.append(Problem("", label, None, message, fix=fix))
        return result

    unknown = sorted(set(queries) - set(contract.table_names))
    if unknown:
        fail(
            f"queries given for table(s) the contract does not have: {', '.join(unknown)}",
            f"name the queries after the tables: {', '.join(contract.table_names)}",
        )
    if not database.is_file():
        return fail(
            "the DuckDB database file does not exist",
            "check the path; a DuckDB URL is duckdb:///relative/path.duckdb or "
            "duckdb:////absolute/path.duckdb",
        )
    try:
        # Read-only: validating or evaluating an extract must never change it.
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        return fail(
            f"the file cannot be opened as a DuckDB database ({str(exc).splitlines()[0]})",
            "check that it is a DuckDB file written by DuckDB 1.1 or later and that no "
            "other program holds it open for writing",
        )
    with connection:
        names = [
            str(row[0])
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() ORDER BY table_name"
            ).fetchall()
        ]
        by_name = {normalise_name(n): n for n in names}
        for spec in contract.tables:
            query = queries.get(spec.name)
            if query is None:
                actual = by_name.get(spec.name)
                if actual is None:
                    result.problems.append(
                        Problem(
                            spec.name,
                            f"{label}, table {spec.name}",
                            None,
                            f"the database has no table or view '{spec.name}'",
                            fix="create it, or give a query for it under 'queries:' in "
                            f"config/{contract.programme}.yaml; tables found: "
                            + (", ".join(names[:15]) or "none"),
                        )
                    )
                    continue
                relation, where, text = _quote(actual), f"{label}, table {actual}", actual
            else:
                relation, where, text = f"({query})", f"{label}, query for {spec.name}", query
            try:
                frame, warnings = _fetch_contract_columns(connection, relation, [], spec, where)
            except duckdb.Error as exc:
                result.problems.append(
                    _duckdb_problem(
                        spec,
                        where,
                        exc,
                        f"check the query for {spec.name} in config/{contract.programme}.yaml "
                        "(or the table) in the database",
                    )
                )
                continue
            result.warnings.extend(warnings)
            result.tables[spec.name] = RawTable(spec.name, frame, where, _digest_rows(text, frame))
    return result


def _read_parts(
    spec: TableSpec, folder: Path, files: list[Path], part_folders: list[Path]
) -> tuple[RawTable | None, list[Problem], list[str]]:
    """A table kept as a folder of Parquet or CSV parts, read with DuckDB.

    Parts are read in name order (at any depth) and their rows numbered in that
    order from 2, across parts. CSV parts must share one header (compared without
    case or byte-order mark) and be UTF-8, as a single CSV file must. The fingerprint
    is of every part's name and bytes.
    """
    import duckdb

    def refuse(where: Path, message: str, fix: str, column: str | None = None):
        return None, [Problem(spec.name, display_path(where), column, message, fix=fix)], []

    twins = [p for p in files if normalise_name(p.stem) == spec.name]
    if len(part_folders) > 1 or twins:
        listed = ", ".join(sorted(p.name for p in part_folders + twins))
        return refuse(
            folder,
            f"several files or folders for table '{spec.name}': {listed}",
            "keep one file, or one folder of parts, per table, so it is clear which is the extract",
        )
    parts_folder = part_folders[0]
    parts = sorted(
        (p for p in parts_folder.rglob("*") if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.relative_to(parts_folder).as_posix(),
    )
    formats = {PART_FORMATS.get(p.suffix.lower()) for p in parts}
    if not parts or None in formats or len(formats) > 1:
        others = [p.name for p in parts if p.suffix.lower() not in PART_FORMATS][:5]
        found = (
            f"it holds {', '.join(others)}"
            if others
            else ("it is empty" if not parts else "it mixes Parquet and CSV parts")
        )
        return refuse(
            parts_folder,
            f"the folder for table '{spec.name}' is not a set of Parquet or CSV parts: {found}",
            f"keep only the {spec.name} table's parts in it, all .parquet or all .csv",
        )
    source = display_path(parts_folder)
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.relative_to(parts_folder).as_posix().encode("utf-8") + b"\n")
        with open(part, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    (fmt,) = formats
    paths = [str(p) for p in parts]
    if fmt == "csv":
        problems = _check_csv_parts(spec, parts)
        if problems:
            return None, problems, []
        # Every cell as text, as the pandas reader gives it; the checks convert and report.
        relation = (
            "read_csv($1, header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"', skip = 0)"
        )
    else:
        relation = "read_parquet($1, union_by_name = true)"
    try:
        with duckdb.connect(":memory:") as connection:
            frame, warnings = _fetch_contract_columns(connection, relation, [paths], spec, source)
    except duckdb.Error as exc:
        fix = (
            "save every part as CSV UTF-8 (comma-separated) with the same header"
            if fmt == "csv"
            else "write the part again (it may be damaged or not Parquet at all)"
        )
        return None, [_duckdb_problem(spec, source, exc, fix)], []
    if fmt == "csv":
        frame = _drop_blank_rows(frame)
    return RawTable(spec.name, frame, source, digest.hexdigest()), [], warnings


def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with every fetched cell blank are not records (as for a single CSV file)."""
    filled = np.zeros(len(frame), dtype=bool)
    for position in range(frame.shape[1]):
        cells = frame.iloc[:, position]
        filled |= (cells.notna() & (cells.astype("str").str.strip() != "")).to_numpy(dtype=bool)
    return frame[filled] if frame.shape[1] else frame


def _check_csv_parts(spec: TableSpec, parts: list[Path]) -> list[Problem]:
    """Each CSV part's first line: UTF-8 (not UTF-16), commas, the first part's header."""
    import csv

    problems: list[Problem] = []
    first: tuple[str, ...] | None = None
    for part in parts:
        with open(part, "rb") as handle:
            line = handle.readline()
        source = display_path(part)
        if line.startswith((b"\xff\xfe", b"\xfe\xff")):
            problems.append(
                Problem(
                    spec.name,
                    source,
                    None,
                    "the part is UTF-16 text (Excel's 'Unicode Text'), not UTF-8 CSV",
                    fix="save it as 'CSV UTF-8 (Comma delimited) (*.csv)'",
                )
            )
            continue
        text = line.decode("utf-8-sig", errors="replace").rstrip("\r\n")
        header = tuple(h.strip().lower() for h in next(csv.reader([text]), []))
        if len(header) == 1:
            described = [d for c, d in _DELIMITERS.items() if c in header[0]]
            if described:
                problems.append(
                    Problem(
                        spec.name,
                        source,
                        None,
                        f"the values are separated by {described[0]}, not commas (the header "
                        f"reads '{text[:80]}')",
                        fix="save it as comma-separated CSV (in Excel: 'CSV UTF-8 (Comma "
                        "delimited)')",
                    )
                )
                continue
        if first is None:
            first = header
        elif header != first:
            differ = [h for h in header if h not in first] + [h for h in first if h not in header]
            what = (
                f"columns {', '.join(repr(h) for h in differ[:5])} are in one but not the other"
                if differ
                else "the same columns are in another order"
            )
            problems.append(
                Problem(
                    spec.name,
                    source,
                    None,
                    f"the header differs from the first part's ({display_path(parts[0])}): {what}",
                    fix="write every part with the same header, in the same order",
                )
            )
    return problems
