"""Checking extracts against a programme's data contract, every problem at once.

The contract (:mod:`analysis.data.schema`) is turned into checks in three layers:

1. **Columns**: names are matched ignoring case, spaces and punctuation
   (``Outcome Code`` is ``outcome_code``); a missing column is reported with
   the extract's nearest column name when there is one, a duplicated column
   with the spreadsheet columns it appears in, and columns the contract does
   not know are dropped (so nothing unexpected, such as a name or address,
   reaches an analysis table) with a warning.
2. **Values**: each column is converted to its declared type
   (:mod:`analysis.data.coercion`); cells that do not convert are reported.
3. **Rules**: a `pandera <https://pandera.readthedocs.io>`_ schema built from
   the contract (:func:`pandera_schema`) checks blanks, allowed values,
   bounds, unique values, keys, dates after the extract date and date order
   within a row; then foreign keys across tables and the programme's own
   cross-column rules (``Contract.extra["checks"]``).

Nothing stops at the first problem: all are collected into one
:class:`~analysis.errors.DataValidationError`, each naming the table and file,
the column, the first offending rows (numbered as in a spreadsheet: the header
is row 1) and the fix. Problems never quote identifier values, so an error
message cannot leak a personal identifier into a log or report.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..errors import DataValidationError, Problem
from .coercion import coerce_column, examples, normalise_name, parse_date, typed_default
from .contracts import get_contract
from .schema import Column, Contract, TableSpec

logger = logging.getLogger(__name__)

#: Offending rows listed per problem (the total is always given).
ROWS_SHOWN = 5
#: Spreadsheet row of the first data row: row 1 is the header.
FIRST_DATA_ROW = 2
#: How close an extract column name must be to a contract name to be suggested (0-1).
NEAR_MISS_CUTOFF = 0.7


@dataclass
class Validated:
    """What checking a set of raw tables produced.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Typed tables in contract column order, rows in extract order
        (``RangeIndex``), for every table that could be read.
    problems : list of Problem
        Everything wrong; empty when the extract meets its contract.
    warnings : list of str
        Things done that a reader should know (defaults, dropped columns).
    latest_date : pandas.Timestamp or None
        The latest date among the columns that may not pass the extract date.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    latest_date: pd.Timestamp | None = None


def resolve_contract(programme: str | Contract) -> Contract:
    """The contract for a programme slug (or the contract itself when given one).

    Examples
    --------
    >>> resolve_contract("op_focus").table_names
    ['suspects', 'crimes']
    """
    return programme if isinstance(programme, Contract) else get_contract(programme)


