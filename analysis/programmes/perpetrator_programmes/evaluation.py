"""Perpetrator programmes: every computation the report shows, from data and parameters.

:func:`evaluate` takes the loaded :class:`~analysis.data.Dataset` and the notebook's
:class:`Parameters` and returns an :class:`Evaluation`: the cohorts, the reoffending,
survival and harm designs for Drive and Up2U, the practitioners' training change, and
value for money against the continuation funding (:func:`programme_value_for_money`,
:func:`offences_averted`).

Examples
--------
>>> from analysis.data import load
>>> data = load("perpetrator_programmes", source="synthetic", seed=3, scale=0.5)
>>> evaluation = evaluate(data, Parameters())
>>> evaluation.programmes
['Drive', 'Up2U']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...config import parse_list, parse_number_pairs
from ...data.reference import harm_weights as reference_harm_weights
from ...errors import ConfigError
from ...evidence import vfm
from ...results import Estimate
from . import designs, tables
from .tables import QUARTERS_AFTER, CostedYear

if TYPE_CHECKING:
    from ...data import Dataset


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (same names and defaults as its ``parameters`` cell).

    The data source, seed, scale and extract date go to :func:`analysis.data.load`
    and ``findings_path`` to :func:`analysis.evidence.save_findings`; the rest are here.
    """

    suppression_threshold: int = 10  # counts below this are suppressed in published tables
    followup_days: int = 365  # reoffending window after the index date, in days
    caliper_sd: float = 0.2  # matching caliper, SDs of the logit propensity score (0: none)
    drive_risk_levels: str = "high"  # DASH levels Drive serves (its comparison pool)
    up2u_risk_levels: str = "standard,medium"  # DASH levels Up2U serves (its comparison pool)
    urban_areas: str = "Bournemouth,Poole,Weymouth and Portland"  # areas counted as urban
    quarters_before: int = 4  # quarters before identification in the harm panel (at least 2)
    harm_weight_overrides: str = ""  # Crime Harm Index overrides: group:days pairs
    costed_year: str = "2024/25"  # financial year of the continuation funding
    continuation_funding_gbp: float = 270000.0  # funding announced, checked against the costs
    price_year: str = ""  # price base for money (YYYY/YY); blank: the toolkit's price year
    victims_per_reoffender: float = 1.0  # victims spared per reoffender prevented

    @property
    def caliper(self) -> float | None:
        """The matching caliper, or None for no caliper (``caliper_sd`` 0)."""
        return self.caliper_sd if self.caliper_sd > 0 else None

    @property
    def risk_levels(self) -> dict[str, tuple[str, ...]]:
        """DASH levels each programme serves, as the comparison pools use them."""
        return {
            "Drive": parse_list(str(self.drive_risk_levels)),
            "Up2U": parse_list(str(self.up2u_risk_levels)),
        }

    @property
    def truth_settings(self) -> dict[str, Any]:
        """The settings a planted truth depends on (see ``findings.planted_truth``)."""
        return {
            "followup_days": self.followup_days,
            "risk_levels": self.risk_levels,
            "periods_before": self.quarters_before,
            "harm_weight_overrides": self.harm_weight_overrides,
        }


