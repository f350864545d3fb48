"""Published layouts of public files, and matching a file's header against one.

A public file is read in the layout its publisher documents, column by column: each
:class:`Column` names the published header, the tidy name the reader returns, the dtype
and the header spellings of earlier releases that mean the same thing. Matching is
deliberately strict: a header is accepted when it equals a known spelling once case,
spaces and a byte-order mark are ignored (an export re-saved by a spreadsheet, or the
space-free names the R ``fingertipsR`` package writes), and a header that is merely
*close* to an expected one is a near miss, reported with the closest expected name rather
than guessed at, because a guessed column silently puts the wrong numbers in a report.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

import pandas as pd
from pandas.api.types import union_categoricals

from ...errors import Problem

#: How similar (difflib ratio, 0-1) a header must be to a missing expected one to be reported
#: as a near miss of it ("Crime category" for "Crime type" scores 0.64).
NEAR_MISS_CUTOFF = 0.6


@dataclass(frozen=True)
class Column:
    """One column of a published layout.

    Parameters
    ----------
    name : str
        The tidy name the reader returns (``crime_type``).
    header : str
        The header as published today (``Crime type``).
    dtype : str
        The dtype the reader returns: ``category``, ``str``, ``float64``, ``Int64`` or
        ``period[M]``.
    description : str
        What the column holds, for the reader's documentation.
    required : bool
        Whether a file without this column is rejected.
    variants : tuple of str
        Headers earlier releases used for the same column.
    """

    name: str
    header: str
    dtype: str
    description: str
    required: bool = True
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """A published file layout: its columns, plus headers that may appear and are ignored.

    Parameters
    ----------
    title : str
        The publication, as messages name it (``police.uk street-level crimes``).
    columns : tuple of Column
        Every column the reader knows, in published order.
    ignored : tuple of str
        Regular expressions for published headers the reader accepts and drops (headers
        whose wording varies with the release, such as Fingertips' comparison columns).
    fix : str
        How to get a file in this layout, for messages.
    """

    title: str
    columns: tuple[Column, ...]
    ignored: tuple[str, ...] = ()
    fix: str = ""

    def column(self, name: str) -> Column:
        """The column with tidy name ``name``."""
        return next(column for column in self.columns if column.name == name)


def header_key(header: object) -> str:
    r"""A header reduced to what matching compares: no byte-order mark, spaces or case.

    Examples
    --------
    >>> header_key("\ufeffCrime ID")
    'crimeid'
    >>> header_key("LowerCI95.0limit") == header_key("Lower CI 95.0 limit")
    True
    """
    return re.sub(r"\s+", "", str(header).replace("\ufeff", "")).lower()


def match_header(
    headers: list[str], layout: Layout, *, source: str, table: str
) -> tuple[dict[str, str], list[Problem]]:
    """Map a file's headers to the layout's tidy names, or say what is wrong.

    Parameters
    ----------
    headers : list of str
        The file's header row, as read.
    layout : Layout
        The layout the file should follow.
    source : str
        The file, as messages name it.
    table : str
        The kind of table (``street``), as messages name it.

    Returns
    -------
    mapping : dict
        File header -> tidy column name, for every column found.
    problems : list of Problem
        A near miss (naming the file, the column found, the closest expected header and
        the fix), a duplicated column, or a required column missing.

    Examples
    --------
    >>> layout = Layout("example", (Column("crime_type", "Crime type", "category", ""),))
    >>> match_header(["crime type"], layout, source="a.csv", table="t")
    ({'crime type': 'crime_type'}, [])
    >>> _, problems = match_header(["Crime typ"], layout, source="a.csv", table="t")
    >>> print(problems[0])  # doctest: +ELLIPSIS
    a.csv, column 'Crime typ': is not a header of the example layout; closest expected ...
    """
    known = {}
    for column in layout.columns:
        for spelling in (column.header, *column.variants):
            known[header_key(spelling)] = column
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    unknown: list[str] = []
    for header in headers:
        column = known.get(header_key(header))
        if column is None:
            if not any(re.fullmatch(pattern, str(header).strip()) for pattern in layout.ignored):
                unknown.append(header)
            continue
        if column.name in mapping.values():
            problems.append(
                Problem(
                    table=table,
                    source=source,
                    column=str(header),
                    message=f"is a second '{column.header}' column",
                    fix="keep one column of each name, as published",
                )
            )
            continue
        mapping[header] = column.name
    missing = [column for column in layout.columns if column.name not in mapping.values()]
    explained: set[str] = set()
    for header in unknown:
        by_key = {header_key(column.header): column for column in missing}
        close = difflib.get_close_matches(
            header_key(header), list(by_key), n=1, cutoff=NEAR_MISS_CUTOFF
        )
        if not close:
            continue  # a column the layout does not know: dropped, as a release may add one
        expected = by_key[close[0]]
        explained.add(expected.name)
        problems.append(
            Problem(
                table=table,
                source=source,
                column=str(header),
                message=(
                    f"is not a header of the {layout.title} layout; closest expected "
                    f"'{expected.header}'"
                ),
                fix=(
                    f"if the column holds {_lower_first(expected.description.rstrip('.'))}, "
                    f"rename it to '{expected.header}'. {layout.fix}"
                ).strip(),
            )
        )
    for column in missing:
        if column.required and column.name not in explained:
            problems.append(
                Problem(
                    table=table,
                    source=source,
                    column=column.header,
                    message=f"is missing: the {layout.title} layout requires it",
                    fix=(
                        "check this is the right kind of file and that no column was removed "
                        f"when it was saved. {layout.fix}"
                    ).strip(),
                )
            )
    return mapping, problems


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def spreadsheet_rows(index: object, limit: int = 5) -> tuple[tuple[int, ...], int]:
    """First offending rows as a spreadsheet shows them (header row 1), and how many.

    Examples
    --------
    >>> spreadsheet_rows([0, 3])
    ((2, 5), 2)
    """
    positions = [int(position) + 2 for position in index]  # type: ignore[union-attr]
    return tuple(positions[:limit]), len(positions)


def read_layout_csv(
    open_file: Callable[[], IO[bytes]], layout: Layout, *, source: str, table: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV in ``layout``: matched columns only, tidy names, text or categorical.

    Values stay as published (text; ``category`` where the layout says so; empty cells
    missing), so the caller can name the rows whose values do not convert.

    Parameters
    ----------
    open_file : callable
        Returns the file's bytes as a binary file object.
    layout : Layout
        The layout the file should follow.
    source, table : str
        The file and kind of table, as messages name them.

    Returns
    -------
    frame : pandas.DataFrame or None
        None when the header does not match the layout or the file cannot be read.
    problems : list of Problem
    """

    def unreadable(message: str, fix: str) -> tuple[None, list[Problem]]:
        return None, [Problem(table, source, None, message, fix=fix)]

    dtypes = {column.name: column.dtype for column in layout.columns}
    try:
        with open_file() as handle:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            header = next(csv.reader(text), [])
            mapping, problems = match_header(header, layout, source=source, table=table)
            if problems:
                return None, problems
            frame = pd.read_csv(
                text,
                header=None,
                names=header,
                usecols=list(mapping),
                dtype={
                    found: "category" if dtypes[name] == "category" else str
                    for found, name in mapping.items()
                },
                keep_default_na=False,
                na_values=[""],
            )
    except UnicodeDecodeError:
        return unreadable("is not UTF-8 text", f"save it as UTF-8 CSV. {layout.fix}".strip())
    except (pd.errors.ParserError, csv.Error) as error:
        return unreadable(f"is not a readable CSV ({error})", layout.fix)
    return frame.rename(columns=mapping), []


def stack(frames: list[pd.DataFrame], layout: Layout) -> pd.DataFrame:
    """Concatenate frames read in ``layout``, keeping categoricals categorical.

    ``pandas.concat`` turns categoricals whose categories differ (a new outcome category
    in one month) into text, which costs the memory the categoricals were there to save.

    Examples
    --------
    >>> layout = Layout("example", (Column("kind", "Kind", "category", ""),))
    >>> a = pd.DataFrame({"kind": pd.Categorical(["x"])})
    >>> b = pd.DataFrame({"kind": pd.Categorical(["y"])})
    >>> stack([a, b], layout)["kind"].cat.categories.tolist()
    ['x', 'y']
    """
    columns = {}
    for column in layout.columns:
        parts = [frame[column.name] for frame in frames if column.name in frame]
        if not parts:
            continue
        if column.dtype == "category":
            parts = [part.astype("category") for part in parts]
            columns[column.name] = pd.Series(union_categoricals(parts), copy=False)
        else:
            columns[column.name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)
