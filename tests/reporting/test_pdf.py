"""PDF of a report: printed by Chromium where it is installed, skipped with a note where not."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

import analysis.reporting.browser as browser
from analysis.reporting import find_chromium, render_report, to_pdf
from tests.reporting.builders import executed_notebook, findings_record

#: A4 in PostScript points (210 x 297 mm).
A4_POINTS = (595.28, 841.89)


def test_without_chromium_there_is_no_pdf_and_a_note_saying_how_to_get_one(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><title>t</title><p>text</p>")
    with caplog.at_level(logging.INFO, logger="analysis.reporting"):
        assert to_pdf(page, tmp_path / "page.pdf") is None
    assert not (tmp_path / "page.pdf").exists()
    assert "apt-get install chromium" in caplog.text


def test_a_failing_chromium_costs_the_pdf_not_the_run(monkeypatch, tmp_path, caplog):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(browser, "find_chromium", lambda: str(fake))
    page = tmp_path / "page.html"
    page.write_text("<p>text</p>")
    with caplog.at_level(logging.WARNING, logger="analysis.reporting"):
        assert to_pdf(page, tmp_path / "page.pdf") is None
    assert "exited 3" in caplog.text and "cannot open display" in caplog.text
    assert list(tmp_path.glob("*.pdf*")) == [], "no partial file left behind"


@pytest.mark.browser
@pytest.mark.skipif(
    find_chromium() is None,
    reason="headless Chromium not found; install Debian's Chromium to test PDFs: "
    "apt-get install chromium",
)
def test_report_prints_to_a4_pdf(tmp_path):
    html = render_report(executed_notebook(), findings_record(), tmp_path / "toy.html")
    pdf = to_pdf(html, tmp_path / "out" / "toy.pdf")
    assert pdf == tmp_path / "out" / "toy.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages >= 2, "a report with findings, figures and provenance spans pages"
    width, height = (
        float(v) for v in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data).groups()
    )
    assert width == pytest.approx(A4_POINTS[0], abs=1.5)
    assert height == pytest.approx(A4_POINTS[1], abs=1.5)


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium not found")
def test_one_browser_prints_several_reports_side_by_side(tmp_path):
    from analysis.reporting import HeadlessChromium

    pages = []
    for name in ("first", "second", "third"):
        page = tmp_path / f"{name}.html"
        page.write_text(f"<!DOCTYPE html><title>{name}</title><p>{name} report</p>")
        pages.append(page)
    with HeadlessChromium() as chromium:
        jobs = [chromium.submit_pdf(page, tmp_path / "pdf" / f"{page.stem}.pdf") for page in pages]
        assert not all(job.done for job in jobs), "submitting does not wait for the print"
        chromium.pump()  # never blocks
        printed = [chromium.wait(job) for job in reversed(jobs)]
        with pytest.raises(browser.ChromiumError, match="could not open the page"):
            chromium.print_pdf(tmp_path / "missing.html", tmp_path / "missing.pdf")
        # The browser is still usable after a page that failed.
        again = chromium.print_pdf(pages[0], tmp_path / "again.pdf")
    assert [p.name for p in printed] == ["third.pdf", "second.pdf", "first.pdf"]
    for pdf in [*printed, again]:
        assert pdf.read_bytes().startswith(b"%PDF-")
    assert not list(tmp_path.rglob("*.partial")) and not (tmp_path / "missing.pdf").exists()


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium not found")
def test_tabs_opened_ahead_are_used_by_the_next_prints(tmp_path):
    from analysis.reporting import HeadlessChromium

    pages = []
    for name in ("first", "second"):
        page = tmp_path / f"{name}.html"
        page.write_text(f"<!DOCTYPE html><title>{name}</title><p>{name} report</p>")
        pages.append(page)
    with HeadlessChromium() as chromium:
        chromium.open_tabs(1)
        (spare,) = chromium._spare_tabs
        chromium.pump(timeout=0.5)  # about:blank's own load, before any print was asked for
        first = chromium.submit_pdf(pages[0], tmp_path / "first.pdf")
        assert first.target == spare[0] and not chromium._spare_tabs
        second = chromium.submit_pdf(pages[1], tmp_path / "second.pdf")  # none left: a new tab
        assert second.target != spare[0]
        printed = [chromium.wait(job) for job in (first, second)]
    for pdf, name in zip(printed, ("first", "second"), strict=True):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and pdf.name == f"{name}.pdf"
        assert f"/Title ({name})".encode() in data, "the page asked for, not the blank tab"


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium not found")
def test_pages_print_from_background_tabs_laid_out_for_print(tmp_path):
    """A print tab lays the page out for print from the start; a tab that checks a page does not."""
    from analysis.reporting import HeadlessChromium

    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><title>t</title><p>text</p>")

    def media(chromium, session):
        answer = chromium.send(
            "Runtime.evaluate",
            {"expression": "[matchMedia('print').matches, document.visibilityState]"},
            session,
        )
        return chromium.send(
            "Runtime.getProperties", {"objectId": answer["result"]["objectId"]}, session
        )["result"][:2]

    with HeadlessChromium() as chromium:
        chromium.open_tabs(1)
        (spare,) = chromium._spare_tabs
        printed, shown = media(chromium, spare[1]), None
        target, session = chromium._open(page.resolve().as_uri(), ("Page",))
        shown = media(chromium, session)
        chromium.print_pdf(page, tmp_path / "page.pdf")
    assert [p["value"]["value"] for p in printed] == [True, "hidden"]
    assert [p["value"]["value"] for p in shown] == [False, "visible"]
    assert (tmp_path / "page.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium not found")
def test_the_browser_loads_no_page_of_its_own_interface():
    """Only the blank start page: no hidden pages of the browser's own UI, each a renderer."""
    import time

    from analysis.reporting import HeadlessChromium

    with HeadlessChromium() as chromium:
        time.sleep(1.0)  # what the browser loads at start, it has loaded by now
        targets = chromium.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
    assert [t["url"] for t in targets if t["type"] not in ("page", "tab")] == []


