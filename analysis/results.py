"""The results type every estimator returns, its typed families, and ``compare``.

Modelled on statsmodels' results objects: an estimate carries its effect, its
uncertainty, what it estimates, under which assumptions, and what went wrong,
and renders itself as a sentence, as HTML in a notebook and as a dict for
``findings.json``.

:class:`Estimate` is the serialisable core and the common interface
(``estimate``, ``interval``/``conf_int``, ``estimand``, ``assumptions``,
``diagnostics``). Each estimator family returns a subclass that names what sits in
its ``diagnostics``/``details``/``table`` (an event study's dynamic effects and
pre-trend test, a panel regression's clusters and small-sample convention) without
adding fields, so ``findings.json`` and every older attribute are unchanged:

- :class:`PanelRegressionResult`: :func:`analysis.methods.did`;
- :class:`EventStudyResult`: :func:`analysis.methods.event_study`;
- :class:`StaggeredResult`: :func:`analysis.methods.staggered_did`;
- :class:`PoissonPanelResult`: :func:`analysis.methods.poisson_etwfe`;
- :class:`DiscontinuityResult` and :class:`FuzzyDiscontinuityResult`:
  :func:`analysis.methods.rdd` and :func:`analysis.methods.fuzzy_rdd`;
- :class:`InterruptedTimeSeriesResult`: :func:`analysis.methods.its`;
- :class:`ComparativeTimeSeriesResult`: :func:`analysis.methods.comparative_its`;
- :class:`SyntheticDiDResult`: :func:`analysis.methods.synthetic_did`.

The survival families (``KaplanMeier``, ``CoxModel``, ``CumulativeIncidence``) live
beside their estimators in :mod:`analysis.methods.survival` and
:mod:`analysis.methods.competing_risks`, as they did before.

Checks that are not effects have their own types, derived from :class:`Diagnostic`
rather than :class:`Estimate`, so they carry no null value, no "significant" verdict and
no pretend interval: :class:`CovariateBalance` (:func:`analysis.methods.balance`) and
:class:`PropensityFit` (:func:`analysis.methods.propensity_score`).

Where an estimator's reported interval is not the Wald interval from ``se`` (a
discontinuity's robust bias-corrected interval, a fuzzy discontinuity's test inversion,
a survival share's log(-log) interval), the family's ``conf_int(level)`` rebuilds that
same construction at the new level.

:func:`compare` puts several designs' estimates of one estimand side by side (as
linearmodels' ``compare`` and pyfixest's ``etable`` do for models), as a table and,
with :func:`analysis.plots.plot_comparison`, a forest plot.
"""

from __future__ import annotations

import html
import math
import numbers
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, EstimationError

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


def log_log_interval(estimate: float, se: float, level: float) -> tuple[float, float]:
    """Interval for a probability in (0, 1) on the log(-log) scale, from its delta-method se.

    The transform the Kaplan-Meier and Aalen-Johansen curves use: ``p ** exp(+/- c * se /
    (p |log p|))``. At 0 or 1 the interval is the point, as the curves report it.
    """
    if not 0 < estimate < 1:
        return (estimate, estimate)
    critical = NormalDist().inv_cdf(0.5 + level / 2)
    spread = critical * se / (estimate * abs(math.log(estimate)))
    return (estimate ** math.exp(spread), estimate ** math.exp(-spread))


def check_level(level: Any) -> None:
    """Raise :class:`ConfigError` unless ``level`` is a confidence level in (0, 1)."""
    if not (isinstance(level, numbers.Real) and 0 < level < 1):
        raise ConfigError(f"conf_int: level must be between 0 and 1, not {level!r}.")


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

    # ------------------------------------------------------------------ common interface
    @property
    def estimate(self) -> float:
        """The point estimate (``effect``), on ``scale``."""
        return self.effect

    @property
    def interval(self) -> tuple[float, float]:
        """The reported interval ``(ci_low, ci_high)`` at ``conf_level``."""
        return (self.ci_low, self.ci_high)

    @property
    def degrees_of_freedom(self) -> float | None:
        """Degrees of freedom of the t reference distribution, or None for the normal.

        Read from ``diagnostics["df"]``, where estimators that use t intervals record it.
        """
        df = self.diagnostics.get("df")
        if isinstance(df, numbers.Real) and not isinstance(df, bool) and df > 0:
            return float(df)
        return None

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """Confidence interval at ``level`` (default: the reported ``conf_level``).

        At the reported level this is the reported interval, whatever built it
        (bootstrap, test inversion, an exact method). At another level it is the
        Wald interval from ``se``: ``effect +/- c * se``, or on ratio scales
        ``exp(log(effect) +/- c * se)``, with ``c`` from the t distribution when the
        estimator used one (``degrees_of_freedom``) and the normal otherwise.

        Raises
        ------
        ConfigError
            ``level`` outside (0, 1).
        EstimationError
            Another level was asked for but the estimate has no standard error.

        Examples
        --------
        >>> est = Estimate(2.0, 1.0, 3.0, 0.01, 50, "difference", "m", "e", se=0.5)
        >>> est.conf_int()
        (1.0, 3.0)
        >>> [round(v, 3) for v in est.conf_int(0.90)]
        [1.178, 2.822]
        """
        if level is None or math.isclose(level, self.conf_level, rel_tol=0, abs_tol=1e-12):
            return self.interval
        check_level(level)
        if self.se is None or not math.isfinite(self.se) or self.se < 0:
            raise EstimationError(
                f"conf_int: '{self.method}' reports no standard error, so its interval cannot "
                f"be rebuilt at level {level}. Fix: use the reported {self.conf_level:.0%} "
                "interval, or re-run the estimator with conf_level set."
            )
        df = self.degrees_of_freedom
        if df is None:
            critical = NormalDist().inv_cdf(0.5 + level / 2)
        else:
            from scipy import stats  # only when a t interval is rebuilt

            critical = float(stats.t.ppf(0.5 + level / 2, df))
        if self.scale in RATIO_SCALES:
            centre = math.log(self.effect)
            return (
                math.exp(centre - critical * self.se),
                math.exp(centre + critical * self.se),
            )
        return (self.effect - critical * self.se, self.effect + critical * self.se)

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


