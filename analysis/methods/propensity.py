"""Propensity scores, inverse probability weighting, matching and covariate balance.

Used where a comparison group is built from people who were not offered a
programme: the propensity score (the probability of treatment given the
covariates) summarises how comparable the two groups are, and either weighting
or matching on it makes the comparison group resemble the treated one. None of
it removes bias from differences the covariates do not capture, which is why
every result carries its balance table and its overlap diagnostics.

The propensity model is a logistic regression fitted by Newton-Raphson with
step-halving on standardised covariates; perfect separation (no overlap) is an
error and quasi-complete separation a warning, never a silent score of 0 or 1.

References
----------
Rosenbaum PR, Rubin DB (1983). The central role of the propensity score in
observational studies for causal effects. Biometrika 70:41-55.
Lunceford JK, Davidian M (2004). Stratification and weighting via the
propensity score in estimation of causal treatment effects. Statistics in
Medicine 23:2937-2960 (sandwich variance for weighting with estimated scores).
Abadie A, Imbens GW (2006). Large sample properties of matching estimators for
average treatment effects. Econometrica 74:235-267.
Abadie A, Spiess J (2022). Robust post-matching inference. JASA 117:983-995.
Austin PC (2011). Optimal caliper widths for propensity-score matching.
Pharmaceutical Statistics 10:150-161.
Austin PC (2009). Balance diagnostics for comparing the distribution of
baseline covariates between treatment groups in propensity-score matched
samples. Statistics in Medicine 28:3083-3107.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

from analysis.errors import ConfigError, EstimationError
from analysis.methods._formula import (
    binary_indicator,
    check_design,
    covariate_columns,
    design_matrix,
    require_columns,
    z_value,
)
from analysis.results import CovariateBalance, Estimate, PropensityFit, format_number

__all__ = [
    "Balance",
    "PropensityModel",
    "balance",
    "ipw",
    "match",
    "propensity_score",
]

logger = logging.getLogger(__name__)

#: Standardised coefficient (per SD of the covariate) beyond which the logistic
#: likelihood is treated as having no finite maximum (separation).
_DIVERGENT_COEFFICIENT = 25.0
#: A term whose contribution to the linear predictor exceeds this for some unit pushes
#: that unit's score to within 1e-13 of 0 or 1, where double precision stops the
#: iterations: for a rare binary flag that happens long before its standardised
#: coefficient reaches ``_DIVERGENT_COEFFICIENT``.
_DIVERGENT_CONTRIBUTION = 30.0
#: Largest log odds ratio shown (exp(700) is about 1e304, near the double-precision limit).
_LOG_ODDS_LIMIT = 700.0
#: Rows in the subsample that gives large propensity fits their starting values.
_WARM_START_ROWS = 50_000
#: Absolute standardised mean difference above which a covariate is flagged.
_SMD_THRESHOLD = 0.1
#: Conditional-variance neighbours for the Abadie-Imbens standard error.
_VARIANCE_NEIGHBOURS = 2
#: Matched pairs listed in ``details["pairs"]`` at most (ties can make very many).
_MAX_PAIRS = 2_000_000


# --------------------------------------------------------------------------- results types
class PropensityModel(PropensityFit):
    """Fitted propensity model: its c-statistic, overlap and scores (a :class:`PropensityFit`).

    How well the covariates tell treated from untreated is a check on the design, not
    an effect: :attr:`c_statistic` (area under the ROC curve) with DeLong's interval
    (:meth:`conf_int`), 0.5 meaning the covariates do not predict treatment and 1 no
    overlap at all. ``table`` holds the logistic coefficients; ``details["scores"]`` the
    scores.
    """

    def summary(self) -> str:
        """One sentence on how well the covariates separate the groups.

        Examples
        --------
        >>> rng = np.random.default_rng(1)
        >>> frame = pd.DataFrame({"age": rng.normal(40, 10, 400)})
        >>> frame["treated"] = rng.random(400) < special.expit((frame["age"] - 40) / 10)
        >>> propensity_score(frame, treatment="treated", covariates=["age"]).summary()
        'Propensity model: c-statistic 0.7... (95% CI ...); ...'
        """
        outside = self.share_treated_outside_control_range
        low, high = self.conf_int()
        return (
            f"Propensity model: c-statistic {format_number(self.c_statistic)} "
            f"({self.conf_level:.0%} CI {format_number(low)} to "
            f"{format_number(high)}); {outside:.1%} of treated units lie outside the "
            f"range of comparison-group scores (n = {self.n:,})."
        )


class Balance(CovariateBalance):
    """Covariate balance: standardised mean differences before and after weighting.

    A description of the groups, not an effect: :attr:`max_abs_after` is the largest
    absolute standardised mean difference after weighting (before, when no weights are
    given), with no interval and no p-value.
    """

    def summary(self) -> str:
        """One sentence on the worst-balanced covariate.

        Examples
        --------
        >>> frame = pd.DataFrame({"t": [1, 1, 0, 0], "x": [1.0, 2.0, 1.0, 3.0]})
        >>> balance(frame, treatment="t", covariates=["x"]).summary()
        'Covariate balance: largest absolute standardised mean difference 0.447 (x); 1 covariate...'
        """
        worst = self.worst_covariate or "n/a"
        flagged = self.diagnostics["n_imbalanced"]
        verdict = (
            "every covariate within 0.1"
            if flagged == 0
            else f"{flagged} covariate(s) above 0.1, so the groups still differ"
        )
        return (
            "Covariate balance: largest absolute standardised mean difference "
            f"{format_number(self.max_abs_after)} ({worst}); {verdict} (n = {self.n:,})."
        )


# --------------------------------------------------------------------------- logistic fit
@dataclass
class _PropensityFit:
    """Everything the estimators need from a fitted propensity model."""

    index: pd.Index
    treated: np.ndarray
    names: list[str]
    design: np.ndarray  # with the intercept as first column
    coef: np.ndarray
    cov: np.ndarray
    linear_predictor: np.ndarray
    scores: np.ndarray
    iterations: int
    warnings: list[str] = field(default_factory=list)


def _logit_loglik(prob: np.ndarray, treated: np.ndarray) -> float:
    # From the probabilities (needed anyway for the next Newton step) rather than the
    # numerically exact softplus form, which costs four times as much on large samples;
    # a fitted 0 or 1 on the wrong side gives -inf, which correctly rejects that step.
    with np.errstate(divide="ignore"):
        return float(np.sum(np.log(np.where(treated, prob, 1.0 - prob))))


def _newton_logit(
    standardised: np.ndarray, treated: np.ndarray, beta: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, int, np.ndarray]:
    """Newton-Raphson with step-halving from ``beta``.

    Returns (beta, eta, prob, converged, iterations, information matrix). The loop
    stops when the Newton step itself is below 1e-8 (standardised scale): with
    quadratic convergence the remaining error is then of order 1e-16, so the
    information matrix already computed for that step serves for the standard
    errors and the step is applied without a further likelihood evaluation.
    """
    eta = standardised @ beta
    prob = special.expit(eta)
    loglik: float | None = None
    converged = False
    iterations = 0
    for iterations in range(1, 101):  # noqa: B007 (the count is reported)
        gradient = standardised.T @ (treated - prob)
        weighted = standardised * np.sqrt(prob * (1 - prob))[:, None]
        hessian = weighted.T @ weighted
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        if np.max(np.abs(step)) < 1e-8:
            beta = beta + step
            eta = standardised @ beta
            prob = special.expit(eta)
            converged = True
            break
        if gradient @ step < 1e-6:
            # The quadratic model predicts a gain below 1e-6 (half the Newton decrement):
            # the step cannot overshoot materially, so skip the likelihood check.
            beta = beta + step
            eta = standardised @ beta
            prob = special.expit(eta)
            loglik = None
            continue
        if loglik is None:
            loglik = _logit_loglik(prob, treated)
        shrink = 1.0
        while True:
            candidate = beta + shrink * step
            candidate_eta = standardised @ candidate
            candidate_prob = special.expit(candidate_eta)
            new_loglik = _logit_loglik(candidate_prob, treated)
            # Step-halving keeps every iteration uphill when a full step overshoots.
            if new_loglik >= loglik - 1e-12 * abs(loglik) or shrink < 1e-6:
                break
            shrink /= 2
        beta, eta, prob, loglik = candidate, candidate_eta, candidate_prob, new_loglik
    return beta, eta, prob, converged, iterations, hessian


def _fit_logit(
    design: np.ndarray, treated: np.ndarray, names: list[str], *, caller: str
) -> tuple[np.ndarray, np.ndarray, int, list[str]]:
    """Maximum-likelihood logistic regression; design has the intercept first.

    Covariates are standardised for the iterations (so that a term such as
    age squared does not dominate the Hessian) and the coefficients mapped back.
    """
    n, k = design.shape
    centre = np.zeros(k)
    spread = np.ones(k)
    if k > 1:
        # Moments from one cross-product (a single BLAS pass); any positive scale would
        # do here, since the coefficients are mapped back with the same numbers.
        moments = design.T @ design / n
        centre[1:] = moments[0, 1:]
        variance = np.diag(moments)[1:] - centre[1:] ** 2
        inaccurate = ~(variance > 1e-8 * np.diag(moments)[1:])
        if inaccurate.any():
            columns = np.flatnonzero(inaccurate) + 1
            variance[inaccurate] = design[:, columns].var(axis=0)
        spread[1:] = np.sqrt(variance)
    standardised = design - centre
    standardised /= spread
    standardised[:, 0] = 1.0

    gram = standardised.T @ standardised / n
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    if eigenvalues[0] < 1e-10 * eigenvalues[-1]:
        involved = np.abs(eigenvectors[:, 0]) > 0.1
        terms = ", ".join(repr(names[j]) for j in np.flatnonzero(involved) if j > 0)
        raise EstimationError(
            f"{caller}: the covariates {terms} are collinear (one is a combination of the "
            "others), so the propensity model is not identified; drop one of them."
        )

    beta = np.zeros(k)
    beta[0] = special.logit(treated.mean())
    if n > 2 * _WARM_START_ROWS:
        # Large samples: converge first on a case-control subsample (up to _WARM_START_ROWS
        # treated and as many comparison units), so that the full data needs only the
        # last quadratically converging Newton steps. Sampling on treatment shifts only
        # the intercept, by the log ratio of the sampling fractions (Prentice and Pyke 1979).
        treated_rows, control_rows = np.flatnonzero(treated), np.flatnonzero(~treated)
        treated_rows = treated_rows[:: max(1, treated_rows.size // _WARM_START_ROWS)]
        control_rows = control_rows[:: max(1, control_rows.size // _WARM_START_ROWS)]
        rows = np.concatenate([treated_rows, control_rows])
        sub_beta, _, _, sub_converged, _, _ = _newton_logit(standardised[rows], treated[rows], beta)
        if sub_converged and np.all(np.abs(sub_beta[1:]) < _DIVERGENT_COEFFICIENT):
            n_treated = treated.sum()
            sampled_odds = (treated_rows.size / n_treated) / (control_rows.size / (n - n_treated))
            beta = sub_beta.copy()
            beta[0] -= math.log(sampled_odds)
    beta, eta, prob, converged, iterations, hessian = _newton_logit(standardised, treated, beta)

    warnings: list[str] = []
    contribution = np.abs(beta[1:]) * np.abs(standardised[:, 1:]).max(axis=0, initial=0.0)
    diverging = (
        np.flatnonzero(
            (np.abs(beta[1:]) > _DIVERGENT_COEFFICIENT)
            | (~converged & (contribution > _DIVERGENT_CONTRIBUTION))
        )
        + 1
    )
    if not converged or diverging.size:
        eta = standardised @ beta
        if eta[treated].min() > eta[~treated].max():
            raise EstimationError(
                f"{caller}: the covariates separate treated from untreated units completely "
                "(every treated unit has a higher score than every comparison unit), so there "
                "is no overlap and no comparison is possible. Check how the comparison group "
                "was chosen, or use covariates that do not define treatment."
            )
        prob = special.expit(eta)
        certain = int(np.sum((prob < 1e-8) | (prob > 1 - 1e-8)))
        terms = ", ".join(repr(names[j]) for j in diverging) or "several terms"
        warnings.append(
            "The propensity model did not converge: some covariate pattern predicts treatment "
            f"perfectly (quasi-complete separation; coefficients of {terms} diverge). "
            f"{certain} unit(s) have scores of 0 or 1, so they have no comparable "
            "counterpart: merge or drop sparse categories, or restrict to the region of "
            "overlap."
        )

    # Map back: beta_original = transform @ beta_standardised.
    transform = np.diag(1 / spread)
    transform[0, 1:] = -centre[1:] / spread[1:]
    if not converged:
        weighted = standardised * np.sqrt(prob * (1 - prob))[:, None]
        hessian = weighted.T @ weighted
    cov_standardised = np.linalg.pinv(hessian)
    return transform @ beta, transform @ cov_standardised @ transform.T, iterations, warnings


def _fit_propensity(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    *,
    caller: str,
    extra_columns: Sequence[str] = (),
) -> _PropensityFit:
    columns = [treatment, *covariate_columns(data, covariates), *extra_columns]
    require_columns(data, columns, caller=caller)
    treated = binary_indicator(data, treatment, caller=caller)
    n_treated = int(treated.sum())
    if n_treated == 0:
        raise EstimationError(
            f"{caller}: no unit has {treatment} = 1, so there is no treated group to compare."
        )
    if n_treated == len(treated):
        raise EstimationError(
            f"{caller}: every unit has {treatment} = 1 (everyone treated), so there is no "
            "comparison group; a propensity-score comparison is impossible."
        )
    covariate_frame = design_matrix(data, covariates, full_rank=True)
    if covariate_frame.shape[1]:
        check_design(covariate_frame, caller=caller)
    names = ["Intercept", *map(str, covariate_frame.columns)]
    if min(n_treated, len(treated) - n_treated) <= len(names):
        raise EstimationError(
            f"{caller}: {min(n_treated, len(treated) - n_treated)} units in the smaller group "
            f"for {len(names)} propensity-model parameters; use fewer covariates."
        )
    design = np.empty((len(treated), len(names)))
    design[:, 0] = 1.0
    design[:, 1:] = covariate_frame.to_numpy(dtype=float)
    coef, cov, iterations, warnings = _fit_logit(design, treated, names, caller=caller)
    linear_predictor = design @ coef
    return _PropensityFit(
        index=data.index,
        treated=treated,
        names=names,
        design=design,
        coef=coef,
        cov=cov,
        linear_predictor=linear_predictor,
        scores=special.expit(linear_predictor),
        iterations=iterations,
        warnings=warnings,
    )


def _c_statistic(scores: np.ndarray, treated: np.ndarray) -> tuple[float, float]:
    """Area under the ROC curve and DeLong's standard error (ties count one half).

    DeLong's placement values come from the two groups' sorted scores: binary
    searches for the treated, and for the (usually far more numerous) comparison
    units a cumulative count over the positions where treated scores fall, so the
    cost is one sort and a few passes, not a ranking of the whole sample.
    """
    treated_scores, control_scores = np.sort(scores[treated]), np.sort(scores[~treated])
    n1, n0 = treated_scores.size, control_scores.size
    below = np.searchsorted(control_scores, treated_scores, side="left")
    not_above = np.searchsorted(control_scores, treated_scores, side="right")
    placement_treated = (below + (not_above - below) / 2) / n0
    # For comparison unit j: treated scores strictly below it, and equal to it.
    treated_below = np.cumsum(np.bincount(not_above, minlength=n0 + 1))[:n0]
    treated_equal = np.cumsum(
        np.bincount(below, minlength=n0 + 1) - np.bincount(not_above, minlength=n0 + 1)
    )[:n0]
    placement_control = (n1 - treated_below - treated_equal / 2) / n1
    auc = float(placement_treated.mean())
    variance = placement_treated.var(ddof=1) / n1 if n1 > 1 else 0.0
    variance += placement_control.var(ddof=1) / n0 if n0 > 1 else 0.0
    return auc, math.sqrt(max(variance, 0.0))


def _overlap_diagnostics(fit: _PropensityFit) -> tuple[dict[str, float], list[str]]:
    scores, treated = fit.scores, fit.treated
    treated_scores, control_scores = scores[treated], scores[~treated]
    low, high = control_scores.min(), control_scores.max()
    outside_treated = (treated_scores < low) | (treated_scores > high)
    outside_control = (control_scores < treated_scores.min()) | (
        control_scores > treated_scores.max()
    )
    auc, auc_se = _c_statistic(scores, treated)
    diagnostics = {
        "n_treated": int(treated.sum()),
        "n_control": int((~treated).sum()),
        "score_min_treated": float(treated_scores.min()),
        "score_max_treated": float(treated_scores.max()),
        "score_min_control": float(low),
        "score_max_control": float(high),
        "share_treated_outside_control_range": float(outside_treated.mean()),
        "share_control_outside_treated_range": float(outside_control.mean()),
        "share_scores_outside_0.05_0.95": float(np.mean((scores < 0.05) | (scores > 0.95))),
        "c_statistic": auc,
        "c_statistic_se": auc_se,
        "model_iterations": fit.iterations,
    }
    warnings = list(fit.warnings)
    if outside_treated.any():
        warnings.append(
            f"{int(outside_treated.sum())} treated unit(s) ({outside_treated.mean():.1%}) have "
            "propensity scores outside the comparison group's range: they have no comparable "
            "comparison units (limited overlap); consider a caliper or trimming."
        )
    if auc > 0.9:
        warnings.append(
            f"The covariates predict treatment very well (c-statistic {auc:.2f}): the groups "
            "differ strongly and overlap is thin, so estimates rest on few comparable units."
        )
    return diagnostics, warnings


def _coefficient_table(fit: _PropensityFit, z: float) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(fit.cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        z_stat = np.where(se > 0, fit.coef / se, 0.0)

    def odds(log_odds: np.ndarray) -> np.ndarray:
        # A diverging term (named in the separation warning) has an interval wider than
        # double precision can hold: capped at about 1e304 so the table stays finite.
        return np.exp(np.clip(log_odds, -_LOG_ODDS_LIMIT, _LOG_ODDS_LIMIT))

    return pd.DataFrame(
        {
            "coef": fit.coef,
            "se": se,
            "odds_ratio": odds(fit.coef),
            "ci_low": odds(fit.coef - z * se),
            "ci_high": odds(fit.coef + z * se),
            "p_value": 2 * stats.norm.sf(np.abs(z_stat)),
        },
        index=pd.Index(fit.names, name="term"),
    )


def propensity_score(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: str | Sequence[str],
    conf_level: float = 0.95,
) -> PropensityModel:
    """Fit a logistic propensity model and report the scores and their overlap.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (person, case).
    treatment : str
        0/1 or boolean column: 1 for the treated (e.g. programme participants).
    covariates : list of str or str
        Column names (text columns become indicators, first level as the
        reference), or a formula right-hand side such as
        ``"age + I(age**2) + C(area)"``.
    conf_level : float, default 0.95
        Confidence level for the c-statistic and the odds ratios.

    Returns
    -------
    PropensityModel
        A :class:`~analysis.results.PropensityFit`, not an effect: ``c_statistic``
        with its DeLong interval (``conf_int()``), ``overlap``,
        ``effective_sample_size()``, ``scores``; ``table`` = logistic
        coefficients (``coef, se, odds_ratio, ci_low, ci_high, p_value``),
        ``details["scores"]`` = scores as a Series aligned to ``data.index``,
        ``details["linear_predictor"]`` = their logits.
        ``diagnostics`` hold the overlap checks: score range by group, the share
        of treated units outside the comparison group's range, the c-statistic.

    Raises
    ------
    EstimationError
        Nobody or everybody treated; collinear covariates; complete separation
        (no overlap).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"age": rng.normal(35, 8, 500), "prior": rng.poisson(2, 500)})
    >>> linear = -3 + 0.05 * frame["age"] + 0.3 * frame["prior"]
    >>> frame["treated"] = rng.random(500) < special.expit(linear)
    >>> model = propensity_score(frame, treatment="treated", covariates="age + prior")
    >>> model.scores.between(0, 1).all(), model.table.index.tolist()
    (np.True_, ['Intercept', 'age', 'prior'])
    """
    z = z_value(conf_level)
    fit = _fit_propensity(data, treatment, covariates, caller="propensity_score")
    diagnostics, warnings = _overlap_diagnostics(fit)
    return PropensityModel(
        description=f"how well the covariates predict {treatment} (c-statistic; 0.5 = not at all)",
        method="logistic regression propensity model (maximum likelihood, Newton-Raphson)",
        n=len(fit.treated),
        assumptions=(
            "The logistic model with these terms describes how treatment depends on the "
            "covariates (add interactions or squares if balance is poor).",
        ),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=_coefficient_table(fit, z),
        details={
            "scores": pd.Series(fit.scores, index=fit.index, name="propensity_score"),
            "linear_predictor": pd.Series(
                fit.linear_predictor, index=fit.index, name="logit_propensity_score"
            ),
            "treated": pd.Series(fit.treated, index=fit.index, name=treatment),
        },
        conf_level=conf_level,
    )


# --------------------------------------------------------------------------- balance
def _weighted_mean_var(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means and the unbiased ("reliability") weighted variances per column."""
    total = weights.sum()
    mean = weights @ values / total
    squares = weights @ (values - mean) ** 2
    denominator = total - (weights**2).sum() / total
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.where(denominator > 0, squares / denominator, 0.0)
    return mean, variance


