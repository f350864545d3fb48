"""Domestic-abuse perpetrator programmes: analysis tables and findings.

Drive (high-harm, high-risk perpetrators: case management plus disruption) and Up2U
(assessment-led one-to-one sessions for standard and medium risk) serve different risk
levels, so each is evaluated against its own comparison pool: DA perpetrators of the same
risk levels known to police in the same period who were never referred. Practitioner
training is evaluated on its own (knowledge scores before and after).

The analysis steps, in the order the notebook calls them:

- :func:`person_outcomes`: one row per person with the index date (start of the
  programme for participants, identification for the comparison pool), follow-up,
  first DA reoffence, 12-month reoffending (complete windows only) and covariates;
- :func:`programme_cohort`: a programme's participants beside its eligible comparison
  pool, with what was excluded and why;
- :func:`reoffending_estimates`: naive, propensity-matched and inverse-probability
  weighted 12-month DA reoffending effects;
- :func:`survival_estimates`: Kaplan-Meier curves and a Cox model in a matched sample,
  censored at the extract date;
- :func:`person_period_panel` and :func:`harm_estimates`: harm and offences per
  person-quarter before and after, difference-in-differences in the matched sample
  (participants-only before/after and unmatched versions beside it), an event study for
  pre-trends and a negative-control outcome (non-DA offending);
- :func:`funnel_counts` and :func:`attrition_table`: referral -> start -> completion;
- :func:`paired_difference`: practitioners' scores before and after (generic);
- :func:`costed_year` and :func:`programme_value_for_money`: cost per participant and
  value for money against the continuation funding.

Index dates and the wait before the start: participants are followed from their start
date, comparison people from their identification. The year before identification is
the "before" period for both, so the wait between identification and start is in
neither period (offences in it are not attributed to the programme).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...data.contracts.perpetrator_programmes import STARTED_STATUSES
from ...errors import ConfigError, EstimationError
from ...evidence import vfm
from ...methods.paired import paired_difference
from ...methods.power import mde_from_standard_error
from ...results import Estimate

logger = logging.getLogger(__name__)

#: Programmes evaluated, with the DASH risk levels each serves (its eligibility).
RISK_LEVELS: dict[str, tuple[str, ...]] = {
    "Drive": ("high",),
    "Up2U": ("standard", "medium"),
}

#: Areas counted as urban (the Bournemouth-Poole conurbation and Weymouth): a covariate.
URBAN_AREAS: tuple[str, ...] = ("Bournemouth", "Poole", "Weymouth and Portland")

#: Age bands as covariates: 35-44 is the reference; 16-17 joins 18-24 (too few alone).
AGE_COVARIATES: dict[str, tuple[str, ...]] = {
    "age_under_25": ("16-17", "18-24"),
    "age_25_34": ("25-34",),
    "age_45_54": ("45-54",),
    "age_55_plus": ("55+",),
}

#: Quarters after the index date in the person-period panel (the follow-up year).
QUARTERS_AFTER = 4

#: Covariates of the propensity and Cox models (DASH medium only varies within Up2U).
BASE_COVARIATES: tuple[str, ...] = (
    "marac",
    "prior_da_incidents",
    *AGE_COVARIATES,
    "urban",
)


def covariates_for(programme: str, risk_levels: Sequence[str] | None = None) -> list[str]:
    """Covariates for a programme's propensity and Cox models.

    DASH medium (against standard) is a covariate only when the comparison pool holds
    both levels.

    Examples
    --------
    >>> covariates_for("Up2U")[-1]
    'dash_medium'
    >>> "dash_medium" in covariates_for("Drive")
    False
    """
    levels = _risk_levels(programme, risk_levels)
    extra = ["dash_medium"] if "medium" in levels and len(levels) > 1 else []
    return [*BASE_COVARIATES, *extra]


def _risk_levels(programme: str, risk_levels: Sequence[str] | None = None) -> tuple[str, ...]:
    if risk_levels is not None:
        return tuple(risk_levels)
    if programme not in RISK_LEVELS:
        raise ConfigError(
            f"unknown programme '{programme}'; choose one of: {', '.join(RISK_LEVELS)}"
        )
    return RISK_LEVELS[programme]


# ---------------------------------------------------------------------------- outcomes
def person_outcomes(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    extract_date: pd.Timestamp,
    followup_days: int = 365,
    urban_areas: Sequence[str] = URBAN_AREAS,
) -> pd.DataFrame:
    """One row per person: index date, follow-up, first DA reoffence and covariates.

    Parameters
    ----------
    people, offences : pandas.DataFrame
        The ``people`` and ``offences`` tables as loaded.
    extract_date : pandas.Timestamp
        Date the extract was taken: follow-up is censored there.
    followup_days : int, default 365
        Length of the reoffending window.
    urban_areas : sequence of str
        Areas counted as urban (a covariate).

    Returns
    -------
    pandas.DataFrame
        The people columns plus: ``started`` (status ongoing, completed or
        dropped_out), ``index_date`` (start date if started, else identified
        date), ``followup_complete`` (index date + ``followup_days`` on or before
        the extract date), ``duration`` (days from the index date to the first DA
        crime dated after it, or to the extract date), ``event`` (1 if that crime
        exists), ``reoffended`` (1/0 within ``followup_days``; NaN when the window
        is incomplete), ``reoffended_pct`` (x100), and the numeric covariates
        ``marac``, ``urban``, ``dash_medium`` and the age dummies of
        :data:`AGE_COVARIATES`.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "b"], "status": ["completed", "not_referred"],
    ...     "identified_date": pd.to_datetime(["2023-01-01", "2023-02-01"]),
    ...     "start_date": pd.to_datetime(["2023-02-01", None]), "marac_flag": [True, False],
    ...     "prior_da_incidents": [3, 1], "age_band": ["25-34", "55+"],
    ...     "area": ["Poole", "Purbeck"], "dash_risk": ["high", "medium"]})
    >>> offences = pd.DataFrame({"person_id": ["a", "b"], "da_flag": [True, True],
    ...     "offence_date": pd.to_datetime(["2023-06-01", "2023-02-01"])})
    >>> out = person_outcomes(people, offences, extract_date=pd.Timestamp("2025-01-01"))
    >>> out[["duration", "event", "reoffended"]].to_numpy().tolist()
    [[120.0, 1.0, 1.0], [700.0, 0.0, 0.0]]
    """
    extract_date = pd.Timestamp(extract_date)
    if followup_days <= 0:
        raise ConfigError(f"followup_days must be a positive number of days, got {followup_days}")
    out = people.copy()
    out["started"] = out["status"].isin(STARTED_STATUSES).to_numpy()
    out["index_date"] = out["start_date"].where(out["started"], out["identified_date"])
    out["followup_complete"] = (
        out["index_date"] + pd.Timedelta(days=followup_days) <= extract_date
    ).to_numpy()

    da = offences.loc[offences["da_flag"].astype(bool), ["person_id", "offence_date"]]
    da = da.merge(out[["person_id", "index_date"]], on="person_id", how="inner")
    after = da[da["offence_date"] > da["index_date"]]
    first = after.groupby("person_id")["offence_date"].min()
    first_reoffence = out["person_id"].map(first)
    days_to = (first_reoffence - out["index_date"]).dt.days
    out["event"] = first_reoffence.notna().astype(float).to_numpy()
    out["duration"] = days_to.where(
        first_reoffence.notna(), (extract_date - out["index_date"]).dt.days
    ).astype(float)
    within = (days_to <= followup_days).fillna(False).astype(float)
    out["reoffended"] = within.where(out["followup_complete"], np.nan)
    out["reoffended_pct"] = 100 * out["reoffended"]

    out["marac"] = out["marac_flag"].astype(float)
    out["prior_da_incidents"] = out["prior_da_incidents"].astype(float)
    out["urban"] = out["area"].isin(list(urban_areas)).astype(float)
    out["dash_medium"] = out["dash_risk"].eq("medium").astype(float)
    for name, bands in AGE_COVARIATES.items():
        out[name] = out["age_band"].isin(bands).astype(float)
    return out


@dataclass(frozen=True)
class Cohort:
    """A programme's participants beside its eligible comparison pool.

    Attributes
    ----------
    programme : str
        "Drive" or "Up2U".
    table : pandas.DataFrame
        One row per person kept, from :func:`person_outcomes`, with ``treated``
        (1 participant, 0 comparison).
    covariates : list of str
        Propensity and Cox model covariates.
    exclusions : pandas.DataFrame
        What was left out and why (``reason``, ``people``).
    risk_levels : tuple of str
        DASH levels the comparison pool was drawn from.
    """

    programme: str
    table: pd.DataFrame
    covariates: list[str]
    exclusions: pd.DataFrame
    risk_levels: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> pd.DataFrame:
        """People whose reoffending window is complete at the extract date."""
        return self.table[self.table["followup_complete"]]


def programme_cohort(
    outcomes: pd.DataFrame,
    programme: str,
    *,
    risk_levels: Sequence[str] | None = None,
    covariates: Sequence[str] | None = None,
) -> Cohort:
    """Participants of one programme and its comparison pool, with exclusions counted.

    Participants are the programme's starters (status ongoing, completed or
    dropped_out). The comparison pool is everyone never referred to any programme
    whose DASH risk level is one the programme serves. People referred who never
    started, starters at another risk level and anyone with no follow-up (index date
    on the extract date) are left out and counted.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        From :func:`person_outcomes`.
    programme : str
        "Drive" or "Up2U".
    risk_levels : sequence of str, optional
        DASH levels of the comparison pool (default :data:`RISK_LEVELS`).
    covariates : sequence of str, optional
        Model covariates (default :func:`covariates_for`).

    Returns
    -------
    Cohort
    """
    levels = _risk_levels(programme, risk_levels)
    in_programme = outcomes["programme"].eq(programme)
    eligible = outcomes["dash_risk"].isin(list(levels))
    treated = in_programme & outcomes["started"]
    comparison = outcomes["programme"].eq("none") & eligible
    no_followup = outcomes["duration"] <= 0
    reasons = {
        "referred, never started (or awaiting a start)": int((in_programme & ~treated).sum()),
        "started, DASH level outside the programme's": int((treated & ~eligible).sum()),
        "no follow-up (index date on the extract date)": int(
            (((treated & eligible) | comparison) & no_followup).sum()
        ),
    }
    keep = ((treated & eligible) | comparison) & ~no_followup
    table = outcomes[keep].copy()
    table["treated"] = treated[keep].astype(int).to_numpy()
    covs = list(covariates) if covariates is not None else covariates_for(programme, levels)
    varying = [c for c in covs if table[c].nunique() > 1]
    if len(varying) < len(covs):
        logger.info(
            "covariates constant in the %s cohort dropped: %s",
            programme,
            sorted(set(covs) - set(varying)),
        )
    if table["treated"].sum() == 0:
        raise EstimationError(
            f"no {programme} participant (status ongoing, completed or dropped_out) is in the "
            "people table: check the programme and status columns."
        )
    if (table["treated"] == 0).sum() == 0:
        raise EstimationError(
            f"no comparison people (programme 'none', DASH {', '.join(levels)}) for {programme}."
        )
    incomplete = table[~table["followup_complete"]]
    reasons_12 = {
        "window incomplete at the extract date: participants": int(incomplete["treated"].sum()),
        "window incomplete at the extract date: comparison": int(
            (incomplete["treated"] == 0).sum()
        ),
    }
    exclusions = pd.DataFrame(
        [{"analysis": "all", "reason": k, "people": v} for k, v in reasons.items()]
        + [
            {"analysis": "12-month outcomes", "reason": k, "people": v}
            for k, v in reasons_12.items()
        ]
    )
    return Cohort(programme, table, varying, exclusions, levels)


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


# ---------------------------------------------------------------------------- harm panel
def person_period_panel(
    cohort_table: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    harm_weights: Mapping[str, float],
    followup_days: int = 365,
    periods_before: int = 4,
    periods_after: int = 4,
) -> pd.DataFrame:
    """Offences and harm per person and period (quarter) before and after the index date.

    "Before" periods count back from the identification date (the quarter ending
    on it is period -1); "after" periods count forward from the index date (period
    0 starts the day after it). Each period is ``followup_days / periods_after``
    days long. People must have complete follow-up.

    Parameters
    ----------
    cohort_table : pandas.DataFrame
        Rows of :class:`Cohort` (``person_id``, ``treated``, ``identified_date``,
        ``index_date``), complete follow-up.
    offences : pandas.DataFrame
        The offences table.
    harm_weights : mapping of str to float
        Harm (Crime Harm Index days) per offence group.
    followup_days : int
        Length of the after window.
    periods_before, periods_after : int
        Periods on each side.

    Returns
    -------
    pandas.DataFrame
        One row per person and period: ``person_id``, ``period`` (``-periods_before``
        to ``periods_after - 1``), ``treated``, ``post``, ``treat_post``,
        ``first_treated`` (0 for participants, NaN otherwise), ``da_offences``,
        ``non_da_offences``, ``harm`` (of DA crimes).

    Examples
    --------
    >>> cohort = pd.DataFrame({"person_id": ["a"], "treated": [1],
    ...     "identified_date": pd.to_datetime(["2023-01-01"]),
    ...     "index_date": pd.to_datetime(["2023-02-01"])})
    >>> offences = pd.DataFrame({"person_id": ["a", "a"], "da_flag": [True, True],
    ...     "offence_group": ["rape", "public_order"],
    ...     "offence_date": pd.to_datetime(["2023-01-01", "2023-02-02"])})
    >>> panel = person_period_panel(cohort, offences, harm_weights={"rape": 2555,
    ...     "public_order": 7.5}, periods_before=2, periods_after=2)
    >>> panel[["period", "harm"]].to_numpy().tolist()
    [[-2.0, 0.0], [-1.0, 2555.0], [0.0, 7.5], [1.0, 0.0]]
    """
    if periods_before < 1 or periods_after < 1:
        raise ConfigError("periods_before and periods_after must be at least 1")
    missing = sorted(set(offences["offence_group"].unique()) - set(harm_weights))
    if missing:
        raise ConfigError(
            f"harm weights are missing offence group(s) {missing}: add them to the harm "
            "weights (data/reference) or to the notebook's harm weight overrides"
        )
    length = followup_days / periods_after
    people = cohort_table[["person_id", "treated", "identified_date", "index_date"]]
    merged = offences.merge(people, on="person_id", how="inner")
    before_days = (merged["identified_date"] - merged["offence_date"]).dt.days.to_numpy()
    after_days = (merged["offence_date"] - merged["index_date"]).dt.days.to_numpy()
    period = np.full(len(merged), np.nan)
    is_before = before_days >= 0
    period[is_before] = -(np.floor(before_days[is_before] / length) + 1)
    is_after = after_days > 0
    period[is_after] = np.ceil(after_days[is_after] / length) - 1
    merged["period"] = period
    inside = (period >= -periods_before) & (period <= periods_after - 1)
    merged = merged[inside]
    da = merged["da_flag"].astype(bool)
    merged = merged.assign(
        da_offences=da.astype(float),
        non_da_offences=(~da).astype(float),
        harm=np.where(da, merged["offence_group"].map(dict(harm_weights)).astype(float), 0.0),
    )
    sums = merged.groupby(["person_id", "period"])[["da_offences", "non_da_offences", "harm"]].sum()
    grid = pd.MultiIndex.from_product(
        [people["person_id"].to_numpy(), np.arange(-periods_before, periods_after, dtype=float)],
        names=["person_id", "period"],
    )
    panel = sums.reindex(grid, fill_value=0.0).reset_index()
    treated = panel["person_id"].map(people.set_index("person_id")["treated"])
    panel["treated"] = treated.astype(int).to_numpy()
    panel["post"] = (panel["period"] >= 0).astype(int)
    panel["treat_post"] = panel["treated"] * panel["post"]
    panel["first_treated"] = np.where(panel["treated"] == 1, 0.0, np.nan)
    return panel


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


# ---------------------------------------------------------------------------- process
def funnel_counts(people: pd.DataFrame, programme: str) -> dict[str, int]:
    """Referral -> start -> completion counts for one programme.

    Examples
    --------
    >>> people = pd.DataFrame({"programme": ["Drive"] * 4,
    ...     "status": ["not_started", "completed", "dropped_out", "ongoing"]})
    >>> funnel_counts(people, "Drive")
    {'Referred': 4, 'Started': 3, 'Finished (completed or left)': 2, 'Completed': 1}
    """
    rows = people[people["programme"].eq(programme)]
    status = rows["status"]
    return {
        "Referred": int(len(rows)),
        "Started": int(status.isin(STARTED_STATUSES).sum()),
        "Finished (completed or left)": int(status.isin(("completed", "dropped_out")).sum()),
        "Completed": int(status.eq("completed").sum()),
    }


def attrition_table(people: pd.DataFrame, programme: str, by: str) -> pd.DataFrame:
    """Who drops out: referral, start and completion counts by a grouping column.

    Parameters
    ----------
    people : pandas.DataFrame
        The people table.
    programme : str
    by : str
        Column to group by (``dash_risk``, ``area``, ``age_band``).

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``referred``, ``started``, ``finished`` (completed or
        dropped out), ``completed`` (counts), and ``start_rate`` (started / referred,
        among referrals no longer awaiting a start) and ``completion_rate``
        (completed / finished), as percentages. Suppress small counts before
        publishing (:func:`analysis.evidence.disclosure.suppress`).

    Examples
    --------
    >>> people = pd.DataFrame({"programme": ["Drive"] * 3, "area": ["Poole"] * 3,
    ...     "status": ["not_started", "completed", "dropped_out"]})
    >>> table = attrition_table(people, "Drive", "area")
    >>> table.loc["Poole", ["referred", "started", "finished", "completed"]].tolist()
    [3, 2, 2, 1]
    >>> table.loc["Poole", ["start_rate", "completion_rate"]].tolist()
    [66.7, 50.0]
    """
    rows = people[people["programme"].eq(programme)]
    status = rows["status"]
    flags = pd.DataFrame(
        {
            by: rows[by],
            "referred": 1,
            "decided": (~status.eq("referred")).astype(int),
            "started": status.isin(STARTED_STATUSES).astype(int),
            "finished": status.isin(("completed", "dropped_out")).astype(int),
            "completed": status.eq("completed").astype(int),
        }
    )
    table = flags.groupby(by).sum().astype("int64")
    table["start_rate"] = (
        100 * table["started"] / table["decided"].where(table["decided"] > 0)
    ).round(1)
    table["completion_rate"] = (
        100 * table["completed"] / table["finished"].where(table["finished"] > 0)
    ).round(1)
    return table.drop(columns="decided")


# ---------------------------------------------------------------------------- training


# ---------------------------------------------------------------------------- costs and VfM
def financial_year_bounds(financial_year: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a UK financial year written ``YYYY/YY``.

    Examples
    --------
    >>> financial_year_bounds("2024/25")
    (Timestamp('2024-04-01 00:00:00'), Timestamp('2025-03-31 00:00:00'))
    """
    text = str(financial_year).strip()
    try:
        first = int(text[:4])
        ok = len(text) == 7 and text[4] == "/" and (first + 1) % 100 == int(text[5:])
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(f"financial year must be written YYYY/YY (e.g. 2024/25), got {text!r}")
    return pd.Timestamp(first, 4, 1), pd.Timestamp(first + 1, 3, 31)


