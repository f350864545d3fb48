"""lSaVI's designs: the estimates the report shows, each calling :mod:`analysis.methods`.

- impact at premises: :func:`staggered_effect` (the headline, Callaway-Sant'Anna),
  :func:`twfe_effect` (two-way fixed effects, shown for its bias),
  :func:`naive_comparison` (the selection it suffers), :func:`placebo_effect`
  (fake sign-up dates), :func:`percent_change`, and the event study's
  :func:`dynamic_window` and :func:`dynamic_summary`;
- the county: :func:`nte_violence_its` and :func:`area_its_table` (interrupted
  time series);
- process and practice: :func:`uptake_estimate`, :func:`score_change_estimate`,
  :func:`incidents_by_score`;
- value for money: :func:`averted_incident_value`, :func:`pilot_value_for_money`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...data.panels import placebo_adoption
from ...errors import ConfigError, EstimationError
from ...evidence import vfm
from ...results import Estimate
from .tables import outcome_label

#: Home Office unit-cost line for each incident category the initiative targets; None:
#: no published cost (vulnerability incidents are not crimes against a victim with a cost).
UNIT_COST_LINES: dict[str, str | None] = {
    "violence_with_injury": "violence_with_injury",
    "violence_without_injury": "violence_without_injury",
    "sexual_offence": "other_sexual_offences",
    "vulnerability": None,
}


def staggered_effect(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    control: str = "never",
    n_boot: int = 999,
    seed: int = 0,
    anticipation: int = 0,
) -> Estimate:
    """Average effect of signing up on incidents per premises-month (Callaway-Sant'Anna).

    Each sign-up cohort is compared with premises that never signed up (or, with
    ``control="not_yet"``, also those yet to sign up), month by month from the month
    before its sign-up; the cohort-by-month effects are averaged over every
    participating premises-month. Unlike two-way fixed effects it never uses premises
    that already signed up as controls, so effects that grow with time since sign-up
    do not bias it.

    Parameters
    ----------
    panel : DataFrame
        From :func:`~analysis.programmes.lsavi.tables.premises_month_panel`.
    outcome : str
        Count column of the panel.
    control : {"never", "not_yet"}
        Comparison premises.
    n_boot : int
        Multiplier-bootstrap draws for the uniform band of the dynamic effects
        (0 skips it; the overall effect does not need it).
    seed : int
        Seed of the bootstrap.
    anticipation : int
        Months before sign-up left out of the comparison's base: each cohort is
        compared from the month before this window (a sensitivity to a bad spell
        that drew premises into the scheme).

    Returns
    -------
    Estimate
        Difference scale (incidents per premises-month), with ``details["dynamic"]``
        (effects by months since sign-up) as :func:`analysis.methods.staggered_did`.

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> staggered_effect(panel, n_boot=0).scale
    'difference'
    """
    from ...methods import staggered_did

    estimate = staggered_did(
        panel,
        outcome=outcome,
        unit="premises_id",
        time="month",
        first_treated="cohort",
        control=control,
        n_boot=n_boot,
        seed=seed,
        anticipation=anticipation,
    )
    comparison = "never signed up" if control == "never" else "had not signed up yet"
    base = f", from the month {anticipation + 1} months before sign-up" if anticipation else ""
    return estimate.with_updates(
        estimand=(
            f"average change in {outcome_label(outcome)} per participating premises per month from "
            f"its sign-up month, against premises that {comparison}{base}"
        ),
        outcome=outcome_label(outcome),
    )


def ratio_scale_effect(
    panel: pd.DataFrame, *, outcome: str = "violence_vulnerability", leads: int = 12
) -> Estimate:
    """The headline's question on the ratio scale (Poisson extended two-way fixed effects).

    Where seasonality and trends are proportional to each premises' level (busy
    premises swing more), parallel trends hold for the logs of expected counts,
    not the counts; the pre-trend test on each scale says which the data support
    (:func:`analysis.methods.poisson_did.poisson_etwfe`, leads ``-leads..-2``).

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> est = ratio_scale_effect(panel, leads=6)
    >>> est.scale, "pretrend_p_value" in est.diagnostics
    ('rate ratio', True)
    """
    from ...methods.poisson_did import poisson_etwfe

    estimate = poisson_etwfe(
        panel,
        outcome=outcome,
        unit="premises_id",
        time="month",
        first_treated="cohort",
        leads=leads,
    )
    return estimate.with_updates(
        estimand=(
            f"{outcome_label(outcome)} at participating premises from sign-up over those expected "
            "without the tool (rate ratio; parallel trends in proportion)"
        ),
        outcome=outcome_label(outcome),
    )


def pre_signup_shift(headline: Estimate, *, window: int = 3, reference: int = 9) -> Estimate:
    """Test whether incidents were unusually high or low in the months just before sign-up.

    Premises that sign up after a bad spell that would have passed anyway
    (Ashenfelter's dip, here a spike in incidents) make the month before sign-up
    a poor base: the headline then credits the tool with the spell's end. The
    event study's leads show it: the mean over the ``window`` months before
    sign-up against the ``reference`` months before those
    (:func:`analysis.methods.staggered.pre_period_shift`).

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.5, world="dip_before_signup").tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> shift = pre_signup_shift(staggered_effect(panel, n_boot=0))
    >>> shift.effect > 0
    True
    """
    from ...methods.staggered import pre_period_shift

    return pre_period_shift(headline, window=window, reference=reference).with_updates(
        estimand=(
            f"{headline.outcome} per premises-month over the {window} months before sign-up minus "
            f"the {reference} months before those, participants relative to comparison premises"
        )
    )


def trend_sensitivity(headline: Estimate, max_lead: int = 12) -> dict[str, float]:
    """How large a growing departure from parallel trends the headline survives.

    The relative-magnitudes breakdown value ``M`` (Rambachan and Roth 2023;
    :func:`analysis.methods.staggered.relative_magnitude_bound`): the headline
    stays significant if the trends diverge after sign-up by at most ``M`` times
    the largest month-on-month divergence seen in the ``max_lead`` months before.

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> sorted(trend_sensitivity(staggered_effect(panel, n_boot=0)))
    ['breakdown_m', 'largest_pre_change', 'mean_periods_exposed']
    """
    from ...methods.staggered import relative_magnitude_bound

    return relative_magnitude_bound(headline, max_lead=max_lead)


def twfe_effect(panel: pd.DataFrame, *, outcome: str = "violence_vulnerability") -> Estimate:
    """Two-way fixed-effects difference-in-differences on the premises-month panel.

    Shown beside :func:`staggered_effect` because it is the usual first attempt: with
    staggered sign-up and effects that grow over time it is biased (it compares new
    participants with premises that signed up earlier).

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> twfe_effect(panel).method.startswith("two-way")
    True
    """
    from ...methods import did

    estimate = did(panel, outcome=outcome, treatment="treated", unit="premises_id", time="month")
    return estimate.with_updates(
        estimand=(
            f"change in {outcome_label(outcome)} per premises-month after sign-up (two-way fixed "
            "effects: premises and month effects absorbed)"
        ),
        outcome=outcome_label(outcome),
    )


def naive_comparison(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    pilot_start: str | pd.Timestamp,
) -> Estimate:
    """Participants against non-participants during the pilot, with no adjustment (SMS 1).

    The incident rate of participating premises in their months after sign-up over
    that of premises that never signed up, in the months from the pilot's start.
    Premises that signed up were riskier to begin with, so this comparison mixes the
    effect of the tool with that selection.

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> naive_comparison(panel, pilot_start="2025-04-01").effect > 1
    True
    """
    from ...methods import rate_ratio

    during = panel["month"] >= pd.Timestamp(pilot_start)
    participants = panel.loc[during & (panel["treated"] == 1), outcome]
    others = panel.loc[during & panel["first_treated"].isna(), outcome]
    if participants.empty or others.empty:
        raise EstimationError(
            "naive_comparison: the pilot period has no participating or no comparison "
            "premises-months; check pilot_start and the sign-up dates"
        )
    estimate = rate_ratio(
        int(participants.sum()), len(participants), int(others.sum()), len(others)
    )
    return estimate.with_updates(
        estimand=(
            f"{outcome_label(outcome)} per premises-month, participants after sign-up over "
            "premises that never signed up (no adjustment)"
        ),
        method="naive comparison: Poisson rate ratio of participants and non-participants",
        outcome=outcome_label(outcome),
        warnings=(
            *estimate.warnings,
            "No adjustment for who signed up: premises with more incidents were more likely "
            "to join, so this ratio mixes selection with any effect.",
        ),
    )


def placebo_effect(
    panel: pd.DataFrame,
    *,
    outcome: str = "violence_vulnerability",
    pilot_start: str | pd.Timestamp,
    shift_months: int = 12,
    control: str = "never",
) -> Estimate:
    """Staggered estimate at fake sign-up dates ``shift_months`` earlier, before the pilot.

    Only months before the pilot are used, so no real sign-up is in the data: an
    effect here would mean the comparison premises do not show what would have
    happened to participants (different trends), and the headline could not be
    trusted.

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> placebo_effect(panel, pilot_start="2025-04-01").n > 0
    True
    """
    pilot_period = int(panel.loc[panel["month"] >= pd.Timestamp(pilot_start), "period"].min())
    placebo = placebo_adoption(panel, shift_months=shift_months, before_period=pilot_period)
    if placebo["first_treated"].notna().sum() == 0:
        raise EstimationError(
            f"placebo_effect: moving sign-up {shift_months} months earlier leaves no "
            "participant with a month before its fake sign-up; use a smaller shift or an "
            "earlier panel start"
        )
    estimate = staggered_effect(placebo, outcome=outcome, control=control, n_boot=0)
    return estimate.with_updates(
        estimand=(
            f"placebo: average change in {outcome_label(outcome)} per premises-month at sign-up "
            f"dates moved {shift_months} months earlier, months before the pilot only (truth: none)"
        ),
    )


def percent_change(estimate: Estimate, panel: pd.DataFrame, *, outcome: str) -> tuple[float, ...]:
    """The effect per premises-month as a percentage of the participants' counterfactual rate.

    The counterfactual rate is the participants' observed rate after sign-up minus the
    effect; the interval divides the effect's bounds by the same rate (the rate's own
    sampling error, small beside the effect's, is ignored).

    Returns
    -------
    tuple of float
        (point, low, high) percentage changes.

    Examples
    --------
    >>> est = Estimate(-0.1, -0.2, 0.0, 0.05, 10, "difference", "m", "e")
    >>> panel = pd.DataFrame({"treated": [1, 1], "y": [0.4, 0.4]})
    >>> [round(v, 1) for v in percent_change(est, panel, outcome="y")]
    [-20.0, -40.0, 0.0]
    """
    observed = float(panel.loc[panel["treated"] == 1, outcome].mean())
    counterfactual = observed - estimate.effect
    if counterfactual <= 0:
        raise EstimationError(
            "percent_change: the implied counterfactual rate is not positive; the effect "
            "cannot be expressed as a percentage"
        )
    return tuple(
        100 * v / counterfactual for v in (estimate.effect, estimate.ci_low, estimate.ci_high)
    )


def nte_violence_its(
    series: pd.DataFrame,
    *,
    intervention: str | pd.Timestamp,
    harmonics: int = 2,
) -> Estimate:
    """Interrupted time series of monthly night-time-economy violence (SMS 2).

    A quasi-Poisson segmented regression with a trend and ``harmonics`` pairs of
    seasonal terms; the step at the pilot's start is the estimate. Participants are a
    minority of premises and joined through the year, so a county-wide step is
    diluted and phased in: this design can only detect large changes.

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import nte_violence_series
    >>> from analysis.synthetic import generate
    >>> incidents = generate("lsavi", seed=1, scale=0.5).tables["incidents"]
    >>> series = nte_violence_series(incidents, start="2023-04-01", end="2026-06-01")
    >>> nte_violence_its(series, intervention="2025-04-01").scale
    'rate ratio'
    """
    from ...methods import its

    estimate = its(
        series, outcome="count", time="month", intervention=intervention, harmonics=harmonics
    )
    return estimate.with_updates(
        estimand=(
            "ratio of monthly night-time-economy violence after the pilot began to the level "
            "projected from the trend and season before it"
        ),
        outcome="night-time-economy violence",
    )


def area_its_table(
    series_by_area: pd.DataFrame,
    *,
    intervention: str | pd.Timestamp,
    harmonics: int = 2,
    minimum_monthly: float = 5.0,
) -> pd.DataFrame:
    """The area time series one area at a time, where counts allow.

    Areas averaging fewer than ``minimum_monthly`` incidents a month before the pilot
    are not modelled (a seasonal model on a handful of events is noise) and say so.

    Returns
    -------
    DataFrame
        One row per area: ``area``, ``events_before``, ``events_after``, ``effect``,
        ``ci_low``, ``ci_high``, ``p_value``, ``note``.

    Examples
    --------
    >>> months = pd.date_range("2023-01-01", periods=36, freq="MS")
    >>> series = pd.DataFrame({"area": ["Poole"] * 36, "month": months, "count": [2] * 36})
    >>> area_its_table(series, intervention="2025-01-01")["note"].iloc[0]
    'too few incidents to model (fewer than 5 a month)'
    """
    from ...methods import its

    rows = []
    for area, series in series_by_area.groupby("area", sort=False):
        post = series["month"] >= pd.Timestamp(intervention)
        before, after = int(series.loc[~post, "count"].sum()), int(series.loc[post, "count"].sum())
        row = {
            "area": area,
            "events_before": before,
            "events_after": after,
            "effect": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
            "note": "",
        }
        if series.loc[~post, "count"].mean() < minimum_monthly:
            row["note"] = f"too few incidents to model (fewer than {minimum_monthly:g} a month)"
        else:
            try:
                est = its(
                    series,
                    outcome="count",
                    time="month",
                    intervention=intervention,
                    harmonics=harmonics,
                )
            except EstimationError as error:
                row["note"] = f"not modelled: {error}"
            else:
                row.update(
                    effect=est.effect,
                    ci_low=est.ci_low,
                    ci_high=est.ci_high,
                    p_value=est.p_value,
                    note="; ".join(est.warnings),
                )
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- process
def uptake_estimate(premises: pd.DataFrame, *, end: str | pd.Timestamp) -> Estimate:
    """Share of licensed premises that signed up by ``end`` (Wilson interval).

    Examples
    --------
    >>> premises = pd.DataFrame({"signup_date": pd.to_datetime(["2025-05-01", None, None, None])})
    >>> round(uptake_estimate(premises, end="2026-03-31").effect, 2)
    0.25
    """
    from ...methods import proportion

    signed = premises["signup_date"].notna() & (premises["signup_date"] <= pd.Timestamp(end))
    estimate = proportion(int(signed.sum()), len(premises))
    return estimate.with_updates(
        estimand="share of licensed premises that signed up to lSaVI during the pilot",
        outcome="uptake",
    )


def score_change_estimate(history: pd.DataFrame) -> Estimate:
    """Mean change in self-assessment score, first to latest assessment (paired, SMS 1).

    Only premises with two or more assessments count. With no comparison group this
    cannot separate the tool's effect from practice at filling it in.

    Examples
    --------
    >>> history = pd.DataFrame({"assessments": [2, 3, 2, 1], "first_score": [50, 60, 40, 55.0],
    ...                         "latest_score": [60, 65, 52, 58.0]})
    >>> round(score_change_estimate(history).effect, 2)
    9.0
    """
    from ...methods.paired import paired_difference

    repeated = history.loc[history["assessments"] >= 2]
    if len(repeated) < 2:
        raise EstimationError(
            "score_change_estimate: fewer than two premises completed a second "
            "self-assessment, so no change can be estimated"
        )
    estimate = paired_difference(repeated, before="first_score", after="latest_score")
    return estimate.with_updates(
        estimand=(
            "mean change in self-assessment score (0-100, mean over domains) from the first to "
            "the latest assessment, premises with two or more"
        ),
        method="before/after of participants only (paired t on premises' mean scores)",
        outcome="self-assessment score",
    )


def incidents_by_score(
    panel: pd.DataFrame,
    history: pd.DataFrame,
    *,
    threshold: float = 60.0,
    outcome: str = "violence_vulnerability",
) -> Estimate:
    """Incident rate after sign-up, premises whose first score was low against high (SMS 1).

    A description of who the tool reaches, not an effect: premises scoring below
    ``threshold`` at their first assessment against those at or above it, on their
    incidents per month from their sign-up month.

    Examples
    --------
    >>> panel = pd.DataFrame({"premises_id": ["a", "a", "b", "b"], "treated": [1, 1, 1, 1],
    ...                       "violence_vulnerability": [2, 2, 1, 0]})
    >>> history = pd.DataFrame({"premises_id": ["a", "b"], "first_score": [40.0, 80.0]})
    >>> incidents_by_score(panel, history).effect
    4.0
    """
    from ...methods import rate_ratio

    low_score = panel["premises_id"].map(
        history.set_index("premises_id")["first_score"] < threshold
    )
    after = panel.loc[(panel["treated"] == 1) & low_score.notna()]
    low = after.loc[low_score.loc[after.index].astype(bool), outcome]
    high = after.loc[~low_score.loc[after.index].astype(bool), outcome]
    if low.empty or high.empty:
        raise EstimationError(
            f"incidents_by_score: every assessed participant scored "
            f"{'at or above' if low.empty else 'below'} {threshold:g}; choose another threshold"
        )
    estimate = rate_ratio(int(low.sum()), len(low), int(high.sum()), len(high))
    return estimate.with_updates(
        estimand=(
            f"{outcome_label(outcome)} per premises-month after sign-up, premises whose first "
            f"self-assessment scored below {threshold:g} over those at or above it "
            "(descriptive association, not an effect)"
        ),
        method="descriptive: Poisson rate ratio by first self-assessment score",
        outcome=outcome_label(outcome),
        warnings=(
            *estimate.warnings,
            "Premises-months of one premises are not independent (premises differ in risk), "
            "so the interval is too narrow.",
        ),
    )


# ----------------------------------------------------------------------------- value for money
def averted_incident_value(
    panel: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    pilot_start: str | pd.Timestamp,
    price_year: str | None = None,
) -> tuple[vfm.UnitCost, pd.DataFrame]:
    """Home Office cost of the average violence or vulnerability incident averted.

    The tool is assumed to reduce each targeted category in proportion, so the
    incidents averted have the mix of the participants' incidents before the pilot.
    Each category is valued at its Home Office unit cost uprated to ``price_year``
    (vulnerability incidents have no published cost and count as £0, so the value is
    cautious).

    Returns
    -------
    (UnitCost, DataFrame)
        The mix-weighted cost per incident, and the table behind it (``category``,
        ``incidents``, ``share``, ``unit_cost``, ``line``).

    Examples
    --------
    >>> from analysis.programmes.lsavi.tables import premises_month_panel
    >>> from analysis.synthetic import generate
    >>> tables = generate("lsavi", seed=1, scale=0.25).tables
    >>> panel = premises_month_panel(tables["premises"], tables["incidents"],
    ...                              start="2023-04-01", end="2026-06-01")
    >>> cost, mix = averted_incident_value(panel, tables["incidents"], pilot_start="2025-04-01")
    >>> cost.unit, float(round(mix["share"].sum(), 6))
    ('incident', 1.0)
    """
    from ...data import PRICE_YEAR, unit_cost

    price_year = price_year or PRICE_YEAR
    participants = panel.loc[panel["first_treated"].notna(), "premises_id"].unique()
    before = incidents.loc[
        incidents["premises_id"].isin(participants)
        & (incidents["incident_date"] < pd.Timestamp(pilot_start))
        & incidents["category"].isin(list(UNIT_COST_LINES))
    ]
    counts = before["category"].value_counts().reindex(list(UNIT_COST_LINES), fill_value=0)
    if counts.sum() == 0:
        raise EstimationError(
            "averted_incident_value: participants had no violence or vulnerability incidents "
            "before the pilot, so the mix of incidents averted is unknown"
        )
    costs = {
        category: (unit_cost(line, price_year=price_year) if line else 0.0)
        for category, line in UNIT_COST_LINES.items()
    }
    mix = pd.DataFrame(
        {
            "category": counts.index,
            "incidents": counts.to_numpy(),
            "share": counts.to_numpy() / counts.sum(),
            "unit_cost": [costs[c] for c in counts.index],
            "line": [
                UNIT_COST_LINES[c] or "no published cost (valued at £0)" for c in counts.index
            ],
        }
    )
    value = float((mix["share"] * mix["unit_cost"]).sum())
    return (
        vfm.UnitCost(
            value,
            "incident",
            str(price_year),
            "Home Office economic and social costs of crime (2015/16 prices) by incident mix, "
            "uprated with the GDP deflator; vulnerability incidents at £0",
        ),
        mix,
    )


def pilot_value_for_money(
    estimate: Estimate,
    panel: pd.DataFrame,
    *,
    cost: float,
    value: vfm.UnitCost,
    cost_confirmed: bool = False,
) -> vfm.ValueForMoney:
    """Value for money of the pilot: incidents averted at participating premises x unit cost.

    Incidents averted = the effect per participating premises-month x the
    participating premises-months observed (from each sign-up to the end of the panel),
    with the effect's interval carried through. Until ``cost_confirmed`` no
    benefit-cost ratio is published ("cost not confirmed"); the break-even stays.

    Examples
    --------
    >>> est = Estimate(-0.1, -0.2, -0.01, 0.03, 100, "difference", "m", "e", se=0.05)
    >>> panel = pd.DataFrame({"premises_id": ["a"] * 3 + ["b"] * 3, "treated": [0, 1, 1, 1, 1, 1],
    ...                       "first_treated": pd.array([2] * 3 + [1] * 3, dtype="Int64")})
    >>> result = pilot_value_for_money(est, panel, cost=1000.0,
    ...                                value=vfm.UnitCost(5000.0, "incident", "2024/25", "HO"))
    >>> round(result.averted.point, 2)
    0.5
    """
    treated = panel.loc[panel["treated"] == 1]
    participants = int(treated["premises_id"].nunique())
    months_each = len(treated) / participants
    averted = vfm.outcomes_averted(
        estimate,
        participants,
        outcome="violence and vulnerability incidents",
        multiplier=months_each,
    )
    return vfm.value_for_money(
        cost=cost,
        participants=participants,
        averted=averted,
        unit_cost=value,
        label="lSaVI pilot",
        cost_confirmed=cost_confirmed,
        assumptions=(
            "The pilot's cost is a parameter to be confirmed: the online tool's licence, set-up "
            "and licensing officers' time.",
            f"Incidents averted are counted over the {months_each:.1f} months the average "
            "participant was signed up within the evaluation window; none after it.",
            "Each incident averted is valued at the Home Office cost of the crime it would have "
            "been; police-recorded incidents that were not crimes are over-valued by this.",
        ),
    )


# ----------------------------------------------------------------------------- event study
def dynamic_window(estimate: Estimate, months: int) -> Estimate:
    """The estimate with its dynamic (event-time) effects cut to ``months`` either side.

    Long leads and lags rest on one or two cohorts and are too noisy to read;
    the overall effect is unchanged.

    Examples
    --------
    >>> dynamic = pd.DataFrame({"rel_time": range(-5, 6), "coef": 0.0, "se": 0.1,
    ...                         "ci_low": -0.2, "ci_high": 0.2})
    >>> est = Estimate(0.0, -0.2, 0.2, 1.0, 10, "difference", "m", "e",
    ...                details={"dynamic": dynamic})
    >>> dynamic_window(est, 2).details["dynamic"]["rel_time"].tolist()
    [-2, -1, 0, 1, 2]
    """
    if months < 1:
        raise ConfigError(f"the event-study window must be at least 1 month, got {months}")
    dynamic = estimate.details["dynamic"]
    kept = dynamic.loc[dynamic["rel_time"].between(-months, months)].reset_index(drop=True)
    return estimate.with_updates(details={**estimate.details, "dynamic": kept})


@dataclass(frozen=True)
class DynamicSummary:
    """What the report says about the effects by months since sign-up.

    Attributes
    ----------
    pretrend_p : float
        Joint test that every effect before sign-up is zero.
    early : float
        Mean effect in the sign-up month and the two after it.
    late : float
        Mean effect from month ``late_from`` on.
    late_from : int
        First month since sign-up counted as late (half the window, at least 1).
    months_after : int
        Months since sign-up shown (0 included).
    band_excludes : int or None
        Of those months, how many the uniform 95% band keeps away from zero; None
        when no band was drawn.
    """

    pretrend_p: float
    early: float
    late: float
    late_from: int
    months_after: int
    band_excludes: int | None


def dynamic_summary(
    windowed: Estimate, *, window_months: int, bootstrap_draws: int
) -> DynamicSummary:
    """Summarise the event study: the pre-trend test, early and late effects, the uniform band.

    Parameters
    ----------
    windowed : Estimate
        The headline cut to the window shown (:func:`dynamic_window`), with the
        ``pretrend_p_value`` diagnostic of :func:`analysis.methods.staggered_did`.
    window_months : int
        Months either side of sign-up shown.
    bootstrap_draws : int
        Draws behind the uniform band (0: no band).

    Examples
    --------
    >>> dynamic = pd.DataFrame({"rel_time": range(-2, 4), "coef": [0.0, 0.0, -1, -1, -2, -2],
    ...                         "band_low": [-1, -1, -3, -3, -3, -3.0],
    ...                         "band_high": [1, 1, 1, 1, -0.5, -0.5]})
    >>> est = Estimate(-1.5, -2, -1, 0.01, 10, "difference", "m", "e",
    ...                diagnostics={"pretrend_p_value": 0.4}, details={"dynamic": dynamic})
    >>> summary = dynamic_summary(est, window_months=4, bootstrap_draws=99)
    >>> summary.early, summary.late, summary.late_from, summary.band_excludes
    (np.float64(-1.3333333333333333), np.float64(-2.0), 2, 2)
    """
    dynamic = windowed.details["dynamic"]
    late_from = max(window_months // 2, 1)
    after_signup = dynamic.loc[dynamic["rel_time"] >= 0]
    band_excludes = (
        int(((after_signup["band_high"] < 0) | (after_signup["band_low"] > 0)).sum())
        if bootstrap_draws > 0 and after_signup["band_low"].notna().all()
        else None
    )
    return DynamicSummary(
        pretrend_p=windowed.diagnostics["pretrend_p_value"],
        early=dynamic.loc[dynamic["rel_time"].between(0, 2), "coef"].mean(),
        late=dynamic.loc[dynamic["rel_time"] >= late_from, "coef"].mean(),
        late_from=late_from,
        months_after=int((dynamic["rel_time"] >= 0).sum()),
        band_excludes=band_excludes,
    )
