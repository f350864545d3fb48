"""random_effects_meta: the published BCG worked example, statsmodels, coverage, edge cases."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from analysis.errors import ConfigError, EstimationError
from analysis.methods.meta_analysis import (
    random_effects_meta,
    se_from_interval,
    se_from_p_value,
)

DATA = Path(__file__).parent / "data" / "bcg.csv"


@pytest.fixture(scope="module")
def bcg():
    trials = pd.read_csv(DATA)
    assert len(trials) == 13
    treated = trials["tpos"] / (trials["tpos"] + trials["tneg"])
    control = trials["cpos"] / (trials["cpos"] + trials["cneg"])
    trials["log_rr"] = np.log(treated / control)
    trials["se"] = np.sqrt(
        1 / trials["tpos"]
        - 1 / (trials["tpos"] + trials["tneg"])
        + 1 / trials["cpos"]
        - 1 / (trials["cpos"] + trials["cneg"])
    )
    return trials


def test_matches_the_published_dersimonian_laird_fit_of_the_bcg_trials(bcg):
    pooled = random_effects_meta(bcg, effect="log_rr", se="se", study="author")
    assert pooled.effect == pytest.approx(-0.7141, abs=5e-5)
    assert pooled.se == pytest.approx(0.1787, abs=5e-5)
    assert pooled.diagnostics["tau2"] == pytest.approx(0.3088, abs=5e-5)
    assert pooled.diagnostics["i2"] == pytest.approx(0.9212, abs=5e-5)
    assert pooled.diagnostics["q"] == pytest.approx(152.23, abs=5e-3)


def test_agrees_with_statsmodels_combine_effects(bcg):
    pooled = random_effects_meta(bcg, effect="log_rr", se="se")
    reference = combine_effects(bcg["log_rr"].to_numpy(), bcg["se"].to_numpy() ** 2, method_re="dl")
    frame = reference.summary_frame()
    assert pooled.effect == pytest.approx(frame.loc["random effect", "eff"], rel=1e-10)
    assert pooled.ci_low == pytest.approx(frame.loc["random effect", "ci_low"], rel=1e-10)
    assert pooled.ci_high == pytest.approx(frame.loc["random effect", "ci_upp"], rel=1e-10)
    assert pooled.diagnostics["fixed_effect"] == pytest.approx(
        frame.loc["fixed effect", "eff"], rel=1e-10
    )
    assert pooled.diagnostics["tau2"] == pytest.approx(reference.tau2, rel=1e-10)
    np.testing.assert_allclose(pooled.table["weight_random"], frame["w_re"].iloc[:13], rtol=1e-10)


def test_interval_covers_the_average_effect_about_95_times_in_100():
    rng = np.random.default_rng(12)
    covered, draws = 0, 400
    for _ in range(draws):
        se = rng.uniform(0.1, 0.4, size=15)
        truth = rng.normal(-0.3, 0.2, size=15)
        studies = pd.DataFrame({"effect": rng.normal(truth, se), "se": se})
        pooled = random_effects_meta(studies, effect="effect", se="se")
        covered += pooled.ci_low <= -0.3 <= pooled.ci_high
    # DerSimonian-Laird intervals run a little narrow with moderate heterogeneity.
    assert 0.89 <= covered / draws <= 0.98


def test_one_study_is_returned_as_it_is_with_a_warning():
    pooled = random_effects_meta(
        pd.DataFrame({"effect": [-1.6], "se": [0.85]}), effect="effect", se="se"
    )
    assert pooled.effect == -1.6 and pooled.diagnostics["tau2"] == 0.0
    assert pooled.diagnostics["prediction_low"] is None
    assert "nothing was pooled" in pooled.warnings[0]


@pytest.mark.parametrize(
    "frame, error, words",
    [
        (pd.DataFrame({"effect": [], "se": []}), EstimationError, "no studies"),
        (pd.DataFrame({"effect": [1.0, None], "se": [1.0, 1.0]}), EstimationError, "row"),
        (pd.DataFrame({"effect": [1.0, 2.0], "se": [1.0, 0.0]}), EstimationError, "positive"),
        (pd.DataFrame({"effect": [1.0], "sd": [1.0]}), ConfigError, "no column 'se'"),
    ],
)
def test_bad_input_is_refused_clearly(frame, error, words):
    with pytest.raises(error, match=words):
        random_effects_meta(frame, effect="effect", se="se")


def test_standard_errors_from_intervals_and_p_values():
    assert se_from_interval(-1.96, 1.96) == pytest.approx(1.0, rel=1e-3)
    assert se_from_p_value(1.96, 0.05) == pytest.approx(1.0, rel=1e-3)
    with pytest.raises(ConfigError):
        se_from_p_value(1.0, 1.5)
    with pytest.raises(ConfigError):
        se_from_interval(1.0, 0.0)
