"""Interleaved, repeated runs of benchmark cases, each in a fresh process, checked after the clock.

The machine these run on is shared, so one timing says little: each case runs ``repeat``
times, the cases of one comparison interleaved (ours, then each reference, then ours
again, ...), and each repetition gives its own ratio; medians of the times and of the
ratios are reported with every run listed. As in :mod:`._measure`, imports and data
preparation happen before the clock starts and peak memory is the process's own; unlike
it, a case's result is summarised *after* the clock stops (``mod.summarise``), so that an
agreement check (a checksum of a whole panel, say) costs nothing in the timing.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass

_CODE = """
import json, resource, sys, time, importlib
mod = importlib.import_module({module!r})
prepared = mod.prepare({case!r}, {size})
getattr(mod, 'warm', lambda case: None)({case!r})
start = time.perf_counter()
result = mod.CASES[{case!r}](prepared)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
summary = mod.summarise({case!r}, result) if {summarise!r} else {{}}
print('RESULT' + json.dumps({{'seconds': seconds, 'peak_mb': peak, 'summary': summary}}))
"""


@dataclass
class Run:
    """One timed run of one case."""

    case: str
    seconds: float
    peak_mb: float
    summary: dict


def run_case(module: str, case: str, size: int, *, summarise: bool, timeout: float = 3600) -> Run:
    """Run ``module.CASES[case]`` on ``module.prepare(case, size)`` in a fresh interpreter."""
    code = _CODE.format(module=module, case=case, size=size, summarise=summarise)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
    )
    lines = [ln for ln in proc.stdout.splitlines() if "RESULT{" in ln]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{module}:{case}({size}) failed:\n{proc.stderr[-3000:]}")
    payload = json.loads(lines[-1][lines[-1].index("RESULT{") + len("RESULT") :])
    return Run(case, payload["seconds"], payload["peak_mb"], payload["summary"])


def compare(
    module: str, ours: str, references: list[str], size: int, repeat: int, log=None
) -> dict[str, list[Run]]:
    """Every case ``repeat`` times, interleaved; the first run of each is summarised."""
    runs: dict[str, list[Run]] = {case: [] for case in [ours, *references]}
    for repetition in range(repeat):
        for case in runs:
            run = run_case(module, case, size, summarise=repetition == 0)
            runs[case].append(run)
            if log is not None:
                log(
                    f"  {case} at {size:,} (run {repetition + 1}): {run.seconds:.2f}s, "
                    f"{run.peak_mb:.0f} MB"
                )
    return runs


def rows(group: str, runs: dict[str, list[Run]], ours: str, size: int, agree) -> list[dict]:
    """Table rows: ours against each reference, medians and per-run ratios.

    ``agree(ours_summary, reference_summary)`` says how the results compare (text).
    """
    mine = runs[ours]
    out = []
    for reference, theirs in runs.items():
        if reference == ours:
            continue
        ratios = [t.seconds / m.seconds for m, t in zip(mine, theirs, strict=True)]
        out.append(
            {
                "group": group,
                "case": ours,
                "reference": reference,
                "size": size,
                "seconds": statistics.median(r.seconds for r in mine),
                "reference_seconds": statistics.median(r.seconds for r in theirs),
                "speed_ratio": statistics.median(ratios),
                "peak_mb": max(r.peak_mb for r in mine),
                "reference_peak_mb": max(r.peak_mb for r in theirs),
                "abs_difference": agree(mine[0].summary, theirs[0].summary),
                "runs": " ".join(
                    f"{m.seconds:.1f}/{t.seconds:.1f}" for m, t in zip(mine, theirs, strict=True)
                ),
            }
        )
    return out
