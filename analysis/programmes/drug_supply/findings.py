"""Operation Viper and Operation Scorpion: the questions, the headline, truths, caveats.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the findings the
report lists and ``findings.json`` records. Ratings are earned: Scorpion's stacked event
study carries its pre-trend test; Viper's comparisons carry a fake-start placebo and
criminal damage as a negative-control outcome (a force-wide change at Viper's start, such
as a recording change, moves it too). Drug and weapons-possession offences are findings
about **activity**: they rise when enforcement finds them, so they are reported in their
own family and never as outcomes. The placebo and the negative control are checks with no
evidence level; secondary findings are adjusted (Holm) within the analysis plan's families
(``analysis_plan:`` in ``config/drug_supply.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...evidence import Finding, adjust_families, demote_underpowered
from ...evidence.checks import negative_control_check, placebo_check, standard_checks
from ...evidence.plan import AnalysisPlan, programme_plan
from ...evidence.sms import Check
from ...methods import mde
from .evaluation import harms_averted
from .narrative import value_for_money_paragraph

if TYPE_CHECKING:
    from .evaluation import Evaluation

# ----------------------------------------------------------------------------- questions
SCORPION_QUESTION = (
    "Did harms (violence and acquisitive crime) fall in neighbourhoods targeted by "
    "Scorpion's surge weeks?"
)
SELECTION_QUESTION = f"{SCORPION_QUESTION} (keeping the weeks just before each surge)"
ALL_CONTROLS_QUESTION = f"{SCORPION_QUESTION} (neighbouring areas as controls)"
BEFORE_AFTER_QUESTION = f"{SCORPION_QUESTION} (naive before/after)"
SCORPION_DRUGS_QUESTION = (
    "How many more drug offences were recorded where Scorpion ran? (activity, not an outcome)"
)
VIPER_QUESTIONS = {
    "violence": "Did violence (police.uk violence and sexual offences) fall after Viper began?",
    "acquisitive": "Did acquisitive crime fall after Viper began?",
    "weapons": (
        "How did recorded possession of weapons change after Viper began? (activity, not an "
        "outcome)"
    ),
    "drugs": "How did recorded drug offences change after Viper began? (activity, not an outcome)",
}
NEGATIVE_CONTROL_QUESTION = (
    "Negative control: did criminal damage and arson (not targeted by Viper) change at its start?"
)
PLACEBO_QUESTION = "Placebo: is there a Viper 'effect' on violence at a fake start a year earlier?"
DISPLACEMENT_QUESTION = (
    "Did harm move to the streets around Scorpion's targets (displacement) or fall there too "
    "(diffusion of benefits)?"
)
HEADLINE_QUESTION = SCORPION_QUESTION

# ----------------------------------------------------------------------------- truth keys
TRUTH_KEYS = {
    "scorpion": "scorpion_harm_att",
    "scorpion_drugs": "scorpion_drug_att",
    "violence": "viper_violence_rate_ratio",
    "acquisitive": "viper_acquisitive_rate_ratio",
    "weapons": "viper_weapons_rate_ratio",
    "drugs": "viper_drugs_rate_ratio",
    "criminal_damage": "viper_negative_control_rate_ratio",
    "displacement": "weighted_displacement_quotient",
}

#: The name of each planned finding's outcome in the analysis plan.
PLAN_OUTCOMES = {
    "scorpion": "scorpion_harms",
    "selection": "scorpion_harms_selection_weeks_kept",
    "all_controls": "scorpion_harms_neighbours_as_controls",
    "before_after": "scorpion_harms_before_after",
    "scorpion_drugs": "scorpion_drug_offences",
    "violence_its": "viper_violence_its",
    "violence_sc": "viper_violence_synthetic_control",
    "acquisitive_its": "viper_acquisitive_its",
    "acquisitive_sc": "viper_acquisitive_synthetic_control",
    "weapons_its": "viper_weapons_possession",
    "drugs_its": "viper_drug_offences",
    "displacement": "displacement_quotient",
}

# ----------------------------------------------------------------------------- caveats
WEEKLY_DATA = (
    "Weekly counts from the force's dated crime extract: police.uk publishes months only, "
    "too coarse for one-week surges."
)
MONTHLY_DATA = (
    "Monthly police.uk counts for Dorset and the comparison forces (published data anyone "
    "can download)."
)
VIOLENCE_PROXY = (
    "police.uk has no 'violence with injury' category: 'Violence and sexual offences' is the "
    "closest public one and also holds violence without injury, harassment and sexual "
    "offences, so a change in violence with injury is diluted in it."
)
ACTIVITY_CAVEAT = (
    "Drug and weapons-possession offences are mostly found by the police, not reported by "
    "victims: they rise when enforcement works. This is a measure of activity, not of harm, "
    "and a rise is not a failure."
)
SCORPION_CAVEATS = (
    WEEKLY_DATA,
    "Each surge is compared with neighbourhoods that had no surge in its window and are not "
    "in the buffer ring around its targets; the weeks just before each surge are left out, "
    "in case the targets were chosen for a recent spike.",
)
SELECTION_CAVEAT = (
    "Keeps the weeks just before each surge: if targets were chosen because harms had just "
    "spiked, the fall back (regression to the mean) is credited to the surge.",
)
ALL_CONTROLS_CAVEAT = (
    "Uses neighbouring neighbourhoods as controls: harm displaced into them makes the surge "
    "look better than it was; diffusion of benefits, worse.",
)
BEFORE_AFTER_CAVEAT = (
    "No comparison group (SMS 1): season, other operations and the fall back from any spike "
    "that led to the targeting are all read as the surge's effect.",
)
VIPER_CAVEATS = (
    MONTHLY_DATA,
    "Viper is force-wide: its comparison is other forces, which had their own operations "
    "(the County Lines Programme ran nationally), so this is Viper against business as "
    "usual elsewhere, not against no enforcement.",
)
SC_CAVEAT = (
    "Synthetic control on log monthly counts, each force's pre-Viper mean removed; "
    "conformal interval.",
)
DISPLACEMENT_CAVEATS = (
    WEEKLY_DATA,
    "Weighted displacement quotient (Bowers and Johnson 2003) pooled over the rounds; "
    "delta-method interval treating the area counts as Poisson, which understates the "
    "uncertainty where counts are overdispersed.",
)
MANAGEMENT_INFORMATION = (
    "The operations log is management information, not official statistics: outputs are "
    "self-reported by the teams, and the County Lines Programme's definitions of a 'line "
    "closed' (type 1 line holder charged; type 2 phone deactivated) have changed over time."
)


def planted_truth(
    truth: Mapping[str, Any] | None, params: Any, viper_start: Any, name: str
) -> float | None:
    """The planted truth of finding ``name``, when the settings are the generator's.

    The truth holds only for the generator's windows, buffer and Viper start, and only on
    its own tables (no police.uk source); otherwise, and on real data (``truth`` None or
    empty), there is none.

    Examples
    --------
    >>> from analysis.programmes.drug_supply.evaluation import Parameters
    >>> planted_truth(None, Parameters(), "2024-10-01", "scorpion") is None
    True
    """
    if not truth:
        return None
    import pandas as pd

    from ...synthetic import drug_supply as world

    matches = (
        params.surge_pre_weeks == world.PRE_WEEKS
        and params.selection_weeks == world.SELECTION_WEEKS
        and params.surge_post_weeks == world.POST_WEEKS
        and float(params.buffer_km) == world.BUFFER_KM
        and pd.Timestamp(viper_start) == world.VIPER_START
        and not params.police_uk_source
    )
    value = truth.get(TRUTH_KEYS[name])
    return float(value) if matches and value is not None else None


def _truth(evaluation: Evaluation, name: str) -> float | None:
    """The planted truth, when the data are synthetic and the windows are the generator's."""
    data = evaluation.data
    truth = data.truth if data.synthetic else None
    return planted_truth(truth, evaluation.params, evaluation.viper_start, name)


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The analysis plan (the ``analysis_plan:`` block of ``config/drug_supply.yaml``).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.family_of("viper_drug_offences")
    ('scorpion_harms', 'activity (not outcomes)')
    """
    return programme_plan("drug_supply", path)


def viper_checks(evaluation: Evaluation) -> tuple[Check, Check]:
    """Viper's checks: the fake-start placebo and criminal damage as a negative control."""
    what = f"fake Viper start {evaluation.params.placebo_months} months earlier"
    placebo = (
        Check(what, None, "too few months before the fake start to fit it")
        if evaluation.placebo is None
        else placebo_check(evaluation.placebo, what=what)
    )
    return (
        placebo,
        negative_control_check(
            evaluation.viper["criminal_damage"].its,
            what="criminal damage and arson (not targeted by Viper)",
        ),
    )