# ---------------------------------------------------------------------- typed families
# Each family names what its estimator leaves in diagnostics, details and table. None
# adds a field: the serialised form (to_dict, findings.json) is the Estimate's, and the
# older dictionary access keeps working.


@dataclass(frozen=True)
class PanelRegressionResult(Estimate):
    """A regression on a panel with absorbed unit and period effects (:func:`did`).

    Examples
    --------
    >>> est = PanelRegressionResult(1.0, 0.5, 1.5, 0.01, 40, "difference", "m", "e",
    ...     diagnostics={"small_sample": "nested", "n_clusters": 40, "df": 39})
    >>> est.small_sample, est.n_clusters, est.degrees_of_freedom
    ('nested', 40, 39.0)
    """

    @property
    def coefficients(self) -> pd.DataFrame | None:
        """Every coefficient: ``coef, se, ci_low, ci_high, p_value`` by term."""
        return self.table

    @property
    def inference(self) -> str | None:
        """``"cluster"``, ``"robust"`` or ``"wild"``."""
        return self.diagnostics.get("inference")

    @property
    def cluster(self) -> str | None:
        """The cluster column (None for robust standard errors)."""
        return self.diagnostics.get("cluster")

    @property
    def n_clusters(self) -> int | None:
        """Number of clusters (None for robust standard errors)."""
        return self.diagnostics.get("n_clusters")

    @property
    def small_sample(self) -> str | None:
        """How absorbed effects were counted in the clustered small-sample factor."""
        return self.diagnostics.get("small_sample")

    @property
    def covariance(self) -> str | None:
        """The covariance estimator and its small-sample factor, in words."""
        return self.diagnostics.get("covariance")


@dataclass(frozen=True)
class EventStudyResult(PanelRegressionResult):
    """Dynamic effects relative to the period before treatment (:func:`event_study`)."""

    @property
    def dynamic(self) -> pd.DataFrame | None:
        """``rel_time, coef, se, ci_low, ci_high``, the reference period included."""
        return self.details.get("dynamic")

    @property
    def pretrend_p_value(self) -> float | None:
        """p-value of the joint test that every pre-period coefficient is zero."""
        return self.diagnostics.get("pretrend_p_value")

    @property
    def pretrend_statistic(self) -> float | None:
        """The pre-trend test statistic (F)."""
        return self.diagnostics.get("pretrend_f")


@dataclass(frozen=True)
class StaggeredResult(Estimate):
    """Group-time effects aggregated over adoption cohorts (:func:`staggered_did`)."""

    @property
    def group_time(self) -> pd.DataFrame | None:
        """One row per cohort and period: ``att, se, ci_low, ci_high, n_treated, ...``."""
        return self.table

    @property
    def dynamic(self) -> pd.DataFrame | None:
        """Effects by time since adoption, with uniform bands."""
        return self.details.get("dynamic")

    @property
    def dynamic_vcov(self) -> pd.DataFrame | None:
        """Covariance of the effects by time since adoption."""
        return self.details.get("dynamic_vcov")

    @property
    def by_group(self) -> pd.DataFrame | None:
        """The effect for each adoption cohort."""
        return self.details.get("by_group")

    @property
    def pretrend_p_value(self) -> float | None:
        """p-value of the joint test of the pre-adoption event-time effects (None if none)."""
        return self.diagnostics.get("pretrend_p_value")


@dataclass(frozen=True)
class PoissonPanelResult(Estimate):
    """A rate ratio from a Poisson panel regression (:func:`poisson_etwfe`)."""

    @property
    def cells(self) -> pd.DataFrame | None:
        """Cohort-by-period log effects with their standard errors and event counts."""
        return self.table

    @property
    def log_ratio_se(self) -> float | None:
        """Standard error of the log rate ratio."""
        return self.se

    @property
    def pretrend_p_value(self) -> float | None:
        """p-value of the joint test of the lead terms (None when none were fitted)."""
        return self.diagnostics.get("pretrend_p_value")


