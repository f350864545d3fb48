"""Victim services: every computation the report shows, in one call (:func:`evaluate`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...data.reference import PRICE_YEAR, unit_cost
from ...evidence.disclosure import suppress
from ...evidence.vfm import (
    UnitCost,
    ValueForMoney,
    outcomes_averted,
    value_for_money,
    value_for_money_block,
)
from ...methods.bounds import Bounds
from ...methods.sensitivity import EValue
from ...results import Estimate
from . import designs, tables

#: Exit measures reported, with their labels.
EXIT_MEASURES = {
    "abuse_ceased": "Abuse ceased",
    "risk_reduced": "Risk reduced",
    "cope_recover": "Better able to cope and recover",
}


#: Characteristics the repeat-victimisation effect is broken down by, with their labels:
#: those the police record carries for supported and comparison victims alike (the
#: provider's sex and ethnicity exist for supported victims only, so no comparison can
#: be made on them).
FOR_WHOM = {"age_band": "age band", "area": "area", "dash_risk": "DASH risk at the crime"}


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (same names and defaults as its ``parameters`` cell).

    Parameters
    ----------
    synthetic_seed : int
        Seed of the synthetic data (named in the report's source line).
    suppression_threshold : int
        Counts below this are suppressed in published tables.
    service_change_date : str
        Start of the pan-Dorset IDVA service (YYYY-MM-DD).
    support_window_days : int
        Grace period: a referral within this many days of the crime counts as support.
    follow_up_days : int
        Longest follow-up for repeat victimisation, from the landmark.
    funding_gbp : float
        The additional funding costed (pounds a year).
    cost_confirmed : bool
        Whether the commissioners have confirmed ``funding_gbp`` as the service's full
        cost for the funded year. Until they have, no benefit-cost ratio, net benefit
        or break-even test is published (:func:`analysis.evidence.vfm.value_for_money`).
    adviser_fte : float
        Full-time-equivalent IDVAs in post (for caseload against the benchmark).
    adult_women : int
        Women aged 18 and over in Dorset (for MARAC volume per 10,000).
    expected_hazard_ratio : float
        The hazard ratio of the next DA incident support was expected to achieve; 0
        takes the analysis plan's. The headline is demoted, with the reason, when its
        minimum detectable effect is more than twice as far from no effect.
    """

    synthetic_seed: int = 2026
    suppression_threshold: int = 10
    service_change_date: str = "2025-04-01"
    support_window_days: int = 28
    follow_up_days: int = 365
    funding_gbp: float = 261000.0
    cost_confirmed: bool = False
    adviser_fte: float = 8.0
    adult_women: int = 330000
    expected_hazard_ratio: float = 0.0


@dataclass(frozen=True)
class CriminalJustice:
    """One criminal justice outcome: naive and matched differences and the E-value."""

    outcome: str
    naive: Estimate
    matched: Estimate
    e_value: EValue


