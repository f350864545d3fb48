"""The scorecard: ``reports/index.html``, every programme's headline findings on one page.

Built only from ``reports/<slug>/findings.json`` (and ``status.json``, which
says how the last run ended), never from the notebooks, so anything that can
read findings.json can check it. A programme whose run failed, or that has not
been run, still has its row, saying so and why.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import PROGRAMMES
from ..errors import AnalysisError
from ..evidence.sms import SMS_LEVELS
from .formatting import (
    demoted_headlines,
    finding_view,
    format_count,
    format_timestamp,
    ordered_findings,
    sms_words,
)
from .html import environment, non_embedded_resources, page_context, write_text_atomic
from .records import load_findings

log = logging.getLogger(__name__)

#: Folders under reports/ that are not programmes.
_NOT_PROGRAMMES = frozenset({"screenshots", "failed-run"})
_FAILED_STATUSES = frozenset({"failed", "input error"})


@dataclass
class ProgrammeEntry:
    """What the scorecard knows about one programme.

    Parameters
    ----------
    slug : str
        Programme slug (the folder name under ``reports/``).
    record : dict or None
        Its findings.json, when readable.
    status : dict
        Its status.json (``{}`` when absent).
    problem : str
        Why there are no findings to show ('' when there are).
    links : dict
        Link text -> path relative to the index, for files that exist.
    """

    slug: str
    record: dict[str, Any] | None = None
    status: dict[str, Any] = field(default_factory=dict)
    problem: str = ""
    links: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The programme's name as findings.json gives it, else its slug."""
        if self.record and self.record.get("title"):
            return str(self.record["title"])
        from ..programmes import programme_title

        return programme_title(self.slug)

    @property
    def state(self) -> str:
        """'ok', 'failed' (last run failed) or 'missing' (no report at all)."""
        if self.status.get("status") in _FAILED_STATUSES:
            return "failed"
        if self.record is None:
            return "failed" if self.problem and self.status else "missing"
        return "ok"

    @property
    def report_href(self) -> str | None:
        """Relative link to the reader report, when it exists."""
        return self.links.get("Report")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None
    return payload if isinstance(payload, dict) else None


def _programme_slugs(reports_dir: Path, expected: Sequence[str]) -> list[str]:
    found = {
        child.name
        for child in reports_dir.iterdir()
        if child.is_dir()
        and not child.name.startswith(".")
        and child.name not in _NOT_PROGRAMMES
        and ((child / "findings.json").exists() or (child / "status.json").exists())
    }
    return list(expected) + sorted(found - set(expected))


