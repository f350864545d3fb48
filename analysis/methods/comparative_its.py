"""Comparative interrupted time series: a treated series against comparison series.

The model (a statsmodels GLM with a log link) for series ``s`` in month ``m`` is

``log E[y_sm] = a_s + b_s * trend + d * post_m + g * treated_s * post_m +
sum_k (s_k sin(2 pi k month / 12) + c_k cos(2 pi k month / 12)) [+ log offset]``

with a level and a trend for each series, seasonality shared by all series, and ``post``
= 1 from the intervention on. The shared step ``d`` takes up whatever changed every series
at the intervention (a recording change, a national shock), so the effect, ``exp(g)``, is
the ratio of the treated series' rate after the intervention to the rate its own trend
predicts once the comparison series' change at the same time is taken out. The
counterfactual is the fitted model with ``g`` set to zero.

Families: ``"quasipoisson"`` (variance ``phi * mean``, ``phi`` the Pearson chi-squared over
residual degrees of freedom; t intervals), ``"poisson"`` and ``"negativebinomial"`` (NB2,
dispersion by maximum likelihood).
"""

from __future__ import annotations

import logging
import warnings as warnings_module
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from ..errors import ConfigError, EstimationError
from ..results import ComparativeTimeSeriesResult
from ._panel import check_conf_level, numeric_column, require_columns, require_complete

logger = logging.getLogger(__name__)

__all__ = ["comparative_its"]

FAMILIES = ("quasipoisson", "poisson", "negativebinomial")
#: Fewest pre-intervention months for trends and seasonality to mean anything.
MIN_PRE_PERIODS = 8

ASSUMPTIONS = (
    "Without the intervention, the treated series would have kept its own trend, shifted "
    "by whatever moved the comparison series at the same time (common shocks act "
    "proportionally on every series).",
    "The comparison series were not affected by the intervention (no spillover) and had "
    "no intervention of their own at the same time.",
    "Seasonality is the same in every series; trends are log-linear.",
)


