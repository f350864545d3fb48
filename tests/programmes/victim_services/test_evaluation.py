"""Victim services' evaluation: parameters, evaluate() and its display tables, without a kernel."""

from __future__ import annotations

import ast
import dataclasses
import json

import pandas as pd
import pytest

from analysis.config import notebook_path
from analysis.data.reference import unit_cost
from analysis.evidence.vfm import COST_NOT_CONFIRMED
from analysis.parameters_cell import inspect_notebook
from analysis.programmes.victim_services.evaluation import (
    EXIT_MEASURES,
    Parameters,
    evaluate,
    value_for_money_record,
)

#: Notebook parameters that go to load() and save_findings(), not to the analysis.
NOT_ANALYSIS = {"source", "synthetic_scale", "synthetic_world", "extract_date", "findings_path"}


def test_parameters_match_the_notebook_parameters_cell():
    cell = inspect_notebook(notebook_path("victim_services"))
    fields = {field.name: field for field in dataclasses.fields(Parameters)}
    assert set(fields) == set(cell) - NOT_ANALYSIS
    for name, field in fields.items():
        assert field.default == ast.literal_eval(cell[name]["default"]), name
        assert field.type == cell[name]["inferred_type_name"], name


def test_the_trial_holds_supported_and_unsupported_victims_once_each(evaluation):
    trial = evaluation.trial
    assert trial["crime_id"].is_unique
    assert set(trial["supported"]) == {0, 1}
    # Every crime's grace period ended by the extract date.
    assert (trial["landmark"] <= evaluation.data.extract_date).all()
    assert (trial["repeat_days"] <= evaluation.params.follow_up_days).all()


def test_criminal_justice_results_are_points_with_naive_and_matched(evaluation):
    for result in (evaluation.withdrawal, evaluation.charge):
        assert result.naive.scale == result.matched.scale == "percentage points"
        assert result.e_value.point >= 1
    table = evaluation.criminal_justice_table
    assert list(table.index.get_level_values("design")) == ["naive", "matched"] * 2
    assert table["E-value"].notna().sum() == 2


def test_repeat_victimisation_is_a_clustered_cox_on_matched_pairs(evaluation):
    repeat = evaluation.repeat
    assert repeat.matched.scale == repeat.naive.scale == "hazard ratio"
    assert repeat.matched.diagnostics["n_clusters"] == repeat.cohort["pair_id"].nunique()
    assert (repeat.cohort.groupby("pair_id")["supported"].sum() == 1).all()


def test_service_change_series_are_gaussian_step_changes(evaluation):
    for estimate in (evaluation.first_contact, evaluation.engagement, evaluation.withdrawal_trend):
        assert estimate.scale == "difference"
        assert estimate.details["intervention"] == evaluation.service_change


def test_exit_table_puts_the_complete_case_inside_the_bounds(evaluation):
    table = evaluation.exit_table
    assert list(table.index) == list(EXIT_MEASURES.values())
    for measure in EXIT_MEASURES:
        result = evaluation.exits[measure]
        assert result.bounds.lower <= result.complete_case.effect <= result.bounds.upper
    assert evaluation.exit_change.method == "Lee bounds"


def test_reach_keeps_not_recorded_as_a_group_and_suppresses_small_counts(evaluation):
    shown = evaluation.reach_display("ethnicity")
    assert "not recorded" in shown.index and "Total" in shown.index
    raw = evaluation.data["cases"]["ethnicity"].value_counts()
    small = raw[raw < evaluation.params.suppression_threshold]
    for group in small.index:
        assert not str(shown.loc[group, "referrals"]).isdigit()


def test_capacity_against_the_benchmarks(evaluation):
    table = evaluation.capacity
    idva_last_year = evaluation.data["cases"].pipe(
        lambda c: c[
            (c["service"] == "IDVA")
            & (c["referral_date"] > evaluation.data.extract_date - pd.DateOffset(years=1))
        ]
    )
    expected = len(idva_last_year) / evaluation.params.adviser_fte
    assert table.iloc[0]["Dorset"] == pytest.approx(expected, abs=0.05)
    assert list(table["benchmark"]) == [100.0, 40.0]


