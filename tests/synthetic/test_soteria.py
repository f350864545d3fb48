"""The synthetic Soteria extract: deterministic, passes its contract, plants what it says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data import load
from analysis.data.contracts.soteria import FORCES
from analysis.data.reference import load_reference
from analysis.errors import ConfigError
from analysis.synthetic import generate
from analysis.synthetic.soteria import BASE_HAZARDS, cumulative_incidence_truth


def test_same_seed_same_tables_and_a_different_seed_differs():
    one, two = generate("soteria", seed=5, scale=0.3), generate("soteria", seed=5, scale=0.3)
    for name in one.tables:
        pd.testing.assert_frame_equal(one.tables[name], two.tables[name])
    assert one.truth == two.truth
    other = generate("soteria", seed=6, scale=0.3)
    assert not one.tables["crimes"].equals(other.tables["crimes"])


def test_passes_the_contract_with_pending_outcomes_and_rising_reports():
    data = load("soteria", source="synthetic", seed=2, scale=1.0)
    crimes = data["crimes"]
    pending = crimes["outcome_code"] == 0
    assert pending.any() and crimes.loc[pending, "outcome_date"].isna().all()
    per_year = crimes.groupby(crimes["report_date"].dt.to_period("Y-MAR")).size()
    assert per_year.iloc[-1] > per_year.iloc[0]
    rape = crimes["offence"].isin(["adult_rape", "child_rape"])
    rape_per_year = rape.groupby(crimes["report_date"].dt.to_period("Y-MAR")).sum()
    assert 500 <= rape_per_year.mean() <= 900
    charged = (crimes.loc[rape, "outcome_code"] == 1).mean()
    assert 0.03 <= charged <= 0.09
    assert set(data["force_outcomes"]["force_name"]) == set(FORCES)


def test_force_table_is_the_home_office_outcomes_layout_and_follows_the_adoption_table():
    from analysis.data.public import CRIME_OUTCOMES

    assert set(load_reference("soteria_adoption")["force"]) == set(FORCES)
    table = generate("soteria", seed=1, scale=0.2).tables["force_outcomes"]
    assert list(table.columns) == [column.name for column in CRIME_OUTCOMES.columns]
    assert table.groupby("force_name").size().nunique() == 1
    assert set(table["offence_code"]) == {"19C", "19F"}
    assert set(table["outcome_type"]) == {"1", "14", "15", "16", "18", "21"}
    assert (table["force_outcomes"] >= 0).all()


def test_the_planted_across_forces_effect_is_recovered_on_average():
    """The charge share rises by national_charge_difference in adopted force-quarters."""
    from analysis.programmes.soteria import tables

    rises = []
    for seed in range(3):
        synth = generate("soteria", seed=seed, national_charge_difference=0.05)
        panel = tables.force_panel(
            synth.tables["force_outcomes"],
            load_reference("soteria_adoption"),
            pd.Timestamp("2023-07-01"),
        ).panel
        # The last quarter before national adoption against the first after, all forces.
        before = panel[panel["quarter"] == pd.Period("2023Q2", "Q")]
        after = panel[panel["quarter"] == pd.Period("2023Q3", "Q")]
        late = before["adoption_quarter"] == pd.Period("2023Q3", "Q")
        share = lambda frame: frame["charges"].sum() / frame["outcomes"].sum()  # noqa: E731
        rises.append(
            share(after[after["force"].isin(before.loc[late, "force"])]) - share(before[late])
        )
    assert 0.03 < np.mean(rises) < 0.07


@pytest.mark.parametrize("world", ["national_shift", "worst_first", "recording_change"])
def test_hostile_worlds_keep_the_friendly_draws_and_soterias_truth(world):
    friendly = generate("soteria", seed=4, scale=0.3)
    hostile = generate("soteria", seed=4, scale=0.3, world=world)
    assert hostile.truth == friendly.truth
    assert hostile.parameters["world"] == world
    if world == "recording_change":
        assert len(hostile.tables["crimes"]) > len(friendly.tables["crimes"])
    else:
        pd.testing.assert_series_equal(
            hostile.tables["crimes"]["report_date"], friendly.tables["crimes"]["report_date"]
        )
        assert not hostile.tables["crimes"].equals(friendly.tables["crimes"])


def test_an_unknown_world_is_refused():
    with pytest.raises(ConfigError, match="national_shift"):
        generate("soteria", seed=1, world="mars")


def test_truth_matches_a_simulation_of_the_planted_hazards():
    rng = np.random.default_rng(0)
    from analysis.synthetic.soteria import _draw_ends

    days, end = _draw_ends(rng, [BASE_HAZARDS] * 200_000)
    simulated = float(np.mean((end == "charge") & (days <= 365)))
    assert simulated == pytest.approx(
        cumulative_incidence_truth(BASE_HAZARDS, "charge", 365), abs=0.002
    )
    early = float(np.mean((end == "withdrawal") & (days <= 30)))
    assert early == pytest.approx(
        cumulative_incidence_truth(BASE_HAZARDS, "withdrawal", 30), abs=0.004
    )


def test_planted_effects_move_the_truth_and_bad_settings_fail():
    # The specialist team's share changes with adoption and its charge hazard competes with
    # withdrawal, so every effect must be switched off for the truths to be zero.
    none = generate(
        "soteria",
        seed=1,
        scale=0.1,
        charge_hazard_ratio=1.0,
        withdrawal_hazard_ratio=1.0,
        specialist_charge_ratio=1.0,
    )
    assert none.truth["charge_cif_difference"] == pytest.approx(0.0, abs=1e-12)
    assert none.truth["withdrawal_cif_difference"] == pytest.approx(0.0, abs=1e-12)
    assert generate("soteria", seed=1, scale=0.1).truth["charge_cif_difference"] > 0.02
    with pytest.raises(ConfigError, match="unknown soteria effect"):
        generate("soteria", seed=1, nonsense=1)
    with pytest.raises(ConfigError, match="inside the window"):
        generate("soteria", seed=1, adoption_date="2030-01-01")
    with pytest.raises(ConfigError, match="code_accuracy"):
        generate("soteria", seed=1, code_accuracy=1.5)
