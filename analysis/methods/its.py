"""Interrupted time series: segmented regression of a monthly series with seasonality.

The model (a statsmodels GLM) for month ``m`` is

``g(E[y_m]) = b0 + b1 * trend + b2 * step [+ b3 * months since intervention] +
sum_k (s_k sin(2 pi k month / 12) + c_k cos(2 pi k month / 12)) [+ log offset]``

with ``trend`` in years since the first month and ``step`` = 1 from the intervention on.
The effect is ``exp(b2)``, the ratio of the level just after the intervention to the
level the pre-intervention trend and seasonality predict (a difference, ``b2``, for the
gaussian family). The counterfactual is the fitted model with the intervention terms set
to zero.

Families: ``"quasipoisson"`` (Poisson mean, variance ``phi * mean`` with ``phi`` the
Pearson chi-squared over residual degrees of freedom; t intervals), ``"poisson"``,
``"negativebinomial"`` (NB2; the dispersion ``alpha`` is estimated by maximum likelihood
and the GLM fitted at it), ``"gaussian"`` (identity link; no offset).
"""

from __future__ import annotations

import logging
import warnings as warnings_module
from typing import Any

import numpy as np
import pandas as pd

# Narrow imports: statsmodels.api also loads its graphics and time-series modules (~0.7 s).
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from ..errors import ConfigError, EstimationError
from ..results import InterruptedTimeSeriesResult
from ._panel import check_conf_level, numeric_column, require_columns, require_complete

logger = logging.getLogger(__name__)

__all__ = ["its"]

FAMILIES = ("quasipoisson", "poisson", "negativebinomial", "gaussian")
#: Fewest pre-intervention months for a trend and seasonality to mean anything.
MIN_PRE_PERIODS = 8
#: Residual degrees of freedom required beyond the number of parameters.
MIN_RESIDUAL_DF = 6

ASSUMPTIONS = (
    "Without the intervention, the pre-intervention trend and seasonal pattern would have "
    "continued unchanged.",
    "Nothing else that affects the outcome changed at the same time (no co-intervention, no "
    "change in recording practice).",
    "The trend is log-linear (linear for the gaussian family) over the whole series.",
)


def _month_index(values: pd.Series, column: str) -> np.ndarray:
    if not pd.api.types.is_datetime64_any_dtype(values):
        raise EstimationError(
            f"its: '{column}' must hold month-start dates (dtype datetime64), not "
            f"{values.dtype}. Fix: pd.to_datetime(data['{column}'])."
        )
    return (values.dt.year * 12 + values.dt.month - 1).to_numpy(dtype=np.int64)