@dataclass(frozen=True)
class DiscontinuityResult(Estimate):
    """A sharp regression discontinuity (:func:`analysis.methods.rdd`).

    ``effect`` and ``se`` are the conventional local-polynomial jump; the reported
    interval and p-value are robust bias-corrected (Calonico, Cattaneo and Titiunik),
    centred on :attr:`bias_corrected_effect` with :attr:`robust_se`, and so is the
    interval :meth:`conf_int` rebuilds at another level.

    Examples
    --------
    >>> est = DiscontinuityResult(0.30, 0.08, 0.50, 0.01, 900, "difference", "m", "e",
    ...     se=0.09, diagnostics={"bias_corrected_effect": 0.29, "robust_se": 0.107,
    ...                           "conventional_ci_low": 0.1236, "conventional_ci_high": 0.4764,
    ...                           "bandwidth": 0.4, "n_below_in_bandwidth": 210,
    ...                           "n_above_in_bandwidth": 190})
    >>> est.bandwidth, est.n_below, est.n_above
    (0.4, 210, 190)
    >>> [round(v, 3) for v in est.conf_int(0.90)]
    [0.114, 0.466]
    """

    @property
    def bandwidth(self) -> float | None:
        """Half-width of the window around the cutoff, in the running variable's units."""
        return self.diagnostics.get("bandwidth")

    @property
    def bias_bandwidth(self) -> float | None:
        """Bandwidth of the higher-order fit that estimates the bias."""
        return self.diagnostics.get("bandwidth_bias")

    @property
    def bandwidth_method(self) -> str | None:
        """How the bandwidth was chosen, in words."""
        return self.diagnostics.get("bandwidth_method")

    @property
    def kernel(self) -> str | None:
        """``"triangular"``, ``"uniform"`` or ``"epanechnikov"``."""
        return self.diagnostics.get("kernel")

    @property
    def polynomial(self) -> int | None:
        """Order of the local polynomial on each side."""
        return self.diagnostics.get("polynomial")

    @property
    def n_below(self) -> int | None:
        """Observations below the cutoff within the bandwidth."""
        return self.diagnostics.get("n_below_in_bandwidth")

    @property
    def n_above(self) -> int | None:
        """Observations at or above the cutoff within the bandwidth."""
        return self.diagnostics.get("n_above_in_bandwidth")

    @property
    def bias_corrected_effect(self) -> float | None:
        """The jump with its estimated leading bias removed (centre of the interval)."""
        return self.diagnostics.get("bias_corrected_effect")

    @property
    def robust_se(self) -> float | None:
        """Standard error of the bias-corrected jump, allowing for the bias estimate."""
        return self.diagnostics.get("robust_se")

    @property
    def conventional_interval(self) -> tuple[float, float] | None:
        """The conventional ``effect +/- z * se`` interval (too narrow near the cutoff)."""
        low = self.diagnostics.get("conventional_ci_low")
        high = self.diagnostics.get("conventional_ci_high")
        return None if low is None or high is None else (low, high)

    @property
    def density_p_value(self) -> float | None:
        """p-value of the test of a jump in the running variable's density (None if not run)."""
        return self.diagnostics.get("density_p_value")

    @property
    def density_test(self) -> dict[str, Any]:
        """The density (manipulation) test: its method and every ``density_*`` statistic."""
        return {
            key: value
            for key, value in self.diagnostics.items()
            if key.startswith("density_") or key == "density_test"
        }

    @property
    def cutoff(self) -> float | None:
        """The threshold of the running variable."""
        return self.details.get("cutoff")

    @property
    def bins(self) -> pd.DataFrame | None:
        """Binned means of the outcome each side of the cutoff (for the plot)."""
        return self.details.get("bins")

    @property
    def fit(self) -> pd.DataFrame | None:
        """The fitted local polynomials on a grid: ``x, fitted, side``."""
        return self.details.get("fit")

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """Robust bias-corrected interval at ``level`` (default: the reported one).

        Raises
        ------
        ConfigError
            ``level`` outside (0, 1).
        """
        if level is None or math.isclose(level, self.conf_level, rel_tol=0, abs_tol=1e-12):
            return self.interval
        check_level(level)
        centre, robust_se = self.bias_corrected_effect, self.robust_se
        conventional = self.conventional_interval
        if (
            centre is None
            or robust_se is None
            or conventional is None
            or not math.isclose(sum(conventional) / 2, self.effect, rel_tol=1e-9, abs_tol=1e-12)
        ):
            # Statistics dropped or the effect rescaled by a programme: they no longer
            # describe this effect, so the Wald interval from se is all that is left.
            return super().conf_int(level)
        critical = NormalDist().inv_cdf(0.5 + level / 2)
        return (centre - critical * robust_se, centre + critical * robust_se)


