"""Multiple testing: p-values adjusted within a family of secondary findings.

A report with forty findings will show two or three "significant" ones by chance
alone. The primary finding (the one the analysis plan names) is judged on its
own p-value; secondary findings are grouped into families (the outcomes of one
question, the subgroups of one outcome) and their p-values adjusted within the
family, so a reader can see which survive:

- Holm (1979): controls the family-wise error rate (the chance of any false
  positive in the family) and is uniformly more powerful than Bonferroni;
- Benjamini and Hochberg (1995): controls the false discovery rate (the
  expected share of false positives among the findings called significant),
  valid for independent or positively dependent tests.

Checks of a design (placebos, negative controls: ``role="check"``) are not
adjusted: a failed check is a warning however many there are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..errors import ConfigError
from .findings import Finding

__all__ = [
    "METHODS",
    "adjust_families",
    "adjust_p_values",
    "benjamini_hochberg",
    "holm",
    "holm_by_name",
]

#: Accepted method names -> the name written in findings.json and reports.
METHODS = {"holm": "Holm", "bh": "Benjamini-Hochberg", "fdr_bh": "Benjamini-Hochberg"}


def _checked(p_values: Iterable[float]) -> list[float]:
    values = [float(p) for p in p_values]
    for position, p in enumerate(values):
        if not (math.isfinite(p) and 0.0 <= p <= 1.0):
            raise ConfigError(
                f"p-value {position + 1} of the family is {p!r}; p-values must lie in [0, 1]"
            )
    return values


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error rate).

    The i-th smallest of m p-values is multiplied by ``m - i + 1``; adjusted
    values are then made non-decreasing in the order of the raw ones and capped
    at 1.

    Examples
    --------
    >>> [round(p, 4) for p in holm([0.01, 0.04, 0.03, 0.5])]
    [0.04, 0.09, 0.09, 0.5]
    """
    values = _checked(p_values)
    m = len(values)
    order = sorted(range(m), key=values.__getitem__)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * values[index]))
        adjusted[index] = running
    return adjusted


def holm_by_name(p_values: dict) -> dict:
    """Holm-adjusted p-values of named tests, each with the number of tests in the family.

    Tests that could not be run (None) are left out of the family.

    Examples
    --------
    >>> holm_by_name({"sex": 0.01, "age_band": 0.04, "ethnicity": None})
    {'sex': (0.02, 2), 'age_band': (0.04, 2)}
    """
    run = {key: p for key, p in p_values.items() if p is not None}
    adjusted = holm(list(run.values())) if run else []
    return {key: (float(q), len(run)) for key, q in zip(run, adjusted, strict=True)}


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg step-up adjusted p-values (false discovery rate).

    The i-th smallest of m p-values is multiplied by ``m / i``; adjusted values
    are then the running minimum from the largest down, capped at 1.

    Examples
    --------
    >>> [round(p, 4) for p in benjamini_hochberg([0.01, 0.04, 0.03, 0.5])]
    [0.04, 0.0533, 0.0533, 0.5]
    """
    values = _checked(p_values)
    m = len(values)
    order = sorted(range(m), key=values.__getitem__, reverse=True)
    adjusted = [0.0] * m
    running = 1.0
    for position, index in enumerate(order):
        rank = m - position
        running = min(running, values[index] * m / rank)
        adjusted[index] = running
    return adjusted


def adjust_p_values(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """Adjusted p-values by ``method`` ("holm" or "bh").

    Examples
    --------
    >>> adjust_p_values([0.02, 0.02], "bh")
    [0.02, 0.02]
    """
    key = str(method).lower()
    if key not in METHODS:
        raise ConfigError(
            f"unknown multiple-testing method {method!r}; use one of {sorted(METHODS)}"
        )
    return holm(p_values) if key == "holm" else benjamini_hochberg(p_values)


def adjust_families(findings: Iterable[Finding], method: str = "holm") -> list[Finding]:
    """Findings with ``adjusted_p_value`` set within each ``family``.

    Parameters
    ----------
    findings : iterable of Finding
        All the programme's findings. Those with a ``family``, the role
        ``"finding"`` and a p-value are adjusted together with the rest of
        their family; the others come back unchanged.
    method : {"holm", "bh"}
        Holm (family-wise error rate) or Benjamini-Hochberg (false discovery rate).

    Returns
    -------
    list of Finding
        In the order given.

    Raises
    ------
    ConfigError
        For an unknown method, or a headline finding put in a family (the
        primary finding is judged on its own).

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> def f(p, name):
    ...     est = Estimate(0.1, 0.0, 0.2, p, 100, "difference", "m", name)
    ...     return Finding(name, est, "difference_in_differences", family="harm")
    >>> [round(g.adjusted_p_value, 3) for g in adjust_families([f(0.01, "a"), f(0.04, "b")])]
    [0.02, 0.04]
    """
    findings = list(findings)
    key = str(method).lower()
    if key not in METHODS:
        raise ConfigError(
            f"unknown multiple-testing method {method!r}; use one of {sorted(METHODS)}"
        )
    families: dict[str, list[int]] = {}
    for position, finding in enumerate(findings):
        if not finding.family or finding.role != "finding" or finding.estimate.p_value is None:
            continue
        if finding.headline:
            raise ConfigError(
                f"finding '{finding.label or finding.question}' is a headline in family "
                f"'{finding.family}': the primary finding is judged on its own p-value; "
                "give secondary findings a family and leave the headline out of it"
            )
        if not math.isfinite(finding.estimate.p_value):
            continue
        families.setdefault(finding.family, []).append(position)
    out = list(findings)
    for positions in families.values():
        adjusted = adjust_p_values([findings[i].estimate.p_value for i in positions], key)
        for position, value in zip(positions, adjusted, strict=True):
            out[position] = replace(
                findings[position], adjusted_p_value=value, p_adjustment=METHODS[key]
            )
    return out
