"""Synthetic victim services extracts at Dorset scale, with planted effects and honest traps.

The world, in the order the generator builds it:

- Police record domestic abuse and sexual offences against identified victims over two
  years (one index crime per victim), each with a DASH risk level and the victim's DA
  incidents in the previous 12 months.
- **Selection into support.** Higher-risk victims with more history are referred more
  often (within 28 days of the crime), and they are also the ones more likely to withdraw
  and to be victimised again: a naive comparison makes support look harmful for repeat
  victimisation, as in the London specialist court study. Selection is on the recorded
  risk and history only, so matching on them removes it.
- **Planted effects of support** (from the 28-day landmark): victim withdrawal (outcome
  16) falls by ``withdrawal_pp`` points, charge rises by ``charge_pp`` points (both on the
  probability scale, floored at 0.5%), and the hazard of the next DA incident is
  multiplied by ``repeat_hazard_ratio`` given risk and history.
- **The service change** (pan-Dorset IDVA service from ``SERVICE_CHANGE``): days from
  referral to first contact fall by ``first_contact_change_days`` and engagement rises
  by ``engagement_change_pp`` points.
- **MARAC cases with no index crime** (:data:`MARAC_ONLY_CASES_PER_YEAR`): high-risk
  victims referred to the IDVA service through MARAC after an incident with no crime
  recorded, or by health or children's services. They bring MARAC volume to about 38
  cases a year per 10,000 adult women, near the benchmark of 40; they are contacted
  sooner and engage less than other referrals, and the service change moves them by the
  same planted amounts.
- **Missing exits.** Victims whose abuse has not stopped disengage more often, and a
  disengaged case has no exit measures: the complete-case share with abuse ceased is too
  high. Observation is monotone in the service change (anyone whose exit would be
  recorded before it would be recorded after), so Lee bounds apply to that comparison.

``truth`` holds each estimand's planted value in the generated sample (averages over the
supported victims for the matched differences), so a test can check the intervals
(:data:`TRUTH_DEFINITIONS`).

That is the *friendly* world, where each design's key assumption holds exactly. The
other named worlds (:data:`WORLDS`) break one assumption each, the way a real extract
plausibly would; the extra randomness they need comes from their own stream
(:func:`~analysis.synthetic._worlds.world_rng`), so the friendly world's bytes never
depend on them. Every world plants the same effects of support and of the service
change, so its truth has the same keys and meaning.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ..data.codes import AGE_BANDS, AREAS
from ..data.contracts.victim_services import ETHNICITIES, NOT_RECORDED
from ..errors import ConfigError
from . import SyntheticData
from ._worlds import FRIENDLY, check_world, world_rng

#: Index crimes (victims) at scale 1: two years of Dorset DA and sexual offences with an
#: identified victim (about 2,300 a year).
VICTIMS_PER_SCALE = 4600

#: Self-referrals and other referrals with no police record, as a share of police-linked cases.
UNLINKED_CASE_SHARE = 0.35

#: Date the synthetic extract is taken; the window is the two years before it.
EXTRACT_DATE = pd.Timestamp("2026-03-31")
WINDOW_START = pd.Timestamp("2024-04-01")

#: Start of the pan-Dorset IDVA service in the synthetic world.
SERVICE_CHANGE = pd.Timestamp("2025-04-01")

#: Days after the crime within which a referral counts as support (the grace period).
SUPPORT_WINDOW_DAYS = 28

DEFAULT_EFFECTS: dict[str, float] = {
    # Change in the probability of outcome 16 for supported victims, percentage points.
    "withdrawal_pp": -8.0,
    # Change in the probability of a charge (outcome 1) for supported victims, points.
    "charge_pp": 5.0,
    # Hazard ratio of the next DA incident, supported against not, given risk and history.
    "repeat_hazard_ratio": 0.75,
    # Change in mean days from referral to first contact after the service change.
    "first_contact_change_days": -3.0,
    # Change in the share engaged (two or more contacts) after the service change, points.
    "engagement_change_pp": 6.0,
    # Strength of selection: log-odds of referral per risk step (0 = no selection).
    "selection": 1.0,
}

#: Services of referrals with no police record (self and agency referrals).
SERVICES_UNLINKED = ("IDVA", "ISVA", "counselling", "course")

#: What each planted-truth key means (the estimand a test checks an interval against).
TRUTH_DEFINITIONS: dict[str, str] = {
    "withdrawal_difference_pp": (
        "mean over victims supported within the grace period of the change support made to "
        "their probability of outcome 16, points (the matched comparison's ATT)"
    ),
    "charge_difference_pp": "the same for a charge (outcome 1), points",
    "repeat_hazard_ratio": (
        "hazard ratio of the next DA incident, supported against not, given risk, history "
        "and (in the unobserved_confounding world) the unmeasured trait"
    ),
    "first_contact_change_days": (
        "change in a referral's expected days to first contact at the service change, "
        "holding the mix of referrals fixed"
    ),
    "engagement_change_pp": (
        "change in a referral's probability of engaging at the service change, holding the "
        "mix of referrals fixed, points"
    ),
    "withdrawal_change_pp": "change in withdrawal at the service change: none is planted",
    "abuse_ceased_share": "share of closed cases whose abuse had ceased, recorded or not",
    "abuse_ceased_after_change_pp": (
        "change in abuse ceased after the service change among IDVA cases whose exit would "
        "be recorded either way (the Lee-bounds estimand), points"
    ),
}

#: The named worlds: the friendly one, and one for each key assumption a design rests on.
WORLDS: dict[str, str] = {
    FRIENDLY: (
        "every assumption holds: referral depends on recorded risk and history alone, the "
        "police DASH level is the one assessed at the crime, support starts within the "
        "grace period, and the mix of referrals is steady across the service change"
    ),
    "unobserved_confounding": (
        "a trait the extract does not hold (a safe support network, readiness to engage) "
        "makes victims likelier to be referred and lowers withdrawal and repeat "
        "victimisation; threatens every matched comparison (support looks better)"
    ),
    "risk_reassessed_when_busy": (
        "when services are busy (the first six months of the pan-Dorset service, each "
        "summer and December) advisers re-run the DASH at intake to triage, and the "
        "re-assessment, a step higher for seven in ten, overwrites the level on the police "
        "record; matching on the recorded level then pairs supported victims with "
        "higher-risk comparisons (support looks better)"
    ),
    "referral_lag": (
        "referrals lag: supported victims are referred a median of about 24 days after the "
        "crime, so many fall after the 28-day grace period and sit in the comparison group "
        "while support reaches them during its follow-up; threatens the target trial's "
        "classification of support (the comparison is part supported)"
    ),
    "marac_volume_change": (
        "MARAC volume doubles with the pan-Dorset service: more of the referrals after the "
        "change are high-risk MARAC cases, contacted sooner and engaging less, so the "
        "monthly series move with the case mix as well as the service; threatens the "
        "interrupted time series"
    ),
}

#: MARAC cases a year at scale 1 that reach the IDVA service without an index crime in the
#: extract (referred from DA incidents with no crime recorded, health, children's
#: services and repeat MARACs). With the police-linked MARAC referrals (about 170 a year)
#: they make about 1,200 MARAC cases a year, 36 per 10,000 of Dorset's 330,000 adult
#: women: near the England and Wales average SafeLives reports and below its
#: recommended 40, which most areas do not reach.
MARAC_ONLY_CASES_PER_YEAR = 1030

#: Expected days from referral to first contact before the service change: ordinary
#: referrals, and high-risk MARAC cases (contacted within a couple of working days).
MEAN_DAYS_TO_CONTACT = 6.0
MEAN_DAYS_TO_CONTACT_MARAC = 4.0

#: Probability of engaging (two or more contacts) before the service change.
ENGAGED_PROBABILITY = 0.72
ENGAGED_PROBABILITY_MARAC = 0.62

#: Months in which services are busy in the risk_reassessed_when_busy world (summer and
#: December), besides the first six months of the pan-Dorset service.
BUSY_MONTHS = (6, 7, 8, 12)

_RISK_SHARES = {"standard": 0.5, "medium": 0.35, "high": 0.15}
_OTHER_OUTCOMES = np.array([8, 10, 14, 15, 18, 21])


def _risk_score(risk: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Linear predictor shared by referral, withdrawal and repeat: risk step and history."""
    step = np.select([risk == "medium", risk == "high"], [1.0, 2.0], 0.0)
    return step + 0.25 * prior


