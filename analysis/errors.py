"""Exception types a user of the toolkit can meet.

Errors a user can cause (bad data, a bad parameter, an estimator asked to do the
impossible) are raised as these types, with a message that names the file or
table, the column, the offending rows and the fix. The command-line interface
turns them into a readable message and exit status 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class AnalysisError(Exception):
    """Base class for every error the toolkit raises on purpose."""


class ConfigError(AnalysisError):
    """A configuration file, parameter or command-line value is wrong."""


class EstimationError(AnalysisError):
    """An estimator cannot produce a meaningful answer from the data given.

    Raised instead of returning NaN: for example a difference-in-differences
    with a single cluster, a cohort where everyone is treated, or a series too
    short for its seasonal terms.
    """


@dataclass(frozen=True)
class Problem:
    """One problem found in an input table.

    Parameters
    ----------
    table : str
        Table name (``crimes``) as the contract names it.
    source : str
        Where the table came from: a file path or a database table/query.
    column : str or None
        Column concerned, or None for table-level problems.
    message : str
        What is wrong, in plain words.
    rows : tuple of int
        First offending rows, numbered as a spreadsheet user sees them
        (header is row 1, first data row is row 2). Empty when not row-specific.
    fix : str
        What the user should do about it.
    n_rows : int
        How many rows have the problem in total.
    """

    table: str
    source: str
    column: str | None
    message: str
    rows: tuple[int, ...] = ()
    fix: str = ""
    n_rows: int = 0

    def __str__(self) -> str:
        where = f"{self.source}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows)
            more = (
                f" (and {self.n_rows - len(self.rows)} more)"
                if self.n_rows > len(self.rows)
                else ""
            )
            text += f" [rows {shown}{more}]"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


@dataclass
class DataValidationError(AnalysisError):
    """An input extract breaks its programme's data contract.

    Every problem found is collected and reported at once, so a user can fix
    an extract in one pass rather than one error at a time.

    Parameters
    ----------
    problems : list of Problem
        Everything wrong with the input.
    programme : str
        Programme whose contract was checked.
    """

    problems: list[Problem] = field(default_factory=list)
    programme: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{len(self.problems)} problem(s) in the {self.programme or 'input'} data"
        return head + ":\n" + "\n".join(f"  - {p}" for p in self.problems)
