from __future__ import annotations

import base64
import contextlib
import re
import struct
import zlib

import matplotlib.pyplot as plt
import pytest

from analysis.plots import alt_text, figure_html, figure_info, figure_png, plot_funnel, show
from analysis.plots import display as display_module


def png_text_chunks(data: bytes) -> dict[str, str]:
    """tEXt chunks of a PNG, read with the PNG spec's chunk layout."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = {}, 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body)
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            chunks[key.decode("latin-1")] = value.decode("latin-1")
        position += 12 + length
    return chunks


@pytest.fixture
def captured(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    return shown


def test_show_displays_an_accessible_figure_and_closes_it(captured):
    fig = plt.figure()  # a pyplot figure, so closing is observable
    fig.add_subplot().plot([1, 2, 3])
    number = fig.number
    show(fig, alt='Line rising from 1 to 3 "steadily" & <evenly>.')
    assert not plt.fignum_exists(number)
    assert len(captured) == 1
    markup = captured[0].data
    assert markup.startswith("<figure") and markup.endswith("</figure>")
    match = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"', markup)
    assert match, markup[:200]
    assert base64.b64decode(match.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    # Quotes and angle brackets in alt text are escaped, never break the markup.
    assert match.group(2) == ("Line rising from 1 to 3 &quot;steadily&quot; &amp; &lt;evenly&gt;.")


def test_figure_html_puts_title_in_alt_and_source_notes_in_the_caption():
    fig = plot_funnel(
        {"Referred": 250, "Started": 120}, source="Case records", note="Synthetic data."
    )
    markup = figure_html(fig)
    alt = re.search(r'alt="([^"]*)"', markup).group(1)
    assert alt.startswith(figure_info(fig).title)
    assert "Horizontal bar chart" in alt
    caption = re.search(r"<figcaption>(.*)</figcaption>", markup).group(1)
    assert '<p class="figure-source">Source: Case records</p>' in caption
    assert "Synthetic data." in caption
    # The footer moves to the caption for HTML, and comes back for other uses.
    assert figure_info(fig).footer.get_visible()


def test_png_keeps_the_footer_unless_a_caption_shows_it():
    fig = plot_funnel({"Referred": 250, "Started": 120}, source="Case records")
    with_footer = figure_png(fig, dpi=50)
    without_footer = figure_png(fig, dpi=50, with_footer=False)
    assert with_footer != without_footer
    chunks = png_text_chunks(with_footer)
    assert chunks["Title"] == figure_info(fig).title
    assert chunks["Description"] == alt_text(fig)


def test_png_is_laid_out_once_with_the_same_pixels_as_savefig(monkeypatch):
    """figure_png runs the layout itself so savefig draws once; the pixels must not change."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    def make():
        return plot_funnel(
            {"Referred": 250, "Assessed": 180, "Started": 120}, source="Case records", note="n"
        )

    fig = make()
    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)
    draws = []
    original = type(fig).draw
    monkeypatch.setattr(type(fig), "draw", lambda self, r: (draws.append(r), original(self, r)))
    once = figure_png(fig, dpi=60)
    assert len(draws) == 1, "savefig drew the figure more than once"
    assert fig.get_layout_engine() is engine, "the figure keeps its layout engine"
    assert figure_png(fig, dpi=60) == once, "a second render gives the same image"
    monkeypatch.setattr(display_module, "_laid_out", lambda fig, dpi: contextlib.nullcontext())
    draws.clear()
    assert figure_png(make(), dpi=60) == once, "matplotlib's own two-pass save, same pixels"
    assert len(draws) == 2


def test_alt_text_round_trip_and_fallback():
    fig = plot_funnel({"Referred": 250, "Started": 120})
    assert alt_text(fig).startswith("Horizontal bar chart of a programme funnel with 2 stages")
    alt_text(fig, "  Two bars:   referred and started.  ")
    assert alt_text(fig) == "Two bars: referred and started."
    with pytest.raises(ValueError, match="empty"):
        alt_text(fig, "   ")
    plain = plt.figure()
    ax = plain.add_subplot()
    ax.set_title("Monthly incidents")
    ax.set_ylabel("Incidents")
    assert alt_text(plain) == "chart of Monthly incidents, Incidents."
    plt.close(plain)


def test_show_works_outside_a_notebook(capsys):
    fig = plot_funnel({"Referred": 250, "Started": 120})
    display_module.show(fig)
    assert "HTML object" in capsys.readouterr().out


def test_figures_left_as_a_cell_value_display_as_accessible_html(monkeypatch):
    from types import SimpleNamespace

    from matplotlib.figure import Figure

    from analysis.plots import register_notebook_display

    assert register_notebook_display() is False  # no kernel under pytest
    registered = {}
    formatter = SimpleNamespace(for_type=lambda kind, render: registered.update({kind: render}))
    shell = SimpleNamespace(display_formatter=SimpleNamespace(formatters={"text/html": formatter}))
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    assert register_notebook_display() is True
    render = registered[Figure]
    assert render(plot_funnel({"Referred": 250, "Started": 120})).startswith("<figure")
    # Figures made elsewhere keep IPython's usual rendering.
    assert render(Figure()) is None
