"""Disclosure control: small counts never reach a published table, figure or sentence.

Police data about people stays personal data after pseudonymisation, so every
count that is published passes through this module. The rules follow common
UK statistical practice (GSS and ONS guidance on disclosure control):

Primary suppression
    A count ``n`` with ``0 < n < threshold`` (default 10; some publishers use
    5) is replaced by a marker, ``"<10"`` by default.

Zeros
    A zero is usually harmless (it says nobody is in a cell), but it discloses
    when it tells the reader that *everyone* in a group shares an attribute.
    With ``zeros="disclosive"`` (the default) a zero in the body of a table is
    suppressed when (a) its row holds a positive count in exactly one cell, so
    the zero helps show that the whole group sits in that one category, and
    (b) its column total is positive, so the zero is not already implied by an
    empty column. Rows are read as groups of people and columns as
    attributes, the usual layout. ``zeros="suppress"`` suppresses every zero;
    ``zeros="show"`` none.

Secondary suppression
    A suppressed cell must not be recoverable from totals. An intruder is
    assumed to know every row and column total of the count cells that could
    itself be published (zero or at least the threshold), whether or not the
    table shows it (``known_totals`` narrows this), and every total shown in a
    total row or column. From these equations and the fact that counts are
    never negative, the intruder recovers a cell when (i) it is the only
    suppressed cell in a line, (ii) the suppressed cells of a line add up to
    zero, or (iii) any combination of lines pins it down (checked exactly
    with linear algebra). While a primarily suppressed cell is recoverable,
    the next smallest visible cells in its row or column are suppressed too:
    the cheapest partner, or rectangle of partners, that hides it (positive
    cells before zeros, body cells before totals, then the smallest counts).
    A secondary cell the totals would give away anyway is shown again. Cells
    suppressed only to protect others are marked ``"[c]"`` (confidential,
    the GSS symbol), since they are not small. Protection is against exact
    recovery; bounds on a hidden cell (it is below 10, its neighbour at least
    10) remain visible, as in any published suppressed table. Where totals outside the table would
    reveal a small cell whatever the table hides, the cell is reported in a
    logged warning and in ``result.attrs["unprotected_cells"]``: do not
    publish those totals, or merge categories.

Derived values
    A rate, percentage or mean computed from a suppressed count would give it
    away, so columns named in ``derived`` are hidden wherever any of their
    source counts is hidden ("means need at least 10 people behind them").

Rounding
    ``round_to=5`` rounds every visible count to the nearest multiple of 5,
    independently, so rounded cells need not add up to rounded totals.

Published tables are checked with :func:`check_table`, which also rejects
geography finer than LSOA (Output Area codes, full postcodes) and values that
look like pseudonymous identifiers.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, DataValidationError, Problem

logger = logging.getLogger(__name__)

#: Counts below this are suppressed unless a caller says otherwise.
DEFAULT_THRESHOLD = 10

#: Marker for cells suppressed only to protect another cell (GSS "confidential").
SECONDARY_MARKER = "[c]"

#: Row or column labels recognised as totals when ``total_row``/``total_column`` is "auto".
TOTAL_LABELS = frozenset({"total", "totals", "all", "overall", "grand total"})

_ZERO_RULES = ("disclosive", "suppress", "show")
_KNOWN_TOTALS = ("both", "rows", "columns", "none")
_MARKER_PATTERN = re.compile(r"^\s*(<\s*\d+|\[c\]|c|\*|\.\.|\[x\]|\[low\])\s*$", re.IGNORECASE)
_COUNT_TEXT_PATTERN = re.compile(r"^\s*(\d{1,3}(,\d{3})+|\d+)\s*$")
# Output Areas (E00/W00) are finer than LSOA; full unit postcodes likewise.
_OUTPUT_AREA_PATTERN = re.compile(r"^[EW]00\d{6}$")
_POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.IGNORECASE)
# HMAC-SHA256 pseudonyms are 64 hex digits; they are still personal data.
_PSEUDONYM_PATTERN = re.compile(r"^[0-9a-f]{64}$", re.IGNORECASE)
_TOLERANCE = 1e-9


class DisclosureError(DataValidationError):
    """A table about to be published still discloses small counts or identifiers."""

    def __str__(self) -> str:
        head = f"{len(self.problems)} disclosure problem(s) in {self.programme or 'the table'}"
        return head + ":\n" + "\n".join(f"  - {p}" for p in self.problems)


# --------------------------------------------------------------------------- scalars
def _check_threshold(threshold: Any) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, Integral) or threshold < 1:
        raise ConfigError(
            f"disclosure threshold must be a whole number of at least 1, got {threshold!r}; "
            "use 10 (the default) or 5 where the publisher allows it"
        )
    return int(threshold)


def _as_count(value: Any, what: str = "count") -> int:
    if value is None or (
        isinstance(value, Real) and not isinstance(value, Integral) and math.isnan(value)
    ):
        raise ConfigError(f"{what} is missing; a count must be a whole number of at least 0")
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ConfigError(f"{what} must be a whole number, got {value!r}")
    if not float(value).is_integer():
        raise ConfigError(f"{what} must be a whole number, got {value!r}")
    if value < 0:
        raise ConfigError(f"{what} cannot be negative, got {value!r}")
    return int(value)


def is_disclosive(value: Any, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Whether a count is small enough to risk identifying people.

    A count is disclosive when ``0 < value < threshold``. Zero is not
    disclosive on its own: whether a zero discloses depends on the rest of
    its table, which :func:`suppress` judges.

    Parameters
    ----------
    value : int
        A count (whole number, at least 0).
    threshold : int
        Smallest count that may be published.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_disclosive(9), is_disclosive(10), is_disclosive(0)
    (True, False, False)
    >>> is_disclosive(4, threshold=5)
    True
    """
    threshold = _check_threshold(threshold)
    count = _as_count(value)
    return 0 < count < threshold


