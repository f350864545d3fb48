"""Synthetic victim services world: reproducible, Dorset-scale, with the traps it promises."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data import load
from analysis.errors import ConfigError
from analysis.synthetic import generate
from analysis.synthetic import victim_services as world

PROGRAMME = "victim_services"


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
    assert not a.tables["cases"].equals(c.tables["cases"])


def test_dorset_scale_volumes(synth):
    assert len(synth.tables["offences"]) == world.VICTIMS_PER_SCALE
    cases = synth.tables["cases"]
    # About a thousand referrals a year across the services.
    assert 1500 <= len(cases) <= 2600
    assert set(cases["service"]) == {"IDVA", "ISVA", "counselling", "course"}


def test_higher_risk_victims_are_referred_more(synth):
    offences, cases = synth.tables["offences"], synth.tables["cases"]
    referred = offences["victim_id"].isin(cases["victim_id"])
    share = referred.groupby(offences["dash_risk"]).mean()
    assert share["high"] > share["medium"] > share["standard"]


def test_exit_measures_are_missing_exactly_for_cases_not_completed(synth):
    cases = synth.tables["cases"]
    closed = cases[cases["exit_date"].notna()]
    asked = closed["abuse_ceased"].notna()
    assert (asked == (closed["exit_reason"] == "completed")).all()
    assert cases.loc[cases["exit_date"].isna(), "abuse_ceased"].isna().all()
    # Missing not at random: the recorded share overstates the true one.
    assert closed.loc[asked, "abuse_ceased"].mean() > synth.truth["abuse_ceased_share"] + 0.05


def test_truth_names_every_estimand(synth):
    assert set(synth.truth) == {
        "withdrawal_difference_pp",
        "charge_difference_pp",
        "repeat_hazard_ratio",
        "first_contact_change_days",
        "engagement_change_pp",
        "withdrawal_change_pp",
        "abuse_ceased_share",
        "abuse_ceased_after_change_pp",
    }
    assert synth.truth["withdrawal_difference_pp"] == pytest.approx(-8.0)


def test_effects_can_be_set_and_unknown_ones_are_refused():
    quiet = generate(PROGRAMME, seed=1, scale=0.2, withdrawal_pp=0, repeat_hazard_ratio=1)
    assert quiet.truth["withdrawal_difference_pp"] == 0
    with pytest.raises(ConfigError, match="unknown victim_services effect"):
        generate(PROGRAMME, seed=1, scale=0.2, idva_magic=3)
    with pytest.raises(ConfigError, match="repeat_hazard_ratio must be positive"):
        generate(PROGRAMME, seed=1, scale=0.2, repeat_hazard_ratio=0)


def test_the_extract_meets_its_contract_and_links_victims():
    data = load(PROGRAMME, source="synthetic", seed=2, scale=0.3)
    assert data.warnings == []
    linked = data["cases"]["victim_id"].isin(data["offences"]["victim_id"])
    assert 0.5 < linked.mean() < 0.9  # pseudonyms agree across the extracts
