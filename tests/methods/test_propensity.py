"""Propensity scores, weighting, matching and balance against statsmodels, scikit-learn
and brute-force reimplementations, plus planted-effect coverage."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from scipy import special
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors
from statsmodels.discrete.discrete_model import Logit
from statsmodels.regression.linear_model import OLS
from statsmodels.treatment.treatment_effects import TreatmentEffect

from analysis.errors import ConfigError, DataValidationError, EstimationError
from analysis.methods.propensity import balance, ipw, match, propensity_score

CATTANEO_FORMULA = "mmarried_ + mage + mage2 + fbaby_ + medu"
CATTANEO_COLUMNS = ["mmarried_", "mage", "mage2", "fbaby_", "medu"]


def _simulate(seed: int, n: int = 600, effect: float = 1.0, share: float = -0.8) -> pd.DataFrame:
    """Confounded treatment with a heterogeneous planted effect (ATT differs from ATE)."""
    rng = np.random.default_rng(seed)
    age = rng.normal(size=n)
    prior = rng.binomial(1, 0.4, n)
    treated = rng.random(n) < special.expit(share + 0.8 * age + 0.5 * prior)
    outcome = 1 + age + 0.5 * prior + treated * (effect + 0.5 * age) + rng.normal(size=n)
    return pd.DataFrame({"age": age, "prior": prior, "treated": treated, "y": outcome})


def _att_truth(share: float = -0.8) -> float:
    """Effect on the treated in _simulate, 1 + 0.5 E[age | treated], by Gauss-Hermite
    quadrature over the standard normal age and the Bernoulli(0.4) prior flag."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    numerator = denominator = 0.0
    for prior, mass in ((0, 0.6), (1, 0.4)):
        p_treated = special.expit(share + 0.8 * nodes + 0.5 * prior)
        numerator += mass * np.sum(weights * nodes * p_treated)
        denominator += mass * np.sum(weights * p_treated)
    return 1 + 0.5 * numerator / denominator


ATT_TRUTH = _att_truth()


