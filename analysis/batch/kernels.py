"""Warm notebook kernels: forked from a process that has already imported the analysis stack.

A fresh Jupyter kernel spends about three seconds of CPU before a notebook's
first line of analysis runs: starting Python and IPython, then importing
pandas, SciPy, statsmodels, matplotlib, pandera and this package. The batch
runner (:mod:`analysis.batch.runner`) pays that once: its batch host imports
what the notebooks import (:func:`preload`), each worker forks from the host,
and each notebook's kernel is forked from its worker (:func:`start_warm_kernel`).
The notebook's own import cell then finds its modules already loaded.

The kernel is an ordinary IPython kernel (``ipykernel``), reached by papermill
through a normal kernel manager over private IPC sockets; only its start-up
differs. A forked kernel must look exactly as if the modules had been imported
inside it, so :func:`_as_if_imported_in_kernel` undoes the few things that
libraries decide at import time from their surroundings (the matplotlib
backend, pandas' column limit for a terminal) and the runner's own logging
set-up. Tests run a probe notebook and a programme both ways and require
identical outputs.

Forking needs a POSIX system; elsewhere, or with ``python -m analysis run
--fresh-kernels``, every kernel starts from scratch as JupyterLab starts one.

Papermill looks the notebooks' kernel up by its name (``make setup`` registers
it); where it is not registered, :func:`this_python_kernels` gives the kernel
manager a kernelspec of its own that runs this Python, fresh or warm.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Imported by every kernel, whatever the notebook imports.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    # Imported when the kernel starts (its debugger support): 0.3 s per kernel otherwise.
    "ipykernel.debugger",
    "IPython.display",
    # Imported as the kernel sets up its shell.
    "ipykernel.zmqshell",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "pdb",
)

#: Seconds a kernel has to exit after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 2.0

#: pandas' ``display.max_columns`` when it is imported inside a Jupyter kernel
#: (``pandas/core/config_init.py``: 20 in a kernel, 0 meaning "fit the terminal" outside one).
PANDAS_KERNEL_MAX_COLUMNS = 20


def fork_available() -> bool:
    """Whether kernels can be forked here: Linux and other POSIX systems, not macOS.

    macOS has ``os.fork``, but a process that has loaded its system frameworks
    (as matplotlib and the numerical libraries do) may crash when forked without
    exec; Python itself stopped forking there by default for that reason.

    Examples
    --------
    >>> fork_available() == (hasattr(os, "fork") and sys.platform != "darwin")
    True
    """
    return hasattr(os, "fork") and sys.platform != "darwin"


def kernel_registered(name: str) -> bool:
    """Whether Jupyter finds a kernel called ``name`` where papermill will look it up.

    Examples
    --------
    >>> kernel_registered("no-such-kernel-anywhere")
    False
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return False
    return True


def this_python_kernels(name: str, folder: str | os.PathLike[str]) -> Any:
    """A kernelspec manager that knows one kernel, ``name``, run by this Python.

    For a notebook whose kernel is not registered with Jupyter: the kernel
    keeps its name (and the executed notebook its metadata) and runs
    ``sys.executable``, the interpreter that runs the batch, with nothing
    installed anywhere. The kernelspec is written under ``folder``, a private
    temporary folder its caller removes.

    Parameters
    ----------
    name : str
        The kernel's name, as the notebooks' metadata give it.
    folder : path-like
        Where to write the kernelspec (``<folder>/kernels/<name>/kernel.json``).

    Returns
    -------
    jupyter_client.kernelspec.KernelSpecManager
        To pass as a kernel manager's ``kernel_spec_manager``.

    Examples
    --------
    >>> specs = this_python_kernels("dorset-eval", tempfile.mkdtemp())
    >>> specs.get_kernel_spec("dorset-eval").argv[0] == sys.executable
    True
    """
    from jupyter_client.kernelspec import KernelSpecManager

    kernels = Path(folder) / "kernels"
    (kernels / name).mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({name})",
        "language": "python",
        "metadata": {"debugger": True},
    }
    (kernels / name / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(kernels)])


def notebook_imports(notebooks: Iterable[str | os.PathLike[str]]) -> list[str]:
    r"""Modules the notebooks import at the top level of their code cells.

    ``from X import a`` lists both ``X`` and ``X.a``, since ``a`` may be a
    submodule (:func:`preload` skips names that turn out not to be modules).
    Cells that are not valid Python (IPython magics) are skipped; relative and
    ``__future__`` imports are ignored.

    Parameters
    ----------
    notebooks : iterable of path-like
        ``.ipynb`` files.

    Returns
    -------
    list of str
        Module names, sorted, without duplicates.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "n.ipynb"
    >>> cells = [{"cell_type": "code", "source": ["import pandas as pd\n",
    ...     "from analysis.evidence import vfm\n"], "metadata": {}}]
    >>> _ = path.write_text(json.dumps({"cells": cells}))
    >>> notebook_imports([path])
    ['analysis.evidence', 'analysis.evidence.vfm', 'pandas']
    """
    modules: set[str] = set()
    for notebook in notebooks:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    modules.update(alias.name for alias in node.names)
                elif (
                    isinstance(node, ast.ImportFrom)
                    and node.level == 0
                    and node.module not in (None, "__future__")
                ):
                    modules.add(node.module)
                    modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(modules)


