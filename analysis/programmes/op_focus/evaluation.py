"""The whole Operation Focus evaluation: its parameters, every result, and the run.

:class:`Parameters` mirrors the notebook's ``parameters`` cell (same names and
defaults); :func:`evaluate` runs every table and design the report shows and
returns them in one :class:`Evaluation`, so that the notebook only displays and
explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...results import Estimate
from . import designs, tables

#: Unit of harm under each choice of weights (the ``harm_weights`` parameter).
HARM_UNITS = {"crime_harm_index": "Crime Harm Index days", "equal": "crimes (equal weights)"}

#: Narrowest and widest ratio of time to charge to time to other outcomes read as "similar".
SIMILAR_TIME_RATIO = (0.8, 1.25)


@dataclass(frozen=True)
class Parameters:
    """The notebook's analysis parameters (its ``parameters`` cell: same names and defaults).

    Examples
    --------
    >>> Parameters(harm_threshold=200.0).placebo_start
    Timestamp('2025-04-01 00:00:00')
    """

    source: str = "synthetic"
    synthetic_seed: int = 2026
    synthetic_scale: float = 1.0
    synthetic_world: str = "friendly"
    extract_date: str = ""
    suppression_threshold: int = 10
    findings_path: str = ""
    pilot_start: str = "2026-04-01"
    harm_threshold: float = 240.0
    comparison_share: float = 0.5
    matching_caliper: float = 0.2
    reoffending_follow_up_days: int = 90
    reoffending_bootstrap_reps: int = 999
    placebo_pilot_start: str = ""
    rd_bandwidth: float = 0.0
    harm_weights: str = "crime_harm_index"
    focus_cost_gbp: float = 0.0
    focus_cost_confirmed: bool = False
    expected_effect_pp: float = 0.0

    @property
    def pilot(self) -> pd.Timestamp:
        """The pilot start as a date."""
        return pd.Timestamp(self.pilot_start)

    @property
    def placebo_start(self) -> pd.Timestamp:
        """The placebo pilot start: the one given, else a year before the pilot."""
        if self.placebo_pilot_start:
            return pd.Timestamp(self.placebo_pilot_start)
        return self.pilot - pd.DateOffset(years=1)

    @property
    def harm_unit(self) -> str:
        """Unit of the harm weights, for labels."""
        return HARM_UNITS.get(self.harm_weights, self.harm_weights)


@dataclass
class Evaluation:
    """Every table and estimate of the Operation Focus evaluation (see :func:`evaluate`).

    Attributes
    ----------
    params : Parameters
        The parameters it ran with.
    data : Dataset or SyntheticData
        The data it ran on (the planted truth comes from here when synthetic).
    extract_date : Timestamp
        Date the extract was taken.
    arrests, profiles, pool : DataFrame
        VAWG arrests, suspects' pre-pilot profiles, and the Focus and high-harm
        comparison suspects (:mod:`.tables`).
    matching : Estimate
        The matched placebo on pre-pilot charge rates (balance in its details).
    charge, withdrawal : dict of str to Estimate
        Each rate's ``before_after``, ``naive``, ``did`` and ``rdd`` estimate.
    placebo, event_study : Estimate
        The checks of the difference-in-differences.
    placebo_withdrawal : Estimate
        The placebo pilot start for the victim-withdrawal difference-in-differences.
    post_pilot : DataFrame
        Arrests since the pilot of Focus and comparison suspects (survival sample).
    km, cox : Estimate
        Time to charge (Kaplan-Meier) and to an outcome decision (Cox).
    reoffending, reoffending_index : DataFrame
        Arrests with a complete follow-up window, and each suspect's first one.
    reoffending_estimates : dict of str to Estimate
        ``before_after`` (rate ratio), ``harm`` and ``count`` (matched).
    coverage, selection, uptake_area, cohort, pending : DataFrame
        Data-quality and process tables behind the report's sentences.
    funnel : dict of str to int
        Suspects at each stage from identification to charge.
    rdd_bandwidths, rdd_placebo_cutoffs : DataFrame
        The discontinuity's robustness checks, rounded for display.
    decision_times : DataFrame
        Median days to each kind of outcome for older arrests.
    charge_time_ratio : float
        Time to charge over time to other outcomes (:func:`.designs.charge_time_ratio`).
    rd_suspects : Estimate
        The discontinuity's checks on suspects: the jump in the share arrested
        since the pilot, with the density (sorting) test on suspects' scores
        (:func:`.designs.suspect_density_and_arrest_jump`).
    rd_pending : Estimate
        The jump in the share of arrests still pending (:func:`.designs.pending_jump`).
    for_whom : dict of str to DataFrame or None
        The charge-rate difference-in-differences by sex, age band and ethnicity
        (keys of :data:`.tables.FOR_WHOM`), small groups not estimated, with the
        interaction test in ``attrs`` (:func:`.designs.did_by_group`); None where the
        extract records no value of the characteristic. Publish through
        :meth:`for_whom_display`.
    not_recorded : DataFrame
        Suspects whose sex, age band or ethnicity is not recorded, and how the
        analysis treats them (:func:`.tables.not_recorded`).
    gains : DataFrame
        Additional charges (and cost per charge) under the two stronger designs.
    cost_per_charge : CostPerOutcome
        Cost per additional charge under the difference-in-differences
        (:func:`analysis.evidence.vfm.cost_per_additional_outcome`); not
        published unless ``focus_cost_confirmed``.
    published : dict of str to DataFrame
        The count tables as the report shows them, small counts suppressed
        (:func:`.tables.published_tables`).
    """

    params: Parameters
    data: Any
    extract_date: pd.Timestamp
    arrests: pd.DataFrame
    profiles: pd.DataFrame
    pool: pd.DataFrame
    matching: Estimate
    charge: dict[str, Estimate]
    withdrawal: dict[str, Estimate]
    placebo: Estimate
    placebo_withdrawal: Estimate
    event_study: Estimate
    post_pilot: pd.DataFrame
    km: Estimate
    cox: Estimate
    reoffending: pd.DataFrame
    reoffending_index: pd.DataFrame
    reoffending_estimates: dict[str, Estimate]
    coverage: pd.DataFrame
    funnel: dict[str, int]
    selection: pd.DataFrame
    uptake_area: pd.DataFrame
    cohort: pd.DataFrame
    pending: pd.DataFrame
    rdd_bandwidths: pd.DataFrame
    rdd_placebo_cutoffs: pd.DataFrame
    decision_times: pd.DataFrame
    charge_time_ratio: float
    rd_suspects: Estimate
    rd_pending: Estimate
    for_whom: dict[str, pd.DataFrame | None]
    not_recorded: pd.DataFrame
    gains: pd.DataFrame
    cost_per_charge: Any
    published: dict[str, pd.DataFrame]

    @property
    def truth(self) -> dict | None:
        """Planted truth of synthetic data (None for a real extract)."""
        return getattr(self.data, "truth", None)

    @property
    def synthetic(self) -> bool:
        """Whether the data are synthetic (generated data always are)."""
        return bool(getattr(self.data, "synthetic", self.truth is not None))

    @property
    def uptake_areas(self) -> pd.DataFrame:
        """Uptake by area without the total row, for the uptake figure."""
        return self.uptake_area.drop(index="Total").reset_index()

    @property
    def cox_table(self) -> pd.DataFrame:
        """The Cox model's coefficients as the report shows them."""
        return self.cox.table.round(3)

    def for_whom_display(self, by: str) -> pd.DataFrame | None:
        """The effect by ``by`` as the report shows it: counts below the threshold suppressed.

        Counts are protected by :func:`analysis.evidence.disclosure.suppress` (with
        secondary suppression), estimates rounded; None where the extract records
        no value of ``by``.
        """
        from ...evidence.disclosure import suppress

        table = self.for_whom.get(by)
        if table is None:
            return None
        shown = table.copy()
        estimates = ["effect", "ci_low", "ci_high", "p_value"]
        shown[estimates] = shown[estimates].round(2)
        return suppress(
            shown,
            columns=list(designs.COUNT_COLUMNS),
            threshold=self.params.suppression_threshold,
            total_row=None,
        )

    @property
    def for_whom_tables(self) -> dict[str, pd.DataFrame]:
        """The published breakdowns (:meth:`for_whom_display`) of the characteristics recorded."""
        shown = {by: self.for_whom_display(by) for by in self.for_whom}
        return {by: table for by, table in shown.items() if table is not None}

    @property
    def selection_is_sharp(self) -> bool:
        """No suspect below the threshold adopted, every suspect at or above it adopted."""
        below = self.selection.loc["below threshold"]
        above = self.selection.loc["at or above threshold"]
        return bool(below["in_focus"] == 0 and above["in_focus"] == above["suspects"])

    @property
    def charge_times_similar(self) -> bool:
        """Charges take about as long as other outcomes (:data:`SIMILAR_TIME_RATIO`)."""
        low, high = SIMILAR_TIME_RATIO
        return bool(low <= self.charge_time_ratio <= high)

    @property
    def parallel_trends_supported(self) -> bool:
        """The pre-pilot checks of the difference-in-differences find no divergence."""
        placebo = self.placebo
        pretrend = self.event_study.diagnostics["pretrend_p_value"]
        return bool(pretrend >= 0.05 and placebo.ci_low <= 0 <= placebo.ci_high)


