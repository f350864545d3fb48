"""Proportions, differences and ratios of proportions, and ratios of event rates.

The building blocks of most headline figures (a charge rate, the change in a
withdrawal rate, a reoffending rate ratio), with intervals that behave at the
edges: Wilson's score interval for a proportion (never outside 0 to 1, sensible
at 0 and n events), Newcombe's hybrid score interval for a difference of
proportions, and log-scale or exact conditional intervals for ratios.

References
----------
Wilson EB (1927). Probable inference, the law of succession, and statistical
inference. JASA 22:209-212.
Newcombe RG (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Statistics in Medicine 17:873-890
(method 10).
Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for
the risk ratio in cohort studies. Biometrics 34:469-474.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods._formula import z_value
from analysis.results import Estimate, check_level

__all__ = ["Proportion", "ProportionDifference", "compare_proportions", "proportion", "rate_ratio"]


class Proportion(Estimate):
    """A single proportion: an :class:`Estimate` whose sentence has no "effect" verdict.

    A proportion on its own is a description, not a comparison, so the summary
    gives the share, its interval and the counts rather than a test against 0.
    """

    def summary(self) -> str:
        """The share with its interval and counts.

        Examples
        --------
        >>> proportion(12, 40).summary()
        'Proportion of cases with the outcome: 30.0% (95% CI 18.1% to 45.4%; 12 of 40).'
        """
        events, trials = self.diagnostics["events"], self.diagnostics["trials"]
        estimand = self.estimand[:1].upper() + self.estimand[1:]
        return (
            f"{estimand}: {self.effect:.1%} ({self.conf_level:.0%} CI {self.ci_low:.1%} to "
            f"{self.ci_high:.1%}; {events:,} of {trials:,})."
        )

    @property
    def events(self) -> int:
        """Cases with the outcome."""
        return self.diagnostics["events"]

    @property
    def trials(self) -> int:
        """Cases."""
        return self.diagnostics["trials"]

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """Wilson score interval at ``level`` (default: the reported one).

        The Wald standard error in ``se`` is not used: Wilson's interval is the one
        :func:`proportion` reports at every level.

        Examples
        --------
        >>> est = proportion(12, 40)
        >>> [round(v, 4) for v in est.conf_int(0.90)] == [
        ...     round(v, 4) for v in proportion(12, 40, conf_level=0.90).interval]
        True
        """
        if level is None or math.isclose(level, self.conf_level, rel_tol=0, abs_tol=1e-12):
            return self.interval
        check_level(level)
        if self.scale != "proportion" or self.effect != self.events / self.trials:
            # A copy rescaled by a programme: the counts no longer describe it.
            return super().conf_int(level)
        return _wilson(self.events, self.trials, z_value(level))


class ProportionDifference(Estimate):
    """Two proportions compared: the difference in percentage points, and the risk ratio.

    ``effect`` is the difference with Newcombe's hybrid score interval, which
    :meth:`conf_int` rebuilds at another level from the counts; the two proportions,
    the risk ratio and the counts are named properties of what sits in ``diagnostics``.
    """

    @property
    def proportions(self) -> tuple[float, float]:
        """The proportion in group 1 and in group 0."""
        return (self.diagnostics["proportion_1"], self.diagnostics["proportion_0"])

    @property
    def counts(self) -> tuple[int, int, int, int]:
        """``(k1, n1, k0, n0)``: cases with the outcome and cases, group 1 then group 0."""
        d = self.diagnostics
        return (d["events_1"], d["n_1"], d["events_0"], d["n_0"])

    @property
    def risk_ratio(self) -> float:
        """p1 / p0 (with 0.5 added to every cell where a group has no cases with the outcome)."""
        return self.diagnostics["risk_ratio"]

    @property
    def risk_ratio_interval(self) -> tuple[float, float]:
        """Katz log-scale interval of the risk ratio at ``conf_level``."""
        return (self.diagnostics["risk_ratio_ci_low"], self.diagnostics["risk_ratio_ci_high"])

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """Newcombe interval of the difference at ``level`` (default: the reported one).

        Examples
        --------
        >>> est = compare_proportions(30, 100, 45, 100)
        >>> est.conf_int(0.90) == compare_proportions(30, 100, 45, 100, 0.90).interval
        True
        """
        if level is None or math.isclose(level, self.conf_level, rel_tol=0, abs_tol=1e-12):
            return self.interval
        check_level(level)
        k1, n1, k0, n0 = self.counts
        if self.scale != "percentage points" or self.effect != 100 * (k1 / n1 - k0 / n0):
            # A copy rescaled by a programme: the counts no longer describe it.
            return super().conf_int(level)
        return compare_proportions(k1, n1, k0, n0, conf_level=level).interval


def _count(value: object, name: str) -> int:
    """A non-negative whole number given as int, numpy integer or integral float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{name} must be a whole number, got {value!r}.")
    if not math.isfinite(float(value)) or float(value) != int(value) or value < 0:
        raise ConfigError(f"{name} must be a non-negative whole number, got {value!r}.")
    return int(value)


