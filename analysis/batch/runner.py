"""The batch runner: execute programme notebooks with papermill and publish their reports.

The calling process starts a fresh batch host (:class:`_BatchHost`), which
imports what the notebooks import once (while a child of it loads the
notebooks' data on the spare core: :mod:`analysis.batch.prefetch`) and forks a
worker per programme; each worker runs its notebook with papermill in its own
kernel, forked warm from the worker (:mod:`analysis.batch.kernels`), and renders the
HTML reports; the host finally draws the scorecard's figure. Progress
(programme, cell, elapsed), results and that figure flow back through a queue;
the caller prints the PDFs with one headless Chromium while the notebooks run,
publishes, and builds the scorecard. The caller imports none of the analysis
stack (pandas, matplotlib, papermill), so that it leaves both cores to the work.
Outputs are written to a staging folder and moved into ``<output>/<slug>/``
only when complete, so a failed or interrupted run never leaves half a report
and never destroys the last good one.

Scripts that call :func:`run_programmes` must guard their entry point with
``if __name__ == "__main__":``, as for any program using multiprocessing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import json
import logging
import multiprocessing as mp
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import PROGRAMMES, __version__
from ..config import load_config, notebook_path, resolve_parameters
from ..errors import AnalysisError, ConfigError
from ..paths import PROJ_ROOT, REPORTS_DIR
from ..programmes import REGISTRY, programme_title
from . import kernels

log = logging.getLogger(__name__)

KERNEL_NAME = "dorset-eval"

#: How long the batch host waits for its tasks before it imports the rest of the toolkit
#: (they come within a fraction of a second; without them, nothing is loaded ahead).
TASKS_WAIT_SECONDS = 1.0

#: What every worker imports to run its notebook: imported once by the batch host
#: before it forks them, rather than by each worker (0.15 to 0.35 s each).
WORKER_MODULES = (
    "papermill",
    "papermill.exceptions",
    "jupyter_client.connect",
    "jupyter_client.manager",
    "jupyter_client.provisioning",
    "traitlets.config",
)


def _skip_unused_schema_grammar() -> None:
    """Keep jsonschema from building its IRI grammar when papermill imports nbformat.

    jsonschema builds a parser for the ``iri`` string format at import (1.7 s here)
    when the optional ``rfc3987-syntax`` package is installed, as JupyterLab's
    dependencies install it. Notebook validation checks no string formats, so the
    runner, which reads and writes notebooks only, tells Python that package is absent.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


_skip_unused_schema_grammar()

#: Exceptions raised inside a notebook that mean "the input or a parameter is wrong":
#: bad data, a bad parameter, or data that cannot support an estimate (nobody treated).
USER_ERROR_NAMES = frozenset({"DataValidationError", "ConfigError", "EstimationError"})


@dataclass
class RunResult:
    """Outcome of one programme's run.

    Parameters
    ----------
    programme : str
        Programme slug.
    status : {"ok", "failed", "input error"}
        ``input error`` when the notebook stopped on bad data or a bad
        parameter (the command exits 2), ``failed`` for anything else.
    elapsed : float
        Seconds from start to finish.
    report : str or None
        Path of the HTML report when it succeeded.
    error : str
        One readable line: the cell and the error.
    cell : int or None
        Number of the failing code cell (1-based, as JupyterLab counts).
    notebook : str or None
        Path of the executed notebook (kept for inspection when it failed).
    """

    programme: str
    status: str
    elapsed: float
    report: str | None = None
    error: str = ""
    cell: int | None = None
    notebook: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


