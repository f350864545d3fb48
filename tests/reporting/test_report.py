"""Programme reports: self-contained, code hidden for readers, findings first, provenance last."""

from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser

import nbformat
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.reporting import non_embedded_resources, notebook_errors, render_report
from tests.reporting.builders import (
    FINDINGS,
    INJECTED_MARKER,
    SECTIONS,
    STDERR_TEXT,
    executed_notebook,
    findings_record,
    visible_text,
)


class PageStructure(HTMLParser):
    """Ids, links and the text of chosen sections of a page."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.nav_links: list[tuple[str, str]] = []
        self.box_text: list[str] = []
        self.images: list[dict] = []
        self._stack: list[str] = []
        self._in_nav = self._in_box = 0
        self._link: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
            self._link, self._link_text = attrs["href"], []
        if tag == "img":
            self.images.append(attrs)
        if tag == "nav":
            self._in_nav += 1
        if tag == "section" and "findings-box" in attrs.get("class", ""):
            self._in_box += 1
        if tag not in {"img", "br", "meta", "link", "input", "hr"}:
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            if self._in_nav:
                self.nav_links.append((self._link, "".join(self._link_text).strip()))
            self._link = None
        if tag == "nav":
            self._in_nav -= 1
        if tag == "section" and self._in_box:
            self._in_box = 0
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data):
        if self._link is not None:
            self._link_text.append(data)
        if self._in_box:
            self.box_text.append(data)


def structure(page: str) -> PageStructure:
    parser = PageStructure()
    parser.feed(page)
    return parser


def box_text(page: str) -> str:
    return " ".join(" ".join(structure(page).box_text).split())


def finding_text(page: str, position: int) -> str:
    """Readable text of one finding's card or row in the summary box."""
    start = page.index(f'id="finding-{position + 1}"')
    ends = [page.find(marker, start + 1) for marker in ('id="finding-', "</section>")]
    return " ".join(visible_text(page[start : min(e for e in ends if e > 0)]).split())


# ---------------------------------------------------------------------------- self-contained
@pytest.mark.parametrize("fixture", ["reader_page", "analyst_page"])
def test_report_loads_nothing_from_outside(fixture, request):
    page = request.getfixturevalue(fixture)
    assert non_embedded_resources(page) == []
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<script" not in page.lower(), "reports run no scripts"
    assert "Content-Security-Policy" in page
    images = structure(page).images
    assert len(images) == 2, "both figures are in the page"
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert all(img.get("alt") for img in images), "every figure keeps its alt text"


def test_outputs_that_point_outside_are_cut_off_and_logged(tmp_path, caplog):
    nb = executed_notebook()
    nb.cells[4].outputs.append(
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": '<script src="https://cdn.example.org/require.js"></script>'
                '<img src="https://tiles.example.org/map.png" alt="map" '
                'srcset="https://tiles.example.org/map2.png 2x">'
            },
        )
    )
    with caplog.at_level(logging.WARNING, logger="analysis.reporting"):
        page = render_report(nb, findings_record(), tmp_path / "toy.html").read_text()
    assert non_embedded_resources(page) == []
    assert "cdn.example.org" not in page
    assert not re.search(r"""\s(src|srcset)=["']?https""", page)
    assert any("script" in r.message for r in caplog.records)
    assert any("non-embedded" in r.message for r in caplog.records)


def test_code_shown_to_analysts_is_text_never_markup(tmp_path):
    nb = executed_notebook()
    nb.cells.append(nbformat.v4.new_code_cell('note = "</div><script>alert(1)</script><b>x</b>"'))
    page = render_report(nb, findings_record(), tmp_path / "toy.html", include_code=True)
    text = page.read_text()
    assert "<script" not in text.lower()
    assert "<b>x</b>" not in text
    assert "&lt;/div&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text, "shown, escaped"