def _exposure(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{name} must be a positive number, got {value!r}.")
    if not math.isfinite(float(value)) or value <= 0:
        raise ConfigError(f"{name} must be a positive, finite exposure, got {value!r}.")
    return float(value)


def _events_and_trials(k: object, n: object, k_name: str, n_name: str) -> tuple[int, int]:
    events, trials = _count(k, k_name), _count(n, n_name)
    if trials == 0:
        raise EstimationError(f"{n_name} is 0: a proportion needs at least one person or case.")
    if events > trials:
        raise ConfigError(f"{k_name} ({events}) cannot exceed {n_name} ({trials}).")
    return events, trials


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval, clipped to [0, 1] against floating-point overshoot."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def proportion(k: int, n: int, conf_level: float = 0.95) -> Proportion:
    """Proportion of ``n`` cases with the outcome, with Wilson's score interval.

    Parameters
    ----------
    k : int
        Number of cases with the outcome (e.g. charged).
    n : int
        Number of cases.
    conf_level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    Proportion
        ``effect`` = k / n on the ``"proportion"`` scale; ``se`` is the Wald
        standard error sqrt(p(1 - p)/n), given for reference only (the interval
        is Wilson's, which stays inside 0 to 1 and keeps its coverage near 0 and
        n). There is no null hypothesis, so ``p_value`` is None.

    Examples
    --------
    >>> est = proportion(12, 40)
    >>> round(est.effect, 3), round(est.ci_low, 4), round(est.ci_high, 4)
    (0.3, 0.1807, 0.4543)
    """
    z = z_value(conf_level)
    events, trials = _events_and_trials(k, n, "k", "n")
    p = events / trials
    low, high = _wilson(events, trials, z)
    warnings = []
    if events in (0, trials):
        warnings.append(
            f"{events} of {trials} cases have the outcome: the Wilson interval is still valid, "
            "but the Wald standard error is 0 and should not be used."
        )
    return Proportion(
        effect=p,
        ci_low=low,
        ci_high=high,
        p_value=None,
        n=trials,
        scale="proportion",
        method="proportion with Wilson score interval",
        estimand="proportion of cases with the outcome",
        se=math.sqrt(p * (1 - p) / trials),
        assumptions=(
            "Cases are independent and share one probability of the outcome (binomial "
            "sampling); clustering (several cases per person) would make the interval too "
            "narrow.",
        ),
        diagnostics={"events": events, "trials": trials, "interval": "Wilson score"},
        warnings=tuple(warnings),
        conf_level=conf_level,
    )


def compare_proportions(
    k1: int, n1: int, k0: int, n0: int, conf_level: float = 0.95
) -> ProportionDifference:
    """Difference (in percentage points) and ratio of two independent proportions.

    Parameters
    ----------
    k1, n1 : int
        Cases with the outcome, and cases, in the group of interest (e.g. treated).
    k0, n0 : int
        The same in the comparison group.
    conf_level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    ProportionDifference
        ``effect`` is the difference p1 - p0 in percentage points (scale
        ``"percentage points"``) with Newcombe's hybrid score interval (method
        10: built from the two Wilson intervals); ``se`` is the unpooled Wald
        standard error in percentage points. ``p_value`` is Pearson's chi-square
        test of equal proportions without continuity correction (the score
        test). The risk ratio p1/p0 with its Katz log-scale interval is in
        ``table`` (rows ``proportion_1``, ``proportion_0``, ``difference_pp``,
        ``risk_ratio``) and in ``diagnostics``. Where a group has no cases with
        the outcome (or all of them), 0.5 is added to every cell for the ratio
        only, and a warning says so.

    Examples
    --------
    >>> est = compare_proportions(30, 100, 45, 100)
    >>> round(est.effect, 1), round(est.ci_low, 2), round(est.ci_high, 2)
    (-15.0, -27.68, -1.59)
    >>> round(float(est.table.loc["risk_ratio", "estimate"]), 3)
    0.667
    """
    z = z_value(conf_level)
    k1, n1 = _events_and_trials(k1, n1, "k1", "n1")
    k0, n0 = _events_and_trials(k0, n0, "k0", "n0")
    p1, p0 = k1 / n1, k0 / n0
    low1, high1 = _wilson(k1, n1, z)
    low0, high0 = _wilson(k0, n0, z)
    difference = p1 - p0
    # Newcombe (1998) method 10: combine each group's distance to its own Wilson limit.
    diff_low = difference - math.sqrt((p1 - low1) ** 2 + (high0 - p0) ** 2)
    diff_high = difference + math.sqrt((high1 - p1) ** 2 + (p0 - low0) ** 2)
    se_diff = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)

    pooled = (k1 + k0) / (n1 + n0)
    warnings = []
    if 0 < pooled < 1:
        z_score = difference / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        p_value = float(2 * stats.norm.sf(abs(z_score)))
    else:
        # No variation at all: the two groups cannot differ in the data.
        p_value = 1.0
        warnings.append(
            "Every case in both groups has the same outcome, so the test of a difference has "
            "no information (p = 1)."
        )
    if min(k1, k0, n1 - k1, n0 - k0) < 5:
        warnings.append(
            "Fewer than 5 cases in some cell: the chi-square p-value is approximate; an exact "
            "test (Fisher's) would be more reliable."
        )

    corrected = min(k1, k0) == 0
    a1, a0, m1, m0 = (k1 + 0.5, k0 + 0.5, n1 + 1, n0 + 1) if corrected else (k1, k0, n1, n0)
    if corrected:
        warnings.append(
            "A group has no cases with the outcome: 0.5 was added to every cell to give a "
            "finite risk ratio (Haldane-Anscombe correction); treat the ratio as indicative."
        )
    ratio = (a1 / m1) / (a0 / m0)
    se_log_ratio = math.sqrt(max(1 / a1 - 1 / m1 + 1 / a0 - 1 / m0, 0.0))
    ratio_low = ratio * math.exp(-z * se_log_ratio)
    ratio_high = ratio * math.exp(z * se_log_ratio)

    table = pd.DataFrame(
        {
            "estimate": [p1, p0, 100 * difference, ratio],
            "se": [
                math.sqrt(p1 * (1 - p1) / n1),
                math.sqrt(p0 * (1 - p0) / n0),
                100 * se_diff,
                se_log_ratio,
            ],
            "ci_low": [low1, low0, 100 * diff_low, ratio_low],
            "ci_high": [high1, high0, 100 * diff_high, ratio_high],
            "p_value": [np.nan, np.nan, p_value, p_value],
            "scale": ["proportion", "proportion", "percentage points", "risk ratio"],
        },
        index=pd.Index(["proportion_1", "proportion_0", "difference_pp", "risk_ratio"]),
    )
    return ProportionDifference(
        effect=100 * difference,
        ci_low=100 * diff_low,
        ci_high=100 * diff_high,
        p_value=p_value,
        n=n1 + n0,
        scale="percentage points",
        method="difference of proportions with Newcombe hybrid score interval",
        estimand="difference in the proportion with the outcome, group 1 minus group 0",
        se=100 * se_diff,
        assumptions=(
            "Cases are independent within and between the two groups (binomial sampling).",
            "The difference is causal only if the groups are comparable apart from the "
            "intervention; otherwise it is descriptive.",
        ),
        diagnostics={
            "proportion_1": p1,
            "proportion_0": p0,
            "events_1": k1,
            "n_1": n1,
            "events_0": k0,
            "n_0": n0,
            "risk_ratio": ratio,
            "risk_ratio_ci_low": ratio_low,
            "risk_ratio_ci_high": ratio_high,
            "risk_ratio_se_log": se_log_ratio,
            "test": "Pearson chi-square (score) test without continuity correction",
        },
        warnings=tuple(warnings),
        table=table,
        conf_level=conf_level,
    )


