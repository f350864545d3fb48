"""The Recency-Frequency-Gravity harm score."""

import pandas as pd
import pytest

from analysis.data.harm_score import HarmScoreWeights, rfg_harm_score
from analysis.errors import ConfigError


def test_rfg_harm_score_follows_its_weights():
    crimes = pd.DataFrame(
        {
            "suspect_id": ["a", "a", "a"],
            "recorded_date": pd.to_datetime(["2026-03-02", "2025-01-01", "2022-01-01"]),
            "offence_group": ["rape", "arson", "rape"],
            "vawg_flag": [True, True, True],
        }
    )
    weights = HarmScoreWeights(
        recency_points=10, recency_half_life_days=30, frequency_points=1, gravity_points={}
    )
    score = rfg_harm_score(crimes, as_of="2026-04-01", weights=weights)
    # 30 days since the latest: 10 * 0.5; two crimes in the window (the 2022 one is not);
    # no gravity points listed, so each crime scores the default 2.
    assert score["a"] == pytest.approx(5 + 2 + 4)


def test_weights_and_columns_are_checked():
    with pytest.raises(ConfigError, match="recency_half_life_days"):
        HarmScoreWeights(recency_half_life_days=0)
    with pytest.raises(ConfigError, match="gravity points must not be negative"):
        HarmScoreWeights(gravity_points={"rape": -1.0})
    with pytest.raises(ConfigError, match="vawg_flag"):
        rfg_harm_score(pd.DataFrame({"suspect_id": []}), as_of="2026-04-01")
