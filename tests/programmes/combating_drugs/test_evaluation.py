"""Combating Drugs Partnership: evaluate, build_findings, the Fingertips drop-in and every
narrative branch, without a kernel."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import load
from analysis.data.public.fingertips import INDICATORS
from analysis.errors import ConfigError, DataValidationError
from analysis.evidence import Finding
from analysis.evidence.sms import Check
from analysis.programmes.combating_drugs import designs, findings, narrative, tables
from analysis.programmes.combating_drugs.evaluation import Parameters, evaluate
from analysis.results import Estimate

PUBLIC = Path(__file__).resolve().parents[2] / "data" / "public"


@pytest.fixture(scope="module")
def evaluation():
    return evaluate(load("combating_drugs", source="synthetic", seed=3), Parameters())


@pytest.fixture(scope="module")
def built(evaluation):
    return findings.build_findings(evaluation)


def _ratio(effect, low, high, p=0.01):
    return Estimate(effect, low, high, p, 16, "rate ratio", "m", "e")


def test_evaluate_builds_every_part(evaluation):
    assert set(evaluation.comparisons) == {
        "adults_in_treatment", "young_people_in_treatment", "completions",
        "continuity_of_care", "poisoning_admissions",
    }  # fmt: skip
    headline = evaluation.headline
    assert headline.estimate.scale == "rate ratio" and headline.estimate.n == 16
    assert [c.name for c in headline.checks] == [
        "placebo start a year earlier",
        "comparators unchanged at the start of the funding",
        "no recording change noted",
    ]
    assert len(evaluation.funnels["adults_in_treatment"]) == 167
    assert evaluation.partnership_rows("completions").shape[0] == 2
    assert evaluation.targets["verdict"].notna().all()
    assert evaluation.deaths_change is not None and evaluation.deaths_power.baseline_years == 9
    assert set(evaluation.charts_display) and evaluation.comparison_table.shape[0] == 5
    deaths = evaluation.deaths_display
    assert list(deaths.columns) == ["count", "per 100,000"] and deaths.index[-1] == "2022 - 24"
    assert 1 < deaths["per 100,000"].iloc[-1] < 50


def test_findings_put_the_headline_first_rated_and_with_its_truth(evaluation, built):
    head = built[0]
    assert head.headline and head.question == findings.HEADLINE_QUESTION
    assert head.truth == evaluation.data.truth["treatment_rate_ratio"]
    assert head.sms_level == 3 and head.expected_effect == 1.2
    assert [f.role for f in built].count("check") == 1
    families = {f.family for f in built if f.family}
    assert families == {"headline, other designs", "treatment and recovery", "harms"}
    assert all(f.adjusted_p_value is not None for f in built if f.family)
    assert findings.headline_finding(built) is head
    assert len(findings.impact_findings(built)) == len(built) - 1


def test_value_for_money_publishes_no_ratio_until_the_cost_is_confirmed(evaluation):
    from analysis.programmes.combating_drugs.evaluation import value_for_money_record

    record = value_for_money_record(evaluation)
    assert record["components"][0]["benefit_cost_ratio"] == "cost not confirmed"
    assert evaluation.value.cost == 2_000_000.0
    assert evaluation.value.unit_cost.value == 26074.0
    assert "not published" in narrative.value_paragraph(evaluation)
    confirmed = evaluate(
        evaluation.data, replace(evaluation.params, cost_confirmed=True, synthetic_seed=3)
    )
    assert "benefit-cost ratio of" in narrative.value_paragraph(confirmed)


def _published(frame: pd.DataFrame, path: Path) -> Path:
    headers = {column.name: column.header for column in INDICATORS.columns}
    frame.rename(columns=headers).to_csv(path, index=False)
    return path


def test_a_fingertips_export_gives_the_same_headline_as_the_table(evaluation, tmp_path):
    export = _published(evaluation.data["indicators"], tmp_path / "export.csv")
    from_export = evaluate(
        evaluation.data, replace(evaluation.params, fingertips_source=str(export))
    )
    assert from_export.headline.estimate.effect == pytest.approx(
        evaluation.headline.estimate.effect, rel=1e-9
    )
    assert from_export.planted("treatment_rate_ratio") is None
    assert "Fingertips export" in narrative.caveats(from_export)


def test_the_committed_export_reads_and_a_near_miss_is_refused_through_the_programme(evaluation):
    read = tables.published_indicators(str(PUBLIC / "combating_drugs_indicators.csv"))
    assert list(read.columns) == list(tables.INDICATOR_COLUMNS) and len(read) == 12
    near_miss = replace(
        evaluation.params, fingertips_source=str(PUBLIC / "combating_drugs_near_miss.csv")
    )
    with pytest.raises(DataValidationError, match="Lower CI 95.0 limit"):
        evaluate(evaluation.data, near_miss)


def test_an_export_missing_an_indicator_is_refused(tmp_path):
    rows = pd.read_csv(PUBLIC / "combating_drugs_indicators.csv")
    rows = rows[rows["Indicator ID"] != 92432]
    path = tmp_path / "partial.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="92432"):
        tables.published_indicators(str(path))


@pytest.mark.parametrize(
    "world, failed",
    [
        ("national_funding", "comparators unchanged at the start of the funding"),
        ("recording_change", "no recording change noted"),
        ("regression_to_mean", "placebo start a year earlier"),
    ],
)
def test_each_hostile_world_fails_the_check_that_guards_against_it(world, failed):
    data = load("combating_drugs", source="synthetic", seed=1, world=world)
    head = findings.build_findings(evaluate(data, Parameters()))[0]
    assert head.sms_level <= 2
    assert any(failed in reason for reason in head.rating.reasons)


def test_clear_errors_for_areas_and_targets(evaluation):
    with pytest.raises(ConfigError, match="not in"):
        evaluate(evaluation.data, replace(evaluation.params, comparator_codes="E06999999,X1"))
    with pytest.raises(ConfigError, match="indicator@area_code@period:value"):
        tables.parse_targets("adults@E06000058@2024/25:10")
    with pytest.raises(ConfigError, match="neither a financial year"):
        tables.period_start("Q1 2024")
    with pytest.raises(ConfigError, match="empty"):
        evaluate(evaluation.data, replace(evaluation.params, partnership_codes=" , "))


def test_real_data_need_named_comparators(evaluation):
    real = replace(evaluation.data, synthetic=False, truth=None)
    with pytest.raises(ConfigError, match="comparator_codes is blank"):
        evaluate(real, evaluation.params)


def test_targets_compare_with_the_chance_interval():
    indicators = pd.DataFrame(
        {"indicator_id": 93780, "area_code": ["A", "B", "C"], "area_name": ["A", "B", "C"],
         "time_period": "2024/25", "count": [1700.0, 1400.0, 1590.0],
         "value": 1.0, "lower_ci_95": 0.9, "upper_ci_95": 1.1}
    )  # fmt: skip
    targets = tables.parse_targets(
        "adults_in_treatment@A@2024/25:1600;adults_in_treatment@B@2024/25:1600;"
        "adults_in_treatment@C@2024/25:1600;adults_in_treatment@A@2025/26:1600"
    )
    verdicts = designs.progress_against_targets(indicators, targets)["verdict"].tolist()
    assert verdicts == [
        "above target beyond chance",
        "below target beyond chance",
        "within chance of the target",
        "not yet published",
    ]
    text = narrative.targets_paragraph(pd.DataFrame({"verdict": verdicts}))
    assert text.startswith("1 of 4 targets is above") and "not yet published" in text


# ----------------------------------------------------------------------------- narrative
@pytest.mark.parametrize(
    "estimate, words",
    [
        (_ratio(1.2, 1.1, 1.3), "rose by about 20%"),
        (_ratio(0.8, 0.7, 0.9), "fell by about 20%"),
        (_ratio(1.02, 0.9, 1.15, 0.7), "showed no clear change"),
    ],
)
def test_headline_says_what_the_interval_shows(estimate, words):
    finding = Finding("q", estimate, "before_after_with_comparison")
    assert words in narrative.headline(finding)


@pytest.mark.parametrize("truth, words", [(1.2, "covers"), (2.0, "misses"), (None, "")])
def test_truth_check_covers_misses_or_stays_silent(truth, words):
    text = narrative.truth_check(Finding("q", _ratio(1.2, 1.1, 1.3), "descriptive", truth=truth))
    assert (words in text) if words else text == ""


def test_rating_paragraph_explains_a_lowered_rating_and_a_demotion():
    failed = Check("comparators unchanged at the start of the funding", False, "p = 0.001")
    finding = Finding(
        "q", _ratio(1.0, 0.9, 1.1, 0.9), "before_after_with_comparison", sms_override=3,
        sms_override_reason="nine years before", checks=[failed], headline_note="Not a headline.",
    )  # fmt: skip
    text = narrative.rating_paragraph(finding)
    assert "limited (SMS 2)" in text and "cannot be read as the funding's effect" in text
    assert "Not a headline." in text
    passed = replace(finding, checks=(replace(failed, passed=True),), headline_note="")
    assert "cannot be read" not in narrative.rating_paragraph(passed)
    assert "**comparators" in narrative.check_bullets(finding.checks)
    own = _ratio(1.2, 1.1, 1.3)
    assert "the one to weigh" in narrative.own_trend_paragraph(own, finding)
    assert "stronger reading" in narrative.own_trend_paragraph(own, passed)


def test_chart_paragraph_branches():
    times = pd.to_datetime(["2021-04-01", "2022-04-01"])
    quiet = pd.DataFrame({"baseline": [True, False], "signal": ["", ""], "time": times})
    loud = quiet.assign(signal=["", "shift up"])
    empty = quiet.assign(baseline=True)
    assert "no signal" in narrative.chart_paragraph(quiet, "X")
    assert "1 shift up" in narrative.chart_paragraph(loud, "X")
    assert "no period after" in narrative.chart_paragraph(empty, "X")
    assert "already signal" not in narrative.chart_paragraph(loud, "X")
    trending = loud.assign(signal=["shift down", "shift down"])
    assert "already signal" in narrative.chart_paragraph(trending, "X")


def test_funnel_paragraph_names_within_and_outside(evaluation):
    rows = evaluation.partnership_rows("adults_in_treatment").copy()
    rows["funnel"] = ["within", "above 99.8%"]
    text = narrative.funnel_paragraph(rows, "Adults")
    assert "within the range chance allows" in text and "above 99.8% limits" in text


def test_deaths_paragraph_branches(evaluation):
    power, change = evaluation.deaths_power, evaluation.deaths_change
    assert "cannot be known" in narrative.deaths_paragraph(power, change)
    assert "No pooled period" in narrative.deaths_paragraph(replace(power, mde_now=None), None)
    never = replace(power, years_needed=None, limit_ratio=0.9)
    assert "could never be told from chance" in narrative.deaths_paragraph(never, change)


def test_deaths_detectability_against_hand_worked_counts():
    series = pd.DataFrame(
        {"time_period": ["2016 - 18", "2019 - 21", "2022 - 24"],
         "start": pd.to_datetime(["2016-01-01", "2019-01-01", "2022-01-01"]),
         "count": [300.0, 300.0, 300.0], "denominator": [3e6, 3e6, 3e6]}
    )  # fmt: skip
    power = designs.deaths_detectability(
        series, pd.Timestamp("2022-04-01"), expected_ratio=0.8, lag_years=2
    )
    assert power.baseline_deaths == 600 and power.baseline_years == 6
    # 600 baseline deaths: the floor is exp(-2.80 / sqrt(600)) = 0.892.
    assert power.limit_ratio == pytest.approx(0.892, abs=0.002)
    # 100 deaths a year, 80 under a 20% fall: 1/(80 T) + 1/600 <= (log 1.25 / 2.80)^2 gives
    # T >= 2.67, so three years after a two-year lag.
    assert power.years_needed == 2 + 3
    with pytest.raises(Exception, match="a fall"):
        designs.deaths_detectability(series, pd.Timestamp("2022-04-01"), expected_ratio=1.2,
                                     lag_years=2)  # fmt: skip
