"""lSaVI's designs against direct counts, planted effects and their refusals."""

from __future__ import annotations

import pytest

from analysis.data.contracts.lsavi import VIOLENCE_VULNERABILITY
from analysis.errors import ConfigError, EstimationError
from analysis.evidence import vfm
from analysis.programmes.lsavi import designs, tables
from analysis.results import Estimate
from analysis.synthetic import generate

from .conftest import PANEL_END


def test_naive_comparison_is_the_plain_rate_ratio(panel):
    est = designs.naive_comparison(panel, pilot_start="2025-04-01")
    during = panel["month"] >= "2025-04-01"
    treated = panel[during & (panel["treated"] == 1)]
    never = panel[during & panel["first_treated"].isna()]
    expected = treated["violence_vulnerability"].mean() / never["violence_vulnerability"].mean()
    assert est.effect == pytest.approx(expected)
    assert est.effect > 1.5  # selection on risk: participants look worse
    with pytest.raises(EstimationError, match="no participating"):
        designs.naive_comparison(panel, pilot_start="2030-01-01")


def test_staggered_effect_recovers_a_large_planted_effect():
    synth = generate("lsavi", seed=4, scale=2, violence_effect=-0.6, effect_ramp_months=1)
    panel = tables.premises_month_panel(
        synth.tables["premises"], synth.tables["incidents"], start="2023-04-01", end=PANEL_END
    )
    est = designs.staggered_effect(panel, n_boot=0)
    truth = synth.truth["att_violence_vulnerability"]
    assert est.ci_low <= truth <= est.ci_high
    assert est.significant and est.effect < 0
    assert "never signed up" in est.estimand
    not_yet = designs.staggered_effect(panel, control="not_yet", n_boot=0)
    assert "had not signed up yet" in not_yet.estimand


def test_twfe_and_placebo_effects(panel):
    twfe = designs.twfe_effect(panel)
    assert twfe.method.startswith("two-way") and "violence" in twfe.estimand
    placebo = designs.placebo_effect(panel, pilot_start="2025-04-01", shift_months=6)
    assert "6 months earlier" in placebo.estimand
    with pytest.raises(EstimationError, match="smaller shift"):
        designs.placebo_effect(panel, pilot_start="2025-04-01", shift_months=40)


def test_percent_change(panel):
    est = Estimate(-0.1, -0.15, -0.05, 0.01, 10, "difference", "m", "e")
    point, low, high = designs.percent_change(est, panel, outcome="violence_vulnerability")
    observed = panel.loc[panel["treated"] == 1, "violence_vulnerability"].mean()
    assert point == pytest.approx(-10 / (observed + 0.1))
    assert low < point < high
    huge = Estimate(10.0, 9.0, 11.0, 0.01, 10, "difference", "m", "e")
    with pytest.raises(EstimationError, match="counterfactual"):
        designs.percent_change(huge, panel, outcome="violence_vulnerability")


def test_dynamic_window_and_summary(evaluation):
    windowed = designs.dynamic_window(evaluation.headline, 3)
    assert windowed.details["dynamic"]["rel_time"].abs().max() <= 3
    assert windowed.effect == evaluation.headline.effect
    with pytest.raises(ConfigError, match="at least 1 month"):
        designs.dynamic_window(evaluation.headline, 0)
    summary = designs.dynamic_summary(windowed, window_months=3, bootstrap_draws=49)
    dynamic = windowed.details["dynamic"]
    assert summary.late_from == 1
    assert summary.late == pytest.approx(dynamic.loc[dynamic["rel_time"] >= 1, "coef"].mean())
    assert summary.months_after == 4
    assert 0 <= summary.band_excludes <= 4
    assert (
        designs.dynamic_summary(windowed, window_months=3, bootstrap_draws=0).band_excludes is None
    )


def test_nte_violence_its_and_areas(synth):
    county = tables.nte_violence_series(
        synth.tables["incidents"], start="2023-04-01", end=PANEL_END
    )
    its = designs.nte_violence_its(county, intervention="2025-04-01")
    assert its.scale == "rate ratio" and its.ci_low < its.effect < its.ci_high
    by_area = designs.area_its_table(
        tables.nte_violence_series(
            synth.tables["incidents"], start="2023-04-01", end=PANEL_END, by_area=True
        ),
        intervention="2025-04-01",
        minimum_monthly=5,
    )
    modelled = by_area["effect"].notna()
    assert (by_area.loc[~modelled, "note"].str.startswith("too few")).all()
    before = by_area["events_before"] + by_area["events_after"]
    assert before.sum() == county["count"].sum()


def test_uptake_estimate_counts_signups_by_the_end(synth):
    premises = synth.tables["premises"]
    est = designs.uptake_estimate(premises, end="2026-03-31")
    signed = (premises["signup_date"] <= "2026-03-31").sum()
    assert est.effect == pytest.approx(signed / len(premises))


def test_incidents_by_score_counts(panel, history):
    est = designs.incidents_by_score(panel, history, threshold=60)
    low = set(history.loc[history["first_score"] < 60, "premises_id"])
    # Premises that never self-assessed have no score and are in neither group.
    after = panel[(panel["treated"] == 1) & panel["premises_id"].isin(history["premises_id"])]
    in_low = after["premises_id"].isin(low)
    expected = (
        after.loc[in_low, "violence_vulnerability"].mean()
        / after.loc[~in_low, "violence_vulnerability"].mean()
    )
    assert est.effect == pytest.approx(expected)
    with pytest.raises(EstimationError, match="threshold"):
        designs.incidents_by_score(panel, history, threshold=0)


def test_score_change_uses_repeat_assessors_only(history):
    est = designs.score_change_estimate(history)
    repeated = history[history["assessments"] >= 2]
    assert est.n == len(repeated)
    assert est.effect == pytest.approx((repeated["latest_score"] - repeated["first_score"]).mean())
    with pytest.raises(EstimationError, match="second"):
        designs.score_change_estimate(history.assign(assessments=1))


def test_value_for_money_multiplies_effect_by_participant_months(synth, panel):
    value, mix = designs.averted_incident_value(
        panel, synth.tables["incidents"], pilot_start="2025-04-01", price_year="2023/24"
    )
    assert value.value == pytest.approx((mix["share"] * mix["unit_cost"]).sum())
    assert mix.set_index("category").loc["vulnerability", "unit_cost"] == 0
    assert set(mix["category"]) == set(VIOLENCE_VULNERABILITY)
    est = Estimate(-0.1, -0.16, -0.04, 0.01, 100, "difference", "m", "e", se=0.03)
    result = designs.pilot_value_for_money(est, panel, cost=40000.0, value=value)
    treated_months = int(panel["treated"].sum())
    assert result.averted.point == pytest.approx(0.1 * treated_months)
    assert result.averted.low == pytest.approx(0.04 * treated_months)
    assert result.benefit[0] == pytest.approx(0.1 * treated_months * value.value)
    assert result.break_even_outcomes == pytest.approx(40000.0 / value.value)
    assert isinstance(result, vfm.ValueForMoney)
    with pytest.raises(EstimationError, match="mix of incidents"):
        designs.averted_incident_value(
            panel, synth.tables["incidents"], pilot_start="2000-01-01", price_year="2023/24"
        )
