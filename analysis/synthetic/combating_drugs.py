"""Synthetic Combating Drugs Partnership indicators and offending, with planted effects.

The world, in the order the generator builds it:

- **Areas.** Dorset's two upper-tier authorities (Bournemouth, Christchurch and Poole;
  Dorset), 15 comparable authorities and 150 other authorities in England, each with an
  adult and an under-18 population growing slowly, and its own level and log-linear trend
  for every indicator. Area-year variation beyond Poisson (a lognormal factor) makes the
  counts overdispersed, as published series are.
- **Indicators** by financial year 2013/14 to 2024/25 (drug deaths by calendar year, published
  pooled over three years, ``"2013 - 15"`` to ``"2022 - 24"``), in the tidy Fingertips layout
  with exact Poisson (counts) or Wilson (proportions) 95% limits.
- **Planted effects of the new funding** (from ``FUNDING_START``, April 2022) in Dorset's two
  authorities only: adults in structured treatment multiplied by
  ``treatment_ratio``, young people in treatment by ``young_people_ratio``. Completions,
  continuity of care from prison, hospital admissions for drug poisoning and drug-related
  offending are unchanged. **Drug deaths**: any effect would come after
  ``deaths_lag_years`` and none is planted within the window, so the truth is that nothing
  can be seen yet.
- **Offending**: the force's drug-related offences by authority, offence group and month,
  April 2016 to March 2026, with seasonality and no planted change.

Hostile worlds (:data:`WORLDS`) break the comparative time series' assumptions the way real
data do; their extra randomness comes from :func:`~analysis.synthetic._worlds.world_rng` so
the friendly world's bytes never move. :data:`TRUTH_DEFINITIONS` says what each truth is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..data.contracts.combating_drugs import (
    INDICATOR_IDS,
    INDICATOR_NAMES,
    OFFENCE_GROUPS,
    PARTNERSHIP_AREAS,
)
from ..errors import ConfigError
from . import SyntheticData
from ._worlds import FRIENDLY, check_world, world_rng

#: Date the synthetic extract is taken.
EXTRACT_DATE = pd.Timestamp("2026-03-31")
#: First day of the new funding (the supplementary grant of From Harm to Hope).
FUNDING_START = pd.Timestamp("2022-04-01")
#: First and last financial years of the indicators (starting calendar years).
FIRST_YEAR, LAST_YEAR = 2013, 2024
#: First month of the force's offending extract.
OFFENDING_START = pd.Timestamp("2016-04-01")

#: Comparable authorities (a nearest-neighbour set) and other authorities, by code.
COMPARATOR_CODES = tuple(f"E0699{i:04d}" for i in range(1, 16))
OTHER_CODES = tuple(f"E0698{i:04d}" for i in range(1, 151))

#: Year from which the recording change of the ``recording_change`` world counts people in
#: contact with services as in structured treatment, and by how much it inflates the count.
RECORDING_CHANGE_YEAR = 2023
RECORDING_CHANGE_FACTOR = 1.15
RECORDING_NOTE = (
    "Change in recording practice from 2023/24: people in contact with services counted as "
    "in structured treatment"
)
#: The transient dip in the year Dorset was picked as worst (``regression_to_mean`` world).
SELECTION_YEAR = 2021
SELECTION_DIP = 0.82

WORLDS: dict[str, str] = {
    FRIENDLY: "the new funding reached Dorset only; recording unchanged; no selection on a "
    "bad year (the comparative time series' assumptions hold)",
    "national_funding": "the comparable authorities and the rest of England got the same "
    "national funding at the same time: a comparison with them shows no Dorset-specific "
    "difference although the funding raised Dorset's numbers in treatment",
    "recording_change": "Dorset's treatment provider counted people in contact with services "
    "as in structured treatment from 2023/24"
    f" (+{RECORDING_CHANGE_FACTOR - 1:.0%}), noted by the publisher: the post-funding rise "
    "is partly a change of definition",
    "regression_to_mean": "Dorset was picked as worst on a transient dip in numbers in "
    f"treatment in {SELECTION_YEAR}/{(SELECTION_YEAR + 1) % 100:02d}, the year before the "
    "funding: it would have bounced back anyway",
}

TRUTH_DEFINITIONS: dict[str, str] = {
    "treatment_rate_ratio": "adults in structured treatment in Dorset's two authorities with "
    "the funding over without it, every funded year (the planted treatment_ratio; a "
    "recording change or a bounce-back is not part of it)",
    "young_people_rate_ratio": "young people in treatment with the funding over without it",
    "placebo_rate_ratio": "adults in treatment in the year before the funding over Dorset's own "
    "trend (1, except the transient dip of the regression_to_mean world)",
    "completions_ratio": "successful completions per person in treatment, with over without "
    "the funding (1: none planted)",
    "continuity_ratio": "share engaging within 3 weeks of release, with over without (1)",
    "admissions_rate_ratio": "hospital admissions for drug poisoning, with over without (1)",
    "offending_rate_ratio": "drug-related acquisitive crime per month, with over without (1)",
    "deaths_rate_ratio": "Dorset's expected drug-death rate in the latest pooled period "
    "(2022 - 24) over the last one before the funding (2019 - 21): a before/after ratio, "
    "which includes the national trend",
}

DEFAULT_EFFECTS: dict[str, float] = {
    # Adults in structured treatment in Dorset, with the funding over without it.
    "treatment_ratio": 1.20,
    # Young people in treatment, with over without.
    "young_people_ratio": 1.10,
    # Years before the funding could change drug deaths (none planted in the window).
    "deaths_lag_years": 3.0,
    # Area-year variation beyond Poisson: standard deviation of the log factor.
    "area_year_sd": 0.04,
}

#: Adult population of each partnership authority (the others are drawn around it).
_PARTNERSHIP_ADULTS = {"E06000058": 320_000.0, "E06000059": 312_000.0}


def _financial(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _pooled(year: int) -> str:
    return f"{year} - {(year + 2) % 100:02d}"


def _poisson_limits(count: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) limits of a Poisson count."""
    tail = (1 - level) / 2
    low = np.where(count > 0, stats.chi2.ppf(tail, 2 * count) / 2, 0.0)
    high = stats.chi2.ppf(1 - tail, 2 * (count + 1)) / 2
    return low, high


