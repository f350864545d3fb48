"""drug_supply: evaluate and build_findings without a kernel, on synthetic and public data."""

import dataclasses

import pytest

from analysis.data import load
from analysis.paths import PROJ_ROOT
from analysis.programmes.drug_supply import findings
from analysis.programmes.drug_supply.evaluation import Parameters, evaluate, harms_averted
from analysis.synthetic import generate

ARCHIVE = PROJ_ROOT / "tests" / "data" / "public" / "drug_supply_police_uk" / "archive.zip"


def test_every_design_runs_on_its_own_data(evaluation):
    assert evaluation.scorpion.diagnostics["n_stacks"] == 8
    assert evaluation.scorpion.diagnostics["exclude_before"] == 4
    assert evaluation.scorpion_with_selection.diagnostics["exclude_before"] == 0
    assert set(evaluation.viper) == {
        "violence",
        "acquisitive",
        "weapons",
        "drugs",
        "criminal_damage",
    }
    assert evaluation.viper["violence"].its.scale == "rate ratio"
    assert evaluation.viper["violence"].synthetic_control.scale == "rate ratio"
    pooled = evaluation.displacement_counts.loc["all rounds"]
    assert pooled["target_after"] > 0 and pooled["control_before"] > 0
    assert "police.uk monthly counts as loaded" in evaluation.police_uk_note


def test_build_findings_headline_first_with_truths_families_and_checks(evaluation):
    built = findings.build_findings(evaluation)
    assert built[0].headline and built[0].question == findings.HEADLINE_QUESTION
    truth = generate("drug_supply", seed=3).truth
    assert built[0].truth == pytest.approx(truth["scorpion_harm_att"])
    assert built[0].mde > 0
    activity = [f for f in built if f.family == "activity (not outcomes)"]
    assert len(activity) == 3 and all(findings.ACTIVITY_CAVEAT in f.caveats for f in activity)
    checks = [f for f in built if f.role == "check"]
    assert {f.question for f in checks} == {
        findings.NEGATIVE_CONTROL_QUESTION,
        findings.PLACEBO_QUESTION,
    }
    viper = [f for f in built if f.question.startswith("Did violence")]
    assert all(len(f.checks) == 2 for f in viper)
    assert len(findings.viper_outcome_findings(built)) == 4
    assert [f.label.split(":")[0] for f in findings.viper_activity_findings(built)] == [
        "Viper, weapons",
        "Viper, drugs",
    ]


def test_truths_are_withheld_when_the_windows_differ_from_the_generators(data):
    other = evaluate(data, Parameters(surge_post_weeks=4))
    assert all(f.truth is None for f in findings.build_findings(other) if f.role != "check")


def test_police_uk_source_replaces_the_loaded_monthly_tables(data):
    params = Parameters(police_uk_source=str(ARCHIVE))
    public = evaluate(data, params)
    assert "police.uk street-level files read from" in public.police_uk_note
    panel = public.viper["violence"].panel
    assert set(panel["force"]) == {
        "Dorset Police",
        "Hampshire Constabulary",
        "Wiltshire Police",
        "Devon & Cornwall Police",
    }
    assert panel["month"].min().year == 2023
    # The weekly designs still use the force extract.
    assert public.scorpion.effect == pytest.approx(evaluate(data, Parameters()).scorpion.effect)


def test_value_for_money_is_never_published_without_a_confirmed_cost(evaluation):
    record = findings.value_for_money_record(evaluation)
    assert record["overall"]["cost_confirmed"] is False
    assert record["overall"]["benefit_cost_ratio"] == "cost not confirmed"
    costed = dataclasses.replace(
        evaluation,
        params=Parameters(programme_cost_gbp=120000.0, cost_source="force finance, 2025"),
    )
    assert "per harm averted" in findings.value_for_money_record(costed)["headline"]
    assert harms_averted(evaluation) == pytest.approx(
        -evaluation.scorpion.effect * evaluation.scorpion.diagnostics["n_treated_units"] * 6
    )


def test_hostile_worlds_load_and_evaluate():
    for world in ("regression_to_mean", "force_shock", "displacement"):
        result = evaluate(load("drug_supply", seed=5, scale=0.5, world=world))
        assert result.scorpion.diagnostics["n_stacks"] == 8
