"""Synthetic perpetrator-programmes world: reproducible, realistic, with exact planted truth."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.synthetic import generate
from analysis.synthetic import perpetrator_programmes as world

PROGRAMME = "perpetrator_programmes"


@pytest.fixture(scope="module")
def synth():
    return generate(PROGRAMME, seed=5)


def test_same_seed_same_tables_and_different_seed_differs():
    a = generate(PROGRAMME, seed=3, scale=0.3)
    b = generate(PROGRAMME, seed=3, scale=0.3)
    c = generate(PROGRAMME, seed=4, scale=0.3)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert a.truth == b.truth
    assert not a.tables["people"].equals(c.tables["people"])


def test_dorset_scale_volumes(synth):
    people = synth.tables["people"]
    assert len(people) == world.PEOPLE_PER_SCALE
    counts = people["programme"].value_counts()
    # Drive takes roughly 60-100 starters a year, Up2U a few hundred referrals in all.
    assert 250 <= counts["Drive"] <= 600
    assert 300 <= counts["Up2U"] <= 900
    assert people["identified_date"].min() >= world.WINDOW_START
    assert synth.tables["offences"]["offence_date"].max() <= synth.extract_date


def test_selection_on_observed_risk(synth):
    people = synth.tables["people"]
    high = people[people["dash_risk"].eq("high")]
    drive = high[high["programme"].eq("Drive")]
    pool = high[high["programme"].eq("none")]
    assert set(people.loc[people["programme"].eq("Drive"), "dash_risk"]) == {"high"}
    assert set(people.loc[people["programme"].eq("Up2U"), "dash_risk"]) <= {"standard", "medium"}
    assert drive["marac_flag"].mean() > pool["marac_flag"].mean() + 0.1
    assert drive["prior_da_incidents"].mean() > pool["prior_da_incidents"].mean() + 0.5


def test_dropout_is_related_to_prior_incidents(synth):
    people = synth.tables["people"]
    finished = people[people["status"].isin(["completed", "dropped_out"])]
    many = finished["prior_da_incidents"] >= finished["prior_da_incidents"].median() + 1
    dropout = finished["status"].eq("dropped_out")
    assert dropout[many].mean() > dropout[~many].mean()


def test_pending_statuses_and_incomplete_windows_exist(synth):
    people = synth.tables["people"]
    assert {"referred", "not_started", "ongoing", "completed", "dropped_out"} <= set(
        people["status"]
    )
    recent = people["start_date"] > synth.extract_date - pd.Timedelta(days=365)
    assert recent.sum() > 20
    ongoing = people["status"].eq("ongoing")
    assert people.loc[ongoing, "end_date"].isna().all()


def test_small_counts_in_some_areas(synth):
    drive = synth.tables["people"].query("programme == 'Drive'")
    assert drive["area"].value_counts().min() < 10


def test_costs_add_up_to_the_continuation_funding():
    for scale in (1.0, 0.5):
        costs = generate(PROGRAMME, seed=1, scale=scale).tables["programme_costs"]
        year = costs[costs["financial_year"].eq(world.CONTINUATION_YEAR)]
        assert year["cost_gbp"].sum() == pytest.approx(270_000 * scale)
        assert set(year["programme"]) == {"Drive", "Up2U", "training"}
        assert costs["financial_year"].nunique() > 1  # earlier years too


def test_truth_is_null_where_nothing_is_planted(synth):
    for key in ("drive", "up2u"):
        assert synth.truth[f"{key}_non_da_offences_did"] == 0.0
        assert synth.truth[f"{key}_placebo_did"] == 0.0
    flat = generate(PROGRAMME, seed=5, scale=0.5, drive_hazard_ratio=1.0)
    assert flat.truth["drive_reoffending_12m_difference"] == pytest.approx(0.0)
    assert flat.truth["drive_reoffending_12m_risk_ratio"] == pytest.approx(1.0)
    assert flat.truth["drive_harm_did"] == pytest.approx(0.0)


def test_default_effects_are_of_the_documented_size(synth):
    assert synth.truth["drive_reoffending_12m_risk_ratio"] == pytest.approx(0.75, abs=0.04)
    assert synth.truth["up2u_reoffending_12m_risk_ratio"] == pytest.approx(0.90, abs=0.03)
    assert synth.truth["training_score_change"] == pytest.approx(13, abs=3)


def _observed(data, programme: str) -> pd.DataFrame:
    """Analysed participants' observed 12-month DA reoffending and DA crimes per quarter."""
    people = data.tables["people"]
    started = people["status"].isin(["ongoing", "completed", "dropped_out"])
    complete = people["start_date"] + pd.Timedelta(days=world.FOLLOW_UP_DAYS) <= data.extract_date
    chosen = people[started & complete & people["programme"].eq(programme)]
    offences = data.tables["offences"]
    da = offences[offences["da_flag"]].merge(chosen[["person_id", "start_date"]], on="person_id")
    days = (da["offence_date"] - da["start_date"]).dt.days
    window = da[(days > 0) & (days <= world.FOLLOW_UP_DAYS)]
    return pd.DataFrame(
        {
            "reoffended": chosen["person_id"].isin(window["person_id"]),
            "crimes": chosen["person_id"].map(window["person_id"].value_counts()).fillna(0),
        }
    )


