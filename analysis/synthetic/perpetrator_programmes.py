"""Synthetic extract for the domestic-abuse perpetrator programmes (Drive, Up2U, training).

The world the generator draws (one seed gives the same bytes):

- About 9,000 domestic-abuse (DA) perpetrators at scale 1 come to police notice between
  April 2021 (Drive launched in Dorset in March 2021) and the extract date, 31 March 2026,
  each through a DA crime on their ``identified_date``. Identifications are seasonal
  (a summer peak and a Christmas / New Year peak) and rise slowly year on year.
- Before identification each person has DA incidents as a Poisson process at a rate
  fixed by their DASH risk level, MARAC flag, age band and whether they live in an
  urban area (Bournemouth, Poole, Weymouth and Portland). ``prior_da_incidents``
  counts those of the 24 months before identification; about 62.5% of incidents are
  crimes and appear in ``offences``.
- After identification they offend DA crimes at that rate times
  ``exp(0.08 x prior_da_incidents)`` (state dependence: past incidents predict future
  ones beyond the risk level, so prior incidents confound a naive comparison). The rate
  depends on observed columns alone (no unobserved heterogeneity), so adjusting for
  them identifies the effects, and a Cox model with them estimates the planted hazard
  ratio exactly.
- Referral selects on observed risk: Drive takes high-risk (DASH high) perpetrators,
  more often those heard at MARAC, with many prior incidents, younger, and in the areas
  where the service has most capacity; Up2U takes standard and medium risk, more often
  medium risk and with more prior incidents, and expanded from April 2023. Because
  referral follows high *realised* prior incident counts, the treated's pre-period
  offending is inflated by chance (regression to the mean): a before/after comparison of
  participants alone overstates the effect, and the naive participant/non-participant
  comparison is biased the other way (participants are riskier).
- Referral, start and completion drop people out, more often those with more prior
  incidents and younger people. Some referrals and starts fall after the extract date
  (still awaiting a start; still ongoing), and recent starters' follow-up windows are
  incomplete at the extract date.
- From the start date, a participant's DA offending rate is multiplied by the
  programme's hazard ratio (``drive_hazard_ratio``, ``up2u_hazard_ratio``) for the rest
  of follow-up, whether or not they complete. Non-DA offending is unchanged by either
  programme (``non_da_hazard_ratio`` = 1, the null component: a negative-control outcome).
- DA crimes fall in offence groups with a fixed mix (violence without injury,
  stalking and harassment, violence with injury, ...); harm is the Cambridge Crime Harm
  Index of the group (``data/reference``), so the expected harm of a DA crime is known.
- Costs by financial year: the earlier years (Home Office and OPCC funding) and the
  continuation year 2024/25, whose three lines (Drive, Up2U, training) add up to
  £270,000 at scale 1 (costs scale with ``scale``).
- About 300 frontline practitioners at scale 1 answer a 40-question knowledge
  questionnaire before and after training; training raises the log-odds of a correct
  answer by ``training_logit_gain``; about 8% never return the second questionnaire
  (at random).

- Each person's ``sex`` and ``ethnicity`` come from a stream of their own (see
  :func:`analysis.synthetic.op_focus.draw_sex_and_ethnicity` for the Dorset-like ethnic
  shares and why), so the columns that predate them keep their bytes. About four in five
  DA perpetrators known to the police are male (:data:`MALE_SHARE`). Neither changes
  offending, referral or the effect, so the effect in every group is the planted one.

Truth (``SyntheticData.truth``) holds the exact value, in the generating process, of
each estimand the notebook reports (see :data:`TRUTH_DEFINITIONS`), over exactly the
people the analysis uses (starters whose follow-up window is complete).

That is the *friendly* world, where each design's key assumption holds exactly.
The other named worlds (:data:`WORLDS`) break one assumption each, the way real
data do, and state the truth they plant; their extra randomness comes from a
separate stream, so the friendly world's bytes never depend on them.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import expit

from ..data.codes import AGE_BANDS
from ..data.contracts.perpetrator_programmes import (
    DASH_LEVELS,
    PRACTITIONER_ROLES,
    PROGRAMMES,
    STATUSES,
)
from ..errors import ConfigError
from . import SyntheticData
from ._worlds import FRIENDLY, check_world, world_rng
from .op_focus import (
    DEMOGRAPHICS_STREAM,
    MISSING_AGE_OLDER,
    MISSING_AGE_YOUNG,
    MISSING_ETHNICITY_BY_GROUP,
    NOT_STATED_ETHNICITY,
    YOUNG_BANDS,
    draw_sex_and_ethnicity,
)

logger = logging.getLogger(__name__)

#: Planted effects and behaviours; any can be overridden in ``generate(**effects)``.
DEFAULT_EFFECTS: dict[str, float] = {
    # Multiplier of a Drive participant's DA offending rate from the start date
    # (0.58 gives about a 25% lower 12-month DA reoffending risk for high-risk people).
    "drive_hazard_ratio": 0.58,
    # Multiplier for Up2U participants (about a 10% lower 12-month risk).
    "up2u_hazard_ratio": 0.88,
    # Multiplier of non-DA offending after the start, either programme: none (the null).
    "non_da_hazard_ratio": 1.0,
    # Rise in the log-odds of a correct answer after training (about +13 points).
    "training_logit_gain": 0.6,
    # Strength of selection on prior incidents (log-odds of referral per prior incident).
    "selection_strength": 0.22,
}

#: What each truth key is, exactly. ``{p}`` is ``drive`` or ``up2u``; "analysed
#: participants" are the programme's starters whose start date is at least
#: ``FOLLOW_UP_DAYS`` before the extract date.
TRUTH_DEFINITIONS: dict[str, str] = {
    "{p}_reoffending_12m_difference": (
        "mean over analysed participants of P(DA crime within FOLLOW_UP_DAYS of the start) "
        "with the programme minus without it, in percentage points"
    ),
    "{p}_reoffending_12m_risk_ratio": (
        "mean over analysed participants of that probability with the programme, over the "
        "mean without it"
    ),
    "{p}_reoffence_hazard_ratio": (
        "hazard ratio of a first DA crime, participants against comparable non-participants "
        "(conditional on DASH risk, MARAC, age band and urban area): the planted multiplier"
    ),
    "{p}_harm_did": (
        "mean over analysed participants of the change in expected Crime Harm Index days of "
        "DA crimes per person-quarter in the follow-up year caused by the programme"
    ),
    "{p}_da_offences_did": ("as {p}_harm_did, in DA crimes per person-quarter"),
    "{p}_non_da_offences_did": (
        "as {p}_harm_did, in non-DA crimes per person-quarter (0 by default: the null)"
    ),
    "{p}_placebo_did": (
        "difference-in-differences of DA crimes per person-quarter between the second and "
        "first years before identification: zero (no anticipation). This is the causal "
        "truth: in dip_before_referral the DiD's expectation is not zero, which is what "
        "the placebo check should catch"
    ),
    "training_score_change": (
        "mean over practitioners with both scores of the expected score after minus before"
    ),
    # Stated by every world but the friendly one (whose truth predates them).
    "training_score_change_all_trained": (
        "mean over every practitioner trained of the expected score after minus before "
        "(training_score_change is over those with both scores; in missing_not_at_random "
        "the two differ and only this one is the effect of the training)"
    ),
    "{p}_reoffending_12m_difference_ate": (
        "mean over the programme's risk group (Drive: DASH high; Up2U: standard or medium) "
        "identified at least FOLLOW_UP_DAYS before the extract date of P(DA crime within "
        "FOLLOW_UP_DAYS of identification) had they started the programme on that day, "
        "minus without it, in percentage points: the ATE beside the ATT above. Where the "
        "multiplier varies (heterogeneous_effects), {p}_reoffence_hazard_ratio is its "
        "geometric mean over analysed participants"
    ),
}

#: Named worlds: what fails in each and which design it threatens.
WORLDS: dict[str, str] = {
    FRIENDLY: (
        "every assumption holds: offending depends on observed columns alone, the "
        "programme multiplies everyone's hazard by the same ratio, no spike before referral"
    ),
    "heterogeneous_effects": (
        "the hazard ratio strengthens with prior incidents, the score referral selects on "
        "(ratio ** (0.3 + 0.25 x prior, capped at 2)), so the ATT on participants is larger "
        "than the ATE; threatens reading the matched ATT as the effect of rolling out"
    ),
    "unobserved_confounding": (
        "a trait not in the extract (motivation to change) makes people likelier to be "
        "referred and to start and lowers their offending after identification; threatens "
        "the propensity-matched comparison and the Cox model (the programme looks better)"
    ),
    "dip_before_referral": (
        "three in ten have a transient crisis in the 120 days before identification (extra "
        "incidents that do not persist) and a crisis prompts referral; Ashenfelter's dip: "
        "threatens before/after, the harm DiD and matching on prior incidents"
    ),
    "bursty_hazard": (
        "offending doubles in the 90 days after identification; participants are followed "
        "from their start and comparisons from identification, so windows cover different "
        "shares of the burst; threatens the 12-month comparison and time to reoffence"
    ),
    "missing_not_at_random": (
        "practitioners whose score barely moved rarely return the second "
        "questionnaire, so its blanks are missing not at random; threatens the "
        "complete-case training score change (missing covariates are the "
        "missing_covariates world)"
    ),
    "frailty": (
        "an unobserved gamma frailty multiplies each person's DA rate before and after "
        "identification, so prior incidents only partly measure it; threatens the Cox "
        "model's proportional hazards (its marginal ratio drifts towards 1)"
    ),
    "missing_covariates": (
        "ethnicity is not stated far more often for minority groups than for White people "
        "(missing not at random: 6% of White, 25-40% of others), and age band, a matching "
        "covariate, is blank for a quarter of under-25s and 8% of older people (the young "
        "offend more and are referred more); the effect does not vary, so every truth is "
        "the friendly world's; threatens matching that drops the blanks or reads them as "
        "the reference age band, and breakdowns that drop them"
    ),
}

#: bursty_hazard: days after identification with a doubled DA hazard.
BURST_DAYS = 90

WINDOW_START = pd.Timestamp("2021-04-01")
EXTRACT_DATE = pd.Timestamp("2026-03-31")
#: Length of the reoffending follow-up window the truth refers to (12 months).
FOLLOW_UP_DAYS = 365
#: Days of offending history before identification held in ``offences``.
HISTORY_DAYS = 730
#: Quarters in the follow-up year (person-period panel).
QUARTERS = 4
#: Share of DA incidents that are crimes (the rest are non-crime incidents).
CRIME_SHARE = 0.625

PEOPLE_PER_SCALE = 9000
#: Share of men among DA perpetrators whose sex is stated (police-recorded DA suspects
#: include more women than VAWG suspects do).
MALE_SHARE = 0.8
PRACTITIONERS_PER_SCALE = 300

#: DA crimes by Home Office offence group (shares sum to 1).
DA_OFFENCE_MIX: dict[str, float] = {
    "violence_without_injury": 0.35,
    "stalking_and_harassment": 0.25,
    "violence_with_injury": 0.22,
    "criminal_damage": 0.08,
    "public_order": 0.06,
    "other_sexual_offences": 0.025,
    "rape": 0.015,
}

#: Non-DA crimes by offence group.
NON_DA_OFFENCE_MIX: dict[str, float] = {
    "shoplifting": 0.20,
    "drug_possession": 0.18,
    "criminal_damage": 0.15,
    "public_order": 0.15,
    "violence_without_injury": 0.12,
    "violence_with_injury": 0.06,
    "theft_from_vehicle": 0.05,
    "drug_trafficking": 0.03,
    "possession_of_weapons": 0.03,
    "residential_burglary": 0.03,
}

_AREA_SHARE = {
    "Bournemouth": 0.28,
    "Christchurch": 0.06,
    "Poole": 0.21,
    "East Dorset": 0.10,
    "North Dorset": 0.08,
    "Purbeck": 0.04,
    "West Dorset": 0.13,
    "Weymouth and Portland": 0.10,
}
_URBAN = ("Bournemouth", "Poole", "Weymouth and Portland")
_AGE_SHARE = (0.03, 0.17, 0.30, 0.25, 0.15, 0.10)
_DASH_SHARE = (0.55, 0.28, 0.17)

# Log DA crime rate per year: baseline (standard risk, 35-44, rural, no MARAC) and shifts.
_LOG_RATE_BASE = np.log(0.27)
_LOG_RATE_PRIOR = 0.08
_LOG_RATE_DASH = np.array([0.0, 0.45, 0.95])
_LOG_RATE_AGE = np.array([0.10, 0.25, 0.15, 0.0, -0.30, -0.70])
_LOG_RATE_MARAC = 0.30
_LOG_RATE_URBAN = 0.15
# Non-DA crime rate per year and its shifts (age and DASH high).
_LOG_NON_DA_BASE = np.log(0.35)
_LOG_NON_DA_AGE = np.array([0.40, 0.30, 0.10, 0.0, -0.40, -0.80])
_LOG_NON_DA_HIGH = 0.20

# Referral: log-odds by area (service capacity), separately per programme.
_DRIVE_AREA = {
    "Bournemouth": 0.3,
    "Christchurch": 0.0,
    "Poole": 0.3,
    "East Dorset": -0.2,
    "North Dorset": -0.5,
    "Purbeck": -0.6,
    "West Dorset": -0.3,
    "Weymouth and Portland": 0.1,
}
_UP2U_AREA = {
    "Bournemouth": 0.2,
    "Christchurch": -0.1,
    "Poole": 0.1,
    "East Dorset": -0.2,
    "North Dorset": -0.4,
    "Purbeck": -0.5,
    "West Dorset": 0.0,
    "Weymouth and Portland": 0.3,
}

#: Spending by component and financial year at scale 1 (pounds, cash) and its source.
COSTS: tuple[tuple[str, str, float, str], ...] = (
    ("Drive", "2021/22", 150_000.0, "Home Office DA Perpetrator Fund (launch year)"),
    ("Drive", "2022/23", 155_000.0, "Home Office DA Perpetrator Fund"),
    ("Drive", "2023/24", 160_000.0, "Home Office DA Perpetrator Fund and OPCC"),
    ("Drive", "2024/25", 170_000.0, "OPCC continuation funding"),
    ("Up2U", "2021/22", 55_000.0, "OPCC and local authority"),
    ("Up2U", "2022/23", 60_000.0, "OPCC and local authority"),
    ("Up2U", "2023/24", 75_000.0, "OPCC (expansion)"),
    ("Up2U", "2024/25", 80_000.0, "OPCC continuation funding"),
    ("training", "2023/24", 15_000.0, "OPCC"),
    ("training", "2024/25", 20_000.0, "OPCC continuation funding"),
)
#: Financial year of the continuation funding (the evaluated year).
CONTINUATION_YEAR = "2024/25"

_ROLE_SHARE = (0.40, 0.10, 0.10, 0.15, 0.10, 0.10, 0.05)
_ROLE_LOGIT = (0.0, -0.2, 0.5, 0.3, 0.3, -0.3, -0.4)
QUESTIONS = 40


def _check_effects(effects: dict[str, Any]) -> dict[str, float]:
    """Merge overrides into the defaults, refusing unknown names and impossible values."""
    unknown = set(effects) - set(DEFAULT_EFFECTS)
    if unknown:
        raise ConfigError(
            f"unknown perpetrator_programmes effect(s) {sorted(unknown)}; "
            f"known: {', '.join(DEFAULT_EFFECTS)}"
        )
    params = {**DEFAULT_EFFECTS, **{k: float(v) for k, v in effects.items()}}
    for name in ("drive_hazard_ratio", "up2u_hazard_ratio", "non_da_hazard_ratio"):
        if not params[name] > 0:
            raise ConfigError(f"{name} must be positive (a rate multiplier), got {params[name]}")
    return params


def _days(ts: pd.Timestamp) -> int:
    """Days since the Unix epoch of a timestamp."""
    return int((ts - pd.Timestamp("1970-01-01")).days)


def _to_dates(days: np.ndarray) -> pd.Series:
    """Integer days since the epoch (-1 meaning blank) as a datetime64[us] Series."""
    days = np.asarray(days, dtype=np.int64)
    values = days.astype("datetime64[D]").astype("datetime64[us]")
    values[days < 0] = np.datetime64("NaT")
    return pd.Series(values, dtype="datetime64[us]")


def _seasonal_day_weights(first: int, last: int) -> np.ndarray:
    """Relative rate of identifications per day: summer and Christmas peaks, slow growth."""
    days = np.arange(first, last + 1)
    dates = days.astype("datetime64[D]")
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(int)
    weights = 1 + 0.12 * np.cos(2 * np.pi * (day_of_year - 196) / 365.25)
    festive = (day_of_year >= 353) | (day_of_year <= 1)
    weights = weights * np.where(festive, 1.3, 1.0)
    return weights * (1 + 0.04 * (days - first) / 365.25)


def _poisson_events(
    rng: np.random.Generator,
    person: np.ndarray,
    start: np.ndarray,
    length: np.ndarray,
    rate_per_day: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Events of a Poisson process on (start, start + length] days, per person.

    An event at continuous time ``start + u`` is dated ``start + ceil(u)``, so the
    probability of an event dated within ``d`` whole days of ``start`` is exactly
    ``1 - exp(-rate * d)``.
    """
    length = np.maximum(length, 0)
    counts = rng.poisson(rate_per_day * length)
    owner = np.repeat(person, counts)
    offset = rng.random(counts.sum()) * np.repeat(length, counts)
    dates = np.repeat(start, counts) + np.maximum(np.ceil(offset), 1).astype(np.int64)
    return owner, dates


