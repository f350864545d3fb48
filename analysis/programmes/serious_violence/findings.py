"""Serious violence: the questions, the headline, the planted truths, caveats and checks.

:func:`build_findings` turns an :class:`~.evaluation.Evaluation` into the findings the report
tabulates and ``findings.json`` records. Ratings are earned: every design carries the
checks its data allow, and a failed one lowers the SMS level with its reason:

- the synthetic control (SMS 3): the same design at a fictitious Duty two years early
  (placebo) and, for police-recorded outcomes, the recording check (police-recorded violence
  per hospital admission for assault should not move when only violence changes);
- the interrupted time series (SMS 2): the same placebo, the comparison forces' own series
  (a change there at the Duty is not Dorset's) and the recording check.

Placebo, comparison and recording estimates are also listed as checks (no evidence level).
Secondary findings are adjusted for multiple testing within the families of the analysis
plan (``analysis_plan:`` in ``config/serious_violence.yaml``), whose expected effect decides
whether the headline could detect it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import ConfigError
from ...evidence import Finding, adjust_families, demote_underpowered
from ...evidence.checks import negative_control_check, placebo_check
from ...evidence.plan import AnalysisPlan, programme_plan
from ...evidence.sms import Check
from ...methods import mde
from ...results import Estimate, format_number, format_p_value

if TYPE_CHECKING:
    from .evaluation import DutyChange, Evaluation

#: The headline question, written down before the data.
HEADLINE_QUESTION = (
    "Did knife crime in Dorset fall after the Serious Violence Duty, against similar forces "
    "without a Violence Reduction Unit?"
)
#: Each outcome's questions: name -> (synthetic control question, time series question).
DUTY_QUESTIONS = {
    "knife": (
        HEADLINE_QUESTION,
        "Did knife crime in Dorset change after the Duty, against its own trend?",
    ),
    "violence_with_injury": (
        "Did violence with injury in Dorset fall after the Duty, against similar forces?",
        "Did violence with injury in Dorset change after the Duty, against its own trend?",
    ),
    "homicide": (
        "Did homicide in Dorset fall after the Duty, against similar forces?",
        "Did homicide in Dorset change after the Duty, against its own trend?",
    ),
    "admissions": (
        "Did hospital admissions for sharp-object assault fall after the Duty, against similar "
        "forces?",
        "Did hospital admissions for sharp-object assault change after the Duty, against "
        "their own trend?",
    ),
}
ED_QUESTION = "Did assault attendances at Dorset's emergency departments change after the Duty?"
HOTSPOT_QUESTION = (
    "Did violence fall in the hot spots chosen on the year before the Duty, beyond the county?"
)
HOTSPOT_NAIVE_QUESTION = f"{HOTSPOT_QUESTION} (naive before/after)"
RECORDING_QUESTION = (
    "Check: did police recording of violence change (police-recorded violence per hospital "
    "admission for assault)?"
)

#: Outcomes a change in crime recording moves (an audit rarely changes how homicide is
#: recorded, and hospital admissions do not depend on police recording at all).
RECORDING_SENSITIVE = ("knife", "violence_with_injury")

#: The synthetic world's truth of each finding (see ``analysis.synthetic.serious_violence``).
TRUTH_KEYS = {
    "sc_knife": "sc_knife_gap_per_100k",
    "its_knife": "its_knife_rate_ratio",
    "sc_violence_with_injury": "sc_violence_with_injury_gap_per_100k",
    "its_violence_with_injury": "its_violence_with_injury_rate_ratio",
    "sc_homicide": "sc_homicide_gap_per_100k",
    "its_homicide": "its_homicide_rate_ratio",
    "sc_admissions": "sc_admissions_gap_per_100k",
    "its_admissions": "its_admissions_rate_ratio",
    "ed": "its_ed_rate_ratio",
    "hotspot": "hotspot_rate_ratio",
    "hotspot_naive": "hotspot_rate_ratio",
    "placebo": "placebo_knife_gap_per_100k",
    "comparison": "comparison_knife_rate_ratio",
    "recording": "recording_ratio",
}
#: Each finding's outcome name in the analysis plan.
PLAN_OUTCOMES = {
    "sc_knife": "knife_synthetic_control",
    "its_knife": "knife_time_series",
    "sc_violence_with_injury": "violence_with_injury_synthetic_control",
    "its_violence_with_injury": "violence_with_injury_time_series",
    "sc_homicide": "homicide_synthetic_control",
    "its_homicide": "homicide_time_series",
    "sc_admissions": "admissions_synthetic_control",
    "its_admissions": "admissions_time_series",
    "ed": "ed_attendances_time_series",
    "hotspot": "hotspots_net_of_regression",
    "hotspot_naive": "hotspots_naive",
}

SYNTHETIC_CONTROL_CAVEATS = (
    "Every force had the Duty: the comparison shows what Dorset did differently from similar "
    "forces without a VRU, not what the Duty did nationally.",
    "Synthetic difference-in-differences: the comparison forces are weighted to run parallel "
    "to Dorset before the Duty.",
)
ITS_CAVEATS = (
    "No comparison: anything else that changed in January 2023 (national trends, recording, "
    "other programmes) is read as the Duty.",
)
POLICE_CAVEAT = "Police-recorded: moves with recording practice as well as with violence."
HOMICIDE_CAVEAT = (
    "Dorset records a handful of homicides a year: no design can tell a change of a few "
    "from chance."
)
HOTSPOT_CAVEATS = (
    "Hot spots chosen on one year's counts are partly chosen for chance highs; the estimate "
    "measures them against earlier years the choice did not see.",
)
HOTSPOT_NAIVE_CAVEATS = (
    "Biased by regression to the mean: areas chosen for a high year fall back with no change "
    "at all.",
)


def truths(evaluation: Evaluation) -> dict[str, float | None]:
    """Each finding's planted truth (None on real data or when the settings differ).

    The generator plants its truths for the Duty in January 2023, hot spots chosen on 2022
    and followed to 2023, and the top 5%; other settings estimate something else, so no
    truth is shown rather than a misleading one.
    """
    from ...synthetic import serious_violence as world

    data = evaluation.data
    params = evaluation.params
    matches = (
        pd_timestamp(params.duty_start) == world.DUTY_START
        and params.hotspot_selection_year == world.HOTSPOT_SELECTION_YEAR
        and params.hotspot_follow_year == world.HOTSPOT_SELECTION_YEAR + 1
        and params.hotspot_share == world.HOTSPOT_SHARE
        and not params.police_uk_source
        and not params.fingertips_source
        and not params.home_office_source
    )
    if not (data.synthetic and data.truth and matches):
        return dict.fromkeys(TRUTH_KEYS)
    return {name: data.truth.get(key) for name, key in TRUTH_KEYS.items()}


def pd_timestamp(value: str):
    """``value`` as a pandas Timestamp (imported here so the scorecard need not load pandas)."""
    import pandas as pd

    return pd.Timestamp(value)


def analysis_plan(path: str | Path | None = None) -> AnalysisPlan:
    """The analysis plan (the ``analysis_plan:`` block of ``config/serious_violence.yaml``).

    Examples
    --------
    >>> plan = analysis_plan()
    >>> plan.outcome, plan.expected_effect
    ('knife_synthetic_control', -1.15)
    """
    return programme_plan("serious_violence", path)


def recording_check(recording: Estimate) -> Check:
    """Police recording steady: police-recorded violence per hospital admission did not shift.

    Examples
    --------
    >>> shift = Estimate(1.25, 1.12, 1.40, 0.001, 8, "ratio", "m", "e")
    >>> recording_check(shift).passed
    False
    """
    if recording.significant:
        direction = "more" if recording.effect > 1 else "less"
        found = (
            f"Dorset's police now record {direction} violence per hospital admission than "
            "before, against the comparison forces: a recording change, not only violence"
        )
    else:
        found = "no clear shift"
    return Check(
        "police recording steady (violence per hospital admission)",
        not recording.significant,
        f"ratio after over before {format_number(recording.effect)} (95% CI "
        f"{format_number(recording.ci_low)} to {format_number(recording.ci_high)}), p "
        f"{_p_words(recording.p_value)}: {found}",
    )


def _p_words(p_value: float | None) -> str:
    if p_value is None:
        return "not available"
    text = format_p_value(p_value)
    return text if text.startswith("<") else f"= {text}"


#: Fewest events a period in Dorset for the synthetic control's placebo standard errors:
#: with fewer, the comparison forces' noise is not Dorset's, and in the synthetic worlds the
#: homicide intervals covered their truth three times in four.
MIN_EVENTS_PER_PERIOD = 10


def events_check(change: DutyChange) -> Check:
    """Enough events a period in Dorset for the comparison forces' spread to stand for its own.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> panel = pd_frame({"force": ["Dorset"] * 4, "offences": [1, 2, 0, 3]})
    >>> events_check(SimpleNamespace(panel=panel)).passed
    False
    """
    panel = change.panel
    count = "offences" if "offences" in panel else "admissions"
    mean = float(panel.loc[panel["force"] == "Dorset", count].mean())
    return Check(
        f"at least {MIN_EVENTS_PER_PERIOD} events a period in Dorset",
        mean >= MIN_EVENTS_PER_PERIOD,
        f"Dorset averages {mean:.1f} a period"
        + ("" if mean >= MIN_EVENTS_PER_PERIOD else ": too few for the placebo standard errors"),
    )


def pd_frame(columns: dict):
    """A pandas DataFrame (imported here so the scorecard need not load pandas)."""
    import pandas as pd

    return pd.DataFrame(columns)


def synthetic_control_checks(change: DutyChange, recording: Estimate) -> tuple[Check, ...]:
    """The synthetic control's checks: placebo date, events, and recording for police outcomes."""
    checks = [
        placebo_check(
            change.synthetic_control_placebo, what="the same design at a fictitious earlier Duty"
        ),
        events_check(change),
    ]
    if change.name in RECORDING_SENSITIVE:
        checks.append(recording_check(recording))
    return tuple(checks)