def costs_by_year(costs: pd.DataFrame) -> pd.DataFrame:
    """Spending as a programme x financial-year table with totals.

    Examples
    --------
    >>> costs = pd.DataFrame({"programme": ["Drive", "Up2U"],
    ...     "financial_year": ["2024/25", "2024/25"], "cost_gbp": [170000.0, 80000.0]})
    >>> float(costs_by_year(costs).loc["Total", "2024/25"])
    250000.0
    """
    table = costs.pivot_table(
        index="programme",
        columns="financial_year",
        values="cost_gbp",
        aggfunc="sum",
        fill_value=0.0,
    )
    table.loc["Total"] = table.sum()
    table["All years"] = table.sum(axis=1)
    table.columns.name = None
    return table


@dataclass(frozen=True)
class CostedYear:
    """Costs and participants of one financial year, per programme component."""

    financial_year: str
    costs: dict[str, float]
    participants: dict[str, int]
    completers: dict[str, int]

    @property
    def total_cost(self) -> float:
        """Spending on every component in the year."""
        return float(sum(self.costs.values()))


def costed_year(
    people: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    financial_year: str,
    price_year: str | None = None,
) -> CostedYear:
    """Spending and participants (starters, and completers among them) in one financial year.

    Parameters
    ----------
    people, costs : pandas.DataFrame
        The ``people`` and ``programme_costs`` tables.
    financial_year : str
        The costed year (``YYYY/YY``).
    price_year : str, optional
        Uprate the year's cash spending to this financial year's prices with the GDP
        deflator (:func:`analysis.data.uprate`); default: cash prices.

    Returns
    -------
    CostedYear
        Participants are the people who started in the year; completers are those of
        them who completed by the extract date.
    """
    first, last = financial_year_bounds(financial_year)
    year_costs = costs[costs["financial_year"].astype(str).str.strip().eq(financial_year)]
    if year_costs.empty:
        known = ", ".join(sorted(costs["financial_year"].astype(str).unique()))
        raise ConfigError(
            f"programme_costs has no row for financial year {financial_year}; years present: "
            f"{known}. Set the notebook's costed_year to one of them."
        )
    spent = year_costs.groupby("programme")["cost_gbp"].sum().astype(float).to_dict()
    if price_year:
        from ...data import uprate

        spent = {k: float(uprate(v, financial_year, price_year)) for k, v in spent.items()}
    starters = people[people["start_date"].between(first, last)]
    participants = {p: int(starters["programme"].eq(p).sum()) for p in RISK_LEVELS}
    completers = {
        p: int((starters["programme"].eq(p) & starters["status"].eq("completed")).sum())
        for p in RISK_LEVELS
    }
    return CostedYear(financial_year, spent, participants, completers)


