"""Never confidently wrong: lSaVI's headline in every synthetic world, against its planted truth.

Each seed draws one synthetic world (:data:`analysis.synthetic.lsavi.WORLDS`), rates the
headline exactly as the report does (:func:`~analysis.programmes.lsavi.findings.impact_headline`
with the analysis plan, then :func:`~analysis.evidence.demote_underpowered`) and records
whether its 95% interval covers the planted ATT and whether it is **confidently wrong**: the
interval misses the truth while the finding keeps SMS 3 or higher with no reason recorded
(no failed check, no demotion). The ratio-scale finding (Poisson ETWFE, a rate ratio
against its own planted truth) is studied beside it. The quick test runs a few seeds; the
slow study (``make validate``) writes ``benchmarks/results/coverage_worlds_lsavi.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.data.panels import last_complete_month
from analysis.evidence import Finding, demote_underpowered
from analysis.evidence.checks import standard_checks
from analysis.methods import mde
from analysis.programmes.lsavi import designs, tables
from analysis.programmes.lsavi.evaluation import Parameters, ratio_scale_or_reason
from analysis.programmes.lsavi.findings import (
    RATIO_QUESTION,
    analysis_plan,
    impact_headline,
    shared_checks,
)
from analysis.synthetic import generate
from analysis.synthetic import lsavi as world
from tests.programmes.coverage import summarise_worlds

RATIO_TRUTH_KEY = "att_violence_vulnerability_rate_ratio"
#: The ratio-scale design (Poisson extended two-way fixed effects), studied beside the
#: headline: where seasonality is proportional to each premises' level it is the design
#: whose parallel trends hold. Its finding is rated as the report rates it (a secondary
#: finding, shown beside the headline with the scale paragraph saying which scale the
#: pre-trend tests support). Measured over seeds 5000 to 5009 (coverage of the planted rate
#: ratio; confidently wrong): friendly 0.9, 0.1; heterogeneous effects 1.0, 0; unobserved
#: confounding 0.0, 0.1 (mean 0.58 against 0.81: the trait bends participants' own trends,
#: which no scale fixes; its checks lowered 9 of the 10); multiplicative seasonality 0.9,
#: 0.1 (mean error -0.004: it survives there); dip before sign-up 1.0, 0.
RATIO_ESTIMATE = "Poisson ETWFE rate ratio"

RESULTS = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_worlds_lsavi.csv"
)
TRUTH_KEY = "att_violence_vulnerability"
#: Seeds of the study, away from the quick test's and the report's (2026); ``WORLD_SEEDS``
#: sets how many.
STUDY_SEEDS = range(5000, 5000 + int(os.environ.get("WORLD_SEEDS", "20")))


def headline_in_world(name: str, seed: int, *, scale: float = 1.0) -> list[dict]:
    """The headline, its anticipation sensitivity and the ratio scale for one draw of ``name``."""
    synth = generate("lsavi", seed=seed, scale=scale, world=name)
    params = Parameters(bootstrap_draws=0)
    panel = tables.premises_month_panel(
        synth.tables["premises"],
        synth.tables["incidents"],
        start=params.panel_start,
        end=last_complete_month(synth.extract_date, params.recording_lag_days),
    )
    headline = designs.staggered_effect(panel, n_boot=0)
    anticipation = designs.staggered_effect(
        panel, n_boot=0, anticipation=params.anticipation_months
    )
    # The pieces of an Evaluation the headline's rating reads, computed as evaluate() does.
    evaluation = SimpleNamespace(
        params=params,
        headline=headline,
        headline_mde=mde(headline),
        placebo=designs.placebo_effect(
            panel, pilot_start=params.pilot_start, shift_months=params.placebo_shift_months
        ),
        theft=designs.staggered_effect(panel, outcome="theft", n_boot=0),
        pre_signup_shift=designs.pre_signup_shift(headline, window=params.anticipation_months),
        trend_sensitivity=designs.trend_sensitivity(headline, params.event_window_months),
    )
    (finding,) = demote_underpowered([impact_headline(evaluation, analysis_plan())])
    truth = synth.truth[TRUTH_KEY]
    rows = [ratio_scale_row(evaluation, panel, synth, name, seed)]
    for estimate_name, est in (
        ("staggered ATT (headline)", headline),
        ("anticipation", anticipation),
    ):
        covered = bool(est.ci_low <= truth <= est.ci_high)
        is_headline = estimate_name.endswith("(headline)")
        level = finding.sms_level if is_headline else None
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
                # Before the evidence rules the headline was SMS 3 by its design's label,
                # whatever the data showed: every miss was confidently wrong.
                "confidently_wrong_by_label": is_headline and not covered,
                "failed_checks": "; ".join(c.name for c in finding.checks if c.passed is False)
                if is_headline
                else "",
            }
        )
    return rows


def ratio_scale_row(evaluation, panel: pd.DataFrame, synth, name: str, seed: int) -> dict:
    """The ratio-scale finding, rated as ``findings.build_findings`` rates it, against its truth.

    Its checks are the report's (:func:`~analysis.programmes.lsavi.findings.design_checks`:
    its own pre-trend test and the panel's placebo and negative control). A fit that cannot
    be made is recorded as not estimable (the report then leaves the finding out).
    """
    ratio, reason = ratio_scale_or_reason(panel, leads=evaluation.params.event_window_months)
    truth = synth.truth[RATIO_TRUTH_KEY]
    row = {"world": name, "estimate": RATIO_ESTIMATE, "seed": seed, "truth": truth}
    if ratio is None:
        return {**row, "not_estimable": reason}
    finding = Finding(
        question=RATIO_QUESTION,
        estimate=ratio,
        design="staggered_difference_in_differences",
        truth=truth,
        mde=mde(ratio),
        label="Ratio scale: Poisson extended two-way fixed effects (rate ratio)",
        checks=(*standard_checks(ratio), *shared_checks(evaluation)),
    )
    covered = bool(ratio.ci_low <= truth <= ratio.ci_high)
    return {
        **row,
        "effect": ratio.effect,
        "ci_low": ratio.ci_low,
        "ci_high": ratio.ci_high,
        "covered": covered,
        "sms_level": finding.sms_level,
        "demoted": bool(finding.rating.reasons),
        "confidently_wrong": not covered and finding.sms_level >= 3 and not finding.rating.reasons,
        "confidently_wrong_by_label": not covered,
        "failed_checks": "; ".join(c.name for c in finding.checks if c.passed is False),
    }


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Coverage, bias and the confidently-wrong rate by world and estimate."""
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
    headline = friendly[friendly["estimate"] == "staggered ATT (headline)"]
    # 3 intervals at 95%: all three cover about 86% of the time, two or more 99.3%.
    assert headline["covered"].sum() >= 2, headline
    assert not headline["confidently_wrong"].any()
    for name in world.WORLDS:
        if name == world.FRIENDLY:
            continue
        rows = pd.DataFrame(headline_in_world(name, 7, scale=0.5))
        assert set(rows["estimate"]) == {
            "staggered ATT (headline)",
            "anticipation",
            RATIO_ESTIMATE,
        }
        assert rows["sms_level"].dropna().between(1, 3).all()


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
    headline = summary[summary["estimate"] == "staggered ATT (headline)"].set_index("world")
    assert 0.88 <= headline.loc[world.FRIENDLY, "coverage"] <= 0.99
    assert (headline["confidently_wrong"] <= 0.05).all(), headline
    # The ratio scale survives the world built against the count scale's parallel trends.
    ratio = summary[summary["estimate"] == RATIO_ESTIMATE].set_index("world")
    assert ratio.loc["multiplicative_seasonality", "coverage"] >= 0.75, ratio