@dataclass(frozen=True)
class FuzzyDiscontinuityResult(DiscontinuityResult):
    """A fuzzy regression discontinuity (:func:`analysis.methods.fuzzy_rdd`).

    The effect is the ratio of two jumps at the cutoff, the outcome's (the reduced form)
    over the share treated's (the first stage); both are sharp results in ``details``.
    The interval inverts the robust bias-corrected test of each candidate effect
    (Anderson-Rubin style), and :meth:`conf_int` inverts it again at another level.
    """

    @property
    def first_stage(self) -> DiscontinuityResult | None:
        """The jump in the share treated at the cutoff, with its robust interval."""
        return self.details.get("first_stage")

    @property
    def reduced_form(self) -> DiscontinuityResult | None:
        """The jump in the outcome at the cutoff (the effect of crossing the threshold)."""
        return self.details.get("reduced_form")

    @property
    def share_treated_below(self) -> float | None:
        """Share treated just below the cutoff (within the bandwidth)."""
        return self.diagnostics.get("share_treated_below")

    @property
    def share_treated_above(self) -> float | None:
        """Share treated just above the cutoff (within the bandwidth)."""
        return self.diagnostics.get("share_treated_above")

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """Test-inversion interval at ``level`` (default: the reported one).

        Raises
        ------
        ConfigError
            ``level`` outside (0, 1).
        EstimationError
            At ``level`` the first stage is not clearly different from zero, so the set of
            effects the test accepts is unbounded.
        """
        if level is None or math.isclose(level, self.conf_level, rel_tol=0, abs_tol=1e-12):
            return self.interval
        check_level(level)
        reduced, first = self.reduced_form, self.first_stage
        covariance = self.details.get("robust_covariance")
        if (
            reduced is None
            or first is None
            or covariance is None
            or not math.isclose(reduced.effect / first.effect, self.effect, rel_tol=1e-9)
        ):
            # The jumps no longer describe this effect (a copy rescaled by a programme).
            return Estimate.conf_int(self, level)
        a_y, a_d = reduced.bias_corrected_effect, first.bias_corrected_effect
        v_y, v_d = reduced.robust_se**2, first.robust_se**2
        z2 = NormalDist().inv_cdf(0.5 + level / 2) ** 2
        # {b : (a_y - b a_d)^2 <= z^2 (v_y - 2 b c + b^2 v_d)}, as fuzzy_rdd solves it.
        quad_a = a_d**2 - z2 * v_d
        quad_b = -2 * (a_y * a_d - z2 * covariance)
        quad_c = a_y**2 - z2 * v_y
        if quad_a <= 0:
            raise EstimationError(
                f"conf_int: at level {level} the jump in the share treated is not clearly "
                "different from zero, so the interval for the effect is unbounded. Fix: use a "
                "lower level, or report the reduced form alone."
            )
        root = math.sqrt(max(quad_b**2 - 4 * quad_a * quad_c, 0.0))
        return ((-quad_b - root) / (2 * quad_a), (-quad_b + root) / (2 * quad_a))


@dataclass(frozen=True)
class _SegmentedRegression(Estimate):
    """What an interrupted and a comparative interrupted time series share."""

    @property
    def coefficients(self) -> pd.DataFrame | None:
        """Every coefficient: ``coef, se, ci_low, ci_high, p_value`` (and ``ratio``) by term."""
        return self.table

    @property
    def level_change(self) -> float:
        """The step at the intervention (``effect``: a ratio for counts, else a difference)."""
        return self.effect

    @property
    def family(self) -> str | None:
        """The regression family (``quasipoisson``, ``poisson``, ``negativebinomial``...)."""
        return self.diagnostics.get("family")

    @property
    def harmonics(self) -> int | None:
        """Number of Fourier pairs modelling seasonality (0: none)."""
        return self.diagnostics.get("harmonics")

    @property
    def seasonality(self) -> pd.DataFrame | None:
        """The Fourier terms' rows of the coefficient table (empty without seasonality)."""
        if self.table is None:
            return None
        return self.table[self.table.index.str.match(r"(sin|cos)\d+$")]

    @property
    def n_pre(self) -> int | None:
        """Months before the intervention."""
        return self.diagnostics.get("n_pre")

    @property
    def n_post(self) -> int | None:
        """Months from the intervention on."""
        return self.diagnostics.get("n_post")

    @property
    def dispersion(self) -> float | None:
        """Pearson dispersion (chi-square over residual degrees of freedom)."""
        return self.diagnostics.get("dispersion")

    @property
    def nb_alpha(self) -> float | None:
        """Negative binomial dispersion parameter (None for the other families)."""
        return self.diagnostics.get("nb_alpha")

    @property
    def fitted(self) -> pd.DataFrame | None:
        """``time, observed, fitted, counterfactual`` and its 95% band, for the plot."""
        return self.details.get("fitted")

    @property
    def intervention(self) -> pd.Timestamp | None:
        """The first month of the intervention."""
        return self.details.get("intervention")

    @property
    def degrees_of_freedom(self) -> float | None:
        """Residual degrees of freedom when the model's intervals use the t distribution."""
        model = self.details.get("model")
        if model is not None and getattr(model, "use_t", False):
            return float(model.df_resid)
        return super().degrees_of_freedom