def its_checks(change: DutyChange, recording: Estimate) -> tuple[Check, ...]:
    """The time series' checks: placebo date, the comparison forces' own step, recording."""
    checks = [
        placebo_check(change.its_placebo, what="the same series at a fictitious earlier Duty"),
        events_check(change),
        negative_control_check(
            change.comparison_its,
            what="the comparison forces' own series at the Duty (a change there is not Dorset's)",
        ),
    ]
    if change.name in RECORDING_SENSITIVE:
        checks.append(recording_check(recording))
    return tuple(checks)


def expected_effect(evaluation: Evaluation, plan: AnalysisPlan) -> float | None:
    """The headline's expected effect: the ``expected_effect`` parameter, else the plan's."""
    given = evaluation.params.expected_effect
    return float(given) if given else plan.expected_effect


def headline_finding(
    evaluation: Evaluation, plan: AnalysisPlan, truth: float | None = None
) -> Finding:
    """The headline (knife crime, synthetic control) with its checks, not yet demoted.

    The coverage study rates the headline with this same function, so what it measures is
    what the report shows.
    """
    change = evaluation.changes["knife"]
    return Finding(
        question=HEADLINE_QUESTION,
        estimate=change.synthetic_control,
        design="synthetic_control",
        headline=True,
        truth=truth,
        mde=mde(change.synthetic_control),
        expected_effect=expected_effect(evaluation, plan),
        label="Knife crime per 100,000 a quarter, Dorset against synthetic control",
        caveats=(*SYNTHETIC_CONTROL_CAVEATS, POLICE_CAVEAT),
        checks=synthetic_control_checks(change, evaluation.recording),
    )