def test_an_image_without_alt_text_gets_a_placeholder_that_says_so(tmp_path):
    nb = executed_notebook()
    nb.cells[4].outputs.append(
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": '<img src="data:image/png;base64,iVBORw0KGgo=">'},
        )
    )
    page = render_report(nb, findings_record(), tmp_path / "toy.html").read_text()
    assert 'alt="No description has been provided for this image"' in page
    assert not re.search(r"<img(?![^>]*\salt=)", page)


# ---------------------------------------------------------------------------- reader vs analyst
def test_reader_version_hides_code_parameters_and_stderr(reader_page):
    for code in ("load_the_data()", "show(plot_event_study(result))", "x = 1"):
        assert code not in reader_page
    assert INJECTED_MARKER not in reader_page
    assert STDERR_TEXT not in reader_page
    assert 'class="input_area"' not in reader_page
    assert "Loaded 1,234 crimes." in reader_page, "printed results stay"


def test_analyst_version_shows_code_parameters_and_stderr(analyst_page):
    text = visible_text(analyst_page)
    assert "load_the_data" in text
    assert INJECTED_MARKER.split(" = ")[0] in text
    assert STDERR_TEXT.split(":")[0] in text
    assert "analyst version" in analyst_page


def test_notebook_title_heads_the_page_once(reader_page):
    heading_ones = re.findall(r"<h1\b[^>]*>(.*?)</h1>", reader_page, re.S)
    assert heading_ones == ["Toy programme evaluation"]


# ---------------------------------------------------------------------------- contents
def test_contents_lists_every_section_with_working_anchors(reader_page):
    page = structure(reader_page)
    nav_texts = [text for _, text in page.nav_links]
    for section in SECTIONS:
        assert section in nav_texts
    assert "Event study" not in nav_texts, "only ## headings are in the contents"
    assert (
        nav_texts.index(SECTIONS[0]) < nav_texts.index(SECTIONS[1]) < nav_texts.index(SECTIONS[2])
    )
    for href, _ in page.nav_links:
        assert href.startswith("#") and href[1:] in page.ids, href
    internal = [h[1:] for h in page.hrefs if h.startswith("#")]
    assert set(internal) <= set(page.ids), "every in-page link has a target"
    assert len(page.ids) == len(set(page.ids)), "ids are unique"


def test_repeated_headings_get_distinct_anchors(tmp_path):
    nb = executed_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(f"## {SECTIONS[0]}\n\n## Main findings"))
    page = structure(render_report(nb, findings_record(), tmp_path / "r.html").read_text())
    assert len(page.ids) == len(set(page.ids))
    targets = [href for href, text in page.nav_links if text == SECTIONS[0]]
    assert len(targets) == 2 and targets[0] != targets[1]


# ---------------------------------------------------------------------------- findings box
def test_summary_box_lists_every_finding_with_its_interval_headlines_first(reader_page):
    text = box_text(reader_page)
    expected = {
        "Incidents at participating premises": ("0.810", "0.720 to 0.910", "moderate (SMS 3)"),
        "Median days from arrest to charge": ("41.0", "not estimable", "weak (SMS 1)"),
        "Victim withdrawal rate": ("-3.1", "-5.5 to -0.7", "weak (SMS 1)"),
    }
    for position, finding in enumerate(FINDINGS["findings"]):
        effect, interval, strength = expected[finding["label"]]
        card = finding_text(reader_page, position)
        assert finding["label"] in card
        assert effect in card and interval in card and strength in card, card
    positions = [text.index(label) for label in expected]
    assert positions == sorted(positions), "headline findings come first"
    assert "19% decrease" in text
    assert "Evidence strength: weak (SMS 1)" not in text, "strength is shown once, in its column"


def test_every_finding_has_an_anchor_in_the_box(reader_page):
    page = structure(reader_page)
    for position in range(len(FINDINGS["findings"])):
        assert f"finding-{position + 1}" in page.ids
        assert f"finding-{position + 1}-detail" in page.ids


