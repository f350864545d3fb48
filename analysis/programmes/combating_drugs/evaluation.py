"""Combating Drugs Partnership: every computation the report shows, in one call."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...data.contracts.combating_drugs import INDICATOR_IDS, PARTNERSHIP_AREAS
from ...data.reference import load_reference
from ...errors import ConfigError, EstimationError
from ...evidence.disclosure import suppress
from ...evidence.sms import Check
from ...evidence.vfm import (
    CostPerOutcome,
    Range,
    SimulatedValueForMoney,
    SwitchingValues,
    UnitCost,
    ValueForMoney,
    cost_per_additional_outcome,
    outcomes_averted,
    simulate_value_for_money,
    switching_values,
    value_for_money,
    value_for_money_block,
)
from ...results import Estimate
from . import designs, tables

#: The comparative time series the report shows: indicator -> what it counts.
COMPARISONS = {
    "adults_in_treatment": "adults in structured treatment",
    "young_people_in_treatment": "young people in treatment",
    "completions": "successful completions per person in treatment",
    "continuity_of_care": "people released from prison engaging in treatment within 3 weeks",
    "poisoning_admissions": "hospital admissions for drug poisoning",
}

#: Funnel plots: indicator -> (statistic, multiplier for display, axis label).
FUNNELS = {
    "adults_in_treatment": ("rate", 1000, "Adults in treatment per 1,000 aged 18+"),
    "completions": ("proportion", 100, "Successful completions (%)"),
    "poisoning_admissions": ("rate", 100_000, "Admissions for drug poisoning per 100,000"),
    "drug_deaths": ("rate", 100_000, "Drug deaths per 100,000 (3 years pooled)"),
}


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (same names and defaults as its ``parameters`` cell).

    Parameters
    ----------
    synthetic_seed : int
        Seed of the synthetic data (named in the report's source line).
    suppression_threshold : int
        Counts below this are suppressed in published tables.
    fingertips_source : str
        A Fingertips CSV export (or a folder of them) to read instead of the loaded
        ``indicators`` table; blank: the loaded table.
    funding_start : str
        First day of the new funding (YYYY-MM-DD).
    partnership_codes : str
        Comma-separated area codes of the partnership's authorities.
    comparator_codes : str
        Comma-separated codes of the comparable authorities; blank: the synthetic data's.
    targets : str
        The partnership's targets, ``indicator@area_code@period:value`` separated by ``;``.
    extra_funding_gbp : float
        The new funding in its first year (pounds).
    two_year_funding_gbp : float
        The new funding over its first two years (pounds): the cost the value for money sets
        against two years of additional treatment.
    cost_confirmed : bool
        Whether the partnership has confirmed the funding figures as the cost of the
        additional treatment; until then no benefit-cost ratio is published.
    expected_effect : float
        The rise in numbers in treatment expected (rate ratio); 0: the analysis plan's.
    expected_deaths_ratio : float
        The fall in drug deaths the partnership hopes for, as a rate ratio (0.85: 15% fewer).
    deaths_lag_years : float
        Years before the funding could change drug deaths (treatment takes time to work,
        and deaths are registered after inquests).
    """

    synthetic_seed: int = 2026
    suppression_threshold: int = 10
    fingertips_source: str = ""
    funding_start: str = "2022-04-01"
    partnership_codes: str = ",".join(PARTNERSHIP_AREAS)
    comparator_codes: str = ""
    targets: str = (
        "adults_in_treatment@E06000058@2024/25:1600;adults_in_treatment@E06000059@2024/25:1550;"
        "completions@E06000058@2024/25:30;completions@E06000059@2024/25:30"
    )
    extra_funding_gbp: float = 1_400_000.0
    two_year_funding_gbp: float = 2_000_000.0
    cost_confirmed: bool = False
    expected_effect: float = 0.0
    expected_deaths_ratio: float = 0.85
    deaths_lag_years: float = 3.0