def test_pump_returns_once_it_has_handled_what_arrived():
    """A print that finishes is seen at once, not after the rest of the wait."""
    import json
    import os
    import time

    from analysis.reporting import HeadlessChromium

    chromium = HeadlessChromium(executable="chromium-not-started")
    read_fd, write_fd = os.pipe()
    chromium._read_fd = read_fd
    try:
        event = {"method": "Page.loadEventFired", "sessionId": "s", "params": {}}
        os.write(write_fd, json.dumps(event).encode() + b"\0")
        started = time.monotonic()
        chromium.pump(timeout=10.0)
        assert time.monotonic() - started < 5.0, "pump waited on after handling a message"
        assert chromium._events == [event]
        started = time.monotonic()
        chromium.pump(timeout=0.2)  # nothing more: waits the timeout, then returns
        assert 0.15 < time.monotonic() - started < 5.0
    finally:
        os.close(read_fd)
        os.close(write_fd)


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium not found")
def test_a_browser_asked_to_close_soon_is_gone_when_the_block_ends(tmp_path):
    from analysis.reporting import HeadlessChromium

    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><title>t</title><p>text</p>")
    with HeadlessChromium() as chromium:
        chromium.print_pdf(page, tmp_path / "page.pdf")
        chromium.close_soon()
        chromium.close_soon()  # asking twice is harmless
        process = chromium._process
    assert process.poll() is not None, "the browser has exited"
    assert process.returncode == 0, "it closed in order, not killed"
    assert not browser._group_members(process.pid), "its helper processes have exited too"
    assert not Path(chromium._profile).exists(), "and its profile is gone"


def test_helpers_that_outlive_the_browser_are_waited_for_then_killed():
    import subprocess
    import time

    helper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        assert browser._group_members(helper.pid) == [helper.pid]
        started = time.monotonic()
        browser._wait_for_group(helper.pid, timeout=0.2)
        assert helper.wait(timeout=5) == -9, "killed once its time was up"
        assert time.monotonic() - started < 5
        assert browser._group_members(helper.pid) == []
    finally:
        helper.kill()
        helper.wait()