def test_synthetic_banner_and_truth_only_for_synthetic_data(reader_page, tmp_path):
    assert "Synthetic data" in reader_page
    assert "Planted truth 0.800, inside the interval" in finding_text(reader_page, 1)
    withdrawal = finding_text(reader_page, 0)
    assert "-3.0" in withdrawal.split("weak (SMS 1)")[1] and "inside" in withdrawal

    real = findings_record(synthetic=False)
    page = render_report(executed_notebook(), real, tmp_path / "real.html").read_text()
    assert "Synthetic data" not in page
    assert "Planted truth" not in page


def test_detail_section_gives_method_assumptions_and_caveats(reader_page):
    text = " ".join(visible_text(reader_page).split())
    for finding in FINDINGS["findings"]:
        assert finding["method"] in text
        for caveat in finding["caveats"]:
            assert caveat in text
    assert "< 0.001" in text, "p = 0.0004 is printed as < 0.001"


# ---------------------------------------------------------------------------- numbers
def test_no_nan_or_inf_without_explanation(reader_page):
    text = visible_text(reader_page)
    assert not re.search(r"(?<![\w-])(NaN|nan|inf|-inf|NaT|<NA>)(?![\w])", text)
    assert "–" in text and "A dash (–) in a table marks a value that is not available" in text
    assert "not estimable</strong> means" in reader_page


# ---------------------------------------------------------------------------- provenance
def test_provenance_lists_run_code_parameters_and_every_input(reader_page):
    about = visible_text(reader_page[reader_page.index('id="about-this-report"') :])
    about = " ".join(about.split())
    assert "24 November 2026, 18:00 UTC" in about
    assert "abc123def456" in about and "0.1.0" in about
    for name in FINDINGS["parameters"]:
        assert name in about
    for name, info in FINDINGS["inputs"].items():
        assert name in about
        assert f"{info['rows']:,}" in about
        assert info["sha256"][:12] in about
    assert "took 1 min 13 s" in about


def test_parameters_show_defaults_and_what_the_run_set(reader_page):
    about = reader_page[reader_page.index('id="parameters"') : reader_page.index('id="inputs"')]
    rows = {
        re.search(r"<code>(\w+)</code>", row).group(1): " ".join(visible_text(row).split())
        for row in re.findall(r"<tr>.*?</tr>", about, re.S)
        if "<code>" in row
    }
    # The notebook's cell declares source (default "synthetic") and synthetic_seed (default 1);
    # the run set synthetic_seed=2026 and extract_date.
    assert rows["source"] == "source synthetic data source"
    assert rows["synthetic_seed"] == "synthetic_seed 2026 Set for this run seed"
    assert "Set for this run" in rows["extract_date"]
    assert "findings_path" not in rows


def test_numeric_columns_right_align_and_text_stays_left(reader_page):
    table = reader_page[reader_page.index('class="dataframe"') :]
    table = table[: table.index("</table>")]
    body_rows = re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.S)
    for row in body_rows:
        cells = re.findall(r"<td([^>]*)>", row)
        period, *numbers = cells
        assert "num" not in period
        assert all('class="num' in attrs for attrs in numbers), row
    header = re.findall(r"<th([^>]*)>", table[: table.index("<tbody>")])
    assert sum('class="num' in attrs for attrs in header) == 3


def test_long_tables_are_folded_for_readers_and_open_for_analysts(tmp_path):
    nb = executed_notebook()
    long_table = pd.DataFrame({"month": range(40), "incidents": range(100, 140)})
    nb.cells[6].outputs[0]["data"]["text/html"] = long_table.to_html()
    reader = render_report(nb, findings_record(), tmp_path / "r.html").read_text()
    analyst = render_report(nb, findings_record(), tmp_path / "a.html", include_code=True)
    assert "Show the full table (40 rows)" in reader
    assert "<details" not in analyst.read_text().split('class="notebook"')[1].split("</main>")[0]
    assert reader.count("<tr>") >= 40, "folded, not removed"