def _duty_findings(
    evaluation: Evaluation, truth: dict, family: dict, plan: AnalysisPlan
) -> list[Finding]:
    findings = []
    for name, change in evaluation.changes.items():
        sc_question, its_question = DUTY_QUESTIONS[name]
        extra_caveats = (POLICE_CAVEAT,) if change.police_recorded else ()
        if name == "homicide":
            extra_caveats = (*extra_caveats, HOMICIDE_CAVEAT)
        if name == "knife":
            findings.append(headline_finding(evaluation, plan, truth["sc_knife"]))
        else:
            findings.append(
                Finding(
                    question=sc_question,
                    estimate=change.synthetic_control,
                    design="synthetic_control",
                    truth=truth[f"sc_{name}"],
                    mde=mde(change.synthetic_control),
                    label=f"{change.label.capitalize()} per 100,000, against synthetic control",
                    caveats=(*SYNTHETIC_CONTROL_CAVEATS, *extra_caveats),
                    checks=synthetic_control_checks(change, evaluation.recording),
                    family=family[f"sc_{name}"],
                )
            )
        findings.append(
            Finding(
                question=its_question,
                estimate=change.its,
                design="interrupted_time_series",
                truth=truth[f"its_{name}"],
                mde=mde(change.its),
                label=f"{change.label.capitalize()}, step at the Duty (rate ratio)",
                caveats=(*ITS_CAVEATS, *extra_caveats),
                checks=its_checks(change, evaluation.recording),
                family=family[f"its_{name}"],
            )
        )
    return findings


