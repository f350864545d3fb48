"""Reference tables in ``data/reference/``: outcome codes, harm weights, unit costs, deflator.

Each table is a CSV file whose source, edition and price year are named in
``data/reference/README.md`` and, row by row, in its ``source`` and
``check_status`` columns (``check``: quoted from a secondary source, to be
confirmed against the primary source before publication; ``assumption``: no
published figure, a documented choice; ``not available``: no figure at all).
The tables are checked on load against a contract of their own, just as
extracts are.

Money is uprated between financial years with the GDP deflator
(:func:`uprate`), as HM Treasury's Green Book asks; reports say which price
year they use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, DataValidationError
from ..paths import REFERENCE_DIR
from .codes import OFFENCE_GROUPS
from .loaders import read_folder
from .schema import Column, Contract, TableSpec
from .validation import validate_tables

#: Price year reports quote money in (the latest complete financial year when written).
PRICE_YEAR = "2025/26"
#: The unit-cost line for domestic abuse, costed per victim rather than per offence.
DOMESTIC_ABUSE_PER_VICTIM = "domestic_abuse_per_victim"

_CHECK_STATUSES = ("check", "assumption", "not available", "verified")

REFERENCE_CONTRACT = Contract(
    programme="reference",
    title="Reference tables",
    tables=(
        TableSpec(
            "outcome_codes",
            "One row per Home Office outcome type (Counting Rules, section H).",
            key=("code",),
            columns=(
                Column("code", "int", "Outcome type number.", unique=True, min=0, max=22),
                Column("description", "str", "What the outcome means."),
                Column("finalised", "bool", "Whether it is a final outcome (all but 0)."),
                Column("charge", "bool", "Whether it is a charge or summons (1)."),
            ),
        ),
        TableSpec(
            "harm_weights",
            "One row per offence group: Cambridge Crime Harm Index weight.",
            key=("offence_group",),
            columns=(
                Column(
                    "offence_group",
                    "category",
                    "Offence group.",
                    allowed=OFFENCE_GROUPS,
                    unique=True,
                ),
                Column("chi_days", "float", "Harm weight in days of custody.", min=0),
                Column("source", "str", "Where the figure comes from."),
                Column("check_status", "category", "How far to trust it.", allowed=_CHECK_STATUSES),
            ),
        ),
        TableSpec(
            "unit_costs",
            "One row per offence group (plus domestic abuse per victim): unit cost of crime.",
            key=("offence_group",),
            columns=(
                Column(
                    "offence_group",
                    "category",
                    "Offence group, or domestic_abuse_per_victim.",
                    allowed=(*OFFENCE_GROUPS, DOMESTIC_ABUSE_PER_VICTIM),
                    unique=True,
                ),
                Column(
                    "unit_cost_gbp",
                    "float",
                    "Cost in pounds; blank when none is published.",
                    nullable=True,
                    min=0,
                ),
                Column("price_year", "str", "Financial year of the prices (YYYY/YY)."),
                Column("basis", "str", "What the cost is per, and any caveat."),
                Column("source", "str", "Where the figure comes from."),
                Column("check_status", "category", "How far to trust it.", allowed=_CHECK_STATUSES),
            ),
        ),
        TableSpec(
            "soteria_adoption",
            "One row per police force: when it adopted Operation Soteria Bluestone.",
            key=("force",),
            columns=(
                Column("force", "str", "Police force (England and Wales).", unique=True),
                Column(
                    "wave",
                    "category",
                    "Adoption wave.",
                    allowed=("pathfinder", "expansion", "national"),
                ),
                Column("adoption_date", "date", "Date adoption began, to date_precision."),
                Column(
                    "date_precision",
                    "category",
                    "How precise adoption_date is (year or month: the first day is used).",
                    allowed=("year", "month", "day"),
                ),
                Column("source", "str", "Where the date comes from."),
                Column("check_status", "category", "How far to trust it.", allowed=_CHECK_STATUSES),
            ),
        ),
        TableSpec(
            "drug_treatment_returns",
            "One row per published figure on the value of drug treatment (stated assumptions).",
            key=("measure",),
            columns=(
                Column("measure", "str", "What the figure measures.", unique=True),
                Column("value_gbp", "float", "The figure, in pounds.", min=0),
                Column("per", "str", "What the figure is per."),
                Column("price_year", "str", "Financial year of the prices (YYYY/YY)."),
                Column("source", "str", "Where the figure comes from."),
                Column("check_status", "category", "How far to trust it.", allowed=_CHECK_STATUSES),
            ),
        ),
        TableSpec(
            "vru_evaluations",
            "One row per published estimate of the effect of Violence Reduction Units.",
            key=("evaluation", "outcome"),
            columns=(
                Column("evaluation", "str", "The evaluation (its year of operation)."),
                Column("outcome", "str", "The outcome, as the evaluation names it."),
                Column("effect", "float", "Estimated change (negative: a fall)."),
                Column("unit", "str", "What the effect is in (per 100,000 people, ...)."),
                Column("p_value", "float", "Published p-value.", nullable=True, min=0, max=1),
                Column(
                    "se",
                    "float",
                    "Standard error; blank when the source gives no way to recover it.",
                    nullable=True,
                    min=0,
                ),
                Column("se_basis", "str", "How the standard error was obtained."),
                Column("source", "str", "Where the figure comes from (address and section)."),
                Column("check_status", "category", "How far to trust it.", allowed=_CHECK_STATUSES),
            ),
        ),
        TableSpec(
            "gdp_deflator",
            "One row per financial year: GDP deflator at market prices (index).",
            key=("financial_year",),
            columns=(
                Column("financial_year", "str", "Financial year (YYYY/YY).", unique=True),
                Column("index", "float", "Deflator index (2023/24 = 100).", min=0),
                Column("kind", "category", "Outturn or forecast.", allowed=("outturn", "forecast")),
                Column("check_status", "category", "How far to trust it.", allowed=_CHECK_STATUSES),
            ),
        ),
    ),
)


@functools.cache
def _reference_tables() -> dict[str, pd.DataFrame]:
    read = read_folder(REFERENCE_CONTRACT, REFERENCE_DIR)
    frames = {name: table.frame for name, table in read.tables.items()}
    sources = {name: table.source for name, table in read.tables.items()}
    outcome = validate_tables(
        REFERENCE_CONTRACT,
        frames,
        sources=sources,
        missing_reported=read.reported(REFERENCE_CONTRACT),
    )
    problems = read.problems + outcome.problems
    if problems:
        raise DataValidationError(problems, "reference")
    return outcome.tables


def load_reference(name: str) -> pd.DataFrame:
    """A reference table from ``data/reference/``, checked and typed.

    Parameters
    ----------
    name : {"outcome_codes", "harm_weights", "unit_costs", "gdp_deflator", "soteria_adoption", \
            "drug_treatment_returns", "vru_evaluations"}
        The table.

    Returns
    -------
    DataFrame
        A copy (changing it does not change later loads).

    Examples
    --------
    >>> weights = load_reference("harm_weights").set_index("offence_group")
    >>> float(weights.loc["rape", "chi_days"])
    2555.0
    """
    tables = _reference_tables()
    if name not in tables:
        raise ConfigError(f"unknown reference table '{name}'; choose one of: {', '.join(tables)}")
    return tables[name].copy()


def financial_year(year: Any) -> str:
    """A financial year written ``YYYY/YY``.

    Accepts ``"2015/16"``, ``"2015-16"``, ``"2015/2016"`` or the starting
    calendar year as a number (``2015`` is April 2015 to March 2016).

    Examples
    --------
    >>> financial_year(2015), financial_year("2016-17"), financial_year("2019/2020")
    ('2015/16', '2016/17', '2019/20')
    """
    text = str(year).strip()
    if re.fullmatch(r"\d{4}", text):
        start = int(text)
        return f"{start}/{(start + 1) % 100:02d}"
    found = re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", text)
    if found:
        start, end = int(found.group(1)), found.group(2)
        if int(end[-2:]) == (start + 1) % 100:
            return f"{start}/{(start + 1) % 100:02d}"
    raise ConfigError(
        f"{year!r} is not a financial year; write it as YYYY/YY (e.g. 2015/16) or give the "
        "starting year (2015)"
    )


def uprate(value: Any, from_year: Any, to_year: Any = PRICE_YEAR) -> Any:
    """Convert money from one financial year's prices to another's with the GDP deflator.

    Parameters
    ----------
    value : float, array or Series
        Amounts in ``from_year`` prices.
    from_year, to_year : str or int
        Financial years (``"2015/16"`` or ``2015``); ``to_year`` defaults to
        :data:`PRICE_YEAR`.

    Returns
    -------
    float, array or Series
        Amounts in ``to_year`` prices: ``value * index[to_year] / index[from_year]``.

    Raises
    ------
    ConfigError
        For a year outside the deflator table.

    Examples
    --------
    >>> deflator = load_reference("gdp_deflator").set_index("financial_year")["index"]
    >>> float(deflator["2015/16"]), float(deflator["2023/24"])
    (78.0, 100.0)
    >>> uprate(78.0, "2015/16", "2023/24")
    100.0
    >>> uprate(50.0, 2020, 2020)
    50.0
    """
    table = load_reference("gdp_deflator").set_index("financial_year")["index"]
    start, end = financial_year(from_year), financial_year(to_year)
    for year in (start, end):
        if year not in table.index:
            raise ConfigError(
                f"no GDP deflator for {year}; data/reference/gdp_deflator.csv covers "
                f"{table.index[0]} to {table.index[-1]}"
            )
    factor = float(table[end] / table[start])
    if isinstance(value, pd.Series | np.ndarray):
        return value * factor
    return float(value) * factor


def unit_cost(offence_group: str, *, price_year: Any = PRICE_YEAR) -> float:
    """Unit cost of one offence (or of domestic abuse per victim), uprated to a price year.

    Raises
    ------
    ConfigError
        When no unit cost is published for the group (the table says so),
        rather than returning a missing value.

    Examples
    --------
    >>> unit_cost("rape", price_year="2015/16")
    39360.0
    """
    costs = load_reference("unit_costs").set_index("offence_group")
    if offence_group not in costs.index:
        raise ConfigError(f"no unit cost line '{offence_group}'; lines: {', '.join(costs.index)}")
    row = costs.loc[offence_group]
    if pd.isna(row["unit_cost_gbp"]):
        raise ConfigError(
            f"no published unit cost for {offence_group} ({row['source']}); leave it out of "
            "the costing and say so, or add a documented figure to data/reference/unit_costs.csv"
        )
    return float(uprate(float(row["unit_cost_gbp"]), row["price_year"], price_year))


#: Harm weighting schemes :func:`harm_weights` offers.
HARM_SCHEMES = ("crime_harm_index", "equal")


def harm_weights(
    scheme: str = "crime_harm_index", overrides: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Harm weight per offence group: Crime Harm Index days, or 1 for every crime (a count).

    The one loader of harm weights: every programme that weighs crimes by harm
    reads them here, so a change to ``data/reference/harm_weights.csv`` reaches
    every report alike.

    Parameters
    ----------
    scheme : {"crime_harm_index", "equal"}
        ``"crime_harm_index"``: Cambridge Crime Harm Index days from
        ``data/reference/harm_weights.csv``; ``"equal"``: every crime weighs 1.
    overrides : mapping of str to float, optional
        Weights replacing the scheme's for the offence groups named (see
        :func:`analysis.config.parse_number_pairs` for the written form).

    Returns
    -------
    dict of str to float
        Offence group -> weight.

    Examples
    --------
    >>> harm_weights()["rape"], harm_weights("equal")["rape"]
    (2555.0, 1.0)
    >>> harm_weights(overrides={"rape": 1825})["rape"]
    1825.0
    """
    if scheme == "crime_harm_index":
        table = load_reference("harm_weights")
        weights = dict(zip(table["offence_group"], table["chi_days"].astype(float), strict=True))
    elif scheme == "equal":
        weights = dict.fromkeys(OFFENCE_GROUPS, 1.0)
    else:
        raise ConfigError(f"harm_weights must be one of {', '.join(HARM_SCHEMES)}, got {scheme!r}")
    for group, value in (overrides or {}).items():
        if group not in weights:
            raise ConfigError(
                f"harm weight override: unknown offence group '{group}'; groups: "
                f"{', '.join(weights)}"
            )
        if value < 0:
            raise ConfigError(f"harm weight override for '{group}': days cannot be negative")
        weights[group] = float(value)
    return weights
