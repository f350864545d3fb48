"""Shared machinery of the panel estimators: input checks, periods and absorbed effects.

The two-way within transformation is exact and never builds dummy columns:

- a balanced, unweighted panel (every unit observed once in every period) uses the
  closed form ``x - mean_unit - mean_period + grand_mean``;
- any other panel (unbalanced, weighted, repeated rows) absorbs the factor with more
  levels by group means and solves the normal equations of the factor with fewer levels
  directly, a small ``L x L`` system (``L`` = number of periods in a unit-by-month panel),
  by its eigendecomposition. This is the exact projection, with no iteration and no
  convergence tolerance;
- if both factors have more than ``direct_limit`` levels, it falls back to alternating
  projections (iterated demeaning) to a tight tolerance.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import qr
from scipy.sparse.csgraph import connected_components

from ..errors import ConfigError, EstimationError

logger = logging.getLogger(__name__)

#: Largest number of levels of the smaller factor solved directly.
DIRECT_LIMIT = 2000
#: Dense cell-weight matrices are used up to this many cells (else sparse).
_DENSE_CELLS = 30_000_000


# --------------------------------------------------------------------------- input checks
def require_columns(data: pd.DataFrame, columns: dict[str, object], *, estimator: str) -> None:
    """Raise ConfigError naming any column argument that is not in ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
        Input table.
    columns : dict
        Argument name -> column name (or list of column names, or None to skip).
    estimator : str
        Name of the calling estimator, for the message.
    """
    if not isinstance(data, pd.DataFrame):
        raise ConfigError(
            f"{estimator}: data must be a pandas DataFrame, not {type(data).__name__}."
        )
    missing = []
    for argument, value in columns.items():
        if value is None:
            continue
        names = [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]
        for name in names:
            if name not in data.columns:
                missing.append(f"{argument}={name!r}")
    if missing:
        available = ", ".join(map(str, data.columns[:20]))
        raise ConfigError(
            f"{estimator}: column(s) not in the data: {', '.join(missing)}. "
            f"Available columns: {available}. Fix: pass the name of an existing column."
        )
    if len(data) == 0:
        raise EstimationError(f"{estimator}: the data has no rows. Fix: check the filter upstream.")


def _row_labels(data: pd.DataFrame, mask: np.ndarray, limit: int = 5) -> str:
    labels = data.index[mask][:limit].tolist()
    shown = ", ".join(str(label) for label in labels)
    extra = int(mask.sum()) - len(labels)
    return shown + (f" and {extra} more" if extra > 0 else "")


def require_complete(data: pd.DataFrame, columns: Sequence[str], *, estimator: str) -> None:
    """Raise EstimationError naming the column and rows with missing or infinite values."""
    for column in columns:
        values = data[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            array = values.to_numpy(dtype=float, na_value=np.nan)
            bad = ~np.isfinite(array)
        else:
            bad = values.isna().to_numpy()
        if bad.any():
            raise EstimationError(
                f"{estimator}: column '{column}' has {int(bad.sum())} missing or non-finite "
                f"value(s) (rows {_row_labels(data, bad)}). Fix: drop or impute those rows "
                f"before estimating, e.g. data.dropna(subset=['{column}'])."
            )


def numeric_column(data: pd.DataFrame, column: str, *, estimator: str) -> np.ndarray:
    """Column as float64, with a clear error when it is not numeric."""
    values = data[column]
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(values):
        raise EstimationError(
            f"{estimator}: column '{column}' must be numeric, but has dtype {values.dtype}. "
            "Fix: convert it, e.g. pd.to_numeric(data[column])."
        )
    return values.to_numpy(dtype=float)


def binary_column(data: pd.DataFrame, column: str, *, estimator: str) -> np.ndarray:
    """A 0/1 treatment column as float64, with a clear error for other values."""
    values = numeric_column(data, column, estimator=estimator)
    bad = (values != 0) & (values != 1)
    if bad.any():
        raise EstimationError(
            f"{estimator}: treatment column '{column}' must hold 0/1 (or True/False), but has "
            f"{int(bad.sum())} other value(s) (rows {_row_labels(data, bad)}). Fix: code "
            "treated unit-periods as 1 and all others as 0."
        )
    return values


def check_conf_level(conf_level: float, *, estimator: str) -> None:
    """Raise ConfigError unless 0 < conf_level < 1."""
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ConfigError(
            f"{estimator}: conf_level must be a number between 0 and 1 (e.g. 0.95), "
            f"not {conf_level!r}."
        )


def codes_of(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes 0..L-1 of a column and the number of levels."""
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.intp, copy=False), len(uniques)