def domestic_abuse_unit_cost(price_year: str) -> vfm.UnitCost:
    """Home Office cost of domestic abuse per victim, uprated to ``price_year``.

    Oliver et al. (2019), *The economic and social costs of domestic abuse*: £34,015
    per victim in 2016/17 prices (over the year, not per incident), uprated with the
    GDP deflator in ``data/reference``.

    Examples
    --------
    >>> cost = domestic_abuse_unit_cost("2016/17")
    >>> cost.value, cost.unit
    (34015.0, 'victim')
    """
    from ...data import load_reference, unit_cost

    line = "domestic_abuse_per_victim"
    row = load_reference("unit_costs").set_index("offence_group").loc[line]
    value = unit_cost(line, price_year=price_year)
    return vfm.UnitCost(
        value,
        "victim",
        str(price_year),
        f"{row['source']}: £{float(row['unit_cost_gbp']):,.0f} per victim in "
        f"{row['price_year']} prices, uprated with the GDP deflator",
    )


def programme_value_for_money(
    effects: Mapping[str, Estimate],
    year: CostedYear,
    *,
    unit_cost: vfm.UnitCost,
    victims_per_reoffender: float = 1.0,
    unmonetised: Sequence[str] = ("training",),
) -> tuple[dict[str, vfm.ValueForMoney], vfm.ValueForMoney]:
    """Value for money of each programme and of the whole continuation funding.

    Victims averted = -(12-month reoffending effect, in percentage points / 100) x
    participants in the costed year x ``victims_per_reoffender``, with the effect's
    interval carried through; each valued at ``unit_cost`` (the cost of domestic abuse
    per victim). Offences are not valued separately: the per-victim cost covers the
    abuse a victim suffers, so adding offence costs would count it twice.

    Parameters
    ----------
    effects : mapping of str to Estimate
        Programme -> matched 12-month reoffending effect (percentage points).
    year : CostedYear
        Costs and participants of the costed year.
    unit_cost : analysis.evidence.vfm.UnitCost
        Value of one victim spared, in the costs' price year.
    victims_per_reoffender : float, default 1.0
        Victims per DA reoffender within the year (1 is cautious: some reoffenders
        abuse more than one victim).
    unmonetised : sequence of str
        Cost lines whose benefits are not monetised (counted as cost only).

    Returns
    -------
    (dict of str to ValueForMoney, ValueForMoney)
        Per programme, and the whole funding combined.
    """
    if victims_per_reoffender <= 0:
        raise ConfigError(f"victims_per_reoffender must be positive, got {victims_per_reoffender}")
    components: dict[str, vfm.ValueForMoney] = {}
    for programme, effect in effects.items():
        participants = year.participants.get(programme, 0)
        if programme not in year.costs:
            raise ConfigError(f"programme_costs has no {programme} line for {year.financial_year}")
        averted = vfm.outcomes_averted(
            effect, participants, outcome="victims", multiplier=victims_per_reoffender
        )
        components[programme] = vfm.value_for_money(
            cost=year.costs[programme],
            participants=participants,
            completers=year.completers.get(programme),
            averted=averted,
            unit_cost=unit_cost,
            label=f"{programme}, {year.financial_year}",
            assumptions=(
                f"Each participant kept from DA reoffending within the year spares "
                f"{victims_per_reoffender:g} victim(s) of domestic abuse.",
                "Offences averted are not valued separately: the per-victim cost already "
                "covers the abuse a victim suffers.",
                "The effect was estimated on every participant whose 12-month window was "
                "complete at the extract date; it is assumed to hold for the costed year's "
                "starters.",
            ),
        )
    other = {name: year.costs[name] for name in unmonetised if name in year.costs}
    overall = vfm.combine(
        list(components.values()),
        label=f"Continuation funding, {year.financial_year}",
        other_costs=other,
    )
    return components, overall


