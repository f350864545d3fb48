"""Soteria: the headline interval covers the planted truth about 95 times in 100."""

from __future__ import annotations

import pytest

from analysis.programmes.soteria import designs, tables
from analysis.synthetic import generate
from analysis.synthetic.soteria import DEFAULT_EFFECTS


def _coverage(seeds: range) -> dict[str, float]:
    adoption = DEFAULT_EFFECTS["adoption_date"]
    hits = {"charge_cif_difference": 0, "withdrawal_cif_difference": 0, "team_did_charge": 0}
    for seed in seeds:
        synth = generate("soteria", seed=seed, scale=1.0)
        ends = tables.crime_ends(synth.tables["crimes"], synth.extract_date, adoption)
        adult = tables.adult_rape(ends)
        estimates = {
            "charge_cif_difference": designs.before_after_cif(adult, "charge", 365),
            "withdrawal_cif_difference": designs.before_after_cif(adult, "withdrawal", 365),
            "team_did_charge": designs.team_difference_in_differences(adult, 365).estimate,
        }
        for key, estimate in estimates.items():
            hits[key] += estimate.ci_low <= synth.truth[key] <= estimate.ci_high
    return {key: value / len(seeds) for key, value in hits.items()}


def test_headline_coverage_quick():
    coverage = _coverage(range(30))
    # 30 seeds: 95% coverage gives 26 or more covered with probability about 0.98.
    for key, rate in coverage.items():
        assert 26 / 30 <= rate <= 1.0, (key, rate)


@pytest.mark.slow
def test_headline_coverage_full():
    coverage = _coverage(range(100, 400))
    for key, rate in coverage.items():
        assert 0.92 <= rate <= 0.98, (key, rate)
