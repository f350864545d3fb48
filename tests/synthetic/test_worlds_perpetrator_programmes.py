"""Perpetrator programmes' hostile worlds: their truth matches what happens, their failure bites."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from analysis.synthetic import SyntheticData, generate, worlds
from analysis.synthetic.perpetrator_programmes import (
    BURST_DAYS,
    DEFAULT_EFFECTS,
    EXTRACT_DATE,
    FOLLOW_UP_DAYS,
)

FOLLOW_UP = pd.Timedelta(days=FOLLOW_UP_DAYS)


@cache
def _world(world: str, seed: int = 5, scale: float = 2.0) -> SyntheticData:
    return generate("perpetrator_programmes", seed=seed, scale=scale, world=world)


def _analysed(data: SyntheticData, programme: str) -> pd.DataFrame:
    """The programme's starters whose 12-month window is complete at the extract date."""
    people = data.tables["people"]
    return people[
        people["programme"].eq(programme)
        & people["start_date"].notna()
        & (people["start_date"] + FOLLOW_UP <= EXTRACT_DATE)
    ]


@pytest.mark.parametrize("world", list(worlds("perpetrator_programmes")))
@pytest.mark.parametrize(("programme", "slug"), [("Drive", "drive"), ("Up2U", "up2u")])
def test_participants_reoffend_as_often_as_the_truth_says(world, programme, slug):
    # The truth's difference and risk ratio fix the risk with the programme; the share of
    # analysed participants with a DA crime within 12 months of their start estimates it.
    data = _world(world)
    analysed = _analysed(data, programme)
    offences = data.tables["offences"]
    da = offences[offences["da_flag"]].merge(analysed[["person_id", "start_date"]])
    within = da[
        (da["offence_date"] > da["start_date"])
        & (da["offence_date"] <= da["start_date"] + FOLLOW_UP)
    ]
    observed = analysed["person_id"].isin(within["person_id"]).mean()
    difference = data.truth[f"{slug}_reoffending_12m_difference"] / 100
    ratio = data.truth[f"{slug}_reoffending_12m_risk_ratio"]
    risk_with = ratio * difference / (ratio - 1)
    standard_error = np.sqrt(risk_with * (1 - risk_with) / len(analysed))
    assert abs(observed - risk_with) < 4 * standard_error


def test_heterogeneous_hazard_ratio_is_the_geometric_mean_over_analysed_participants():
    data = generate("perpetrator_programmes", seed=2, scale=0.5, world="heterogeneous_effects")
    analysed = _analysed(data, "Drive")
    power = np.minimum(0.3 + 0.25 * np.minimum(analysed["prior_da_incidents"], 12), 2.0)
    planted = DEFAULT_EFFECTS["drive_hazard_ratio"]
    expected = np.exp(np.mean(power * np.log(planted)))
    assert data.truth["drive_reoffence_hazard_ratio"] == pytest.approx(expected, rel=1e-12)
    # Referral selects many prior incidents, so participants gain more than the ATE.
    assert data.truth["drive_reoffence_hazard_ratio"] < planted
    for slug in ("drive", "up2u"):
        att = data.truth[f"{slug}_reoffending_12m_difference"]
        ate = data.truth[f"{slug}_reoffending_12m_difference_ate"]
        assert att < ate - 0.5


def test_constant_effect_worlds_keep_the_planted_hazard_ratio():
    for world in ("unobserved_confounding", "dip_before_referral", "bursty_hazard", "frailty"):
        truth = generate("perpetrator_programmes", seed=2, scale=0.3, world=world).truth
        assert truth["drive_reoffence_hazard_ratio"] == pytest.approx(0.58, rel=1e-12)
        assert truth["up2u_reoffence_hazard_ratio"] == pytest.approx(0.88, rel=1e-12)


def _da_after_identification(data: SyntheticData, people: pd.DataFrame) -> pd.Series:
    offences = data.tables["offences"]
    da = offences[offences["da_flag"]].merge(people[["person_id", "identified_date"]])
    return (da["offence_date"] - da["identified_date"]).dt.days