def _exact_ratio_limits(
    events1: int, events0: int, exposure_ratio: float, conf_level: float
) -> tuple[float, float]:
    """Exact conditional (Clopper-Pearson) limits for a rate ratio.

    Given the total, events1 is binomial with probability pi = R t1 / (R t1 + t0),
    so limits for pi map to limits for R = pi / (1 - pi) * t0 / t1.
    """
    total = events1 + events0
    alpha = 1 - conf_level
    pi_low = 0.0 if events1 == 0 else stats.beta.ppf(alpha / 2, events1, total - events1 + 1)
    pi_high = 1.0 if events0 == 0 else stats.beta.ppf(1 - alpha / 2, events1 + 1, events0)
    low = pi_low / (1 - pi_low) / exposure_ratio
    high = math.inf if pi_high >= 1 else pi_high / (1 - pi_high) / exposure_ratio
    return float(low), float(high)


def rate_ratio(
    events1: int,
    exposure1: float,
    events0: int,
    exposure0: float,
    conf_level: float = 0.95,
) -> Estimate:
    """Ratio of two Poisson event rates, (events1 / exposure1) / (events0 / exposure0).

    Parameters
    ----------
    events1, exposure1 : int, float
        Events and exposure (person-years, premises-months...) in the group of
        interest.
    events0, exposure0 : int, float
        The same in the comparison group.
    conf_level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    Estimate
        ``effect`` is the rate ratio (scale ``"rate ratio"``), ``se`` the
        standard error of its log, sqrt(1/events1 + 1/events0), and the
        interval log-normal (Wald on the log scale). ``p_value`` is the exact
        conditional test: given the total, events1 is binomial with probability
        exposure1 / (exposure1 + exposure0) under no difference (two-sided by
        the minimum-likelihood rule). The exact conditional interval is in
        ``diagnostics``. With no events in one group the log-scale interval does
        not exist: the exact conditional interval is reported instead (its open
        end is infinite when the comparison group has no events), the point
        estimate is the median-unbiased one, ``se`` is None, and a warning says so.

    Raises
    ------
    EstimationError
        Neither group has any events: the ratio is undefined.

    Examples
    --------
    >>> est = rate_ratio(30, 1000.0, 60, 1200.0)
    >>> round(est.effect, 2), round(est.ci_low, 3), round(est.ci_high, 3)
    (0.6, 0.387, 0.93)
    """
    z = z_value(conf_level)
    e1, e0 = _count(events1, "events1"), _count(events0, "events0")
    t1, t0 = _exposure(exposure1, "exposure1"), _exposure(exposure0, "exposure0")
    if e1 + e0 == 0:
        raise EstimationError(
            "rate_ratio: neither group has any events, so the ratio of their rates is "
            "undefined; report the two zero counts and their exposure instead."
        )
    exposure_ratio = t1 / t0
    total = e1 + e0
    null_probability = t1 / (t1 + t0)
    p_value = float(stats.binomtest(e1, total, null_probability).pvalue)
    exact_low, exact_high = _exact_ratio_limits(e1, e0, exposure_ratio, conf_level)

    warnings: list[str] = []
    if e1 > 0 and e0 > 0:
        ratio = (e1 / t1) / (e0 / t0)
        se_log = math.sqrt(1 / e1 + 1 / e0)
        low, high = ratio * math.exp(-z * se_log), ratio * math.exp(z * se_log)
        point = "maximum likelihood"
        interval = "log-normal (Wald on the log scale)"
        if min(e1, e0) < 10:
            warnings.append(
                f"Few events ({e1} and {e0}): the log-normal interval is approximate; the "
                "exact conditional interval is in diagnostics (exact_ci_low, exact_ci_high)."
            )
    else:
        # Median-unbiased estimate of the binomial probability, mapped to the ratio scale.
        pi_median = 1 - 0.5 ** (1 / total) if e1 == 0 else 0.5 ** (1 / total)
        ratio = pi_median / (1 - pi_median) / exposure_ratio
        se_log = None
        low, high = exact_low, exact_high
        point = "median-unbiased"
        interval = "exact conditional (Clopper-Pearson)"
        empty = "group 1" if e1 == 0 else "the comparison group (group 0)"
        warnings.append(
            f"No events in {empty}: the rate ratio is reported as the median-unbiased "
            "estimate with the exact conditional interval"
            + ("; its upper limit is unbounded." if e0 == 0 else ".")
        )
    return Estimate(
        effect=float(ratio),
        ci_low=float(low),
        ci_high=float(high),
        p_value=p_value,
        n=total,
        scale="rate ratio",
        method=f"Poisson rate ratio, {interval} interval, exact conditional test",
        estimand="ratio of event rates per unit exposure, group 1 over group 0",
        se=se_log,
        assumptions=(
            "Events occur independently at a constant rate within each group (Poisson); "
            "overdispersion (repeat events by the same people) makes the interval too narrow.",
            "The ratio is causal only if the groups are comparable apart from the intervention.",
        ),
        diagnostics={
            "events_1": e1,
            "exposure_1": t1,
            "events_0": e0,
            "exposure_0": t0,
            "rate_1": e1 / t1,
            "rate_0": e0 / t0,
            "exact_ci_low": exact_low,
            "exact_ci_high": exact_high,
            "point_estimate": point,
            "n_unit": "events",
        },
        warnings=tuple(warnings),
        conf_level=conf_level,
    )
