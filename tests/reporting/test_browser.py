"""Reports and the scorecard as a reader's browser shows them (headless Chromium).

Every page is opened in Debian's Chromium: each figure must load and be visible,
the console must stay free of errors, nothing may be requested from outside the
page, and a full-page screenshot is saved. Pages come from a fixture notebook
built here, so the test does not depend on a previous run; when ``reports/``
holds a real run, that is checked too and its screenshots go to
``reports/screenshots/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.paths import REPORTS_DIR
from analysis.reporting import HeadlessChromium, build_index, find_chromium, render_report
from tests.reporting.builders import (
    FIGURE_PIXELS,
    executed_notebook,
    findings_record,
    write_programme,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        find_chromium() is None,
        reason="headless Chromium not found; install Debian's Chromium to run the browser "
        "test: apt-get install chromium",
    ),
]


@pytest.fixture(scope="module")
def browser():
    with HeadlessChromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def fixture_reports(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    for slug, title in (("op_focus", "Operation Focus"), ("lsavi", "lSaVI")):
        folder = write_programme(root, slug, title)
        render_report(
            executed_notebook(),
            findings_record(slug, title),
            folder / f"{slug}-analyst.html",
            include_code=True,
        )
    failed = root / "perpetrator_programmes"
    failed.mkdir()
    (failed / "status.json").write_text(
        json.dumps({"status": "failed", "error": "cell [3]: ValueError"})
    )
    render_report(executed_notebook(error=True), None, failed / "failed-run.html")
    build_index(root)
    return root


def pages_under(root: Path) -> list[Path]:
    pages = sorted(root.glob("*/*.html"))
    return [root / "index.html", *pages]


def assert_page_is_sound(check, *, expect_images: int | None = None) -> None:
    assert check.console_errors == [], f"{check.url}: console errors {check.console_errors}"
    assert check.requests == [], f"{check.url}: requested {check.requests}"
    assert check.broken_images == [], f"{check.url}: figures not shown {check.broken_images}"
    for image in check.images:
        assert image["width"] > 0 and image["height"] > 0
        assert image["alt"], f"{check.url}: a figure without alt text"
    if expect_images is not None:
        assert len(check.images) == expect_images, check.url
    assert check.screenshot is not None and check.screenshot.stat().st_size > 10_000


def test_every_fixture_page_renders_in_chromium(browser, fixture_reports, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    pages = pages_under(fixture_reports)
    assert len(pages) == 6, [p.name for p in pages]
    for page in pages:
        check = browser.check_page(page, screenshot=shots / f"{page.parent.name}-{page.stem}.png")
        if page.name == "index.html":
            assert check.title.startswith("Pilot programme evaluations")
            assert_page_is_sound(check)
            continue
        assert_page_is_sound(check, expect_images=2)
        # The figures arrive at their true size: decoded from the data URI, not a placeholder.
        sizes = {(img["natural_width"], img["natural_height"]) for img in check.images}
        assert sizes == {FIGURE_PIXELS}


def test_the_checker_catches_what_it_looks_for(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><title>bad</title>"
        '<img alt="remote" src="https://example.invalid/figure.png">'
        '<img alt="corrupt" src="data:image/png;base64,AAAA">'
        "<script>console.error('broken page')</script>"
    )
    check = browser.check_page(page, screenshot=tmp_path / "bad.png")
    assert any("broken page" in e for e in check.console_errors)
    assert "https://example.invalid/figure.png" in check.requests
    assert {img["alt"] for img in check.broken_images} == {"remote", "corrupt"}


def test_real_reports_render_in_chromium(browser):
    index = REPORTS_DIR / "index.html"
    if not index.exists():
        pytest.skip(f"no reports in {REPORTS_DIR}: run `make reports` to check a real run")
    shots = REPORTS_DIR / "screenshots"
    for page in pages_under(REPORTS_DIR):
        check = browser.check_page(page, screenshot=shots / f"{page.parent.name}-{page.stem}.png")
        assert_page_is_sound(check)
