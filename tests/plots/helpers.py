"""Ways to read a figure back in the figure tests."""

from __future__ import annotations

import re

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis.plots import alt_text, figure_info


def artists(container: Artist, gid: str) -> list:
    """Every artist under ``container`` (a figure or axes) with this gid."""
    return list(container.findobj(lambda a: a.get_gid() == gid))


def one(container: Artist, gid: str):
    """The single artist with this gid."""
    found = artists(container, gid)
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def all_text(fig: Figure) -> list[str]:
    """Every piece of text a reader can see or hear: drawn text, alt text and caption."""
    fig.draw_without_rendering()
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    texts.append(alt_text(fig))
    info = figure_info(fig)
    if info is not None:
        texts.extend([info.title, info.caption])
    return texts


def numbers_in(texts: list[str]) -> set[int]:
    """Whole numbers written anywhere in the texts (thousands separators allowed)."""
    found = set()
    for text in texts:
        for token in re.findall(r"(?<![\d.])\d[\d,]*(?![\d.])", text):
            found.add(int(token.replace(",", "")))
    return found