@dataclass(frozen=True)
class InterruptedTimeSeriesResult(_SegmentedRegression):
    """A segmented regression of one series (:func:`analysis.methods.its`).

    Examples
    --------
    >>> est = InterruptedTimeSeriesResult(0.8, 0.7, 0.92, 0.002, 48, "rate ratio", "m", "e",
    ...     se=0.07, diagnostics={"ljung_box_p_value": 0.4, "durbin_watson": 1.9,
    ...                           "slope_change_per_year": 0.97, "harmonics": 2})
    >>> est.level_change, est.slope_change, est.autocorrelation["ljung_box_p_value"]
    (0.8, 0.97, 0.4)
    """

    @property
    def slope_change(self) -> float | None:
        """Change in the yearly trend from the intervention (a ratio for counts), or None."""
        return self.diagnostics.get("slope_change_per_year")

    @property
    def slope_change_interval(self) -> tuple[float, float] | None:
        """The slope change's interval at ``conf_level``, on the same scale, or None."""
        if self.table is None or "slope_change" not in self.table.index:
            return None
        row = self.table.loc["slope_change"]
        low, high = float(row["ci_low"]), float(row["ci_high"])
        if self.scale in RATIO_SCALES:
            return (math.exp(low), math.exp(high))
        return (low, high)

    @property
    def autocorrelation(self) -> dict[str, Any]:
        """Residual autocorrelation checks: Ljung-Box p and lags, Durbin-Watson, HAC lags."""
        return {
            key: self.diagnostics.get(key)
            for key in ("ljung_box_p_value", "ljung_box_lags", "durbin_watson", "hac_lags")
        }

    @property
    def covariance(self) -> str | None:
        """``"model-based"`` or the HAC (Newey-West) covariance used."""
        return self.diagnostics.get("covariance")

    @property
    def events(self) -> tuple[float, float] | None:
        """Events before and after the intervention (counts only)."""
        if "events_pre" not in self.diagnostics:
            return None
        return (self.diagnostics["events_pre"], self.diagnostics["events_post"])


@dataclass(frozen=True)
class ComparativeTimeSeriesResult(_SegmentedRegression):
    """The treated series against comparison series (:func:`analysis.methods.comparative_its`)."""

    @property
    def n_series(self) -> int | None:
        """Series in the model, the treated one included."""
        return self.diagnostics.get("n_series")

    @property
    def n_comparison_series(self) -> int | None:
        """Comparison series."""
        return self.diagnostics.get("n_comparison_series")


@dataclass(frozen=True)
class SyntheticDiDResult(Estimate):
    """Synthetic difference-in-differences (:func:`analysis.methods.synthetic_did`).

    Weights are per adoption cohort, keyed by the cohort's first treated period.
    """

    @property
    def unit_weights(self) -> dict[Any, pd.Series] | None:
        """Comparison units' weights (``omega``) per cohort."""
        return self.details.get("unit_weights")

    @property
    def time_weights(self) -> dict[Any, pd.Series] | None:
        """Pre-period weights (``lambda``) per cohort."""
        return self.details.get("time_weights")

    @property
    def cohorts(self) -> pd.DataFrame | None:
        """One row per cohort: ``start, n_treated, n_pre, n_post, effect, weight``."""
        return self.table

    @property
    def replicates(self) -> Any:
        """The jackknife or placebo estimates behind the standard error."""
        return self.details.get("replicates")

    @property
    def estimator(self) -> str | None:
        """``"sdid"``, ``"sc"`` or ``"did"``."""
        return self.diagnostics.get("estimator")

    @property
    def variance(self) -> str | None:
        """How the standard error was estimated."""
        return self.diagnostics.get("variance")

    @property
    def effective_comparison_units(self) -> float | None:
        """Smallest inverse Herfindahl index of the unit weights across cohorts."""
        return self.diagnostics.get("effective_comparison_units")


# ---------------------------------------------------------------------- diagnostics
# Checks on a design that are not effects: they have no null value, no verdict of
# "significant", and no place in compare(). Each used to be an Estimate; the balance
# summary had to pretend its largest difference was an effect with a zero-width interval.


