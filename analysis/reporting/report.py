"""A programme's report: the executed notebook and its findings as one self-contained page.

The notebook's cells are converted by nbconvert with a minimal template of our
own (``templates/notebook.html.j2``) rather than the lab template, which loads
require.js and MathJax from the internet. The page around the cells (findings
box, contents, findings in detail, provenance) is ``templates/report.html.j2``.
Figures arrive as data URIs from the notebook outputs, so the one HTML file is
the whole report.
"""

from __future__ import annotations

import ast
import copy
import functools
import html
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from markupsafe import Markup

from .. import __version__
from ..errors import AnalysisError
from ..paths import PROJ_ROOT
from .formatting import (
    NOT_ESTIMABLE,
    finding_anchor,
    finding_view,
    format_count,
    format_timestamp,
    ordered_findings,
    slugify,
)
from .html import (
    TEMPLATES_DIR,
    bytecode_cache,
    environment,
    non_embedded_resources,
    page_context,
    write_text_atomic,
)
from .records import load_findings

log = logging.getLogger(__name__)

#: Cell tags papermill and Jupyter tools use that the reader version honours.
INJECTED_PARAMETERS_TAG = "injected-parameters"
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
RAISES_EXCEPTION_TAG = "raises-exception"
#: Parameters the runner sets for its own bookkeeping; not part of the analysis.
RUNNER_ONLY_PARAMETERS = frozenset({"findings_path"})

#: Ids the page itself uses; notebook headings never take them.
PAGE_IDS = frozenset(
    {
        "main-content",
        "main-findings",
        "contents-heading",
        "findings-in-detail",
        "about-this-report",
        "parameters",
        "inputs",
        "reading-the-numbers",
        "run-failed",
        "run-error",
        "checks-of-the-design",
    }
)

