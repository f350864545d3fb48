"""Victim services: the designs, over :mod:`analysis.methods`, weakest first.

- :func:`naive_difference`: supported against unsupported victims as they come (SMS 1):
  shown because it points the wrong way when higher-risk victims are referred more;
- :func:`matched_difference`: the emulated target trial, supported victims matched at the
  date of the crime on risk and history to victims not yet supported (SMS 2);
- :func:`repeat_victimisation`: time to the next DA incident from the landmark in the
  matched cohort (Kaplan-Meier; Cox with variance clustered on the matched pair), each
  comparison victim followed until a later referral (they then stop being unsupported);
- :func:`comparison_referred_later`: how much of a comparison group was supported after
  all (referred after the grace period, within follow-up);
- :func:`risk_recording_stability`: whether the recorded risk of supported victims
  moves against the comparison's from month to month (re-assessment overwriting it);
- :func:`service_change`: interrupted time series around the pan-Dorset IDVA service;
- :func:`repeat_by_group`: the matched repeat hazard ratio by a characteristic of the
  supported victim, with a test that it is the same in every group;
- :func:`exit_outcome` and :func:`exit_comparison`: complete-case, worst/best case and
  Lee bounds for the exit measures that go missing when victims disengage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import EstimationError
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


def comparison_referred_later(trial: pd.DataFrame, follow_up_days: int) -> tuple[int, int]:
    """Comparison victims referred after the grace period but within follow-up, of all.

    Such a victim is counted as unsupported at the landmark (correctly, for the trial's
    strategy) yet support reaches them while their outcome is still open: when many are,
    the comparison is part supported and the difference shrinks towards none.

    Returns
    -------
    tuple of int
        ``(referred later, comparison victims)`` among finalised crimes.

    Examples
    --------
    >>> trial = pd.DataFrame({"supported": [1, 0, 0, 0], "finalised": [True] * 4,
    ...     "later_referral_days": [float("nan"), 40.0, float("nan"), 500.0]})
    >>> comparison_referred_later(trial, follow_up_days=365)
    (1, 3)
    """
    comparison = trial[trial["finalised"] & (trial["supported"] == 0)]
    later = comparison["later_referral_days"].le(follow_up_days)
    return int(later.sum()), len(comparison)


def risk_recording_stability(trial: pd.DataFrame) -> float | None:
    """p-value that supported victims' recorded risk is as far from the comparison's every month.

    Matching trusts the DASH level on the police record to be the one assessed at the
    crime. If services re-assess at intake when they are busy and the re-assessment
    overwrites that level, supported victims' recorded risk rises in those months and
    not the comparison's. Each month of the crime gives the difference in mean risk step
    (0 standard, 1 medium, 2 high) between supported and comparison victims; its
    variance uses each group's variance within months, pooled over months (a month's own
    few supported victims would give an unstable one). The test of homogeneity sets the
    differences' precision-weighted spread against a chi-squared on one fewer degrees of
    freedom than months. ``None`` with fewer than two months in which each group has at
    least five victims.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> trial = pd.DataFrame({
    ...     "offence_date": pd.Timestamp("2025-01-01")
    ...     + pd.to_timedelta(rng.integers(0, 180, 600), unit="D"),
    ...     "supported": rng.integers(0, 2, 600),
    ...     "dash_risk": rng.choice(["standard", "high"], 600)})
    >>> risk_recording_stability(trial) > 0.05
    True
    """
    recorded = trial[trial["dash_risk"].isin(["standard", "medium", "high"])]
    frame = pd.DataFrame(
        {
            "step": recorded["dash_risk"].map({"standard": 0.0, "medium": 1.0, "high": 2.0}),
            "supported": recorded["supported"].astype(int),
            "month": recorded["offence_date"].dt.to_period("M"),
        }
    )
    cells = frame.groupby(["month", "supported"])["step"].agg(["mean", "size"])
    cells = cells[cells["size"] >= 5].unstack("supported").dropna()
    if len(cells) < 2:
        return None
    frame["deviation"] = frame["step"] - frame.groupby(["month", "supported"])["step"].transform(
        "mean"
    )
    within = frame.groupby("supported")["deviation"].var()
    difference = cells[("mean", 1)] - cells[("mean", 0)]
    variance = within[1] / cells[("size", 1)] + within[0] / cells[("size", 0)]
    if not (variance > 0).all():
        return None
    weight = 1 / variance
    pooled = float((weight * difference).sum() / weight.sum())
    statistic = float((weight * (difference - pooled) ** 2).sum())
    return float(stats.chi2.sf(statistic, len(cells) - 1))


def _censored_at_referral(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparison victims followed until a later referral, when one came before their event.

    From their referral on they are no longer following the comparison strategy ("not
    supported"), so their time is censored there (per-protocol, as in a target trial);
    a referral on the landmark day itself keeps one day of follow-up.
    """
    frame = frame.copy()
    stop = frame["later_referral_days"]
    switch = (frame["supported"] == 0) & stop.notna() & (stop < frame["repeat_days"])
    frame.loc[switch, "repeat_days"] = np.maximum(stop[switch], 1).astype(int)
    frame.loc[switch, "repeat"] = 0
    frame["censored_at_referral"] = switch
    frame["observed_days"] = frame["horizon_days"].where(~switch, frame["repeat_days"])
    return frame


