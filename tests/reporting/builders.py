"""Executed notebooks and findings made in the tests, so reports can be built without a kernel.

The notebook is what papermill writes: a tagged parameters cell, the injected
parameters cell, stdout and stderr streams, an HTML table with a missing value,
figures both as ``<figure>`` HTML (as ``analysis.plots.show`` displays them) and
as a plain ``image/png`` output, and ``##`` sections.
"""

from __future__ import annotations

import base64
import copy
import functools
import html
import io
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd

#: Pixel size of the figures in the fixture notebook: the browser test checks it.
FIGURE_PIXELS = (480, 240)
SECTIONS = ["Data", "Impact on incidents", "Value for money"]
STDERR_TEXT = "RuntimeWarning: technical message meant for analysts only"
INJECTED_MARKER = "synthetic_seed = 2026"


@functools.cache
def png_base64(title: str, pixels: tuple[int, int] = FIGURE_PIXELS) -> str:
    dpi = 80
    fig, ax = plt.subplots(figsize=(pixels[0] / dpi, pixels[1] / dpi), dpi=dpi)
    ax.plot([0, 1, 2, 3], [3, 2.5, 1.6, 1.4])
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_html(title: str, alt: str) -> str:
    return (
        f'<figure class="analysis-figure"><img src="data:image/png;base64,{png_base64(title)}" '
        f'alt="{alt}"><figcaption>{title}. Source: synthetic data.</figcaption></figure>'
    )


