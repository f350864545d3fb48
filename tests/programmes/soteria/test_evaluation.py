"""Soteria: Parameters, evaluate and build_findings, without a kernel."""

from __future__ import annotations

import ast
import dataclasses

import numpy as np
import pytest

from analysis.config import notebook_path
from analysis.errors import ConfigError
from analysis.parameters_cell import inspect_notebook
from analysis.programmes.soteria import findings as soteria_findings
from analysis.programmes.soteria.evaluation import Parameters, evaluate, value_of_charges
from analysis.results import Estimate

#: Notebook parameters that go to load() and save_findings(), not to the analysis.
NOT_ANALYSIS = {"source", "synthetic_scale", "synthetic_world", "extract_date", "findings_path"}


def test_parameters_match_the_notebook_parameters_cell():
    cell = inspect_notebook(notebook_path("soteria"))
    fields = {field.name: field for field in dataclasses.fields(Parameters)}
    assert set(fields) == set(cell) - NOT_ANALYSIS
    for name, field in fields.items():
        assert field.default == ast.literal_eval(cell[name]["default"]), name
        assert field.type == cell[name]["inferred_type_name"], name


def test_evaluate_follows_every_crime_and_compares_adult_rape_cohorts(evaluation):
    crimes = evaluation.data["crimes"]
    assert len(evaluation.ends) == len(crimes)
    adult = int((crimes["offence"] == "adult_rape").sum())
    for estimate in (evaluation.charge, evaluation.withdrawal, evaluation.evidential):
        assert estimate.scale == "difference" and estimate.n == adult
        assert estimate.diagnostics["time"] == 365
    assert evaluation.charge_hazard.scale == "hazard ratio"
    assert list(evaluation.ends_table.columns) == [
        "before",
        "after",
        "difference",
        "ci_low",
        "ci_high",
    ]
    # The cohort table counts every adult rape once, by year of report.
    assert evaluation.rates["reported"].sum() == adult
    assert evaluation.rates["charged_so_far"].sum() == int(
        (evaluation.ends["end"] == "charge")
        .where(evaluation.ends["offence"] == "adult_rape", False)
        .sum()
    )
    assert evaluation.monthly["charges"].sum() == int(
        crimes.loc[crimes["offence"] == "adult_rape", "charge_date"].notna().sum()
    )
    assert evaluation.isva_age["crimes_before"].sum() + evaluation.isva_age[
        "crimes_after"
    ].sum() == len(crimes)
    assert 0 < evaluation.early_withdrawal.effect < 1


def test_display_tables_suppress_small_counts(evaluation):
    shown = evaluation.isva_relationship_display.astype(str)
    raw = evaluation.isva_relationship
    small = raw["referred_before"] < 10
    assert (
        shown.loc[small, "referred_before"] != raw.loc[small, "referred_before"].astype(str)
    ).all()
    assert len(evaluation.timeliness_display) == 5
    assert "cohort_rate" in evaluation.rates_display.columns


def test_adoption_date_outside_the_window_is_a_clear_error(synthetic_data):
    with pytest.raises(ConfigError, match="no crimes reported on one side"):
        evaluate(synthetic_data, Parameters(adoption_date="2030-01-01"))
    with pytest.raises(ConfigError, match="is not a date"):
        evaluate(synthetic_data, Parameters(adoption_date="July 2023x"))


def test_value_of_charges_carries_the_interval_through():
    estimate = Estimate(0.03, -0.01, 0.05, 0.2, 2000, "difference", "m", "e")
    value = value_of_charges(estimate, 1000, 0.5)
    assert value.extra_charges == pytest.approx((30, -10, 50))
    assert value.value[0] == pytest.approx(30 * 0.5 * value.unit_cost)
    assert value.unit_cost > 39360 and value.police_cost > 6360
    assert value.police_cost / value.unit_cost == pytest.approx(6360 / 39360)
    with pytest.raises(ConfigError, match="0 or more"):
        value_of_charges(estimate, 1000, -1)


def test_build_findings_headline_first_with_truth_and_mde(evaluation, findings):
    truth = evaluation.data.truth
    assert [f.headline for f in findings] == [True, False, False, False, False]
    assert findings[0].question == soteria_findings.QUESTION
    assert findings[0].truth == truth["charge_cif_difference"]
    assert findings[1].truth == truth["charge_hazard_ratio"]
    assert findings[2].truth == truth["withdrawal_cif_difference"]
    assert findings[3].truth == truth["team_did_charge"]
    assert findings[4].truth == truth["national_charge_difference"]
    assert findings[4].design == "staggered_difference_in_differences"
    assert all(f.mde and f.mde > 0 for f in findings)
    assert [f.sms_level for f in findings[:3]] == [1, 1, 1]


def test_team_comparison_is_sms_3_only_with_parallel_pre_trends(evaluation, findings):
    expected = 3 if evaluation.team.parallel_before else 2
    assert findings[3].sms_level == expected
    broken = dataclasses.replace(
        evaluation, team=dataclasses.replace(evaluation.team, pre_trend_p=0.001)
    )
    rebuilt = soteria_findings.build_findings(broken)[3]
    assert rebuilt.sms_level == 2
    assert soteria_findings.TEAM_CAVEAT_NOT_PARALLEL in rebuilt.caveats
    unchecked = dataclasses.replace(
        evaluation, team=dataclasses.replace(evaluation.team, pre_trend_p=None)
    )
    assert soteria_findings.build_findings(unchecked)[3].sms_level == 2


def test_truth_is_withheld_when_the_analysis_departs_from_the_generator(synthetic_data):
    moved = evaluate(synthetic_data, Parameters(adoption_date="2023-01-01"))
    assert all(f.truth is None for f in soteria_findings.build_findings(moved))
    shorter = evaluate(synthetic_data, Parameters(followup_days=180))
    assert all(f.truth is None for f in soteria_findings.build_findings(shorter))
    assert np.isfinite(shorter.charge.effect)
