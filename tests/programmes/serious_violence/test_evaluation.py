"""Serious violence: tables, designs, evaluate and build_findings, without a kernel."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataValidationError, EstimationError
from analysis.evidence import demote_underpowered
from analysis.paths import PROJ_ROOT
from analysis.programmes.serious_violence import designs, findings, tables
from analysis.programmes.serious_violence.evaluation import (
    Parameters,
    evaluate,
    value_for_money_record,
)


def test_every_outcome_has_both_designs_and_a_counterfactual_to_draw(sv_evaluation):
    assert set(sv_evaluation.changes) == {"knife", "violence_with_injury", "homicide", "admissions"}
    for change in sv_evaluation.changes.values():
        assert change.its.scale == "rate ratio"
        assert change.synthetic_control.scale == "difference"
        drawn = designs.synthetic_counterfactual(change.synthetic_control).details["fitted"]
        after = drawn["time"] >= change.synthetic_control.details["intervention"]
        gap = (drawn["observed"] - drawn["counterfactual"])[after].mean()
        # The mean gap of the drawn counterfactual is the estimate itself.
        assert gap == pytest.approx(change.synthetic_control.effect, rel=1e-9)


def test_the_comparison_pool_leaves_out_vru_forces(sv_evaluation):
    areas = sv_evaluation.data["comparison_areas"]
    vru = set(areas.loc[areas["has_vru"], "area_name"])
    for change in sv_evaluation.changes.values():
        assert not vru & set(change.panel["force"])
        assert "Dorset" in set(change.panel["force"])


def test_quarter_starts_follow_the_financial_year():
    starts = tables.quarter_start(pd.Series(["2022/23"] * 4), pd.Series([1, 2, 3, 4]))
    assert starts.dt.strftime("%Y-%m").tolist() == ["2022-04", "2022-07", "2022-10", "2023-01"]


def test_a_force_missing_a_quarter_leaves_the_pool_and_is_named(sv_data):
    recorded = sv_data["recorded_crime"]
    gap = recorded.drop(recorded.index[recorded["force_name"] == "Cumbria"][:1])
    panel = tables.quarterly_panel(
        gap, sv_data["comparison_areas"], "Knife or sharp instrument offences"
    )
    assert "Cumbria" not in set(panel["force"]) and panel.attrs["dropped"] == ["Cumbria"]


def test_a_missing_offence_is_a_clear_error(sv_data):
    with pytest.raises(EstimationError, match="no 'Robbery' offences for Dorset"):
        tables.quarterly_panel(sv_data["recorded_crime"], sv_data["comparison_areas"], "Robbery")


def test_concentration_and_stability_measure_what_they_say():
    counts = pd.DataFrame(
        {2021: [50, 40, 1, 1, 1, 1, 1, 1, 1, 3], 2022: [45, 2, 40, 1, 1, 1, 1, 1, 1, 7]},
        index=[f"L{i}" for i in range(10)],
    )
    share = tables.concentration(counts, 0.2)
    assert share["top_share"].round(3).tolist() == [0.9, 0.85]
    stable = tables.hotspot_stability(counts, 0.2)
    assert stable.loc[0, "overlap"] == 0.5


def test_hotspot_change_removes_regression_to_the_mean():
    # Areas with the same risk every year: the selection year's high draws fall back.
    rng = np.random.default_rng(1)
    risk = rng.gamma(2.0, 10.0, size=400)
    counts = pd.DataFrame(
        {year: rng.poisson(risk * rng.gamma(3, 1 / 3, 400)) for year in (2020, 2021, 2022, 2023)}
    )
    result = designs.hotspot_change(
        counts, selection_year=2022, follow_year=2023, share=0.05, draws=200
    )
    assert result.naive.ci_high < 1  # the naive before/after finds a fall that is not there
    assert result.adjusted.ci_low <= 1 <= result.adjusted.ci_high


def test_recording_shift_sees_police_counts_move_alone():
    years = np.arange(2017, 2025)
    shifted = pd.DataFrame(
        {
            "start": years,
            "difference": np.where(years >= 2023, 0.22, 0.0) + np.tile([0.02, -0.02], 4),
            "after": years >= 2023,
        }
    )
    estimate = designs.recording_shift(shifted)
    assert estimate.ci_low > 1 and findings.recording_check(estimate).passed is False
    with pytest.raises(EstimationError, match="two before"):
        designs.recording_shift(shifted[shifted["start"] >= 2022])


def test_power_says_how_many_years_a_target_needs():
    series = pd.DataFrame({"admissions": [40.0] * 10, "population": [780_000.0] * 10})
    easy = designs.evaluation_power(series, target_per_100k=4.0)
    hard = designs.evaluation_power(series, target_per_100k=0.5)
    assert easy.years_needed is not None and hard.years_needed is None
    assert (np.diff(easy.by_years["mde_per_100k"]) <= 1e-9).all()


def test_the_vru_synthesis_pools_only_rows_with_a_standard_error(sv_evaluation):
    pooled = sv_evaluation.vru_sharp_object
    sourced = sv_evaluation.vru_rows
    usable = sourced[(sourced["outcome"] == pooled.outcome) & sourced["se"].notna()]
    assert pooled.n == len(usable) and pooled.effect == pytest.approx(-1.6)


def test_value_for_money_publishes_no_ratio_until_the_cost_is_confirmed(sv_evaluation, sv_data):
    record = value_for_money_record(sv_evaluation)
    assert record["components"][0]["benefit_cost_ratio"] == "cost not confirmed"
    confirmed = evaluate(sv_data, Parameters(bootstrap_draws=20, vru_cost_confirmed=True))
    assert np.isfinite(confirmed.value.bcr[0])
    # Break-even: the cost over the value of one admission averted.
    even = sv_evaluation.break_even
    assert even["admissions_a_year"] * even["violence_cost"] == pytest.approx(880_000)


def test_build_findings_headline_first_with_truth_checks_and_families(sv_evaluation):
    built = findings.build_findings(sv_evaluation)
    head = findings.headline_of(built)
    assert built[0] is head and head.design == "synthetic_control"
    assert head.truth == sv_evaluation.data.truth["sc_knife_gap_per_100k"]
    assert {c.name for c in head.checks} >= {
        "police recording steady (violence per hospital admission)"
    }
    assert [f.role for f in built].count("check") == 3
    assert all(f.family for f in built if f.role == "finding" and f is not head)


def test_a_failed_check_lowers_the_headline_with_its_reason(sv_evaluation):
    shifted = pd.DataFrame(
        {
            "start": range(8),
            "difference": [0, 0.01, -0.01, 0, 0, 0.01, 0.3, 0.31],
            "after": [False] * 6 + [True] * 2,
        }
    )
    broken = designs.recording_shift(shifted)
    evaluation = type(sv_evaluation)(**{**sv_evaluation.__dict__, "recording": broken})
    head = findings.headline_finding(evaluation, findings.analysis_plan())
    assert head.sms_level == 2 and "recording" in head.to_dict()["sms_reasons"][0]


def test_no_truth_when_the_settings_differ_from_the_generators(sv_data):
    moved = evaluate(sv_data, Parameters(bootstrap_draws=20, duty_start="2023-04-01"))
    assert set(findings.truths(moved).values()) == {None}


def test_public_files_stand_in_for_the_loaded_tables(tmp_path, sv_data, sv_evaluation):
    street = sv_data["street_crimes"]
    for month, rows in street.groupby(street["month"].dt.strftime("%Y-%m")):
        folder = tmp_path / "police_uk" / month
        folder.mkdir(parents=True)
        pd.DataFrame(
            {
                "Crime ID": rows["crime_id"],
                "Month": month,
                "Reported by": "Dorset Police",
                "Falls within": "Dorset Police",
                "Longitude": -1.9,
                "Latitude": 50.7,
                "Location": "On or near High Street",
                "LSOA code": rows["lsoa_code"],
                "LSOA name": rows["lsoa_name"],
                "Crime type": rows["crime_type"],
                "Last outcome category": "Under investigation",
                "Context": "",
            }
        ).to_csv(folder / f"{month}-dorset-street.csv", index=False)
    header = (PROJ_ROOT / "tests/data/public/fingertips/indicators.csv").read_text().splitlines()[0]
    admissions = sv_data["hospital_admissions"]
    published = pd.DataFrame(columns=header.split(","))
    for column, tidy in {
        "Indicator ID": "indicator_id",
        "Indicator Name": "indicator_name",
        "Area Code": "area_code",
        "Area Name": "area_name",
        "Area Type": "area_type",
        "Sex": "sex",
        "Age": "age",
        "Time period": "time_period",
        "Value": "value",
        "Lower CI 95.0 limit": "lower_ci_95",
        "Upper CI 95.0 limit": "upper_ci_95",
        "Count": "count",
        "Denominator": "denominator",
    }.items():
        published[column] = admissions[tidy].to_numpy()
    published.to_csv(tmp_path / "indicators.csv", index=False)
    public = evaluate(
        sv_data,
        Parameters(
            bootstrap_draws=100,
            police_uk_source=str(tmp_path / "police_uk"),
            fingertips_source=str(tmp_path / "indicators.csv"),
        ),
    )
    pd.testing.assert_frame_equal(public.concentration, sv_evaluation.concentration)
    assert public.changes["admissions"].synthetic_control.effect == pytest.approx(
        sv_evaluation.changes["admissions"].synthetic_control.effect
    )


def test_an_export_without_the_programmes_indicators_is_refused(sv_data):
    export = PROJ_ROOT / "tests/data/public/fingertips/indicators.csv"
    with pytest.raises(DataValidationError, match="none of the indicators"):
        evaluate(sv_data, Parameters(bootstrap_draws=20, fingertips_source=str(export)))


def test_underpowered_headline_is_demoted_with_its_reason(sv_evaluation):
    head = findings.headline_finding(sv_evaluation, findings.analysis_plan())
    tiny = type(head)(**{**head.__dict__, "expected_effect": 0.01})
    (demoted,) = demote_underpowered([tiny])
    assert not demoted.headline and demoted.headline_note


HOME_OFFICE_HEADERS = {
    "financial_year": "Financial Year",
    "financial_quarter": "Financial Quarter",
    "force_name": "Force Name",
    "offence_description": "Offence Description",
    "offence_group": "Offence Group",
    "offence_subgroup": "Offence Subgroup",
    "offence_code": "Offence Code",
    "number_of_offences": "Number of Offences",
}


def test_the_home_office_table_stands_in_for_recorded_crime(tmp_path, sv_data, sv_evaluation):
    published = sv_data["recorded_crime"].rename(columns=HOME_OFFICE_HEADERS)
    # The published table holds every offence; the programme keeps the three it reads.
    other = published.head(4).assign(**{"Offence Subgroup": "Robbery", "Offence Code": "34B"})
    pd.concat([published, other]).to_csv(tmp_path / "prc.csv", index=False)
    public = evaluate(
        sv_data, Parameters(bootstrap_draws=100, home_office_source=str(tmp_path / "prc.csv"))
    )
    for name in ("knife", "violence_with_injury", "homicide"):
        assert public.changes[name].synthetic_control.effect == pytest.approx(
            sv_evaluation.changes[name].synthetic_control.effect
        ), name
    assert set(findings.truths(public).values()) == {None}, "a real file plants no truth"


def test_a_near_miss_of_the_home_office_layout_is_refused(tmp_path, sv_data):
    near = {**HOME_OFFICE_HEADERS, "offence_subgroup": "Offence Sub-group"}
    sv_data["recorded_crime"].rename(columns=near).to_csv(tmp_path / "prc.csv", index=False)
    with pytest.raises(DataValidationError, match="Offence Sub-group"):
        evaluate(
            sv_data, Parameters(bootstrap_draws=20, home_office_source=str(tmp_path / "prc.csv"))
        )
