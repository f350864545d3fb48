"""Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service): every sentence whose wording depends on a result."""

from __future__ import annotations

from ...evidence import Finding
from ...evidence.sms import describe_level
from ...results import Estimate


def headline(estimate: Estimate, sms_level: int) -> str:
    """The headline sentence: the effect, its interval and how sure we are.

    Examples
    --------
    >>> from analysis.methods import compare_proportions
    >>> headline(compare_proportions(20, 100, 40, 100), 1)[:40]
    '**Those who took part had the outcome le'
    """
    if not estimate.significant:
        verdict = "No clear difference in the outcome rate"
    elif estimate.effect < 0:
        verdict = "Those who took part had the outcome less often"
    else:
        verdict = "Those who took part had the outcome more often"
    return (
        f"**{verdict}** ({estimate.effect:+.1f} percentage points, 95% CI "
        f"{estimate.ci_low:+.1f} to {estimate.ci_high:+.1f}). Evidence: "
        f"{describe_level(sms_level)}."
    )


def truth_check(finding: Finding) -> str:
    """Whether the interval covers the effect planted in synthetic data ('' on real data)."""
    if finding.truth is None:
        return ""
    est = finding.estimate
    covers = est.ci_low <= finding.truth <= est.ci_high
    return (
        f"The planted effect in these synthetic data is {finding.truth:+.1f} points, which "
        f"the interval {'covers' if covers else 'misses'}."
    )