def git_commit() -> str:
    """Commit of the code that ran, with ``-dirty`` when the tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=PROJ_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJ_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


# ---------------------------------------------------------------------------- worker side
def _cell_label(nb: Any, index: int, exec_count: int | None) -> str:
    """Human label of a failing cell: its execution count ``[N]`` and section heading.

    ``[N]`` is the number shown beside the cell in the executed notebook, which
    is kept for inspection.
    """
    heading = ""
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown":
            lines = [ln for ln in cell.source.splitlines() if ln.startswith("#")]
            if lines:
                heading = lines[-1].lstrip("#").strip()
                break
    return f"cell [{exec_count}]" + (f" in section '{heading}'" if heading else "")


def _execute(
    programme: str,
    notebook: Path,
    parameters: dict[str, Any],
    staging: Path,
    progress: Any,
    warm: bool = True,
    threads: int | None = None,
    cleanup: contextlib.ExitStack | None = None,
    this_python: bool = False,
) -> dict[str, Any]:
    """Run one notebook into ``staging``; return a status dict (never raises).

    With ``warm``, the notebook's kernel is forked from this worker, which
    inherited the preloaded imports (:mod:`analysis.batch.kernels`); otherwise papermill
    starts a fresh kernel, as JupyterLab would. ``threads`` caps the kernel's
    native thread pools (:data:`analysis.batch.kernels.KERNEL_THREADS`). A warm
    kernel is told to exit when the notebook ends; with ``cleanup``, waiting
    for it is left to that stack, so the caller can render meanwhile. With
    ``this_python`` (the notebooks' kernel is not registered with Jupyter), the
    kernel runs this worker's Python (:func:`analysis.batch.kernels.this_python_kernels`).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    started = time.monotonic()
    executed = staging / f"{programme}.ipynb"
    findings_path = staging / "findings.json"
    params = dict(parameters, findings_path=str(findings_path))
    # Cell errors are captured in the notebook; the kernel's own log is noise here.
    kernel_arguments = ["--IPKernelApp.log_level=CRITICAL"]

    def on_cell_start(cell: Any, cell_index: int) -> None:
        if progress is not None:
            progress.put(("cell", programme, cell_index, time.monotonic() - started))

    status: dict[str, Any] = {"programme": programme, "status": "ok", "error": "", "cell": None}
    kernel = sockets = None
    try:
        if warm:
            kernel = kernels.start_warm_kernel(
                KERNEL_NAME,
                cwd=PROJ_ROOT,
                extra_arguments=kernel_arguments,
                threads=threads,
                this_python=this_python,
            )
            engine_options: dict[str, Any] = {"km": kernel.manager}
        else:
            if threads is not None:  # read by the fresh kernel's native libraries
                os.environ.update(dict.fromkeys(kernels.THREAD_VARIABLES, str(threads)))
            sockets = kernels.socket_folder()
            config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "k")}})
            engine_options = {"config": config, "extra_arguments": kernel_arguments}
            if this_python:
                from jupyter_client.manager import AsyncKernelManager

                engine_options["km"] = AsyncKernelManager(
                    kernel_name=KERNEL_NAME,
                    config=config,
                    kernel_spec_manager=kernels.this_python_kernels(KERNEL_NAME, sockets),
                )
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=params,
            kernel_name=KERNEL_NAME,
            cwd=str(PROJ_ROOT),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            on_cell_start=on_cell_start,
            **engine_options,
        )
    except PapermillExecutionError as exc:
        import nbformat

        nb = nbformat.read(executed, as_version=4) if executed.exists() else None
        where = (
            _cell_label(nb, exc.cell_index, exc.exec_count)
            if nb is not None
            else f"cell [{exc.exec_count}]"
        )
        lines = [ln.strip(" -") for ln in str(exc.evalue).strip().splitlines() if ln.strip()]
        # One readable line: the headline, plus the first problem of a multi-line message.
        first = lines[0] if lines else ""
        if len(lines) > 1:
            first += " " + lines[1] + (f" (+{len(lines) - 2} more)" if len(lines) > 2 else "")
        status.update(
            status="input error" if exc.ename in USER_ERROR_NAMES else "failed",
            error=f"{where}: {exc.ename}: {first}",
            detail=str(exc.evalue),
            cell=exc.exec_count,
        )
    except Exception as exc:
        status.update(
            status="failed",
            error=f"{type(exc).__name__}: {exc}".splitlines()[0],
            detail=traceback.format_exc(),
        )
    finally:
        if kernel is not None:
            if cleanup is None:
                kernel.stop()
            else:
                kernel.terminate()
                cleanup.callback(kernel.stop)
        if sockets is not None:
            shutil.rmtree(sockets, ignore_errors=True)
    status["elapsed"] = time.monotonic() - started
    return status


#: Progress queue of a worker process, set when the worker starts (_set_progress_queue).
_PROGRESS_QUEUE: Any = None