@dataclass(frozen=True)
class Evaluation:
    """Everything the victim services report shows.

    Parameters
    ----------
    data : Dataset
        The loaded data (``analysis.data.load``).
    params : Parameters
        The parameters it was evaluated with.
    trial : DataFrame
        The emulated target trial, one row per eligible crime.
    withdrawal, charge : CriminalJustice
        Victim withdrawal (outcome 16) and charge (outcome 1).
    repeat : designs.RepeatVictimisation
        Time to the next DA incident, naive and matched.
    series : DataFrame
        Monthly service series around the change.
    first_contact, engagement, withdrawal_trend : Estimate
        Interrupted time series step changes at the service change.
    referral_mix : Estimate
        The step change in the share of referrals that are MARAC cases (points): a check
        that the caseload the service-change series describe stayed the same.
    for_whom : dict of str to designs.ForWhom
        The matched repeat hazard ratio by each of :data:`FOR_WHOM` (the supported
        victim's characteristics the police record carries for both groups).
    exits : dict of str to designs.ExitOutcome
        Complete-case share and worst/best bounds per exit measure.
    exit_change : Bounds
        Lee bounds on the change in abuse ceased (IDVA cases) after the service change.
    capacity : DataFrame
        Caseload and MARAC volume against benchmarks.
    value : ValueForMoney
        Repeats averted, valued at the Home Office cost of domestic abuse per victim.
    """

    data: Any
    params: Parameters
    trial: pd.DataFrame
    withdrawal: CriminalJustice
    charge: CriminalJustice
    repeat: designs.RepeatVictimisation
    series: pd.DataFrame
    first_contact: Estimate
    engagement: Estimate
    withdrawal_trend: Estimate
    referral_mix: Estimate
    for_whom: dict[str, designs.ForWhom]
    exits: dict[str, designs.ExitOutcome]
    exit_change: Bounds
    capacity: pd.DataFrame
    value: ValueForMoney
    delivery_costs: pd.DataFrame

    @property
    def service_change(self) -> pd.Timestamp:
        """Start of the pan-Dorset IDVA service."""
        return pd.Timestamp(self.params.service_change_date)

    def reach_display(self, by: str) -> pd.DataFrame:
        """Referrals, contact and engagement by ``by``, small counts suppressed."""
        return tables.reach_display(
            tables.reach(self.data["cases"], by), self.params.suppression_threshold
        )

    def for_whom_display(self, by: str) -> pd.DataFrame:
        """The repeat hazard ratio by ``by``, its small pair and event counts suppressed."""
        return suppress(
            self.for_whom[by].table,
            columns=["pairs", "events"],
            threshold=self.params.suppression_threshold,
        )

    def planted(self, key: str) -> float | None:
        """The planted value of ``key`` in synthetic data (None on real data)."""
        truth = self.data.truth if self.data.synthetic else None
        return None if not truth else truth.get(key)

    @property
    def criminal_justice_table(self) -> pd.DataFrame:
        """Naive beside matched differences (points), with E-values."""
        rows = []
        for result in (self.withdrawal, self.charge):
            for design, est in (("naive", result.naive), ("matched", result.matched)):
                rows.append(
                    {
                        "outcome": result.outcome,
                        "design": design,
                        "difference (points)": round(est.effect, 1),
                        "95% CI": f"{est.ci_low:+.1f} to {est.ci_high:+.1f}",
                        "E-value": round(result.e_value.point, 2) if design == "matched" else None,
                    }
                )
        return pd.DataFrame(rows).set_index(["outcome", "design"])

    @property
    def exit_table(self) -> pd.DataFrame:
        """Complete-case shares beside worst/best case bounds (per cent)."""
        rows = []
        for measure, label in EXIT_MEASURES.items():
            result = self.exits[measure]
            rows.append(
                {
                    "measure": label,
                    "asked at exit": result.bounds.diagnostics["n_observed"],
                    "not asked": result.bounds.diagnostics["n_missing"],
                    "complete case (%)": round(result.complete_case.effect * 100, 1),
                    "worst case (%)": round(result.bounds.lower * 100, 1),
                    "best case (%)": round(result.bounds.upper * 100, 1),
                }
            )
        table = pd.DataFrame(rows).set_index("measure")
        return suppress(
            table,
            columns=["asked at exit", "not asked"],
            threshold=self.params.suppression_threshold,
        )

    @property
    def forest_rows(self) -> list[tuple[str, Estimate, str]]:
        """Naive and adjusted estimates side by side, for the forest plot."""
        return [
            ("Withdrawal (outcome 16), naive", self.withdrawal.naive, "Criminal justice"),
            ("Withdrawal (outcome 16), matched", self.withdrawal.matched, "Criminal justice"),
            ("Charge, naive", self.charge.naive, "Criminal justice"),
            ("Charge, matched", self.charge.matched, "Criminal justice"),
            ("Next DA incident, naive", self.repeat.naive, "Repeat victimisation"),
            ("Next DA incident, matched", self.repeat.matched, "Repeat victimisation"),
        ]


def _criminal_justice(trial: pd.DataFrame, outcome: str, label: str) -> CriminalJustice:
    naive = designs.naive_difference(trial, outcome)
    matched = designs.matched_difference(trial, outcome)
    unsupported = trial[trial["finalised"] & (trial["supported"] == 0)][outcome].mean()
    return CriminalJustice(label, naive, matched, designs.sensitivity(matched, unsupported))


def _value_for_money(
    trial: pd.DataFrame,
    repeat: designs.RepeatVictimisation,
    params: Parameters,
    extract_date: pd.Timestamp,
) -> ValueForMoney:
    """Repeats averted among victims supported in the funded year, valued per victim."""
    change = pd.Timestamp(params.service_change_date)
    funded = trial[
        (trial["supported"] == 1)
        & (trial["offence_date"] >= change)
        & (trial["offence_date"] < change + pd.DateOffset(years=1))
    ]
    controls = repeat.cohort[repeat.cohort["supported"] == 0]
    full = controls["landmark"] + pd.Timedelta(days=params.follow_up_days) <= extract_date
    baseline = float(controls.loc[full, "repeat"].mean())
    averted = outcomes_averted(
        repeat.matched, len(funded), outcome="repeat victims", baseline=baseline
    )
    cost = unit_cost("domestic_abuse_per_victim")
    per_victim = UnitCost(
        cost,
        "repeat victim",
        PRICE_YEAR,
        f"Oliver et al. (2019) £34,015 per victim in 2016/17 prices, uprated to {PRICE_YEAR} "
        "with the GDP deflator",
    )
    return value_for_money(
        cost=params.funding_gbp,
        participants=len(funded),
        averted=averted,
        unit_cost=per_victim,
        label="Victim services, funded year",
        cost_confirmed=params.cost_confirmed,
        assumptions=(
            "A victim spared a repeat incident within the follow-up is valued at the whole "
            "Home Office cost of domestic abuse per victim: an upper reading, since the cost "
            "is for a year of abuse, not one incident.",
            f"The effect measured on police-linked supported victims ({len(funded):,} in the "
            "funded year) applies to them alone; self-referred victims are not costed.",
        ),
    )