def _wilson(k: np.ndarray, n: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate synthetic outcomes-framework indicators and force offending with planted effects.

    Parameters
    ----------
    seed : int
        Random seed; the same seed, scale and world give identical tables.
    scale : float
        Multiplies every population (1: Dorset's size).
    world : str
        A key of :data:`WORLDS`.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        Tables ``indicators`` and ``offending``; ``truth`` keyed as
        :data:`TRUTH_DEFINITIONS`.

    Examples
    --------
    >>> synth = generate(seed=1)
    >>> sorted(synth.tables), synth.truth["treatment_rate_ratio"]
    (['indicators', 'offending'], 1.2)
    >>> synth.tables["indicators"]["area_code"].nunique()
    167
    """
    check_world("combating_drugs", world, WORLDS)
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown combating_drugs effect(s) {unknown}; known: "
            f"{', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    params = {**DEFAULT_EFFECTS, **{name: float(value) for name, value in effects.items()}}
    for name in ("treatment_ratio", "young_people_ratio"):
        if params[name] <= 0:
            raise ConfigError(f"{name} must be a positive ratio, got {params[name]}")
    rng = np.random.default_rng(seed)
    sd = params["area_year_sd"]

    # ---------------------------------------------------------------- areas
    codes = np.array([*PARTNERSHIP_AREAS, *COMPARATOR_CODES, *OTHER_CODES])
    names = np.array(
        [
            *PARTNERSHIP_AREAS.values(),
            *(f"Comparable authority {i}" for i in range(1, len(COMPARATOR_CODES) + 1)),
            *(f"Authority {i}" for i in range(1, len(OTHER_CODES) + 1)),
        ]
    )
    n_areas = len(codes)
    partnership = np.isin(codes, list(PARTNERSHIP_AREAS))
    comparator = np.isin(codes, COMPARATOR_CODES)
    adults = np.empty(n_areas)
    adults[partnership] = list(_PARTNERSHIP_ADULTS.values())
    adults[comparator] = rng.lognormal(np.log(300_000), 0.15, comparator.sum())
    rest = ~(partnership | comparator)
    adults[rest] = rng.lognormal(np.log(220_000), 0.6, rest.sum())
    adults *= scale
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    n_years = len(years)
    growth = 1.007 ** (years - FIRST_YEAR)
    adult_pop = np.round(adults[:, None] * growth[None, :])
    child_pop = np.round(0.25 * adult_pop)
    total_pop = np.round(1.25 * adult_pop)
    funded = years >= FUNDING_START.year

    def area_effects(level_sd: float, trend_sd: float) -> tuple[np.ndarray, np.ndarray]:
        level = rng.normal(0.0, level_sd, n_areas)
        trend = rng.normal(0.0, trend_sd, n_areas)
        # Comparable authorities are like Dorset's: close levels.
        level[comparator | partnership] *= 0.4
        return level, trend

    def log_mean(base: float, level_sd: float, trend_sd: float, national: float) -> np.ndarray:
        level, trend = area_effects(level_sd, trend_sd)
        t = (years - FIRST_YEAR)[None, :]
        noise = rng.normal(0.0, sd, (n_areas, n_years))
        return np.log(base) + level[:, None] + (national + trend[:, None]) * t + noise

    # ---------------------------------------------------------------- treatment
    uplift = np.ones((n_areas, n_years))
    uplift[np.ix_(partnership, funded)] = params["treatment_ratio"]
    treatment_log = log_mean(4.6e-3, 0.3, 0.015, -0.01)
    young_log = log_mean(2.4e-3, 0.3, 0.02, -0.02)
    young_uplift = np.ones((n_areas, n_years))
    young_uplift[np.ix_(partnership, funded)] = params["young_people_ratio"]
    world_factor = np.ones((n_areas, n_years))
    notes = np.full((n_areas, n_years), None, dtype=object)
    if world == "national_funding":
        uplift[:, funded] = params["treatment_ratio"]
        young_uplift[:, funded] = params["young_people_ratio"]
    elif world == "recording_change":
        changed = years >= RECORDING_CHANGE_YEAR
        world_factor[np.ix_(partnership, changed)] = RECORDING_CHANGE_FACTOR
        notes[np.ix_(partnership, changed)] = RECORDING_NOTE
    elif world == "regression_to_mean":
        # A transient trough, not quite the same in both authorities.
        dip = SELECTION_DIP * np.exp(world_rng(seed, world).normal(0.0, 0.02, partnership.sum()))
        world_factor[partnership, years == SELECTION_YEAR] = dip
    treated_mean = adult_pop * np.exp(treatment_log) * uplift
    in_treatment = rng.poisson(treated_mean * world_factor)
    young = rng.poisson(child_pop * np.exp(young_log) * young_uplift)

    # Completions and continuity of care: proportions with no planted change.
    completion_p = np.clip(
        0.3 * np.exp(rng.normal(0, 0.15, n_areas)[:, None] + rng.normal(0, sd, (n_areas, n_years))),
        0.02,
        0.95,
    )
    completions = rng.binomial(in_treatment, completion_p)
    releases = rng.poisson(adult_pop * 4.5e-4)
    continuity_p = np.clip(
        0.37 * np.exp(rng.normal(0, 0.2, n_areas)[:, None] + rng.normal(0, sd, (n_areas, n_years))),
        0.02,
        0.95,
    )
    engaged = rng.binomial(releases, continuity_p)
    admissions = rng.poisson(total_pop * np.exp(log_mean(2.5e-4, 0.35, 0.02, 0.01)))

    # Drug deaths by calendar year (rising nationally), published pooled over three years.
    death_log = log_mean(7.5e-5, 0.3, 0.01, 0.03)
    death_mean = total_pop * np.exp(death_log)
    deaths = rng.poisson(death_mean)

    rows: list[pd.DataFrame] = []

    def add(key: str, periods, count, denominator, per: float, kind: str, age: str, note=None):
        count = np.asarray(count, dtype=float)
        denominator = np.asarray(denominator, dtype=float)
        if kind == "rate":
            low, high = _poisson_limits(count)
            value, low, high = (count * per / denominator, low * per / denominator,
                                high * per / denominator)  # fmt: skip
        else:
            low, high = _wilson(count, denominator)
            value, low, high = 100 * count / denominator, 100 * low, 100 * high
        frame = pd.DataFrame(
            {
                "indicator_id": INDICATOR_IDS[key],
                "indicator_name": INDICATOR_NAMES[key],
                "area_code": np.repeat(codes, len(periods)),
                "area_name": np.repeat(names, len(periods)),
                "area_type": "Counties & UAs (from Apr 2023)",
                "sex": "Persons",
                "age": age,
                "time_period": np.tile(periods, n_areas),
                "value": value.ravel().round(4),
                "lower_ci_95": low.ravel().round(4),
                "upper_ci_95": high.ravel().round(4),
                "count": count.ravel(),
                "denominator": denominator.ravel(),
                "value_note": None if note is None else note.ravel(),
            }
        )
        rows.append(frame)

    financial = [_financial(y) for y in years]
    add("adults_in_treatment", financial, in_treatment, adult_pop, 1000, "rate", "18+ yrs", notes)
    add("young_people_in_treatment", financial, young, child_pop, 1000, "rate", "<18 yrs")
    add("completions", financial, completions, in_treatment, 100, "proportion", "18+ yrs")
    add("continuity_of_care", financial, engaged, releases, 100, "proportion", "18+ yrs")
    add("poisoning_admissions", financial, admissions, total_pop, 100_000, "rate", "All ages")
    pooled_deaths = deaths[:, :-2] + deaths[:, 1:-1] + deaths[:, 2:]
    pooled_pop = total_pop[:, :-2] + total_pop[:, 1:-1] + total_pop[:, 2:]
    add("drug_deaths", [_pooled(y) for y in years[:-2]], pooled_deaths, pooled_pop, 100_000,
        "rate", "All ages")  # fmt: skip
    indicators = pd.concat(rows, ignore_index=True)

    # ---------------------------------------------------------------- force offending
    months = pd.date_range(OFFENDING_START, EXTRACT_DATE, freq="MS")
    season = 1 + 0.1 * np.sin(2 * np.pi * (months.month.to_numpy() - 3) / 12)
    t = np.arange(len(months)) / 12
    bases = {
        "E06000058": {"drug possession": 60.0, "drug trafficking": 15.0,
                      "drug-related acquisitive crime": 28.0},
        "E06000059": {"drug possession": 42.0, "drug trafficking": 11.0,
                      "drug-related acquisitive crime": 19.0},
    }  # fmt: skip
    offending_rows = []
    for code, groups in bases.items():
        for group in OFFENCE_GROUPS:
            mean = groups[group] * scale * season * np.exp(-0.02 * t)
            mean = mean * np.exp(rng.normal(0.0, 0.06, len(months)))
            offending_rows.append(
                pd.DataFrame(
                    {
                        "month": months,
                        "area_code": code,
                        "offence_group": group,
                        "offences": rng.poisson(mean),
                    }
                )
            )
    offending = pd.concat(offending_rows, ignore_index=True)

    # ---------------------------------------------------------------- truth
    selection = years == SELECTION_YEAR
    placebo_ratio = float(
        (treated_mean[partnership][:, selection] * world_factor[partnership][:, selection]).sum()
        / treated_mean[partnership][:, selection].sum()
    )
    dorset_deaths = death_mean[partnership].sum(axis=0)
    dorset_pop = total_pop[partnership].sum(axis=0)
    post = [i for i, y in enumerate(years) if 2022 <= y <= 2024]
    pre = [i for i, y in enumerate(years) if 2019 <= y <= 2021]
    deaths_ratio = (dorset_deaths[post].sum() / dorset_pop[post].sum()) / (
        dorset_deaths[pre].sum() / dorset_pop[pre].sum()
    )
    truth = {
        "treatment_rate_ratio": params["treatment_ratio"],
        "young_people_rate_ratio": params["young_people_ratio"],
        "placebo_rate_ratio": placebo_ratio,
        "completions_ratio": 1.0,
        "continuity_ratio": 1.0,
        "admissions_rate_ratio": 1.0,
        "offending_rate_ratio": 1.0,
        "deaths_rate_ratio": float(deaths_ratio),
    }
    return SyntheticData(
        programme="combating_drugs",
        tables={"indicators": indicators, "offending": offending},
        truth=truth,
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, "world": world, **params},
    )