def _set_progress_queue(messages: Any) -> None:
    """Pool initializer: where this worker reports progress."""
    global _PROGRESS_QUEUE
    _PROGRESS_QUEUE = messages


@dataclass(frozen=True)
class _Task:
    """One programme's work, as sent to a worker."""

    programme: str
    notebook: str
    parameters: dict[str, Any]
    staging: str
    commit: str
    started_at: str
    render: bool
    warm: bool
    threads: int
    #: The notebooks' kernel is not registered with Jupyter: run it with this Python.
    this_python: bool = False


def _worker(task: _Task) -> dict[str, Any]:
    """Execute a notebook, then finalise its findings and render its HTML, in the worker.

    Rendering here rather than in the parent lets programmes render in parallel.
    """
    # The kernel is waited for last: it exits while the reports render.
    with contextlib.ExitStack() as kernel_exit:
        staging = Path(task.staging)
        status = _execute(
            task.programme,
            Path(task.notebook),
            task.parameters,
            staging,
            _PROGRESS_QUEUE,
            task.warm,
            task.threads,
            kernel_exit,
            task.this_python,
        )
        if status["status"] != "ok":
            return status
        programme = task.programme
        try:
            if not (staging / "findings.json").exists():
                raise AnalysisError("the notebook did not write findings.json (save_findings)")
            _finalise_findings(
                staging / "findings.json", programme, task.parameters, task.commit, task.started_at
            )
            if task.render:
                _render(staging, programme, _PROGRESS_QUEUE)
        except Exception as exc:
            log.debug("rendering %s failed", programme, exc_info=True)
            status.update(
                status="failed",
                error=f"publishing the report: {type(exc).__name__}: {exc}".splitlines()[0],
                detail=traceback.format_exc(),
            )
        return status


# ---------------------------------------------------------------------------- publishing
def _finalise_findings(
    path: Path, programme: str, parameters: dict[str, Any], commit: str, started: str
) -> None:
    """Add the run's provenance to the notebook's findings.json."""
    record = json.loads(path.read_text(encoding="utf-8"))
    public = {k: v for k, v in parameters.items() if k != "findings_path"}
    ordered = {
        "schema_version": record.pop("schema_version", 1),
        "programme": programme,
        "title": programme_title(programme),
        "run_timestamp": started,
        "git_commit": commit,
        "analysis_version": __version__,
        "parameters": public,
    }
    ordered.update({k: v for k, v in record.items() if k != "programme"})
    from ..evidence.findings import write_json_atomic

    write_json_atomic(path, ordered)


def _render(staging: Path, programme: str, progress: Any = None) -> None:
    """Build the reader and analyst HTML.

    The parent is told as soon as the reader's version exists, so it can print
    the PDF while this worker builds the analyst's.
    """
    from .. import reporting

    notebook = staging / f"{programme}.ipynb"
    findings = staging / "findings.json"
    reporting.render_report(notebook, findings, staging / f"{programme}.html", include_code=False)
    if progress is not None:
        progress.put(("reader-html", programme))
    reporting.render_report(
        notebook, findings, staging / f"{programme}-analyst.html", include_code=True
    )


