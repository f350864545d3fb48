"""Operation Viper and Operation Scorpion: every computation the report shows, in one call.

Which data each design uses (the report says the same):

- Scorpion's stacked event study, its naive before/after and the displacement quotient
  run on **weekly** counts from the force's dated crime extract (``crimes``): police.uk
  publishes months only, and a surge lasts a week.
- Viper's comparative interrupted time series and synthetic control run on **monthly**
  police.uk counts (``street_counts`` for Dorset, ``force_counts`` for the other forces),
  or on the published street-level files themselves when ``police_uk_source`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...data.public import read_street
from ...errors import EstimationError
from ...results import Estimate
from . import designs, tables


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (same names and defaults as its ``parameters`` cell).

    Parameters
    ----------
    synthetic_seed : int
        Seed of the synthetic data (named in the report's source line).
    suppression_threshold : int
        Counts below this are suppressed in published tables.
    force_name : str
        The force as police.uk's "Falls within" names it.
    viper_start : str
        First day of Operation Viper (YYYY-MM-DD).
    surge_pre_weeks : int
        Weeks before each Scorpion surge in the comparison.
    selection_weeks : int
        The most recent of those weeks left out: targets may have been chosen for a spike
        in them (regression to the mean).
    surge_post_weeks : int
        Weeks from the surge week on over which the effect is averaged.
    buffer_km : float
        Radius of the buffer ring around targeted LSOAs; the control ring starts at twice it.
    wdq_dispersion : float
        Variance over mean of the area counts in the displacement quotient's interval.
    its_harmonics : int
        Seasonal Fourier pairs in the comparative time series.
    placebo_months : int
        The in-time placebo's fake start, months before Viper's.
    police_uk_source : str
        A police.uk archive folder, its zip or street-level files; blank: the loaded
        ``street_counts`` and ``force_counts``.
    police_uk_start, police_uk_end : str
        First and last month (YYYY-MM) read from ``police_uk_source`` (blank: all).
    programme_cost_gbp : float
        Cost of Scorpion's surge weeks in Dorset over the rounds evaluated (0: none given).
    cost_source : str
        Where ``programme_cost_gbp`` comes from (required for a cost per outcome).
    cost_confirmed : bool
        Whether the force has confirmed ``programme_cost_gbp`` as the full cost.
    expected_effect : float
        Expected change in harms per targeted neighbourhood-week (0: the plan's).
    """

    synthetic_seed: int = 2026
    suppression_threshold: int = 10
    force_name: str = "Dorset Police"
    viper_start: str = "2024-04-01"
    surge_pre_weeks: int = 12
    selection_weeks: int = 4
    surge_post_weeks: int = 6
    buffer_km: float = 2.0
    wdq_dispersion: float = 1.0
    its_harmonics: int = 2
    placebo_months: int = 12
    police_uk_source: str = ""
    police_uk_start: str = ""
    police_uk_end: str = ""
    programme_cost_gbp: float = 0.0
    cost_source: str = ""
    cost_confirmed: bool = False
    expected_effect: float = 0.0


@dataclass(frozen=True)
class Viper:
    """Viper's estimates for one crime group: comparative time series and synthetic control."""

    group: str
    panel: pd.DataFrame
    its: Estimate
    synthetic_control: Estimate | None


