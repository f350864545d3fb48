"""The Recency-Frequency-Gravity harm score that selects Operation Focus perpetrators.

Every VAWG suspect is scored at the identification run; those at or above the
threshold are adopted into Focus. The weights are local choices (MATAC forces
each set their own), so they are a documented, configurable dataclass. It sits in the
data layer because both the programme and its synthetic generator score suspects by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..errors import ConfigError

#: Gravity points per VAWG offence, by Home Office offence group (MATAC-style; local and
#: configurable). Groups not listed score ``HarmScoreWeights.default_gravity``.
DEFAULT_GRAVITY: dict[str, float] = {
    "homicide": 100.0,
    "rape": 40.0,
    "other_sexual_offences": 20.0,
    "violence_with_injury": 15.0,
    "stalking_and_harassment": 8.0,
    "violence_without_injury": 5.0,
    "robbery": 10.0,
    "arson": 10.0,
    "criminal_damage": 3.0,
    "public_order": 2.0,
}


@dataclass(frozen=True)
class HarmScoreWeights:
    """Weights of the Recency-Frequency-Gravity harm score.

    The score of a suspect at date ``as_of`` sums three parts over the suspect's
    VAWG crimes recorded in the ``lookback_days`` before ``as_of``:

    - recency: ``recency_points * 0.5 ** (days since the latest / recency_half_life_days)``;
    - frequency: ``frequency_points`` per crime, up to ``frequency_cap`` crimes;
    - gravity: the ``gravity_points`` of each crime's offence group
      (``default_gravity`` for groups not listed).

    A suspect with no VAWG crime in the window scores 0. The weights are local
    choices (MATAC forces each set their own): record the ones used beside any
    result that depends on them.

    Parameters
    ----------
    lookback_days : int
        Length of the scoring window.
    recency_points : float
        Recency points for a crime recorded on the scoring date.
    recency_half_life_days : float
        Days after which the recency points halve.
    frequency_points : float
        Points per crime in the window.
    frequency_cap : int
        Crimes beyond this number add no frequency points.
    gravity_points : mapping of str to float
        Points per crime by offence group.
    default_gravity : float
        Points for offence groups not in ``gravity_points``.
    """

    lookback_days: int = 1096
    recency_points: float = 50.0
    recency_half_life_days: float = 180.0
    frequency_points: float = 10.0
    frequency_cap: int = 10
    gravity_points: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_GRAVITY))
    default_gravity: float = 2.0

    def __post_init__(self) -> None:
        numbers = {
            "lookback_days": self.lookback_days,
            "recency_half_life_days": self.recency_half_life_days,
        }
        for name, value in numbers.items():
            if not value > 0:
                raise ConfigError(f"harm score weight {name} must be positive, got {value!r}")
        for name in ("recency_points", "frequency_points", "default_gravity"):
            if getattr(self, name) < 0:
                raise ConfigError(f"harm score weight {name} must not be negative")
        if self.frequency_cap < 0:
            raise ConfigError("harm score weight frequency_cap must not be negative")
        negative = [g for g, v in self.gravity_points.items() if v < 0]
        if negative:
            raise ConfigError(f"harm score gravity points must not be negative: {negative}")


def rfg_harm_score(
    crimes: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp,
    weights: HarmScoreWeights | None = None,
    suspect: str = "suspect_id",
    date: str = "recorded_date",
    offence: str = "offence_group",
    vawg: str = "vawg_flag",
) -> pd.Series:
    """Recency-Frequency-Gravity harm score of each suspect at a date.

    Parameters
    ----------
    crimes : DataFrame
        One row per crime.
    as_of : str or Timestamp
        Scoring date: only crimes recorded before it count.
    weights : HarmScoreWeights, optional
        Score weights (see :class:`HarmScoreWeights` for the formula).
    suspect, date, offence, vawg : str
        Columns holding the suspect, the date the crime became known, the
        offence group and the VAWG flag.

    Returns
    -------
    Series
        Score (float, 0 or more) indexed by suspect, for every suspect with a
        VAWG crime in the window.

    Examples
    --------
    >>> crimes = pd.DataFrame({
    ...     "suspect_id": ["a", "a", "b"],
    ...     "recorded_date": pd.to_datetime(["2026-03-31", "2025-10-02", "2024-04-01"]),
    ...     "offence_group": ["rape", "violence_without_injury", "public_order"],
    ...     "vawg_flag": [True, True, True]})
    >>> rfg_harm_score(crimes, as_of="2026-04-01").round(1).to_dict()
    {'a': 114.8, 'b': 15.0}
    """
    weights = weights or HarmScoreWeights()
    missing = [c for c in (suspect, date, offence, vawg) if c not in crimes.columns]
    if missing:
        raise ConfigError(f"crimes table has no column(s) {missing} needed for the harm score")
    as_of = pd.Timestamp(as_of)
    start = as_of - pd.Timedelta(days=weights.lookback_days)
    in_window = (
        crimes[vawg].astype(bool) & (crimes[date] < as_of) & (crimes[date] >= start)
    ).to_numpy()
    window = crimes.loc[in_window, [suspect, date, offence]]
    gravity = window[offence].map(dict(weights.gravity_points)).astype("float64")
    gravity = gravity.fillna(weights.default_gravity)
    grouped = window.assign(_gravity=gravity).groupby(suspect, sort=True)
    latest = grouped[date].max()
    count = grouped[date].size()
    days_since = (as_of - latest).dt.days.astype("float64")
    recency = weights.recency_points * 0.5 ** (days_since / weights.recency_half_life_days)
    frequency = weights.frequency_points * count.clip(upper=weights.frequency_cap)
    score = recency + frequency + grouped["_gravity"].sum()
    score.name = "harm_score"
    return score.astype("float64")