def suppress_count(n: Any, threshold: int = DEFAULT_THRESHOLD, marker: str | None = None) -> str:
    """A count as it may be printed in prose or on a figure label.

    Parameters
    ----------
    n : int
        The count.
    threshold : int
        Smallest count that may be published.
    marker : str, optional
        Text for a suppressed count (default ``"<threshold"``, e.g. ``"<10"``).

    Returns
    -------
    str
        The count with thousands separators, or the marker.

    Examples
    --------
    >>> suppress_count(1234), suppress_count(7), suppress_count(0)
    ('1,234', '<10', '0')
    >>> suppress_count(3, threshold=5, marker="fewer than 5")
    'fewer than 5'
    """
    if is_disclosive(n, threshold):
        return marker if marker is not None else f"<{int(threshold)}"
    return f"{int(n):,}"


def round_to_base(value: Any, base: int = 5) -> int:
    """Round a count to the nearest multiple of ``base`` (halves round up).

    Examples
    --------
    >>> [round_to_base(v) for v in (0, 2, 3, 12, 13, 1002)]
    [0, 0, 5, 10, 15, 1000]
    """
    if isinstance(base, bool) or not isinstance(base, Integral) or base < 1:
        raise ConfigError(f"rounding base must be a whole number of at least 1, got {base!r}")
    count = _as_count(value)
    return int(base * math.floor(count / base + 0.5))


# --------------------------------------------------------------------------- table layout
@dataclass(frozen=True)
class _Line:
    """One known equation: the body cells of a row or column add up to its total."""

    kind: str  # "row" or "column"
    position: int  # row position or count-column position
    body: tuple[int, ...]  # flat cell indices
    total_cell: int | None  # flat index of the total shown in the table, if any


@dataclass
class _Layout:
    columns: list[Hashable]
    n_rows: int
    total_row: int | None
    total_col: int | None
    lines: list[_Line] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return len(self.columns)

    def flat(self, row: int, col: int) -> int:
        return row * self.n_cols + col

    def is_total(self, cell: int) -> bool:
        row, col = divmod(cell, self.n_cols)
        return row == self.total_row or col == self.total_col


