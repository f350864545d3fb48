from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.plots import alt_text, figure_info, plot_balance
from analysis.results import Estimate
from tests.plots.helpers import one

TABLE = pd.DataFrame(
    {
        "smd_before": [0.12, -0.45, 0.3, 0.05],
        "smd_after": [-0.06, 0.04, 0.15, 0.01],
        "variance_ratio_after": [1.0, 1.1, 0.9, 1.0],
    },
    index=["female", "age", "prior_arrests", "harm_score"],
)


def test_love_plot_shows_absolute_differences_before_hollow_and_after_filled():
    fig = plot_balance(TABLE)
    ax = fig.axes[0]
    # Sorted so the largest imbalance before adjustment is at the top.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "harm score",
        "female",
        "prior arrests",
        "age",
    ]
    before, after = one(fig, "before"), one(fig, "after")
    np.testing.assert_allclose(before.get_xdata(), [0.05, 0.12, 0.3, 0.45])
    np.testing.assert_allclose(after.get_xdata(), [0.01, 0.06, 0.15, 0.04])
    assert before.get_markerfacecolor() == "white"
    assert after.get_markerfacecolor() == after.get_markeredgecolor()
    assert list(one(fig, "threshold").get_xdata()) == [0.1, 0.1]
    assert len(one(fig, "change").get_segments()) == 4
    assert ax.get_xlabel() == "Absolute standardised mean difference"
    assert ax.get_xlim()[0] == 0


def test_title_and_alt_text_count_imbalanced_covariates():
    fig = plot_balance(TABLE)
    assert figure_info(fig).title == (
        "1 of 4 covariates remain imbalanced after adjustment (standardised difference of 0.1 "
        "or more)"
    )
    alt = alt_text(fig)
    assert "Before: 3 of 4 at or above 0.1 (largest age, 0.45)" in alt
    assert "After: 1 of 4 at or above 0.1 (largest prior arrests, 0.15)" in alt
    balanced = TABLE.assign(smd_after=[0.02, 0.01, 0.05, 0.0])
    assert figure_info(plot_balance(balanced)).title.startswith(
        "After adjustment all 4 covariates are balanced"
    )
    strict = plot_balance(TABLE, threshold=0.05)
    assert list(one(strict, "threshold").get_xdata()) == [0.05, 0.05]


def test_accepts_balance_and_matching_results():
    from_balance = Estimate(
        0.0, 0.0, 0.0, None, 100, "difference", "balance", "balance", table=TABLE
    )
    from_match = Estimate(
        0.2, 0.1, 0.3, 0.01, 100, "difference", "matching", "ATT", details={"balance": TABLE}
    )
    for result in (from_balance, from_match):
        np.testing.assert_allclose(
            one(plot_balance(result), "before").get_xdata(), [0.05, 0.12, 0.3, 0.45]
        )


def test_missing_balance_is_a_config_error():
    with pytest.raises(ConfigError, match="no balance table"):
        plot_balance(Estimate(0.2, 0.1, 0.3, 0.01, 100, "difference", "did", "e"))
    with pytest.raises(ConfigError, match="smd_after"):
        plot_balance(TABLE.drop(columns="smd_after"))
