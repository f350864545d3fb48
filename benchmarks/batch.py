"""The whole batch against the way most teams run notebooks today, and against the floor.

Every case is a separate command, timed from start to exit, so each pays its own
interpreter start and imports as a user would:

- ``batch``: ``python -m analysis run`` (all programmes: reader and analyst HTML,
  PDFs, the scorecard), and the same with ``--no-pdf`` (HTML only, like the
  baseline) and with ``--fresh-kernels`` (every kernel started from scratch).
- ``nbconvert``: each notebook in turn with ``jupyter nbconvert --execute --to html``.
- ``floor``: the notebooks' code executed in one Python process, no kernel and no
  notebook machinery: the cost of the analysis itself.

The cases are run round-robin ``repeat`` times and the median is reported, so a
slow moment of the machine falls on every case alike rather than on one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analysis import PROGRAMMES
from analysis.paths import NOTEBOOKS_DIR, PROJ_ROOT

#: Case label -> command (given a scratch folder for its output).
CASES: dict[str, Callable[[Path], list[str]]] = {
    "python -m analysis run": lambda out: [
        sys.executable, "-m", "analysis", "run", "--output", str(out),
    ],
    "python -m analysis run --no-pdf": lambda out: [
        sys.executable, "-m", "analysis", "run", "--no-pdf", "--output", str(out),
    ],
    "python -m analysis run --fresh-kernels": lambda out: [
        sys.executable, "-m", "analysis", "run", "--fresh-kernels", "--output", str(out),
    ],
    "nbconvert --execute, one by one": lambda out: [
        sys.executable, "-m", "benchmarks.batch", "nbconvert", str(out),
    ],
    "floor (no notebooks)": lambda out: [sys.executable, "-m", "benchmarks.batch", "floor"],
}  # fmt: skip


def time_command(command: list[str]) -> float:
    """Seconds from start to exit of ``command`` (run in the project folder; must succeed)."""
    started = time.perf_counter()
    subprocess.run(command, cwd=PROJ_ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def run_cases(
    repeat: int = 3, cases: dict[str, Callable[[Path], list[str]]] | None = None
) -> dict[str, list[float]]:
    """Time every case ``repeat`` times, round-robin; seconds per case, in run order."""
    cases = cases or CASES
    times: dict[str, list[float]] = {label: [] for label in cases}
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(repeat):
            for index, (label, command) in enumerate(cases.items()):
                out = Path(scratch) / f"{round_}-{index}"
                times[label].append(time_command(command(out)))
                print(f"  {label}: {times[label][-1]:.1f}s", file=sys.stderr)
    return times


def median(values: list[float]) -> float:
    """The median (the middle run of an odd number)."""
    return statistics.median(values)


# ---------------------------------------------------------------------------- the baselines
def nbconvert_one_by_one(output: Path) -> None:
    """Run each notebook in turn with ``jupyter nbconvert --execute --to html``."""
    jupyter = Path(sys.executable).with_name("jupyter")
    for programme in PROGRAMMES:
        subprocess.run(
            [
                str(jupyter),
                "nbconvert",
                "--execute",
                "--to",
                "html",
                "--ExecutePreprocessor.kernel_name=dorset-eval",
                "--output-dir",
                str(output),
                str(NOTEBOOKS_DIR / f"{programme}.ipynb"),
            ],
            cwd=PROJ_ROOT,
            check=True,
            capture_output=True,
        )


def floor() -> None:
    """Execute every notebook's code cells in this process (a fresh namespace each)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    for programme in PROGRAMMES:
        cells = json.loads((NOTEBOOKS_DIR / f"{programme}.ipynb").read_text())["cells"]
        namespace: dict = {"__name__": "__floor__"}
        with contextlib.redirect_stdout(io.StringIO()), tempfile.TemporaryDirectory() as tmp:
            for cell in cells:
                if cell["cell_type"] != "code":
                    continue
                source = "".join(cell["source"])
                if "parameters" in cell.get("metadata", {}).get("tags", []):
                    source += f"\nfindings_path = {str(Path(tmp) / 'findings.json')!r}\n"
                exec(compile(source, f"{programme}.ipynb", "exec"), namespace)


if __name__ == "__main__":
    if sys.argv[1] == "nbconvert":
        nbconvert_one_by_one(Path(sys.argv[2]))
    elif sys.argv[1] == "floor":
        floor()
    else:
        raise SystemExit(f"unknown baseline {sys.argv[1]!r}: nbconvert or floor")