def value_for_money_record(evaluation: Evaluation) -> dict[str, Any]:
    """The ``value_for_money`` block of findings.json, for the scorecard.

    While ``params.cost_confirmed`` is False the block carries no benefit-cost
    ratio and its headline says the cost is not confirmed.

    Parameters
    ----------
    evaluation : Evaluation
        What :func:`evaluate` returned.

    Returns
    -------
    dict
        ``{"components": [...], "overall": None, "headline": str}``
        (:func:`analysis.evidence.vfm.value_for_money_block`).

    Examples
    --------
    >>> from analysis.data import load
    >>> record = value_for_money_record(evaluate(load("victim_services", seed=4, scale=0.5)))
    >>> record["components"][0]["benefit_cost_ratio"]
    'cost not confirmed'
    >>> record["headline"].startswith("Victim services, funded year: cost not confirmed")
    True
    """
    return value_for_money_block([evaluation.value])


def _delivery_costs(cases: pd.DataFrame, closed: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Cost per referral, per engaged victim and per exit with abuse ceased, funded year."""
    change = pd.Timestamp(params.service_change_date)
    year = cases[
        (cases["referral_date"] >= change)
        & (cases["referral_date"] < change + pd.DateOffset(years=1))
    ]
    year_closed = closed[closed["case_id"].isin(year["case_id"])]
    ceased_known = int((year_closed["abuse_ceased"] == 1).sum())
    ceased_best = ceased_known + int(year_closed["abuse_ceased"].isna().sum())
    counts = {
        "referral": len(year),
        "engaged victim": int((year["contacts"] >= 2).sum()),
        "exit with abuse ceased (recorded)": ceased_known,
        "exit with abuse ceased (if every unrecorded exit had)": ceased_best,
    }
    return pd.DataFrame(
        [
            {"per": label, "count": count, "cost (£)": round(params.funding_gbp / count)}
            for label, count in counts.items()
            if count > 0
        ]
    ).set_index("per")


def evaluate(data: Any, params: Parameters | None = None) -> Evaluation:
    """Evaluate victim services on loaded data.

    Parameters
    ----------
    data : Dataset
        What ``analysis.data.load("victim_services", ...)`` returned.
    params : Parameters, optional
        Analysis parameters (defaults: the notebook's).

    Returns
    -------
    Evaluation
    """
    params = params or Parameters()
    change = pd.Timestamp(params.service_change_date)
    trial = tables.emulated_trial(
        data["offences"],
        data["cases"],
        data["incidents"],
        support_window_days=params.support_window_days,
        follow_up_days=params.follow_up_days,
        extract_date=data.extract_date,
    )
    withdrawal = _criminal_justice(trial, "withdrawn", "Victim withdrawal (outcome 16)")
    charge = _criminal_justice(trial, "charged", "Charge (outcome 1)")
    repeat = designs.repeat_victimisation(trial)
    series = tables.monthly_service(data["cases"], trial, extract_date=data.extract_date)
    closed = tables.closed_cases(data["cases"], change)
    return Evaluation(
        data=data,
        params=params,
        trial=trial,
        withdrawal=withdrawal,
        charge=charge,
        repeat=repeat,
        series=series,
        first_contact=designs.service_change(series, "mean_days_to_contact_mix_adjusted", change),
        engagement=designs.service_change(series, "engaged_pct_mix_adjusted", change),
        withdrawal_trend=designs.service_change(series, "withdrawal_pct", change),
        referral_mix=designs.service_change(series, "marac_pct", change),
        for_whom={
            by: designs.repeat_by_group(repeat, by, threshold=params.suppression_threshold)
            for by in FOR_WHOM
        },
        exits={measure: designs.exit_outcome(closed, measure) for measure in EXIT_MEASURES},
        exit_change=designs.exit_comparison(closed, "abuse_ceased"),
        capacity=tables.capacity(
            data["cases"],
            extract_date=data.extract_date,
            adviser_fte=params.adviser_fte,
            adult_women=params.adult_women,
        ).round(1),
        value=_value_for_money(trial, repeat, params, data.extract_date),
        delivery_costs=_delivery_costs(data["cases"], closed, params),
    )
