"""Serious violence: every computation the report shows, in one call (:func:`evaluate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...data.contracts.serious_violence import (
    HOMICIDE_SUBGROUP,
    KNIFE_SUBGROUP,
    OFFENCE_SUBGROUPS,
    VIOLENCE_CRIME_TYPE,
    VIOLENCE_WITH_INJURY_SUBGROUP,
)
from ...data.reference import PRICE_YEAR, load_reference, unit_cost
from ...evidence.vfm import (
    UnitCost,
    ValueForMoney,
    outcomes_averted,
    value_for_money,
    value_for_money_block,
)
from ...methods import mde
from ...results import Estimate
from . import designs, tables

#: The police-recorded offences of the Duty questions: name -> (subgroup, label).
OFFENCES = {
    "knife": (KNIFE_SUBGROUP, "knife or sharp instrument offences"),
    "violence_with_injury": (VIOLENCE_WITH_INJURY_SUBGROUP, "violence with injury"),
    "homicide": (HOMICIDE_SUBGROUP, "homicide"),
}
#: The published VRU outcomes the synthesis and the appraisal read.
SHARP_OBJECT_OUTCOME = "hospital admissions for violent injury with a sharp object"
ANY_VIOLENCE_OUTCOME = "hospital admissions for any violent injury"
HOMICIDE_OUTCOME = "homicides"


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (same names and defaults as its ``parameters`` cell).

    Parameters
    ----------
    synthetic_seed : int
        Seed of the synthetic data (named in the report's source line).
    suppression_threshold : int
        Counts below this are suppressed in published tables.
    duty_start : str
        First month counted as after the Serious Violence Duty (YYYY-MM-DD).
    police_uk_source : str
        A police.uk archive folder, zip or file to read in place of ``street_crimes``
        (blank: the loaded table).
    fingertips_source : str
        A public health indicator export to read in place of ``hospital_admissions``.
    home_office_source : str
        Home Office police recorded crime open data table(s), a CSV file or a folder of them,
        read in place of ``recorded_crime``. Knife or sharp instrument offences are published
        as a table of their own: give it in the same layout with the offence subgroup
        'Knife or sharp instrument offences'.
    sharp_object_indicator, sharp_object_under_25_indicator, assault_indicator : int
        Indicator numbers of the three admissions measures in the export.
    hotspot_share : float
        Share of LSOAs counted as hot spots (0.05: the top 5%).
    hotspot_selection_year, hotspot_follow_year : int
        The year hot spots are chosen on and the year after it they are followed to.
    vru_cost_gbp : float
        A VRU's running cost a year (the smallest funded VRU receives about £880,000).
    vru_cost_confirmed : bool
        Whether partners have confirmed ``vru_cost_gbp``; until then no benefit-cost ratio
        is published, only the break-even points.
    national_effect_per_100k : float
        The effect a Dorset evaluation should be able to see: the national VRU estimate for
        sharp-object admissions, per 100,000 a year.
    bootstrap_draws : int
        Bootstrap draws of the hot-spot intervals.
    expected_effect : float
        The headline's expected effect (0: the analysis plan's).
    """

    synthetic_seed: int = 2026
    suppression_threshold: int = 10
    duty_start: str = "2023-01-01"
    police_uk_source: str = ""
    fingertips_source: str = ""
    home_office_source: str = ""
    sharp_object_indicator: int = 90001
    sharp_object_under_25_indicator: int = 90002
    assault_indicator: int = 90003
    hotspot_share: float = 0.05
    hotspot_selection_year: int = 2022
    hotspot_follow_year: int = 2023
    vru_cost_gbp: float = 880000.0
    vru_cost_confirmed: bool = False
    national_effect_per_100k: float = 1.6
    bootstrap_draws: int = 500
    expected_effect: float = 0.0


@dataclass(frozen=True)
class DutyChange:
    """One outcome since the Duty: Dorset's own series, its synthetic control, and checks.

    Parameters
    ----------
    name, label : str
        Short name and the words the report uses.
    panel : DataFrame
        Dorset and comparison forces, one row per force and period (``rate`` per 100,000).
    its, synthetic_control : Estimate
        The interrupted time series (rate ratio) and synthetic control (gap per 100,000).
    comparison_its : Estimate
        The same time series model on the comparison forces pooled (a check).
    its_placebo, synthetic_control_placebo : Estimate
        Both designs at a fictitious Duty two years early, on pre-Duty data (checks).
    police_recorded : bool
        Whether the outcome is police-recorded (open to recording changes).
    """

    name: str
    label: str
    panel: pd.DataFrame
    its: Estimate
    synthetic_control: Estimate
    comparison_its: Estimate
    its_placebo: Estimate
    synthetic_control_placebo: Estimate
    police_recorded: bool