def _codes(text: str, name: str) -> list[str]:
    codes = [c.strip() for c in str(text).split(",") if c.strip()]
    if not codes:
        raise ConfigError(f"{name} is empty: give comma-separated area codes (E06000058,...)")
    return codes


@dataclass(frozen=True)
class Comparison:
    """One indicator's comparative time series and its checks."""

    key: str
    label: str
    panel: pd.DataFrame
    estimate: Estimate
    placebo: Estimate | None
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class Evaluation:
    """Everything the Combating Drugs Partnership report shows.

    Attributes
    ----------
    data : Dataset
    params : Parameters
    indicators : DataFrame
        The indicators analysed (the loaded table, or the Fingertips export).
    indicators_source : str
        Where they came from.
    comparisons : dict of str to Comparison
        Comparative time series by indicator key (:data:`COMPARISONS`).
    targets : DataFrame
        Progress against each target (:func:`.designs.progress_against_targets`).
    treatment_chart, completions_chart, offending_chart : DataFrame
        Control charts (u, p and c) with limits from before the funding.
    funnels, shrunken : dict of str to DataFrame
        Every authority's funnel-plot position and empirical-Bayes rate, by indicator.
    deaths : DataFrame
        The partnership's pooled drug deaths by period.
    deaths_change : Estimate or None
        Latest pooled period against the last before the funding (None: none published).
    deaths_power : designs.DeathsDetectability
    offending : DataFrame
        Monthly drug-related offending by group.
    offending_change : Estimate
        Interrupted time series of drug-related acquisitive crime.
    own_trend : Estimate
        Adults in treatment against the partnership's own trend alone (no comparison).
    value : ValueForMoney
        Years out of treatment averted over the first two funded years, at the NTA crime cost.
    """

    data: Any
    params: Parameters
    indicators: pd.DataFrame
    indicators_source: str
    partnership: list[str]
    comparators: list[str]
    comparisons: dict[str, Comparison]
    targets: pd.DataFrame
    treatment_chart: pd.DataFrame
    completions_chart: pd.DataFrame
    offending_chart: pd.DataFrame
    funnels: dict[str, pd.DataFrame]
    shrunken: dict[str, pd.DataFrame]
    deaths: pd.DataFrame
    deaths_change: Estimate | None
    deaths_power: designs.DeathsDetectability
    offending: pd.DataFrame
    offending_change: Estimate
    own_trend: Estimate
    value: ValueForMoney
    value_simulated: SimulatedValueForMoney
    value_switching: SwitchingValues
    first_year: CostPerOutcome
    assumptions: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    @property
    def funding_start(self) -> pd.Timestamp:
        """First day of the new funding."""
        return pd.Timestamp(self.params.funding_start)

    @property
    def headline(self) -> Comparison:
        """Adults in structured treatment: the headline comparison."""
        return self.comparisons["adults_in_treatment"]

    def partnership_rows(self, key: str) -> pd.DataFrame:
        """Dorset's authorities in an indicator's funnel and shrinkage, side by side."""
        names = set(tables.area_label(self.partnership, self.indicators).values())
        funnel = self.funnels[key]
        shrunk = self.shrunken[key].set_index("area")
        per = FUNNELS[key][1]
        rows = funnel[funnel["area"].isin(names)]
        table = pd.DataFrame(
            {
                "authority": rows["area"].to_numpy(),
                "count": rows["observed"].round().astype("Int64").to_numpy(),
                "published": (rows["value"] * per).round(2).to_numpy(),
                "England": round(funnel.attrs["target"] * per, 2),
                "funnel": rows["flag"].to_numpy(),
                "shrunken": (shrunk.loc[rows["area"], "shrunken_rate"] * per).round(2).to_numpy(),
                "95% interval": [
                    f"{shrunk.loc[a, 'lower'] * per:.2f} to {shrunk.loc[a, 'upper'] * per:.2f}"
                    for a in rows["area"]
                ],
                "rank (1 highest)": [
                    int((shrunk["shrunken_rate"] > shrunk.loc[a, "shrunken_rate"]).sum()) + 1
                    for a in rows["area"]
                ],
            }
        ).set_index("authority")
        return suppress(table, columns=["count"], threshold=self.params.suppression_threshold)

    @property
    def charts_display(self) -> dict[str, pd.DataFrame]:
        """The control charts as tables (offending: the months since the funding began)."""
        threshold = self.params.suppression_threshold
        offending = self.offending_chart[~self.offending_chart["baseline"]]
        return {
            "Adults in treatment per 1,000 aged 18+ (u-chart)": tables.chart_display(
                self.treatment_chart, per=1000, threshold=threshold
            ),
            "Successful completions, % (p-chart)": tables.chart_display(
                self.completions_chart, per=100, threshold=threshold
            ),
            "Drug-related offences a month, since the funding (c-chart)": tables.chart_display(
                offending, per=1, threshold=threshold, monthly=True
            ),
        }

    @property
    def deaths_display(self) -> pd.DataFrame:
        """Dorset's pooled drug deaths by period: count (small ones hidden), rate per 100,000."""
        return tables.series_display(
            self.deaths, per=100_000, threshold=self.params.suppression_threshold
        ).rename(columns={"value": "per 100,000"})

    @property
    def targets_display(self) -> pd.DataFrame:
        """Targets against the published figures, small counts suppressed."""
        table = self.targets.copy()
        table["published"] = table["published"].round(1)
        table["95% interval"] = [
            "" if pd.isna(lo) else f"{lo:,.1f} to {hi:,.1f}"
            for lo, hi in zip(table.pop("ci_low"), table.pop("ci_high"), strict=True)
        ]
        return table.set_index(["indicator", "area", "period"])

    @property
    def comparison_table(self) -> pd.DataFrame:
        """Every comparative time series: ratio, interval and its checks."""
        rows = []
        for comparison in self.comparisons.values():
            est = comparison.estimate
            rows.append(
                {
                    "indicator": comparison.label,
                    "ratio": round(est.effect, 3),
                    "95% CI": f"{est.ci_low:.3f} to {est.ci_high:.3f}",
                    "comparators": est.n - 1,
                    "checks failed": ", ".join(
                        c.name for c in comparison.checks if c.passed is False
                    )
                    or "none",
                }
            )
        return pd.DataFrame(rows).set_index("indicator")

    def planted(self, key: str) -> float | None:
        """The planted value of ``key`` in synthetic data (None on real data or other settings).

        The generator plants its truths for its own funding start and comparators; an
        analysis with other settings estimates something else, so no truth is shown.
        """
        from ...synthetic import combating_drugs as world

        data = self.data
        if not (data.synthetic and data.truth) or self.params.fingertips_source:
            return None
        if self.funding_start != world.FUNDING_START or set(self.comparators) != set(
            world.COMPARATOR_CODES
        ):
            return None
        value = data.truth.get(key)
        return None if value is None else float(value)