def collect_programmes(
    reports_dir: str | os.PathLike[str],
    expected: Sequence[str] = PROGRAMMES,
    *,
    folders: Mapping[str, str | os.PathLike[str]] | None = None,
) -> list[ProgrammeEntry]:
    """Read every programme's findings.json and status.json under ``reports_dir``.

    Parameters
    ----------
    reports_dir : path-like
        The reports folder (``reports/``).
    expected : sequence of str
        Programmes the scorecard always lists, in order, even when they have
        no folder yet (others found are added alphabetically).
    folders : mapping of str to path-like, optional
        Where to read some programmes instead of ``reports_dir/<slug>`` (a
        batch run's reports not yet published).

    Returns
    -------
    list of ProgrammeEntry

    Examples
    --------
    >>> import tempfile
    >>> [e.state for e in collect_programmes(tempfile.mkdtemp(), expected=["op_focus"])]
    ['missing']
    """
    root = Path(reports_dir)
    elsewhere = {slug: Path(folder) for slug, folder in (folders or {}).items()}
    entries = []
    listed = [*expected, *(slug for slug in elsewhere if slug not in expected)]
    for slug in _programme_slugs(root, listed):
        folder = elsewhere.get(slug, root / slug)
        entry = ProgrammeEntry(slug)
        status_path = folder / "status.json"
        if status_path.exists():
            entry.status = _read_json(status_path) or {
                "status": "failed",
                "error": f"{status_path.name} is unreadable",
            }
        findings_path = folder / "findings.json"
        if findings_path.exists():
            try:
                entry.record = load_findings(findings_path)
            except AnalysisError as exc:
                entry.problem = str(exc)
        elif entry.status.get("status") in _FAILED_STATUSES:
            entry.problem = "The run failed before any report was published."
        else:
            entry.problem = f"Not run yet: python -m analysis run {slug}"
        for text, name in (
            ("Report", f"{slug}.html"),
            ("With code", f"{slug}-analyst.html"),
            ("PDF", f"{slug}.pdf"),
            ("Executed notebook", f"{slug}.ipynb"),
            ("findings.json", "findings.json"),
            ("Failed run's notebook", f"failed-run/{slug}.ipynb"),
        ):
            if (folder / name).exists():
                entry.links[text] = f"{slug}/{name}"
        entries.append(entry)
    return entries


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _vfm_view(record: Mapping[str, Any]) -> dict[str, str] | None:
    """The value-for-money cell: the benefit-cost ratio with its interval, and a sentence."""
    block = record.get("value_for_money")
    if not isinstance(block, Mapping):
        return None
    main = block.get("overall")
    components = block.get("components") or []
    if (
        not isinstance(main, Mapping)
        and len(components) == 1
        and isinstance(components[0], Mapping)
    ):
        main = components[0]
    ratio = ""
    if isinstance(main, Mapping) and main.get("cost_confirmed") is False:
        ratio = "Cost not confirmed"
    elif isinstance(main, Mapping) and isinstance(main.get("benefit_cost_ratio"), Mapping):
        bcr = main["benefit_cost_ratio"]
        if _finite(bcr.get("estimate")):
            ratio = f"Benefit-cost ratio {bcr['estimate']:.2f}"
            if _finite(bcr.get("ci_low")) and _finite(bcr.get("ci_high")):
                level = main.get("conf_level") or 0.95
                ratio += f" ({level:.0%} interval {bcr['ci_low']:.2f} to {bcr['ci_high']:.2f})"
    # With the ratio shown, its verdict completes the sentence; otherwise the headline.
    verdict = str((main or {}).get("verdict") or "") if isinstance(main, Mapping) else ""
    if ratio and verdict:
        sentence = verdict[:1].upper() + verdict[1:] + ("" if verdict.endswith(".") else ".")
    else:
        sentence = str(block.get("headline") or block.get("summary") or verdict)
    if not ratio and not sentence:
        return None
    return {"ratio": ratio, "sentence": sentence}


def _headline_rows(entry: ProgrammeEntry) -> list[dict[str, Any]]:
    findings = (entry.record or {}).get("findings", [])
    rows = []
    for position, finding in ordered_findings(findings):
        if not finding.get("headline"):
            continue
        view = finding_view(position, finding)
        href = entry.report_href
        view["href"] = f"{href}#{view['anchor']}" if href else None
        rows.append(view)
    if not rows and findings:
        # A programme that marked nothing as headline still shows what it found.
        log.warning("%s: no finding is marked headline; the scorecard lists them all", entry.slug)
        for position, finding in ordered_findings(findings):
            view = finding_view(position, finding)
            view["href"] = f"{entry.report_href}#{view['anchor']}" if entry.report_href else None
            rows.append(view)
    return rows


def _forest_rows(entries: Sequence[ProgrammeEntry]) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        for view in _headline_rows(entry):
            record = view["record"]
            values = (record.get("effect"), record.get("ci_low"), record.get("ci_high"))
            if not all(_finite(v) for v in values):
                continue
            rows.append(
                {
                    "label": view["label"],
                    "effect": float(values[0]),
                    "ci_low": float(values[1]),
                    "ci_high": float(values[2]),
                    "group": entry.title,
                    "scale": view["scale"] or "difference",
                    "sms_level": view["sms_level"] or None,
                }
            )
    return rows


