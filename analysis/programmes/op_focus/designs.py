"""Operation Focus designs, weakest first, over :mod:`analysis.methods`.

For each question (charge rate, victim withdrawal, time to charge,
harm-weighted reoffending): the naive before/after and cross-sectional
comparisons (SMS 1), the difference-in-differences against high-harm suspects
with its placebo and event-study checks (SMS 3), the fuzzy regression
discontinuity at the harm-score threshold with its robustness checks (SMS 4),
the survival analyses, matched reoffending comparisons and the value of the
charges gained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ConfigError, EstimationError
from ...results import Estimate
from . import tables
from .tables import COMPARISON_LABEL, OFFENCE_PREFIX, comparison_pool, rdd_sample

# --------------------------------------------------------------------------- designs
#: Pre-pilot characteristics the comparison group is matched on.
MATCHING_COVARIATES = (
    "harm_score",
    "prior_vawg_crimes",
    "prior_serious_crimes",
    "prior_da_crimes",
    "prior_arrests",
    "days_since_last_vawg",
    "prior_withdrawal_rate_pp",
)

_OUTCOME_WORDS = {
    "charged": "charge/summons rate (outcome 1)",
    "withdrawn": "victim-withdrawal rate (outcome 16)",
}


def _outcome_words(outcome: str) -> str:
    return _OUTCOME_WORDS.get(outcome.removesuffix("_pp"), outcome)


def _pending_note(pending_1: int, pending_0: int) -> str:
    return (
        f"Arrests with the outcome still pending at the extract date are left out of the "
        f"denominators: {pending_1:,} in the Focus group and {pending_0:,} in the comparison."
    )


def _compare_finalised(
    group_1: pd.DataFrame,
    group_0: pd.DataFrame,
    outcome: str,
    estimand: str,
    method: str,
    assumptions: tuple[str, ...],
) -> Estimate:
    """Difference in an outcome share between two sets of finalised arrests."""
    from ...methods import compare_proportions

    final_1, final_0 = group_1.loc[group_1["finalised"]], group_0.loc[group_0["finalised"]]
    if len(final_1) == 0 or len(final_0) == 0:
        raise EstimationError(
            f"no finalised arrests in one group for the {estimand}; the extract may be too "
            "early after the pilot start for outcomes to be assigned"
        )
    base = outcome.removesuffix("_pp")
    estimate = compare_proportions(
        int(final_1[base].sum()), len(final_1), int(final_0[base].sum()), len(final_0)
    )
    pending_1 = int((~group_1["finalised"]).sum())
    pending_0 = int((~group_0["finalised"]).sum())
    diagnostics = {
        **estimate.diagnostics,
        "n_finalised_focus": len(final_1),
        "n_finalised_comparison": len(final_0),
        "n_pending_focus": pending_1,
        "n_pending_comparison": pending_0,
        "rate_focus_pct": 100.0 * final_1[base].mean(),
        "rate_comparison_pct": 100.0 * final_0[base].mean(),
    }
    return estimate.with_updates(
        estimand=estimand,
        method=method,
        assumptions=assumptions,
        diagnostics=diagnostics,
        warnings=(*estimate.warnings, _pending_note(pending_1, pending_0)),
        outcome=base,
    )


def before_after(arrests: pd.DataFrame, *, outcome: str = "charged") -> Estimate:
    """Naive before/after: Focus perpetrators' arrests under Focus against their earlier ones.

    Enhanced-investigation arrests against the same perpetrators' arrests
    before the pilot (SMS 1).

    Biased by anything else that changed over time (a secular trend in charge
    rates) and by selection on recent serious offending (the pre-pilot offence
    mix of those selected is unusually serious).

    Parameters
    ----------
    arrests : DataFrame
        Output of :func:`vawg_arrests`.
    outcome : {"charged", "withdrawn"}
        The outcome share compared.

    Returns
    -------
    Estimate
        Difference in percentage points among finalised arrests.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests
    >>> data = generate(seed=3, scale=0.3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> before_after(arrests).scale
    'percentage points'
    """
    focus = arrests.loc[arrests["focus_flag"].astype(bool)]
    after = focus.loc[focus["focus_investigation"].eq(1)]
    before = focus.loc[~focus["after_pilot"]]
    words = _outcome_words(outcome)
    return _compare_finalised(
        after,
        before,
        outcome,
        f"change in the {words} of Focus perpetrators' arrests, enhanced investigation "
        "against their arrests before the pilot",
        "before/after comparison of proportions (Focus perpetrators only)",
        (
            "Nothing but Focus changed the outcome between the two periods (no trend, no change "
            "in the kind of offence arrested for).",
        ),
    )


def naive_comparison(arrests: pd.DataFrame, *, outcome: str = "charged") -> Estimate:
    """Naive cross-section: enhanced investigations against non-Focus suspects' arrests.

    Arrests since the pilot start only, no adjustment (SMS 1).

    Biased by selection: Focus perpetrators are chosen for high harm, and
    high-harm suspects' cases differ (victims more often withdraw).

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests
    >>> data = generate(seed=3, scale=0.3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> naive_comparison(arrests).diagnostics["n_finalised_focus"] > 0
    True
    """
    after = arrests.loc[arrests["after_pilot"]]
    focus = after.loc[after["focus_investigation"].eq(1)]
    others = after.loc[~after["focus_flag"].astype(bool)]
    words = _outcome_words(outcome)
    return _compare_finalised(
        focus,
        others,
        outcome,
        f"difference in the {words} between enhanced-investigation arrests and non-Focus "
        "suspects' arrests since the pilot start",
        "cross-sectional comparison of proportions (no adjustment)",
        (
            "Focus and non-Focus suspects' cases would have had the same outcomes without Focus "
            "(no selection).",
        ),
    )


def match_comparison_group(
    pool: pd.DataFrame,
    *,
    outcome: str = "prior_charge_rate_pp",
    covariates: list[str] | tuple[str, ...] = MATCHING_COVARIATES,
    caliper: float | None = 0.2,
    neighbours: int = 1,
) -> Estimate:
    """Match each Focus perpetrator to non-Focus high-harm suspects on their history.

    Nearest-neighbour matching (with replacement) on the propensity score
    estimated from pre-pilot characteristics. With the default outcome the
    estimate is a *placebo*: the difference in pre-pilot charge rate between
    Focus perpetrators and their matches, near zero if the comparison was
    similar beforehand. ``details["matched"]`` holds the matched suspects and
    their ``match_weight``; ``details["balance"]`` the balance table.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests, suspect_profiles
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> placebo = match_comparison_group(comparison_pool(profiles, threshold=240))
    >>> bool(placebo.details["matched"]["match_weight"].gt(0).all())
    True
    """
    from ...methods import match

    covariates = list(covariates)
    # The pre-pilot rates are undefined without a finalised arrest; the pool requires one.
    frame = pool.dropna(subset=[c for c in [*covariates, outcome] if c in pool.columns])
    result = match(
        frame,
        outcome=outcome,
        treatment="focus_flag",
        covariates=covariates,
        caliper=caliper,
        replace=True,
        neighbours=neighbours,
    )
    if outcome != "prior_charge_rate_pp":
        return result
    return result.with_updates(
        estimand=(
            "placebo: difference in pre-pilot charge rate (percentage points) between Focus "
            "perpetrators and their matched comparison suspects (should be near 0)"
        ),
        scale="percentage points",
    )


def arrest_did(
    arrests: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    outcome: str = "charged_pp",
    adjust_offence: bool = True,
) -> Estimate:
    """Difference-in-differences on arrests: Focus against high-harm comparison suspects (SMS 3).

    A linear probability model on every finalised VAWG arrest of the suspects in
    ``comparison`` (Focus perpetrators and their comparison group), with suspect
    and quarter effects absorbed, the offence group as covariates (selection on
    recent serious offending changes the offence mix), and standard errors
    clustered by suspect. The coefficient of ``focus_investigation`` is the
    change in the outcome when a Focus perpetrator's arrest is investigated
    under Focus, net of the change over the same quarters for comparison
    suspects. Suspect effects absorb every fixed difference between suspects,
    so the comparison suspects need to share the trend, not the level.

    Parameters
    ----------
    arrests : DataFrame
        Output of :func:`vawg_arrests`.
    comparison : DataFrame
        The suspects to use (``suspect_id``), Focus and comparison; with a
        ``match_weight`` column (from matching) the regression is weighted.
    outcome : {"charged_pp", "withdrawn_pp"}
        Outcome (0/100, so the effect is in percentage points).
    adjust_offence : bool
        Include the offence-group indicators.

    Returns
    -------
    Estimate
        On the ``"percentage points"`` scale; ``n`` counts suspects.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests, suspect_profiles
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> arrest_did(arrests, comparison_pool(profiles, threshold=240)).scale
    'percentage points'
    """
    from ...methods import did

    members = comparison["suspect_id"]
    weighted = "match_weight" in comparison.columns
    sample = arrests.loc[arrests["finalised"] & arrests["suspect_id"].isin(members)].copy()
    if weighted:
        weights = comparison.groupby("suspect_id")["match_weight"].sum()
        sample["match_weight"] = sample["suspect_id"].map(weights)
    covariates = [c for c in sample.columns if c.startswith(OFFENCE_PREFIX)]
    covariates = [c for c in covariates if sample[c].nunique() > 1] if adjust_offence else []
    result = did(
        sample,
        outcome=outcome,
        treatment="focus_investigation",
        unit="suspect_id",
        time="quarter",
        weights="match_weight" if weighted else None,
        covariates=covariates or None,
        cluster="suspect_id",
    )
    pending = arrests.loc[~arrests["finalised"] & arrests["suspect_id"].isin(members)]
    words = _outcome_words(outcome)
    group = "matched" if weighted else "high-harm"
    return result.with_updates(
        scale="percentage points",
        estimand=(
            f"effect of an enhanced (Focus) investigation on the {words} of an arrest, "
            f"against {group} non-Focus suspects (difference-in-differences)"
        ),
        method=(
            "difference-in-differences on finalised arrests: suspect and quarter effects, "
            f"offence group{', matching weights' if weighted else ''}, standard errors "
            "clustered by suspect"
        ),
        diagnostics={
            **result.diagnostics,
            "n_arrests": len(sample),
            "n_pending_excluded": len(pending),
            "n_treated_arrests": int(sample["focus_investigation"].sum()),
            "n_focus_suspects": int(
                sample.loc[sample["focus_flag"].astype(bool), "suspect_id"].nunique()
            ),
            "n_comparison_suspects": int(
                sample.loc[~sample["focus_flag"].astype(bool), "suspect_id"].nunique()
            ),
        },
        warnings=(
            *result.warnings,
            f"{len(pending):,} arrests with the outcome still pending at the extract date are "
            "left out.",
        ),
        outcome=outcome.removesuffix("_pp"),
    )


def placebo_did(
    arrests: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    placebo_start: str | pd.Timestamp,
    outcome: str = "charged_pp",
) -> Estimate:
    """The difference-in-differences with a pretend pilot start, before the real one.

    Only arrests before the real pilot are used; Focus perpetrators' arrests
    after ``placebo_start`` are labelled treated. An effect clearly away from
    zero would mean the groups were already diverging: the parallel-trends
    assumption would be in doubt.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests, suspect_profiles
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> pool = comparison_pool(profiles, threshold=240)
    >>> placebo_did(arrests, pool, placebo_start="2025-04-01").n > 0
    True
    """
    start = pd.Timestamp(placebo_start)
    before = arrests.loc[~arrests["after_pilot"]].copy()
    if not (before["arrest_date"].min() < start < before["arrest_date"].max()):
        raise ConfigError(
            f"placebo start {start.date()} must fall inside the pre-pilot arrests "
            f"({before['arrest_date'].min().date()} to {before['arrest_date'].max().date()})"
        )
    before["focus_investigation"] = (
        before["focus_flag"].astype(bool) & before["arrest_date"].ge(start)
    ).astype("int64")
    result = arrest_did(before, comparison, outcome=outcome)
    return result.with_updates(
        estimand=(
            f"placebo: 'effect' of a pretend Focus start on {start.date()} on the "
            f"{_outcome_words(outcome)} before the real pilot (should be near 0)"
        )
    )


def event_study_table(
    arrests: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    outcome: str = "charged_pp",
    leads: int = 6,
) -> Estimate:
    """Quarter-by-quarter Focus-minus-comparison differences around the pilot start.

    An event study on the finalised arrests of the suspects in ``comparison``,
    with the outcome taken net of its offence group's average (the event-study
    estimator has no covariates, and the offence mix of those selected shifts).
    The joint test of the pre-pilot quarters
    (``diagnostics["pretrend_p_value"]``) checks parallel trends.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests, suspect_profiles
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> pool = comparison_pool(profiles, threshold=240)
    >>> "pretrend_p_value" in event_study_table(arrests, pool).diagnostics
    True
    """
    from ...methods import event_study

    keep = arrests["finalised"] & arrests["suspect_id"].isin(comparison["suspect_id"])
    sample = arrests.loc[keep].copy()
    sample["outcome_net"] = sample[outcome] - sample.groupby("offence_group")[outcome].transform(
        "mean"
    )
    sample["first_quarter"] = np.where(sample["focus_flag"].astype(bool), 0.0, np.nan)
    # The last quarter is part-complete and has few outcomes: pool the post-pilot quarters.
    lags = min(int(sample["quarter"].max()), 1)
    result = event_study(
        sample,
        outcome="outcome_net",
        unit="suspect_id",
        time="quarter",
        first_treated="first_quarter",
        leads=leads,
        lags=max(lags, 0),
    )
    return result.with_updates(
        scale="percentage points",
        estimand=(
            f"difference in the {_outcome_words(outcome)} (net of offence group) between Focus "
            "and comparison suspects by quarter, relative to the quarter before the pilot"
        ),
        outcome=outcome.removesuffix("_pp"),
    )


#: Widening steps of the regression discontinuity bandwidth when the first stage is too weak.
_MAX_WIDENINGS = 4
_WIDENING = 1.25
#: Fewest finalised arrests since the pilot on each side of the threshold for the
#: regression discontinuity (the local fits need some, and the first stage more).
MIN_ARRESTS_PER_SIDE = 20


def rdd_not_estimable_reason(sample: pd.DataFrame, *, threshold: float) -> str:
    """Why the discontinuity cannot be estimated from these arrests, or ``""`` when it can.

    Three things make it impossible before any fit: the harm score does not vary,
    too few finalised arrests on one side of the threshold, or no first stage (no
    arrest, or every arrest, was investigated under Focus, so crossing the threshold
    cannot change it).

    Examples
    --------
    >>> arrests = pd.DataFrame({"harm_score": [250.0] * 30, "focus_investigation": [1] * 30})
    >>> rdd_not_estimable_reason(arrests, threshold=240)[:47]
    'the harm score does not vary: all 30 finalised '
    """
    scores = sample["harm_score"].dropna()
    if scores.nunique() < 2:
        value = f" (all {scores.iloc[0]:g})" if len(scores) else ""
        return (
            f"the harm score does not vary: all {len(scores):,} finalised arrests since the "
            f"pilot have the same score{value}, so there is no threshold to compare across"
        )
    below = int((scores < threshold).sum())
    above = int((scores >= threshold).sum())
    if min(below, above) < MIN_ARRESTS_PER_SIDE:
        return (
            f"too few finalised arrests since the pilot either side of the harm-score threshold "
            f"{threshold:g}: {below:,} below and {above:,} at or above (at least "
            f"{MIN_ARRESTS_PER_SIDE} each are needed)"
        )
    if sample["focus_investigation"].nunique() < 2:
        share = "every" if sample["focus_investigation"].iloc[0] else "no"
        return (
            f"no first stage: {share} finalised arrest since the pilot was investigated under "
            "Focus, so crossing the threshold cannot change who was"
        )
    return ""


def not_estimable(reason: str, *, outcome: str, what: str) -> Estimate:
    """A design that could not be estimated: no number, and the reason in its place.

    The effect and interval are NaN, which the report's tables print as "not
    estimable"; ``diagnostics["not_estimable"]`` holds the reason the narrative gives.

    Examples
    --------
    >>> est = not_estimable("too few arrests", outcome="charged_pp", what="discontinuity")
    >>> est.diagnostics["not_estimable"], est.warnings
    ('too few arrests', ('The discontinuity is not estimable: too few arrests.',))
    """
    nan = float("nan")
    return Estimate(
        effect=nan,
        ci_low=nan,
        ci_high=nan,
        p_value=nan,
        n=0,
        scale="percentage points",
        method=f"{what} (not estimable)",
        estimand=f"{what} (not estimable on these data)",
        diagnostics={"not_estimable": reason},
        warnings=(f"The {what} is not estimable: {reason.rstrip('.')}.",),
        outcome=outcome.removesuffix("_pp"),
    )


def focus_rdd_or_not_estimable(
    arrests: pd.DataFrame,
    *,
    threshold: float,
    outcome: str = "charged_pp",
    bandwidth: float | None = None,
) -> Estimate:
    """:func:`focus_rdd`, or a not-estimable result saying why (the report then says so).

    Too few arrests either side, a harm score that does not vary, no first stage
    (:func:`rdd_not_estimable_reason`) or a first stage too weak for a bounded
    interval at every bandwidth tried give :func:`not_estimable` with the reason,
    instead of stopping the report or printing a number.

    Examples
    --------
    >>> arrests = pd.DataFrame({"after_pilot": [True] * 30, "finalised": [True] * 30,
    ...     "harm_score": [100.0] * 25 + [300.0] * 5, "focus_investigation": [0] * 25 + [1] * 5,
    ...     "charged_pp": [0.0] * 30, "suspect_id": range(30)})
    >>> focus_rdd_or_not_estimable(arrests, threshold=240).diagnostics["not_estimable"][:24]
    'too few finalised arrest'
    """
    reason = rdd_not_estimable_reason(rdd_sample(arrests), threshold=threshold)
    if not reason:
        try:
            return focus_rdd(arrests, threshold=threshold, outcome=outcome, bandwidth=bandwidth)
        except EstimationError as error:
            reason = str(error).removeprefix("fuzzy_rdd: ").removeprefix("rdd: ")
    return not_estimable(reason, outcome=outcome, what="regression discontinuity")


def check_or_not_estimable(
    check: Callable[..., Estimate], *args: Any, what: str, **kwargs: Any
) -> Estimate:
    """A threshold check (:func:`pending_jump` and the like), or a not-estimable result.

    A check that cannot be fitted (too few arrests, a score that does not vary) is
    carried as not estimable with its reason, and its evidence check is then "not
    run", rather than stopping the report.

    Examples
    --------
    >>> arrests = pd.DataFrame({"after_pilot": [True] * 3, "finalised": [True, False, True],
    ...                         "harm_score": [250.0] * 3, "suspect_id": ["a", "b", "c"]})
    >>> est = check_or_not_estimable(pending_jump, arrests, threshold=240.0,
    ...                              what="jump in the share pending")
    >>> est.diagnostics["not_estimable"][:26]
    'the cutoff 240.0 is outsid'
    """
    try:
        return check(*args, **kwargs)
    except EstimationError as error:
        reason = str(error).removeprefix("rdd: ")
        return not_estimable(reason, outcome=what, what=what)


def focus_rdd(
    arrests: pd.DataFrame,
    *,
    threshold: float,
    outcome: str = "charged_pp",
    bandwidth: float | None = None,
) -> Estimate:
    """Fuzzy regression discontinuity at the harm-score threshold (SMS 4).

    Finalised VAWG arrests since the pilot start, running variable the
    suspect's harm score at identification, treatment an enhanced (Focus)
    investigation, standard errors clustered by suspect.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> focus_rdd(arrests, threshold=240).scale
    'percentage points'
    """
    from ...methods import fuzzy_rdd, rdd

    sample = rdd_sample(arrests)
    pending = int((arrests["after_pilot"] & ~arrests["finalised"]).sum())
    options = {"running": "harm_score", "cutoff": threshold, "cluster": "suspect_id"}
    chosen = bandwidth or float(rdd(sample, outcome=outcome, **options).diagnostics["bandwidth"])
    notes = []
    for attempt in range(_MAX_WIDENINGS + 1):
        width = chosen * _WIDENING**attempt
        try:
            result = fuzzy_rdd(
                sample,
                outcome=outcome,
                treatment="focus_investigation",
                bandwidth=width,
                scale="percentage points",
                **options,
            )
        except EstimationError:
            if attempt == _MAX_WIDENINGS:
                raise
            continue
        if attempt:
            notes.append(
                f"At the {'chosen' if bandwidth else 'MSE-optimal'} bandwidth ({chosen:.0f} "
                f"points) the first stage was too weak for a bounded interval; the bandwidth was "
                f"widened to {width:.0f} points, which trades some bias for precision."
            )
        break
    return result.with_updates(
        estimand=(
            f"effect of an enhanced (Focus) investigation on the {_outcome_words(outcome)} of "
            f"an arrest, for suspects at the harm-score threshold ({threshold:g}) whose "
            "adoption follows it"
        ),
        diagnostics={
            **result.diagnostics,
            "n_pending_excluded": pending,
            "bandwidth_first_choice": chosen,
        },
        warnings=(
            *result.warnings,
            *notes,
            f"{pending:,} arrests since the pilot start with the outcome still pending are "
            "left out.",
        ),
        outcome=outcome.removesuffix("_pp"),
    )


# --------------------------------------------------------------------------- time to charge
def time_to_charge(sample: pd.DataFrame) -> Estimate:
    """Kaplan-Meier curves of time from arrest to charge, Focus against comparison.

    Arrests not charged by the extract date (pending, or finalised without a
    charge) are censored at the extract date: with only this administrative
    censoring, one minus each curve is the share charged by each day since
    arrest, so the curves show both how many are charged and how fast.

    Examples
    --------
    >>> frame = pd.DataFrame({"days_to_charge": [5.0, 40, 90, 10, 200, 120],
    ...                       "charge_event": [1, 1, 0, 1, 0, 0],
    ...                       "group": ["Focus investigation"] * 3 + ["High-harm comparison"] * 3})
    >>> round(time_to_charge(frame).survival_at(50, group="Focus investigation"), 3)
    0.333
    """
    from ...methods import kaplan_meier

    return kaplan_meier(
        sample,
        duration="days_to_charge",
        event="charge_event",
        group="group",
        reference=COMPARISON_LABEL,
    )


def time_to_decision(
    sample: pd.DataFrame, *, covariates: tuple[str, ...] = ("harm_score",)
) -> Estimate:
    """Cox model of time from arrest to an outcome decision, Focus against comparison.

    Pending outcomes are censored at the extract date. Each offence group has
    its own baseline hazard (rape cases take longest), and the harm score is
    adjusted for. Standard errors are clustered by suspect (Lin and Wei's
    sandwich): a suspect arrested several times contributes correlated arrests,
    and the model-based variance would treat them as independent. A hazard
    ratio above 1 means decisions come sooner under
    Focus. Because the time to a decision does not depend on which decision is
    made (checked by :func:`charge_time_ratio`), it is also the speed-up in time to charge
    for the arrests that are charged.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import (
    ...     vawg_arrests, suspect_profiles, post_pilot_comparison_arrests)
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> sample = post_pilot_comparison_arrests(arrests, comparison_pool(profiles, threshold=240))
    >>> time_to_decision(sample).scale
    'hazard ratio'
    """
    from ...methods import cox

    result = cox(
        sample,
        duration="days_to_outcome",
        event="decided",
        covariates=["focus_investigation", *covariates],
        strata="offence_group",
        cluster="suspect_id",
    )
    pending = int((sample["decided"] == 0).sum())
    return result.with_updates(
        estimand=(
            "hazard ratio of an outcome decision after arrest, enhanced (Focus) investigation "
            "against high-harm comparison suspects' arrests since the pilot start (above 1: "
            "sooner)"
        ),
        diagnostics={**result.diagnostics, "n_censored_pending": pending},
        outcome="time to outcome decision",
    )


def charge_time_ratio(arrests: pd.DataFrame, *, before: str | pd.Timestamp) -> float:
    """How long charges take relative to other outcomes, within offence groups.

    For arrests made before ``before`` (old enough to be nearly all finalised),
    the ratio of the median days to a charge to the median days to any other
    outcome in each offence group, averaged on the log scale with the number of
    charges as weights. Near 1 supports reading the time to a decision as the
    time to charge, and the charge rate among finalised arrests as the charge
    rate that pending arrests will reach.

    Examples
    --------
    >>> frame = pd.DataFrame({"arrest_date": pd.to_datetime(["2024-01-01"] * 4),
    ...     "finalised": [True] * 4, "outcome_code": [1, 1, 16, 15],
    ...     "days_to_outcome": [30.0, 50, 40, 40], "offence_group": ["rape"] * 4})
    >>> charge_time_ratio(frame, before="2025-01-01")
    1.0
    """
    old = arrests.loc[arrests["arrest_date"].lt(pd.Timestamp(before)) & arrests["finalised"]]
    charged = old["outcome_code"].eq(1)
    medians = pd.DataFrame(
        {
            "charged": old.loc[charged].groupby("offence_group")["days_to_outcome"].median(),
            "other": old.loc[~charged].groupby("offence_group")["days_to_outcome"].median(),
            "charges": old.loc[charged].groupby("offence_group").size(),
        }
    ).dropna()
    medians = medians.loc[(medians["charged"] > 0) & (medians["other"] > 0)]
    if medians.empty:
        raise EstimationError(
            "no offence group has both charges and other outcomes among the older arrests, so "
            "the time to charge cannot be compared with the time to other outcomes"
        )
    log_ratio = np.log(medians["charged"] / medians["other"])
    return float(np.exp(np.average(log_ratio, weights=medians["charges"])))


def reoffending_matched(
    index_arrests: pd.DataFrame,
    *,
    outcome: str = "harm_after",
    threshold: float,
    min_score_share: float = 0.5,
    covariates: list[str] | tuple[str, ...] = MATCHING_COVARIATES,
    caliper: float | None = 0.2,
    harm_unit: str = "Crime Harm Index days",
    common_support: bool = True,
    bootstrap_reps: int = 0,
) -> Estimate:
    """Reoffending after an arrest since the pilot start: Focus against matched suspects (SMS 2).

    Each Focus perpetrator's first enhanced-investigation arrest is compared
    with matched high-harm non-Focus suspects' first arrest since the pilot,
    on crimes (or their harm) in the follow-up window. ``harm_unit`` names the
    unit of ``harm_after`` (it becomes the estimate's scale).

    With ``common_support`` the suspects whose propensity score lies outside the
    range both groups share are dropped before matching (their numbers are in
    ``diagnostics``): a Focus perpetrator no comparison suspect resembles has no
    match worth the name. The effective comparison sample size is in
    ``diagnostics["effective_sample_size_control"]``. With ``bootstrap_reps`` the
    interval, standard error and p-value come from resampling whole matched sets
    (:func:`matched_set_bootstrap`), for a heavy-tailed outcome such as harm; the
    Abadie-Imbens interval is kept in ``diagnostics``.

    Examples
    --------
    >>> from analysis.data.reference import harm_weights
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import (
    ...     vawg_arrests, suspect_profiles, reoffending_after_arrests, reoffending_index_arrests)
    >>> data = generate(seed=3, scale=0.5)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> after = reoffending_after_arrests(arrests, crimes, harm_weights=harm_weights(),
    ...                                   follow_up_days=90, extract_date=data.extract_date)
    >>> index = reoffending_index_arrests(after, profiles)
    >>> reoffending_matched(index, outcome="crimes_after", threshold=240).scale
    'crimes'
    """
    pool = comparison_pool(index_arrests, threshold=threshold, min_score_share=min_score_share)
    covariates = list(covariates)
    pool = pool.dropna(subset=covariates)
    from ...methods import match, propensity_score

    support = {}
    if common_support:
        scores = propensity_score(pool, treatment="focus_flag", covariates=covariates).scores
        treated = pool["focus_flag"].astype(bool)
        low = max(scores[treated].min(), scores[~treated].min())
        high = min(scores[treated].max(), scores[~treated].max())
        inside = scores.between(low, high)
        support = {
            "n_outside_support_treated": int((~inside & treated).sum()),
            "n_outside_support_control": int((~inside & ~treated).sum()),
        }
        pool = pool.loc[inside]
    result = match(
        pool,
        outcome=outcome,
        treatment="focus_flag",
        covariates=covariates,
        caliper=caliper,
        replace=True,
    )
    what = harm_unit if outcome == "harm_after" else "crimes"
    diagnostics = {**result.diagnostics, **support}
    updates = {}
    notes = []
    if support:
        notes.append(
            f"Restricted to common support: {support['n_outside_support_treated']:,} Focus "
            f"perpetrators and {support['n_outside_support_control']:,} comparison suspects "
            "whose propensity scores the other group does not reach were left out, so the "
            "estimate is for the Focus perpetrators who have comparable suspects."
        )
    if bootstrap_reps:
        boot = matched_set_bootstrap(result, outcome, reps=bootstrap_reps)
        diagnostics.update(
            abadie_imbens_ci_low=result.ci_low,
            abadie_imbens_ci_high=result.ci_high,
            bootstrap_reps=bootstrap_reps,
            bootstrap_clusters=boot["n_clusters"],
        )
        updates = {k: boot[k] for k in ("ci_low", "ci_high", "se", "p_value")}
        notes.append(
            f"Interval from {bootstrap_reps:,} bootstrap resamples of the "
            f"{boot['n_clusters']:,} matched sets (suspects sharing a match resampled "
            "together), percentile method, because a few serious offences dominate harm."
        )
    return result.with_updates(
        **updates,
        diagnostics=diagnostics,
        warnings=(*result.warnings, *notes),
        scale=what,
        estimand=(
            f"difference in {what} committed in the follow-up window after an arrest since the "
            "pilot start, Focus perpetrators against matched high-harm non-Focus suspects"
        ),
        outcome=outcome,
    )


def reoffending_before_after(reoffending: pd.DataFrame, *, follow_up_days: int) -> Estimate:
    """Naive before/after of Focus perpetrators' reoffending rate after arrest (SMS 1).

    Crimes in the window after each enhanced-investigation arrest against the
    same perpetrators' arrests before the pilot, as a rate ratio per
    arrest-window. Selection on recent offending (regression to the mean),
    seasons and desistance all differ between the periods, so the comparison
    is biased in a direction it cannot tell.

    Examples
    --------
    >>> frame = pd.DataFrame({"focus_flag": [True] * 4, "after_pilot": [False, False, True, True],
    ...     "focus_investigation": [0, 0, 1, 1], "crimes_after": [3.0, 2, 1, 1]})
    >>> round(reoffending_before_after(frame, follow_up_days=90).effect, 2)
    0.4
    """
    from ...methods import rate_ratio

    focus = reoffending.loc[reoffending["focus_flag"].astype(bool)]
    after = focus.loc[focus["focus_investigation"].eq(1)]
    before = focus.loc[~focus["after_pilot"]]
    years = follow_up_days / 365.25
    result = rate_ratio(
        int(after["crimes_after"].sum()),
        len(after) * years,
        int(before["crimes_after"].sum()),
        len(before) * years,
    )
    return result.with_updates(
        estimand=(
            "ratio of Focus perpetrators' crime rate after enhanced-investigation arrests to "
            "their rate after arrests before the pilot"
        ),
        method="before/after rate ratio (Focus perpetrators only; Poisson)",
        warnings=(
            *result.warnings,
            "Poisson intervals ignore that some people offend far more than others, so they "
            "are too narrow.",
        ),
    )


def rdd_bandwidth_sensitivity(
    arrests: pd.DataFrame,
    *,
    threshold: float,
    bandwidth: float,
    factors: tuple[float, ...] = (0.75, 1.0, 1.5, 2.0),
    outcome: str = "charged_pp",
) -> pd.DataFrame:
    """The fuzzy regression discontinuity at several bandwidths (a robustness check).

    A ``bandwidth`` of 0 (the discontinuity was not estimable) gives an empty table.
    Otherwise one row per bandwidth: ``bandwidth, effect, ci_low, ci_high,
    first_stage, n_in_bandwidth``; where the first stage is too weak for a
    bounded interval the row says so (``note``) instead.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> table = rdd_bandwidth_sensitivity(arrests, threshold=240, bandwidth=100)
    >>> table["bandwidth"].tolist()
    [75.0, 100.0, 150.0, 200.0]
    """
    from ...methods import fuzzy_rdd

    if not bandwidth > 0:
        # No chosen bandwidth: the discontinuity itself was not estimable.
        return pd.DataFrame(
            columns=["bandwidth", "effect", "ci_low", "ci_high", "first_stage", "n_in_bandwidth"]
            + ["note"]
        )
    sample = rdd_sample(arrests)
    rows = []
    for factor in factors:
        width = float(bandwidth * factor)
        row = {"bandwidth": width}
        try:
            result = fuzzy_rdd(
                sample,
                outcome=outcome,
                treatment="focus_investigation",
                running="harm_score",
                cutoff=threshold,
                bandwidth=width,
                cluster="suspect_id",
            )
        except EstimationError:
            row["note"] = "first stage too weak for a bounded interval"
        else:
            d = result.diagnostics
            row.update(
                effect=result.effect,
                ci_low=result.ci_low,
                ci_high=result.ci_high,
                first_stage=d["first_stage"],
                n_in_bandwidth=d["n_below_in_bandwidth"] + d["n_above_in_bandwidth"],
                note="",
            )
        rows.append(row)
    return pd.DataFrame(rows)


def rdd_placebo_cutoffs(
    arrests: pd.DataFrame,
    *,
    threshold: float,
    cutoffs: tuple[float, ...],
    outcome: str = "charged_pp",
) -> pd.DataFrame:
    """Jumps in the outcome at pretend thresholds, where nothing changes (should be near 0).

    Each pretend cutoff uses only the arrests on its own side of the real
    threshold, so the real jump cannot leak in. Sharp local-linear fits with
    the MSE-optimal bandwidth and robust intervals.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> rdd_placebo_cutoffs(arrests, threshold=240, cutoffs=(150.0,))["cutoff"].tolist()
    [150.0]
    """
    from ...methods import rdd

    sample = rdd_sample(arrests)
    rows = []
    for cutoff in cutoffs:
        side = (
            sample["harm_score"].lt(threshold)
            if cutoff < threshold
            else sample["harm_score"].ge(threshold)
        )
        if not side.any():
            rows.append({"cutoff": float(cutoff), "note": "no finalised arrests on this side"})
            continue
        try:
            result = rdd(
                sample.loc[side],
                outcome=outcome,
                running="harm_score",
                cutoff=cutoff,
                cluster="suspect_id",
            )
        except EstimationError as error:
            rows.append({"cutoff": float(cutoff), "note": str(error)})
            continue
        rows.append(
            {
                "cutoff": float(cutoff),
                "jump": result.effect,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "p_value": result.p_value,
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def additional_charges(
    estimate: Estimate, arrests: pd.DataFrame, *, cost_gbp: float = 0.0
) -> pd.DataFrame:
    """Charges gained by Focus so far: the per-arrest effect times the finalised Focus arrests.

    The effect's interval is carried through. With a cost of the enhanced
    investigations (``cost_gbp`` > 0) the cost per additional charge is given
    too (its upper bound is infinite where the effect's interval reaches zero).

    Examples
    --------
    >>> est = Estimate(5.0, 1.0, 9.0, 0.02, 500, "percentage points", "m", "e")
    >>> frame = pd.DataFrame({"focus_investigation": [1] * 200, "finalised": [True] * 200})
    >>> additional_charges(est, frame).loc["additional charges"].tolist()
    [10.0, 2.0, 18.0]
    """
    treated = arrests["focus_investigation"].eq(1) & arrests["finalised"]
    n = int(treated.sum())
    values = np.array([estimate.effect, estimate.ci_low, estimate.ci_high]) / 100 * n
    table = pd.DataFrame(
        [values], index=["additional charges"], columns=["estimate", "ci_low", "ci_high"]
    )
    if cost_gbp and cost_gbp > 0:
        # No gain (or a loss) at an end of the interval means no finite cost per charge there.
        with np.errstate(divide="ignore"):
            per_charge = np.where(values > 0, cost_gbp / np.where(values > 0, values, 1), np.inf)
        # A higher effect means a lower cost per charge, so the interval swaps ends.
        table.loc["cost per additional charge (GBP)"] = [
            per_charge[0],
            per_charge[2],
            per_charge[1],
        ]
    table.attrs["finalised_focus_arrests"] = n
    return table


# --------------------------------------------------------------------------- checks of the RD
def suspect_density_and_arrest_jump(
    suspects: pd.DataFrame, arrests: pd.DataFrame, *, threshold: float
) -> Estimate:
    """Sorting and selection at the threshold, on suspects: one row per scored suspect.

    A sharp discontinuity in the share of scored suspects arrested for a VAWG
    crime since the pilot start (0/100), whose ``density_p_value`` is the
    McCrary test on *suspects'* harm scores. The test belongs on suspects, not
    arrests: a suspect with several arrests would otherwise count several times,
    and suspects above the threshold are arrested more often whatever Focus
    does, so a density of arrest rows can jump with no sorting at all. The jump
    in the share arrested is itself a check: the discontinuity compares arrests,
    so if crossing the threshold changes who is arrested, the arrests either side
    are no longer alike.

    Returns
    -------
    Estimate
        Jump in the percentage of suspects arrested since the pilot;
        ``diagnostics["density_p_value"]`` the suspect-level density test and
        ``diagnostics["n_suspects"]`` the suspects used.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> check = suspect_density_and_arrest_jump(data.tables["suspects"], arrests, threshold=240)
    >>> check.diagnostics["n_suspects"] == data.tables["suspects"]["suspect_id"].nunique()
    True
    """
    from ...methods import rdd

    scored = suspects.dropna(subset=["harm_score"]).drop_duplicates("suspect_id")
    arrested = set(arrests.loc[arrests["after_pilot"], "suspect_id"])
    frame = pd.DataFrame(
        {
            "harm_score": scored["harm_score"].to_numpy(dtype=float),
            "arrested_pp": 100.0 * scored["suspect_id"].isin(arrested).to_numpy(),
        }
    )
    result = rdd(frame, outcome="arrested_pp", running="harm_score", cutoff=threshold)
    return result.with_updates(
        scale="percentage points",
        estimand=(
            "jump at the harm-score threshold in the share of scored suspects arrested for a "
            "VAWG crime since the pilot start (should be near 0)"
        ),
        diagnostics={**result.diagnostics, "n_suspects": len(frame)},
        outcome="arrested since the pilot",
    )


def pending_jump(arrests: pd.DataFrame, *, threshold: float) -> Estimate:
    """Jump at the threshold in the share of arrests since the pilot still pending (check).

    The discontinuity uses finalised arrests only; if Focus cases take longer
    (or shorter) to finalise, the finalised arrests either side of the threshold
    are selected differently and the jump in the charge rate is biased. Sharp
    local-linear fit with the MSE-optimal bandwidth, clustered by suspect.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests
    >>> data = generate(seed=3)
    >>> arrests = vawg_arrests(data.tables["crimes"], data.tables["suspects"],
    ...                        pilot_start="2026-04-01", extract_date=data.extract_date)
    >>> pending_jump(arrests, threshold=240).scale
    'percentage points'
    """
    from ...methods import rdd

    after = arrests.loc[arrests["after_pilot"]].copy()
    after["pending_pp"] = 100.0 * (~after["finalised"].astype(bool))
    result = rdd(
        after, outcome="pending_pp", running="harm_score", cutoff=threshold, cluster="suspect_id"
    )
    return result.with_updates(
        scale="percentage points",
        estimand=(
            "jump at the harm-score threshold in the share of arrests since the pilot whose "
            "outcome is still pending (should be near 0)"
        ),
        outcome="pending",
    )


def matched_set_bootstrap(
    estimate: Estimate, outcome: str, *, reps: int = 1999, seed: int = 0
) -> dict[str, float]:
    """Bootstrap interval of a matched difference, resampling whole matched sets of suspects.

    Matching with replacement reuses comparison suspects, so pairs sharing a
    suspect are not independent. The pairs are joined into clusters (connected
    components of the treated-comparison graph: every suspect is in exactly one),
    and whole clusters are resampled; each replicate's estimate is the mean over
    its treated suspects of their outcome minus their matches' weighted mean. The
    percentile interval suits a heavy-tailed outcome such as harm, where one
    serious offence can dominate a group's total. The matching itself is held
    fixed (re-matching in every replicate would cost a second a run).

    Parameters
    ----------
    estimate : Estimate
        A matching estimate with ``details["pairs"]`` and ``details["matched"]``.
    outcome : str
        The outcome column of ``details["matched"]``.
    reps : int
        Bootstrap replicates.
    seed : int
        Seed of the resampling, so a report reproduces.

    Returns
    -------
    dict
        ``effect``, ``ci_low``, ``ci_high``, ``se``, ``p_value`` and ``n_clusters``.

    Examples
    --------
    >>> pairs = pd.DataFrame({"treated_index": [0, 1, 2, 3], "control_index": [4, 4, 5, 6],
    ...                       "weight": [1.0, 1.0, 1.0, 1.0]})
    >>> matched = pd.DataFrame({"y": [5.0, 3, 4, 6, 1, 2, 3]})
    >>> est = Estimate(3.0, 0.0, 6.0, 0.05, 7, "crimes", "m", "e",
    ...                details={"pairs": pairs, "matched": matched})
    >>> result = matched_set_bootstrap(est, "y", reps=200)
    >>> result["effect"], result["n_clusters"]
    (2.75, 3)
    """
    details = estimate.details or {}
    pairs, matched = details.get("pairs"), details.get("matched")
    if pairs is None or matched is None or len(pairs) == 0:
        raise EstimationError(
            "matched_set_bootstrap needs the matched pairs (details['pairs'] and "
            "details['matched']) of a matching estimate; list them with match(...)"
        )
    values = matched[outcome]
    weight = pairs["weight"].to_numpy(dtype=float)
    control_sum = (
        pd.Series(values.loc[pairs["control_index"]].to_numpy() * weight)
        .groupby(pairs["treated_index"].to_numpy())
        .sum()
    )
    weight_sum = pd.Series(weight).groupby(pairs["treated_index"].to_numpy()).sum()
    treated_ids = control_sum.index.to_numpy()
    differences = values.loc[treated_ids].to_numpy() - (control_sum / weight_sum).to_numpy()
    # Clusters: connected components of the graph joining each treated suspect to its matches.
    nodes = {node: k for k, node in enumerate(pd.unique(pd.concat(
        [pairs["treated_index"], pairs["control_index"]]).to_numpy()))}  # fmt: skip
    parent = np.arange(len(nodes))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for t, c in zip(pairs["treated_index"], pairs["control_index"], strict=True):
        a, b = root(nodes[t]), root(nodes[c])
        if a != b:
            parent[a] = b
    cluster = np.array([root(nodes[t]) for t in treated_ids])
    codes, _ = pd.factorize(cluster)
    sums = np.bincount(codes, weights=differences)
    counts = np.bincount(codes).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(sums), size=(reps, len(sums)))
    replicates = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    alpha = 1 - estimate.conf_level
    low, high = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    effect = float(differences.mean())
    # Two-sided bootstrap p-value of no difference: the replicates shifted to the null.
    centred = replicates - effect
    p_value = float(min(1.0, (np.sum(np.abs(centred) >= abs(effect)) + 1) / (reps + 1)))
    return {
        "effect": effect,
        "ci_low": float(low),
        "ci_high": float(high),
        "se": float(replicates.std(ddof=1)),
        "p_value": p_value,
        "n_clusters": len(sums),
    }


# --------------------------------------------------------------------------- for whom
#: The group of suspects whose characteristic is missing: kept as a group of its own.
NOT_RECORDED = tables.NOT_RECORDED


def did_by_group(
    arrests: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    group: str = "age_band",
    outcome: str = "charged_pp",
    min_suspects: int = 10,
) -> pd.DataFrame:
    """The charge-rate difference-in-differences within each group of suspects, and a test.

    Each group (suspects whose value is blank or "not stated" form their own group,
    "not recorded", rather than being dropped) gets its own difference-in-differences.
    A group is not estimated when it has fewer than ``min_suspects`` Focus or
    comparison suspects, or fewer than ``min_suspects`` charges (events) in either
    arm: too few to estimate and possibly disclosive. The counts are returned as
    they are; publish them through :func:`analysis.evidence.disclosure.suppress`.
    The interaction test (``attrs["heterogeneity_p_value"]``) is Cochran's Q
    across the groups estimated: whether the effects differ by more than their
    intervals allow.

    Returns
    -------
    DataFrame
        One row per group: ``focus_suspects, comparison_suspects, focus_charges,
        comparison_charges, effect, ci_low, ci_high, p_value, note``.

    Examples
    --------
    >>> from analysis.synthetic.op_focus import generate
    >>> from analysis.programmes.op_focus.tables import vawg_arrests, suspect_profiles
    >>> data = generate(seed=3)
    >>> crimes, suspects = data.tables["crimes"], data.tables["suspects"]
    >>> arrests = vawg_arrests(crimes, suspects, pilot_start="2026-04-01",
    ...                        extract_date=data.extract_date)
    >>> profiles = suspect_profiles(suspects, crimes, arrests, pilot_start="2026-04-01")
    >>> table = did_by_group(arrests, comparison_pool(profiles, threshold=240))
    >>> "heterogeneity_p_value" in table.attrs
    True
    """
    from scipy import stats

    if group not in arrests.columns:
        raise ConfigError(
            f"did_by_group: no column '{group}' in the arrests; the suspects table carries "
            "age_band, and sex and ethnicity when the extract has them (optional columns)"
        )
    labels = tables.recorded_group(arrests[group])
    members = comparison["suspect_id"]
    rows = []
    for value in sorted(labels.unique()):
        within = arrests.loc[labels.eq(value).to_numpy()]
        sample = within.loc[within["suspect_id"].isin(members) & within["finalised"]]
        in_focus = sample["focus_flag"].astype(bool)
        charged = sample["charged"].eq(1)
        row = {
            group: value,
            "focus_suspects": sample.loc[in_focus, "suspect_id"].nunique(),
            "comparison_suspects": sample.loc[~in_focus, "suspect_id"].nunique(),
            "focus_charges": int((charged & in_focus).sum()),
            "comparison_charges": int((charged & ~in_focus).sum()),
        }
        smallest = min(row[c] for c in row if c != group)
        if smallest < min_suspects:
            row["note"] = f"suppressed: fewer than {min_suspects} suspects or charges in a group"
        else:
            try:
                result = arrest_did(within, comparison, outcome=outcome)
            except EstimationError as error:
                row["note"] = f"not estimable: {error}"
            else:
                row.update(
                    effect=result.effect,
                    ci_low=result.ci_low,
                    ci_high=result.ci_high,
                    p_value=result.p_value,
                    se=result.se,
                    note="",
                )
        rows.append(row)
    table = pd.DataFrame(rows).set_index(group)
    for column in ("effect", "ci_low", "ci_high", "p_value", "se"):
        if column not in table:
            table[column] = np.nan
    table = table[[*COUNT_COLUMNS, "effect", "ci_low", "ci_high", "p_value", "se", "note"]]
    estimated = table.dropna(subset=["effect", "se"])
    estimated = estimated.loc[estimated["se"] > 0]
    p_value = None
    if len(estimated) >= 2:
        weights = 1 / estimated["se"] ** 2
        pooled = np.sum(weights * estimated["effect"]) / np.sum(weights)
        q = float(np.sum(weights * (estimated["effect"] - pooled) ** 2))
        p_value = float(stats.chi2.sf(q, len(estimated) - 1))
    table = table.drop(columns="se")
    table.attrs["heterogeneity_p_value"] = p_value
    return table


#: The count columns of :func:`did_by_group` (suppressed before publishing).
COUNT_COLUMNS = ("focus_suspects", "comparison_suspects", "focus_charges", "comparison_charges")
