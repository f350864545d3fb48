"""Never confidently wrong: the serious violence estimates in every synthetic world.

Each seed draws one world (:data:`analysis.synthetic.serious_violence.WORLDS`) and rates the
estimates as the report does: the headline (knife crime, synthetic control) with
:func:`~analysis.programmes.serious_violence.findings.headline_finding` and
:func:`~analysis.evidence.demote_underpowered`, the knife crime time series with its checks,
and the hot spots. For each it records whether the 95% interval covers the planted truth and
whether the headline is **confidently wrong**: the interval misses the truth while the finding
keeps SMS 3 or higher with no reason recorded (no failed check, no demotion). The quick test
runs a few seeds; the slow study writes ``benchmarks/results/coverage_worlds_serious_violence.csv``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.evidence import Finding, demote_underpowered
from analysis.programmes.serious_violence import designs, findings, tables
from analysis.programmes.serious_violence.evaluation import OFFENCES, Parameters, _change
from analysis.synthetic import generate
from analysis.synthetic import serious_violence as world
from tests.programmes.coverage import summarise_worlds

RESULTS = (
    Path(__file__).resolve().parents[2]
    / "benchmarks"
    / "results"
    / "coverage_worlds_serious_violence.csv"
)
#: Seeds of the study, away from the quick test's and the report's (2026).
STUDY_SEEDS = range(7000, 7020)


def _row(name, estimate_name, seed, est, truth, finding=None):
    covered = bool(est.ci_low <= truth <= est.ci_high)
    level = finding.sms_level if finding is not None else None
    reasons = finding.headline_note if finding is not None else ""
    failed = [c.name for c in finding.checks if c.passed is False] if finding else []
    return {
        "world": name,
        "estimate": estimate_name,
        "seed": seed,
        "effect": est.effect,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "truth": truth,
        "covered": covered,
        "sms_level": level,
        "demoted": bool(reasons) if finding is not None else None,
        "confidently_wrong": bool(
            finding is not None and not covered and level >= 3 and not reasons and not failed
        ),
        "failed_checks": "; ".join(failed),
    }


def estimates_in_world(name: str, seed: int, *, scale: float = 1.0) -> list[dict]:
    """The headline, the knife time series and the hot spots for one draw of world ``name``."""
    synth = generate("serious_violence", seed=seed, scale=scale, world=name)
    data, truth = synth.tables, synth.truth
    params = Parameters(bootstrap_draws=200)
    duty = pd.Timestamp(params.duty_start)
    panel = tables.quarterly_panel(
        data["recorded_crime"], data["comparison_areas"], OFFENCES["knife"][0]
    )
    knife = _change(
        "knife", OFFENCES["knife"][1], panel, count="offences", time="quarter", duty=duty,
        harmonics=1, police_recorded=True,
    )  # fmt: skip
    violence = tables.quarterly_panel(
        data["recorded_crime"], data["comparison_areas"], OFFENCES["violence_with_injury"][0]
    )
    assault = tables.admissions_panel(
        data["hospital_admissions"], data["comparison_areas"], params.assault_indicator, "All ages"
    )
    recording = designs.recording_shift(tables.recording_ratio(violence, assault, 2023))
    # The pieces of an Evaluation the ratings read, computed as evaluate() does.
    evaluation = SimpleNamespace(params=params, changes={"knife": knife}, recording=recording)
    (headline,) = demote_underpowered(
        [findings.headline_finding(evaluation, findings.analysis_plan())]
    )
    its_finding = Finding(
        "knife time series",
        knife.its,
        "interrupted_time_series",
        checks=findings.its_checks(knife, recording),
    )
    counts = tables.lsoa_year_counts(data["street_crimes"], data["lsoas"])
    hot = designs.hotspot_change(
        counts, selection_year=2022, follow_year=2023, share=0.05, draws=200, seed=seed
    )
    hot_finding = Finding("hot spots", hot.adjusted, "before_after_with_comparison")
    return [
        _row(name, "knife synthetic control (headline)", seed, knife.synthetic_control,
             truth["sc_knife_gap_per_100k"], headline),
        _row(name, "knife time series", seed, knife.its, truth["its_knife_rate_ratio"],
             its_finding),
        _row(name, "hot spots, net of regression to the mean", seed, hot.adjusted,
             truth["hotspot_rate_ratio"], hot_finding),
        _row(name, "hot spots, naive", seed, hot.naive, truth["hotspot_rate_ratio"]),
    ]  # fmt: skip


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Coverage, the confidently-wrong rate and mean SMS level by world and estimate."""
    return summarise_worlds(
        results,
        {
            "confidently_wrong": "confidently_wrong",
            "mean_sms_level": "sms_level",
            "demoted": "demoted",
        },
    )


def test_friendly_world_covers_and_every_world_runs():
    friendly = pd.DataFrame(
        [row for seed in range(3) for row in estimates_in_world(world.FRIENDLY, seed)]
    )
    headline = friendly[friendly["estimate"] == "knife synthetic control (headline)"]
    # 3 intervals at 95%: two or more cover 99.3% of the time.
    assert headline["covered"].sum() >= 2, headline
    assert not friendly["confidently_wrong"].any()
    for name in world.WORLDS:
        if name == world.FRIENDLY:
            continue
        rows = pd.DataFrame(estimates_in_world(name, 11, scale=0.5))
        assert len(rows) == 4
        assert rows["sms_level"].dropna().between(1, 3).all()


def test_the_recording_world_fails_the_recording_check():
    rows = pd.DataFrame(estimates_in_world("recording_change", 4, scale=0.5))
    headline = rows[rows["estimate"] == "knife synthetic control (headline)"].iloc[0]
    assert "police recording steady" in headline["failed_checks"]
    assert headline["sms_level"] <= 2


@pytest.mark.slow
def test_no_world_is_confidently_wrong_in_more_than_one_run_in_twenty():
    results = pd.DataFrame(
        [
            row
            for name in world.WORLDS
            for seed in STUDY_SEEDS
            for row in estimates_in_world(name, seed)
        ]
    )
    summary = summarise(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary.to_csv(RESULTS, index=False, float_format="%.6g")
    headline = summary[summary["estimate"] == "knife synthetic control (headline)"].set_index(
        "world"
    )
    assert 0.85 <= headline.loc[world.FRIENDLY, "coverage"] <= 1.0
    assert (summary["confidently_wrong"] <= 0.05).all(), summary
    hot = summary[summary["estimate"] == "hot spots, net of regression to the mean"]
    assert (hot["coverage"] >= 0.85).all(), hot
