"""The synthetic lSaVI world: same seed same bytes, realistic difficulties, consistent truth."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from analysis.data.contracts.lsavi import (
    ASSESSMENT_DOMAINS,
    INCIDENT_CATEGORIES,
    PREMISES_TYPES,
    VIOLENCE_VULNERABILITY,
)
from analysis.errors import ConfigError
from analysis.synthetic import generate
from analysis.synthetic import lsavi as world


@pytest.fixture(scope="module")
def synth():
    return generate("lsavi", seed=2026)


@pytest.fixture(scope="module")
def large():
    # Big enough that sampling noise is small beside the truths checked against it.
    return generate("lsavi", seed=11, scale=12)


def _pre_pilot_rate(synth):
    premises, incidents = synth.tables["premises"], synth.tables["incidents"]
    pre = incidents[
        incidents["premises_id"].notna()
        & incidents["category"].isin(VIOLENCE_VULNERABILITY)
        & (incidents["incident_date"] < world.PILOT_START)
    ]
    return premises["premises_id"].map(pre["premises_id"].value_counts()).fillna(0)


def test_same_seed_same_tables_and_truth():
    first, second = generate("lsavi", seed=5, scale=0.5), generate("lsavi", seed=5, scale=0.5)
    for name in first.tables:
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name])
    assert first.truth == second.truth
    other = generate("lsavi", seed=6, scale=0.5)
    assert not first.tables["incidents"].equals(other.tables["incidents"])


def test_dorset_scale_volumes(synth):
    premises, incidents = synth.tables["premises"], synth.tables["incidents"]
    assert len(premises) == 1200
    signed = premises["signup_date"].notna().sum()
    assert 200 <= signed <= 450, signed
    per_year = incidents[incidents["incident_date"].dt.year == 2024].shape[0]
    assert 3000 <= per_year <= 9000, per_year
    assert set(premises["premises_type"]) == set(PREMISES_TYPES)
    assert set(incidents["category"]) == set(INCIDENT_CATEGORIES)
    assert incidents["incident_id"].is_unique and premises["premises_id"].is_unique


def test_dates_respect_the_extract_and_the_pilot(synth):
    premises = synth.tables["premises"]
    incidents = synth.tables["incidents"]
    assessments = synth.tables["self_assessments"]
    extract = synth.extract_date
    assert incidents["incident_date"].max() <= extract
    assert assessments["assessment_date"].max() <= extract
    signup = premises["signup_date"].dropna()
    pilot_end = world.PILOT_START + pd.DateOffset(months=world.PILOT_MONTHS)
    assert signup.min() >= world.PILOT_START and signup.max() < pilot_end
    first = assessments.groupby("premises_id")["assessment_date"].min()
    signup_of = premises.set_index("premises_id")["signup_date"]
    assert (first == signup_of.loc[first.index]).all()  # first assessment on the sign-up day
    # ... though a few premises sign up and never assess.
    assert 0 < signup.size - first.size < 0.2 * signup.size


def test_street_incidents_have_area_but_no_premises(synth):
    incidents = synth.tables["incidents"]
    street = incidents[incidents["premises_id"].isna()]
    assert 0 < len(street) < 0.3 * len(incidents)
    assert street["area"].notna().all()
    linked = incidents.dropna(subset=["premises_id"])
    area_of = synth.tables["premises"].set_index("premises_id")["area"]
    assert (linked["area"].to_numpy() == area_of.loc[linked["premises_id"]].to_numpy()).all()


def test_selection_on_risk_biases_the_naive_comparison(synth):
    premises = synth.tables["premises"]
    rate = _pre_pilot_rate(synth)
    signed = premises["signup_date"].notna()
    # Participants had far more incidents before anyone could have signed up.
    assert rate[signed].mean() > 1.5 * rate[~signed].mean()
    # ... and the riskier premises signed up earlier.
    months_to_signup = (premises.loc[signed, "signup_date"] - world.PILOT_START).dt.days
    assert np.corrcoef(months_to_signup, rate[signed])[0, 1] < 0


def test_small_counts_in_some_areas(synth):
    premises = synth.tables["premises"]
    signed_by_area = premises[premises["signup_date"].notna()]["area"].value_counts()
    assert signed_by_area.min() < 10


def test_seasonality_december_violence_and_summer_theft(large):
    incidents = large.tables["incidents"]
    complete = incidents[incidents["incident_date"] < "2026-04-01"]  # three whole years
    month = complete["incident_date"].dt.month
    violence = complete["category"].isin(["violence_with_injury", "violence_without_injury"])
    by_month = complete[violence].groupby(month[violence]).size()
    # The December peak: winter well above the year's mean, December above every spring,
    # summer and autumn month (one draw cannot rank adjacent months reliably).
    assert by_month[[11, 12, 1]].mean() > 1.08 * by_month.mean()
    assert by_month[12] > by_month[list(range(3, 10))].max()
    theft = complete["category"].eq("theft")
    theft_by_month = complete[theft].groupby(month[theft]).size()
    assert theft_by_month[[6, 7, 8]].mean() > 1.1 * theft_by_month[[12, 1, 2]].mean()


def test_self_assessments_cover_domains_and_drop_out(synth):
    assessments = synth.tables["self_assessments"]
    assert set(assessments["domain"]) == set(ASSESSMENT_DOMAINS)
    assert assessments["score"].between(0, 100).all()
    assert (assessments["score"] == assessments["score"].round()).all()
    per_premises = assessments.groupby("premises_id")["assessment_id"].nunique()
    # Dropout and late sign-ups leave some premises with a single assessment.
    assert (per_premises == 1).sum() > 20 and (per_premises >= 3).sum() > 20
    door = assessments.groupby("assessment_id")["domain"].apply(lambda d: "door_security" in set(d))
    assert 0 < door.mean() < 1


def test_truth_is_in_the_planted_range(synth):
    truth = synth.truth
    # The friendly truth predates the keys only hostile worlds state.
    world_only = {"ate_violence_vulnerability", "ate_violence_vulnerability_rate_ratio"}
    assert set(truth) == set(world.TRUTH_DEFINITIONS) - world_only
    # About -15 to -20% on violence and vulnerability at participating premises.
    assert 0.78 <= truth["att_violence_vulnerability_rate_ratio"] <= 0.86
    assert truth["att_violence_vulnerability"] < 0
    assert truth["att_theft"] == 0.0
    assert 0.85 < truth["its_nte_violence_rate_ratio"] < 1.0
    assert truth["score_change"] > 3
    assert truth["incidents_by_score_rate_ratio"] > 1


def test_no_effect_world_has_zero_truth():
    synth = generate("lsavi", seed=3, scale=0.5, violence_effect=0.0)
    assert synth.truth["att_violence_vulnerability"] == 0.0
    assert synth.truth["att_violence_vulnerability_rate_ratio"] == 1.0
    assert synth.truth["its_nte_violence_rate_ratio"] == 1.0


def test_theft_effect_is_planted_when_asked():
    synth = generate("lsavi", seed=3, scale=0.5, theft_effect=-0.5)
    assert synth.truth["att_theft"] < 0


def test_truths_agree_with_large_sample_realisations(large):
    premises = large.tables["premises"]
    signed = premises["signup_date"].notna()
    # Uptake: realised share against the mean sign-up probability (binomial error).
    share, truth = signed.mean(), large.truth["uptake_proportion"]
    assert abs(share - truth) < 4 * np.sqrt(truth * (1 - truth) / len(premises))
    # Score change: realised mean change against its expectation.
    assessments = large.tables["self_assessments"]
    per = (
        assessments.groupby(["premises_id", "assessment_id"])
        .agg(date=("assessment_date", "first"), score=("score", "mean"))
        .reset_index()
        .sort_values(["premises_id", "date"])
    )
    grouped = per.groupby("premises_id")["score"]
    change = (grouped.last() - grouped.first())[grouped.size() >= 2]
    assert abs(change.mean() - large.truth["score_change"]) < 4 * change.std() / np.sqrt(
        len(change)
    )


def test_incident_rates_match_the_expected_counts_behind_the_truth(large):
    # Treated premises-months: observed incidents per month recover mu1; the truth's
    # counterfactual mu0 = mu1 / rate ratio; the ATT is their difference.
    premises, incidents = large.tables["premises"], large.tables["incidents"]
    last = pd.Timestamp("2026-06-30")
    signup_month = premises.set_index("premises_id")["signup_date"].dt.to_period("M")
    treated_months = (
        (pd.Period("2026-06", "M") - signup_month.dropna()).map(lambda d: d.n) + 1
    ).sum()
    vv = incidents[
        incidents["premises_id"].notna()
        & incidents["category"].isin(VIOLENCE_VULNERABILITY)
        & (incidents["incident_date"] <= last)
    ]
    after = vv["incident_date"].dt.to_period("M") >= vv["premises_id"].map(signup_month)
    observed_mu1 = after.sum() / treated_months
    ratio = large.truth["att_violence_vulnerability_rate_ratio"]
    implied_att = observed_mu1 - observed_mu1 / ratio
    assert implied_att == pytest.approx(large.truth["att_violence_vulnerability"], rel=0.1)


def test_unknown_or_impossible_effects_are_refused():
    with pytest.raises(ConfigError, match="unknown lsavi effect"):
        generate("lsavi", seed=1, violence_efect=-0.2)
    with pytest.raises(ConfigError, match="above -1"):
        generate("lsavi", seed=1, violence_effect=-1.2)


def test_scale_multiplies_volumes_quickly():
    start = time.perf_counter()
    synth = generate("lsavi", seed=1, scale=5)
    elapsed = time.perf_counter() - start
    assert len(synth.tables["premises"]) == 6000
    assert elapsed < 10


@pytest.mark.slow
def test_national_scale_generates_in_seconds():
    start = time.perf_counter()
    synth = generate("lsavi", seed=1, scale=50)
    elapsed = time.perf_counter() - start
    assert len(synth.tables["premises"]) == 60000
    assert elapsed < 30
