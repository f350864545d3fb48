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
- practitioners' knowledge: :func:`training_change` (paired before/after) and
  :func:`training_change_bounds` (worst and best case for unreturned questionnaires);
- the primary 12-month design, :func:`target_trial_reoffending`: an emulated target trial
  matching each participant to a never-referred person at the same time since
  identification (per protocol from the start; intention to treat from the referral), and
  :func:`pre_referral_trend`, the check for a spike just before identification.
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


# ---------------------------------------------------------------------------- target trial
#: Index dates of the emulated trial: per protocol from the start, intention to treat
#: from the referral.
TRIAL_INDEX = {"start": "start_date", "referral": "referral_date"}


def _first_da_within(
    offences: pd.DataFrame,
    person_ids: pd.Series,
    index_dates: pd.Series,
    followup_days: int,
) -> np.ndarray:
    """1 where the person has a DA crime dated in (index date, index date + followup_days]."""
    da = offences.loc[offences["da_flag"].astype(bool), ["person_id", "offence_date"]]
    windows = pd.DataFrame(
        {"row": np.arange(len(person_ids)), "person_id": person_ids.to_numpy()}
    ).assign(index_date=index_dates.to_numpy())
    joined = windows.merge(da, on="person_id", how="inner")
    days = (joined["offence_date"] - joined["index_date"]).dt.days
    hit = joined.loc[(days > 0) & (days <= followup_days), "row"].unique()
    out = np.zeros(len(person_ids))
    out[hit] = 1.0
    return out