def its(
    data: pd.DataFrame,
    *,
    outcome: str,
    time: str,
    intervention: Any,
    offset: str | None = None,
    family: str = "quasipoisson",
    harmonics: int = 2,
    slope_change: bool = False,
    conf_level: float = 0.95,
    hac_lags: int | None = None,
) -> InterruptedTimeSeriesResult:
    """Segmented (interrupted time series) regression of a monthly series.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per month.
    outcome : str
        Monthly count (or, for ``family="gaussian"``, any numeric outcome).
    time : str
        Month-start dates.
    intervention : str or Timestamp
        Start of the intervention; rows with ``time >= intervention`` are post-intervention.
    offset : str, optional
        Population or exposure column; its log enters as an offset (count families).
    family : {"quasipoisson", "poisson", "negativebinomial", "gaussian"}
        Error distribution (see the module notes).
    harmonics : int
        Pairs of Fourier terms on month of year (0 for none, at most 6).
    slope_change : bool
        Also estimate a change in trend from the intervention.
    conf_level : float
        Confidence level of the effect's interval.
    hac_lags : int, optional
        Newey-West (HAC) standard errors with this many lags, for autocorrelated residuals.

    Returns
    -------
    InterruptedTimeSeriesResult
        ``effect`` = step change as a rate ratio (``"rate ratio"`` scale, ``se`` on the log
        scale) or a difference (gaussian); ``details["fitted"]`` = DataFrame ``time,
        observed, fitted, counterfactual, counterfactual_low, counterfactual_high`` (95%);
        ``details["intervention"]`` = the intervention Timestamp; ``diagnostics`` include
        ``ljung_box_p_value``, ``durbin_watson`` and ``dispersion``; ``table`` = every
        coefficient. Named properties: ``level_change``, ``slope_change`` (and its
        interval), ``seasonality``, ``autocorrelation``, ``fitted``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> months = pd.date_range("2020-01-01", periods=48, freq="MS")
    >>> rate = 50 * np.exp(0.2 * np.sin(2 * np.pi * months.month / 12))
    >>> rate = rate * np.where(months >= "2022-01-01", 0.7, 1.0)
    >>> series = pd.DataFrame({"month": months, "incidents": rng.poisson(rate)})
    >>> est = its(series, outcome="incidents", time="month", intervention="2022-01-01")
    >>> est.scale, 0.6 < est.effect < 0.8
    ('rate ratio', True)
    """
    estimator = "its"
    if family not in FAMILIES:
        raise ConfigError(f"its: family must be one of {', '.join(FAMILIES)}, not {family!r}.")
    if not isinstance(harmonics, int | np.integer) or not 0 <= harmonics <= 6:
        raise ConfigError(f"its: harmonics must be a whole number from 0 to 6, not {harmonics!r}.")
    if hac_lags is not None and (not isinstance(hac_lags, int | np.integer) or hac_lags < 1):
        raise ConfigError(f"its: hac_lags must be a positive whole number, not {hac_lags!r}.")
    if family == "gaussian" and offset is not None:
        raise ConfigError(
            "its: an offset needs a log link; with family='gaussian' model the rate directly "
            "(divide the outcome by the population) or use a count family."
        )
    check_conf_level(conf_level, estimator=estimator)
    require_columns(data, {"outcome": outcome, "time": time, "offset": offset}, estimator=estimator)
    require_complete(data, [c for c in (outcome, time, offset) if c], estimator=estimator)
    try:
        start = pd.Timestamp(intervention)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"its: intervention {intervention!r} is not a date.") from error

    frame = data.sort_values(time)
    month = _month_index(frame[time], time)
    if len(np.unique(month)) != len(month):
        raise EstimationError(
            f"its: '{time}' has more than one row for some months. Fix: aggregate to one row "
            "per month."
        )
    y = numeric_column(frame, outcome, estimator=estimator)
    post = (frame[time] >= start).to_numpy()
    n_pre, n_post = int((~post).sum()), int(post.sum())
    counts = family != "gaussian"
    if counts and (y < 0).any():
        raise EstimationError(
            f"its: '{outcome}' has negative values, impossible for counts. Fix: correct the "
            "data or use family='gaussian'."
        )
    if n_pre < MIN_PRE_PERIODS:
        raise EstimationError(
            f"its: only {n_pre} month(s) before the intervention ({start.date()}); at least "
            f"{MIN_PRE_PERIODS} are needed to estimate the pre-intervention trend. Fix: extend "
            "the series back in time."
        )
    if n_post < (2 if slope_change else 1):
        raise EstimationError(
            f"its: {n_post} month(s) from the intervention ({start.date()}) on; "
            f"{'two are' if slope_change else 'one is'} needed. Fix: check the intervention "
            "date or wait for more data."
        )
    if counts:
        if y.sum() == 0:
            raise EstimationError(
                f"its: '{outcome}' is zero in every month, so there is no rate to model. "
                "Report the zero count descriptively."
            )
        for label, mask in (("before", ~post), ("after", post)):
            if y[mask].sum() == 0:
                raise EstimationError(
                    f"its: no events {label} the intervention in '{outcome}', so the rate ratio "
                    "is not estimable (its estimate would be 0 or infinite). Report the counts "
                    "descriptively."
                )

    # ---- design
    months_from_start = (month - month[0]).astype(float)
    since = np.where(post, month - month[post].min(), 0).astype(float)
    columns: dict[str, np.ndarray] = {
        "const": np.ones(len(y)),
        "trend": months_from_start / 12,
        "step": post.astype(float),
    }
    if slope_change:
        columns["slope_change"] = since / 12
    month_of_year = frame[time].dt.month.to_numpy()
    for k in range(1, harmonics + 1):
        angle = 2 * np.pi * k * month_of_year / 12
        if k < 6:
            columns[f"sin{k}"] = np.sin(angle)
        columns[f"cos{k}"] = np.cos(angle)
    design = pd.DataFrame(columns, index=frame.index)
    n_params = design.shape[1]
    if len(y) < n_params + MIN_RESIDUAL_DF:
        raise EstimationError(
            f"its: {len(y)} months are too few for {n_params} parameters (trend, step"
            f"{', slope change' if slope_change else ''} and {harmonics} Fourier pair(s)) with "
            f"{MIN_RESIDUAL_DF} residual degrees of freedom. Fix: use fewer harmonics "
            f"(harmonics={max(harmonics - 1, 0)}), drop slope_change, or a longer series."
        )
    log_offset = None
    if offset is not None:
        exposure = numeric_column(frame, offset, estimator=estimator)
        if (exposure <= 0).any():
            raise EstimationError(
                f"its: offset column '{offset}' must be positive (it is logged); "
                f"{int((exposure <= 0).sum())} month(s) are not."
            )
        log_offset = np.log(exposure)

    # ---- fit
    warnings: list[str] = []
    alpha_nb = None
    if family == "negativebinomial":
        alpha_nb = _nb_alpha(y, design, log_offset, warnings)
    glm_family = {
        "quasipoisson": families.Poisson(),
        "poisson": families.Poisson(),
        "negativebinomial": families.NegativeBinomial(alpha=alpha_nb or 1.0),
        "gaussian": families.Gaussian(),
    }[family]
    fit_args: dict[str, Any] = {"use_t": family in ("quasipoisson", "gaussian")}
    if family == "quasipoisson":
        fit_args["scale"] = "X2"
    if hac_lags is not None:
        fit_args.update(cov_type="HAC", cov_kwds={"maxlags": int(hac_lags)})
    # Plain arrays keep statsmodels' per-call overhead low (simulation studies fit thousands).
    names = list(design.columns)
    model = GLM(y, design.to_numpy(), family=glm_family, offset=log_offset)
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always", ConvergenceWarning)
        result = model.fit(**fit_args)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught) or not result.converged:
        raise EstimationError(
            "its: the model did not converge (often a series with very few events or a "
            "perfect fit). Fix: use fewer harmonics or family='gaussian' on rates."
        )
    params, bse = np.asarray(result.params), np.asarray(result.bse)
    if not np.isfinite(bse).all():
        raise EstimationError("its: standard errors are not finite; the design is degenerate.")
    ci = np.asarray(result.conf_int(alpha=1 - conf_level))
    pvalues = np.asarray(result.pvalues)
    columns_out = {
        "coef": params,
        "se": bse,
        "ci_low": ci[:, 0],
        "ci_high": ci[:, 1],
        "p_value": pvalues,
    }
    if counts:
        columns_out["ratio"] = np.exp(params)
    table = pd.DataFrame(columns_out, index=pd.Index(names, name="term"))
    at = names.index("step")
    step, step_se = float(params[at]), float(bse[at])
    low, high = float(ci[at, 0]), float(ci[at, 1])
    p_value = float(pvalues[at])
    if counts:
        effect, ci_low, ci_high, scale = np.exp(step), np.exp(low), np.exp(high), "rate ratio"
    else:
        effect, ci_low, ci_high, scale = step, low, high, "difference"

    # ---- counterfactual and fitted values
    counterfactual_design = design.copy()
    counterfactual_design["step"] = 0.0
    if slope_change:
        counterfactual_design["slope_change"] = 0.0
    prediction = result.get_prediction(exog=counterfactual_design.to_numpy(), offset=log_offset)
    frame_cf = prediction.summary_frame(alpha=0.05)
    fitted = pd.DataFrame(
        {
            "time": frame[time].to_numpy(),
            "observed": y,
            "fitted": np.asarray(result.fittedvalues),
            "counterfactual": frame_cf["mean"].to_numpy(),
            "counterfactual_low": frame_cf["mean_ci_lower"].to_numpy(),
            "counterfactual_high": frame_cf["mean_ci_upper"].to_numpy(),
        }
    )

    # ---- diagnostics
    residuals = np.asarray(result.resid_pearson)
    lags = max(1, min(12, len(y) // 4))
    ljung_box = float(acorr_ljungbox(residuals, lags=[lags])["lb_pvalue"].iloc[0])
    dw = float(durbin_watson(residuals))
    dispersion = float(result.pearson_chi2 / result.df_resid)
    gaps = int((np.diff(month) != 1).sum())
    diagnostics: dict[str, Any] = {
        "family": family,
        "harmonics": int(harmonics),
        "slope_change": bool(slope_change),
        "n_months": len(y),
        "n_pre": n_pre,
        "n_post": n_post,
        "ljung_box_p_value": ljung_box,
        "ljung_box_lags": lags,
        "durbin_watson": dw,
        "dispersion": dispersion,
        "hac_lags": hac_lags,
        "covariance": f"HAC (Newey-West, {hac_lags} lags)" if hac_lags else "model-based",
        "aic": float(result.aic),
        "gaps": gaps,
    }
    if counts:
        diagnostics["events_pre"] = float(y[~post].sum())
        diagnostics["events_post"] = float(y[post].sum())
    if alpha_nb is not None:
        diagnostics["nb_alpha"] = alpha_nb
    if slope_change:
        slope = float(params[names.index("slope_change")])
        diagnostics["slope_change_per_year"] = float(np.exp(slope)) if counts else slope
    if ljung_box < 0.05:
        advice = (
            "the HAC standard errors allow for it"
            if hac_lags
            else f"intervals may be too narrow; consider hac_lags={min(lags, 6)}"
        )
        warnings.append(
            f"Residuals are autocorrelated (Ljung-Box p = {ljung_box:.3f} at {lags} lags, "
            f"Durbin-Watson {dw:.2f}): {advice}."
        )
    if family == "poisson" and dispersion > 1.5:
        warnings.append(
            f"The counts are overdispersed (Pearson dispersion {dispersion:.1f}): Poisson "
            "intervals are too narrow; use family='quasipoisson' or 'negativebinomial'."
        )
    if gaps:
        warnings.append(f"The series has {gaps} gap(s) of missing months.")
    if n_post < 6:
        warnings.append(f"Only {n_post} month(s) after the intervention: the estimate is fragile.")
    if counts and min(y[~post].sum(), y[post].sum()) < 20:
        warnings.append(
            "Fewer than 20 events before or after the intervention: the interval relies on a "
            "rough large-sample approximation."
        )
    logger.info("its: %s, step %.4g (%s)", outcome, effect, scale)
    return InterruptedTimeSeriesResult(
        effect=float(effect),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=p_value,
        n=len(y),
        scale=scale,
        method=f"interrupted time series (segmented {family} regression)",
        estimand=(
            f"step change in {outcome} at the intervention ({start.date()}): "
            + (
                "ratio of the observed to the counterfactual rate"
                if counts
                else "difference from the counterfactual level"
            )
        ),
        se=step_se,
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details={"fitted": fitted, "intervention": start, "model": result},
        conf_level=conf_level,
        outcome=outcome,
    )


def _nb_alpha(
    y: np.ndarray, design: pd.DataFrame, log_offset: np.ndarray | None, warnings: list[str]
) -> float:
    """Maximum-likelihood NB2 dispersion."""
    model = NegativeBinomial(y, design, loglike_method="nb2", offset=log_offset)
    with warnings_module.catch_warnings():
        warnings_module.simplefilter("ignore")
        fitted = model.fit(disp=0, maxiter=200)
    alpha = float(fitted.params.iloc[-1])
    if not np.isfinite(alpha) or alpha <= 0:
        raise EstimationError(
            "its: the negative binomial dispersion could not be estimated. Fix: use "
            "family='quasipoisson'."
        )
    if alpha < 1e-6:
        warnings.append("No overdispersion detected: the negative binomial reduces to Poisson.")
    return alpha