def offences_averted(
    effects: Mapping[str, Estimate], year: CostedYear, *, quarters: int = QUARTERS_AFTER
) -> dict[str, vfm.Averted]:
    """DA crimes averted in the follow-up year among the costed year's starters.

    The matched difference-in-differences in DA crimes per person-quarter x the
    quarters of follow-up x starters, with the interval carried through. Counted, not
    valued: the per-victim cost of domestic abuse already covers them.

    Examples
    --------
    >>> year = CostedYear("2024/25", {"Drive": 1.0}, {"Drive": 50}, {"Drive": 30})
    >>> est = Estimate(-0.1, -0.15, -0.05, 0.01, 400, "difference", "m", "e", se=0.0255)
    >>> round(offences_averted({"Drive": est}, year)["Drive"].point, 6)
    20.0
    """
    return {
        programme: vfm.outcomes_averted(
            effect, year.participants.get(programme, 0), outcome="DA crimes", multiplier=quarters
        )
        for programme, effect in effects.items()
    }


def averted_record(averted: Mapping[str, vfm.Averted]) -> dict[str, Any]:
    """Outcomes averted as a JSON-ready mapping (for the ``value_for_money`` block)."""
    return {
        programme: {
            "outcome": a.outcome,
            "participants": a.participants,
            "estimate": a.point,
            "ci_low": a.low,
            "ci_high": a.high,
            "conf_level": a.conf_level,
        }
        for programme, a in averted.items()
    }


