"""The one results type every estimator returns.

Modelled on statsmodels' results objects: an estimate carries its effect, its
uncertainty, what it estimates, under which assumptions, and what went wrong,
and renders itself as a sentence, as HTML in a notebook and as a dict for
``findings.json``.
"""

from __future__ import annotations

import html
import math
import sys
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Scales on which an effect of "no difference" is 1 rather than 0.
RATIO_SCALES = frozenset({"ratio", "rate ratio", "risk ratio", "odds ratio", "hazard ratio"})


def _plain(value: Any) -> Any:
    """Convert numpy scalars and non-finite floats to JSON-safe Python values."""
    # Only a process that has imported numpy can hold a numpy scalar: the scorecard,
    # which reads findings from JSON, never needs to import it.
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def format_number(value: float | None, digits: int = 3) -> str:
    """Format a number for prose: a fixed number of significant figures.

    Examples
    --------
    >>> format_number(0.123456)
    '0.123'
    >>> format_number(1234.5)
    '1,234'
    >>> format_number(None)
    'n/a'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    return f"{value:,.{decimals}f}"


def format_p_value(value: float | None, *, missing: str = "n/a") -> str:
    """Format a p-value: two significant figures, or ``< 0.001``; ``missing`` when there is none.

    The one p-value formatter: prose and results say ``n/a`` for a missing value,
    tables leave the cell blank (``missing=""``).

    Examples
    --------
    >>> format_p_value(0.0312), format_p_value(3.8e-19), format_p_value(None)
    ('0.031', '< 0.001', 'n/a')
    >>> format_p_value(0.5), format_p_value(float("nan"), missing="")
    ('0.50', '')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return missing
    if value < 0.001:
        return "< 0.001"
    return format_number(value, 2)