def target_trial_reoffending(
    outcomes: pd.DataFrame,
    offences: pd.DataFrame,
    programme: str,
    *,
    covariates: list[str],
    risk_levels: tuple[str, ...],
    extract_date: pd.Timestamp,
    index: str = "start",
    followup_days: int = 365,
    caliper: float | None = 0.2,
    seed: int = 0,
) -> Estimate:
    """12-month DA reoffending in an emulated target trial, matched at a pseudo start date.

    Each participant's index date (their start, or for intention to treat their
    referral) fixes how long after identification their trial begins. A comparison
    person is eligible for that participant when, at the same time since *their*
    identification, they have not been referred (never referred to any programme),
    are of a DASH level the programme serves and could be followed for the whole
    window before the extract date; the nearest eligible person on the logit
    propensity score (within the caliper, without replacement) is followed from that
    pseudo start. Both members of a pair therefore start at the same time since
    identification, so a rise in offending soon after identification (a burst of
    abuse around the incident that brought the person to notice) falls on both alike,
    where following comparisons from identification gives them more of it.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        From :func:`~.tables.person_outcomes` (everyone).
    offences : pandas.DataFrame
        The offences table (``person_id``, ``offence_date``, ``da_flag``).
    programme : str
        "Drive" or "Up2U".
    covariates : list of str
        Propensity model covariates (the cohort's).
    risk_levels : tuple of str
        DASH levels of the programme (participants and comparisons).
    extract_date : pandas.Timestamp
    index : {"start", "referral"}
        "start": participants are the starters (per protocol); "referral": everyone
        referred, started or not (intention to treat).
    followup_days : int
    caliper : float or None
        In standard deviations of the logit propensity score.
    seed : int
        Order in which participants pick their match (ties and scarcity).

    Returns
    -------
    Estimate
        Paired difference in the 12-month reoffending rate (percentage points,
        participants minus matched comparisons), with ``details["pairs"]``
        (``treated_outcome``, ``control_outcome``, ``offset_days``) and diagnostics
        for the checks (``max_abs_smd_after``, ``c_statistic``,
        ``effective_sample_size_control``) and the E-value (group counts).

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> from analysis.programmes.perpetrator_programmes import tables
    >>> synth = generate("perpetrator_programmes", seed=1, scale=0.5)
    >>> out = tables.person_outcomes(synth.tables["people"], synth.tables["offences"],
    ...                              extract_date=synth.extract_date)
    >>> cohort = tables.programme_cohort(out, "Drive")
    >>> est = target_trial_reoffending(out, synth.tables["offences"], "Drive",
    ...     covariates=cohort.covariates, risk_levels=cohort.risk_levels,
    ...     extract_date=synth.extract_date)
    >>> est.scale, est.diagnostics["n_pairs"] > 50
    ('percentage points', True)
    """
    from ...errors import ConfigError, EstimationError
    from ...methods import propensity_score

    if index not in TRIAL_INDEX:
        raise ConfigError(f"target_trial_reoffending: index must be one of {sorted(TRIAL_INDEX)}")
    extract_date = pd.Timestamp(extract_date)
    window = pd.Timedelta(days=followup_days)
    in_levels = outcomes["dash_risk"].isin(list(risk_levels))
    date_column = TRIAL_INDEX[index]
    if index == "start":
        treated_rows = outcomes["programme"].eq(programme) & outcomes["started"]
    else:
        treated_rows = outcomes["programme"].eq(programme) & outcomes["referral_date"].notna()
    treated_rows &= in_levels & (outcomes[date_column] + window <= extract_date)
    pool_rows = outcomes["programme"].eq("none") & in_levels
    frame = outcomes[treated_rows | pool_rows].copy()
    frame["trial_treated"] = treated_rows[frame.index].astype(int)
    if frame["trial_treated"].sum() == 0 or (frame["trial_treated"] == 0).sum() == 0:
        raise EstimationError(
            f"target_trial_reoffending: no {programme} participants ({index} dates) with a "
            "complete window, or no never-referred comparison people, in the people table."
        )
    model = propensity_score(frame, treatment="trial_treated", covariates=covariates)
    logit = model.details["linear_predictor"].reindex(frame.index).to_numpy()
    limit = np.inf if caliper is None else caliper * float(np.std(logit, ddof=1))
    treated = frame[frame["trial_treated"] == 1]
    pool = frame[frame["trial_treated"] == 0]
    offsets = (treated[date_column] - treated["identified_date"]).dt.days.to_numpy()
    pool_logit = logit[frame["trial_treated"].to_numpy() == 0]
    # Latest offset at which each comparison person can still be followed for a full window.
    pool_room = (extract_date - window - pool["identified_date"]).dt.days.to_numpy()
    used = np.zeros(len(pool), dtype=bool)
    treated_logit = logit[frame["trial_treated"].to_numpy() == 1]
    order = np.random.default_rng(seed).permutation(len(treated))
    partner = np.full(len(treated), -1)
    for i in order:
        eligible = ~used & (pool_room >= offsets[i])
        if not eligible.any():
            continue
        distance = np.where(eligible, np.abs(pool_logit - treated_logit[i]), np.inf)
        best = int(np.argmin(distance))
        if distance[best] <= limit:
            partner[i] = best
            used[best] = True
    kept = partner >= 0
    if kept.sum() < 2:
        raise EstimationError(
            f"target_trial_reoffending: fewer than two {programme} participants found an "
            "eligible comparison within the caliper; widen caliper_sd."
        )
    treated_kept = treated[kept]
    controls = pool.iloc[partner[kept]]
    offset = pd.to_timedelta(offsets[kept], unit="D")
    pseudo_start = controls["identified_date"].to_numpy() + offset
    pairs = pd.DataFrame(
        {
            "treated_id": treated_kept["person_id"].to_numpy(),
            "control_id": controls["person_id"].to_numpy(),
            "offset_days": offsets[kept],
            "treated_outcome": _first_da_within(
                offences, treated_kept["person_id"], treated_kept[date_column], followup_days
            ),
            "control_outcome": _first_da_within(
                offences, controls["person_id"], pd.Series(pseudo_start), followup_days
            ),
        }
    )
    est = paired_difference(
        pairs.assign(t=100 * pairs["treated_outcome"], c=100 * pairs["control_outcome"]),
        before="c",
        after="t",
    )
    smd = _standardised_differences(treated_kept, controls, covariates)
    who = "starting" if index == "start" else "being referred to"
    diagnostics = {
        **est.diagnostics,
        "n_pairs": int(kept.sum()),
        "n_unmatched": int((~kept).sum()),
        "c_statistic": model.diagnostics["c_statistic"],
        "effective_sample_size_control": float(kept.sum()),
        "max_abs_smd_after": float(np.max(np.abs(smd))) if len(smd) else 0.0,
        "events_1": int(pairs["treated_outcome"].sum()),
        "n_1": len(pairs),
        "events_0": int(pairs["control_outcome"].sum()),
        "n_0": len(pairs),
    }
    return est.with_updates(
        scale="percentage points",
        estimand=(
            f"effect of {who} {programme} on the 12-month DA reoffending rate (ATT, percentage "
            "points), against never-referred people matched at the same time since "
            "identification (emulated target trial)"
        ),
        method=(
            "target-trial emulation: 1:1 propensity matching without replacement at a pseudo "
            "start date, paired t interval"
        ),
        outcome="12-month DA reoffending",
        diagnostics=diagnostics,
        details={"pairs": pairs},
    )