# --------------------------------------------------------------------------- periods
def _month_number(values: pd.Series) -> np.ndarray:
    return (values.dt.year * 12 + values.dt.month - 1).to_numpy(dtype=float, na_value=np.nan)


def period_numbers(
    data: pd.DataFrame,
    time: str,
    first_treated: str | None = None,
    *,
    estimator: str,
) -> tuple[np.ndarray, np.ndarray | None, str, Callable[[float], object]]:
    """Map ``time`` (and ``first_treated``) to integer periods.

    Integer periods are used as they are; month-start dates become month numbers;
    other dates must be equally spaced (weeks, quarters written as dates). Returns
    the period of every row, the first treated period of every row (NaN for never
    treated), a word for the period and a function mapping a period number back to a
    label of the same type as ``time``.
    """
    values = data[time]
    ft = data[first_treated] if first_treated is not None else None
    if pd.api.types.is_datetime64_any_dtype(values):
        if ft is not None and not (pd.api.types.is_datetime64_any_dtype(ft) or ft.isna().all()):
            raise EstimationError(
                f"{estimator}: '{first_treated}' must hold dates like '{time}' (NaT for never "
                f"treated), but has dtype {ft.dtype}."
            )
        ft_dates = pd.to_datetime(ft) if ft is not None else None
        month_starts = (values.dt.day == 1).all() and (values.dt.normalize() == values).all()
        if month_starts:
            numbers = _month_number(values)
            first = _month_number(ft_dates) if ft_dates is not None else None
            if ft_dates is not None:
                on_grid = ft_dates.isna() | (
                    (ft_dates.dt.day == 1) & (ft_dates.dt.normalize() == ft_dates)
                )
                if not on_grid.all():
                    bad = ~on_grid.to_numpy()
                    raise EstimationError(
                        f"{estimator}: '{first_treated}' must be the first treated month as a "
                        f"month-start date, like '{time}', but {int(bad.sum())} row(s) are not "
                        f"(rows {_row_labels(data, bad)}). Fix: use the month of the first "
                        "treated period, e.g. dates.dt.to_period('M').dt.to_timestamp() "
                        "(or the following month if a part-month should count as untreated)."
                    )

            def to_label(number: float) -> object:
                n = int(number)
                return pd.Timestamp(year=n // 12, month=n % 12 + 1, day=1)

            return numbers.astype(np.int64), first, "month", to_label
        unique = np.sort(values.unique())
        steps = np.diff(unique)
        if len(unique) < 2 or not (steps == steps[0]).all():
            raise EstimationError(
                f"{estimator}: '{time}' holds dates that are neither month starts nor equally "
                "spaced, so periods cannot be counted. Fix: use month-start dates or an integer "
                "period number."
            )
        origin, step = unique[0], steps[0]
        numbers = ((values.to_numpy() - origin) / step).astype(np.int64)
        first = None
        if ft_dates is not None:
            raw = (ft_dates.to_numpy() - origin) / step
            first = np.where(ft_dates.isna().to_numpy(), np.nan, raw.astype(float))
            bad = np.isfinite(first) & (first != np.round(first))
            if bad.any():
                raise EstimationError(
                    f"{estimator}: '{first_treated}' has dates off the '{time}' grid "
                    f"(rows {_row_labels(data, bad)}). Fix: use one of the period dates."
                )

        def to_label(number: float) -> object:
            return pd.Timestamp(origin + int(number) * step)

        return numbers, first, "period", to_label
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        raw = values.to_numpy(dtype=float)
        if (raw != np.round(raw)).any():
            raise EstimationError(
                f"{estimator}: '{time}' must hold whole-number periods (e.g. years or a month "
                "index) or month-start dates."
            )
        first = None
        if ft is not None:
            if not (pd.api.types.is_numeric_dtype(ft) or ft.isna().all()):
                raise EstimationError(
                    f"{estimator}: '{first_treated}' must hold period numbers like '{time}' "
                    f"(NaN for never treated), but has dtype {ft.dtype}."
                )
            first = ft.to_numpy(dtype=float, na_value=np.nan)
            first = np.where(np.isinf(first), np.nan, first)
            bad = np.isfinite(first) & (first != np.round(first))
            if bad.any():
                raise EstimationError(
                    f"{estimator}: '{first_treated}' has non-whole periods (rows "
                    f"{_row_labels(data, bad)})."
                )
            zero = first == 0
            if zero.any() and raw.min() > 0:
                raise EstimationError(
                    f"{estimator}: '{first_treated}' is 0 in {int(zero.sum())} row(s) (rows "
                    f"{_row_labels(data, zero)}), a period before the data start. If 0 means "
                    "never treated (the convention of R's did package), use NaN instead."
                )
        is_int = pd.api.types.is_integer_dtype(values)

        def to_label(number: float) -> object:
            return int(number) if is_int else float(number)

        return raw.astype(np.int64), first, "period", to_label
    raise EstimationError(
        f"{estimator}: '{time}' must hold month-start dates or whole-number periods, but has "
        f"dtype {values.dtype}. Fix: convert it, e.g. pd.to_datetime(data['{time}'])."
    )


def unit_constant(
    data: pd.DataFrame, unit_codes: np.ndarray, values: np.ndarray, column: str, *, estimator: str
) -> None:
    """Raise EstimationError if ``values`` (NaN allowed) varies within a unit."""
    filled = np.nan_to_num(values, nan=-np.inf)
    reference = np.empty(int(unit_codes.max()) + 1)
    reference[unit_codes[::-1]] = filled[::-1]  # the unit's first row wins
    varies = filled != reference[unit_codes]
    if varies.any():
        raise EstimationError(
            f"{estimator}: '{column}' must be the same in every row of a unit, but differs "
            f"within some units (rows {_row_labels(data, varies)}). Fix: give each unit its "
            "first treated period (NaN if never treated) on every row."
        )


# --------------------------------------------------------------------------- within transform
def _group_sums(codes: np.ndarray, matrix: np.ndarray, n_levels: int) -> np.ndarray:
    """Column sums of ``matrix`` by group (levels x columns)."""
    if matrix.shape[1] <= 8:
        return np.column_stack(
            [
                np.bincount(codes, weights=matrix[:, j], minlength=n_levels)
                for j in range(matrix.shape[1])
            ]
        )
    indicator = sparse.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(n_levels, len(codes))
    )
    return np.asarray(indicator @ matrix)


