"""evaluate(data, params): every result the report shows, from the notebook's parameters."""

import ast
import dataclasses

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.parameters_cell import inspect_notebook
from analysis.paths import NOTEBOOKS_DIR
from analysis.programmes.op_focus.evaluation import HARM_UNITS, Parameters, evaluate
from analysis.synthetic import generate


def test_parameters_match_the_notebook_parameters_cell():
    cell = inspect_notebook(NOTEBOOKS_DIR / "op_focus.ipynb")
    fields = {f.name: f for f in dataclasses.fields(Parameters)}
    assert list(fields) == list(cell)
    for name, spec in cell.items():
        assert fields[name].default == ast.literal_eval(spec["default"]), name
        assert fields[name].type == spec["inferred_type_name"], name


def test_evaluation_holds_every_design_and_table(evaluation):
    assert sorted(evaluation.charge) == sorted(evaluation.withdrawal)
    assert sorted(evaluation.charge) == ["before_after", "did", "naive", "rdd"]
    assert sorted(evaluation.reoffending_estimates) == ["before_after", "count", "harm"]
    assert evaluation.truth is not None and evaluation.synthetic
    assert evaluation.rdd_bandwidths["bandwidth"].tolist()[1] == pytest.approx(
        round(evaluation.charge["rdd"].diagnostics["bandwidth"], 3)
    )
    assert list(evaluation.rdd_placebo_cutoffs["cutoff"]) == [144.0, 360.0]
    assert "Total" not in evaluation.uptake_areas["area"].tolist()
    assert evaluation.gains.shape == (2, 3)  # no cost: additional charges only


def test_checks_of_the_designs(evaluation):
    assert evaluation.event_study.diagnostics["pretrend_p_value"] > 0.001
    placebo = evaluation.placebo
    assert abs(placebo.effect) < 4 * placebo.se
    assert evaluation.matching.diagnostics["max_abs_smd_after"] < 0.25
    assert evaluation.cox.scale == "hazard ratio"
    assert evaluation.cox.diagnostics["n_censored_pending"] > 0
    assert not evaluation.selection_is_sharp  # adoption follows the threshold only in part


def test_parameters_reach_the_designs():
    world = generate("op_focus", seed=8, scale=0.5)
    params = Parameters(
        harm_weights="equal",
        reoffending_follow_up_days=60,
        placebo_pilot_start="2025-06-01",
        focus_cost_gbp=100_000.0,
        rd_bandwidth=150.0,
    )
    ev = evaluate(world, params)
    assert ev.reoffending_estimates["harm"].scale == HARM_UNITS["equal"]
    # With equal weights harm is a count of crimes.
    assert (ev.reoffending["harm_after"] == ev.reoffending["crimes_after"]).all()
    assert ev.reoffending["arrest_date"].max() <= ev.extract_date - pd.Timedelta(days=60)
    assert "2025-06-01" in ev.placebo.estimand
    assert ev.charge["rdd"].diagnostics["bandwidth_first_choice"] == 150.0
    assert "cost per additional charge (GBP)" in ev.gains.index.get_level_values(1)


def test_an_unknown_harm_weight_scheme_is_a_config_error():
    world = generate("op_focus", seed=8, scale=0.3)
    with pytest.raises(ConfigError, match="harm_weights"):
        evaluate(world, Parameters(harm_weights="sentencing"))
