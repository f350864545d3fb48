"""Operation Focus's hostile worlds: their truth is what the process plants, their failure bites."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from analysis.synthetic import SyntheticData, generate
from analysis.synthetic.op_focus import _HETEROGENEITY, DEFAULT_EFFECTS

PILOT = pd.Timestamp(DEFAULT_EFFECTS["pilot_start"])
THRESHOLD = DEFAULT_EFFECTS["harm_threshold"]


@cache
def _world(world: str, seed: int = 5, scale: float = 1.0) -> SyntheticData:
    return generate("op_focus", seed=seed, scale=scale, world=world)


def _treated_arrests(data: SyntheticData) -> np.ndarray:
    """Arrests for VAWG crimes of Focus suspects while in the cohort, as the contract reads."""
    suspects = data.tables["suspects"].set_index("suspect_id")
    crimes = data.tables["crimes"]
    of_suspect = crimes["suspect_id"]
    arrest = crimes["arrest_date"]
    in_cohort = (arrest >= of_suspect.map(suspects["focus_date"])) & ~(
        arrest >= of_suspect.map(suspects["focus_end_date"])
    )
    focus = of_suspect.map(suspects["focus_flag"]).astype(bool)
    return (arrest.notna() & crimes["vawg_flag"] & focus & in_cohort).to_numpy()


def _finalised_pre_pilot_arrests(data: SyntheticData) -> pd.DataFrame:
    crimes = data.tables["crimes"]
    suspects = data.tables["suspects"].set_index("suspect_id")
    rows = crimes[
        crimes["arrest_date"].notna()
        & crimes["vawg_flag"]
        & crimes["outcome_code"].ne(0)
        & (crimes["arrest_date"] < PILOT)
    ]
    return rows.assign(
        charged=rows["outcome_code"].eq(1).astype(float),
        withdrew=rows["outcome_code"].eq(16).astype(float),
        focus=rows["suspect_id"].map(suspects["focus_flag"]).astype(bool),
        harm_score=rows["suspect_id"].map(suspects["harm_score"]),
    )


def _intraclass_correlation(frame: pd.DataFrame, group: str, outcome: str) -> float:
    """One-way ANOVA estimate of the intraclass correlation of ``outcome`` within ``group``."""
    groups = frame.groupby(group)[outcome]
    sizes = groups.size()
    k, total = len(sizes), sizes.sum()
    between = (sizes * (groups.mean() - frame[outcome].mean()) ** 2).sum() / (k - 1)
    within = ((frame[outcome] - groups.transform("mean")) ** 2).sum() / (total - k)
    typical = (total - (sizes**2).sum() / total) / (k - 1)
    return float((between - within) / (between + (typical - 1) * within))


def test_heterogeneous_truths_are_the_effect_averaged_over_each_estimands_sample():
    data = generate("op_focus", seed=2, scale=0.3, world="heterogeneous_effects")
    crimes = data.tables["crimes"]
    score = crimes["suspect_id"].map(data.tables["suspects"].set_index("suspect_id")["harm_score"])
    low_a, slope, low, high = _HETEROGENEITY
    scale = np.clip(low_a + slope * score.to_numpy() / THRESHOLD, low, high)
    effect = DEFAULT_EFFECTS["charge_effect_pp"]
    treated = _treated_arrests(data)
    since_pilot = (crimes["arrest_date"] >= PILOT) & crimes["vawg_flag"]
    truth = data.truth
    # Harm scores are rounded to 2 decimals in the table, hence the tolerance.
    assert truth["charge_rate_effect_pp"] == pytest.approx(effect * scale[treated].mean(), rel=1e-4)
    assert truth["charge_rate_ate_pp"] == pytest.approx(
        effect * scale[since_pilot.to_numpy()].mean(), rel=1e-4
    )
    assert truth["charge_rate_effect_at_threshold_pp"] == effect
    # Focus suspects score high and most suspects score low: ATT > LATE > ATE, as planted.
    assert truth["charge_rate_effect_pp"] > effect + 0.5
    assert truth["charge_rate_ate_pp"] < effect - 0.2


@pytest.mark.parametrize("world", ["unobserved_confounding", "frailty", "shared_victims"])
def test_constant_effect_worlds_state_one_effect_for_every_estimand(world):
    truth = generate("op_focus", seed=2, scale=0.2, world=world).truth
    effect = DEFAULT_EFFECTS["charge_effect_pp"]
    assert truth["charge_rate_effect_pp"] == effect
    assert truth["charge_rate_effect_at_threshold_pp"] == effect
    assert truth["charge_rate_ate_pp"] == effect


def test_the_charge_effect_stays_additive_in_every_world():
    # Same seed with the effect switched off: the same uniform draws decide each outcome,
    # so the charges gained on treated arrests are exactly those the effect adds.
    for world in ("frailty", "shared_victims", "unobserved_confounding"):
        with_effect = generate("op_focus", seed=5, scale=1.0, world=world)
        without = generate("op_focus", seed=5, scale=1.0, world=world, charge_effect_pp=0.0)
        treated = _treated_arrests(with_effect)
        charged = with_effect.tables["crimes"]["outcome_code"].eq(1).to_numpy()
        charged_without = without.tables["crimes"]["outcome_code"].eq(1).to_numpy()
        # An effect only ever adds charges, and only on treated arrests.
        assert not (charged_without & ~charged).any()
        assert not (charged & ~charged_without & ~treated).any()
        finalised = treated & with_effect.tables["crimes"]["outcome_code"].ne(0).to_numpy()
        gained = (charged & ~charged_without)[finalised]
        standard_error = np.sqrt(0.05 * 0.95 / finalised.sum())
        assert abs(gained.mean() - 0.05) < 4 * standard_error


def test_unobserved_confounding_makes_focus_suspects_likelier_to_be_charged_anyway():
    # Above the threshold, before the pilot (no one treated): the suspects officers adopted
    # are charged more often than those they passed over, which the score cannot explain.
    def gap(data: SyntheticData) -> float:
        arrests = _finalised_pre_pilot_arrests(data)
        above = arrests[arrests["harm_score"] >= THRESHOLD]
        charged = above.groupby("focus")["charged"].mean()
        return charged[True] - charged[False]

    assert gap(_world("unobserved_confounding")) > gap(_world("friendly")) + 0.015


def test_frailty_clusters_charges_within_suspects():
    def correlation(data: SyntheticData) -> float:
        return _intraclass_correlation(_finalised_pre_pilot_arrests(data), "suspect_id", "charged")

    assert correlation(_world("frailty")) > correlation(_world("friendly")) + 0.03


def test_shared_victims_link_suspects_and_cluster_withdrawal_within_victims():
    def suspects_per_victim(data: SyntheticData) -> pd.Series:
        crimes = data.tables["crimes"].dropna(subset=["victim_id"])
        return crimes.groupby("victim_id")["suspect_id"].nunique()

    assert suspects_per_victim(_world("friendly")).max() == 1
    assert (suspects_per_victim(_world("shared_victims")) > 1).sum() > 100

    def correlation(data: SyntheticData) -> float:
        arrests = _finalised_pre_pilot_arrests(data).dropna(subset=["victim_id"])
        return _intraclass_correlation(arrests, "victim_id", "withdrew")

    assert correlation(_world("shared_victims")) > correlation(_world("friendly")) + 0.06


def test_missing_covariates_blank_characteristics_and_nothing_else():
    friendly, missing = _world("friendly"), _world("missing_covariates")
    pd.testing.assert_frame_equal(friendly.tables["crimes"], missing.tables["crimes"])
    before, after = friendly.tables["suspects"], missing.tables["suspects"]
    same = [c for c in before.columns if c not in ("age_band", "ethnicity")]
    pd.testing.assert_frame_equal(before[same], after[same])
    # Age blanked, more often for the young: only blanks differ from the friendly draw.
    blank = after["age_band"].isna()
    assert 0.08 < blank.mean() < 0.16
    assert (after.loc[~blank, "age_band"] == before.loc[~blank, "age_band"]).all()
    young = before["age_band"].isin(["16-17", "18-24"])
    assert blank[young].mean() > 2 * blank[~young].mean()
    # Ethnicity not stated for far more minority suspects than White ones.
    stated_before = before["ethnicity"] != "not stated"
    lost = stated_before & after["ethnicity"].eq("not stated")
    minority = before["ethnicity"].isin(["Asian", "Black", "Mixed", "Other"])
    white = before["ethnicity"].eq("White")
    assert lost[minority].mean() > 0.15 and lost[white].mean() < 0.03
    # The effect does not vary: every truth is the friendly world's.
    for key, value in friendly.truth.items():
        assert missing.truth[key] == pytest.approx(value), key
    assert missing.truth["charge_rate_ate_pp"] == pytest.approx(DEFAULT_EFFECTS["charge_effect_pp"])
