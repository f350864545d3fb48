"""Loading a batch's data ahead of its notebooks.

The batch host (:mod:`analysis.batch.runner`) spends its first seconds importing
the toolkit, with a core to spare. Meanwhile a child forked from it makes the
:func:`~analysis.data.load` calls the notebooks will make (:func:`start`), as
each programme declares them (:meth:`analysis.programmes.Programme.load_arguments`).
The host takes what the child has finished when it is ready to run the
notebooks (:func:`collect`) and offers it to ``load`` through the data layer's
hook (:func:`analysis.data.dataset.set_preloaded`); every kernel it then forks
inherits both, and ``load`` returns a dataset loaded ahead (:func:`take`)
instead of reading the source again when the call is the same, on the same
files, under the same pseudonymisation key. Each is returned once: a second
call reads anew, so a notebook that changes its tables never sees its own
changes come back.

A load that failed or warned is not kept: the notebook makes it again, and
the error or warning appears in the notebook, where it belongs. Database
sources are never loaded ahead, as nothing would show that they changed
meanwhile. The datasets pass from the child to the host through a private
folder in memory (``/dev/shm`` where it exists and has room; else the system's
temporary folder), removed when collected; a dataset that would leave less
than :data:`SPACE_MARGIN` free there is left to the notebook.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import logging
import os
import pickle
import shutil
import signal
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.dataset import Dataset, LoadRequest, load, load_request, set_preloaded
from ..data.sources import FolderSource, Source
from ..data.store import generator_version
from ..paths import SYNTHETIC_DIR
from .kernels import fork_available, limit_threads

logger = logging.getLogger(__name__)

#: Niceness of the loading child: it uses a spare core and gives way to the host's imports.
NICENESS = 10

#: Where the child leaves the datasets: memory, where the system has a tmpfs for it.
SHARED_MEMORY = Path("/dev/shm")

#: Free space a dataset passed on must leave in its folder's file system, in bytes.
SPACE_MARGIN = 256 * 2**20

_SUFFIX = ".pickle"
_KEPT: dict[tuple, Any] = {}


def signature(request: LoadRequest) -> tuple | None:
    """What makes two ``load`` calls read the same data; None when that cannot be known.

    The programme, the arguments, the folder read and the size, modification
    time and inode of every file in it and its sub-folders, the synthetic generator's version and
    a keyed hash of a constant (so a different key never matches, and the key
    itself is not kept). Database sources, and queries, give None.

    Parameters
    ----------
    request : LoadRequest
        The call, from :func:`analysis.data.dataset.load_request`.

    Examples
    --------
    >>> a = signature(load_request("lsavi", "synthetic", seed=1))
    >>> a == signature(load_request("lsavi", "synthetic", seed=1))
    True
    >>> a == signature(load_request("lsavi", "synthetic", seed=2))
    False
    >>> signature(load_request("lsavi", "synthetic", queries={"premises": "SELECT 1"})) is None
    True
    """
    if request.queries is not None:
        return None
    source = Source.parse(request.source)
    if source.is_synthetic:
        folder = SYNTHETIC_DIR / request.programme
        version = generator_version(request.programme)
    elif isinstance(source, FolderSource) and source.path.is_dir():
        folder, version = source.path.resolve(), ""
    else:  # a database, a single file, or nothing there: read as usual
        return None
    check = hmac.new(request.key, b"analysis.batch.prefetch", hashlib.sha256).hexdigest()
    return (
        request.programme,
        str(source),
        str(folder),
        _file_states(folder),
        request.seed,
        float(request.scale),
        request.world,
        request.extract_date,
        version,
        check,
    )


def _file_states(folder: Path) -> tuple[tuple, ...]:
    """Path (relative), size, modification time and inode of every file under ``folder``.

    Sub-folders included: a table kept as a folder of parts (``crimes/part-0001.parquet``)
    changes when one of its parts does.
    """
    files: list[tuple] = []
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with contextlib.suppress(FileNotFoundError):
                stat = os.stat(path)
                files.append(
                    (os.path.relpath(path, folder), stat.st_size, stat.st_mtime_ns, stat.st_ino)
                )
    return tuple(sorted(files))


def take(request: LoadRequest) -> Dataset | None:
    """The dataset loaded ahead for this call, once; else None.

    The lookup :func:`keep` and :func:`collect` install in the data layer
    (:func:`analysis.data.dataset.set_preloaded`): with nothing kept, it costs
    ``load`` nothing.
    """
    if not _KEPT:
        return None
    return _KEPT.pop(signature(request), None)


def has_any() -> bool:
    """Whether any dataset loaded ahead is waiting (never, outside a batch kernel)."""
    return bool(_KEPT)


def keep(call: tuple, dataset: Dataset) -> None:
    """Keep a dataset for the next ``load`` call with this signature, and offer it to ``load``."""
    _KEPT[call] = dataset
    set_preloaded(take)


def forget() -> None:
    """Drop every dataset kept and stop offering them to ``load``."""
    _KEPT.clear()
    set_preloaded(None)


@dataclass
class Prefetch:
    """A loading child started by :func:`start`."""

    pid: int
    folder: Path


def start(calls: Sequence[tuple[str, Mapping[str, Any]]]) -> Prefetch | None:
    """Fork a child that loads each ``(programme, load keyword arguments)`` in turn.

    Call it from a single-threaded process that has imported
    :mod:`analysis.data`. Returns None where processes cannot be forked.
    """
    if not calls or not fork_available():
        return None
    roomy = SHARED_MEMORY.is_dir() and os.access(SHARED_MEMORY, os.W_OK)
    roomy = roomy and _room_for(SHARED_MEMORY, SPACE_MARGIN)
    folder = Path(
        tempfile.mkdtemp(prefix="analysis-prefetch-", dir=SHARED_MEMORY if roomy else None)
    )
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            _load_all(calls, folder)
            code = 0
        finally:
            os._exit(code)  # never return into the host's code
    return Prefetch(pid, folder)


def collect(prefetch: Prefetch | None) -> list[str]:
    """Stop the child, keep what it finished, remove its folder; the programmes kept.

    What is kept is offered to ``load`` in this process and in every process
    forked from it afterwards (:func:`keep`).
    """
    if prefetch is None:
        return []
    with contextlib.suppress(ProcessLookupError):
        os.kill(prefetch.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(prefetch.pid, 0)
    kept = []
    try:
        for path in sorted(prefetch.folder.glob(f"*{_SUFFIX}")):
            # Written by this process's own child into a private (0700) folder.
            with path.open("rb") as file:
                call, dataset = pickle.load(file)
            keep(call, dataset)
            kept.append(dataset.programme)
    except Exception:  # the notebooks load it themselves
        logger.debug("could not take the data loaded ahead", exc_info=True)
    finally:
        shutil.rmtree(prefetch.folder, ignore_errors=True)
    return kept


def _load_all(calls: Sequence[tuple[str, Mapping[str, Any]]], folder: Path) -> None:
    """Body of the loading child."""
    os.nice(NICENESS)
    gc.freeze()  # the host's imports: never garbage, never walked
    gc.enable()  # the host waits to collect until it has imported; loading makes garbage
    limit_threads(1)  # native pools were started before the fork; a kernel uses one thread
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    for index, (programme, arguments) in enumerate(calls):
        try:
            with _anything_said() as said:
                call = signature(load_request(programme, **arguments))
                dataset = load(programme, **arguments) if call is not None else None
        except Exception:  # the notebook meets the error itself, in context
            continue
        if dataset is None or said:
            continue
        data = pickle.dumps((call, dataset), protocol=pickle.HIGHEST_PROTOCOL)
        if not _room_for(folder, len(data)):  # never crowd a small /dev/shm (Chromium uses it)
            continue
        partial = folder / f"{index}.partial"
        partial.write_bytes(data)
        partial.rename(folder / f"{index}{_SUFFIX}")


def _room_for(folder: Path, size: int) -> bool:
    """Whether ``size`` bytes fit in ``folder``'s file system with :data:`SPACE_MARGIN` to spare."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize - size >= SPACE_MARGIN


@contextlib.contextmanager
def _anything_said() -> Iterator[list[Any]]:
    """Record every warning and every log message of WARNING or above said inside."""
    said: list[Any] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record)

    recorder = Recorder(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(recorder)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
        said.extend(caught)
    finally:
        root.removeHandler(recorder)