# ---------------------------------------------------------------------------- failed runs
def test_failed_run_is_shown_prominently_with_a_link_to_the_error(tmp_path):
    nb = executed_notebook(error=True)
    (error,) = notebook_errors(nb)
    # The section is the nearest heading above the cell, as the runner names it.
    assert error.execution_count == 8 and error.section == "Event study"
    page = render_report(nb, None, tmp_path / "failed.html").read_text()
    banner = page[page.index('id="run-failed"') :][:1500]
    assert "This run did not finish" in banner
    assert "Cell [8] in section &#39;Event study&#39;" in banner
    assert "EstimationError" in banner and "no comparison premises" in banner
    assert 'href="#run-error"' in banner and 'id="run-error"' in page
    assert "The run stopped before it saved its findings." in page


def test_expected_errors_do_not_mark_a_run_as_failed(tmp_path):
    nb = executed_notebook(error=True)
    nb.cells[-2].metadata["tags"] = ["raises-exception"]
    nb.metadata["papermill"]["exception"] = None
    assert notebook_errors(nb) == []
    page = render_report(nb, findings_record(), tmp_path / "ok.html").read_text()
    assert "This run did not finish" not in page


def test_report_of_a_notebook_papermill_ran_and_that_failed(tmp_path):
    papermill = pytest.importorskip("papermill")
    source = nbformat.v4.new_notebook()
    source.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell("divisor: int = 1  # divisor")
    params.metadata["tags"] = ["parameters"]
    source.cells = [
        nbformat.v4.new_markdown_cell("# Tiny\n\n## Step one"),
        params,
        nbformat.v4.new_code_cell("import warnings\nwarnings.warn('careful')\nprint('halfway')"),
        nbformat.v4.new_markdown_cell("## Step two"),
        nbformat.v4.new_code_cell("1 / divisor"),
    ]
    nbformat.write(source, tmp_path / "tiny.ipynb")
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(
            str(tmp_path / "tiny.ipynb"),
            str(tmp_path / "executed.ipynb"),
            parameters={"divisor": 0},
            kernel_name="python3",
            progress_bar=False,
        )
    page = render_report(tmp_path / "executed.ipynb", None, tmp_path / "tiny.html").read_text()
    assert "ZeroDivisionError" in page and "Step two" in page
    assert "An Exception was encountered" not in page, "papermill's own banner is replaced"
    assert "halfway" in page and "careful" not in page, "stdout kept, warnings hidden"
    assert "divisor = 0" not in page, "injected parameters hidden"
    about = " ".join(visible_text(page[page.index('id="about-this-report"') :]).split())
    assert "divisor" in about and "0" in about


# ---------------------------------------------------------------------------- bad input
def test_missing_or_malformed_findings_are_clear_errors(tmp_path):
    with pytest.raises(AnalysisError, match="does not exist"):
        render_report(executed_notebook(), tmp_path / "findings.json", tmp_path / "r.html")
    (tmp_path / "bad.json").write_text(json.dumps({"programme": "toy"}))
    with pytest.raises(AnalysisError, match="no 'findings' list"):
        render_report(executed_notebook(), tmp_path / "bad.json", tmp_path / "r.html")
    with pytest.raises(AnalysisError, match="executed notebook"):
        render_report(tmp_path / "missing.ipynb", findings_record(), tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_findings_can_be_given_as_paths(tmp_path):
    nbformat.write(executed_notebook(), tmp_path / "toy.ipynb")
    (tmp_path / "findings.json").write_text(json.dumps(findings_record()))
    out = render_report(
        tmp_path / "toy.ipynb", tmp_path / "findings.json", tmp_path / "out" / "toy.html"
    )
    assert out == tmp_path / "out" / "toy.html"
    assert "Incidents at participating premises" in out.read_text()