def evaluate(data: Any, params: Parameters | None = None) -> Evaluation:
    """Run every table and design of the Operation Focus evaluation.

    Parameters
    ----------
    data : Dataset or SyntheticData
        The programme's tables: what ``analysis.data.load("op_focus", ...)``
        returns, or ``analysis.synthetic.generate("op_focus", ...)`` (with its
        planted truth) in tests and coverage studies.
    params : Parameters, optional
        The analysis parameters (default: the notebook's defaults).

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> ev = evaluate(generate("op_focus", seed=5, scale=0.5))
    >>> sorted(ev.charge)
    ['before_after', 'did', 'naive', 'rdd']
    """
    from ...data.reference import harm_weights

    params = params or Parameters()
    crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    extract = pd.Timestamp(data.extract_date)
    threshold = params.harm_threshold
    share = params.comparison_share
    caliper = params.matching_caliper
    bandwidth = params.rd_bandwidth or None
    follow_up = params.reoffending_follow_up_days

    arrests = tables.vawg_arrests(crimes, suspects, pilot_start=params.pilot, extract_date=extract)
    profiles = tables.suspect_profiles(suspects, crimes, arrests, pilot_start=params.pilot)
    pool = tables.comparison_pool(profiles, threshold=threshold, min_score_share=share)
    matching = designs.match_comparison_group(pool, caliper=caliper)
    rates = {}
    for outcome in ("charged", "withdrawn"):
        rates[outcome] = {
            "before_after": designs.before_after(arrests, outcome=outcome),
            "naive": designs.naive_comparison(arrests, outcome=outcome),
            "did": designs.arrest_did(arrests, pool, outcome=f"{outcome}_pp"),
            # Too few arrests near the threshold, a score that does not vary or no first
            # stage: carried as not estimable with the reason, not a stopped report.
            "rdd": designs.focus_rdd_or_not_estimable(
                arrests, threshold=threshold, outcome=f"{outcome}_pp", bandwidth=bandwidth
            ),
        }
    post_pilot = tables.post_pilot_comparison_arrests(arrests, pool)
    reoffending = tables.reoffending_after_arrests(
        arrests,
        crimes,
        harm_weights=harm_weights(params.harm_weights),
        follow_up_days=follow_up,
        extract_date=extract,
    )
    index = tables.reoffending_index_arrests(reoffending, profiles)
    common = {"threshold": threshold, "min_score_share": share, "caliper": caliper}
    reoffending_estimates = {
        "before_after": designs.reoffending_before_after(reoffending, follow_up_days=follow_up),
        # Harm is heavy-tailed: its interval comes from resampling whole matched sets.
        "harm": designs.reoffending_matched(
            index,
            outcome="harm_after",
            harm_unit=params.harm_unit,
            bootstrap_reps=params.reoffending_bootstrap_reps,
            **common,
        ),
        "count": designs.reoffending_matched(index, outcome="crimes_after", **common),
    }
    rd = rates["charged"]["rdd"]
    # Arrests made a year or more before the pilot are nearly all finalised.
    older = params.pilot - pd.DateOffset(years=1)
    selection = tables.selection_by_side(suspects, threshold=threshold, band=threshold / 4)
    uptake_area = tables.uptake_by(suspects, "area", threshold=threshold)
    cohort = tables.cohort_status(suspects, extract_date=extract)
    pending = tables.pending_by_quarter(arrests)
    raw = {
        "missingness": tables.missingness(data.tables),
        "pending": pending,
        "exclusions": tables.exclusions(
            arrests,
            reoffending,
            profiles,
            follow_up_days=follow_up,
            n_unmatched=matching.diagnostics.get("n_unmatched", 0),
        ),
        "selection": selection,
        "uptake_area": uptake_area,
        "uptake_age": tables.uptake_by(suspects, "age_band", threshold=threshold),
        "cohort": cohort,
        "outcomes": tables.outcomes_since_pilot(arrests),
        "reoffending": tables.reoffending_summary(index),
    }
    gains = pd.concat(
        {
            name: designs.additional_charges(estimate, arrests, cost_gbp=params.focus_cost_gbp)
            for name, estimate in (
                ("difference-in-differences", rates["charged"]["did"]),
                ("regression discontinuity", rd),
            )
            if not estimate.diagnostics.get("not_estimable")
        }
    ).round(1)
    from ...evidence.vfm import cost_per_additional_outcome

    finalised_focus = int((arrests["focus_investigation"].eq(1) & arrests["finalised"]).sum())
    cost_per_charge = cost_per_additional_outcome(
        max(params.focus_cost_gbp, 0.0),
        rates["charged"]["did"],
        finalised_focus,
        outcome="charges",
        # No cost, or one the force has not confirmed, publishes no cost per charge.
        cost_confirmed=bool(params.focus_cost_confirmed and params.focus_cost_gbp > 0),
    )
    return Evaluation(
        params=params,
        data=data,
        extract_date=extract,
        arrests=arrests,
        profiles=profiles,
        pool=pool,
        matching=matching,
        charge=rates["charged"],
        withdrawal=rates["withdrawn"],
        placebo=designs.placebo_did(arrests, pool, placebo_start=params.placebo_start),
        placebo_withdrawal=designs.placebo_did(
            arrests, pool, placebo_start=params.placebo_start, outcome="withdrawn_pp"
        ),
        event_study=designs.event_study_table(arrests, pool),
        post_pilot=post_pilot,
        km=designs.time_to_charge(post_pilot),
        cox=designs.time_to_decision(post_pilot),
        reoffending=reoffending,
        reoffending_index=index,
        reoffending_estimates=reoffending_estimates,
        coverage=tables.coverage(suspects, crimes, arrests),
        funnel=tables.focus_funnel(suspects, arrests),
        selection=selection,
        uptake_area=uptake_area,
        cohort=cohort,
        pending=pending,
        rdd_bandwidths=designs.rdd_bandwidth_sensitivity(
            arrests, threshold=threshold, bandwidth=rd.diagnostics.get("bandwidth", 0.0)
        ).round(3),
        rdd_placebo_cutoffs=designs.rdd_placebo_cutoffs(
            arrests, threshold=threshold, cutoffs=(0.6 * threshold, 1.5 * threshold)
        ).round(3),
        decision_times=tables.decision_time_by_outcome(arrests, before=older),
        charge_time_ratio=designs.charge_time_ratio(arrests, before=older),
        rd_suspects=designs.check_or_not_estimable(
            designs.suspect_density_and_arrest_jump,
            suspects,
            arrests,
            threshold=threshold,
            what="jump in the share of suspects arrested",
        ),
        rd_pending=designs.check_or_not_estimable(
            designs.pending_jump,
            arrests,
            threshold=threshold,
            what="jump in the share of arrests pending",
        ),
        for_whom={
            by: (
                designs.did_by_group(
                    arrests, pool, group=by, min_suspects=params.suppression_threshold
                )
                if tables.is_recorded(suspects, by)
                else None
            )
            for by in tables.FOR_WHOM
        },
        not_recorded=tables.not_recorded(suspects),
        gains=gains,
        cost_per_charge=cost_per_charge,
        published=tables.published_tables(raw, threshold=params.suppression_threshold),
    )
