"""Competing risks: cumulative incidence (Aalen-Johansen) and cause-specific Cox regression.

Used when a case can end in more than one way and the ways exclude each other:
a rape investigation ends in charge, or is closed (victim withdrawal, evidential
difficulties, no suspect identified), or is still open at the extract date. One
minus a Kaplan-Meier curve that treats closures as censoring overstates the
chance of charge, because a closed case can never be charged; the cumulative
incidence function (CIF) of charge, the share of cases charged by time ``t``
with closure competing, is the quantity a reader means by "how many were
charged within a year".

The CIF is the Aalen-Johansen estimator: at each event time the chance of
still being open just before it (Kaplan-Meier over every cause) times the share
of those at risk who end by the cause of interest, summed. Its variance is the
Greenwood-type delta-method formula given by Collett (2015, section 12.2) and
SAS's ``PROC LIFETEST``, as lifelines computes it; pointwise intervals use the
log(-log) transform, so they stay within 0 and 1. Tied times of different
causes need no special handling: the product over tied events gives the same
estimate whatever their order.

A cause-specific Cox model is the Cox model of one cause's hazard, with the
other causes censoring the case: it answers "among cases still open, is the
rate of charge higher?", which is not the same question as "are more cases
charged?" (that is the CIF). Both are reported together.

References
----------
Aalen OO, Johansen S (1978). An empirical transition matrix for
non-homogeneous Markov chains based on censored observations. Scand J Stat
5:141-150.
Collett D (2015). Modelling Survival Data in Medical Research, 3rd edition.
Chapman and Hall/CRC, chapter 12.
Putter H, Fiocco M, Geskus RB (2007). Tutorial in biostatistics: competing
risks and multi-state models. Stat Med 26:2389-2430.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import ConfigError, DataValidationError, EstimationError, Problem
from analysis.methods._formula import require_columns, z_value
from analysis.methods.survival import CoxModel, _durations, cox, step_curve_at
from analysis.results import Estimate, check_level, format_number, log_log_interval

__all__ = ["CumulativeIncidence", "cause_specific_cox", "cumulative_incidence"]


# --------------------------------------------------------------------------- inputs
def _causes(data: pd.DataFrame, column: str) -> np.ndarray:
    """The event column as an object array (``require_columns`` has rejected missing values)."""
    return data[column].to_numpy(dtype=object)


# --------------------------------------------------------------------------- the estimator
def _cif_curve(duration: np.ndarray, is_cause: np.ndarray, is_any: np.ndarray, z: float):
    """Aalen-Johansen CIF of one cause with its variance and log(-log) interval, from 0."""
    times, inverse = np.unique(duration, return_inverse=True)
    removed = np.bincount(inverse, minlength=times.size).astype(float)
    events_any = np.bincount(inverse, weights=is_any.astype(float), minlength=times.size)
    events_cause = np.bincount(inverse, weights=is_cause.astype(float), minlength=times.size)
    at_risk = duration.size - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    if times[0] > 0:
        times = np.concatenate([[0.0], times])
        removed = np.concatenate([[0.0], removed])
        events_any = np.concatenate([[0.0], events_any])
        events_cause = np.concatenate([[0.0], events_cause])
        at_risk = np.concatenate([[float(duration.size)], at_risk])
    survival = np.cumprod(1 - events_any / at_risk)
    lagged = np.concatenate([[1.0], survival[:-1]])
    cif = np.cumsum(lagged * events_cause / at_risk)
    # Var F(t_j) = sum_{i<=j} (F_j - F_i)^2 a_i + b_i - 2 (F_j - F_i) c_i, expanded into
    # cumulative sums so the whole curve costs O(n) rather than O(n^2).
    with np.errstate(divide="ignore", invalid="ignore"):
        a = events_any / (at_risk * (at_risk - events_any))
    # Where everyone at risk has an event the overall curve reaches 0 and Greenwood's term is
    # undefined; it adds 0, as in the Kaplan-Meier estimator (and lifelines' Kaplan-Meier).
    a[~np.isfinite(a)] = 0.0
    b = lagged**2 * events_cause * (at_risk - events_cause) / at_risk**3
    c = lagged * events_cause / at_risk**2
    sum_a, sum_fa, sum_ffa = np.cumsum(a), np.cumsum(cif * a), np.cumsum(cif**2 * a)
    sum_b, sum_c, sum_fc = np.cumsum(b), np.cumsum(c), np.cumsum(cif * c)
    variance = cif**2 * sum_a - 2 * cif * sum_fa + sum_ffa + sum_b - 2 * (cif * sum_c - sum_fc)
    # The expansion can leave a rounding residue of either sign where the variance is 0.
    variance = np.clip(variance, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(variance) / (cif * np.abs(np.log(cif)))
        low = cif ** np.exp(spread)
        high = cif ** np.exp(-spread)
    inside = (cif > 0) & (cif < 1)
    low = np.where(inside, low, cif)
    high = np.where(inside, high, cif)
    return pd.DataFrame(
        {
            "time": times,
            "cif": cif,
            "se": np.sqrt(variance),
            "ci_low": low,
            "ci_high": high,
            "at_risk": at_risk.astype(np.int64),
            "events": events_cause.astype(np.int64),
            "competing_events": (events_any - events_cause).astype(np.int64),
            "censored": (removed - events_any).astype(np.int64),
        }
    )


def _value_at(curve: pd.DataFrame, column: str, t: float) -> float:
    times = curve["time"].to_numpy()
    position = int(np.searchsorted(times, t, side="right")) - 1
    return float(curve[column].iloc[max(position, 0)])


class CumulativeIncidence(Estimate):
    """Aalen-Johansen result: an :class:`Estimate` plus the curves.

    ``details["curves"]`` has one row per group and distinct time (from time 0):
    ``group, time, cif, se, ci_low, ci_high, at_risk, events, competing_events,
    censored``. ``table`` has, per group, the CIF at ``time`` with its interval.
    """

    def cif_at(self, t: float | Sequence[float], group: Any = None) -> float | np.ndarray:
        """Cumulative incidence of the cause at time(s) ``t`` (a step function).

        Examples
        --------
        >>> frame = pd.DataFrame({"days": [1, 2, 3, 4, 5], "end": [1, 2, 1, 0, 1]})
        >>> aj = cumulative_incidence(frame, duration="days", event="end", cause=1, at=5)
        >>> aj.cif_at(2.5), aj.cif_at([0, 5])
        (0.2, array([0. , 0.8]))
        """
        return step_curve_at(self.details["curves"], "cif", t, group, before=0.0, caller="cif_at")

    @property
    def curves(self) -> pd.DataFrame:
        """One row per group and time: ``cif, se, ci_low, ci_high``, numbers at risk and ended."""
        return self.details["curves"]

    @property
    def time(self) -> float:
        """The time the cumulative incidence is read at."""
        return self.diagnostics["time"]

    @property
    def n_events(self) -> int:
        """Cases ended by the cause."""
        return self.diagnostics["n_events"]

    @property
    def n_competing_events(self) -> int:
        """Cases ended another way."""
        return self.diagnostics["n_competing_events"]

    @property
    def n_censored(self) -> int:
        """Cases still open (censored)."""
        return self.diagnostics["n_censored"]

    def conf_int(self, level: float | None = None) -> tuple[float, float]:
        """Interval at ``level``: a share on the log(-log) scale, as the curve's interval.

        A difference between groups is rebuilt as ``effect +/- z * se``.

        Examples
        --------
        >>> frame = pd.DataFrame({"days": [1, 2, 3, 4, 5], "end": [1, 2, 1, 0, 1]})
        >>> aj = cumulative_incidence(frame, duration="days", event="end", cause=1, at=3)
        >>> aj.conf_int(0.95) == aj.interval
        True
        """
        if self.scale != "proportion":
            return super().conf_int(level)
        if level is None or math.isclose(level, self.conf_level, rel_tol=0, abs_tol=1e-12):
            return self.interval
        check_level(level)
        return log_log_interval(self.effect, self.se, level)

    def summary(self) -> str:
        """One sentence: the CIF (one group) or the difference in CIF (groups).

        Examples
        --------
        >>> frame = pd.DataFrame({"days": [1, 2, 3, 4, 5], "end": [1, 2, 1, 0, 1]})
        >>> cumulative_incidence(frame, duration="days", event="end", cause=1).summary()
        'Share of cases ended by 1 within 5 days: 80.0% (95% CI 20.4% to 96.9%; n = 5, 3 events).'
        """
        if self.scale != "proportion":
            return super().summary()
        estimand = self.estimand[:1].upper() + self.estimand[1:]
        text = self.describe_effect().replace(")", "", 1)
        events = self.diagnostics["n_events"]
        return f"{estimand}: {text}; n = {self.n:,}, {events:,} events)."


def cumulative_incidence(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    cause: Any,
    at: float | None = None,
    group: str | None = None,
    reference: Any = None,
    censored: Any = 0,
    conf_level: float = 0.95,
    time_unit: str = "days",
) -> CumulativeIncidence:
    """Cumulative incidence of one cause with others competing (Aalen-Johansen), by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per case.
    duration : str
        Time from the start (e.g. the report) to the first event of any cause or to
        censoring; numeric (in ``time_unit``) or timedelta (converted to days).
    event : str
        Which event ended follow-up: ``censored`` for a case still open, otherwise a
        cause label (numbers or strings, e.g. ``"charge"``, ``"withdrawn"``).
    cause : object
        The cause of interest; every other non-censored value competes with it.
    at : float, optional
        Time at which the headline CIF is read (e.g. 365 days); default the last
        observed time (of the shortest-followed group when grouped).
    group : str, optional
        Column defining groups to compare (e.g. before/after a change).
    reference : optional
        Reference group; default the first in sorted order.
    censored : object, default 0
        Value of ``event`` meaning censored.
    conf_level : float, default 0.95
        Confidence level of the pointwise intervals.
    time_unit : str, default "days"
        Unit of ``duration``, used in sentences.

    Returns
    -------
    CumulativeIncidence
        With one group, ``effect`` is the CIF at ``at`` (scale ``"proportion"``) with
        its log(-log) interval and ``se`` its delta-method standard error. With
        groups, ``effect`` is the difference in CIF at ``at`` between the first
        non-reference group and the reference (scale ``"difference"``), with a Wald
        interval and p-value from the two independent variances; ``table`` has every
        group. ``cif_at(t, group)`` reads the curves, ``details["curves"]`` holds them.

    Raises
    ------
    ConfigError
        ``cause`` never occurs as a value of ``event`` nor is it a plausible label
        (it equals ``censored``); an unknown reference; ``at`` negative.
    DataValidationError
        Missing event codes, or negative or infinite durations (rows named).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "days": [10, 20, 20, 35, 40, 60, 70, 90],
    ...     "end": ["charge", "closed", "charge", 0, "closed", "charge", 0, "closed"],
    ... })
    >>> aj = cumulative_incidence(frame, duration="days", event="end", cause="charge", at=90)
    >>> round(aj.effect, 3), aj.scale
    (0.406, 'proportion')
    """
    caller = "cumulative_incidence"
    z = z_value(conf_level)
    if _same(cause, censored):
        raise ConfigError(
            f"{caller}: cause {cause!r} is the censoring code; pass the code of an event."
        )
    if at is not None and (not math.isfinite(at) or at < 0):
        raise ConfigError(f"{caller}: at must be a time of 0 or more, got {at!r}.")
    require_columns(data, [duration, event] + ([group] if group else []), caller=caller)
    durations = _durations(data, duration, caller=caller)
    codes = _causes(data, event)
    is_censored = np.array([_same(value, censored) for value in codes], dtype=bool)
    is_cause = np.array([_same(value, cause) for value in codes], dtype=bool)
    is_any = ~is_censored
    if durations.size == 0:
        raise EstimationError(f"{caller}: no rows to estimate from.")
    if group is None:
        labels = ["all"]
        group_codes = np.zeros(durations.size, dtype=np.int64)
    else:
        raw_codes, raw_labels = pd.factorize(data[group], sort=True)
        group_codes = np.asarray(raw_codes, dtype=np.int64)
        labels = [v.item() if isinstance(v, np.generic) else v for v in raw_labels]
        if group_codes.min() < 0:
            raise DataValidationError(
                problems=[
                    Problem(
                        table="data",
                        source=f"data passed to {caller}",
                        column=group,
                        message="missing group labels",
                        rows=tuple(int(p) + 2 for p in np.flatnonzero(group_codes < 0)[:5]),
                        fix="fill or drop the rows without a group",
                        n_rows=int((group_codes < 0).sum()),
                    )
                ]
            )
    if reference is not None and reference not in labels:
        raise ConfigError(f"{caller}: reference {reference!r} is not a group of {group}.")
    reference_label = labels[0] if reference is None else reference

    curves = []
    for g, label in enumerate(labels):
        inside = group_codes == g
        curve = _cif_curve(durations[inside], is_cause[inside], is_any[inside], z)
        curve.insert(0, "group", [label] * len(curve))
        curves.append(curve)
    if at is None:
        at = float(min(curve["time"].iloc[-1] for curve in curves))
    warnings: list[str] = []
    rows = []
    for g, (label, curve) in enumerate(zip(labels, curves, strict=True)):
        inside = group_codes == g
        rows.append(
            {
                "group": label,
                "n": int(inside.sum()),
                "events": int(is_cause[inside].sum()),
                "competing_events": int((is_any & ~is_cause)[inside].sum()),
                "censored": int(is_censored[inside].sum()),
                "cif": _value_at(curve, "cif", at),
                "se": _value_at(curve, "se", at),
                "ci_low": _value_at(curve, "ci_low", at),
                "ci_high": _value_at(curve, "ci_high", at),
                "at_risk_at_time": int(np.sum(durations[inside] >= at)),
            }
        )
        last = float(curve["time"].iloc[-1])
        if at > last:
            warnings.append(
                f"Follow-up{'' if group is None else f' of {group} = {label}'} ends at "
                f"{format_number(last)} {time_unit}, before {format_number(at)}: the CIF is "
                "carried forward from the last time observed, not estimated."
            )
    table = pd.DataFrame(rows).set_index("group")
    if not is_cause.any():
        warnings.append(
            f"No case ended by {cause!r}: the cumulative incidence is 0 throughout, and its "
            "interval is degenerate; report the numbers followed instead."
        )
    n_at_risk = int(table["at_risk_at_time"].min())
    if 0 < n_at_risk < 10:
        warnings.append(
            f"Only {n_at_risk} case(s) still followed at {format_number(at)} {time_unit} in "
            "some group: the curve's tail rests on very few cases."
        )
    diagnostics: dict[str, Any] = {
        "time": float(at),
        "time_unit": time_unit,
        "n_events": int(is_cause.sum()),
        "n_competing_events": int((is_any & ~is_cause).sum()),
        "n_censored": int(is_censored.sum()),
        "interval": "Greenwood-type delta-method variance, log(-log) transform",
    }
    assumptions = [
        "Censoring is independent of the cause-specific hazards: cases still open at the "
        "extract date would end, and end in the same ways, as cases followed to the end.",
        "The causes are exclusive and exhaustive: a case ends once, in one way.",
    ]
    if len(labels) == 1:
        row = table.iloc[0]
        effect, ci_low, ci_high, se = row["cif"], row["ci_low"], row["ci_high"], row["se"]
        p_value, scale = None, "proportion"
        estimand = f"share of cases ended by {cause} within {at:,.4g} {time_unit}"
    else:
        comparison = next(label for label in labels if label != reference_label)
        first, base = table.loc[comparison], table.loc[reference_label]
        effect = float(first["cif"] - base["cif"])
        se = math.sqrt(float(first["se"]) ** 2 + float(base["se"]) ** 2)
        ci_low, ci_high = effect - z * se, effect + z * se
        p_value = float(2 * stats.norm.sf(abs(effect) / se)) if se > 0 else None
        scale = "difference"
        estimand = (
            f"difference in the share of cases ended by {cause} within {at:,.4g} "
            f"{time_unit}, {group} = {comparison} against {group} = {reference_label}"
        )
        diagnostics["reference_group"] = str(reference_label)
        assumptions.append("The groups are independent samples (no case is in both).")
        if len(labels) > 2:
            warnings.append(
                f"{len(labels)} groups: the effect shown is {group} = {comparison} against "
                "the reference; see the table for all."
            )
    return CumulativeIncidence(
        effect=float(effect),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=p_value,
        n=int(durations.size),
        scale=scale,
        method="Aalen-Johansen cumulative incidence (competing risks)",
        estimand=estimand,
        se=float(se),
        assumptions=tuple(assumptions),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details={"curves": pd.concat(curves, ignore_index=True)},
        conf_level=conf_level,
        outcome=str(cause),
    )


def _same(value: Any, code: Any) -> bool:
    """Whether an event value equals a code, treating 0, 0.0 and "0" alike as numbers."""
    if value == code:
        return True
    try:
        return float(value) == float(code)
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- cause-specific Cox
def cause_specific_cox(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    cause: Any,
    covariates: str | Sequence[str],
    censored: Any = 0,
    **options: Any,
) -> CoxModel:
    """Cox regression of one cause's hazard, the competing causes censoring the case.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per case.
    duration, event, cause, censored
        As in :func:`cumulative_incidence`.
    covariates : list of str or str
        As in :func:`analysis.methods.cox`; the first term gives ``effect``.
    **options
        Passed to :func:`analysis.methods.cox` (``ties``, ``strata``, ``cluster``,
        ``conf_level``).

    Returns
    -------
    CoxModel
        The cause-specific hazard ratio of the first covariate, with the Cox
        model's table and diagnostics; the estimand and assumptions say it is
        cause-specific. A hazard ratio above 1 for charge means a faster rate of
        charge among cases still open; whether more cases end in charge also
        depends on the competing causes (see :func:`cumulative_incidence`).

    Raises
    ------
    ConfigError
        ``cause`` equals ``censored``.
    EstimationError
        As :func:`analysis.methods.cox` (no events of the cause, monotone likelihood...).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> after = rng.integers(0, 2, 600)
    >>> charge = rng.exponential(1 / (0.002 * np.exp(0.5 * after)))
    >>> closed = rng.exponential(1 / 0.004, 600)
    >>> days = np.minimum(np.minimum(charge, closed), 365)
    >>> end = np.where(days == charge, "charge", np.where(days == closed, "closed", "open"))
    >>> frame = pd.DataFrame({"days": days, "end": end, "after": after})
    >>> model = cause_specific_cox(frame, duration="days", event="end", cause="charge",
    ...                            covariates=["after"], censored="open")
    >>> bool(model.ci_low < np.exp(0.5) < model.ci_high)
    True
    """
    caller = "cause_specific_cox"
    if _same(cause, censored):
        raise ConfigError(
            f"{caller}: cause {cause!r} is the censoring code; pass the code of an event."
        )
    require_columns(data, [event], caller=caller)
    codes = _causes(data, event)
    indicator = "_cause_" + str(cause)
    frame = data.copy()
    frame[indicator] = np.array([_same(value, cause) for value in codes], dtype=bool)
    model = cox(frame, duration=duration, event=indicator, covariates=covariates, **options)
    names = list(model.table.index)
    return model.with_updates(
        estimand=(
            f"cause-specific hazard ratio of {cause} for {names[0]}"
            + (f", adjusted for {', '.join(names[1:])}" if len(names) > 1 else "")
            + " (other ends censor the case)"
        ),
        method="cause-specific " + model.method,
        assumptions=(
            *model.assumptions,
            "Competing ends are treated as censoring: the ratio compares the rate of this "
            "end among cases still open, not the share of cases that end this way.",
        ),
        outcome=str(cause),
    )
