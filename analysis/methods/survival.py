"""Time-to-event analysis: Kaplan-Meier curves, the log-rank test and Cox regression.

Used for questions such as "how long from arrest to charge?" (pending outcomes
censored) and "how long until the first domestic-abuse reoffence?". Censoring
is handled properly throughout: a case still open at the extract date counts as
"at least this long", never as "never happened".

Kaplan-Meier intervals use Greenwood's variance on the log(-log) scale, and
medians Brookmeyer and Crowley's interval, as R's ``survfit`` and lifelines do.
The Cox model is fitted by Newton-Raphson on the Efron (default) or Breslow
partial likelihood. Tied event times are handled in one vectorised pass over
sorted data (cumulative sums over the risk sets, one row per event for Efron's
correction), so weekly or daily data with many ties costs O(n log n).

References
----------
Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete
observations. JASA 53:457-481.
Brookmeyer R, Crowley J (1982). A confidence interval for the median survival
time. Biometrics 38:29-41.
Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
Efron B (1977). The efficiency of Cox's likelihood function for censored data.
JASA 72:557-565.
Grambsch PM, Therneau TM (1994). Proportional hazards tests and diagnostics
based on weighted residuals. Biometrika 81:515-526.
Lin DY, Wei LJ (1989). The robust inference for the Cox proportional hazards
model. JASA 84:1074-1078.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import ConfigError, DataValidationError, EstimationError, Problem
from analysis.methods._formula import (
    binary_indicator,
    check_design,
    covariate_columns,
    design_matrix,
    require_columns,
    z_value,
)
from analysis.results import Estimate, check_level, format_number, log_log_interval

__all__ = ["CoxModel", "KaplanMeier", "cox", "kaplan_meier"]

#: Standardised Cox coefficient (log hazard ratio per SD) treated as divergent.
_DIVERGENT_COEFFICIENT = 20.0


# --------------------------------------------------------------------------- inputs
def _durations(data: pd.DataFrame, column: str, *, caller: str) -> np.ndarray:
    """Durations as floats (timedeltas in days), rejecting negative values by row."""
    values = data[column]
    if pd.api.types.is_timedelta64_dtype(values):
        array = values.dt.total_seconds().to_numpy(dtype=float) / 86_400
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        array = values.to_numpy(dtype=float)
    else:
        raise ConfigError(
            f"{caller}: duration column '{column}' must be numeric or a timedelta, "
            f"found dtype {values.dtype}."
        )
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        positions = np.flatnonzero(bad)
        raise DataValidationError(
            problems=[
                Problem(
                    table="data",
                    source=f"data passed to {caller}",
                    column=column,
                    message=f"{positions.size} negative or infinite duration(s)",
                    rows=tuple(int(p) + 2 for p in positions[:5]),
                    fix="check the start and end dates of these rows",
                    n_rows=int(positions.size),
                )
            ]
        )
    return array


# --------------------------------------------------------------------------- Kaplan-Meier
def _km_curve(duration: np.ndarray, event: np.ndarray, z: float) -> pd.DataFrame:
    """Kaplan-Meier step function with Greenwood log(-log) intervals, from time 0."""
    times, inverse = np.unique(duration, return_inverse=True)
    removed = np.bincount(inverse, minlength=times.size).astype(float)
    events = np.bincount(inverse, weights=event.astype(float), minlength=times.size)
    at_risk = duration.size - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    if times[0] > 0:
        times = np.concatenate([[0.0], times])
        removed = np.concatenate([[0.0], removed])
        events = np.concatenate([[0.0], events])
        at_risk = np.concatenate([[float(duration.size)], at_risk])
    survival = np.cumprod(1 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood's sum; a time where everyone at risk has the event adds 0, as in
        # lifelines (the curve is 0 from there on and so is its interval).
        term = events / (at_risk * (at_risk - events))
    term[~np.isfinite(term)] = 0.0
    greenwood = np.cumsum(term)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(survival)
        spread = z * np.sqrt(greenwood) / np.abs(log_s)
        low = survival ** np.exp(spread)
        high = survival ** np.exp(-spread)
    # S = 1 (no events yet): the interval is the point; S = 0: likewise.
    low = np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, low))
    high = np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, high))
    return pd.DataFrame(
        {
            "time": times,
            "survival": survival,
            "ci_low": low,
            "ci_high": high,
            "at_risk": at_risk.astype(np.int64),
            "events": events.astype(np.int64),
            "censored": (removed - events).astype(np.int64),
            "greenwood": greenwood,
        }
    )


def _first_time_at_or_below(times: np.ndarray, curve: np.ndarray, level: float) -> float:
    """First time the curve reaches ``level`` or lower (inf when it never does)."""
    below = np.flatnonzero(curve <= level)
    return float(times[below[0]]) if below.size else math.inf


def _median_with_interval(curve: pd.DataFrame) -> tuple[float, float, float]:
    times = curve["time"].to_numpy()
    median = _first_time_at_or_below(times, curve["survival"].to_numpy(), 0.5)
    # Brookmeyer-Crowley: the times whose pointwise interval contains 0.5 run from the
    # first time the lower limit reaches 0.5 to the first time the upper limit does.
    low = _first_time_at_or_below(times, curve["ci_low"].to_numpy(), 0.5)
    high = _first_time_at_or_below(times, curve["ci_high"].to_numpy(), 0.5)
    return median, low, high


def _nice_times(max_time: float, target: int = 5) -> np.ndarray:
    """Round time points from 0 to max_time for a numbers-at-risk table."""
    if max_time <= 0:
        return np.array([0.0])
    raw = max_time / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return np.arange(0, max_time + step * 1e-9, step)


def _log_rank(
    duration: np.ndarray, event: np.ndarray, codes: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Observed and expected events per group, their covariance, chi-square and p-value."""
    event_times = np.unique(duration[event])
    at_risk = np.zeros((n_groups, event_times.size))
    deaths = np.zeros((n_groups, event_times.size))
    for g in range(n_groups):
        in_group = codes == g
        sorted_durations = np.sort(duration[in_group])
        at_risk[g] = sorted_durations.size - np.searchsorted(sorted_durations, event_times)
        position = np.searchsorted(event_times, duration[in_group & event])
        deaths[g] = np.bincount(position, minlength=event_times.size)
    total_at_risk = at_risk.sum(axis=0)
    total_deaths = deaths.sum(axis=0)
    share = at_risk / total_at_risk
    observed = deaths.sum(axis=1)
    expected = (share * total_deaths).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(
            total_at_risk > 1,
            total_deaths * (total_at_risk - total_deaths) / (total_at_risk - 1),
            0.0,
        )
    covariance = _log_rank_covariance(factor, share)
    difference = (observed - expected)[:-1]
    reduced = covariance[:-1, :-1]
    statistic = float(difference @ np.linalg.pinv(reduced) @ difference)
    p_value = float(stats.chi2.sf(statistic, n_groups - 1))
    return observed, expected, covariance, statistic, p_value


