"""Evaluation toolkit for the Dorset Police and Crime Commissioner's pilot programmes.

The package holds every computation; the programme notebooks in ``notebooks/``
only set parameters, call these functions and explain the results.

- ``analysis.data``: contracts, loaders, validation, pseudonymisation.
- ``analysis.synthetic``: synthetic extracts with planted effects.
- ``analysis.methods``: estimators returning :class:`analysis.results.Estimate`.
- ``analysis.evidence``: SMS levels, findings, value for money, disclosure control.
- ``analysis.plots``: figures in the house style.
- ``analysis.programmes``: one package per programme, and their registry.
- ``analysis.reporting``: HTML reports and the scorecard.
- ``analysis.batch``: ``python -m analysis run``, the notebooks run fast in a batch.

This module is the package's front door for notebooks and users; modules
inside the package import each name from its own module instead.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import AnalysisError, ConfigError, DataValidationError, EstimationError, Problem

if TYPE_CHECKING:
    from .results import Estimate, compare

__all__ = [
    "PROGRAMMES",
    "AnalysisError",
    "ConfigError",
    "DataValidationError",
    "Estimate",
    "EstimationError",
    "Problem",
    "__version__",
    "compare",
]


def __getattr__(name: str) -> Any:
    # PROGRAMMES: the slugs of analysis.programmes.REGISTRY, in the order reports list them.
    # Both names are found on first use; Estimate needs pandas, so the command line starts in
    # a tenth of a second and the batch host it starts begins importing sooner.
    if name == "PROGRAMMES":
        from .programmes import REGISTRY

        return tuple(REGISTRY)
    if name in ("Estimate", "compare"):
        from . import results

        return getattr(results, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
