"""Displacement or diffusion of benefits: the weighted displacement quotient.

When an operation targets an area, crime may move to the streets next to it
(displacement) or fall there too (diffusion of benefits). Bowers and Johnson (2003,
"Measuring the geographical displacement and diffusion of benefit effects of crime
prevention activity", *Journal of Quantitative Criminology* 19(3), 275-301) compare three
areas before and after: the target ``R``, a buffer ring around it ``D`` and a control
area ``C`` far enough away to be untouched, each as a share of the control:

``success = R1/C1 - R0/C0`` (negative when the target improved against the control),

``buffer = D1/C1 - D0/C0``,

``WDQ = buffer / success``.

Reading it: ``WDQ > 0`` diffusion of benefits (the buffer improved too; above 1, by more
than the target); ``WDQ = 0`` neither; ``WDQ < 0`` displacement (below -1: more crime
moved than was prevented). The quotient means something only when the target improved
(``success < 0``): with no success there is nothing to displace, and the function says so.

The *total net effect* beside it (Guerette 2009) counts crimes: the target's and the
buffer's expected counts had they followed the control, less what was recorded,
``[R0 * C1/C0 - R1] + [D0 * C1/C0 - D1]`` (positive: crimes prevented net of displacement).

Intervals are by the **delta method**, treating the six counts as independent Poisson
counts (variance = count), optionally overdispersed (variance = ``dispersion`` x count).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ..errors import ConfigError
from ..results import Estimate

__all__ = ["total_net_effect", "weighted_displacement_quotient"]

ASSUMPTIONS = (
    "The control area is untouched by the operation and by any displacement, and shares "
    "the target's and buffer's trends without it.",
    "Counts are independent Poisson counts (times the dispersion factor) in each area and "
    "period: the delta-method interval ignores correlation between the areas.",
)

_NAMES = (
    "target_before",
    "target_after",
    "buffer_before",
    "buffer_after",
    "control_before",
    "control_after",
)


def _check_counts(counts: dict[str, float], dispersion: float, conf_level: float) -> None:
    bad = [
        f"{name}={value!r}"
        for name, value in counts.items()
        if not (isinstance(value, int | float | np.integer | np.floating) and value >= 0)
        or not math.isfinite(float(value))
    ]
    if bad:
        raise ConfigError(
            f"weighted_displacement_quotient: counts must be finite and non-negative; got "
            f"{', '.join(bad)}."
        )
    for name in ("control_before", "control_after"):
        if counts[name] == 0:
            raise ConfigError(
                f"weighted_displacement_quotient: {name} is 0; the quotient divides by the "
                "control area's counts. Fix: use a larger control area or a longer period."
            )
    if not dispersion > 0:
        raise ConfigError(
            f"weighted_displacement_quotient: dispersion must be positive, not {dispersion!r}."
        )
    if not 0 < conf_level < 1:
        raise ConfigError(
            f"weighted_displacement_quotient: conf_level must be between 0 and 1, not "
            f"{conf_level!r}."
        )


def weighted_displacement_quotient(
    target_before: float,
    target_after: float,
    buffer_before: float,
    buffer_after: float,
    control_before: float,
    control_after: float,
    *,
    dispersion: float = 1.0,
    conf_level: float = 0.95,
) -> Estimate:
    """Bowers and Johnson's weighted displacement quotient, with a delta-method interval.

    Parameters
    ----------
    target_before, target_after : float
        Crimes in the target area before and after (same-length periods are not needed:
        each area is taken as a share of the control in the same period).
    buffer_before, buffer_after : float
        Crimes in the buffer ring.
    control_before, control_after : float
        Crimes in the control area (must be positive).
    dispersion : float
        Variance of a count over its mean (1: Poisson).
    conf_level : float
        Confidence level.

    Returns
    -------
    Estimate
        ``effect`` = the WDQ (``"quotient"`` scale; 0 = neither displacement nor diffusion),
        delta-method interval and p-value against 0. ``diagnostics``: ``success_measure``
        and its ``success_ci_low``/``success_ci_high`` and ``success_p_value`` (the
        target's change against the control), ``buffer_measure``, ``total_net_effect``
        with its interval. A warning when the target did not clearly improve.

    Examples
    --------
    The hand-computable case: the target falls from 100 to 60, the buffer rises from 50
    to 55, the control stays at 1,000. Success = 0.06 - 0.10 = -0.04; buffer =
    0.055 - 0.05 = 0.005; WDQ = 0.005 / -0.04 = -0.125 (some displacement, far less than
    the benefit); total net effect = (100 - 60) + (50 - 55) = 35 crimes.

    >>> est = weighted_displacement_quotient(100, 60, 50, 55, 1000, 1000)
    >>> round(est.effect, 3), est.diagnostics["total_net_effect"]
    (-0.125, 35.0)
    """
    counts = dict(
        zip(
            _NAMES,
            (
                target_before,
                target_after,
                buffer_before,
                buffer_after,
                control_before,
                control_after,
            ),
            strict=True,
        )
    )
    _check_counts(counts, dispersion, conf_level)
    r0, r1, d0, d1, c0, c1 = (float(counts[name]) for name in _NAMES)
    success = r1 / c1 - r0 / c0
    buffer = d1 / c1 - d0 / c0
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    # Delta method: gradients of each measure in the six counts, Poisson variances.
    variances = dispersion * np.array([r0, r1, d0, d1, c0, c1])
    grad_success = np.array([-1 / c0, 1 / c1, 0.0, 0.0, r0 / c0**2, -r1 / c1**2])
    success_se = float(np.sqrt(np.sum(grad_success**2 * variances)))
    success_p = (
        float(2 * stats.norm.sf(abs(success) / success_se)) if success_se > 0 else float("nan")
    )
    warnings: list[str] = []
    if success >= 0 or not success_p < 1 - conf_level:
        warnings.append(
            "The target area did not clearly improve against the control "
            f"(success measure {success:+.4f}, p = {success_p:.2f}): the quotient divides by "
            "that change, so it is unstable and there is little benefit to displace; read the "
            "buffer's own change (buffer measure) and the total net effect instead."
        )
    if success == 0:
        wdq = float("nan")
        se = float("nan")
    else:
        wdq = buffer / success
        grad_buffer = np.array([0.0, 0.0, -1 / c0, 1 / c1, d0 / c0**2, -d1 / c1**2])
        grad = grad_buffer / success - buffer / success**2 * grad_success
        se = float(np.sqrt(np.sum(grad**2 * variances)))
    if math.isfinite(se) and se > 0:
        ci_low, ci_high = wdq - z * se, wdq + z * se
        p_value = float(2 * stats.norm.sf(abs(wdq) / se))
    else:
        ci_low = ci_high = p_value = float("nan")
    tne, tne_se = total_net_effect(r0, r1, d0, d1, c0, c1, dispersion=dispersion)
    diagnostics = {
        "success_measure": success,
        "success_ci_low": success - z * success_se,
        "success_ci_high": success + z * success_se,
        "success_p_value": success_p,
        "buffer_measure": buffer,
        "total_net_effect": tne,
        "total_net_effect_ci_low": tne - z * tne_se,
        "total_net_effect_ci_high": tne + z * tne_se,
        "dispersion": float(dispersion),
        "interval": "delta method",
        **{name: float(value) for name, value in counts.items()},
    }
    return Estimate(
        effect=wdq,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        n=int(round(r0 + r1 + d0 + d1 + c0 + c1)),
        scale="quotient",
        method="weighted displacement quotient (Bowers and Johnson 2003), delta-method interval",
        estimand=(
            "change in the buffer ring's crime relative to the control, over the target's "
            "(above 0: diffusion of benefits; below 0: displacement)"
        ),
        se=se,
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        conf_level=conf_level,
        outcome="weighted displacement quotient",
    )


def total_net_effect(
    target_before: float,
    target_after: float,
    buffer_before: float,
    buffer_after: float,
    control_before: float,
    control_after: float,
    *,
    dispersion: float = 1.0,
) -> tuple[float, float]:
    """Crimes prevented in target and buffer together, net of displacement, and its SE.

    ``[R0 * C1/C0 - R1] + [D0 * C1/C0 - D1]``; positive means fewer crimes than the
    control's trend predicts. The standard error is by the delta method (Poisson counts
    times ``dispersion``).

    Examples
    --------
    >>> tne, se = total_net_effect(100, 60, 50, 55, 1000, 1000)
    >>> tne, round(se, 2)
    (35.0, 17.61)
    """
    r0, r1, d0, d1, c0, c1 = (
        float(v)
        for v in (
            target_before,
            target_after,
            buffer_before,
            buffer_after,
            control_before,
            control_after,
        )
    )
    trend = c1 / c0
    tne = (r0 + d0) * trend - r1 - d1
    grad = np.array([trend, -1.0, trend, -1.0, -(r0 + d0) * c1 / c0**2, (r0 + d0) / c0])
    variances = dispersion * np.array([r0, r1, d0, d1, c0, c1])
    return tne, float(np.sqrt(np.sum(grad**2 * variances)))