class WithinTransformer:
    """Exact two-way within transformation (unit and period effects absorbed).

    Parameters
    ----------
    unit_codes, time_codes : ndarray of int
        Codes ``0..L-1`` of the two factors for every row.
    weights : ndarray, optional
        Positive row weights (weighted least squares); None for equal weights.
    direct_limit : int
        Largest number of levels of the smaller factor for the direct solve.

    Attributes
    ----------
    n_absorbed : int
        Degrees of freedom taken by the effects: levels of both factors less the
        number of connected components of the unit-period graph.
    balanced : bool
        Whether the closed form was used.
    method : str
        ``"closed form"``, ``"direct"`` or ``"alternating projections"``.
    """

    def __init__(
        self,
        unit_codes: np.ndarray,
        time_codes: np.ndarray,
        weights: np.ndarray | None = None,
        *,
        direct_limit: int = DIRECT_LIMIT,
    ) -> None:
        n_units = int(unit_codes.max()) + 1
        n_times = int(time_codes.max()) + 1
        n = len(unit_codes)
        self.n = n
        self.weights = weights
        self.balanced = False
        if weights is None and n == n_units * n_times:
            cells = np.bincount(unit_codes * n_times + time_codes, minlength=n_units * n_times)
            self.balanced = bool((cells == 1).all())
        # The factor with more levels is absorbed by means; the other is solved for.
        if n_units >= n_times:
            self._big, self._n_big, self._small, self._n_small = (
                unit_codes,
                n_units,
                time_codes,
                n_times,
            )
        else:
            self._big, self._n_big, self._small, self._n_small = (
                time_codes,
                n_times,
                unit_codes,
                n_units,
            )
        w = np.ones(n) if weights is None else weights
        self._w = w
        self._w_big = np.bincount(self._big, weights=w, minlength=self._n_big)
        self._w_small = np.bincount(self._small, weights=w, minlength=self._n_small)
        if self.balanced:
            self.method = "closed form"
            self.n_absorbed = n_units + n_times - 1
            return
        if self._n_small <= direct_limit:
            self.method = "direct"
            self._setup_direct()
        else:
            self.method = "alternating projections"
            self.n_absorbed = self._n_big + self._n_small - self._components()

    def _components(self) -> int:
        graph = sparse.coo_matrix(
            (np.ones(self.n), (self._big, self._small)), shape=(self._n_big, self._n_small)
        )
        full = sparse.bmat([[None, graph], [graph.T, None]])
        return int(connected_components(full, directed=False)[0])

    def _setup_direct(self) -> None:
        n_big, n_small = self._n_big, self._n_small
        if n_big * n_small <= _DENSE_CELLS:
            cells = np.bincount(
                self._big * n_small + self._small, weights=self._w, minlength=n_big * n_small
            ).reshape(n_big, n_small)
            # einsum rather than BLAS: a tall-skinny product where multithreaded BLAS
            # thrashes on a shared machine (seconds instead of a tenth of one).
            cross = np.einsum("us,ut->st", cells / self._w_big[:, None], cells)
        else:
            cells = sparse.csr_matrix((self._w, (self._big, self._small)), shape=(n_big, n_small))
            scaled = sparse.diags(1.0 / self._w_big) @ cells
            cross = (cells.T @ scaled).toarray()
        system = np.diag(self._w_small) - cross
        system = (system + system.T) / 2
        values, vectors = np.linalg.eigh(system)
        tol = max(values.max(), 1.0) * 1e-10 * n_small
        keep = values > tol
        self._pinv = (vectors[:, keep] / values[keep]) @ vectors[:, keep].T
        self.n_absorbed = n_big + int(keep.sum())

    def transform(self, matrix: np.ndarray) -> np.ndarray:
        """Residuals of each column on both sets of effects (weighted if weights given)."""
        x = np.asarray(matrix, dtype=float)
        one_d = x.ndim == 1
        if one_d:
            x = x[:, None]
        if self.balanced:
            out = self._closed_form(x)
        elif self.method == "direct":
            out = self._direct(x)
        else:
            out = self._alternating(x)
        return out[:, 0] if one_d else out

    def _closed_form(self, x: np.ndarray) -> np.ndarray:
        mean_big = _group_sums(self._big, x, self._n_big) / self._w_big[:, None]
        mean_small = _group_sums(self._small, x, self._n_small) / self._w_small[:, None]
        return x - mean_big[self._big] - mean_small[self._small] + x.mean(axis=0)

    def _weighted_sums(self, codes: np.ndarray, x: np.ndarray, n_levels: int) -> np.ndarray:
        wx = x if self.weights is None else x * self._w[:, None]
        return _group_sums(codes, wx, n_levels)

    def _direct(self, x: np.ndarray) -> np.ndarray:
        mean_big = self._weighted_sums(self._big, x, self._n_big) / self._w_big[:, None]
        rhs = self._weighted_sums(self._small, x - mean_big[self._big], self._n_small)
        small_effects = self._pinv @ rhs
        z = x - small_effects[self._small]
        mean_big = self._weighted_sums(self._big, z, self._n_big) / self._w_big[:, None]
        return z - mean_big[self._big]

    def _alternating(self, x: np.ndarray, tol: float = 1e-13, max_iter: int = 20_000) -> np.ndarray:
        z = x.copy()
        scale = np.maximum(np.abs(x).max(axis=0), 1e-300)
        for _ in range(max_iter):
            z -= (self._weighted_sums(self._big, z, self._n_big) / self._w_big[:, None])[self._big]
            step = self._weighted_sums(self._small, z, self._n_small) / self._w_small[:, None]
            z -= step[self._small]
            if (np.abs(step).max(axis=0) / scale).max() < tol:
                break
        else:
            raise EstimationError(
                "Absorbing the unit and period effects did not converge (the panel is very "
                "sparsely connected). Fix: coarsen the time periods or drop units seen once."
            )
        z -= (self._weighted_sums(self._big, z, self._n_big) / self._w_big[:, None])[self._big]
        return z