def _busy(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Whether services are busy on each date (risk_reassessed_when_busy world)."""
    dates = pd.DatetimeIndex(dates)
    settling = (dates >= SERVICE_CHANGE) & (dates < SERVICE_CHANGE + pd.DateOffset(months=6))
    return np.asarray(settling | dates.month.isin(BUSY_MONTHS))


def _time_to_repeat(
    unit: np.ndarray, hazard: np.ndarray, ratio: float, from_day: np.ndarray
) -> np.ndarray:
    """Days from the landmark to the next incident when support changes the hazard midway.

    Support multiplies the hazard by ``ratio`` from ``from_day`` (days after the
    landmark; zero or less: from the landmark; NaN: never). ``unit`` holds standard
    exponential draws, inverted through the piecewise-constant cumulative hazard.
    """
    start = np.where(np.isnan(from_day), np.inf, np.maximum(from_day, 0.0))
    before = hazard * start
    # Never supported: inf - inf in the branch np.where then discards.
    with np.errstate(invalid="ignore"):
        after = start + (unit - before) / (hazard * ratio)
    return np.where(unit < before, unit / hazard, after)


def _case_records(
    cases: pd.DataFrame,
    rng: np.random.Generator,
    params: dict[str, float],
    *,
    marac_only: bool,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Contact, engagement and exits of referred cases, with the potential exit outcomes.

    ``marac_only`` cases (high-risk MARAC referrals) are contacted sooner and engage less;
    the service change moves both kinds by the same planted amounts.
    """
    k = len(cases)
    cases = cases.copy()
    cases["sex"] = rng.choice(["female", "male", NOT_RECORDED], k, p=[0.86, 0.12, 0.02])
    cases["ethnicity"] = rng.choice(ETHNICITIES, k, p=[0.88, 0.03, 0.015, 0.02, 0.01, 0.045])
    after = np.asarray(cases["referral_date"] >= SERVICE_CHANGE)

    # Time to first contact and engagement, moved by the service change.
    base_days = MEAN_DAYS_TO_CONTACT_MARAC if marac_only else MEAN_DAYS_TO_CONTACT
    mean_days = base_days + np.where(after, params["first_contact_change_days"], 0.0)
    days_to_contact = np.round(rng.gamma(2.0, np.maximum(mean_days, 0.5) / 2.0))
    reached = rng.random(k) < 0.93
    first_contact = cases["referral_date"] + pd.to_timedelta(days_to_contact, unit="D")
    reached &= np.asarray(first_contact <= EXTRACT_DATE)
    base_engaged = ENGAGED_PROBABILITY_MARAC if marac_only else ENGAGED_PROBABILITY
    engaged_probability = base_engaged + np.where(after, params["engagement_change_pp"] / 100, 0.0)
    engaged = reached & (rng.random(k) < engaged_probability)
    contacts = np.where(engaged, 2 + rng.poisson(5, k), np.where(reached, 1, 0))

    # Exits: engaged cases close after about three months; the rest close as declined.
    length = rng.gamma(3.0, 30.0, k).round()
    exit_date = first_contact + pd.to_timedelta(length, unit="D")
    closed = np.asarray(exit_date <= EXTRACT_DATE) & reached
    # Potential outcomes for the service-change comparison: abuse ceased before (y0) and
    # after (y1 >= y0), and whether the exit would be recorded (monotone: u below a
    # threshold that is higher after the change for either outcome).
    y0 = rng.random(k) < 0.55
    y1 = y0 | (rng.random(k) < 0.12)
    u = rng.random(k)
    recorded_0 = u < np.where(y0, 0.85, 0.5)
    recorded_1 = u < np.where(y1, 0.9, 0.6)
    ceased = np.where(after, y1, y0)
    recorded = np.where(after, recorded_1, recorded_0)
    exit_reason = np.where(
        ~closed,
        None,
        np.where(
            recorded,
            "completed",
            rng.choice(["disengaged", "moved away", "declined support"], k, p=[0.8, 0.1, 0.1]),
        ),
    )
    asked = closed & recorded
    risk_reduced = ceased | (rng.random(k) < 0.3)
    cope = ceased | (rng.random(k) < 0.5)
    satisfied = rng.random(k) < 0.85

    def measure(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype="boolean").where(asked)

    records = pd.DataFrame(
        {
            "victim_id": cases["victim_id"].to_numpy(),
            "service": cases["service"].to_numpy(),
            "referral_date": cases["referral_date"].to_numpy(),
            "referral_source": cases["referral_source"].to_numpy(),
            "area": cases["area"].to_numpy(),
            "age_band": cases["age_band"].to_numpy(),
            "sex": cases["sex"].to_numpy(),
            "ethnicity": cases["ethnicity"].to_numpy(),
            "dash_risk": cases["dash_risk"].to_numpy(),
            "marac_referral": cases["marac"].to_numpy(dtype=bool),
            "first_contact_date": first_contact.where(reached),
            "contacts": contacts.astype(int),
            "exit_date": exit_date.where(closed),
            "exit_reason": exit_reason,
            "abuse_ceased": measure(ceased),
            "risk_reduced": measure(risk_reduced),
            "cope_recover": measure(cope),
            "satisfied": measure(satisfied),
        }
    )
    potential = {
        "closed": closed,
        "ceased": ceased,
        "y0": y0,
        "y1": y1,
        "recorded_0": recorded_0,
        "recorded_1": recorded_1,
    }
    return records, potential


def _marac_only_referrals(
    rng: np.random.Generator, count: int, start: pd.Timestamp, prefix: str
) -> pd.DataFrame:
    """High-risk MARAC referrals to the IDVA service with no index crime in the extract.

    ``count`` referrals, dated uniformly from ``start`` to the extract date.
    """
    days = (EXTRACT_DATE - start).days
    return pd.DataFrame(
        {
            "victim_id": [f"{prefix}{i:06d}" for i in range(1, count + 1)],
            "referral_date": start + pd.to_timedelta(rng.integers(0, days, count), unit="D"),
            "service": "IDVA",
            "referral_source": "MARAC",
            "area": rng.choice(AREAS, count),
            "age_band": rng.choice(AGE_BANDS, count, p=[0.04, 0.2, 0.32, 0.24, 0.13, 0.07]),
            # Most MARAC cases are high risk on the DASH; the rest are referred on
            # professional judgement or escalation.
            "dash_risk": rng.choice(["high", "medium"], count, p=[0.9, 0.1]),
            "marac": np.ones(count, dtype=bool),
        }
    )


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate synthetic victim services extracts with planted effects.

    Parameters
    ----------
    seed : int
        Random seed; the same seed, scale and world give identical tables.
    scale : float
        Volume multiplier: about 4,600 index crimes over two years at 1.
    world : str
        Named world (see :data:`WORLDS`); ``"friendly"`` is the world described above.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        Tables ``cases``, ``offences`` and ``incidents`` with raw identifiers; ``truth``
        keyed as in :data:`TRUTH_DEFINITIONS`.

    Examples
    --------
    >>> synth = generate(seed=1, scale=0.2)
    >>> sorted(synth.tables), synth.truth["repeat_hazard_ratio"]
    (['cases', 'incidents', 'offences'], 0.75)
    >>> generate(seed=1, scale=0.2, world="referral_lag").truth["repeat_hazard_ratio"]
    0.75
    """
    check_world("victim_services", world, WORLDS)
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown victim_services effect(s) {unknown}; known: "
            f"{', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    params = {**DEFAULT_EFFECTS, **{name: float(value) for name, value in effects.items()}}
    if params["repeat_hazard_ratio"] <= 0:
        raise ConfigError("repeat_hazard_ratio must be positive")
    rng = np.random.default_rng(seed)
    # A hostile world's own draws come from its own stream (the friendly draws never move).
    hostile = world_rng(seed, world)
    n = max(int(round(VICTIMS_PER_SCALE * scale)), 200)
    window_days = (EXTRACT_DATE - WINDOW_START).days

    # ---------------------------------------------------------------- police offences
    victim_ids = np.array([f"VP{i:06d}" for i in range(1, n + 1)])
    offence_date = WINDOW_START + pd.to_timedelta(rng.integers(0, window_days, n), unit="D")
    risk = rng.choice(list(_RISK_SHARES), size=n, p=list(_RISK_SHARES.values()))
    step = np.select([risk == "medium", risk == "high"], [1.0, 2.0], 0.0)
    prior = rng.poisson(0.4 + 0.8 * step)
    score = _risk_score(risk, prior)
    sexual = rng.random(n) < 0.18
    age_band = rng.choice(AGE_BANDS, size=n, p=[0.04, 0.18, 0.3, 0.24, 0.15, 0.09])
    area = rng.choice(AREAS, size=n)
    recorded_risk = np.where(rng.random(n) < 0.03, NOT_RECORDED, risk)

    # An unmeasured trait (unobserved_confounding): likelier referral, better outcomes.
    trait = hostile.normal(size=n) if world == "unobserved_confounding" else np.zeros(n)

    # Support: a referral within the grace period, more likely for higher-risk victims.
    referral_draw = rng.random(n)
    supported = referral_draw < special.expit(-1.9 + params["selection"] * score + trait)
    days_to_referral = np.where(
        supported,
        rng.integers(0, SUPPORT_WINDOW_DAYS, n),
        # A few unsupported victims are referred later: they stay in the comparison group.
        np.where(rng.random(n) < 0.06, rng.integers(60, 300, n), -1),
    )
    # Victims whom support reaches, and when (days after the crime).
    support_effect = supported.copy()
    if world == "referral_lag":
        # Busy services: a referral takes a median of about 24 days (mean 30; 43% come
        # after the grace period), and support reaches every referred victim from the day
        # of their referral.
        lag = np.round(hostile.gamma(1.5, 20.0, n)).astype(int)
        days_to_referral = np.where(supported, lag, days_to_referral)
        support_effect = days_to_referral >= 0
        supported = support_effect & (days_to_referral < SUPPORT_WINDOW_DAYS)

    # Outcome codes: withdrawal and charge depend on risk; support moves both.
    withdrawal_0 = special.expit(-1.0 + 0.35 * score - 0.6 * trait)
    charge_0 = np.full(n, 0.12)
    withdrawal_1 = np.clip(withdrawal_0 + params["withdrawal_pp"] / 100, 0.005, 0.9)
    charge_1 = np.clip(charge_0 + params["charge_pp"] / 100, 0.005, 0.9)
    # A referral more than 90 days after the crime comes after the decision to prosecute.
    decided_with_support = support_effect & (days_to_referral < 90)
    if world != "referral_lag":
        decided_with_support = supported
    withdrawal = np.where(decided_with_support, withdrawal_1, withdrawal_0)
    charge = np.where(decided_with_support, charge_1, charge_0)
    draw = rng.random(n)
    outcome_code = np.where(
        draw < withdrawal,
        16,
        np.where(draw < withdrawal + charge, 1, rng.choice(_OTHER_OUTCOMES, n)),
    )
    # Outcomes pending at random (not related to anything): excluded from rates.
    outcome_code = np.where(rng.random(n) < 0.07, 0, outcome_code)

    # Re-assessment at intake when services are busy overwrites the police DASH level.
    if world == "risk_reassessed_when_busy":
        referral_day = offence_date + pd.to_timedelta(np.maximum(days_to_referral, 0), unit="D")
        upgraded = (
            supported
            & _busy(referral_day)
            & (recorded_risk != NOT_RECORDED)
            & (recorded_risk != "high")
            & (hostile.random(n) < 0.7)
        )
        recorded_risk = np.where(
            upgraded, np.where(recorded_risk == "standard", "medium", "high"), recorded_risk
        )

    offences = pd.DataFrame(
        {
            "crime_id": [f"CR{i:07d}" for i in range(1, n + 1)],
            "victim_id": victim_ids,
            "offence_date": offence_date,
            "offence_type": np.where(sexual, "sexual_offence", "domestic_abuse"),
            "dash_risk": recorded_risk,
            "prior_incidents": prior,
            "age_band": age_band,
            "area": area,
            "outcome_code": outcome_code.astype(int),
        }
    )

    # ---------------------------------------------------------------- repeat incidents
    # The next DA incident after the 28-day landmark: exponential given risk and history.
    base_hazard = (0.25 / 365) * np.exp(0.45 * score - 0.5 * trait)
    hazard = base_hazard * np.where(supported, params["repeat_hazard_ratio"], 1.0)
    landmark = offence_date + pd.Timedelta(days=SUPPORT_WINDOW_DAYS)
    waiting = rng.exponential(1 / hazard)
    if world == "referral_lag":
        # Support multiplies the hazard from the referral on, whenever it came.
        from_day = np.where(support_effect, days_to_referral - SUPPORT_WINDOW_DAYS, np.nan).astype(
            float
        )
        waiting = _time_to_repeat(
            waiting * hazard, base_hazard, params["repeat_hazard_ratio"], from_day
        )
    next_incident = landmark + pd.to_timedelta(np.floor(waiting).astype(int), unit="D")
    happened = np.asarray(next_incident <= EXTRACT_DATE)
    incidents = pd.DataFrame(
        {"victim_id": victim_ids[happened], "incident_date": next_incident[happened]}
    )
    incidents.insert(0, "incident_id", [f"IN{i:07d}" for i in range(1, len(incidents) + 1)])

    # ---------------------------------------------------------------- provider cases
    referred = days_to_referral >= 0
    linked = pd.DataFrame(
        {
            "victim_id": victim_ids[referred],
            "referral_date": offence_date[referred]
            + pd.to_timedelta(days_to_referral[referred], unit="D"),
            "service": np.where(sexual[referred], "ISVA", "IDVA"),
            "referral_source": np.where(
                risk[referred] == "high",
                rng.choice(["police", "MARAC"], referred.sum(), p=[0.6, 0.4]),
                "police",
            ),
            "area": area[referred],
            "age_band": age_band[referred],
            "dash_risk": recorded_risk[referred],
            "marac": (risk[referred] == "high") & (rng.random(referred.sum()) < 0.8),
        }
    )
    linked = linked[linked["referral_date"] <= EXTRACT_DATE]
    m = int(round(len(linked) * UNLINKED_CASE_SHARE))
    unlinked = pd.DataFrame(
        {
            "victim_id": [f"VS{i:06d}" for i in range(1, m + 1)],
            "referral_date": WINDOW_START
            + pd.to_timedelta(rng.integers(0, window_days, m), unit="D"),
            "service": rng.choice(SERVICES_UNLINKED, m, p=[0.3, 0.2, 0.35, 0.15]),
            "referral_source": rng.choice(
                ["self", "health", "children's services", "other"], m, p=[0.5, 0.25, 0.15, 0.1]
            ),
            "area": rng.choice([*AREAS, NOT_RECORDED], m),
            "age_band": rng.choice(AGE_BANDS, m),
            "dash_risk": rng.choice(["standard", "medium", "high", NOT_RECORDED], m),
            "marac": np.zeros(m, dtype=bool),
        }
    )
    records, potential = _case_records(
        pd.concat([linked, unlinked], ignore_index=True), rng, params, marac_only=False
    )

    # MARAC cases with no index crime: their own stream, so the rows above never move
    # when their volume is set.
    marac_rng = np.random.default_rng([int(seed), zlib.crc32(b"marac_only")])
    years = window_days / 365.25
    marac = _marac_only_referrals(
        marac_rng, int(round(MARAC_ONLY_CASES_PER_YEAR * scale * years)), WINDOW_START, "VM"
    )
    blocks = [(records, potential)]
    blocks.append(_case_records(marac, marac_rng, params, marac_only=True))
    if world == "marac_volume_change":
        # As many again after the change: MARAC volume doubles with the pan-Dorset service.
        after_days = (EXTRACT_DATE - SERVICE_CHANGE).days
        extra = _marac_only_referrals(
            hostile,
            int(round(MARAC_ONLY_CASES_PER_YEAR * scale * after_days / 365.25)),
            SERVICE_CHANGE,
            "VX",
        )
        blocks.append(_case_records(extra, hostile, params, marac_only=True))
    # Empty blocks are left out: they would turn the string columns to object.
    cases = pd.concat([block for block, _ in blocks if len(block)], ignore_index=True)
    cases.insert(0, "case_id", [f"VS{i:07d}" for i in range(1, len(cases) + 1)])
    potential = {name: np.concatenate([block[name] for _, block in blocks]) for name in potential}
    closed = potential["closed"]

    # ---------------------------------------------------------------- planted truth
    idva_closed = closed & np.asarray(cases["service"] == "IDVA")
    always = idva_closed & potential["recorded_0"] & potential["recorded_1"]
    truth = {
        "withdrawal_difference_pp": float(np.mean((withdrawal_1 - withdrawal_0)[supported]) * 100),
        "charge_difference_pp": float(np.mean((charge_1 - charge_0)[supported]) * 100),
        "repeat_hazard_ratio": params["repeat_hazard_ratio"],
        "first_contact_change_days": params["first_contact_change_days"],
        "engagement_change_pp": params["engagement_change_pp"],
        # Nothing in the world moves withdrawal at the service change.
        "withdrawal_change_pp": 0.0,
        "abuse_ceased_share": float(potential["ceased"][closed].mean()),
        "abuse_ceased_after_change_pp": float(
            np.mean((potential["y1"].astype(int) - potential["y0"])[always]) * 100
        ),
    }
    return SyntheticData(
        programme="victim_services",
        tables={"cases": cases, "offences": offences, "incidents": incidents},
        truth=truth,
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, **params}
        | ({} if world == FRIENDLY else {"world": world}),
    )
