"""lSaVI's evaluate(): the notebook's parameters, and every result from the designs it names."""

from __future__ import annotations

import ast
import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from analysis.errors import ConfigError
from analysis.parameters_cell import inspect_notebook
from analysis.programmes import REGISTRY
from analysis.programmes.lsavi import designs, tables
from analysis.programmes.lsavi.evaluation import Parameters

#: Notebook parameters that go to load() or save_findings(), not to the analysis.
NOT_ANALYSIS = {
    "source",
    "synthetic_seed",
    "synthetic_scale",
    "synthetic_world",
    "extract_date",
    "findings_path",
}


def test_parameters_match_the_notebooks_parameters_cell():
    cell = inspect_notebook(REGISTRY["lsavi"].notebook)
    analysis = {name: p for name, p in cell.items() if name not in NOT_ANALYSIS}
    fields = {f.name: f for f in dataclasses.fields(Parameters)}
    assert list(fields) == list(analysis), "same names, same order"
    for name, field in fields.items():
        assert field.type == analysis[name]["inferred_type_name"], name
        assert field.default == ast.literal_eval(analysis[name]["default"]), name


def test_parameters_refuse_an_unknown_comparison_group():
    with pytest.raises(ConfigError, match="comparison_group must be one of"):
        Parameters(comparison_group="everyone")
    assert Parameters(comparison_group="not_yet").sensitivity_group == "never"
    assert Parameters().pilot_ends == pd.Timestamp("2026-03-31")


def test_evaluation_holds_the_designs_results(data, evaluation):
    params = evaluation.params
    assert evaluation.panel_end == pd.Timestamp("2026-06-01")
    panel = tables.premises_month_panel(
        data["premises"], data["incidents"], start=params.panel_start, end=evaluation.panel_end
    )
    pd.testing.assert_frame_equal(evaluation.panel, panel)
    headline = designs.staggered_effect(panel, n_boot=0)
    assert evaluation.headline.effect == pytest.approx(headline.effect)
    assert evaluation.headline.ci_low == pytest.approx(headline.ci_low)
    assert (
        evaluation.sensitivity.estimand
        == designs.staggered_effect(panel, control="not_yet", n_boot=0).estimand
    )
    assert evaluation.theft.outcome == "theft incidents"
    assert evaluation.checks.index.tolist() == [
        "Headline",
        "Placebo: sign-up 12 months earlier",
        "Comparison: 'not_yet'",
        "Theft (not targeted)",
        "Leaving out the 3 months before sign-up",
        "Two-way fixed effects",
    ]
    assert evaluation.dynamic.pretrend_p == evaluation.headline.diagnostics["pretrend_p_value"]
    assert evaluation.windowed.details["dynamic"]["rel_time"].abs().max() <= 12
    assert evaluation.value_for_money.cost == params.pilot_cost_gbp
    assert evaluation.funnel["Licensed premises"] == len(data["premises"])
    assert evaluation.street_incidents == data["incidents"]["premises_id"].isna().sum()
    assert len(evaluation.uptake_breakdowns) == 2


def test_each_mde_comes_from_the_interval_its_finding_reports(evaluation):
    # Bloom's multiplier (1.96 + 0.84) times the standard error read back from the
    # 95% interval: on a difference scale, 2.80 / 1.96 of the interval's half-width.
    multiplier = (norm.ppf(0.975) + norm.ppf(0.8)) / norm.ppf(0.975)
    for name in ("headline", "twfe", "placebo", "sensitivity", "theft"):
        est = getattr(evaluation, name)
        half_width = (est.ci_high - est.ci_low) / 2
        assert getattr(evaluation, f"{name}_mde") == pytest.approx(multiplier * half_width), name
    for name in ("naive", "its"):
        est = getattr(evaluation, name)
        log_half_width = (np.log(est.ci_high) - np.log(est.ci_low)) / 2
        expected = np.exp(multiplier * log_half_width)
        assert getattr(evaluation, f"{name}_mde") == pytest.approx(expected), name
    # An effect the size of the MDE would lie outside the interval around zero.
    assert evaluation.headline_mde > (evaluation.headline.ci_high - evaluation.headline.ci_low) / 2


def test_evaluate_follows_its_parameters(data):
    from analysis.programmes.lsavi.evaluation import evaluate

    evaluation = evaluate(
        data,
        Parameters(
            comparison_group="not_yet",
            placebo_shift_months=6,
            bootstrap_draws=0,
            recording_lag_days=45,
            suppression_threshold=5,
            pilot_cost_gbp=1000.0,
        ),
    )
    assert evaluation.panel_end == pd.Timestamp("2026-05-01")
    assert "had not signed up yet" in evaluation.headline.estimand
    assert "never signed up" in evaluation.sensitivity.estimand
    assert "6 months earlier" in evaluation.placebo.estimand
    assert evaluation.dynamic.band_excludes is None
    assert evaluation.value_for_money.cost == 1000.0
