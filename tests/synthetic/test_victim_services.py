"""Synthetic victim services world: reproducible, Dorset-scale, with the traps it promises."""

from __future__ import annotations

import hashlib
import json

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
    # About a thousand referrals a year from police records and self-referrals, and about
    # a thousand more MARAC cases with no index crime.
    assert 3500 <= len(cases) <= 5000
    assert set(cases["service"]) == {"IDVA", "ISVA", "counselling", "course"}


def test_marac_volume_is_near_the_benchmark_for_dorset(synth):
    cases = synth.tables["cases"]
    year = cases[cases["referral_date"] > world.EXTRACT_DATE - pd.DateOffset(years=1)]
    per_10000_women = year["marac_referral"].sum() / 330_000 * 10_000
    # SafeLives recommends 40 MARAC cases a year per 10,000 adult women.
    assert 32 <= per_10000_women <= 42


def _table_digest(tables: dict[str, pd.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in sorted(tables):
        digest.update(name.encode())
        digest.update(json.dumps([[c, str(t)] for c, t in tables[name].dtypes.items()]).encode())
        digest.update(pd.util.hash_pandas_object(tables[name], index=True).to_numpy().tobytes())
    return digest.hexdigest()


def test_friendly_rows_are_what_they_were_before_the_marac_cases_and_worlds():
    # The MARAC cases with no index crime are appended from their own stream, and the
    # hostile worlds draw from theirs: every row the friendly world had before is unchanged.
    tables = dict(generate(PROGRAMME, seed=7, scale=0.1).tables)
    cases = tables["cases"]
    tables["cases"] = cases[~cases["victim_id"].str.startswith("VM")]
    assert _table_digest(tables) == (
        "727e7e970d92b88c2db21fe5bf34ed426f15141efa7670f11d4f6b65ee3d37d5"
    )


@pytest.mark.parametrize("name", sorted(world.WORLDS))
def test_every_world_builds_with_the_same_truth_keys(name):
    synth = generate(PROGRAMME, seed=3, scale=0.3, world=name)
    assert set(synth.truth) == set(world.TRUTH_DEFINITIONS)
    assert synth.truth["repeat_hazard_ratio"] == 0.75
    again = generate(PROGRAMME, seed=3, scale=0.3, world=name)
    pd.testing.assert_frame_equal(synth.tables["cases"], again.tables["cases"])


def test_unknown_world_is_refused():
    with pytest.raises(ConfigError, match="unknown victim_services synthetic world"):
        generate(PROGRAMME, seed=1, scale=0.2, world="kind")


def _late_share(synth) -> float:
    offences, cases = synth.tables["offences"], synth.tables["cases"]
    joined = cases.merge(offences[["victim_id", "offence_date"]], on="victim_id")
    return float(((joined["referral_date"] - joined["offence_date"]).dt.days >= 28).mean())


def test_referral_lag_puts_many_referrals_after_the_grace_period():
    friendly = generate(PROGRAMME, seed=3, scale=0.5)
    lagged = generate(PROGRAMME, seed=3, scale=0.5, world="referral_lag")
    assert _late_share(friendly) < 0.15 < 0.3 < _late_share(lagged)


def test_busy_services_raise_the_recorded_risk_of_supported_victims():
    def high_share(synth):
        offences, cases = synth.tables["offences"], synth.tables["cases"]
        referred = offences[offences["victim_id"].isin(cases["victim_id"])]
        return float((referred["dash_risk"] != "standard").mean())

    friendly = generate(PROGRAMME, seed=3, scale=0.5)
    busy = generate(PROGRAMME, seed=3, scale=0.5, world="risk_reassessed_when_busy")
    assert high_share(busy) > high_share(friendly) + 0.05
    # The victims not referred keep the level assessed at the crime.
    keep = ~friendly.tables["offences"]["victim_id"].isin(friendly.tables["cases"]["victim_id"])
    pd.testing.assert_series_equal(
        friendly.tables["offences"].loc[keep, "dash_risk"],
        busy.tables["offences"].loc[keep, "dash_risk"],
    )


def test_marac_volume_change_shifts_the_case_mix_at_the_service_change():
    def marac_share_after(synth):
        cases = synth.tables["cases"]
        return float(
            cases.loc[cases["referral_date"] >= world.SERVICE_CHANGE, "marac_referral"].mean()
        )

    friendly = generate(PROGRAMME, seed=3, scale=0.5)
    changed = generate(PROGRAMME, seed=3, scale=0.5, world="marac_volume_change")
    assert marac_share_after(changed) > marac_share_after(friendly) + 0.1


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
    # Pseudonyms agree across the extracts (MARAC cases with no index crime and
    # self-referrals are the unlinked ones).
    assert 0.25 < linked.mean() < 0.9
