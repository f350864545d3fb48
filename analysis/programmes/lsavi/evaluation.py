"""lSaVI's evaluation: every result the report shows, computed from the loaded data.

``evaluate(data, Parameters(...))`` builds the premises-month panel, runs every
design in :mod:`.designs` and prepares every table in :mod:`.tables`; the
notebook then only shows the :class:`Evaluation`, and the findings and
sentences are made from it by :mod:`.findings` and :mod:`.narrative`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ...data import Dataset
from ...data.panels import last_complete_month
from ...errors import ConfigError, EstimationError
from ...evidence import vfm
from ...methods import mde
from ...results import Comparison, Estimate, compare
from . import designs, tables

#: Comparison groups of the staggered design: premises that never signed up, or also
#: those that had not signed up yet.
COMPARISON_GROUPS = ("never", "not_yet")


@dataclass(frozen=True)
class Parameters:
    """The analysis settings of the notebook's ``parameters`` cell (same names and defaults).

    The data-source settings (``source``, ``synthetic_seed``, ``synthetic_scale``,
    ``extract_date``) go to :func:`analysis.data.load` and ``findings_path`` to
    :func:`analysis.evidence.save_findings`; the rest are here.

    Examples
    --------
    >>> Parameters().sensitivity_group
    'not_yet'
    >>> Parameters(comparison_group="not yet")
    Traceback (most recent call last):
    ...
    analysis.errors.ConfigError: comparison_group must be one of 'never', 'not_yet'; got 'not yet'
    """

    suppression_threshold: int = 10
    panel_start: str = "2023-04-01"
    pilot_start: str = "2025-04-01"
    pilot_months: int = 12
    recording_lag_days: int = 14
    comparison_group: str = "never"
    placebo_shift_months: int = 12
    event_window_months: int = 12
    bootstrap_draws: int = 199
    its_harmonics: int = 2
    area_minimum_monthly: float = 5.0
    low_score_threshold: float = 60.0
    pilot_cost_gbp: float = 50000.0
    price_year: str = ""
    cost_confirmed: bool = False
    expected_effect: float = 0.0
    anticipation_months: int = 3

    def __post_init__(self) -> None:
        if self.comparison_group not in COMPARISON_GROUPS:
            raise ConfigError(
                f"comparison_group must be one of {', '.join(map(repr, COMPARISON_GROUPS))}; "
                f"got {self.comparison_group!r}"
            )
        if not isinstance(self.anticipation_months, int) or self.anticipation_months < 1:
            raise ConfigError(
                "anticipation_months must be a whole number of months, at least 1; got "
                f"{self.anticipation_months!r}"
            )

    @property
    def sensitivity_group(self) -> str:
        """The comparison group the headline is checked against (the one it does not use)."""
        return "not_yet" if self.comparison_group == "never" else "never"

    @property
    def pilot_ends(self) -> pd.Timestamp:
        """Last day of the pilot."""
        return (
            pd.Timestamp(self.pilot_start)
            + pd.DateOffset(months=self.pilot_months)
            - pd.Timedelta(days=1)
        )


@dataclass(frozen=True)
class Evaluation:
    """Every result the lSaVI report shows, with the data and settings behind it.

    Attributes are grouped as the report is: data (``panel_end``, ``panel``,
    ``history``, ``quality``), process (``uptake``, ``reach``, ``uptake_breakdowns``,
    ``cohorts``, ``funnel``), impact at premises (``selection``, ``naive``, ``twfe``,
    ``headline``, ``percent_change``, ``windowed``, ``dynamic``, ``placebo``,
    ``sensitivity``, ``theft``, ``ratio_scale`` (the headline's question as a rate ratio,
    ``None`` when the Poisson fit cannot be made, ``ratio_scale_note`` then saying why)
    and their checks table; the headline's sensitivities:
    ``pre_signup_shift`` (a dip or spike just before sign-up), ``anticipation`` (the
    headline with those months left out of the base) and ``trend_sensitivity`` (the
    relative-magnitudes breakdown), the county (``county``,
    ``its``, ``by_area``), practice (``score_change``, ``domains``, ``by_score``)
    and value for money (``incident_value``, ``incident_mix``, ``value_for_money``).
    Tables a reader sees are held display-ready, disclosure control applied
    (``quality``, ``cohorts``, ``selection_display``, ``by_area_display``, ``domains``).
    The ``*_mde`` properties are the minimum detectable effects the findings quote, each
    from the interval of the estimate it accompanies (:func:`analysis.methods.mde`).
    """

    data: Dataset
    params: Parameters
    # data
    panel_end: pd.Timestamp
    panel: pd.DataFrame
    history: pd.DataFrame
    quality: pd.DataFrame
    # process
    uptake: Estimate
    reach: pd.DataFrame
    uptake_breakdowns: list[tables.UptakeBreakdown]
    cohorts: pd.DataFrame
    funnel: dict[str, int]
    # impact at premises
    selection: pd.DataFrame
    selection_display: pd.DataFrame
    naive: Estimate
    twfe: Estimate
    headline: Estimate
    percent_change: tuple[float, ...]
    windowed: Estimate
    dynamic: designs.DynamicSummary
    placebo: Estimate
    sensitivity: Estimate
    theft: Estimate
    ratio_scale: Estimate | None
    ratio_scale_note: str
    pre_signup_shift: Estimate
    anticipation: Estimate
    trend_sensitivity: dict[str, float]
    checks: pd.DataFrame
    # the county
    county: pd.DataFrame
    its: Estimate
    by_area: pd.DataFrame
    by_area_display: pd.DataFrame
    # practice
    score_change: Estimate
    domains: pd.DataFrame
    by_score: Estimate
    # value for money
    incident_value: vfm.UnitCost
    incident_mix: pd.DataFrame
    incident_mix_display: pd.DataFrame
    value_for_money: vfm.ValueForMoney

    @property
    def designs_compared(self) -> Comparison:
        """The premises question by every design, weakest first (:func:`analysis.results.compare`).

        The naive rate ratio, two-way fixed effects, the staggered headline and, when it
        could be fitted, the Poisson rate ratio: the differences between them are what
        selection and staggered sign-up do to a simpler design.
        """
        designs_by_strength = {
            "Naive: participants against non-participants": self.naive,
            "Two-way fixed effects": self.twfe,
            "Staggered (headline)": self.headline,
        }
        if self.ratio_scale is not None:
            designs_by_strength["Staggered, as a rate ratio (Poisson)"] = self.ratio_scale
        return compare(
            designs_by_strength,
            estimand=(
                "the change in violence and vulnerability incidents at a premises after it "
                "signed up"
            ),
        )

    @property
    def naive_mde(self) -> float:
        """Smallest rate ratio (above 1) the naive comparison would detect with 80% power."""
        return mde(self.naive)

    @property
    def headline_mde(self) -> float:
        """Smallest effect per premises-month the staggered design would detect (80% power)."""
        return mde(self.headline)

    @property
    def ratio_scale_mde(self) -> float:
        """Smallest rate ratio (above 1) the ratio-scale design would detect (NaN if not made)."""
        return math.nan if self.ratio_scale is None else mde(self.ratio_scale)

    @property
    def anticipation_mde(self) -> float:
        """The same for the headline with the months just before sign-up left out."""
        return mde(self.anticipation)

    @property
    def twfe_mde(self) -> float:
        """The same for two-way fixed effects."""
        return mde(self.twfe)

    @property
    def placebo_mde(self) -> float:
        """The same for the placebo at fake sign-up dates."""
        return mde(self.placebo)

    @property
    def sensitivity_mde(self) -> float:
        """The same for the headline with the other comparison group."""
        return mde(self.sensitivity)

    @property
    def theft_mde(self) -> float:
        """The same for theft incidents (not targeted)."""
        return mde(self.theft)

    @property
    def its_mde(self) -> float:
        """Smallest step (rate ratio above 1) the county time series would detect."""
        return mde(self.its)

    @property
    def followup_months(self) -> float:
        """Months the average participant was observed after signing up."""
        return tables.mean_followup_months(self.panel)

    @property
    def street_incidents(self) -> int:
        """Incidents not linked to a premises (in the county series only)."""
        return int(self.data["incidents"]["premises_id"].isna().sum())


def ratio_scale_or_reason(panel: pd.DataFrame, *, leads: int) -> tuple[Estimate | None, str]:
    """The ratio-scale estimate and ``""``, or ``None`` and why it could not be made.

    The ratio scale is a secondary view of the headline's question: a Poisson
    fit that does not converge on a small or sparse panel must not stop the
    report, which then carries the design as not estimable and says why
    (:func:`.narrative.scale_paragraph`).

    Examples
    --------
    >>> empty = pd.DataFrame(columns=["premises_id", "month", "cohort", "violence_vulnerability"])
    >>> estimate, note = ratio_scale_or_reason(empty, leads=6)
    >>> estimate is None
    True
    >>> note
    'poisson_etwfe: the data has no rows. Fix: check the filter upstream.'
    """
    try:
        return designs.ratio_scale_effect(panel, leads=leads), ""
    except EstimationError as error:
        return None, str(error)


def evaluate(data: Dataset, params: Parameters | None = None) -> Evaluation:
    """Run the lSaVI evaluation: every table, estimate and check the report shows.

    Parameters
    ----------
    data : Dataset
        ``analysis.data.load("lsavi", ...)``.
    params : Parameters, optional
        The analysis settings (default: the notebook's defaults).

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> from analysis.data import load
    >>> data = load("lsavi", source="synthetic", seed=3, scale=0.5)
    >>> evaluation = evaluate(data, Parameters(bootstrap_draws=0))
    >>> evaluation.headline.scale, evaluation.panel_end
    ('difference', Timestamp('2026-06-01 00:00:00'))
    """
    from ...data import PRICE_YEAR

    params = params or Parameters()
    threshold = params.suppression_threshold
    premises, incidents = data["premises"], data["incidents"]
    pilot_start = params.pilot_start

    panel_end = last_complete_month(data.extract_date, params.recording_lag_days)
    panel = tables.premises_month_panel(
        premises, incidents, start=params.panel_start, end=panel_end
    )
    history = tables.assessment_history(data["self_assessments"])
    quality = tables.data_quality_table(
        data.tables,
        start=params.panel_start,
        end=panel_end,
        pilot_start=pilot_start,
        pilot_months=params.pilot_months,
    )

    selection = tables.selection_table(panel, pilot_start=pilot_start)
    twfe = designs.twfe_effect(panel)
    headline = designs.staggered_effect(
        panel, control=params.comparison_group, n_boot=params.bootstrap_draws
    )
    windowed = designs.dynamic_window(headline, params.event_window_months)
    placebo = designs.placebo_effect(
        panel,
        pilot_start=pilot_start,
        shift_months=params.placebo_shift_months,
        control=params.comparison_group,
    )
    sensitivity = designs.staggered_effect(panel, control=params.sensitivity_group, n_boot=0)
    theft = designs.staggered_effect(
        panel, outcome="theft", control=params.comparison_group, n_boot=0
    )
    anticipation = designs.staggered_effect(
        panel,
        control=params.comparison_group,
        n_boot=0,
        anticipation=params.anticipation_months,
    )

    ratio_scale, ratio_scale_note = ratio_scale_or_reason(panel, leads=params.event_window_months)

    county = tables.nte_violence_series(incidents, start=params.panel_start, end=panel_end)
    pilot_begins = pd.Timestamp(pilot_start)
    its = designs.nte_violence_its(
        county, intervention=pilot_begins, harmonics=params.its_harmonics
    )
    by_area = designs.area_its_table(
        tables.nte_violence_series(
            incidents, start=params.panel_start, end=panel_end, by_area=True
        ),
        intervention=pilot_begins,
        harmonics=params.its_harmonics,
        minimum_monthly=params.area_minimum_monthly,
    )

    incident_value, incident_mix = designs.averted_incident_value(
        panel, incidents, pilot_start=pilot_start, price_year=params.price_year or PRICE_YEAR
    )
    funnel = tables.engagement_funnel(premises, history)
    return Evaluation(
        data=data,
        params=params,
        panel_end=panel_end,
        panel=panel,
        history=history,
        quality=tables.quality_display(quality, threshold=threshold),
        uptake=designs.uptake_estimate(premises, end=params.pilot_ends),
        reach=tables.reach_table(panel, pilot_start=pilot_start),
        uptake_breakdowns=tables.uptake_breakdowns(premises, threshold=threshold),
        cohorts=tables.signup_cohorts(premises, threshold=threshold),
        funnel=funnel,
        selection=selection,
        selection_display=tables.selection_display(selection, threshold=threshold),
        naive=designs.naive_comparison(panel, pilot_start=pilot_start),
        twfe=twfe,
        headline=headline,
        percent_change=designs.percent_change(headline, panel, outcome="violence_vulnerability"),
        windowed=windowed,
        dynamic=designs.dynamic_summary(
            windowed,
            window_months=params.event_window_months,
            bootstrap_draws=params.bootstrap_draws,
        ),
        placebo=placebo,
        sensitivity=sensitivity,
        theft=theft,
        ratio_scale=ratio_scale,
        ratio_scale_note=ratio_scale_note,
        pre_signup_shift=designs.pre_signup_shift(headline, window=params.anticipation_months),
        anticipation=anticipation,
        trend_sensitivity=designs.trend_sensitivity(headline, params.event_window_months),
        checks=tables.checks_table(
            [
                ("Headline", headline),
                (f"Placebo: sign-up {params.placebo_shift_months} months earlier", placebo),
                (f"Comparison: '{params.sensitivity_group}'", sensitivity),
                ("Theft (not targeted)", theft),
                (
                    f"Leaving out the {params.anticipation_months} months before sign-up",
                    anticipation,
                ),
                ("Two-way fixed effects", twfe),
            ]
        ),
        county=county,
        its=its,
        by_area=by_area,
        by_area_display=tables.area_its_display(by_area, threshold=threshold),
        score_change=designs.score_change_estimate(history),
        domains=tables.domain_display(
            tables.domain_score_changes(data["self_assessments"]), threshold=threshold
        ),
        by_score=designs.incidents_by_score(panel, history, threshold=params.low_score_threshold),
        incident_value=incident_value,
        incident_mix=incident_mix,
        incident_mix_display=tables.incident_mix_display(incident_mix),
        value_for_money=designs.pilot_value_for_money(
            headline,
            panel,
            cost=params.pilot_cost_gbp,
            value=incident_value,
            cost_confirmed=params.cost_confirmed,
        ),
    )