@dataclass(frozen=True)
class Diagnostic:
    """A check on a design or its data that is not an effect (balance, a model's fit).

    Parameters
    ----------
    description : str
        What the check measures, in words.
    method : str
        How it was computed.
    n : int
        Units the check used.
    diagnostics : dict
        Its statistics (JSON-serialisable values), under the keys the evidence checks
        (:mod:`analysis.evidence.checks`) read.
    warnings : tuple of str
        What a reader must know.
    table : pandas.DataFrame or None
        The check's table (serialised as records).
    details : dict
        Objects for plots and further work; not serialised.
    conf_level : float
        Level of any interval the check reports.
    assumptions : tuple of str
        What the check's reading rests on.
    """

    description: str
    method: str
    n: int
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    table: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    details: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    conf_level: float = 0.95
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    def with_warning(self, message: str) -> Diagnostic:
        """Return a copy with one more warning."""
        return replace(self, warnings=(*self.warnings, message))

    def with_updates(self, **changes: Any) -> Diagnostic:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)

    def summary(self) -> str:
        """One sentence on what the check found."""
        return f"{self.description[:1].upper()}{self.description[1:]} (n = {self.n:,})."

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the fields (no details), the summary and the table as records."""
        out: dict[str, Any] = {"kind": type(self).__name__}
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
        parts = [f"<p>{esc(self.summary())}</p>"]
        if self.warnings:
            items = "".join(f"<li>{esc(w)}</li>" for w in self.warnings)
            parts.append(f"<p><strong>Warnings</strong></p><ul class='warnings'>{items}</ul>")
        if self.table is not None:
            parts.append(self.table.to_html(float_format=lambda v: format_number(v), border=0))
        return "<div class='analysis-diagnostic'>" + "".join(parts) + "</div>"

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True)
class CovariateBalance(Diagnostic):
    """Standardised mean differences before and after adjustment (:func:`balance`).

    ``table`` is indexed by covariate with ``smd_before, smd_after`` (and variance
    ratios and group means); ``diagnostics`` keeps ``max_abs_smd_before``,
    ``max_abs_smd_after``, ``n_imbalanced``, ``threshold`` and ``sd_denominator``, the
    keys :func:`analysis.evidence.checks.balance_check` reads.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"smd_before": [0.45, -0.3], "smd_after": [0.04, -0.12]},
    ...                      index=pd.Index(["age", "prior"], name="covariate"))
    >>> result = CovariateBalance("balance", "standardised mean differences", 200,
    ...     diagnostics={"max_abs_smd_before": 0.45, "max_abs_smd_after": 0.12,
    ...                  "n_imbalanced": 1, "threshold": 0.1}, table=table)
    >>> result.max_abs_after, result.imbalanced, result.worst_covariate, result.balanced
    (0.12, ['prior'], 'prior', False)
    """

    @property
    def standardised_differences(self) -> pd.DataFrame | None:
        """``smd_before`` and ``smd_after`` by covariate."""
        if self.table is None:
            return None
        return self.table[["smd_before", "smd_after"]]

    @property
    def max_abs_before(self) -> float | None:
        """Largest absolute standardised mean difference before adjustment."""
        return self.diagnostics.get("max_abs_smd_before")

    @property
    def max_abs_after(self) -> float | None:
        """Largest absolute standardised mean difference after adjustment."""
        return self.diagnostics.get("max_abs_smd_after")

    @property
    def threshold(self) -> float | None:
        """Largest absolute difference read as balanced (0.1 by convention)."""
        return self.diagnostics.get("threshold")

    @property
    def sd_denominator(self) -> str | None:
        """``"pooled"`` or ``"treated"``: the standard deviation the differences divide by."""
        return self.diagnostics.get("sd_denominator")

    @property
    def imbalanced(self) -> list[str]:
        """Covariates whose absolute difference after adjustment exceeds the threshold."""
        if self.table is None or self.threshold is None:
            return []
        return self.table.index[self.table["smd_after"].abs() > self.threshold].tolist()

    @property
    def worst_covariate(self) -> str | None:
        """The covariate with the largest absolute difference after adjustment."""
        if self.table is None or not len(self.table):
            return None
        return self.table["smd_after"].abs().idxmax()

    @property
    def balanced(self) -> bool:
        """Whether every covariate is within the threshold after adjustment."""
        return not self.imbalanced


@dataclass(frozen=True)
class PropensityFit(Diagnostic):
    """A fitted propensity model: how well it separates the groups (:func:`propensity_score`).

    The c-statistic (area under the ROC curve; 0.5 = the covariates do not predict
    treatment, 1 = no overlap at all) with DeLong's interval, the overlap of the score
    distributions, the effective sample sizes weighting by these scores would leave,
    the scores themselves and the logistic coefficients (``table``).
    """

    @property
    def c_statistic(self) -> float:
        """Area under the ROC curve of the scores for telling treated from untreated."""
        return self.diagnostics["c_statistic"]

    @property
    def c_statistic_se(self) -> float:
        """DeLong standard error of the c-statistic."""
        return self.diagnostics["c_statistic_se"]

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """DeLong interval of the c-statistic at ``level`` (default ``conf_level``), in [0, 1].

        Raises
        ------
        ConfigError
            ``level`` outside (0, 1).
        """
        level = self.conf_level if level is None else level
        check_level(level)
        critical = NormalDist().inv_cdf(0.5 + level / 2)
        auc, se = self.c_statistic, self.c_statistic_se
        return (max(0.0, auc - critical * se), min(1.0, auc + critical * se))

    @property
    def overlap(self) -> dict[str, Any]:
        """Score ranges by group and the shares of each group outside the other's range."""
        return {
            key: value
            for key, value in self.diagnostics.items()
            if key.startswith(("score_", "share_"))
        }

    @property
    def share_treated_outside_control_range(self) -> float:
        """Share of treated units whose score lies outside the comparison group's range."""
        return self.diagnostics["share_treated_outside_control_range"]

    @property
    def n_treated(self) -> int:
        """Treated units in the model."""
        return self.diagnostics["n_treated"]

    @property
    def n_control(self) -> int:
        """Comparison units in the model."""
        return self.diagnostics["n_control"]

    @property
    def scores(self) -> pd.Series:
        """Propensity scores aligned to the input data's index."""
        return self.details["scores"]

    @property
    def coefficients(self) -> pd.DataFrame | None:
        """The logistic coefficients: ``coef, se, odds_ratio, ci_low, ci_high, p_value``."""
        return self.table

    def effective_sample_size(self, estimand: str = "ATT") -> dict[str, float]:
        """Kish's effective sample size of each group weighted by these scores.

        ``"ATT"``: treated weight 1, comparison weight e/(1 - e); ``"ATE"``: 1/e and
        1/(1 - e), as :func:`analysis.methods.ipw` weights before any trimming.

        Raises
        ------
        ConfigError
            ``estimand`` not ``"ATT"`` or ``"ATE"``.
        """
        import numpy as np

        chosen = str(estimand).upper()
        if chosen not in ("ATT", "ATE"):
            raise ConfigError(f"estimand must be 'ATT' or 'ATE', got {estimand!r}.")
        treated = self.details["treated"].to_numpy(dtype=bool)
        e = self.scores.to_numpy(dtype=float)
        if chosen == "ATT":
            weights = np.where(treated, 1.0, e / (1 - e))
        else:
            weights = np.where(treated, 1 / e, 1 / (1 - e))
        sizes = {}
        for group, mask in (("treated", treated), ("control", ~treated)):
            total = weights[mask].sum()
            sizes[group] = float(total * total / (weights[mask] ** 2).sum())
        return sizes