_HEADING = re.compile(r"<h([1-6])(\s[^>]*)?>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_ID_ATTR = re.compile(r"""\s+id\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
#: Table cells pandas fills with a missing or non-finite value.
_MISSING_CELL = re.compile(
    r"(<td\b[^>]*>)\s*(NaN|nan|NaT|&lt;NA&gt;|<NA>|None|inf|-inf|Inf|-Inf)\s*(</td>)"
)
#: Loading attributes whose value is not embedded, renamed so the browser ignores them.
_BLOCKABLE = re.compile(
    r"""(<(?:img|script|iframe|source|link|embed|video|audio|object)\b[^>]*?\s)"""
    r"""(src|href|srcset|data)=(["'])(?!data:|#)""",
    re.IGNORECASE,
)
_MISSING_TEXT = re.compile(r"(?<![\w.-])(NaN|nan|inf|-inf)(?![\w.])")


_TABLE = re.compile(r"<table\b[^>]*>.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr\s*>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<(t[hd])\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_NUMBER = re.compile(
    r"[<>~]?\s*[-+\u2212]?\s*£?\s*(\d[\d,]*)?(\.\d+)?(e[-+]?\d+)?\s*%?", re.IGNORECASE
)
_NOT_A_VALUE = frozenset({"", "–", "-", "<10", "n/a"})


@dataclass(frozen=True)
class RunError:
    """An error a notebook run stopped on.

    Parameters
    ----------
    execution_count : int or None
        The ``[N]`` shown beside the failing cell.
    section : str
        The heading of the section the cell is in ('' when none).
    ename, evalue : str
        Exception name and message.
    """

    execution_count: int | None
    section: str
    ename: str
    evalue: str

    @property
    def where(self) -> str:
        """'Cell [N] in section "X"', as a reader finds it in the notebook."""
        cell = f"Cell [{self.execution_count}]" if self.execution_count is not None else "A cell"
        return cell + (f" in section '{self.section}'" if self.section else "")


def load_notebook(
    notebook: str | os.PathLike[str] | nbformat.NotebookNode,
) -> nbformat.NotebookNode:
    """Read an executed notebook (a path) or copy one given as a node.

    Examples
    --------
    >>> nb = load_notebook(nbformat.v4.new_notebook())
    >>> nb.nbformat
    4
    """
    if isinstance(notebook, nbformat.NotebookNode):
        return copy.deepcopy(notebook)
    path = Path(notebook)
    if not path.exists():
        raise AnalysisError(f"executed notebook {path} does not exist; run the programme first")
    try:
        return nbformat.read(path, as_version=4)
    except (ValueError, OSError, nbformat.reader.NotJSONError) as exc:
        raise AnalysisError(f"{path} is not a readable notebook: {exc}") from exc


def _tags(cell: Mapping[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def notebook_errors(nb: nbformat.NotebookNode) -> list[RunError]:
    """Errors that stopped the run (errors in cells tagged ``raises-exception`` are expected).

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("1/0", execution_count=4)
    >>> cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError",
    ...                                         evalue="division by zero", traceback=[])]
    >>> nb.cells = [nbformat.v4.new_markdown_cell("## Impact"), cell]
    >>> notebook_errors(nb)[0].where
    "Cell [4] in section 'Impact'"
    """
    errors = []
    section = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = [
                ln.lstrip("#").strip() for ln in cell.source.splitlines() if ln.startswith("#")
            ]
            if headings:
                section = headings[-1]
            continue
        if cell.cell_type != "code" or RAISES_EXCEPTION_TAG in _tags(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(
                    RunError(
                        execution_count=cell.get("execution_count"),
                        section=section,
                        ename=str(output.get("ename", "Error")),
                        evalue=str(output.get("evalue", "")),
                    )
                )
    return errors


def _prepare_cells(nb: nbformat.NotebookNode, include_code: bool) -> nbformat.NotebookNode:
    """Drop what a reader should not see; the analyst version keeps nearly everything."""
    kept = []
    for cell in nb.cells:
        tags = _tags(cell)
        # Papermill's own error banners are replaced by the report's failure notice.
        if PAPERMILL_ERROR_TAG in tags or tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code" and not include_code:
            if INJECTED_PARAMETERS_TAG in tags:
                continue
            # Warnings and log messages are for the analyst; readers get the narrative.
            cell.outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
            if not cell.outputs:
                continue
        kept.append(cell)
    nb.cells = kept
    return nb


#: What nbconvert writes for an image that has no alternative text.
MISSING_ALT_TEXT = "No description has been provided for this image"

_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)", re.IGNORECASE)


def _with_alt_text(body: str) -> str:
    """Give every image without alternative text nbconvert's stated placeholder.

    Examples
    --------
    >>> _with_alt_text('<img src="a.png">')
    '<img alt="No description has been provided for this image" src="a.png">'
    >>> _with_alt_text('<img alt="Chart" src="b.png">')
    '<img alt="Chart" src="b.png">'
    """
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{MISSING_ALT_TEXT}"', body)


@functools.cache
def _exporter(include_code: bool) -> Any:
    """One nbconvert exporter per version: compiling its templates is most of the cost."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class ReportExporter(HTMLExporter):  # type: ignore[misc]
        """nbconvert's HTML exporter without its closing pass over the whole page.

        That pass parses and re-serialises the page with BeautifulSoup (about a
        second for a report with its code) to add placeholder alt text and
        JupyterLab-template focus attributes. The classic template has none of
        those elements, and alt text is added here by :func:`_with_alt_text`.
        """

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # As HTMLExporter.from_notebook_node up to its BeautifulSoup pass.
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _with_alt_text(body), resources

        def _create_environment(self) -> Any:
            environment = super()._create_environment()
            environment.bytecode_cache = bytecode_cache()
            return environment

    return ReportExporter(
        template_name="classic",
        template_file=str(TEMPLATES_DIR / "notebook.html.j2"),
        exclude_input=not include_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        # Markdown images become data URIs, so the report needs no file beside it.
        embed_images=True,
        # Check the notebook once after all preprocessors rather than after each of them
        # (a dozen schema validations of the whole notebook per report).
        optimistic_validation=True,
    )


def _export_cells(nb: nbformat.NotebookNode, include_code: bool, base_dir: Path) -> str:
    resources = {"metadata": {"path": str(base_dir)}}
    body, _ = _exporter(include_code).from_notebook_node(nb, resources=resources)
    return body


@dataclass
class _Body:
    html: str
    title: str
    toc: list[dict[str, str]]
    missing_cells: int
    folded_tables: int = 0


def _plain_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


#: Tables longer than this are folded in the reader version (shown in full with code).
LONG_TABLE_ROWS = 30


def _fold_long_table(table: str) -> str:
    rows = len(_ROW.findall(table[table.find("<tbody") :])) if "<tbody" in table else 0
    if rows <= LONG_TABLE_ROWS:
        return table
    return (
        f'<details class="long-table"><summary>Show the full table ({rows:,} rows)</summary>'
        f"{table}</details>"
    )


def _process_body(body: str, *, fold_long_tables: bool = False) -> _Body:
    """Stable heading anchors, the contents, the title, explained missing values, no scripts."""
    scripts = len(_SCRIPT.findall(body))
    if scripts:
        log.warning("removed %d script(s) from notebook outputs: reports run no scripts", scripts)
        body = _SCRIPT.sub("", body)

    used: set[str] = set(PAGE_IDS) | {finding_anchor(i) for i in range(200)}
    toc: list[dict[str, str]] = []
    title = ""

    def heading(match: re.Match[str]) -> str:
        nonlocal title
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        inner = _ANCHOR_LINK.sub("", inner).strip()
        text = _plain_text(inner)
        if level == 1 and not title:
            # The notebook's title becomes the page's masthead heading.
            title = text
            return ""
        slug = base = slugify(text)
        suffix = 2
        while slug in used:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        used.add(slug)
        if level == 2:
            toc.append({"id": slug, "text": text})
        attrs = _ID_ATTR.sub("", attrs)
        return f'<h{level} id="{slug}"{attrs}>{inner}</h{level}>'

    body = _HEADING.sub(heading, body)

    missing = 0

    def explain(match: re.Match[str]) -> str:
        nonlocal missing
        missing += 1
        return (
            f'{match.group(1)}<abbr class="na" title="not available or does not apply: '
            f'see Reading the numbers">–</abbr>{match.group(3)}'
        )

    body = _MISSING_CELL.sub(explain, body)
    body = _TABLE.sub(lambda m: _align_table(m.group(0)), body)
    folded = 0
    if fold_long_tables:
        body = _TABLE.sub(lambda m: _fold_long_table(m.group(0)), body)
        folded = body.count('<details class="long-table">')
    return _Body(html=body, title=title, toc=toc, missing_cells=missing, folded_tables=folded)


def _is_number(cell_html: str) -> bool | None:
    """True for a number, False for text, None for an empty or suppressed cell."""
    text = _plain_text(cell_html)
    if text in _NOT_A_VALUE:
        return None
    return bool(_NUMBER.fullmatch(text)) and any(ch.isdigit() for ch in text)


def _with_class(attrs: str, name: str) -> str:
    if re.search(r"\bclass\s*=", attrs, re.IGNORECASE):
        return re.sub(
            r"""class\s*=\s*(["'])""", lambda m: f"class={m.group(1)}{name} ", attrs, count=1
        )
    return f' class="{name}"{attrs}'


def _align_table(table: str) -> str:
    """Mark numeric columns of a pandas table so they right-align and text stays left."""
    if 'class="dataframe' not in table:
        return table
    head_end = table.find("</thead>")
    head, body = (table[:head_end], table[head_end:]) if head_end >= 0 else ("", table)
    rows = _ROW.findall(body)
    cells = [list(_CELL.finditer(row)) for row in rows]
    spans = re.search(r"\b(rowspan|colspan)\s*=", body, re.IGNORECASE)
    width = len(cells[0]) if cells else 0
    if not cells or spans or any(len(row) != width for row in cells):
        # Irregular (multi-index) tables: judge each data cell on its own.
        return _CELL.sub(
            lambda m: (
                f"<{m.group(1)}{_with_class(m.group(2), 'num')}>{m.group(3)}</{m.group(1)}>"
                if m.group(1).lower() == "td" and _is_number(m.group(3))
                else m.group(0)
            ),
            table,
        )
    numeric = []
    for column in range(width):
        kinds = [_is_number(row[column].group(3)) for row in cells if row[column].group(1) == "td"]
        known = [k for k in kinds if k is not None]
        numeric.append(bool(known) and all(known))

    def mark(row: str) -> str:
        found = list(_CELL.finditer(row))
        if len(found) != width:
            return row
        pieces, last = [], 0
        for column, match in enumerate(found):
            pieces.append(row[last : match.start()])
            tag, attrs, inner = match.group(1), match.group(2), match.group(3)
            if numeric[column]:
                attrs = _with_class(attrs, "num")
            pieces.append(f"<{tag}{attrs}>{inner}</{tag}>")
            last = match.end()
        pieces.append(row[last:])
        return "".join(pieces)

    return _ROW.sub(lambda m: mark(m.group(0)), head) + _ROW.sub(lambda m: mark(m.group(0)), body)


def _format_parameter(value: Any) -> str:
    if isinstance(value, str):
        return value if value else "(blank)"
    return json.dumps(value, ensure_ascii=False)


def _parameter_rows(
    nb: nbformat.NotebookNode, recorded: Mapping[str, Any], injected: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every parameter the run used: the notebook's defaults, then what the run set.

    The runner records only the values it set; the notebook's ``parameters``
    cell (read by papermill's rules, :mod:`analysis.parameters_cell`) supplies
    the rest and says what each one is for.
    """
    from ..parameters_cell import inspect_source

    set_for_run = {**injected, **recorded}
    rows: list[dict[str, Any]] = []
    cell = next((c for c in nb.cells if "parameters" in _tags(c)), None)
    if cell is not None:
        for parameter in inspect_source(cell.get("source", "")):
            name = parameter["name"]
            if name in RUNNER_ONLY_PARAMETERS:
                continue
            try:
                default = ast.literal_eval(parameter["default"])
            except (ValueError, SyntaxError):
                default = parameter["default"]
            changed = name in set_for_run and set_for_run[name] != default
            value = set_for_run.get(name, default)
            rows.append(
                {
                    "name": name,
                    "value": _format_parameter(value),
                    "help": parameter["help"],
                    "changed": changed,
                }
            )
    listed = {row["name"] for row in rows}
    for name, value in set_for_run.items():
        if name not in listed and name not in RUNNER_ONLY_PARAMETERS:
            rows.append(
                {"name": name, "value": _format_parameter(value), "help": "", "changed": True}
            )
    return rows


def _relative_notebook(path: str | None, fallback: str) -> str:
    if not path:
        return fallback
    try:
        return str(Path(path).resolve().relative_to(PROJ_ROOT.resolve()))
    except ValueError:
        return Path(path).name


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float) or seconds < 0:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _inputs(record: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for name, info in (record.get("inputs") or {}).items():
        info = info if isinstance(info, Mapping) else {}
        sha = str(info.get("sha256") or "")
        rows.append(
            {
                "name": str(name),
                "rows": format_count(info.get("rows")),
                "sha256": sha or "not recorded",
                "short": sha[:12] if sha else "not recorded",
                "source": str(info.get("source") or "not recorded"),
            }
        )
    return rows


def render_report(
    notebook: str | os.PathLike[str] | nbformat.NotebookNode,
    findings: str | os.PathLike[str] | Mapping[str, Any] | None,
    output_html: str | os.PathLike[str],
    *,
    include_code: bool = False,
) -> Path:
    r"""Write a programme's self-contained HTML report.

    Parameters
    ----------
    notebook : path-like or nbformat.NotebookNode
        The executed notebook (papermill's output).
    findings : path-like, mapping or None
        Its findings.json (path or content). ``None`` renders a failed run
        that saved no findings.
    output_html : path-like
        Where to write the page (folders are created).
    include_code : bool
        False (the reader version): code, papermill's injected-parameters cell
        and stderr output (warnings, logs) are hidden. True (the analyst
        version, ``<slug>-analyst.html``): everything is shown.

    Returns
    -------
    Path
        ``output_html``.

    Raises
    ------
    AnalysisError
        When the notebook or the findings cannot be read.

    Notes
    -----
    The page opens with a findings box (headline findings first: effect,
    interval, SMS level, one sentence, the planted truth when the data are
    synthetic), then a table of contents from the notebook's ``##`` headings,
    the notebook's outputs, the findings in detail (method, assumptions,
    caveats) and the provenance (run time, commit, parameters, every input's
    row count and fingerprint). A run that stopped on an error says so at the
    top and links to the error. Nothing is loaded from the network: no scripts,
    system fonts, figures as data URIs, and a content security policy that
    forbids anything else.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> nb = nbformat.v4.new_notebook()
    >>> text = "# Toy programme\n\n## Impact\n\nIt worked."
    >>> nb.cells = [nbformat.v4.new_markdown_cell(text)]
    >>> record = {"programme": "toy", "synthetic": True, "inputs": {}, "findings": [
    ...     {"label": "Incidents", "effect": 0.8, "ci_low": 0.7, "ci_high": 0.9,
    ...      "scale": "rate ratio", "sms_level": 3, "headline": True, "truth": 0.8}]}
    >>> out = render_report(nb, record, pathlib.Path(tempfile.mkdtemp()) / "toy.html")
    >>> page = out.read_text()
    >>> "0.700 to 0.900" in page and 'href="#impact"' in page
    True
    """
    nb = load_notebook(notebook)
    record = load_findings(findings)
    output_html = Path(output_html)
    base_dir = (
        Path(notebook).parent if not isinstance(notebook, nbformat.NotebookNode) else Path.cwd()
    )

    errors = notebook_errors(nb)
    papermill = dict(nb.metadata.get("papermill", {}))
    data = record or {}
    # Read before the reader version drops the (output-less) parameters cell.
    parameters = _parameter_rows(
        nb, data.get("parameters") or {}, dict(papermill.get("parameters") or {})
    )
    source = next((p["value"] for p in parameters if p["name"] == "source"), "")

    failed = bool(errors) or bool(papermill.get("exception"))

    body = _process_body(
        _export_cells(_prepare_cells(nb, include_code), include_code, base_dir),
        fold_long_tables=not include_code,
    )
    body_html = body.html
    failure = None
    if failed:
        error = errors[0] if errors else RunError(None, "", "an error", "the kernel stopped")
        anchor = "run-failed"
        if 'class="output-error"' in body_html:
            body_html = body_html.replace(
                'class="output-error"', 'class="output-error" id="run-error"', 1
            )
            anchor = "run-error"
        failure = {
            "where": error.where,
            "ename": error.ename,
            "evalue": error.evalue,
            "anchor": anchor,
        }

    findings_list = data.get("findings", [])
    views = [finding_view(i, f) for i, f in ordered_findings(findings_list)]
    if record is None:
        reason = (
            "The run stopped before it saved its findings."
            if failed
            else "No findings were recorded for this run."
        )
    else:
        reason = "The notebook recorded no findings."

    synthetic = bool(data["synthetic"]) if "synthetic" in data else source == "synthetic"
    programme = str(data.get("programme") or output_html.stem.removesuffix("-analyst"))
    title = body.title or str(data.get("title") or programme)

    context = page_context()
    if include_code:
        from pygments.formatters import HtmlFormatter

        context["pygments_css"] = HtmlFormatter(style="default").get_style_defs(".highlight")
    kernel = nb.metadata.get("kernelspec", {}).get("display_name", "")
    context.update(
        title=title,
        include_code=include_code,
        synthetic=synthetic,
        failure=failure,
        findings=views,
        no_findings_reason=reason,
        toc=body.toc
        + ([{"id": "findings-in-detail", "text": "Findings in detail"}] if views else [])
        + [{"id": "about-this-report", "text": "About this report"}],
        body=Markup(body_html),
        run_time=format_timestamp(data.get("run_timestamp") or papermill.get("start_time")),
        duration=_duration(papermill.get("duration")),
        git_commit=str(data.get("git_commit") or "not recorded"),
        version=str(data.get("analysis_version") or __version__),
        notebook_name=_relative_notebook(
            papermill.get("input_path"), f"notebooks/{programme}.ipynb"
        ),
        kernel=kernel,
        parameters=parameters,
        inputs=_inputs(data),
        long_table_rows=LONG_TABLE_ROWS,
        notes={
            "not_estimable": any(NOT_ESTIMABLE in (v["effect"], v["interval"]) for v in views),
            "missing_cells": body.missing_cells > 0,
            "folded_tables": body.folded_tables > 0,
        },
    )
    page = environment().get_template("report.html.j2").render(context)

    external = non_embedded_resources(page)
    if external:
        # The page must open offline: a notebook output that points elsewhere is cut off
        # (and the content security policy would block it anyway).
        log.warning(
            "%s: removed %d non-embedded resource(s): %s",
            output_html.name,
            len(external),
            external[:3],
        )
        # One attribute per tag each pass: repeat until none is left.
        for _ in range(10):
            page, changed = _BLOCKABLE.subn(r"\1data-blocked-\2=\3", page)
            if not changed:
                break
    leftover = _MISSING_TEXT.findall(_plain_text(body_html))
    if leftover:
        log.warning(
            "%s: %d NaN/inf value(s) in notebook text outputs; print them with an explanation",
            output_html.name,
            len(leftover),
        )
    return write_text_atomic(output_html, page)


def warm_up() -> float:
    """Import and compile everything rendering needs, by rendering a two-cell notebook.

    The batch runner calls it before forking its workers, which then render
    their reports without each compiling the same templates.

    Returns
    -------
    float
        Seconds spent.
    """
    import tempfile
    import time

    started = time.perf_counter()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Warm-up"), nbformat.v4.new_code_cell("1")]
    record = {"programme": "warm-up", "synthetic": True, "inputs": {}, "findings": []}
    with tempfile.TemporaryDirectory() as folder:
        for include_code in (False, True):
            render_report(nb, record, Path(folder) / "page.html", include_code=include_code)
    return time.perf_counter() - started
