"""Synthetic Operation Viper and Operation Scorpion extract, with planted effects.

The world the generator draws (one seed gives the same bytes):

- Dorset's 480 LSOAs in 48 neighbourhoods (six in each of the eight policing areas), each
  neighbourhood a cluster of ten LSOA centroids about 5 km from the next, so that the
  LSOAs within a couple of kilometres of a neighbourhood lie in its neighbours.
- Recorded crime by LSOA and week for the police.uk categories the evaluation uses, at
  about Dorset's monthly volumes: each category follows a national factor shared with
  twenty comparison forces (a trend and small monthly shocks), its own seasonality and
  a fixed share per LSOA. Counts are Poisson given those means. The force's dated extract
  (``crimes``) is drawn from them; police.uk's monthly counts (``street_counts`` for
  Dorset, ``force_counts`` for the comparison forces) are the same crimes counted by month.
- **Operation Viper** starts on :data:`VIPER_START` across the force. From then on,
  violence and sexual offences change by ``viper_violence_effect`` and acquisitive crime by
  ``viper_acquisitive_effect`` (proportional changes); drug offences rise by
  ``viper_drug_activity`` and possession of weapons by ``viper_weapons_activity``, because
  enforcement finds them (activity, not outcomes). The comparison forces have no Viper.
- **Operation Scorpion** runs :data:`SURGE_WEEKS` (one-week regional surges). Each round
  targets three neighbourhoods, chosen at random. In the surge week and the
  ``scorpion_effect_weeks - 1`` weeks after, harms (violence and acquisitive crime) in
  the targeted neighbourhoods change by ``scorpion_harm_effect``; in the surge week drug
  offences there multiply by ``1 + scorpion_drug_activity`` and weapons possession by
  ``1 + scorpion_weapons_activity``.
- The operations log records each Viper and Scorpion activity and what it produced
  (warrants, arrests, charges, seizures, cash, weapons, county lines closed by type,
  safeguarding and National Referral Mechanism referrals).

Truth (``SyntheticData.truth``) holds the exact value, in the generating process, of
each estimand the report shows (:data:`TRUTH_DEFINITIONS`), computed from the expected
counts for the windows the configuration uses (:data:`PRE_WEEKS`,
:data:`SELECTION_WEEKS`, :data:`POST_WEEKS`, :data:`BUFFER_KM`).

That is the *friendly* world. The hostile worlds (:data:`WORLDS`) break one design's key
assumption each; their extra randomness comes from
:func:`analysis.synthetic._worlds.world_rng`, so the friendly world's bytes never move.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.codes import AREAS
from ..data.contracts.drug_supply import ACQUISITIVE, VIOLENCE
from ..errors import ConfigError
from . import SyntheticData
from ._ids import fixed_width_ids
from ._worlds import FRIENDLY, check_world, world_rng

#: First and last day of recorded crime in the extract.
FIRST_DAY = pd.Timestamp("2022-01-01")
LAST_DAY = pd.Timestamp("2025-12-31")

#: Date the synthetic extract is taken.
EXTRACT_DATE = pd.Timestamp("2026-01-31")

#: Operation Viper's start across the force.
VIPER_START = pd.Timestamp("2024-04-01")

#: Monday of each Scorpion surge week ("Scorpion 1" to "Scorpion 8").
SURGE_WEEKS = tuple(
    pd.Timestamp(day)
    for day in (
        "2022-05-09",
        "2022-10-10",
        "2023-03-13",
        "2023-09-11",
        "2024-09-09",
        "2025-02-10",
        "2025-06-09",
        "2025-10-06",
    )
)

#: Neighbourhoods each Scorpion round targets.
TARGETS_PER_ROUND = 3

#: The windows the truths are computed for (the configuration's defaults): weeks before
#: a surge in the comparison, the most recent of them left out as the selection window,
#: weeks from the surge week on, and the buffer ring's radius.
PRE_WEEKS = 12
SELECTION_WEEKS = 4
POST_WEEKS = 6
BUFFER_KM = 2.0

#: Neighbourhoods per policing area and LSOAs per neighbourhood.
NEIGHBOURHOODS_PER_AREA = 6
LSOAS_PER_NEIGHBOURHOOD = 10

#: Dorset's expected crimes a month by police.uk category, at scale 1 (about the force's
#: recent volumes for the categories the evaluation uses).
MONTHLY_CRIMES: dict[str, float] = {
    VIOLENCE: 1900.0,
    "Burglary": 250.0,
    "Vehicle crime": 260.0,
    "Shoplifting": 420.0,
    "Other theft": 480.0,
    "Theft from the person": 40.0,
    "Bicycle theft": 80.0,
    "Robbery": 30.0,
    "Criminal damage and arson": 700.0,
    "Drugs": 120.0,
    "Possession of weapons": 45.0,
}

#: Month of the seasonal peak and its amplitude (proportion) by category.
SEASON: dict[str, tuple[int, float]] = {
    VIOLENCE: (7, 0.10),
    "Burglary": (12, 0.10),
    "Vehicle crime": (11, 0.08),
    "Shoplifting": (12, 0.08),
    "Other theft": (8, 0.10),
    "Theft from the person": (12, 0.10),
    "Bicycle theft": (7, 0.25),
    "Robbery": (12, 0.08),
    "Criminal damage and arson": (10, 0.06),
    "Drugs": (7, 0.08),
    "Possession of weapons": (7, 0.08),
}

#: Comparison forces (police.uk "Falls within") and their size against Dorset.
COMPARISON_FORCES: dict[str, float] = {
    "Avon and Somerset Constabulary": 2.6,
    "Devon & Cornwall Police": 2.4,
    "Gloucestershire Constabulary": 0.9,
    "Wiltshire Police": 0.9,
    "Hampshire Constabulary": 2.9,
    "Thames Valley Police": 3.2,
    "Sussex Police": 2.3,
    "Surrey Police": 1.4,
    "Norfolk Constabulary": 1.3,
    "Suffolk Constabulary": 1.0,
    "Cambridgeshire Constabulary": 1.3,
    "Warwickshire Police": 0.7,
    "West Mercia Police": 1.7,
    "Dyfed-Powys Police": 0.7,
    "North Wales Police": 1.0,
    "Cumbria Constabulary": 0.7,
    "Lincolnshire Police": 1.0,
    "Northamptonshire Police": 1.1,
    "Staffordshire Police": 1.6,
    "Derbyshire Constabulary": 1.5,
}

#: Harms: what Scorpion aims to reduce.
HARM_TYPES = (VIOLENCE, *ACQUISITIVE)

#: Planted effects and behaviours; any can be overridden in ``generate(**effects)``.
DEFAULT_EFFECTS: dict[str, float] = {
    # Proportional changes across Dorset from Viper's start.
    "viper_violence_effect": -0.06,
    "viper_acquisitive_effect": -0.05,
    # Enforcement finds more drug and weapons offences: activity, not outcomes.
    "viper_drug_activity": 0.25,
    "viper_weapons_activity": 0.15,
    # Proportional change in harms in Scorpion's targeted neighbourhoods, and for how many
    # weeks from the surge week on.
    "scorpion_harm_effect": -0.20,
    "scorpion_effect_weeks": 6.0,
    # Proportional rise in drug and weapons offences in the surge week where it runs.
    "scorpion_drug_activity": 3.0,
    "scorpion_weapons_activity": 1.0,
    # Share of the harms prevented in the targeted areas that move to the buffer ring
    # (0: none; the displacement world sets it).
    "displacement_share": 0.0,
}

#: What each truth key is, exactly.
TRUTH_DEFINITIONS: dict[str, str] = {
    "scorpion_harm_att": (
        "average over targeted neighbourhood-weeks (surge week and the POST_WEEKS - 1 after) "
        "of the expected harms (violence and sexual offences plus acquisitive crime) with the "
        "surge minus without it"
    ),
    "scorpion_drug_att": (
        "as scorpion_harm_att, for drug offences (activity: enforcement finds them)"
    ),
    "viper_violence_rate_ratio": (
        "expected Dorset violence and sexual offences a month from Viper's start, with Viper "
        "over without it"
    ),
    "viper_acquisitive_rate_ratio": "as viper_violence_rate_ratio, for acquisitive crime",
    "viper_weapons_rate_ratio": "as viper_violence_rate_ratio, for possession of weapons",
    "viper_drugs_rate_ratio": "as viper_violence_rate_ratio, for drug offences",
    "viper_negative_control_rate_ratio": (
        "as viper_violence_rate_ratio, for criminal damage and arson, which Viper does not "
        "change: 1"
    ),
    "weighted_displacement_quotient": (
        "Bowers and Johnson's weighted displacement quotient of the expected harms, pooled "
        "over the Scorpion rounds: target = the targeted neighbourhoods, buffer = other "
        "LSOAs within BUFFER_KM of a targeted LSOA centroid, control = LSOAs beyond "
        "2 x BUFFER_KM outside neighbourhoods targeted that round; before = weeks "
        "-PRE_WEEKS to -SELECTION_WEEKS - 1, after = weeks 0 to POST_WEEKS - 1"
    ),
}

#: The named worlds, the friendly one first.
WORLDS: dict[str, str] = {
    FRIENDLY: (
        "Scorpion's targets are chosen at random, no harm moves to neighbouring areas, "
        "nothing but Viper changes Dorset's recorded crime at its start."
    ),
    "regression_to_mean": (
        "Scorpion's targets are the neighbourhoods whose harms spiked in the four weeks "
        "before each round (the spike passes whatever the surge does): a before/after "
        "comparison that keeps those weeks credits the surge with the fall back."
    ),
    "force_shock": (
        "A force-wide recording change at Viper's start raises every Dorset crime category "
        "by 15%: a comparison with other forces reads it as Viper's effect unless a "
        "negative-control category shows it."
    ),
    "displacement": (
        "Half the harms the surge prevents move into the LSOAs within the buffer ring, "
        "which lie in neighbouring neighbourhoods: untargeted neighbours make contaminated "
        "controls."
    ),
}

#: Spike in targeted neighbourhoods' harms over the selection window (regression to mean).
RTM_SPIKE = 0.5
#: Rise in every Dorset category from Viper's start (force-wide shock).
FORCE_SHOCK = 0.15
#: Displacement share in the displacement world.
DISPLACEMENT_SHARE = 0.5


def _check_effects(effects: dict[str, Any]) -> dict[str, float]:
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown drug_supply effect(s) {unknown}; known: {', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    params = {**DEFAULT_EFFECTS, **{name: float(value) for name, value in effects.items()}}
    for name, value in params.items():
        if name.endswith(("_effect", "_activity")) and value <= -1:
            raise ConfigError(f"drug_supply effect {name}={value} must be above -1")
    if not 1 <= params["scorpion_effect_weeks"] <= 12:
        raise ConfigError("scorpion_effect_weeks must be from 1 to 12")
    return params


def draw_lsoas(rng: np.random.Generator) -> pd.DataFrame:
    """The force's LSOAs: codes, names, neighbourhoods and centroids (km and degrees)."""
    rows = []
    code = 20400
    columns = 8
    for a, area in enumerate(AREAS):
        for n in range(NEIGHBOURHOODS_PER_AREA):
            index = a * NEIGHBOURHOODS_PER_AREA + n
            centre = np.array([index % columns, index // columns], dtype=float) * 5.0
            for k in range(LSOAS_PER_NEIGHBOURHOOD):
                x, y = centre + rng.normal(scale=1.2, size=2)
                code += 1
                rows.append(
                    {
                        "lsoa_code": f"E01{code:06d}",
                        "lsoa_name": f"{area} {index + 1:03d}{chr(65 + k)}",
                        "neighbourhood": f"{area} {n + 1}",
                        "x_km": x,
                        "y_km": y,
                    }
                )
    frame = pd.DataFrame(rows)
    frame["latitude"] = 50.60 + frame["y_km"] / 111.2
    frame["longitude"] = -2.80 + frame["x_km"] / (111.2 * np.cos(np.radians(50.7)))
    return frame


def _weeks() -> pd.DatetimeIndex:
    first_monday = FIRST_DAY - pd.Timedelta(days=FIRST_DAY.weekday())
    return pd.date_range(first_monday, LAST_DAY, freq="7D")


def _season(months: np.ndarray, crime_type: str) -> np.ndarray:
    peak, amplitude = SEASON[crime_type]
    return 1 + amplitude * np.cos(2 * np.pi * (months - peak) / 12)


def _national_factor(rng: np.random.Generator, months: int) -> np.ndarray:
    """Log national factor by month: a gentle trend and small shocks, shared by forces."""
    trend = rng.normal(0.0, 0.02) * np.arange(months) / 12
    return trend + rng.normal(scale=0.015, size=months)


def distances_km(lsoas: pd.DataFrame) -> np.ndarray:
    """Matrix of distances between LSOA centroids, kilometres (equirectangular)."""
    lat = np.radians(lsoas["latitude"].to_numpy())
    lon = np.radians(lsoas["longitude"].to_numpy())
    mean_lat = lat.mean()
    x = 6371.0 * lon * np.cos(mean_lat)
    y = 6371.0 * lat
    return np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate a synthetic Viper and Scorpion extract with planted effects.

    Parameters
    ----------
    seed : int
        Random seed; the same seed, scale and world give identical tables.
    scale : float
        Crime volume multiplier: Dorset's volumes at 1 (the geography does not change).
    world : str
        Named world (:data:`WORLDS`).
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        Tables ``lsoas``, ``operations``, ``crimes``, ``street_counts`` and
        ``force_counts``; ``truth`` keyed as in :data:`TRUTH_DEFINITIONS`.

    Examples
    --------
    >>> synth = generate(seed=1, scale=0.2)
    >>> sorted(synth.tables)
    ['crimes', 'force_counts', 'lsoas', 'operations', 'street_counts']
    >>> round(synth.truth["viper_violence_rate_ratio"], 2)
    0.94
    """
    check_world("drug_supply", world, WORLDS)
    params = _check_effects(effects)
    if not scale > 0:
        raise ConfigError(f"drug_supply scale must be positive, not {scale!r}")
    if world == "displacement" and "displacement_share" not in effects:
        params["displacement_share"] = DISPLACEMENT_SHARE
    rng = np.random.default_rng(seed)
    hostile = world_rng(seed, world)
    lsoas = draw_lsoas(rng)
    n_lsoa = len(lsoas)
    share = rng.gamma(4.0, size=n_lsoa)
    share /= share.sum()
    weeks = _weeks()
    # A week belongs to the month of its Thursday (as ISO weeks belong to years).
    week_month = (weeks + pd.Timedelta(days=3)).to_period("M")
    months = pd.period_range(FIRST_DAY, LAST_DAY, freq="M")
    month_index = np.searchsorted(months.start_time, week_month.start_time)
    month_index = np.clip(month_index, 0, len(months) - 1)
    moy = np.array([p.month for p in week_month])
    viper_on = np.asarray(weeks + pd.Timedelta(days=3) >= VIPER_START)
    neighbourhoods = lsoas["neighbourhood"].to_numpy()
    names = pd.unique(neighbourhoods)
    distance = distances_km(lsoas)

    # ---- Scorpion rounds: targets, then week-by-LSOA multipliers
    targets: list[np.ndarray] = []
    for _round in SURGE_WEEKS:
        if world == "regression_to_mean":
            chosen = hostile.choice(names, size=TARGETS_PER_ROUND, replace=False)
        else:
            chosen = rng.choice(names, size=TARGETS_PER_ROUND, replace=False)
        targets.append(np.sort(chosen))
    effect_weeks = int(params["scorpion_effect_weeks"])
    harm_multiplier = np.ones((len(weeks), n_lsoa))
    drug_multiplier = np.ones((len(weeks), n_lsoa))
    weapon_multiplier = np.ones((len(weeks), n_lsoa))
    spike = np.ones((len(weeks), n_lsoa))
    buffers: list[np.ndarray] = []
    for surge, chosen in zip(SURGE_WEEKS, targets, strict=True):
        w0 = int(np.searchsorted(weeks, surge))
        in_target = np.isin(neighbourhoods, chosen)
        near = (distance[:, in_target] <= BUFFER_KM).any(axis=1) & ~in_target
        buffers.append(near)
        window = slice(w0, w0 + effect_weeks)
        harm_multiplier[window, in_target] *= 1 + params["scorpion_harm_effect"]
        drug_multiplier[w0, in_target] *= 1 + params["scorpion_drug_activity"]
        weapon_multiplier[w0, in_target] *= 1 + params["scorpion_weapons_activity"]
        if world == "regression_to_mean":
            spike[w0 - SELECTION_WEEKS : w0, in_target] *= 1 + RTM_SPIKE
    # ---- expected weekly counts by category (weeks x LSOAs)
    expected: dict[str, np.ndarray] = {}
    national: dict[str, np.ndarray] = {}
    counterfactual_harms = np.zeros((len(weeks), n_lsoa))
    for crime_type, monthly in MONTHLY_CRIMES.items():
        monthly_factor = np.exp(_national_factor(rng, len(months)))
        factor = monthly_factor[month_index]
        base = monthly * scale * 12 / 52 * factor * _season(moy, crime_type)
        if crime_type == VIOLENCE:
            base = base * np.where(viper_on, 1 + params["viper_violence_effect"], 1.0)
        elif crime_type in ACQUISITIVE:
            base = base * np.where(viper_on, 1 + params["viper_acquisitive_effect"], 1.0)
        elif crime_type == "Drugs":
            base = base * np.where(viper_on, 1 + params["viper_drug_activity"], 1.0)
        elif crime_type == "Possession of weapons":
            base = base * np.where(viper_on, 1 + params["viper_weapons_activity"], 1.0)
        if world == "force_shock":
            base = base * np.where(viper_on, 1 + FORCE_SHOCK, 1.0)
        mean = base[:, None] * share[None, :]
        if crime_type in HARM_TYPES:
            mean = mean * spike
            counterfactual_harms += mean
            mean = mean * harm_multiplier
        elif crime_type == "Drugs":
            mean = mean * drug_multiplier
        elif crime_type == "Possession of weapons":
            mean = mean * weapon_multiplier
        expected[crime_type] = mean
        national[crime_type] = monthly_factor
    harms_with = sum(expected[k] for k in HARM_TYPES)
    if params["displacement_share"]:
        # The prevented harms of each round move, in the same weeks, to its buffer ring,
        # spread over the ring's LSOAs by their usual share of crime.
        prevented = (counterfactual_harms - harms_with).clip(min=0)
        displaced = np.zeros_like(prevented)
        for surge, near, chosen in zip(SURGE_WEEKS, buffers, targets, strict=True):
            w0 = int(np.searchsorted(weeks, surge))
            window = slice(w0, w0 + effect_weeks)
            moved = prevented[window][:, np.isin(neighbourhoods, chosen)].sum(axis=1)
            ring = share * near / (share * near).sum()
            displaced[window] += params["displacement_share"] * moved[:, None] * ring[None, :]
        for crime_type in HARM_TYPES:
            expected[crime_type] = expected[crime_type] * (1 + displaced / harms_with)
        harms_with = sum(expected[k] for k in HARM_TYPES)

    # ---- draw crimes, then count them as police.uk does
    crimes = _draw_crimes(rng, expected, weeks, lsoas)
    street_counts = (
        crimes.assign(month=crimes["recorded_date"].dt.to_period("M").dt.start_time)
        .groupby(["lsoa_code", "month", "crime_type"], observed=True)
        .size()
        .rename("crimes")
        .reset_index()
    )
    force_counts = _comparison_forces(rng, national, months, scale)
    operations = _operations_log(rng, lsoas, targets, share)
    truth = _truths(
        expected,
        counterfactual_harms,
        harms_with,
        drug_multiplier,
        weeks,
        targets,
        neighbourhoods,
        distance,
        params,
    )
    lsoa_table = lsoas[["lsoa_code", "lsoa_name", "neighbourhood", "latitude", "longitude"]]
    return SyntheticData(
        programme="drug_supply",
        tables={
            "lsoas": lsoa_table,
            "operations": operations,
            "crimes": crimes,
            "street_counts": street_counts,
            "force_counts": force_counts,
        },
        truth=truth,
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, "world": world, **params},
    )


def _draw_crimes(
    rng: np.random.Generator,
    expected: dict[str, np.ndarray],
    weeks: pd.DatetimeIndex,
    lsoas: pd.DataFrame,
) -> pd.DataFrame:
    """One row per crime: Poisson counts per LSOA-week, each on a random day of its week."""
    from ..data.contracts.drug_supply import POLICE_UK_CRIME_TYPES

    parts = []
    codes = lsoas["lsoa_code"].to_numpy()
    for crime_type in MONTHLY_CRIMES:
        counts = rng.poisson(expected[crime_type])
        week_index, lsoa_index = np.nonzero(counts)
        repeats = counts[week_index, lsoa_index]
        week_index = np.repeat(week_index, repeats)
        lsoa_index = np.repeat(lsoa_index, repeats)
        days = rng.integers(0, 7, size=len(week_index))
        parts.append(
            pd.DataFrame(
                {
                    "recorded_date": weeks.to_numpy()[week_index]
                    + pd.to_timedelta(days, unit="D").to_numpy(),
                    "lsoa_code": codes[lsoa_index],
                    "crime_type": crime_type,
                }
            )
        )
    crimes = pd.concat(parts, ignore_index=True)
    crimes = crimes[crimes["recorded_date"].between(FIRST_DAY, LAST_DAY)]
    crimes = crimes.sort_values(["recorded_date", "lsoa_code"], kind="stable").reset_index(
        drop=True
    )
    crimes["crime_type"] = pd.Categorical(crimes["crime_type"], categories=POLICE_UK_CRIME_TYPES)
    crimes.insert(0, "crime_ref", fixed_width_ids(np.arange(1, len(crimes) + 1), 7, prefix="CR"))
    return crimes


def _comparison_forces(
    rng: np.random.Generator,
    national: dict[str, np.ndarray],
    months: pd.PeriodIndex,
    scale: float,
) -> pd.DataFrame:
    """Comparison forces' monthly counts: the national factor, their own loading, no Viper."""
    from ..data.contracts.drug_supply import POLICE_UK_CRIME_TYPES

    moy = np.array([p.month for p in months])
    years = np.arange(len(months)) / 12
    # Months differ in length: Dorset's monthly counts (summed from days) carry it, so
    # the comparison forces' must too.
    days = np.asarray(months.days_in_month, dtype=float) / (365.25 / 12)
    counts = []
    for size in COMPARISON_FORCES.values():
        loading = rng.uniform(0.7, 1.3)
        drift = rng.normal(0.0, 0.01)
        for crime_type, monthly in MONTHLY_CRIMES.items():
            level = size * rng.uniform(0.8, 1.25)
            mean = (
                monthly
                * scale
                * level
                * np.exp(loading * np.log(national[crime_type]) + drift * years)
                * _season(moy, crime_type)
                * days
            )
            counts.append(rng.poisson(mean))
    # Built whole, forces one after another and crime types within each (a frame per force
    # and crime type was most of the generator's time).
    frame = pd.DataFrame(
        {
            "falls_within": np.repeat(list(COMPARISON_FORCES), len(MONTHLY_CRIMES) * len(months)),
            "month": np.tile(months.start_time, len(COMPARISON_FORCES) * len(MONTHLY_CRIMES)),
            "crime_type": np.tile(
                np.repeat(list(MONTHLY_CRIMES), len(months)), len(COMPARISON_FORCES)
            ),
            "crimes": np.concatenate(counts),
        }
    )
    frame["crime_type"] = pd.Categorical(frame["crime_type"], categories=POLICE_UK_CRIME_TYPES)
    return frame


def _operations_log(
    rng: np.random.Generator,
    lsoas: pd.DataFrame,
    targets: list[np.ndarray],
    share: np.ndarray,
) -> pd.DataFrame:
    """The operations log: Scorpion's surge-week activities, then Viper's from its start."""
    plans: list[tuple[str, str, pd.Timestamp, int]] = []
    for round_number, (surge, chosen) in enumerate(zip(SURGE_WEEKS, targets, strict=True), 1):
        for neighbourhood in chosen:
            members = np.flatnonzero(lsoas["neighbourhood"].to_numpy() == neighbourhood)
            weights = share[members] / share[members].sum()
            for _ in range(int(rng.integers(2, 5))):
                day = surge + pd.Timedelta(days=int(rng.integers(0, 5)))
                plans.append(
                    ("Scorpion", f"Scorpion {round_number}", day, rng.choice(members, p=weights))
                )
    viper_months = pd.date_range(VIPER_START, LAST_DAY, freq="MS")
    for month in viper_months:
        year = month.year if month.month >= 4 else month.year - 1
        for _ in range(int(rng.poisson(25))):
            day = month + pd.Timedelta(days=int(rng.integers(0, month.days_in_month)))
            plans.append(
                (
                    "Viper",
                    f"Viper {year}/{(year + 1) % 100:02d}",
                    day,
                    rng.choice(len(lsoas), p=share),
                )
            )
    n = len(plans)
    arrests = rng.poisson(1.4, size=n)
    weapons = rng.poisson(0.3, size=n)

    def weight(probability: float, mean: float) -> np.ndarray:
        return np.where(rng.random(n) < probability, np.round(rng.gamma(1.0, mean, size=n), 3), 0.0)

    scorpion = np.array([p[0] == "Scorpion" for p in plans])
    log = pd.DataFrame(
        {
            "operation": [p[0] for p in plans],
            "phase": [p[1] for p in plans],
            "start_date": [p[2] for p in plans],
            "lsoa_code": lsoas["lsoa_code"].to_numpy()[[p[3] for p in plans]],
            "neighbourhood": lsoas["neighbourhood"].to_numpy()[[p[3] for p in plans]],
            "warrants": np.where(scorpion, 1, 0) + rng.poisson(0.6, size=n),
            "arrests": arrests,
            "charges": rng.binomial(arrests, 0.55),
            "cannabis_plants": np.where(rng.random(n) < 0.12, rng.poisson(250, size=n), 0),
            "weapons": weapons,
            "firearms": rng.binomial(weapons, 0.1),
            "lines_closed_holder_charged": rng.poisson(0.08, size=n),
            "lines_closed_phone_deactivated": rng.poisson(0.06, size=n),
            "safeguarding_referrals": rng.poisson(0.4, size=n),
            "nrm_referrals": rng.poisson(0.15, size=n),
            "cocaine_kg": weight(0.3, 0.05),
            "heroin_kg": weight(0.15, 0.04),
            "cannabis_kg": weight(0.35, 0.3),
            "other_drugs_kg": weight(0.1, 0.02),
            "cash_gbp": np.where(
                rng.random(n) < 0.4, np.round(rng.lognormal(7.5, 1.0, size=n), -1), 0.0
            ),
        }
    )
    log.insert(4, "end_date", log["start_date"] + pd.to_timedelta(rng.integers(0, 2, size=n), "D"))
    log["end_date"] = log["end_date"].clip(upper=LAST_DAY)
    log = log.sort_values("start_date", kind="stable").reset_index(drop=True)
    log.insert(0, "activity_id", [f"OPS{i:06d}" for i in range(1, n + 1)])
    return log


def _window_sum(values: np.ndarray, rows: slice, columns: np.ndarray) -> float:
    return float(values[rows][:, columns].sum())


def _truths(
    expected: dict[str, np.ndarray],
    counterfactual_harms: np.ndarray,
    harms_with: np.ndarray,
    drug_multiplier: np.ndarray,
    weeks: pd.DatetimeIndex,
    targets: list[np.ndarray],
    neighbourhoods: np.ndarray,
    distance: np.ndarray,
    params: dict[str, float],
) -> dict[str, float]:
    """Each estimand's exact value in the generating process (:data:`TRUTH_DEFINITIONS`)."""
    harm_effects, drug_effects = [], []
    drugs = expected["Drugs"]
    drugs_without = drugs / drug_multiplier
    totals = np.zeros((3, 2))  # target, buffer, control x before, after
    for surge, chosen in zip(SURGE_WEEKS, targets, strict=True):
        w0 = int(np.searchsorted(weeks, surge))
        after = slice(w0, w0 + POST_WEEKS)
        before = slice(w0 - PRE_WEEKS, w0 - SELECTION_WEEKS)
        for neighbourhood in chosen:
            members = neighbourhoods == neighbourhood
            harm_effects.extend(
                (harms_with[after][:, members] - counterfactual_harms[after][:, members]).sum(
                    axis=1
                )
            )
            drug_effects.extend(
                (drugs[after][:, members] - drugs_without[after][:, members]).sum(axis=1)
            )
        in_target = np.isin(neighbourhoods, chosen)
        nearest = distance[:, in_target].min(axis=1)
        buffer = (nearest <= BUFFER_KM) & ~in_target
        control = (nearest > 2 * BUFFER_KM) & ~in_target
        for row, members in enumerate((in_target, buffer, control)):
            totals[row, 0] += _window_sum(harms_with, before, members)
            totals[row, 1] += _window_sum(harms_with, after, members)
    (r0, r1), (d0, d1), (c0, c1) = totals
    success = r1 / c1 - r0 / c0
    wdq = (d1 / c1 - d0 / c0) / success if success else float("nan")
    return {
        "scorpion_harm_att": float(np.mean(harm_effects)),
        "scorpion_drug_att": float(np.mean(drug_effects)),
        "viper_violence_rate_ratio": 1 + params["viper_violence_effect"],
        "viper_acquisitive_rate_ratio": 1 + params["viper_acquisitive_effect"],
        "viper_weapons_rate_ratio": 1 + params["viper_weapons_activity"],
        "viper_drugs_rate_ratio": 1 + params["viper_drug_activity"],
        "viper_negative_control_rate_ratio": 1.0,
        "weighted_displacement_quotient": float(wdq),
    }
