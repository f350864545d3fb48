"""``python -m analysis new``: a minimal working programme in the shape every programme shares.

:func:`new_programme` writes a data contract, a synthetic generator with one planted
effect, the programme package (``tables``, ``designs``, ``evaluation``, ``findings``,
``narrative``), a config, a notebook and the programme's tests, then refreshes the data
dictionary in ``data/README.md``. The result runs end to end with
``python -m analysis run <slug>`` and passes ``make test`` unedited; an analyst then
replaces the contract's columns, the generator's world and the designs with the
programme's own (``docs/architecture.md`` says where each part goes).
"""

from __future__ import annotations

import json
import keyword
import re
import subprocess
import sys
from pathlib import Path
from string import Template

from ..errors import ConfigError

_TEMPLATES = Path(__file__).parent / "templates"
_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,40}$")

#: Template -> where its file goes, relative to the project root.
_FILES = {
    "contract.py.tmpl": "analysis/data/contracts/{slug}.py",
    "synthetic.py.tmpl": "analysis/synthetic/{slug}.py",
    "programme/__init__.py.tmpl": "analysis/programmes/{slug}/__init__.py",
    "programme/tables.py.tmpl": "analysis/programmes/{slug}/tables.py",
    "programme/designs.py.tmpl": "analysis/programmes/{slug}/designs.py",
    "programme/evaluation.py.tmpl": "analysis/programmes/{slug}/evaluation.py",
    "programme/findings.py.tmpl": "analysis/programmes/{slug}/findings.py",
    "programme/narrative.py.tmpl": "analysis/programmes/{slug}/narrative.py",
    "config.yaml.tmpl": "config/{slug}.yaml",
    "tests/test_evaluation.py.tmpl": "tests/programmes/{slug}/test_evaluation.py",
}
_NOTEBOOK = "notebooks/{slug}.ipynb"


def check_slug(slug: str, root: Path) -> None:
    """Raise a ConfigError unless ``slug`` is a new, valid programme name under ``root``.

    Examples
    --------
    >>> check_slug("Op-Viper", Path("."))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: programme name 'Op-Viper' must be lower-case ... (e.g. op_viper)
    """
    if not _SLUG.match(slug) or keyword.iskeyword(slug):
        hint = re.sub(r"[^a-z0-9]+", "_", slug.lower()).strip("_") or "my_programme"
        raise ConfigError(
            f"programme name '{slug}' must be lower-case letters, digits and underscores, "
            f"starting with a letter (e.g. {hint})"
        )
    taken = [
        target.format(slug=slug)
        for target in [*_FILES.values(), _NOTEBOOK, "analysis/programmes/{slug}"]
        if (root / target.format(slug=slug)).exists()
    ]
    if taken:
        raise ConfigError(
            f"programme '{slug}' already exists: {', '.join(sorted(set(taken)))}; "
            "choose another name or remove those files"
        )