def test_bursty_hazard_doubles_offending_in_the_days_after_identification():
    def early_over_later(data: SyntheticData) -> float:
        people = data.tables["people"]
        never_referred = people[
            people["programme"].eq("none")
            & (people["identified_date"] + pd.Timedelta(days=2 * BURST_DAYS) <= EXTRACT_DATE)
        ]
        lag = _da_after_identification(data, never_referred)
        return ((lag > 0) & (lag <= BURST_DAYS)).sum() / (
            (lag > BURST_DAYS) & (lag <= 2 * BURST_DAYS)
        ).sum()

    assert early_over_later(_world("bursty_hazard")) == pytest.approx(2.0, abs=0.25)
    assert early_over_later(_world("friendly")) == pytest.approx(1.0, abs=0.15)
    # Participants' windows start inside the burst, so their risk without the programme
    # is above the friendly world's for the same people.
    for slug in ("drive", "up2u"):
        assert (
            _world("bursty_hazard").truth[f"{slug}_da_offences_did"]
            < _world("friendly").truth[f"{slug}_da_offences_did"]
        )


def test_people_referred_after_a_dip_had_a_spike_just_before_identification():
    def recent_over_earlier(data: SyntheticData) -> float:
        people = data.tables["people"]
        lag = -_da_after_identification(data, people[people["referral_date"].notna()])
        recent = ((lag > 0) & (lag <= 120)).sum() / 120
        earlier = ((lag > 120) & (lag <= 730)).sum() / 610
        return recent / earlier

    assert recent_over_earlier(_world("dip_before_referral")) > 2.5
    assert recent_over_earlier(_world("friendly")) < 1.3


def test_frailty_spreads_prior_incidents_beyond_what_risk_explains():
    def dispersion(data: SyntheticData) -> float:
        people = data.tables["people"]
        high = people.loc[people["dash_risk"].eq("high"), "prior_da_incidents"]
        return high.var() / high.mean()

    assert dispersion(_world("frailty")) > dispersion(_world("friendly")) + 0.5


def test_unobserved_confounding_gives_participants_a_lower_risk_without_the_programme():
    def risk_without(data: SyntheticData) -> float:
        difference = data.truth["drive_reoffending_12m_difference"] / 100
        ratio = data.truth["drive_reoffending_12m_risk_ratio"]
        return difference / (ratio - 1)

    assert risk_without(_world("unobserved_confounding")) < risk_without(_world("friendly")) - 0.03


def test_missing_not_at_random_questionnaires_bias_the_complete_case_change():
    def complete_case_change(data: SyntheticData) -> float:
        scores = data.tables["training_scores"]
        return float((scores["score_after"] - scores["score_before"]).dropna().mean())

    friendly = generate("perpetrator_programmes", seed=5, scale=3.0)
    assert abs(complete_case_change(friendly) - friendly.truth["training_score_change"]) < 1.5
    hostile = generate("perpetrator_programmes", seed=5, scale=3.0, world="missing_not_at_random")
    scores = hostile.tables["training_scores"]
    assert 0.5 < scores["score_after"].notna().mean() < 0.85  # far more blanks than 8%
    truth = hostile.truth["training_score_change_all_trained"]
    assert complete_case_change(hostile) > truth + 1.5


def test_missing_covariates_blank_age_and_ethnicity_and_nothing_else():
    friendly, missing = _world("friendly"), _world("missing_covariates")
    for name in ("offences", "programme_costs", "training_scores"):
        pd.testing.assert_frame_equal(friendly.tables[name], missing.tables[name])
    before, after = friendly.tables["people"], missing.tables["people"]
    same = [c for c in before.columns if c not in ("age_band", "ethnicity")]
    pd.testing.assert_frame_equal(before[same], after[same])
    blank = after["age_band"].isna()
    young = before["age_band"].isin(["16-17", "18-24"])
    assert 0.08 < blank.mean() < 0.16 and blank[young].mean() > 2 * blank[~young].mean()
    lost = before["ethnicity"].ne("not stated") & after["ethnicity"].eq("not stated")
    minority = before["ethnicity"].isin(["Asian", "Black", "Mixed", "Other"])
    assert lost[minority].mean() > 0.15 and lost[before["ethnicity"].eq("White")].mean() < 0.03
    # The effect does not vary: every truth is the friendly world's.
    for key, value in friendly.truth.items():
        assert missing.truth[key] == pytest.approx(value), key
