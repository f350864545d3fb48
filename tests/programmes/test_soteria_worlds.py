"""Never confidently wrong: Soteria's headline and across-forces finding in every synthetic world.

Each seed draws one synthetic world (:data:`analysis.synthetic.soteria.WORLDS`) and rates the
before/after headline exactly as the report does (its checks from
:func:`~analysis.programmes.soteria.findings.headline_checks`, then
:func:`~analysis.programmes.soteria.findings.demote_if_checks_fail`), and the across-forces
staggered difference-in-differences with its checks. A finding is **confidently wrong** when
its 95% interval misses the planted truth (Soteria's own effect, in every world) while it
carries no failed check and no demotion: a reader would have no warning. The headline is a
before/after comparison (SMS 1) whatever happens, so its rating cannot fall further: what
protects the reader is the demotion, with its reason. The quick test runs a few seeds; the
slow study (``make validate``) writes ``benchmarks/results/coverage_worlds_soteria.csv``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.data import load_reference
from analysis.evidence import Finding
from analysis.evidence.checks import placebo_check
from analysis.evidence.sms import Check
from analysis.programmes.soteria import designs, tables
from analysis.programmes.soteria.findings import demote_if_checks_fail, headline_checks
from analysis.synthetic import generate
from analysis.synthetic import soteria as world
from tests.programmes.coverage import summarise_worlds

RESULTS = (
    Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_worlds_soteria.csv"
)
#: Seeds of the study, away from the quick test's and the report's (2026).
STUDY_SEEDS = range(6000, 6020)
ADOPTION = pd.Timestamp(world.DEFAULT_EFFECTS["adoption_date"])
FOLLOWUP = world.DEFAULT_EFFECTS["followup_days"]


def findings_in_world(name: str, seed: int, *, scale: float = 1.0) -> list[dict]:
    """The headline and the across-forces estimate for one draw of world ``name``."""
    synth = generate("soteria", seed=seed, scale=scale, world=name)
    crimes = synth.tables["crimes"]
    adult = tables.adult_rape(tables.crime_ends(crimes, synth.extract_date, ADOPTION))
    charge = designs.before_after_cif(adult, "charge", FOLLOWUP)
    forces = designs.across_forces(
        synth.tables["force_outcomes"], load_reference("soteria_adoption"), ADOPTION
    )
    # The pieces of an Evaluation the headline's checks read, computed as evaluate() does.
    evaluation = SimpleNamespace(
        charge=charge,
        forces=forces,
        placebo_early=designs.placebo_a_year_early(adult, ADOPTION, FOLLOWUP),
        reports_step=designs.reports_step(crimes, ADOPTION, synth.extract_date),
    )
    headline = demote_if_checks_fail(
        Finding(
            "headline", charge, "before_after", headline=True, checks=headline_checks(evaluation)
        )
    )
    staggered = forces.staggered
    across_checks = (
        placebo_check(forces.dip, what="no dip before adoption"),
        Check(
            "robust to a year's anticipation",
            bool(forces.anticipation.ci_low <= staggered.effect <= forces.anticipation.ci_high),
            "",
        ),
    )
    rows = []
    for estimate_name, est, truth, checks, demoted in (
        (
            "before/after (headline)",
            charge,
            synth.truth["charge_cif_difference"],
            headline.checks,
            bool(headline.headline_note),
        ),
        (
            "staggered DiD, earlier waves",
            staggered,
            synth.truth["national_charge_difference"],
            across_checks,
            False,
        ),
    ):
        covered = bool(est.ci_low <= truth <= est.ci_high)
        failed = [check.name for check in checks if check.passed is False]
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
                "warned": demoted or bool(failed),
                "confidently_wrong": not covered and not demoted and not failed,
                # Before the checks every miss went out unqualified.
                "confidently_wrong_without_checks": not covered,
                "failed_checks": "; ".join(failed),
            }
        )
    return rows


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Coverage, warnings and the confidently-wrong rate by world and estimate."""
    return summarise_worlds(
        results,
        {
            "warned": "warned",
            "confidently_wrong": "confidently_wrong",
            "confidently_wrong_without_checks": "confidently_wrong_without_checks",
        },
    )


def test_each_hostile_world_is_caught_and_the_friendly_world_covers():
    friendly = pd.DataFrame(
        [row for seed in range(3) for row in findings_in_world(world.FRIENDLY, seed)]
    )
    headline = friendly[friendly["estimate"] == "before/after (headline)"]
    assert headline["covered"].sum() >= 2, headline
    assert not headline["confidently_wrong"].any()
    expected_check = {
        "national_shift": "no national change at adoption",
        "worst_first": "placebo adoption a year early",
        "recording_change": "no change in recording at adoption",
    }
    for name, check in expected_check.items():
        rows = pd.DataFrame(findings_in_world(name, 7))
        hostile = rows[rows["estimate"] == "before/after (headline)"].iloc[0]
        assert check in hostile["failed_checks"], (name, hostile.to_dict())
        assert not hostile["confidently_wrong"]


@pytest.mark.slow
def test_the_headline_is_confidently_wrong_in_at_most_one_run_in_twenty_in_any_world():
    results = pd.DataFrame(
        [
            row
            for name in world.WORLDS
            for seed in STUDY_SEEDS
            for row in findings_in_world(name, seed)
        ]
    )
    summary = summarise(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary.to_csv(RESULTS, index=False, float_format="%.6g")
    headline = summary[summary["estimate"] == "before/after (headline)"].set_index("world")
    assert headline.loc[world.FRIENDLY, "coverage"] >= 0.85
    assert (headline["confidently_wrong"] <= 0.05).all(), headline
