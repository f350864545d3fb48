"""Synthetic serious violence data at Dorset scale, with the Duty's change planted.

Dorset and comparison forces and local authorities, with what the public tables hold:

- ``recorded_crime``: knife or sharp instrument offences, violence with injury and homicide by
  force and financial quarter (the Home Office tidy layout), 2017/18 to 2025/26 Q2. Each
  force's rate per 100,000 follows its own level and trend, a national pattern it shares in
  part (its loading) and the seasons; in Dorset, from the Duty (January 2023) each offence's
  expected rate is multiplied by its planted rate ratio;
- ``hospital_admissions``: admissions for assault with a sharp object (all ages, under 25) and
  for any assault, by local authority and financial year (the indicator export layout),
  2014/15 to 2024/25, changed in Dorset's two authorities from 2023/24 by the same rate ratios
  (knife for sharp objects, violence with injury for any assault): the health data follow
  the violence, not police recording;
- ``street_crimes``: violence and weapons crimes by LSOA and month (the police.uk tidy layout),
  2020 to 2025. Each LSOA has a stable risk (violence concentrates in a few) and a risk that
  changes from year to year (a hot spot is partly stable): areas picked for one high year
  fall back the next (regression to the mean). The LSOAs in the top 5% of 2022's violence
  are the hot spots; from 2023 theirs is multiplied by ``hotspot_rate_ratio`` beyond the
  county's change;
- ``ed_attendances``: assault attendances at three emergency departments by month (Cardiff
  Model), changed like violence with injury; no rows when ``ed_shared`` is 0;
- ``comparison_areas`` and ``lsoas``: who has a Violence Reduction Unit, and populations.

Named worlds (:data:`WORLDS`) break one assumption each; their extra randomness comes from
:func:`~analysis.synthetic._worlds.world_rng`, so the friendly world's bytes never move.
Same seed, scale and world, same tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.contracts.serious_violence import (
    ASSAULT_INDICATOR,
    HOMICIDE_SUBGROUP,
    KNIFE_SUBGROUP,
    SHARP_OBJECT_INDICATOR,
    SHARP_OBJECT_UNDER_25_INDICATOR,
    VIOLENCE_CRIME_TYPE,
    VIOLENCE_WITH_INJURY_SUBGROUP,
    WEAPONS_CRIME_TYPE,
)
from ..errors import ConfigError
from . import SyntheticData
from ._ids import fixed_width_ids
from ._worlds import FRIENDLY, check_world, world_rng

#: Date the synthetic extract is taken.
EXTRACT_DATE = pd.Timestamp("2026-01-31")
#: The Serious Violence Duty took effect on 31 January 2023; the first month counted after it.
DUTY_START = pd.Timestamp("2023-01-01")
#: First financial year (of the quarterly tables) and the last quarter published.
FIRST_FINANCIAL_YEAR = 2017
LAST_QUARTER_START = pd.Timestamp("2025-07-01")
#: Financial years of the admissions data (start years) and the first after the Duty.
ADMISSION_YEARS = tuple(range(2014, 2025))
FIRST_ADMISSION_YEAR_AFTER = 2023
#: Months of the street-level data.
STREET_FIRST_MONTH = pd.Timestamp("2020-01-01")
STREET_LAST_MONTH = pd.Timestamp("2025-12-01")
#: The year hot spots are chosen on, and the share of LSOAs that are hot spots.
HOTSPOT_SELECTION_YEAR = 2022
HOTSPOT_SHARE = 0.05
#: Dorset's force name and its two local authorities (ONS code, name, residents).
DORSET = "Dorset"
DORSET_AUTHORITIES = (
    ("E06000059", "Dorset", 382_000),
    ("E06000058", "Bournemouth, Christchurch and Poole", 400_000),
)
#: Forces without a funded Violence Reduction Unit (the comparison pool).
FORCES_WITHOUT_VRU = (
    "Cambridgeshire", "Cheshire", "Cumbria", "Derbyshire", "Devon and Cornwall", "Durham",
    "Dyfed-Powys", "Gloucestershire", "Gwent", "Hertfordshire", "Lincolnshire", "Norfolk",
    "North Wales", "North Yorkshire", "Northamptonshire", "Staffordshire", "Suffolk", "Surrey",
    "Warwickshire", "West Mercia", "Wiltshire",
)  # fmt: skip
#: Forces with a VRU (in the tables, left out of the comparison pools).
FORCES_WITH_VRU = (
    "Avon and Somerset", "Bedfordshire", "Essex", "Hampshire", "Kent", "Leicestershire",
    "Nottinghamshire", "Sussex",
)  # fmt: skip
#: Small areas in Dorset at scale 1.
LSOAS_PER_SCALE = 480
#: Emergency departments sharing Cardiff Model data.
ED_SITES = ("Royal Bournemouth", "Poole", "Dorset County")

#: Offences of the quarterly tables: subgroup -> (description, group, code, rate per
#: 100,000 a quarter in Dorset before the Duty).
OFFENCES = {
    KNIFE_SUBGROUP: ("Knife or sharp instrument offences", "Knife or sharp instrument",
                     "KSI", 11.5),
    VIOLENCE_WITH_INJURY_SUBGROUP: ("Assault with injury", "Violence against the person",
                                    "8N", 340.0),
    HOMICIDE_SUBGROUP: ("Homicide", "Violence against the person", "1", 0.2),
}  # fmt: skip
#: Admissions indicators: id -> (name, age, rate per 100,000 a year, share of residents).
INDICATORS = {
    SHARP_OBJECT_INDICATOR: ("Hospital admissions for assault by a sharp object", "All ages",
                             5.0, 1.0),
    SHARP_OBJECT_UNDER_25_INDICATOR: ("Hospital admissions for assault by a sharp object",
                                      "Under 25", 9.0, 0.28),
    ASSAULT_INDICATOR: ("Hospital admissions for assault", "All ages", 40.0, 1.0),
}  # fmt: skip

#: Planted effects and their defaults.
DEFAULT_EFFECTS: dict[str, float] = {
    # Dorset's expected rate after the Duty over what it would have been (rate ratios).
    "knife_rate_ratio": 0.88,
    "violence_with_injury_rate_ratio": 0.95,
    "homicide_rate_ratio": 1.0,
    # Change in the chosen hot spots from 2023 beyond the county's (rate ratio).
    "hotspot_rate_ratio": 1.0,
    # Year-to-year variation of an LSOA's risk (shape of a gamma with mean 1: smaller, more).
    "hotspot_transience_shape": 6.0,
    # 1: the emergency departments share their data; 0: the table has no rows.
    "ed_shared": 1.0,
}

#: What each truth key is, exactly.
TRUTH_DEFINITIONS: dict[str, str] = {
    "its_<offence>_rate_ratio": (
        "Dorset's expected recorded rate after the Duty (2022/23 Q4 onwards) over its expected "
        "rate had Dorset's violence not changed at the Duty, of Dorset's own making: national "
        "changes shared with the comparison forces and recording changes are not part of it"
    ),
    "sc_<offence>_gap_per_100k": (
        "mean over the quarters after the Duty of Dorset's expected rate per 100,000 minus the "
        "expected rate had Dorset's violence not changed (recorded as before)"
    ),
    "sc_admissions_gap_per_100k": (
        "mean over 2023/24 onwards of Dorset's (both authorities) expected sharp-object "
        "admissions per 100,000 minus the expected rate without Dorset's change"
    ),
    "its_admissions_rate_ratio": (
        "Dorset's expected sharp-object admissions from 2023/24 over those without its change"
    ),
    "hotspot_rate_ratio": (
        "expected violence in the LSOAs in the top 5% of 2022's recorded violence, 2023, over "
        "its expectation without a hot-spot change, beyond the county's change"
    ),
    "its_ed_rate_ratio": "as its_<offence>_rate_ratio, for emergency department attendances",
    "placebo_knife_gap_per_100k": (
        "the synthetic control's gap at a fictitious Duty before the real one: zero"
    ),
    "comparison_knife_rate_ratio": (
        "the comparison forces' expected knife crime after the Duty over their expected rate "
        "without a change at it: 1, or the national change where one is planted"
    ),
    "recording_ratio": (
        "Dorset's police-recorded violence with injury per hospital admission for assault, "
        "after the Duty over before, against the comparison forces: 1, or 1 plus the "
        "recording uplift where recording changes"
    ),
}

#: Named worlds: what fails in each and which design it threatens.
WORLDS: dict[str, str] = {
    FRIENDLY: (
        "Dorset's change at the Duty is its own; comparison forces share the national pattern; "
        "recording is steady; hot spots vary moderately from year to year"
    ),
    "regression_to_the_mean": (
        "an LSOA's violence varies much more from year to year, so areas chosen for one high "
        "year fall back the next with no change at all; threatens a before/after of the "
        "chosen hot spots"
    ),
    "national_trend": (
        "violence falls everywhere from 2023 (a national change that is not Dorset's doing), "
        "in comparison forces as in Dorset; threatens the interrupted time series, which "
        "has no comparison"
    ),
    "recording_change": (
        "Dorset records more violence from April 2023 (a crime-recording audit), police "
        "figures only: hospital admissions do not move; threatens every police-recorded design"
    ),
}

#: How much violence falls everywhere from 2023 in the national_trend world (rate ratio).
NATIONAL_CHANGE = 0.85
#: Extra recorded violence in Dorset from April 2023 in the recording_change world.
RECORDING_UPLIFT = 0.25
RECORDING_CHANGE_START = pd.Timestamp("2023-04-01")
#: Extra year-to-year variation in the regression_to_the_mean world (gamma shape).
RTM_EXTRA_SHAPE = 1.5


def financial_year_label(start_year: int) -> str:
    """``2023`` -> ``"2023/24"``.

    Examples
    --------
    >>> financial_year_label(2023)
    '2023/24'
    """
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def quarter_starts() -> pd.DatetimeIndex:
    """First day of each financial quarter in the quarterly tables.

    Examples
    --------
    >>> starts = quarter_starts()
    >>> str(starts[0].date()), str(starts[-1].date())
    ('2017-04-01', '2025-07-01')
    """
    return pd.date_range(f"{FIRST_FINANCIAL_YEAR}-04-01", LAST_QUARTER_START, freq="QS-JAN")


def _check_effects(effects: dict[str, Any]) -> dict[str, float]:
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown serious_violence effect(s) {unknown}; known: "
            f"{', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    params = {**DEFAULT_EFFECTS, **{name: float(value) for name, value in effects.items()}}
    for name in ("knife_rate_ratio", "violence_with_injury_rate_ratio", "homicide_rate_ratio",
                 "hotspot_rate_ratio", "hotspot_transience_shape"):  # fmt: skip
        if params[name] <= 0:
            raise ConfigError(f"serious_violence effect {name} must be positive")
    return params


def _areas(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forces and local authorities: population, VRU, and each area's own level and trend."""
    forces = [(DORSET, False), *((f, False) for f in FORCES_WITHOUT_VRU),
              *((f, True) for f in FORCES_WITH_VRU)]  # fmt: skip
    rows, authorities = [], []
    for index, (force, vru) in enumerate(forces):
        if force == DORSET:
            level, trend, loading = 0.0, 0.0, 1.0
            las = DORSET_AUTHORITIES
        else:
            level = rng.normal(0.0, 0.25)
            trend = rng.normal(0.0, 0.02)
            loading = rng.uniform(0.5, 1.5)
            sizes = rng.integers(250_000, 900_000, size=2)
            las = tuple(
                (f"E069{index:03d}{part}", f"{force} authority {part + 1}", int(size))
                for part, size in enumerate(sizes)
            )
        population = int(sum(size for _, _, size in las))
        rows.append((force, vru, population, level, trend, loading))
        for part, (code, name, size) in enumerate(las):
            # Dorset's rural authority has less violence than its urban one.
            offset = (-0.3, 0.3)[part] if force == DORSET else rng.normal(0.0, 0.15)
            authorities.append((code, name, force, vru, size, level + offset, trend, loading))
    force_frame = pd.DataFrame(
        rows, columns=["force", "has_vru", "population", "level", "trend", "loading"]
    )
    la_frame = pd.DataFrame(
        authorities,
        columns=["code", "name", "force", "has_vru", "population", "level", "trend", "loading"],
    )
    return force_frame, la_frame