@dataclass(frozen=True)
class Evaluation:
    """Every result the perpetrator-programmes report shows.

    Attributes
    ----------
    data : analysis.data.Dataset
        The data evaluated (its ``truth`` is the planted truth when synthetic).
    params : Parameters
    money_year : str
        Price year of every sum of money.
    outcomes : pandas.DataFrame
        :func:`~.tables.person_outcomes`.
    cohorts, reoffending, survival, harm, panels : dict by programme
        :class:`~.tables.Cohort`, :class:`~.designs.ReoffendingEstimates`,
        :class:`~.designs.SurvivalEstimates`, :class:`~.designs.HarmEstimates` and
        the matched person-quarter panel behind them.
    training : Estimate
        Practitioners' mean knowledge-score change.
    year : CostedYear
        Spending (in ``money_year`` prices) and starters of the costed year.
    cash_total : float
        The costed year's spending in cash, to set beside the funding announced.
    unit_cost : analysis.evidence.vfm.UnitCost
        Value of one victim spared.
    components, overall : value for money
        Per programme (matched effects) and of the whole funding.
    sensitivity_components, sensitivity_overall : value for money
        The same with the inverse-probability-weighted effects.
    crimes_averted : dict of str to analysis.evidence.vfm.Averted
        DA crimes averted among the costed year's starters (counted, not valued).
    target_trial, intention_to_treat : dict of str to Estimate
        12-month reoffending in the emulated target trial (matched at a pseudo start
        date; the primary design) for starters, and for everyone referred.
    pre_referral : dict of str to Estimate
        The pre-referral trend check in the target trial's pairs
        (:func:`~.designs.pre_referral_trend`).
    training_bounds : tuple of float
        Worst and best case of the mean knowledge change over everyone trained.
    switching, simulated : dict by programme
        Switching values and the Monte Carlo value for money of each programme.
    cost_confirmed : bool
        Whether the costed year's spending matches the continuation funding announced.
    for_whom : dict of str to dict of str to DataFrame or None
        By programme, then characteristic (:data:`~.tables.FOR_WHOM`): the target
        trial's effect within each group of participants, small groups not estimated,
        with the interaction test in ``attrs`` (:func:`~.designs.trial_by_group`);
        None where the extract records no value of the characteristic. Publish
        through :meth:`for_whom_display`.
    not_recorded : DataFrame
        People whose sex, age band or ethnicity is not recorded, and how the analysis
        treats them (:func:`~.tables.not_recorded`).
    confounder_benchmarks : dict of str to DataFrame
        By programme, how strongly each measured confounder goes with taking part and
        with reoffending, and the bias a hidden one as strong could cause, strongest
        first (:func:`~.designs.confounder_benchmarks`).
    """

    data: Dataset = field(repr=False)
    params: Parameters
    money_year: str
    outcomes: pd.DataFrame = field(repr=False)
    cohorts: dict[str, tables.Cohort] = field(repr=False)
    reoffending: dict[str, designs.ReoffendingEstimates]
    survival: dict[str, designs.SurvivalEstimates]
    harm: dict[str, designs.HarmEstimates]
    panels: dict[str, pd.DataFrame] = field(repr=False)
    training: Estimate
    year: CostedYear
    cash_total: float
    unit_cost: vfm.UnitCost
    components: dict[str, vfm.ValueForMoney]
    overall: vfm.ValueForMoney
    sensitivity_components: dict[str, vfm.ValueForMoney]
    sensitivity_overall: vfm.ValueForMoney
    crimes_averted: dict[str, vfm.Averted]
    target_trial: dict[str, Estimate]
    intention_to_treat: dict[str, Estimate]
    pre_referral: dict[str, Estimate]
    training_bounds: tuple[float, float]
    switching: dict[str, vfm.SwitchingValues]
    simulated: dict[str, vfm.SimulatedValueForMoney]
    cost_confirmed: bool
    for_whom: dict[str, dict[str, pd.DataFrame | None]] = field(repr=False)
    not_recorded: pd.DataFrame = field(repr=False)
    confounder_benchmarks: dict[str, pd.DataFrame] = field(repr=False)

    def for_whom_display(self, programme: str, by: str) -> pd.DataFrame | None:
        """One breakdown as the report shows it: counts below the threshold suppressed.

        Counts are protected by :func:`analysis.evidence.disclosure.suppress` (with
        secondary suppression), estimates rounded; None where the extract records no
        value of ``by``.
        """
        from ...evidence.disclosure import suppress

        table = self.for_whom[programme].get(by)
        if table is None:
            return None
        shown = table.copy()
        estimates = ["effect", "ci_low", "ci_high", "p_value"]
        shown[estimates] = shown[estimates].round(2)
        return suppress(
            shown,
            columns=list(designs.GROUP_COUNT_COLUMNS),
            threshold=self.params.suppression_threshold,
            total_row=None,
        )

    @property
    def for_whom_tables(self) -> dict[str, pd.DataFrame]:
        """The published breakdowns of the characteristics recorded, keyed "Drive by sex"."""
        return {
            f"{programme} by {words}": shown
            for programme in self.for_whom
            for by, words in tables.FOR_WHOM.items()
            if (shown := self.for_whom_display(programme, by)) is not None
        }

    @property
    def programmes(self) -> list[str]:
        """The programmes evaluated, Drive first."""
        return list(self.cohorts)

    @property
    def risk_levels(self) -> dict[str, tuple[str, ...]]:
        """DASH levels of each programme's comparison pool."""
        return self.params.risk_levels


