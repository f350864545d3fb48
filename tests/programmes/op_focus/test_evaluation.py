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


def test_for_whom_breaks_the_charge_effect_down_with_counts_suppressed(evaluation):
    from analysis.programmes.op_focus.designs import COUNT_COLUMNS
    from analysis.programmes.op_focus.tables import FOR_WHOM

    assert set(evaluation.for_whom) == set(FOR_WHOM)
    for by, table in evaluation.for_whom.items():
        shown = evaluation.for_whom_display(by)
        assert list(shown.index) == list(table.index)
        counts = table[list(COUNT_COLUMNS)]
        small = (counts.lt(10) & counts.gt(0)).to_numpy()
        # Every small non-zero count is replaced by a marker in the published table.
        published = shown[list(COUNT_COLUMNS)].to_numpy()[small]
        assert all(isinstance(value, str) for value in published), shown
        withheld = table["note"].astype(str).str.startswith("suppressed")
        assert table.loc[withheld, "effect"].isna().all()
        assert (table.loc[~withheld, list(COUNT_COLUMNS)] >= 10).all().all()
    assert set(evaluation.for_whom_tables) == set(FOR_WHOM)
    assert list(evaluation.not_recorded.index) == list(FOR_WHOM.values())


def test_for_whom_says_not_possible_without_the_columns(world):
    from analysis.programmes.op_focus import narrative

    tables = dict(world.tables)
    tables["suspects"] = tables["suspects"].assign(sex=None, ethnicity=None)
    without = dataclasses.replace(world, tables=tables)
    evaluation = evaluate(without, Parameters(pilot_start="2026-04-01", harm_threshold=240.0))
    assert evaluation.for_whom["sex"] is None and evaluation.for_whom["ethnicity"] is None
    assert set(evaluation.for_whom_tables) == {"age_band"}
    text = narrative.for_whom(evaluation)
    assert "By sex: not possible" in text and "By ethnicity: not possible" in text