def _log_rank_covariance(factor: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Hypergeometric covariance of the observed-minus-expected counts across groups."""
    weighted = share * factor
    return np.diag(weighted.sum(axis=1)) - weighted @ share.T


class KaplanMeier(Estimate):
    """Kaplan-Meier result: an :class:`Estimate` plus the curves.

    ``details["curves"]`` has one row per group and distinct time (from time
    0): ``group, time, survival, ci_low, ci_high, at_risk, events, censored``.
    ``details["risk_table"]`` gives numbers at risk at a few round times.
    """

    def survival_at(self, t: float | Sequence[float], group: Any = None) -> float | np.ndarray:
        """Estimated survival (share without the event) at time(s) ``t``.

        Parameters
        ----------
        t : float or sequence of float
            Time(s), in the duration's unit. Beyond the last observed time the
            last estimate is carried forward (it is not an extrapolation anyone
            should report).
        group : optional
            Group label; required when the curves are grouped.

        Examples
        --------
        >>> frame = pd.DataFrame({"days": [1, 2, 2, 3, 5], "charged": [1, 1, 0, 1, 0]})
        >>> km = kaplan_meier(frame, duration="days", event="charged")
        >>> km.survival_at(2.5), km.survival_at([0, 4])
        (0.6, array([1. , 0.3]))
        """
        return step_curve_at(
            self.details["curves"], "survival", t, group, before=1.0, caller="survival_at"
        )

    def summary(self) -> str:
        """One sentence: the hazard ratio and log-rank test, or the median time.

        Examples
        --------
        >>> frame = pd.DataFrame({"days": [1, 2, 2, 3, 5], "charged": [1, 1, 0, 1, 0]})
        >>> kaplan_meier(frame, duration="days", event="charged").summary()
        'Median time to charged: 3.00 days (95% CI 1.00 to n/a; n = 5, 3 events).'
        """
        if self.scale == "hazard ratio":
            return super().summary()
        events = self.diagnostics["n_events"]
        if self.scale == "proportion":
            text = self.describe_effect()
        else:
            text = (
                f"{format_number(self.effect)} {self.scale} ({self.conf_level:.0%} CI "
                f"{format_number(self.ci_low)} to {format_number(self.ci_high)}"
            )
            estimand = self.estimand[:1].upper() + self.estimand[1:]
            return f"{estimand}: {text}; n = {self.n:,}, {events:,} events)."
        estimand = self.estimand[:1].upper() + self.estimand[1:]
        return f"{estimand}: {text} (n = {self.n:,}, {events:,} events)."

    @property
    def median(self) -> dict[Any, float | None]:
        """Median time to event per group (None where survival never falls to 50%)."""
        return {
            group: (None if math.isinf(value) else value)
            for group, value in self.details["medians"].items()
        }

    @property
    def curves(self) -> pd.DataFrame:
        """``group, time, survival, ci_low, ci_high, at_risk, events, censored``."""
        return self.details["curves"]

    @property
    def risk_table(self) -> pd.DataFrame:
        """Numbers at risk per group at a few round times."""
        return self.details["risk_table"]

    @property
    def median_interval(self) -> dict[Any, tuple[float, float]]:
        """Brookmeyer-Crowley interval of the median per group (inf: not reached)."""
        return self.details["median_ci"]

    @property
    def n_events(self) -> int:
        """Rows with the event."""
        return self.diagnostics["n_events"]

    @property
    def n_censored(self) -> int:
        """Rows censored before the event."""
        return self.diagnostics["n_censored"]

    @property
    def log_rank_p_value(self) -> float | None:
        """p-value of the log-rank test across groups (None for one group)."""
        return self.diagnostics.get("log_rank_p_value")

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """Interval at ``level``: a share on the log(-log) scale, as the curve's interval.

        A hazard ratio's interval is rebuilt on the log scale and a median time has
        none at another level (see :meth:`Estimate.conf_int`).

        Examples
        --------
        >>> frame = pd.DataFrame({"days": [1, 2, 3, 4, 5, 6], "charged": [1, 0, 1, 0, 0, 0]})
        >>> km = kaplan_meier(frame, duration="days", event="charged")
        >>> [round(v, 3) for v in km.conf_int(0.90)]
        [0.212, 0.867]
        """
        if self.scale != "proportion":
            return super().conf_int(level)
        if level is None or math.isclose(level, self.conf_level, rel_tol=0, abs_tol=1e-12):
            return self.interval
        check_level(level)
        return log_log_interval(self.effect, self.se, level)


def kaplan_meier(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    group: str | None = None,
    conf_level: float = 0.95,
    time_unit: str = "days",
    reference: Any = None,
) -> KaplanMeier:
    """Kaplan-Meier survival curves, median times and (with groups) the log-rank test.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person or case.
    duration : str
        Time from the start (e.g. arrest) to the event or to censoring;
        numeric (in ``time_unit``) or timedelta (converted to days).
    event : str
        1/True when the event happened (e.g. charged), 0/False when censored.
    group : str, optional
        Column defining groups to compare (e.g. a programme indicator).
    conf_level : float, default 0.95
        Confidence level of the pointwise and median intervals.
    time_unit : str, default "days"
        Unit of ``duration``, used as the scale of a median.
    reference : optional
        Reference group for hazard ratios; default the first in sorted order
        (0 or False for an indicator).

    Returns
    -------
    KaplanMeier
        With two groups, ``effect`` is the log-rank hazard ratio
        (O1/E1)/(O0/E0) of the other group against the reference, with
        interval exp(log HR +/- z sqrt(1/E1 + 1/E0)), and ``p_value`` the
        log-rank test. With more groups, ``effect`` is the first non-reference
        group's ratio and ``p_value`` the global log-rank test (``table`` has
        every group). With one group, ``effect`` is the median time with its
        Brookmeyer-Crowley interval on the ``time_unit`` scale; if fewer than
        half have the event, it is the survival at the last observed time
        instead (scale ``"proportion"``) and a warning says so.
        ``survival_at(t, group)``, ``median`` (dict per group; None when not
        reached), ``details["curves"]`` and ``details["risk_table"]``.

    Raises
    ------
    EstimationError
        No events at all.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "days": [5, 8, 12, 20, 25, 30, 3, 4, 6, 9, 10, 15],
    ...     "charged": [1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1],
    ...     "focus": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    ... })
    >>> km = kaplan_meier(frame, duration="days", event="charged", group="focus")
    >>> km.median
    {0: 6.0, 1: 20.0}
    >>> km.scale, round(km.effect, 2)
    ('hazard ratio', 0.34)
    """
    caller = "kaplan_meier"
    z = z_value(conf_level)
    columns = [duration, event] + ([group] if group is not None else [])
    require_columns(data, columns, caller=caller)
    durations = _durations(data, duration, caller=caller)
    events = binary_indicator(data, event, caller=caller)
    if not events.any():
        raise EstimationError(
            f"kaplan_meier: no row has {event} = 1, so survival is 100% throughout and there "
            "is nothing to estimate; report the numbers followed and their follow-up instead."
        )
    if group is None:
        labels = np.array(["all"], dtype=object)
        codes = np.zeros(durations.size, dtype=np.int64)
    else:
        codes_raw, labels = pd.factorize(data[group], sort=True)
        codes = np.asarray(codes_raw, dtype=np.int64)
        labels = np.asarray(labels, dtype=object)
    labels = [label.item() if isinstance(label, np.generic) else label for label in labels]

    curves, medians, median_cis, warnings = [], {}, {}, []
    for g, label in enumerate(labels):
        in_group = codes == g
        curve = _km_curve(durations[in_group], events[in_group], z)
        curve.insert(0, "group", [label] * len(curve))
        curves.append(curve)
        median, low, high = _median_with_interval(curve)
        medians[label], median_cis[label] = median, (low, high)
        if math.isinf(median):
            warnings.append(
                f"Median not reached{'' if group is None else f' for {group} = {label}'}: "
                f"survival stays above 50% to the last time observed "
                f"({format_number(float(curve['time'].iloc[-1]))} {time_unit})."
            )
    curves_frame = pd.concat(curves, ignore_index=True)
    risk_times = _nice_times(float(durations.max()))
    risk_table = pd.DataFrame(
        {
            float(t): [int(np.sum(durations[codes == g] >= t)) for g in range(len(labels))]
            for t in risk_times
        },
        index=pd.Index(labels, name="group"),
    )
    details: dict[str, Any] = {
        "curves": curves_frame.drop(columns="greenwood"),
        "risk_table": risk_table,
        "medians": medians,
        "median_ci": median_cis,
    }
    diagnostics: dict[str, Any] = {
        "n_events": int(events.sum()),
        "n_censored": int((~events).sum()),
        "time_unit": time_unit,
        "interval": "Greenwood variance, log(-log) transform; median: Brookmeyer-Crowley",
    }
    table = pd.DataFrame(
        {
            "n": [int(np.sum(codes == g)) for g in range(len(labels))],
            "events": [int(np.sum(events[codes == g])) for g in range(len(labels))],
            "median": [medians[label] for label in labels],
            "median_ci_low": [median_cis[label][0] for label in labels],
            "median_ci_high": [median_cis[label][1] for label in labels],
        },
        index=pd.Index(labels, name="group"),
    )
    assumptions = [
        "Censoring is independent of the event: cases still open at the extract date would "
        "have the same prospects as those followed to the event.",
    ]

    if len(labels) == 1:
        label = labels[0]
        median, (low, high) = medians[label], median_cis[label]
        if math.isinf(median):
            curve = curves[0]
            last = curve.iloc[-1]
            effect, ci_low, ci_high = (
                float(last["survival"]),
                float(last["ci_low"]),
                float(last["ci_high"]),
            )
            scale = "proportion"
            estimand = (
                f"share without {event} at {format_number(float(last['time']))} {time_unit} "
                "(median not reached)"
            )
            se = float(last["survival"]) * math.sqrt(float(last["greenwood"]))
        else:
            effect, ci_low, ci_high = median, low, high
            scale = time_unit
            estimand = f"median time to {event}"
            se = None
            if math.isinf(high):
                warnings.append(
                    "The upper limit of the median's interval is not reached (reported as "
                    "infinite): follow-up is too short to bound it."
                )
        p_value = None
        method = "Kaplan-Meier estimator"
    else:
        if group is not None and reference is not None and reference not in labels:
            raise ConfigError(f"kaplan_meier: reference {reference!r} is not a group of {group}.")
        reference_label = labels[0] if reference is None else reference
        order = [labels.index(reference_label)] + [
            g for g in range(len(labels)) if labels[g] != reference_label
        ]
        remap = np.empty(len(labels), dtype=np.int64)
        remap[order] = np.arange(len(labels))
        observed, expected, _, statistic, p_value = _log_rank(
            durations, events, remap[codes], len(labels)
        )
        ratios, ratio_low, ratio_high = [], [], []
        corrected = False
        for position in range(len(labels)):
            o1, e1 = observed[position], expected[position]
            o0, e0 = observed[0], expected[0]
            if position == 0:
                ratios.append(1.0)
                ratio_low.append(np.nan)
                ratio_high.append(np.nan)
                continue
            if min(o1, o0) == 0:
                corrected = True
                o1, o0 = o1 + 0.5, o0 + 0.5
            ratio = (o1 / e1) / (o0 / e0)
            se_log = math.sqrt(1 / e1 + 1 / e0)
            ratios.append(ratio)
            ratio_low.append(ratio * math.exp(-z * se_log))
            ratio_high.append(ratio * math.exp(z * se_log))
        if corrected:
            warnings.append(
                "A group has no events: 0.5 was added to the observed counts to give a finite "
                "hazard ratio; treat it as indicative (the log-rank p-value is unaffected)."
            )
        ordered_labels = [labels[g] for g in order]
        by_position = {label: i for i, label in enumerate(ordered_labels)}
        table["observed"] = [observed[by_position[label]] for label in labels]
        table["expected"] = [expected[by_position[label]] for label in labels]
        table["hazard_ratio"] = [ratios[by_position[label]] for label in labels]
        table["hr_ci_low"] = [ratio_low[by_position[label]] for label in labels]
        table["hr_ci_high"] = [ratio_high[by_position[label]] for label in labels]
        comparison = ordered_labels[1]
        effect, ci_low, ci_high = ratios[1], ratio_low[1], ratio_high[1]
        se = math.sqrt(1 / expected[1] + 1 / expected[0])
        scale = "hazard ratio"
        estimand = (
            f"hazard ratio of {event} for {group} = {comparison} against {group} = "
            f"{reference_label} (log-rank O/E ratio)"
        )
        method = "Kaplan-Meier estimator with log-rank test"
        diagnostics.update(
            {
                "log_rank_statistic": statistic,
                "log_rank_df": len(labels) - 1,
                "log_rank_p_value": p_value,
                "reference_group": str(reference_label),
            }
        )
        if len(labels) > 2:
            warnings.append(
                f"{len(labels)} groups: the effect shown is {group} = {comparison} against the "
                "reference and the p-value is the global log-rank test; see the table for all."
            )
        assumptions.append(
            "The log-rank hazard ratio summarises a constant ratio of hazards over time "
            "(proportional hazards); crossing curves make it misleading."
        )
    return KaplanMeier(
        effect=float(effect),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=p_value,
        n=int(durations.size),
        scale=scale,
        method=method,
        estimand=estimand,
        se=se,
        assumptions=tuple(assumptions),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details=details,
        conf_level=conf_level,
        outcome=event,
    )


# --------------------------------------------------------------------------- Cox regression
def _column_bincount(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of each column of ``values`` by ``index`` (a bincount per column)."""
    return np.column_stack(
        [np.bincount(index, weights=values[:, j], minlength=size) for j in range(values.shape[1])]
    )


