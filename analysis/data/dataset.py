"""Loading a programme's data: read, check, pseudonymise, and record where it came from.

:func:`load` is the one way the notebooks get their data::

    data = load("op_focus", source="synthetic", seed=2026)
    data["crimes"]          # validated, typed, pseudonymised
    data.provenance         # per table: source, rows, sha256, columns

:func:`validate_source` checks an extract without loading it for analysis
(``python -m analysis validate PROGRAMME --source SOURCE``).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataValidationError, Problem
from . import prefetch
from .loaders import ReadResult, is_sql_url, read_source, resolve_path
from .pseudonymise import pseudonym_key, pseudonymise
from .schema import Contract
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


def _synthetic_folder_manifest(source: Any) -> dict[str, Any] | None:
    """The manifest of a folder source written by :func:`write_synthetic`, if any."""
    if source == "synthetic" or is_sql_url(str(source)):
        return None
    path = resolve_path(source)
    return read_manifest(path) if path.is_dir() else None


def _queries_for(contract: Contract, source: Any, queries: Mapping[str, str] | None):
    """Queries for a database source: those given, else the programme config's."""
    if queries is not None or not is_sql_url(str(source)):
        return queries
    from .. import PROGRAMMES

    if contract.programme not in PROGRAMMES:
        return None
    from ..config import load_config

    return load_config(contract.programme).queries or None


def _read_input(
    contract: Contract,
    source: Any,
    *,
    seed: int,
    scale: float,
    queries: Mapping[str, str] | None,
) -> _Input:
    if source is None or (isinstance(source, str) and not source.strip()):
        source = "synthetic"
    if source == "synthetic":
        data = synthetic_input(contract.programme, seed=seed, scale=scale)
        logger.info("%s synthetic data %s", contract.programme, data.origin)
        return _Input(ReadResult(tables=data.tables), True, data.truth, data.extract_date)
    manifest = _synthetic_folder_manifest(source)
    read = read_source(contract, source, queries=_queries_for(contract, source, queries))
    if manifest is not None and manifest.get("programme") == contract.programme:
        return _Input(
            read,
            True,
            manifest.get("truth") or {},
            pd.Timestamp(manifest["extract_date"]),
        )
    return _Input(read, False)


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


def _prepare(
    programme: str | Contract, source: Any, extract_date: Any
) -> tuple[Contract, pd.Timestamp | None, bytes]:
    """What a load needs before reading: the contract, the extract date asked for, the key."""
    contract = resolve_contract(programme)
    requested_date = as_extract_date(extract_date)
    manifest = _synthetic_folder_manifest(source)
    synthetic = source in (None, "", "synthetic") or manifest is not None
    # Refuse real data without a key before reading anything.
    return contract, requested_date, pseudonym_key(synthetic=synthetic)


def load_signature(
    programme: str | Contract,
    source: str | Path = "synthetic",
    *,
    seed: int = 2026,
    scale: float = 1.0,
    extract_date: Any = None,
    queries: Mapping[str, str] | None = None,
) -> tuple | None:
    """What identifies this :func:`load` call and the data it would read (see :mod:`.prefetch`).

    Raises as :func:`load` does for an unknown programme, a bad date or a missing key.
    """
    contract, requested_date, key = _prepare(programme, source, extract_date)
    return prefetch.signature(
        contract.programme, source, seed, scale, requested_date, queries=queries, key=key
    )


def load(
    programme: str | Contract,
    source: str | Path = "synthetic",
    *,
    seed: int = 2026,
    scale: float = 1.0,
    extract_date: Any = None,
    queries: Mapping[str, str] | None = None,
) -> Dataset:
    """Load a programme's tables: read, check against the contract, pseudonymise.

    Parameters
    ----------
    programme : str or Contract
        Programme slug (``op_focus``, ``perpetrator_programmes``, ``lsavi``).
    source : str or Path
        ``"synthetic"`` (the default: ``data/synthetic/<programme>/`` when it was
        written with this seed and scale, else generated in memory); a folder of
        ``<table>.csv|.parquet|.xlsx`` files; a SQLite file; or a SQLAlchemy URL.
    seed, scale : int, float
        Seed and volume of the synthetic data (ignored for other sources).
    extract_date : str, date or Timestamp, optional
        Date the extract was taken (``YYYY-MM-DD`` or ``DD/MM/YYYY``). Default:
        the synthetic data's own; for a real extract, the latest date in it
        (with a warning: pass the real date so that later dates are caught).
    queries : mapping of str to str, optional
        SQL query per table for a database source; default the ``queries:`` of
        ``config/<programme>.yaml``, else the tables named after the contract's.

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
    contract, requested_date, key = _prepare(programme, source, extract_date)
    if prefetch.has_any():  # in a batch kernel: this very load may have been done ahead
        call = prefetch.signature(
            contract.programme, source, seed, scale, requested_date, queries=queries, key=key
        )
        ahead = prefetch.take(call)
        if ahead is not None:
            return ahead
    data = _read_input(contract, source, seed=seed, scale=scale, queries=queries)
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