def comparative_its(
    data: pd.DataFrame,
    *,
    outcome: str,
    time: str,
    series: str,
    treated_series: Any,
    intervention: Any,
    offset: str | None = None,
    family: str = "quasipoisson",
    harmonics: int = 2,
    conf_level: float = 0.95,
) -> ComparativeTimeSeriesResult:
    """Treated-by-post rate ratio of a treated series against comparison series.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per series and month.
    outcome : str
        Monthly count.
    time : str
        Month-start dates.
    series : str
        Series identifier (the treated area and its comparison areas or crime types).
    treated_series : object
        Value of ``series`` that received the intervention.
    intervention : str or Timestamp
        Start of the intervention; months from it on are post-intervention in every series.
    offset : str, optional
        Population or exposure column; its log enters as an offset.
    family : {"quasipoisson", "poisson", "negativebinomial"}
        Error distribution.
    harmonics : int
        Pairs of Fourier terms on month of year shared by all series (0 to 6).
    conf_level : float
        Confidence level of the ratio's interval.

    Returns
    -------
    ComparativeTimeSeriesResult
        ``effect`` = rate ratio ``exp(g)`` (``"rate ratio"`` scale, ``se`` on the log
        scale); ``details["fitted"]`` = DataFrame for the treated series ``time, observed,
        fitted, counterfactual, counterfactual_low, counterfactual_high`` (95% band of the
        counterfactual mean); ``details["model"]`` the statsmodels result; ``table`` =
        every coefficient. Named properties: ``level_change``, ``seasonality``,
        ``n_comparison_series``, ``fitted``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> months = pd.date_range("2019-01-01", periods=48, freq="MS")
    >>> season = np.exp(0.2 * np.sin(2 * np.pi * months.month / 12))
    >>> rows = []
    >>> for name, level, ratio in (("Dorset", 60, 0.75), ("Devon", 90, 1.0), ("Wilts", 50, 1.0)):
    ...     mean = level * season * np.where(months >= "2022-01-01", ratio, 1.0)
    ...     rows.append(pd.DataFrame({"area": name, "month": months, "count": rng.poisson(mean)}))
    >>> panel = pd.concat(rows)
    >>> est = comparative_its(panel, outcome="count", time="month", series="area",
    ...                       treated_series="Dorset", intervention="2022-01-01")
    >>> est.scale, 0.65 < est.effect < 0.85
    ('rate ratio', True)
    """
    estimator = "comparative_its"
    if family not in FAMILIES:
        raise ConfigError(
            f"{estimator}: family must be one of {', '.join(FAMILIES)}, not {family!r}."
        )
    if not isinstance(harmonics, int | np.integer) or not 0 <= harmonics <= 6:
        raise ConfigError(
            f"{estimator}: harmonics must be a whole number from 0 to 6, not {harmonics!r}."
        )
    check_conf_level(conf_level, estimator=estimator)
    require_columns(
        data,
        {"outcome": outcome, "time": time, "series": series, "offset": offset},
        estimator=estimator,
    )
    require_complete(data, [c for c in (outcome, time, series, offset) if c], estimator=estimator)
    if not pd.api.types.is_datetime64_any_dtype(data[time]):
        raise EstimationError(
            f"{estimator}: '{time}' must hold month-start dates (dtype datetime64), not "
            f"{data[time].dtype}. Fix: pd.to_datetime(data['{time}'])."
        )
    try:
        start = pd.Timestamp(intervention)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{estimator}: intervention {intervention!r} is not a date.") from error
    names = pd.unique(data[series])
    if treated_series not in set(names):
        raise ConfigError(
            f"{estimator}: treated_series {treated_series!r} is not a value of '{series}'. "
            f"Series include {list(names[:8])}."
        )
    if len(names) < 2:
        raise EstimationError(
            f"{estimator}: only one series in '{series}'; a comparative design needs at least "
            "one comparison series. Fix: add comparison areas, or use its() for a single series."
        )
    duplicated = data.duplicated([series, time], keep=False)
    if duplicated.any():
        raise EstimationError(
            f"{estimator}: {int(duplicated.sum())} rows share a ({series}, {time}) pair. Fix: "
            "aggregate to one row per series and month."
        )
    frame = data.sort_values([series, time]).reset_index(drop=True)
    y = numeric_column(frame, outcome, estimator=estimator)
    if (y < 0).any():
        raise EstimationError(
            f"{estimator}: '{outcome}' has negative values, impossible for counts."
        )
    post = (frame[time] >= start).to_numpy()
    is_treated = (frame[series] == treated_series).to_numpy()
    n_pre = int((is_treated & ~post).sum())
    n_post = int((is_treated & post).sum())
    if n_pre < MIN_PRE_PERIODS:
        raise EstimationError(
            f"{estimator}: only {n_pre} month(s) of '{treated_series}' before the intervention "
            f"({start.date()}); at least {MIN_PRE_PERIODS} are needed. Fix: extend the series."
        )
    if n_post == 0:
        raise EstimationError(
            f"{estimator}: no month of '{treated_series}' from the intervention "
            f"({start.date()}) on. Fix: check the intervention date."
        )
    for label, mask in (("before", is_treated & ~post), ("after", is_treated & post)):
        if y[mask].sum() == 0:
            raise EstimationError(
                f"{estimator}: no events in '{treated_series}' {label} the intervention, so "
                "the rate ratio is not estimable. Report the counts descriptively."
            )

    # ---- design: a level and a trend per series, shared seasonality, the interaction
    first_month = frame[time].min()
    trend = (
        (frame[time].dt.year - first_month.year) * 12 + frame[time].dt.month - first_month.month
    ).to_numpy(dtype=float) / 12
    columns: dict[str, np.ndarray] = {}
    ordered = [treated_series] + [n for n in names if n != treated_series]
    for name in ordered:
        member = (frame[series] == name).to_numpy(dtype=float)
        columns[f"level[{name}]"] = member
        columns[f"trend[{name}]"] = member * trend
    columns["post"] = post.astype(float)
    columns["treated_post"] = (is_treated & post).astype(float)
    month_of_year = frame[time].dt.month.to_numpy()
    for k in range(1, harmonics + 1):
        angle = 2 * np.pi * k * month_of_year / 12
        if k < 6:
            columns[f"sin{k}"] = np.sin(angle)
        columns[f"cos{k}"] = np.cos(angle)
    design = pd.DataFrame(columns)
    log_offset = None
    if offset is not None:
        exposure = numeric_column(frame, offset, estimator=estimator)
        if (exposure <= 0).any():
            raise EstimationError(
                f"{estimator}: offset column '{offset}' must be positive (it is logged)."
            )
        log_offset = np.log(exposure)
    if len(y) < design.shape[1] + 6:
        raise EstimationError(
            f"{estimator}: {len(y)} rows are too few for {design.shape[1]} parameters. Fix: "
            "use fewer harmonics or longer series."
        )

    warnings: list[str] = []
    alpha_nb = None
    if family == "negativebinomial":
        alpha_nb = _nb_alpha(y, design, log_offset)
    glm_family = (
        families.NegativeBinomial(alpha=alpha_nb) if alpha_nb is not None else families.Poisson()
    )
    fit_args: dict[str, Any] = {"use_t": family == "quasipoisson"}
    if family == "quasipoisson":
        fit_args["scale"] = "X2"
    model = GLM(y, design.to_numpy(), family=glm_family, offset=log_offset)
    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always", ConvergenceWarning)
        result = model.fit(**fit_args)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught) or not result.converged:
        raise EstimationError(
            f"{estimator}: the model did not converge (often a series with very few events). "
            "Fix: use fewer harmonics or drop near-empty comparison series."
        )
    params, bse = np.asarray(result.params), np.asarray(result.bse)
    ci = np.asarray(result.conf_int(alpha=1 - conf_level))
    pvalues = np.asarray(result.pvalues)
    names_out = list(design.columns)
    table = pd.DataFrame(
        {
            "coef": params,
            "se": bse,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": pvalues,
            "ratio": np.exp(params),
        },
        index=pd.Index(names_out, name="term"),
    )
    at = names_out.index("treated_post")

    # ---- counterfactual for the treated series
    counterfactual_design = design.to_numpy()[is_treated].copy()
    counterfactual_design[:, at] = 0.0
    prediction = result.get_prediction(
        exog=counterfactual_design,
        offset=None if log_offset is None else log_offset[is_treated],
    ).summary_frame(alpha=0.05)
    fitted = pd.DataFrame(
        {
            "time": frame.loc[is_treated, time].to_numpy(),
            "observed": y[is_treated],
            "fitted": np.asarray(result.fittedvalues)[is_treated],
            "counterfactual": prediction["mean"].to_numpy(),
            "counterfactual_low": prediction["mean_ci_lower"].to_numpy(),
            "counterfactual_high": prediction["mean_ci_upper"].to_numpy(),
        }
    )
    dispersion = float(result.pearson_chi2 / result.df_resid)
    if family == "poisson" and dispersion > 1.5:
        warnings.append(
            f"The counts are overdispersed (Pearson dispersion {dispersion:.1f}): Poisson "
            "intervals are too narrow; use family='quasipoisson' or 'negativebinomial'."
        )
    if n_post < 6:
        warnings.append(f"Only {n_post} month(s) after the intervention: the estimate is fragile.")
    diagnostics: dict[str, Any] = {
        "family": family,
        "harmonics": int(harmonics),
        "n_series": len(names),
        "n_comparison_series": len(names) - 1,
        "n_pre": n_pre,
        "n_post": n_post,
        "dispersion": dispersion,
        "aic": float(result.aic),
    }
    if alpha_nb is not None:
        diagnostics["nb_alpha"] = alpha_nb
    logger.info("%s: %s, ratio %.4g", estimator, treated_series, float(np.exp(params[at])))
    return ComparativeTimeSeriesResult(
        effect=float(np.exp(params[at])),
        ci_low=float(np.exp(ci[at, 0])),
        ci_high=float(np.exp(ci[at, 1])),
        p_value=float(pvalues[at]),
        n=len(names),
        scale="rate ratio",
        method=f"comparative interrupted time series ({family} regression)",
        estimand=(
            f"change in {outcome} in {treated_series} from {start.date()}, relative to its own "
            f"trend and to the change in {len(names) - 1} comparison series: ratio of observed "
            "to counterfactual rate"
        ),
        se=float(bse[at]),
        assumptions=ASSUMPTIONS,
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        table=table,
        details={"fitted": fitted, "intervention": start, "model": result},
        conf_level=conf_level,
        outcome=outcome,
    )


def _nb_alpha(y: np.ndarray, design: pd.DataFrame, log_offset: np.ndarray | None) -> float:
    """Maximum-likelihood NB2 dispersion."""
    model = NegativeBinomial(y, design.to_numpy(), loglike_method="nb2", offset=log_offset)
    with warnings_module.catch_warnings():
        warnings_module.simplefilter("ignore")
        fitted = model.fit(disp=0, maxiter=200)
    alpha = float(np.asarray(fitted.params)[-1])
    if not np.isfinite(alpha) or alpha <= 0:
        raise EstimationError(
            "comparative_its: the negative binomial dispersion could not be estimated. Fix: "
            "use family='quasipoisson'."
        )
    return max(alpha, 1e-8)
