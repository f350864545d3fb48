"""The synthetic Operation Focus world: reproducible, realistic where evaluation is hard,
and its truth is what was planted."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.synthetic import generate
from analysis.synthetic.op_focus import DEFAULT_EFFECTS, TRUTH_DEFINITIONS, WEIBULL_SHAPE


@pytest.fixture(scope="module")
def world():
    return generate("op_focus", seed=4)


def test_same_seed_same_tables_and_different_seed_different_tables():
    first = generate("op_focus", seed=9, scale=0.2)
    second = generate("op_focus", seed=9, scale=0.2)
    other = generate("op_focus", seed=10, scale=0.2)
    for name in ("suspects", "crimes"):
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name])
    assert not first.tables["suspects"]["harm_score"].equals(other.tables["suspects"]["harm_score"])


def test_dorset_volumes(world):
    suspects, crimes = world.tables["suspects"], world.tables["crimes"]
    assert 3_000 <= len(suspects) <= 7_000  # a few thousand VAWG suspects
    assert 200 <= suspects["focus_flag"].sum() <= 900  # some hundreds in Focus
    assert 15_000 <= len(crimes) <= 60_000  # tens of thousands of crimes


def test_scale_multiplies_volumes():
    small = generate("op_focus", seed=4, scale=0.25)
    large = generate("op_focus", seed=4, scale=2.0)
    ratio = len(large.tables["crimes"]) / len(small.tables["crimes"])
    assert 6.5 < ratio < 9.5


def test_truth_is_the_planted_settings():
    data = generate("op_focus", seed=1, scale=0.1, charge_effect_pp=8.0, decision_time_ratio=0.5)
    assert data.truth["charge_rate_effect_pp"] == 8.0
    assert data.truth["withdrawal_rate_effect_pp"] == DEFAULT_EFFECTS["withdrawal_effect_pp"]
    # A time ratio r under a Weibull with shape k multiplies the hazard by r**-k.
    assert data.truth["decision_hazard_ratio"] == pytest.approx(0.5**-WEIBULL_SHAPE)
    assert data.truth["reoffending_harm_effect"] == 0.0
    # The friendly truth predates the keys only hostile worlds state.
    world_only = {"charge_rate_effect_at_threshold_pp", "charge_rate_ate_pp"}
    assert set(data.truth) == set(TRUTH_DEFINITIONS) - world_only


def test_dates_respect_the_contract_order(world):
    crimes = world.tables["crimes"]
    extract = world.extract_date
    assert (crimes["recorded_date"] >= crimes["offence_date"]).all()
    arrested = crimes["arrest_date"].notna()
    assert (crimes.loc[arrested, "arrest_date"] >= crimes.loc[arrested, "offence_date"]).all()
    final = crimes["outcome_code"].ne(0)
    assert crimes.loc[final, "outcome_date"].notna().all()
    assert crimes.loc[~final, "outcome_date"].isna().all()
    assert (crimes.loc[final, "outcome_date"] >= crimes.loc[final, "recorded_date"]).all()
    for column in ("offence_date", "recorded_date", "arrest_date", "outcome_date"):
        assert crimes[column].max() <= extract


def test_harm_score_matches_a_hand_computed_rfg_score(world):
    suspects, crimes = world.tables["suspects"], world.tables["crimes"]
    pilot = pd.Timestamp(DEFAULT_EFFECTS["pilot_start"])
    gravity = {
        "homicide": 100,
        "rape": 40,
        "other_sexual_offences": 20,
        "violence_with_injury": 15,
        "stalking_and_harassment": 8,
        "violence_without_injury": 5,
        "robbery": 10,
        "arson": 10,
        "criminal_damage": 3,
        "public_order": 2,
    }
    for suspect in suspects["suspect_id"].iloc[[0, 5, 50]]:
        own = crimes[
            (crimes["suspect_id"] == suspect)
            & crimes["vawg_flag"]
            & (crimes["recorded_date"] < pilot)
            & (crimes["recorded_date"] >= pilot - pd.Timedelta(days=1096))
        ]
        days = (pilot - own["recorded_date"].max()).days
        score = 50 * 0.5 ** (days / 180) + 10 * min(len(own), 10)
        score += sum(gravity.get(g, 2) for g in own["offence_group"])
        recorded = suspects.loc[suspects["suspect_id"] == suspect, "harm_score"].item()
        assert recorded == pytest.approx(score, abs=0.006)


def test_selection_is_fuzzy_at_the_threshold(world):
    suspects = world.tables["suspects"]
    threshold = DEFAULT_EFFECTS["harm_threshold"]
    above = suspects["harm_score"] >= threshold
    share_above = suspects.loc[above, "focus_flag"].mean()
    share_below = suspects.loc[~above, "focus_flag"].mean()
    assert 0.8 < share_above < 0.97  # most, not all, above are adopted
    assert 0.0 < share_below < 0.05  # a few below, on professional judgement
    focus = suspects[suspects["focus_flag"]]
    assert focus["focus_date"].notna().all()
    assert (focus["focus_end_date"].dropna() > focus["focus_date"].min()).all()
    assert focus["focus_end_date"].notna().sum() > 0  # some leave the cohort (drop-out)


def test_focus_perpetrators_differ_from_other_suspects_before_the_pilot(world):
    suspects, crimes = world.tables["suspects"], world.tables["crimes"]
    pilot = pd.Timestamp(DEFAULT_EFFECTS["pilot_start"])
    before = crimes[crimes["recorded_date"] < pilot].merge(suspects, on="suspect_id")
    per_suspect = before.groupby(["suspect_id", "focus_flag"]).size().groupby("focus_flag").mean()
    assert per_suspect[True] > 2.5 * per_suspect[False]  # selection on observed risk
    withdrawn = before[before["outcome_code"].ne(0)].groupby("focus_flag")["outcome_code"]
    rate = withdrawn.apply(lambda codes: codes.eq(16).mean())
    assert rate[True] > rate[False]  # high-harm suspects' victims withdraw more often


def test_recent_outcomes_are_pending_and_rape_takes_longest(world):
    crimes = world.tables["crimes"]
    arrests = crimes[crimes["arrest_date"].notna()]
    recent = arrests["arrest_date"] > world.extract_date - pd.Timedelta(days=60)
    old = arrests["arrest_date"] < world.extract_date - pd.Timedelta(days=720)
    assert arrests.loc[recent, "outcome_code"].eq(0).mean() > 0.5
    assert arrests.loc[old, "outcome_code"].eq(0).mean() < 0.02
    done = arrests[arrests["outcome_code"].ne(0) & old]
    days = (done["outcome_date"] - done["arrest_date"]).dt.days
    medians = days.groupby(done["offence_group"]).median()
    assert medians["rape"] > medians["violence_without_injury"]
    assert 30 <= medians["violence_without_injury"] <= 120  # months, not days or years


def test_charge_rates_are_realistic(world):
    crimes = world.tables["crimes"]
    final = crimes[crimes["outcome_code"].ne(0) & crimes["vawg_flag"]]
    overall = final["outcome_code"].eq(1).mean()
    assert 0.03 < overall < 0.12  # national context: 7% of all crimes
    by_group = final.groupby("offence_group")["outcome_code"].apply(lambda c: c.eq(1).mean())
    assert by_group["rape"] < 0.06  # a few per cent
    assert by_group.max() < 0.2


def test_some_areas_have_small_counts(world):
    focus = world.tables["suspects"].query("focus_flag")
    assert focus.groupby("area").size().min() < 30


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError, match="unknown op_focus synthetic setting"):
        generate("op_focus", seed=1, scale=0.1, charge_effect=3.0)
    with pytest.raises(ConfigError, match="probability"):
        generate("op_focus", seed=1, scale=0.1, adoption_above=1.5)
    with pytest.raises(ConfigError, match="extract_date"):
        generate("op_focus", seed=1, scale=0.1, extract_date="2026-04-15")


def test_ten_times_dorset_generates_quickly():
    started = time.perf_counter()
    data = generate("op_focus", seed=2, scale=10)
    assert time.perf_counter() - started < 20
    assert len(data.tables["crimes"]) > 200_000
    assert np.isfinite(data.tables["suspects"]["harm_score"]).all()


@pytest.mark.slow
def test_national_scale_generates_in_seconds():
    started = time.perf_counter()
    data = generate("op_focus", seed=2, scale=50)
    assert time.perf_counter() - started < 60
    assert len(data.tables["crimes"]) > 1_000_000