@dataclass(frozen=True)
class Evaluation:
    """Everything the serious violence report shows (see :func:`evaluate`)."""

    data: Any
    params: Parameters
    changes: dict[str, DutyChange]
    recording: Estimate
    ed_series: pd.DataFrame
    ed_its: Estimate | None
    lsoa_counts: pd.DataFrame
    concentration: pd.DataFrame
    stability: pd.DataFrame
    hotspots: designs.HotspotChange
    funnel: pd.DataFrame
    shrunken: pd.DataFrame
    funnel_year: int
    vru_rows: pd.DataFrame
    vru_sharp_object: Estimate | None
    power: designs.EvaluationPower
    power_any_violence: designs.EvaluationPower
    value: ValueForMoney | None
    homicide_scenario: dict[str, float]
    break_even: dict[str, float]
    notes: tuple[str, ...] = field(default=())

    @property
    def duty(self) -> pd.Timestamp:
        """First month counted as after the Duty."""
        return pd.Timestamp(self.params.duty_start)

    @property
    def headline(self) -> Estimate:
        """Knife crime: Dorset against its synthetic control (gap per 100,000 a quarter)."""
        return self.changes["knife"].synthetic_control

    @property
    def headline_mde(self) -> float:
        """The smallest gap the headline's interval could have told from none (80% power)."""
        return mde(self.headline)

    @property
    def ed_shared(self) -> bool:
        """Whether emergency department data were shared (the table has rows)."""
        return not self.ed_series.empty

    @property
    def duty_table(self) -> pd.DataFrame:
        """Each outcome: the time series beside the synthetic control, intervals always."""
        rows = []
        for change in self.changes.values():
            its_est, sc = change.its, change.synthetic_control
            rows.append(
                {
                    "outcome": change.label,
                    "time series: rate ratio": round(its_est.effect, 2),
                    "time series: 95% CI": f"{its_est.ci_low:.2f} to {its_est.ci_high:.2f}",
                    "synthetic control: gap per 100,000": round(sc.effect, 2),
                    "synthetic control: 95% CI": f"{sc.ci_low:+.2f} to {sc.ci_high:+.2f}",
                    "comparison forces' own step": round(change.comparison_its.effect, 2),
                }
            )
        return pd.DataFrame(rows).set_index("outcome")

    @property
    def stability_table(self) -> pd.DataFrame:
        """Year-on-year rank correlation and top-set overlap, rounded for the report."""
        return self.stability.set_index("years").round(2)

    @property
    def power_table(self) -> pd.DataFrame:
        """Smallest detectable fall by years of a VRU, both admissions measures."""
        sharp = self.power.by_years.set_index("years_after")["mde_per_100k"].rename(
            "sharp object: smallest detectable fall per 100,000"
        )
        any_violence = self.power_any_violence.by_years.set_index("years_after")[
            "mde_per_100k"
        ].rename("any violent injury: smallest detectable fall per 100,000")
        return pd.concat([sharp, any_violence], axis=1).round(1)

    def counts_display(self, name: str) -> pd.DataFrame:
        """Dorset's yearly counts of an outcome, small counts suppressed."""
        change = self.changes[name]
        count = "offences" if "offences" in change.panel else "admissions"
        return tables.annual_counts_display(change.panel, count, self.params.suppression_threshold)

    @property
    def concentration_display(self) -> pd.DataFrame:
        """Share of violence in the top LSOAs by year, counts suppressed."""
        return tables.concentration_display(self.concentration, self.params.suppression_threshold)


def _street(data: Any, params: Parameters) -> pd.DataFrame:
    if not params.police_uk_source:
        return data["street_crimes"]
    from ...data.public import read_street

    loaded = data["street_crimes"]
    street = read_street(
        params.police_uk_source,
        forces=["dorset"],
        start=f"{loaded['month'].min():%Y-%m}" if len(loaded) else None,
        end=f"{loaded['month'].max():%Y-%m}" if len(loaded) else None,
    )
    return tables.street_from_public(street)


def _recorded(data: Any, params: Parameters) -> pd.DataFrame:
    if not params.home_office_source:
        return data["recorded_crime"]
    from ...data.public import read_recorded_crime

    recorded = read_recorded_crime(params.home_office_source)
    keep = recorded["offence_subgroup"].astype(str).isin(OFFENCE_SUBGROUPS)
    return recorded.loc[keep].reset_index(drop=True)


