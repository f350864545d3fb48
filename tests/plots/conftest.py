"""Figure tests run headless (Agg) and share a check that no small count leaks into text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

from tests.plots.helpers import all_text, numbers_in


@pytest.fixture
def assert_no_small_counts():
    """Check that none of the given counts is written anywhere on or about a figure."""

    def check(fig: Figure, small: list[int]) -> None:
        leaked = sorted(set(small) & numbers_in(all_text(fig)))
        assert not leaked, f"small counts {leaked} appear in the figure's text"

    return check
