"""Victim services: the designs, over :mod:`analysis.methods`, weakest first.

- :func:`naive_difference`: supported against unsupported victims as they come (SMS 1):
  shown because it points the wrong way when higher-risk victims are referred more;
- :func:`matched_difference`: the emulated target trial, supported victims matched at the
  date of the crime on risk and history to victims not yet supported (SMS 2);
- :func:`repeat_victimisation`: time to the next DA incident from the landmark in the
  matched cohort (Kaplan-Meier; Cox with variance clustered on the matched pair);
- :func:`service_change`: interrupted time series around the pan-Dorset IDVA service;
- :func:`exit_outcome` and :func:`exit_comparison`: complete-case, worst/best case and
  Lee bounds for the exit measures that go missing when victims disengage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...methods import (
    compare_proportions,
    cox,
    e_value,
    its,
    kaplan_meier,
    lee_bounds,
    match,
    proportion,
    worst_best_bounds,
)
from ...methods.bounds import Bounds
from ...methods.sensitivity import EValue
from ...results import Estimate
from .tables import MATCH_COVARIATES


def _in_points(estimate: Estimate) -> Estimate:
    """A difference of 0/1 outcomes on the percentage-point scale."""
    return estimate.with_updates(
        effect=estimate.effect * 100,
        ci_low=estimate.ci_low * 100,
        ci_high=estimate.ci_high * 100,
        se=None if estimate.se is None else estimate.se * 100,
        scale="percentage points",
    )


def naive_difference(trial: pd.DataFrame, outcome: str) -> Estimate:
    """Share with ``outcome`` among finalised crimes, supported minus not (points), unadjusted."""
    finalised = trial[trial["finalised"]]
    groups = {code: finalised[finalised["supported"] == code][outcome] for code in (1, 0)}
    return compare_proportions(
        int(groups[1].sum()), len(groups[1]), int(groups[0].sum()), len(groups[0])
    ).with_updates(outcome=outcome)


def matched_difference(trial: pd.DataFrame, outcome: str) -> Estimate:
    """Average effect of support on the supported (points): matched on risk and history.

    Nearest-neighbour propensity matching with replacement within a 0.2 SD caliper, among
    finalised crimes (outcome 0, pending, has no outcome yet). The estimand is the
    difference support made to the share with ``outcome`` among supported victims whose
    crimes are finalised.
    """
    finalised = trial[trial["finalised"]].reset_index(drop=True)
    result = match(
        finalised,
        outcome=outcome,
        treatment="supported",
        covariates=list(MATCH_COVARIATES),
        caliper=True,
    )
    return _in_points(result).with_updates(
        outcome=outcome,
        estimand=(
            f"difference support within the grace period made to the share of supported "
            f"victims' finalised crimes with {outcome} (percentage points)"
        ),
        assumptions=(
            *result.assumptions,
            "No unmeasured confounding: given DASH risk, prior incidents and offence type, "
            "whether a victim was supported is unrelated to the outcome without support.",
        ),
    )


def sensitivity(matched: Estimate, naive_control_share: float) -> EValue:
    """E-value of a matched difference, through the risk ratio it implies.

    The comparison share is the unsupported victims' share (naive); the supported share
    is that plus the matched difference, so the ratio is an approximation stated as such.
    """
    base = max(naive_control_share, 1e-6)
    ratio = (base + matched.effect / 100) / base
    low = max((base + matched.ci_low / 100) / base, 1e-6)
    high = max((base + matched.ci_high / 100) / base, 1e-6)
    return e_value(max(ratio, 1e-6), low, high, scale="risk ratio")


@dataclass(frozen=True)
class RepeatVictimisation:
    """Time to the next DA incident: naive and matched.

    Parameters
    ----------
    naive : Estimate
        Cox hazard ratio, supported against not, unmatched and unadjusted.
    matched : Estimate
        Cox hazard ratio in the matched cohort, adjusted for the matching covariates,
        variance clustered on the matched pair.
    curves : Estimate
        Kaplan-Meier curves of the matched cohort by group.
    cohort : DataFrame
        The matched cohort (one row per victim, ``pair_id``).
    """

    naive: Estimate
    matched: Estimate
    curves: Estimate
    cohort: pd.DataFrame


def repeat_victimisation(trial: pd.DataFrame) -> RepeatVictimisation:
    """Hazard of the next DA incident after the landmark, supported against matched unsupported."""
    frame = trial.reset_index(drop=True)
    naive = cox(frame, duration="repeat_days", event="repeat", covariates=["supported"])
    matched = match(
        frame,
        outcome="repeat",
        treatment="supported",
        covariates=list(MATCH_COVARIATES),
        caliper=True,
        replace=False,
    )
    pairs = matched.details["pairs"]
    cohort = pd.concat(
        [
            frame.loc[pairs["treated_index"]].assign(pair_id=np.arange(len(pairs))),
            frame.loc[pairs["control_index"]].assign(pair_id=np.arange(len(pairs))),
        ],
        ignore_index=True,
    )
    adjusted = cox(
        cohort,
        duration="repeat_days",
        event="repeat",
        covariates=["supported", *MATCH_COVARIATES],
        cluster="pair_id",
    )
    cohort["group"] = np.where(cohort["supported"] == 1, "supported", "matched, not supported")
    curves = kaplan_meier(
        cohort,
        duration="repeat_days",
        event="repeat",
        group="group",
        reference="matched, not supported",
    )
    return RepeatVictimisation(naive=naive, matched=adjusted, curves=curves, cohort=cohort)


def service_change(series: pd.DataFrame, column: str, change: pd.Timestamp) -> Estimate:
    """Step change in a monthly series at the move to the pan-Dorset IDVA service.

    Gaussian segmented regression with a common trend and no seasonality (two years of
    months is too short to estimate it). Model-based standard errors: with 24 months,
    Newey-West errors are too small (in the synthetic world they covered the planted
    change 25 times in 30, against 28 for model-based ones); the Ljung-Box test in the
    diagnostics says whether the residuals are autocorrelated.
    """
    frame = series[["month", column]].dropna()
    return its(
        frame,
        outcome=column,
        time="month",
        intervention=change,
        family="gaussian",
        harmonics=0,
    )


@dataclass(frozen=True)
class ExitOutcome:
    """One exit measure: the complete-case share beside its worst/best case bounds."""

    measure: str
    complete_case: Estimate
    bounds: Bounds


def exit_outcome(closed: pd.DataFrame, measure: str) -> ExitOutcome:
    """Share of closed cases with ``measure`` true: complete case and worst/best bounds."""
    asked = closed[measure].notna()
    complete = proportion(int(closed.loc[asked, measure].sum()), int(asked.sum()))
    bounds = worst_best_bounds(
        closed.assign(**{measure: closed[measure].astype(float)}), outcome=measure
    )
    return ExitOutcome(measure=measure, complete_case=complete, bounds=bounds)


def exit_comparison(closed: pd.DataFrame, measure: str, service: str = "IDVA") -> Bounds:
    """Lee bounds on the change in ``measure`` after the service change (``service`` cases)."""
    cases = closed[closed["service"] == service]
    return lee_bounds(
        cases.assign(**{measure: cases[measure].astype(float)}),
        outcome=measure,
        treatment="after_change",
        bootstrap=400,
        seed=0,
    )