def _admissions(data: Any, params: Parameters) -> pd.DataFrame:
    if not params.fingertips_source:
        return data["hospital_admissions"]
    from ...data.public import read_indicators

    ids = [
        params.sharp_object_indicator,
        params.sharp_object_under_25_indicator,
        params.assault_indicator,
    ]
    return tables.admissions_from_public(
        read_indicators(params.fingertips_source, indicators=ids), ids
    )


def _change(
    name: str,
    label: str,
    panel: pd.DataFrame,
    *,
    count: str,
    time: str,
    duty: pd.Timestamp,
    harmonics: int,
    police_recorded: bool,
) -> DutyChange:
    dorset = tables.dorset_series(panel)
    return DutyChange(
        name=name,
        label=label,
        panel=panel,
        its=designs.duty_its(
            dorset, count=count, time=time, intervention=duty, harmonics=harmonics
        ),
        synthetic_control=designs.duty_synthetic_control(panel, time=time, intervention=duty),
        comparison_its=designs.comparison_its(
            panel, count=count, time=time, intervention=duty, harmonics=harmonics
        ),
        its_placebo=designs.placebo_its(
            dorset, count=count, time=time, intervention=duty, harmonics=harmonics
        ),
        synthetic_control_placebo=designs.placebo_synthetic_control(
            panel, time=time, intervention=duty
        ),
        police_recorded=police_recorded,
    )


def _per_person(estimate_per_100k: float, se_per_100k: float) -> Estimate:
    """A published change per 100,000 a year as a change per resident (for outcomes averted)."""
    effect, se = estimate_per_100k / 100_000, se_per_100k / 100_000
    return Estimate(
        effect=effect,
        ci_low=effect - 1.96 * se,
        ci_high=effect + 1.96 * se,
        p_value=None,
        n=1,
        scale="difference",
        method="published national estimate, transferred",
        estimand="change in admissions per resident a year",
        se=se,
    )


def _value(
    vru_rows: pd.DataFrame, population: float, params: Parameters
) -> tuple[ValueForMoney | None, dict[str, float], dict[str, float]]:
    """Benefits if a Dorset VRU matched the national estimates, against its running cost."""
    violence_cost = unit_cost("violence_with_injury")
    homicide_cost = unit_cost("homicide")
    hundred_thousands = population / 100_000
    break_even = {
        "admissions_per_100k": params.vru_cost_gbp / (violence_cost * hundred_thousands),
        "admissions_a_year": params.vru_cost_gbp / violence_cost,
        "homicides_a_year": params.vru_cost_gbp / homicide_cost,
        "violence_cost": violence_cost,
        "homicide_cost": homicide_cost,
    }
    homicide_rows = vru_rows[vru_rows["outcome"] == HOMICIDE_OUTCOME]
    homicide = {}
    if not homicide_rows.empty:
        per_million = -float(homicide_rows["effect"].iloc[0])
        averted = per_million * population / 1_000_000
        homicide = {
            "per_million": per_million,
            "averted_a_year": averted,
            "value": averted * homicide_cost,
            "years_per_homicide": 1 / averted if averted > 0 else float("inf"),
        }
    rows = vru_rows[(vru_rows["outcome"] == ANY_VIOLENCE_OUTCOME) & vru_rows["se"].notna()]
    if rows.empty:
        return None, homicide, break_even
    row = rows.iloc[0]
    per_person = _per_person(float(row["effect"]), float(row["se"]))
    averted = outcomes_averted(
        per_person, int(round(population)), outcome="hospital admissions for violent injury"
    )
    value = value_for_money(
        cost=params.vru_cost_gbp,
        participants=int(round(population)),
        averted=averted,
        unit_cost=UnitCost(
            violence_cost,
            "admission averted",
            PRICE_YEAR,
            f"Heeks et al. (2018) violence with injury, £14,050 in 2015/16 prices, uprated to "
            f"{PRICE_YEAR} with the GDP deflator",
        ),
        label="A Dorset VRU, one year, at the national effect on violent-injury admissions",
        cost_confirmed=params.vru_cost_confirmed,
        assumptions=(
            f"A Dorset VRU would achieve the national estimate ({row['effect']:+.2f} per "
            f"100,000 a year, {row['evaluation']}): VRUs were funded where violence is "
            "highest, and Dorset's lower rates leave less to prevent.",
            "Each admission averted is valued at the average cost of a violence with injury "
            "offence: an admission is a serious injury, so this understates its cost.",
        ),
    )
    return value, homicide, break_even


