"""Where a programme's data comes from, decided once: the ``source`` text parsed into a type.

``load(programme, source=...)`` and ``python -m analysis run --source ...`` take a
string: ``"synthetic"``, a folder of extracts, a SQLite file, a SQLAlchemy URL or a
DuckDB database (``duckdb:///path.duckdb``, or the ``.duckdb`` file itself).
:meth:`Source.parse` turns it into one of the types below at the boundary, and
everything after (reading, the synthetic-manifest check, the database queries,
the batch prefetch's cache key) asks the object what it is rather than looking at
the text again.

Examples
--------
>>> Source.parse("synthetic")
SyntheticSource()
>>> Source.parse("postgresql://reader@db/extract")
SqlSource(url='postgresql://reader@db/extract')
>>> Source.parse("data").kind
'folder'
>>> Source.parse("duckdb:///national/extract.duckdb")
DuckDBSource(path=PosixPath('national/extract.duckdb'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..errors import ConfigError
from ..paths import PROJ_ROOT

#: ``scheme://``: a URL (SQLAlchemy's form ``dialect+driver://``), not a path.
URL_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

#: File suffixes of a SQLite database, read through SQLAlchemy.
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")

#: File suffixes of a DuckDB database, read with DuckDB itself (no SQLAlchemy dialect needed).
DUCKDB_SUFFIXES = (".duckdb", ".ddb")

#: ``duckdb:///relative/path.duckdb`` or ``duckdb:////absolute/path.duckdb``, as SQLAlchemy
#: writes SQLite URLs (three slashes before a relative path, four before an absolute one).
DUCKDB_URL = re.compile(r"^duckdb:///(?P<path>.+)$", re.IGNORECASE)

#: Single-file formats, by suffix (a programme with several tables needs a folder of them).
TABLE_FILE_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}

#: What a user may give, for messages.
ACCEPTED = (
    '"synthetic", a folder of extracts (one file or folder of files per table), a SQLite '
    "file (.db, .sqlite), a DuckDB file (duckdb:///path.duckdb) or a SQLAlchemy URL "
    "(e.g. postgresql://user@host/db)"
)


def resolve_path(source: str | Path) -> Path:
    """A folder or file path, looked up from the working directory, then the project root.

    Notebooks run from ``notebooks/`` under JupyterLab and from the project root
    under the batch runner; a relative path such as ``data/raw/op_focus`` works in both.

    Examples
    --------
    >>> resolve_path("data").name
    'data'
    """
    path = Path(source).expanduser()
    if path.is_absolute() or path.exists():
        return path
    from_root = PROJ_ROOT / path
    return from_root if from_root.exists() else path


class Source:
    """A parsed data source; :meth:`parse` makes one from what a user typed."""

    #: Short name of the kind, for messages and logs.
    kind: ClassVar[str] = ""

    @staticmethod
    def parse(text: str | Path | Source | None) -> Source:
        """The source a string names: synthetic, a folder, a file or a database URL.

        Relative paths are looked up from the working directory, then the
        project root (:func:`resolve_path`). A path that
        does not exist is taken for a folder, so that reading it reports the
        missing folder and what to put there.

        Raises
        ------
        ConfigError
            When ``text`` is neither text nor a path (the message lists what is accepted).

        Examples
        --------
        >>> Source.parse(None), Source.parse("  ")
        (SyntheticSource(), SyntheticSource())
        >>> Source.parse("sqlite:///extract.db").kind
        'sql'
        >>> Source.parse(42)
        Traceback (most recent call last):
        ...
        analysis.errors.ConfigError: source 42 (int) is not a data source. Fix: give ...
        """
        if isinstance(text, Source):
            return text
        if text is None or (isinstance(text, str) and not text.strip()):
            return SyntheticSource()
        if not isinstance(text, str | Path):
            raise ConfigError(
                f"source {text!r} ({type(text).__name__}) is not a data source. "
                f"Fix: give {ACCEPTED}"
            )
        raw = str(text).strip()
        if raw == "synthetic":
            return SyntheticSource()
        duckdb_url = DUCKDB_URL.match(raw)
        if duckdb_url:
            return DuckDBSource(resolve_path(duckdb_url["path"]))
        if raw.lower().startswith("duckdb:"):
            raise ConfigError(
                f"source '{raw}' is not a DuckDB URL. Fix: write duckdb:///relative/path.duckdb "
                "or duckdb:////absolute/path.duckdb (three slashes before the path), or give "
                "the .duckdb file's path"
            )
        if URL_PATTERN.match(raw):
            return SqlSource(raw)
        path = resolve_path(raw)
        if path.is_file():
            suffix = path.suffix.lower()
            if suffix in SQLITE_SUFFIXES:
                return FileSource(path, "sqlite")
            if suffix in DUCKDB_SUFFIXES:
                return DuckDBSource(path)
            return FileSource(path, TABLE_FILE_SUFFIXES.get(suffix, "other"))
        return FolderSource(path)

    @property
    def is_synthetic(self) -> bool:
        """Whether the data are generated rather than read from an extract."""
        return False

    @property
    def is_database(self) -> bool:
        """Whether tables are read with SQL queries (a URL, a SQLite or a DuckDB file)."""
        return False


@dataclass(frozen=True)
class SyntheticSource(Source):
    """The synthetic data: ``data/synthetic/<programme>/`` when current, else generated."""

    kind: ClassVar[str] = "synthetic"

    @property
    def is_synthetic(self) -> bool:  # noqa: D102
        return True

    def __str__(self) -> str:
        return "synthetic"


@dataclass(frozen=True)
class FolderSource(Source):
    """A folder with one entry per table: a CSV, Parquet or Excel file, or a folder of parts.

    A table kept as a folder (``crimes/part-0001.parquet``, ``crimes/2024-01.csv``, ...;
    national extracts are often written so) is read with DuckDB, which hands pandas
    only the columns the contract names.
    """

    path: Path
    kind: ClassVar[str] = "folder"

    def __str__(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class FileSource(Source):
    """A single file: a SQLite database, or one table as Parquet or CSV.

    ``format`` is ``"sqlite"``, ``"parquet"``, ``"csv"`` or ``"other"``.
    """

    path: Path
    format: str
    kind: ClassVar[str] = "file"

    @property
    def is_database(self) -> bool:  # noqa: D102
        return self.format == "sqlite"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of a SQLite file.

        Examples
        --------
        >>> FileSource(Path("/x/extract.db"), "sqlite").url
        'sqlite:////x/extract.db'
        """
        return f"sqlite:///{self.path.resolve()}"

    def __str__(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class SqlSource(Source):
    """A database, named by a SQLAlchemy URL."""

    url: str
    kind: ClassVar[str] = "sql"

    @property
    def is_database(self) -> bool:  # noqa: D102
        return True

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True)
class DuckDBSource(Source):
    """A DuckDB database file, read with DuckDB: only the contract's columns reach pandas.

    Each contract table is read from the table or view of the same name, or with the
    query given for it (``queries:`` in the programme's config), as for a SQL source.

    Examples
    --------
    >>> source = DuckDBSource(Path("/x/national.duckdb"))
    >>> source.kind, source.is_database, str(source)
    ('duckdb', True, 'duckdb:////x/national.duckdb')
    """

    path: Path
    kind: ClassVar[str] = "duckdb"

    @property
    def is_database(self) -> bool:  # noqa: D102
        return True

    def __str__(self) -> str:
        return f"duckdb:///{self.path}"
