"""A notebook's ``parameters`` cell, read by papermill's rules without importing papermill.

The runner checks every parameter against the notebook before anything runs,
and it does so in the process that starts the batch, where importing papermill
(with nbclient, nbformat and jupyter_client behind it) would cost half a second
of CPU at the busiest moment of the run. For a Python notebook this module
applies papermill's own reading of the cell (its ``PythonTranslator.inspect``:
one ``name[: type] = value  # help`` per assignment, a value may run over
several lines, a line with two ``=`` is skipped), so what is listed is exactly
what papermill can inject; the tests compare the two on every programme
notebook and on awkward cells. A notebook in another language is handed to
papermill itself.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

#: The tag that marks the cell papermill injects parameters after.
PARAMETERS_TAG = "parameters"

#: papermill's pattern for one assignment (``papermill.translators.PythonTranslator``).
_ASSIGNMENT = re.compile(
    r"^(?P<target>\w[\w_]*)\s*(:\s*[\"']?(?P<annotation>\w[\w_\[\],\s]*)[\"']?\s*)?=\s*"
    r"(?P<value>.*?)(\s*#\s*(type:\s*(?P<type_comment>[^\s]*)\s*)?(?P<help>.*))?$"
)


def _flatten(lines: list[str]) -> str:
    """One definition on one line: comments dropped from all but its last line."""
    flat = ""
    for line in lines[:-1]:
        flat += (line[: line.index("#")] if "#" in line else line).strip()
    if lines:
        flat += lines[-1].strip()
    return flat


def inspect_source(source: str) -> list[dict[str, str]]:
    r"""The parameters a Python ``parameters`` cell declares, as papermill reads them.

    Parameters
    ----------
    source : str
        The cell's code.

    Returns
    -------
    list of dict
        One per parameter, in order: ``name``, ``inferred_type_name`` (the
        annotation or type comment, ``'None'`` without one), ``default`` (the
        value's source text) and ``help`` (the trailing comment).

    Examples
    --------
    >>> inspect_source("seed: int = 20  # random seed\nsource = None")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'name': 'seed', 'inferred_type_name': 'int', 'default': '20', 'help': 'random seed'},
     {'name': 'source', 'inferred_type_name': 'None', 'default': 'None', 'help': ''}]
    """
    definitions: list[str] = []
    lines: list[str] = []
    for line in source.splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        equals = line.count("=")
        if equals:
            definitions.append(_flatten(lines))
            lines = []
            if equals > 1:  # papermill cannot tell the assignment apart: it skips the line
                continue
        lines.append(line)
    definitions.append(_flatten(lines))

    parameters = []
    for definition in definitions:
        match = _ASSIGNMENT.match(definition) if definition else None
        if match is None:
            continue
        found = match.groupdict()
        parameters.append(
            {
                "name": found["target"].strip(),
                "inferred_type_name": str(
                    found["annotation"] or found["type_comment"] or None
                ).strip(),
                "default": str(found["value"]).strip(),
                "help": str(found["help"] or "").strip(),
            }
        )
    return parameters


def _language(notebook: dict[str, Any]) -> str:
    metadata = notebook.get("metadata", {})
    language = metadata.get("kernelspec", {}).get("language") or metadata.get(
        "language_info", {}
    ).get("name")
    return str(language or "python").lower()


def inspect_notebook(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """The parameters of a notebook's first ``parameters``-tagged cell, by name.

    The same answer as ``papermill.inspect_notebook(path)``; only a notebook
    that is not in Python is read by papermill itself.

    Parameters
    ----------
    path : path-like
        An ``.ipynb`` file.

    Returns
    -------
    dict
        Name -> ``{"name", "inferred_type_name", "default", "help"}``; empty
        when the notebook has no ``parameters`` cell.
    """
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    if _language(notebook) != "python":
        import papermill

        return papermill.inspect_notebook(str(path))
    for cell in notebook.get("cells", []):
        if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            return {p["name"]: p for p in inspect_source(source)}
    return {}