def scorpion_headline(
    evaluation: Evaluation, plan: AnalysisPlan, truth: float | None = None
) -> Finding:
    """The headline finding, with its checks and expected effect, not yet demoted.

    The coverage study over the synthetic worlds rates the headline with this function.
    """
    given = evaluation.params.expected_effect
    return Finding(
        question=SCORPION_QUESTION,
        estimate=evaluation.scorpion,
        design="event_study",
        headline=True,
        truth=truth,
        mde=mde(evaluation.scorpion),
        expected_effect=float(given) if given else plan.expected_effect,
        label="Harms per targeted neighbourhood-week (stacked event study)",
        caveats=SCORPION_CAVEATS,
        checks=standard_checks(evaluation.scorpion),
    )


def viper_findings(
    evaluation: Evaluation, family: Mapping[str, str], truth: Mapping[str, float | None]
) -> list[Finding]:
    """Viper's findings: comparative time series for each group, synthetic control for outcomes."""
    checks = viper_checks(evaluation)
    found = []
    for group in ("violence", "acquisitive", "weapons", "drugs"):
        result = evaluation.viper[group]
        activity = group in ("weapons", "drugs")
        caveats = (*VIPER_CAVEATS, *((ACTIVITY_CAVEAT,) if activity else ()))
        if group == "violence":
            caveats = (*caveats, VIOLENCE_PROXY)
        found.append(
            Finding(
                question=VIPER_QUESTIONS[group],
                estimate=result.its,
                design="difference_in_differences",
                truth=truth[group],
                mde=mde(result.its),
                label=f"Viper, {group}: Dorset against other forces (comparative time series)",
                caveats=caveats,
                checks=checks,
                family=family[f"{group}_its"],
            )
        )
        if not activity and result.synthetic_control is not None:
            found.append(
                Finding(
                    question=f"{VIPER_QUESTIONS[group]} (synthetic control)",
                    estimate=result.synthetic_control,
                    design="difference_in_differences",
                    truth=truth[group],
                    mde=mde(result.synthetic_control),
                    label=f"Viper, {group}: Dorset against its synthetic control",
                    caveats=(*caveats, *SC_CAVEAT),
                    checks=checks,
                    family=family[f"{group}_sc"],
                )
            )
    return found


