"""Design-stage power: the headline-only fast path against a plain loop over the notebook's calls.

``python -m analysis power <programme> --headline-only`` draws synthetic extracts and runs
only the headline's estimator on each, in a process per core
(:mod:`analysis.programmes.power`). What an analyst would otherwise write is a plain loop
over the notebook's own calls: ``load`` the synthetic extract, ``evaluate`` it and
``build_findings``, one replication after another. The loop is timed over a few
replications and scaled to the fast path's count (its cost per replication does not change
with the count); the fast path is timed whole, at 50, 200 and 500 replications (growth).
Both draw the same seeds, and the fast path's estimate for a seed equals the loop's
headline to 1e-12 (``tests/programmes/test_power.py``); the rows show the fast path's
power and median MDE.
"""

from __future__ import annotations

import statistics
from typing import Any

from analysis.programmes.power import FAST_PATHS

#: Replications of the fast path at each measured size.
REPLICATIONS = (50, 200, 500)
#: Replications of the plain loop actually timed (then scaled).
LOOP_REPLICATIONS = 4


def prepare(case: str, size: int) -> dict[str, Any]:
    """The programme and the number of replications (nothing is drawn before the clock)."""
    return {"programme": case.split(":", 1)[1], "replications": size}


def warm(case: str) -> None:
    """Import the toolkit and the programme's parts (outside the timed region)."""
    import importlib

    slug = case.split(":", 1)[1]
    importlib.import_module("analysis.programmes.power")
    importlib.import_module(f"analysis.synthetic.{slug}")
    importlib.import_module(f"analysis.programmes.{slug}.evaluation")
    importlib.import_module(f"analysis.programmes.{slug}.findings")
    if slug in FAST_PATHS:
        importlib.import_module(f"analysis.programmes.{slug}.headline")


def _fast(p: dict) -> dict:
    from analysis.programmes.power import simulate_power

    table = simulate_power(p["programme"], replications=p["replications"], headline_only=True)
    row = table.iloc[0]
    return {"power": float(row["power"]), "mde_80": float(row["mde_80"])}


def _loop(p: dict) -> dict:
    from analysis.programmes.power import _one_run

    for seed in range(1, p["replications"] + 1):
        _one_run((p["programme"], seed, 1.0, "friendly"))
    return {}


CASES = {
    f"{kind}:{slug}": run for slug in FAST_PATHS for kind, run in (("fast", _fast), ("loop", _loop))
}


def summarise(case: str, result: dict) -> dict:
    """What the case returned (the fast path's power and MDE)."""
    return result


def run(quick: bool, repeat: int, log) -> list[dict]:
    """Rows: each programme's fast path at three sizes against the plain loop, scaled."""
    from . import _runs

    programmes = sorted(FAST_PATHS)[:1] if quick else sorted(FAST_PATHS)
    sizes = (4,) if quick else REPLICATIONS
    timed = 2 if quick else LOOP_REPLICATIONS
    out = []
    for slug in programmes:
        loop = [
            _runs.run_case(__name__, f"loop:{slug}", timed, summarise=False)
            for _ in range(1 if quick else max(1, repeat // 2))
        ]
        per_replication = statistics.median(r.seconds for r in loop) / timed
        log(f"  power {slug}: plain loop {per_replication:.2f}s a replication")
        for size in sizes:
            fast = _runs.run_case(__name__, f"fast:{slug}", size, summarise=True)
            log(f"  power {slug} --headline-only, {size} replications: {fast.seconds:.1f}s")
            reference = per_replication * size
            out.append(
                {
                    "group": "power",
                    "case": f"power {slug} --headline-only",
                    "reference": f"plain loop of load, evaluate, build_findings ({timed} timed, "
                    "scaled)",
                    "size": size,
                    "seconds": fast.seconds,
                    "reference_seconds": reference,
                    "speed_ratio": reference / fast.seconds,
                    "peak_mb": fast.peak_mb,
                    "reference_peak_mb": max(r.peak_mb for r in loop),
                    "abs_difference": (
                        f"power {fast.summary['power']:.2f}, MDE {fast.summary['mde_80']:.3g}"
                    ),
                }
            )
    return out
