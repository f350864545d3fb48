"""Warm kernels: forked from a preloaded process, indistinguishable from fresh ones."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import time

import nbformat
import pytest

import analysis.batch.runner
import analysis.config
from analysis.batch import kernels
from analysis.batch.runner import KERNEL_NAME, run_programmes

pytestmark = pytest.mark.skipif(not kernels.fork_available(), reason="needs os.fork")

#: A notebook that prints what a kernel decides from its surroundings: everything a
#: forked kernel could inherit from the runner instead of working out for itself.
PROBE_CELLS = [
    "import logging, os, sys, warnings\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
    "import pandas as pd\nfrom analysis import plots",
    "print(matplotlib.get_backend())",
    "print(pd.get_option('display.max_columns'), pd.get_option('display.width'))",
    "pd.DataFrame({f'column_{i}': range(3) for i in range(25)})",
    "logging.getLogger('analysis.probe').warning('a warning reaches the notebook')",
    "print(os.getcwd() == str(PROJ_ROOT))",
    "print(__name__, os.path.basename(sys.argv[0]))",
    "warnings.warn('shown once', UserWarning)",
    "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([0, 1], [1, 0])",
]

SAVE = """\
from analysis import Estimate
from analysis.evidence import Finding, save_findings
est = Estimate(effect=1.0, ci_low=0.0, ci_high=2.0, p_value=0.5, n=10, scale="difference",
               method="probe", estimand="probe")
save_findings(findings_path, programme="probe", findings=[Finding("Q?", est, "descriptive")],
              inputs={}, synthetic=True)
