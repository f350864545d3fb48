"""Fixtures for the reporting tests: reports built once per session from the builders."""

from __future__ import annotations

import pytest

from tests.reporting.builders import executed_notebook, findings_record


@pytest.fixture(scope="session")
def notebook():
    return executed_notebook()


@pytest.fixture(scope="session")
def reader_page(tmp_path_factory):
    from analysis.reporting import render_report

    out = tmp_path_factory.mktemp("report") / "toy.html"
    render_report(executed_notebook(), findings_record(), out)
    return out.read_text()


@pytest.fixture(scope="session")
def analyst_page(tmp_path_factory):
    from analysis.reporting import render_report

    out = tmp_path_factory.mktemp("report") / "toy-analyst.html"
    render_report(executed_notebook(), findings_record(), out, include_code=True)
    return out.read_text()