def _next_order(root: Path) -> int:
    orders = [0]
    for init in (root / "analysis" / "programmes").glob("*/__init__.py"):
        found = re.search(r"^ORDER\s*=\s*(\d+)", init.read_text(encoding="utf-8"), re.M)
        if found:
            orders.append(int(found.group(1)))
    return (max(orders) // 10 + 1) * 10


def _cell(kind: str, source: str, number: int, tags: tuple[str, ...] = ()) -> dict:
    cell = {
        "cell_type": kind,
        "id": f"cell-{number:02d}",
        "metadata": {"tags": list(tags)} if tags else {},
        "source": source.strip("\n").splitlines(keepends=True),
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(slug: str, title: str) -> dict:
    """The programme's notebook (nbformat 4.5, outputs empty), as JSON-ready data."""
    parameters = """
source: str = "synthetic"  # "synthetic", a folder of extracts, or a SQLAlchemy URL
synthetic_seed: int = 2026  # seed for the synthetic data
synthetic_scale: float = 1.0  # volume multiplier for the synthetic data
synthetic_world: str = "friendly"  # synthetic world: "friendly" or a hostile one (analysis list)
extract_date: str = ""  # date the extract was taken (YYYY-MM-DD); blank: from the data
suppression_threshold: int = 10  # counts below this are suppressed in published tables
findings_path: str = ""  # where to write findings.json (set by the batch runner)
"""
    setup = f"""
from IPython.display import Markdown, display

from analysis import plots
from analysis.data import load
from analysis.evidence import findings_table, save_findings
from analysis.programmes.{slug} import narrative
from analysis.programmes.{slug}.evaluation import Parameters, evaluate
from analysis.programmes.{slug}.findings import build_findings
from analysis.reporting.narrative import findings_recorded, loading_notes, source_note

data = load(
    "{slug}",
    source=source,
    seed=synthetic_seed,
    scale=synthetic_scale,
    extract_date=extract_date or None,
    world=synthetic_world,
)
params = Parameters(synthetic_seed=synthetic_seed, suppression_threshold=suppression_threshold)
evaluation = evaluate(data, params)
findings = build_findings(evaluation)
source_line = source_note(
    synthetic=data.synthetic, seed=synthetic_seed, extract_date=data.extract_date
)
"""
    data_cell = """
display(
    Markdown(
        f"The extract was taken on **{data.extract_date:%d %B %Y}** and holds "
        f"**{len(data['participants']):,}** people." + loading_notes(data.warnings)
    )
)
display(evaluation.counts_display)
"""
    impact = """
plots.show(
    plots.plot_forest(findings, title="Outcome rate: took part against did not", source=source_line)
)
display(Markdown(narrative.headline(findings[0].estimate, findings[0].sms_level)))
display(Markdown(narrative.truth_check(findings[0])))
"""
    closing = """
display(findings_table(findings).set_index("Question"))
record = save_findings(
    findings_path,
    programme="{slug}",
    findings=findings,
    inputs=data.provenance,
    synthetic=data.synthetic,
)
display(Markdown(findings_recorded(record, findings_path)))
""".replace("{slug}", slug)
    cells = [
        (
            "markdown",
            f"# {title}: evaluation\n\nWhat the programme is, what it aims to change, and the "
            "questions this report answers. Each result is shown with its 95% confidence "
            "interval, the strength of the evidence on the Maryland Scientific Methods Scale "
            "and the smallest effect the design could have detected.",
        ),
        ("code", parameters, ("parameters",)),
        ("code", setup),
        ("markdown", "## Data and its quality"),
        ("code", data_cell),
        (
            "markdown",
            "## Impact\n\n**Estimand.** The difference in the outcome rate between people who "
            "took part and people who did not, in percentage points.\n\n**Identifying "
            "assumption.** Those who took part would otherwise have had the same outcome rate "
            "as those who did not. People choose to take part, so this is a weak design "
            "(Maryland SMS 1): replace it with a comparison that removes selection.",
        ),
        ("code", impact),
        ("markdown", "## Findings"),
        ("code", closing),
    ]
    return {
        "cells": [_cell(kind, source, i, *rest) for i, (kind, source, *rest) in enumerate(cells)],
        "metadata": {
            "kernelspec": {
                "display_name": "Python (dorset-eval)",
                "language": "python",
                "name": "dorset-eval",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def new_programme(slug: str, title: str, *, root: str | Path | None = None) -> list[Path]:
    """Write a minimal working programme ``slug`` under the project ``root``.

    Parameters
    ----------
    slug : str
        The programme's name in files and commands (lower case, underscores).
    title : str
        Its human-readable name, as reports and the scorecard show it.
    root : path-like, optional
        The project folder (default: the one this package belongs to).

    Returns
    -------
    list of Path
        Every file written, the data dictionary included.
    """
    from ..paths import PROJ_ROOT

    root = Path(root) if root is not None else PROJ_ROOT
    check_slug(slug, root)
    if not title.strip() or '"' in title or "\\" in title:
        raise ConfigError("the title must be plain text without double quotes or backslashes")
    values = {"slug": slug, "title": title.strip(), "order": _next_order(root)}
    written = []
    for template, target in _FILES.items():
        path = root / target.format(slug=slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = Template((_TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    path = root / _NOTEBOOK.format(slug=slug)
    path.write_text(json.dumps(notebook(slug, values["title"]), indent=1) + "\n", encoding="utf-8")
    written.append(path)
    # The dictionary is rendered by a fresh interpreter in the project folder, so that it
    # finds the contract just written (this process listed the contracts when it started).
    rendered = subprocess.run(
        [sys.executable, "-m", "analysis.data.dictionary"], cwd=root, capture_output=True, text=True
    )
    if rendered.returncode:
        raise ConfigError(
            f"the programme's files were written but data/README.md could not be refreshed:\n"
            f"{rendered.stderr.strip()}\n"
            "fix the contract, then run python -m analysis.data.dictionary"
        )
    written.append(root / "data" / "README.md")
    return written
