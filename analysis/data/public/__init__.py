"""Public data analysts already download, read in the layout its publisher uses.

- :mod:`.police_uk`: data.police.uk street-level crimes and outcomes, from a folder of the
  monthly archive, its zip, or single files, filtered by force and month
  (:func:`read_street`, :func:`read_outcomes`).
- :mod:`.panel`: crimes per LSOA, month and crime type over the whole police.uk archive
  (every force, every month), counted by DuckDB without loading the rows into pandas
  (:func:`count_street_crimes`); it equals :func:`read_street` and a ``groupby``.
- :mod:`.home_office`: Home Office police recorded crime and crime outcomes open data
  tables, force by quarter by offence (and outcome) (:func:`read_recorded_crime`,
  :func:`read_crime_outcomes`).
- :mod:`.fingertips`: public health indicator exports (Fingertips): value, confidence
  limits, count and denominator by indicator, area and period (:func:`read_indicators`).

Each reader returns one tidy DataFrame whose columns, dtypes and meanings are listed in its
layout (:data:`~.police_uk.STREET`, :data:`~.police_uk.OUTCOMES`,
:data:`~.fingertips.INDICATORS`: a :class:`~.layout.Layout` of :class:`~.layout.Column`),
and each has a ``validate_*`` twin that returns every problem as a list of
:class:`~analysis.errors.Problem` (file, column, spreadsheet rows, fix) instead of raising
them together as a :class:`~analysis.errors.DataValidationError`. Nothing is downloaded: the
readers take files the user already has.

How programmes will use them: a reader is a drop-in source of an input table. A programme
that compares its area with its force or its neighbours (an area series from police.uk, a
health outcome from Fingertips) will name the public table in its contract; ``load`` will
call the reader for a source written as ``police.uk:<folder or zip>`` or
``fingertips:<file>``, pass the programme's forces and study months as the readers'
filters, and hand the tidy frame to the programme's ``tables.py`` to aggregate, exactly as
it hands over an extract read from a folder today. Op Soteria Bluestone already does so for
the Home Office outcomes table: its ``home_office_outcomes_source`` parameter is read with
:func:`read_crime_outcomes`. The readers already keep to what that needs: no network, no
writing, the project's error types, and only public, non-personal data (police.uk locations
are anonymised map points), so nothing here is pseudonymised.

Examples
--------
>>> from analysis.data.public import read_street
>>> from analysis.paths import PROJ_ROOT
>>> street = read_street(PROJ_ROOT / "tests" / "data" / "public" / "police_uk", forces=["dorset"])
>>> street.groupby("month")["crime_type"].size().to_dict()
{Period('2024-01', 'M'): 6, Period('2024-02', 'M'): 4}
"""

from __future__ import annotations

from .fingertips import INDICATORS, read_indicators, validate_indicators
from .home_office import (
    CRIME_OUTCOMES,
    RECORDED_CRIME,
    calendar_quarter,
    read_crime_outcomes,
    read_recorded_crime,
    validate_crime_outcomes,
    validate_recorded_crime,
)
from .layout import Column, Layout
from .panel import count_street_crimes
from .police_uk import (
    OUTCOMES,
    STREET,
    read_outcomes,
    read_street,
    validate_outcomes,
    validate_street,
)

__all__ = [
    "CRIME_OUTCOMES",
    "INDICATORS",
    "OUTCOMES",
    "RECORDED_CRIME",
    "STREET",
    "Column",
    "Layout",
    "calendar_quarter",
    "count_street_crimes",
    "read_crime_outcomes",
    "read_indicators",
    "read_outcomes",
    "read_recorded_crime",
    "read_street",
    "validate_crime_outcomes",
    "validate_indicators",
    "validate_outcomes",
    "validate_recorded_crime",
    "validate_street",
]