class _Printer:
    """PDF copies of the reports, printed side by side by one headless Chromium.

    The browser starts with the run and boots while the notebooks run; a
    report is submitted as soon as its reader HTML exists and prints while the
    worker builds the analyst version. Any Chromium failure costs the PDF, with
    a logged note, never the run.
    """

    def __init__(self, stack: contextlib.ExitStack, enabled: bool) -> None:
        from ..reporting.browser import INSTALL_HINT, ChromiumError, HeadlessChromium, find_chromium

        self._errors = (ChromiumError, OSError)
        self.browser: Any = None
        self.jobs: dict[str, Any] = {}
        if not enabled:
            return
        if find_chromium() is None:
            log.info("no PDF copies of the reports: Chromium is not installed (%s)", INSTALL_HINT)
            return
        try:
            self.browser = stack.enter_context(HeadlessChromium(timeout=120.0))
        except self._errors as exc:
            log.warning("no PDF copies of the reports: Chromium did not start (%s)", exc)

    @property
    def prints_pdfs(self) -> bool:
        """Whether PDFs are being printed (the browser started and has not failed)."""
        return self.browser is not None

    def open_tabs(self, count: int) -> None:
        """Open a tab for each report to come while the notebooks run (see ``open_tabs``)."""
        if self.browser is not None:
            try:
                self.browser.open_tabs(count)
            except self._errors as exc:
                self._give_up(exc)

    def submit(self, programme: str, staging: Path) -> None:
        """Start printing ``<staging>/<programme>.html`` (once per programme)."""
        if self.browser is None or programme in self.jobs:
            return
        html, pdf = staging / f"{programme}.html", staging / f"{programme}.pdf"
        try:
            self.jobs[programme] = self.browser.submit_pdf(html, pdf)
        except self._errors as exc:
            self._give_up(exc)

    def pump(self) -> None:
        """Move the prints on (never blocks)."""
        if self.browser is not None and self.jobs:
            try:
                self.browser.pump()
            except self._errors as exc:
                self._give_up(exc)

    def busy(self) -> bool:
        """Whether any PDF is being printed."""
        return self.browser is not None and any(not job.done for job in self.jobs.values())

    def ready(self, programme: str) -> bool:
        """Whether the programme's PDF has finished (or will not be printed)."""
        job = self.jobs.get(programme)
        return self.browser is None or job is None or job.done

    def finish(self, programme: str, staging: Path) -> None:
        """Make sure the programme's PDF is written (or given up on) before publishing."""
        self.submit(programme, staging)
        job = self.jobs.pop(programme, None)
        if self.browser is None or job is None:
            return
        try:
            self.browser.wait(job)
        except self._errors as exc:
            log.warning("no PDF of %s: %s", programme, exc)

    def close_soon(self) -> None:
        """Let the browser shut down (the run's exit waits for it)."""
        if self.browser is not None:
            self.browser.close_soon()
            self.browser = None

    def _give_up(self, exc: BaseException) -> None:
        log.warning("no PDF copies of the reports: Chromium stopped (%s)", exc)
        self.browser = None
        self.jobs.clear()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _publish(staging: Path, destination: Path) -> None:
    """Swap a complete staging folder into place, keeping the old one until it succeeds."""
    # Staging folders are private while being written; published reports get the
    # permissions any other file the user writes would have.
    mask = _umask()
    staging.chmod(0o777 & ~mask)
    for path in staging.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)
    backup = destination.with_name(f".{destination.name}.previous")
    if backup.exists():
        shutil.rmtree(backup)
    if destination.exists():
        os.replace(destination, backup)
    try:
        os.replace(staging, destination)
    except BaseException:
        if backup.exists() and not destination.exists():
            os.replace(backup, destination)
        raise
    if backup.exists():
        shutil.rmtree(backup)


def _keep_failed(staging: Path, destination: Path, status: dict[str, Any]) -> Path | None:
    """Keep a failed run's executed notebook beside the last good report."""
    destination.mkdir(parents=True, exist_ok=True)
    failed_dir = destination / "failed-run"
    if failed_dir.exists():
        shutil.rmtree(failed_dir)
    notebook = staging / f"{status['programme']}.ipynb"
    kept = None
    if notebook.exists():
        failed_dir.mkdir()
        kept = failed_dir / notebook.name
        shutil.move(str(notebook), kept)
    shutil.rmtree(staging, ignore_errors=True)
    return kept


# ---------------------------------------------------------------------------- orchestration
class Progress:
    """Prints which programme is at which cell, without flooding a log file."""

    def __init__(self, programmes: Sequence[str], stream: Any = None, interval: float = 5.0):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = 0.5 if self.tty else interval
        self.state = {p: "starting" for p in programmes}
        self.cells = {p: _code_cell_count(p) for p in programmes}
        self.started = time.monotonic()
        self._last = 0.0
        self._last_line = ""

    def update(self, programme: str, cell_index: int, elapsed: float) -> None:
        """Record that ``programme`` reached cell ``cell_index``."""
        total = self.cells.get(programme) or "?"
        self.state[programme] = f"cell {min(cell_index + 1, total)}/{total} {elapsed:4.0f}s"
        self.show()

    def finish(self, programme: str, status: str, elapsed: float) -> None:
        """Record that ``programme`` ended with ``status``."""
        self.state[programme] = f"{status} in {elapsed:.1f}s"
        self.show(force=True)

    def show(self, force: bool = False) -> None:
        """Print the state line (at most every ``interval`` seconds unless forced)."""
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        line = " | ".join(f"{p}: {s}" for p, s in self.state.items())
        if line == self._last_line:
            return
        self._last, self._last_line = now, line
        elapsed = now - self.started
        if self.tty:
            self.stream.write(f"\r\033[K[{elapsed:5.1f}s] {line}")
            if force and all(not s.startswith(("cell", "starting")) for s in self.state.values()):
                self.stream.write("\n")
        else:
            self.stream.write(f"[{elapsed:5.1f}s] {line}\n")
        self.stream.flush()


