"""Synthetic Operation Focus extract: scored VAWG suspects and their crimes.

The world the generator draws (one seed and scale give the same bytes):

- About 5,000 suspects at scale 1, each with a latent harm propensity ``u``
  (standard normal) that raises their offending rate and the seriousness of
  what they do; about one in six offends mostly sexually. Each is active from
  an entry date to a desistance date, so some stop offending during the window.
  Offences follow a seasonal pattern (summer and December peaks) and are
  recorded a few days later (sexual offences often months later).
- The extract holds every crime of the suspects scored at the identification
  run (the pilot start): those with a VAWG crime recorded in the three years
  before it. The Recency-Frequency-Gravity harm score
  (:func:`analysis.programmes.op_focus.harm_score.rfg_harm_score`) is computed from those
  crimes. Suspects at or above ``harm_threshold`` are adopted into Focus with
  probability ``adoption_above`` (some are in custody or out of force); a few
  below it are adopted on professional judgement (``adoption_near_below`` for
  scores within 40% of the threshold, ``adoption_far_below`` further down). The
  selection is therefore *fuzzy* at the threshold. Adoption is random given the
  score, and Focus perpetrators leave the cohort at ``focus_exit_rate`` a year.
- Selection on the score selects high-``u`` suspects, whose victims withdraw
  support more often and whose crimes are charged less often (a suspect effect
  ``alpha``), and on recent serious offending, so their pre-pilot offence mix
  is more serious than their later one (regression to the mean). A naive
  Focus versus non-Focus comparison is biased; so is a before/after, because
  charge rates rise by ``charge_trend_pp_per_year`` for everyone.
- Outcomes of an arrest for a VAWG crime: charge (code 1) with probability
  ``c_group + trend(quarter) + alpha_suspect + charge_effect * treated``,
  victim withdrawal (16) with ``w_group + trend + alpha_w + withdrawal_effect *
  treated``, otherwise another outcome drawn from the group's mix. The effects
  are additive and constant, so the effect on the treated arrests, at the
  threshold and everywhere else, is exactly the planted percentage points. An
  arrest is treated when the suspect is in Focus, on or after the Focus date
  and before leaving the cohort.
- Time from arrest to outcome is Weibull (shape :data:`WEIBULL_SHAPE`) with a
  median by offence group (rape longest); a Focus investigation multiplies it by
  ``decision_time_ratio``. Because the time does not depend on which outcome is
  reached, the share charged among finalised arrests estimates the share that
  will be charged, and the hazard ratio of an outcome decision (treated versus
  untreated, given the offence group) is exactly
  ``decision_time_ratio ** -WEIBULL_SHAPE``. Outcomes later than the extract
  date are pending (code 0), as they would be in a real extract.
- Offending does not depend on Focus, arrest or charge: harm-weighted
  reoffending is the null component (truth 0).
- Each suspect's ``sex`` and ``ethnicity`` (see :func:`draw_sex_and_ethnicity`)
  come from a stream of their own, so the columns that predate them keep their
  bytes. Neither changes offending, selection or the effect, so the effect in
  every group is the planted one (a "for whom" breakdown should find no
  difference). About nine in ten VAWG suspects are male (:data:`MALE_SHARE`).

Truth (``SyntheticData.truth``) holds the exact value of each estimand the
notebook reports (see :data:`TRUTH_DEFINITIONS`).

That is the *friendly* world, where each design's key assumption holds exactly.
The other named worlds (:data:`WORLDS`) break one assumption each, the way real
data do, and state the truth they plant; their extra randomness comes from a
separate stream, so the friendly world's bytes never depend on them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..data.codes import AGE_BANDS, OFFENCE_GROUPS
from ..data.contracts.op_focus import ETHNICITIES, NOT_STATED, SEXES
from ..data.harm_score import HarmScoreWeights, rfg_harm_score
from ..errors import ConfigError
from . import SyntheticData
from ._worlds import FRIENDLY, check_world, world_rng

logger = logging.getLogger(__name__)

#: Planted effects and settings of the synthetic world; any can be overridden.
DEFAULT_EFFECTS: dict[str, Any] = {
    # Focus effect on the probability that an arrest for a VAWG crime ends in a charge
    # (percentage points).
    "charge_effect_pp": 5.0,
    # Focus effect on the probability of victim withdrawal, outcome 16 (percentage points).
    "withdrawal_effect_pp": -6.0,
    # A Focus investigation multiplies the time from arrest to outcome by this ratio.
    "decision_time_ratio": 0.7,
    # Secular trends for everyone (percentage points a year).
    "charge_trend_pp_per_year": 1.0,
    "withdrawal_trend_pp_per_year": 0.6,
    # Identification run and extract.
    "pilot_start": "2026-04-01",
    "extract_date": "2026-10-31",
    "history_years": 3.0,
    # Selection into Focus on the harm score (fuzzy at the threshold).
    "harm_threshold": 240.0,
    "adoption_above": 0.9,
    "adoption_near_below": 0.06,
    "adoption_far_below": 0.004,
    # Focus perpetrators leave the cohort at this rate a year (moved, custody, deselected).
    "focus_exit_rate": 0.2,
}

#: What each truth key is, exactly.
TRUTH_DEFINITIONS: dict[str, str] = {
    "charge_rate_effect_pp": (
        "Effect of a Focus investigation on the probability that an arrest for a VAWG "
        "crime ends in a charge, in percentage points (the same for every treated arrest, "
        "so it is the ATT, the effect at the threshold and the fuzzy RD's LATE)."
    ),
    "withdrawal_rate_effect_pp": (
        "Effect on the probability of victim withdrawal (outcome 16), percentage points."
    ),
    "decision_hazard_ratio": (
        "Hazard ratio of reaching an outcome decision after arrest, Focus investigation "
        "versus not, given the offence group (decision_time_ratio ** -WEIBULL_SHAPE)."
    ),
    "reoffending_harm_effect": (
        "Effect on harm-weighted reoffending after an arrest (Crime Harm Index days): none."
    ),
    "reoffending_count_effect": "Effect on the number of crimes after an arrest: none.",
    "reoffending_rate_ratio": "Ratio of crime rates after arrest with and without Focus: 1.",
    # Stated by every world but the friendly one (whose truth predates them).
    "charge_rate_effect_at_threshold_pp": (
        "Effect on the charge probability of an arrest for a VAWG crime of a suspect whose "
        "harm score is exactly the threshold, percentage points: the fuzzy RD's LATE."
    ),
    "charge_rate_ate_pp": (
        "Mean effect on the charge probability over every arrest for a VAWG crime on or after "
        "the pilot start, Focus or not, had each been investigated under Focus, percentage "
        "points: the ATE. Where effects vary (heterogeneous_effects), charge_rate_effect_pp "
        "is the ATT: the mean over treated arrests."
    ),
}

#: Named worlds: what fails in each and which design it threatens.
WORLDS: dict[str, str] = {
    FRIENDLY: (
        "every assumption holds: the charge effect is the same for every treated arrest, "
        "adoption depends on the score alone, outcomes are independent given it"
    ),
    "heterogeneous_effects": (
        "the charge effect grows with the harm score (0.4 to 2.5 times the planted effect, "
        "exactly the planted effect at the threshold), so ATT > LATE at the threshold > ATE; "
        "threatens reading the RD's LATE, the matched/DiD ATT or an ATE as one another"
    ),
    "unobserved_confounding": (
        "a trait not in the extract (strength of the evidence) raises both adoption into "
        "Focus at any score and the charge probability; threatens the matched comparison "
        "and before/after"
    ),
    "frailty": (
        "each suspect's charge propensity carries an unobserved frailty shared by all their "
        "arrests, so outcomes cluster within suspects; threatens standard errors and "
        "survival models that treat arrests as independent"
    ),
    "shared_victims": (
        "co-suspects share victims and a victim's reluctance to support a prosecution "
        "carries across every crime against them, so outcomes cluster within victims and "
        "across suspects; threatens suspect-clustered standard errors"
    ),
    "missing_covariates": (
        "ethnicity is not stated far more often for minority groups than for White "
        "suspects (missing not at random: 6% of White, 25-40% of others), and age band is "
        "blank for a quarter of under-25s and 8% of older suspects; the effect does not "
        "vary, so every truth is the friendly world's (5 points in every group); threatens "
        "breakdowns that drop the blanks or fold them into another group"
    ),
}

#: missing_covariates: chance that ethnicity is not stated, by the suspect's true group.
MISSING_ETHNICITY_BY_GROUP = {
    "Asian": 0.25,
    "Black": 0.30,
    "Mixed": 0.35,
    "White": 0.06,
    "Other": 0.40,
}
#: missing_covariates: chance that age band is blank, for under-25s and for everyone older.
MISSING_AGE_YOUNG, MISSING_AGE_OLDER = 0.25, 0.08
#: Age bands counted as young where blanks are commoner.
YOUNG_BANDS = ("16-17", "18-24")

#: heterogeneous_effects: effect multiplier = clip(a + b * score / threshold, low, high),
#: which is 1 at the threshold.
_HETEROGENEITY = (0.4, 0.6, 0.4, 2.5)

#: Weibull shape of the time from arrest (or recording) to outcome.
WEIBULL_SHAPE = 1.2

#: Suspects before filtering to those scored at the identification run, at scale 1.
_LATENT_SUSPECTS = 7600

#: Offence groups with a VAWG victim possible, and which of them can be domestic abuse.
VAWG_GROUPS = (
    "rape",
    "other_sexual_offences",
    "violence_with_injury",
    "violence_without_injury",
    "stalking_and_harassment",
    "criminal_damage",
    "public_order",
)
_SEXUAL = ("rape", "other_sexual_offences")
#: Crimes with no personal victim (victim_id blank).
_NO_VICTIM = ("drug_possession", "drug_trafficking", "possession_of_weapons", "shoplifting")

#: Offence mix by offender type; "serious" groups are up-weighted by exp(0.35 u).
_MIX_GENERAL = {
    "violence_without_injury": 0.30,
    "stalking_and_harassment": 0.18,
    "violence_with_injury": 0.16,
    "criminal_damage": 0.08,
    "public_order": 0.06,
    "other_sexual_offences": 0.03,
    "rape": 0.015,
    "drug_possession": 0.04,
    "shoplifting": 0.04,
    "residential_burglary": 0.015,
    "possession_of_weapons": 0.01,
    "theft_from_vehicle": 0.01,
    "drug_trafficking": 0.005,
    "robbery": 0.005,
    "arson": 0.002,
    "theft_of_vehicle": 0.005,
    "homicide": 0.0003,
}
_MIX_SEXUAL = {
    "other_sexual_offences": 0.33,
    "rape": 0.15,
    "violence_without_injury": 0.15,
    "stalking_and_harassment": 0.15,
    "violence_with_injury": 0.08,
    "public_order": 0.04,
    "criminal_damage": 0.03,
    "drug_possession": 0.03,
    "shoplifting": 0.02,
    "possession_of_weapons": 0.01,
    "residential_burglary": 0.01,
    "homicide": 0.0003,
}
_SERIOUS = ("rape", "violence_with_injury", "other_sexual_offences", "homicide", "arson")

#: Arrested VAWG crimes at the pilot start, untreated, average suspect:
#: (charge probability, victim-withdrawal probability, median days from arrest to outcome).
_ARREST_OUTCOME = {
    "rape": (0.085, 0.30, 210.0),
    "other_sexual_offences": (0.09, 0.26, 140.0),
    "violence_with_injury": (0.15, 0.36, 90.0),
    "violence_without_injury": (0.10, 0.38, 60.0),
    "stalking_and_harassment": (0.09, 0.33, 80.0),
    "criminal_damage": (0.12, 0.25, 50.0),
    "public_order": (0.11, 0.20, 45.0),
}
#: Other arrested crimes (not VAWG): charge, withdrawal, median days.
_ARREST_OUTCOME_OTHER = (0.16, 0.15, 60.0)
#: Probability of arrest by offence group (others: 0.35).
_ARREST_PROBABILITY = {
    "rape": 0.55,
    "other_sexual_offences": 0.45,
    "violence_with_injury": 0.62,
    "violence_without_injury": 0.50,
    "stalking_and_harassment": 0.42,
    "criminal_damage": 0.40,
    "public_order": 0.40,
    "homicide": 1.0,
}
#: Remaining outcomes (not charge, not withdrawal) and their relative frequency.
_OTHER_OUTCOMES_VAWG = {
    15: 0.40, 21: 0.14, 10: 0.08, 3: 0.05, 8: 0.05, 9: 0.05, 14: 0.04, 17: 0.04,
    20: 0.03, 22: 0.04, 12: 0.02, 13: 0.02, 2: 0.02, 5: 0.01, 11: 0.01,
}  # fmt: skip
_OTHER_OUTCOMES_SEXUAL = {
    15: 0.55, 21: 0.15, 9: 0.08, 10: 0.05, 14: 0.05, 20: 0.05, 13: 0.04, 12: 0.02, 11: 0.01,
}  # fmt: skip
_OTHER_OUTCOMES_NOT_VAWG = {
    15: 0.28, 3: 0.18, 8: 0.15, 10: 0.10, 21: 0.10, 6: 0.05, 22: 0.05, 2: 0.05, 4: 0.04,
}  # fmt: skip

#: Seasonal multiplier of offending by month (summer and December peaks).
_SEASON = np.array([0.95, 0.88, 0.95, 0.97, 1.03, 1.08, 1.10, 1.08, 1.00, 0.98, 0.95, 1.05])
_AREA_SHARES = {
    "Bournemouth": 0.30,
    "Christchurch": 0.07,
    "Poole": 0.22,
    "East Dorset": 0.09,
    "North Dorset": 0.07,
    "Purbeck": 0.04,
    "West Dorset": 0.11,
    "Weymouth and Portland": 0.10,
}
_AGE_SHARES = (0.03, 0.18, 0.32, 0.25, 0.14, 0.08)

#: Share of VAWG suspects who are male (police-recorded VAWG suspects are overwhelmingly men).
MALE_SHARE = 0.9
#: Ethnic group shares among suspects whose ethnicity is stated, in the order of
#: ``ETHNICITIES`` without "not stated": Asian, Black, Mixed, White, Other. Dorset's
#: population is about 95-96% White (2021 Census: roughly 1.5% Asian, 0.5% Black, 1.6%
#: Mixed, 0.7% Other); people arrested and suspected in England and Wales include more
#: Black and Mixed people than the population does, so the suspect shares tilt towards
#: them. A synthetic assumption for testing, not a published Dorset figure.
ETHNICITY_SHARES = (0.015, 0.025, 0.02, 0.93, 0.01)
#: Share of people whose ethnicity (and, far more rarely, sex) is not stated, at random.
NOT_STATED_ETHNICITY = 0.05
NOT_STATED_SEX = 0.01
#: Name of the random stream sex and ethnicity are drawn from (apart from every world's).
DEMOGRAPHICS_STREAM = "demographics"


def draw_sex_and_ethnicity(
    rng: np.random.Generator,
    n: int,
    *,
    male_share: float,
    not_stated_ethnicity: float | Mapping[str, float] = NOT_STATED_ETHNICITY,
) -> tuple[np.ndarray, np.ndarray]:
    """Sex and self-defined ethnicity of ``n`` people, with "not stated" kept as a value.

    Parameters
    ----------
    rng : numpy.random.Generator
        The stream to draw from: a dedicated one (:data:`DEMOGRAPHICS_STREAM`), so the
        generator's other columns never move.
    n : int
        How many people.
    male_share : float
        Share of men among those whose sex is stated.
    not_stated_ethnicity : float or mapping of str to float
        Probability that a person's ethnicity is not stated; a mapping gives it by the
        person's true group, so whether it is recorded depends on what it is (missing
        not at random).

    Returns
    -------
    sex, ethnicity : numpy.ndarray of str

    Examples
    --------
    >>> sex, ethnicity = draw_sex_and_ethnicity(np.random.default_rng(0), 4000, male_share=0.9)
    >>> bool(0.85 < (sex == "male").mean() < 0.93), bool((ethnicity == "White").mean() > 0.85)
    (True, True)
    """
    stated_sex = np.array(SEXES[:2])
    sex = np.where(rng.random(n) < male_share, stated_sex[0], stated_sex[1])
    sex = np.where(rng.random(n) < NOT_STATED_SEX, NOT_STATED, sex)
    groups = np.array([g for g in ETHNICITIES if g != NOT_STATED])
    code = rng.choice(groups.size, size=n, p=ETHNICITY_SHARES)
    if isinstance(not_stated_ethnicity, Mapping):
        chance = np.array([not_stated_ethnicity[g] for g in groups])[code]
    else:
        chance = np.full(n, float(not_stated_ethnicity))
    ethnicity = np.where(rng.random(n) < chance, NOT_STATED, groups[code])
    return sex, ethnicity


def _check_effects(effects: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown op_focus synthetic setting(s) {unknown}; "
            f"known: {', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    settings = {**DEFAULT_EFFECTS, **effects}
    for name in ("adoption_above", "adoption_near_below", "adoption_far_below"):
        if not 0 <= float(settings[name]) <= 1:
            raise ConfigError(f"{name} must be a probability (0 to 1), got {settings[name]!r}")
    if not float(settings["decision_time_ratio"]) > 0:
        raise ConfigError("decision_time_ratio must be positive")
    if not -6.0 <= float(settings["charge_effect_pp"]) <= 40.0:
        raise ConfigError("charge_effect_pp must lie between -6 and 40 percentage points")
    if not -15.0 <= float(settings["withdrawal_effect_pp"]) <= 40.0:
        raise ConfigError("withdrawal_effect_pp must lie between -15 and 40 percentage points")
    if float(settings["history_years"]) < 1.5:
        raise ConfigError("history_years must be at least 1.5 (the harm score looks back 3 years)")
    pilot = pd.Timestamp(settings["pilot_start"])
    extract = pd.Timestamp(settings["extract_date"])
    if not pilot + pd.Timedelta(days=60) <= extract:
        raise ConfigError("extract_date must be at least 60 days after pilot_start")
    return settings


#: Offence groups as integer codes (positions in ``OFFENCE_GROUPS``) keep big tables fast.
_GROUP_CODE = {name: code for code, name in enumerate(OFFENCE_GROUPS)}


def _codes(names: tuple[str, ...] | list[str]) -> np.ndarray:
    return np.array([_GROUP_CODE[name] for name in names], dtype=np.int64)


def _by_group(values: dict[str, float], default: float) -> np.ndarray:
    """A lookup array indexed by offence-group code."""
    return np.array([values.get(name, default) for name in OFFENCE_GROUPS], dtype=float)


def _draw_offence_groups(rng: np.random.Generator, sexual: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Offence-group code of each crime, from its suspect's type and harm propensity."""
    groups = np.zeros(len(u), dtype=np.int64)
    # Ten bins of u are fine enough for the seriousness gradient and keep memory flat.
    u_bin = np.clip(np.floor((u + 2.5) / 0.5), 0, 9).astype(int)
    for is_sexual, mix in ((False, _MIX_GENERAL), (True, _MIX_SEXUAL)):
        codes = _codes(list(mix))
        base = np.array(list(mix.values()))
        serious = np.isin(codes, _codes(_SERIOUS))
        for b in range(10):
            rows = np.flatnonzero((sexual == is_sexual) & (u_bin == b))
            if rows.size == 0:
                continue
            centre = -2.25 + 0.5 * b
            p = base * np.where(serious, np.exp(0.35 * centre), 1.0)
            groups[rows] = rng.choice(codes, size=rows.size, p=p / p.sum())
    return groups


