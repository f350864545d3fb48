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

from .errors import AnalysisError, ConfigError, DataValidationError, EstimationError, Problem
from .results import Estimate

__version__ = "0.1.0"

#: Programme slugs, in the order reports list them.
PROGRAMMES = ("op_focus", "perpetrator_programmes", "lsavi")

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
