"""Soteria: every branch of every sentence that depends on a result."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.evidence import Finding
from analysis.programmes.soteria import narrative
from analysis.programmes.soteria.designs import TeamComparison
from analysis.programmes.soteria.evaluation import ValueOfCharges
from analysis.results import Estimate


def difference(effect: float, low: float, high: float) -> Estimate:
    return Estimate(effect, low, high, 0.01, 1000, "difference", "m", "e")


def ratio(effect: float, low: float, high: float) -> Estimate:
    return Estimate(effect, low, high, 0.01, 1000, "hazard ratio", "m", "e")


@pytest.mark.parametrize(
    "estimate, words",
    [
        (difference(0.03, 0.01, 0.05), "**More adult rape reports now end in charge**"),
        (difference(-0.03, -0.05, -0.01), "**Fewer adult rape reports now end in charge**"),
        (difference(0.01, -0.01, 0.03), "**No clear change"),
    ],
)
def test_headline(estimate, words):
    text = narrative.headline(estimate, 1, 365)
    assert text.startswith(words)
    assert "within 365 days" in text and "weak (SMS 1)" in text


@pytest.mark.parametrize(
    "estimate, truth, words",
    [
        (difference(0.03, 0.01, 0.05), 0.035, "+3.5 points, which the interval covers"),
        (difference(0.03, 0.01, 0.05), 0.09, "+9.0 points, which the interval misses"),
        (ratio(1.5, 1.1, 1.9), 1.6, "1.60, which the interval covers"),
        (difference(0.03, 0.01, 0.05), None, ""),
    ],
)
def test_truth_check(estimate, truth, words):
    finding = Finding(question="q", estimate=estimate, design="before_after", truth=truth)
    text = narrative.truth_check(finding)
    assert (words in text) if words else text == ""


@pytest.mark.parametrize(
    "estimate, words",
    [
        (ratio(1.5, 1.1, 1.9), "faster rate"),
        (ratio(0.6, 0.4, 0.9), "slower rate"),
        (ratio(1.1, 0.8, 1.4), "no clear change in the pace"),
    ],
)
def test_sooner(estimate, words):
    assert words in narrative.sooner(estimate)


@pytest.mark.parametrize(
    "estimate, words",
    [
        (difference(-0.05, -0.08, -0.02), "Fewer victims withdraw support"),
        (difference(0.05, 0.02, 0.08), "More victims withdraw support"),
        (difference(0.01, -0.02, 0.04), "No clear change in the share of victims"),
    ],
)
def test_withdrawal(estimate, words):
    early = Estimate(0.6, 0.55, 0.65, None, 500, "proportion", "m", "e")
    text = narrative.withdrawal(estimate, early)
    assert text.startswith(words) and "60% (95% CI 55% to 65%) came within 30 days" in text


def _team(estimate: Estimate, p: float | None) -> TeamComparison:
    return TeamComparison(estimate, pd.DataFrame(), p, pd.DataFrame())


@pytest.mark.parametrize(
    "estimate, p, words",
    [
        (difference(0.03, 0.01, 0.05), 0.4, ("rose more than", "steady", "(SMS 3)")),
        (difference(-0.03, -0.05, -0.01), 0.01, ("rose less than", "changed from year", "SMS 2")),
        (difference(0.01, -0.02, 0.04), None, ("did not clearly change", "could not be checked")),
    ],
)
def test_team(estimate, p, words):
    text = narrative.team(_team(estimate, p))
    assert all(word in text for word in words)


def test_rates_differ_names_the_latest_year_and_its_open_cases():
    rates = pd.DataFrame(
        {"reported": [500, 700], "still_open": [0, 330]}, index=["2024/25", "2025/26"]
    )
    text = narrative.rates_differ(rates)
    assert text.startswith("Of the 700 adult rapes reported in 2025/26, 330 are still open")


def test_monthly_noise_gives_the_chance_variation():
    text = narrative.monthly_noise(pd.DataFrame({"charges": [0, 4, 4, 8]}))
    assert "average 4.0 a month (from 0 to 8)" in text and "about 2.0 either way" in text


def _value(extra: tuple[float, float, float]) -> ValueOfCharges:
    return ValueOfCharges(
        crimes=1800,
        extra_charges=extra,
        offences_prevented_per_charge=1.0,
        unit_cost=54000.0,
        police_cost=8700.0,
        value=tuple(x * 54000.0 for x in extra),
        price_year="2025/26",
    )


def test_value_with_an_interval_above_zero_is_valued_under_the_assumption():
    text = narrative.value(_value((60.0, 30.0, 90.0)))
    assert "about 60 more" in text and "(95% CI 30 to 90)" in text
    assert "an assumption" in text and "2025/26 prices" in text


def test_value_with_an_interval_including_zero_claims_nothing():
    text = narrative.value(_value((10.0, -20.0, 40.0)))
    assert "including none, so no value is claimed" in text
