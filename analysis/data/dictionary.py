"""The data dictionary in ``data/README.md``, rendered from the contracts.

The section between the two markers in ``data/README.md`` is generated:
never edit it by hand. After changing a contract, run::

    python -m analysis.data.dictionary

A test fails when the README and the contracts disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ..paths import DATA_DIR
from .schema import Column, Contract, TableSpec

BEGIN_MARKER = (
    "<!-- BEGIN DATA DICTIONARY: generated from analysis/data/contracts/ by "
    "`python -m analysis.data.dictionary`; do not edit by hand -->"
)
END_MARKER = "<!-- END DATA DICTIONARY -->"

_KIND_NAMES = {
    "id": "identifier",
    "int": "whole number",
    "float": "number",
    "bool": "yes/no",
    "date": "date",
    "category": "category",
    "str": "text",
}


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _allowed(column: Column) -> str:
    values = list(column.allowed or ())
    if values and all(isinstance(v, int) for v in values):
        ordered = sorted(values)
        if ordered == list(range(ordered[0], ordered[-1] + 1)):
            return f"{ordered[0]} to {ordered[-1]}"
    return ", ".join(f"`{v}`" for v in values)


def _rules(column: Column) -> str:
    rules = []
    if column.allowed is not None:
        rules.append(f"one of: {_allowed(column)}")
    # Bounds are shown only without an allowed list, which is stricter than any bounds.
    bounded = column.allowed is None
    if bounded and column.min is not None and column.max is not None:
        rules.append(f"{column.min:g} to {column.max:g}")
    elif bounded and column.min is not None:
        rules.append(f"at least {column.min:g}")
    elif bounded and column.max is not None:
        rules.append(f"at most {column.max:g}")
    if column.unique:
        rules.append("unique")
    if column.references is not None:
        rules.append(f"must appear in `{column.references[0]}.{column.references[1]}`")
    if column.not_after_extract:
        rules.append("not after the extract date")
    if column.not_before:
        rules.append(f"not before `{column.not_before}`")
    return "; ".join(rules)


def _presence(column: Column) -> str:
    if column.required:
        return "required"
    default = "blank" if column.default in (None, "") else f"`{column.default}`"
    return f"optional (default {default})"


def _kind(column: Column) -> str:
    name = _KIND_NAMES[column.kind]
    return f"{name}, pseudonymised" if column.identifier else name


def render_table(spec: TableSpec) -> str:
    """Markdown for one contract table.

    Examples
    --------
    >>> from analysis.data.schema import Column, TableSpec
    >>> spec = TableSpec("t", "One row per thing.", [Column("n", "int", "A count.", min=0)])
    >>> print(render_table(spec).splitlines()[-1])
    | `n` | whole number | required | no | at least 0 | A count. |
    """
    key = ", ".join(f"`{k}`" for k in spec.key) or "none"
    lines = [
        f"#### `{spec.name}`",
        "",
        f"{spec.description} File `{spec.name}.csv`, `{spec.name}.parquet` or "
        f"`{spec.name}.xlsx` (sheet `{spec.name}`), or database table `{spec.name}`. "
        f"Key: {key}.",
        "",
        "| column | type | presence | blank allowed | rules | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for column in spec.columns:
        meaning = column.description
        if column.example:
            meaning += f" Example: `{column.example}`."
        lines.append(
            f"| `{column.name}` | {_kind(column)} | {_presence(column)} | "
            f"{'yes' if column.nullable else 'no'} | {_cell(_rules(column))} | {_cell(meaning)} |"
        )
    return "\n".join(lines)


def render_contract(contract: Contract) -> str:
    """Markdown for one programme's contract.

    Examples
    --------
    >>> from analysis.data.contracts import get_contract
    >>> render_contract(get_contract("lsavi")).splitlines()[0]
    '### lSaVI (licensing Security and Vulnerability Initiative) (`lsavi`)'
    """
    parts = [f"### {contract.title} (`{contract.programme}`)", ""]
    if contract.notes:
        parts += [" ".join(contract.notes.split()), ""]
    for spec in contract.tables:
        parts += [render_table(spec), ""]
    return "\n".join(parts).rstrip() + "\n"


def render_dictionary(programmes: Sequence[str] | None = None) -> str:
    """The data dictionary of every programme (markdown), as kept in ``data/README.md``.

    Parameters
    ----------
    programmes : sequence of str, optional
        Programme slugs; default every programme with a contract, by slug.

    Returns
    -------
    str

    Examples
    --------
    >>> "#### `crimes`" in render_dictionary(["op_focus"])
    True
    """
    from .contracts import contract_programmes, get_contract

    chosen = list(programmes) if programmes is not None else list(contract_programmes())
    sections = [render_contract(get_contract(p)) for p in chosen]
    return "\n".join(sections)


def dictionary_section(text: str) -> str | None:
    r"""The generated section of a README (between the markers), or None when absent.

    Examples
    --------
    >>> dictionary_section(f"intro\n{BEGIN_MARKER}\nbody\n{END_MARKER}\n")
    'body\n'
    """
    start = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER)
    if start < 0 or end < start:
        return None
    return text[start + len(BEGIN_MARKER) : end].lstrip("\n")


def update_readme(path: str | Path | None = None) -> bool:
    """Rewrite the generated section of ``data/README.md`` from the contracts.

    Parameters
    ----------
    path : path-like, optional
        The README (default ``data/README.md``). It must contain the two markers.

    Returns
    -------
    bool
        Whether the file changed.

    Raises
    ------
    ValueError
        When the markers are missing.
    """
    path = Path(path) if path is not None else DATA_DIR / "README.md"
    text = path.read_text(encoding="utf-8")
    if dictionary_section(text) is None:
        raise ValueError(
            f"{path} lacks the data-dictionary markers ({BEGIN_MARKER} ... {END_MARKER})"
        )
    start = text.find(BEGIN_MARKER) + len(BEGIN_MARKER)
    end = text.find(END_MARKER)
    updated = text[:start] + "\n\n" + render_dictionary() + "\n" + text[end:]
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True


def main() -> int:
    """Command-line entry: rewrite the dictionary in ``data/README.md``."""
    changed = update_readme()
    print("data/README.md " + ("updated" if changed else "already up to date"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
