"""Never confidently wrong: the Combating Drugs Partnership's headline in every synthetic world.

Each seed draws one world (:data:`analysis.synthetic.combating_drugs.WORLDS`), rates the
headline exactly as the report does (:func:`~analysis.programmes.combating_drugs.findings.
comparison_finding` with the analysis plan, then :func:`~analysis.evidence.demote_underpowered`)
and records whether its 95% interval covers the planted ratio of adults in treatment and
whether it is **confidently wrong**: the interval misses the truth while the finding keeps
SMS 3 or higher with no reason recorded. The quick test runs a few seeds; the slow study
writes ``benchmarks/results/coverage_worlds_combating_drugs.csv``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.data.contracts.combating_drugs import PARTNERSHIP_AREAS
from analysis.evidence import demote_underpowered
from analysis.programmes.combating_drugs import designs, tables
from analysis.programmes.combating_drugs.evaluation import indicator_comparison
from analysis.programmes.combating_drugs.findings import analysis_plan, comparison_finding
from analysis.synthetic import combating_drugs as world
from analysis.synthetic import generate
from tests.programmes.coverage import summarise_worlds

RESULTS = (
    Path(__file__).resolve().parents[2]
    / "benchmarks"
    / "results"
    / "coverage_worlds_combating_drugs.csv"
)
TRUTH_KEY = "treatment_rate_ratio"
#: Seeds of the study, away from the quick test's and the report's (2026).
STUDY_SEEDS = range(5000, 5040)


def headline_in_world(name: str, seed: int) -> list[dict]:
    """The headline, rated as the report rates it, and the own-trend reading, for one draw."""
    synth = generate("combating_drugs", seed=seed, world=name)
    truth = synth.truth[TRUTH_KEY]
    indicators = synth.tables["indicators"]
    comparison = indicator_comparison(
        indicators,
        "adults_in_treatment",
        list(PARTNERSHIP_AREAS),
        list(world.COMPARATOR_CODES),
        world.FUNDING_START,
    )
    own = designs.own_trend_change(
        tables.partnership_series(indicators, "adults_in_treatment", list(PARTNERSHIP_AREAS)),
        world.FUNDING_START,
    )
    plan = analysis_plan()
    # The one part of an Evaluation the finding reads: its planted truth.
    evaluation = SimpleNamespace(planted=lambda key: truth if key == TRUTH_KEY else None)
    (finding,) = demote_underpowered(
        [comparison_finding(evaluation, comparison, headline=True, expected=plan.expected_effect)]
    )
    rows = []
    for estimate_name, est in (("comparative ITS (headline)", finding.estimate),
                               ("own trend (SMS 2)", own)):  # fmt: skip
        covered = bool(est.ci_low <= truth <= est.ci_high)
        is_headline = estimate_name.endswith("(headline)")
        level = finding.sms_level if is_headline else 2
        rows.append(
            {
                "world": name,
                "estimate": estimate_name,
                "seed": seed,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "truth": truth,
                "covered": covered,
                "sms_level": level,
                "demoted": bool(finding.headline_note) if is_headline else None,
                "confidently_wrong": (
                    is_headline and not covered and level >= 3 and not finding.headline_note
                ),
                # Rated by its design's label alone (SMS 3 whatever the checks), every miss
                # of the headline would be.
                "confidently_wrong_by_label": is_headline and not covered,
                "failed_checks": "; ".join(c.name for c in finding.checks if c.passed is False)
                if is_headline
                else "",
            }
        )
    return rows


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Coverage and the confidently-wrong rate by world."""
    return summarise_worlds(
        results,
        {
            "confidently_wrong": "confidently_wrong",
            "confidently_wrong_by_label": "confidently_wrong_by_label",
            "mean_sms_level": "sms_level",
        },
    )


def test_friendly_world_covers_and_every_world_runs():
    friendly = pd.DataFrame(
        [row for seed in range(3) for row in headline_in_world(world.FRIENDLY, seed)]
    )
    headline = friendly[friendly["estimate"] == "comparative ITS (headline)"]
    assert headline["covered"].sum() >= 2, friendly
    assert not friendly["confidently_wrong"].any()
    for name in list(world.WORLDS)[1:]:
        row = headline_in_world(name, 7)[0]
        assert 1 <= row["sms_level"] <= 3
        assert not row["confidently_wrong"], row


@pytest.mark.slow
def test_no_world_is_confidently_wrong_in_more_than_one_run_in_twenty():
    results = pd.DataFrame(
        [
            row
            for name in world.WORLDS
            for seed in STUDY_SEEDS
            for row in headline_in_world(name, seed)
        ]
    )
    summary = summarise(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary.to_csv(RESULTS, index=False, float_format="%.6g")
    headline = summary[summary["estimate"] == "comparative ITS (headline)"].set_index("world")
    assert 0.88 <= headline.loc[world.FRIENDLY, "coverage"] <= 1.0
    assert (headline["confidently_wrong"] <= 0.05).all(), headline
