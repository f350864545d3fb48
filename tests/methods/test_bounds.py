"""Worst/best case and Lee (2009) bounds: hand-computed, simulated truth, edge cases.

The hand-computed values are worked on paper below each test from the definitions in
Lee (2009), Review of Economic Studies 76(3), section 3 (trim the better-observed group's
observed outcomes by p = (q_more - q_less) / q_more), and Horowitz and Manski (2000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods import lee_bounds, worst_best_bounds
from analysis.methods.bounds import _imbens_manski


# --------------------------------------------------------------------------- hand-computed
def test_lee_bounds_match_a_hand_computed_example():
    # Treated: 5 of 6 observed (q1 = 5/6), values 1..5; control: 3 of 4 observed (q0 = 3/4),
    # values 1, 2, 3, mean 2. p = (5/6 - 3/4) / (5/6) = 0.1, so 4.5 units of mass are kept:
    # lower = (1 + 2 + 3 + 4 + 0.5 * 5) / 4.5 - 2 = 0.7778; upper = (5+4+3+2+0.5*1)/4.5 - 2.
    frame = pd.DataFrame(
        {"group": [1] * 6 + [0] * 4, "score": [1, 2, 3, 4, 5, None, 1, 2, 3, None]}
    )
    result = lee_bounds(frame, outcome="score", treatment="group", bootstrap=50)
    assert result.diagnostics["trimming_share"] == pytest.approx(0.1)
    assert result.lower == pytest.approx(12.5 / 4.5 - 2)
    assert result.upper == pytest.approx(14.5 / 4.5 - 2)
    assert result.complete_case == pytest.approx(3 - 2)
    assert result.ci_low < result.lower and result.ci_high > result.upper


def test_lee_bounds_trim_the_control_group_when_it_is_observed_more_often():
    # The same example with the groups swapped: the bounds on (0 minus 1) become the
    # negatives of the above, in reverse order.
    frame = pd.DataFrame(
        {"group": [0] * 6 + [1] * 4, "score": [1, 2, 3, 4, 5, None, 1, 2, 3, None]}
    )
    result = lee_bounds(frame, outcome="score", treatment="group", bootstrap=50)
    assert result.lower == pytest.approx(-(14.5 / 4.5 - 2))
    assert result.upper == pytest.approx(-(12.5 / 4.5 - 2))


def test_lee_bounds_trim_a_binary_outcome_as_probability_mass():
    # Treated: 8 observed of 10 (q1 = 0.8), six 1s and two 0s; control: 4 of 10 observed
    # (q0 = 0.4), two 1s. p = 0.5: keep 4 units. Lower keeps the two 0s and two 1s: 0.5;
    # upper keeps four 1s: 1.0. Control mean 0.5, so bounds 0.0 to 0.5.
    frame = pd.DataFrame(
        {
            "group": [1] * 10 + [0] * 10,
            "ceased": [1] * 6 + [0] * 2 + [None] * 2 + [1, 1, 0, 0] + [None] * 6,
        }
    )
    result = lee_bounds(frame, outcome="ceased", treatment="group", bootstrap=50)
    assert (result.lower, result.upper) == pytest.approx((0.0, 0.5))


def test_worst_best_bounds_match_a_hand_computed_example():
    # Ten people, six observed with four 1s, four missing: lower 4/10, upper 8/10.
    frame = pd.DataFrame({"ceased": [1, 1, 1, 1, 0, 0, None, None, None, None]})
    result = worst_best_bounds(frame, outcome="ceased")
    assert (result.lower, result.upper) == pytest.approx((0.4, 0.8))
    assert result.complete_case == pytest.approx(4 / 6)
    assert result.diagnostics["n_missing"] == 4
    # Standard errors are those of the filled-in 0/1 variables' means.
    assert result.se_lower == pytest.approx(np.std([1] * 4 + [0] * 6, ddof=1) / np.sqrt(10))


def test_worst_best_bounds_on_a_difference_combine_opposite_extremes():
    # Group 1: [1, 1, missing, 0] -> 0.5 to 0.75; group 0: [1, missing] -> 0.5 to 1.
    # Difference: 0.5 - 1 = -0.5 to 0.75 - 0.5 = 0.25.
    frame = pd.DataFrame({"g": [1, 1, 1, 1, 0, 0], "y": [1, 1, None, 0, 1, None]})
    result = worst_best_bounds(frame, outcome="y", treatment="g")
    assert (result.lower, result.upper) == pytest.approx((-0.5, 0.25))
    assert result.scale == "difference"


def test_imbens_manski_interval_is_one_sided_when_wide_and_two_sided_when_a_point():
    low, high = _imbens_manski(0.0, 10.0, 0.1, 0.1, 0.95)
    assert low == pytest.approx(-stats.norm.ppf(0.95) * 0.1, rel=1e-4)
    low, high = _imbens_manski(1.0, 1.0, 0.1, 0.1, 0.95)
    assert high - 1.0 == pytest.approx(stats.norm.ppf(0.975) * 0.1, rel=1e-4)


# --------------------------------------------------------------------------- simulation
def _lee_world(seed: int, n: int, extra_at_top: bool):
    """Constant effect 0.5; the control group observes a random 60%; the treated group also
    observes extra units, either the highest outcomes or a random draw (monotone)."""
    rng = np.random.default_rng(seed)
    treated = rng.random(n) < 0.5
    untreated_outcome = rng.normal(0, 1, n)
    outcome = untreated_outcome + 0.5 * treated
    always = rng.random(n) < 0.6
    extra = rng.random(n) < 0.5 if not extra_at_top else outcome > np.quantile(outcome, 0.7)
    observed = always | (treated & extra & ~always)
    frame = pd.DataFrame({"treated": treated, "y": np.where(observed, outcome, np.nan)})
    return frame


def test_lee_bounds_contain_the_truth_the_complete_case_overstates():
    frame = _lee_world(1, 40_000, extra_at_top=True)
    result = lee_bounds(frame, outcome="y", treatment="treated", bootstrap=50)
    # Truth among the always-observed is 0.5; the extra observed treated units are the
    # high outcomes, so the complete case is biased upwards and the bounds straddle 0.5.
    assert result.lower < 0.5 < result.upper
    assert result.complete_case > 0.6
    assert result.contains(0.5)


def test_lee_interval_covers_the_truth_in_repeated_samples():
    covered = 0
    seeds = range(40)
    for seed in seeds:
        frame = _lee_world(seed, 1_500, extra_at_top=False)
        result = lee_bounds(frame, outcome="y", treatment="treated", bootstrap=100, seed=seed)
        covered += result.contains(0.5)
    # The interval covers the parameter with at least 95% (conservatively: more, as the
    # truth lies inside the set).
    assert covered / len(seeds) >= 0.9


def test_worst_best_interval_covers_a_truth_the_complete_case_misses():
    # Outcome-dependent missingness: people whose abuse did not cease drop out more.
    covered = complete_misses = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        ceased = rng.random(800) < 0.5
        observed = rng.random(800) < np.where(ceased, 0.9, 0.5)
        frame = pd.DataFrame({"ceased": np.where(observed, ceased.astype(float), np.nan)})
        result = worst_best_bounds(frame, outcome="ceased")
        covered += result.contains(0.5)
        complete_misses += result.complete_case > 0.55
    assert covered == 40
    assert complete_misses == 40


def test_equal_observation_rates_trim_nothing_and_bounds_meet():
    frame = pd.DataFrame({"g": [1, 1, 1, 0, 0, 0], "y": [1.0, 2.0, None, 0.0, 1.0, None]})
    result = lee_bounds(frame, outcome="y", treatment="g", bootstrap=30)
    assert result.diagnostics["trimming_share"] == 0
    assert result.lower == result.upper == pytest.approx(1.5 - 0.5)


# --------------------------------------------------------------------------- edge cases
def test_no_observed_outcome_in_a_group_is_a_clear_error():
    frame = pd.DataFrame({"g": [1, 1, 0, 0], "y": [1.0, 0.0, None, None]})
    with pytest.raises(EstimationError, match="no observed 'y' in group g=0"):
        lee_bounds(frame, outcome="y", treatment="g")
    with pytest.raises(EstimationError, match="no observed 'y' in group g=0"):
        worst_best_bounds(frame, outcome="y", treatment="g")


def test_a_single_group_or_a_non_binary_treatment_is_refused():
    frame = pd.DataFrame({"g": [1, 1, 1], "y": [1.0, 0.0, None]})
    with pytest.raises(EstimationError, match="one group only"):
        lee_bounds(frame, outcome="y", treatment="g")
    frame["g"] = [0, 1, 2]
    with pytest.raises(EstimationError, match="must be 0/1"):
        lee_bounds(frame, outcome="y", treatment="g")


def test_observed_flag_must_agree_with_the_outcome():
    frame = pd.DataFrame({"y": [1.0, None, 0.0], "seen": [True, True, False]})
    with pytest.raises(EstimationError, match="'seen' is true but 'y' is missing at rows \\[1\\]"):
        worst_best_bounds(frame, outcome="y", observed="seen")


def test_values_outside_the_range_and_bad_options_are_refused():
    frame = pd.DataFrame({"y": [2.0, 0.0, None]})
    with pytest.raises(EstimationError, match="outside outcome_range"):
        worst_best_bounds(frame, outcome="y")
    with pytest.raises(ConfigError, match="low < high"):
        worst_best_bounds(frame, outcome="y", outcome_range=(1, 0))
    with pytest.raises(ConfigError, match="no column 'z'"):
        worst_best_bounds(frame, outcome="z")
    with pytest.raises(ConfigError, match="bootstrap"):
        lee_bounds(
            pd.DataFrame({"g": [0, 1], "y": [0.0, 1.0]}), outcome="y", treatment="g", bootstrap=5
        )
    with pytest.raises(EstimationError, match="no observed values"):
        worst_best_bounds(pd.DataFrame({"y": [None, None]}), outcome="y")


def test_bounds_render_as_sentence_dict_and_html():
    frame = pd.DataFrame({"ceased": [1, 1, 1, 1, 0, 0, None, None, None, None]})
    result = worst_best_bounds(frame, outcome="ceased")
    assert "between 0.400 and 0.800" in result.summary()
    record = result.to_dict()
    assert record["lower"] == pytest.approx(0.4) and isinstance(record["assumptions"], list)
    assert "Complete case" in result._repr_html_()
    assert result.width == pytest.approx(0.4)
    assert result.warnings  # 40% missing: the width is explained