def preload(modules: Sequence[str]) -> float:
    """Import ``modules`` (and what every kernel needs) into this process.

    A name that is not a module (``analysis.data.load``, from ``from
    analysis.data import load``) is looked up in its package, which imports
    it there if the package defers its imports. A module that fails to import is
    skipped with a debug note: the notebook will import it itself and report the
    error where it belongs.

    Parameters
    ----------
    modules : sequence of str
        Module names, e.g. from :func:`notebook_imports`.

    Returns
    -------
    float
        Seconds spent importing.
    """
    started = time.perf_counter()
    # As jupyter_client starts kernels: the debugger support imported with the kernel
    # would otherwise warn, on the runner's terminal, about Python's frozen modules.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for name in (*KERNEL_MODULES, *modules):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name and "." in name:
                # ``X.a`` from ``from X import a``, where ``a`` is a name in ``X``: looked up,
                # so that a package that imports its names on first use imports it now.
                package, attribute = name.rsplit(".", 1)
                try:
                    getattr(sys.modules.get(package), attribute, None)
                except Exception:  # the notebook will raise it in context
                    log.debug("could not preload %s", name, exc_info=True)
            else:
                log.debug("could not preload %s", name, exc_info=True)
        except Exception:  # the notebook will raise it in context
            log.debug("could not preload %s", name, exc_info=True)
    if "matplotlib" in sys.modules:
        # Every kernel sets its backend to the inline one, which matplotlib finds only by
        # reading every installed package's entry points (20 ms per kernel): done here once.
        from matplotlib.backends import backend_registry

        backend_registry.list_all()
    return time.perf_counter() - started


class ForkedProcess:
    """The :class:`subprocess.Popen` surface jupyter_client uses, for a forked child.

    Parameters
    ----------
    pid : int
        Process id of a child of this process.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """Exit code if the child has ended, else None (reaps it)."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 0
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the child to end (at most ``timeout`` seconds); its exit code."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the child if it is still running."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        """Ask the child to stop (SIGTERM)."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Stop the child at once (SIGKILL)."""
        self.send_signal(signal.SIGKILL)


class WarmKernel:
    """A kernel forked from this process, and the kernel manager papermill drives it with.

    Start one with :func:`start_warm_kernel`; pass :attr:`manager` to
    ``papermill.execute_notebook(..., km=kernel.manager)``; call :meth:`stop`
    (or use it as a context manager) when the notebook is done, or
    :meth:`terminate` first to let it exit while doing something else.
    """

    def __init__(self, process: ForkedProcess, manager: Any, folder: Path) -> None:
        self.process = process
        self.manager = manager
        self.folder = folder
        self._clients: list[Any] = []
        self._terminated = False
        make_client = manager.client

        def client(**kwargs: Any) -> Any:
            # Remember the clients papermill makes, to close their channels in stop().
            made = make_client(**kwargs)
            made.wait_for_ready = functools.partial(wait_for_ready, made)
            self._clients.append(made)
            return made

        manager.client = client

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def terminate(self) -> None:
        """Ask the kernel to exit (close the channels, SIGTERM) without waiting for it.

        The caller can go on with other work meanwhile; :meth:`stop` then
        finishes the job.
        """
        for client in self._clients:
            with contextlib.suppress(Exception):
                client.stop_channels()
        self._clients.clear()
        if not self._terminated:
            self._terminated = True
            self.process.terminate()

    def stop(self) -> None:
        """Stop the kernel (SIGTERM, then SIGKILL after a grace period) and remove its sockets."""
        import shutil

        self.terminate()
        if self.process.wait(STOP_GRACE_SECONDS) is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


