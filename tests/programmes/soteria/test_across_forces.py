"""Soteria across forces: the Home Office outcomes table, adoption waves, the headline checks."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.data import load, load_reference
from analysis.errors import DataValidationError
from analysis.paths import PROJ_ROOT
from analysis.programmes.soteria import designs, narrative, tables
from analysis.programmes.soteria import findings as soteria_findings
from analysis.programmes.soteria.evaluation import Parameters, evaluate, national_outcomes
from analysis.programmes.soteria.figures import across_forces_figures
from analysis.results import Estimate
from analysis.synthetic import generate

PUBLIC = PROJ_ROOT / "tests" / "data" / "public"
ADOPTION = pd.Timestamp("2023-07-01")


def estimate(effect, low, high, scale="difference"):
    return Estimate(effect, low, high, None, 100, scale, "m", "e")


@pytest.fixture(scope="module")
def synth():
    return generate("soteria", seed=11, scale=1.0)


@pytest.fixture(scope="module")
def forces(synth):
    return designs.across_forces(
        synth.tables["force_outcomes"], load_reference("soteria_adoption"), ADOPTION
    )


def test_force_panel_is_the_period_charge_share_with_adoption_quarters(synth):
    result = tables.force_panel(
        synth.tables["force_outcomes"], load_reference("soteria_adoption"), ADOPTION
    )
    panel = result.panel
    assert panel.groupby("force").size().nunique() == 1 and len(set(panel["force"])) == 43
    dorset = panel[panel["force"] == "Dorset"]
    assert (dorset["adoption_quarter"] == pd.Period("2023Q3", "Q")).all()
    hampshire = panel[panel["force"] == "Hampshire"].iloc[0]
    assert hampshire["adoption_quarter"] == pd.Period("2022Q4", "Q")  # from 2022-10-01
    bedfordshire = panel[panel["force"] == "Bedfordshire"].iloc[0]
    assert bedfordshire["adoption_quarter"] == pd.Period("2023Q3", "Q")  # 10 July: part-way
    table = synth.tables["force_outcomes"]
    first = table[(table["force_name"] == "Dorset") & (table["financial_year"] == "2019/20")]
    first = first[first["financial_quarter"] == 1]
    row = dorset.iloc[0]
    assert row["outcomes"] == first["force_outcomes"].sum()
    assert row["charges"] == first.loc[first["outcome_type"] == "1", "force_outcomes"].sum()
    assert row["quarter"] == pd.Period("2019Q2", "Q")


def test_the_published_layout_reads_through_with_aliases_and_non_forces_dropped():
    outcomes = pd.read_csv(PUBLIC / "home_office" / "outcomes.csv", dtype=str)
    outcomes = outcomes.set_axis(
        [
            "financial_year", "financial_quarter", "force_name", "offence_description",
            "offence_group", "offence_subgroup", "offence_code", "outcome_description",
            "outcome_group", "outcome_type", "force_outcomes",
        ],
        axis=1,
    )  # fmt: skip
    extra = outcomes.iloc[:2].assign(force_name=["London, City of", "Action Fraud"])
    result = tables.force_panel(
        pd.concat([outcomes, extra]), load_reference("soteria_adoption"), ADOPTION
    )
    assert result.dropped == ("Action Fraud",)
    assert "City of London" in set(result.panel["force"])
    dorset = result.panel[result.panel["force"] == "Dorset"].set_index("quarter")
    # 19C and 19F together: 2023/24 Q1 (2023Q2) has 9 + 1 charges of 139 + 1 outcomes.
    assert dorset.loc[pd.Period("2023Q2", "Q"), "charges"] == 10
    assert dorset.loc[pd.Period("2023Q2", "Q"), "outcomes"] == 140


def test_staggered_window_ends_before_the_last_wave_and_drops_a_lone_cohort(forces):
    window = forces.window
    assert window["quarter"].max() == pd.Period("2023Q2", "Q")
    assert "Avon and Somerset" not in set(window["force"])  # alone in its 2020 cohort
    assert (
        window.loc[window["adoption_quarter"] == pd.Period("2023Q3", "Q"), "first_treated"]
        .isna()
        .all()
    )
    assert list(forces.cohorts["adoption_quarter"].astype(str)) == ["2021Q1", "2022Q4"]
    assert forces.staggered is not None and forces.dip is not None
    assert forces.anticipation is not None


def test_no_synthetic_control_when_every_force_adopts_with_dorset(forces):
    assert forces.synthetic is None and forces.donors == ()
    assert "every other force had adopted by 2023Q3" in forces.synthetic_reason
    assert "No synthetic control of Dorset" in narrative.synthetic_control(forces)
    assert len(across_forces_figures(forces, "synthetic")) == 1


def test_synthetic_control_of_an_earlier_dorset_recovers_the_planted_rise():
    """Dorset adopting in October 2022 leaves the national wave as donors until 2023Q3."""
    gaps = []
    for seed in range(4):
        synth = generate(
            "soteria", seed=seed, adoption_date="2022-10-01", national_charge_difference=0.05
        )
        result = designs.across_forces(
            synth.tables["force_outcomes"],
            load_reference("soteria_adoption"),
            pd.Timestamp("2022-10-01"),
        )
        assert result.synthetic is not None, result.synthetic_reason
        assert len(result.donors) == 33 and "Dorset" not in result.donors
        gaps.append(result.synthetic.effect)
    assert 0.0 < sum(gaps) / len(gaps) < 0.1
    figures = across_forces_figures(result, "synthetic")
    assert len(figures) == 2
    series = designs.synthetic_control_series(result.synthetic).details["fitted"]
    assert series["time"].max() < pd.Timestamp("2023-07-01")
    # Three quarters after adoption and fourteen before: the conformal 95% interval cannot
    # be bounded, so the report draws no conclusion and records no finding.
    assert not result.synthetic_bounded
    assert "no conclusion" in narrative.synthetic_control(result)


def test_national_shift_finds_a_step_in_earlier_adopters_and_not_in_the_friendly_world():
    ref = load_reference("soteria_adoption")
    friendly = designs.across_forces(
        generate("soteria", seed=5).tables["force_outcomes"], ref, ADOPTION
    ).national_shift
    shifted = designs.across_forces(
        generate("soteria", seed=5, world="national_shift").tables["force_outcomes"],
        ref,
        ADOPTION,
    ).national_shift
    assert friendly.ci_low <= 0 <= friendly.ci_high
    assert shifted.ci_low > 0 and shifted.diagnostics["forces"] == 9


def test_reports_step_sees_a_recording_change(synth):
    friendly = designs.reports_step(synth.tables["crimes"], ADOPTION, synth.extract_date)
    changed = generate("soteria", seed=11, world="recording_change")
    step = designs.reports_step(changed.tables["crimes"], ADOPTION, changed.extract_date)
    assert friendly.ci_low <= 1.2 and step.ci_low > 1.2


def test_headline_is_demoted_with_the_reason_of_each_failed_check(evaluation):
    checks = {check.name: check for check in soteria_findings.headline_checks(evaluation)}
    assert set(checks) == {
        "placebo adoption a year early",
        "no national change at adoption",
        "no change in recording at adoption",
    }
    shifted = dataclasses.replace(
        evaluation,
        forces=dataclasses.replace(
            evaluation.forces,
            national_shift=estimate(0.03 if evaluation.charge.effect > 0 else -0.03, 0.01, 0.05)
            if evaluation.charge.effect > 0
            else estimate(-0.03, -0.05, -0.01),
        ),
        reports_step=estimate(1.5, 1.3, 1.7, "rate ratio"),
    )
    headline = soteria_findings.build_findings(shifted)[0]
    assert not headline.headline
    assert "no national change at adoption failed" in headline.headline_note
    assert "no change in recording at adoption failed" in headline.headline_note
    assert headline.headline_note in narrative.headline_status(headline)
    missing = dataclasses.replace(
        evaluation,
        placebo_early=None,
        reports_step=None,
        forces=dataclasses.replace(evaluation.forces, national_shift=None),
    )
    unchecked = soteria_findings.build_findings(missing)[0]
    assert unchecked.headline and all(check.passed is None for check in unchecked.checks)
    assert narrative.headline_status(unchecked) == ""


def test_headline_status_names_the_checks_that_passed(findings):
    if findings[0].headline:
        assert "stays the headline" in narrative.headline_status(findings[0])


def test_across_forces_finding_carries_its_checks(findings):
    across = findings[4]
    names = [check.name for check in across.checks]
    assert names == [
        "parallel pre-trends",
        "no dip before adoption",
        "robust to a year's anticipation",
    ]
    assert across.checks[0].passed is None


def test_narrative_branches_of_across_forces():
    cohorts = pd.DataFrame({"adoption_quarter": ["2021Q1"], "forces": ["Durham, South Wales"]})
    base = SimpleNamespace(
        staggered=estimate(0.02, 0.01, 0.03),
        cohorts=cohorts,
        staggered_reason="",
        synthetic=None,
        synthetic_reason="no donors",
        donors=(),
        national_shift=estimate(0.0, -0.01, 0.01),
        national_shift_reason="",
    )
    assert "charged a larger share" in narrative.across_forces(base)
    assert "2021Q1: Durham, South Wales" in narrative.across_forces(base)
    base.staggered = estimate(-0.02, -0.03, -0.01)
    assert "smaller share" in narrative.across_forces(base)
    base.staggered = estimate(0.0, -0.01, 0.01)
    assert "no clear change" in narrative.across_forces(base)
    base.staggered, base.staggered_reason = None, "no wave"
    assert narrative.across_forces(base) == "No across-forces estimate could be made: no wave."
    gaps = pd.DataFrame({"post": [False, True]})
    base.synthetic = dataclasses.replace(estimate(-0.02, -0.03, -0.01), details={"gaps": gaps})
    base.donors, base.synthetic_bounded = ("a", "b"), True
    assert "below its synthetic control, built from 2 forces" in narrative.synthetic_control(base)
    base.synthetic = dataclasses.replace(base.synthetic, effect=0.01, ci_low=-0.01, ci_high=0.03)
    assert "no clear difference from" in narrative.synthetic_control(base)
    base.synthetic = dataclasses.replace(base.synthetic, ci_low=float("-inf"))
    base.synthetic_bounded = False
    assert "over the 1 quarter(s)" in narrative.synthetic_control(base)
    assert "no sign of a national change" in narrative.national_change(base)
    base.national_shift = estimate(0.02, 0.01, 0.03)
    assert "saw a rise" in narrative.national_change(base)
    base.national_shift = estimate(-0.02, -0.03, -0.01)
    assert "saw a fall" in narrative.national_change(base)
    base.national_shift, base.national_shift_reason = None, "too few forces"
    assert narrative.national_change(base).endswith("too few forces.")


def test_narrative_of_the_placebo_and_the_recording_check():
    assert narrative.placebo(None) == "" and narrative.recording(None) == ""
    assert "finds no change" in narrative.placebo(estimate(0.0, -0.01, 0.01))
    assert "already moving" in narrative.placebo(estimate(0.02, 0.01, 0.03))
    assert "no step at adoption" in narrative.recording(estimate(1.0, 0.9, 1.1, "rate ratio"))
    assert "different cases" in narrative.recording(estimate(1.4, 1.2, 1.6, "rate ratio"))


def test_home_office_outcomes_source_reads_the_published_file(synthetic_data):
    params = Parameters(home_office_outcomes_source=str(PUBLIC / "home_office" / "outcomes.csv"))
    outcomes, where = national_outcomes(synthetic_data, params)
    assert where.startswith("the Home Office crime outcomes open data table")
    assert set(outcomes["offence_code"]) <= set(tables.ADULT_RAPE_CODES)
    result = evaluate(synthetic_data, params)
    # Two forces and two quarters: no design can be made, and each says why.
    assert result.forces.staggered is None and result.forces.synthetic is None
    assert result.forces.national_shift is None
    assert "No across-forces estimate" in narrative.across_forces(result.forces)


def test_a_near_miss_outcomes_file_stops_the_evaluation_naming_file_and_column(synthetic_data):
    near_miss = PUBLIC / "home_office_variants" / "outcomes-near-miss.csv"
    with pytest.raises(DataValidationError, match="Outcome Code"):
        evaluate(synthetic_data, Parameters(home_office_outcomes_source=str(near_miss)))


def test_a_near_miss_outcomes_file_exits_2_through_the_command_line(tmp_path):
    near_miss = PUBLIC / "home_office_variants" / "outcomes-near-miss.csv"
    result = subprocess.run(
        [
            sys.executable, "-m", "analysis", "run", "soteria",
            "-p", f"home_office_outcomes_source={near_miss}",
            "-p", "synthetic_scale=0.3",
            "--output", str(tmp_path / "out"), "--no-pdf",
        ],
        cwd=PROJ_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Outcome Code" in result.stdout and "Traceback" not in result.stdout
    assert Path(tmp_path / "out" / "soteria" / "failed-run" / "soteria.ipynb").exists()


def test_load_still_offers_the_force_outcomes_table():
    data = load("soteria", source="synthetic", seed=2, scale=0.2)
    assert "force_outcomes" in data.tables


def test_the_staggered_interval_uses_t_for_so_few_adopting_forces(forces):
    from scipy import stats

    est = forces.staggered
    assert est.diagnostics["t_degrees_of_freedom"] == 8 - 2  # eight forces in two cohorts
    half = stats.t.ppf(0.975, 6) * est.se
    assert est.ci_high - est.effect == pytest.approx(half)
    assert est.effect - est.ci_low == pytest.approx(half)