def with_row_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Index a table by spreadsheet row number (first data row is row 2).

    Examples
    --------
    >>> with_row_numbers(pd.DataFrame({"a": [1, 2]})).index.tolist()
    [2, 3]
    """
    numbered = frame.copy()
    numbered.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
    return numbered


def spreadsheet_column(position: int) -> str:
    """Spreadsheet letter of a 0-based column position.

    Examples
    --------
    >>> spreadsheet_column(0), spreadsheet_column(25), spreadsheet_column(27)
    ('A', 'Z', 'AB')
    """
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _problem(
    spec: TableSpec,
    source: str,
    column: str | None,
    message: str,
    fix: str,
    rows: Sequence[int] = (),
) -> Problem:
    ordered = sorted({int(r) for r in rows})
    return Problem(
        table=spec.name,
        source=source,
        column=column,
        message=message,
        rows=tuple(ordered[:ROWS_SHOWN]),
        fix=fix,
        n_rows=len(ordered),
    )


def _allowed_text(column: Column) -> str:
    allowed = list(column.allowed or ())
    if allowed and all(isinstance(a, int) for a in allowed):
        ints = sorted(allowed)
        if ints == list(range(ints[0], ints[-1] + 1)):
            return f"whole numbers {ints[0]} to {ints[-1]}"
    if len(allowed) <= 12:
        return ", ".join(str(a) for a in allowed)
    return f"{', '.join(str(a) for a in allowed[:12])}, ... (see data/README.md)"


# --------------------------------------------------------------------------- columns


@dataclass
class _ColumnMatch:
    positions: dict[str, int] = field(default_factory=dict)
    missing: list[Column] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Header positions the checks look at (matched or suggested): all a reader need fetch.
    consulted: list[int] = field(default_factory=list)


def match_columns(headers: Sequence[Any], spec: TableSpec, source: str) -> _ColumnMatch:
    """Match an extract's column headers to a table's contract columns.

    Parameters
    ----------
    headers : sequence
        Column names as they appear in the extract, in order.
    spec : TableSpec
        The table's contract.
    source : str
        File or database table, for messages.

    Returns
    -------
    _ColumnMatch
        Position of each contract column in the extract, the contract columns
        missing from it, and problems/warnings about the headers.

    Examples
    --------
    >>> from analysis.data.schema import Column, TableSpec
    >>> spec = TableSpec("t", "toy", [Column("outcome_code", "int", "code")])
    >>> match_columns(["Outcome Code"], spec, "t.csv").positions
    {'outcome_code': 0}
    >>> print(match_columns(["Outcome Cde"], spec, "t.csv").problems[0])
    t.csv, column 'outcome_code': required column 'outcome_code' is missing; column
    'Outcome Cde' looks like it. Fix: rename column 'Outcome Cde' to 'outcome_code'
    """
    match = _ColumnMatch()
    labels = [str(h).strip() for h in headers]
    normalised = [normalise_name(h) for h in labels]
    squashed = [n.replace("_", "") for n in normalised]
    used: set[int] = set()
    for column in spec.columns:
        found = [i for i, n in enumerate(normalised) if n == column.name]
        if not found:
            # "OutcomeCode" and "outcome code" mean the same column.
            found = [i for i, s in enumerate(squashed) if s == column.name.replace("_", "")]
        if found:
            match.positions[column.name] = found[0]
            used.update(found)
            if len(found) > 1:
                where = ", ".join(f"{spreadsheet_column(i)} ('{labels[i]}')" for i in found)
                match.problems.append(
                    _problem(
                        spec,
                        source,
                        column.name,
                        f"column '{column.name}' appears {len(found)} times: spreadsheet "
                        f"columns {where}",
                        "keep one of these columns and delete or rename the others",
                    )
                )
        else:
            match.missing.append(column)
    unmatched = [i for i in range(len(labels)) if i not in used]
    suggested: set[int] = set()
    for column in match.missing:
        candidates = {normalised[i]: i for i in unmatched if normalised[i]}
        close = difflib.get_close_matches(
            column.name, list(candidates), n=1, cutoff=NEAR_MISS_CUTOFF
        )
        if close:
            position = candidates[close[0]]
            suggested.add(position)
            kind = "required" if column.required else "optional"
            match.problems.append(
                _problem(
                    spec,
                    source,
                    column.name,
                    f"{kind} column '{column.name}' is missing; column '{labels[position]}' "
                    "looks like it",
                    f"rename column '{labels[position]}' to '{column.name}'",
                )
            )
        elif column.required:
            match.problems.append(
                _problem(
                    spec,
                    source,
                    column.name,
                    f"required column '{column.name}' is missing",
                    f"add a column '{column.name}': {column.description}",
                )
            )
        else:
            default = "blank" if column.default is None else repr(column.default)
            match.warnings.append(
                f"{source}: optional column '{column.name}' is missing; every row gets the "
                f"default ({default})"
            )
    match.consulted = sorted(used | suggested)
    ignored = [labels[i] for i in unmatched if i not in suggested and labels[i]]
    if ignored:
        match.warnings.append(
            f"{source}: column(s) not in the {spec.name} contract were ignored: "
            + ", ".join(f"'{name}'" for name in ignored)
        )
    return match


# --------------------------------------------------------------------------- pandera


def pandera_schema(
    spec: TableSpec,
    *,
    extract_date: pd.Timestamp | None = None,
    columns: Sequence[str] | None = None,
) -> pa.DataFrameSchema:
    """The pandera schema of a contract table (the rule layer of validation).

    Checks blanks, allowed values, bounds, unique values, the table key, dates
    not after the extract date and date order within a row. It expects typed
    values (as :func:`validate` produces); types themselves are the job of
    the loader's conversion, which reports unreadable cells with their rows.

    Parameters
    ----------
    spec : TableSpec
        The table's contract.
    extract_date : Timestamp, optional
        Latest allowed date for columns marked ``not_after_extract``.
    columns : sequence of str, optional
        Only these columns (those present in the extract); default all.

    Returns
    -------
    pandera.DataFrameSchema

    Examples
    --------
    >>> from analysis.data.schema import Column, TableSpec
    >>> spec = TableSpec("t", "toy", [Column("n", "int", "count", min=0)])
    >>> schema = pandera_schema(spec)
    >>> len(schema.validate(pd.DataFrame({"n": [0, 3]})))
    2
    """
    present = set(columns) if columns is not None else {c.name for c in spec.columns}
    schema_columns = {}
    for column in spec.columns:
        if column.name not in present:
            continue
        checks = []
        if column.allowed is not None:
            allowed = frozenset(column.allowed)
            checks.append(pa.Check(lambda s, allowed=allowed: s.isin(allowed), name="allowed"))
        if column.min is not None:
            checks.append(pa.Check(lambda s, low=column.min: s >= low, name="min"))
        if column.max is not None:
            checks.append(pa.Check(lambda s, high=column.max: s <= high, name="max"))
        if column.kind == "date" and column.not_after_extract and extract_date is not None:
            checks.append(pa.Check(lambda s, cap=extract_date: s <= cap, name="not_after_extract"))
        schema_columns[column.name] = pa.Column(
            None,
            nullable=column.nullable,
            unique=column.unique,
            checks=checks,
            title=column.name,
            description=column.description,
        )
    frame_checks = []
    for column in spec.columns:
        if column.not_before and {column.name, column.not_before} <= present:
            frame_checks.append(
                pa.Check(
                    lambda df, later=column.name, earlier=column.not_before: (
                        ~(df[later] < df[earlier]).fillna(False).astype(bool)
                    ),
                    name=f"not_before:{column.name}:{column.not_before}",
                )
            )
    key = list(spec.key)
    single_unique = len(key) == 1 and spec.column(key[0]).unique
    unique = key if key and not single_unique and set(key) <= present else None
    return pa.DataFrameSchema(
        schema_columns,
        checks=frame_checks,
        unique=unique,
        name=spec.name,
        description=spec.description,
        strict=False,
        coerce=False,
    )


def _rule_problems(
    spec: TableSpec,
    frame: pd.DataFrame,
    source: str,
    extract_date: pd.Timestamp | None,
    cap_is_today: bool,
    unreadable: dict[str, set[int]],
) -> list[Problem]:
    """Run the pandera schema and turn its failure cases into problems."""
    schema = pandera_schema(spec, extract_date=extract_date, columns=list(frame.columns))
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    problems = []
    # A value outside the allowed list is often outside the bounds too (outcome code 23);
    # one problem per cell is enough, so bound failures already reported as not allowed go.
    not_allowed = cases[cases["check"] == "allowed"]
    reported = {
        (str(c), int(r)) for c, r in zip(not_allowed["column"], not_allowed["index"], strict=True)
    }
    for check, group in cases.groupby("check", sort=False, dropna=False):
        check = str(check)
        if check.startswith("not_before:") or check == "multiple_fields_uniqueness":
            problems.extend(_frame_rule_problem(spec, check, group, source))
            continue
        for column_name, cells in group.groupby("column", sort=False, dropna=False):
            column = spec.column(str(column_name))
            if check in ("min", "max"):
                keep = [(str(column_name), int(r)) not in reported for r in cells["index"]]
                cells = cells[keep]
                if cells.empty:
                    continue
            rows = [int(r) for r in cells["index"].dropna()]
            problem = _column_rule_problem(
                spec, column, check, cells, rows, source, extract_date, cap_is_today, unreadable
            )
            if problem is not None:
                problems.append(problem)
    order = {c.name: i for i, c in enumerate(spec.columns)}
    return sorted(problems, key=lambda p: order.get(p.column or "", -1))


def _column_rule_problem(
    spec: TableSpec,
    column: Column,
    check: str,
    cells: pd.DataFrame,
    rows: list[int],
    source: str,
    extract_date: pd.Timestamp | None,
    cap_is_today: bool,
    unreadable: dict[str, set[int]],
) -> Problem | None:
    name = column.name
    # Identifier values are never quoted: a message may end up in a log or a report.
    shown = "" if column.identifier else f": {examples(_display(cells['failure_case']))}"
    if check == "not_nullable":
        rows = [r for r in rows if r not in unreadable.get(name, set())]
        if not rows:
            return None
        return _problem(
            spec,
            source,
            name,
            f"{len(rows)} blank value(s) in a column that must be filled in",
            f"fill in '{name}' ({column.description.rstrip('.')}) or remove those rows",
            rows,
        )
    if check == "field_uniqueness":
        return _problem(
            spec,
            source,
            name,
            f"{len(rows)} rows share a '{name}' with another row (it must be unique)",
            f"each '{name}' must appear once: remove the duplicated rows or correct the values",
            rows,
        )
    if check == "allowed":
        return _problem(
            spec,
            source,
            name,
            f"{len(rows)} value(s) not allowed{shown}",
            f"use one of: {_allowed_text(column)}",
            rows,
        )
    if check == "min":
        return _problem(
            spec,
            source,
            name,
            f"{len(rows)} value(s) below the minimum {column.min:g}{shown}",
            f"'{name}' cannot be less than {column.min:g}: correct these values",
            rows,
        )
    if check == "max":
        return _problem(
            spec,
            source,
            name,
            f"{len(rows)} value(s) above the maximum {column.max:g}{shown}",
            f"'{name}' cannot be more than {column.max:g}: correct these values",
            rows,
        )
    if check == "not_after_extract" and extract_date is not None:
        when = f"{extract_date:%d/%m/%Y}"
        if cap_is_today:
            message = f"{len(rows)} date(s) in the future (after today, {when}){shown}"
            fix = "correct these dates (a typing slip in the year is the usual cause)"
        else:
            message = f"{len(rows)} date(s) after the extract date {when}{shown}"
            fix = (
                "correct these dates, or give the date the extract was really taken "
                "(extract_date, or --extract-date on the command line)"
            )
        return _problem(spec, source, name, message, fix, rows)
    return _problem(
        spec,
        source,
        name,
        f"{len(rows)} value(s) fail the check '{check}'{shown}",
        f"correct '{name}' ({column.description.rstrip('.')})",
        rows,
    )


def _frame_rule_problem(
    spec: TableSpec, check: str, cases: pd.DataFrame, source: str
) -> list[Problem]:
    rows = sorted({int(r) for r in cases["index"].dropna()})
    if check == "multiple_fields_uniqueness":
        key = " + ".join(spec.key)
        return [
            _problem(
                spec,
                source,
                ", ".join(spec.key),
                f"{len(rows)} rows share the same {key} with another row (duplicate key)",
                f"each combination of {key} must appear once: remove the duplicated rows",
                rows,
            )
        ]
    _, later, earlier = check.split(":")
    return [
        _problem(
            spec,
            source,
            later,
            f"{len(rows)} row(s) where {later} is earlier than {earlier}",
            f"check both dates: {later} cannot be before {earlier}",
            rows,
        )
    ]


def _display(values: pd.Series) -> pd.Series:
    def show(value: Any) -> str:
        if isinstance(value, pd.Timestamp):
            return f"{value:%d/%m/%Y}"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return values.map(show)


# --------------------------------------------------------------------------- tables


def validate_tables(
    contract: Contract,
    frames: Mapping[str, pd.DataFrame | None],
    *,
    sources: Mapping[str, str] | None = None,
    extract_date: pd.Timestamp | None = None,
    pseudonymiser: Callable[[pd.Series], pd.Series] | None = None,
    today: pd.Timestamp | None = None,
    missing_reported: Sequence[str] = (),
) -> Validated:
    """Convert and check raw tables against a contract, collecting every problem.

    Parameters
    ----------
    contract : Contract
        The programme's contract.
    frames : mapping of str to DataFrame or None
        Raw tables indexed by spreadsheet row number (see :func:`with_row_numbers`);
        None for a table that could not be read (its problem already reported).
    sources : mapping of str to str, optional
        Where each table came from, for messages (default: the table name).
    extract_date : Timestamp, optional
        Date the extract was taken. When None, dates are checked against ``today``.
    pseudonymiser : callable, optional
        Replaces identifier values (a Series) by pseudonyms, before any check
        sees them. None keeps raw identifiers (for :func:`validate`).
    today : Timestamp, optional
        The date used when ``extract_date`` is None (default: the current date).
    missing_reported : sequence of str
        Tables absent from ``frames`` whose absence is already reported.

    Returns
    -------
    Validated
    """
    sources = dict(sources or {})
    outcome = Validated()
    cap_is_today = extract_date is None
    cap = extract_date if extract_date is not None else (today or pd.Timestamp.today().normalize())
    unreadable_by_table: dict[str, dict[str, set[int]]] = {}
    row_numbers: dict[str, pd.Index] = {}
    for spec in contract.tables:
        source = sources.setdefault(spec.name, spec.name)
        if spec.name not in frames:
            if spec.name not in missing_reported:
                outcome.problems.append(
                    _problem(
                        spec,
                        source,
                        None,
                        f"table '{spec.name}' is missing",
                        f"provide the {spec.name} table: {spec.description}",
                    )
                )
            continue
        frame = frames[spec.name]
        if frame is None:
            continue
        typed, problems, warnings, unreadable = _convert_table(spec, frame, source, pseudonymiser)
        outcome.problems.extend(problems)
        outcome.warnings.extend(warnings)
        if len(typed) == 0:
            outcome.problems.append(
                _problem(
                    spec,
                    source,
                    None,
                    "the table has no data rows (only a header, or nothing at all)",
                    f"check the extract's query or filters: {spec.name} should hold "
                    f"{spec.description[0].lower()}{spec.description[1:]}",
                )
            )
        outcome.problems.extend(_rule_problems(spec, typed, source, cap, cap_is_today, unreadable))
        unreadable_by_table[spec.name] = unreadable
        row_numbers[spec.name] = typed.index
        outcome.tables[spec.name] = typed
    outcome.problems.extend(_foreign_key_problems(contract, outcome.tables, sources))
    outcome.latest_date = _latest_date(contract, outcome.tables)
    finished = {name: _finish(contract.table(name), t) for name, t in outcome.tables.items()}
    outcome.problems.extend(
        _programme_rule_problems(
            contract, finished, sources, row_numbers, unreadable_by_table, bool(outcome.problems)
        )
    )
    outcome.tables = finished
    for warning in outcome.warnings:
        logger.warning(warning)
    return outcome


def _convert_table(
    spec: TableSpec,
    frame: pd.DataFrame,
    source: str,
    pseudonymiser: Callable[[pd.Series], pd.Series] | None,
) -> tuple[pd.DataFrame, list[Problem], list[str], dict[str, set[int]]]:
    match = match_columns(list(frame.columns), spec, source)
    problems = list(match.problems)
    warnings = list(match.warnings)
    unreadable: dict[str, set[int]] = {}
    typed_columns: dict[str, pd.Series] = {}
    missing_names = {c.name for c in match.missing}
    for column in spec.columns:
        if column.name in match.positions:
            raw = frame.iloc[:, match.positions[column.name]]
            converted = coerce_column(raw, column)
            for issue in converted.issues:
                bad_rows = [int(r) for r in raw.index[issue.mask.to_numpy(dtype=bool)]]
                unreadable.setdefault(column.name, set()).update(bad_rows)
                problems.append(
                    _problem(
                        spec,
                        source,
                        column.name,
                        f"{len(bad_rows)} value(s) {issue.message}",
                        issue.fix,
                        bad_rows,
                    )
                )
            values = converted.values
            if column.identifier and pseudonymiser is not None:
                values = pseudonymiser(values)
            typed_columns[column.name] = values
        elif not column.required and column.name in missing_names:
            typed_columns[column.name] = typed_default(column, len(frame), frame.index)
    typed = pd.DataFrame(typed_columns, index=frame.index)
    return typed, problems, warnings, unreadable


def _foreign_key_problems(
    contract: Contract, tables: Mapping[str, pd.DataFrame], sources: Mapping[str, str]
) -> list[Problem]:
    problems = []
    for spec in contract.tables:
        table = tables.get(spec.name)
        if table is None:
            continue
        for column in spec.columns:
            if column.references is None or column.name not in table:
                continue
            parent_name, parent_column = column.references
            parent = tables.get(parent_name)
            if parent is None or parent_column not in parent:
                continue
            values = table[column.name]
            orphan = values.notna() & ~values.isin(parent[parent_column].dropna())
            if orphan.any():
                rows = [int(r) for r in table.index[orphan.to_numpy(dtype=bool)]]
                problems.append(
                    _problem(
                        spec,
                        sources[spec.name],
                        column.name,
                        f"{len(rows)} value(s) with no matching {parent_column} in "
                        f"{parent_name} (orphan foreign key)",
                        f"every {column.name} must appear in {parent_name}.{parent_column}: "
                        f"add the missing {parent_name} rows or correct the {column.name}",
                        rows,
                    )
                )
    return problems


def _latest_date(contract: Contract, tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp | None:
    latest = None
    for spec in contract.tables:
        table = tables.get(spec.name)
        if table is None:
            continue
        for column in spec.columns:
            if column.kind == "date" and column.not_after_extract and column.name in table:
                value = table[column.name].max()
                if pd.notna(value) and (latest is None or value > latest):
                    latest = pd.Timestamp(value)
    return latest


def _finish(spec: TableSpec, typed: pd.DataFrame) -> pd.DataFrame:
    """Contract column order, final dtypes, rows numbered from 0."""
    finished = typed[[c.name for c in spec.columns if c.name in typed]].reset_index(drop=True)
    for column in spec.columns:
        if column.name not in finished or column.nullable:
            continue
        values = finished[column.name]
        # Non-nullable numbers and flags get plain numpy dtypes once they hold no blanks;
        # a column with (already reported) blanks keeps its nullable dtype.
        if column.kind == "int" and not values.hasnans:
            finished[column.name] = values.astype("int64")
        elif column.kind == "bool" and not values.isna().any():
            finished[column.name] = values.astype(bool)
    return finished


def _programme_rule_problems(
    contract: Contract,
    tables: Mapping[str, pd.DataFrame],
    sources: Mapping[str, str],
    row_numbers: Mapping[str, pd.Index],
    unreadable: Mapping[str, Mapping[str, set[int]]],
    other_problems: bool,
) -> list[Problem]:
    """Run the contract's own cross-column checks (``Contract.extra["checks"]``).

    Those checks number rows by position (first row = 2); the numbers are
    translated to the extract's own rows, which differ when blank lines were
    skipped. Rows whose cell in the problem's column was unreadable (already
    reported, and missing in the typed table) are left out, so one bad cell is
    one problem.
    """
    problems = []
    for check in contract.extra.get("checks", ()):
        try:
            found = check(dict(tables), dict(sources))
        except Exception:
            if not other_problems:
                raise
            # On an extract already known to be broken a programme rule may not apply;
            # the problems already found are what the user needs to fix first.
            logger.debug("programme check %s skipped on a broken extract", check, exc_info=True)
            continue
        for problem in found:
            index = row_numbers.get(problem.table)
            if index is None:
                problems.append(problem)
                continue
            translated = [
                int(index[r - FIRST_DATA_ROW]) if 0 <= r - FIRST_DATA_ROW < len(index) else r
                for r in problem.rows
            ]
            bad = unreadable.get(problem.table, {}).get(problem.column or "", set())
            kept = [r for r in translated if r not in bad]
            n_rows = max(problem.n_rows - (len(translated) - len(kept)), len(kept))
            if not kept and problem.n_rows <= len(translated):
                continue
            problems.append(
                Problem(
                    problem.table,
                    problem.source,
                    problem.column,
                    problem.message,
                    tuple(kept),
                    problem.fix,
                    n_rows,
                )
            )
    return problems


def as_extract_date(value: Any) -> pd.Timestamp | None:
    """Read an extract date argument: None or "" for none, else a date.

    Raises
    ------
    ConfigError
        When the value is not a date.

    Examples
    --------
    >>> as_extract_date("2026-09-30"), as_extract_date("")
    (Timestamp('2026-09-30 00:00:00'), None)
    """
    from ..errors import ConfigError

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_date(value, what="extract date")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def validate(
    programme: str | Contract,
    tables: Mapping[str, pd.DataFrame],
    *,
    extract_date: Any = None,
    sources: Mapping[str, str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Check tables against a programme's contract and return them typed.

    Parameters
    ----------
    programme : str or Contract
        Programme slug (``op_focus``) or a contract.
    tables : mapping of str to DataFrame
        One raw table per contract table (text or native values), rows in extract order.
    extract_date : str, date or Timestamp, optional
        Date the extract was taken: no date column may pass it. When omitted,
        dates are only checked against today's date.
    sources : mapping of str to str, optional
        Where each table came from, for the messages (default: the table name).

    Returns
    -------
    dict of str to DataFrame
        Typed tables (identifiers not pseudonymised: :func:`analysis.data.load`
        does that), columns in contract order.

    Raises
    ------
    DataValidationError
        Listing every problem found.

    Examples
    --------
    >>> crimes = pd.DataFrame({"crime_id": ["C1"], "suspect_id": ["S1"], "victim_id": ["V1"],
    ...     "offence_group": ["Robbery"], "vawg_flag": ["Y"], "da_flag": ["N"],
    ...     "offence_date": ["01/03/2026"], "recorded_date": ["02/03/2026"],
    ...     "arrest_date": [""], "outcome_code": ["23"], "outcome_date": ["01/04/2026"]})
    >>> suspects = pd.DataFrame({"suspect_id": ["S1"], "harm_score": ["12.5"],
    ...     "focus_flag": ["no"], "focus_date": [""], "age_band": ["25-34"], "area": ["Poole"]})
    >>> try:
    ...     validate("op_focus", {"suspects": suspects, "crimes": crimes},
    ...              extract_date="2026-09-30")
    ... except DataValidationError as error:
    ...     print(error.problems[0])
    crimes, column 'outcome_code': 1 value(s) not allowed: '23' [rows 2]. Fix: use one of:
    whole numbers 0 to 22
    """
    contract = resolve_contract(programme)
    frames = {name: with_row_numbers(frame) for name, frame in tables.items()}
    outcome = validate_tables(
        contract, frames, sources=sources, extract_date=as_extract_date(extract_date)
    )
    if outcome.problems:
        raise DataValidationError(outcome.problems, contract.programme)
    return outcome.tables