def build_findings(evaluation: Evaluation, plan: AnalysisPlan | None = None) -> list[Finding]:
    """The findings of an evaluation, the headline first, ratings earned.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.drug_supply.evaluation import evaluate
    >>> built = build_findings(evaluate(load("drug_supply", seed=4, scale=0.5)))
    >>> built[0].question == HEADLINE_QUESTION, built[0].design
    (True, 'event_study')
    """
    plan = plan or analysis_plan()
    family = {name: plan.family_of(outcome) for name, outcome in PLAN_OUTCOMES.items()}
    truth = {name: _truth(evaluation, name) for name in TRUTH_KEYS}
    findings = [
        scorpion_headline(evaluation, plan, truth["scorpion"]),
        Finding(
            question=SELECTION_QUESTION,
            estimate=evaluation.scorpion_with_selection,
            design="event_study",
            truth=truth["scorpion"],
            mde=mde(evaluation.scorpion_with_selection),
            label="Harms, the weeks just before each surge kept",
            caveats=SELECTION_CAVEAT,
            checks=standard_checks(evaluation.scorpion_with_selection),
            family=family["selection"],
        ),
        Finding(
            question=ALL_CONTROLS_QUESTION,
            estimate=evaluation.scorpion_all_controls,
            design="event_study",
            truth=truth["scorpion"],
            mde=mde(evaluation.scorpion_all_controls),
            label="Harms, neighbouring areas as controls",
            caveats=ALL_CONTROLS_CAVEAT,
            checks=standard_checks(evaluation.scorpion_all_controls),
            family=family["all_controls"],
        ),
        Finding(
            question=BEFORE_AFTER_QUESTION,
            estimate=evaluation.scorpion_before_after,
            design="before_after",
            truth=truth["scorpion"],
            label="Harms, targeted neighbourhoods before/after (naive)",
            caveats=BEFORE_AFTER_CAVEAT,
            family=family["before_after"],
        ),
        Finding(
            question=SCORPION_DRUGS_QUESTION,
            estimate=evaluation.scorpion_drugs,
            design="event_study",
            truth=truth["scorpion_drugs"],
            mde=mde(evaluation.scorpion_drugs),
            label="Drug offences per targeted neighbourhood-week (activity)",
            caveats=(WEEKLY_DATA, ACTIVITY_CAVEAT),
            checks=standard_checks(evaluation.scorpion_drugs),
            family=family["scorpion_drugs"],
        ),
        *viper_findings(evaluation, family, truth),
        Finding(
            question=NEGATIVE_CONTROL_QUESTION,
            estimate=evaluation.viper["criminal_damage"].its,
            design="difference_in_differences",
            truth=truth["criminal_damage"],
            label="Criminal damage and arson (negative control: should not change)",
            role="check",
        ),
        *(
            []
            if evaluation.placebo is None
            else [
                Finding(
                    question=PLACEBO_QUESTION,
                    estimate=evaluation.placebo,
                    design="difference_in_differences",
                    truth=1.0 if truth["violence"] is not None else None,
                    label="Violence at a fake Viper start (placebo: should not change)",
                    role="check",
                )
            ]
        ),
        Finding(
            question=DISPLACEMENT_QUESTION,
            estimate=evaluation.displacement,
            design="before_after_with_comparison",
            truth=truth["displacement"],
            label="Weighted displacement quotient (above 0 diffusion, below 0 displacement)",
            caveats=DISPLACEMENT_CAVEATS,
            family=family["displacement"],
            extra={
                "total_net_effect": evaluation.displacement.diagnostics["total_net_effect"],
            },
        ),
    ]
    return adjust_families(demote_underpowered(findings))


