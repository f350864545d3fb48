"""The serious violence generator: contract-valid tables, planted truths, worlds apart."""

import numpy as np
import pandas as pd
import pytest

from analysis.data import validate_source
from analysis.errors import ConfigError
from analysis.synthetic import generate, worlds
from analysis.synthetic import serious_violence as world


@pytest.fixture(scope="module")
def synth():
    return generate("serious_violence", seed=5, scale=0.3)


def test_same_seed_same_tables_and_the_friendly_world_is_the_default(synth):
    again = generate("serious_violence", seed=5, scale=0.3, world="friendly")
    for name, table in synth.tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name])


def test_hostile_worlds_leave_the_friendly_draws_alone_where_they_do_not_act(synth):
    # The national trend starts at the Duty: every area's counts before it are as they were.
    shifted = generate("serious_violence", seed=5, scale=0.3, world="national_trend")

    def before_duty(data):
        street = data.tables["street_crimes"]
        early = street[street["month"] < world.DUTY_START]
        return early.groupby(["month", "crime_type"]).size()

    pd.testing.assert_series_equal(before_duty(synth), before_duty(shifted))
    assert list(worlds("serious_violence"))[0] == "friendly"


def test_dorset_volumes_are_of_the_published_order(synth):
    crime = synth.tables["recorded_crime"]
    dorset = crime[crime["force_name"] == world.DORSET]
    per_year = dorset.groupby("offence_subgroup")["number_of_offences"].sum() / (
        len(dorset) / 3 / 4
    )
    assert 250 < per_year[world.KNIFE_SUBGROUP] < 450
    assert 1 < per_year[world.HOMICIDE_SUBGROUP] < 15
    admissions = synth.tables["hospital_admissions"]
    sharp = admissions[
        (admissions["indicator_id"] == world.SHARP_OBJECT_INDICATOR)
        & admissions["area_code"].isin([code for code, _, _ in world.DORSET_AUTHORITIES])
    ]
    # Of the order of 40 sharp-object admissions a year: -1.6 per 100,000 is about a dozen.
    assert 20 < sharp.groupby("time_period")["count"].sum().mean() < 70


def test_violence_concentrates_in_a_few_small_areas(synth):
    street = synth.tables["street_crimes"]
    counts = street.groupby("lsoa_code").size().sort_values(ascending=False)
    top = counts.iloc[: max(int(0.05 * len(counts)), 1)].sum() / counts.sum()
    assert 0.12 < top < 0.4


def test_the_planted_knife_gap_follows_the_rate_ratio():
    none = generate("serious_violence", seed=2, scale=0.2, knife_rate_ratio=1.0)
    assert none.truth["sc_knife_gap_per_100k"] == 0.0
    fall = generate("serious_violence", seed=2, scale=0.2, knife_rate_ratio=0.8)
    assert fall.truth["sc_knife_gap_per_100k"] < 0
    assert fall.truth["its_knife_rate_ratio"] == 0.8


def test_no_emergency_department_rows_when_not_shared():
    synth = generate("serious_violence", seed=2, scale=0.2, ed_shared=0)
    assert synth.tables["ed_attendances"].empty


def test_the_recording_change_moves_police_figures_not_hospital_ones():
    friendly = generate("serious_violence", seed=3, scale=0.2)
    recording = generate("serious_violence", seed=3, scale=0.2, world="recording_change")
    pd.testing.assert_frame_equal(
        friendly.tables["hospital_admissions"], recording.tables["hospital_admissions"]
    )
    crime = [s.tables["recorded_crime"] for s in (friendly, recording)]
    late = [
        c[(c["force_name"] == world.DORSET) & (c["financial_year"] == "2024/25")] for c in crime
    ]
    ratio = late[1]["number_of_offences"].sum() / late[0]["number_of_offences"].sum()
    assert 1.15 < ratio < 1.35


def test_unknown_effects_and_worlds_are_refused():
    with pytest.raises(ConfigError, match="unknown serious_violence effect"):
        generate("serious_violence", knife_ratio=0.9)
    with pytest.raises(ConfigError, match="world"):
        generate("serious_violence", world="sunny")
    with pytest.raises(ConfigError, match="positive"):
        generate("serious_violence", knife_rate_ratio=0)


def test_the_tables_pass_the_contract(tmp_path, synth):
    for name, table in synth.tables.items():
        table.to_csv(tmp_path / f"{name}.csv", index=False)
    problems = validate_source("serious_violence", tmp_path)
    assert not problems, problems
    assert np.isfinite(list(synth.truth.values())).all()
