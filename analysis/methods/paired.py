"""Paired before/after differences: one group measured twice (SMS level 1 on its own)."""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from ..errors import ConfigError, EstimationError
from ..results import Estimate


def paired_difference(
    data: pd.DataFrame, *, before: str, after: str, conf_level: float = 0.95
) -> Estimate:
    """Mean of paired differences (after minus before) with a t interval.

    Rows with either value missing are left out (and counted in
    ``diagnostics["n_incomplete"]``). A before/after change of one group with no
    comparison is SMS level 1: it cannot separate the effect from anything else
    that changed between the two measurements.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    before, after : str
        Columns of the two measurements.
    conf_level : float, default 0.95

    Returns
    -------
    Estimate
        On the "difference" scale; ``p_value`` from the paired t-test
        (:func:`scipy.stats.ttest_rel`).

    Examples
    --------
    >>> frame = pd.DataFrame({"pre": [50.0, 60, 40, 55], "post": [60.0, 65, 52, 58]})
    >>> est = paired_difference(frame, before="pre", after="post")
    >>> round(est.effect, 3), est.n
    (7.5, 4)
    """
    for column in (before, after):
        if column not in data.columns:
            raise ConfigError(f"paired_difference: column '{column}' is not in the data")
    pairs = data[[before, after]].apply(pd.to_numeric, errors="coerce")
    complete = pairs.dropna()
    n_incomplete = int(len(pairs) - len(complete))
    if len(complete) < 2:
        raise EstimationError(
            f"paired_difference: fewer than two rows have both '{before}' and '{after}'"
        )
    differences = complete[after] - complete[before]
    if float(differences.std(ddof=1)) == 0.0:
        raise EstimationError(
            "paired_difference: every pair changed by exactly the same amount, so the "
            "interval is undefined; check the data"
        )
    test = stats.ttest_rel(complete[after], complete[before])
    interval = test.confidence_interval(confidence_level=conf_level)
    warnings = []
    if n_incomplete:
        warnings.append(
            f"{n_incomplete} of {len(pairs)} rows lack one of the two measurements and are "
            "left out; if they differ from the rest, the mean change is biased."
        )
    return Estimate(
        effect=float(differences.mean()),
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        p_value=float(test.pvalue),
        n=int(len(complete)),
        scale="difference",
        method="paired t (mean of differences)",
        estimand=f"mean change from {before} to {after}",
        se=float(differences.std(ddof=1) / math.sqrt(len(complete))),
        assumptions=(
            "Differences are independent between units and roughly normal (or the sample is "
            "large enough for the t interval).",
            "Before/after only (SMS 1): anything else that changed between the two "
            "measurements (practice effects from sitting the same questionnaire twice, "
            "other training) is attributed to the intervention.",
        ),
        diagnostics={"n_incomplete": n_incomplete, "sd_difference": float(differences.std(ddof=1))},
        warnings=tuple(warnings),
        conf_level=conf_level,
    )
