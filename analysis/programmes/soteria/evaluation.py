"""Op Soteria Bluestone: every computation the report shows, in one call.

:func:`evaluate` follows each crime from its report (:func:`.tables.crime_ends`), compares
adult rape cohorts reported before and after adoption (cumulative incidence of charge and
of withdrawal, cause-specific hazard ratio of charge), compares the specialist team with
other teams before and after, builds the process tables and carries the extra charges,
with their interval, into what prevented reoffending would be worth. Across forces it reads
the Home Office outcomes table (the extract's ``force_outcomes``, or the published file named
by ``home_office_outcomes_source``) and runs the designs of :func:`.designs.across_forces`;
the before/after headline is checked against a placebo adoption a year early, a national
change in forces that had adopted earlier, and a step in reports at adoption.

Examples
--------
>>> from analysis.data import load
>>> data = load("soteria", source="synthetic", seed=3, scale=0.5)
>>> evaluation = evaluate(data, Parameters())
>>> evaluation.charge.scale
'difference'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...data import PRICE_YEAR, load_reference, unit_cost, uprate
from ...errors import ConfigError
from ...methods import proportion
from ...methods.competing_risks import CumulativeIncidence
from ...results import Estimate
from . import designs, tables

if TYPE_CHECKING:
    from ...data import Dataset

#: Police share of the unit cost of a rape (Heeks et al. 2018, 2015/16 prices).
POLICE_COST_2015_16 = 6360.0


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (same names and defaults as its ``parameters`` cell).

    Parameters
    ----------
    synthetic_seed : int
        Seed of the synthetic data (named in the report's source line).
    suppression_threshold : int
        Counts below this are suppressed in published tables.
    adoption_date : str
        Date Dorset adopted the operating model (YYYY-MM-DD): crimes reported from it are
        the ``after`` cohort.
    followup_days : int
        Days after report at which the cohorts' shares are compared.
    offences_prevented_per_charge : float
        Assumption: further rapes prevented by each extra charge (no published figure).
    home_office_outcomes_source : str
        The Home Office crime outcomes open data table as published (a CSV file, several
        separated by commas, or a folder of them), read with
        :func:`analysis.data.public.read_crime_outcomes`; empty: the extract's (or the
        synthetic data's) ``force_outcomes`` table.
    """

    synthetic_seed: int = 2026
    suppression_threshold: int = 10
    adoption_date: str = "2023-07-01"
    followup_days: int = 365
    offences_prevented_per_charge: float = 1.0
    home_office_outcomes_source: str = ""

    @property
    def adoption(self) -> pd.Timestamp:
        """The adoption date as a timestamp."""
        try:
            return pd.Timestamp(self.adoption_date)
        except ValueError as error:
            raise ConfigError(
                f"adoption_date {self.adoption_date!r} is not a date; write it YYYY-MM-DD"
            ) from error


@dataclass(frozen=True)
class ValueOfCharges:
    """Extra charges among the after cohort and what prevented reoffending would be worth.

    Attributes
    ----------
    crimes : int
        Adult rape reports in the after cohort.
    extra_charges : tuple of float
        Point, low and high: the CIF difference times ``crimes``.
    unit_cost, police_cost : float
        Cost of one rape and its police part, in ``price_year`` prices.
    value : tuple of float
        ``extra_charges * offences_prevented_per_charge * unit_cost`` (point, low, high).
    """

    crimes: int
    extra_charges: tuple[float, float, float]
    offences_prevented_per_charge: float
    unit_cost: float
    police_cost: float
    value: tuple[float, float, float]
    price_year: str