def value_for_money_record(evaluation: Evaluation) -> dict[str, Any] | None:
    """The ``value_for_money`` block of findings.json (None: no national effect to transfer).

    While ``params.vru_cost_confirmed`` is False the block carries no benefit-cost ratio.
    """
    if evaluation.value is None:
        return None
    return value_for_money_block([evaluation.value])


def evaluate(data: Any, params: Parameters | None = None) -> Evaluation:
    """Evaluate serious violence in Dorset on loaded data.

    Parameters
    ----------
    data : Dataset
        What ``analysis.data.load("serious_violence", ...)`` returned.
    params : Parameters, optional
        Analysis parameters (defaults: the notebook's).

    Returns
    -------
    Evaluation
    """
    params = params or Parameters()
    duty = pd.Timestamp(params.duty_start)
    areas = data["comparison_areas"]
    recorded = _recorded(data, params)
    admissions = _admissions(data, params)
    notes = []

    changes = {}
    for name, (subgroup, label) in OFFENCES.items():
        panel = tables.quarterly_panel(recorded, areas, subgroup)
        changes[name] = _change(
            name, label, panel, count="offences", time="quarter", duty=duty, harmonics=1,
            police_recorded=True,
        )  # fmt: skip
    sharp = tables.admissions_panel(admissions, areas, params.sharp_object_indicator, "All ages")
    # Annual admissions: the first financial year wholly after the Duty starts in April.
    first_year_after = duty.year if duty.month <= 4 else duty.year + 1
    admissions_start = pd.Timestamp(f"{first_year_after}-04-01")
    changes["admissions"] = _change(
        "admissions",
        "hospital admissions for assault with a sharp object",
        sharp,
        count="admissions",
        time="year",
        duty=admissions_start,
        harmonics=0,
        police_recorded=False,
    )
    assault = tables.admissions_panel(admissions, areas, params.assault_indicator, "All ages")
    for panel in (*(c.panel for c in changes.values()), assault):
        if panel.attrs.get("dropped"):
            notes.append(
                "Left out of the comparison pool for gaps in their data: "
                + ", ".join(panel.attrs["dropped"])
                + "."
            )
    recording = designs.recording_shift(
        tables.recording_ratio(changes["violence_with_injury"].panel, assault, first_year_after)
    )

    ed = data["ed_attendances"]
    ed_series = (
        ed.groupby("month", as_index=False)["assault_attendances"].sum().assign(population=1.0)
        if len(ed)
        else pd.DataFrame(columns=["month", "assault_attendances", "population"])
    )
    ed_its = (
        designs.duty_its(
            ed_series, count="assault_attendances", time="month", intervention=duty, harmonics=2
        )
        if len(ed_series)
        else None
    )

    street = _street(data, params)
    lsoas = data["lsoas"]
    counts = tables.lsoa_year_counts(street, lsoas, VIOLENCE_CRIME_TYPE)
    funnel_year = int(max(counts.columns))
    funnel, shrunken = designs.lsoa_funnel(counts, lsoas, funnel_year)

    vru_rows = load_reference("vru_evaluations")
    vru_sharp, _ = designs.vru_synthesis(vru_rows, SHARP_OBJECT_OUTCOME)
    dorset_sharp = tables.dorset_series(sharp)
    power = designs.evaluation_power(dorset_sharp, target_per_100k=params.national_effect_per_100k)
    any_violence_rows = vru_rows[vru_rows["outcome"] == ANY_VIOLENCE_OUTCOME]
    any_target = (
        -float(any_violence_rows["effect"].iloc[0]) if len(any_violence_rows) else float("nan")
    )
    power_any = designs.evaluation_power(tables.dorset_series(assault), target_per_100k=any_target)
    value, homicide, break_even = _value(vru_rows, power.population, params)

    return Evaluation(
        data=data,
        params=params,
        changes=changes,
        recording=recording,
        ed_series=ed_series,
        ed_its=ed_its,
        lsoa_counts=counts,
        concentration=tables.concentration(counts, params.hotspot_share),
        stability=tables.hotspot_stability(counts, params.hotspot_share),
        hotspots=designs.hotspot_change(
            counts,
            selection_year=params.hotspot_selection_year,
            follow_year=params.hotspot_follow_year,
            share=params.hotspot_share,
            draws=params.bootstrap_draws,
            seed=params.synthetic_seed,
        ),
        funnel=funnel,
        shrunken=shrunken,
        funnel_year=funnel_year,
        vru_rows=vru_rows,
        vru_sharp_object=vru_sharp,
        power=power,
        power_any_violence=power_any,
        value=value,
        homicide_scenario=homicide,
        break_even=break_even,
        notes=tuple(dict.fromkeys(notes)),
    )
