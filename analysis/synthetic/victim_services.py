"""Synthetic Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service) extract with one planted effect.

People are referred through the window; about half take part. Taking part changes the
probability of the outcome by ``effect_pp`` percentage points, which is the truth the
report's estimate should cover. Same seed and scale, same tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.codes import AREAS
from ..errors import ConfigError
from . import SyntheticData

#: People at scale 1.
PEOPLE_PER_SCALE = 800

#: Date the synthetic extract is taken.
EXTRACT_DATE = pd.Timestamp("2026-03-31")

#: Planted effects and their defaults.
DEFAULT_EFFECTS: dict[str, float] = {
    # Change in the probability of the outcome for those who take part, percentage points.
    "effect_pp": -10.0,
    # Probability of the outcome without the programme.
    "baseline_risk": 0.35,
    # Probability of taking part.
    "uptake": 0.5,
}


def generate(*, seed: int = 0, scale: float = 1.0, **effects: Any) -> SyntheticData:
    """Generate a synthetic Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service) extract with a planted effect.

    Parameters
    ----------
    seed : int
        Random seed; the same seed and scale give identical tables.
    scale : float
        Volume multiplier: about 800 people at 1.
    **effects
        Overrides of :data:`DEFAULT_EFFECTS`.

    Returns
    -------
    SyntheticData
        Table ``participants`` with raw identifiers, and ``truth`` with
        ``outcome_difference_pp``.

    Examples
    --------
    >>> synth = generate(seed=1)
    >>> sorted(synth.tables), synth.truth["outcome_difference_pp"]
    (['participants'], -10.0)
    """
    unknown = sorted(set(effects) - set(DEFAULT_EFFECTS))
    if unknown:
        raise ConfigError(
            f"unknown victim_services effect(s) {unknown}; known: {', '.join(sorted(DEFAULT_EFFECTS))}"
        )
    params = {**DEFAULT_EFFECTS, **{name: float(value) for name, value in effects.items()}}
    risk_taking_part = params["baseline_risk"] + params["effect_pp"] / 100
    if not 0 <= risk_taking_part <= 1:
        raise ConfigError("baseline_risk + effect_pp / 100 must be a probability")
    rng = np.random.default_rng(seed)
    n = max(int(round(PEOPLE_PER_SCALE * scale)), 20)
    took_part = rng.random(n) < params["uptake"]
    risk = np.where(took_part, risk_taking_part, params["baseline_risk"])
    participants = pd.DataFrame(
        {
            "person_id": [f"PN{i:06d}" for i in range(1, n + 1)],
            "referral_date": EXTRACT_DATE
            - pd.to_timedelta(rng.integers(400, 1000, size=n), unit="D"),
            "area": pd.Categorical(rng.choice(AREAS, size=n), categories=AREAS),
            "took_part": took_part,
            "outcome": rng.random(n) < risk,
        }
    )
    return SyntheticData(
        programme="victim_services",
        tables={"participants": participants},
        truth={"outcome_difference_pp": params["effect_pp"]},
        extract_date=EXTRACT_DATE,
        parameters={"seed": seed, "scale": scale, **params},
    )