def evaluate(data: Dataset, params: Parameters) -> Evaluation:
    """Run every design of the perpetrator-programmes evaluation.

    Parameters
    ----------
    data : analysis.data.Dataset
        From ``analysis.data.load("perpetrator_programmes", ...)``.
    params : Parameters
        The notebook's analysis parameters.

    Returns
    -------
    Evaluation
    """
    from ...data import PRICE_YEAR

    money_year = params.price_year or PRICE_YEAR
    caliper = params.caliper
    risk_levels = params.risk_levels
    weights = reference_harm_weights(
        overrides=parse_number_pairs(
            params.harm_weight_overrides, what="harm weight override", form="group:days"
        )
    )
    people, offences = data["people"], data["offences"]
    outcomes = tables.person_outcomes(
        people,
        offences,
        extract_date=data.extract_date,
        followup_days=params.followup_days,
        urban_areas=parse_list(str(params.urban_areas)),
    )
    cohorts = {
        name: tables.programme_cohort(outcomes, name, risk_levels=levels)
        for name, levels in risk_levels.items()
    }
    reoffending = {
        name: designs.reoffending_estimates(cohort, outcomes, caliper=caliper)
        for name, cohort in cohorts.items()
    }
    survival = {
        name: designs.survival_estimates(cohort, caliper=caliper)
        for name, cohort in cohorts.items()
    }
    harm: dict[str, designs.HarmEstimates] = {}
    panels: dict[str, pd.DataFrame] = {}
    for name, cohort in cohorts.items():
        harm[name], panels[name] = designs.harm_estimates(
            cohort,
            offences,
            harm_weights=weights,
            followup_days=params.followup_days,
            caliper=caliper,
            periods_before=params.quarters_before,
            matched=reoffending[name].matched.details["matched"],
        )
    trial = {
        index: {
            name: designs.target_trial_reoffending(
                outcomes,
                offences,
                name,
                covariates=cohort.covariates,
                risk_levels=cohort.risk_levels,
                extract_date=data.extract_date,
                index=index,
                followup_days=params.followup_days,
                caliper=caliper,
            )
            for name, cohort in cohorts.items()
        }
        for index in ("start", "referral")
    }
    pre_referral = {
        name: designs.pre_referral_trend(estimate.details["pairs"], outcomes, offences)
        for name, estimate in trial["start"].items()
    }
    training = designs.training_change(data["training_scores"])

    costs = data["programme_costs"]
    cash_total = tables.cash_spending(costs, params.costed_year)
    cost_confirmed = funding_confirmed(cash_total, params.continuation_funding_gbp)
    year = tables.costed_year(
        people, costs, financial_year=params.costed_year, price_year=money_year
    )
    unit_cost = domestic_abuse_unit_cost(money_year)
    components, overall = programme_value_for_money(
        trial["start"],
        year,
        unit_cost=unit_cost,
        victims_per_reoffender=params.victims_per_reoffender,
        cost_confirmed=cost_confirmed,
    )
    sensitivity_components, sensitivity_overall = programme_value_for_money(
        {name: result.ipw for name, result in reoffending.items()},
        year,
        unit_cost=unit_cost,
        victims_per_reoffender=params.victims_per_reoffender,
        cost_confirmed=cost_confirmed,
    )
    crimes_averted = offences_averted(
        {name: estimates.da_offences_did for name, estimates in harm.items()}, year
    )
    return Evaluation(
        data=data,
        params=params,
        money_year=money_year,
        outcomes=outcomes,
        cohorts=cohorts,
        reoffending=reoffending,
        survival=survival,
        harm=harm,
        panels=panels,
        training=training,
        year=year,
        cash_total=cash_total,
        unit_cost=unit_cost,
        components=components,
        overall=overall,
        sensitivity_components=sensitivity_components,
        sensitivity_overall=sensitivity_overall,
        crimes_averted=crimes_averted,
        target_trial=trial["start"],
        intention_to_treat=trial["referral"],
        pre_referral=pre_referral,
        training_bounds=designs.training_change_bounds(data["training_scores"]),
        switching={name: vfm.switching_values(result) for name, result in components.items()},
        simulated={
            name: vfm.simulate_value_for_money(
                result, unit_cost_range=unit_cost_range(unit_cost), cost_range=None
            )
            for name, result in components.items()
        },
        cost_confirmed=cost_confirmed,
        for_whom={
            name: {
                by: (
                    designs.trial_by_group(
                        trial["start"][name],
                        outcomes,
                        by=by,
                        min_count=params.suppression_threshold,
                    )
                    if tables.is_recorded(people, by)
                    else None
                )
                for by in tables.FOR_WHOM
            }
            for name in cohorts
        },
        not_recorded=tables.not_recorded(people),
        confounder_benchmarks={
            name: designs.confounder_benchmarks(cohort) for name, cohort in cohorts.items()
        },
    )