# --------------------------------------------------------------------------- regression
@dataclass
class AbsorbedFit:
    """Least squares on within-transformed data with clustered and robust covariances."""

    names: list[str]
    coef: np.ndarray
    cov_cluster: np.ndarray | None
    cov_robust: np.ndarray
    n_obs: int
    n_clusters: int
    n_absorbed: int
    df_resid: int
    r2_within: float
    x_star: np.ndarray  # sqrt(w) * within-transformed regressors
    y_star: np.ndarray
    resid_star: np.ndarray
    cluster_codes: np.ndarray | None
    transformer: WithinTransformer
    cluster_correction: float

    def residualise_star(self, matrix: np.ndarray) -> np.ndarray:
        """Apply the within transformation in the weighted (starred) metric."""
        w = self.transformer.weights
        if w is None:
            return self.transformer.transform(matrix)
        root = np.sqrt(w)[:, None] if matrix.ndim == 2 else np.sqrt(w)
        return self.transformer.transform(matrix / root) * root


def fit_absorbed(
    y: np.ndarray,
    regressors: np.ndarray,
    names: Sequence[str],
    transformer: WithinTransformer,
    cluster_codes: np.ndarray | None,
    *,
    estimator: str,
) -> AbsorbedFit:
    """Regress ``y`` on ``regressors`` with unit and period effects absorbed.

    Clustered covariance uses the CR1 small-sample factor ``G/(G-1) * (n-1)/(n-k)``
    (``k`` = number of regressors, absorbed effects not counted: Stata's ``areg``/
    ``xtreg, fe`` convention and linearmodels' ``debiased=True, group_debias=True,
    count_effects=False``). The robust (HC1) covariance counts the absorbed effects:
    ``n/(n-k-a)``, as linearmodels' default for ``cov_type="robust"``.
    """
    n = len(y)
    k = regressors.shape[1]
    w = transformer.weights
    root = np.ones(n) if w is None else np.sqrt(w)
    within = transformer.transform(np.column_stack([y, regressors]))
    y_star = within[:, 0] * root
    x_star = within[:, 1:] * root[:, None]
    # A regressor the effects absorb has (almost) nothing left after the transformation.
    centred = regressors - np.average(regressors, axis=0, weights=w)
    for j, name in enumerate(names):
        total = float(np.sum((centred[:, j] * root) ** 2))
        left = float(np.sum(x_star[:, j] ** 2))
        if total == 0 or left <= 1e-10 * total:
            raise EstimationError(
                f"{estimator}: '{name}' does not vary once unit and period effects are removed "
                "(for a treatment: every unit is treated in the same periods, or no unit is ever "
                "treated, or treatment never changes within a unit), so its effect cannot be "
                "estimated. Fix: check the treatment coding and that there are comparison units."
            )
    gram = x_star.T @ x_star
    scale = np.sqrt(np.diag(gram))
    corr = gram / np.outer(scale, scale)
    eigenvalues = np.linalg.eigvalsh(corr)
    if eigenvalues.min() < 1e-10:
        _, r, perm = qr(x_star / scale, mode="economic", pivoting=True)
        dropped = [names[p] for p, d in zip(perm, np.abs(np.diag(r)), strict=True) if d < 1e-7]
        raise EstimationError(
            f"{estimator}: regressors are collinear once unit and period effects are removed "
            f"({', '.join(dropped) or 'check covariates'}). Fix: drop the redundant covariate(s)."
        )
    bread = np.linalg.inv(gram)
    coef = bread @ (x_star.T @ y_star)
    resid = y_star - x_star @ coef
    a = transformer.n_absorbed
    df_resid = n - k - a
    if df_resid <= 0:
        raise EstimationError(
            f"{estimator}: no residual degrees of freedom ({n} rows, {a} absorbed effects, "
            f"{k} regressors). Fix: use a longer panel or fewer covariates."
        )
    scores = x_star * resid[:, None]
    cov_robust = bread @ (scores.T @ scores) @ bread * (n / df_resid)
    cov_cluster = None
    n_clusters = 0
    correction = float("nan")
    if cluster_codes is not None:
        n_clusters = int(cluster_codes.max()) + 1
        if n_clusters >= 2:
            cluster_scores = _group_sums(cluster_codes, scores, n_clusters)
            correction = n_clusters / (n_clusters - 1) * (n - 1) / (n - k)
            cov_cluster = bread @ (cluster_scores.T @ cluster_scores) @ bread * correction
    total = float(y_star @ y_star)
    r2 = 1 - float(resid @ resid) / total if total > 0 else float("nan")
    return AbsorbedFit(
        names=list(names),
        coef=coef,
        cov_cluster=cov_cluster,
        cov_robust=cov_robust,
        n_obs=n,
        n_clusters=n_clusters,
        n_absorbed=a,
        df_resid=df_resid,
        r2_within=r2,
        x_star=x_star,
        y_star=y_star,
        resid_star=resid,
        cluster_codes=cluster_codes,
        transformer=transformer,
        cluster_correction=correction,
    )