def _check_findings(evaluation: Evaluation, truth: dict) -> list[Finding]:
    knife = evaluation.changes["knife"]
    return [
        Finding(
            question="Placebo: does the knife crime synthetic control find a change at a "
            "fictitious Duty two years early?",
            estimate=knife.synthetic_control_placebo,
            design="synthetic_control",
            truth=truth["placebo"],
            label="Placebo: knife crime, fictitious Duty (should be zero)",
            role="check",
        ),
        Finding(
            question="Check: did knife crime change at the Duty in the comparison forces too?",
            estimate=knife.comparison_its,
            design="interrupted_time_series",
            truth=truth["comparison"],
            label="Comparison forces' own step at the Duty (should be none)",
            role="check",
        ),
        Finding(
            question=RECORDING_QUESTION,
            estimate=evaluation.recording,
            design="before_after_with_comparison",
            truth=truth["recording"],
            label="Police-recorded violence per hospital admission, after over before",
            role="check",
        ),
    ]


def build_findings(evaluation: Evaluation, plan: AnalysisPlan | None = None) -> list[Finding]:
    """The serious violence findings, the headline first, ratings earned.

    Examples
    --------
    >>> from analysis.data import load
    >>> from analysis.programmes.serious_violence.evaluation import Parameters, evaluate
    >>> data = load("serious_violence", source="synthetic", seed=3, scale=0.5)
    >>> built = build_findings(evaluate(data, Parameters(bootstrap_draws=50)))
    >>> built[0].question == HEADLINE_QUESTION, built[0].design
    (True, 'synthetic_control')
    """
    plan = plan or analysis_plan()
    truth = truths(evaluation)
    family = {name: plan.family_of(outcome) for name, outcome in PLAN_OUTCOMES.items()}
    findings = _duty_findings(evaluation, truth, family, plan)
    if evaluation.ed_its is not None:
        findings.append(
            Finding(
                question=ED_QUESTION,
                estimate=evaluation.ed_its,
                design="interrupted_time_series",
                truth=truth["ed"],
                mde=mde(evaluation.ed_its),
                label="Emergency department assault attendances, step at the Duty",
                caveats=ITS_CAVEATS,
                family=family["ed"],
            )
        )
    hotspots = evaluation.hotspots
    findings += [
        Finding(
            question=HOTSPOT_QUESTION,
            estimate=hotspots.adjusted,
            design="before_after_with_comparison",
            truth=truth["hotspot"],
            mde=mde(hotspots.adjusted),
            label="Hot spots against the rest of the county, net of regression to the mean",
            caveats=HOTSPOT_CAVEATS,
            family=family["hotspot"],
        ),
        Finding(
            question=HOTSPOT_NAIVE_QUESTION,
            estimate=hotspots.naive,
            design="before_after",
            truth=truth["hotspot_naive"],
            mde=mde(hotspots.naive),
            label="Hot spots, naive before/after from the year they were chosen on",
            caveats=HOTSPOT_NAIVE_CAVEATS,
            family=family["hotspot_naive"],
        ),
        *_check_findings(evaluation, truth),
    ]
    return adjust_families(demote_underpowered(findings))


def headline_of(findings: list[Finding]) -> Finding:
    """The finding answering the headline question (kept when demoted for want of power)."""
    for finding in findings:
        if finding.question == HEADLINE_QUESTION:
            return finding
    raise ConfigError(f"no finding answers the headline question {HEADLINE_QUESTION!r}")