@dataclass(frozen=True)
class Evaluation:
    """Everything the Op Soteria Bluestone report shows.

    Attributes
    ----------
    data : Dataset
    params : Parameters
    ends : DataFrame
        Every crime followed from its report (:func:`.tables.crime_ends`).
    charge, withdrawal, evidential, no_suspect : CumulativeIncidence
        Adult rape, after - before, share ending that way within the follow-up.
    charge_hazard : Estimate
        Cause-specific hazard ratio of charge, after against before.
    team : designs.TeamComparison
    early_withdrawal : Estimate
        Share of recorded adult rape withdrawals that came within 30 days of report.
    rates, timeliness, isva_age, isva_relationship, withdrawal_timing, monthly : DataFrame
    value : ValueOfCharges
    forces : designs.AcrossForces
        The across-forces designs on the Home Office outcomes table.
    national_source : str
        Where the outcomes table came from, for the report.
    placebo_early : Estimate or None
        The headline's before/after at a date a year before adoption, on earlier reports.
    reports_step : Estimate or None
        Monthly adult rape reports from adoption over their trend (rate ratio).
    """

    data: Dataset = field(repr=False)
    params: Parameters
    ends: pd.DataFrame = field(repr=False)
    charge: CumulativeIncidence
    withdrawal: CumulativeIncidence
    evidential: CumulativeIncidence
    no_suspect: CumulativeIncidence
    charge_hazard: Estimate
    team: designs.TeamComparison
    early_withdrawal: Estimate
    rates: pd.DataFrame = field(repr=False)
    timeliness: pd.DataFrame = field(repr=False)
    isva_age: pd.DataFrame = field(repr=False)
    isva_relationship: pd.DataFrame = field(repr=False)
    withdrawal_timing: pd.DataFrame = field(repr=False)
    monthly: pd.DataFrame = field(repr=False)
    value: ValueOfCharges
    forces: designs.AcrossForces = field(repr=False)
    national_source: str
    placebo_early: Estimate | None
    reports_step: Estimate | None

    @property
    def ends_table(self) -> pd.DataFrame:
        """Share of adult rape ending each way within the follow-up, before and after."""
        rows = []
        for end, estimate in (
            ("charge", self.charge),
            ("withdrawal", self.withdrawal),
            ("evidential", self.evidential),
            ("no_suspect", self.no_suspect),
        ):
            table = estimate.table
            rows.append(
                {
                    "end": tables.END_LABELS[end],
                    "before": table.loc["before", "cif"],
                    "after": table.loc["after", "cif"],
                    "difference": estimate.effect,
                    "ci_low": estimate.ci_low,
                    "ci_high": estimate.ci_high,
                }
            )
        return pd.DataFrame(rows).set_index("end")

    @property
    def rates_display(self) -> pd.DataFrame:
        """The cohort and period rates as published, small counts suppressed."""
        return tables.rates_display(self.rates, self.params.suppression_threshold)

    @property
    def timeliness_display(self) -> pd.DataFrame:
        """Stage timeliness as published, medians of small groups hidden."""
        return tables.timeliness_display(self.timeliness, self.params.suppression_threshold)

    @property
    def isva_age_display(self) -> pd.DataFrame:
        """ISVA referrals by victim age band as published."""
        return tables.isva_display(self.isva_age, self.params.suppression_threshold)

    @property
    def isva_relationship_display(self) -> pd.DataFrame:
        """ISVA referrals by relationship as published."""
        return tables.isva_display(self.isva_relationship, self.params.suppression_threshold)


def value_of_charges(
    charge: Estimate, crimes: int, offences_prevented_per_charge: float
) -> ValueOfCharges:
    """Extra charges (interval carried through) and the value of the offences they might prevent.

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(0.03, 0.01, 0.05, 0.01, 2000, "difference", "m", "e")
    >>> value = value_of_charges(est, 1000, 1.0)
    >>> value.extra_charges
    (30.0, 10.0, 50.0)
    """
    if offences_prevented_per_charge < 0:
        raise ConfigError("offences_prevented_per_charge must be 0 or more")
    extra = (charge.effect * crimes, charge.ci_low * crimes, charge.ci_high * crimes)
    cost = unit_cost("rape")
    police = float(uprate(POLICE_COST_2015_16, "2015/16"))
    value = tuple(x * offences_prevented_per_charge * cost for x in extra)
    return ValueOfCharges(
        crimes=crimes,
        extra_charges=extra,
        offences_prevented_per_charge=offences_prevented_per_charge,
        unit_cost=cost,
        police_cost=police,
        value=value,  # type: ignore[arg-type]
        price_year=PRICE_YEAR,
    )


