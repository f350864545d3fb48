"""Perpetrator programmes: the designs, each over :mod:`analysis.methods`.

- 12-month DA reoffending: :func:`naive_reoffending` (everyone never referred),
  :func:`unadjusted_reoffending` (same risk level), and in
  :func:`reoffending_estimates` the propensity-matched (primary) and inverse
  probability weighted (sensitivity) effects, with covariate balance;
- time to first DA reoffence: :func:`survival_estimates` (Kaplan-Meier curves and a
  Cox model in a matched sample, censored at the extract date);
- harm and offences per person-quarter: :func:`harm_estimates` (difference-in-differences
  in the matched sample, the unmatched and participants-only :func:`before_after`
  versions beside it, an event study for pre-trends and a negative-control outcome);
- practitioners' knowledge: :func:`training_change` (paired before/after).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...methods.paired import paired_difference
from ...results import Estimate
from .tables import QUARTERS_AFTER, Cohort, person_period_panel


# ---------------------------------------------------------------------------- reoffending
def _as_percentage_points(estimate: Estimate, estimand: str) -> Estimate:
    """Relabel a difference of 0/100 outcomes as a percentage-point difference."""
    return estimate.with_updates(scale="percentage points", estimand=estimand)


def naive_reoffending(outcomes: pd.DataFrame, programme: str) -> Estimate:
    """12-month DA reoffending of participants against everyone never referred (no controls).

    The comparison that a quick look would make, and the one that misleads: the
    comparison pool includes people of every risk level, and participants were
    chosen for their risk. Complete follow-up windows only.

    Returns
    -------
    Estimate
        Difference in percentage points (:func:`analysis.methods.compare_proportions`).
    """
    from ...methods import compare_proportions

    complete = outcomes[outcomes["followup_complete"]]
    treated = complete[complete["programme"].eq(programme) & complete["started"]]
    comparison = complete[complete["programme"].eq("none")]
    est = compare_proportions(
        int(treated["reoffended"].sum()),
        len(treated),
        int(comparison["reoffended"].sum()),
        len(comparison),
    )
    return est.with_updates(
        estimand=(
            f"difference in 12-month DA reoffending, {programme} participants minus everyone "
            "never referred (no adjustment)"
        ),
        method="naive comparison of proportions (" + est.method + ")",
    )


def unadjusted_reoffending(cohort: Cohort) -> Estimate:
    """12-month DA reoffending of participants against the same-risk comparison pool, unmatched.

    Returns
    -------
    Estimate
        Difference in percentage points; it still ignores who was chosen for
        referral within the risk levels (MARAC, prior incidents, age, area).
    """
    from ...methods import compare_proportions

    complete = cohort.complete
    treated = complete[complete["treated"] == 1]
    comparison = complete[complete["treated"] == 0]
    est = compare_proportions(
        int(treated["reoffended"].sum()),
        len(treated),
        int(comparison["reoffended"].sum()),
        len(comparison),
    )
    levels = "/".join(cohort.risk_levels)
    return est.with_updates(
        estimand=(
            f"difference in 12-month DA reoffending, {cohort.programme} participants minus "
            f"never-referred people of DASH {levels} risk (no further adjustment)"
        ),
        method="unadjusted comparison of proportions (" + est.method + ")",
    )


@dataclass(frozen=True)
class ReoffendingEstimates:
    """12-month DA reoffending effects of one programme by four designs."""

    naive: Estimate
    same_risk: Estimate
    matched: Estimate
    ipw: Estimate
    balance: Estimate

    def as_rows(self) -> list[tuple[str, Estimate]]:
        """(label, estimate) rows for a forest plot, weakest design first."""
        return [
            ("Naive: everyone never referred", self.naive),
            ("Same risk level, unmatched", self.same_risk),
            ("Propensity-matched", self.matched),
            ("Inverse probability weighted", self.ipw),
        ]


def reoffending_estimates(
    cohort: Cohort, outcomes: pd.DataFrame, *, caliper: float | None = 0.2
) -> ReoffendingEstimates:
    """Effect on 12-month DA reoffending: naive, matched (primary) and IPW (sensitivity).

    Parameters
    ----------
    cohort : Cohort
        From :func:`programme_cohort`.
    outcomes : pandas.DataFrame
        From :func:`person_outcomes` (for the naive comparison).
    caliper : float or None, default 0.2
        Matching caliper in standard deviations of the logit propensity score.

    Returns
    -------
    ReoffendingEstimates
        Effects in percentage points (participants minus comparison); ``balance``
        holds the standardised mean differences before and after matching.
    """
    from ...methods import balance, ipw, match

    data = cohort.complete
    name = cohort.programme
    matched = match(
        data,
        outcome="reoffended_pct",
        treatment="treated",
        covariates=cohort.covariates,
        neighbours=1,
        caliper=caliper,
        replace=False,
    )
    matched = _as_percentage_points(
        matched,
        f"effect of starting {name} on the 12-month DA reoffending rate of participants "
        "(ATT, percentage points), against propensity-matched never-referred people",
    )
    weighted = ipw(
        data,
        outcome="reoffended_pct",
        treatment="treated",
        covariates=cohort.covariates,
        estimand="ATT",
    )
    weighted = _as_percentage_points(
        weighted,
        f"effect of starting {name} on the 12-month DA reoffending rate of participants "
        "(ATT, percentage points), inverse probability weighted",
    )
    weights = matched.details["matched"]["match_weight"].reindex(data.index, fill_value=0.0)
    balance_estimate = balance(
        data, treatment="treated", covariates=cohort.covariates, weights=weights.to_numpy()
    )
    return ReoffendingEstimates(
        naive_reoffending(outcomes, name),
        unadjusted_reoffending(cohort),
        matched,
        weighted,
        balance_estimate,
    )


def matched_sample(
    cohort: Cohort, *, complete_only: bool, caliper: float | None = 0.2
) -> pd.DataFrame:
    """Participants and their propensity-matched comparison people (1:1, no replacement).

    Parameters
    ----------
    cohort : Cohort
    complete_only : bool
        Match only people whose 12-month window is complete (for the 12-month
        and before/after outcomes) or everyone with follow-up (for survival).
    caliper : float or None

    Returns
    -------
    pandas.DataFrame
        The cohort rows used, with ``match_weight`` and ``propensity_score``.
    """
    from ...methods import match

    data = cohort.complete if complete_only else cohort.table
    # match() needs an outcome to estimate; only the matched sample is used here.
    result = match(
        data,
        outcome="event",
        treatment="treated",
        covariates=cohort.covariates,
        neighbours=1,
        caliper=caliper,
        replace=False,
    )
    return result.details["matched"]


# ---------------------------------------------------------------------------- survival
@dataclass(frozen=True)
class SurvivalEstimates:
    """Time to first DA reoffence: Kaplan-Meier curves and Cox hazard ratios."""

    kaplan_meier: Estimate
    cox: Estimate
    naive_kaplan_meier: Estimate
    hazard_ratio: Estimate
    sample: pd.DataFrame = field(repr=False, compare=False)


def survival_estimates(cohort: Cohort, *, caliper: float | None = 0.2) -> SurvivalEstimates:
    """Time to first DA reoffence in a matched sample, censored at the extract date.

    Returns
    -------
    SurvivalEstimates
        ``kaplan_meier``: curves by group in the matched sample (group labels
        "participants"/"comparison"); ``naive_kaplan_meier``: the same in the whole
        cohort (unmatched); ``cox``: the Cox model with ``treated`` and the
        covariates; ``hazard_ratio``: the participants' hazard ratio as an
        :class:`~analysis.results.Estimate` on the "hazard ratio" scale; ``sample``: the
        matched people (``duration``, ``event``, ``treated`` and covariates).
    """
    from ...methods import cox, kaplan_meier

    sample = matched_sample(cohort, complete_only=False, caliper=caliper)
    labelled = sample.assign(group=np.where(sample["treated"] == 1, "participants", "comparison"))
    km = kaplan_meier(labelled, duration="duration", event="event", group="group")
    everyone = cohort.table.assign(
        group=np.where(cohort.table["treated"] == 1, "participants", "comparison")
    )
    naive_km = kaplan_meier(everyone, duration="duration", event="event", group="group")
    model = cox(
        sample, duration="duration", event="event", covariates=["treated", *cohort.covariates]
    )
    hazard_ratio = model.with_updates(
        method="Cox proportional hazards in the propensity-matched sample, adjusted for the "
        "matching covariates",
        estimand=f"hazard ratio of a first DA reoffence, {cohort.programme} participants "
        "against matched never-referred people (conditional on the covariates)",
        outcome="time to first DA reoffence",
    )
    return SurvivalEstimates(km, model, naive_km, hazard_ratio, sample)


@dataclass(frozen=True)
class HarmEstimates:
    """Before/after designs for harm and offences per person-quarter."""

    before_after: Estimate
    unmatched_did: Estimate
    matched_did: Estimate
    da_offences_did: Estimate
    non_da_offences_did: Estimate
    event_study: Estimate

    def as_rows(self) -> list[tuple[str, Estimate]]:
        """(label, estimate) rows for a forest plot of the harm designs."""
        return [
            ("Participants only, before/after", self.before_after),
            ("Difference-in-differences, unmatched", self.unmatched_did),
            ("Difference-in-differences, matched", self.matched_did),
        ]


def before_after(panel: pd.DataFrame, *, outcome: str, label: str) -> Estimate:
    """Mean change per person-period of participants alone, after minus before (SMS 1).

    A paired difference of each participant's mean per period after and before:
    it attributes regression to the mean and any general trend to the programme.
    """
    treated = panel[panel["treated"] == 1]
    means = treated.pivot_table(index="person_id", columns="post", values=outcome, aggfunc="mean")
    frame = means.rename(columns={0: "before", 1: "after"}).reset_index()
    est = paired_difference(frame, before="before", after="after")
    return est.with_updates(
        estimand=f"change in {label} per person-quarter, participants only (after minus before)",
        method="before/after of participants only (paired t)",
        outcome=label,
    )


def harm_estimates(
    cohort: Cohort,
    offences: pd.DataFrame,
    *,
    harm_weights: Mapping[str, float],
    followup_days: int = 365,
    caliper: float | None = 0.2,
    periods_before: int = 4,
    matched: pd.DataFrame | None = None,
) -> tuple[HarmEstimates, pd.DataFrame]:
    """Harm and offending before and after against the comparison (difference-in-differences).

    Parameters
    ----------
    cohort : Cohort
    offences : pandas.DataFrame
    harm_weights : mapping of str to float
        Crime Harm Index days per offence group.
    followup_days : int
    caliper : float or None
        Matching caliper (logit propensity SDs).
    periods_before : int
        Quarters before identification in the panel (4 for the DiD; the event study
        uses the same panel).
    matched : pandas.DataFrame, optional
        The matched sample of the complete-window cohort, if already built (the
        12-month reoffending estimate's ``details["matched"]``: matching does not
        depend on the outcome, so it is the same sample).

    Returns
    -------
    (HarmEstimates, pandas.DataFrame)
        The estimates (effects per person-quarter, participants minus comparison) and
        the matched person-quarter panel.
    """
    from ...methods import did, event_study

    name = cohort.programme
    complete = cohort.complete
    panel_all = person_period_panel(
        complete,
        offences,
        harm_weights=harm_weights,
        followup_days=followup_days,
        periods_before=periods_before,
        periods_after=QUARTERS_AFTER,
    )
    sample = (
        matched
        if matched is not None
        else matched_sample(cohort, complete_only=True, caliper=caliper)
    )
    panel = panel_all[panel_all["person_id"].isin(sample["person_id"])]

    def fit(data: pd.DataFrame, outcome: str, what: str, design: str) -> Estimate:
        est = did(data, outcome=outcome, treatment="treat_post", unit="person_id", time="period")
        return est.with_updates(
            estimand=f"effect of starting {name} on {what} per person-quarter in the year after "
            f"(ATT, {design})",
            outcome=what,
        )

    estimates = HarmEstimates(
        before_after=before_after(panel_all, outcome="harm", label="harm (Crime Harm Index days)"),
        unmatched_did=fit(
            panel_all, "harm", "harm (Crime Harm Index days)", "all eligible never-referred people"
        ),
        matched_did=fit(
            panel, "harm", "harm (Crime Harm Index days)", "propensity-matched comparison"
        ),
        da_offences_did=fit(panel, "da_offences", "DA crimes", "propensity-matched comparison"),
        non_da_offences_did=fit(
            panel,
            "non_da_offences",
            "non-DA crimes (negative control)",
            "propensity-matched comparison",
        ),
        event_study=event_study(
            panel,
            outcome="da_offences",
            unit="person_id",
            time="period",
            first_treated="first_treated",
            leads=periods_before,
            lags=QUARTERS_AFTER - 1,
        ).with_updates(outcome="DA crimes per person-quarter"),
    )
    return estimates, panel


def training_change(scores: pd.DataFrame) -> Estimate:
    """Mean change in practitioners' knowledge score after training (paired, trained group only).

    A before/after comparison of the trained group alone (SMS 1): practice at the
    questionnaire and anything else that changed in between count as effect.
    Practitioners who did not return the post-training questionnaire are left out
    (:func:`analysis.methods.paired.paired_difference` counts them).
    """
    estimate = paired_difference(scores, before="score_before", after="score_after")
    return estimate.with_updates(
        estimand=(
            "mean change in practitioners' knowledge score (0-100), after minus before training"
        ),
        outcome="knowledge score",
    )
