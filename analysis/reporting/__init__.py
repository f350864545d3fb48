"""Reports for readers: each programme's HTML report, the scorecard across programmes, PDFs.

- :func:`render_report`: an executed notebook and its findings.json as one
  self-contained HTML page (reader version without code, analyst version with).
- :func:`build_index`: ``reports/index.html``, every programme's headline
  findings in one table with a forest plot, built only from the findings.json files.
- :func:`to_pdf`: print a page to PDF with Debian's Chromium when it is installed.
- :class:`HeadlessChromium`: one headless Chromium over the DevTools protocol:
  print several pages to PDF side by side (the batch runner's PDFs), and report
  what a reader's browser shows (the browser test).
"""

from .browser import HeadlessChromium, PageCheck, find_chromium, to_pdf
from .html import non_embedded_resources
from .index import build_index, collect_programmes
from .report import load_findings, notebook_errors, render_report

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
