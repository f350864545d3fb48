"""lSaVI's hostile worlds: their truth matches the incidents they produce, their failure bites."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from analysis.data.contracts.lsavi import VIOLENCE_VULNERABILITY
from analysis.errors import ConfigError
from analysis.synthetic import SyntheticData, generate, worlds
from analysis.synthetic import lsavi as world_module

#: Panel position of the pilot's first month (months before it are untreated).
PILOT_MONTH = (world_module.PILOT_START.year - world_module.PANEL_START.year) * 12 + (
    world_module.PILOT_START.month - world_module.PANEL_START.month
)


@cache
def _world(world: str, seed: int = 5, scale: float = 1.5) -> SyntheticData:
    return generate("lsavi", seed=seed, scale=scale, world=world)


def _violence_counts(data: SyntheticData) -> tuple[np.ndarray, np.ndarray]:
    """Violence and vulnerability incidents per premises and panel month, and sign-up months.

    Returns the counts (premises by month, the panel's complete months) and each
    premises' sign-up month as a panel position (-1 when it never signed up).
    """
    premises, incidents = data.tables["premises"], data.tables["incidents"]
    months = pd.period_range(world_module.PANEL_START, data.extract_date, freq="M")[:-1]
    linked = incidents[
        incidents["premises_id"].notna() & incidents["category"].isin(VIOLENCE_VULNERABILITY)
    ]
    row = pd.Index(premises["premises_id"]).get_indexer(linked["premises_id"])
    column = pd.PeriodIndex(linked["incident_date"].dt.to_period("M")).map(
        lambda m: months.get_loc(m) if m in months else -1
    )
    column = np.asarray(column)
    inside = column >= 0
    counts = np.zeros((len(premises), len(months)))
    np.add.at(counts, (row[inside], column[inside]), 1)
    signup = premises["signup_date"].dt.to_period("M")
    first = np.array([months.get_loc(m) if pd.notna(m) else -1 for m in signup])
    return counts, first


@pytest.mark.parametrize("world", list(worlds("lsavi")))
def test_incidents_at_participating_premises_match_the_truth(world):
    # The ATT and its rate ratio fix the expected incidents with the tool over the
    # participating premises-months; the incidents counted there estimate it.
    data = _world(world)
    counts, first = _violence_counts(data)
    treated = (first[:, None] >= 0) & (np.arange(counts.shape[1])[None, :] >= first[:, None])
    cells, observed = treated.sum(), counts[treated].sum()
    truth = data.truth
    ratio = truth["att_violence_vulnerability_rate_ratio"]
    expected = ratio * truth["att_violence_vulnerability"] * cells / (ratio - 1)
    # Overdispersion (a gamma multiplier per premises-month) adds about a tenth to the
    # variance of the total at these rates.
    assert abs(observed - expected) < 4 * np.sqrt(1.2 * expected)


def test_heterogeneous_effects_make_the_att_larger_than_the_ate():
    # With an immediate effect, ramp-up cannot separate ATT from ATE: only the planted
    # heterogeneity (nightclubs and bars gain most and sign up most) does.
    effect = world_module.DEFAULT_EFFECTS["violence_effect"]
    varied = generate(
        "lsavi", seed=2, scale=0.5, world="heterogeneous_effects", effect_ramp_months=1
    )
    att = varied.truth["att_violence_vulnerability_rate_ratio"]
    ate = varied.truth["ate_violence_vulnerability_rate_ratio"]
    strongest, weakest = max(world_module._EFFECT_BY_TYPE.values()), 0.3
    assert 1 + strongest * effect < att < ate - 0.03 < ate < 1 + weakest * effect
    same = generate("lsavi", seed=2, scale=0.5, world="dip_before_signup", effect_ramp_months=1)
    assert same.truth["att_violence_vulnerability_rate_ratio"] == pytest.approx(1 + effect)
    assert same.truth["ate_violence_vulnerability_rate_ratio"] == pytest.approx(1 + effect)


def test_heterogeneous_effects_refuse_an_effect_that_would_turn_negative():
    with pytest.raises(ConfigError, match="violence_effect above -0.625"):
        generate("lsavi", seed=1, scale=0.1, world="heterogeneous_effects", violence_effect=-0.7)


def _seasonal_amplitude(data: SyntheticData, types: list[str]) -> float:
    """Regression slope of a group's relative monthly incidents on the planted season."""
    premises = data.tables["premises"]
    counts, _ = _violence_counts(data)
    group = counts[premises["premises_type"].isin(types).to_numpy(), :PILOT_MONTH].sum(axis=0)
    months = pd.period_range(world_module.PANEL_START, periods=PILOT_MONTH, freq="M").month
    season = world_module._season(np.asarray(months), "violence")
    relative = group / group.mean()
    return float(np.cov(relative, season)[0, 1] / np.var(season, ddof=1))


def test_multiplicative_seasonality_swings_busy_and_quiet_premises_alike():
    busy, quiet = ["nightclub", "bar"], ["restaurant", "off_licence", "hotel"]
    friendly = _world("friendly")
    proportional = _world("multiplicative_seasonality")
    # Additive: the same swing in counts is a far larger share of a quiet premises' level.
    assert _seasonal_amplitude(friendly, quiet) > 3 * _seasonal_amplitude(friendly, busy)
    ratio = _seasonal_amplitude(proportional, quiet) / _seasonal_amplitude(proportional, busy)
    assert 0.4 < ratio < 1.6


def _before_signup_ratio(data: SyntheticData) -> float:
    """Incidents a month in the 4 months before sign-up over months 5 to 12 before."""
    counts, first = _violence_counts(data)
    since = np.arange(counts.shape[1])[None, :] - first[:, None]
    signed = (first >= 0)[:, None]
    recent = counts[signed & (since >= -4) & (since < 0)]
    earlier = counts[signed & (since >= -12) & (since < -4)]
    return recent.mean() / earlier.mean()


def test_premises_sign_up_after_a_bad_spell_in_the_dip_world():
    assert _before_signup_ratio(_world("dip_before_signup")) > 1.2
    assert _before_signup_ratio(_world("friendly")) < 1.1


def test_unobserved_confounding_bends_participants_trends_before_the_pilot():
    def trend_gap(data: SyntheticData) -> float:
        counts, first = _violence_counts(data)
        # The last pre-pilot year against the one before it.
        later = counts[:, PILOT_MONTH - 12 : PILOT_MONTH].sum(axis=1)
        earlier = counts[:, PILOT_MONTH - 24 : PILOT_MONTH - 12].sum(axis=1)
        signed = first >= 0
        return np.log(later[signed].sum() / earlier[signed].sum()) - np.log(
            later[~signed].sum() / earlier[~signed].sum()
        )

    assert trend_gap(_world("unobserved_confounding")) < trend_gap(_world("friendly")) - 0.05
