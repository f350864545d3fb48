"""Named synthetic worlds: each builds, meets its contract, repeats by seed and states its truth.

Checks that a world's truth is right, and that what it breaks is really broken,
live beside each programme's tests (``test_worlds_<programme>.py``).
"""

from __future__ import annotations

import importlib
import math
from functools import cache

import pytest

from analysis.data.contracts import get_contract
from analysis.data.validation import validate_tables, with_row_numbers
from analysis.errors import ConfigError
from analysis.synthetic import SyntheticData, generate, worlds

from .test_friendly_fingerprint import fingerprint

PROGRAMMES = ("op_focus", "perpetrator_programmes", "lsavi")
HOSTILE = [(p, w) for p in PROGRAMMES for w in worlds(p) if w != "friendly"]
#: Small enough to keep the suite fast, large enough for every table to have rows.
SCALE = 0.1


@cache
def _generated(programme: str, world: str, seed: int = 3) -> SyntheticData:
    return generate(programme, seed=seed, scale=SCALE, world=world)


def _defined_keys(programme: str) -> set[str]:
    """Truth keys a programme documents, with ``{p}`` expanded where it templates them."""
    definitions = importlib.import_module(f"analysis.synthetic.{programme}").TRUTH_DEFINITIONS
    keys = set()
    for key in definitions:
        keys |= {key.replace("{p}", p) for p in ("drive", "up2u")} if "{p}" in key else {key}
    return keys


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_worlds_are_listed_friendly_first_and_described(programme):
    listed = worlds(programme)
    assert next(iter(listed)) == "friendly"
    assert len(listed) >= 5
    for name, description in listed.items():
        assert name.isidentifier() and name == name.lower()
        assert isinstance(description, str) and len(description) > 40


def test_every_named_failure_is_built_somewhere():
    built = {name for p in PROGRAMMES for name in worlds(p)}
    assert {
        "heterogeneous_effects",
        "unobserved_confounding",
        "multiplicative_seasonality",
        "dip_before_referral",
        "dip_before_signup",
        "bursty_hazard",
        "frailty",
        "shared_victims",
        "missing_not_at_random",
    } <= built
    # Where the failure is plausible in every programme, every programme has it.
    for programme in PROGRAMMES:
        assert {"heterogeneous_effects", "unobserved_confounding"} <= set(worlds(programme))


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_an_unknown_world_is_a_config_error_naming_the_choices(programme):
    with pytest.raises(ConfigError, match="unknown .*world 'utopia'.*friendly.*heterogeneous"):
        generate(programme, seed=1, scale=SCALE, world="utopia")
    module = importlib.import_module(f"analysis.synthetic.{programme}")
    with pytest.raises(ConfigError, match="choose one of: friendly"):
        module.generate(seed=1, scale=SCALE, world="utopia")


def test_worlds_of_a_programme_without_a_generator_is_a_config_error():
    with pytest.raises(ConfigError, match="no synthetic generator for programme 'nope'.*lsavi"):
        worlds("nope")


def test_friendly_by_name_is_the_default():
    named = generate("lsavi", seed=3, scale=SCALE, world="friendly")
    assert fingerprint(named) == fingerprint(generate("lsavi", seed=3, scale=SCALE))


@pytest.mark.parametrize(("programme", "world"), HOSTILE)
def test_hostile_world_meets_its_contract_repeats_by_seed_and_differs(programme, world):
    data = _generated(programme, world)
    checked = validate_tables(
        get_contract(programme),
        {name: with_row_numbers(table) for name, table in data.tables.items()},
        extract_date=data.extract_date,
    )
    assert checked.problems == []
    assert data.parameters["world"] == world
    again = generate(programme, seed=3, scale=SCALE, world=world)
    assert fingerprint(again) == fingerprint(data)
    assert fingerprint(data) != fingerprint(_generated(programme, "friendly"))
    other_seed = generate(programme, seed=4, scale=SCALE, world=world)
    assert fingerprint(other_seed) != fingerprint(data)


@pytest.mark.parametrize(("programme", "world"), HOSTILE)
def test_hostile_truth_is_documented_and_covers_the_friendly_estimands(programme, world):
    truth = _generated(programme, world).truth
    assert set(truth) <= _defined_keys(programme)
    assert set(_generated(programme, "friendly").truth) <= set(truth)
    assert all(math.isfinite(value) for value in truth.values())
