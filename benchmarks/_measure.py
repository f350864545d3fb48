"""Run one benchmark case in a fresh process and measure wall time and peak memory.

Each case runs in its own interpreter so that peak resident memory (``ru_maxrss``)
belongs to that case alone; imports are done before the clock starts, so the time
is the computation only. Memory includes the interpreter and imported libraries
(about 100-150 MB with pandas), which is what a user's process would hold too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass


@dataclass
class Measurement:
    """Seconds (best of ``repeat``) and peak resident memory of one case."""

    case: str
    seconds: float
    peak_mb: float
    extra: dict


def measure(
    module: str, case: str, size: int, repeat: int = 1, timeout: float = 1800
) -> Measurement:
    """Run ``module.CASES[case](size)`` in a subprocess ``repeat`` times; keep the best time."""
    code = (
        "import json, resource, sys, time, importlib\n"
        f"mod = importlib.import_module({module!r})\n"
        f"prepared = mod.prepare({case!r}, {size})\n"
        f"getattr(mod, 'warm', lambda case: None)({case!r})\n"
        "best, extra = float('inf'), {}\n"
        f"for _ in range({repeat}):\n"
        "    t = time.perf_counter()\n"
        f"    extra = mod.CASES[{case!r}](prepared) or {{}}\n"
        "    best = min(best, time.perf_counter() - t)\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print('RESULT' + json.dumps({'seconds': best, 'peak_mb': peak, 'extra': extra}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module}:{case}({size}) failed:\n{proc.stderr[-2000:]}")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    payload = json.loads(line[len("RESULT") :])
    return Measurement(case, payload["seconds"], payload["peak_mb"], payload["extra"])
