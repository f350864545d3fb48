"""The standard checks behind an evidence rating, built from estimators' diagnostics.

Each helper reads the diagnostics an estimator in :mod:`analysis.methods`
records and returns a :class:`~analysis.evidence.sms.Check` saying whether the
design's key assumption survived its own test. A programme passes them to
:class:`~analysis.evidence.findings.Finding` (``checks=...``), and
:func:`~analysis.evidence.sms.earned_level` lowers the finding's SMS level for
each one that failed. :func:`standard_checks` builds every check an estimate's
diagnostics allow.

Thresholds, each a convention the literature states:

- balance: absolute standardised mean difference above 0.1 after matching or
  weighting (Austin 2009; Stuart 2010);
- overlap: a propensity model c-statistic above 0.9 means the groups are so
  easy to tell apart that comparable units are scarce (Westreich et al. 2011);
  an effective comparison sample below ``min_effective_n`` means the estimate
  rests on a handful of heavily weighted units;
- pre-trends and placebos: a joint test or placebo effect with p below 0.05;
- weak instruments and fuzzy discontinuities: a first-stage F below 10
  (Staiger and Stock 1997), F taken as (jump / its standard error) squared;
- a negative-control outcome the programme cannot have changed, whose interval
  excludes no effect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError
from ..results import Diagnostic, Estimate, format_number, format_p_value
from .sms import Check

__all__ = [
    "BALANCE_THRESHOLD",
    "C_STATISTIC_THRESHOLD",
    "FIRST_STAGE_F_THRESHOLD",
    "MIN_EFFECTIVE_N",
    "balance_check",
    "density_check",
    "first_stage_check",
    "negative_control_check",
    "overlap_check",
    "placebo_check",
    "pretrend_check",
    "standard_checks",
]

#: Largest absolute standardised mean difference accepted after matching or weighting.
BALANCE_THRESHOLD = 0.1
#: Propensity-model c-statistic above which overlap is judged poor.
C_STATISTIC_THRESHOLD = 0.9
#: First-stage F below which an instrument or a fuzzy discontinuity is weak.
FIRST_STAGE_F_THRESHOLD = 10.0
#: Effective comparison sample size below which the comparison is too thin.
MIN_EFFECTIVE_N = 50.0
#: Significance level of pre-trend, placebo, density and negative-control tests.
ALPHA = 0.05


def _diagnostics(source: Estimate | Diagnostic | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, Estimate | Diagnostic):
        return source.diagnostics
    if isinstance(source, Mapping):
        return source
    raise ConfigError(
        "a check reads a Diagnostic, an Estimate or its diagnostics dict, got "
        f"{type(source).__name__}"
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def balance_check(
    source: Estimate | Mapping[str, Any], *, threshold: float = BALANCE_THRESHOLD
) -> Check:
    """Balance after matching or weighting: the largest absolute SMD at most ``threshold``.

    Reads ``max_abs_smd_after`` (recorded by :func:`analysis.methods.propensity.match`,
    ``ipw`` and ``balance``).

    Examples
    --------
    >>> balance_check({"max_abs_smd_after": 0.14}).passed
    False
    >>> balance_check({"max_abs_smd_after": 0.04}).detail
    'largest absolute standardised mean difference after adjustment 0.0400 (limit 0.1)'
    """
    worst = _number(_diagnostics(source).get("max_abs_smd_after"))
    name = "balance after matching"
    if worst is None:
        return Check(name, None, "no balance after adjustment was recorded")
    return Check(
        name,
        worst <= threshold,
        f"largest absolute standardised mean difference after adjustment "
        f"{format_number(worst)} (limit {threshold:g})",
    )


def overlap_check(
    source: Estimate | Mapping[str, Any],
    *,
    max_c_statistic: float = C_STATISTIC_THRESHOLD,
    min_effective_n: float = MIN_EFFECTIVE_N,
) -> Check:
    """Overlap: a propensity c-statistic at most ``max_c_statistic`` and enough effective units.

    Reads ``c_statistic`` and, where recorded, ``effective_sample_size_control``
    (matching with replacement, weighting) and ``effective_sample_size_treated``
    (weighting).

    Examples
    --------
    >>> overlap_check({"c_statistic": 0.93}).detail
    'propensity c-statistic 0.930 (limit 0.9)'
    >>> overlap_check({"c_statistic": 0.7, "effective_sample_size_control": 31.0}).passed
    False
    """
    diagnostics = _diagnostics(source)
    name = "overlap of the groups"
    c_stat = _number(diagnostics.get("c_statistic"))
    sizes = {
        group: _number(diagnostics.get(f"effective_sample_size_{group}"))
        for group in ("treated", "control")
    }
    sizes = {group: size for group, size in sizes.items() if size is not None}
    if c_stat is None and not sizes:
        return Check(name, None, "no propensity c-statistic or effective sample size recorded")
    problems, facts = [], []
    if c_stat is not None:
        facts.append(f"propensity c-statistic {format_number(c_stat)} (limit {max_c_statistic:g})")
        if c_stat > max_c_statistic:
            problems.append("c-statistic")
    for group, size in sizes.items():
        label = "comparison" if group == "control" else "treated"
        facts.append(f"effective {label} sample size {size:,.0f} (minimum {min_effective_n:,.0f})")
        if size < min_effective_n:
            problems.append(group)
    return Check(name, not problems, "; ".join(facts))


def pretrend_check(source: Estimate | Mapping[str, Any], *, alpha: float = ALPHA) -> Check:
    """Parallel pre-trends: the joint test of pre-period effects has p at least ``alpha``.

    Reads ``pretrend_p_value`` (event study, staggered difference-in-differences).

    Examples
    --------
    >>> pretrend_check({"pretrend_p_value": 0.003}).detail
    'joint test of the pre-period effects p = 0.0030 (fails below 0.05)'
    """
    p = _number(_diagnostics(source).get("pretrend_p_value"))
    name = "parallel pre-trends"
    if p is None:
        return Check(name, None, "no pre-period to test")
    return Check(
        name,
        p >= alpha,
        f"joint test of the pre-period effects p = {_p(p)} (fails below {alpha:g})",
    )


def density_check(source: Estimate | Mapping[str, Any], *, alpha: float = ALPHA) -> Check:
    """No sorting at a discontinuity's cutoff: the density (McCrary) test has p at least ``alpha``.

    Reads ``density_p_value`` (:func:`analysis.methods.rdd`).

    Examples
    --------
    >>> density_check({"density_p_value": 0.2}).passed
    True
    """
    p = _number(_diagnostics(source).get("density_p_value"))
    name = "no sorting at the cutoff"
    if p is None:
        return Check(name, None, "the density test could not be run")
    return Check(name, p >= alpha, f"density (McCrary) test p = {_p(p)} (fails below {alpha:g})")


def first_stage_check(
    source: Estimate | Mapping[str, Any],
    *,
    min_f: float = FIRST_STAGE_F_THRESHOLD,
    conf_level: float = 0.95,
) -> Check:
    """A strong first stage: F at least ``min_f`` (a fuzzy discontinuity or instrument).

    Reads ``first_stage_f`` when recorded; otherwise forms F as (jump / its
    standard error) squared from ``first_stage`` and its interval
    (``first_stage_ci_low``, ``first_stage_ci_high``, taken as a symmetric
    ``conf_level`` interval).

    Examples
    --------
    >>> check = first_stage_check({"first_stage": 0.12, "first_stage_ci_low": 0.0,
    ...                            "first_stage_ci_high": 0.24})
    >>> check.passed, check.detail
    (False, 'first-stage F 3.84 (jump 0.120, 95% CI 0 to 0.240; limit 10)')
    """
    from statistics import NormalDist

    diagnostics = _diagnostics(source)
    name = "strength of the first stage"
    f_stat = _number(diagnostics.get("first_stage_f"))
    jump = _number(diagnostics.get("first_stage"))
    low = _number(diagnostics.get("first_stage_ci_low"))
    high = _number(diagnostics.get("first_stage_ci_high"))
    interval = ""
    if jump is not None and low is not None and high is not None:
        interval = (
            f" (jump {format_number(jump)}, {conf_level:.0%} CI {format_number(low)} to "
            f"{format_number(high)}; limit {min_f:g})"
        )
        if f_stat is None and high > low:
            se = (high - low) / (2 * NormalDist().inv_cdf(0.5 + conf_level / 2))
            f_stat = (jump / se) ** 2
    if f_stat is None:
        return Check(name, None, "no first stage recorded")
    return Check(
        name,
        f_stat >= min_f,
        f"first-stage F {format_number(f_stat)}" + (interval or f" (limit {min_f:g})"),
    )


def placebo_check(placebo: Estimate, *, what: str = "placebo test") -> Check:
    """A placebo (a fake start date, an untreated group) shows no effect.

    Fails when the placebo estimate's interval excludes no effect.

    Examples
    --------
    >>> fake = Estimate(0.3, 0.1, 0.5, 0.004, 200, "difference", "m", "e")
    >>> placebo_check(fake, what="placebo sign-up a year early").passed
    False
    """
    return _no_effect_check(placebo, what)


def negative_control_check(control: Estimate, *, what: str = "negative-control outcome") -> Check:
    """An outcome the programme cannot have changed shows no effect.

    Examples
    --------
    >>> null = Estimate(0.98, 0.9, 1.07, 0.6, 900, "rate ratio", "m", "e")
    >>> negative_control_check(null, what="thefts from vehicles").detail
    'effect 0.980 (95% CI 0.900 to 1.07), p = 0.60: interval includes no effect'
    """
    return _no_effect_check(control, what)


def _no_effect_check(estimate: Estimate, what: str) -> Check:
    bounds = (_number(estimate.ci_low), _number(estimate.ci_high))
    if None in bounds:
        return Check(what, None, "the estimate has no finite interval")
    found = "interval excludes no effect" if estimate.significant else "interval includes no effect"
    detail = (
        f"effect {format_number(estimate.effect)} ({estimate.conf_level:.0%} CI "
        f"{format_number(estimate.ci_low)} to {format_number(estimate.ci_high)})"
    )
    if estimate.p_value is not None:
        detail += f", p {_p_words(estimate.p_value)}"
    return Check(what, not estimate.significant, f"{detail}: {found}")


def _p(value: float) -> str:
    return format_number(value, 2) if value >= 0.001 else f"{value:.1g}"


def _p_words(value: float) -> str:
    text = format_p_value(value)
    return text if text.startswith("<") else f"= {text}"


def standard_checks(estimate: Estimate) -> tuple[Check, ...]:
    """Every standard check the estimate's diagnostics allow, in a fixed order.

    Balance, overlap, pre-trends, sorting at the cutoff and the first stage,
    each only where its diagnostics were recorded (a check whose numbers are
    absent is left out, not marked "not run": the estimator does not test it).

    Examples
    --------
    >>> est = Estimate(0.1, 0.0, 0.2, 0.05, 300, "difference", "matching", "e",
    ...                diagnostics={"max_abs_smd_after": 0.15, "c_statistic": 0.8})
    >>> [(c.name, c.passed) for c in standard_checks(est)]
    [('balance after matching', False), ('overlap of the groups', True)]
    """
    diagnostics = estimate.diagnostics
    checks = []
    if "max_abs_smd_after" in diagnostics:
        checks.append(balance_check(diagnostics))
    if any(
        key in diagnostics
        for key in ("c_statistic", "effective_sample_size_control", "effective_sample_size_treated")
    ):
        checks.append(overlap_check(diagnostics))
    if "pretrend_p_value" in diagnostics:
        checks.append(pretrend_check(diagnostics))
    if "density_p_value" in diagnostics:
        checks.append(density_check(diagnostics))
    if "first_stage" in diagnostics or "first_stage_f" in diagnostics:
        checks.append(first_stage_check(diagnostics, conf_level=estimate.conf_level))
    return tuple(checks)
