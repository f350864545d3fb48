"""Reports for readers: each programme's HTML report, the scorecard across programmes, PDFs.

- :func:`render_report`: an executed notebook and its findings.json as one
  self-contained HTML page (reader version without code, analyst version with).
- :func:`build_index`: ``reports/index.html``, every programme's headline
  findings in one table with a forest plot, built only from the findings.json files.
- :func:`to_pdf`: print a page to PDF with Debian's Chromium when it is installed.
- :class:`HeadlessChromium`: one headless Chromium over the DevTools protocol:
  print several pages to PDF side by side (the batch runner's PDFs), and report
  what a reader's browser shows (the browser test).

Each name is imported from its module on first use, so the batch runner can
drive the browser without paying for the report modules (nbformat, pandas).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
    from .browser import HeadlessChromium, PageCheck, find_chromium, to_pdf
    from .html import non_embedded_resources
    from .index import build_index, collect_programmes
    from .records import load_findings
    from .report import notebook_errors, render_report

#: Public name -> the module of this package that defines it.
_HOMES = {
    "HeadlessChromium": "browser",
    "PageCheck": "browser",
    "build_index": "index",
    "collect_programmes": "index",
    "find_chromium": "browser",
    "load_findings": "records",
    "non_embedded_resources": "html",
    "notebook_errors": "report",
    "render_report": "report",
    "to_pdf": "browser",
}

__all__ = [
    "HeadlessChromium",
    "PageCheck",
    "build_index",
    "collect_programmes",
    "find_chromium",
    "load_findings",
    "non_embedded_resources",
    "notebook_errors",
    "render_report",
    "to_pdf",
]


__getattr__, __dir__ = exports(__name__, _HOMES)
