"""Loading a programme's data: read, check, pseudonymise, and record where it came from.

:func:`load` is the one way the notebooks get their data::

    data = load("op_focus", source="synthetic", seed=2026)
    data["crimes"]          # validated, typed, pseudonymised
    data.provenance         # per table: source, rows, sha256, columns

:func:`validate_source` checks an extract without loading it for analysis
(``python -m analysis validate PROGRAMME --source SOURCE``).

:func:`set_preloaded` lets a caller that has loaded datasets already (ahead of
the code that will ask for them) offer them to :func:`load`; nothing is offered
unless a caller installs a lookup.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataValidationError, Problem
from .loaders import ReadResult, read_source
from .pseudonymise import pseudonym_key, pseudonymise
from .schema import Contract
from .sources import DuckDBSource, FolderSource, Source, SqlSource
from .store import read_manifest, synthetic_input
from .validation import as_extract_date, resolve_contract, validate_tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A programme's validated, typed and pseudonymised input tables.

    Attributes
    ----------
    programme : str
        Programme slug.
    tables : dict of str to DataFrame
        One table per contract table, columns in contract order.
    extract_date : pandas.Timestamp
        Date the extract was taken (no event after it).
    synthetic : bool
        Whether the data are synthetic.
    truth : dict or None
        Planted value of each estimand (synthetic data), else None.
    provenance : dict
        Per table: ``source``, ``rows``, ``sha256`` (of the input bytes) and ``columns``.
    warnings : list of str
        What a reader should know about the loading (defaults used, columns
        ignored, extract date inferred).
    """

    programme: str
    tables: dict[str, pd.DataFrame]
    extract_date: pd.Timestamp
    synthetic: bool
    truth: dict[str, Any] | None = None
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        """Return the table called ``name``."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(
                f"{self.programme} has no table '{name}'; tables: {', '.join(self.tables)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        """Iterate over the table names."""
        return iter(self.tables)

    def __contains__(self, name: object) -> bool:
        """Whether the dataset has a table called ``name``."""
        return name in self.tables

    def __len__(self) -> int:
        """Number of tables."""
        return len(self.tables)

    def summary(self) -> pd.DataFrame:
        """One row per table: rows, columns and where it came from.

        Examples
        --------
        >>> data = load("op_focus", seed=3, scale=0.02)
        >>> data.summary().columns.tolist()
        ['table', 'rows', 'columns', 'source']
        """
        return pd.DataFrame(
            [
                {
                    "table": name,
                    "rows": len(table),
                    "columns": table.shape[1],
                    "source": self.provenance.get(name, {}).get("source", ""),
                }
                for name, table in self.tables.items()
            ]
        )

    def __repr__(self) -> str:
        """Programme, kind of data, extract date and table sizes."""
        kind = "synthetic" if self.synthetic else "real"
        sizes = ", ".join(f"{n}: {len(t):,} rows" for n, t in self.tables.items())
        return (
            f"Dataset({self.programme}, {kind}, extract date {self.extract_date:%d %b %Y}; {sizes})"
        )

    def _repr_html_(self) -> str:
        kind = "synthetic data" if self.synthetic else "pseudonymised extract"
        rows = "".join(
            f"<tr><td>{html.escape(str(r.table))}</td><td>{r.rows:,}</td>"
            f"<td>{r.columns}</td><td>{html.escape(str(r.source))}</td></tr>"
            for r in self.summary().itertuples()
        )
        notes = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return (
            f"<p><strong>{html.escape(self.programme)}</strong>: {kind}, extract date "
            f"{self.extract_date:%d %B %Y}</p>"
            "<table><thead><tr><th>table</th><th>rows</th><th>columns</th><th>source</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
        )


@dataclass
class _Input:
    read: ReadResult
    synthetic: bool
    truth: dict[str, Any] | None = None
    extract_date: pd.Timestamp | None = None
    warnings: list[str] = field(default_factory=list)


def _synthetic_folder_manifest(source: Source) -> dict[str, Any] | None:
    """The manifest of a folder source written by :func:`write_synthetic`, if any."""
    if not isinstance(source, FolderSource) or not source.path.is_dir():
        return None
    return read_manifest(source.path)


def _queries_for(contract: Contract, source: Source, queries: Mapping[str, str] | None):
    """Queries for a database named by URL or a DuckDB file: those given, else the config's."""
    if queries is not None or not isinstance(source, SqlSource | DuckDBSource):
        return queries
    from ..config import load_config

    return load_config(contract.programme).queries or None


def _read_input(
    contract: Contract,
    source: Any,
    *,
    seed: int,
    scale: float,
    queries: Mapping[str, str] | None,
    world: str = "friendly",
) -> _Input:
    source = Source.parse(source)
    if source.is_synthetic:
        data = synthetic_input(contract.programme, seed=seed, scale=scale, world=world)
        logger.info("%s synthetic data %s", contract.programme, data.origin)
        return _Input(ReadResult(tables=data.tables), True, data.truth, data.extract_date)
    manifest = _synthetic_folder_manifest(source)
    read = read_source(contract, source, queries=_queries_for(contract, source, queries))
    for warning in read.warnings:
        logger.warning(warning)
    if manifest is not None and manifest.get("programme") == contract.programme:
        return _Input(
            read,
            True,
            manifest.get("truth") or {},
            pd.Timestamp(manifest["extract_date"]),
            list(read.warnings),
        )
    return _Input(read, False, warnings=list(read.warnings))