@dataclass(frozen=True)
class Estimate:
    """Result of an estimator: an effect with its uncertainty and its caveats.

    Parameters
    ----------
    effect : float
        Point estimate on ``scale``.
    se : float or None
        Standard error of ``effect`` (on the log scale for ratio scales, where
        intervals are built as ``exp(log(effect) +/- z * se)``).
    ci_low, ci_high : float
        Bounds of the confidence interval at ``conf_level``.
    p_value : float or None
        Two-sided p-value against no effect (0 on difference scales, 1 on
        ratio scales).
    n : int
        Units that informed the estimate (people, premises, crimes; see
        ``diagnostics['n_unit']`` where the unit is not obvious).
    scale : str
        ``"difference"``, ``"ratio"``, ``"rate ratio"``, ``"hazard ratio"``,
        ``"odds ratio"``, ``"proportion"``, ``"months"``...
    method : str
        Estimator, e.g. ``"two-way fixed effects difference-in-differences"``.
    estimand : str
        What is being estimated, in words (e.g. "average effect on the
        treated premises of signing up, in incidents per premises-month").
    assumptions : tuple of str
        Identifying and modelling assumptions the estimate rests on.
    diagnostics : dict
        Checks and fit statistics (JSON-serialisable values).
    warnings : tuple of str
        Anything a reader must know before trusting the number.
    table : pandas.DataFrame or None
        Coefficient table where the estimator has several coefficients.
    details : dict
        Objects for plots and further work that are not serialised (fitted
        series, curves, matched samples). Keys are documented per estimator.
    conf_level : float
        Confidence level of the interval.
    outcome : str
        Name of the outcome (for sentences).
    """

    effect: float
    ci_low: float
    ci_high: float
    p_value: float | None
    n: int
    scale: str
    method: str
    estimand: str
    se: float | None = None
    assumptions: tuple[str, ...] = ()
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    table: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    details: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    conf_level: float = 0.95
    outcome: str = ""

    def __post_init__(self) -> None:
        # Tuples keep the result immutable even when callers pass lists.
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    # ------------------------------------------------------------------ helpers
    @property
    def null_value(self) -> float:
        """Value of ``effect`` that means no effect (1 for ratios, 0 otherwise)."""
        return 1.0 if self.scale in RATIO_SCALES else 0.0

    @property
    def significant(self) -> bool:
        """Whether the interval excludes the null value."""
        return not (self.ci_low <= self.null_value <= self.ci_high)

    def with_warning(self, message: str) -> Estimate:
        """Return a copy with one more warning."""
        return replace(self, warnings=(*self.warnings, message))

    def with_updates(self, **changes: Any) -> Estimate:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ prose
    def describe_effect(self) -> str:
        """The effect and interval in words, on the estimate's own scale.

        Examples
        --------
        >>> Estimate(0.8, 0.7, 0.92, 0.002, 500, "rate ratio", "m", "e").describe_effect()
        'a rate ratio of 0.800 (95% CI 0.700 to 0.920), a 20% decrease'
        """
        level = f"{self.conf_level:.0%}"
        interval = f"({level} CI {format_number(self.ci_low)} to {format_number(self.ci_high)})"
        if self.scale in RATIO_SCALES:
            change = (self.effect - 1) * 100
            direction = "increase" if change > 0 else "decrease"
            return (
                f"a {self.scale} of {format_number(self.effect)} {interval}, "
                f"a {abs(change):.0f}% {direction}"
            )
        if self.scale == "proportion":
            return f"{self.effect:.1%} ({level} CI {self.ci_low:.1%} to {self.ci_high:.1%})"
        if self.scale == "percentage points":
            return (
                f"{self.effect:+.1f} percentage points ({level} CI {self.ci_low:+.1f} "
                f"to {self.ci_high:+.1f})"
            )
        return f"{format_number(self.effect)} on the {self.scale} scale {interval}"

    def summary(self) -> str:
        """One plain-English sentence: estimand, effect, interval and strength.

        Examples
        --------
        >>> est = Estimate(-0.12, -0.2, -0.04, 0.003, 120, "difference",
        ...                "difference-in-differences", "change in monthly incidents")
        >>> est.summary()  # doctest: +ELLIPSIS
        'Change in monthly incidents: -0.120 on the difference scale (95% CI -0.200 to ...); ...'
        """
        if self.significant:
            verdict = "the interval excludes no effect"
        else:
            verdict = "the interval includes no effect, so the data cannot rule it out"
        p_text = format_p_value(self.p_value)
        if self.p_value is None:
            p = ""
        else:
            p = f", p {p_text}" if p_text.startswith("<") else f", p = {p_text}"
        estimand = self.estimand[:1].upper() + self.estimand[1:]
        return f"{estimand}: {self.describe_effect()}; {verdict} (n = {self.n:,}{p})."

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no DataFrames of details; the table as records)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("details", "table"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            if isinstance(value, dict):
                value = {k: _plain(v) for k, v in value.items()}
            out[f.name] = _plain(value)
        out["summary"] = self.summary()
        if self.table is not None:
            records = self.table.reset_index().to_dict(orient="records")
            out["table"] = [{k: _plain(v) for k, v in row.items()} for row in records]
        return out

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = [
            ("Estimand", esc(self.estimand)),
            ("Method", esc(self.method)),
            ("Effect", esc(self.describe_effect())),
            ("p-value", esc(format_p_value(self.p_value))),
            ("n", f"{self.n:,}"),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows
        )
        parts = [f"<table class='estimate'>{body}</table>"]
        if self.assumptions:
            items = "".join(f"<li>{esc(a)}</li>" for a in self.assumptions)
            parts.append(f"<p><strong>Assumptions</strong></p><ul>{items}</ul>")
        if self.warnings:
            items = "".join(f"<li>{esc(w)}</li>" for w in self.warnings)
            parts.append(f"<p><strong>Warnings</strong></p><ul class='warnings'>{items}</ul>")
        if self.table is not None:
            parts.append(self.table.to_html(float_format=lambda v: format_number(v), border=0))
        return "<div class='analysis-estimate'>" + "".join(parts) + "</div>"

    def __str__(self) -> str:
        return self.summary()
