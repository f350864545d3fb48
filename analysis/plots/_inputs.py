"""Checks on what the figure functions are given, with errors that say how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..results import Estimate


def require_estimate(result: Any, plot: str, producer: str) -> Estimate:
    """Check that ``result`` is an Estimate (from ``producer``)."""
    if not isinstance(result, Estimate):
        raise ConfigError(
            f"{plot} needs the result of {producer} (an analysis.results.Estimate), "
            f"got {type(result).__name__}"
        )
    return result


def require_columns(frame: Any, columns: Sequence[str], what: str, fix: str) -> pd.DataFrame:
    """Check that ``frame`` is a non-empty DataFrame holding ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}. {fix}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{what} lacks column(s) {missing} (has {list(frame.columns)}). {fix}")
    if frame.empty:
        raise ConfigError(f"{what} has no rows, so there is nothing to plot. {fix}")
    return frame


def require_detail(
    result: Estimate, key: str, columns: Sequence[str], plot: str, producer: str
) -> pd.DataFrame:
    """The DataFrame ``result.details[key]``, checked for ``columns``."""
    fix = f"Pass the result of {producer}, which stores details['{key}']."
    if key not in result.details:
        raise ConfigError(
            f"{plot} needs details['{key}'], which this estimate ({result.method!r}) does not "
            f"have. {fix}"
        )
    return require_columns(result.details[key], columns, f"details['{key}']", fix)


def require_finite(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Refuse missing or infinite values where a figure cannot do without them."""
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            rows = ", ".join(str(r) for r in np.flatnonzero(bad)[:5])
            raise ConfigError(
                f"{what}: column '{column}' has {int(bad.sum())} missing or infinite value(s) "
                f"(rows {rows}); a figure cannot show them. Drop those rows or fix the estimate."
            )