def _check(
    contract: Contract,
    data: _Input,
    extract_date: pd.Timestamp | None,
    pseudonymiser: Any,
):
    frames = {name: table.frame for name, table in data.read.tables.items()}
    sources = {name: table.source for name, table in data.read.tables.items()}
    outcome = validate_tables(
        contract,
        frames,
        sources=sources,
        extract_date=extract_date,
        pseudonymiser=pseudonymiser,
        missing_reported=data.read.reported(contract),
    )
    problems = _connection_problems_first(data.read.problems) + outcome.problems
    return outcome, problems


def _connection_problems_first(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.table] + [p for p in problems if p.table]


@dataclass(frozen=True)
class LoadRequest:
    """A :func:`load` call as it will read: its contract resolved, its date parsed, its key.

    What a lookup installed by :func:`set_preloaded` is asked about. The key is
    held so that a dataset pseudonymised under another key is never returned;
    it is left out of the representation.

    Attributes
    ----------
    programme : str
        Programme slug (the contract's).
    source : Source
        As passed to :func:`load`, parsed (:meth:`analysis.data.sources.Source.parse`).
    seed, scale : int, float
        As passed to :func:`load`.
    extract_date : pandas.Timestamp or None
        The extract date asked for, parsed; None when not given.
    queries : mapping of str to str or None
        As passed to :func:`load`.
    world : str
        The synthetic world asked for (``"friendly"`` for every other source).
    key : bytes
        The pseudonymisation key the load would use.
    """

    programme: str
    source: Source
    seed: int
    scale: float
    extract_date: pd.Timestamp | None
    queries: Mapping[str, str] | None
    world: str
    key: bytes = field(repr=False)


#: The installed lookup of datasets loaded ahead (:func:`set_preloaded`); None: nothing offered.
_PRELOADED: Callable[[LoadRequest], Dataset | None] | None = None


def set_preloaded(lookup: Callable[[LoadRequest], Dataset | None] | None) -> None:
    """Offer :func:`load` datasets loaded elsewhere; ``None`` stops offering them.

    Before reading anything, :func:`load` asks ``lookup`` about its call (a
    :class:`LoadRequest`); a dataset returned is returned as it is, None means
    read as usual. The lookup decides what counts as the same call (the files
    unchanged, the same key) and whether a dataset is offered more than once.
    Nothing is installed unless a caller installs it: an analyst's ``load``
    always reads its source.

    Parameters
    ----------
    lookup : callable or None
        ``lookup(request) -> Dataset | None``.

    Examples
    --------
    >>> offered = load("op_focus", seed=3, scale=0.02)
    >>> set_preloaded(lambda request: offered if request.seed == 3 else None)
    >>> load("op_focus", seed=3, scale=0.02) is offered
    True
    >>> set_preloaded(None)
    >>> load("op_focus", seed=3, scale=0.02) is offered
    False
    """
    global _PRELOADED
    _PRELOADED = lookup


def load_request(
    programme: str | Contract,
    source: str | Path = "synthetic",
    *,
    seed: int = 2026,
    scale: float = 1.0,
    extract_date: Any = None,
    queries: Mapping[str, str] | None = None,
    world: str = "friendly",
) -> LoadRequest:
    """The :class:`LoadRequest` of a :func:`load` call with these arguments, reading nothing.

    Raises as :func:`load` does for an unknown programme, a bad date or real
    data without a pseudonymisation key.

    Examples
    --------
    >>> request = load_request("lsavi", seed=7, extract_date="2026-03-31")
    >>> request.programme, request.seed, str(request.extract_date.date())
    ('lsavi', 7, '2026-03-31')
    """
    return _request(programme, source, seed, scale, extract_date, queries, world)[1]


def _request(
    programme: str | Contract,
    source: Any,
    seed: int,
    scale: float,
    extract_date: Any,
    queries: Mapping[str, str] | None,
    world: str = "friendly",
) -> tuple[Contract, LoadRequest]:
    contract = resolve_contract(programme)
    requested_date = as_extract_date(extract_date)
    source = Source.parse(source)
    manifest = _synthetic_folder_manifest(source)
    synthetic = source.is_synthetic or manifest is not None
    # Refuse real data without a key before reading anything.
    key = pseudonym_key(synthetic=synthetic)
    return contract, LoadRequest(
        contract.programme, source, seed, scale, requested_date, queries, world, key
    )


