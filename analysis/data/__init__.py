"""The data layer: contracts, loading, validation, pseudonymisation, reference tables.

Every table a notebook analyses comes through :func:`load`::

    from analysis.data import load
    data = load("op_focus", source="synthetic", seed=2026)
    data["crimes"]        # validated, typed, pseudonymised

- :func:`load` reads a source (synthetic data, a folder of CSV/Parquet/Excel
  files, a SQLite file or a SQLAlchemy URL), checks it against the
  programme's contract, pseudonymises identifiers and returns a :class:`Dataset`.
- :func:`validate` checks tables already in memory; :func:`validate_source`
  checks a source and lists every problem (``python -m analysis validate``).
- :func:`pseudonymise` replaces identifiers by keyed hashes (key from
  ``ANALYSIS_PSEUDONYM_KEY``).
- :func:`write_synthetic` writes a programme's synthetic extract to
  ``data/synthetic/<programme>/`` (``python -m analysis synth``).
- :func:`load_reference` and :func:`uprate` give the reference tables
  (outcome codes, harm weights, unit costs, GDP deflator).
- :mod:`analysis.data.panels` builds unit-by-month panels, monthly series,
  placebo adoption dates and uptake tables (:func:`unit_month_panel`, ...).
- :mod:`analysis.data.dictionary` renders the data dictionary in ``data/README.md``
  (``python -m analysis.data.dictionary``).
"""

from __future__ import annotations

from .dataset import Dataset, load, validate_source
from .panels import (
    last_complete_month,
    month_start,
    monthly_counts,
    months_between,
    placebo_adoption,
    unit_month_panel,
    uptake_table,
)
from .pseudonymise import find_canaries, plant_canaries, pseudonym_key, pseudonymise
from .reference import PRICE_YEAR, financial_year, load_reference, unit_cost, uprate
from .store import write_synthetic
from .validation import pandera_schema, validate

__all__ = [
    "PRICE_YEAR",
    "Dataset",
    "financial_year",
    "find_canaries",
    "last_complete_month",
    "load",
    "load_reference",
    "month_start",
    "monthly_counts",
    "months_between",
    "pandera_schema",
    "placebo_adoption",
    "plant_canaries",
    "pseudonym_key",
    "pseudonymise",
    "unit_cost",
    "unit_month_panel",
    "uprate",
    "uptake_table",
    "validate",
    "validate_source",
    "write_synthetic",
]
