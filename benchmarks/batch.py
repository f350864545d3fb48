"""The whole batch against the way most teams run notebooks today, and against the floor.

- ``batch``: ``python -m analysis run`` (all programmes, parallel, HTML reports and index).
- ``nbconvert``: each notebook in turn with ``jupyter nbconvert --execute --to html``.
- ``floor``: the notebooks' code executed directly in one Python process, no kernel and
  no notebook machinery: the cost of the analysis itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import PROGRAMMES
from analysis.paths import NOTEBOOKS_DIR, PROJ_ROOT


def time_batch(output: Path, *, pdf: bool = True) -> float:
    """Seconds for ``python -m analysis run`` over every programme (optionally without PDFs)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analysis", "run", "--output", str(output)]
        + ([] if pdf else ["--no-pdf"]),
        cwd=PROJ_ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def time_nbconvert(output: Path) -> float:
    """Seconds for running each notebook in turn with ``jupyter nbconvert --execute``."""
    jupyter = Path(sys.executable).with_name("jupyter")
    started = time.perf_counter()
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
    return time.perf_counter() - started


def time_floor() -> float:
    """Seconds to execute every notebook's code cells in this process (fresh namespaces)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    started = time.perf_counter()
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
    return time.perf_counter() - started