def prepare_forest(
    reports_dir: str | os.PathLike[str],
    folders: Mapping[str, str | os.PathLike[str]],
    expected: Sequence[str] = PROGRAMMES,
) -> tuple[str, tuple[str, str]]:
    """Draw the scorecard's forest plot ahead, while some reports are still being finished.

    The batch host calls it once every notebook has run, with the unpublished
    reports' ``folders``, where matplotlib is already imported and while the
    browser prints the last PDFs. :func:`build_index` reuses the figure, given
    as its ``forest``, when its rows are the same (the figure is most of the
    index's work).

    Returns
    -------
    tuple
        ``(key, figure)``: the figure's rows, and the figure as
        :func:`forest_figure` returns it; pass it whole to :func:`build_index`.
    """
    rows = _forest_rows(collect_programmes(reports_dir, expected, folders=folders))
    return _forest_key(rows), forest_figure(rows)


def _forest_key(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), sort_keys=True, default=str)


def forest_figure(
    rows: Sequence[Mapping[str, Any]], drawn: tuple[str, tuple[str, str]] | None = None
) -> tuple[str, str]:
    """A forest plot of the headline findings as an embeddable ``<figure>``, and a note.

    See :func:`_draw_forest`.

    Parameters
    ----------
    rows : sequence of mapping
        The figure's rows.
    drawn : tuple, optional
        A figure drawn ahead, as :func:`prepare_forest` returns it: returned
        when it was drawn from these same rows (and did not fail), else the
        figure is drawn anew.

    Examples
    --------
    >>> forest_figure([])
    ('', 'No headline finding has an estimated interval to plot yet.')
    >>> forest_figure([{"label": "x"}], drawn=(_forest_key([{"label": "x"}]), ("<figure/>", "")))
    ('<figure/>', '')
    """
    if drawn is not None:
        key, figure = drawn
        if figure[0] and key == _forest_key(rows):
            return figure
    return _draw_forest(rows)


