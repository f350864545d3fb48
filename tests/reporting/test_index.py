"""The scorecard: every headline finding, working links, failures shown, only from findings.json."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from analysis.reporting import build_index, non_embedded_resources
from tests.reporting.builders import findings_record, visible_text, write_programme

VFM = {
    "components": [],
    "overall": {
        "label": "Drive and Up2U",
        "benefit_cost_ratio": {"estimate": 1.42, "ci_low": 0.8, "ci_high": 2.1},
        "conf_level": 0.95,
        "verdict": "the interval includes break-even",
    },
    "headline": "Drive and Up2U: the central estimate repays the cost, but the interval "
    "includes break-even.",
}
REOFFENDING = {
    "question": "Did reoffending fall?",
    "label": "Reoffending within 12 months",
    "effect": -4.2,
    "ci_low": -7.9,
    "ci_high": -0.5,
    "conf_level": 0.95,
    "scale": "percentage points",
    "direction": "decrease",
    "sms_level": 2,
    "headline": True,
    "summary": "Reoffending fell.",
}
FAILURE = "cell [12] in section 'Impact': EstimationError: no comparison group"


def perpetrator_record() -> dict:
    record = findings_record("perpetrator_programmes", "Perpetrator programmes")
    record["findings"].append(REOFFENDING)
    record["value_for_money"] = VFM
    return record


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    write_programme(root, "op_focus", "Operation Focus")
    # Last run failed; the previous good report and findings stay published.
    folder = write_programme(
        root,
        "perpetrator_programmes",
        "Perpetrator programmes",
        record=perpetrator_record(),
        status={"status": "failed", "error": FAILURE, "cell": 12},
    )
    (folder / "failed-run").mkdir()
    (folder / "failed-run" / "perpetrator_programmes.ipynb").write_text("{}")
    # Failed on its first run: nothing but a status.
    (root / "pilot_x").mkdir()
    (root / "pilot_x" / "status.json").write_text(
        json.dumps({"status": "input error", "error": "crimes.csv: column 'date' is missing"})
    )
    build_index(root)
    return root


@pytest.fixture(scope="module")
def index_page(reports) -> str:
    return (reports / "index.html").read_text()


def programme_block(page: str, slug: str) -> str:
    start = page.index(f'<tbody id="programme-{slug}">')
    return page[start : page.index("</tbody>", start)]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self.images = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self.hrefs.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs)


def parse(page: str) -> Links:
    links = Links()
    links.feed(page)
    return links


def headline_findings(record: dict) -> list[tuple[int, dict]]:
    return [(i, f) for i, f in enumerate(record["findings"]) if f["headline"]]


def test_every_headline_finding_is_listed_with_its_numbers(index_page):
    for slug, record in (
        ("op_focus", findings_record("op_focus")),
        ("perpetrator_programmes", perpetrator_record()),
    ):
        block = " ".join(visible_text(programme_block(index_page, slug)).split())
        for _, finding in headline_findings(record):
            assert finding["label"] in block
        assert "Victim withdrawal rate" not in block, "only headline findings are on the scorecard"
        assert "0.810" in block and "0.720 to 0.910" in block and "moderate (SMS 3)" in block
        assert "not estimable" in block and "weak (SMS 1)" in block
        assert "decrease" in block and "no clear change" in block
    block = " ".join(visible_text(programme_block(index_page, "perpetrator_programmes")).split())
    assert "-4.2" in block and "-7.9 to -0.5" in block and "limited (SMS 2)" in block
    assert "Benefit-cost ratio 1.42 (95% interval 0.80 to 2.10)" in block
    assert "The interval includes break-even." in block


def test_rows_are_one_per_headline_finding(index_page):
    body = index_page[index_page.index('<table class="scorecard">') :]
    body = body[: body.index("</table>")]
    finding_rows = re.findall(r"<tr>\s*<td>", body)
    expected = len(headline_findings(findings_record())) + len(
        headline_findings(perpetrator_record())
    )
    assert len(finding_rows) == expected


def test_every_link_resolves_and_findings_are_two_clicks_away(reports, index_page):
    links = parse(index_page)
    assert links.hrefs, "the index links to the reports"
    for href in links.hrefs:
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc, f"external link {href}"
        if not parts.path:
            assert parts.fragment in links.ids, href
            continue
        target = reports / unquote(parts.path)
        assert target.exists(), href
        if parts.fragment:
            assert parts.fragment in parse(target.read_text()).ids, href
    # Each headline finding links to its own card in the report, which names it.
    for slug, record in (
        ("op_focus", findings_record("op_focus")),
        ("perpetrator_programmes", perpetrator_record()),
    ):
        report = (reports / slug / f"{slug}.html").read_text()
        for position, finding in headline_findings(record):
            href = f"{slug}/{slug}.html#finding-{position + 1}"
            assert href in links.hrefs
            card = report[report.index(f'id="finding-{position + 1}"') :][:600]
            assert finding["label"] in card


def test_failed_and_missing_programmes_say_why(index_page):
    block = programme_block(index_page, "perpetrator_programmes")
    text = " ".join(visible_text(block).split())
    assert "Last run failed" in text and "EstimationError: no comparison group" in text
    assert "from the last successful run" in text
    assert "failed-run/perpetrator_programmes.ipynb" in block

    text = " ".join(visible_text(programme_block(index_page, "pilot_x")).split())
    assert "column 'date' is missing" in text

    text = " ".join(visible_text(programme_block(index_page, "lsavi")).split())
    assert "No report" in text and "python -m analysis run lsavi" in text
    notice = index_page[: index_page.index('id="headline-findings"')]
    assert "2 programmes did not run successfully" in visible_text(notice)


def test_index_is_self_contained_and_says_when_it_was_built(index_page):
    assert non_embedded_resources(index_page) == []
    assert "<script" not in index_page.lower()
    assert "Updated" in index_page and "UTC" in index_page
    assert "abc123def456" in index_page, "run provenance: the code version"
    assert "2 tables, 12,757 rows" in visible_text(index_page), "run provenance: the inputs"
    assert "Synthetic data" in index_page


def test_forest_plot_has_one_panel_per_scale_with_alt_text(index_page):
    (image,) = parse(index_page).images
    assert image["src"].startswith("data:image/png;base64,")
    alt = image["alt"]
    # Headline findings with intervals: a rate ratio in each programme, and one in
    # percentage points; the median without an interval is left out.
    assert "3 estimates in 2 panels, one per scale" in alt
    assert "Incidents at participating premises: 0.810 (95% CI 0.720 to 0.910" in alt
    assert "Reoffending within 12 months: -4.20 (95% CI -7.90 to -0.500" in alt
    assert "Median days" not in alt


def test_built_only_from_findings_json(tmp_path):
    write_programme(tmp_path, "op_focus", "Operation Focus")
    for name in ("op_focus.html", "status.json"):
        (tmp_path / "op_focus" / name).unlink()
    page = build_index(tmp_path, expected=["op_focus"]).read_text()
    block = programme_block(page, "op_focus")
    assert "Incidents at participating premises" in block
    assert "op_focus.html" not in block, "no link to a report that does not exist"


def test_an_unreadable_programme_never_stops_the_index(tmp_path):
    write_programme(tmp_path, "op_focus", "Operation Focus")
    (tmp_path / "lsavi").mkdir()
    (tmp_path / "lsavi" / "findings.json").write_text("{not json")
    shutil.copy(tmp_path / "op_focus" / "status.json", tmp_path / "lsavi" / "status.json")
    page = build_index(tmp_path, expected=["op_focus", "lsavi"]).read_text()
    assert "Incidents at participating premises" in programme_block(page, "op_focus")
    assert "not valid JSON" in programme_block(page, "lsavi")


def test_missing_reports_folder_is_a_clear_error(tmp_path):
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="does not exist"):
        build_index(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"headline": "Drive: benefit-cost ratio 0.9 (0.5 to 1.4)."},
            ("", "Drive: benefit-cost ratio 0.9 (0.5 to 1.4)."),
        ),
        (
            {
                "components": [
                    {"benefit_cost_ratio": {"estimate": 2.0, "ci_low": 1.2, "ci_high": 3.1}}
                ]
            },
            ("Benefit-cost ratio 2.00 (95% interval 1.20 to 3.10)", ""),
        ),
    ],
)
def test_value_for_money_reads_the_vfm_block(block, expected):
    from analysis.reporting.index import _vfm_view

    view = _vfm_view({"value_for_money": block})
    assert view["ratio"] == expected[0]
    assert view["sentence"] == expected[1]
    assert _vfm_view({"findings": []}) is None


def test_the_forest_drawn_ahead_from_unpublished_reports_is_reused(tmp_path, monkeypatch):
    """The runner draws the figure while PDFs print; the index then only reuses it."""
    from analysis.reporting import index

    root, staging = tmp_path / "reports", tmp_path / "staging"
    write_programme(root, "op_focus", "Operation Focus")
    unpublished = write_programme(
        staging, "perpetrator_programmes", "Perpetrator programmes", record=perpetrator_record()
    )
    drawn = []
    draw = index._draw_forest
    monkeypatch.setattr(index, "_draw_forest", lambda rows: drawn.append(rows) or draw(rows))
    expected = ["op_focus", "perpetrator_programmes"]
    forest = index.prepare_forest(root, {"perpetrator_programmes": unpublished}, expected=expected)
    assert len(drawn) == 1 and {row["group"] for row in drawn[0]} == {
        "Operation Focus",
        "Perpetrator programmes",
    }
    shutil.move(unpublished, root / "perpetrator_programmes")  # published
    page = build_index(root, expected=expected, forest=forest).read_text()
    assert len(drawn) == 1, "drawn once"
    assert len(parse(page).images) == 1

    (root / "perpetrator_programmes" / "findings.json").unlink()  # other rows: drawn anew
    build_index(root, expected=expected, forest=forest)
    assert len(drawn) == 2