@dataclass(frozen=True)
class Evaluation:
    """Everything the Viper and Scorpion report shows.

    Parameters
    ----------
    data : Dataset
        The loaded data.
    params : Parameters
    outputs : DataFrame
        Monthly outputs of both operations (:func:`.tables.monthly_outputs`).
    surge_table : DataFrame
        Scorpion's rounds and targets.
    harms_panel, drugs_panel : DataFrame
        Neighbourhood-week counts of harms and of drug offences (force extract).
    scorpion, scorpion_with_selection, scorpion_all_controls, scorpion_before_after : Estimate
        The headline stacked event study; the same keeping the selection window; the same
        with every untargeted neighbourhood as a control; the naive before/after.
    scorpion_drugs : Estimate
        The stacked event study of drug offences (activity).
    viper : dict of str to Viper
        By group: violence, acquisitive, weapons, drugs, criminal_damage.
    placebo : Estimate or None
        Violence's comparative time series at a fake start before Viper (None when too few
        months precede the fake start to fit it).
    displacement_counts : DataFrame
        Harms by ring and period, per round and pooled.
    displacement : Estimate
        The weighted displacement quotient.
    police_uk_note : str
        Which police.uk data the monthly designs used.
    """

    data: Any
    params: Parameters
    outputs: pd.DataFrame
    surge_table: pd.DataFrame
    harms_panel: pd.DataFrame
    drugs_panel: pd.DataFrame
    scorpion: Estimate
    scorpion_with_selection: Estimate
    scorpion_all_controls: Estimate
    scorpion_before_after: Estimate
    scorpion_drugs: Estimate
    viper: dict[str, Viper]
    placebo: Estimate | None
    displacement_counts: pd.DataFrame
    displacement: Estimate
    police_uk_note: str

    @property
    def viper_start(self) -> pd.Timestamp:
        """Operation Viper's first day."""
        return pd.Timestamp(self.params.viper_start)

    @property
    def scorpion_for_figure(self) -> Estimate:
        """The headline for the event-study figure, its pre-trend p-value left to the note.

        The figure's default note calls a recorded p-value a joint test of every
        pre-period effect; the headline's is a test of their level and slope
        (:func:`.narrative.pretrend_note` says so), so it is not passed to the figure.
        """
        diagnostics = dict(self.scorpion.diagnostics)
        diagnostics.pop("pretrend_p_value", None)
        return self.scorpion.with_updates(diagnostics=diagnostics)

    def phase_display(self) -> pd.DataFrame:
        """Outputs and seizures by phase, small counts suppressed."""
        return tables.phase_outputs(self.data["operations"], self.params.suppression_threshold)

    def run_charts(self) -> dict[str, pd.DataFrame]:
        """Run chart (median and rules) of each monthly output."""
        return {
            label: tables.run_chart(self.outputs[column])
            for column, label in tables.OUTPUTS.items()
        }

    @property
    def displacement_display(self) -> pd.DataFrame:
        """Harms by ring and period per round and pooled, small counts suppressed."""
        from ...evidence.disclosure import suppress

        counts = [f"{r}_{p}" for r in tables.RINGS for p in tables.PERIODS]
        shown = suppress(
            self.displacement_counts.drop(columns="surge_week"),
            columns=counts,
            threshold=self.params.suppression_threshold,
        )
        return shown.rename(
            columns={c: c.replace("_", ", ").capitalize() for c in counts}
        ).rename_axis("Round")


def _police_uk_tables(data: Any, params: Parameters) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    if not params.police_uk_source:
        return (
            data["street_counts"],
            data["force_counts"],
            "police.uk monthly counts as loaded (street_counts for the force, force_counts "
            "for the comparison forces)",
        )
    street = read_street(
        params.police_uk_source,
        start=params.police_uk_start or None,
        end=params.police_uk_end or None,
    )
    street_counts, force_counts = tables.police_uk_counts(street, params.force_name)
    return (
        street_counts,
        force_counts,
        f"police.uk street-level files read from {params.police_uk_source} "
        f"({len(street):,} rows, {street['falls_within'].nunique()} forces)",
    )


#: What each Viper group counts, in words.
GROUP_OUTCOMES = {
    "violence": "violence and sexual offences",
    "acquisitive": "acquisitive crimes",
    "weapons": "weapons possession offences",
    "drugs": "drug offences",
    "criminal_damage": "criminal damage and arson offences",
}


def _viper(
    street_counts: pd.DataFrame, force_counts: pd.DataFrame, group: str, params: Parameters
) -> Viper:
    start = pd.Timestamp(params.viper_start)
    panel = tables.force_month_panel(
        street_counts, force_counts, tables.GROUPS[group], force_name=params.force_name
    )
    outcome = GROUP_OUTCOMES[group]
    its = designs.viper_its(
        panel,
        force_name=params.force_name,
        start=start,
        harmonics=params.its_harmonics,
        outcome=outcome,
    )
    try:
        synthetic = designs.viper_synthetic_control(
            panel, force_name=params.force_name, start=start, outcome=outcome
        )
    except EstimationError:
        # Too few donors or months: the comparative time series stands alone.
        synthetic = None
    return Viper(group, panel, its, synthetic)


