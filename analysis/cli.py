"""Command-line interface: ``python -m analysis {run,list,synth,validate,index}``.

Exit status: 0 success; 1 a programme failed; 2 the input data, a parameter
or the command line is wrong. Errors a user can cause are printed as readable
messages, never as tracebacks (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import PROGRAMMES
from .errors import AnalysisError, DataValidationError

log = logging.getLogger("analysis")

DEFAULT_SEED = 2026


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run programme notebooks and write their reports",
        description="Run programme notebooks (all by default) with papermill, in parallel, "
        "and write reports/<programme>/ (executed notebook, HTML, findings.json) and "
        "reports/index.html.",
    )
    p.add_argument(
        "programmes", nargs="*", metavar="PROGRAMME", help=f"any of {', '.join(PROGRAMMES)}"
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=None, help="notebooks run at once (default: all)"
    )
    p.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a notebook parameter (repeatable), as papermill's -p",
    )
    p.add_argument("--config", metavar="FILE", help="YAML config for the one programme named")
    p.add_argument("--source", help="data source: a folder of extracts or a SQLAlchemy URL")
    p.add_argument("--output", metavar="DIR", help="output folder (default: reports/)")
    p.add_argument("--no-render", action="store_true", help="skip HTML/PDF and the index")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF copies of the reports")
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start every notebook's kernel from scratch, as JupyterLab does (slower; by "
        "default kernels are forked from a process that has already imported the toolkit)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Evaluate the Dorset Police and Crime Commissioner's pilot programmes.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(sub)

    sub.add_parser("list", help="list programmes with their parameters and defaults")

    s = sub.add_parser("synth", help="write synthetic data to data/synthetic/")
    s.add_argument("programmes", nargs="*", metavar="PROGRAMME")
    s.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    s.add_argument(
        "--scale", type=float, default=1.0, help="volume multiplier (50: roughly national)"
    )
    s.add_argument("--output", metavar="DIR", help="folder (default: data/synthetic/<programme>/)")
    s.add_argument("--format", choices=("csv", "parquet", "xlsx"), default="csv")

    v = sub.add_parser("validate", help="check an extract against a programme's data contract")
    v.add_argument("programme", metavar="PROGRAMME")
    v.add_argument("--source", required=True, help="a folder of extracts or a SQLAlchemy URL")
    v.add_argument("--extract-date", help="date the extract was taken (YYYY-MM-DD)")

    w = sub.add_parser(
        "power",
        help="power and MDE of each design at Dorset volumes, by simulation",
        description="Before any real data exist: draw synthetic extracts with the planted "
        "(expected) effects, run the programme's whole evaluation on each, and report for every "
        "design the power for the planted effect, coverage of it and the minimum detectable "
        "effect at 80% power.",
    )
    w.add_argument("programme", metavar="PROGRAMME")
    w.add_argument("--replications", "-r", type=int, default=100, help="synthetic extracts")
    w.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    w.add_argument("--scale", type=float, default=1.0, help="volume (1: Dorset's)")
    w.add_argument("--world", default="friendly", help="synthetic world (see list)")
    w.add_argument("--jobs", "-j", type=int, default=None, help="processes (default: cores)")
    w.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    w.add_argument(
        "--headline-only",
        action="store_true",
        help="fast path: only the headline design, its estimator alone on the synthetic "
        "tables (programmes with one: lsavi, combating_drugs, serious_violence)",
    )

    n = sub.add_parser(
        "new",
        help="write a minimal working programme to fill in",
        description="Write a new programme in the shape every programme shares: data contract, "
        "synthetic generator with one planted effect, analysis package, config, notebook and "
        "tests. It runs end to end at once; then replace each part with the programme's own.",
    )
    n.add_argument("slug", metavar="SLUG", help="name in files and commands, e.g. op_viper")
    n.add_argument("--title", required=True, help='name reports show, e.g. "Operation Viper"')

    i = sub.add_parser("index", help="rebuild reports/index.html from the findings.json files")
    i.add_argument("--output", metavar="DIR", help="reports folder (default: reports/)")
    return parser


def _check_programmes(names: Sequence[str]) -> list[str]:
    from .programmes import get_programme

    return [get_programme(n).slug for n in names]


def cmd_run(args: argparse.Namespace) -> int:
    """Run programmes and print the summary table; exit status as :func:`batch.runner.exit_code`."""
    from .batch.runner import exit_code, run_programmes, summary_table
    from .config import parse_override

    programmes = _check_programmes(args.programmes) or list(PROGRAMMES)
    overrides = dict(parse_override(text) for text in args.parameter)
    if args.jobs is not None and args.jobs < 1:
        raise AnalysisError("--jobs must be at least 1")
    started = time.monotonic()
    print(f"Running {', '.join(programmes)} ...", file=sys.stderr, flush=True)
    results = run_programmes(
        programmes,
        jobs=args.jobs,
        overrides=overrides,
        config_path=args.config,
        source=args.source,
        output_dir=args.output,
        render=not args.no_render,
        pdf=not args.no_pdf,
        warm_kernels=not args.fresh_kernels,
    )
    print(summary_table(results, Path.cwd()))
    for result in results:
        if result.status == "input error" and result.detail:
            print(f"\n{result.programme}: {result.detail}", file=sys.stderr)
    out = Path(args.output) if args.output else None
    if not args.no_render:
        from .paths import REPORTS_DIR

        print(f"Index: {(out or REPORTS_DIR) / 'index.html'}")
    print(f"Finished in {time.monotonic() - started:.1f}s")
    return exit_code(results)


def cmd_list(args: argparse.Namespace) -> int:
    """List programmes with each parameter, its type, value and help."""
    from .config import RUNNER_PARAMETERS, load_config, notebook_parameters
    from .programmes import programme_title
    from .synthetic import worlds

    for programme in PROGRAMMES:
        config = load_config(programme)
        print(f"{programme}: {programme_title(programme)}")
        where = (
            config.path.relative_to(Path.cwd())
            if config.path and config.path.is_relative_to(Path.cwd())
            else config.path
        )
        print(f"  config: {where or '(none)'}")
        for param in notebook_parameters(programme).values():
            if param.name in RUNNER_PARAMETERS:
                continue
            value = config.parameters.get(param.name, param.default)
            note = " (from config)" if param.name in config.parameters else ""
            print(f"  {param.name}: {param.type} = {value!r}{note}  # {param.help}")
        hostile = {name: text for name, text in worlds(programme).items() if name != "friendly"}
        if hostile:
            print("  synthetic worlds (-p synthetic_world=NAME), besides 'friendly':")
            for name, text in hostile.items():
                print(f"    {name}: {text}")
        print()
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Write synthetic data for the named programmes (all by default)."""
    from .data import write_synthetic

    programmes = _check_programmes(args.programmes) or list(PROGRAMMES)
    if args.output and len(programmes) > 1:
        raise AnalysisError("--output takes one programme: name it (e.g. synth lsavi --output DIR)")
    for programme in programmes:
        started = time.monotonic()
        folder = write_synthetic(
            programme, seed=args.seed, scale=args.scale, folder=args.output, fmt=args.format
        )
        print(
            f"{programme}: synthetic data (seed {args.seed}, scale {args.scale:g}) in {folder} "
            f"({time.monotonic() - started:.1f}s)"
        )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check an extract and print every problem at once (exit 2 when there are any)."""
    from .data import validate_source

    _check_programmes([args.programme])
    problems = validate_source(args.programme, args.source, extract_date=args.extract_date)
    if problems:
        print(str(DataValidationError(list(problems), args.programme)), file=sys.stderr)
        return 2
    print(f"{args.source}: the {args.programme} extract meets its data contract.")
    return 0


def cmd_power(args: argparse.Namespace) -> int:
    """Simulate each design's power and MDE from the programme's generator."""
    from .programmes.power import FAST_PATHS, print_progress, simulate_power

    _check_programmes([args.programme])
    started = time.monotonic()
    headline_only = args.headline_only and args.programme in FAST_PATHS
    if args.headline_only and not headline_only:
        print(
            f"{args.programme} has no headline-only fast path yet (those with one: "
            f"{', '.join(sorted(FAST_PATHS))}): running the whole evaluation instead.",
            file=sys.stderr,
        )
    work = "the headline's estimator alone" if headline_only else "the whole evaluation"
    print(
        f"{args.programme}: {args.replications} synthetic extracts (scale {args.scale:g}, "
        f"world {args.world}), {work} on each ...",
        file=sys.stderr,
    )
    table = simulate_power(
        args.programme,
        replications=args.replications,
        seed=args.seed,
        scale=args.scale,
        world=args.world,
        jobs=args.jobs,
        progress=lambda done, total: print_progress(done, total, started=started),
        headline_only=headline_only,
    )
    with_columns = table.reset_index()
    print(with_columns.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(
        "\npower: share of runs whose 95% interval excluded no effect, at the planted effect "
        "(where the planted effect is none, the false-positive rate); coverage: share of "
        "intervals covering the planted effect; mde_80: the effect the design detects 80% of "
        f"the time (ratios: the ratio above 1). {time.monotonic() - started:.0f}s."
    )
    if args.csv:
        with_columns.to_csv(args.csv, index=False)
        print(f"Written: {args.csv}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a minimal working programme and say what to fill in."""
    from .paths import PROJ_ROOT
    from .scaffold import new_programme

    written = new_programme(args.slug, args.title)
    print(f"New programme '{args.slug}' ({args.title}):")
    for path in written:
        print(f"  {path.relative_to(PROJ_ROOT)}")
    print(
        f"""
It runs now: python -m analysis run {args.slug}
Then make it the programme's own (docs/architecture.md says where each part goes):
  1. the data contract: the extract's real tables and columns
     (analysis/data/contracts/{args.slug}.py; data/README.md follows with
     python -m analysis.data.dictionary);
  2. the synthetic generator: a world like the real one, with the effects to plant;
  3. tables.py and designs.py: the comparison that removes selection, weakest design first;
  4. findings.py: the primary question, written down before the data;
  5. the notebook's markdown: the programme, its logic model, estimand and assumptions."""
    )
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Rebuild the scorecard from the findings.json files."""
    from . import reporting
    from .paths import REPORTS_DIR

    path = reporting.build_index(Path(args.output) if args.output else REPORTS_DIR)
    print(f"Index: {path}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "list": cmd_list,
    "synth": cmd_synth,
    "validate": cmd_validate,
    "power": cmd_power,
    "new": cmd_new,
    "index": cmd_index,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command](args)
    except AnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: earlier reports are untouched", file=sys.stderr)
        return 130