def _is_label(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in TOTAL_LABELS


def _find_total_row(table: pd.DataFrame, columns: list[Hashable], total_row: Any) -> int | None:
    if total_row is None:
        return None
    if total_row != "auto":
        matches = [i for i, label in enumerate(table.index) if label == total_row]
        if len(matches) != 1:
            raise ConfigError(
                f"total_row={total_row!r} must name exactly one row of the table's index "
                f"(found {len(matches)}); pass total_row=None if the table has no total row"
            )
        return matches[0]
    label_columns = [c for c in table.columns if c not in columns]
    matches = []
    for i, label in enumerate(table.index):
        labels = label if isinstance(label, tuple) else (label,)
        row_labels = [*labels, *(table.iloc[i][c] for c in label_columns)]
        if any(_is_label(v) for v in row_labels):
            matches.append(i)
    if len(matches) > 1:
        raise ConfigError(
            f"the table has {len(matches)} rows labelled as totals (positions {matches}); "
            "tables with subtotals are not supported: split the table, or name the grand "
            "total with total_row=<index label>"
        )
    return matches[0] if matches else None


def _find_total_column(columns: list[Hashable], total_column: Any) -> int | None:
    if total_column is None:
        return None
    if total_column != "auto":
        if total_column not in columns:
            raise ConfigError(
                f"total_column={total_column!r} is not one of the count columns {columns}"
            )
        return columns.index(total_column)
    matches = [i for i, c in enumerate(columns) if _is_label(c)]
    if len(matches) > 1:
        raise ConfigError(
            f"several count columns are labelled as totals ({[columns[i] for i in matches]}); "
            "name the grand total with total_column=<column>"
        )
    return matches[0] if matches else None


def _build_lines(layout: _Layout, known_totals: str) -> list[_Line]:
    """Equations an intruder can use, from the table's shape alone."""
    body_rows = [r for r in range(layout.n_rows) if r != layout.total_row]
    body_cols = [c for c in range(layout.n_cols) if c != layout.total_col]
    lines: list[_Line] = []
    rows_known = known_totals in ("both", "rows")
    cols_known = known_totals in ("both", "columns")
    # A line of one cell with no total shown is not an equation: its "total" is the cell.
    if layout.total_col is not None or (rows_known and len(body_cols) >= 2):
        for r in range(layout.n_rows):
            total = None if layout.total_col is None else layout.flat(r, layout.total_col)
            body = tuple(layout.flat(r, c) for c in body_cols)
            lines.append(_Line("row", r, body, total))
    if layout.total_row is not None or (cols_known and len(body_rows) >= 2):
        for c in range(layout.n_cols):
            total = None if layout.total_row is None else layout.flat(layout.total_row, c)
            body = tuple(layout.flat(r, c) for r in body_rows)
            lines.append(_Line("column", c, body, total))
    return lines


def _integer_columns(table: pd.DataFrame) -> list[Hashable]:
    return [
        c
        for c in table.columns
        if pd.api.types.is_integer_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
    ]


def _count_values(table: pd.DataFrame, columns: list[Hashable], name: str) -> np.ndarray:
    frame = table[columns]
    try:
        numbers = frame.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        numbers = np.column_stack(
            [
                pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
                for c in columns
            ]
        )
    with np.errstate(invalid="ignore"):
        bad = np.isnan(numbers) | (numbers < 0) | (np.mod(numbers, 1) != 0)
    if bad.any():
        problems = []
        for j in np.flatnonzero(bad.any(axis=0)):
            positions = np.flatnonzero(bad[:, j])
            problems.append(
                Problem(
                    table=name,
                    source=name,
                    column=str(columns[j]),
                    message="counts must be whole numbers of at least 0 (found missing, "
                    "negative, fractional or text values)",
                    rows=tuple(int(p) + 2 for p in positions[:5]),
                    fix="pass only count columns in columns=, and fill or drop missing counts",
                    n_rows=int(positions.size),
                )
            )
        raise DataValidationError(problems=problems, programme=name)
    return numbers.astype("int64")


def _resolve_columns(table: pd.DataFrame, columns: Sequence[Hashable] | None) -> list[Hashable]:
    if not isinstance(table, pd.DataFrame):
        raise ConfigError(f"expected a pandas DataFrame of counts, got {type(table).__name__}")
    if columns is None:
        chosen = _integer_columns(table)
        if not chosen:
            raise ConfigError(
                "the table has no integer columns to treat as counts; name them with columns=[...]"
            )
        return chosen
    if isinstance(columns, str):
        columns = [columns]
    chosen = list(columns)
    missing = [c for c in chosen if c not in table.columns]
    if missing:
        raise ConfigError(
            f"count columns {missing} are not in the table (columns: {list(table.columns)})"
        )
    if not chosen:
        raise ConfigError("columns=[] names no count columns to protect")
    return chosen


def _validate_options(zeros: str, known_totals: str) -> None:
    if zeros not in _ZERO_RULES:
        raise ConfigError(f"zeros must be one of {_ZERO_RULES}, got {zeros!r}")
    if known_totals not in _KNOWN_TOTALS:
        raise ConfigError(f"known_totals must be one of {_KNOWN_TOTALS}, got {known_totals!r}")


# --------------------------------------------------------------------------- the intruder
def _line_total(line: _Line, values: np.ndarray) -> int:
    if line.total_cell is not None:
        return int(values[line.total_cell])
    return int(values[list(line.body)].sum())


def _usable_lines(lines: list[_Line], values: np.ndarray, threshold: int) -> list[_Line]:
    """Lines whose total the intruder knows.

    A total shown in the table is always an equation (if it is suppressed it is
    an unknown in it). A total the table does not show is assumed known only if
    it could be published itself: zero, or at least the threshold.
    """
    usable = []
    for line in lines:
        if line.total_cell is not None:
            usable.append(line)
            continue
        total = _line_total(line, values)
        if total == 0 or total >= threshold:
            usable.append(line)
    return usable


@dataclass(frozen=True)
class _System:
    """The intruder's equations in matrix form: one row per known total."""

    matrix: np.ndarray  # +1 for body cells, -1 for a total cell shown in the table
    total_cell: np.ndarray  # flat index of each line's shown total, -1 if not shown
    total: np.ndarray  # value of each line's total

    @classmethod
    def build(cls, lines: list[_Line], values: np.ndarray) -> _System:
        matrix = np.zeros((len(lines), values.size))
        for i, line in enumerate(lines):
            matrix[i, list(line.body)] = 1.0
            if line.total_cell is not None:
                matrix[i, line.total_cell] = -1.0
        total_cell = np.array(
            [-1 if line.total_cell is None else line.total_cell for line in lines], dtype=int
        )
        total = np.array([_line_total(line, values) for line in lines], dtype=float)
        return cls(matrix, total_cell, total)


def _pinned(equations: np.ndarray) -> np.ndarray:
    """Which unknowns (columns) a homogeneous linear system fixes exactly.

    An unknown is pinned down when no solution can move it: its coordinate is
    zero in every vector of the null space.
    """
    equations = equations[np.any(equations != 0, axis=1)]
    if equations.shape[0] == 0:
        return np.zeros(equations.shape[1], dtype=bool)
    _, singular, right = np.linalg.svd(equations)
    rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
    free = right[rank:]
    if free.shape[0] == 0:
        return np.ones(equations.shape[1], dtype=bool)
    return np.linalg.norm(free, axis=0) <= _TOLERANCE


def _recovered(values: np.ndarray, hidden: np.ndarray, system: _System) -> np.ndarray:
    """Hidden cells an intruder can work out exactly from the visible ones and the totals."""
    known = ~hidden
    matrix = system.matrix
    if matrix.shape[0] == 0:
        return hidden & known
    body = matrix > 0
    members = matrix != 0
    shown_total = system.total_cell >= 0
    while True:
        changed = False
        # Counts are never negative: if a line's known total is already used up by its
        # visible cells, every hidden cell in it is zero.
        total_known = ~shown_total | known[np.where(shown_total, system.total_cell, 0)]
        seen = body.astype(float) @ np.where(known, values, 0)
        has_unknown = (members & ~known).any(axis=1)
        used_up = total_known & has_unknown & (system.total - seen == 0)
        if used_up.any():
            known |= members[used_up].any(axis=0)
            changed = True
        unknown_cells = np.flatnonzero(~known)
        if unknown_cells.size == 0:
            break
        pinned = _pinned(matrix[:, unknown_cells])
        solved = unknown_cells[pinned]
        if solved.size:
            known[solved] = True
            changed = True
        if not changed:
            break
    return hidden & known


def _disclosive_zeros(values: np.ndarray, layout: _Layout) -> np.ndarray:
    grid = values.reshape(layout.n_rows, layout.n_cols)
    body_rows = [r for r in range(layout.n_rows) if r != layout.total_row]
    body_cols = [c for c in range(layout.n_cols) if c != layout.total_col]
    flagged = np.zeros(values.size, dtype=bool)
    if len(body_cols) < 2:
        return flagged
    column_totals = grid[np.ix_(body_rows, body_cols)].sum(axis=0)
    for r in body_rows:
        row = grid[r, body_cols]
        if np.count_nonzero(row) != 1:
            continue
        for j, c in enumerate(body_cols):
            if row[j] == 0 and column_totals[j] > 0:
                flagged[layout.flat(r, c)] = True
    return flagged


def _primary(values: np.ndarray, layout: _Layout, threshold: int, zeros: str) -> np.ndarray:
    primary = (values > 0) & (values < threshold)
    if zeros == "suppress":
        primary |= values == 0
    elif zeros == "disclosive":
        primary |= _disclosive_zeros(values, layout)
    return primary


def _pattern_cost(cells: list[int], values: np.ndarray, layout: _Layout) -> tuple[Any, ...]:
    # Hide body cells before totals, positive counts before zeros, then the smallest counts.
    return (
        sum(layout.is_total(c) for c in cells),
        sum(int(values[c]) == 0 for c in cells),
        sum(int(values[c]) for c in cells),
        sorted(cells),
    )


def _members(line: _Line) -> list[int]:
    return [c for c in (*line.body, line.total_cell) if c is not None]


def _protection_patterns(
    target: int, hidden: np.ndarray, fixed: np.ndarray, layout: _Layout, lines: list[_Line]
) -> list[list[int]]:
    """Sets of visible cells which, hidden with ``target``, may hide it.

    A partner in the target's row or column (enough when the partner's other
    line already hides something), or a rectangle: a row partner, a column
    partner and the cell where they cross, the smallest pattern that hides a
    cell in a fresh two-way table.
    """
    row, col = divmod(target, layout.n_cols)
    row_line = next((ln for ln in lines if ln.kind == "row" and ln.position == row), None)
    col_line = next((ln for ln in lines if ln.kind == "column" and ln.position == col), None)
    candidates: list[list[int]] = [
        [c] for line in (row_line, col_line) if line is not None for c in _members(line)
    ]
    if row_line is not None and col_line is not None:
        for row_partner in _members(row_line):
            for col_partner in _members(col_line):
                if target in (row_partner, col_partner):
                    continue
                corner = layout.flat(col_partner // layout.n_cols, row_partner % layout.n_cols)
                candidates.append([row_partner, col_partner, corner])
    patterns = []
    for cells in candidates:
        new = sorted({c for c in cells if not hidden[c]})
        if new and not fixed[new].any():
            patterns.append(new)
    return patterns


def _neighbour_cells(hidden: np.ndarray, fixed: np.ndarray, lines: list[_Line]) -> list[list[int]]:
    """Visible cells in any line that already hides something, one at a time."""
    pool = {
        c
        for line in lines
        if hidden[_members(line)].any()
        for c in _members(line)
        if not hidden[c] and not fixed[c]
    }
    return [[c] for c in sorted(pool)]


def _first_protecting(
    options: list[list[int]],
    target: int,
    hidden: np.ndarray,
    values: np.ndarray,
    system: _System,
) -> list[int] | None:
    """The first set of cells which, hidden as well, stops ``target`` being recovered."""
    for cells in options:
        trial = hidden.copy()
        trial[cells] = True
        if not _recovered(values, trial, system)[target]:
            return cells
    return None


def _suppression(
    values: np.ndarray,
    layout: _Layout,
    threshold: int,
    secondary: bool,
    zeros: str,
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Primary mask, full mask and the cells no suppression inside the table can protect."""
    primary = _primary(values, layout, threshold, zeros)
    hidden = primary.copy()
    unprotected: list[int] = []
    if not secondary:
        return primary, hidden, unprotected
    lines = _usable_lines(layout.lines, values, threshold)
    # Cells in a line whose total is zero are known to be zero: hiding them protects nothing.
    fixed = np.zeros(values.size, dtype=bool)
    for line in lines:
        if _line_total(line, values) == 0:
            fixed[_members(line)] = True
    system = _System.build(lines, values)
    while True:
        recovered = _recovered(values, hidden, system)
        exposed = [int(c) for c in np.flatnonzero(primary & recovered) if c not in unprotected]
        if not exposed:
            break
        target = exposed[0]
        # The target's own row and column first (a partner, or a rectangle), then any
        # visible cell next to hidden ones; the cheapest set that hides the target wins.
        own = sorted(
            _protection_patterns(target, hidden, fixed, layout, lines),
            key=lambda cells: _pattern_cost(cells, values, layout),
        )
        chosen = _first_protecting(own, target, hidden, values, system)
        if chosen is None:
            nearby = sorted(
                _neighbour_cells(hidden, fixed, lines),
                key=lambda cells: _pattern_cost(cells, values, layout),
            )
            chosen = _first_protecting(nearby, target, hidden, values, system)
            if chosen is None:
                # No single step is enough: make progress and look again.
                chosen = own[0] if own else (nearby[0] if nearby else None)
        if chosen is None:
            unprotected.append(target)
            continue
        hidden[chosen] = True
    # A secondary cell the totals give away protects nothing: show it instead.
    hidden &= ~(_recovered(values, hidden, system) & ~primary)
    return primary, hidden, unprotected


def _prepare(
    table: pd.DataFrame,
    columns: Sequence[Hashable] | None,
    threshold: int,
    zeros: str,
    total_row: Any,
    total_column: Any,
    known_totals: str,
    name: str,
) -> tuple[list[Hashable], _Layout, np.ndarray]:
    threshold = _check_threshold(threshold)
    _validate_options(zeros, known_totals)
    chosen = _resolve_columns(table, columns)
    grid = _count_values(table, chosen, name)
    layout = _Layout(
        columns=chosen,
        n_rows=len(table),
        total_row=_find_total_row(table, chosen, total_row),
        total_col=_find_total_column(chosen, total_column),
    )
    layout.lines = _build_lines(layout, known_totals)
    _warn_if_totals_do_not_add_up(grid, layout, name)
    return chosen, layout, grid.reshape(-1)


def _warn_if_totals_do_not_add_up(grid: np.ndarray, layout: _Layout, name: str) -> None:
    body_rows = [r for r in range(layout.n_rows) if r != layout.total_row]
    body_cols = [c for c in range(layout.n_cols) if c != layout.total_col]
    if layout.total_row is not None:
        sums = grid[body_rows].sum(axis=0)
        if not np.array_equal(sums, grid[layout.total_row]):
            logger.warning(
                "%s: the total row does not equal the sum of the other rows; it is still "
                "treated as a published total",
                name,
            )
    if layout.total_col is not None:
        sums = grid[:, body_cols].sum(axis=1)
        if not np.array_equal(sums, grid[:, layout.total_col]):
            logger.warning(
                "%s: the total column does not equal the sum of the other columns; it is "
                "still treated as a published total",
                name,
            )


# --------------------------------------------------------------------------- public API
def suppression_mask(
    table: pd.DataFrame,
    columns: Sequence[Hashable] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    secondary: bool = True,
    *,
    zeros: str = "disclosive",
    total_row: Any = "auto",
    total_column: Any = "auto",
    known_totals: str = "both",
) -> pd.DataFrame:
    """Which count cells must be hidden, without changing the table.

    Parameters are those of :func:`suppress`. Useful where a figure, not a
    table, shows the counts (the plots use it).

    Returns
    -------
    pandas.DataFrame
        Boolean frame with the table's index and the count columns; True means
        hide. ``attrs["primary_cells"]`` lists the (row label, column) pairs
        hidden because they are small themselves (the rest protect them), and
        ``attrs["unprotected_cells"]`` any that totals outside the table would
        reveal.

    Examples
    --------
    >>> table = pd.DataFrame({"charged": [4, 30, 25], "not_charged": [20, 31, 40]},
    ...                      index=["East", "North", "West"])
    >>> suppression_mask(table).sum().to_dict()
    {'charged': 2, 'not_charged': 2}
    """
    name = "table"
    chosen, layout, values = _prepare(
        table, columns, threshold, zeros, total_row, total_column, known_totals, name
    )
    primary, hidden, unprotected = _suppression(values, layout, threshold, secondary, zeros)
    shape = (layout.n_rows, layout.n_cols)
    mask = pd.DataFrame(hidden.reshape(shape), index=table.index, columns=chosen)
    mask.attrs["primary_cells"] = _describe_cells(np.flatnonzero(primary).tolist(), table, layout)
    mask.attrs["unprotected_cells"] = _describe_cells(unprotected, table, layout)
    if unprotected:
        logger.warning(
            "totals outside the table reveal suppressed cell(s) %s whatever the table hides; "
            "do not publish those row/column totals, or merge categories",
            mask.attrs["unprotected_cells"],
        )
    return mask


def _describe_cells(cells: list[int], table: pd.DataFrame, layout: _Layout) -> list[tuple]:
    described = []
    for cell in cells:
        row, col = divmod(cell, layout.n_cols)
        described.append((table.index[row], layout.columns[col]))
    return described


def suppress(
    table: pd.DataFrame,
    columns: Sequence[Hashable] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    secondary: bool = True,
    round_to: int | None = None,
    marker: str | None = None,
    *,
    secondary_marker: str = SECONDARY_MARKER,
    zeros: str = "disclosive",
    total_row: Any = "auto",
    total_column: Any = "auto",
    known_totals: str = "both",
    derived: Mapping[Hashable, Hashable | Sequence[Hashable]] | None = None,
) -> pd.DataFrame:
    """A display copy of a table of counts, safe to publish.

    The rules (primary and secondary suppression, zeros, derived values,
    rounding) are set out in this module's docstring.

    Parameters
    ----------
    table : pandas.DataFrame
        Counts, one group per row; label columns and a total row/column may
        be included.
    columns : sequence of str, optional
        Count columns to protect (default: every integer column). Name them
        when the table holds integers that are not counts (years, codes).
    threshold : int
        Smallest count that may be published (10; some publishers use 5).
    secondary : bool
        Also suppress cells that would let a suppressed one be recovered.
    round_to : int, optional
        Round visible counts to this base (5 for "base 5").
    marker : str, optional
        Text for primarily suppressed cells (default ``"<threshold"``).
    secondary_marker : str
        Text for cells hidden only to protect others (default ``"[c]"``).
    zeros : {"disclosive", "suppress", "show"}
        Which zeros to suppress.
    total_row, total_column : "auto", label or None
        The table's total row (index label) and total column; "auto" finds a
        row or column labelled "Total" or "All"; None means there is none.
    known_totals : {"both", "rows", "columns", "none"}
        Which totals not shown in the table an intruder is assumed to know.
        Use "columns" for a list of groups with several unrelated measures
        (rows then have no meaningful total).
    derived : mapping, optional
        Column -> count column(s) it is computed from (rates, percentages,
        means); hidden wherever a source count is hidden.

    Returns
    -------
    pandas.DataFrame
        Copy of ``table`` with count (and derived) columns as object columns
        holding ints and marker strings. ``attrs["suppressed"]`` counts the
        hidden cells and ``attrs["unprotected_cells"]`` lists any cell that
        totals outside the table would reveal.

    Examples
    --------
    >>> table = pd.DataFrame({"area": ["East", "North", "West"],
    ...                       "charged": [4, 30, 25], "not_charged": [20, 31, 40]})
    >>> suppress(table)
      area charged not_charged
    0   East     <10         [c]
    1  North     [c]         [c]
    2   West      25          40
    >>> suppress(table, secondary=False, round_to=5)["not_charged"].tolist()
    [20, 30, 40]
    """
    name = "table"
    threshold = _check_threshold(threshold)
    chosen, layout, values = _prepare(
        table, columns, threshold, zeros, total_row, total_column, known_totals, name
    )
    primary, hidden, unprotected = _suppression(values, layout, threshold, secondary, zeros)
    shape = (layout.n_rows, layout.n_cols)
    primary_grid, hidden_grid = primary.reshape(shape), hidden.reshape(shape)
    grid = values.reshape(shape)
    primary_marker = marker if marker is not None else f"<{threshold}"
    out = table.copy()
    for j, column in enumerate(chosen):
        cells: list[Any] = []
        for i in range(layout.n_rows):
            if primary_grid[i, j]:
                cells.append(primary_marker)
            elif hidden_grid[i, j]:
                cells.append(secondary_marker)
            else:
                count = int(grid[i, j])
                cells.append(round_to_base(count, round_to) if round_to else count)
        out[column] = pd.Series(cells, index=table.index, dtype=object)
    for column, sources in (derived or {}).items():
        sources = (
            [sources] if isinstance(sources, str) or not isinstance(sources, Sequence) else sources
        )
        if column not in table.columns:
            raise ConfigError(f"derived column {column!r} is not in the table")
        unknown = [s for s in sources if s not in chosen]
        if unknown:
            raise ConfigError(
                f"derived column {column!r} names source(s) {unknown} that are not count "
                f"columns being protected ({chosen})"
            )
        positions = [chosen.index(s) for s in sources]
        hide = hidden_grid[:, positions].any(axis=1)
        cells = [secondary_marker if h else v for h, v in zip(hide, table[column], strict=True)]
        out[column] = pd.Series(cells, index=table.index, dtype=object)
    out.attrs = {
        "threshold": threshold,
        "suppressed": int(hidden.sum()),
        "secondary": int((hidden & ~primary).sum()),
        "unprotected_cells": _describe_cells(unprotected, table, layout),
    }
    if unprotected:
        logger.warning(
            "totals outside the table reveal suppressed cell(s) %s whatever the table hides; "
            "do not publish those row/column totals, or merge categories",
            out.attrs["unprotected_cells"],
        )
    return out


# --------------------------------------------------------------------------- checking
def _parse_published(value: Any) -> tuple[str, int | None]:
    """Classify a published cell: ("count", n), ("hidden", None), ("other", None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "other", None
    if isinstance(value, bool):
        return "other", None
    if isinstance(value, Integral):
        return "count", int(value)
    if isinstance(value, Real):
        return ("count", int(value)) if float(value).is_integer() else ("other", None)
    if isinstance(value, str):
        if _COUNT_TEXT_PATTERN.match(value):
            return "count", int(value.replace(",", "").strip())
        if _MARKER_PATTERN.match(value):
            return "hidden", None
    return "other", None


def _published_count_columns(
    table: pd.DataFrame, columns: Sequence[Hashable] | None, markers: Iterable[str]
) -> list[Hashable]:
    if columns is not None:
        return _resolve_columns(table, columns)
    extra = set(markers)
    chosen = []
    for column in table.columns:
        kinds = ["hidden" if v in extra else _parse_published(v)[0] for v in table[column].tolist()]
        if kinds and all(k in ("count", "hidden") for k in kinds):
            chosen.append(column)
    return chosen


def check_table(
    table: pd.DataFrame,
    columns: Sequence[Hashable] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    name: str = "table",
    markers: Iterable[str] = (),
    total_row: Any = "auto",
    total_column: Any = "auto",
    known_totals: str = "both",
) -> pd.DataFrame:
    """Refuse to publish a table that still discloses.

    Checks a display table (typically the output of :func:`suppress`) for
    visible counts below the threshold, visible disclosive zeros, suppressed
    cells that its totals would reveal (by the pattern of hidden cells alone,
    as a reader sees it), geography finer than LSOA (Output Area codes, full
    postcodes) and values that look like pseudonymous identifiers.

    Parameters
    ----------
    table : pandas.DataFrame
        The table as it will be published.
    columns : sequence of str, optional
        Count columns (default: every column holding only whole numbers,
        numbers written with thousands separators, and suppression markers).
    threshold : int
        Smallest count that may be published.
    name : str
        Table name for the error message.
    markers : iterable of str
        Suppression markers beyond the standard ones ("<10", "[c]", "c",
        "*", "..", "[x]").
    total_row, total_column, known_totals
        As for :func:`suppress`.

    Returns
    -------
    pandas.DataFrame
        The table, unchanged, so checks can be chained.

    Raises
    ------
    DisclosureError
        Listing every problem: column, rows (as a spreadsheet numbers them) and fix.

    Examples
    --------
    >>> table = pd.DataFrame({"charged": [4, 30, 25], "not_charged": [20, 31, 40]})
    >>> check_table(suppress(table)).shape
    (3, 2)
    >>> check_table(table, name="charges by area")
    Traceback (most recent call last):
    ...
    analysis.evidence.disclosure.DisclosureError: 1 disclosure problem(s) in charges by area:
      - charges by area, column 'charged': 1 visible count(s) below the disclosure ... [rows 2]...
    """
    threshold = _check_threshold(threshold)
    _validate_options("show", known_totals)
    markers = tuple(markers)
    problems: list[Problem] = []
    chosen = _published_count_columns(table, columns, markers)
    fix = "pass the table through analysis.evidence.disclosure.suppress(...) before publishing"
    if chosen:
        parsed = [
            [("hidden", None) if v in markers else _parse_published(v) for v in table[c].tolist()]
            for c in chosen
        ]
        hidden = np.array([[kind != "count" for kind, _ in col] for col in parsed]).T
        counts = np.array([[n if n is not None else -1 for _, n in col] for col in parsed]).T
        for j, column in enumerate(chosen):
            small = np.flatnonzero((counts[:, j] > 0) & (counts[:, j] < threshold))
            if small.size:
                problems.append(
                    Problem(
                        table=name,
                        source=name,
                        column=str(column),
                        message=f"{small.size} visible count(s) below the disclosure "
                        f"threshold of {threshold}",
                        rows=tuple(int(r) + 2 for r in small[:5]),
                        fix=fix,
                        n_rows=int(small.size),
                    )
                )
        layout = _Layout(
            columns=chosen,
            n_rows=len(table),
            total_row=_find_total_row(table, chosen, total_row),
            total_col=_find_total_column(chosen, total_column),
        )
        # A total not shown is assumed known only when the visible cells alone show it
        # reaches the threshold (a smaller total could not have been published).
        layout.lines = [
            line
            for line in _build_lines(layout, known_totals)
            if line.total_cell is not None
            or counts.reshape(-1)[list(line.body)].clip(min=0).sum() >= threshold
        ]
        problems.extend(_visible_zero_problems(counts, hidden, layout, name, fix))
        problems.extend(_pattern_problems(hidden, layout, name, fix))
    problems.extend(_identifier_problems(table, name))
    if problems:
        raise DisclosureError(problems=problems, programme=name)
    return table


def _visible_zero_problems(
    counts: np.ndarray, hidden: np.ndarray, layout: _Layout, name: str, fix: str
) -> list[Problem]:
    body_rows = [r for r in range(layout.n_rows) if r != layout.total_row]
    body_cols = [c for c in range(layout.n_cols) if c != layout.total_col]
    if len(body_cols) < 2:
        return []
    # A column that is visibly empty makes its zeros public knowledge, not a disclosure.
    empty_columns = {
        c for c in body_cols if not hidden[body_rows, c].any() and counts[body_rows, c].sum() == 0
    }
    rows = []
    for r in body_rows:
        if hidden[r, body_cols].any():
            continue  # the reader cannot tell where the group's counts sit
        row = counts[r, body_cols]
        zero_cols = [c for c in body_cols if counts[r, c] == 0 and c not in empty_columns]
        if np.count_nonzero(row) == 1 and zero_cols:
            rows.append(r)
    if not rows:
        return []
    return [
        Problem(
            table=name,
            source=name,
            column=None,
            message="zero(s) show that everyone in a group shares one category",
            rows=tuple(r + 2 for r in rows[:5]),
            fix=fix + " (zeros='disclosive' suppresses these)",
            n_rows=len(rows),
        )
    ]


def _pattern_problems(hidden: np.ndarray, layout: _Layout, name: str, fix: str) -> list[Problem]:
    if not hidden.any() or not layout.lines:
        return []
    flat_hidden = hidden.reshape(-1)
    unknown = np.flatnonzero(flat_hidden)
    matrix = _System.build(layout.lines, np.zeros(flat_hidden.size)).matrix
    exposed = unknown[_pinned(matrix[:, unknown])]
    problems = []
    for cell in exposed:
        row, col = divmod(int(cell), layout.n_cols)
        problems.append(
            Problem(
                table=name,
                source=name,
                column=str(layout.columns[col]),
                message="a suppressed cell can be worked out from the visible cells and the "
                "row/column totals",
                rows=(row + 2,),
                fix=fix + " with secondary=True",
                n_rows=1,
            )
        )
    return problems


def _identifier_problems(table: pd.DataFrame, name: str) -> list[Problem]:
    checks = (
        (
            _OUTPUT_AREA_PATTERN,
            "Output Area codes (finer than LSOA)",
            "aggregate to LSOA or coarser",
        ),
        (_POSTCODE_PATTERN, "full postcodes (finer than LSOA)", "aggregate to LSOA or coarser"),
        (
            _PSEUDONYM_PATTERN,
            "values that look like pseudonymous identifiers",
            "publish aggregates only; pseudonyms are still personal data",
        ),
    )
    problems = []
    frame = table.reset_index()
    for column in frame.columns:
        texts = [v for v in frame[column].tolist() if isinstance(v, str)]
        if not texts:
            continue
        for pattern, what, fix in checks:
            hits = [
                i
                for i, v in enumerate(frame[column].tolist())
                if isinstance(v, str) and pattern.match(v.strip())
            ]
            if hits:
                problems.append(
                    Problem(
                        table=name,
                        source=name,
                        column=str(column),
                        message=f"holds {what}",
                        rows=tuple(i + 2 for i in hits[:5]),
                        fix=fix,
                        n_rows=len(hits),
                    )
                )
    return problems
