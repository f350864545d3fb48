"""House style for every figure: palette, fonts, layout, title, source line, alt text.

The palette is the Government Analysis Function's accessible categorical
palette, in its recommended order, so that neighbouring series stay
distinguishable for readers with colour-vision deficiencies. Figures follow
the Analysis Function's chart guidance: a title that states the finding, a
source and notes line under the chart, no chart junk (no top/right spines, no
frame on legends, light gridlines on the value axis only), readable sans-serif
text, and alt text describing what is plotted.

Styling is applied through :func:`house_style`, a context manager around
``matplotlib.rc_context``, so creating a figure never changes the caller's
global matplotlib settings.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import matplotlib as mpl
from matplotlib import cycler
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..results import RATIO_SCALES, Estimate, format_number

#: Analysis Function categorical palette, in the order series should use it.
PALETTE: dict[str, str] = {
    "dark_blue": "#12436D",
    "turquoise": "#28A197",
    "dark_pink": "#801650",
    "orange": "#F46A25",
    "dark_grey": "#3D3D3D",
    "light_purple": "#A285D1",
}

#: The palette as a sequence (series colours, in order).
CATEGORICAL: tuple[str, ...] = tuple(PALETTE.values())

TEXT_COLOUR = "#0B0C0C"
SECONDARY_TEXT_COLOUR = "#505A5F"
GRID_COLOUR = "#D9D9D9"
AXIS_COLOUR = "#B1B4B6"
#: Light fill for intervals drawn as bands.
BAND_ALPHA = 0.18

#: Figure width in inches; about 770 CSS pixels at 96 dpi, a report column.
FIGURE_WIDTH = 8.0
TITLE_SIZE = 13.0
BASE_SIZE = 11.0
SMALL_SIZE = 10.0

#: Matplotlib settings applied inside :func:`house_style`.
RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans"],
    "font.size": BASE_SIZE,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.labelsize": BASE_SIZE,
    "axes.titlesize": BASE_SIZE,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.edgecolor": AXIS_COLOUR,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=list(CATEGORICAL)),
    "axes.facecolor": "white",
    "grid.color": GRID_COLOUR,
    "grid.linewidth": 0.8,
    "xtick.color": AXIS_COLOUR,
    "ytick.color": AXIS_COLOUR,
    "xtick.labelcolor": TEXT_COLOUR,
    "ytick.labelcolor": TEXT_COLOUR,
    "xtick.labelsize": SMALL_SIZE,
    "ytick.labelsize": SMALL_SIZE,
    "legend.frameon": False,
    "legend.fontsize": SMALL_SIZE,
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 144,
    "savefig.facecolor": "white",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}

#: Attribute of a Figure holding its :class:`FigureInfo`.
INFO_ATTRIBUTE = "_analysis_figure_info"

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style for the duration of a ``with`` block.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["font.size"]
    >>> with house_style():
    ...     mpl.rcParams["axes.spines.top"]
    False
    >>> mpl.rcParams["font.size"] == before
    True
    """
    with mpl.rc_context(RC):
        yield


