"""E-values and Rosenbaum bounds against published examples, scipy and brute force.

Every expected value below names its source. "EValue docs" is the printed output of
the examples in the R package EValue's reference page for ``evalue()`` (pkgdown site
of the package, docs/reference/evalue.html); "EValue tests" is the package's own
testthat suite; "Rosenbaum (2002)" is Observational Studies, 2nd edition, chapter 4,
whose tables are printed to the digits given here.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods import compare_proportions, rate_ratio
from analysis.methods.sensitivity import (
    benchmark_strength,
    e_value,
    e_value_risk_difference,
    omitted_variable_bias,
    omitted_variable_bounds,
    partial_r2,
    rosenbaum_binary,
    rosenbaum_binary_counts,
    rosenbaum_wilcoxon,
)
from analysis.results import Estimate


# --------------------------------------------------------------------------- E-values
def test_risk_ratio_matches_vanderweele_ding_leukaemia_example():
    # VanderWeele and Ding (2017), breastfeeding and childhood leukaemia, RR 0.80 (0.71,
    # 0.91); EValue docs: evalue(RR(0.80), 0.71, 0.91) prints 1.809017 and 1.428571.
    result = e_value(0.80, 0.71, 0.91, scale="risk ratio")
    assert result.point == pytest.approx(1.809017, abs=1e-6)
    assert result.limit == pytest.approx(1.428571, abs=1e-6)
    assert result.risk_ratio_limit == 0.91
    # EValue docs: the reciprocal estimate has the same E-value, summary(evalue(RR(1/0.80))).
    assert e_value(1 / 0.80, scale="risk ratio").point == pytest.approx(1.809017, abs=1e-6)
    assert e_value(1 / 0.80, scale="risk ratio").limit is None


def test_risk_ratio_matches_evalue_docs_lead_example():
    # EValue docs, Hsu and Small (2013) lead data, log-linear model: RR 2.466433 (1.672663,
    # 3.63689) gives E-values 4.368237 (point) and 2.733388 (lower limit).
    result = e_value(2.466433, 1.672663, 3.63689, scale="risk ratio")
    assert result.point == pytest.approx(4.368237, abs=1e-6)
    assert result.limit == pytest.approx(2.733388, abs=1e-6)


def test_odds_ratio_common_outcome_uses_square_root():
    # EValue docs, lead data, logistic model with rare = FALSE: the converted risk ratios
    # are 1.643167 (1.317079, 2.049988) and the E-values 2.671189 and 1.963313. The odds
    # ratios are the squares of the printed risk ratios (printed to 7 figures, hence 1e-6).
    odds = [1.643167**2, 1.317079**2, 2.049988**2]
    result = e_value(*odds, scale="odds ratio", rare_outcome=False)
    assert result.risk_ratio == pytest.approx(1.643167, rel=1e-6)
    assert result.risk_ratio_limit == pytest.approx(1.317079, rel=1e-6)
    assert result.point == pytest.approx(2.671189, rel=1e-6)
    assert result.limit == pytest.approx(1.963313, rel=1e-6)
    rare = e_value(*odds, scale="odds ratio", rare_outcome=True)
    assert rare.risk_ratio == pytest.approx(odds[0])
    assert any("rare" in w for w in rare.warnings)


def test_hazard_ratio_common_and_rare_outcome():
    # EValue docs: evalue(HR(0.56, rare = FALSE), lo = 0.46, hi = 0.69) prints risk ratios
    # 0.670084 (0.585935, 0.7735267) and E-values 2.349531 and 1.9080039; with rare = TRUE
    # the E-values are 2.970223 and 2.256198.
    common = e_value(0.56, 0.46, 0.69, scale="hazard ratio", rare_outcome=False)
    assert common.risk_ratio == pytest.approx(0.670084, abs=1e-6)
    assert common.risk_ratio_limit == pytest.approx(0.7735267, abs=1e-7)
    assert common.point == pytest.approx(2.349531, abs=1e-6)
    assert common.limit == pytest.approx(1.9080039, abs=1e-7)
    assert "sqrt(HR)" in common.conversion
    rare = e_value(0.56, 0.46, 0.69, scale="hazard ratio", rare_outcome=True)
    assert rare.point == pytest.approx(2.970223, abs=1e-6)
    assert rare.limit == pytest.approx(2.256198, abs=1e-6)


def test_standardised_mean_difference_matches_evalue_docs():
    # EValue docs: evalue(MD(0.5), se = 0.25) prints risk ratios 1.576173 (1.010050,
    # 2.459603) and E-values 2.529142 and 1.110803. The package forms the limits as
    # exp(0.91 d -/+ 1.78 se), i.e. d -/+ (1.78 / 0.91) se on the d scale; we are given
    # the interval, so pass that one.
    half_width = 1.78 / 0.91 * 0.25
    result = e_value(0.5, 0.5 - half_width, 0.5 + half_width, scale="standardised mean difference")
    assert result.risk_ratio == pytest.approx(1.576173, abs=1e-6)
    assert result.risk_ratio_limit == pytest.approx(1.010050, abs=1e-6)
    assert result.point == pytest.approx(2.529142, abs=1e-6)
    assert result.limit == pytest.approx(1.110803, abs=1e-6)
    # A raw difference in means is standardised by the outcome's standard deviation.
    raw = e_value(
        5.0, 5.0 - 10 * half_width, 5.0 + 10 * half_width, scale="difference", outcome_sd=10.0
    )
    assert raw.point == pytest.approx(result.point, rel=1e-12)
    assert raw.limit == pytest.approx(result.limit, rel=1e-12)


def test_interval_crossing_the_null_has_limit_one():
    # EValue docs, OLS example (1-unit increase in income): RR 1.015465 (0.9952602,
    # 1.03608), E-values 1.140780 and 1 ("Confidence interval crosses the true value").
    # Near 1 the E-value moves about four times as fast as the (7-figure) input: 1e-5.
    result = e_value(1.015465, 0.9952602, 1.03608, scale="risk ratio")
    assert result.point == pytest.approx(1.140780, rel=1e-5)
    assert result.limit == 1.0
    assert "already includes no effect" in result.summary()


def test_risk_difference_matches_evalue_package_test():
    # EValue tests, "Peng's risk difference example" (Hammond and Holl 1958: 397 of
    # 78,954 smokers and 51 of 108,829 non-smokers died of lung cancer): the lower-limit
    # E-value is 15.95703 (package tolerance 0.001, relative); the point E-value is the
    # closed form the same test writes out.
    result = e_value_risk_difference(397, 397 + 78557, 51, 51 + 108778)
    assert result.limit == pytest.approx(15.95703, rel=1e-3)
    n1, n0 = 397 + 78557, 51 + 108778
    f, p1, p0 = n1 / (n1 + n0), 397 / n1, 51 / n0
    diff = p0 * (1 - f) - p1 * f
    factor = (math.sqrt(diff**2 + 4 * p1 * p0 * f * (1 - f)) - diff) / (2 * p0 * f)
    assert result.point == pytest.approx(factor + math.sqrt(factor * (factor - 1)), rel=1e-12)
    # A negative difference is the same question with the groups exchanged.
    swapped = e_value_risk_difference(51, 51 + 108778, 397, 397 + 78557)
    assert "exchanged" in swapped.conversion
    # EValue tests, "RD that crosses null": 55 vs 51 events in equal groups -> limit 1.
    assert e_value_risk_difference(55, 55 + 108778, 51, 51 + 108778).limit == 1.0


def test_estimates_are_read_with_their_scale_and_interval(rossi):
    from analysis.methods import cox

    model = cox(rossi, duration="week", event="arrest", covariates=["fin", "age", "prio"])
    from_estimate = e_value(model, rare_outcome=False)
    by_hand = e_value(
        model.effect, model.ci_low, model.ci_high, scale="hazard ratio", rare_outcome=False
    )
    assert from_estimate.point == by_hand.point and from_estimate.limit == by_hand.limit
    assert from_estimate.estimand.endswith(model.estimand)
    ratio = rate_ratio(40, 1000.0, 60, 1000.0)
    assert e_value(ratio).point == pytest.approx(e_value(ratio.effect, scale="rate ratio").point)
    # A difference of proportions from compare_proportions is handled from its counts.
    difference = compare_proportions(60, 200, 40, 200)
    assert e_value(difference) == e_value_risk_difference(60, 200, 40, 200)


def test_e_value_at_the_null_and_bad_input():
    at_null = e_value(1.0, 0.8, 1.25, scale="risk ratio")
    assert (at_null.point, at_null.limit) == (1.0, 1.0)
    assert any("exactly at no effect" in w for w in at_null.warnings)
    assert "nothing for an unmeasured confounder" in at_null.summary()
    equal = e_value_risk_difference(20, 100, 20, 100)
    assert (equal.point, equal.limit) == (1.0, 1.0) and equal.warnings
    with pytest.raises(ConfigError, match="rare_outcome"):
        e_value(0.7, 0.5, 0.9, scale="hazard ratio")
    with pytest.raises(ConfigError, match="outcome_sd"):
        e_value(2.0, 1.0, 3.0, scale="difference")
    with pytest.raises(ConfigError, match="no E-value conversion"):
        e_value(2.0, scale="c-statistic")
    with pytest.raises(ConfigError, match="scale="):
        e_value(2.0)
    with pytest.raises(ConfigError, match="positive"):
        e_value(-0.5, scale="risk ratio")
    with pytest.raises(ConfigError, match="outside its interval"):
        e_value(2.0, 2.5, 3.0, scale="risk ratio")
    with pytest.raises(ConfigError, match="carries its own"):
        e_value(Estimate(0.8, 0.7, 0.9, 0.01, 100, "risk ratio", "m", "e"), 0.7, 0.9)
    with pytest.raises(ConfigError, match="counts"):
        e_value(3.0, 1.0, 5.0, scale="percentage points")
    with pytest.raises(EstimationError, match="no events"):
        e_value_risk_difference(10, 100, 0, 100)


def test_e_value_summary_and_dict():
    result = e_value(0.80, 0.71, 0.91, scale="risk ratio")
    sentence = result.summary()
    assert "risk ratio of 1.81 each could explain away the estimate" in sentence
    assert "1.43 could move the interval's limit" in sentence
    record = result.to_dict()
    assert record["point"] == result.point and record["summary"] == sentence
    assert record["assumptions"] and str(result) == sentence


# --------------------------------------------------------------------------- Rosenbaum bounds
# Rosenbaum (2002), section 4.3.3, after Morton et al. (1982): blood lead of 33 children
# of lead-factory workers and 33 matched controls (the data of rbounds::psens's example).
LEAD_EXPOSED = [38, 23, 41, 18, 37, 36, 23, 62, 31, 34, 24, 14, 21, 17, 16, 20, 15]
LEAD_EXPOSED += [10, 45, 39, 22, 35, 49, 48, 44, 35, 43, 39, 34, 13, 73, 25, 27]
LEAD_CONTROL = [16, 18, 18, 24, 19, 11, 10, 15, 16, 18, 18, 13, 19, 10, 16, 16, 24]
LEAD_CONTROL += [13, 9, 14, 21, 19, 7, 18, 19, 12, 11, 22, 25, 16, 13, 11, 13]


@pytest.fixture
def lead() -> pd.DataFrame:
    return pd.DataFrame({"exposed": LEAD_EXPOSED, "control": LEAD_CONTROL})


def test_binary_bounds_are_binomial_tails_on_rosenbaums_smoking_example():
    # Rosenbaum (2002), section 4.3.2 (the example of rbounds::binarysens(12, 110)):
    # Hammond's smokers and matched non-smokers, 122 discordant pairs of which 110 have
    # the smoker dying of lung cancer.
    # The exact bound is the binomial upper tail, here from scipy's binomial test.
    exact = rosenbaum_binary_counts(110, 12, gammas=[1, 2, 4, 6])
    assert exact.n_informative == 122 and exact.statistic == 110
    for gamma, p_upper in zip(exact.table["gamma"], exact.table["p_upper"], strict=True):
        reference = stats.binomtest(110, 122, gamma / (1 + gamma), alternative="greater")
        assert p_upper == pytest.approx(reference.pvalue, rel=1e-10)
    assert exact.p_value == pytest.approx(stats.binomtest(110, 122, 0.5).pvalue / 2, rel=1e-10)
    assert exact.p_upper_at(exact.critical_gamma) == pytest.approx(0.05, abs=1e-8)
    # The best case (p = 1 / (1 + Gamma)) is the same binomial tail on the other side.
    reference = stats.binomtest(110, 122, 1 / 5, alternative="greater")
    assert exact.table.set_index("gamma").loc[4.0, "p_lower"] == pytest.approx(
        reference.pvalue, rel=1e-10
    )
    assert exact.largest_significant_gamma == 4.0


def test_wilcoxon_bounds_match_rosenbaum_lead_example(lead):
    # Rosenbaum (2002), section 4.3.3, lead example: upper bounds 0.0018 (Gamma 2), 0.0136
    # (3), 0.0388 (4) and 0.0468 (4.25), < 0.0001 at Gamma 1; T = 527, the one zero
    # difference ranked with the others.
    bounds = rosenbaum_wilcoxon(
        lead, treated="exposed", control="control", gammas=[1, 2, 3, 4, 4.25], exact=False
    )
    upper = bounds.table.set_index("gamma")["p_upper"]
    assert upper.loc[1] < 0.0001
    assert [round(upper.loc[g], 4) for g in (2, 3, 4, 4.25)] == [0.0018, 0.0136, 0.0388, 0.0468]
    assert bounds.statistic == 527
    assert bounds.largest_significant_gamma == 4.25
    assert any("zero difference" in w for w in bounds.warnings)


@pytest.mark.parametrize("zero_method", ["pratt", "wilcox"])
def test_wilcoxon_bound_at_gamma_one_is_scipys_signed_rank_test(lead, zero_method):
    bounds = rosenbaum_wilcoxon(
        lead,
        treated="exposed",
        control="control",
        gammas=[1],
        exact=False,
        zero_method=zero_method,
    )
    differences = lead["exposed"] - lead["control"]
    reference = stats.wilcoxon(
        differences,
        zero_method=zero_method,
        correction=False,
        alternative="greater",
        method="approx",
    )
    assert bounds.p_value == pytest.approx(reference.pvalue, rel=1e-10)


def test_exact_wilcoxon_bound_matches_scipy_and_brute_force():
    rng = np.random.default_rng(4)
    differences = rng.normal(0.6, 1, 12)
    pairs = pd.DataFrame({"treated": differences, "control": 0.0})
    bounds = rosenbaum_wilcoxon(
        pairs, treated="treated", control="control", gammas=[1, 2.5], exact=True
    )
    reference = stats.wilcoxon(differences, alternative="greater", method="exact")
    assert bounds.p_value == pytest.approx(reference.pvalue, rel=1e-10)
    # Brute force at Gamma = 2.5: every sign pattern, each positive with p = Gamma/(1+Gamma).
    ranks = stats.rankdata(np.abs(differences))
    observed = ranks[differences > 0].sum()
    p = 2.5 / 3.5
    tail = 0.0
    for signs in itertools.product([0, 1], repeat=12):
        chosen = np.array(signs, dtype=bool)
        if ranks[chosen].sum() >= observed - 1e-9:
            tail += p ** chosen.sum() * (1 - p) ** (~chosen).sum()
    assert bounds.table["p_upper"].iloc[1] == pytest.approx(tail, rel=1e-10)


def test_bounds_are_monotone_in_gamma_and_equal_at_one():
    rng = np.random.default_rng(11)
    pairs = pd.DataFrame({"treated": rng.normal(0.4, 1, 80), "control": rng.normal(0, 1, 80)})
    grid = np.linspace(1, 4, 31)
    for exact in (True, False):
        bounds = rosenbaum_wilcoxon(
            pairs, treated="treated", control="control", gammas=grid, exact=exact
        )
        upper, lower = bounds.table["p_upper"].to_numpy(), bounds.table["p_lower"].to_numpy()
        assert np.all(np.diff(upper) >= 0) and np.all(np.diff(lower) <= 0)
        assert upper[0] == pytest.approx(lower[0])
    binary = pd.DataFrame({"treated": rng.integers(0, 2, 200), "control": rng.integers(0, 2, 200)})
    bounds = rosenbaum_binary(binary, treated="treated", control="control", gammas=grid)
    assert np.all(np.diff(bounds.table["p_upper"]) >= 0)


def test_sign_test_bound_keeps_its_size_under_no_effect():
    # No effect and no hidden bias: the Gamma = 1 test rejects at most about 5% of the time.
    rng = np.random.default_rng(3)
    rejections = 0
    for _ in range(400):
        outcome = rng.random((60, 2)) < 0.4
        pairs = pd.DataFrame({"treated": outcome[:, 0], "control": outcome[:, 1]})
        rejections += (
            rosenbaum_binary(pairs, treated="treated", control="control", gammas=[1]).p_value
            <= 0.05
        )
    assert rejections / 400 <= 0.07


def test_alternative_less_reads_the_pairs_the_other_way(lead):
    reversed_pairs = lead.rename(columns={"exposed": "control", "control": "exposed"})
    forward = rosenbaum_wilcoxon(lead, treated="exposed", control="control", exact=False)
    backward = rosenbaum_wilcoxon(
        reversed_pairs, treated="exposed", control="control", exact=False, alternative="less"
    )
    pd.testing.assert_frame_equal(forward.table, backward.table)
    # The ordinary p-value is there even when the grid leaves out Gamma = 1.
    off_grid = rosenbaum_wilcoxon(
        lead, treated="exposed", control="control", exact=False, gammas=[2, 3]
    )
    assert off_grid.p_value == pytest.approx(forward.p_value, rel=1e-12)
    counts = rosenbaum_binary_counts(12, 110, alternative="less")
    assert counts.critical_gamma == pytest.approx(rosenbaum_binary_counts(110, 12).critical_gamma)
    assert "lowering" in counts.summary()


def test_rosenbaum_edge_cases():
    concordant = pd.DataFrame({"treated": [1, 0, 1, 0], "control": [1, 0, 1, 0]})
    bounds = rosenbaum_binary(concordant, treated="treated", control="control")
    assert bounds.n_informative == 0 and (bounds.table["p_upper"] == 1).all()
    assert bounds.critical_gamma is None and any("No discordant" in w for w in bounds.warnings)
    assert "not significant even without hidden bias" in bounds.summary()
    same = pd.DataFrame({"treated": [3.0, 4.0], "control": [3.0, 4.0]})
    assert any(
        "zero difference" in w
        for w in rosenbaum_wilcoxon(same, treated="treated", control="control").warnings
    )
    with pytest.raises(ConfigError, match="gammas"):
        rosenbaum_binary_counts(10, 2, gammas=[0.5, 1])
    with pytest.raises(ConfigError, match="alternative"):
        rosenbaum_binary_counts(10, 2, alternative="two-sided")
    with pytest.raises(ConfigError, match="numeric"):
        rosenbaum_wilcoxon(pd.DataFrame({"t": ["a"], "c": ["b"]}), treated="t", control="c")
    strong = rosenbaum_binary_counts(40, 0, gammas=[1, 2])
    assert any("largest Gamma checked" in w for w in strong.warnings)
    record = strong.to_dict()
    assert record["table"][0]["gamma"] == 1.0 and record["summary"] == strong.summary()
    assert "<table" in strong._repr_html_()


# --------------------------------------------------------------------------- benchmarked bounds
# "sensemakr tests" is the R package sensemakr's own testthat suite
# (tests/testthat/test-02-darfur.R, the "testing darfur sensemakr" case): the Darfur model of
# Cinelli and Hazlett (2020, section 5), benchmarked on ``female`` at 1, 2 and 3 times its
# strength, with the bounds printed to full precision.
DARFUR_COVARIATES = ("age", "farmer_dar", "herder_dar", "pastvoted", "hhsize_darfur", "female")


@pytest.fixture(scope="module")
def darfur() -> tuple[pd.DataFrame, list[str]]:
    """The Darfur data with village dummies (the model's fixed effects), and the covariates."""
    from pathlib import Path

    data = pd.read_csv(Path(__file__).parent / "data" / "darfur.csv")
    assert len(data) == 1276
    villages = pd.get_dummies(data["village"], prefix="village", drop_first=True).astype(float)
    return pd.concat([data, villages], axis=1), [*DARFUR_COVARIATES, *villages.columns]


def test_omitted_variable_bounds_match_the_sensemakr_darfur_example(darfur):
    data, covariates = darfur
    bounds = omitted_variable_bounds(
        data,
        outcome="peacefactor",
        treatment="directlyharmed",
        covariates=covariates,
        benchmarks=["female"],
        kd=[1, 2, 3],
    )
    # sensemakr tests: estimate 0.09731582, SE 0.02325654, 783 df, r2yd.x 0.02187309.
    assert bounds.attrs["estimate"] == pytest.approx(0.09731582, abs=5e-9)
    assert bounds.attrs["se"] == pytest.approx(0.02325654, abs=5e-9)
    assert bounds.attrs["dof"] == 783
    assert bounds.attrs["r2yd_x"] == pytest.approx(0.02187309, abs=5e-9)
    published = {
        "r2dz_x": [0.00916428667504862, 0.0183285733500972, 0.0274928600251459],
        "r2yz_dx": [0.12464092303637, 0.249324064199975, 0.374050471038094],
        "adjusted_estimate": [0.0752202712144491, 0.0529151723844518, 0.0303960234641548],
        "adjusted_se": [0.0218733277437572, 0.0203500620779637, 0.0186700648170924],
        "adjusted_ci_low": [0.032282966, 0.012968035, -0.006253282],
        "adjusted_ci_high": [0.11815758, 0.09286231, 0.06704533],
    }
    for column, expected in published.items():
        assert bounds[column].to_numpy() == pytest.approx(expected, abs=1e-8), column


def test_omitted_variable_bias_is_exact_for_a_covariate_left_out(darfur):
    # The identity sensemakr's own tests check (test-sensemakr.R): leave `female` out of the
    # model, give the bias formula its true partial R2s (from the full models), and the bias
    # is exactly the change in the coefficient; the adjusted SE is the full model's SE.
    import statsmodels.api as sm

    data, covariates = darfur
    without = [c for c in covariates if c != "female"]
    full = sm.OLS(data["peacefactor"], sm.add_constant(data[["directlyharmed", *covariates]])).fit()
    short = sm.OLS(data["peacefactor"], sm.add_constant(data[["directlyharmed", *without]])).fit()
    treatment_model = sm.OLS(data["directlyharmed"], sm.add_constant(data[covariates])).fit()
    r2yz_dx = partial_r2(full.tvalues["female"], full.df_resid)
    r2dz_x = partial_r2(treatment_model.tvalues["female"], treatment_model.df_resid)
    bias = omitted_variable_bias(
        short.bse["directlyharmed"], short.df_resid, r2dz_x=r2dz_x, r2yz_dx=r2yz_dx
    )
    change = abs(short.params["directlyharmed"] - full.params["directlyharmed"])
    assert bias == pytest.approx(change, rel=1e-9)


def test_benchmark_strength_edge_cases():
    # No association with the treatment: the confounder moves nothing, whatever its
    # association with the outcome.
    r2dz, r2yz = benchmark_strength(0.0, 0.3)
    assert r2dz == 0.0 and r2yz == pytest.approx(0.3 / 0.7)
    assert omitted_variable_bias(0.1, 100, r2dz, r2yz) == 0.0
    # k = 0 supposes no confounder at all.
    assert benchmark_strength(0.2, 0.2, kd=0) == (0.0, 0.0)
    # A strong benchmark: the outcome's partial R2 is capped at 1.
    assert benchmark_strength(0.1, 0.8, kd=2)[1] == 1.0
    # The bias grows with the multiple.
    strengths = [benchmark_strength(0.05, 0.05, kd=k) for k in (1, 2, 3)]
    biases = [omitted_variable_bias(1.0, 100, *s) for s in strengths]
    assert biases == sorted(biases) and biases[0] > 0
    with pytest.raises(ConfigError, match="smaller kd"):
        benchmark_strength(0.5, 0.1, kd=1)
    with pytest.raises(ConfigError, match="partial R2"):
        benchmark_strength(1.0, 0.1)
    with pytest.raises(ConfigError, match="non-negative"):
        benchmark_strength(0.1, 0.1, kd=-1)
    with pytest.raises(ConfigError, match="dof"):
        omitted_variable_bias(0.1, 0, 0.1, 0.1)
    with pytest.raises(ConfigError, match="degrees of freedom"):
        partial_r2(1.0, 0)


def test_omitted_variable_bounds_refuse_bad_input():
    from analysis.errors import DataValidationError

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"x": rng.normal(size=50), "w": rng.normal(size=50)})
    frame["d"] = (rng.random(50) < 0.5).astype(float)
    frame["y"] = frame["d"] + frame["x"] + rng.normal(size=50)
    with pytest.raises(ConfigError, match="not among the covariates"):
        omitted_variable_bounds(
            frame, outcome="y", treatment="d", covariates=["x"], benchmarks=["w"]
        )
    with pytest.raises(ConfigError, match="not found"):
        omitted_variable_bounds(frame, outcome="y", treatment="d", covariates=["z"])
    with pytest.raises(ConfigError, match="same length"):
        omitted_variable_bounds(
            frame, outcome="y", treatment="d", covariates=["x"], kd=[1, 2], ky=[1]
        )
    with pytest.raises(ConfigError, match="too few"):
        omitted_variable_bounds(frame.head(4), outcome="y", treatment="d", covariates=["x", "w"])
    with pytest.raises(DataValidationError):
        omitted_variable_bounds(frame.assign(x=frame["x"].where(frame.index > 0)), outcome="y",
                                treatment="d", covariates=["x"])  # fmt: skip
    # A negative estimate is moved up towards no effect, never past it by the bias alone.
    flipped = omitted_variable_bounds(frame.assign(y=-frame["y"]), outcome="y", treatment="d",
                                      covariates=["x", "w"])  # fmt: skip
    assert (flipped["adjusted_estimate"] >= flipped.attrs["estimate"]).all()
    assert np.allclose(flipped["adjusted_estimate"] - flipped["bias"], flipped.attrs["estimate"])
