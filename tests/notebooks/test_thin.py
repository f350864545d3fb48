"""Programme notebooks stay thin: parameters, calls, figures and explanation, no computation.

Every computation a report shows lives in ``analysis.programmes.<slug>`` where it is
tested without a kernel; a notebook that grows a groupby, a ``Finding(...)`` or a sentence
that branches on a result has let analysis escape the package.
"""

import ast
import json

import pytest

from analysis.programmes import REGISTRY

#: Most lines of code a programme notebook may hold (the explanatory markdown is not counted).
MAX_CODE_LINES = 300

#: Method names that compute rather than call: they belong in the programme's package.
COMPUTING_METHODS = frozenset(
    {"groupby", "agg", "aggregate", "merge", "pivot", "pivot_table", "apply", "resample"}
)
ARITHMETIC = (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def code_cells(slug):
    notebook = json.loads(REGISTRY[slug].notebook.read_text(encoding="utf-8"))
    return [
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", [])
    ]


def computation_in(source):
    """Each construct in ``source`` that computes or branches, as (line, what)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        what = None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            what = "a definition"
        elif isinstance(node, ast.If | ast.IfExp):
            what = "a branch (result-dependent wording belongs in narrative.py)"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC):
            what = "arithmetic"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Finding":
                what = "a Finding(...) (findings are built by build_findings)"
            elif isinstance(func, ast.Attribute) and func.attr in COMPUTING_METHODS:
                what = f".{func.attr}(...)"
        if what:
            found.append((node.lineno, what))
    return found


def check_thin(slug):
    cells = code_cells(slug)
    lines = sum(len([line for line in cell.splitlines() if line.strip()]) for cell in cells)
    problems = (
        [f"{lines} lines of code (at most {MAX_CODE_LINES})"] if lines > MAX_CODE_LINES else []
    )
    for number, cell in enumerate(cells, 1):
        problems += [
            f"code cell {number}, line {line}: {what}" for line, what in computation_in(cell)
        ]
    assert not problems, f"notebooks/{slug}.ipynb computes:\n" + "\n".join(problems)


@pytest.mark.parametrize("slug", list(REGISTRY))
def test_programme_notebook_only_sets_calls_shows_and_explains(slug):
    check_thin(slug)


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    pass",
        "x = 1 if y else 2",
        "counts = table.groupby('area').size()",
        "findings.append(Finding(question='q', estimate=e, design='d'))",
        "share = a / b",
    ],
)
def test_the_check_catches_computation(source):
    assert computation_in(source)


def test_the_check_passes_calls_and_display():
    source = (
        "evaluation = evaluate(data, params)\ndisplay(Markdown(narrative.headline(evaluation)))"
    )
    assert computation_in(source) == []