# --------------------------------------------------------------------------- cluster rules
#: Fewer clusters than this: clustered (CR1) inference is refused.
MIN_CLUSTERS_ANALYTIC = 10
#: Fewer clusters than this: clustered inference carries a warning.
WARN_CLUSTERS_ANALYTIC = 30
#: Fewer clusters than this: even the wild cluster bootstrap is refused.
MIN_CLUSTERS_WILD = 4
#: Fewer treated clusters than this: a warning for every clustered inference.
WARN_TREATED_CLUSTERS = 3


def check_cluster_count(
    n_clusters: int, *, inference: str, estimator: str, cluster: str, wild_available: bool = True
) -> list[str]:
    """Enforce the cluster-count thresholds; return warnings for borderline counts."""
    warnings: list[str] = []
    if n_clusters < 2:
        raise EstimationError(
            f"{estimator}: only {n_clusters} cluster in '{cluster}'. Standard errors that allow "
            "for correlation within clusters need several independent clusters; with one there "
            "is no information about the uncertainty. Fix: cluster on a finer unit "
            "(e.g. the panel unit), or collect data on more clusters."
        )
    if inference == "cluster":
        if n_clusters < MIN_CLUSTERS_ANALYTIC:
            alternative = (
                " Fix: use inference='wild' (wild cluster bootstrap), designed for few clusters."
                if wild_available
                else " Fix: use did(..., inference='wild') for the pooled effect, or more clusters."
            )
            raise EstimationError(
                f"{estimator}: only {n_clusters} clusters in '{cluster}'; cluster-robust standard "
                f"errors are unreliable (too small, over-rejecting) with fewer than "
                f"{MIN_CLUSTERS_ANALYTIC}.{alternative}"
            )
        if n_clusters < WARN_CLUSTERS_ANALYTIC:
            warnings.append(
                f"Only {n_clusters} clusters: cluster-robust standard errors can be too small "
                f"with fewer than about {WARN_CLUSTERS_ANALYTIC}; "
                + ("compare with inference='wild'." if wild_available else "interpret with care.")
            )
    if inference == "wild" and n_clusters < MIN_CLUSTERS_WILD:
        raise EstimationError(
            f"{estimator}: only {n_clusters} clusters in '{cluster}'; even the wild cluster "
            f"bootstrap cannot give a usable interval with fewer than {MIN_CLUSTERS_WILD}. "
            "Fix: collect data on more clusters, or report the estimate descriptively."
        )
    return warnings