def viper_outcome_findings(findings: list[Finding]) -> list[Finding]:
    """Viper's violence and acquisitive findings (both designs), in the report's order."""
    return [f for f in findings if f.label.startswith(("Viper, violence", "Viper, acquisitive"))]


def viper_activity_findings(findings: list[Finding]) -> list[Finding]:
    """Viper's findings about enforcement activity (drug and weapons-possession offences)."""
    return [f for f in findings if ACTIVITY_CAVEAT in f.caveats and f.label.startswith("Viper")]


def value_for_money_record(evaluation: Evaluation) -> dict[str, Any]:
    """The ``value_for_money`` block of findings.json, for the scorecard.

    No cost of the operations is confirmed, so no benefit-cost ratio is published: the
    block says so (the scorecard shows "Cost not confirmed") with the report's sentence.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from analysis.results import Estimate
    >>> est = Estimate(-3.0, -4.0, -2.0, 0.001, 48, "difference", "m", "e",
    ...                diagnostics={"n_treated_units": 24})
    >>> from analysis.programmes.drug_supply.evaluation import Parameters
    >>> record = value_for_money_record(SimpleNamespace(params=Parameters(), scorpion=est))
    >>> record["overall"]["cost_confirmed"], record["overall"]["benefit_cost_ratio"]
    (False, 'cost not confirmed')
    """
    params = evaluation.params
    sentence = value_for_money_paragraph(evaluation, harms_averted(evaluation)).replace("**", "")
    confirmed = bool(params.cost_confirmed and params.programme_cost_gbp and params.cost_source)
    overall = {
        "label": "Operation Scorpion surge weeks",
        "cost_confirmed": confirmed,
        "cost_gbp": float(params.programme_cost_gbp) or None,
        "cost_source": params.cost_source,
        "benefit_cost_ratio": "cost not confirmed" if not confirmed else "not estimated",
        "verdict": sentence,
    }
    return {"components": [], "overall": overall, "headline": sentence}