def indicator_comparison(
    indicators: pd.DataFrame,
    key: str,
    partnership: list[str],
    comparators: list[str],
    start: pd.Timestamp,
) -> Comparison:
    """One indicator's comparative time series from the funding start, with its three checks.

    The coverage studies build the headline with this same function, so what they measure
    is what the report shows.
    """
    panel = tables.comparison_panel(indicators, key, partnership, comparators)
    estimate = designs.funding_effect(panel, start, outcome=COMPARISONS[key])
    try:
        placebo = designs.placebo_effect(panel, start)
        placebo_check = designs.placebo_check(placebo)
    except EstimationError as error:
        placebo, placebo_check = None, Check("placebo start a year earlier", None, str(error))
    checks = (
        placebo_check,
        designs.comparators_check(estimate),
        designs.recording_check(indicators, key, partnership, start),
    )
    return Comparison(key, COMPARISONS[key], panel, estimate, placebo, checks)


def _value(
    treatment: Comparison, params: Parameters, start: pd.Timestamp
) -> tuple[ValueForMoney, SimulatedValueForMoney, SwitchingValues, CostPerOutcome, pd.DataFrame]:
    """Years out of treatment averted in the first two funded years, at the NTA crime cost."""
    reference = load_reference("drug_treatment_returns").set_index("measure")
    crime = reference.loc["crime_cost_not_in_treatment"]
    phe_return = float(reference.loc["return_per_pound_of_treatment", "value_gbp"])
    est = treatment.estimate
    panel = treatment.panel
    own = panel[panel["series"] == tables.PARTNERSHIP].sort_values("time")
    funded = own[own["time"] >= start]
    if len(funded) < 1:
        raise EstimationError("no funded year is published yet: value for money cannot be formed")
    two_years = funded.head(2)
    people = int(two_years["count"].sum())
    # Additional person-years per observed person-year: 1 - 1/ratio (delta method on the log).
    share = Estimate(
        effect=-(1 - 1 / est.effect),
        ci_low=-(1 - 1 / est.ci_high),
        ci_high=-(1 - 1 / est.ci_low),
        p_value=est.p_value,
        n=est.n,
        scale="difference",
        method=est.method,
        estimand="years out of treatment averted per person-year in treatment",
        se=None if est.se is None else est.se / est.effect,
    )
    averted = outcomes_averted(share, people, outcome="years out of treatment")
    unit = UnitCost(
        float(crime["value_gbp"]),
        "year out of treatment",
        str(crime["price_year"]),
        "NTA (2012): crime committed by an addicted person not in treatment, as published, "
        "not uprated",
    )
    value = value_for_money(
        cost=params.two_year_funding_gbp,
        participants=people,
        averted=averted,
        unit_cost=unit,
        label="Combating Drugs Partnership, first two funded years",
        cost_confirmed=params.cost_confirmed,
        assumptions=(
            "Each additional adult in structured treatment for a year would otherwise have "
            "spent that year as an addicted person not in treatment, committing crime at the "
            "NTA's average, and commits none while in treatment: an upper reading.",
            "The funding figure is the whole cost of the additional treatment; partners' "
            "other spending on treatment is not counted.",
            f"The published return of £{phe_return:.2f} per £1 of treatment"
            " (PHE 2016) is shown beside this, as an assumption: it is not "
            "measured here.",
        ),
    )
    simulated = simulate_value_for_money(
        value,
        unit_cost_range=Range(
            unit.value / 2,
            unit.value,
            unit.value,
            "from half the NTA figure (treatment halves offending rather than ending it) to "
            "the figure itself",
        ),
        draws=20_000,
        seed=params.synthetic_seed,
    )
    first = funded.head(1)
    first_share = share
    first_year = cost_per_additional_outcome(
        params.extra_funding_gbp,
        first_share.with_updates(
            effect=-first_share.effect, ci_low=-first_share.ci_high, ci_high=-first_share.ci_low
        ),
        int(first["count"].sum()),
        outcome="treatment places",
        cost_confirmed=params.cost_confirmed,
    )
    assumptions = reference.reset_index()[["measure", "value_gbp", "per", "price_year", "source"]]
    return value, simulated, switching_values(value), first_year, assumptions


