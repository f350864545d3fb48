"""``make bench``: measure the toolkit against the tools an analyst would otherwise use.

Writes ``benchmarks/results/benchmarks.csv`` and ``benchmarks/results/benchmarks.md``
(the table the README quotes). ``--quick`` runs every case at a tiny size: a smoke
run of this code, not a measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
from pathlib import Path

import pandas as pd

from . import batch, estimators
from ._measure import measure

RESULTS = Path(__file__).resolve().parent / "results"


def run_estimators(quick: bool) -> list[dict]:
    rows = []
    for ours, reference, sizes in estimators.PAIRS:
        for size in sizes[:1] if quick else sizes:
            size = min(size, 2_000) if quick else size
            a = measure("benchmarks.estimators", ours, size)
            b = measure("benchmarks.estimators", reference, size)
            agreement = ""
            for key in ("coef", "effect"):
                if key in a.extra and key in b.extra:
                    agreement = f"{abs(a.extra[key] - b.extra[key]):.1e}"
            rows.append(
                {
                    "group": "estimators",
                    "case": ours,
                    "reference": reference,
                    "size": size,
                    "seconds": a.seconds,
                    "reference_seconds": b.seconds,
                    "speed_ratio": b.seconds / a.seconds if a.seconds else float("nan"),
                    "peak_mb": a.peak_mb,
                    "reference_peak_mb": b.peak_mb,
                    "abs_difference": agreement,
                }
            )
            print(
                f"  {ours} vs {reference} at {size:,}: {a.seconds:.3f}s vs {b.seconds:.3f}s",
                file=sys.stderr,
            )
    return rows


def run_synthetic(quick: bool) -> list[dict]:
    rows = []
    for programme in ("op_focus", "perpetrator_programmes", "lsavi"):
        for scale in (1,) if quick else (1, 50):
            m = measure("benchmarks.synthetic", programme, scale)
            rows.append(
                {
                    "group": "synthetic",
                    "case": programme,
                    "reference": "",
                    "size": scale,
                    "seconds": m.seconds,
                    "peak_mb": m.peak_mb,
                    "rows": m.extra.get("rows"),
                }
            )
            print(f"  synthetic {programme} scale {scale}: {m.seconds:.2f}s", file=sys.stderr)
    return rows


def run_batch() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        ours = batch.time_batch(Path(tmp) / "batch")
        html_only = batch.time_batch(Path(tmp) / "batch-no-pdf", pdf=False)
        baseline = batch.time_nbconvert(Path(tmp) / "nbconvert")
    floor = batch.time_floor()
    print(
        f"  batch {ours:.1f}s (no PDF {html_only:.1f}s), nbconvert {baseline:.1f}s, "
        f"floor {floor:.1f}s",
        file=sys.stderr,
    )
    return [
        {
            "group": "batch",
            "case": "python -m analysis run --no-pdf",
            "reference": "nbconvert --execute",
            "seconds": html_only,
            "reference_seconds": baseline,
            "speed_ratio": baseline / html_only,
        },
        {
            "group": "batch",
            "case": "python -m analysis run",
            "reference": "nbconvert --execute",
            "seconds": ours,
            "reference_seconds": baseline,
            "speed_ratio": baseline / ours,
        },
        {
            "group": "batch",
            "case": "python -m analysis run",
            "reference": "floor (no notebooks)",
            "seconds": ours,
            "reference_seconds": floor,
            "speed_ratio": floor / ours,
        },
    ]


def markdown_table(table: pd.DataFrame) -> str:
    """Render a DataFrame as a GitHub markdown table (3 significant figures)."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else f"{value:.3g}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--only", choices=("batch", "estimators", "synthetic"), action="append")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    groups = args.only or (
        ["estimators", "synthetic"] if args.quick else ["batch", "estimators", "synthetic"]
    )
    rows: list[dict] = []
    if "batch" in groups:
        rows += run_batch()
    if "estimators" in groups:
        rows += run_estimators(args.quick)
    if "synthetic" in groups:
        rows += run_synthetic(args.quick)
    table = pd.DataFrame(rows)
    args.output.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output / "benchmarks.csv", index=False)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"Measured {stamp} on {platform.machine()}, Python {platform.python_version()}, "
        f"{'quick smoke run' if args.quick else 'full run'}. speed_ratio = reference "
        "seconds / ours (above 1: ours faster).\n\n"
    )
    (args.output / "benchmarks.md").write_text(header + markdown_table(table) + "\n")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