def test_truth_matches_the_outcomes_the_world_produces():
    # Selection is drawn before offending, so changing only the hazard ratio keeps the same
    # participants; the difference of their observed outcomes estimates the planted truth.
    treated = generate(PROGRAMME, seed=9, scale=6)
    untreated = generate(PROGRAMME, seed=9, scale=6, drive_hazard_ratio=1.0)
    with_programme = _observed(treated, "Drive")
    without = _observed(untreated, "Drive")
    assert len(with_programme) == len(without) > 1000
    difference = 100 * (with_programme["reoffended"].mean() - without["reoffended"].mean())
    se = 100 * np.sqrt(
        with_programme["reoffended"].var() / len(with_programme)
        + without["reoffended"].var() / len(without)
    )
    assert abs(difference - treated.truth["drive_reoffending_12m_difference"]) < 3 * se
    per_quarter = (with_programme["crimes"].mean() - without["crimes"].mean()) / world.QUARTERS
    se_q = (
        np.sqrt(
            with_programme["crimes"].var() / len(with_programme)
            + without["crimes"].var() / len(without)
        )
        / world.QUARTERS
    )
    assert abs(per_quarter - treated.truth["drive_da_offences_did"]) < 3 * se_q


def test_training_truth_matches_the_scores():
    data = generate(PROGRAMME, seed=2, scale=8)
    scores = data.tables["training_scores"].dropna()
    change = scores["score_after"] - scores["score_before"]
    se = change.std() / np.sqrt(len(change))
    assert abs(change.mean() - data.truth["training_score_change"]) < 3 * se
    assert data.tables["training_scores"]["score_after"].isna().mean() == pytest.approx(
        0.08, abs=0.02
    )


def test_expected_harm_uses_the_offence_mix():
    weights = world.reference_harm_weights()
    expected = sum(share * weights[g] for g, share in world.DA_OFFENCE_MIX.items())
    assert world.expected_harm_per_da_crime(weights) == pytest.approx(expected)
    assert sum(world.DA_OFFENCE_MIX.values()) == pytest.approx(1.0)
    assert sum(world.NON_DA_OFFENCE_MIX.values()) == pytest.approx(1.0)


def test_bad_effects_are_refused():
    with pytest.raises(ConfigError, match="unknown"):
        generate(PROGRAMME, seed=1, scale=0.1, drive_effect=0.5)
    with pytest.raises(ConfigError, match="positive"):
        generate(PROGRAMME, seed=1, scale=0.1, up2u_hazard_ratio=0.0)


@pytest.mark.slow
def test_national_scale_generates_in_seconds():
    started = time.perf_counter()
    data = generate(PROGRAMME, seed=1, scale=50)
    elapsed = time.perf_counter() - started
    assert len(data.tables["people"]) == 50 * world.PEOPLE_PER_SCALE
    assert elapsed < 30