def _code_cell_count(programme: str) -> int:
    try:
        content = json.loads(notebook_path(programme).read_text(encoding="utf-8"))
    except (OSError, ValueError, AnalysisError):
        return 0
    # Every cell passes through the executor; +1 for the parameters cell papermill injects.
    return len(content.get("cells", [])) + 1


def run_programmes(
    programmes: Sequence[str] | None = None,
    *,
    jobs: int | None = None,
    overrides: dict[str, Any] | None = None,
    config_path: str | Path | None = None,
    source: str | None = None,
    output_dir: str | Path | None = None,
    stream: Any = None,
    render: bool = True,
    pdf: bool = True,
    warm_kernels: bool = True,
    on_result: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run programme notebooks in parallel and publish their reports.

    Parameters
    ----------
    programmes : sequence of str, optional
        Slugs to run; all by default.
    jobs : int, optional
        Notebooks run at once (default: one per programme, at most the CPU count + 1).
    overrides : dict, optional
        Parameter overrides (``-p NAME=VALUE``), applied to every programme.
    config_path : path-like, optional
        A YAML config (only with a single programme); otherwise ``config/<slug>.yaml``.
    source : str, optional
        Data source for every programme (folder or SQLAlchemy URL).
    output_dir : path-like, optional
        Where reports go (default ``reports/``).
    stream : file-like, optional
        Where progress is written (default stderr).
    render : bool
        Build HTML/PDF reports and the index (False: executed notebook and findings only).
    pdf : bool
        Print each report to PDF (when Chromium is installed).
    warm_kernels : bool
        Fork each notebook's kernel from a process that has already imported
        what the notebooks import (:mod:`analysis.batch.kernels`); False starts every
        kernel from scratch. Ignored where ``os.fork`` is not available.
    on_result : callable, optional
        Called with each programme's :class:`RunResult` as it finishes.

    Returns
    -------
    list of RunResult
        One per programme, in the order given.

    Raises
    ------
    ConfigError
        Before anything runs, for an unknown programme or a bad parameter.
    """
    programmes = list(programmes or PROGRAMMES)
    unknown = [p for p in programmes if p not in PROGRAMMES]
    if unknown:
        raise ConfigError(f"unknown programme '{unknown[0]}'; choose from: {', '.join(PROGRAMMES)}")
    if config_path is not None and len(programmes) != 1:
        raise ConfigError(
            "--config applies to one programme: name it (e.g. run op_focus --config FILE)"
        )
    output = Path(output_dir) if output_dir is not None else REPORTS_DIR
    notebooks = {p: notebook_path(p) for p in programmes}  # a missing notebook stops here
    warm = warm_kernels and kernels.fork_available()
    jobs = max(1, min(jobs or len(programmes), len(programmes)))
    progress_view = Progress(programmes, stream)
    results: dict[str, RunResult] = {}

    with contextlib.ExitStack() as stack:
        # Started first: the host imports while the parameters are checked here.
        host = stack.enter_context(
            _BatchHost(
                kernels.notebook_imports(notebooks.values()) if warm else [],
                warm_up=warm and render,
            )
        )
        progress_view.show(force=True)  # "starting": the host is importing
        # Resolve and check every programme's parameters before running anything.
        resolved = {
            p: resolve_parameters(
                p, config=load_config(p, config_path), source=source, overrides=overrides
            )
            for p in programmes
        }
        commit = git_commit()
        started_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        output.mkdir(parents=True, exist_ok=True)
        stagings = {
            p: Path(tempfile.mkdtemp(prefix=f".staging-{p}-", dir=output)) for p in programmes
        }
        stack.callback(_remove_stagings, stagings.values())
        host.run(
            [
                _Task(
                    p,
                    str(notebooks[p]),
                    resolved[p],
                    str(stagings[p]),
                    commit,
                    started_at,
                    render,
                    warm,
                    kernels.KERNEL_THREADS,
                )
                for p in programmes
            ],
            jobs,
        )
        printer = _Printer(stack, enabled=render and pdf)
        # The browser has booted meanwhile: its tabs start now rather than when each report is due.
        printer.open_tabs(len(programmes))

        def handle(status: dict[str, Any]) -> None:
            programme = status["programme"]
            staging, destination = stagings[programme], output / programme
            result = RunResult(
                programme=programme,
                status=status["status"],
                elapsed=status["elapsed"],
                error=status.get("error", ""),
                detail=status.get("detail", ""),
                cell=status.get("cell"),
                parameters=resolved[programme],
            )
            if result.status == "ok":
                try:
                    printer.finish(programme, staging)
                    _write_status(staging, result)
                    _publish(staging, destination)
                    result.report = str(destination / f"{programme}.html")
                    result.notebook = str(destination / f"{programme}.ipynb")
                except Exception as exc:
                    log.debug("publishing %s failed", programme, exc_info=True)
                    result.status = "failed"
                    result.error = (
                        f"publishing the report: {type(exc).__name__}: {exc}".splitlines()[0]
                    )
            if result.status != "ok":
                kept = _keep_failed(staging, destination, status)
                result.notebook = str(kept) if kept else None
                _write_status(destination, result)
            progress_view.finish(programme, result.status, result.elapsed)
            results[programme] = result
            if on_result is not None:
                on_result(result)

        running = set(programmes)
        # Finished programmes whose PDF is still printing: published when it is done.
        printing: dict[str, dict[str, Any]] = {}
        forests: list[tuple[str, tuple[str, str]]] = []  # the scorecard's figure, drawn ahead
        while running or printing:
            # While PDFs print, look at the browser often: each print is a few exchanges.
            wait = 0.01 if printer.busy() else 0.05
            for kind, programme, *detail in host.messages(timeout=wait):
                if kind == "cell":
                    progress_view.update(programme, *detail)
                elif kind == "reader-html":
                    printer.submit(programme, stagings[programme])
                elif kind == "forest":
                    forests.append((detail[0], detail[1]))
                elif kind == "done" and programme in running:
                    running.discard(programme)
                    (status,) = detail
                    if status["status"] == "ok":
                        printer.submit(programme, stagings[programme])
                    printing[programme] = status
            if running and not host.alive():
                for programme in sorted(running):
                    printing[programme] = _lost(programme, host.exitcode)
                running.clear()
            printer.pump()
            for programme, status in list(printing.items()):
                if printer.ready(programme):
                    del printing[programme]
                    handle(status)

        # All published: the browser and the host wind down while the index is built.
        printer.close_soon()
        if render:
            from ..reporting import index

            # The host sends the scorecard's figure just before it ends.
            forests += [(key, figure) for kind, _, key, figure in host.rest() if kind == "forest"]
            index.build_index(output, forest=forests[-1] if forests else None)
    return [results[p] for p in programmes]


def _remove_stagings(folders: Iterable[Path]) -> None:
    """Remove what is left of the staging folders (published ones have moved away)."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _failed(programme: str, error: str) -> dict[str, Any]:
    """Status of a programme that ended without its worker's own report."""
    return {
        "programme": programme,
        "status": "failed",
        "error": error,
        "cell": None,
        "elapsed": 0.0,
    }


def _lost(programme: str, exitcode: int | None) -> dict[str, Any]:
    """Status of a programme whose worker process disappeared without reporting."""
    return _failed(
        programme,
        f"the batch process stopped unexpectedly (exit code {exitcode}) before this "
        "programme finished; run it again, with --debug to see why",
    )


class _BatchHost:
    """The process that runs the notebooks: started fresh, it imports once and forks workers.

    The host is a new Python process (``spawn``), so nothing of the caller's
    state leaks into the kernels: not a JupyterLab session's options, not a test
    runner's warning filters. It imports what the notebooks import, compiles the
    report templates and takes the data a child of it loaded meanwhile
    (:mod:`analysis.batch.prefetch`), then forks one worker per programme (at most ``jobs`` at a
    time), and each worker forks its notebook's kernel (:mod:`analysis.batch.kernels`).
    Progress, "reader HTML ready", each programme's result and, last, the
    scorecard's figure come back through one queue; the caller prints PDFs and
    publishes reports.
    """

    def __init__(self, preload: Sequence[str], *, warm_up: bool) -> None:
        context = mp.get_context("spawn")
        self._queue: Any = context.Queue()
        self._tasks, sender = context.Pipe(duplex=False)
        self._sender = sender
        self._process = context.Process(
            target=_host_main,
            args=(
                list(preload),
                warm_up,
                self._tasks,
                self._queue,
                logging.getLogger().getEffectiveLevel(),
            ),
            name="analysis-batch",
        )

    def __enter__(self) -> _BatchHost:
        self._process.start()
        return self

    def run(self, tasks: Sequence[_Task], jobs: int) -> None:
        """Hand the host its work (it has been importing meanwhile)."""
        self._sender.send((list(tasks), jobs))

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self._process.join(timeout=10)  # it is only flushing its last message
        if self._process.is_alive():
            # Interrupted, or stopped by a bad parameter: stopping the host ends its
            # workers, whose kernels follow.
            self._process.terminate()
        self._process.join(timeout=30)
        self._sender.close()
        self._queue.close()

    @property
    def exitcode(self) -> int | None:
        """The host's exit code once it has ended."""
        return self._process.exitcode

    def alive(self) -> bool:
        """Whether the host is still running (a last look at the queue is due if not)."""
        return self._process.is_alive() or not self._queue.empty()

    def rest(self, timeout: float = 30.0) -> list[tuple[Any, ...]]:
        """Every message still to come, once the host has ended (waiting at most ``timeout``)."""
        out: list[tuple[Any, ...]] = []
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            out += self.messages(timeout=0.05)
        return out

    def messages(self, timeout: float) -> list[tuple[Any, ...]]:
        """Messages waiting now, after waiting at most ``timeout`` seconds for the first."""
        out = []
        try:
            out.append(self._queue.get(timeout=timeout))
            while True:
                out.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return out


def _host_main(
    preload: list[str],
    warm_up: bool,
    work: Any,
    messages: Any,
    log_level: int = logging.WARNING,
) -> None:
    """Body of the batch host (see :class:`_BatchHost`)."""
    import signal

    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    # Stopped by the caller: leave through the pool's context manager, which ends the workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    # Ctrl-C is the caller's to handle (it stops the host, as above); the host and its
    # workers, which inherit this, would only print tracebacks. Kernels restore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Importing creates objects by the hundred thousand and almost no garbage: the
    # cyclic collector, which would walk them all again and again, waits (a sixth of
    # the import time). What the imports made is then frozen before the workers fork,
    # so no collection in a kernel walks it or copies its memory pages.
    gc.disable()
    received = None
    loading_ahead = None
    try:
        if preload:
            # The data layer first: a child forked now loads the notebooks' data on the
            # spare core while this process imports the rest (analysis.batch.prefetch).
            from . import prefetch

            if work.poll(TASKS_WAIT_SECONDS):
                try:
                    received = work.recv()
                except (EOFError, OSError):  # the caller stopped before handing over any work
                    return
                loading_ahead = prefetch.start(
                    [
                        (task.programme, REGISTRY[task.programme].load_arguments(task.parameters))
                        for task in received[0]
                        if task.programme in REGISTRY
                    ]
                )
            seconds = kernels.preload(preload)
            log.debug("preloaded the notebooks' imports in %.1fs", seconds)
        for name in WORKER_MODULES:
            importlib.import_module(name)
        if warm_up:
            from ..reporting.report import warm_up as compile_templates

            log.debug("compiled the report templates in %.1fs", compile_templates())
        try:
            tasks, jobs = received or work.recv()
        except (EOFError, OSError):  # the caller stopped before handing over any work
            return
    finally:
        if loading_ahead is not None:
            log.debug("data loaded ahead: %s", ", ".join(prefetch.collect(loading_ahead)) or "none")

    tasks = _with_a_kernel(tasks)

    gc.freeze()
    gc.enable()

    finished_ok: set[str] = set()

    def done(status: dict[str, Any]) -> None:
        if status["status"] == "ok":
            finished_ok.add(status["programme"])
        messages.put(("done", status["programme"], status))

    # One task per worker: each forks its kernel from a single-threaded process. Workers
    # are forked from this host where that is safe (they then share its imports).
    context = mp.get_context("fork" if kernels.fork_available() else "spawn")
    with context.Pool(
        processes=jobs,
        maxtasksperchild=1,
        initializer=_set_progress_queue,
        initargs=(messages,),
    ) as pool:
        for task in tasks:
            pool.apply_async(
                _worker,
                (task,),
                callback=done,
                error_callback=lambda exc, task=task: done(
                    _failed(task.programme, f"{type(exc).__name__}: {exc}".splitlines()[0])
                ),
            )
        pool.close()
        pool.join()
    if tasks and tasks[0].render:
        _draw_forest_ahead(tasks, finished_ok, messages)
    messages.close()
    messages.join_thread()


def _with_a_kernel(tasks: Sequence[_Task]) -> list[_Task]:
    """The tasks, told to run this Python when the notebooks' kernel is not registered.

    Papermill finds a notebook's kernel by its name, which ``make setup``
    registers; a project set up otherwise (``pip install -e .``) runs its
    notebooks with the batch's own interpreter instead, and says so once.
    """
    if not tasks or kernels.kernel_registered(KERNEL_NAME):
        return list(tasks)
    log.warning(
        "the notebooks' kernel '%s' is not registered with Jupyter (make setup registers "
        "it): running them with this Python, %s",
        KERNEL_NAME,
        sys.executable,
    )
    return [replace(task, this_python=True) for task in tasks]


def _draw_forest_ahead(tasks: Sequence[_Task], finished_ok: set[str], messages: Any) -> None:
    """Draw the scorecard's figure in the host, and send it to the caller for its index.

    The host has matplotlib imported already, where the caller would spend
    half a second of CPU importing it while the last PDFs print. Reports that
    the caller has not yet published are read from their staging folders; a
    figure whose rows turn out different from the index's is simply drawn
    again there (:func:`analysis.reporting.index.forest_figure`).
    """
    folders = {
        task.programme: task.staging
        for task in tasks
        if task.programme in finished_ok and Path(task.staging).is_dir()
    }
    try:
        from ..reporting.index import prepare_forest

        key, figure = prepare_forest(Path(tasks[0].staging).parent, folders)
    except Exception:  # a report published meanwhile, or a figure that failed: drawn later
        log.debug("drawing the scorecard's figure ahead failed", exc_info=True)
        return
    messages.put(("forest", "", key, figure))


def _write_status(folder: Path, result: RunResult) -> None:
    payload = asdict(result)
    payload["finished"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    from ..evidence.findings import write_json_atomic

    write_json_atomic(folder / "status.json", payload)


def exit_code(results: Sequence[RunResult]) -> int:
    """0 when all succeeded, 2 when any stopped on bad input, else 1 when any failed."""
    if any(r.status == "input error" for r in results):
        return 2
    if any(r.status != "ok" for r in results):
        return 1
    return 0


def summary_table(results: Sequence[RunResult], root: Path | None = None) -> str:
    """Plain-text table: programme, status, time, report (or the error)."""
    root = root or Path.cwd()

    def shown(path: str | None) -> str:
        if not path:
            return ""
        try:
            return str(Path(path).resolve().relative_to(root.resolve()))
        except ValueError:
            return path

    rows = [("programme", "status", "time", "report")]
    for r in results:
        where = shown(r.report) if r.status == "ok" else r.error
        rows.append((r.programme, r.status, f"{r.elapsed:.1f}s", where))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row[:3])) + "  " + row[3]
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 6)
    for r in results:
        if r.status != "ok" and r.notebook:
            lines.append(
                f"{r.programme}: executed notebook kept for inspection at {shown(r.notebook)}"
            )
    return "\n".join(lines)