def _draw_forest(rows: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """A forest plot of the headline findings as an embeddable ``<figure>``.

    Uses :func:`analysis.plots.plot_forest`, which puts each scale (a rate
    ratio, a difference in percentage points) in its own panel with its own
    line of no effect, and groups rows by programme.

    Parameters
    ----------
    rows : sequence of mapping
        ``label, effect, ci_low, ci_high, group, scale, sms_level`` per finding.

    Returns
    -------
    figure : str
        HTML ``<figure>`` (PNG as a data URI, alt text, caption), or '' when
        there is nothing to plot or the plot failed.
    note : str
        Why there is no figure ('' when there is one).

    Examples
    --------
    >>> _draw_forest([])
    ('', 'No headline finding has an estimated interval to plot yet.')
    """
    if not rows:
        return "", "No headline finding has an estimated interval to plot yet."
    try:
        import matplotlib.pyplot as plt
        import pandas as pd

        from ..plots import figure_html, plot_forest
    except ImportError as exc:
        log.warning("forest plot unavailable: %s", exc)
        return "", f"The forest plot could not be drawn ({exc})."
    try:
        fig = plot_forest(
            pd.DataFrame(list(rows)),
            group_by="group",
            source="findings.json of each programme's last successful run",
        )
    except Exception as exc:  # the scorecard is written even without its plot
        log.warning("forest plot failed: %s", exc)
        return "", f"The forest plot could not be drawn ({type(exc).__name__}: {exc})."
    try:
        return figure_html(fig), ""
    finally:
        plt.close(fig)


def _failure_text(entry: ProgrammeEntry) -> str:
    """The failure in one sentence, ending with a full stop."""
    text = str(entry.status.get("error") or entry.problem or "the run failed").strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _provenance_row(entry: ProgrammeEntry) -> dict[str, str]:
    record = entry.record or {}
    inputs = record.get("inputs") or {}
    total = sum(
        int(v.get("rows", 0))
        for v in inputs.values()
        if isinstance(v, Mapping) and _finite(v.get("rows"))
    )
    return {
        "run": format_timestamp(record.get("run_timestamp")) if record else "",
        "commit": str(record.get("git_commit") or ""),
        "version": str(record.get("analysis_version") or ""),
        "data": ("synthetic" if record.get("synthetic") else "force extracts") if record else "",
        "inputs": f"{len(inputs)} tables, {format_count(total)} rows" if inputs else "",
    }


def build_index(
    reports_dir: str | os.PathLike[str],
    *,
    expected: Sequence[str] = PROGRAMMES,
    forest: tuple[str, tuple[str, str]] | None = None,
) -> Path:
    """Write ``<reports_dir>/index.html``, the scorecard across programmes.

    Parameters
    ----------
    reports_dir : path-like
        The reports folder holding ``<slug>/findings.json`` (and ``status.json``).
    expected : sequence of str
        Programmes always listed (as not yet run when they have no folder).
    forest : tuple, optional
        The forest plot drawn ahead (:func:`prepare_forest`), used when it shows
        the same rows as this index; otherwise the figure is drawn here.

    Returns
    -------
    Path
        The index page.

    Notes
    -----
    One table lists every headline finding of every programme: effect,
    interval, SMS level, direction and the programme's value for money, each
    finding linking to its place in the programme's report. A forest plot
    (``analysis.plots.plot_forest``, one panel per scale) sets the findings
    side by side. Programmes whose last run failed show the reason; their last
    good findings, if any, stay listed and are marked as such.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "toy").mkdir()
    >>> _ = (root / "toy" / "findings.json").write_text(json.dumps({"programme": "toy",
    ...     "findings": [{"label": "Incidents", "effect": 0.8, "ci_low": 0.7, "ci_high": 0.9,
    ...                   "scale": "rate ratio", "sms_level": 3, "headline": True}]}))
    >>> page = build_index(root, expected=[]).read_text()
    >>> "Incidents" in page and "moderate (SMS 3)" in page
    True
    """
    root = Path(reports_dir)
    if not root.is_dir():
        raise AnalysisError(
            f"reports folder {root} does not exist; run python -m analysis run first"
        )
    entries = collect_programmes(root, expected)
    programmes = []
    for entry in entries:
        programmes.append(
            {
                "slug": entry.slug,
                "title": entry.title,
                "state": entry.state,
                "status": entry.status,
                "problem": entry.problem,
                "failure": _failure_text(entry),
                "links": entry.links,
                "report_href": entry.report_href,
                "rows": _headline_rows(entry),
                "demoted": demoted_headlines((entry.record or {}).get("findings", [])),
                "vfm": _vfm_view(entry.record) if entry.record else None,
                "synthetic": bool((entry.record or {}).get("synthetic")),
                "provenance": _provenance_row(entry),
                "previous_run": format_timestamp((entry.record or {}).get("run_timestamp")),
            }
        )
    figure, figure_note = forest_figure(_forest_rows(entries), drawn=forest)
    reported = [p for p in programmes if p["rows"]]
    context = page_context()
    context.update(
        programmes=programmes,
        figure=Markup(figure),
        figure_note=figure_note,
        any_synthetic=any(p["synthetic"] for p in programmes),
        all_synthetic=bool(reported) and all(p["synthetic"] for p in reported),
        failed=[p for p in programmes if p["state"] == "failed"],
        missing=[p for p in programmes if p["state"] == "missing"],
        n_findings=sum(len(p["rows"]) for p in programmes),
        sms_levels=[(level, sms_words(level), text) for level, text in SMS_LEVELS.items()],
        commits=sorted(
            {p["provenance"]["commit"] for p in programmes if p["provenance"]["commit"]}
        ),
    )
    page = environment().get_template("index.html.j2").render(context)
    external = non_embedded_resources(page)
    if external:
        raise AnalysisError(f"the scorecard would load resources from outside the page: {external}")
    return write_text_atomic(root / "index.html", page)