def findings_extra(components: Mapping[str, vfm.ValueForMoney]) -> dict[str, Any]:
    """Value-for-money figures flattened for ``Finding(extra=...)`` (JSON-safe)."""
    extra: dict[str, Any] = {}
    for programme, result in components.items():
        key = programme.lower()
        extra[f"vfm_{key}_benefit_cost_ratio"] = result.bcr[0]
        extra[f"vfm_{key}_benefit_cost_ratio_ci_low"] = result.bcr[1]
        extra[f"vfm_{key}_benefit_cost_ratio_ci_high"] = result.bcr[2]
        extra[f"vfm_{key}_cost_per_participant_gbp"] = result.cost_per_participant
        extra[f"vfm_{key}_break_even_victims"] = result.break_even_outcomes
        extra[f"vfm_{key}_verdict"] = result.verdict
    return extra


# ---------------------------------------------------------------------------- helpers
def harm_weights(overrides: str = "") -> dict[str, float]:
    """Crime Harm Index days per offence group, with ``"group:days,..."`` overrides.

    Examples
    --------
    >>> harm_weights("rape:1825")["rape"], harm_weights()["rape"]
    (1825.0, 2555.0)
    """
    from ...config import parse_number_pairs
    from ...data.reference import harm_weights as reference_harm_weights

    return reference_harm_weights(
        overrides=parse_number_pairs(overrides, what="harm weight override", form="group:days")
    )