def load(
    programme: str | Contract,
    source: str | Path = "synthetic",
    *,
    seed: int = 2026,
    scale: float = 1.0,
    extract_date: Any = None,
    queries: Mapping[str, str] | None = None,
    world: str = "friendly",
) -> Dataset:
    """Load a programme's tables: read, check against the contract, pseudonymise.

    Parameters
    ----------
    programme : str or Contract
        Programme slug (``op_focus``, ``perpetrator_programmes``, ``lsavi``).
    source : str or Path
        ``"synthetic"`` (the default: ``data/synthetic/<programme>/`` when it was
        written with this seed and scale, else generated in memory); a folder of
        ``<table>.csv|.parquet|.xlsx`` files (or ``<table>/`` folders of Parquet or
        CSV parts, read with DuckDB); a SQLite file; a DuckDB file
        (``duckdb:///path.duckdb``, read with DuckDB); or a SQLAlchemy URL.
    seed, scale : int, float
        Seed and volume of the synthetic data (ignored for other sources).
    extract_date : str, date or Timestamp, optional
        Date the extract was taken (``YYYY-MM-DD`` or ``DD/MM/YYYY``). Default:
        the synthetic data's own; for a real extract, the latest date in it
        (with a warning: pass the real date so that later dates are caught).
    queries : mapping of str to str, optional
        SQL query per table for a database or DuckDB source; default the ``queries:`` of
        ``config/<programme>.yaml``, else the tables named after the contract's.
    world : str
        For synthetic data: the named world to generate
        (:func:`analysis.synthetic.worlds`); ``"friendly"``, the default, is the
        world where each design's assumptions hold. Ignored for other sources.

    Returns
    -------
    Dataset

    Raises
    ------
    DataValidationError
        Listing every problem with the extract (file, column, rows, fix).
    ConfigError
        For an unknown programme, a bad extract date, or real data without a
        pseudonymisation key (``ANALYSIS_PSEUDONYM_KEY``).

    Examples
    --------
    >>> data = load("op_focus", seed=3, scale=0.02)
    >>> data.synthetic, list(data.tables)
    (True, ['suspects', 'crimes'])
    >>> len(data["suspects"]["suspect_id"][0])  # a 64-character pseudonym
    64
    """
    contract, request = _request(programme, source, seed, scale, extract_date, queries, world)
    if _PRELOADED is not None:  # installed by a caller that loaded data ahead (set_preloaded)
        ahead = _PRELOADED(request)
        if ahead is not None:
            return ahead
    requested_date, key = request.extract_date, request.key
    data = _read_input(
        contract, request.source, seed=seed, scale=scale, queries=queries, world=world
    )
    check_date = requested_date or data.extract_date

    def pseudonymiser(values: pd.Series) -> pd.Series:
        return pseudonymise(values, key=key)

    outcome, problems = _check(contract, data, check_date, pseudonymiser)
    if problems:
        raise DataValidationError(problems, contract.programme)
    warnings = data.warnings + outcome.warnings
    if check_date is None:
        check_date = outcome.latest_date or pd.Timestamp.today().normalize()
        note = (
            f"extract date not given: taken as {check_date:%d/%m/%Y}, the latest date in the "
            "extract; give the date the extract was taken (extract_date) so that records "
            "after it are caught and follow-up is censored correctly"
        )
        logger.warning(note)
        warnings.append(note)
    provenance = {
        name: {
            "source": data.read.tables[name].source,
            "rows": len(table),
            "sha256": data.read.tables[name].sha256,
            "columns": list(table.columns),
        }
        for name, table in outcome.tables.items()
    }
    return Dataset(
        programme=contract.programme,
        tables=outcome.tables,
        extract_date=pd.Timestamp(check_date),
        synthetic=data.synthetic,
        truth=data.truth if data.synthetic else None,
        provenance=provenance,
        warnings=warnings,
    )


def validate_source(
    programme: str | Contract,
    source: str | Path,
    *,
    extract_date: Any = None,
    queries: Mapping[str, str] | None = None,
    seed: int = 2026,
    scale: float = 1.0,
) -> list[Problem]:
    """Check an extract against its programme's contract and list every problem.

    Used by ``python -m analysis validate PROGRAMME --source SOURCE``. Nothing
    is kept, so no pseudonymisation key is needed; messages never quote
    identifier values.

    Parameters
    ----------
    programme : str or Contract
        Programme slug.
    source : str or Path
        A folder of extracts, a SQLite file, a SQLAlchemy URL or ``"synthetic"``.
    extract_date : str, date or Timestamp, optional
        Date the extract was taken; without it dates are checked against today.
    queries : mapping of str to str, optional
        SQL query per table (default: the programme config's ``queries:``).
    seed, scale : int, float
        For ``source="synthetic"``.

    Returns
    -------
    list of Problem
        Empty when the extract meets its contract.

    Raises
    ------
    ConfigError
        For an unknown programme or an extract date that is not a date.

    Examples
    --------
    >>> [str(p) for p in validate_source("lsavi", "/no/such/folder")][0][:40]
    '/no/such/folder: the folder does not exi'
    """
    contract = resolve_contract(programme)
    requested_date = as_extract_date(extract_date)
    data = _read_input(contract, source, seed=seed, scale=scale, queries=queries)
    _, problems = _check(contract, data, requested_date or data.extract_date, None)
    return problems
