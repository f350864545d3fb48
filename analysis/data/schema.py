"""Declarative data contracts: what each programme's input tables must look like.

A contract is written once, as plain data, per programme (see
``analysis/data/contracts/``). From it the toolkit builds the validation
(``analysis.data.validate``), the pseudonymisation (columns marked
``identifier``), the type coercion on load, and the data dictionary in
``data/README.md``. Keeping the contract declarative is what lets the
dictionary and the checks never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

#: Column kinds a contract can declare.
#: ``id``: an identifier (string after loading); ``int``/``float``: numbers;
#: ``bool``: true/false (accepts 0/1, true/false, yes/no, Y/N);
#: ``date``: a calendar date (``datetime64``); ``category``: one of ``allowed``;
#: ``str``: free text.
Kind = Literal["id", "int", "float", "bool", "date", "category", "str"]


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    Parameters
    ----------
    name : str
        Column name as it must appear in the extract (lower snake case).
    kind : {"id", "int", "float", "bool", "date", "category", "str"}
        What the values are.
    description : str
        Plain-English meaning, shown in the data dictionary.
    nullable : bool
        Whether blanks are allowed.
    required : bool
        Whether the column must be present. An optional column that is
        missing is added with ``default`` and a warning is logged.
    default : Any
        Value for a missing optional column (documented in the dictionary).
    allowed : sequence, optional
        Allowed values (for ``category`` and coded ``int`` columns).
    min, max : float, optional
        Inclusive bounds for numbers.
    unique : bool
        Values must not repeat (keys).
    identifier : bool
        Personal or premises identifier: replaced by a keyed hash on load.
    references : tuple of (str, str), optional
        Foreign key: ``("suspects", "suspect_id")`` means every non-blank
        value must appear in that column of that table.
    not_after_extract : bool
        For dates: must not be after the extract date.
    not_before : str, optional
        For dates: the name of another date column in the same table that this
        one must not precede (e.g. ``outcome_date`` not before ``arrest_date``).
    example : str
        An example value for the dictionary.
    """

    name: str
    kind: Kind
    description: str
    nullable: bool = False
    required: bool = True
    default: Any = None
    allowed: Sequence[Any] | None = None
    min: float | None = None
    max: float | None = None
    unique: bool = False
    identifier: bool = False
    references: tuple[str, str] | None = None
    not_after_extract: bool = False
    not_before: str | None = None
    example: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One input table of a programme.

    Parameters
    ----------
    name : str
        Table name: also the file stem (``crimes.csv``) and database table name.
    description : str
        What one row is, in words.
    columns : sequence of Column
        The columns, in the order of the data dictionary.
    key : tuple of str
        Columns that together identify a row (checked for duplicates).
    """

    name: str
    description: str
    columns: Sequence[Column]
    key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table '{self.name}' has no column '{name}'")

    @property
    def identifiers(self) -> list[str]:
        """Names of the columns pseudonymised on load."""
        return [c.name for c in self.columns if c.identifier]


@dataclass(frozen=True)
class Contract:
    """All the input tables of one programme.

    Parameters
    ----------
    programme : str
        Programme slug (``op_focus``).
    title : str
        Human-readable name.
    tables : sequence of TableSpec
        Input tables, in dependency order (referenced tables first).
    notes : str
        Anything an extract-writer must know (coverage, extract date).
    """

    programme: str
    title: str
    tables: Sequence[TableSpec]
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> TableSpec:
        """Return the table spec called ``name``."""
        for spec in self.tables:
            if spec.name == name:
                return spec
        raise KeyError(f"programme '{self.programme}' has no table '{name}'")

    @property
    def table_names(self) -> list[str]:
        """Names of the tables, in order."""
        return [t.name for t in self.tables]
