"""``make bench``: measure the toolkit against the tools an analyst would otherwise use.

Writes ``benchmarks/results/benchmarks.csv`` and ``benchmarks/results/benchmarks.md``
(the table the README quotes). ``--quick`` runs every case at a tiny size: a smoke
run of this code, not a measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
from pathlib import Path

import pandas as pd

from . import batch, estimators, police_archive, power, staggered, synthetic_control_speed
from . import synthetic as synthetic_cases
from . import synthetic_control as synthetic_control_cases
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


def run_synthetic_control(quick: bool) -> list[dict]:
    """``synthetic_control`` with every in-space placebo against pysyncon's PlaceboTest."""
    cases = synthetic_control_cases
    rows = []
    for ours, reference, sizes in cases.QUICK_PAIRS if quick else cases.PAIRS:
        for size in sizes:
            a = measure("benchmarks.synthetic_control", ours, size)
            b = measure("benchmarks.synthetic_control", reference, size)
            rows.append(
                {
                    "group": "synthetic_control",
                    "case": ours,
                    "reference": reference,
                    "size": size,
                    "seconds": a.seconds,
                    "reference_seconds": b.seconds,
                    "speed_ratio": b.seconds / a.seconds if a.seconds else float("nan"),
                    "peak_mb": a.peak_mb,
                    "reference_peak_mb": b.peak_mb,
                    "abs_difference": f"{abs(a.extra['effect'] - b.extra['effect']):.1e}",
                    "weights_max_difference": cases.weights_difference(
                        a.extra["weights"], b.extra["weights"]
                    ),
                    "p_value": a.extra["p_value"],
                    "reference_p_value": b.extra["p_value"],
                }
            )
            print(
                f"  {ours} vs {reference} at {size} units: {a.seconds:.2f}s vs {b.seconds:.2f}s",
                file=sys.stderr,
            )
    return rows


def run_synthetic(quick: bool) -> list[dict]:
    rows = []
    programmes = list(synthetic_cases.CASES)
    for programme in programmes[:2] if quick else programmes:
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


def run_batch(repeat: int) -> list[dict]:
    times = batch.run_cases(repeat)
    medians = {label: batch.median(values) for label, values in times.items()}
    baseline = medians["nbconvert --execute, one by one"]
    floor = medians["floor (no notebooks)"]
    rows = []
    for label, seconds in medians.items():
        if label.startswith("python -m analysis run"):
            rows.append(
                {
                    "group": "batch",
                    "case": label,
                    "reference": "nbconvert --execute, one by one",
                    "seconds": seconds,
                    "reference_seconds": baseline,
                    "speed_ratio": baseline / seconds,
                    "times_floor": seconds / floor,
                    "runs": " ".join(f"{t:.1f}" for t in times[label]),
                }
            )
    for label in ("nbconvert --execute, one by one", "floor (no notebooks)"):
        rows.append(
            {
                "group": "batch",
                "case": label,
                "seconds": medians[label],
                "runs": " ".join(f"{t:.1f}" for t in times[label]),
            }
        )
    return rows


def _log(line: str) -> None:
    print(line, file=sys.stderr)


def _load_note(before: float, after: float) -> str:
    """How busy the machine was: timings on a shared machine are comparable only as ratios."""
    cores = os.cpu_count() or 1
    busy = max(before, after) > 0.75 * cores
    return f"Load average {before:.1f} at the start and {after:.1f} at the end on {cores} cores" + (
        ": timings taken under load (other work shared the cores), so read the ratios, "
        "each measured in the same run with the cases interleaved, rather than the seconds."
        if busy
        else "."
    )


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
    parser.add_argument(
        "--only",
        choices=(
            "batch",
            "estimators",
            "synthetic_control",
            "synthetic",
            "archive",
            "synthetic_control_speed",
            "staggered",
            "power",
        ),
        action="append",
        help=(
            "run one group (repeatable): synthetic_control is the outcome-only fit with every "
            "placebo checked against pysyncon; synthetic_control_speed times the fit with "
            "predictors and the search over their weights; archive counts a generated "
            "police.uk archive of up to 30 million rows; staggered times staggered_did "
            "against csdid at 100,000, 1M and 5M unit-periods, with and without the "
            "bootstrap; power times each programme's headline-only power simulation "
            "against a plain loop over the notebook's calls"
        ),
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each batch case (median reported)"
    )
    args = parser.parse_args(argv)
    groups = args.only or (
        ["estimators", "synthetic_control", "synthetic"]
        if args.quick
        else [
            "batch",
            "estimators",
            "synthetic_control",
            "synthetic",
            "archive",
            "synthetic_control_speed",
            "staggered",
            "power",
        ]
    )
    load_before = os.getloadavg()[0]
    rows: list[dict] = []
    if "batch" in groups:
        rows += run_batch(args.repeat)
    if "estimators" in groups:
        rows += run_estimators(args.quick)
    if "synthetic_control" in groups:
        rows += run_synthetic_control(args.quick)
    if "synthetic" in groups:
        rows += run_synthetic(args.quick)
    if "archive" in groups:
        rows += police_archive.run(args.quick, args.repeat, _log)
    if "synthetic_control_speed" in groups:
        rows += synthetic_control_speed.run(args.quick, args.repeat, _log)
    if "staggered" in groups:
        rows += staggered.run(args.quick, args.repeat, _log)
    if "power" in groups:
        rows += power.run(args.quick, args.repeat, _log)
    table = pd.DataFrame(rows)
    args.output.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output / "benchmarks.csv", index=False)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"Measured {stamp} on {platform.machine()}, Python {platform.python_version()}, "
        f"{'quick smoke run' if args.quick else 'full run'}. speed_ratio = reference "
        "seconds / ours (above 1: ours faster)"
        + (
            f"; times_floor = ours / the floor; batch seconds are medians of {args.repeat} "
            "interleaved runs (all listed in runs)"
            if "batch" in groups
            else ""
        )
        + ". "
        + _load_note(load_before, os.getloadavg()[0])
        + "\n\n"
    )
    (args.output / "benchmarks.md").write_text(header + markdown_table(table) + "\n")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