def _categorical(codes: np.ndarray, categories: Any) -> pd.Series:
    """Integer codes as a ``str`` Series, built in Arrow (fast at national scale)."""
    if not isinstance(categories, np.ndarray):
        categories = np.asarray(list(categories), dtype=object)
    values = pa.array(categories, type=pa.string())
    return pd.Series(pd.array(values.take(pa.array(np.asarray(codes))), dtype="str"))


def _draw_codes(rng: np.random.Generator, shares: Any, n: int) -> np.ndarray:
    """Category codes drawn with the given shares."""
    shares = np.asarray(list(shares), dtype=float)
    return rng.choice(shares.size, size=n, p=shares / shares.sum())


def expected_harm_per_da_crime(harm_weights: dict[str, float]) -> float:
    """Expected Crime Harm Index days of one DA crime in the synthetic world.

    Parameters
    ----------
    harm_weights : dict of str to float
        Harm (days) per offence group; must cover every group of :data:`DA_OFFENCE_MIX`.

    Returns
    -------
    float

    Examples
    --------
    >>> round(expected_harm_per_da_crime({g: 1.0 for g in DA_OFFENCE_MIX}), 6)
    1.0
    """
    missing = [g for g in DA_OFFENCE_MIX if g not in harm_weights]
    if missing:
        raise ConfigError(f"harm weights are missing offence group(s) {missing}")
    return float(sum(share * harm_weights[g] for g, share in DA_OFFENCE_MIX.items()))