async def wait_for_ready(client: Any, timeout: float | None = None) -> None:
    """Wait until a kernel answers on its shell and IOPub channels, as jupyter_client does.

    jupyter_client's own ``wait_for_ready`` then reads IOPub until it has been
    silent for 0.2 s, to drop the status messages of its ``kernel_info``
    requests; every kernel start waited out that silence. Here what has
    arrived is dropped without waiting for more. A late status message is
    harmless: notebook clients keep only messages answering their own requests.

    Parameters
    ----------
    client : jupyter_client.asynchronous.AsyncKernelClient
        A client whose channels are started.
    timeout : float, optional
        Seconds to wait for the kernel (default: no limit).

    Raises
    ------
    RuntimeError
        When the kernel dies or does not answer in time, as jupyter_client raises.
    """
    from queue import Empty

    deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
    while True:
        client.kernel_info()
        try:
            reply = await client.shell_channel.get_msg(timeout=1)
        except Empty:
            pass
        else:
            if reply["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected once it carries the kernel's status messages
                    await client.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    client._handle_kernel_info_reply(reply)
                    break
        if not await client.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
    while True:  # what IOPub has already said about those requests, without waiting for more
        try:
            await client.iopub_channel.get_msg(timeout=0)
        except Empty:
            break


#: Environment variables that cap the native thread pools of a freshly started process.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: Native (BLAS, OpenMP) threads a batch kernel uses. One, whatever the machine, for two
#: reasons. Reproducibility: a multi-threaded BLAS sums in an order that depends on the
#: thread count, so the same notebook gave estimates differing in the 15th digit when run
#: alone or beside others. Speed: kernels running side by side already fill the cores, and
#: OpenBLAS threads left to spin for a core made a 0.2 s placebo regression take 1.6 s.
KERNEL_THREADS = 1


def limit_threads(threads: int) -> None:
    """Cap this process's native thread pools (BLAS, OpenMP) at ``threads``."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)


def socket_folder() -> Path:
    """A new private (0700) folder for a kernel's IPC sockets; the caller removes it.

    IPC sockets rather than TCP ports: police data never crosses a network socket,
    and the kernel has no reason to warn about plain-text TCP. Short-named under
    the system temp dir: socket paths are limited to about 100 characters.
    """
    return Path(tempfile.mkdtemp(prefix="dke-"))


def start_warm_kernel(
    kernel_name: str,
    *,
    cwd: str | os.PathLike[str],
    extra_arguments: Sequence[str] = (),
    threads: int | None = None,
    this_python: bool = False,
) -> WarmKernel:
    """Fork an IPython kernel from this process and connect a kernel manager to it.

    Call it before any event loop or ZeroMQ context exists in this process (a
    fresh batch worker): the child inherits every imported module and nothing
    else it could trip over.

    Parameters
    ----------
    kernel_name : str
        Kernelspec name recorded in the executed notebook (the kernel itself
        is this Python, which is the kernelspec's Python in a set-up project).
    cwd : path-like
        The kernel's working directory.
    extra_arguments : sequence of str
        Extra ``IPKernelApp`` command-line options, as for a kernelspec.
    threads : int, optional
        Cap on the kernel's native thread pools (see :data:`KERNEL_THREADS`).
    this_python : bool
        The kernel ``kernel_name`` is not registered with Jupyter: the manager
        reads a kernelspec of this Python instead (:func:`this_python_kernels`).

    Returns
    -------
    WarmKernel
    """
    from jupyter_client.connect import write_connection_file
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    folder = socket_folder()
    connection_file, _ = write_connection_file(
        str(folder / "kernel.json"), transport="ipc", ip=str(folder / "k")
    )
    argv = [
        "-f",
        connection_file,
        f"--IPKernelApp.parent_handle={os.getpid()}",
        # As nbclient starts kernels: no shared history database to lock and write.
        "--HistoryManager.hist_file=:memory:",
        *extra_arguments,
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the kernel
        _run_kernel(argv, Path(cwd), threads)  # never returns
    process = ForkedProcess(pid)
    specs = {"kernel_spec_manager": this_python_kernels(kernel_name, folder)} if this_python else {}
    manager = AsyncKernelManager(kernel_name=kernel_name, connection_file=connection_file, **specs)
    manager.load_connection_file()
    provisioner = LocalProvisioner(
        kernel_id=f"warm-{pid}", kernel_spec=manager.kernel_spec, parent=manager
    )
    provisioner.process, provisioner.pid, provisioner.pgid = process, pid, pid
    manager.provisioner = provisioner
    return WarmKernel(process, manager, folder)


def _run_kernel(argv: list[str], cwd: Path, threads: int | None) -> None:
    """Body of the forked child: become an IPython kernel, then exit without cleanup."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client starts kernels
        os.chdir(cwd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        if threads is not None:
            # Native libraries were loaded before the fork: their environment
            # variables are read too early to help, so cap the pools directly.
            limit_threads(threads)
            os.environ.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
        import ipykernel_launcher
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [ipykernel_launcher.__file__, *argv]
        app = IPKernelApp.instance()
        app.initialize(argv)
        _as_if_imported_in_kernel()
        app.start()
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        # Never return into the parent's code (its atexit handlers, its pool).
        os._exit(code)


def _as_if_imported_in_kernel() -> None:
    """Undo what libraries decided at import time because they were not in a kernel.

    - matplotlib reads ``MPLBACKEND`` when imported; ipykernel sets it (to the
      inline backend) only when the kernel starts, after the parent imported it.
    - pandas limits printed columns to the terminal's width outside a kernel and
      to 20 inside one.
    - The batch runner's logging handlers belong to the runner: a fresh kernel
      has none, so warnings reach the notebook's output.
    """
    logging.root.handlers.clear()
    logging.root.setLevel(logging.WARNING)
    backend = os.environ.get("MPLBACKEND")
    if "matplotlib" in sys.modules and backend:
        import matplotlib

        # As ``import matplotlib`` would have read it. pyplot loads the backend at the
        # first figure, and the inline backend then hooks into the kernel, as in a fresh one.
        matplotlib.rcParams["backend"] = backend
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None and getattr(pyplot, "_backend_mod", None) is not None:
            pyplot.switch_backend(backend)  # a figure was already made before the fork
    if "pandas" in sys.modules:
        import pandas

        pandas.set_option("display.max_columns", PANDAS_KERNEL_MAX_COLUMNS)
