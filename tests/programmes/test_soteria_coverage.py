"""Planted truth: do the Op Soteria Bluestone estimates' intervals cover what the world planted?

Each seed generates a Dorset-scale synthetic extract and 43-force outcomes table, runs the
report's estimators with their default settings and checks each 95% interval against the
exact value of its estimand in the generating process (the friendly world). The quick test
uses a handful of seeds; the slow study (run by ``make validate``) uses many and writes
``benchmarks/results/coverage_soteria.csv``. The hostile worlds are in
``test_soteria_worlds.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data import load_reference
from analysis.programmes.soteria import designs, tables
from analysis.synthetic import generate
from analysis.synthetic import soteria as world
from tests.programmes.coverage import write_coverage_summary

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "coverage_soteria.csv"
ADOPTION = pd.Timestamp(world.DEFAULT_EFFECTS["adoption_date"])
FOLLOWUP = world.DEFAULT_EFFECTS["followup_days"]


def estimates_for_seed(seed: int) -> pd.DataFrame:
    """Every finding's estimate and truth for one synthetic extract (report defaults)."""
    synth = generate("soteria", seed=seed)
    adult = tables.adult_rape(
        tables.crime_ends(synth.tables["crimes"], synth.extract_date, ADOPTION)
    )
    forces = designs.across_forces(
        synth.tables["force_outcomes"], load_reference("soteria_adoption"), ADOPTION
    )
    charge = designs.before_after_cif(adult, "charge", FOLLOWUP)
    rows = [
        ("charge CIF, after - before (headline)", charge, "charge_cif_difference"),
        ("cause-specific hazard ratio of charge", designs.charge_hazard_ratio(adult),
         "charge_hazard_ratio"),
        ("withdrawal CIF, after - before", designs.before_after_cif(adult, "withdrawal", FOLLOWUP),
         "withdrawal_cif_difference"),
        ("specialist team DiD", designs.team_difference_in_differences(adult, FOLLOWUP).estimate,
         "team_did_charge"),
        ("staggered DiD, earlier waves", forces.staggered, "national_charge_difference"),
    ]  # fmt: skip
    return pd.DataFrame(
        [
            {
                "seed": seed,
                "estimate": name,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "truth": synth.truth[key],
                "covered": bool(est.ci_low <= synth.truth[key] <= est.ci_high),
            }
            for name, est, key in rows
        ]
    )


def test_coverage_quick():
    results = pd.concat([estimates_for_seed(seed) for seed in range(5)], ignore_index=True)
    covered = results.groupby("estimate", sort=False)["covered"].sum()
    # Five 95% intervals: four or more cover with probability 0.977.
    assert (covered >= 4).all(), results


@pytest.mark.slow
def test_coverage_full():
    results = pd.concat([estimates_for_seed(seed) for seed in range(7000, 7100)], ignore_index=True)
    summary = write_coverage_summary(results, RESULTS).set_index("estimate")
    # 100 seeds: 95% coverage falls between 0.89 and 0.99 with probability about 0.99.
    assert summary["coverage"].between(0.88, 1.0).all(), summary