#: How far the costed year's spending may differ from the funding announced and still
#: count as confirming it (rounding in the finance extract).
FUNDING_TOLERANCE = 0.01


def funding_confirmed(cash_total: float, funding: float) -> bool:
    """Whether the costed year's spending matches the funding announced (within 1%).

    A benefit-cost ratio against a cost nobody has confirmed is not published
    (:func:`analysis.evidence.vfm.value_for_money`, ``cost_confirmed``).

    Examples
    --------
    >>> funding_confirmed(270_000.0, 270000.0), funding_confirmed(180_000.0, 270000.0)
    (True, False)
    """
    if funding <= 0:
        raise ConfigError(f"continuation_funding_gbp must be positive, got {funding}")
    return abs(cash_total - funding) <= FUNDING_TOLERANCE * funding


#: Spread of the value of a victim spared in the Monte Carlo (the Home Office figure is an
#: average over victims whose costs vary widely; a quarter either side, skewed upward).
UNIT_COST_SPREAD = (0.75, 1.5)


def unit_cost_range(unit_cost: vfm.UnitCost) -> vfm.Range:
    """The range over which the Monte Carlo draws the value of one victim spared.

    Examples
    --------
    >>> unit_cost_range(domestic_abuse_unit_cost("2016/17")).low
    25511.25
    """
    low, high = UNIT_COST_SPREAD
    return vfm.Range(
        unit_cost.value * low,
        unit_cost.value,
        unit_cost.value * high,
        "Home Office cost per victim, three quarters to one and a half times",
    )


# ---------------------------------------------------------------------------- value for money
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
    cost_confirmed: bool = True,
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
        Programme -> 12-month reoffending effect (percentage points; the target trial).
    year : CostedYear
        Costs and participants of the costed year.
    unit_cost : analysis.evidence.vfm.UnitCost
        Value of one victim spared, in the costs' price year.
    victims_per_reoffender : float, default 1.0
        Victims per DA reoffender within the year (1 is cautious: some reoffenders
        abuse more than one victim).
    unmonetised : sequence of str
        Cost lines whose benefits are not monetised (counted as cost only).
    cost_confirmed : bool, default True
        False when the spending does not match the funding announced: no
        benefit-cost ratio is published (:func:`funding_confirmed`).

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
            cost_confirmed=cost_confirmed,
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


def value_for_money_record(evaluation: Evaluation, *, headline: str) -> dict[str, Any]:
    """The ``value_for_money`` block of findings.json, with the DA crimes averted.

    Every component, the whole funding, and the DA crimes averted among the costed
    year's starters (counted, not valued).

    Parameters
    ----------
    evaluation : Evaluation
    headline : str
        The one-line summary the scorecard shows (``narrative.value_for_money_headline``).
    """
    record = vfm.value_for_money_block(
        list(evaluation.components.values()), overall=evaluation.overall, headline=headline
    )
    record["offences_averted"] = averted_record(evaluation.crimes_averted)
    return record
