"""The package's layers: imports go one way, down, with no cycle; the batch stays on top.

``errors``/``results`` <- ``methods``, ``evidence`` <- ``data``, ``plots`` <-
``programmes`` <- ``reporting`` <- ``batch`` <- ``cli``, as the design sets them.
The import graph is read from the source with :mod:`ast`, every ``import``
statement included, those inside functions too, so a deferred import cannot
hide a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "analysis"

#: Each layer and the modules (or packages, with everything inside) that make it, lowest first.
#: The top package ``analysis`` is the front door for notebooks: it offers the programmes.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundations",
        (
            "analysis._version",
            "analysis._lazy",
            "analysis.errors",
            "analysis.results",
            "analysis.paths",
            "analysis.config",
            "analysis.parameters_cell",
        ),
    ),
    ("methods and evidence", ("analysis.methods", "analysis.evidence")),
    ("data and plots", ("analysis.data", "analysis.synthetic", "analysis.plots")),
    ("programmes", ("analysis.programmes", "analysis")),
    ("reporting", ("analysis.reporting",)),
    ("batch", ("analysis.batch",)),
    ("command line", ("analysis.cli", "analysis.__main__", "analysis.scaffold")),
)


#: Imports against the layers that are known, each with why it is there and what removes it.
#: The check fails on any other, and on any of these once it has gone (so the list only shrinks).
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def module_name(path: Path, root: Path = PACKAGE_DIR) -> str:
    """``analysis/data/dataset.py`` -> ``analysis.data.dataset``; a package is its ``__init__``."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = PACKAGE_DIR) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports, read from every ``import`` statement.

    ``from X import name`` depends on ``X.name`` when that is a module, else on
    ``X``; relative imports are resolved against the importing module's package.
    """
    sources = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    packages = {name for name, path in sources.items() if path.name == "__init__.py"}

    def known(name: str) -> str | None:
        # The module itself, or the nearest enclosing module of the package.
        while name and name not in sources:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in sources.items():
        here = name if name in packages else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(filter(None, (known(alias.name) for alias in node.names)))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                if base.partition(".")[0] != root.name:
                    continue
                for alias in node.names:
                    target = known(f"{base}.{alias.name}")
                    targets.add(target if target == f"{base}.{alias.name}" else known(base))
        graph[name] = {target for target in targets if target and target != name}
    return graph


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One import cycle, as the modules along it (the first repeated at the end), or None.

    Examples
    --------
    >>> find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]})
    ['a', 'b', 'c', 'a']
    >>> find_cycle({"a": ["b"], "b": []}) is None
    True
    """
    finished: set[str] = set()
    for start in sorted(graph):
        if start in finished:
            continue
        path, branches = [start], [iter(sorted(graph.get(start, ())))]
        while branches:
            following = next(branches[-1], None)
            if following is None:
                branches.pop()
                finished.add(path.pop())
            elif following in path:
                return path[path.index(following) :] + [following]
            elif following not in finished:
                path.append(following)
                branches.append(iter(sorted(graph.get(following, ()))))
    return None


def layer_of(module: str) -> int:
    """Position of ``module``'s layer in :data:`LAYERS` (the nearest package named wins)."""
    best, rank = "", -1
    for position, (_, members) in enumerate(LAYERS):
        for member in members:
            inside = module == member or (member != "analysis" and module.startswith(member + "."))
            if inside and len(member) > len(best):
                best, rank = member, position
    if rank < 0:
        raise LookupError(f"{module} is in no layer: place it in tests/test_layers.py LAYERS")
    return rank


def test_the_import_graph_resolves_relative_and_deferred_imports(tmp_path):
    """The checks below see what they must: a relative import inside a function is an edge."""
    package = tmp_path / "analysis"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "data" / "__init__.py").write_text("from .dataset import load\n")
    (package / "data" / "dataset.py").write_text(
        "def load():\n    from . import prefetch\n    from ..errors import Oops\n"
    )
    (package / "data" / "prefetch.py").write_text("from .dataset import load\n")
    (package / "errors.py").write_text("")
    graph = import_graph(package)
    assert graph["analysis.data.dataset"] == {"analysis.data.prefetch", "analysis.errors"}
    assert graph["analysis.data"] == {"analysis.data.dataset"}
    assert find_cycle(graph) == [
        "analysis.data.dataset",
        "analysis.data.prefetch",
        "analysis.data.dataset",
    ]


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_module_imports_a_layer_above_its_own():
    upward = {
        (module, target): (
            f"{module} ({LAYERS[layer_of(module)][0]}) imports "
            f"{target} ({LAYERS[layer_of(target)][0]})"
        )
        for module, targets in import_graph().items()
        for target in targets
        if layer_of(target) > layer_of(module)
    }
    new = [upward[pair] for pair in sorted(upward) if pair not in KNOWN_UPWARD]
    assert not new, "imports against the layers:\n" + "\n".join(new)
    gone = [
        f"{module} -> {target}" for module, target in KNOWN_UPWARD if (module, target) not in upward
    ]
    assert not gone, "no longer imported: remove from KNOWN_UPWARD: " + ", ".join(gone)


def test_only_the_command_line_imports_the_batch():
    batch = layer_of("analysis.batch")
    users = sorted(
        module
        for module, targets in import_graph().items()
        if layer_of(module) != batch and any(layer_of(t) == batch for t in targets)
    )
    assert users == ["analysis.cli"]


def test_the_analysts_path_loads_nothing_of_the_batch():
    """In a fresh interpreter: data, methods, programmes and a load bring in no batch module."""
    code = """
import sys

def batch():
    return sorted(m for m in sys.modules if m.split(".")[:2] == ["analysis", "batch"])

import analysis.data
print("analysis.data", batch())
import analysis.methods
print("analysis.methods", batch())
import analysis.programmes
print("analysis.programmes", batch())
analysis.data.load("op_focus", seed=3, scale=0.02)
print("load", batch())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "analysis.data []",
        "analysis.methods []",
        "analysis.programmes []",
        "load []",
    ]
