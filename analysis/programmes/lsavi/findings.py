"""lSaVI's findings: the evaluation questions, the headline, the planted truths and caveats.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the
findings the report tabulates and ``findings.json`` records, in the report's
order. On synthetic data each finding carries the value the generator planted
(:data:`TRUTH_KEYS`), when the analysis settings match the generator's own.

Ratings are earned: the headline and the other impact designs carry the checks
their data allow (the event study's pre-trend test, a shift in incidents just
before sign-up, the placebo dates, theft as a negative-control outcome), and
each failed one lowers the SMS level with its reason. The placebo and theft
estimates are checks with no evidence level; secondary findings are adjusted
for multiple testing within the families of the analysis plan
(``analysis_plan:`` in ``config/lsavi.yaml``), whose expected effect decides
whether the headline's design could detect it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ...data.panels import last_complete_month
from ...errors import ConfigError
from ...evidence import Finding, adjust_families, demote_underpowered
from ...evidence.checks import negative_control_check, placebo_check, standard_checks
from ...evidence.plan import AnalysisPlan, programme_plan
from ...evidence.sms import Check
from ...results import Estimate, format_number, format_p_value

if TYPE_CHECKING:
    from .evaluation import Evaluation

logger = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- questions
UPTAKE_QUESTION = "How many licensed premises signed up to lSaVI during the pilot?"
#: The headline question; the naive and two-way fixed-effects findings answer it too.
IMPACT_QUESTION = "Did violence and vulnerability incidents fall at participating premises?"
NAIVE_QUESTION = f"{IMPACT_QUESTION} (naive comparison)"
TWFE_QUESTION = f"{IMPACT_QUESTION} (two-way fixed effects)"
PLACEBO_QUESTION = "Placebo: is there an 'effect' at fake sign-up dates before the pilot?"
#: The sensitivity question, by the comparison group the check uses.
SENSITIVITY_QUESTIONS = {
    "not_yet": "Does the headline hold with premises not yet signed up as comparisons?",
    "never": "Does the headline hold with only never-signed-up premises as comparisons?",
}
THEFT_QUESTION = "Did theft incidents (not targeted by the tool) change?"
RATIO_QUESTION = f"{IMPACT_QUESTION} (ratio scale)"
ANTICIPATION_QUESTION = (
    "Does the headline hold when the months just before sign-up are left out of the comparison?"
)
ITS_QUESTION = "Did night-time-economy violence fall across the county after the pilot began?"
SCORE_CHANGE_QUESTION = "Did participating premises' self-assessment scores rise?"
BY_SCORE_QUESTION = (
    "Do premises with low first self-assessment scores have more incidents? (descriptive)"
)

#: The finding shown on the scorecard.
HEADLINE_QUESTION = IMPACT_QUESTION

# ----------------------------------------------------------------------------- truth keys
#: The synthetic generator's truth for each finding (see ``analysis.synthetic.lsavi``).
TRUTH_KEYS = {
    "uptake": "uptake_proportion",
    "naive": "att_violence_vulnerability_rate_ratio",
    "headline": "att_violence_vulnerability",
    "twfe": "att_violence_vulnerability",
    "placebo": "placebo_att_violence_vulnerability",
    "sensitivity": "att_violence_vulnerability",
    "anticipation": "att_violence_vulnerability",
    "ratio": "att_violence_vulnerability_rate_ratio",
    "theft": "att_theft",
    "its": "its_nte_violence_rate_ratio",
    "score_change": "score_change",
    "by_score": "incidents_by_score_rate_ratio",
}

# ----------------------------------------------------------------------------- caveats
UPTAKE_CAVEATS = ("Descriptive: who chose to take part, not an effect.",)
NAIVE_CAVEATS = ("Biased by selection: riskier premises signed up.",)
HEADLINE_CAVEATS = (
    "Participants chose to sign up; the design removes fixed differences between "
    "premises but not differences in how their incidents would have changed.",
)
TWFE_CAVEATS = (
    "Uses premises that signed up earlier as controls for later ones; biased when the "
    "effect grows with time since sign-up.",
)
ITS_CAVEATS = (
    "A step model for an effect that built up as premises joined through the year.",
    "Anything else that changed when the pilot began is attributed to it.",
)
SCORE_CHANGE_CAVEATS = (
    "Before/after of participants only: practice at the questionnaire and keener "
    "premises staying on would also raise scores.",
)
BY_SCORE_CAVEATS = ("Descriptive association only: not an effect of the score or of the tool.",)

#: The name of each planned finding's outcome in the analysis plan (``config/lsavi.yaml``).
PLAN_OUTCOMES = {
    "headline": "violence_vulnerability",
    "naive": "violence_vulnerability_naive",
    "twfe": "violence_vulnerability_twfe",
    "sensitivity": "violence_vulnerability_other_comparison",
    "anticipation": "violence_vulnerability_anticipation",
    "ratio": "violence_vulnerability_ratio",
    "its": "county_nte_violence",
    "score_change": "self_assessment_score",
    "by_score": "incidents_by_first_score",
}

#: Designs that estimate no effect of the tool: left out of the forest plot of impact estimates.
NOT_IMPACT_DESIGNS = ("descriptive", "before_after")


def planted_truth(
    truth: Mapping[str, float] | None,
    key: str,
    *,
    panel_start: str | pd.Timestamp,
    panel_end: str | pd.Timestamp,
    pilot_start: str | pd.Timestamp,
    score_threshold: float,
) -> float | None:
    """The synthetic world's truth for ``key``, if the analysis settings match its definition.

    The synthetic generator computes each truth for its own evaluation window,
    pilot start and score threshold (see :data:`analysis.synthetic.lsavi.TRUTH_DEFINITIONS`);
    an analysis run with other settings estimates something else, so no truth is
    shown rather than a misleading one.

    Examples
    --------
    >>> planted_truth({"att_theft": 0.0}, "att_theft", panel_start="2023-04-01",
    ...               panel_end="2026-06-01", pilot_start="2025-04-01", score_threshold=60)
    0.0
    >>> planted_truth({"att_theft": 0.0}, "att_theft", panel_start="2023-04-01",
    ...               panel_end="2026-05-01", pilot_start="2025-04-01", score_threshold=60) is None
    True
    """
    from ...synthetic import lsavi as world

    if not truth or key not in truth:
        return None
    generator_end = last_complete_month(world.EXTRACT_DATE, world.MAX_RECORDING_LAG_DAYS)
    matches = (
        pd.Timestamp(panel_start) <= world.PILOT_START
        and pd.Timestamp(panel_end) == generator_end
        and pd.Timestamp(pilot_start) == world.PILOT_START
        and float(score_threshold) == world.SCORE_THRESHOLD
    )
    if not matches:
        logger.info(
            "planted truth '%s' not shown: analysis settings differ from the generator's", key
        )
        return None
    return float(truth[key])


def truths(evaluation: Evaluation) -> dict[str, float | None]:
    """The planted truth of each finding (by :data:`TRUTH_KEYS`' names); None on real data."""
    params = evaluation.params
    return {
        name: planted_truth(
            evaluation.data.truth,
            key,
            panel_start=params.panel_start,
            panel_end=evaluation.panel_end,
            pilot_start=params.pilot_start,
            score_threshold=params.low_score_threshold,
        )
        for name, key in TRUTH_KEYS.items()
    }


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The analysis plan of lSaVI (the ``analysis_plan:`` block of ``config/lsavi.yaml``).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.family_of("county_nte_violence")
    ('violence_vulnerability', 'county and practice')
    """
    return programme_plan("lsavi", path)


def pre_signup_check(shift: Estimate) -> Check:
    """The check that incidents did not shift just before sign-up (Ashenfelter's dip).

    Fails when the lead contrast (:func:`.designs.pre_signup_shift`) excludes no
    shift: the month before sign-up is then a poor base for the headline.

    Examples
    --------
    >>> spike = Estimate(0.12, 0.05, 0.19, 0.001, 900, "difference", "m", "e",
    ...                  diagnostics={"window": 3})
    >>> pre_signup_check(spike).passed
    False
    """
    window = shift.diagnostics.get("window", "the")
    reference = shift.diagnostics.get("reference", "")
    direction = "higher" if shift.effect > 0 else "lower"
    found = (
        f"incidents were {direction} in the {window} months before sign-up than earlier"
        if shift.significant
        else "no clear shift"
    )
    return Check(
        "no shift in incidents just before sign-up",
        not shift.significant,
        f"{window} months before sign-up against the {reference} before them: "
        f"{format_number(shift.effect)} incidents per premises-month "
        f"({shift.conf_level:.0%} CI {format_number(shift.ci_low)} to "
        f"{format_number(shift.ci_high)}), p {_p_words(shift.p_value)}: {found}",
    )


def _p_words(p_value: float) -> str:
    text = format_p_value(p_value)
    return text if text.startswith("<") else f"= {text}"


def shared_checks(evaluation: Evaluation) -> tuple[Check, Check]:
    """The placebo dates and theft (a negative control): checks of every premises design."""
    shift = evaluation.params.placebo_shift_months
    return (
        placebo_check(evaluation.placebo, what=f"placebo sign-up {shift} months earlier"),
        negative_control_check(evaluation.theft, what="theft incidents (not targeted)"),
    )


def headline_checks(evaluation: Evaluation) -> tuple[Check, ...]:
    """The headline's checks: its pre-trend test, a shift just before sign-up, the shared two."""
    return (
        *standard_checks(evaluation.headline),
        pre_signup_check(evaluation.pre_signup_shift),
        *shared_checks(evaluation),
    )


def design_checks(evaluation: Evaluation) -> dict[str, tuple[Check, ...]]:
    """The checks each premises-level design carries, by finding name.

    The headline: :func:`headline_checks`. The other staggered and fixed-effects
    estimates share the panel's placebo and negative control, and their own
    pre-trend test where they have one (two-way fixed effects borrows the
    headline's: it rests on the same parallel trends). The ratio scale has none
    when it could not be estimated.
    """
    shared = shared_checks(evaluation)
    checks = {
        "headline": headline_checks(evaluation),
        "twfe": (*standard_checks(evaluation.headline), *shared),
        "sensitivity": (*standard_checks(evaluation.sensitivity), *shared),
        "anticipation": (*standard_checks(evaluation.anticipation), *shared),
    }
    if evaluation.ratio_scale is not None:
        checks["ratio"] = (*standard_checks(evaluation.ratio_scale), *shared)
    return checks


def impact_headline(
    evaluation: Evaluation, plan: AnalysisPlan, truth: float | None = None
) -> Finding:
    """The headline finding (staggered DiD) with its checks and expected effect, not yet demoted.

    The coverage study over the synthetic worlds rates the headline with this same
    function, so what it measures is what the report shows.
    """
    return Finding(
        question=IMPACT_QUESTION,
        estimate=evaluation.headline,
        design="staggered_difference_in_differences",
        headline=True,
        truth=truth,
        mde=evaluation.headline_mde,
        expected_effect=expected_effect(evaluation, plan),
        label="Violence and vulnerability incidents per premises-month (staggered DiD)",
        caveats=HEADLINE_CAVEATS,
        checks=headline_checks(evaluation),
        extra={"trend_sensitivity": dict(evaluation.trend_sensitivity)},
    )


def expected_effect(evaluation: Evaluation, plan: AnalysisPlan) -> float | None:
    """The headline's expected effect: the ``expected_effect`` parameter, else the plan's."""
    given = evaluation.params.expected_effect
    return float(given) if given else plan.expected_effect


def build_findings(evaluation: Evaluation, plan: AnalysisPlan | None = None) -> list[Finding]:
    """The lSaVI findings, in the order the report tabulates them, ratings earned.

    Parameters
    ----------
    evaluation : Evaluation
    plan : AnalysisPlan, optional
        Default: :func:`analysis_plan` (``config/lsavi.yaml``).

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.lsavi.evaluation import Parameters, evaluate
    >>> data = load("lsavi", source="synthetic", seed=3, scale=0.5)
    >>> findings = build_findings(evaluate(data, Parameters(bootstrap_draws=0)))
    >>> len(findings), [f.question for f in findings if f.role == "check"] == [
    ...     PLACEBO_QUESTION, THEFT_QUESTION]
    (12, True)
    """
    plan = plan or analysis_plan()
    params = evaluation.params
    truth = truths(evaluation)
    checks = design_checks(evaluation)
    shift = params.placebo_shift_months
    family = {name: plan.family_of(outcome) for name, outcome in PLAN_OUTCOMES.items()}
    # The ratio scale is left out when its Poisson fit could not be made: the scale
    # paragraph says why (:func:`.narrative.scale_paragraph`), and no number stands in.
    ratio_scale = (
        []
        if evaluation.ratio_scale is None
        else [
            Finding(
                question=RATIO_QUESTION,
                estimate=evaluation.ratio_scale,
                design="staggered_difference_in_differences",
                truth=truth["ratio"],
                mde=evaluation.ratio_scale_mde,
                label="Ratio scale: Poisson extended two-way fixed effects (rate ratio)",
                checks=checks["ratio"],
                family=family["ratio"],
            )
        ]
    )
    findings = [
        Finding(
            question=UPTAKE_QUESTION,
            estimate=evaluation.uptake,
            design="descriptive",
            truth=truth["uptake"],
            label="Uptake: share of premises signed up",
            caveats=UPTAKE_CAVEATS,
        ),
        Finding(
            question=NAIVE_QUESTION,
            estimate=evaluation.naive,
            design="naive_comparison",
            truth=truth["naive"],
            mde=evaluation.naive_mde,
            label="Naive: participants vs non-participants (rate ratio)",
            caveats=NAIVE_CAVEATS,
            family=family["naive"],
        ),
        impact_headline(evaluation, plan, truth["headline"]),
        Finding(
            question=TWFE_QUESTION,
            estimate=evaluation.twfe,
            design="difference_in_differences",
            truth=truth["twfe"],
            mde=evaluation.twfe_mde,
            label="Two-way fixed effects (biased under staggered sign-up)",
            caveats=TWFE_CAVEATS,
            checks=checks["twfe"],
            family=family["twfe"],
        ),
        Finding(
            question=PLACEBO_QUESTION,
            estimate=evaluation.placebo,
            design="staggered_difference_in_differences",
            truth=truth["placebo"],
            mde=evaluation.placebo_mde,
            label=f"Placebo: sign-up {shift} months earlier (should be zero)",
            role="check",
        ),
        Finding(
            question=SENSITIVITY_QUESTIONS[params.sensitivity_group],
            estimate=evaluation.sensitivity,
            design="staggered_difference_in_differences",
            truth=truth["sensitivity"],
            mde=evaluation.sensitivity_mde,
            label=f"Sensitivity: comparison group '{params.sensitivity_group}'",
            checks=checks["sensitivity"],
            family=family["sensitivity"],
        ),
        Finding(
            question=ANTICIPATION_QUESTION,
            estimate=evaluation.anticipation,
            design="staggered_difference_in_differences",
            truth=truth["anticipation"],
            mde=evaluation.anticipation_mde,
            label=(f"Sensitivity: the {params.anticipation_months} months before sign-up left out"),
            checks=checks["anticipation"],
            family=family["anticipation"],
        ),
        *ratio_scale,
        Finding(
            question=THEFT_QUESTION,
            estimate=evaluation.theft,
            design="staggered_difference_in_differences",
            truth=truth["theft"],
            mde=evaluation.theft_mde,
            label="Theft incidents (not targeted: should show no change)",
            role="check",
        ),
        Finding(
            question=ITS_QUESTION,
            estimate=evaluation.its,
            design="interrupted_time_series",
            truth=truth["its"],
            mde=evaluation.its_mde,
            label="County NTE violence (interrupted time series)",
            caveats=ITS_CAVEATS,
            family=family["its"],
        ),
        Finding(
            question=SCORE_CHANGE_QUESTION,
            estimate=evaluation.score_change,
            design="before_after",
            truth=truth["score_change"],
            label="Self-assessment score, first to latest (before/after)",
            caveats=SCORE_CHANGE_CAVEATS,
            family=family["score_change"],
        ),
        Finding(
            question=BY_SCORE_QUESTION,
            estimate=evaluation.by_score,
            design="descriptive",
            truth=truth["by_score"],
            label=(
                f"Incidents, first score below {params.low_score_threshold:g} vs above "
                "(descriptive)"
            ),
            caveats=BY_SCORE_CAVEATS,
            family=family["by_score"],
        ),
    ]
    return adjust_families(demote_underpowered(findings))


def headline_finding(findings: Sequence[Finding]) -> Finding:
    """The finding answering the headline question (kept when demoted for want of power).

    Examples
    --------
    >>> est = Estimate(-0.1, -0.2, 0.0, 0.05, 10, "difference", "m", "e")
    >>> headline_finding([Finding(HEADLINE_QUESTION, est, "descriptive")]).question[:24]
    'Did violence and vulnera'
    """
    for finding in findings:
        if finding.question == HEADLINE_QUESTION:
            return finding
    raise ConfigError(f"no finding answers the headline question {HEADLINE_QUESTION!r}")


def impact_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that estimate an effect of the tool (for the forest plot).

    Examples
    --------
    >>> from analysis.results import Estimate
    >>> est = Estimate(0.1, 0.0, 0.2, 0.05, 10, "difference", "m", "e")
    >>> kept = impact_findings(
    ...     [Finding("q1", est, "descriptive"), Finding("q2", est, "interrupted_time_series")]
    ... )
    >>> [f.question for f in kept]
    ['q2']
    """
    return [f for f in findings if f.design not in NOT_IMPACT_DESIGNS]
