"""Every branch of the serious violence narrative, without a kernel."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.evidence import Finding
from analysis.evidence.sms import Check
from analysis.programmes.serious_violence import designs, narrative
from analysis.results import Estimate


def est(effect, low, high, scale="rate ratio", n=1, **diagnostics):
    p = (
        0.001
        if (low > (1 if "ratio" in scale else 0)) or (high < (1 if "ratio" in scale else 0))
        else 0.5
    )
    return Estimate(effect, low, high, p, n, scale, "m", "e", diagnostics=diagnostics)


NULL_RATIO = est(1.0, 0.9, 1.1)
FALL_RATIO = est(0.8, 0.7, 0.9)
RISE_RATIO = est(1.2, 1.1, 1.3)
NULL_GAP = est(0.1, -1.0, 1.2, "difference")
FALL_GAP = est(-1.5, -2.5, -0.5, "difference")
RISE_GAP = est(1.5, 0.5, 2.5, "difference")


def change(its=NULL_RATIO, sc=NULL_GAP, comparison=NULL_RATIO, per_period=80):
    panel = pd.DataFrame({"force": ["Dorset"] * 4, "offences": [per_period] * 4})
    return SimpleNamespace(
        label="knife offences", its=its, synthetic_control=sc, comparison_its=comparison,
        panel=panel,
    )  # fmt: skip


@pytest.mark.parametrize(
    "estimate, note, words",
    [
        (NULL_GAP, "", "No clear change"),
        (FALL_GAP, "", "fell against similar"),
        (RISE_GAP, "", "rose against similar"),
        (FALL_GAP, "Underpowered: too small.", "Underpowered"),
    ],
)
def test_headline(estimate, note, words):
    finding = Finding("q", estimate, "synthetic_control", headline_note=note)
    assert words in narrative.headline(finding, 780_000)


def test_headline_names_a_failed_check():
    failed = Check("police recording steady", False, "ratio 1.25")
    finding = Finding("q", RISE_GAP, "synthetic_control", checks=[failed])
    assert "a check failed: police recording steady" in narrative.headline(finding, 780_000)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({}, "showed no clear step"),
        ({"its": FALL_RATIO, "sc": FALL_GAP}, "fell against its own trend"),
        ({"its": RISE_RATIO, "sc": RISE_GAP}, "above its synthetic control"),
        ({"sc": FALL_GAP}, "The two designs disagree"),
        ({"its": FALL_RATIO, "comparison": FALL_RATIO}, "comparison forces changed"),
        ({"its": FALL_RATIO, "per_period": 1.5}, "neither design can tell"),
    ],
)
def test_duty_change(kwargs, words):
    assert words in narrative.duty_change(change(**kwargs))


@pytest.mark.parametrize(
    "sc, words", [(NULL_GAP, "tracked"), (FALL_GAP, "below"), (RISE_GAP, "above")]
)
def test_counterfactual_title(sc, words):
    assert words in narrative.counterfactual_title(change(sc=sc))


@pytest.mark.parametrize(
    "estimate, words",
    [(RISE_RATIO, "rose against hospital"), (FALL_RATIO, "fell against hospital"),
     (NULL_RATIO, "kept step")],
)  # fmt: skip
def test_recording(estimate, words):
    assert words in narrative.recording(estimate)


@pytest.mark.parametrize(
    "estimate, words",
    [(None, "No emergency department data"), (FALL_RATIO, "**fell**"), (RISE_RATIO, "**rose**"),
     (NULL_RATIO, "no clear change")],
)  # fmt: skip
def test_emergency_departments(estimate, words):
    assert words in narrative.emergency_departments(estimate)


def test_concentration_names_the_latest_share():
    table = pd.DataFrame({"year": [2021, 2022], "top_share": [0.25, 0.3]})
    assert "**30%**" in narrative.concentration(table, 0.05)


@pytest.mark.parametrize(
    "overlap, words", [(0.9, "mostly the same"), (0.5, "partly the same"), (0.06, "hardly more")]
)
def test_stability(overlap, words):
    table = pd.DataFrame({"overlap": [overlap], "rank_correlation": [0.7]})
    assert words in narrative.stability(table, 0.05)


@pytest.mark.parametrize(
    "naive, adjusted, words",
    [
        (FALL_RATIO, NULL_RATIO, "regression to the mean, not an effect"),
        (RISE_RATIO, NULL_RATIO, "no clear change** (rate ratio 1.00, 95% CI 0.90 to 1.10)."),
        (FALL_RATIO, FALL_RATIO, "**fell**"),
        (RISE_RATIO, RISE_RATIO, "**rose**"),
    ],
)
def test_hotspots(naive, adjusted, words):
    result = designs.HotspotChange(naive=naive, adjusted=adjusted, hotspots=24)
    assert words in narrative.hotspots(result, 2022, 2023)


@pytest.mark.parametrize("same, words", [(True, "stay the top 10"), (False, "partly chance")])
def test_funnel(same, words):
    raw = np.arange(20, dtype=float)
    shrunk = raw if same else raw[::-1]
    table = pd.DataFrame({"flag": ["above 99.8%"] * 2 + ["within"] * 18})
    shrunken = pd.DataFrame({"raw_rate": raw, "shrunken_rate": shrunk})
    assert words in narrative.funnel(table, shrunken, 2025)


def test_vru_synthesis_branches():
    assert "No published VRU estimate" in narrative.vru_synthesis(None, pd.DataFrame())
    one = est(-1.6, -3.3, 0.1, "difference", n=1)
    assert "synthesis is partial" in narrative.vru_synthesis(one, pd.DataFrame())
    several = est(-1.6, -3.3, 0.1, "difference", n=3, tau2=0.2)
    assert "Random-effects synthesis of 3" in narrative.vru_synthesis(several, pd.DataFrame())


@pytest.mark.parametrize(
    "needed, words", [(None, "too small to detect"), (1, "about **1 year**"), (4, "**4 years**")]
)
def test_power(needed, words):
    table = pd.DataFrame({"years_after": range(1, 11), "mde_per_100k": np.linspace(3, 1, 10)})
    result = designs.EvaluationPower(5.5, 43.0, 780_000.0, 9, table, 1.6, needed)
    assert words in narrative.power(result)


def _value(confirmed, bcr):
    return SimpleNamespace(
        benefit=(1.5e6, 2e5, 3e6), averted=SimpleNamespace(point=81.0),
        cost_confirmed=confirmed, bcr=bcr,
    )  # fmt: skip


BREAK_EVEN = {"admissions_a_year": 46.0, "admissions_per_100k": 5.8, "violence_cost": 19_300.0,
              "homicides_a_year": 0.2, "homicide_cost": 4.4e6}  # fmt: skip
HOMICIDE = {"per_million": 0.98, "averted_a_year": 0.77, "value": 3.4e6}


@pytest.mark.parametrize(
    "value, homicide, sharp_rate, words",
    [
        (None, {}, 5.5, "more than Dorset's whole rate"),
        (_value(False, (np.nan,) * 3), HOMICIDE, 9.0, "cost not confirmed"),
        (_value(True, (2.0, 1.2, 3.0)), {}, 9.0, "repays the cost even at the low end"),
        (_value(True, (1.5, 0.2, 3.0)), {}, 9.0, "may or may not repay"),
        (None, HOMICIDE, 9.0, "out of Dorset's rate of 9.0"),
    ],
)
def test_value(value, homicide, sharp_rate, words):
    text = narrative.value(value, homicide, BREAK_EVEN, 880_000.0, sharp_rate)
    assert words in text and "one homicide every 5 years" in text


@pytest.mark.parametrize("truth, words", [(-1.0, "covers"), (9.0, "misses"), (None, "")])
def test_truth_check(truth, words):
    finding = Finding("q", FALL_GAP, "synthetic_control", truth=truth)
    text = narrative.truth_check(finding)
    assert (words in text) if words else text == ""