def _weibull_days(rng: np.random.Generator, median: np.ndarray) -> np.ndarray:
    """Weibull durations (days, continuous) with the given medians."""
    scale = median / np.log(2.0) ** (1.0 / WEIBULL_SHAPE)
    return scale * rng.weibull(WEIBULL_SHAPE, size=len(median))


def _other_outcome(rng: np.random.Generator, group: np.ndarray, vawg: np.ndarray) -> np.ndarray:
    """A non-charge, non-withdrawal outcome code for each row."""
    codes = np.zeros(len(group), dtype=np.int64)
    sexual = np.isin(group, _codes(_SEXUAL))
    for mask, mix in (
        (vawg & sexual, _OTHER_OUTCOMES_SEXUAL),
        (vawg & ~sexual, _OTHER_OUTCOMES_VAWG),
        (~vawg, _OTHER_OUTCOMES_NOT_VAWG),
    ):
        rows = np.flatnonzero(mask)
        p = np.array(list(mix.values()))
        codes[rows] = rng.choice(np.array(list(mix)), size=rows.size, p=p / p.sum())
    return codes


def _identifiers(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """Zero-padded identifiers (``S000123``), built without a Python loop."""
    return prefix + pd.Series(numbers, dtype="int64").astype("str").str.zfill(width)


def _share_victims(
    rng: np.random.Generator,
    crime_suspect: np.ndarray,
    victim: np.ndarray,
    scored: np.ndarray,
    n_victims: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Co-suspects' shared victims and each crime's victim reluctance (shared_victims world).

    One scored suspect in six is a co-suspect of another (a family member, a friend):
    half of their crimes with a victim are against one of that suspect's victims. A
    victim (after sharing) is reluctant to support a prosecution with probability 0.35,
    for every crime against them.

    Returns
    -------
    victim_owner : ndarray
        Per crime, the suspect whose victim list the victim number refers to.
    victim : ndarray
        Per crime, the victim's number in that list (-1 for crimes without a victim).
    reluctant : ndarray of bool
        Per crime, whether its victim is reluctant (False for crimes without a victim).
    """
    n_scored = len(scored)
    follower = rng.random(n_scored) < 1 / 6
    lead = scored[rng.integers(0, n_scored, size=n_scored)]
    sus = np.searchsorted(scored, crime_suspect)
    shared = follower[sus] & (victim >= 0) & (rng.random(len(crime_suspect)) < 0.5)
    victim_owner = np.where(shared, lead[sus], crime_suspect)
    victim = np.where(shared, victim % n_victims[victim_owner], victim)
    has_victim = victim >= 0
    keys, inverse = np.unique(victim_owner * 100 + victim, return_inverse=True)
    reluctant_victim = rng.random(len(keys)) < 0.35
    return victim_owner, victim, reluctant_victim[inverse] & has_victim


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate a synthetic Operation Focus extract with planted effects.

    Parameters
    ----------
    seed : int
        Random seed (same seed and scale, same tables).
    scale : float
        Volume multiplier: 1 is Dorset (about 5,000 scored suspects, about 500
        Focus perpetrators, 35,000 crimes); 50 is roughly national.
    world : str
        Named world (see :data:`WORLDS`); ``"friendly"`` is the world described above.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        ``suspects`` and ``crimes`` tables (raw identifiers), the truth (see
        :data:`TRUTH_DEFINITIONS`), the extract date and the settings used.

    Examples
    --------
    >>> data = generate(seed=1, scale=0.2)
    >>> sorted(data.tables), data.truth["charge_rate_effect_pp"]
    (['crimes', 'suspects'], 5.0)
    >>> varied = generate(seed=1, scale=0.2, world="heterogeneous_effects").truth
    >>> varied["charge_rate_effect_pp"] > varied["charge_rate_ate_pp"]
    True
    """
    if scale <= 0:
        raise ConfigError(f"scale must be positive, got {scale}")
    check_world("op_focus", world, WORLDS)
    settings = _check_effects(effects)
    rng = np.random.default_rng(seed)
    # A hostile world's own draws come from its own stream (the friendly draws never move).
    hostile = world_rng(seed, world)
    pilot = pd.Timestamp(settings["pilot_start"]).normalize()
    extract = pd.Timestamp(settings["extract_date"]).normalize()
    history_start = (
        pilot - pd.Timedelta(days=round(365.25 * settings["history_years"]))
    ).normalize()
    weights = HarmScoreWeights()

    # --- suspects' latent traits and offending careers ---------------------------
    n = max(int(round(_LATENT_SUSPECTS * scale)), 50)
    u = rng.standard_normal(n)
    sexual = rng.random(n) < 0.16
    rate = 2.3 * np.exp(0.6 * u) * rng.gamma(4.0, 0.25, size=n)  # crimes a year when active
    window_days = (extract - history_start).days + 1
    entry = np.clip(rng.uniform(-2.0 * 365, window_days, size=n), 0, None)
    desist = entry + rng.exponential(5.0 * 365, size=n)
    exit_day = np.minimum(desist, window_days)

    # Offences: Poisson counts in the active window, dated by a seasonal daily intensity.
    days = pd.date_range(history_start, periods=window_days, freq="D")
    intensity = _SEASON[days.month.to_numpy() - 1]
    cumulative = np.concatenate([[0.0], np.cumsum(intensity)])
    lo = np.interp(entry, np.arange(window_days + 1), cumulative)
    hi = np.interp(exit_day, np.arange(window_days + 1), cumulative)
    counts = rng.poisson(rate * np.clip(hi - lo, 0, None) / 365.25)
    crime_suspect = np.repeat(np.arange(n), counts)
    draw = rng.uniform(lo[crime_suspect], hi[crime_suspect])
    offence_day = np.clip(np.searchsorted(cumulative, draw, side="right") - 1, 0, window_days - 1)
    m = len(crime_suspect)

    group = _draw_offence_groups(rng, sexual[crime_suspect], u[crime_suspect])
    is_sexual_crime = np.isin(group, _codes(_SEXUAL))
    # Reporting delay: mostly within days; a fifth of sexual offences are reported months later.
    delay = rng.geometric(0.55, size=m) - 1
    late = is_sexual_crime & (rng.random(m) < 0.2)
    delay = np.where(late, np.round(rng.lognormal(np.log(90), 1.0, size=m)), delay).astype(int)
    recorded_day = offence_day + delay

    # Victims: each suspect has a few; the first one or two are (ex-)partners.
    n_victims = 1 + rng.poisson(0.6 + 0.5 * np.clip(u, 0, None), size=n)
    n_partners = np.minimum(n_victims, 1 + (rng.random(n) < 0.3))
    partner_female = rng.random(n) < 0.9
    partner_pick = rng.random(m) < 0.75
    victim = np.where(
        partner_pick,
        np.floor(rng.random(m) * n_partners[crime_suspect]),
        np.floor(rng.random(m) * n_victims[crime_suspect]),
    ).astype(int)
    partner = victim < n_partners[crime_suspect]
    female = np.where(partner, partner_female[crime_suspect], rng.random(m) < 0.7)
    female = np.where(is_sexual_crime, rng.random(m) < 0.93, female)
    no_victim = np.isin(group, _codes(_NO_VICTIM))
    can_be_vawg = np.isin(group, _codes(VAWG_GROUPS)) & ~no_victim
    vawg = can_be_vawg & female
    da = partner & can_be_vawg & (rng.random(m) < 0.92)

    # A crime recorded after the extract date is not in the extract.
    known = recorded_day < window_days
    crime_suspect, group, vawg, da = crime_suspect[known], group[known], vawg[known], da[known]
    offence_day, recorded_day = offence_day[known], recorded_day[known]
    victim = np.where(no_victim, -1, victim)[known]

    # --- identification run: harm score and adoption into Focus -------------------
    scoring_frame = pd.DataFrame(
        {
            "suspect_id": crime_suspect,
            "recorded_date": days[np.minimum(recorded_day, window_days - 1)],
            "offence_group": np.array(OFFENCE_GROUPS)[group],
            "vawg_flag": vawg,
        }
    )
    scores = rfg_harm_score(scoring_frame, as_of=pilot, weights=weights)
    scored = scores.index.to_numpy()
    keep = np.isin(crime_suspect, scored)
    crime_suspect, group, vawg, da = crime_suspect[keep], group[keep], vawg[keep], da[keep]
    offence_day, recorded_day, victim = offence_day[keep], recorded_day[keep], victim[keep]
    harm = scores.to_numpy()
    threshold = float(settings["harm_threshold"])
    p_adopt = np.where(
        harm >= threshold,
        settings["adoption_above"],
        np.where(
            harm >= 0.6 * threshold, settings["adoption_near_below"], settings["adoption_far_below"]
        ),
    )
    n_scored = len(scored)
    if world == "unobserved_confounding":
        # Officers adopt suspects whose cases look winnable: a strong-evidence trait,
        # absent from the extract, shifts the log-odds of adoption at every score.
        evidence = hostile.standard_normal(n_scored)
        odds = np.clip(p_adopt, 1e-6, 1 - 1e-6)
        p_adopt = 1 / (1 + (1 - odds) / odds * np.exp(-1.5 * evidence))
    focus = rng.random(n_scored) < p_adopt
    # The list is reviewed over the first three weeks of the pilot.
    focus_day = (pilot - history_start).days + rng.integers(0, 21, size=n_scored)
    exit_after = rng.exponential(365.25 / max(settings["focus_exit_rate"], 1e-9), size=n_scored)
    focus_end_day = np.floor(focus_day + 1 + exit_after)
    focus_end_day = np.where(focus_end_day < window_days, focus_end_day, np.nan)
    # scored is sorted, so a binary search gives each crime's suspect position.
    sus = np.searchsorted(scored, crime_suspect)

    # --- arrests, treatment and outcomes -------------------------------------------
    mc = len(crime_suspect)
    arrested = rng.random(mc) < _by_group(_ARREST_PROBABILITY, 0.35)[group]
    sexual_crime = np.isin(group, _codes(_SEXUAL))
    arrest_lag = np.where(
        sexual_crime, np.round(rng.exponential(20.0, size=mc)), rng.geometric(0.7, size=mc) - 1
    ).astype(int)
    arrest_day = recorded_day + arrest_lag
    arrested &= arrest_day < window_days  # not yet arrested at the extract date

    treated = (
        arrested
        & vawg
        & focus[sus]
        & (arrest_day >= focus_day[sus])
        & ~(arrest_day >= np.nan_to_num(focus_end_day[sus], nan=np.inf))
    )
    # Trends are constant within a calendar quarter, so quarter fixed effects absorb them.
    event_day = np.where(arrested, arrest_day, recorded_day)
    day_quarter_start = pd.PeriodIndex(days, freq="Q").start_time
    years_by_day = (day_quarter_start - pilot).days.to_numpy() / 365.25
    years = years_by_day[np.minimum(event_day, window_days - 1)]
    alpha_charge = -0.045 * np.tanh(u[scored][sus])
    alpha_withdraw = 0.05 * np.tanh(u[scored][sus])

    charge_other, withdraw_other, median_other = _ARREST_OUTCOME_OTHER
    charge_base = _by_group({g: v[0] for g, v in _ARREST_OUTCOME.items()}, charge_other)[group]
    withdraw_base = _by_group({g: v[1] for g, v in _ARREST_OUTCOME.items()}, withdraw_other)[group]
    median_days = _by_group({g: v[2] for g, v in _ARREST_OUTCOME.items()}, median_other)[group]
    charge_untreated = (
        charge_base + settings["charge_trend_pp_per_year"] / 100 * years + alpha_charge
    )
    withdraw_untreated = (
        withdraw_base + settings["withdrawal_trend_pp_per_year"] / 100 * years + alpha_withdraw
    )
    # Each world changes the untreated probabilities or the effect, never how the effect
    # enters: it stays additive, so its truth is the mean of effect_scale over a sample.
    effect_scale = np.ones(mc)
    victim_owner = crime_suspect
    if world == "heterogeneous_effects":
        low_a, slope, low, high = _HETEROGENEITY
        effect_scale = np.clip(low_a + slope * harm[sus] / threshold, low, high)
    elif world == "unobserved_confounding":
        strong = 1 / (1 + np.exp(-1.5 * evidence[sus]))
        charge_untreated = charge_untreated + 0.15 * strong
        withdraw_untreated = withdraw_untreated + 0.06 * (1 - strong)
    elif world == "frailty":
        # Strong enough to matter (sd about 0.8): withdrawal keeps its share of what a
        # charge leaves, so the probabilities still add up to at most one.
        frailty = np.clip(hostile.gamma(1.5, 1 / 1.5, size=n_scored), 0.1, 3.0)[sus]
        withdraw_untreated = (
            withdraw_untreated * (1 - frailty * charge_untreated) / (1 - charge_untreated)
        )
        charge_untreated = charge_untreated * frailty
    elif world == "shared_victims":
        victim_owner, victim, reluctant = _share_victims(
            hostile, crime_suspect, victim, scored, n_victims
        )
        charge_untreated = np.where(reluctant, 0.3 * charge_untreated, charge_untreated)
        withdraw_untreated = np.where(reluctant, withdraw_untreated + 0.35, withdraw_untreated)
    if world == FRIENDLY:
        charge_effect = settings["charge_effect_pp"] / 100 * treated
    else:
        charge_effect = settings["charge_effect_pp"] / 100 * treated * effect_scale
    p_charge = charge_untreated + charge_effect
    p_withdraw = withdraw_untreated + settings["withdrawal_effect_pp"] / 100 * treated
    # Without an arrest a charge (by summons) is rarer and withdrawal commoner; no Focus effect.
    p_charge = np.where(arrested, p_charge, 0.3 * p_charge)
    p_withdraw = np.where(arrested, p_withdraw, p_withdraw + 0.10)
    if (p_charge < 0).any() or (p_withdraw < 0).any() or (p_charge + p_withdraw > 1).any():
        raise ConfigError(
            "the settings push an outcome probability outside 0-1; use smaller effects"
        )
    draw_outcome = rng.random(mc)
    code = np.where(
        draw_outcome < p_charge,
        1,
        np.where(draw_outcome < p_charge + p_withdraw, 16, _other_outcome(rng, group, vawg)),
    )
    duration = _weibull_days(rng, np.where(arrested, median_days, 1.3 * median_days))
    duration = duration * np.where(treated, settings["decision_time_ratio"], 1.0)
    outcome_day = event_day + np.ceil(duration)
    pending = outcome_day >= window_days
    code = np.where(pending, 0, code)

    order = np.lexsort((offence_day, crime_suspect, recorded_day))

    def to_date(day: np.ndarray) -> pd.Series:
        return pd.Series(history_start + pd.to_timedelta(day, unit="D"), dtype="datetime64[us]")

    victim_id = _identifiers("V", victim_owner * 100 + victim, 8).where(victim >= 0)
    crimes = pd.DataFrame(
        {
            "crime_id": _identifiers("C", np.arange(1, mc + 1), 8),
            "suspect_id": _identifiers("S", crime_suspect[order], 6),
            "victim_id": victim_id.iloc[order].reset_index(drop=True),
            "offence_group": pd.Series(np.array(OFFENCE_GROUPS)[group[order]], dtype="str"),
            "vawg_flag": vawg[order],
            "da_flag": da[order],
            "offence_date": to_date(offence_day[order]),
            "recorded_date": to_date(recorded_day[order]),
            "arrest_date": to_date(np.where(arrested, arrest_day, np.nan)[order]),
            "outcome_code": code[order].astype("int64"),
            "outcome_date": to_date(np.where(pending, np.nan, outcome_day)[order]),
        }
    )
    suspects = pd.DataFrame(
        {
            "suspect_id": _identifiers("S", scored, 6),
            "harm_score": np.round(harm, 2),
            "focus_flag": focus,
            "focus_date": to_date(np.where(focus, focus_day, np.nan)),
            "focus_end_date": to_date(np.where(focus, focus_end_day, np.nan)),
            "age_band": pd.Series(
                rng.choice(np.array(AGE_BANDS), size=n_scored, p=_AGE_SHARES), dtype="str"
            ),
            "area": pd.Series(
                rng.choice(
                    np.array(list(_AREA_SHARES)), size=n_scored, p=list(_AREA_SHARES.values())
                ),
                dtype="str",
            ),
        }
    )
    sex, ethnicity = draw_sex_and_ethnicity(
        world_rng(seed, DEMOGRAPHICS_STREAM),
        n_scored,
        male_share=MALE_SHARE,
        not_stated_ethnicity=(
            MISSING_ETHNICITY_BY_GROUP if world == "missing_covariates" else NOT_STATED_ETHNICITY
        ),
    )
    suspects["sex"] = pd.Series(sex, dtype="str")
    suspects["ethnicity"] = pd.Series(ethnicity, dtype="str")
    if world == "missing_covariates":
        young = suspects["age_band"].isin(YOUNG_BANDS).to_numpy()
        blank = hostile.random(n_scored) < np.where(young, MISSING_AGE_YOUNG, MISSING_AGE_OLDER)
        suspects["age_band"] = suspects["age_band"].where(~blank)

    truth = {
        "charge_rate_effect_pp": float(settings["charge_effect_pp"]),
        "withdrawal_rate_effect_pp": float(settings["withdrawal_effect_pp"]),
        "decision_hazard_ratio": float(settings["decision_time_ratio"]) ** -WEIBULL_SHAPE,
        "reoffending_harm_effect": 0.0,
        "reoffending_count_effect": 0.0,
        "reoffending_rate_ratio": 1.0,
    }
    if world != FRIENDLY:
        # Effect scales over the samples each estimand refers to; the scale is 1 at the
        # threshold in every world.
        vawg_arrest = arrested & vawg
        focus_period = vawg_arrest & (arrest_day >= (pilot - history_start).days)
        effect = float(settings["charge_effect_pp"])
        if treated.any():
            truth["charge_rate_effect_pp"] = effect * float(effect_scale[treated].mean())
        truth["charge_rate_effect_at_threshold_pp"] = effect
        if focus_period.any():
            truth["charge_rate_ate_pp"] = effect * float(effect_scale[focus_period].mean())
    parameters = {"seed": seed, "scale": scale, **settings, "harm_score_weights": repr(weights)}
    if world != FRIENDLY:
        parameters["world"] = world
    logger.debug("op_focus synthetic: %d suspects, %d crimes", len(suspects), len(crimes))
    return SyntheticData(
        programme="op_focus",
        tables={"suspects": suspects, "crimes": crimes},
        truth=truth,
        extract_date=extract,
        parameters=parameters,
    )