"""


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    """The probe notebook's outputs, run by the batch runner with fresh and with warm kernels.

    The test process is deliberately unlike a fresh interpreter (logging set up,
    pandas options changed, pytest's warning capture): none of it may reach a kernel.
    """
    import pandas as pd

    folder = tmp_path_factory.mktemp("probe")
    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('findings_path: str = ""  # set by the runner')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_code_cell("from analysis.paths import PROJ_ROOT"),
        parameters,
        *(nbformat.v4.new_code_cell(source) for source in PROBE_CELLS),
        nbformat.v4.new_code_cell(SAVE),
    ]
    nb.metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": KERNEL_NAME,
        "language": "python",
    }
    (folder / "notebooks").mkdir()
    nbformat.write(nb, folder / "notebooks" / "probe.ipynb")
    patches = pytest.MonkeyPatch()
    patches.setattr(analysis.config, "NOTEBOOKS_DIR", folder / "notebooks")
    patches.setattr(analysis.config, "CONFIG_DIR", folder / "config")
    patches.setattr(analysis.batch.runner, "PROGRAMMES", ("probe",))
    logging.basicConfig(level=logging.INFO, force=True)
    try:
        with pd.option_context("display.max_columns", 3):
            outputs = []
            for warm in (False, True):
                out = folder / ("warm" if warm else "fresh")
                (result,) = run_programmes(
                    ["probe"], output_dir=out, render=False, warm_kernels=warm
                )
                assert result.status == "ok", result.error + result.detail
                # Cells are compiled to files named after the kernel's process id, and
                # object reprs carry memory addresses: neither says anything about the kernel.
                text = (out / "probe" / "probe.ipynb").read_text()
                text = re.sub(r"0x[0-9a-f]+", "0xADDRESS", text)
                text = re.sub(r"ipykernel_\d+", "ipykernel_PID", text)
                cells = json.loads(text)["cells"]
                outputs.append(
                    [
                        [
                            {k: v for k, v in o.items() if k != "execution_count"}
                            for o in cell["outputs"]
                        ]
                        for cell in cells
                        if "".join(cell["source"]) in PROBE_CELLS
                    ]
                )
            return tuple(outputs)
    finally:
        logging.root.handlers.clear()
        patches.undo()


def test_a_warm_kernel_shows_exactly_what_a_fresh_kernel_shows(probes):
    fresh, warm = probes
    assert len(fresh) == len(warm) == len(PROBE_CELLS)
    for source, a, b in zip(PROBE_CELLS, fresh, warm, strict=True):
        assert a == b, f"cell {source!r} differs between a fresh and a warm kernel"


def test_the_probe_sees_a_kernel_not_the_process_that_started_the_run(probes):
    fresh, warm = probes
    text = ["".join("".join(o.get("text", "")) for o in cell) for cell in warm]
    assert "module://matplotlib_inline.backend_inline" in text[1]
    assert text[2].split()[0] == str(kernels.PANDAS_KERNEL_MAX_COLUMNS), "not the caller's 3"
    assert "a warning reaches the notebook" in text[4], "logging is the kernel's"
    assert text[5].strip() == "True", "the kernel runs in the project folder"
    assert "shown once" in text[7], "warnings are shown, not captured by the caller"
    assert any("image/png" in o.get("data", {}) for o in warm[8]), "open figures are displayed"


# ---------------------------------------------------------------------------- the pieces
def test_notebook_imports_lists_modules_and_possible_submodules(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np, json\nfrom analysis.programmes import lsavi"
        ),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport this_is_skipped"),
        nbformat.v4.new_code_cell("from __future__ import annotations\nfrom . import local"),
        nbformat.v4.new_code_cell("def f():\n    import inside_a_function"),
        nbformat.v4.new_markdown_cell("import not_code"),
    ]
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert kernels.notebook_imports([tmp_path / "n.ipynb"]) == [
        "analysis.programmes",
        "analysis.programmes.lsavi",
        "json",
        "numpy",
    ]


def test_preload_imports_modules_and_skips_names_that_are_not_modules(caplog):
    with caplog.at_level(logging.DEBUG, logger="analysis.batch.kernels"):
        seconds = kernels.preload(["json", "analysis.data.load", "no_such_module_anywhere"])
    assert seconds >= 0
    assert "json" in sys.modules and "ipykernel.kernelapp" in sys.modules
    assert "analysis.data.load" not in caplog.text, "a name in a module: skipped quietly"
    assert "could not preload no_such_module_anywhere" in caplog.text


def test_forked_process_reports_and_reaps_its_child():
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        time.sleep(30)
        os._exit(0)
    child = kernels.ForkedProcess(pid)
    assert child.poll() is None
    assert child.wait(timeout=0.05) is None, "still running: wait gives up at the timeout"
    child.terminate()
    assert child.wait(timeout=10) == -signal.SIGTERM
    child.kill()  # a no-op once it has ended
    assert child.poll() == -signal.SIGTERM


def test_a_stopped_warm_kernel_leaves_no_process_and_no_sockets(tmp_path):
    kernel = kernels.start_warm_kernel(KERNEL_NAME, cwd=tmp_path)
    assert kernel.folder.exists() and kernel.process.poll() is None
    kernel.stop()
    assert kernel.process.returncode is not None
    assert not kernel.folder.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(kernel.process.pid, 0)


def test_a_terminated_warm_kernel_exits_on_its_own_and_stop_then_cleans_up(tmp_path):
    kernel = kernels.start_warm_kernel(KERNEL_NAME, cwd=tmp_path)
    kernel.terminate()  # asks, without waiting
    kernel.terminate()  # a second request is harmless
    assert kernel.process.wait(timeout=kernels.STOP_GRACE_SECONDS) is not None, "it exited"
    assert kernel.folder.exists(), "the sockets stay until stop()"
    kernel.stop()
    assert not kernel.folder.exists()


def test_a_warm_kernels_client_is_ready_once_the_kernel_answers(tmp_path):
    """The client papermill makes waits for the kernel's answer, not for IOPub to fall silent."""
    import asyncio

    kernel = kernels.start_warm_kernel(KERNEL_NAME, cwd=tmp_path)

    async def round_trip() -> dict:
        client = kernel.manager.client()
        client.start_channels()
        assert client.wait_for_ready.func is kernels.wait_for_ready
        await client.wait_for_ready(timeout=30)
        request = client.execute("6 * 7")
        while True:
            reply = await client.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == request:
                return reply

    try:
        assert asyncio.run(round_trip())["content"]["status"] == "ok"
    finally:
        kernel.stop()


class _Channel:
    """A channel answering from a script (None: nothing came), recording the timeouts asked."""

    def __init__(self, script):
        self.script, self.timeouts = list(script), []

    async def get_msg(self, timeout=None):
        from queue import Empty

        self.timeouts.append(timeout)
        message = self.script.pop(0) if self.script else None
        if message is None:
            raise Empty
        return message


class _Client:
    def __init__(self, shell, iopub, alive=True):
        self.shell_channel, self.iopub_channel = _Channel(shell), _Channel(iopub)
        self.requests, self.reply, self.alive = 0, None, alive

    def kernel_info(self):
        self.requests += 1

    def _handle_kernel_info_reply(self, reply):
        self.reply = reply

    async def is_alive(self):
        return self.alive


def test_wait_for_ready_drops_what_iopub_said_without_waiting_for_silence():
    import asyncio

    reply = {"msg_type": "kernel_info_reply", "content": {}}
    status = {"msg_type": "status", "content": {"execution_state": "idle"}}
    # IOPub says nothing after the first answer (not connected yet), so it asks again.
    client = _Client(shell=[reply, reply], iopub=[None, status, status, status, None])
    asyncio.run(kernels.wait_for_ready(client, timeout=5))
    assert client.requests == 2 and client.reply is reply
    assert client.iopub_channel.timeouts == [0.2, 0.2, 0, 0, 0], "drained, never waited"


def test_wait_for_ready_gives_up_on_a_dead_kernel():
    import asyncio

    client = _Client(shell=[], iopub=[], alive=False)
    with pytest.raises(RuntimeError, match="Kernel died"):
        asyncio.run(kernels.wait_for_ready(client, timeout=5))