def evaluate(data: Any, params: Parameters | None = None) -> Evaluation:
    """Evaluate the Combating Drugs Partnership on loaded data.

    Parameters
    ----------
    data : Dataset
        What ``analysis.data.load("combating_drugs", ...)`` returned.
    params : Parameters, optional
        Analysis parameters (defaults: the notebook's).

    Returns
    -------
    Evaluation

    Raises
    ------
    DataValidationError
        When ``fingertips_source`` is not a Fingertips export in its published layout.
    ConfigError
        For unknown area codes or malformed targets.
    """
    from ...synthetic import combating_drugs as world

    params = params or Parameters()
    start = pd.Timestamp(params.funding_start)
    if params.fingertips_source:
        indicators = tables.published_indicators(params.fingertips_source)
        source = params.fingertips_source
    else:
        indicators = data["indicators"]
        source = "the loaded indicators table"
    partnership = _codes(params.partnership_codes, "partnership_codes")
    if params.comparator_codes:
        comparators = _codes(params.comparator_codes, "comparator_codes")
    elif data.synthetic:
        comparators = list(world.COMPARATOR_CODES)
    else:
        raise ConfigError(
            "comparator_codes is blank: name the comparable authorities' codes (for example "
            "Dorset's nearest neighbours), comma-separated"
        )
    known = set(indicators["area_code"])
    unknown = [c for c in partnership + comparators if c not in known]
    if unknown:
        raise ConfigError(
            f"area code(s) {unknown} are not in {source}; check partnership_codes and "
            "comparator_codes against its Area Code column"
        )
    comparisons = {
        key: indicator_comparison(indicators, key, partnership, comparators, start)
        for key in COMPARISONS
    }
    treatment = tables.partnership_series(indicators, "adults_in_treatment", partnership)
    completions = tables.partnership_series(indicators, "completions", partnership)
    offending = data["offending"]
    acquisitive = tables.monthly_offending(offending, ["drug-related acquisitive crime"])
    monthly_total = tables.monthly_offending(offending)
    funnels, shrunken = {}, {}
    for key, (statistic, _, _) in FUNNELS.items():
        areas = tables.latest_areas(indicators, key)
        funnels[key] = designs.funnel(areas, statistic)
        shrunken[key] = designs.shrunken_rates(areas)
    deaths = tables.partnership_series(indicators, "drug_deaths", partnership)
    value, simulated, switching, first_year, assumptions = _value(
        comparisons["adults_in_treatment"], params, start
    )
    notes = []
    if not math.isfinite(comparisons["adults_in_treatment"].estimate.effect):
        notes.append("The headline comparison could not be estimated.")
    return Evaluation(
        data=data,
        params=params,
        indicators=indicators,
        indicators_source=source,
        partnership=partnership,
        comparators=comparators,
        comparisons=comparisons,
        targets=designs.progress_against_targets(indicators, tables.parse_targets(params.targets)),
        treatment_chart=designs.control_chart(
            treatment,
            observed="count",
            time="start",
            chart="u",
            denominator="denominator",
            baseline_end=start,
        ),  # fmt: skip
        completions_chart=designs.control_chart(
            completions,
            observed="count",
            time="start",
            chart="p",
            denominator="denominator",
            baseline_end=start,
        ),  # fmt: skip
        offending_chart=designs.control_chart(
            monthly_total, observed="offences", time="month", chart="c", baseline_end=start
        ),
        funnels=funnels,
        shrunken=shrunken,
        deaths=deaths,
        deaths_change=designs.deaths_before_after(deaths, start),
        deaths_power=designs.deaths_detectability(
            deaths,
            start,
            expected_ratio=params.expected_deaths_ratio,
            lag_years=params.deaths_lag_years,
        ),
        offending=offending,
        offending_change=designs.offending_change(acquisitive, start),
        own_trend=designs.own_trend_change(treatment, start),
        value=value,
        value_simulated=simulated,
        value_switching=switching,
        first_year=first_year,
        assumptions=assumptions,
        notes=tuple(notes),
    )


def value_for_money_record(evaluation: Evaluation) -> dict[str, Any]:
    """The ``value_for_money`` block of findings.json, for the scorecard.

    Examples
    --------
    >>> from analysis.data import load
    >>> record = value_for_money_record(evaluate(load("combating_drugs", seed=4)))
    >>> record["components"][0]["benefit_cost_ratio"]
    'cost not confirmed'
    """
    return value_for_money_block([evaluation.value])


__all__ = ["INDICATOR_IDS", "Evaluation", "Parameters", "evaluate", "value_for_money_record"]