def evaluate(data: Any, params: Parameters | None = None) -> Evaluation:
    """Evaluate Operation Viper and Operation Scorpion on loaded data.

    Parameters
    ----------
    data : Dataset
        What ``analysis.data.load("drug_supply", ...)`` returned.
    params : Parameters, optional
        Analysis parameters (defaults: the notebook's).

    Returns
    -------
    Evaluation
    """
    params = params or Parameters()
    lsoas, crimes, operations = data["lsoas"], data["crimes"], data["operations"]
    surge_table = tables.surges(operations)
    harms = tables.weekly_panel(crimes, lsoas, tables.GROUPS["harms"])
    drugs = tables.weekly_panel(crimes, lsoas, tables.GROUPS["drugs"])
    exposed = tables.exposed_neighbourhoods(lsoas, surge_table, params.buffer_km)
    windows = {
        "pre_weeks": params.surge_pre_weeks,
        "selection_weeks": params.selection_weeks,
        "post_weeks": params.surge_post_weeks,
    }
    scorpion = designs.scorpion_event_study(harms, surge_table, exposed=exposed, **windows)
    with_selection = designs.scorpion_event_study(
        harms, surge_table, exposed=exposed, **{**windows, "selection_weeks": 0}
    )
    all_controls = designs.scorpion_event_study(harms, surge_table, exposed=None, **windows)
    before_after = designs.before_after(
        harms,
        surge_table,
        selection_weeks=max(params.selection_weeks, 1),
        post_weeks=params.surge_post_weeks,
    )
    scorpion_drugs = designs.scorpion_event_study(
        drugs, surge_table, exposed=exposed, outcome="drug offences", **windows
    )
    street_counts, force_counts, note = _police_uk_tables(data, params)
    viper = {
        group: _viper(street_counts, force_counts, group, params)
        for group in ("violence", "acquisitive", "weapons", "drugs", "criminal_damage")
    }
    try:
        placebo = designs.in_time_placebo(
            viper["violence"].panel,
            outcome=GROUP_OUTCOMES["violence"],
            force_name=params.force_name,
            start=pd.Timestamp(params.viper_start),
            harmonics=params.its_harmonics,
            months_earlier=params.placebo_months,
        )
    except EstimationError:
        # Too few months before the fake start: the check is recorded as not run.
        placebo = None
    lsoa_weeks = tables.weekly_panel(crimes, lsoas, tables.GROUPS["harms"], by="lsoa_code")
    counts = tables.displacement_counts(
        lsoa_weeks, lsoas, surge_table, buffer_km=params.buffer_km, **windows
    )
    return Evaluation(
        data=data,
        params=params,
        outputs=tables.monthly_outputs(operations),
        surge_table=surge_table,
        harms_panel=harms,
        drugs_panel=drugs,
        scorpion=scorpion,
        scorpion_with_selection=with_selection,
        scorpion_all_controls=all_controls,
        scorpion_before_after=before_after,
        scorpion_drugs=scorpion_drugs,
        viper=viper,
        placebo=placebo,
        displacement_counts=counts,
        displacement=designs.displacement(counts, dispersion=params.wdq_dispersion),
        police_uk_note=note,
    )


def harms_averted(evaluation: Evaluation) -> float | None:
    """Harms the surges averted in the targeted neighbourhoods (None without a clear fall).

    The headline's effect per targeted neighbourhood-week times the targeted
    neighbourhood-weeks it averages over.
    """
    est = evaluation.scorpion
    if not (est.significant and est.effect < 0):
        return None
    weeks = est.diagnostics["n_treated_units"] * evaluation.params.surge_post_weeks
    return float(-est.effect * weeks)