def test_value_for_money_values_a_repeat_at_the_uprated_home_office_cost(evaluation):
    value = evaluation.value
    assert value.cost == 261000.0
    assert value.unit_cost.value == pytest.approx(unit_cost("domestic_abuse_per_victim"))
    assert value.unit_cost.value > 34015  # uprated from 2016/17 prices
    costs = evaluation.delivery_costs
    assert costs.loc["referral", "cost (£)"] == round(261000 / costs.loc["referral", "count"])
    recorded = costs.loc["exit with abuse ceased (recorded)", "count"]
    best = costs.loc["exit with abuse ceased (if every unrecorded exit had)", "count"]
    assert recorded <= best


def test_value_for_money_record_says_cost_not_confirmed_by_default(evaluation):
    # The £261,000 is the funding allocated; the parameters do not confirm it as the
    # service's full cost, so the scorecard gets no benefit-cost ratio.
    assert evaluation.params.cost_confirmed is False
    record = value_for_money_record(evaluation)
    (component,) = record["components"]
    assert component["label"] == "Victim services, funded year"
    assert component["cost_gbp"] == 261000.0
    assert component["cost_confirmed"] is False
    assert component["benefit_cost_ratio"] == COST_NOT_CONFIRMED
    assert component["outcome"] == "repeat victims"
    assert record["overall"] is None
    assert record["headline"].startswith("Victim services, funded year: cost not confirmed")
    json.dumps(record, allow_nan=False)  # findings.json must stay strict JSON


def test_value_for_money_record_publishes_the_ratio_once_the_cost_is_confirmed(data):
    evaluation = evaluate(data, Parameters(cost_confirmed=True))
    (component,) = value_for_money_record(evaluation)["components"]
    assert "cost_confirmed" not in component
    ratio = component["benefit_cost_ratio"]
    assert ratio["ci_low"] <= ratio["estimate"] <= ratio["ci_high"]
    assert ratio["estimate"] == pytest.approx(evaluation.value.bcr[0])


def test_funding_and_grace_period_are_used(data):
    params = Parameters(funding_gbp=100000.0, support_window_days=14)
    evaluation = evaluate(data, params)
    assert evaluation.value.cost == 100000.0
    assert evaluation.planted("repeat_hazard_ratio") == 0.75


def test_for_whom_breaks_the_repeat_effect_down_with_suppression(evaluation):
    from analysis.programmes.victim_services.evaluation import FOR_WHOM

    assert set(evaluation.for_whom) == set(FOR_WHOM)
    risk = evaluation.for_whom["dash_risk"]
    # "not recorded" is a group of its own, and every pair belongs to one group.
    assert "not recorded" in risk.table.index
    assert risk.table["pairs"].sum() == evaluation.repeat.cohort["pair_id"].nunique()
    threshold = evaluation.params.suppression_threshold
    for result in evaluation.for_whom.values():
        table = result.table
        small = (table["pairs"] < threshold) | (table["events"] < threshold)
        assert table.loc[small, "hazard ratio"].isna().all()
        assert result.p_value is None or 0 <= result.p_value <= 1
        shown = evaluation.for_whom_display(result.by)
        assert not shown["pairs"].astype(str).isin([str(n) for n in range(1, threshold)]).any()


def test_repeat_censors_comparison_victims_at_a_later_referral(evaluation):
    cohort = evaluation.repeat.cohort
    switched = cohort[cohort["censored_at_referral"]]
    assert len(switched) == evaluation.repeat.censored_at_referral > 0
    assert (switched["supported"] == 0).all() and (switched["repeat"] == 0).all()
    assert (switched["repeat_days"] <= switched["later_referral_days"].clip(lower=1)).all()


def test_service_change_series_are_standardised_to_the_referral_mix(evaluation):
    series = evaluation.series
    raw, adjusted = series["mean_days_to_contact"], series["mean_days_to_contact_mix_adjusted"]
    # Same scale, not the same numbers: the month's own mix is replaced by the period's.
    assert (adjusted - raw).abs().max() < 2
    assert not adjusted.equals(raw)
    assert evaluation.first_contact.effect == pytest.approx(
        evaluation.data.truth["first_contact_change_days"], abs=1.0
    )
