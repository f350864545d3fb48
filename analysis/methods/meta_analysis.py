"""Random-effects meta-analysis: pooling published effects with their standard errors.

:func:`random_effects_meta` pools effects on one scale (differences, or log ratios) with
DerSimonian and Laird's (1986) method-of-moments estimate of the between-study variance
``tau2``: each study is weighted by ``1 / (se_i^2 + tau2)``, so that studies disagreeing
more than their standard errors allow widen the pooled interval rather than narrow it. The
fixed-effect (inverse-variance) estimate, Cochran's ``Q``, ``I^2`` and the prediction
interval for a new setting (Higgins, Thompson and Spiegelhalter 2009: on ``k - 2`` degrees
of freedom) are reported beside it.

Published effects often come with an interval or a p-value rather than a standard error:
:func:`se_from_interval` and :func:`se_from_p_value` recover it on the normal
approximation the publications use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConfigError, EstimationError
from ..results import Estimate
from ._panel import check_conf_level

__all__ = ["random_effects_meta", "se_from_interval", "se_from_p_value"]


def se_from_interval(ci_low: float, ci_high: float, *, conf_level: float = 0.95) -> float:
    """Standard error behind a symmetric normal confidence interval.

    Parameters
    ----------
    ci_low, ci_high : float
        The interval's ends (on the scale the effect is pooled on: take logs of ratios first).
    conf_level : float
        Its level.

    Returns
    -------
    float

    Examples
    --------
    >>> round(se_from_interval(-2.0, 2.0), 4)
    1.0204
    """
    check_conf_level(conf_level, estimator="se_from_interval")
    if not ci_high > ci_low:
        raise ConfigError(f"se_from_interval: the upper end {ci_high} is not above {ci_low}.")
    return float((ci_high - ci_low) / (2 * stats.norm.ppf(0.5 + conf_level / 2)))


def se_from_p_value(effect: float, p_value: float) -> float:
    """Standard error implied by an effect and its two-sided p-value (normal test).

    Examples
    --------
    >>> round(se_from_p_value(-1.6, 0.06), 3)
    0.851
    """
    if not 0 < p_value < 1:
        raise ConfigError(
            f"se_from_p_value: the p-value must lie strictly between 0 and 1, not {p_value}."
        )
    if effect == 0:
        raise ConfigError(
            "se_from_p_value: an effect of zero carries no standard error in its p-value."
        )
    return float(abs(effect) / stats.norm.ppf(1 - p_value / 2))


def random_effects_meta(
    data: pd.DataFrame,
    *,
    effect: str,
    se: str,
    study: str | None = None,
    scale: str = "difference",
    conf_level: float = 0.95,
) -> Estimate:
    """DerSimonian-Laird random-effects pooled effect of several studies.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per study.
    effect, se : str
        Columns: each study's effect and its standard error (on the pooling scale: log
        ratios, not ratios).
    study : str, optional
        Column naming the studies (for ``table``).
    scale : str
        Scale of the effects, recorded on the result (``"difference"``, ``"log rate ratio"``).
    conf_level : float
        Level of the pooled and prediction intervals.

    Returns
    -------
    Estimate
        ``effect`` = random-effects pooled effect with its normal interval; ``se``;
        ``diagnostics``: ``k``, ``tau2``, ``i2``, ``q``, ``q_p_value``, ``fixed_effect``,
        ``fixed_se``, ``prediction_low``, ``prediction_high`` (None with fewer than three
        studies); ``table``: each study's effect, interval and fixed and random weights.
        With one study the pooled effect is that study's, and a warning says nothing was
        pooled.

    Raises
    ------
    ConfigError
        Unknown columns.
    EstimationError
        No studies, missing values, or standard errors not positive.

    Examples
    --------
    >>> studies = pd.DataFrame({"study": ["A", "B", "C", "D"], "effect": [-1.0, -2.0, 0.5, -0.3],
    ...                         "se": [0.5, 0.8, 0.4, 0.3]})
    >>> pooled = random_effects_meta(studies, effect="effect", se="se", study="study")
    >>> round(pooled.effect, 4), round(pooled.diagnostics["tau2"], 4)
    (-0.5231, 0.4968)
    """
    estimator = "random_effects_meta"
    check_conf_level(conf_level, estimator=estimator)
    for role, column in (("effect", effect), ("se", se), ("study", study)):
        if column is not None and column not in data.columns:
            raise ConfigError(
                f"{estimator}: no column '{column}' for the {role}; the data have "
                f"{', '.join(map(str, data.columns))}."
            )
    if data.empty:
        raise EstimationError(f"{estimator}: no studies to pool.")
    y = pd.to_numeric(data[effect], errors="coerce").to_numpy(dtype=float)
    s = pd.to_numeric(data[se], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(y) | ~np.isfinite(s)
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:5])
        raise EstimationError(
            f"{estimator}: missing or non-numeric '{effect}' or '{se}' in row(s) {rows}. Fix: "
            "leave studies without a standard error out of the synthesis and say so."
        )
    if (s <= 0).any():
        raise EstimationError(f"{estimator}: every standard error in '{se}' must be positive.")
    k = len(y)
    variance = s**2
    w_fixed = 1 / variance
    fixed = float(np.sum(w_fixed * y) / np.sum(w_fixed))
    fixed_se = float(np.sqrt(1 / np.sum(w_fixed)))
    q = float(np.sum(w_fixed * (y - fixed) ** 2))
    c = float(np.sum(w_fixed) - np.sum(w_fixed**2) / np.sum(w_fixed))
    tau2 = max(0.0, (q - (k - 1)) / c) if k > 1 and c > 0 else 0.0
    w_random = 1 / (variance + tau2)
    pooled = float(np.sum(w_random * y) / np.sum(w_random))
    pooled_se = float(np.sqrt(1 / np.sum(w_random)))
    z = stats.norm.ppf(0.5 + conf_level / 2)
    p_value = float(2 * stats.norm.sf(abs(pooled / pooled_se)))
    q_p = float(stats.chi2.sf(q, k - 1)) if k > 1 else None
    i2 = max(0.0, (q - (k - 1)) / q) if k > 1 and q > 0 else 0.0
    if k >= 3:
        t = stats.t.ppf(0.5 + conf_level / 2, k - 2)
        half = t * np.sqrt(tau2 + pooled_se**2)
        prediction = (float(pooled - half), float(pooled + half))
    else:
        prediction = (None, None)
    warnings = []
    if k == 1:
        warnings.append("One study: nothing was pooled; the result is that study's estimate.")
    elif k < 5:
        warnings.append(
            f"{k} studies: the between-study variance is estimated very imprecisely, and the "
            "DerSimonian-Laird interval is then too narrow when the studies disagree."
        )
    names = data[study].astype(str).to_list() if study else [f"study {i + 1}" for i in range(k)]
    table = pd.DataFrame(
        {
            "study": names,
            "effect": y,
            "se": s,
            "ci_low": y - z * s,
            "ci_high": y + z * s,
            "weight_fixed": w_fixed / w_fixed.sum(),
            "weight_random": w_random / w_random.sum(),
        }
    )
    return Estimate(
        effect=pooled,
        ci_low=pooled - z * pooled_se,
        ci_high=pooled + z * pooled_se,
        p_value=p_value,
        n=k,
        scale=scale,
        method="DerSimonian-Laird random-effects meta-analysis",
        estimand="average effect across the settings the studies sample",
        se=pooled_se,
        assumptions=(
            "The studies estimate the same kind of effect on the same scale.",
            "The studies are independent: evaluations reusing the same areas and years "
            "would count the same evidence twice.",
            "The studies' true effects vary normally around the average (random effects).",
        ),
        diagnostics={
            "k": k,
            "tau2": tau2,
            "i2": i2,
            "q": q,
            "q_p_value": q_p,
            "fixed_effect": fixed,
            "fixed_se": fixed_se,
            "prediction_low": prediction[0],
            "prediction_high": prediction[1],
        },
        warnings=tuple(warnings),
        table=table,
        conf_level=conf_level,
    )