def styled(function: F) -> F:
    """Decorate a figure function so that it runs inside :func:`house_style`."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with house_style():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass
class FigureInfo:
    """What a figure is, for captions, alt text and reports.

    Parameters
    ----------
    kind : str
        Figure kind ("its", "forest", ...).
    title : str
        The title, stating the finding.
    alt : str
        Alt text describing what is plotted.
    source : str or None
        Where the data come from.
    notes : list of str
        How to read the chart, suppression applied, and the caller's notes.
    footer : Text or None
        The source/notes text drawn under the chart.
    footer_fraction : float
        Share of the figure height kept for the footer.
    """

    kind: str
    title: str
    alt: str = ""
    source: str | None = None
    notes: list[str] = field(default_factory=list)
    footer: Text | None = None
    footer_fraction: float = 0.0

    @property
    def caption(self) -> str:
        """Source and notes as one plain-text paragraph."""
        return " ".join(footer_lines(self.source, self.notes))


def figure_info(fig: Figure) -> FigureInfo | None:
    """The :class:`FigureInfo` attached to a figure, or None for other figures."""
    return getattr(fig, INFO_ATTRIBUTE, None)


def new_figure(height: float, width: float = FIGURE_WIDTH) -> Figure:
    """A figure with constrained layout, outside pyplot's global registry.

    Figures are built with ``matplotlib.figure.Figure`` directly so that no
    figure is left open in pyplot's state when a batch run makes hundreds.
    """
    return Figure(figsize=(width, height), layout="constrained")


def footer_lines(source: str | None, notes: list[str]) -> list[str]:
    """The source and notes sentences shown under a chart."""
    lines = []
    if source:
        lines.append(f"Source: {source.strip().removeprefix('Source:').strip()}")
    text = " ".join(n.strip() for n in notes if n and n.strip())
    if text:
        lines.append(f"Notes: {text}")
    return lines


def finish(
    fig: Figure,
    *,
    kind: str,
    title: str,
    alt: str,
    source: str | None = None,
    notes: list[str] | None = None,
) -> Figure:
    """Add the title and the source/notes footer, attach the metadata and lay out.

    Called inside :func:`house_style` by every figure function.
    """
    width, height = fig.get_size_inches()
    title_chars = max(int(width * 72 / (TITLE_SIZE * 0.64)), 30)
    fig.suptitle(
        textwrap.fill(title, title_chars),
        x=0.01,
        ha="left",
        fontsize=TITLE_SIZE,
        fontweight="bold",
        color=TEXT_COLOUR,
    )
    info = FigureInfo(kind=kind, title=title, alt=alt, source=source, notes=list(notes or []))
    footer_chars = max(int(width * 72 / (SMALL_SIZE * 0.52)), 30)
    wrapped = [textwrap.fill(line, footer_chars) for line in footer_lines(source, info.notes)]
    if wrapped:
        text = "\n".join(wrapped)
        n_lines = text.count("\n") + 1
        # Keep a band at the bottom for the footer; constrained layout fills the rest.
        fraction = min((n_lines * SMALL_SIZE * 1.3 + 10) / (72 * height), 0.45)
        info.footer = fig.text(
            0.01,
            0.008,
            text,
            ha="left",
            va="bottom",
            fontsize=SMALL_SIZE,
            color=SECONDARY_TEXT_COLOUR,
            linespacing=1.3,
        )
        info.footer.set_in_layout(False)
        info.footer_fraction = fraction
        fig.get_layout_engine().set(rect=(0, fraction, 1, 1 - fraction))
    setattr(fig, INFO_ATTRIBUTE, info)
    fig.set_label(title)
    # Ticks are created lazily and copy their style from the first one: create that one
    # here, inside the house style, so a figure rendered later outside it looks the same.
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            _ = axis.majorTicks[0], axis.minorTicks[0]
    return fig


# --------------------------------------------------------------------------- words
def humanise(name: str | None, default: str = "the outcome") -> str:
    """A column name as words: ``"charge_rate"`` -> ``"charge rate"``.

    Examples
    --------
    >>> humanise("charge_rate"), humanise(""), humanise("DA incidents")
    ('charge rate', 'the outcome', 'DA incidents')
    """
    if not name:
        return default
    return name.replace("_", " ").strip()


def sentence_case(text: str) -> str:
    """Capitalise the first letter only.

    Examples
    --------
    >>> sentence_case("charge rate rose")
    'Charge rate rose'
    """
    return text[:1].upper() + text[1:]


def scale_label(scale: str) -> str:
    """Axis label for an effect scale, saying where "no effect" lies.

    Examples
    --------
    >>> scale_label("rate ratio")
    'Rate ratio (log scale; 1 = no difference)'
    >>> scale_label("percentage points")
    'Difference in percentage points (0 = no difference)'
    """
    if scale in RATIO_SCALES:
        return f"{sentence_case(scale)} (log scale; 1 = no difference)"
    if scale == "percentage points":
        return "Difference in percentage points (0 = no difference)"
    if scale == "proportion":
        return "Proportion"
    if scale == "difference":
        return "Difference (0 = no difference)"
    return f"Effect, {scale} (0 = no difference)"


def change_phrase(estimate: Estimate, up: str = "rose", down: str = "fell") -> str:
    """Verb for an estimate's direction, or "showed no clear change".

    Examples
    --------
    >>> change_phrase(Estimate(0.8, 0.7, 0.9, 0.01, 100, "rate ratio", "m", "e"))
    'fell'
    >>> change_phrase(Estimate(0.1, -0.2, 0.4, 0.5, 100, "difference", "m", "e"))
    'showed no clear change'
    """
    if not estimate.significant:
        return "showed no clear change"
    return up if estimate.effect > estimate.null_value else down


def interval_text(effect: float, low: float, high: float, conf_level: float = 0.95) -> str:
    """An effect and its interval as text.

    Examples
    --------
    >>> interval_text(0.8, 0.7, 0.92)
    '0.800 (95% CI 0.700 to 0.920)'
    """
    return (
        f"{format_number(effect)} ({conf_level:.0%} CI {format_number(low)} to "
        f"{format_number(high)})"
    )
