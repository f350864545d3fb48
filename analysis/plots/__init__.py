"""Figures in the house style, one function per kind, each returning a matplotlib Figure.

Every figure has a title that states the finding, a source and notes line, and
alt text describing what is plotted (read it with :func:`alt_text`). Small
counts are suppressed on every label (see :mod:`analysis.evidence.disclosure`).
In a notebook, display a figure with :func:`show`, which embeds it as an
accessible HTML ``<figure>`` and closes it (a figure left as a cell's last value
is displayed the same way).

- :func:`plot_its`: interrupted time series with the counterfactual.
- :func:`plot_event_study`: effects by period relative to treatment.
- :func:`plot_control_chart`: a series against control limits, signals marked.
- :func:`plot_forest`: several estimates, designs or programmes side by side.
- :func:`plot_comparison`: a :func:`analysis.results.compare` table as a forest plot.
- :func:`plot_kaplan_meier`: survival curves with a number-at-risk table.
- :func:`plot_balance`: covariate balance before and after adjustment (love plot).
- :func:`plot_funnel`: referral to start to completion.
- :func:`plot_funnel_areas`: areas against funnel plot control limits.
- :func:`plot_uptake`: uptake by group with Wilson intervals.
- :func:`plot_rdd`: regression discontinuity binned scatter with local fits.
"""

from .balance import plot_balance
from .control_chart import plot_control_chart
from .display import alt_text, figure_html, figure_png, register_notebook_display, show
from .forest import forest_rows, plot_comparison, plot_forest
from .funnel_areas import plot_funnel_areas
from .programme import plot_funnel, plot_uptake, wilson_interval
from .rdd import plot_rdd
from .run_chart import plot_run_chart
from .style import CATEGORICAL, PALETTE, FigureInfo, figure_info, house_style
from .survival import plot_kaplan_meier
from .timeseries import plot_event_study, plot_its

__all__ = [
    "CATEGORICAL",
    "PALETTE",
    "FigureInfo",
    "alt_text",
    "figure_html",
    "figure_info",
    "figure_png",
    "forest_rows",
    "house_style",
    "plot_balance",
    "plot_control_chart",
    "plot_comparison",
    "plot_event_study",
    "plot_forest",
    "plot_funnel",
    "plot_funnel_areas",
    "plot_its",
    "plot_kaplan_meier",
    "plot_rdd",
    "plot_run_chart",
    "plot_uptake",
    "show",
    "wilson_interval",
]

register_notebook_display()