def split_list(text: str) -> tuple[str, ...]:
    """A comma-separated parameter as a tuple of stripped names (see ``config.parse_list``)."""
    from ...config import parse_list

    return parse_list(str(text))


def reoffending_mde(estimate: Estimate, *, power: float = 0.8) -> float:
    """Minimum detectable difference in 12-month reoffending (percentage points).

    From the matched sample in ``estimate.details["matched"]``: the comparison group's
    reoffending rate is the baseline (:func:`analysis.methods.minimum_detectable_effect`,
    design "proportions"). It ignores the pairing, so it is slightly cautious.
    """
    from ...methods import minimum_detectable_effect

    sample = estimate.details["matched"]
    treated = sample["treated"] == 1
    baseline = float(sample.loc[~treated, "reoffended"].mean())
    return 100 * minimum_detectable_effect(
        "proportions",
        n1=int(treated.sum()),
        n0=int((~treated).sum()),
        baseline=baseline,
        power=power,
    )


def hazard_ratio_mde(sample: pd.DataFrame, *, power: float = 0.8) -> float:
    """Minimum detectable hazard ratio (a fall), approximated by a rate ratio.

    Events per person-day of follow-up in the comparison group are the baseline rate;
    exposure is the person-days followed in each group ("rates" design).
    """
    from ...methods import minimum_detectable_effect

    treated = sample["treated"] == 1
    exposure1 = float(sample.loc[treated, "duration"].sum())
    exposure0 = float(sample.loc[~treated, "duration"].sum())
    baseline = float(sample.loc[~treated, "event"].sum()) / exposure0
    return minimum_detectable_effect(
        "rates", baseline_rate=baseline, exposure1=exposure1, exposure0=exposure0, power=power
    )


