"""Perpetrator programmes' evaluation: parameters, evaluate() and value for money.

The value-for-money arithmetic is worked out by hand; ``evaluate`` runs on a small
synthetic extract (no kernel) and is checked against what each part promises.
"""

from __future__ import annotations

import ast
import dataclasses

import pytest

from analysis.config import notebook_path
from analysis.errors import ConfigError
from analysis.evidence import vfm
from analysis.parameters_cell import inspect_notebook
from analysis.programmes.perpetrator_programmes import tables
from analysis.programmes.perpetrator_programmes.evaluation import (
    Parameters,
    averted_record,
    domestic_abuse_unit_cost,
    evaluate,
    offences_averted,
    programme_value_for_money,
    value_for_money_record,
)
from analysis.results import Estimate

#: Notebook parameters that go to load() and save_findings(), not to the analysis.
NOT_ANALYSIS = {
    "source",
    "synthetic_seed",
    "synthetic_scale",
    "synthetic_world",
    "extract_date",
    "findings_path",
}


def test_parameters_match_the_notebook_parameters_cell():
    cell = inspect_notebook(notebook_path("perpetrator_programmes"))
    fields = {field.name: field for field in dataclasses.fields(Parameters)}
    assert set(fields) == set(cell) - NOT_ANALYSIS
    for name, field in fields.items():
        assert field.default == ast.literal_eval(cell[name]["default"]), name
        assert field.type == cell[name]["inferred_type_name"], name


def test_parameters_derive_caliper_and_risk_levels():
    assert Parameters().caliper == 0.2
    assert Parameters(caliper_sd=0).caliper is None
    levels = Parameters(up2u_risk_levels=" standard , medium,").risk_levels
    assert levels == {"Drive": ("high",), "Up2U": ("standard", "medium")}


def test_evaluate_covers_both_programmes_training_and_money(evaluation):
    assert evaluation.programmes == ["Drive", "Up2U"]
    for name in evaluation.programmes:
        cohort = evaluation.cohorts[name]
        assert set(cohort.table["dash_risk"]) <= set(tables.RISK_LEVELS[name])
        assert evaluation.reoffending[name].matched.scale == "percentage points"
        assert evaluation.harm[name].matched_did.n > 0
        assert evaluation.components[name].participants == evaluation.year.participants[name]
    assert evaluation.training.outcome == "knowledge score"
    assert evaluation.money_year == evaluation.unit_cost.price_year
    assert evaluation.cash_total == pytest.approx(
        tables.cash_spending(evaluation.data["programme_costs"], "2024/25")
    )
    # Training is counted at cost only: the whole funding costs more than its programmes.
    assert evaluation.overall.cost > sum(c.cost for c in evaluation.components.values())
    assert set(evaluation.crimes_averted) == {"Drive", "Up2U"}


def test_evaluate_refuses_a_bad_harm_weight_override(synthetic_data):
    with pytest.raises(ConfigError, match="group:days"):
        evaluate(synthetic_data, Parameters(harm_weight_overrides="rape:lots"))
    with pytest.raises(ConfigError, match="unknown offence group"):
        evaluate(synthetic_data, Parameters(harm_weight_overrides="fraud=3"))


def test_value_for_money_record_adds_crimes_averted(evaluation):
    record = value_for_money_record(evaluation, headline="Drive: a sentence.")
    assert record["headline"] == "Drive: a sentence."
    averted = record["offences_averted"]
    assert set(averted) == {"Drive", "Up2U"}
    assert averted["Drive"]["outcome"] == "DA crimes"
    assert averted["Drive"]["estimate"] == evaluation.crimes_averted["Drive"].point


def test_programme_value_for_money_by_hand(starters, costs):
    year = tables.costed_year(starters, costs, financial_year="2024/25")
    unit = vfm.UnitCost(40_000.0, "victim", "2024/25", "test")
    drive = Estimate(-50.0, -80.0, -20.0, 0.001, 200, "percentage points", "m", "e", se=15.3)
    up2u = Estimate(-10.0, -40.0, 20.0, 0.5, 200, "percentage points", "m", "e", se=15.3)
    components, overall = programme_value_for_money(
        {"Drive": drive, "Up2U": up2u}, year, unit_cost=unit, victims_per_reoffender=2.0
    )
    # Drive: 3 starters x 0.5 fewer reoffenders x 2 victims = 3 victims, worth £120,000.
    assert components["Drive"].averted.point == pytest.approx(3.0)
    assert components["Drive"].benefit[0] == pytest.approx(120_000.0)
    assert components["Drive"].bcr == pytest.approx((1.2, 0.48, 1.92))
    assert components["Drive"].break_even_outcomes == pytest.approx(2.5)
    # Overall: training's £10,000 is cost only.
    assert overall.cost == pytest.approx(160_000.0)
    expected = (120_000.0 + 0.1 * 2 * 2 * 40_000.0) / 160_000.0
    assert overall.bcr[0] == pytest.approx(expected)


