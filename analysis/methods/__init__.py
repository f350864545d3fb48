"""Estimators, one family per module, each returning :class:`analysis.results.Estimate`.

- ``did``: two-way fixed-effects difference-in-differences (absorbed effects, clustered,
  robust or wild-cluster-bootstrap inference).
- ``event_study``: dynamic effects around treatment with a joint pre-trend test.
- ``staggered``: group-time effects robust to staggered adoption (``staggered_did``).
- ``its``: interrupted time series (segmented GLM with seasonality).
- ``propensity``: propensity scores, inverse probability weighting, matching, balance.
- ``survival``: Kaplan-Meier, log-rank and Cox regression.
- ``rdd``: local polynomial regression discontinuity.
- ``rates``: proportions, differences and ratios of proportions and rates.
- ``power``: minimum detectable effects.

Names are imported lazily so that importing one estimator does not pay for all.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "did": "did",
    "event_study": "event_study",
    "staggered_did": "staggered",
    "its": "its",
    "minimum_detectable_effect": "power",
    "propensity_score": "propensity",
    "ipw": "propensity",
    "match": "propensity",
    "balance": "propensity",
    "kaplan_meier": "survival",
    "cox": "survival",
    "rdd": "rdd",
    "proportion": "rates",
    "compare_proportions": "rates",
    "rate_ratio": "rates",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
