"""drug_supply narrative: every branch of every result-dependent sentence."""

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.evidence import Finding
from analysis.evidence.sms import Check
from analysis.programmes.drug_supply import narrative
from analysis.results import Estimate


def _est(effect, low, high, scale="difference", **kwargs):
    return Estimate(effect, low, high, 0.01, 48, scale, "m", "e", **kwargs)


@pytest.mark.parametrize(
    "est, words",
    [
        (_est(-3.0, -4.0, -2.0), "Harms fell"),
        (_est(3.0, 2.0, 4.0), "Harms rose"),
        (_est(-0.5, -1.5, 0.5), "No clear change"),
    ],
)
def test_scorpion_headline_follows_the_interval(est, words):
    assert words in narrative.scorpion_headline(Finding("q", est, "event_study"))


def test_rating_paragraph_gives_each_step_or_says_every_check_passed():
    est = _est(-3.0, -4.0, -2.0)
    passed = Finding("q", est, "event_study", checks=(Check("parallel pre-trends", True, "ok"),))
    assert "every check it carries passed" in narrative.rating_paragraph(passed)
    failed = Finding(
        "q", est, "event_study", checks=(Check("parallel pre-trends", False, "p = 0.001"),)
    )
    assert "Lowered from SMS 3 to SMS 2" in narrative.rating_paragraph(failed)


@pytest.mark.parametrize(
    "kept, words",
    [
        (_est(-6.0, -7.0, -5.0, se=0.5), "regression to the mean"),
        (_est(-1.0, -2.0, 0.0, se=0.5), "harms were low just before"),
        (_est(-3.1, -4.0, -2.0, se=0.5), "no sign of a spike"),
    ],
)
def test_selection_paragraph_reads_the_move_when_the_weeks_before_are_kept(kept, words):
    headline = _est(-3.0, -4.0, -2.0, se=0.5)
    assert words in narrative.selection_paragraph(headline, kept, kept)


@pytest.mark.parametrize(
    "est, words",
    [
        (_est(0.94, 0.9, 0.98, "rate ratio"), "6% lower than expected"),
        (_est(1.2, 1.1, 1.3, "rate ratio"), "20% higher than expected"),
        (_est(1.0, 0.9, 1.1, "rate ratio"), "no clear change"),
    ],
)
def test_viper_sentence_follows_the_interval(est, words):
    finding = Finding("q", est, "difference_in_differences", label="Viper, violence")
    assert words in narrative.viper_sentence(finding)


def test_activity_paragraph_names_what_rose_and_always_says_activity():
    up = _est(1.25, 1.1, 1.4, "rate ratio")
    flat = _est(1.0, 0.9, 1.1, "rate ratio")
    assert narrative.activity_paragraph(up, flat).startswith("Recorded drug offences rose")
    assert "show no clear rise" in narrative.activity_paragraph(flat, flat)
    assert "activity, not outcomes" in narrative.activity_paragraph(flat, flat)


def test_negative_control_sentence_warns_when_untargeted_crime_moved_too():
    moved = _est(1.15, 1.1, 1.2, "rate ratio")
    assert "also changed" in narrative.negative_control_sentence(moved)
    still = _est(1.0, 0.95, 1.05, "rate ratio")
    assert "did not clearly change" in narrative.negative_control_sentence(still)


@pytest.mark.parametrize(
    "est, words",
    [
        (_est(0.05, -0.2, 0.3, "quotient"), "No clear displacement or diffusion"),
        (_est(-0.5, -0.8, -0.2, "quotient"), "less moved than was prevented"),
        (_est(-1.5, -2.0, -1.1, "quotient"), "more moved than was prevented"),
        (_est(0.6, 0.3, 0.9, "quotient"), "Diffusion of benefits"),
        (_est(0.6, 0.3, 0.9, "quotient", warnings=("No success.",)), "cannot be read"),
    ],
)
def test_displacement_sentence_covers_every_reading(est, words):
    est = est.with_updates(diagnostics={"total_net_effect": 100.0})
    assert words in narrative.displacement_sentence(est)


def test_outputs_paragraph_names_outputs_with_a_shift_or_trend():
    shift = pd.DataFrame({"shift": [True, False], "trend": [False, False]})
    quiet = pd.DataFrame({"shift": [False], "trend": [False]})
    text = narrative.outputs_paragraph({"Warrants": shift, "Arrests": quiet})
    assert "warrants (shift)" in text and "arrests" not in text
    assert text.startswith("The run charts signal")


@pytest.mark.parametrize("truth, words", [(-3.5, "covers"), (1.0, "misses"), (None, "")])
def test_truth_check_covers_misses_or_stays_silent(truth, words):
    finding = Finding("q", _est(-3.0, -4.0, -2.0), "event_study", truth=truth)
    text = narrative.truth_check(finding)
    assert (words in text) if words else text == ""


@pytest.mark.parametrize(
    "cost, source, averted, words",
    [
        (0.0, "", 100.0, "not assessed"),
        (50000.0, "", 100.0, "not assessed"),
        (50000.0, "force finance", None, "no clear reduction"),
        (50000.0, "force finance", 100.0, "£500 per harm averted"),
    ],
)
def test_value_for_money_needs_a_cost_with_its_source(cost, source, averted, words):
    params = SimpleNamespace(programme_cost_gbp=cost, cost_source=source, cost_confirmed=False)
    text = narrative.value_for_money_paragraph(SimpleNamespace(params=params), averted)
    assert words in text


def test_data_sources_say_which_data_each_design_used(evaluation):
    text = narrative.data_sources(evaluation)
    assert "**weekly**" in text and "**monthly** police.uk" in text


@pytest.mark.parametrize(
    "est, words",
    [
        (_est(0.3, 0.1, 0.5), "more drug offences"),
        (_est(-0.3, -0.5, -0.1), "fewer drug offences"),
        (_est(0.1, -0.1, 0.3), "no clear change in drug offences"),
    ],
)
def test_scorpion_drugs_sentence_follows_the_interval(est, words):
    assert words in narrative.scorpion_drugs_sentence(est)


@pytest.mark.parametrize(
    "p, words", [(0.27, "no sign of diverging trends"), (0.01, "the weeks before differ")]
)
def test_pretrend_note_reads_the_level_and_slope_test(p, words):
    est = _est(-3.0, -4.0, -2.0, diagnostics={"pretrend_p_value": p})
    assert words in narrative.pretrend_note(est)
    assert narrative.pretrend_note(_est(-3.0, -4.0, -2.0)).startswith("No weeks")


def test_outputs_paragraph_keeps_acronyms():
    shift = pd.DataFrame({"shift": [True], "trend": [False]})
    assert "NRM referrals (shift)" in narrative.outputs_paragraph({"NRM referrals": shift})


def test_the_figure_leaves_the_pretrend_p_value_to_the_note(evaluation):
    assert "pretrend_p_value" not in evaluation.scorpion_for_figure.diagnostics
    assert evaluation.scorpion_for_figure.effect == evaluation.scorpion.effect