def test_unit_cost_is_uprated_from_its_price_year():
    base = domestic_abuse_unit_cost("2016/17")
    later = domestic_abuse_unit_cost("2024/25")
    assert base.value == 34_015.0
    from analysis.data import load_reference

    deflator = load_reference("gdp_deflator").set_index("financial_year")["index"]
    assert later.value == pytest.approx(34_015.0 * deflator["2024/25"] / deflator["2016/17"])


def test_value_for_money_refuses_a_missing_line_and_a_bad_multiplier(starters, costs):
    year = tables.costed_year(starters, costs, financial_year="2024/25")
    unit = vfm.UnitCost(40_000.0, "victim", "2024/25", "test")
    est = Estimate(-10.0, -40.0, 20.0, 0.5, 200, "percentage points", "m", "e", se=15.3)
    with pytest.raises(ConfigError, match="no CARA line"):
        programme_value_for_money({"CARA": est}, year, unit_cost=unit)
    with pytest.raises(ConfigError, match="victims_per_reoffender"):
        programme_value_for_money({"Drive": est}, year, unit_cost=unit, victims_per_reoffender=0)


def test_offences_averted_scale_by_quarters_and_starters(starters, costs):
    year = tables.costed_year(starters, costs, financial_year="2024/25")
    est = Estimate(-0.5, -0.75, -0.25, 0.01, 400, "difference", "m", "e", se=0.1276)
    averted = offences_averted({"Drive": est}, year)
    # 3 Drive starters x 4 quarters x 0.5 fewer crimes a quarter.
    assert averted["Drive"].point == pytest.approx(6.0)
    record = averted_record(averted)
    assert record["Drive"]["participants"] == 3
    assert (record["Drive"]["ci_low"], record["Drive"]["ci_high"]) == pytest.approx((3.0, 9.0))


def test_for_whom_breaks_the_target_trial_down_with_counts_suppressed(evaluation):
    from analysis.programmes.perpetrator_programmes.designs import GROUP_COUNT_COLUMNS

    assert set(evaluation.for_whom) == set(evaluation.programmes)
    counts = list(GROUP_COUNT_COLUMNS)
    for programme, breakdowns in evaluation.for_whom.items():
        assert set(breakdowns) == set(tables.FOR_WHOM)
        for by, table in breakdowns.items():
            pairs = evaluation.target_trial[programme].details["pairs"]
            assert table["pairs"].sum() == len(pairs)  # every pair in exactly one group
            withheld = table["note"].astype(str).str.startswith("suppressed")
            assert table.loc[withheld, "effect"].isna().all()
            assert (table.loc[~withheld, counts] >= 10).all().all()
            shown = evaluation.for_whom_display(programme, by)
            small = (table[counts].lt(10) & table[counts].gt(0)).to_numpy()
            assert all(isinstance(v, str) for v in shown[counts].to_numpy()[small]), shown
    assert len(evaluation.for_whom_tables) == 2 * len(tables.FOR_WHOM)
    assert list(evaluation.not_recorded.index) == list(tables.FOR_WHOM.values())


def test_for_whom_is_not_possible_without_the_columns(synthetic_data):
    people = synthetic_data.tables["people"].assign(sex=None, ethnicity=None)
    data = dataclasses.replace(synthetic_data, tables={**synthetic_data.tables, "people": people})
    evaluation = evaluate(data, Parameters(continuation_funding_gbp=135_000.0))
    for breakdowns in evaluation.for_whom.values():
        assert breakdowns["sex"] is None and breakdowns["ethnicity"] is None
        assert breakdowns["age_band"] is not None
    assert set(evaluation.for_whom_tables) == {"Drive by age band", "Up2U by age band"}