def _recorded_crime(
    rng: np.random.Generator,
    forces: pd.DataFrame,
    params: dict[str, float],
    world: str,
) -> tuple[pd.DataFrame, dict[str, float]]:
    starts = quarter_starts()
    years = (np.arange(len(starts)) - len(starts) / 2) / 4
    national = np.cumsum(rng.normal(0.0, 0.006, size=len(starts)))
    season = np.array([0.06, 0.04, -0.02, -0.08])[(starts.month.to_numpy() - 4) % 12 // 3]
    after = starts >= DUTY_START
    recorded_more = starts >= RECORDING_CHANGE_START
    ratios = {
        KNIFE_SUBGROUP: params["knife_rate_ratio"],
        VIOLENCE_WITH_INJURY_SUBGROUP: params["violence_with_injury_rate_ratio"],
        HOMICIDE_SUBGROUP: params["homicide_rate_ratio"],
    }
    truth_names = {KNIFE_SUBGROUP: "knife", VIOLENCE_WITH_INJURY_SUBGROUP: "violence_with_injury",
                   HOMICIDE_SUBGROUP: "homicide"}  # fmt: skip
    year_labels = [financial_year_label(s.year if s.month >= 4 else s.year - 1) for s in starts]
    quarters = ((starts.month.to_numpy() - 4) % 12) // 3 + 1
    frames, truth = [], {}
    for subgroup, (description, group, code, base) in OFFENCES.items():
        counts = []
        noise = rng.normal(0.0, 0.03, size=(len(forces), len(starts)))
        for row, force in enumerate(forces.itertuples()):
            log_rate = (
                np.log(base) + force.level + force.trend * years + force.loading * national
                + season
            )  # fmt: skip
            if world == "national_trend":
                log_rate = log_rate + np.log(NATIONAL_CHANGE) * after
            expected_without = np.exp(log_rate)
            expected = expected_without.copy()
            if force.force == DORSET:
                expected = expected * np.where(after, ratios[subgroup], 1.0)
                name = truth_names[subgroup]
                truth[f"its_{name}_rate_ratio"] = ratios[subgroup]
                truth[f"sc_{name}_gap_per_100k"] = float(
                    np.mean((expected - expected_without)[after])
                )
            recorded = expected
            if (
                world == "recording_change"
                and force.force == DORSET
                and subgroup != HOMICIDE_SUBGROUP
            ):
                recorded = expected * np.where(recorded_more, 1 + RECORDING_UPLIFT, 1.0)
            mean = recorded * np.exp(noise[row]) * force.population / 100_000
            counts.append(rng.poisson(mean))
        # One frame per offence, forces one after another (built whole: a frame per force
        # and offence was most of the generator's time).
        frames.append(
            pd.DataFrame(
                {
                    "financial_year": year_labels * len(forces),
                    "financial_quarter": np.tile(quarters, len(forces)),
                    "force_name": np.repeat(forces["force"].to_numpy(), len(starts)),
                    "offence_description": description,
                    "offence_group": group,
                    "offence_subgroup": subgroup,
                    "offence_code": code,
                    "number_of_offences": np.concatenate(counts),
                }
            )
        )
    return pd.concat(frames, ignore_index=True), truth


def _admissions(
    rng: np.random.Generator,
    authorities: pd.DataFrame,
    params: dict[str, float],
    world: str,
) -> tuple[pd.DataFrame, dict[str, float]]:
    years = np.array(ADMISSION_YEARS)
    centred = years - years.mean()
    national = np.cumsum(rng.normal(0.0, 0.015, size=len(years)))
    after = years >= FIRST_ADMISSION_YEAR_AFTER
    ratios = {
        SHARP_OBJECT_INDICATOR: params["knife_rate_ratio"],
        SHARP_OBJECT_UNDER_25_INDICATOR: params["knife_rate_ratio"],
        ASSAULT_INDICATOR: params["violence_with_injury_rate_ratio"],
    }
    rows, truth = [], {}
    dorset_with, dorset_without, dorset_people = 0.0, 0.0, 0
    for indicator, (name, age, base, share) in INDICATORS.items():
        for authority in authorities.itertuples():
            log_rate = (
                np.log(base) + authority.level + authority.trend * centred
                + authority.loading * national
            )  # fmt: skip
            if world == "national_trend":
                log_rate = log_rate + np.log(NATIONAL_CHANGE) * after
            without = np.exp(log_rate)
            expected = without * np.where(
                after & (authority.force == DORSET), ratios[indicator], 1.0
            )
            people = int(authority.population * share)
            counts = rng.poisson(expected * people / 100_000)
            if indicator == SHARP_OBJECT_INDICATOR and authority.force == DORSET:
                dorset_with = dorset_with + expected * people
                dorset_without = dorset_without + without * people
                dorset_people += people
            rate = counts / people * 100_000
            # Byar's approximation to the exact Poisson limits, as the profiles publish them.
            low = (
                counts
                * (
                    1
                    - 1 / (9 * np.maximum(counts, 1))
                    - 1.96 / (3 * np.sqrt(np.maximum(counts, 1)))
                )
                ** 3
            )
            high = (counts + 1) * (
                1 - 1 / (9 * (counts + 1)) + 1.96 / (3 * np.sqrt(counts + 1))
            ) ** 3
            for position, year in enumerate(years):
                rows.append(
                    {
                        "indicator_id": indicator,
                        "indicator_name": name,
                        "area_code": authority.code,
                        "area_name": authority.name,
                        "area_type": "Counties & UAs",
                        "sex": "Persons",
                        "age": age,
                        "time_period": financial_year_label(int(year)),
                        "value": round(float(rate[position]), 2),
                        "lower_ci_95": round(float(low[position]) / people * 100_000, 2),
                        "upper_ci_95": round(float(high[position]) / people * 100_000, 2),
                        "count": float(counts[position]),
                        "denominator": float(people),
                    }
                )
    gap = (dorset_with - dorset_without) / dorset_people
    truth["sc_admissions_gap_per_100k"] = float(np.mean(gap[after]))
    truth["its_admissions_rate_ratio"] = params["knife_rate_ratio"]
    return pd.DataFrame(rows), truth


def _street(
    rng: np.random.Generator,
    hostile: np.random.Generator,
    n_lsoas: int,
    params: dict[str, float],
    world: str,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    months = pd.date_range(STREET_FIRST_MONTH, STREET_LAST_MONTH, freq="MS")
    years = months.year.to_numpy()
    year_values = np.unique(years)
    population = np.clip(rng.normal(1600, 250, size=n_lsoas), 900, None).astype(int)
    stable = np.exp(rng.normal(0.0, 0.85, size=n_lsoas))
    shape = params["hotspot_transience_shape"]
    transient = rng.gamma(shape, 1 / shape, size=(n_lsoas, len(year_values)))
    if world == "regression_to_the_mean":
        transient = transient * hostile.gamma(RTM_EXTRA_SHAPE, 1 / RTM_EXTRA_SHAPE,
                                               size=transient.shape)  # fmt: skip
    season = 1 + 0.12 * np.sin(2 * np.pi * (months.month.to_numpy() - 4) / 12)
    after = months >= DUTY_START
    county = np.where(after, params["violence_with_injury_rate_ratio"], 1.0)
    if world == "national_trend":
        county = county * np.where(after, NATIONAL_CHANGE, 1.0)
    if world == "recording_change":
        county = county * np.where(months >= RECORDING_CHANGE_START, 1 + RECORDING_UPLIFT, 1.0)
    year_column = np.searchsorted(year_values, years)
    base = 1.7 * population[:, None] / 1000 * stable[:, None] * transient[:, year_column]
    expected = base * (season * county)[None, :]
    # Hot spots are chosen on the selection year's recorded violence, as the design chooses.
    selection = years == HOTSPOT_SELECTION_YEAR
    selection_counts = rng.poisson(expected[:, selection])
    violence = np.empty_like(expected, dtype=np.int64)
    violence[:, selection] = selection_counts
    n_hot = max(int(round(HOTSPOT_SHARE * n_lsoas)), 1)
    hot = np.zeros(n_lsoas, dtype=bool)
    hot[np.argsort(-selection_counts.sum(axis=1), kind="stable")[:n_hot]] = True
    expected[np.ix_(hot, after)] *= params["hotspot_rate_ratio"]
    # Months before and after the Duty from their own streams, so that a world changing
    # only the later months leaves the earlier counts as they were.
    earlier, later = rng.spawn(2)
    for draw, months_drawn in ((earlier, ~selection & ~after), (later, after)):
        violence[:, months_drawn] = draw.poisson(expected[:, months_drawn])
    weapons = rng.poisson(0.035 * base * season[None, :])
    codes = [f"E0190{i:04d}" for i in range(n_lsoas)]
    names = [f"{('Dorset', 'Bournemouth')[i % 2]} {i // 2 + 1:03d}A" for i in range(n_lsoas)]
    frames = []
    for crime_type, counts in ((VIOLENCE_CRIME_TYPE, violence), (WEAPONS_CRIME_TYPE, weapons)):
        area_index, month_index = np.nonzero(counts)
        repeats = counts[area_index, month_index]
        area_rows = np.repeat(area_index, repeats)
        month_rows = np.repeat(month_index, repeats)
        frames.append(
            pd.DataFrame(
                {
                    "month": months[month_rows],
                    "lsoa_index": area_rows,
                    "crime_type": crime_type,
                }
            )
        )
    crimes = pd.concat(frames, ignore_index=True)
    # About one crime in a hundred cannot be located: no LSOA, as police.uk publishes it.
    located = rng.random(len(crimes)) > 0.01
    crimes["lsoa_code"] = np.where(located, np.array(codes)[crimes["lsoa_index"]], None)
    crimes["lsoa_name"] = np.where(located, np.array(names)[crimes["lsoa_index"]], None)
    crimes["crime_id"] = fixed_width_ids(rng.permutation(len(crimes)) + 7_340_000, 16, base=16)
    crimes["falls_within"] = "Dorset Police"
    crimes = crimes.sort_values(["month", "crime_type"], kind="stable")[
        ["crime_id", "month", "falls_within", "lsoa_code", "lsoa_name", "crime_type"]
    ].reset_index(drop=True)
    la = np.where(np.arange(n_lsoas) % 2 == 0, DORSET_AUTHORITIES[0][1], DORSET_AUTHORITIES[1][1])
    lsoas = pd.DataFrame(
        {"lsoa_code": codes, "lsoa_name": names, "local_authority": la, "population": population}
    )
    return crimes, lsoas, {"hotspot_rate_ratio": params["hotspot_rate_ratio"]}


def _ed(
    rng: np.random.Generator, params: dict[str, float], world: str
) -> tuple[pd.DataFrame, dict]:
    months = pd.date_range("2021-01-01", STREET_LAST_MONTH, freq="MS")
    after = months >= DUTY_START
    season = 1 + 0.1 * np.sin(2 * np.pi * (months.month.to_numpy() - 4) / 12)
    change = np.where(after, params["violence_with_injury_rate_ratio"], 1.0)
    if world == "national_trend":
        change = change * np.where(after, NATIONAL_CHANGE, 1.0)
    rows = []
    for site, level in zip(ED_SITES, (62.0, 48.0, 30.0), strict=True):
        counts = rng.poisson(level * season * change)
        rows.append(pd.DataFrame({"month": months, "site": site, "assault_attendances": counts}))
    frame = pd.concat(rows, ignore_index=True)
    if params["ed_shared"] < 0.5:
        frame = frame.iloc[0:0]
    return frame, {"its_ed_rate_ratio": params["violence_with_injury_rate_ratio"]}


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate Dorset's and the comparison areas' serious violence data, effects planted.

    Parameters
    ----------
    seed : int
        Random seed; the same seed, scale and world give identical tables.
    scale : float
        Multiplies the number of Dorset's small areas (480 at 1); the forces and local
        authorities are the same at every scale.
    world : str
        One of :data:`WORLDS`.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        The six contract tables and ``truth`` (:data:`TRUTH_DEFINITIONS`).

    Examples
    --------
    >>> synth = generate(seed=1, scale=0.2)
    >>> sorted(synth.tables)[:3], round(synth.truth["its_knife_rate_ratio"], 2)
    (['comparison_areas', 'ed_attendances', 'hospital_admissions'], 0.88)
    """
    world = check_world("serious_violence", world, WORLDS)
    params = _check_effects(effects)
    # One stream per table: a world that changes one table's counts (their draws by
    # rejection use more or fewer numbers) leaves the other tables' bytes alone.
    areas_rng, crime_rng, admissions_rng, street_rng, ed_rng = np.random.default_rng(seed).spawn(5)
    hostile = world_rng(seed, world)
    forces, authorities = _areas(areas_rng)
    recorded, truth = _recorded_crime(crime_rng, forces, params, world)
    admissions, admission_truth = _admissions(admissions_rng, authorities, params, world)
    n_lsoas = max(int(round(LSOAS_PER_SCALE * scale)), 40)
    street, lsoas, street_truth = _street(street_rng, hostile, n_lsoas, params, world)
    ed, ed_truth = _ed(ed_rng, params, world)
    comparison = pd.concat(
        [
            pd.DataFrame(
                {
                    "area_type": "force",
                    "area_code": forces["force"],
                    "area_name": forces["force"],
                    "force_name": forces["force"],
                    "has_vru": forces["has_vru"],
                    "population": forces["population"],
                }
            ),
            pd.DataFrame(
                {
                    "area_type": "local authority",
                    "area_code": authorities["code"],
                    "area_name": authorities["name"],
                    "force_name": authorities["force"],
                    "has_vru": authorities["has_vru"],
                    "population": authorities["population"],
                }
            ),
        ],
        ignore_index=True,
    )
    return SyntheticData(
        programme="serious_violence",
        tables={
            "street_crimes": street,
            "recorded_crime": recorded,
            "hospital_admissions": admissions,
            "ed_attendances": ed,
            "comparison_areas": comparison,
            "lsoas": lsoas,
        },
        truth={
            **truth,
            **admission_truth,
            **street_truth,
            **ed_truth,
            "placebo_knife_gap_per_100k": 0.0,
            "comparison_knife_rate_ratio": NATIONAL_CHANGE if world == "national_trend" else 1.0,
            "recording_ratio": 1 + RECORDING_UPLIFT if world == "recording_change" else 1.0,
        },
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, **params}
        | ({} if world == FRIENDLY else {"world": world}),
    )