# --------------------------------------------------------------------------- propensity model
def test_logistic_model_matches_statsmodels(cattaneo):
    model = propensity_score(cattaneo, treatment="mbsmoke_", covariates=CATTANEO_FORMULA)
    reference = Logit.from_formula(f"mbsmoke_ ~ {CATTANEO_FORMULA}", cattaneo).fit(disp=0)
    np.testing.assert_allclose(model.table["coef"], reference.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(model.table["se"], reference.bse, rtol=1e-6)
    np.testing.assert_allclose(model.scores, reference.predict(), atol=1e-9)
    assert model.scores.index.equals(cattaneo.index)
    assert model.c_statistic == pytest.approx(roc_auc_score(cattaneo["mbsmoke_"], model.scores))


def test_formula_and_list_give_the_same_model(cattaneo):
    with_formula = propensity_score(
        cattaneo, treatment="mbsmoke_", covariates="mmarried_ + mage + I(mage**2) + fbaby_ + medu"
    )
    with_list = propensity_score(cattaneo, treatment="mbsmoke_", covariates=CATTANEO_COLUMNS)
    np.testing.assert_allclose(with_formula.scores, with_list.scores, atol=1e-10)


def test_c_statistic_delong_se_matches_pairwise_computation():
    frame = _simulate(1, n=300)
    model = propensity_score(frame, treatment="treated", covariates=["age", "prior"])
    scores = model.scores.to_numpy()
    t = frame["treated"].to_numpy()
    # DeLong's structural components, pair by pair (ties count one half).
    pair = (scores[t][:, None] > scores[~t][None, :]) + 0.5 * (
        scores[t][:, None] == scores[~t][None, :]
    )
    v10, v01 = pair.mean(axis=1), pair.mean(axis=0)
    se = math.sqrt(v10.var(ddof=1) / t.sum() + v01.var(ddof=1) / (~t).sum())
    assert model.c_statistic == pytest.approx(pair.mean())
    assert model.c_statistic_se == pytest.approx(se, rel=1e-10)
    assert model.diagnostics["share_treated_outside_control_range"] == pytest.approx(
        np.mean((scores[t] < scores[~t].min()) | (scores[t] > scores[~t].max()))
    )


def test_text_covariates_become_indicators():
    frame = _simulate(2).assign(area=lambda d: np.where(d["age"] > 0, "east", "west"))
    model = propensity_score(frame, treatment="treated", covariates=["age", "area"])
    assert model.table.index.tolist() == ["Intercept", "age", "area[T.west]"]


# --------------------------------------------------------------------------- weighting
@pytest.mark.parametrize(("estimand", "effect_group"), [("ATT", 1), ("ATE", "all")])
def test_ipw_matches_statsmodels_treatment_effect(cattaneo, estimand, effect_group):
    selection = Logit.from_formula(f"mbsmoke_ ~ {CATTANEO_FORMULA}", cattaneo).fit(disp=0)
    outcome_model = OLS.from_formula("bweight ~ mmarried_", cattaneo)
    reference = TreatmentEffect(
        outcome_model, cattaneo["mbsmoke_"].to_numpy(), results_select=selection
    ).ipw(return_results=True, effect_group=effect_group)
    est = ipw(
        cattaneo,
        outcome="bweight",
        treatment="mbsmoke_",
        covariates=CATTANEO_FORMULA,
        estimand=estimand,
    )
    assert est.effect == pytest.approx(reference.effect[0], rel=1e-8)
    # statsmodels solves the same moment conditions by numerical GMM (Nelder-Mead and
    # numerical derivatives), which limits agreement on the standard error to ~1e-4.
    assert est.se == pytest.approx(reference.results_gmm.bse[0], rel=2e-4)


@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_ipw_sandwich_matches_numerical_jacobian(cattaneo, estimand):
    """The analytic M-estimation variance against one built from finite differences."""
    x = np.column_stack([np.ones(len(cattaneo)), cattaneo[CATTANEO_COLUMNS].to_numpy(float)])
    t = cattaneo["mbsmoke_"].to_numpy(float)
    y = cattaneo["bweight"].to_numpy(float)
    beta = Logit(t, x).fit(disp=0).params

    def moments(theta: np.ndarray) -> np.ndarray:
        eta = x @ theta[:-2]
        e = special.expit(eta)
        if estimand == "ATT":
            w1, w0 = t, (1 - t) * np.exp(eta)
        else:
            w1, w0 = t / e, (1 - t) / (1 - e)
        return np.column_stack([x * (t - e)[:, None], w1 * (y - theta[-2]), w0 * (y - theta[-1])])

    eta = x @ beta
    e = special.expit(eta)
    w1, w0 = (t, (1 - t) * np.exp(eta)) if estimand == "ATT" else (t / e, (1 - t) / (1 - e))
    theta = np.concatenate([beta, [w1 @ y / w1.sum(), w0 @ y / w0.sum()]])
    jacobian = np.empty((theta.size, theta.size))
    for j in range(theta.size):
        step = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        jacobian[:, j] = (moments(up).sum(0) - moments(down).sum(0)) / (2 * step)
    bread = np.linalg.inv(jacobian)
    meat = moments(theta).T @ moments(theta)
    contrast = np.zeros(theta.size)
    contrast[-2:] = [1.0, -1.0]
    se = math.sqrt(contrast @ bread @ meat @ bread.T @ contrast)
    est = ipw(
        cattaneo,
        outcome="bweight",
        treatment="mbsmoke_",
        covariates=CATTANEO_COLUMNS,
        estimand=estimand,
    )
    assert est.se == pytest.approx(se, rel=1e-6)
    assert est.effect == pytest.approx(theta[-2] - theta[-1], rel=1e-9)


def test_ipw_details_balance_and_trimming():
    frame = _simulate(3, n=2000)
    est = ipw(frame, outcome="y", treatment="treated", covariates=["age", "prior"])
    table = est.details["balance"]
    assert {"smd_before", "smd_after"} <= set(table.columns)
    assert (table["smd_after"].abs() < table["smd_before"].abs()).all()
    weights = est.details["weights"]
    assert weights.index.equals(frame.index) and (weights[frame["treated"]] == 1).all()
    assert est.diagnostics["effective_sample_size_control"] < (~frame["treated"]).sum()
    trimmed = ipw(frame, outcome="y", treatment="treated", covariates=["age", "prior"], trim=0.1)
    dropped = trimmed.diagnostics["n_trimmed_treated"] + trimmed.diagnostics["n_trimmed_control"]
    assert dropped > 0 and trimmed.n == len(frame) - dropped
    assert any("Trimming at 0.1" in w for w in trimmed.warnings)


def test_ipw_warns_about_extreme_weights():
    frame = _simulate(4, n=1500, share=0.5).assign(age=lambda d: d["age"] * 4)
    frame["treated"] = np.random.default_rng(4).random(len(frame)) < special.expit(
        0.5 + 1.5 * frame["age"]
    )
    est = ipw(frame, outcome="y", treatment="treated", covariates=["age"])
    assert any("Extreme weights" in w for w in est.warnings)


# --------------------------------------------------------------------------- matching
@pytest.mark.parametrize("neighbours", [1, 3])
def test_matching_finds_the_same_neighbours_as_sklearn(neighbours):
    frame = _simulate(5, n=3000)
    est = match(
        frame, outcome="y", treatment="treated", covariates=["age", "prior"], neighbours=neighbours
    )
    logit = np.log(est.details["scores"] / (1 - est.details["scores"])).to_numpy()
    t = frame["treated"].to_numpy()
    controls = np.flatnonzero(~t)
    search = NearestNeighbors(n_neighbors=neighbours).fit(logit[controls][:, None])
    _, found = search.kneighbors(logit[t][:, None])
    pairs = est.details["pairs"]
    ours = pairs.groupby("treated_index")["control_index"].apply(lambda s: sorted(s))
    expected = [sorted(frame.index[controls[row]]) for row in found]
    assert ours.tolist() == expected
    # The effect is the mean over treated of outcome minus the mean of its matches.
    y = frame["y"].to_numpy()
    direct = np.mean(y[t] - y[controls[found]].mean(axis=1))
    assert est.effect == pytest.approx(direct, rel=1e-12)


def _abadie_imbens_att_by_brute_force(score, t, y, neighbours):
    """The Abadie-Imbens (2006) ATT variance with explicit pairwise distances."""
    treated, controls = np.flatnonzero(t), np.flatnonzero(~t)
    distance = np.abs(score[treated][:, None] - score[controls][None, :])
    kth = np.sort(distance, axis=1)[:, neighbours - 1]
    matched = distance <= kth[:, None] * (1 + 1e-12)
    count = matched.sum(axis=1)
    imputed = (matched * y[controls]).sum(axis=1) / count
    effect = np.mean(y[treated] - imputed)
    weight = (matched / count[:, None]).sum(axis=0)
    weight_sq = (matched / count[:, None] ** 2).sum(axis=0)
    within = np.abs(score[controls][:, None] - score[controls][None, :])
    np.fill_diagonal(within, np.inf)
    second = np.sort(within, axis=1)[:, 1]
    close = within <= second[:, None] * (1 + 1e-12)
    n_close = close.sum(axis=1)
    sigma2 = n_close / (n_close + 1) * (y[controls] - (close * y[controls]).sum(1) / n_close) ** 2
    variance = (
        np.sum((y[treated] - imputed - effect) ** 2) + np.sum((weight**2 - weight_sq) * sigma2)
    ) / treated.size**2
    return effect, math.sqrt(variance)


@pytest.mark.parametrize("neighbours", [1, 2])
def test_abadie_imbens_standard_error_matches_brute_force(neighbours):
    frame = _simulate(6, n=400)
    est = match(
        frame, outcome="y", treatment="treated", covariates=["age", "prior"], neighbours=neighbours
    )
    score = np.log(est.details["scores"] / (1 - est.details["scores"])).to_numpy()
    effect, se = _abadie_imbens_att_by_brute_force(
        score, frame["treated"].to_numpy(), frame["y"].to_numpy(), neighbours
    )
    assert est.effect == pytest.approx(effect, rel=1e-12)
    assert est.se == pytest.approx(se, rel=1e-10)


def test_tied_scores_use_every_tied_control_and_ignore_row_order():
    rng = np.random.default_rng(7)
    n = 800
    frame = pd.DataFrame({"band": rng.integers(0, 4, n), "prior": rng.integers(0, 2, n)})
    frame["treated"] = rng.random(n) < special.expit(-1 + 0.4 * frame["band"])
    frame["y"] = frame["band"] + 2.0 * frame["treated"] + rng.normal(size=n)
    est = match(frame, outcome="y", treatment="treated", covariates=["band", "prior"])
    shuffled = frame.sample(frac=1.0, random_state=3)
    again = match(shuffled, outcome="y", treatment="treated", covariates=["band", "prior"])
    assert est.effect == pytest.approx(again.effect, rel=1e-10)
    assert est.se == pytest.approx(again.se, rel=1e-8)
    # With discrete covariates every treated unit in a cell is matched to the whole cell.
    cells = frame.groupby(["band", "prior", "treated"])["y"].mean().unstack("treated")
    counts = frame[frame["treated"]].groupby(["band", "prior"]).size()
    expected = float((counts * (cells[True] - cells[False])).sum() / counts.sum())
    assert est.effect == pytest.approx(expected, rel=1e-10)


def test_caliper_drops_unmatched_treated_with_a_warning():
    frame = _simulate(8, n=1500, share=0.0)
    est = match(frame, outcome="y", treatment="treated", covariates=["age", "prior"], caliper=0.01)
    score = np.log(est.details["scores"] / (1 - est.details["scores"])).to_numpy()
    t = frame["treated"].to_numpy()
    pooled_sd = math.sqrt((score[t].var(ddof=1) + score[~t].var(ddof=1)) / 2)
    nearest = np.min(np.abs(score[t][:, None] - score[~t][None, :]), axis=1)
    dropped = int(np.sum(nearest > 0.01 * pooled_sd))
    assert dropped > 0
    assert est.diagnostics["n_unmatched"] == dropped
    assert est.n == t.sum() - dropped
    assert any(f"{dropped} unit(s) had no match" in w for w in est.warnings)
    default = match(frame, outcome="y", treatment="treated", covariates=["age"], caliper=True)
    assert default.diagnostics["caliper_sd"] == 0.2


def test_matching_without_replacement_is_greedy_and_uses_each_control_once():
    frame = _simulate(9, n=900, share=-1.5)
    est = match(frame, outcome="y", treatment="treated", covariates=["age", "prior"], replace=False)
    pairs = est.details["pairs"]
    assert pairs["control_index"].is_unique
    score = np.log(est.details["scores"] / (1 - est.details["scores"]))
    t = frame["treated"].to_numpy()
    available = set(frame.index[~t])
    expected = {}
    for unit in score[t].sort_values(ascending=False, kind="stable").index:
        candidates = np.array(sorted(available))
        best = candidates[np.argmin(np.abs(score[candidates].to_numpy() - score[unit]))]
        expected[unit] = best
        available.remove(best)
    assert dict(zip(pairs["treated_index"], pairs["control_index"], strict=True)) == expected
    differences = (
        frame.loc[pairs["treated_index"], "y"].to_numpy()
        - frame.loc[pairs["control_index"], "y"].to_numpy()
    )
    assert est.effect == pytest.approx(differences.mean())
    assert est.se == pytest.approx(differences.std(ddof=1) / math.sqrt(differences.size))


@pytest.mark.parametrize("neighbours", [2, 3])
def test_matched_sets_of_several_sizes_by_brute_force(neighbours):
    # A caliper leaves some treated units fewer matches than asked for: matched sets of
    # several sizes, named by text labels, each set's difference against its own mean.
    frame = _simulate(12, n=700, share=-0.6)
    frame.index = [f"person {i}" for i in range(len(frame))]
    settings = {"outcome": "y", "treatment": "treated", "covariates": ["age", "prior"]}
    est = match(frame, **settings, neighbours=neighbours, caliper=0.05, replace=False)
    score = np.log(est.details["scores"] / (1 - est.details["scores"]))
    t = frame["treated"].to_numpy()
    width = 0.05 * math.sqrt((score[t].var(ddof=1) + score[~t].var(ddof=1)) / 2)
    available = set(frame.index[~t])
    members: dict[str, list[str]] = {unit: [] for unit in frame.index[t]}
    for _round in range(neighbours):
        for unit in score[t].sort_values(ascending=False, kind="stable").index:
            candidates = sorted(available, key=lambda c: (abs(score[c] - score[unit]), score[c]))
            if candidates and abs(score[candidates[0]] - score[unit]) <= width:
                members[unit].append(candidates[0])
                available.remove(candidates[0])
    sets = {unit: chosen for unit, chosen in members.items() if chosen}
    assert len({len(chosen) for chosen in sets.values()}) > 1
    pairs = est.details["pairs"]
    assert pairs.groupby("treated_index")["control_index"].apply(set).to_dict() == {
        unit: set(chosen) for unit, chosen in sets.items()
    }
    y = frame["y"]
    differences = np.array([y[unit] - y[chosen].mean() for unit, chosen in sets.items()])
    assert est.effect == pytest.approx(differences.mean(), rel=1e-12)
    assert est.se == pytest.approx(differences.std(ddof=1) / math.sqrt(len(sets)), rel=1e-12)
    size = pairs["treated_index"].map({unit: len(chosen) for unit, chosen in sets.items()})
    np.testing.assert_array_equal(pairs["weight"], 1 / size)
    weight = est.details["matched"]["match_weight"]
    assert weight[list(sets)].eq(1).all()
    np.testing.assert_allclose(weight[pairs["control_index"]], pairs["weight"], rtol=1e-15)


def test_matching_details_for_plots():
    frame = _simulate(10, n=1000)
    est = match(frame, outcome="y", treatment="treated", covariates="age + prior")
    matched = est.details["matched"]
    assert {"match_weight", "propensity_score"} <= set(matched.columns)
    assert matched.loc[matched["treated"], "match_weight"].eq(1).all()
    control_weight = matched.loc[~matched["treated"], "match_weight"].sum()
    assert control_weight == pytest.approx(frame["treated"].sum())
    assert list(est.details["balance"].columns[:2]) == ["smd_before", "smd_after"]


# --------------------------------------------------------------------------- balance
def test_balance_by_hand():
    frame = pd.DataFrame(
        {
            "t": [1, 1, 1, 1, 0, 0, 0, 0, 0],
            "age": [30.0, 35, 40, 55, 20, 25, 30, 35, 60],
            "area": ["a", "b", "a", "a", "b", "b", "a", "b", "b"],
        }
    )
    weights = np.array([1, 1, 1, 1, 0.5, 1, 2, 1, 0.5])
    result = balance(frame, treatment="t", covariates=["age", "area"], weights=weights)
    treated, control = frame[frame["t"] == 1], frame[frame["t"] == 0]
    pooled = math.sqrt((treated["age"].var() + control["age"].var()) / 2)
    weighted_control = np.average(control["age"], weights=weights[4:])
    assert result.table.loc["age", "smd_before"] == pytest.approx(
        (treated["age"].mean() - control["age"].mean()) / pooled
    )
    assert result.table.loc["age", "smd_after"] == pytest.approx(
        (treated["age"].mean() - weighted_control) / pooled
    )
    assert result.table.loc["age", "variance_ratio_before"] == pytest.approx(
        treated["age"].var() / control["age"].var()
    )
    assert {"area[a]", "area[b]"} <= set(result.table.index)
    assert np.isnan(result.table.loc["area[a]", "variance_ratio_before"])
    assert result.max_abs_after == pytest.approx(result.table["smd_after"].abs().max())
    assert result.warnings and "above 0.1" in result.warnings[0]
    treated_sd = balance(frame, treatment="t", covariates=["age"], sd_denominator="treated")
    assert treated_sd.table.loc["age", "smd_before"] == pytest.approx(
        (treated["age"].mean() - control["age"].mean()) / treated["age"].std()
    )


# --------------------------------------------------------------------------- edge cases
def test_overlap_and_input_problems_raise_clear_errors():
    frame = _simulate(11, n=300)
    with pytest.raises(EstimationError, match="everyone treated"):
        ipw(frame.assign(treated=True), outcome="y", treatment="treated", covariates=["age"])
    with pytest.raises(EstimationError, match="no unit has treated = 1"):
        match(frame.assign(treated=False), outcome="y", treatment="treated", covariates=["age"])
    separated = frame.assign(treated=frame["age"] > 0.3)
    with pytest.raises(EstimationError, match="no overlap"):
        ipw(separated, outcome="y", treatment="treated", covariates=["age"])
    with pytest.raises(EstimationError, match="collinear"):
        propensity_score(
            frame.assign(age2=2 * frame["age"]), treatment="treated", covariates=["age", "age2"]
        )
    missing = frame.copy()
    missing.loc[[4, 7, 20], "age"] = np.nan
    with pytest.raises(DataValidationError, match=r"'age'.*3 missing.*rows 6, 9, 22"):
        match(missing, outcome="y", treatment="treated", covariates=["age"])
    with pytest.raises(DataValidationError, match="must be 0/1"):
        ipw(frame.assign(treated=2), outcome="y", treatment="treated", covariates=["age"])
    with pytest.raises(ConfigError, match="not found"):
        ipw(frame, outcome="y", treatment="treated", covariates=["agee"])
    with pytest.raises(ConfigError, match="replace=True"):
        match(
            frame,
            outcome="y",
            treatment="treated",
            covariates=["age"],
            estimand="ATE",
            replace=False,
        )


def test_quasi_separation_is_a_warning_not_a_silent_score():
    frame = _simulate(12, n=800)
    # Everyone with the flag is treated; the others overlap.
    flag = np.zeros(len(frame), dtype=bool)
    flag[np.flatnonzero(frame["treated"])[:15]] = True
    frame = frame.assign(flag=flag.astype(float))
    model = propensity_score(frame, treatment="treated", covariates=["age", "flag"])
    assert any("quasi-complete separation" in w and "'flag'" in w for w in model.warnings)
    assert np.isfinite(model.table.to_numpy()).all()


# --------------------------------------------------------------------------- coverage
def _coverage(estimator, reps: int, n: int, truth: float = ATT_TRUTH, **kwargs) -> dict:
    hits, errors, ses = 0, [], []
    for seed in range(reps):
        est = estimator(
            _simulate(seed, n=n),
            outcome="y",
            treatment="treated",
            covariates=["age", "prior"],
            **kwargs,
        )
        hits += est.ci_low <= truth <= est.ci_high
        errors.append(est.effect - truth)
        ses.append(est.se)
    return {
        "coverage": hits / reps,
        "mean_bias": float(np.mean(errors)),
        "sd_estimate": float(np.std(errors)),
        "mean_se": float(np.mean(ses)),
    }


@pytest.mark.parametrize("estimator", [ipw, match], ids=["ipw", "match"])
def test_planted_effect_coverage_quick(estimator):
    result = _coverage(estimator, reps=120, n=500)
    # 120 replications: 95% coverage has a binomial SD of 2 points.
    assert 0.88 <= result["coverage"] <= 1.0
    assert abs(result["mean_bias"]) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "estimator", "kwargs"),
    [
        ("ipw ATT", ipw, {}),
        ("match ATT, 1 neighbour", match, {}),
        ("match ATT, 3 neighbours", match, {"neighbours": 3}),
        # The average effect over everyone is 1 + 0.5 E[age] = 1.
        ("ipw ATE", ipw, {"estimand": "ATE", "truth": 1.0}),
        ("match ATE, 1 neighbour", match, {"estimand": "ATE", "truth": 1.0}),
    ],
)
def test_coverage_study_propensity(record_coverage, name, estimator, kwargs):
    start = time.perf_counter()
    result = _coverage(estimator, reps=1000, n=1000, **kwargs)
    record_coverage(
        estimator=name,
        design="n=1000, logistic selection on 2 covariates, heterogeneous effect",
        replications=1000,
        truth=kwargs.get("truth", ATT_TRUTH),
        seconds=time.perf_counter() - start,
        **result,
    )
    assert 0.93 <= result["coverage"] <= 0.97
