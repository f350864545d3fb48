"""The parameters cell read without papermill gives papermill's own answer."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import papermill
import pytest
from papermill.translators import PythonTranslator

from analysis import PROGRAMMES
from analysis.config import notebook_path
from analysis.parameters_cell import inspect_notebook, inspect_source

#: Cells papermill reads in ways that are easy to get wrong.
AWKWARD_CELLS = {
    "plain": "seed = 20\nname = 'x'\n",
    "annotated with help": "seed: int = 20  # random seed for the synthetic data\n",
    "quoted annotation": "when: 'str' = '2024-01-01'  # ISO date\n",
    "type comment": "rate = 0.5  # type: float the share\n",
    "generic annotation": "names: list[str] = ['a', 'b']\n",
    "union annotation": "source: str | None = None  # papermill cannot read this one\n",
    "multi-line value": "weights = {\n    'a': 1,  # first\n    'b': 2,\n}  # the weights\n",
    "two equals signs": "query = 'a=b'\nafter = 1\n",
    "hash in a string": "colour = '#ff0000'  # red\n",
    "comments and blanks": "# Parameters\n\n# a comment\nx = 1\n\n",
    "no assignment": "print('hello')\n",
    "empty": "",
    "indented": "if True:\n    x = 1\n",
    "tuple target": "a, b = 1, 2\n",
}


@pytest.mark.parametrize("name", sorted(AWKWARD_CELLS))
def test_a_cell_is_read_as_papermill_reads_it(name):
    source = AWKWARD_CELLS[name]
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})
    expected = [p._asdict() for p in PythonTranslator.inspect(cell)]
    assert inspect_source(source) == expected


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_every_programme_notebook_is_read_as_papermill_reads_it(programme):
    path = notebook_path(programme)
    found = inspect_notebook(path)
    assert found, "every programme notebook declares parameters"
    assert found == papermill.inspect_notebook(str(path))


def _python_notebook(cells):
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    return notebook


def test_only_the_first_tagged_cell_counts_and_untagged_cells_none(tmp_path):
    cells = [
        nbformat.v4.new_code_cell("before = 0"),
        nbformat.v4.new_code_cell("first = 1  # kept", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("second = 2", metadata={"tags": ["parameters"]}),
    ]
    path = tmp_path / "n.ipynb"
    nbformat.write(_python_notebook(cells), path)
    assert inspect_notebook(path) == papermill.inspect_notebook(str(path))
    assert list(inspect_notebook(path)) == ["first"]
    untagged = tmp_path / "untagged.ipynb"
    nbformat.write(_python_notebook(cells[:1]), untagged)
    assert inspect_notebook(untagged) == {} == papermill.inspect_notebook(str(untagged))


def test_a_notebook_in_another_language_is_left_to_papermill(tmp_path):
    cell = nbformat.v4.new_code_cell("seed = 20  # R's '='", metadata={"tags": ["parameters"]})
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    path = tmp_path / "r.ipynb"
    path.write_text(json.dumps(notebook))
    # papermill has no reader for R's parameters cells: neither lists any.
    assert inspect_notebook(path) == papermill.inspect_notebook(str(path)) == {}


def test_checking_parameters_does_not_import_papermill():
    """The process that starts a batch checks parameters without paying for papermill."""
    code = (
        "import sys\n"
        "from analysis.config import resolve_parameters, load_config\n"
        "for p in ('op_focus', 'perpetrator_programmes', 'lsavi'):\n"
        "    resolve_parameters(p, config=load_config(p), overrides={'synthetic_seed': 7})\n"
        "print(sorted(m for m in ('papermill', 'nbformat', 'nbclient') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
