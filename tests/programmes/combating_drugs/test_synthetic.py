"""The combating_drugs generator: contract-valid tables, planted effects, worlds that differ."""

import numpy as np
import pandas as pd
import pytest

from analysis.data import load
from analysis.data.contracts.combating_drugs import INDICATOR_IDS, PARTNERSHIP_AREAS
from analysis.errors import ConfigError
from analysis.synthetic import combating_drugs as world
from analysis.synthetic import generate, worlds


def _series(synth, key, codes):
    table = synth.tables["indicators"]
    rows = table[(table["indicator_id"] == INDICATOR_IDS[key]) & table["area_code"].isin(codes)]
    return rows.groupby("time_period")["count"].sum()


def test_tables_pass_the_contract_and_cover_every_area_and_period():
    data = load("combating_drugs", source="synthetic", seed=5)
    assert not data.warnings
    indicators = data["indicators"]
    assert indicators["area_code"].nunique() == 2 + 15 + 150
    assert set(indicators["indicator_id"]) == set(INDICATOR_IDS.values())
    deaths = indicators[indicators["indicator_id"] == INDICATOR_IDS["drug_deaths"]]
    assert "2022 - 24" in set(deaths["time_period"])
    offending = data["offending"]
    assert offending["month"].min() == world.OFFENDING_START
    assert offending["month"].max() <= data.extract_date


def test_same_seed_same_bytes_and_friendly_is_the_default():
    a = generate("combating_drugs", seed=9)
    b = generate("combating_drugs", seed=9, world="friendly")
    pd.testing.assert_frame_equal(a.tables["indicators"], b.tables["indicators"])


def test_funding_raises_dorsets_numbers_in_treatment_on_average():
    ratios = []
    for seed in range(6):
        synth = generate("combating_drugs", seed=seed)
        dorset = _series(synth, "adults_in_treatment", list(PARTNERSHIP_AREAS))
        ratios.append(dorset[["2022/23", "2023/24", "2024/25"]].mean()
                      / dorset[["2019/20", "2020/21", "2021/22"]].mean())  # fmt: skip
    assert 1.08 < np.mean(ratios) < 1.35


@pytest.mark.parametrize("name", list(world.WORLDS)[1:])
def test_hostile_worlds_change_dorset_or_its_comparators(name):
    friendly = generate("combating_drugs", seed=2)
    hostile = generate("combating_drugs", seed=2, world=name)
    assert hostile.truth["treatment_rate_ratio"] == friendly.truth["treatment_rate_ratio"]
    a, b = friendly.tables["indicators"], hostile.tables["indicators"]
    assert not a["count"].equals(b["count"])
    if name == "recording_change":
        assert b["value_note"].notna().any() and a["value_note"].isna().all()


def test_worlds_are_declared_with_friendly_first_and_unknown_ones_refused():
    assert list(worlds("combating_drugs"))[0] == "friendly"
    assert set(world.TRUTH_DEFINITIONS) == set(generate("combating_drugs", seed=1).truth)
    with pytest.raises(ConfigError, match="unknown combating_drugs synthetic world"):
        world.generate(seed=1, world="utopia")
    with pytest.raises(ConfigError, match="unknown combating_drugs effect"):
        generate("combating_drugs", seed=1, treatment_effect=2)