class _CoxStratum:
    """One stratum's data and the index structures the likelihood reuses.

    Risk-set sums are built from totals per distinct time (a bincount) and a
    reverse cumulative sum over the distinct times, so no sort of the rows is
    needed and weekly data with a hundred distinct times costs a few passes.
    """

    def __init__(self, x: np.ndarray, time: np.ndarray, event: np.ndarray):
        self.x = x
        distinct_times, self.time_index = np.unique(time, return_inverse=True)
        self.n_times = distinct_times.size
        events = np.flatnonzero(event)
        self.event_times, slot, tie_counts = np.unique(
            time[events], return_inverse=True, return_counts=True
        )
        order = np.argsort(slot, kind="stable")
        self.event_positions = events[order]
        self.event_slot = slot[order]
        self.n_event_times = self.event_times.size
        self.tie_counts = tie_counts
        self.event_time_position = np.searchsorted(distinct_times, self.event_times)
        # Efron: the l-th of d tied events (l = 0..d-1) sees l/d of the tied risk removed.
        within = np.arange(events.size) - np.repeat(np.cumsum(tie_counts) - tie_counts, tie_counts)
        self.efron_fraction = within / np.repeat(tie_counts, tie_counts)
        # How many event times each unit is at risk for (those at or before its own time).
        self.n_times_at_risk = np.searchsorted(self.event_times, time, side="right")
        self.time_of_event = time[self.event_positions]
        self.event_x = x[self.event_positions]
        self.event_x_total = self.event_x.sum(axis=0)

    def terms(
        self, beta: np.ndarray, ties: str
    ) -> tuple[float, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Log partial likelihood, gradient, information matrix and per-event pieces."""
        x = self.x
        eta = x @ beta
        shift = eta.max()
        # The partial likelihood ignores a common shift, which keeps exp() in range.
        risk = np.exp(eta - shift)
        risk_x = risk[:, None] * x
        s0_by_time = np.bincount(self.time_index, weights=risk, minlength=self.n_times)
        s1_by_time = _column_bincount(self.time_index, risk_x, self.n_times)
        s0 = np.cumsum(s0_by_time[::-1])[::-1][self.event_time_position]
        s1 = np.cumsum(s1_by_time[::-1], axis=0)[::-1][self.event_time_position]
        events, slot = self.event_positions, self.event_slot
        event_risk = risk[events]
        tie_s0 = np.bincount(slot, weights=event_risk, minlength=self.n_event_times)
        tie_s1 = _column_bincount(slot, event_risk[:, None] * self.event_x, self.n_event_times)
        fraction = self.efron_fraction if ties == "efron" else np.zeros(events.size)
        denominator = s0[slot] - fraction * tie_s0[slot]
        numerator = s1[slot] - fraction[:, None] * tie_s1[slot]
        mean_x = numerator / denominator[:, None]
        loglik = float(eta[events].sum() - shift * events.size - np.log(denominator).sum())
        gradient = self.event_x_total - mean_x.sum(axis=0)
        # Sum over event rows of S2/D, rearranged as a weighted cross-product over units:
        # unit j enters S2(t) for every event time t <= its own time.
        inverse_d = np.bincount(slot, weights=1 / denominator, minlength=self.n_event_times)
        fraction_d = np.bincount(slot, weights=fraction / denominator, minlength=self.n_event_times)
        cumulative = np.concatenate([[0.0], np.cumsum(inverse_d)])[self.n_times_at_risk]
        unit_weight = risk * cumulative
        unit_weight[events] -= event_risk * fraction_d[slot]
        information = (x * unit_weight[:, None]).T @ x - mean_x.T @ mean_x
        return loglik, gradient, information, {"mean_x": mean_x}

    def score_residuals(self, beta: np.ndarray, ties: str) -> np.ndarray:
        """Each unit's contribution to the score at ``beta`` (one row per unit).

        Unit j contributes its event term ``x_j - mean`` at its own event time
        and, at every event time it is at risk for, ``-r_j (x_j - mean_e) / D_e``
        per Efron term e, weighted ``1 - l/d`` where j is itself the l-th of d
        tied events (Breslow: weight 1). These are the score residuals of R's
        ``coxph``; summed over a cluster they give the Lin-Wei sandwich.
        """
        x = self.x
        _, _, _, pieces = self.terms(beta, ties)
        mean_x = pieces["mean_x"]
        eta = x @ beta
        # The same common shift as in terms(): risk / denominator is unchanged by it.
        risk = np.exp(eta - eta.max())
        events, slot = self.event_positions, self.event_slot
        s0_by_time = np.bincount(self.time_index, weights=risk, minlength=self.n_times)
        s0 = np.cumsum(s0_by_time[::-1])[::-1][self.event_time_position]
        tie_s0 = np.bincount(slot, weights=risk[events], minlength=self.n_event_times)
        fraction = self.efron_fraction if ties == "efron" else np.zeros(events.size)
        denominator = s0[slot] - fraction * tie_s0[slot]
        residuals = np.zeros_like(x)
        slot_mean = _column_bincount(slot, mean_x, self.n_event_times)
        slot_mean /= self.tie_counts[:, None]
        residuals[events] += self.event_x - slot_mean[slot]
        # Sums over the event terms a unit is at risk for: cumulative over event times.
        inverse_d = np.bincount(slot, weights=1 / denominator, minlength=self.n_event_times)
        mean_over_d = _column_bincount(slot, mean_x / denominator[:, None], self.n_event_times)
        weight = np.concatenate([[0.0], np.cumsum(inverse_d)])[self.n_times_at_risk]
        weighted_mean = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(mean_over_d, axis=0)])[
            self.n_times_at_risk
        ]
        # A unit among the tied events at its own time carries only 1 - l/d of each term.
        fraction_d = np.bincount(slot, weights=fraction / denominator, minlength=self.n_event_times)
        fraction_mean = _column_bincount(
            slot, fraction[:, None] * mean_x / denominator[:, None], self.n_event_times
        )
        weight[events] -= fraction_d[slot]
        weighted_mean[events] -= fraction_mean[slot]
        residuals -= risk[:, None] * (x * weight[:, None] - weighted_mean)
        return residuals


class CoxModel(Estimate):
    """Cox regression result: an :class:`Estimate` for the first covariate plus the table.

    ``table`` is indexed by covariate with ``coef, se, hazard_ratio, ci_low,
    ci_high, p_value``; ``details["ph_test"]`` holds the proportional-hazards
    test per covariate and globally.
    """

    @property
    def hazard_ratios(self) -> pd.Series:
        """Hazard ratio per covariate."""
        return self.table["hazard_ratio"]

    @property
    def coefficients(self) -> pd.DataFrame:
        """``coef, se, hazard_ratio, ci_low, ci_high, p_value`` by covariate."""
        return self.table

    @property
    def n_events(self) -> int:
        """Rows with the event."""
        return self.diagnostics["n_events"]

    @property
    def clustered(self) -> bool:
        """Whether the variance is the cluster-robust (grouped sandwich) one."""
        return "n_clusters" in self.diagnostics

    @property
    def n_clusters(self) -> int | None:
        """Number of clusters (None for the model-based variance)."""
        return self.diagnostics.get("n_clusters")

    @property
    def model_se(self) -> dict[str, float] | None:
        """Model-based standard errors per covariate, beside the clustered ones (or None)."""
        return self.diagnostics.get("model_se")

    @property
    def covariance(self) -> np.ndarray:
        """Covariance of the coefficients (clustered when ``clustered``)."""
        return self.details["covariance"]

    @property
    def ph_test(self) -> pd.DataFrame:
        """The proportional-hazards test (scaled Schoenfeld residuals), per covariate and global."""
        return self.details["ph_test"]

    @property
    def ph_p_value(self) -> float:
        """Global p-value of the proportional-hazards test."""
        return self.diagnostics["ph_global_p_value"]

    @property
    def ph_p_values(self) -> dict[str, float]:
        """The proportional-hazards test's p-value per covariate."""
        return self.diagnostics["ph_p_values"]

    @property
    def likelihood_ratio_p_value(self) -> float:
        """p-value of the likelihood-ratio test of every covariate together."""
        return self.diagnostics["lr_p_value"]


def _strata_codes(data: pd.DataFrame, strata: str | Sequence[str] | None) -> np.ndarray:
    if strata is None:
        return np.zeros(len(data), dtype=np.int64)
    columns = [strata] if isinstance(strata, str) else list(strata)
    codes = data.groupby(columns, sort=True, observed=True).ngroup()
    return codes.to_numpy(dtype=np.int64)


def _ph_test(
    strata_parts: list[_CoxStratum],
    piece_list: list[dict[str, np.ndarray]],
    covariance: np.ndarray,
    names: list[str],
) -> pd.DataFrame:
    """Grambsch-Therneau test on scaled Schoenfeld residuals against the rank of time.

    The per-covariate statistics are those of lifelines'
    ``proportional_hazard_test(time_transform="rank")`` (the approximation R's
    ``cox.zph`` used before survival 3.0), except that tied event times share
    their average rank, so the result does not depend on the order of the rows.
    """
    residuals, event_times = [], []
    for part, pieces in zip(strata_parts, piece_list, strict=True):
        # Efron's mean covariate at a tied time is the average over its d correction rows.
        slot_mean = _column_bincount(part.event_slot, pieces["mean_x"], part.n_event_times)
        slot_mean /= part.tie_counts[:, None]
        residuals.append(part.x[part.event_positions] - slot_mean[part.event_slot])
        event_times.append(part.time_of_event)
    schoenfeld = np.concatenate(residuals)
    times = np.concatenate(event_times)
    n_events = times.size
    ranks = stats.rankdata(times)
    centred = ranks - ranks.mean()
    sum_squares = float(centred @ centred)
    weighted_sum = centred @ schoenfeld
    scaled = n_events * covariance @ weighted_sum
    variances = np.diag(covariance)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_covariate = scaled**2 / (n_events * variances * sum_squares)
    global_statistic = float(n_events * weighted_sum @ covariance @ weighted_sum / sum_squares)
    statistic = np.concatenate([per_covariate, [global_statistic]])
    dof = np.concatenate([np.ones(len(names)), [len(names)]])
    return pd.DataFrame(
        {"statistic": statistic, "df": dof.astype(int), "p_value": stats.chi2.sf(statistic, dof)},
        index=pd.Index([*names, "GLOBAL"], name="covariate"),
    )


def cox(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: str | Sequence[str],
    ties: str = "efron",
    conf_level: float = 0.95,
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
) -> CoxModel:
    """Cox proportional-hazards regression by Newton-Raphson on the partial likelihood.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person or case.
    duration : str
        Time to event or censoring (numeric, or timedelta converted to days).
    event : str
        1/True when the event happened, 0/False when censored.
    covariates : list of str or str
        Column names or a formula right-hand side (no intercept: the baseline
        hazard absorbs it). Put the treatment indicator first: ``effect`` is
        the hazard ratio of the first term.
    ties : {"efron", "breslow"}, default "efron"
        Handling of tied event times (Efron's is the more accurate, and the
        default of R's ``coxph`` and lifelines).
    conf_level : float, default 0.95
        Confidence level of the intervals.
    strata : str or list of str, optional
        Column(s) defining strata with their own baseline hazard.
    cluster : str, optional
        Column identifying clusters of rows that may be correlated (for example
        the suspect, when one suspect contributes several arrests). Standard
        errors, intervals and p-values then come from the grouped sandwich
        variance of Lin and Wei (1989): the inverse information around the
        sum over clusters of the outer products of the clusters' score
        residuals (Efron or Breslow, as ``ties``), as R's ``coxph(..., cluster
        = )`` computes it, with no small-sample factor (lifelines'
        ``cluster_col`` agrees where no event times are tied). The coefficients
        are unchanged. Without it, the model-based variance is used.

    Returns
    -------
    CoxModel
        ``effect`` = hazard ratio of the first covariate (scale ``"hazard
        ratio"``; ``se`` on the log scale), ``table`` indexed by covariate with
        ``coef, se, hazard_ratio, ci_low, ci_high, p_value`` (model-based
        standard errors from the inverse information). ``diagnostics`` hold the
        log partial likelihood, the likelihood-ratio test against no covariates
        and the proportional-hazards test (``ph_global_p_value``, ``ph_p_values``
        per covariate); ``details["ph_test"]`` the full test table. A warning
        names covariates whose proportional-hazards p-value is below 0.05.
        With ``cluster``, ``diagnostics`` also hold ``n_clusters`` and
        ``model_se`` (the model-based standard errors, for comparison) and
        ``details["model_covariance"]`` the model-based covariance; the
        likelihood-ratio and proportional-hazards tests stay model-based.

    Raises
    ------
    EstimationError
        No events; a constant or collinear covariate; a partial likelihood with
        no finite maximum (monotone likelihood, as when no one with a given
        characteristic has the event), naming the covariate; a single cluster
        (the sandwich needs several independent clusters).

    Examples
    --------
    >>> rng = np.random.default_rng(7)
    >>> frame = pd.DataFrame({"programme": rng.integers(0, 2, 400), "age": rng.normal(30, 8, 400)})
    >>> hazard = 0.02 * np.exp(-0.5 * frame["programme"] + 0.02 * (frame["age"] - 30))
    >>> frame["weeks"] = np.ceil(rng.exponential(1 / hazard))
    >>> frame["reoffended"] = frame["weeks"] <= 52
    >>> frame["weeks"] = frame["weeks"].clip(upper=52)
    >>> model = cox(frame, duration="weeks", event="reoffended", covariates=["programme", "age"])
    >>> model.table.columns.tolist()
    ['coef', 'se', 'hazard_ratio', 'ci_low', 'ci_high', 'p_value']
    >>> bool(model.ci_low < np.exp(-0.5) < model.ci_high)
    True

    Several rows per person: cluster the variance on the person.

    >>> frame["person"] = np.arange(400) // 4
    >>> clustered = cox(frame, duration="weeks", event="reoffended",
    ...                 covariates=["programme", "age"], cluster="person")
    >>> clustered.effect == model.effect, clustered.diagnostics["n_clusters"]
    (True, 100)
    """
    caller = "cox"
    z = z_value(conf_level)
    if ties not in ("efron", "breslow"):
        raise ConfigError(f"cox: ties must be 'efron' or 'breslow', got {ties!r}.")
    strata_columns = [] if strata is None else ([strata] if isinstance(strata, str) else strata)
    cluster_columns = [] if cluster is None else [cluster]
    require_columns(
        data,
        [duration, event, *covariate_columns(data, covariates), *strata_columns, *cluster_columns],
        caller=caller,
    )
    if cluster is not None:
        cluster_codes = np.asarray(pd.factorize(data[cluster])[0], dtype=np.int64)
        n_clusters = int(cluster_codes.max()) + 1
        if n_clusters < 2:
            raise EstimationError(
                f"cox: the cluster column '{cluster}' has a single value, so the clustered "
                "variance cannot be estimated (it needs several independent clusters); "
                "drop cluster= or check the column."
            )
    time = _durations(data, duration, caller=caller)
    events = binary_indicator(data, event, caller=caller)
    n_events = int(events.sum())
    if n_events == 0:
        raise EstimationError(
            f"cox: no row has {event} = 1, so there is no event to model; report the numbers "
            "followed and their follow-up instead."
        )
    design_frame = design_matrix(data, covariates, full_rank=True)
    if design_frame.shape[1] == 0:
        raise ConfigError("cox: at least one covariate is needed.")
    check_design(design_frame, caller=caller)
    names = [str(c) for c in design_frame.columns]
    if n_events <= len(names):
        raise EstimationError(
            f"cox: {n_events} events for {len(names)} coefficients; the model needs many more "
            "events than coefficients (10 per coefficient is a common rule)."
        )
    raw = design_frame.to_numpy(dtype=float)
    centre, spread = raw.mean(axis=0), raw.std(axis=0)
    x = (raw - centre) / spread
    gram_eigenvalues, gram_vectors = np.linalg.eigh(x.T @ x / len(x))
    if gram_eigenvalues[0] < 1e-10 * gram_eigenvalues[-1]:
        involved = [names[j] for j in np.flatnonzero(np.abs(gram_vectors[:, 0]) > 0.1)]
        raise EstimationError(
            f"cox: the covariates {', '.join(involved)} are collinear (one is a combination of "
            "the others); drop one of them."
        )

    codes = _strata_codes(data, strata)
    if strata is None:
        parts = [_CoxStratum(x, time, events)]
    else:
        parts = [
            _CoxStratum(x[codes == c], time[codes == c], events[codes == c])
            for c in np.unique(codes)
        ]

    def evaluate(
        beta: np.ndarray,
    ) -> tuple[float, np.ndarray, np.ndarray, list[dict[str, np.ndarray]]]:
        loglik, gradient = 0.0, np.zeros(len(names))
        information = np.zeros((len(names), len(names)))
        pieces = []
        for part in parts:
            if part.event_positions.size == 0:
                continue
            ll, grad, info, piece = part.terms(beta, ties)
            loglik += ll
            gradient += grad
            information += info
            pieces.append(piece)
        return loglik, gradient, information, pieces

    beta = np.zeros(len(names))
    loglik, gradient, information, pieces = evaluate(beta)
    null_loglik = loglik
    converged = False
    iterations = 0
    for iterations in range(1, 51):  # noqa: B007 (the count is reported)
        try:
            step = np.linalg.solve(information, gradient)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(information, gradient, rcond=None)[0]
        shrink = 1.0
        while True:
            candidate = beta + shrink * step
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                evaluated = evaluate(candidate)
            # Step-halving: a full Newton step can overshoot when the start is far off.
            if evaluated[0] >= loglik - 1e-10 * abs(loglik) or shrink < 1e-6:
                break
            shrink /= 2
        beta = candidate
        loglik, gradient, information, pieces = evaluated
        # Quadratic convergence: after a step below 1e-7 the error is of order 1e-14.
        if np.max(np.abs(shrink * step)) < 1e-7:
            converged = True
            break

    diverging = np.flatnonzero(np.abs(beta) > _DIVERGENT_COEFFICIENT)
    if not converged or diverging.size:
        suspects = diverging if diverging.size else np.argsort(-np.abs(beta))[:1]
        raise EstimationError(
            "cox: the partial likelihood has no finite maximum (monotone likelihood) for "
            f"{', '.join(names[j] for j in suspects)}: typically nobody (or everybody) with "
            "that characteristic has the event. Merge sparse categories or drop the term; "
            "the hazard ratio cannot be estimated from these data."
        )

    covariance_std = np.linalg.inv(information)
    beta_original = beta / spread
    covariance = covariance_std / np.outer(spread, spread)
    if cluster is not None:
        model_covariance = covariance
        residuals = np.zeros_like(x)
        for code, part in zip(np.unique(codes), parts, strict=True):
            if part.event_positions.size:
                residuals[codes == code] = part.score_residuals(beta, ties)
        cluster_scores = np.vstack(
            [
                np.bincount(cluster_codes, weights=column, minlength=n_clusters)
                for column in residuals.T
            ]
        ).T
        meat = cluster_scores.T @ cluster_scores
        robust_std = covariance_std @ meat @ covariance_std
        covariance = robust_std / np.outer(spread, spread)
    se = np.sqrt(np.diag(covariance))
    z_stat = beta_original / se
    table = pd.DataFrame(
        {
            "coef": beta_original,
            "se": se,
            "hazard_ratio": np.exp(beta_original),
            "ci_low": np.exp(beta_original - z * se),
            "ci_high": np.exp(beta_original + z * se),
            "p_value": 2 * stats.norm.sf(np.abs(z_stat)),
        },
        index=pd.Index(names, name="covariate"),
    )
    # The residuals and their test are computed on the standardised scale; the
    # statistics are invariant to rescaling a covariate.
    ph_table = _ph_test(
        [part for part in parts if part.event_positions.size], pieces, covariance_std, names
    )
    ph_table.index = pd.Index([*names, "GLOBAL"], name="covariate")
    lr_statistic = 2 * (loglik - null_loglik)
    warnings = []
    ph_p_values = ph_table["p_value"].to_numpy()
    violating = [name for name, p in zip(names, ph_p_values, strict=False) if p < 0.05]
    if violating:
        warnings.append(
            "Proportional-hazards test p < 0.05 for "
            f"{', '.join(violating)}: the hazard ratio may change over follow-up, so the "
            "single ratio is an average; consider stratifying or a time interaction."
        )
    events_per_term = n_events / len(names)
    if events_per_term < 10:
        warnings.append(
            f"Only {events_per_term:.1f} events per coefficient: estimates may be biased and "
            "intervals too narrow (at least 10 is a common rule)."
        )
    assumptions = [
        "Proportional hazards: each covariate multiplies the hazard by the same factor "
        "throughout follow-up (checked with scaled Schoenfeld residuals).",
        "Censoring is independent of the event given the covariates.",
        "The hazard ratio is causal only if the covariates capture all confounding.",
    ]
    diagnostics = {
        "n_events": n_events,
        "log_partial_likelihood": loglik,
        "lr_statistic": float(lr_statistic),
        "lr_df": len(names),
        "lr_p_value": float(stats.chi2.sf(lr_statistic, len(names))),
        "iterations": iterations,
        "ties": ties,
        "n_strata": len(parts),
        "ph_global_p_value": float(ph_p_values[-1]),
        "ph_p_values": {name: float(p) for name, p in zip(names, ph_p_values, strict=False)},
        "ph_time_transform": "rank",
    }
    details = {"ph_test": ph_table, "covariance": covariance}
    method = (
        f"Cox proportional hazards regression ({ties} ties"
        f"{', stratified' if strata is not None else ''})"
    )
    if cluster is not None:
        method += f" with cluster-robust variance by {cluster}"
        assumptions.append(
            f"Rows are correlated only within clusters of '{cluster}'; clusters are "
            "independent of each other (grouped sandwich variance, Lin and Wei 1989)."
        )
        diagnostics["n_clusters"] = n_clusters
        diagnostics["model_se"] = {
            name: float(value)
            for name, value in zip(names, np.sqrt(np.diag(model_covariance)), strict=True)
        }
        details["model_covariance"] = model_covariance
        if n_clusters < 30:
            warnings.append(
                f"Only {n_clusters} clusters of '{cluster}': the sandwich variance is biased "
                "downwards with few clusters, so intervals may be too narrow."
            )
    first = names[0]
    first_row = table.iloc[0]
    effect = float(first_row["hazard_ratio"])
    return CoxModel(
        effect=effect,
        ci_low=float(first_row["ci_low"]),
        ci_high=float(first_row["ci_high"]),
        p_value=float(first_row["p_value"]),
        n=int(len(x)),
        scale="hazard ratio",
        method=method,
        estimand=(
            f"hazard ratio of {event} for {first}"
            + (f", adjusted for {', '.join(names[1:])}" if len(names) > 1 else "")
        ),
        se=float(first_row["se"]),
        assumptions=tuple(assumptions),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details=details,
        conf_level=conf_level,
        outcome=event,
    )


def step_curve_at(
    curves: pd.DataFrame,
    column: str,
    t: float | Sequence[float],
    group: Any,
    *,
    before: float,
    caller: str,
) -> float | np.ndarray:
    """Read a step-function curve (one per group in ``curves``) at time(s) ``t``.

    ``curves`` holds ``group``, ``time`` and ``column``, times ascending within a
    group; before the first time the curve is ``before`` (1 for survival, 0 for a
    cumulative incidence) and beyond the last its last value is carried forward.
    ``caller`` names the method in errors about the group.
    """
    groups = list(dict.fromkeys(curves["group"]))
    if group is None:
        if len(groups) > 1:
            raise ConfigError(f"{caller}: the curves are grouped; pass group= one of {groups}.")
        group = groups[0]
    if group not in groups:
        raise ConfigError(f"{caller}: unknown group {group!r}; groups are {groups}.")
    curve = curves[curves["group"] == group]
    times = curve["time"].to_numpy()
    values = curve[column].to_numpy()
    query = np.asarray(t, dtype=float)
    position = np.searchsorted(times, query, side="right") - 1
    result = np.where(position >= 0, values[np.clip(position, 0, None)], before)
    return float(result) if result.ndim == 0 else result