def confounder_benchmarks(cohort: Cohort, *, conf_level: float = 0.95) -> pd.DataFrame:
    """How strongly each measured confounder goes with taking part and with reoffending.

    The regression of 12-month DA reoffending (percentage points) on taking part and
    the covariates over the cohort before matching (participants and the eligible
    never-referred people with a complete window), benchmarked covariate by covariate
    (:func:`analysis.methods.sensitivity.omitted_variable_bounds`, Cinelli and Hazlett
    2020): for each measured confounder, the partial R2 a hidden confounder exactly as
    strong would have with taking part (``r2dz_x``) and with reoffending (``r2yz_dx``),
    and the bias in percentage points (``bias``) it could put into the estimate. The
    strengths are read before matching on purpose: matching balances the measured
    covariates, not a hidden one, so a hidden confounder arrives with the strength the
    measured ones had before they were adjusted for.

    Parameters
    ----------
    cohort : Cohort
        From :func:`~.tables.programme_cohort`.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per covariate (strongest first: largest ``bias``), the columns of
        :func:`~analysis.methods.sensitivity.omitted_variable_bounds` at k = 1.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> from analysis.programmes.perpetrator_programmes import tables
    >>> synth = generate("perpetrator_programmes", seed=1, scale=0.5)
    >>> out = tables.person_outcomes(synth.tables["people"], synth.tables["offences"],
    ...                              extract_date=synth.extract_date)
    >>> table = confounder_benchmarks(tables.programme_cohort(out, "Drive"))
    >>> bool(table["bias"].is_monotonic_decreasing and (table["bias"] >= 0).all())
    True
    """
    from ...methods.sensitivity import omitted_variable_bounds

    bounds = omitted_variable_bounds(
        cohort.complete,
        outcome="reoffended_pct",
        treatment="treated",
        covariates=cohort.covariates,
        kd=1.0,
        conf_level=conf_level,
    )
    attrs = dict(bounds.attrs)
    table = bounds.sort_values("bias", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(attrs)
    return table


#: Count columns of :func:`trial_by_group` (suppressed before publishing).
GROUP_COUNT_COLUMNS = ("pairs", "participant_reoffenders", "comparison_reoffenders")


def trial_by_group(
    trial: Estimate, outcomes: pd.DataFrame, *, by: str, min_count: int = 10
) -> pd.DataFrame:
    """The target-trial reoffending effect within each group of participants, and a test.

    The emulated trial's pairs (:func:`target_trial_reoffending`) are split by the
    participant's ``by`` (sex, age band, ethnicity); blanks and "not stated" form
    their own group, "not recorded". Within a group the effect is the mean paired
    difference with its t interval: the ATT among participants of that group,
    against the comparisons matched to them. A group with fewer than ``min_count``
    pairs, or fewer than ``min_count`` reoffenders on either side, is not
    estimated (too few and possibly disclosive). The interaction test
    (``attrs["heterogeneity_p_value"]``) is Cochran's Q across the groups
    estimated. The counts are returned as they are: publish them through
    :func:`analysis.evidence.disclosure.suppress`.

    Parameters
    ----------
    trial : Estimate
        From :func:`target_trial_reoffending` (its ``details["pairs"]``).
    outcomes : pandas.DataFrame
        From :func:`~.tables.person_outcomes` (``person_id`` and ``by``).
    by : str
        Characteristic of the participant.
    min_count : int
        Smallest number of pairs and of reoffenders on each side for an estimate.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``pairs``, ``participant_reoffenders``,
        ``comparison_reoffenders``, ``effect``, ``ci_low``, ``ci_high`` (percentage
        points), ``p_value`` and ``note``.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> from analysis.programmes.perpetrator_programmes import tables
    >>> synth = generate("perpetrator_programmes", seed=1)
    >>> out = tables.person_outcomes(synth.tables["people"], synth.tables["offences"],
    ...                              extract_date=synth.extract_date)
    >>> cohort = tables.programme_cohort(out, "Drive")
    >>> trial = target_trial_reoffending(out, synth.tables["offences"], "Drive",
    ...     covariates=cohort.covariates, risk_levels=cohort.risk_levels,
    ...     extract_date=synth.extract_date)
    >>> table = trial_by_group(trial, out, by="sex")
    >>> table.loc["male", "pairs"] > table.loc["female", "pairs"]
    np.True_
    """
    from scipy import stats

    from ...errors import ConfigError
    from .tables import recorded_group

    if by not in outcomes.columns:
        raise ConfigError(
            f"trial_by_group: no column '{by}' in the people table; sex and ethnicity are "
            "optional columns of people"
        )
    pairs = trial.details["pairs"]
    group_of = pd.Series(recorded_group(outcomes[by]).to_numpy(), index=outcomes["person_id"])
    labels = pairs["treated_id"].map(group_of)
    rows = []
    for value in sorted(labels.dropna().unique()):
        within = pairs.loc[labels.eq(value).to_numpy()]
        row = {
            by: value,
            "pairs": len(within),
            "participant_reoffenders": int(within["treated_outcome"].sum()),
            "comparison_reoffenders": int(within["control_outcome"].sum()),
        }
        if min(row[c] for c in GROUP_COUNT_COLUMNS) < min_count:
            row["note"] = f"suppressed: fewer than {min_count} pairs or reoffenders in a group"
        else:
            difference = 100 * (within["treated_outcome"] - within["control_outcome"])
            se = float(difference.std(ddof=1) / np.sqrt(len(difference)))
            t = stats.t.ppf(0.975, len(difference) - 1)
            effect = float(difference.mean())
            row.update(
                effect=effect,
                ci_low=effect - t * se,
                ci_high=effect + t * se,
                p_value=float(2 * stats.t.sf(abs(effect) / se, len(difference) - 1))
                if se > 0
                else np.nan,
                se=se,
                note="",
            )
        rows.append(row)
    table = pd.DataFrame(rows).set_index(by)
    for column in ("effect", "ci_low", "ci_high", "p_value", "se", "note"):
        if column not in table:
            table[column] = np.nan if column != "note" else ""
    estimated = table.dropna(subset=["effect", "se"])
    estimated = estimated.loc[estimated["se"] > 0]
    p_value = None
    if len(estimated) >= 2:
        weights = 1 / estimated["se"] ** 2
        pooled = np.sum(weights * estimated["effect"]) / np.sum(weights)
        q = float(np.sum(weights * (estimated["effect"] - pooled) ** 2))
        p_value = float(stats.chi2.sf(q, len(estimated) - 1))
    table = table[[*GROUP_COUNT_COLUMNS, "effect", "ci_low", "ci_high", "p_value", "note"]]
    table.attrs["heterogeneity_p_value"] = p_value
    return table


def _standardised_differences(
    treated: pd.DataFrame, controls: pd.DataFrame, covariates: list[str]
) -> np.ndarray:
    """Standardised mean differences of the covariates (pooled SD of the two groups)."""
    out = []
    for name in covariates:
        a = treated[name].astype(float).to_numpy()
        b = controls[name].astype(float).to_numpy()
        sd = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
        out.append(0.0 if sd == 0 else (a.mean() - b.mean()) / sd)
    return np.asarray(out)


#: Days before identification counted as "just before" by the pre-referral trend check.
DIP_DAYS = 120
#: Days of history before identification held in the offences table (the two years).
HISTORY_DAYS = 730


def pre_referral_trend(
    pairs: pd.DataFrame, outcomes: pd.DataFrame, offences: pd.DataFrame
) -> Estimate:
    """Pre-referral trend (Ashenfelter's dip): a spike just before identification, pair by pair.

    For each person, the DA crimes of the :data:`DIP_DAYS` before identification
    minus those expected there at their rate over the rest of the two years
    before; the participant's figure minus their matched comparison's, averaged
    over pairs (paired t). Matching on the two-year count balances how many
    incidents people had, not when: if people are referred in a crisis that would
    have passed anyway, participants' incidents bunch just before identification,
    their matched comparisons (with the same count spread out) were riskier all
    along, and the programme looks better than it is. An interval that excludes
    no difference fails the check.

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``treated_id`` and ``control_id`` (person ids) of the matched pairs.
    outcomes : pandas.DataFrame
        ``person_id`` and ``identified_date`` of everyone.
    offences : pandas.DataFrame

    Returns
    -------
    Estimate
        Difference in excess DA crimes just before identification, participants
        minus comparisons (scale "difference").

    Examples
    --------
    >>> outcomes = pd.DataFrame({"person_id": ["a", "b", "c", "d"],
    ...     "identified_date": pd.to_datetime(["2024-01-01"] * 4)})
    >>> offences = pd.DataFrame({"person_id": ["a", "a", "c"], "da_flag": [True] * 3,
    ...     "offence_date": pd.to_datetime(["2023-12-01", "2023-11-20", "2023-12-10"])})
    >>> pairs = pd.DataFrame({"treated_id": ["a", "c"], "control_id": ["b", "d"]})
    >>> round(pre_referral_trend(pairs, outcomes, offences).effect, 3)
    1.5
    """
    identified = outcomes.set_index("person_id")["identified_date"]
    da = offences.loc[offences["da_flag"].astype(bool), ["person_id", "offence_date"]]
    da = da[da["person_id"].isin(identified.index)]
    days_before = (da["person_id"].map(identified) - da["offence_date"]).dt.days
    history = da[(days_before > 0) & (days_before <= HISTORY_DAYS)]
    recent = days_before[history.index] <= DIP_DAYS
    near = history[recent].groupby("person_id").size()
    far = history[~recent].groupby("person_id").size()
    share = DIP_DAYS / (HISTORY_DAYS - DIP_DAYS)

    def excess(ids: pd.Series) -> np.ndarray:
        ids = ids.to_numpy()
        return near.reindex(ids, fill_value=0).to_numpy() - share * far.reindex(
            ids, fill_value=0
        ).to_numpy(dtype=float)

    frame = pd.DataFrame(
        {"control": excess(pairs["control_id"]), "treated": excess(pairs["treated_id"])}
    )
    est = paired_difference(frame, before="control", after="treated")
    return est.with_updates(
        estimand=(
            f"excess DA crimes in the {DIP_DAYS} days before identification (over the rate of "
            "the rest of the two years before), participants minus matched comparisons"
        ),
        method="pre-referral trend check: paired t over matched pairs",
        outcome="DA crimes just before identification",
    )


def training_change_bounds(scores: pd.DataFrame) -> tuple[float, float]:
    """Worst and best case of the mean knowledge change over everyone trained (Manski bounds).

    Practitioners who did not return the second questionnaire are given the
    lowest possible score (0) for the worst case and the highest (100) for the
    best; the true mean change over everyone trained lies between, whatever made
    people stay away. The complete-case change assumes their blanks are missing
    at random.

    Examples
    --------
    >>> scores = pd.DataFrame({"score_before": [50.0, 60.0], "score_after": [70.0, None]})
    >>> training_change_bounds(scores)
    (-20.0, 30.0)
    """
    before = scores["score_before"].astype(float)
    after = scores["score_after"].astype(float)
    low = float((after.fillna(0.0) - before).mean())
    high = float((after.fillna(100.0) - before).mean())
    return low, high
