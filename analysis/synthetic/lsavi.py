"""Synthetic lSaVI extract: licensed premises, self-assessments and incidents.

The world the generator draws (one seed gives the same bytes):

- About 1,200 licensed premises at scale 1 (pubs, bars, nightclubs, restaurants,
  off-licences, hotels, late-night takeaways) across the Dorset policing areas,
  with few premises (and so small counts) in Purbeck and North Dorset. Each has
  a latent incident rate driven by its type, capacity, late licence, area and an
  unobserved premises effect (gamma frailty).
- Incidents per premises-month are overdispersed counts (Poisson with a
  gamma-distributed premises-month multiplier). The time pattern (seasonality
  with a December peak in night-time violence, a summer peak in theft and a mild
  secular decline) is *additive* and common to all premises: so parallel trends
  hold exactly on the count scale, the scale the panel estimators work on, even
  though participating premises have much higher levels.
- Street incidents near licensed premises (no premises identifier) carry the
  area-specific seasonality, including summer visitors in coastal areas; the
  initiative does not change them, which dilutes any county-level effect.
- Sign-up during the one-year pilot is selected on risk: premises with higher
  latent incident rates are more likely to sign up, and sign up earlier, so a
  naive comparison of participants with non-participants is biased upwards.
- The effect on violence and vulnerability incidents grows with time since
  sign-up (``violence_effect`` reached after ``effect_ramp_months``), so
  two-way fixed effects (which uses already-treated premises as controls) is
  biased towards zero while the staggered estimator is not. Theft, drugs and
  disorder are unchanged by default (the null component).
- Most participating premises complete a self-assessment on the day they sign up
  (a few never do) and about every quarter after, dropping out at random; scores
  rise with time since the first assessment. Late joiners have a single
  assessment by the extract date.
- Incidents are recorded a few days after they happen, so the month of the
  extract is incomplete (the panel stops at the last complete month).

Truth (``SyntheticData.truth``) holds the exact value, in the generating
process, of each estimand the notebook reports (see :data:`TRUTH_DEFINITIONS`).

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
from scipy import stats

from ..data.codes import AREAS
from ..data.contracts.lsavi import (
    ASSESSMENT_DOMAINS,
    CAPACITY_BANDS,
    INCIDENT_CATEGORIES,
    NTE_VIOLENCE,
    VIOLENCE_VULNERABILITY,
)
from ..errors import ConfigError
from . import SyntheticData
from ._worlds import FRIENDLY, check_world, world_rng

logger = logging.getLogger(__name__)

#: Planted effects and behaviours; any can be overridden in ``generate(**effects)``.
DEFAULT_EFFECTS: dict[str, float] = {
    # Proportional change in violence and vulnerability incidents at a participating
    # premises once the tool is embedded (reached after effect_ramp_months).
    "violence_effect": -0.35,
    # Months after sign-up until the full effect is reached (1 = immediate): practice
    # changes take hold over the first year, so the effect grows with time since sign-up.
    "effect_ramp_months": 12.0,
    # Proportional change in theft incidents: none (the null component).
    "theft_effect": 0.0,
    # Log-hazard of sign-up per standard deviation of the premises' log incident rate.
    "selection_strength": 0.9,
    # Baseline log-hazard of sign-up per pilot month (about a quarter sign up).
    "signup_log_hazard": -4.0,
    # Expected rise in self-assessment score (points) once the tool is embedded.
    "score_gain": 12.0,
    # Probability that a premises signs up but never completes a self-assessment.
    "never_assess": 0.08,
    # Probability that a participating premises stops self-assessing after each one.
    "assessment_dropout": 0.3,
}

#: What each truth key is, exactly (the notebook reports these estimands).
TRUTH_DEFINITIONS: dict[str, str] = {
    "att_violence_vulnerability": (
        "average over participating premises-months (sign-up month onwards, panel window) of "
        "the expected violence and vulnerability incidents with the tool minus without it"
    ),
    "att_violence_vulnerability_rate_ratio": (
        "expected violence and vulnerability incidents with the tool over those without it, "
        "summed over participating premises-months in the panel window"
    ),
    "att_theft": "as att_violence_vulnerability, for theft incidents (the null component)",
    "placebo_att_violence_vulnerability": (
        "staggered ATT with sign-up dates moved earlier, on months before the pilot: zero "
        "(the causal truth; where parallel trends fail the placebo estimate's expectation "
        "is not zero, which is what the placebo check should catch)"
    ),
    "its_nte_violence_rate_ratio": (
        "expected county night-time-economy violence (premises and street) from the pilot start "
        "to the end of the panel, with the tool over without it"
    ),
    "uptake_proportion": "mean over premises of the probability of signing up during the pilot",
    "score_change": (
        "mean over premises with two or more assessments of the expected change in their "
        "mean domain score from the first to the latest assessment"
    ),
    "incidents_by_score_rate_ratio": (
        "expected violence and vulnerability incidents per premises-month after sign-up, "
        "premises whose first mean score is below SCORE_THRESHOLD over those at or above it"
    ),
    # Stated by every world but the friendly one (whose truth predates them).
    "ate_violence_vulnerability": (
        "average over every premises and every panel month from the pilot start of the "
        "expected violence and vulnerability incidents with the tool minus without it, had "
        "every premises signed up at the pilot start: the ATE beside the ATT"
    ),
    "ate_violence_vulnerability_rate_ratio": (
        "as ate_violence_vulnerability, the sum with the tool over the sum without it"
    ),
}

#: Named worlds: what fails in each and which design it threatens.
WORLDS: dict[str, str] = {
    FRIENDLY: (
        "every assumption holds: a common additive time pattern (parallel trends on the "
        "count scale), one proportional effect, sign-up selected on a fixed premises level"
    ),
    "heterogeneous_effects": (
        "the effect on violence varies by premises type (strongest in nightclubs and bars, "
        "which sign up most), so the ATT is larger than the ATE; threatens reading the "
        "staggered ATT as the effect of rolling the tool out to every premises"
    ),
    "unobserved_confounding": (
        "a trait not in the extract (management already improving) raises the sign-up "
        "hazard and bends the premises' own incident trend down; threatens the staggered "
        "DiD and event study (parallel trends fail) and naive comparisons"
    ),
    "multiplicative_seasonality": (
        "seasonality and trend are proportional to each premises' level instead of "
        "additive, so busy (participating) premises swing more; threatens count-scale "
        "parallel trends in the staggered DiD and event study"
    ),
    "dip_before_signup": (
        "six in ten participants sign up after a bad spell (60% more incidents in the four "
        "months before sign-up) that would have passed anyway; Ashenfelter's dip: threatens "
        "the DiD's base period, the event study and the area time series"
    ),
}

#: heterogeneous_effects: multiplier of violence_effect by premises type.
_EFFECT_BY_TYPE = {
    "nightclub": 1.6,
    "bar": 1.4,
    "pub": 1.1,
    "late_night_takeaway": 0.8,
    "hotel": 0.6,
    "restaurant": 0.3,
    "off_licence": 0.3,
}
#: dip_before_signup: share of participants with a bad spell, its length and size.
_DIP_SHARE, _DIP_MONTHS, _DIP_SIZE = 0.6, 4, 0.6

PANEL_START = pd.Timestamp("2023-04-01")
PILOT_START = pd.Timestamp("2025-04-01")
PILOT_MONTHS = 12
EXTRACT_DATE = pd.Timestamp("2026-07-15")
#: First-assessment mean score below which a premises counts as "low scoring".
SCORE_THRESHOLD = 60.0
#: Latest a recorded incident can reach the system after it happened (days).
MAX_RECORDING_LAG_DAYS = 14

PREMISES_PER_SCALE = 1200

_TYPE_SHARE = {
    "pub": 0.33,
    "restaurant": 0.21,
    "off_licence": 0.18,
    "bar": 0.08,
    "hotel": 0.08,
    "late_night_takeaway": 0.09,
    "nightclub": 0.03,
}
#: Expected incidents per premises-month (all categories) by type, before multipliers.
_TYPE_RATE = {
    "pub": 0.22,
    "restaurant": 0.05,
    "off_licence": 0.12,
    "bar": 0.40,
    "hotel": 0.10,
    "late_night_takeaway": 0.18,
    "nightclub": 1.00,
}
_AREA_SHARE = {
    "Bournemouth": 0.30,
    "Christchurch": 0.06,
    "Poole": 0.18,
    "East Dorset": 0.09,
    "North Dorset": 0.04,
    "Purbeck": 0.03,
    "West Dorset": 0.14,
    "Weymouth and Portland": 0.16,
}
_AREA_RATE = {
    "Bournemouth": 1.3,
    "Christchurch": 0.8,
    "Poole": 1.1,
    "East Dorset": 0.8,
    "North Dorset": 0.8,
    "Purbeck": 0.8,
    "West Dorset": 0.85,
    "Weymouth and Portland": 1.1,
}
#: Licensing teams promoted the tool harder in some areas (log-hazard shift).
_AREA_PROMOTION = {
    "Bournemouth": 0.3,
    "Christchurch": 0.0,
    "Poole": 0.2,
    "East Dorset": -0.3,
    "North Dorset": -0.3,
    "Purbeck": -0.2,
    "West Dorset": -0.1,
    "Weymouth and Portland": 0.2,
}
#: Street incidents per area-month at scale 1 and how strongly summer visitors add to them.
_STREET_RATE = {
    "Bournemouth": 14.0,
    "Christchurch": 1.2,
    "Poole": 6.0,
    "East Dorset": 1.0,
    "North Dorset": 0.8,
    "Purbeck": 0.6,
    "West Dorset": 2.0,
    "Weymouth and Portland": 5.0,
}
_COASTAL_SUMMER = {
    "Bournemouth": 0.5,
    "Christchurch": 0.3,
    "Poole": 0.4,
    "East Dorset": 0.0,
    "North Dorset": 0.0,
    "Purbeck": 0.6,
    "West Dorset": 0.3,
    "Weymouth and Portland": 0.7,
}
_CAPACITY_SHARE = {"under_50": 0.35, "50_149": 0.38, "150_499": 0.21, "500_plus": 0.06}
_CAPACITY_RATE = {"under_50": 0.6, "50_149": 1.0, "150_499": 1.6, "500_plus": 2.5}
_LATE_LICENCE_PROB = {
    "pub": 0.35,
    "restaurant": 0.05,
    "off_licence": 0.10,
    "bar": 0.60,
    "hotel": 0.30,
    "late_night_takeaway": 0.90,
    "nightclub": 1.0,
}
_LATE_LICENCE_RATE = 1.5
#: Shares of each premises type's incidents by category (order of INCIDENT_CATEGORIES).
_CATEGORY_SHARE = {
    "nightclub": (0.22, 0.22, 0.06, 0.14, 0.16, 0.12, 0.08),
    "bar": (0.20, 0.22, 0.05, 0.12, 0.18, 0.08, 0.15),
    "pub": (0.18, 0.22, 0.04, 0.10, 0.20, 0.06, 0.20),
    "late_night_takeaway": (0.20, 0.22, 0.02, 0.06, 0.30, 0.05, 0.15),
    "hotel": (0.10, 0.15, 0.05, 0.15, 0.10, 0.05, 0.40),
    "restaurant": (0.06, 0.14, 0.02, 0.06, 0.12, 0.02, 0.58),
    "off_licence": (0.05, 0.14, 0.01, 0.05, 0.15, 0.05, 0.55),
}
#: Probability an incident at each premises type is flagged night-time economy.
_NTE_PROB = {
    "nightclub": 0.95,
    "bar": 0.85,
    "pub": 0.70,
    "late_night_takeaway": 0.90,
    "hotel": 0.45,
    "restaurant": 0.35,
    "off_licence": 0.30,
}
_STREET_CATEGORY_SHARE = dict(
    zip(
        INCIDENT_CATEGORIES,
        (0.25, 0.30, 0.05, 0.12, 0.28, 0.0, 0.0),
        strict=True,
    )
)
_STREET_NTE_PROB = 0.85
#: Size of the common (additive) seasonal component relative to the mean premises rate.
_SEASONAL_AMPLITUDE = 0.35
#: Secular change in the common component per year (a mild decline).
_TREND_PER_YEAR = -0.06
#: Shape of the gamma premises-month multiplier (overdispersion; smaller is more).
_MONTH_SHAPE = 6.0
#: Shape of the gamma premises frailty (heterogeneity beyond observed characteristics).
_FRAILTY_SHAPE = 2.0
_DOMAIN_OFFSET = {
    "staff_safety": 5.0,
    "vulnerability": -3.0,
    "drugs": -6.0,
    "door_security": 2.0,
    "cctv": 4.0,
}
_SCORE_BASE = 60.0
_SCORE_RISK_SLOPE = -5.0
_SCORE_PREMISES_SD = 8.0
_SCORE_NOISE_SD = 8.0
_SCORE_GAIN_MONTHS = 9.0
_DAYS_PER_MONTH = 365.25 / 12


def _season(month_of_year: np.ndarray, category: str) -> np.ndarray:
    """Common seasonal profile (two harmonics on month of year, mean zero over a year)."""
    angle = 2 * np.pi * month_of_year / 12
    if category in ("theft", "drugs"):
        # Summer peak: more people about, more property left unattended.
        return 0.35 * np.cos(angle - 2 * np.pi * 7.5 / 12)
    # December peak in night-time violence (Christmas parties), an early-summer bump.
    return 0.45 * np.cos(angle + 2 * np.pi * 0.5 / 12) + 0.2 * np.cos(2 * angle)


def _check_effects(effects: dict[str, Any]) -> dict[str, float]:
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown lsavi effect(s) {unknown}; known: {', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    params = {**DEFAULT_EFFECTS, **{k: float(v) for k, v in effects.items()}}
    if params["effect_ramp_months"] < 1:
        raise ConfigError("effect_ramp_months must be at least 1 (1 means immediate)")
    for name in ("violence_effect", "theft_effect"):
        if params[name] <= -1:
            raise ConfigError(
                f"{name} must be above -1 (a proportional change), got {params[name]}"
            )
    for name in ("assessment_dropout", "never_assess"):
        if not 0 <= params[name] < 1:
            raise ConfigError(f"{name} must be in [0, 1), got {params[name]}")
    return params


def _draw_premises(rng: np.random.Generator, n: int) -> pd.DataFrame:
    types = rng.choice(list(_TYPE_SHARE), size=n, p=list(_TYPE_SHARE.values()))
    areas = rng.choice(list(_AREA_SHARE), size=n, p=list(_AREA_SHARE.values()))
    capacity_p = np.array(list(_CAPACITY_SHARE.values()))
    # Nightclubs and hotels are bigger, takeaways and off-licences smaller.
    size_shift = (
        pd.Series(types)
        .map(
            {
                "nightclub": 2,
                "hotel": 1,
                "bar": 1,
                "pub": 0,
                "restaurant": 0,
                "late_night_takeaway": -1,
                "off_licence": -1,
            }
        )
        .to_numpy()
    )
    base_band = rng.choice(len(CAPACITY_BANDS), size=n, p=capacity_p)
    band = np.clip(base_band + np.where(rng.random(n) < 0.5, size_shift, 0), 0, 3)
    capacity = np.asarray(CAPACITY_BANDS)[band]
    late = rng.random(n) < pd.Series(types).map(_LATE_LICENCE_PROB).to_numpy()
    frailty = rng.gamma(_FRAILTY_SHAPE, 1 / _FRAILTY_SHAPE, size=n)
    rate = (
        pd.Series(types).map(_TYPE_RATE).to_numpy()
        * pd.Series(capacity).map(_CAPACITY_RATE).to_numpy()
        * np.where(late, _LATE_LICENCE_RATE, 1.0)
        * pd.Series(areas).map(_AREA_RATE).to_numpy()
        * frailty
    )
    width = max(6, len(str(n)))
    return pd.DataFrame(
        {
            "premises_id": [f"P{i:0{width}d}" for i in range(1, n + 1)],
            "premises_type": types,
            "area": areas,
            "capacity_band": capacity,
            "late_licence": late,
            "rate": rate,
        }
    )


def _signup_probabilities(premises: pd.DataFrame, params: dict[str, float]) -> np.ndarray:
    """Monthly sign-up hazard per premises (constant over the pilot months)."""
    log_rate = np.log(premises["rate"].to_numpy())
    risk_z = (log_rate - log_rate.mean()) / log_rate.std()
    linear = (
        params["signup_log_hazard"]
        + params["selection_strength"] * risk_z
        + premises["area"].map(_AREA_PROMOTION).to_numpy()
    )
    return 1 - np.exp(-np.exp(linear))


def _month_starts(first: pd.Timestamp, count: int) -> pd.DatetimeIndex:
    return pd.date_range(first, periods=count, freq="MS")


def _clipped_normal_mean(mean: np.ndarray, sd: float, low: float, high: float) -> np.ndarray:
    """Expected value of a normal variable clipped to [low, high]."""
    alpha = (low - mean) / sd
    beta = (high - mean) / sd
    cdf_a, cdf_b = stats.norm.cdf(alpha), stats.norm.cdf(beta)
    return (
        low * cdf_a
        + high * (1 - cdf_b)
        + mean * (cdf_b - cdf_a)
        + sd * (stats.norm.pdf(alpha) - stats.norm.pdf(beta))
    )


def generate(
    *, seed: int = 0, scale: float = 1.0, world: str = FRIENDLY, **effects: Any
) -> SyntheticData:
    """Generate a synthetic lSaVI extract with planted effects.

    Parameters
    ----------
    seed : int
        Random seed; the same seed and scale give identical tables.
    scale : float
        Volume multiplier: about 1,200 premises at 1 (Dorset), 60,000 at 50.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS` (for example ``violence_effect=0`` for a
        world where the tool does nothing).
    world : str
        Named world (see :data:`WORLDS`); ``"friendly"`` is the world described above.

    Returns
    -------
    SyntheticData
        Tables ``premises``, ``self_assessments`` and ``incidents`` with raw
        identifiers, and ``truth`` keyed as in :data:`TRUTH_DEFINITIONS`.

    Examples
    --------
    >>> synth = generate(seed=1, scale=0.25)
    >>> sorted(synth.tables)
    ['incidents', 'premises', 'self_assessments']
    >>> round(synth.truth["placebo_att_violence_vulnerability"], 6)
    0.0
    >>> synth.truth["att_violence_vulnerability"] < 0
    True
    """
    check_world("lsavi", world, WORLDS)
    params = _check_effects(effects)
    if (
        world == "heterogeneous_effects"
        and params["violence_effect"] * max(_EFFECT_BY_TYPE.values()) <= -1
    ):
        raise ConfigError(
            "heterogeneous_effects multiplies violence_effect by up to "
            f"{max(_EFFECT_BY_TYPE.values())} (nightclubs); use a violence_effect above "
            f"{-1 / max(_EFFECT_BY_TYPE.values()):.3f}"
        )
    rng = np.random.default_rng(seed)
    # A hostile world's own draws come from its own stream (the friendly draws never move).
    hostile = world_rng(seed, world)
    n_premises = max(int(round(PREMISES_PER_SCALE * scale)), 20)

    premises = _draw_premises(rng, n_premises)
    types = premises["premises_type"].to_numpy()

    # ---- time frame: every month from the panel start to the extract month (incomplete)
    n_months = (
        (EXTRACT_DATE.year - PANEL_START.year) * 12 + EXTRACT_DATE.month - PANEL_START.month + 1
    )
    months = _month_starts(PANEL_START, n_months)
    n_panel = n_months - 1  # the extract month is incomplete, so outside the panel
    pilot_index = (PILOT_START.year - PANEL_START.year) * 12 + PILOT_START.month - PANEL_START.month
    month_of_year = months.month.to_numpy()
    years_from_mid = (np.arange(n_months) - (n_months - 1) / 2) / 12

    # ---- sign-up: a discrete monthly hazard over the pilot year, higher for riskier premises
    hazard = _signup_probabilities(premises, params)
    if world == "unobserved_confounding":
        # Improving management: +1 on the log-hazard of sign-up per standard deviation.
        improving = hostile.standard_normal(n_premises)
        hazard = 1 - (1 - hazard) ** np.exp(improving)
    signs = rng.random((n_premises, PILOT_MONTHS)) < hazard[:, None]
    ever = signs.any(axis=1)
    first_month = np.where(ever, pilot_index + signs.argmax(axis=1), -1)
    uptake_probability = 1 - (1 - hazard) ** PILOT_MONTHS
    signup_day = np.floor(rng.random(n_premises) * 28).astype(int)
    signup_date = pd.Series(pd.NaT, index=range(n_premises), dtype="datetime64[us]")
    signed = np.flatnonzero(ever)
    signup_date.iloc[signed] = (
        months[first_month[signed]] + pd.to_timedelta(signup_day[signed], unit="D")
    ).astype("datetime64[us]")

    # ---- effect multiplier per premises-month (grows with months since sign-up)
    month_grid = np.arange(n_months)[None, :]
    since = month_grid - first_month[:, None]
    treated_cell = ever[:, None] & (since >= 0)
    ramp = np.minimum(1.0, (since + 1) / params["effect_ramp_months"])
    panel_treated = treated_cell & (month_grid < n_panel)
    # Everything a hostile world changes in the expected counts, as premises-month factors.
    world_factor = np.ones((n_premises, n_months))
    if world == "unobserved_confounding":
        years_from_pilot = (np.arange(n_months) - pilot_index) / 12
        # Incidents fall by about 18% a year per standard deviation of the trait.
        world_factor = np.exp(-0.2 * improving[:, None] * years_from_pilot[None, :])
    elif world == "dip_before_signup":
        spell = ever & (hostile.random(n_premises) < _DIP_SHARE)
        before = (since < 0) & (since >= -_DIP_MONTHS)
        world_factor = np.where(spell[:, None] & before, 1 + _DIP_SIZE, 1.0)
    if world == "heterogeneous_effects":
        violence_effect = (
            params["violence_effect"] * pd.Series(types).map(_EFFECT_BY_TYPE).to_numpy()[:, None]
        )
    else:
        violence_effect = params["violence_effect"]
    ramp_from_pilot = np.minimum(1.0, (month_grid - pilot_index + 1) / params["effect_ramp_months"])
    ate_sums = {"with": 0.0, "without": 0.0}

    # ---- expected counts by category; overdispersion shared across categories of a cell
    month_multiplier = rng.gamma(_MONTH_SHAPE, 1 / _MONTH_SHAPE, size=(n_premises, n_months))
    category_share = np.array([_CATEGORY_SHARE[t] for t in types])  # (premises, categories)
    nte_prob = pd.Series(types).map(_NTE_PROB).to_numpy()
    rate = premises["rate"].to_numpy()

    truth_sums = {"vv0": 0.0, "vv1": 0.0, "theft0": 0.0, "theft1": 0.0}
    vv_with_tool = np.zeros((n_premises, n_months))
    nte_premises = {"with": 0.0, "without": 0.0}
    linked_parts = []
    for c, category in enumerate(INCIDENT_CATEGORIES):
        level = rate * category_share[:, c]
        common = _SEASONAL_AMPLITUDE * level.mean()
        # Additive common time pattern, floored so no premises' expectation is negative.
        time_pattern = common * (
            1 + _season(month_of_year, category) + _TREND_PER_YEAR * years_from_mid
        )
        if world == "multiplicative_seasonality":
            # The same county-wide swing as the additive pattern, shared out in proportion
            # to each premises' level.
            relative = _SEASONAL_AMPLITUDE / (1 + _SEASONAL_AMPLITUDE)
            proportional = 1 + relative * (
                _season(month_of_year, category) + _TREND_PER_YEAR * years_from_mid
            )
            mu0 = (level + common)[:, None] * proportional[None, :]
        else:
            mu0 = level[:, None] + time_pattern[None, :]
        if world != FRIENDLY:
            mu0 = mu0 * world_factor
        if category in VIOLENCE_VULNERABILITY:
            effect = violence_effect
        elif category == "theft":
            effect = params["theft_effect"]
        else:
            effect = 0.0
        mu1 = np.where(treated_cell, mu0 * (1 + effect * ramp), mu0)
        if category in VIOLENCE_VULNERABILITY:
            truth_sums["vv0"] += mu0[panel_treated].sum()
            truth_sums["vv1"] += mu1[panel_treated].sum()
            vv_with_tool += mu1
            if world != FRIENDLY:
                post = (month_grid >= pilot_index) & (month_grid < n_panel)
                everyone = np.broadcast_to(post, mu0.shape)
                ate_sums["without"] += mu0[everyone].sum()
                ate_sums["with"] += (mu0 * (1 + effect * ramp_from_pilot))[everyone].sum()
        if category == "theft":
            truth_sums["theft0"] += mu0[panel_treated].sum()
            truth_sums["theft1"] += mu1[panel_treated].sum()
        if category in NTE_VIOLENCE:
            post = slice(pilot_index, n_panel)
            nte_premises["with"] += (nte_prob[:, None] * mu1[:, post]).sum()
            nte_premises["without"] += (nte_prob[:, None] * mu0[:, post]).sum()
        counts = rng.poisson(mu1 * month_multiplier)
        cell_premises, cell_month = np.nonzero(counts)
        repeat = counts[cell_premises, cell_month]
        linked_parts.append(
            (
                np.repeat(cell_premises, repeat),
                np.repeat(cell_month, repeat),
                np.full(repeat.sum(), c),
            )
        )
    linked_premises, linked_month, linked_category = (
        np.concatenate(x) for x in zip(*linked_parts, strict=True)
    )
    linked_nte = rng.random(len(linked_premises)) < nte_prob[linked_premises]
    area_code = pd.Index(AREAS).get_indexer(premises["area"])

    # ---- street incidents (no premises): area seasonality, summer visitors on the coast
    areas = pd.Series(AREAS)
    coastal = areas.map(_COASTAL_SUMMER).to_numpy()[:, None]
    street_level = areas.map(_STREET_RATE).to_numpy()[:, None] * scale
    summer = np.maximum(0.0, np.cos(2 * np.pi * (month_of_year - 7.5) / 12))[None, :]
    december = 1 + 0.3 * np.cos(2 * np.pi * (month_of_year - 12) / 12)[None, :]
    street_mu_all = street_level * (1 + coastal * summer) * december  # (areas, months)
    street_multiplier = rng.gamma(8.0, 1 / 8.0, size=street_mu_all.shape)
    street_parts = []
    nte_street = 0.0
    for c, category in enumerate(INCIDENT_CATEGORIES):
        share = _STREET_CATEGORY_SHARE[category]
        if share == 0:
            continue
        mu = street_mu_all * share
        if category in NTE_VIOLENCE:
            nte_street += _STREET_NTE_PROB * mu[:, pilot_index:n_panel].sum()
        counts = rng.poisson(mu * street_multiplier)
        cell_area, cell_month = np.nonzero(counts)
        repeat = counts[cell_area, cell_month]
        street_parts.append(
            (np.repeat(cell_area, repeat), np.repeat(cell_month, repeat), np.full(repeat.sum(), c))
        )
    street_area, street_month, street_category = (
        np.concatenate(x) for x in zip(*street_parts, strict=True)
    )
    street_nte = rng.random(len(street_area)) < _STREET_NTE_PROB

    # ---- one row per incident, carried as integer codes until the table is built
    premises_index = np.concatenate([linked_premises, np.full(len(street_area), -1)])
    incident_area = np.concatenate([area_code[linked_premises], street_area])
    incident_month = np.concatenate([linked_month, street_month])
    incident_category = np.concatenate([linked_category, street_category])
    incident_nte = np.concatenate([linked_nte, street_nte])
    month_days = months.to_numpy().astype("datetime64[D]")
    days_in_month = months.days_in_month.to_numpy()[incident_month]
    day = np.floor(rng.random(len(incident_month)) * days_in_month).astype("int64")
    incident_date = month_days[incident_month] + day.astype("timedelta64[D]")
    # Recording lag: an incident reaches the extract only once recorded.
    lag = np.minimum(np.floor(rng.exponential(4.0, len(incident_date))), MAX_RECORDING_LAG_DAYS)
    recorded = incident_date + lag.astype("int64").astype("timedelta64[D]")
    keep = np.flatnonzero(recorded <= np.datetime64(EXTRACT_DATE.date()))
    order = keep[np.lexsort((incident_category[keep], incident_area[keep], incident_date[keep]))]
    premises_ids = premises["premises_id"].to_numpy(dtype=object)
    linked_id = np.where(premises_index[order] >= 0, premises_ids[premises_index[order]], None)
    width = max(7, len(str(len(order))))
    incidents = pd.DataFrame(
        {
            "incident_id": "INC"
            + pd.Series(np.arange(1, len(order) + 1)).astype("str").str.zfill(width),
            "premises_id": pd.Series(linked_id, dtype="str"),
            "area": pd.Series(np.asarray(AREAS, dtype=object)[incident_area[order]], dtype="str"),
            "incident_date": incident_date[order].astype("datetime64[us]"),
            "category": pd.Series(
                np.asarray(INCIDENT_CATEGORIES, dtype=object)[incident_category[order]], dtype="str"
            ),
            "night_time_economy": incident_nte[order],
        }
    )

    # ---- self-assessments
    assessments, score_truth, first_mean_score = _draw_assessments(
        rng, premises, signup_date, params
    )

    # ---- incidents by first score band (descriptive), on expected counts after sign-up
    truth: dict[str, float] = {}
    n_treated_cells = int(panel_treated.sum())
    if n_treated_cells:
        truth["att_violence_vulnerability"] = (
            truth_sums["vv1"] - truth_sums["vv0"]
        ) / n_treated_cells
        truth["att_violence_vulnerability_rate_ratio"] = truth_sums["vv1"] / truth_sums["vv0"]
        truth["att_theft"] = (truth_sums["theft1"] - truth_sums["theft0"]) / n_treated_cells
    # Parallel trends hold exactly and no effect exists before sign-up, so any placebo
    # sign-up dates placed before the real ones estimate zero.
    truth["placebo_att_violence_vulnerability"] = 0.0
    truth["its_nte_violence_rate_ratio"] = (nte_premises["with"] + nte_street) / (
        nte_premises["without"] + nte_street
    )
    truth["uptake_proportion"] = float(uptake_probability.mean())
    if score_truth is not None:
        truth["score_change"] = score_truth
    band_rates = {}
    for band, in_band in (
        ("low", first_mean_score < SCORE_THRESHOLD),
        ("high", first_mean_score >= SCORE_THRESHOLD),
    ):
        cells = panel_treated & in_band[:, None]
        if cells.any():
            band_rates[band] = vv_with_tool[cells].sum() / cells.sum()
    if len(band_rates) == 2:
        truth["incidents_by_score_rate_ratio"] = band_rates["low"] / band_rates["high"]
    if world != FRIENDLY:
        post_cells = n_premises * (n_panel - pilot_index)
        truth["ate_violence_vulnerability"] = (ate_sums["with"] - ate_sums["without"]) / post_cells
        truth["ate_violence_vulnerability_rate_ratio"] = ate_sums["with"] / ate_sums["without"]
    truth = {k: float(v) for k, v in truth.items()}

    premises_table = premises.drop(columns="rate").assign(signup_date=signup_date.to_numpy())
    logger.info(
        "lsavi synthetic: %d premises (%d signed up), %d incidents, %d assessment rows",
        len(premises_table),
        int(ever.sum()),
        len(incidents),
        len(assessments),
    )
    return SyntheticData(
        programme="lsavi",
        tables={
            "premises": premises_table,
            "self_assessments": assessments,
            "incidents": incidents,
        },
        truth=truth,
        extract_date=EXTRACT_DATE,
        parameters={
            "seed": seed,
            "scale": scale,
            **params,
            "panel_start": PANEL_START.date().isoformat(),
            "pilot_start": PILOT_START.date().isoformat(),
            "pilot_months": PILOT_MONTHS,
            "score_threshold": SCORE_THRESHOLD,
        }
        | ({} if world == FRIENDLY else {"world": world}),
    )


def _draw_assessments(
    rng: np.random.Generator,
    premises: pd.DataFrame,
    signup_date: pd.Series,
    params: dict[str, float],
) -> tuple[pd.DataFrame, float | None, np.ndarray]:
    """Self-assessments of participating premises, the score-change truth and first scores.

    Returns the table, the exact expected mean change (first to latest, premises with at
    least two assessments; None if there are none) and, per premises, the realised mean
    first-assessment score (NaN for premises that never signed up).
    """
    n = len(premises)
    log_rate = np.log(premises["rate"].to_numpy())
    risk_z = (log_rate - log_rate.mean()) / log_rate.std()
    premises_base = _SCORE_BASE + _SCORE_RISK_SLOPE * risk_z + rng.normal(0, _SCORE_PREMISES_SD, n)
    types = premises["premises_type"].to_numpy()
    door_staff = np.isin(types, ("nightclub", "bar")) | (
        premises["late_licence"].to_numpy() & np.isin(types, ("pub", "hotel"))
    )

    signed = np.flatnonzero(signup_date.notna().to_numpy())
    # Some premises sign up and never get round to the first assessment.
    signed = signed[rng.random(len(signed)) >= params["never_assess"]]
    first = signup_date.to_numpy()[signed]
    # Assessment schedule: one at sign-up, then about quarterly until dropout or the extract.
    max_repeats = 8
    gaps = rng.integers(75, 111, size=(len(signed), max_repeats)).astype("timedelta64[D]")
    offsets = np.concatenate(
        [np.zeros((len(signed), 1), dtype="timedelta64[D]"), np.cumsum(gaps, axis=1)], axis=1
    )
    stays = rng.random((len(signed), max_repeats)) >= params["assessment_dropout"]
    active = np.concatenate(
        [np.ones((len(signed), 1), dtype=bool), np.cumprod(stays, axis=1).astype(bool)], axis=1
    )
    dates = first[:, None] + offsets
    active &= dates <= np.datetime64(EXTRACT_DATE)
    rows_premises, rows_order = np.nonzero(active)
    assess = pd.DataFrame(
        {
            "premises_index": signed[rows_premises],
            "order": rows_order,
            "assessment_date": dates[rows_premises, rows_order],
        }
    ).sort_values(["assessment_date", "premises_index"], kind="stable")
    assess["assessment_id"] = [f"SA{i:07d}" for i in range(1, len(assess) + 1)]
    assess["months_since_first"] = (
        assess["assessment_date"] - first[np.searchsorted(signed, assess["premises_index"])]
    ).dt.days.to_numpy() / _DAYS_PER_MONTH

    rows = []
    for domain in ASSESSMENT_DOMAINS:
        part = assess if domain != "door_security" else assess[door_staff[assess["premises_index"]]]
        rows.append(part.assign(domain=domain))
    long = pd.concat(rows, ignore_index=True)
    gain = params["score_gain"] * np.minimum(1.0, long["months_since_first"] / _SCORE_GAIN_MONTHS)
    expected_raw = (
        premises_base[long["premises_index"]]
        + long["domain"].map(_DOMAIN_OFFSET).to_numpy()
        + gain.to_numpy()
    )
    latent = np.clip(expected_raw + rng.normal(0, _SCORE_NOISE_SD, len(long)), 0, 100)
    # Stochastic rounding keeps whole-number scores with the same expectation.
    long["score"] = np.floor(latent + rng.random(len(long))).astype(float)
    long["expected"] = _clipped_normal_mean(expected_raw, _SCORE_NOISE_SD, 0.0, 100.0)

    per_assessment = long.groupby(["premises_index", "order"], sort=True).agg(
        expected=("expected", "mean"), observed=("score", "mean")
    )
    per_premises = per_assessment.groupby(level="premises_index")
    n_assessments = per_premises.size()
    first_expected = per_premises["expected"].first()
    latest_expected = per_premises["expected"].last()
    repeated = n_assessments >= 2
    score_truth = (
        float((latest_expected - first_expected)[repeated].mean()) if repeated.any() else None
    )
    first_mean_score = np.full(n, np.nan)
    first_observed = per_premises["observed"].first()
    first_mean_score[first_observed.index.to_numpy()] = first_observed.to_numpy()

    long = long.sort_values(["assessment_date", "assessment_id", "domain"], kind="stable")
    table = pd.DataFrame(
        {
            "assessment_id": long["assessment_id"].to_numpy(),
            "premises_id": premises["premises_id"].to_numpy()[long["premises_index"]],
            "assessment_date": long["assessment_date"].to_numpy().astype("datetime64[us]"),
            "domain": long["domain"].to_numpy(),
            "score": long["score"].to_numpy(),
        }
    )
    return table, score_truth, first_mean_score