def _group_mean_var(
    values: np.ndarray, treated: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unweighted means and variances (ddof 1) of both groups in two passes.

    Sums over the treated come from a dot product with the indicator and the
    comparison group's by subtraction, so a million-row comparison group is never
    copied; a shift by a typical value keeps the sums of squares accurate.
    """
    n1 = int(treated.sum())
    n0 = treated.size - n1
    shift = values[: min(1000, len(values))].mean(axis=0)
    centred = values - shift
    indicator = treated.astype(float)
    sum_all, sum_t = centred.sum(axis=0), indicator @ centred
    centred *= centred
    squares_all, squares_t = centred.sum(axis=0), indicator @ centred
    sum_c, squares_c = sum_all - sum_t, squares_all - squares_t
    var_t = (squares_t - sum_t**2 / n1) / (n1 - 1) if n1 > 1 else np.zeros_like(sum_t)
    var_c = (squares_c - sum_c**2 / n0) / (n0 - 1) if n0 > 1 else np.zeros_like(sum_c)
    return (
        shift + sum_t / n1,
        np.clip(var_t, 0, None),
        shift + sum_c / n0,
        np.clip(var_c, 0, None),
    )


def _balance_table(
    covariate_frame: pd.DataFrame,
    treated: np.ndarray,
    weights: np.ndarray | None,
    sd_denominator: str,
) -> pd.DataFrame:
    values = covariate_frame.to_numpy(dtype=float)
    mean_t, var_t, mean_c, var_c = _group_mean_var(values, treated)
    denominator = np.sqrt((var_t + var_c) / 2) if sd_denominator == "pooled" else np.sqrt(var_t)
    if weights is None:
        mean_t_after, var_t_after, mean_c_after, var_c_after = mean_t, var_t, mean_c, var_c
    else:
        # Only units with positive weight count after matching; skipping the rest is cheap
        # when a few thousand matches come from a million comparison units.
        in_t, in_c = treated & (weights > 0), ~treated & (weights > 0)
        mean_t_after, var_t_after = _weighted_mean_var(values[in_t], weights[in_t])
        mean_c_after, var_c_after = _weighted_mean_var(values[in_c], weights[in_c])
    binary = np.all((values == 0) | (values == 1), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        smd_before = np.where(denominator > 0, (mean_t - mean_c) / denominator, 0.0)
        smd_after = np.where(denominator > 0, (mean_t_after - mean_c_after) / denominator, 0.0)
        ratio_before = np.where(binary | (var_c <= 0), np.nan, var_t / var_c)
        ratio_after = np.where(binary | (var_c_after <= 0), np.nan, var_t_after / var_c_after)
    return pd.DataFrame(
        {
            "smd_before": smd_before,
            "smd_after": smd_after,
            "variance_ratio_before": ratio_before,
            "variance_ratio_after": ratio_after,
            "mean_treated_before": mean_t,
            "mean_control_before": mean_c,
            "mean_treated_after": mean_t_after,
            "mean_control_after": mean_c_after,
        },
        index=pd.Index([str(c) for c in covariate_frame.columns], name="covariate"),
    )


def _resolve_weights(data: pd.DataFrame, weights: object, *, caller: str) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        require_columns(data, [weights], caller=caller)
        values = data[weights].to_numpy(dtype=float)
    elif isinstance(weights, pd.Series):
        values = weights.reindex(data.index).to_numpy(dtype=float)
    else:
        values = np.asarray(weights, dtype=float)
    if values.shape != (len(data),):
        raise ConfigError(f"{caller}: weights must have one value per row of the data.")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ConfigError(f"{caller}: weights must be finite and non-negative.")
    return values


def balance(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: str | Sequence[str],
    weights: str | np.ndarray | pd.Series | None = None,
    sd_denominator: str = "pooled",
) -> Balance:
    """Standardised mean differences and variance ratios before and after weighting.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    treatment : str
        0/1 or boolean treatment column.
    covariates : list of str or str
        Column names or a formula right-hand side; text columns are shown level
        by level (every level, no reference category).
    weights : str, array or Series, optional
        Weights after matching or weighting (a column name, or one value per
        row; 0 drops a unit). Without weights, "after" equals "before".
    sd_denominator : {"pooled", "treated"}, default "pooled"
        Denominator of the standardised difference, always computed from the
        unweighted sample so that before and after are on one yardstick:
        ``"pooled"`` = sqrt((s1^2 + s0^2) / 2), cobalt's default for the
        average effect and Austin's (2009) recommendation; ``"treated"`` = the
        treated group's SD (MatchIt's and cobalt's choice for effects on the
        treated).

    Returns
    -------
    Balance
        ``table`` indexed by covariate with ``smd_before, smd_after,
        variance_ratio_before, variance_ratio_after`` (treated over comparison;
        NaN for binary covariates, where the ratio carries no information) and
        the group means; ``max_abs_after`` = the largest absolute SMD after
        weighting, ``imbalanced`` the covariates above 0.1 (a
        :class:`~analysis.results.CovariateBalance`, not an effect: no interval or
        p-value). A warning lists covariates whose absolute SMD after weighting
        exceeds 0.1.

    Examples
    --------
    >>> frame = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0], "age": [30.0, 40, 50, 20, 30, 40]})
    >>> result = balance(frame, treatment="t", covariates=["age"], weights=[1, 1, 1, 0.2, 1, 3])
    >>> result.table[["smd_before", "smd_after"]].round(2)
              smd_before  smd_after
    covariate
    age              1.0       0.33
    """
    caller = "balance"
    if sd_denominator not in ("pooled", "treated"):
        raise ConfigError(
            f"balance: sd_denominator must be 'pooled' or 'treated', got {sd_denominator!r}."
        )
    require_columns(data, [treatment, *covariate_columns(data, covariates)], caller=caller)
    treated = binary_indicator(data, treatment, caller=caller)
    if treated.all() or not treated.any():
        raise EstimationError(
            f"balance: {treatment} takes a single value, so there are not two groups to compare."
        )
    weight_values = _resolve_weights(data, weights, caller=caller)
    if weight_values is not None and (
        weight_values[treated].sum() == 0 or weight_values[~treated].sum() == 0
    ):
        raise EstimationError("balance: the weights are zero for every unit in one group.")
    covariate_frame = design_matrix(data, covariates, full_rank=False)
    table = _balance_table(covariate_frame, treated, weight_values, sd_denominator)
    return _balance_result(table, treated, weight_values, sd_denominator)


def _balance_result(
    table: pd.DataFrame,
    treated: np.ndarray,
    weights: np.ndarray | None,
    sd_denominator: str,
) -> Balance:
    worst_after = float(table["smd_after"].abs().max()) if len(table) else 0.0
    imbalanced = table.index[table["smd_after"].abs() > _SMD_THRESHOLD].tolist()
    warnings = []
    if imbalanced:
        warnings.append(
            f"Absolute standardised mean difference above {_SMD_THRESHOLD} after "
            f"{'weighting' if weights is not None else 'no adjustment'} for: "
            f"{', '.join(imbalanced)}; the groups still differ on these covariates."
        )
    used = treated.size if weights is None else int(np.sum(weights > 0))
    return Balance(
        description="largest absolute standardised mean difference across covariates",
        method="standardised mean differences (SD of the unweighted sample, "
        f"{'pooled' if sd_denominator == 'pooled' else 'treated group'})",
        n=used,
        assumptions=("Balance on the listed covariates says nothing about unmeasured ones.",),
        diagnostics={
            "max_abs_smd_before": float(table["smd_before"].abs().max()) if len(table) else 0.0,
            "max_abs_smd_after": worst_after,
            "n_imbalanced": len(imbalanced),
            "threshold": _SMD_THRESHOLD,
            "sd_denominator": sd_denominator,
        },
        warnings=tuple(warnings),
        table=table,
    )


# --------------------------------------------------------------------------- weighting
def _check_estimand(estimand: str) -> str:
    value = str(estimand).upper()
    if value not in ("ATT", "ATE"):
        raise ConfigError(f"estimand must be 'ATT' or 'ATE', got {estimand!r}.")
    return value


def _outcome_values(data: pd.DataFrame, outcome: str, *, caller: str) -> np.ndarray:
    values = data[outcome]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise ConfigError(
            f"{caller}: outcome column '{outcome}' must be numeric or 0/1, "
            f"found dtype {values.dtype}."
        )
    return values.to_numpy(dtype=float)


def _hajek_sandwich(
    fit: _PropensityFit, y: np.ndarray, estimand: str
) -> tuple[float, float, float, float]:
    """Hajek weighting estimate with the M-estimation (sandwich) standard error.

    The logistic score equations are stacked with the two weighted-mean
    equations, so the variance accounts for the estimated propensity score
    (Lunceford and Davidian 2004).
    """
    design, t = fit.design, fit.treated.astype(float)
    e = fit.scores
    n, k = design.shape
    if estimand == "ATT":
        w1 = t
        w0 = (1 - t) * np.exp(fit.linear_predictor)
    else:
        w1 = t / e
        w0 = (1 - t) / (1 - e)
    mu1 = float(w1 @ y / w1.sum())
    mu0 = float(w0 @ y / w0.sum())
    r1, r0 = y - mu1, y - mu0

    moments = np.column_stack([design * (t - e)[:, None], w1 * r1, w0 * r0])
    jacobian = np.zeros((k + 2, k + 2))
    jacobian[:k, :k] = -(design * (e * (1 - e))[:, None]).T @ design
    if estimand == "ATT":
        jacobian[k + 1, :k] = (w0 * r0) @ design
    else:
        jacobian[k, :k] = -(w1 * (1 - e) * r1) @ design
        jacobian[k + 1, :k] = (w0 * e * r0) @ design
    jacobian[k, k] = -w1.sum()
    jacobian[k + 1, k + 1] = -w0.sum()
    bread = np.linalg.pinv(jacobian)
    meat = moments.T @ moments
    covariance = bread @ meat @ bread.T
    contrast = np.zeros(k + 2)
    contrast[k], contrast[k + 1] = 1.0, -1.0
    variance = float(contrast @ covariance @ contrast)
    return mu1 - mu0, math.sqrt(max(variance, 0.0)), mu1, mu0


def _effective_sample_size(weights: np.ndarray) -> float:
    total = weights.sum()
    return float(total * total / (weights**2).sum()) if total > 0 else 0.0


def ipw(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    covariates: str | Sequence[str],
    estimand: str = "ATT",
    trim: float | None = None,
    conf_level: float = 0.95,
) -> Estimate:
    """Inverse probability weighting on a logistic propensity score.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    outcome : str
        Numeric or 0/1 outcome column (e.g. reoffended within 12 months).
    treatment : str
        0/1 or boolean treatment column.
    covariates : list of str or str
        Column names or a formula right-hand side for the propensity model.
    estimand : {"ATT", "ATE"}, default "ATT"
        ``"ATT"``: effect on the treated (treated weight 1, comparison weight
        e/(1 - e)); ``"ATE"``: average effect over everyone (weights 1/e and
        1/(1 - e)).
    trim : float, optional
        Drop units whose score lies outside ``[trim, 1 - trim]`` (e.g. 0.1, as
        Crump et al. 2009 suggest) and refit the model on the rest. The estimand
        then refers to the trimmed population; the numbers dropped are reported.
    conf_level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    Estimate
        ``effect`` = difference in weighted means (Hajek: weights normalised to
        sum to one in each group), on the outcome's scale (scale
        ``"difference"``; a 0/1 outcome gives a difference in proportions).
        ``se`` is the sandwich (M-estimation) standard error, which accounts for
        the estimated propensity score. ``details``: ``weights`` (Series),
        ``scores``, ``balance`` (table), ``propensity`` (the model). Effective
        sample sizes per group are in ``diagnostics``; extreme weights are
        warned about.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> frame = pd.DataFrame({"age": rng.normal(0, 1, 2000)})
    >>> frame["treated"] = rng.random(2000) < special.expit(frame["age"])
    >>> frame["reoffended"] = 1.0 * frame["age"] + 0.5 * frame["treated"] + rng.normal(0, 1, 2000)
    >>> est = ipw(frame, outcome="reoffended", treatment="treated", covariates=["age"])
    >>> bool(est.ci_low < 0.5 < est.ci_high)
    True
    """
    caller = "ipw"
    z = z_value(conf_level)
    estimand = _check_estimand(estimand)
    fit = _fit_propensity(data, treatment, covariates, caller=caller, extra_columns=[outcome])
    y = _outcome_values(data, outcome, caller=caller)
    trimmed_note: dict[str, int] = {}
    working = data
    if trim is not None:
        if not 0 < trim < 0.5:
            raise ConfigError(f"ipw: trim must lie strictly between 0 and 0.5, got {trim!r}.")
        keep = (fit.scores >= trim) & (fit.scores <= 1 - trim)
        trimmed_note = {
            "n_trimmed_treated": int(np.sum(~keep & fit.treated)),
            "n_trimmed_control": int(np.sum(~keep & ~fit.treated)),
        }
        working = data.loc[keep]
        fit = _fit_propensity(working, treatment, covariates, caller=caller)
        y = y[keep]

    effect, se, mu1, mu0 = _hajek_sandwich(fit, y, estimand)
    diagnostics, warnings = _overlap_diagnostics(fit)
    t, e = fit.treated, fit.scores
    if estimand == "ATT":
        weights = np.where(t, 1.0, e / (1 - e))
    else:
        weights = np.where(t, 1 / e, 1 / (1 - e))
    ess_treated = _effective_sample_size(weights[t])
    ess_control = _effective_sample_size(weights[~t])
    largest_share = max(weights[t].max() / weights[t].sum(), weights[~t].max() / weights[~t].sum())
    diagnostics.update(
        {
            "effective_sample_size_treated": ess_treated,
            "effective_sample_size_control": ess_control,
            "largest_weight_share": float(largest_share),
            "mean_outcome_treated": mu1,
            "mean_outcome_control_weighted": mu0,
            "variance": "sandwich (M-estimation, propensity model estimated)",
            **trimmed_note,
        }
    )
    # Under the ATT only comparison units are weighted by the score, and only scores
    # near 1 blow their weights up; under the ATE both tails do.
    extreme = ~t & (e > 0.99) if estimand == "ATT" else (e > 0.99) | (e < 0.01)
    if largest_share > 0.05 or extreme.any():
        warnings.append(
            f"Extreme weights: the largest weight carries {largest_share:.1%} of its group's "
            f"total and {int(extreme.sum())} weighted unit(s) have scores beyond 0.01/0.99; "
            f"effective sample sizes are {ess_treated:,.0f} treated and {ess_control:,.0f} "
            "comparison units. Consider trim=0.1 or matching with a caliper."
        )
    if trimmed_note:
        warnings.append(
            f"Trimming at {trim} dropped {trimmed_note['n_trimmed_treated']} treated and "
            f"{trimmed_note['n_trimmed_control']} comparison units: the estimate applies to "
            "the units with scores inside the trimming range only."
        )

    covariate_frame = design_matrix(working, covariates, full_rank=False)
    balance_table = _balance_table(covariate_frame, t, weights, "pooled")
    balance_result = _balance_result(balance_table, t, weights, "pooled")
    warnings.extend(balance_result.warnings)
    diagnostics["max_abs_smd_after"] = balance_result.diagnostics["max_abs_smd_after"]

    p_value = float(2 * stats.norm.sf(abs(effect / se))) if se > 0 else 1.0
    population = "treated units" if estimand == "ATT" else "all units"
    return Estimate(
        effect=effect,
        ci_low=effect - z * se,
        ci_high=effect + z * se,
        p_value=p_value,
        n=len(t),
        scale="difference",
        method=f"inverse probability weighting (Hajek, {estimand}), sandwich standard error",
        estimand=f"average effect of {treatment} on {outcome} among {population} ({estimand})",
        se=se,
        assumptions=(
            "No unmeasured confounding: given the covariates, treatment is as good as random.",
            "Overlap: every treated unit could have been untreated (scores below 1).",
            "The logistic propensity model is correctly specified.",
        ),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        details={
            "weights": pd.Series(weights, index=fit.index, name="ipw_weight"),
            "scores": pd.Series(e, index=fit.index, name="propensity_score"),
            "balance": balance_table,
        },
        conf_level=conf_level,
        outcome=outcome,
    )


# --------------------------------------------------------------------------- matching
def _nearest_ranges(
    query: np.ndarray, reference: np.ndarray, neighbours: int, radius_cap: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """For each query value, the slice of the sorted reference holding its matches.

    The matches are the ``neighbours`` nearest reference values plus any tied
    with the furthest of them (Abadie and Imbens' convention), capped at
    ``radius_cap``. The k nearest values in a sorted array lie in the 2k
    positions around the query's insertion point, so one vectorised pass over a
    (queries x 2k) block finds the k-th distance, and two binary searches turn
    it into a slice: O((n + m) log n) overall.
    """
    size = reference.size
    k = min(neighbours, size)
    position = np.searchsorted(reference, query)
    candidates = position[:, None] + np.arange(-k, k)
    valid = (candidates >= 0) & (candidates < size)
    distance = np.abs(reference[np.clip(candidates, 0, size - 1)] - query[:, None])
    distance[~valid] = np.inf
    radius = np.partition(distance, k - 1, axis=1)[:, k - 1]
    # Widen by a hair so that values tied with the k-th (up to rounding) are included.
    radius = radius * (1 + 1e-12) + 1e-300
    if radius_cap is not None:
        radius = np.minimum(radius, radius_cap)
    low = np.searchsorted(reference, query - radius, side="left")
    high = np.searchsorted(reference, query + radius, side="right")
    return low, high


def _range_sums(values_sorted: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    prefix = np.concatenate([[0.0], np.cumsum(values_sorted)])
    return prefix[high] - prefix[low]


def _range_weights(
    size: int, low: np.ndarray, high: np.ndarray, per_query: np.ndarray
) -> np.ndarray:
    """Sum over queries of ``per_query`` for every reference position in its slice."""
    delta = np.bincount(low, weights=per_query, minlength=size + 1) - np.bincount(
        high, weights=per_query, minlength=size + 1
    )
    return np.cumsum(delta)[:size]


def _conditional_variance(
    score_sorted: np.ndarray, y_sorted: np.ndarray, positions: np.ndarray, neighbours: int
) -> np.ndarray:
    """Abadie-Imbens conditional variance at ``positions`` of one treatment group.

    Each unit is compared with its ``neighbours`` nearest units of the same
    group (ties included, itself excluded): sigma^2 = J/(J+1) (Y - mean)^2.
    """
    size = score_sorted.size
    j = min(neighbours, size - 1)
    query = score_sorted[positions]
    offsets = np.concatenate([np.arange(-j, 0), np.arange(1, j + 1)])
    candidates = positions[:, None] + offsets
    valid = (candidates >= 0) & (candidates < size)
    distance = np.abs(score_sorted[np.clip(candidates, 0, size - 1)] - query[:, None])
    distance[~valid] = np.inf
    radius = np.partition(distance, j - 1, axis=1)[:, j - 1] * (1 + 1e-12) + 1e-300
    low = np.searchsorted(score_sorted, query - radius, side="left")
    high = np.searchsorted(score_sorted, query + radius, side="right")
    count = high - low - 1
    neighbour_mean = (_range_sums(y_sorted, low, high) - y_sorted[positions]) / count
    return count / (count + 1) * (y_sorted[positions] - neighbour_mean) ** 2


@dataclass
class _Direction:
    """Matches of one group (queries) into the other (reference), in original order."""

    matched: np.ndarray  # per query: has at least one match
    counts: np.ndarray  # per query: number of matches
    imputed: np.ndarray  # per query: mean outcome of its matches
    reference_weight: np.ndarray  # per reference unit: K_M (sum of 1/M over queries)
    reference_weight_sq: np.ndarray  # per reference unit: K'_M (sum of 1/M^2)
    reference_sigma2: np.ndarray  # per reference unit used: conditional variance (else 0)
    low: np.ndarray
    high: np.ndarray
    reference_order: np.ndarray


def _match_direction(
    query_score: np.ndarray,
    reference_score: np.ndarray,
    reference_y: np.ndarray,
    neighbours: int,
    caliper: float | None,
) -> _Direction:
    # The default (unstable) sort is over twice as fast as a stable one on a million
    # scores; tie order cannot matter because tied units are always taken together.
    order = np.argsort(reference_score)
    score_sorted = reference_score[order]
    y_sorted = reference_y[order]
    low, high = _nearest_ranges(query_score, score_sorted, neighbours, caliper)
    counts = high - low
    matched = counts > 0
    safe_counts = np.where(matched, counts, 1)
    imputed = _range_sums(y_sorted, low, high) / safe_counts
    inverse = np.where(matched, 1 / safe_counts, 0.0)
    weight_sorted = _range_weights(score_sorted.size, low, high, inverse)
    weight_sq_sorted = _range_weights(score_sorted.size, low, high, inverse**2)
    # Only the reference units actually used need their weights and variances placed
    # back in original order: a few thousand positions out of possibly millions.
    used = np.flatnonzero(weight_sorted > 0)
    used_original = order[used]
    weight = np.zeros(score_sorted.size)
    weight_sq = np.zeros(score_sorted.size)
    sigma2 = np.zeros(score_sorted.size)
    weight[used_original] = weight_sorted[used]
    weight_sq[used_original] = weight_sq_sorted[used]
    if used.size:
        sigma2[used_original] = _conditional_variance(
            score_sorted, y_sorted, used, _VARIANCE_NEIGHBOURS
        )
    return _Direction(matched, counts, imputed, weight, weight_sq, sigma2, low, high, order)


def _greedy_without_replacement(
    query_score: np.ndarray,
    reference_score: np.ndarray,
    neighbours: int,
    caliper: float | None,
) -> list[np.ndarray]:
    """Greedy nearest-neighbour matching without replacement.

    Queries are served in descending order of the score (the hardest to match
    first), one neighbour per round. Used reference units are skipped with two
    "next free position" arrays (left and right) and path compression, so each
    lookup is close to O(1) after the initial sort.
    """
    order = np.argsort(reference_score)
    score_sorted = reference_score[order]
    size = score_sorted.size
    # find(right_free, i): smallest free position >= i (size is a sentinel, never used).
    right_free = np.arange(size + 1)
    # find(left_free, i) - 1: largest free position <= i - 1 (0 is the sentinel "none").
    left_free = np.arange(size + 1)

    def find(parent: np.ndarray, i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    matches: list[list[int]] = [[] for _ in range(query_score.size)]
    query_order = np.argsort(-query_score, kind="stable")
    insertion = np.searchsorted(score_sorted, query_score)
    for _round in range(neighbours):
        for q in query_order:
            value = query_score[q]
            right = find(right_free, int(insertion[q]))
            left = find(left_free, int(insertion[q])) - 1
            right_distance = abs(score_sorted[right] - value) if right < size else np.inf
            left_distance = abs(score_sorted[left] - value) if left >= 0 else np.inf
            best, distance = (left, left_distance)
            if right_distance < left_distance:
                best, distance = right, right_distance
            if not np.isfinite(distance) or (caliper is not None and distance > caliper):
                continue
            matches[q].append(int(order[best]))
            right_free[best] = best + 1
            left_free[best + 1] = best
    return [np.asarray(m, dtype=np.int64) for m in matches]


def _caliper_width(
    caliper: object, linear_predictor: np.ndarray, treated: np.ndarray
) -> float | None:
    if caliper is None or caliper is False:
        return None
    width = 0.2 if caliper is True else caliper
    if isinstance(width, bool) or not isinstance(width, (int, float)) or width <= 0:
        raise ConfigError(
            f"match: caliper must be None, True (0.2) or a positive number of SDs, got {caliper!r}."
        )
    pooled_sd = math.sqrt(
        (linear_predictor[treated].var(ddof=1) + linear_predictor[~treated].var(ddof=1)) / 2
    )
    return float(width) * pooled_sd


def match(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    covariates: str | Sequence[str],
    neighbours: int = 1,
    caliper: float | bool | None = None,
    replace: bool = True,
    estimand: str = "ATT",
    conf_level: float = 0.95,
) -> Estimate:
    """Nearest-neighbour matching on the logit of the propensity score.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    outcome : str
        Numeric or 0/1 outcome column.
    treatment : str
        0/1 or boolean treatment column.
    covariates : list of str or str
        Column names or a formula right-hand side for the propensity model.
    neighbours : int, default 1
        Comparison units matched to each treated unit. With replacement, units
        tied with the furthest neighbour are all used, each with a share of the
        weight (Abadie and Imbens' convention), so results do not depend on the
        order of the rows.
    caliper : float or True, optional
        Largest allowed distance, in standard deviations of the logit score
        (pooled over the two groups: sqrt((s1^2 + s0^2)/2), as in Austin 2011);
        ``True`` means 0.2, Austin's recommendation. Treated units with no
        comparison unit within the caliper are dropped with a warning.
    replace : bool, default True
        Whether a comparison unit may serve several treated units. With
        replacement the standard error is Abadie and Imbens' (2006), with the
        conditional variances estimated from the 2 nearest units of the same
        group; it treats the score as known (Abadie and Imbens 2016 show this is
        conservative for the average effect). Without replacement, matching is
        greedy in descending order of the score, and the standard error is the
        one for matched pairs (clustered on the matched set, Abadie and Spiess
        2022).
    estimand : {"ATT", "ATE"}, default "ATT"
        ``"ATE"`` also matches every comparison unit to treated units (needs
        ``replace=True``).
    conf_level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    Estimate
        ``effect`` = mean difference between the units and their matches (scale
        ``"difference"``). ``details["matched"]``: the rows used, with columns
        ``match_weight`` (treated 1, comparison units the number of treated
        they stand for, split between ties) and ``propensity_score``;
        ``details["pairs"]``: ``treated_index, control_index, distance, weight``
        for the treated units' matches (None when ties would make more than two
        million pairs); ``details["balance"]``: balance table before and after.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> frame = pd.DataFrame({"age": rng.normal(0, 1, 3000)})
    >>> frame["treated"] = rng.random(3000) < special.expit(-1.5 + frame["age"])
    >>> frame["harm"] = 2.0 * frame["age"] - 1.0 * frame["treated"] + rng.normal(0, 1, 3000)
    >>> est = match(frame, outcome="harm", treatment="treated", covariates=["age"], caliper=True)
    >>> bool(est.ci_low < -1.0 < est.ci_high), est.details["matched"]["match_weight"].sum() > 0
    (True, np.True_)
    """
    caller = "match"
    z = z_value(conf_level)
    estimand = _check_estimand(estimand)
    if (
        isinstance(neighbours, bool)
        or not isinstance(neighbours, (int, np.integer))
        or neighbours < 1
    ):
        raise ConfigError(f"match: neighbours must be a positive whole number, got {neighbours!r}.")
    if estimand == "ATE" and not replace:
        raise ConfigError(
            "match: estimand='ATE' matches in both directions and needs replace=True."
        )
    fit = _fit_propensity(data, treatment, covariates, caller=caller, extra_columns=[outcome])
    y = _outcome_values(data, outcome, caller=caller)
    t = fit.treated
    score = fit.linear_predictor
    caliper_width = _caliper_width(caliper, score, t)
    diagnostics, warnings = _overlap_diagnostics(fit)
    treated_idx, control_idx = np.flatnonzero(t), np.flatnonzero(~t)
    n = t.size

    if not replace:
        if neighbours > control_idx.size / max(treated_idx.size, 1):
            warnings.append(
                f"Matching without replacement with {neighbours} neighbour(s) needs "
                f"{neighbours * treated_idx.size:,} comparison units but only "
                f"{control_idx.size:,} exist: some treated units get fewer matches."
            )
        match_lists = _greedy_without_replacement(
            score[treated_idx], score[control_idx], neighbours, caliper_width
        )
        counts = np.array([m.size for m in match_lists], dtype=np.int64)
        matched = counts > 0
        # Every matched set at once rather than a Python loop over the treated units: the
        # loop (and looking up each unit's label) took most of the matching time on a
        # force's cohort. Sets of one size are averaged together, each row as its own
        # mean would be, so the figures are those of the loop to the last bit.
        positions = treated_idx[matched]
        sizes = counts[matched]
        controls = control_idx[np.concatenate([np.empty(0, np.int64), *match_lists])]
        treated_of_control = np.repeat(positions, sizes)
        share = 1 / sizes
        weights = np.zeros(n)
        weights[positions] = 1.0
        np.add.at(weights, controls, np.repeat(share, sizes))
        first = np.cumsum(sizes) - sizes
        differences = np.empty(positions.size)
        for size in np.unique(sizes):
            sets = np.flatnonzero(sizes == size)
            members = first[sets][:, None] + np.arange(size)
            differences[sets] = y[positions[sets]] - y[controls[members]].mean(axis=1)
        n_used = differences.size
        if n_used < 2:
            raise EstimationError(
                "match: fewer than two treated units found a match; widen the caliper."
            )
        effect = float(differences.mean())
        se = float(differences.std(ddof=1) / math.sqrt(n_used))
        variance_method = "matched-set (paired) variance, clustered on matched sets"
        labels = fit.index.to_numpy()
        pairs = pd.DataFrame(
            {
                "treated_index": labels[treated_of_control],
                "control_index": labels[controls],
                "distance": np.abs(score[controls] - score[treated_of_control]),
                "weight": np.repeat(share, sizes),
            }
        )
        n_unmatched = int((~matched).sum())
        controls_used = int(np.sum(weights[control_idx] > 0))
    else:
        to_controls = _match_direction(
            score[treated_idx], score[control_idx], y[control_idx], neighbours, caliper_width
        )
        matched = to_controls.matched
        imputed_treated_y0 = to_controls.imputed
        if estimand == "ATT":
            n_used = int(matched.sum())
            if n_used < 2:
                raise EstimationError(
                    "match: fewer than two treated units found a match; widen the caliper."
                )
            kept = treated_idx[matched]
            differences = y[kept] - imputed_treated_y0[matched]
            effect = float(differences.mean())
            # The weights of comparison units are recomputed on matched treated only;
            # unmatched treated contribute nothing (their slices are empty).
            k_weight = to_controls.reference_weight
            k_weight_sq = to_controls.reference_weight_sq
            sigma2 = to_controls.reference_sigma2
            variance = (
                np.sum((differences - effect) ** 2) + np.sum((k_weight**2 - k_weight_sq) * sigma2)
            ) / n_used**2
            weights = np.zeros(n)
            weights[kept] = 1.0
            weights[control_idx] = k_weight
            n_unmatched = int((~matched).sum())
        else:
            to_treated = _match_direction(
                score[control_idx], score[treated_idx], y[treated_idx], neighbours, caliper_width
            )
            keep_treated, keep_control = to_controls.matched, to_treated.matched
            if keep_treated.sum() < 2 or keep_control.sum() < 2:
                raise EstimationError(
                    "match: fewer than two units in a group found a match; widen the caliper."
                )
            y1_hat = np.concatenate(
                [y[treated_idx][keep_treated], to_treated.imputed[keep_control]]
            )
            y0_hat = np.concatenate(
                [to_controls.imputed[keep_treated], y[control_idx][keep_control]]
            )
            unit_effects = y1_hat - y0_hat
            n_used = unit_effects.size
            effect = float(unit_effects.mean())
            k_all = np.zeros(n)
            k_sq_all = np.zeros(n)
            k_all[control_idx] = to_controls.reference_weight
            k_sq_all[control_idx] = to_controls.reference_weight_sq
            k_all[treated_idx] = to_treated.reference_weight
            k_sq_all[treated_idx] = to_treated.reference_weight_sq
            used = np.zeros(n, dtype=bool)
            used[treated_idx[keep_treated]] = True
            used[control_idx[keep_control]] = True
            own = used.astype(float)
            sigma2 = np.zeros(n)
            sigma2[treated_idx] = to_treated.reference_sigma2
            sigma2[control_idx] = to_controls.reference_sigma2
            # Units in the estimate carry their own noise once more (the 2K term).
            variance = (
                np.sum((unit_effects - effect) ** 2)
                + np.sum((k_all**2 + 2 * k_all * own - k_sq_all) * sigma2)
            ) / n_used**2
            weights = own + k_all
            n_unmatched = int((~keep_treated).sum() + (~keep_control).sum())
        se = math.sqrt(max(float(variance), 0.0))
        variance_method = (
            f"Abadie-Imbens (2006), conditional variance from {_VARIANCE_NEIGHBOURS} "
            "same-group neighbours; score treated as known"
        )
        pairs = _pairs_frame(fit, treated_idx, control_idx, to_controls, score)
        controls_used = int(np.sum(weights[control_idx] > 0))

    if n_unmatched:
        warnings.append(
            f"{n_unmatched} unit(s) had no match within the caliper and were dropped: the "
            "estimate applies to the matched units only, which may differ from all treated."
        )
    covariate_frame = design_matrix(data, covariates, full_rank=False)
    balance_table = _balance_table(covariate_frame, t, weights, "pooled")
    balance_result = _balance_result(balance_table, t, weights, "pooled")
    warnings.extend(balance_result.warnings)

    used_rows = np.flatnonzero(weights > 0)
    matched_frame = data.iloc[used_rows].assign(
        match_weight=weights[used_rows], propensity_score=fit.scores[used_rows]
    )
    diagnostics.update(
        {
            "n_matched": int(n_used),
            "n_unmatched": n_unmatched,
            "n_controls_used": controls_used,
            "neighbours": int(neighbours),
            "replace": bool(replace),
            "caliper_sd": None if caliper_width is None else (0.2 if caliper is True else caliper),
            "caliper_logit": caliper_width,
            "effective_sample_size_control": _effective_sample_size(weights[control_idx]),
            "max_abs_smd_after": balance_result.diagnostics["max_abs_smd_after"],
            "variance": variance_method,
        }
    )
    p_value = float(2 * stats.norm.sf(abs(effect / se))) if se > 0 else 1.0
    population = "matched treated units" if estimand == "ATT" else "all matched units"
    return Estimate(
        effect=effect,
        ci_low=effect - z * se,
        ci_high=effect + z * se,
        p_value=p_value,
        n=int(n_used),
        scale="difference",
        method=(
            f"{neighbours}-nearest-neighbour matching on the logit propensity score "
            f"({'with' if replace else 'without'} replacement"
            f"{', caliper' if caliper_width is not None else ''}, {estimand})"
        ),
        estimand=f"average effect of {treatment} on {outcome} among {population} ({estimand})",
        se=se,
        assumptions=(
            "No unmeasured confounding: given the covariates, treatment is as good as random.",
            "Overlap: comparable comparison units exist for the treated units kept.",
            "The logistic propensity model is correctly specified (check balance).",
        ),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        details={
            "matched": matched_frame,
            "pairs": pairs,
            "balance": balance_table,
            "scores": pd.Series(fit.scores, index=fit.index, name="propensity_score"),
        },
        conf_level=conf_level,
        outcome=outcome,
    )


def _pairs_frame(
    fit: _PropensityFit,
    treated_idx: np.ndarray,
    control_idx: np.ndarray,
    direction: _Direction,
    score: np.ndarray,
) -> pd.DataFrame | None:
    """Treated-to-comparison pairs, or None when ties make them too many to list."""
    counts = direction.counts
    total = int(counts.sum())
    if total > _MAX_PAIRS:
        logger.info("match: %d matched pairs, too many to list in details['pairs']", total)
        return None
    query = np.repeat(np.arange(counts.size), counts)
    start = np.repeat(direction.low, counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    control_positions = control_idx[direction.reference_order[start + offset]]
    treated_positions = treated_idx[query]
    return pd.DataFrame(
        {
            "treated_index": fit.index[treated_positions],
            "control_index": fit.index[control_positions],
            "distance": np.abs(score[control_positions] - score[treated_positions]),
            "weight": 1 / counts[query],
        }
    )