def did_mde(panel: pd.DataFrame, outcome: str, *, power: float = 0.8) -> float:
    """Minimum detectable difference-in-differences per person-period for ``outcome``.

    The outcome's standard deviation and the share of its variance that is a lasting
    person effect (one-way ANOVA estimate of the intraclass correlation) come from the
    panel itself (:func:`analysis.methods.minimum_detectable_effect`, design "did").
    """
    from ...methods import minimum_detectable_effect

    per_person = panel.groupby("person_id")[outcome]
    periods = int(per_person.size().max())
    within = float(per_person.var(ddof=1).mean())
    between = float(per_person.mean().var(ddof=1)) - within / periods
    total = float(panel[outcome].var(ddof=1))
    icc = min(max(between / (between + within), 0.0), 0.99) if between + within > 0 else 0.0
    treated = panel.groupby("person_id")["treated"].first()
    post = panel.groupby("period")["post"].first()
    return minimum_detectable_effect(
        "did",
        n_treated=int((treated == 1).sum()),
        n_control=int((treated == 0).sum()),
        periods_pre=int((post == 0).sum()),
        periods_post=int((post == 1).sum()),
        sd=math.sqrt(total),
        icc=icc,
        power=power,
    )


def paired_mde(estimate: Estimate, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """Minimum detectable mean change of a paired before/after design (normal approximation).

    ``(z_(1 - alpha/2) + z_power) x se`` of the mean difference.

    Examples
    --------
    >>> est = Estimate(5.0, 3.04, 6.96, 0.0, 100, "difference", "m", "e", se=1.0)
    >>> round(paired_mde(est), 3)
    2.802
    """
    return mde_from_standard_error(estimate.se, alpha=alpha, power=power)


#: Analysis settings the synthetic world's truth refers to (see the generator).
TRUTH_SETTINGS: dict[str, Any] = {
    "followup_days": 365,
    "risk_levels": RISK_LEVELS,
    "periods_before": 4,
    "harm_weight_overrides": "",
}


def planted_truth(truth: Mapping[str, float] | None, key: str, **settings: Any) -> float | None:
    """The planted value of an estimand in synthetic data, or None.

    None for real data, and when the analysis settings passed differ from those the
    truth refers to (:data:`TRUTH_SETTINGS`): a truth for a 12-month window says
    nothing about an 18-month one.

    Examples
    --------
    >>> planted_truth({"drive_harm_did": -1.5}, "drive_harm_did"), planted_truth(None, "x")
    (-1.5, None)
    >>> print(planted_truth({"drive_harm_did": -1.5}, "drive_harm_did", followup_days=540))
    None
    """
    if not truth:
        return None
    for name, value in settings.items():
        if name not in TRUTH_SETTINGS:
            raise ConfigError(f"planted_truth: unknown setting '{name}'")
        expected = TRUTH_SETTINGS[name]
        if name == "risk_levels":
            value = {k: tuple(v) for k, v in dict(value).items()}
        if value != expected:
            return None
    return truth.get(key)


def data_quality_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows, date coverage and missing values per input table.

    Returns
    -------
    pandas.DataFrame
        Indexed by table: ``rows``, ``first_date``, ``last_date`` (of its main date
        column) and ``missing`` (blank cells, with the columns holding them).
    """
    date_columns = {
        "people": "identified_date",
        "offences": "offence_date",
        "training_scores": "training_date",
    }
    rows = []
    for name, frame in tables.items():
        column = date_columns.get(name)
        blanks = frame.isna().sum()
        blanks = blanks[blanks > 0]
        rows.append(
            {
                "table": name,
                "rows": int(len(frame)),
                "first_date": frame[column].min().date() if column else None,
                "last_date": frame[column].max().date() if column else None,
                "missing": "; ".join(f"{c}: {n:,}" for c, n in blanks.items()) or "none",
            }
        )
    return pd.DataFrame(rows).set_index("table")


def effect_headline(subject: str, estimate: Estimate, *, fewer: str, more: str) -> str:
    """A figure title stating a finding from its estimate (never hard-coded).

    Parameters
    ----------
    subject : str
        Who or what the finding is about ("Drive participants").
    estimate : Estimate
    fewer, more : str
        Words for a significant fall and rise ("reoffended less", "reoffended more").

    Examples
    --------
    >>> est = Estimate(-12.0, -20.0, -4.0, 0.003, 400, "percentage points", "m", "e")
    >>> effect_headline("Drive participants", est, fewer="reoffended less",
    ...                 more="reoffended more")
    'Drive participants reoffended less: -12.0 percentage points (95% CI -20.0 to -4.0)'
    """
    if not estimate.significant:
        verb = "showed no clear difference"
    else:
        verb = fewer if estimate.effect < estimate.null_value else more
    return f"{subject} {verb}: {estimate.describe_effect()}"
