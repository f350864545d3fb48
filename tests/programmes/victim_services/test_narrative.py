"""Every branch of every victim services narrative function, on small constructed inputs."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.evidence import Check, Finding
from analysis.evidence.vfm import format_gbp
from analysis.methods.bounds import Bounds
from analysis.programmes.victim_services import narrative
from analysis.results import Estimate


def hazard(effect, low, high):
    return Estimate(effect, low, high, 0.01, 500, "hazard ratio", "Cox", "next incident")


def points(effect, low, high):
    return Estimate(effect, low, high, 0.01, 500, "percentage points", "match", "withdrawal")


def bounds(lower, upper, ci_low, ci_high, missing=0.2, trim=0.1):
    return Bounds(
        lower,
        upper,
        ci_low,
        ci_high,
        300,
        "proportion",
        "worst/best case bounds",
        "share",
        (lower + upper) / 2,
        0.02,
        0.02,
        diagnostics={"missing_share": missing, "trimming_share": trim},
    )


@pytest.mark.parametrize(
    "estimate, words",
    [
        (hazard(0.75, 0.6, 0.9), "less often"),
        (hazard(1.3, 1.1, 1.5), "more often"),
        (hazard(0.95, 0.8, 1.1), "No clear difference"),
    ],
)
def test_headline_says_what_the_interval_shows(estimate, words):
    text = narrative.headline(Finding("q", estimate, "matched_comparison"))
    assert words in text and "SMS 2" in text
    assert "Not a headline" not in text


def test_headline_of_a_demoted_finding_says_why():
    demoted = Finding(
        "q",
        hazard(0.95, 0.8, 1.1),
        "matched_comparison",
        headline_note="Not a headline: the minimum detectable effect (0.70) is 4.6 times ...",
    )
    text = narrative.headline(demoted)
    assert text.endswith("*Not a headline: the minimum detectable effect (0.70) is 4.6 times ...*")


@pytest.mark.parametrize("truth, words", [(0.8, "covers"), (1.4, "misses"), (None, "")])
def test_truth_check_covers_misses_or_stays_silent(truth, words):
    finding = Finding("q", hazard(0.75, 0.6, 0.9), "matched_comparison", truth=truth)
    text = narrative.truth_check(finding)
    assert (words in text) if words else text == ""


@pytest.mark.parametrize("truth, words", [(50.0, "inside"), (90.0, "outside"), (None, "")])
def test_bounds_truth_check(truth, words):
    text = narrative.bounds_truth_check(bounds(0.4, 0.7, 0.35, 0.75), truth, scale=0.01)
    assert (words in text) if words else text == ""


@pytest.mark.parametrize(
    "naive, words",
    [
        (hazard(1.12, 1.0, 1.25), "points the wrong way"),
        (hazard(0.95, 0.85, 1.05), "differs markedly"),
        (hazard(0.76, 0.65, 0.9), "agree closely"),
    ],
)
def test_naive_against_matched(naive, words):
    assert words in narrative.naive_against_matched(naive, hazard(0.75, 0.6, 0.9), "repeats")


@pytest.mark.parametrize(
    "estimate, words",
    [
        (points(-8, -12, -4), "was less common"),
        (points(5, 2, 8), "was more common"),
        (points(-1, -4, 2), "No clear difference"),
    ],
)
def test_criminal_justice_verdict(estimate, words):
    result = SimpleNamespace(outcome="Victim withdrawal (outcome 16)", matched=estimate)
    text = narrative.criminal_justice(result)
    assert words in text and "against matched victims not supported" in text


@pytest.mark.parametrize(
    "effect, low, high, words",
    [(-3, -3.5, -2.5, "fell"), (6, 1, 11, "rose"), (0.5, -2, 3, "showed no clear change")],
)
def test_service_change(effect, low, high, words):
    estimate = Estimate(effect, low, high, 0.01, 24, "difference", "ITS", "e")
    assert words in narrative.service_change(estimate, "the share engaged", "points")


def test_exit_outcome_with_and_without_missing_exits():
    complete = SimpleNamespace(effect=0.7)
    text = narrative.exit_outcome(
        SimpleNamespace(complete_case=complete, bounds=bounds(0.5, 0.8, 0.45, 0.85))
    )
    assert "were not asked" in text and "50%" in text and "80%" in text
    none_missing = bounds(0.7, 0.7, 0.65, 0.75, missing=0.0)
    text = narrative.exit_outcome(SimpleNamespace(complete_case=complete, bounds=none_missing))
    assert "no bounds are needed" in text


@pytest.mark.parametrize(
    "ci, words",
    [
        ((0.01, 0.2), "rose after the move"),
        ((-0.2, -0.01), "fell after the move"),
        ((-0.05, 0.2), "may have risen or fallen"),
    ],
)
def test_exit_change_reads_the_lee_interval(ci, words):
    assert words in narrative.exit_change(bounds(0.02, 0.15, *ci))


def test_capacity_above_below_and_close_to_benchmarks():
    table = pd.DataFrame(
        {"Dorset": [130.0, 10.0, 98.0], "benchmark": [100.0, 40.0, 100.0]},
        index=["caseload", "MARAC", "other"],
    )
    text = narrative.capacity(table)
    assert "130, above" in text and "10, below" in text and "98, close to" in text


def vfm(bcr, averted, cost_confirmed=True):
    return SimpleNamespace(
        cost=261000.0,
        cost_confirmed=cost_confirmed,
        bcr=bcr,
        averted=averted,
        break_even_outcomes=5.7,
        unit_cost=SimpleNamespace(value=45800.0),
    )


@pytest.mark.parametrize(
    "bcr, averted, words",
    [
        ((8.0, 2.5, 13.0), SimpleNamespace(point=49.0), "repays its cost"),
        ((0.5, 0.2, 0.8), SimpleNamespace(point=3.0), "does not repay"),
        ((1.5, 0.6, 2.4), SimpleNamespace(point=9.0), "may or may not"),
        ((0.0, 0.0, 0.0), SimpleNamespace(point=-2.0), "No repeat victimisation was averted"),
        ((0.0, 0.0, 0.0), None, "No repeat victimisation was averted"),
    ],
)
def test_value_for_money_verdicts_and_switching_values(bcr, averted, words):
    text = narrative.value_for_money(vfm(bcr, averted))
    assert words in text
    if averted is not None and averted.point > 0:
        assert format_gbp(261000 / averted.point) in text


def test_value_for_money_gives_no_ratio_while_the_cost_is_unconfirmed():
    nan = float("nan")
    averted = SimpleNamespace(point=9.0, low=2.0, high=16.0)
    text = narrative.value_for_money(vfm((nan, nan, nan), averted, cost_confirmed=False))
    assert "cost not confirmed" in text and "benefit-cost ratio is published" in text
    assert "nan" not in text and "ratio 1" not in text
    assert "break even if 6 repeat victims were averted (estimate 9, 95% CI 2 to 16)" in text


@pytest.mark.parametrize(
    "estimate, words",
    [
        (hazard(0.75, 0.6, 0.9), "went longer"),
        (hazard(1.3, 1.1, 1.5), "sooner"),
        (hazard(0.95, 0.8, 1.1), "no clear difference"),
    ],
)
def test_repeat_figure_title(estimate, words):
    assert words in narrative.repeat_figure_title(estimate)


_DIFFERENCE = Estimate(-8.0, -12.0, -4.0, 0.001, 2000, "percentage points", "m", "e")


_ASSUMPTION = "rests on an assumption no data can check"


@pytest.mark.parametrize(
    ("estimate", "extra", "outcome", "words"),
    [
        # No E-value or pairs: the assumption alone.
        (_DIFFERENCE, {}, "withdrawal", []),
        # A fall is undone by a confounder that lowers the outcome among the supported.
        (
            hazard(0.6, 0.5, 0.72),
            {"e_value": 2.0, "e_value_ci": 1.6},
            "repeat",
            [
                "doubled their chance of being supported and halved their chance of being "
                "victimised again would explain the whole estimate away",
                "one that raised their chance of being supported 1.6-fold and cut their chance of "
                "being victimised again 1.6-fold would be enough to make it unclear",
            ],
        ),
        # A rise is undone by one that raises it.
        (
            points(5, 2, 8),
            {"e_value": 3.0, "e_value_ci": 1.4},
            "charge",
            ["tripled their chance of being supported and tripled their chance of the offence"],
        ),
        (
            _DIFFERENCE,
            {"e_value": 3.04, "e_value_ci": 2.0},
            "withdrawal",
            [
                "and cut their chance of withdrawing from the prosecution to a third",
                "one that doubled their chance of being supported and halved",
            ],
        ),
        (
            _DIFFERENCE,
            {"e_value": 1.64, "e_value_ci": 1.0},
            "withdrawal",
            [
                "raised their chance of being supported 1.6-fold and cut their chance of "
                "withdrawing from the prosecution 1.6-fold",
                "the interval already includes no difference",
            ],
        ),
        (
            hazard(0.9, 0.75, 1.08),
            {"e_value": 1.46, "e_value_ci": None},
            "repeat",
            ["the interval already includes no difference"],
        ),
        # Rosenbaum's bound, significant or not.
        (
            _DIFFERENCE,
            {"rosenbaum_pairs": 950, "rosenbaum_gamma": 1.31},
            "withdrawal",
            ["In the 950 matched pairs", "1.3 times as likely as the other", "Gamma 1.31"],
        ),
        (
            _DIFFERENCE,
            {"rosenbaum_pairs": 950, "rosenbaum_gamma": None},
            "withdrawal",
            ["not clear even with no hidden difference at all"],
        ),
    ],
)
def test_unmeasured_confounding_in_plain_words(estimate, extra, outcome, words):
    finding = Finding("q", estimate, "matched_comparison", extra=extra)
    text = narrative.unmeasured_confounding(finding, outcome)
    assert text.startswith("**This comparison " + _ASSUMPTION)
    assert "no unmeasured confounding" in text
    for phrase in words:
        assert phrase in text, phrase
    if "e_value" not in extra:
        assert "explain the whole estimate away" not in text
    if "rosenbaum_pairs" not in extra:
        assert "matched pairs" not in text


def test_unmeasured_confounding_names_the_outcomes_it_knows():
    with pytest.raises(ConfigError, match="unknown outcome 'exit'.*'charge', 'repeat'"):
        narrative.unmeasured_confounding(Finding("q", _DIFFERENCE, "matched_comparison"), "exit")


def test_rating_reasons_only_when_the_rating_was_lowered():
    passed = Finding("q", _DIFFERENCE, "matched_comparison", checks=[Check("balance", True, "")])
    assert narrative.rating_reasons(passed) == ""
    failed = Finding(
        "q", _DIFFERENCE, "matched_comparison", checks=[Check("balance", False, "SMD 0.2")]
    )
    assert narrative.rating_reasons(failed).startswith("*Evidence rating lowered.* Lowered")


@pytest.mark.parametrize(
    ("ratios", "p_value", "words"),
    [
        ([0.7, 0.9], None, "Too few groups by age band"),
        ([0.7, 0.9, 0.8], 0.4, "No clear difference in the effect by age band"),
        ([0.5, 1.4, None], 0.01, "**The effect on repeat victimisation differed by age band**"),
    ],
)
def test_for_whom_reads_the_interaction_test(ratios, p_value, words):
    table = pd.DataFrame({"hazard ratio": ratios})
    text = narrative.for_whom(SimpleNamespace(table=table, p_value=p_value), "age band")
    assert words in text
    assert ("published for 1 group:" in text) == (None in ratios)


def test_for_whom_counts_several_withheld_groups():
    table = pd.DataFrame({"hazard ratio": [0.7, 0.8, None, None]})
    text = narrative.for_whom(SimpleNamespace(table=table, p_value=0.5), "area")
    assert "No estimate is published for 2 groups: too few pairs" in text
