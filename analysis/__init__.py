"""Evaluation toolkit for the Dorset Police and Crime Commissioner's pilot programmes.

The package holds every computation; the programme notebooks in ``notebooks/``
only set parameters, call these functions and explain the results.

- ``analysis.data``: contracts, loaders, validation, pseudonymisation.
- ``analysis.synthetic``: synthetic extracts with planted effects.
- ``analysis.methods``: estimators returning :class:`analysis.results.Estimate`.
- ``analysis.evidence``: SMS levels, findings, value for money, disclosure control.
- ``analysis.plots``: figures in the house style.
- ``analysis.reporting``: HTML reports and the scorecard.
"""

from typing import TYPE_CHECKING, Any

from .errors import AnalysisError, ConfigError, DataValidationError, EstimationError, Problem

if TYPE_CHECKING:
    from .results import Estimate

__version__ = "0.1.0"

__all__ = [
    "PROGRAMMES",
    "AnalysisError",
    "ConfigError",
    "DataValidationError",
    "Estimate",
    "EstimationError",
    "Problem",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # PROGRAMMES: the slugs of analysis.programmes.REGISTRY, in the order reports list them.
    # Both names are found on first use; Estimate needs pandas, so the command line starts in
    # a tenth of a second and the batch host it starts begins importing sooner.
    if name == "PROGRAMMES":
        from .programmes import REGISTRY

        return tuple(REGISTRY)
    if name == "Estimate":
        from .results import Estimate

        return Estimate
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