def executed_notebook(*, error: bool = False) -> nbformat.NotebookNode:
    """A notebook as papermill leaves it after a run (optionally one that failed)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "dorset-eval",
        "display_name": "Python (dorset-eval)",
        "language": "python",
    }
    nb.metadata["papermill"] = {
        "parameters": {"source": "synthetic", "synthetic_seed": 2026},
        "start_time": "2026-11-24T18:00:01.000000",
        "duration": 73.2,
        "exception": True if error else None,
        "input_path": "notebooks/toy.ipynb",
    }
    params = nbformat.v4.new_code_cell(
        'source: str = "synthetic"  # data source\nsynthetic_seed: int = 1  # seed',
        execution_count=1,
    )
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell(
        f'# Parameters\nsource = "synthetic"\n{INJECTED_MARKER}\n', execution_count=2
    )
    injected.metadata["tags"] = ["injected-parameters"]
    load = nbformat.v4.new_code_cell("data = load_the_data()\nprint(summary)", execution_count=3)
    load.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="Loaded 1,234 crimes.\n"),
        nbformat.v4.new_output("stream", name="stderr", text=STDERR_TEXT + "\n"),
    ]
    table = pd.DataFrame(
        {
            "period": ["before", "reference", "after"],
            "rel_time": [-2, -1, 0],
            "coef": [0.01, 0.0, -0.2],
            "se": [0.05, np.nan, 0.06],
        }
    )
    event_table = nbformat.v4.new_code_cell("event_table", execution_count=4)
    event_table.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": table.to_html(), "text/plain": str(table)},
            execution_count=4,
        )
    ]
    shown = nbformat.v4.new_code_cell("show(plot_event_study(result))", execution_count=5)
    shown.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": figure_html(
                    "Incidents fell after sign-up", "Line chart: incidents fell after sign-up."
                ),
                "text/plain": "<Figure>",
            },
        )
    ]
    plain = nbformat.v4.new_code_cell("fig", execution_count=6)
    plain.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": png_base64("Uptake by area"), "text/plain": "<Figure>"},
            metadata={"image/png": {"alt": "Bar chart of uptake by area."}},
        )
    ]
    silent = nbformat.v4.new_code_cell("x = 1", execution_count=7)
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Toy programme evaluation\n\nA made-up pilot."),
        params,
        injected,
        nbformat.v4.new_markdown_cell(f"## {SECTIONS[0]}\n\nWhat was loaded."),
        load,
        nbformat.v4.new_markdown_cell(f"## {SECTIONS[1]}\n\nThe event study.\n\n### Event study"),
        event_table,
        shown,
        plain,
        silent,
    ]
    if error:
        failing = nbformat.v4.new_code_cell("estimate()", execution_count=8)
        failing.outputs = [
            nbformat.v4.new_output(
                "error",
                ename="EstimationError",
                evalue="no comparison premises in the panel",
                traceback=["\x1b[0;31mEstimationError\x1b[0m: no comparison premises"],
            )
        ]
        nb.cells.append(failing)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"## {SECTIONS[2]}\n\nCosts and benefits."))
    return nb


FINDINGS = {
    "schema_version": 1,
    "programme": "toy",
    "title": "Toy programme",
    "run_timestamp": "2026-11-24T18:00:00+00:00",
    "git_commit": "abc123def456",
    "analysis_version": "0.1.0",
    "parameters": {"source": "synthetic", "synthetic_seed": 2026, "extract_date": ""},
    "synthetic": True,
    "inputs": {
        "crimes": {
            "source": "data/synthetic/toy/crimes.parquet",
            "rows": 12345,
            "sha256": "0123456789abcdef" * 4,
            "columns": ["crime_id", "date"],
        },
        "premises": {
            "source": "data/synthetic/toy/premises.parquet",
            "rows": 412,
            "sha256": "fedcba9876543210" * 4,
            "columns": ["premises_id"],
        },
    },
    "findings": [
        {
            "question": "Did victim withdrawal fall?",
            "label": "Victim withdrawal rate",
            "estimand": "difference in the share of outcomes that are victim withdrawal",
            "method": "two-proportion comparison",
            "design": "naive_comparison",
            "effect": -3.1,
            "ci_low": -5.5,
            "ci_high": -0.7,
            "conf_level": 0.95,
            "p_value": 0.01,
            "n": 2345,
            "scale": "percentage points",
            "null_value": 0.0,
            "direction": "decrease",
            "sms_level": 1,
            "headline": False,
            "mde": 2.5,
            "truth": -3.0,
            "summary": "Difference in withdrawal: -3.1 percentage points (95% CI -5.5 to -0.7); "
            "the interval excludes no effect (n = 2,345, p = 0.01). "
            "Evidence strength: weak (SMS 1).",
            "assumptions": ["no confounding"],
            "caveats": ["no comparison group"],
        },
        {
            "question": "Did incidents at participating premises fall?",
            "label": "Incidents at participating premises",
            "estimand": "effect of signing up on incidents per premises-month",
            "method": "staggered difference-in-differences",
            "design": "staggered_difference_in_differences",
            "effect": 0.81,
            "ci_low": 0.72,
            "ci_high": 0.91,
            "conf_level": 0.95,
            "p_value": 0.0004,
            "n": 412,
            "scale": "rate ratio",
            "null_value": 1.0,
            "direction": "decrease",
            "sms_level": 3,
            "headline": True,
            "mde": 0.85,
            "truth": 0.8,
            "summary": "Effect of signing up: a rate ratio of 0.810 (95% CI 0.720 to 0.910), a 19% "
            "decrease; the interval excludes no effect (n = 412, p = 0.0004). Evidence strength: "
            "moderate (SMS 3).",
            "assumptions": ["parallel trends"],
            "caveats": ["premises choose to sign up"],
        },
        {
            "question": "How long from arrest to charge?",
            "label": "Median days from arrest to charge",
            "estimand": "median days from arrest to charge",
            "method": "Kaplan-Meier",
            "design": "descriptive",
            "effect": 41.0,
            "ci_low": None,
            "ci_high": None,
            "conf_level": 0.95,
            "p_value": None,
            "n": 300,
            "scale": "days",
            "null_value": 0.0,
            "direction": "no clear change",
            "sms_level": 1,
            "headline": True,
            "mde": None,
            "truth": 40.0,
            "summary": "Median days from arrest to charge: 41.0 on the days scale. Evidence "
            "strength: weak (SMS 1).",
            "assumptions": [],
            "caveats": ["the upper limit of the interval is not reached"],
        },
    ],
}


def findings_record(programme: str = "toy", title: str = "Toy programme", **changes) -> dict:
    record = copy.deepcopy(FINDINGS)
    record.update(programme=programme, title=title, **changes)
    return record


def visible_text(page: str) -> str:
    """The page without data URIs, tags and styles: what a reader can read."""
    page = re.sub(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+", "", page)
    page = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def write_programme(
    reports: Path, programme: str, title: str, *, status: dict | None = None, record=None
):
    """A programme's folder as the runner publishes it (findings, status, report)."""
    from analysis.reporting import render_report

    folder = reports / programme
    folder.mkdir(parents=True, exist_ok=True)
    record = findings_record(programme, title) if record is None else record
    (folder / "findings.json").write_text(json.dumps(record))
    (folder / "status.json").write_text(
        json.dumps(status or {"status": "ok", "programme": programme})
    )
    render_report(executed_notebook(), record, folder / f"{programme}.html")
    return folder