# ---------------------------------------------------------------------- compare
_COMPARE_COLUMNS = [
    "method",
    "scale",
    "effect",
    "ci_low",
    "ci_high",
    "conf_level",
    "se",
    "p_value",
    "n",
    "warnings",
]


@dataclass(frozen=True)
class Comparison:
    """Several designs' estimates of one estimand, side by side (see :func:`compare`).

    Attributes
    ----------
    estimand : str
        The common question, in words.
    labels : tuple of str
        One label per design, in the order given.
    results : tuple of Estimate
        The estimates, in the same order.
    conf_level : float or None
        The common level every interval was put on, or None for each as reported.
    """

    estimand: str
    labels: tuple[str, ...]
    results: tuple[Estimate, ...]
    conf_level: float | None = None

    @property
    def table(self) -> pd.DataFrame:
        """One row per design: method, scale, effect, interval, level, se, p, n, warnings."""
        import pandas as pd

        rows = []
        for result in self.results:
            low, high = result.conf_int(self.conf_level)
            rows.append(
                {
                    "method": result.method,
                    "scale": result.scale,
                    "effect": result.effect,
                    "ci_low": low,
                    "ci_high": high,
                    "conf_level": self.conf_level or result.conf_level,
                    "se": result.se,
                    "p_value": result.p_value,
                    "n": result.n,
                    "warnings": len(result.warnings),
                }
            )
        frame = pd.DataFrame(rows, columns=_COMPARE_COLUMNS)
        frame.index = pd.Index(self.labels, name="design")
        return frame

    def forest_rows(self) -> pd.DataFrame:
        """The rows a forest plot needs: ``label, effect, ci_low, ci_high, scale``."""
        frame = self.table.reset_index().rename(columns={"design": "label"})
        return frame[["label", "effect", "ci_low", "ci_high", "scale"]]

    def summary(self) -> str:
        """One sentence: how many designs rule out no effect, and whether they agree.

        Designs agree in direction when every estimate on a scale lies on the same
        side of no effect; intervals overlap when some value lies in all of them.
        """
        parts = []
        scales = list(dict.fromkeys(r.scale for r in self.results))
        excluding = sum(r.significant for r in self.results)
        for scale in scales:
            members = [r for r in self.results if r.scale == scale]
            bounds = [r.conf_int(self.conf_level) for r in members]
            null = members[0].null_value
            signs = {(r.effect > null) - (r.effect < null) for r in members}
            overlap = max(b[0] for b in bounds) <= min(b[1] for b in bounds)
            direction = "agree in direction" if len(signs) == 1 else "disagree in direction"
            parts.append(
                f"on the {scale} scale the {len(members)} estimate(s) "
                f"({', '.join(format_number(r.effect) for r in members)}) {direction} and "
                f"their intervals {'share a common value' if overlap else 'do not all overlap'}"
            )
        estimand = self.estimand[:1].upper() + self.estimand[1:]
        return (
            f"{estimand}: {len(self.results)} designs, {excluding} of which rule out no "
            f"effect; " + "; ".join(parts) + "."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the estimand and one record per design."""
        records = self.table.reset_index().to_dict(orient="records")
        return {
            "estimand": self.estimand,
            "conf_level": self.conf_level,
            "designs": [{k: _plain(v) for k, v in row.items()} for row in records],
        }

    def _repr_html_(self) -> str:
        # Readers get the estimate, its interval and what it rests on; the standard error
        # (on the log scale for ratios) and the warning count stay in ``table``.
        table = self.table
        shown = table.reset_index()[["design", "method", "scale", "effect", "ci_low", "ci_high"]]
        shown["p-value"] = [format_p_value(p, missing="") for p in table["p_value"]]
        shown["n"] = [f"{n:,}" for n in table["n"]]
        levels = {f"{level:.0%}" for level in table["conf_level"]}
        interval = f"{levels.pop()} CI" if len(levels) == 1 else "CI"
        shown = shown.rename(
            columns={
                "design": "Design",
                "method": "Method",
                "scale": "Scale",
                "effect": "Effect",
                "ci_low": f"{interval} low",
                "ci_high": f"{interval} high",
            }
        )
        caption = html.escape(self.estimand[:1].upper() + self.estimand[1:])
        body = shown.to_html(
            index=False, float_format=lambda v: format_number(v), border=0, classes="comparison"
        )
        return f"<div class='analysis-comparison'><p><strong>{caption}</strong></p>{body}</div>"

    def __str__(self) -> str:
        return self.summary()


def compare(
    results: Mapping[str, Estimate] | Sequence[Estimate | tuple[str, Estimate]],
    *,
    estimand: str | None = None,
    conf_level: float | None = None,
) -> Comparison:
    """Put several designs' estimates of one estimand side by side.

    Parameters
    ----------
    results : mapping of label to Estimate, or sequence of Estimate or (label, Estimate)
        The designs, in the order to show them. Unlabelled estimates are labelled by
        their ``method``.
    estimand : str, optional
        The question they all answer, in words (default: the first result's estimand).
    conf_level : float, optional
        Put every interval on this level (see :meth:`Estimate.conf_int`); by default
        each keeps its reported interval, and the table's ``conf_level`` column says
        which level that is.

    Returns
    -------
    Comparison
        ``table`` (one row per design), ``summary()``, ``to_dict()`` and HTML for a
        notebook; :func:`analysis.plots.plot_comparison` draws it.

    Raises
    ------
    ConfigError
        Fewer than two results, a result that is not an Estimate, repeated labels, or a
        bad ``conf_level``.

    Examples
    --------
    >>> naive = Estimate(-0.9, -1.2, -0.6, 0.001, 120, "difference", "two-way FE", "effect")
    >>> staggered = Estimate(-0.5, -0.8, -0.2, 0.002, 120, "difference", "CS", "effect")
    >>> table = compare({"TWFE": naive, "Staggered": staggered}).table
    >>> list(table.index), list(table["effect"])
    (['TWFE', 'Staggered'], [-0.9, -0.5])
    """
    if isinstance(results, Mapping):
        pairs = [(str(label), result) for label, result in results.items()]
    elif isinstance(results, Estimate) or not isinstance(results, Sequence):
        raise ConfigError(
            "compare: pass several results, as a mapping of label to Estimate or a list of "
            f"Estimate or (label, Estimate) pairs, not a {type(results).__name__}."
        )
    else:
        pairs = []
        for i, item in enumerate(results):
            if isinstance(item, Estimate):
                pairs.append((item.method, item))
            elif isinstance(item, tuple) and len(item) == 2:
                pairs.append((str(item[0]), item[1]))
            else:
                raise ConfigError(
                    f"compare: item {i} is a {type(item).__name__}; pass an Estimate or a "
                    "(label, Estimate) pair."
                )
    for label, result in pairs:
        if not isinstance(result, Estimate):
            raise ConfigError(
                f"compare: '{label}' is a {type(result).__name__}, not an Estimate. Fix: pass "
                "the estimators' results."
            )
    if len(pairs) < 2:
        raise ConfigError(
            f"compare: {len(pairs)} result(s) given; a comparison needs at least two designs."
        )
    labels = [label for label, _ in pairs]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ConfigError(
            f"compare: label(s) {', '.join(map(repr, repeated))} appear more than once. Fix: "
            "pass a mapping of distinct labels to results."
        )
    if conf_level is not None and not (isinstance(conf_level, numbers.Real) and 0 < conf_level < 1):
        raise ConfigError(f"compare: conf_level must be between 0 and 1, not {conf_level!r}.")
    comparison = Comparison(
        estimand=estimand if estimand is not None else pairs[0][1].estimand,
        labels=tuple(labels),
        results=tuple(result for _, result in pairs),
        conf_level=conf_level,
    )
    comparison.table  # noqa: B018 - builds every interval now, so a bad level fails here
    return comparison
