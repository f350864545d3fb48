"""Input preparation shared by the unit-level estimators.

Covariates arrive either as a list of column names or as a formula right-hand
side (``"age + I(age**2) + educ"``). Both become a float design matrix aligned
to the data's index. Missing values and unknown columns are reported with the
column and the rows concerned before any arithmetic, because a silently dropped
row changes the estimand.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from analysis.errors import ConfigError, DataValidationError, EstimationError, Problem

#: How many offending rows an error message lists before saying "and N more".
_ROWS_SHOWN = 5


def z_value(conf_level: float) -> float:
    """Two-sided standard normal critical value for ``conf_level``.

    Examples
    --------
    >>> round(z_value(0.95), 4)
    1.96
    """
    if not 0 < conf_level < 1:
        raise ConfigError(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}.")
    return NormalDist().inv_cdf(0.5 + conf_level / 2)


def covariate_columns(data: pd.DataFrame, covariates: str | Sequence[str]) -> list[str]:
    """Data columns a covariate specification refers to.

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [20.0], "educ": [3]})
    >>> covariate_columns(frame, "age + I(age**2) + educ")
    ['age', 'educ']
    >>> covariate_columns(frame, ["educ"])
    ['educ']
    """
    if isinstance(covariates, str):
        import formulaic

        try:
            required = formulaic.Formula(covariates).required_variables
        except Exception as exc:  # formulaic raises several parser error types
            raise ConfigError(f"Cannot parse the covariate formula {covariates!r}: {exc}") from exc
        return [column for column in data.columns if column in required] + sorted(
            name for name in required if name not in data.columns
        )
    if not isinstance(covariates, Sequence) or not all(isinstance(c, str) for c in covariates):
        raise ConfigError(
            "covariates must be a list of column names or a formula right-hand side such as "
            f"'age + I(age**2) + educ', got {covariates!r}."
        )
    return list(covariates)


def require_columns(data: pd.DataFrame, columns: Sequence[str], *, caller: str) -> None:
    """Raise a clear error when columns are absent or hold missing values.

    Parameters
    ----------
    data : pandas.DataFrame
        Input table.
    columns : sequence of str
        Columns the estimator will read.
    caller : str
        Name of the public function, used in messages.

    Raises
    ------
    ConfigError
        A named column is not in ``data``.
    DataValidationError
        Some named columns hold missing values; one problem per column, naming
        the rows (spreadsheet numbering) and index labels.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, None, 3.0]})
    >>> require_columns(frame, ["x"], caller="demo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.errors.DataValidationError: 1 problem(s) in the input data: ...
    """
    if not isinstance(data, pd.DataFrame):
        raise ConfigError(f"{caller}: data must be a pandas DataFrame, got {type(data).__name__}.")
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        shown = ", ".join(map(repr, list(data.columns)[:20]))
        raise ConfigError(
            f"{caller}: column(s) {', '.join(map(repr, missing))} not found in the data "
            f"(columns present: {shown})."
        )
    if len(data) == 0:
        raise EstimationError(f"{caller}: the data has no rows.")
    problems = []
    for column in dict.fromkeys(columns):
        null = data[column].isna().to_numpy()
        if null.any():
            positions = np.flatnonzero(null)
            labels = ", ".join(map(str, data.index[positions[:_ROWS_SHOWN]]))
            problems.append(
                Problem(
                    table="data",
                    source=f"data passed to {caller}",
                    column=column,
                    message=f"{positions.size} missing value(s) (index labels {labels})",
                    rows=tuple(int(p) + 2 for p in positions[:_ROWS_SHOWN]),
                    fix="drop or impute these rows before estimating, and say so in the report",
                    n_rows=int(positions.size),
                )
            )
    if problems:
        raise DataValidationError(problems=problems)


def binary_indicator(data: pd.DataFrame, column: str, *, caller: str) -> np.ndarray:
    """A 0/1 (or boolean) column as a boolean array, with a clear error otherwise.

    Examples
    --------
    >>> binary_indicator(pd.DataFrame({"t": [0, 1, 1]}), "t", caller="demo")
    array([False,  True,  True])
    """
    values = data[column]
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values):
        array = values.to_numpy(dtype=float)
        bad = ~np.isin(array, (0.0, 1.0))
        if not bad.any():
            return array == 1.0
    else:
        bad = np.ones(len(values), dtype=bool)
    positions = np.flatnonzero(bad)
    raise DataValidationError(
        problems=[
            Problem(
                table="data",
                source=f"data passed to {caller}",
                column=column,
                message=(
                    "must be 0/1 or True/False; found "
                    f"{', '.join(map(repr, pd.unique(values.iloc[positions[:_ROWS_SHOWN]])))}"
                ),
                rows=tuple(int(p) + 2 for p in positions[:_ROWS_SHOWN]),
                fix="recode the column to 1 for treated/event and 0 otherwise",
                n_rows=int(positions.size),
            )
        ]
    )


def design_matrix(
    data: pd.DataFrame, covariates: str | Sequence[str], *, full_rank: bool = True
) -> pd.DataFrame:
    """Float design matrix (no intercept column) for a covariate specification.

    Parameters
    ----------
    data : pandas.DataFrame
        Input table; covariates must already be checked for missing values.
    covariates : str or sequence of str
        Column names, or a formula right-hand side understood by ``formulaic``
        (``"age + I(age**2) + C(area)"``).
    full_rank : bool, default True
        Text columns become indicator columns; with ``full_rank`` the first
        level (in sorted order) is left out as the reference, as a model with an
        intercept needs. Balance tables want every level, so pass False.

    Returns
    -------
    pandas.DataFrame
        One float column per model term, index aligned to ``data``.

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [20.0, 30.0], "area": ["east", "west"]})
    >>> design_matrix(frame, ["age", "area"]).columns.tolist()
    ['age', 'area[T.west]']
    >>> design_matrix(frame, "age + I(age**2)").columns.tolist()
    ['age', 'I(age ** 2)']
    """
    if isinstance(covariates, str):
        import formulaic

        try:
            matrix = formulaic.model_matrix(
                covariates, data, ensure_full_rank=full_rank, na_action="ignore"
            )
        except Exception as exc:  # formulaic raises several evaluation error types
            raise ConfigError(
                f"Cannot evaluate the covariate formula {covariates!r}: {exc}"
            ) from exc
        frame = pd.DataFrame(matrix, index=data.index).drop(columns="Intercept", errors="ignore")
        return frame.astype(float)

    columns: dict[str, np.ndarray] = {}
    for name in covariate_columns(data, covariates):
        values = data[name]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            columns[name] = values.to_numpy(dtype=float)
            continue
        levels = sorted(pd.unique(values).tolist(), key=str)
        kept = levels[1:] if full_rank else levels
        prefix = "T." if full_rank else ""
        for level in kept:
            columns[f"{name}[{prefix}{level}]"] = (values == level).to_numpy(dtype=float)
    return pd.DataFrame(columns, index=data.index)


def check_design(design: pd.DataFrame, *, caller: str) -> None:
    """Reject constant or non-finite design columns with a message naming them."""
    values = design.to_numpy()
    not_finite = ~np.isfinite(values).all(axis=0)
    if not_finite.any():
        names = ", ".join(map(repr, design.columns[not_finite]))
        raise EstimationError(
            f"{caller}: covariate term(s) {names} produce infinite or missing values "
            "(for example a log of zero); transform the column before estimating."
        )
    constant = np.ptp(values, axis=0) == 0 if len(values) else np.zeros(values.shape[1], bool)
    if constant.any():
        names = ", ".join(map(repr, design.columns[constant]))
        raise EstimationError(
            f"{caller}: covariate term(s) {names} take a single value in the rows used, so "
            "their effect cannot be estimated; drop them from the covariates."
        )