def _pair_outcomes(cohort: pd.DataFrame) -> pd.DataFrame:
    """A next incident within each pair's common follow-up, treated and control member."""
    treated = cohort[cohort["supported"] == 1].set_index("pair_id")
    control = cohort[cohort["supported"] == 0].set_index("pair_id").reindex(treated.index)
    common = np.minimum(treated["observed_days"], control["observed_days"])
    return pd.DataFrame(
        {
            "treated_outcome": (treated["repeat"] == 1) & (treated["repeat_days"] <= common),
            "control_outcome": (control["repeat"] == 1) & (control["repeat_days"] <= common),
        }
    ).astype(int)


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
    matching : Estimate
        The 1:1 matching behind the cohort (its balance and overlap diagnostics).
    pairs : DataFrame
        Per pair, whether the supported (``treated_outcome``) and the comparison
        (``control_outcome``) victim had a next incident within the pair's common
        follow-up (for Rosenbaum bounds).
    censored_at_referral : int
        Comparison victims in the matched cohort whose follow-up stopped at a later
        referral.
    """

    naive: Estimate
    matched: Estimate
    curves: Estimate
    cohort: pd.DataFrame
    matching: Estimate
    pairs: pd.DataFrame
    censored_at_referral: int


def repeat_victimisation(trial: pd.DataFrame) -> RepeatVictimisation:
    """Hazard of the next DA incident after the landmark, supported against matched unsupported.

    Comparison victims referred later are followed until that referral
    (:func:`_censored_at_referral`); the naive comparison follows everyone to the end.
    """
    frame = trial.reset_index(drop=True)
    naive = cox(frame, duration="repeat_days", event="repeat", covariates=["supported"])
    frame = _censored_at_referral(frame)
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
    adjusted = adjusted.with_updates(
        assumptions=(
            *adjusted.assumptions,
            "Comparison victims referred after the grace period are followed until their "
            "referral: whether and when they were referred is unrelated to their risk of a "
            "next incident, given risk and history.",
        )
    )
    return RepeatVictimisation(
        naive=naive,
        matched=adjusted,
        curves=curves,
        cohort=cohort,
        matching=matched,
        pairs=_pair_outcomes(cohort),
        censored_at_referral=int(cohort["censored_at_referral"].sum()),
    )


@dataclass(frozen=True)
class ForWhom:
    """The matched repeat hazard ratio by a characteristic of the supported victim.

    Parameters
    ----------
    by : str
        The characteristic (a column of the trial).
    table : DataFrame
        One row per group (``"not recorded"`` its own): ``pairs``, ``events``, the
        hazard ratio and its interval, or ``None`` where the group is suppressed (fewer
        pairs or events than the threshold) or the model could not be fitted there.
    p_value : float or None
        Test that the hazard ratio is the same in every estimated group (Cochran's Q on
        the log hazard ratios); ``None`` with fewer than two such groups.
    """

    by: str
    table: pd.DataFrame
    p_value: float | None


def _informative(column: pd.Series, threshold: int) -> bool:
    """Whether a covariate varies enough in a group to be adjusted for there."""
    if set(column.unique()) <= {0, 1}:
        ones = int(column.sum())
        return min(ones, len(column) - ones) >= threshold
    return column.nunique() > 1


def repeat_by_group(repeat: RepeatVictimisation, by: str, *, threshold: int) -> ForWhom:
    """Hazard ratio of the next DA incident by ``by`` of the supported victim in each pair.

    Each matched pair belongs to its supported member's group, and the Cox model of the
    headline (adjusted for the matching covariates that vary in the group, variance
    clustered on the pair) is fitted within it. Groups with fewer than ``threshold``
    pairs or events are suppressed (no estimate is published from so few).
    """
    cohort = repeat.cohort
    group_of_pair = cohort[cohort["supported"] == 1].set_index("pair_id")[by].astype(str)
    cohort = cohort.assign(group=cohort["pair_id"].map(group_of_pair))
    rows, logs, variances = [], [], []
    for level, part in cohort.groupby("group", sort=True):
        row: dict[str, object] = {
            by: level,
            "pairs": int(part["pair_id"].nunique()),
            "events": int(part["repeat"].sum()),
            "hazard ratio": None,
            "95% CI": None,
        }
        if row["pairs"] >= threshold and row["events"] >= threshold:
            # A 0/1 covariate nearly constant in the group (a high-risk group's few
            # medium-risk comparisons) makes the likelihood monotone: leave it out.
            varying = [c for c in MATCH_COVARIATES if _informative(part[c], threshold)]
            try:
                est = cox(
                    part,
                    duration="repeat_days",
                    event="repeat",
                    covariates=["supported", *varying],
                    cluster="pair_id",
                )
            except EstimationError:
                est = None
            if est is not None and est.ci_low > 0 and np.isfinite(est.ci_high):
                row["hazard ratio"] = round(est.effect, 2)
                row["95% CI"] = f"{est.ci_low:.2f} to {est.ci_high:.2f}"
                logs.append(np.log(est.effect))
                variances.append(((np.log(est.ci_high) - np.log(est.ci_low)) / (2 * 1.959964)) ** 2)
        rows.append(row)
    p_value = None
    if len(logs) >= 2:
        weight = 1 / np.asarray(variances)
        values = np.asarray(logs)
        pooled = (weight * values).sum() / weight.sum()
        q = float((weight * (values - pooled) ** 2).sum())
        p_value = float(stats.chi2.sf(q, len(logs) - 1))
    return ForWhom(by=by, table=pd.DataFrame(rows).set_index(by), p_value=p_value)


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