def reference_harm_weights() -> dict[str, float]:
    """Cambridge Crime Harm Index days per offence group from ``data/reference``."""
    from ..data import load_reference

    table = load_reference("harm_weights")
    return dict(zip(table["offence_group"], table["chi_days"].astype(float), strict=True))


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate a synthetic perpetrator-programmes extract with planted effects.

    Parameters
    ----------
    seed : int
        Random seed; the same seed and scale give identical tables.
    scale : float
        Volume multiplier: about 9,000 people at 1 (Dorset), 450,000 at 50.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS` (e.g. ``drive_hazard_ratio=1`` for a world
        where Drive does nothing).
    world : str
        Named world (see :data:`WORLDS`); ``"friendly"`` is the world described above.

    Returns
    -------
    SyntheticData
        Tables ``people``, ``offences``, ``programme_costs`` and ``training_scores``
        with raw identifiers, and ``truth`` keyed as in :data:`TRUTH_DEFINITIONS`.

    Examples
    --------
    >>> synth = generate(seed=1, scale=0.2)
    >>> sorted(synth.tables)
    ['offences', 'people', 'programme_costs', 'training_scores']
    >>> synth.truth["drive_reoffence_hazard_ratio"]
    0.58
    >>> synth.truth["drive_reoffending_12m_difference"] < 0
    True
    """
    check_world("perpetrator_programmes", world, WORLDS)
    params = _check_effects(effects)
    rng = np.random.default_rng(seed)
    # A hostile world's own draws come from its own stream (the friendly draws never move).
    hostile = world_rng(seed, world)
    n = max(int(round(PEOPLE_PER_SCALE * scale)), 200)
    first_day, extract_day = _days(WINDOW_START), _days(EXTRACT_DATE)

    # ---- who: identification date, age, area, DASH, MARAC
    weights = _seasonal_day_weights(first_day, extract_day)
    identified = first_day + rng.choice(weights.size, size=n, p=weights / weights.sum())
    identified = np.sort(identified)
    age = _draw_codes(rng, _AGE_SHARE, n)
    areas = list(_AREA_SHARE)
    area = _draw_codes(rng, _AREA_SHARE.values(), n)
    urban = np.isin(area, [areas.index(a) for a in _URBAN])
    dash = _draw_codes(rng, _DASH_SHARE, n)
    marac = rng.random(n) < np.array([0.0, 0.05, 0.65])[dash]

    # ---- offending rates (per day), fixed by the observed covariates alone
    log_rate = (
        _LOG_RATE_BASE
        + _LOG_RATE_DASH[dash]
        + _LOG_RATE_AGE[age]
        + _LOG_RATE_MARAC * marac
        + _LOG_RATE_URBAN * urban
    )
    history_rate = np.exp(log_rate) / 365.25
    if world == "frailty":
        history_rate = history_rate * hostile.gamma(2.0, 0.5, size=n)
    non_da_rate = np.exp(_LOG_NON_DA_BASE + _LOG_NON_DA_AGE[age] + _LOG_NON_DA_HIGH * (dash == 2))
    non_da_rate = non_da_rate / 365.25

    # ---- history: DA incidents in the 24 months before identification
    prior = rng.poisson(history_rate / CRIME_SHARE * HISTORY_DAYS)
    # Offending after identification also rises with the incidents before it (state
    # dependence): prior incidents are a confounder, not only a noisy measure of risk.
    da_rate = history_rate * np.exp(_LOG_RATE_PRIOR * prior)
    prior_owner = np.repeat(np.arange(n), prior)
    prior_dates = identified[prior_owner] - 1 - rng.integers(0, HISTORY_DAYS, prior.sum())
    prior_is_crime = rng.random(prior.sum()) < CRIME_SHARE
    motivation = np.zeros(n)
    crisis = np.zeros(n, dtype=bool)
    if world == "unobserved_confounding":
        motivation = hostile.standard_normal(n)
        # Mean-preserving: E[exp(-0.4 z)] = exp(0.08) for a standard normal z.
        da_rate = da_rate * np.exp(-0.4 * motivation - 0.08)
    elif world == "dip_before_referral":
        # A crisis adds incidents to the last 120 days before identification and none
        # after: da_rate keeps depending on the incidents without it.
        crisis = hostile.random(n) < 0.3
        extra = hostile.poisson(np.where(crisis, 1.5 + 2.0 * history_rate * 365.25, 0.0))
        extra_owner = np.repeat(np.arange(n), extra)
        prior_owner = np.concatenate([prior_owner, extra_owner])
        prior_dates = np.concatenate(
            [prior_dates, identified[extra_owner] - 1 - hostile.integers(0, 120, extra.sum())]
        )
        prior_is_crime = np.concatenate([prior_is_crime, hostile.random(extra.sum()) < CRIME_SHARE])
        prior = prior + extra

    # ---- referral, start, completion
    capped = np.minimum(prior, 12)
    young = age <= 1
    older = age >= 3
    strength = params["selection_strength"]
    drive_area = np.array([_DRIVE_AREA[a] for a in areas])[area]
    up2u_area = np.array([_UP2U_AREA[a] for a in areas])[area]
    launch_ramp = np.clip((identified - first_day) / 180, 0, 1)  # Drive builds up over 6 months
    expansion = identified >= _days(pd.Timestamp("2023-04-01"))
    drive_logit = -2.55 + 1.0 * marac + strength * capped + 0.25 * young + drive_area
    drive_logit = drive_logit + np.log(0.4 + 0.6 * launch_ramp)
    up2u_logit = -4.1 + 1.5 * (dash == 1) + 2.0 * strength * capped + up2u_area + 0.4 * expansion
    if world != FRIENDLY:
        # Motivated people and people in crisis are likelier to be referred (both are
        # zero outside their worlds).
        drive_logit = drive_logit + 0.5 * motivation + 1.0 * crisis
        up2u_logit = up2u_logit + 0.5 * motivation + 1.0 * crisis
    p_referral = np.where(dash == 2, expit(drive_logit), expit(up2u_logit))
    referred_ever = rng.random(n) < p_referral
    is_drive = dash == 2
    referral = identified + 1 + np.floor(rng.gamma(2.0, 7.0, n)).astype(np.int64)
    start_logit = np.where(
        is_drive,
        1.7 - 0.10 * capped + 0.3 * marac - 0.3 * young,
        1.1 - 0.12 * capped + 0.3 * older - 0.3 * young,
    )
    if world == "unobserved_confounding":
        start_logit = start_logit + 0.8 * motivation
    starts_ever = referred_ever & (rng.random(n) < expit(start_logit))
    start = referral + np.where(
        is_drive,
        1 + np.floor(rng.gamma(2.0, 10.0, n)),
        7 + np.floor(rng.gamma(2.0, 14.0, n)),
    ).astype(np.int64)
    planned_sessions = np.where(is_drive, 0, rng.integers(6, 41, n))
    planned_days = np.where(
        is_drive, rng.integers(240, 401, n), np.ceil(planned_sessions * 7 * 1.3)
    ).astype(np.int64)
    dropout_logit = np.where(
        is_drive,
        -0.9 + 0.12 * capped + 0.4 * young - 0.3 * older,
        -0.7 + 0.10 * capped + 0.5 * young - 0.3 * older,
    )
    drops = rng.random(n) < expit(dropout_logit)
    completed_fraction = np.where(drops, rng.uniform(0.1, 0.9, n), 1.0)
    end = start + np.ceil(planned_days * completed_fraction).astype(np.int64)

    is_referred = referred_ever & (referral <= extract_day)
    is_started = is_referred & starts_ever & (start <= extract_day)
    is_ended = is_started & (end <= extract_day)
    closure = referral + 30  # a referral that never starts is closed about a month later
    programme_code = np.where(is_referred, np.where(is_drive, 0, 1), 2)
    status_code = np.zeros(n, dtype=np.int64)  # STATUSES order: not_referred first
    status_code[is_referred] = STATUSES.index("referred")
    status_code[is_referred & ~starts_ever & (closure <= extract_day)] = STATUSES.index(
        "not_started"
    )
    status_code[is_started] = STATUSES.index("ongoing")
    status_code[is_ended & drops] = STATUSES.index("dropped_out")
    status_code[is_ended & ~drops] = STATUSES.index("completed")

    elapsed = np.where(is_ended, end, extract_day) - start
    sessions = np.where(
        is_drive,
        rng.poisson(np.maximum(elapsed, 0) / 14.0),
        np.minimum(
            planned_sessions,
            np.floor(np.maximum(elapsed, 0) / (7 * 1.3)).astype(np.int64),
        ),
    )
    sessions = np.where(is_started, np.maximum(sessions, 1), 0)

    # ---- DA crimes after identification: rate unchanged until the start, then x HR
    hazard_ratio = np.where(is_drive, params["drive_hazard_ratio"], params["up2u_hazard_ratio"])
    if world == "heterogeneous_effects":
        hazard_ratio = hazard_ratio ** np.minimum(0.3 + 0.25 * capped, 2.0)
    effect_from = np.where(is_started, start, extract_day)
    people = np.arange(n)
    owner_a, dates_a = _poisson_events(rng, people, identified, effect_from - identified, da_rate)
    owner_b, dates_b = _poisson_events(
        rng, people, effect_from, extract_day - effect_from, da_rate * hazard_ratio
    )
    non_da_ratio = np.where(is_started, params["non_da_hazard_ratio"], 1.0)
    owner_c, dates_c = _poisson_events(
        rng,
        people,
        identified - HISTORY_DAYS - 1,
        effect_from - identified + HISTORY_DAYS + 1,
        non_da_rate,
    )
    owner_d, dates_d = _poisson_events(
        rng, people, effect_from, extract_day - effect_from, non_da_rate * non_da_ratio
    )
    if world == "bursty_hazard":
        # A second process at the same rate over the burst doubles the hazard there.
        burst_end = np.minimum(identified + BURST_DAYS, extract_day)
        owner_e, dates_e = _poisson_events(
            hostile, people, identified, np.minimum(burst_end, effect_from) - identified, da_rate
        )
        owner_f, dates_f = _poisson_events(
            hostile, people, effect_from, burst_end - effect_from, da_rate * hazard_ratio
        )
        owner_b = np.concatenate([owner_b, owner_e, owner_f])
        dates_b = np.concatenate([dates_b, dates_e, dates_f])
    da_owner = np.concatenate([people, prior_owner[prior_is_crime], owner_a, owner_b])
    da_dates = np.concatenate([identified, prior_dates[prior_is_crime], dates_a, dates_b])
    non_da_owner = np.concatenate([owner_c, owner_d])
    non_da_dates = np.concatenate([dates_c, dates_d])
    group_names = list(dict.fromkeys([*DA_OFFENCE_MIX, *NON_DA_OFFENCE_MIX]))
    da_codes = np.array([group_names.index(g) for g in DA_OFFENCE_MIX])
    non_da_codes = np.array([group_names.index(g) for g in NON_DA_OFFENCE_MIX])
    owner = np.concatenate([da_owner, non_da_owner])
    day = np.concatenate([da_dates, non_da_dates])
    group = np.concatenate(
        [
            da_codes[_draw_codes(rng, DA_OFFENCE_MIX.values(), da_owner.size)],
            non_da_codes[_draw_codes(rng, NON_DA_OFFENCE_MIX.values(), non_da_owner.size)],
        ]
    )
    da_flag = np.concatenate([np.ones(da_owner.size, bool), np.zeros(non_da_owner.size, bool)])
    keep = day <= extract_day
    order = np.lexsort((owner[keep], day[keep]))
    owner, day, group, da_flag = (x[keep][order] for x in (owner, day, group, da_flag))

    # ---- identifiers as an extract holds them
    person_numbers = 1_000_000 + rng.permutation(n)
    person_id = "N" + pd.Series(person_numbers).astype(str)
    offence_id = "CR" + pd.Series(np.arange(owner.size) + 10_000_000).astype(str)

    people_table = pd.DataFrame(
        {
            "person_id": person_id,
            "programme": _categorical(programme_code, PROGRAMMES),
            "identified_date": _to_dates(identified),
            "referral_date": _to_dates(np.where(is_referred, referral, -1)),
            "start_date": _to_dates(np.where(is_started, start, -1)),
            "end_date": _to_dates(np.where(is_ended, end, -1)),
            "status": _categorical(status_code, STATUSES),
            "sessions_attended": sessions.astype(np.int64),
            "dash_risk": _categorical(dash, DASH_LEVELS),
            "marac_flag": marac,
            "age_band": _categorical(age, AGE_BANDS),
            "area": _categorical(area, _AREA_SHARE),
            "prior_da_incidents": prior.astype(np.int64),
        }
    )
    sex, ethnicity = draw_sex_and_ethnicity(
        world_rng(seed, DEMOGRAPHICS_STREAM),
        n,
        male_share=MALE_SHARE,
        not_stated_ethnicity=(
            MISSING_ETHNICITY_BY_GROUP if world == "missing_covariates" else NOT_STATED_ETHNICITY
        ),
    )
    people_table["sex"] = pd.Series(sex, dtype="str")
    people_table["ethnicity"] = pd.Series(ethnicity, dtype="str")
    if world == "missing_covariates":
        young = people_table["age_band"].isin(YOUNG_BANDS).to_numpy()
        blank = hostile.random(n) < np.where(young, MISSING_AGE_YOUNG, MISSING_AGE_OLDER)
        people_table["age_band"] = people_table["age_band"].where(~blank)
    offences_table = pd.DataFrame(
        {
            "offence_id": offence_id,
            "person_id": _categorical(owner, person_id.to_numpy(dtype=object)),
            "offence_date": _to_dates(day),
            "offence_group": _categorical(group, group_names),
            "da_flag": da_flag,
        }
    )
    costs_table = pd.DataFrame(
        [
            {"programme": p, "financial_year": fy, "cost_gbp": cost * scale, "notes": note}
            for p, fy, cost, note in COSTS
        ]
    )
    training_table, training_truth, training_all = _draw_training(
        rng, scale, params, world, hostile
    )

    # ---- truth over the people the analysis uses
    truth: dict[str, float] = {"training_score_change": training_truth}
    if world != FRIENDLY:
        truth["training_score_change_all_trained"] = training_all
    complete = is_started & (start + FOLLOW_UP_DAYS <= extract_day)
    harm_per_crime = expected_harm_per_da_crime(reference_harm_weights())
    for slug, name, in_programme in (("drive", "Drive", is_drive), ("up2u", "Up2U", ~is_drive)):
        ratio = params[f"{slug}_hazard_ratio"]
        analysed = complete & in_programme
        truth[f"{slug}_reoffence_hazard_ratio"] = ratio
        truth[f"{slug}_placebo_did"] = 0.0
        if world != FRIENDLY:
            truth.update(
                _hostile_truth(
                    slug, world, analysed, in_programme, identified, start, extract_day,
                    da_rate, non_da_rate, hazard_ratio, params["non_da_hazard_ratio"],
                    harm_per_crime,
                )
            )  # fmt: skip
            continue
        if not analysed.any():
            logger.warning("no %s participant has a complete follow-up window", name)
            continue
        expected_crimes = da_rate[analysed] * FOLLOW_UP_DAYS
        risk_without = 1 - np.exp(-expected_crimes)
        risk_with = 1 - np.exp(-expected_crimes * ratio)
        truth[f"{slug}_reoffending_12m_difference"] = float(100 * np.mean(risk_with - risk_without))
        truth[f"{slug}_reoffending_12m_risk_ratio"] = float(risk_with.mean() / risk_without.mean())
        crimes_change = float(np.mean(expected_crimes) * (ratio - 1) / QUARTERS)
        truth[f"{slug}_da_offences_did"] = crimes_change
        truth[f"{slug}_harm_did"] = crimes_change * harm_per_crime
        truth[f"{slug}_non_da_offences_did"] = float(
            np.mean(non_da_rate[analysed] * FOLLOW_UP_DAYS)
            * (params["non_da_hazard_ratio"] - 1)
            / QUARTERS
        )

    return SyntheticData(
        programme="perpetrator_programmes",
        tables={
            "people": people_table,
            "offences": offences_table,
            "programme_costs": costs_table,
            "training_scores": training_table,
        },
        truth=truth,
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, **params}
        | ({} if world == FRIENDLY else {"world": world}),
    )


def _hostile_truth(
    slug: str,
    world: str,
    analysed: np.ndarray,
    in_programme: np.ndarray,
    identified: np.ndarray,
    start: np.ndarray,
    extract_day: int,
    da_rate: np.ndarray,
    non_da_rate: np.ndarray,
    hazard_ratio: np.ndarray,
    non_da_ratio: float,
    harm_per_crime: float,
) -> dict[str, float]:
    """A programme's truth in a hostile world, from each person's own rate and multiplier.

    The expected DA crimes without the programme over a window are the rate times the
    window's days plus the days it shares with the burst after identification (the
    hazard is doubled there in ``bursty_hazard``, so those days count twice).
    """
    truth: dict[str, float] = {}
    burst = BURST_DAYS if world == "bursty_hazard" else 0
    eligible = in_programme & (identified + FOLLOW_UP_DAYS <= extract_day)
    if eligible.any():
        # The ATE: everyone in the risk group, starting on their identification day.
        expected = da_rate[eligible] * (FOLLOW_UP_DAYS + burst)
        change = np.exp(-expected) - np.exp(-expected * hazard_ratio[eligible])
        truth[f"{slug}_reoffending_12m_difference_ate"] = float(100 * change.mean())
    if not analysed.any():
        logger.warning("no %s participant has a complete follow-up window", slug)
        return truth
    overlap = np.clip(identified + burst - start, 0, FOLLOW_UP_DAYS)[analysed]
    expected = da_rate[analysed] * (FOLLOW_UP_DAYS + overlap)
    ratio = hazard_ratio[analysed]
    risk_without = 1 - np.exp(-expected)
    risk_with = 1 - np.exp(-expected * ratio)
    truth[f"{slug}_reoffence_hazard_ratio"] = float(np.exp(np.mean(np.log(ratio))))
    truth[f"{slug}_reoffending_12m_difference"] = float(100 * np.mean(risk_with - risk_without))
    truth[f"{slug}_reoffending_12m_risk_ratio"] = float(risk_with.mean() / risk_without.mean())
    crimes_change = float(np.mean(expected * (ratio - 1)) / QUARTERS)
    truth[f"{slug}_da_offences_did"] = crimes_change
    truth[f"{slug}_harm_did"] = crimes_change * harm_per_crime
    truth[f"{slug}_non_da_offences_did"] = float(
        np.mean(non_da_rate[analysed] * FOLLOW_UP_DAYS) * (non_da_ratio - 1) / QUARTERS
    )
    return truth


def _draw_training(
    rng: np.random.Generator,
    scale: float,
    params: dict[str, float],
    world: str = FRIENDLY,
    hostile: np.random.Generator | None = None,
) -> tuple[pd.DataFrame, float, float]:
    """Practitioners' knowledge scores before and after training, and the true mean changes.

    Returns the table, the mean expected change over practitioners with both scores and
    the same over everyone trained. In ``missing_not_at_random`` whether the second
    questionnaire comes back depends on the score it would show (those who gained little
    stay away),
    drawn from ``hostile``, the world's own stream.
    """
    n = max(int(round(PRACTITIONERS_PER_SCALE * scale)), 20)
    role = _draw_codes(rng, _ROLE_SHARE, n)
    area = _draw_codes(rng, _AREA_SHARE.values(), n)
    logit = 0.1 + np.array(_ROLE_LOGIT)[role] + rng.normal(0, 0.5, n)
    p_before = expit(logit)
    p_after = expit(logit + params["training_logit_gain"])
    before = 100 * rng.binomial(QUESTIONS, p_before) / QUESTIONS
    after = 100 * rng.binomial(QUESTIONS, p_after) / QUESTIONS
    returned = rng.random(n) >= 0.08
    if world == "missing_not_at_random":
        # Those whose score barely moved (or fell) mostly stay away: the log-odds of
        # returning rise by 0.12 per point gained.
        returned = hostile.random(n) < expit(1.0 + 0.12 * (after - before - 13))
    first, last = _days(pd.Timestamp("2023-05-01")), _days(pd.Timestamp("2025-12-15"))
    table = pd.DataFrame(
        {
            "practitioner_id": "S" + pd.Series(100_000 + rng.permutation(n)).astype(str),
            "role": _categorical(role, PRACTITIONER_ROLES),
            "area": _categorical(area, _AREA_SHARE),
            "score_before": before,
            "score_after": np.where(returned, after, np.nan),
            "training_date": _to_dates(np.sort(rng.integers(first, last + 1, n))),
        }
    )
    truth = float(np.mean(100 * (p_after - p_before)[returned]))
    return table, truth, float(np.mean(100 * (p_after - p_before)))
