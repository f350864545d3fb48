"""Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service): evaluate, build_findings and every narrative branch, without a kernel."""

import pytest

from analysis.data import load
from analysis.evidence import Finding
from analysis.methods import compare_proportions
from analysis.programmes.victim_services import findings, narrative
from analysis.programmes.victim_services.evaluation import Parameters, evaluate
from analysis.synthetic import generate


@pytest.fixture(scope="module")
def evaluation():
    return evaluate(load("victim_services", source="synthetic", seed=3, scale=1.0), Parameters())


def test_evaluate_counts_everyone_once(evaluation):
    assert evaluation.counts["people"].sum() == len(evaluation.data["participants"])
    assert evaluation.difference.scale == "percentage points"


def test_build_findings_puts_the_headline_first_with_its_truth_and_mde(evaluation):
    built = findings.build_findings(evaluation)
    assert built[0].headline and built[0].question == findings.QUESTION
    assert built[0].truth == generate("victim_services", seed=3).truth[findings.TRUTH_KEY]
    assert built[0].mde > 0


def test_the_interval_covers_the_planted_effect_about_95_times_in_100():
    from analysis.programmes.victim_services.designs import outcome_difference
    from analysis.programmes.victim_services.tables import group_counts

    seeds = range(200)
    covered = 0
    for seed in seeds:
        synth = generate("victim_services", seed=seed, scale=1.0)
        estimate = outcome_difference(group_counts(synth.tables["participants"]))
        covered += estimate.ci_low <= synth.truth[findings.TRUTH_KEY] <= estimate.ci_high
    assert 0.90 <= covered / len(seeds) <= 0.99


@pytest.mark.parametrize(
    "counts, words",
    [
        ((20, 100, 40, 100), "less often"),
        ((40, 100, 20, 100), "more often"),
        ((30, 100, 31, 100), "No clear difference"),
    ],
)
def test_headline_says_what_the_interval_shows(counts, words):
    assert words in narrative.headline(compare_proportions(*counts), 1)


@pytest.mark.parametrize("truth, words", [(-20.0, "covers"), (30.0, "misses"), (None, "")])
def test_truth_check_covers_misses_or_stays_silent(truth, words):
    estimate = compare_proportions(20, 100, 40, 100)
    finding = Finding(question="q", estimate=estimate, design="naive_comparison", truth=truth)
    text = narrative.truth_check(finding)
    assert (words in text) if words else text == ""