def evaluate(data: Any, params: Parameters | None = None) -> Evaluation:
    """Evaluate Op Soteria Bluestone on loaded data.

    Parameters
    ----------
    data : Dataset
        What ``analysis.data.load("soteria", ...)`` returned.
    params : Parameters, optional
        Analysis parameters (defaults: the notebook's).

    Returns
    -------
    Evaluation
    """
    params = params or Parameters()
    crimes = data["crimes"]
    ends = tables.crime_ends(crimes, data.extract_date, params.adoption)
    if not (ends["after"] == 1).any() or not (ends["after"] == 0).any():
        raise ConfigError(
            f"adoption_date {params.adoption_date} leaves no crimes reported on one side of it "
            f"(reports run {crimes['report_date'].min():%Y-%m-%d} to "
            f"{crimes['report_date'].max():%Y-%m-%d}); choose a date inside that window"
        )
    adult = tables.adult_rape(ends)
    days = params.followup_days
    outcomes, national_source = national_outcomes(data, params)
    charge = designs.before_after_cif(adult, "charge", days)
    timing = tables.withdrawal_timing(ends)
    early = proportion(int(timing["within_30_days"].sum()), int(timing["withdrawals"].sum()))
    return Evaluation(
        data=data,
        params=params,
        ends=ends,
        charge=charge,
        withdrawal=designs.before_after_cif(adult, "withdrawal", days),
        evidential=designs.before_after_cif(adult, "evidential", days),
        no_suspect=designs.before_after_cif(adult, "no_suspect", days),
        charge_hazard=designs.charge_hazard_ratio(adult),
        team=designs.team_difference_in_differences(adult, days),
        early_withdrawal=early,
        rates=tables.cohort_and_period_rates(crimes, ends),
        timeliness=tables.stage_timeliness(crimes, ends),
        isva_age=tables.isva_referrals(crimes, ends, "victim_age_band"),
        isva_relationship=tables.isva_referrals(crimes, ends, "relationship"),
        withdrawal_timing=timing,
        monthly=tables.monthly_charges(crimes),
        value=value_of_charges(
            charge, int((adult["after"] == 1).sum()), params.offences_prevented_per_charge
        ),
        forces=designs.across_forces(outcomes, load_reference("soteria_adoption"), params.adoption),
        national_source=national_source,
        placebo_early=designs.placebo_a_year_early(adult, params.adoption, days),
        reports_step=designs.reports_step(crimes, params.adoption, data.extract_date),
    )


def national_outcomes(data: Any, params: Parameters) -> tuple[pd.DataFrame, str]:
    """The Home Office outcomes table the across-forces designs use, and where it came from.

    With ``home_office_outcomes_source`` set, the published file(s) are read in their own
    layout (a file in any other layout stops the run with a DataValidationError naming the
    file, the column and the fix); otherwise the extract's ``force_outcomes`` table.

    Examples
    --------
    >>> from analysis.data import load
    >>> data = load("soteria", source="synthetic", seed=3, scale=0.3)
    >>> table, where = national_outcomes(data, Parameters())
    >>> where
    'the synthetic force_outcomes table'
    """
    from ...data.public import read_crime_outcomes

    named = params.home_office_outcomes_source.strip()
    if named:
        paths = [part.strip() for part in named.split(",") if part.strip()]
        outcomes = read_crime_outcomes(paths, offence_codes=tables.ADULT_RAPE_CODES)
        return outcomes, f"the Home Office crime outcomes open data table ({named})"
    kind = "synthetic" if data.synthetic else "extract's"
    return data["force_outcomes"], f"the {kind} force_outcomes table"
