"""Data contract for lSaVI, the licensing Security and Vulnerability Initiative.

Three extracts: the licensed premises in the force area (with the date each
signed up to the self-assessment tool, blank if it never did), the
self-assessments the participating premises completed (one row per assessment
and domain), and the incidents recorded at or near licensed premises (one row
per incident; incidents in the street near a premises carry no premises
identifier but do carry their area).

Rules that span tables or rows (a self-assessment is not dated before its
premises signed up; the domain rows of one assessment agree on premises and
date) are checked by :func:`cross_table_problems`, which the data layer runs
through ``CONTRACT.extra["checks"]``.
"""

from __future__ import annotations

import pandas as pd

from ...errors import Problem
from ..codes import AREAS
from ..schema import Column, Contract, TableSpec

#: Spreadsheet row of the first data row (header is row 1).
_FIRST_DATA_ROW = 2
#: How many offending rows a message lists.
_ROWS_SHOWN = 5

#: Kinds of licensed premises the licensing team records.
PREMISES_TYPES: tuple[str, ...] = (
    "pub",
    "bar",
    "nightclub",
    "restaurant",
    "off_licence",
    "hotel",
    "late_night_takeaway",
)

#: Licensed capacity bands (people), as on the premises licence.
CAPACITY_BANDS: tuple[str, ...] = ("under_50", "50_149", "150_499", "500_plus")

#: Domains of the self-assessment tool.
ASSESSMENT_DOMAINS: tuple[str, ...] = (
    "staff_safety",
    "vulnerability",
    "drugs",
    "door_security",
    "cctv",
)

#: Incident categories recorded against licensed premises.
INCIDENT_CATEGORIES: tuple[str, ...] = (
    "violence_with_injury",
    "violence_without_injury",
    "sexual_offence",
    "vulnerability",
    "disorder",
    "drugs",
    "theft",
)

#: Categories the initiative aims to reduce (the primary outcome).
VIOLENCE_VULNERABILITY: tuple[str, ...] = (
    "violence_with_injury",
    "violence_without_injury",
    "sexual_offence",
    "vulnerability",
)

#: Categories counted as night-time-economy violence in the area time series.
NTE_VIOLENCE: tuple[str, ...] = ("violence_with_injury", "violence_without_injury")

PREMISES = TableSpec(
    name="premises",
    description="One row per licensed premises in the force area during the evaluation window.",
    key=("premises_id",),
    columns=(
        Column(
            "premises_id",
            "id",
            "Licensing reference of the premises (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="P000123",
        ),
        Column(
            "premises_type",
            "category",
            "Kind of premises.",
            allowed=PREMISES_TYPES,
            example="pub",
        ),
        Column(
            "area", "category", "Policing area of the premises.", allowed=AREAS, example="Poole"
        ),
        Column(
            "capacity_band",
            "category",
            "Licensed capacity band (people).",
            allowed=CAPACITY_BANDS,
            example="50_149",
        ),
        Column(
            "late_licence",
            "bool",
            "Whether the premises may sell alcohol after midnight.",
            example="false",
        ),
        Column(
            "signup_date",
            "date",
            "Date the premises signed up to the lSaVI tool; blank if it never signed up.",
            nullable=True,
            not_after_extract=True,
            example="2025-06-14",
        ),
    ),
)

SELF_ASSESSMENTS = TableSpec(
    name="self_assessments",
    description=(
        "One row per self-assessment and domain: each assessment scores the premises "
        "on several domains (door security only where the premises employs door staff)."
    ),
    key=("assessment_id", "domain"),
    columns=(
        Column(
            "assessment_id",
            "id",
            "Reference of the completed assessment (shared by its domain rows).",
            example="SA004567",
        ),
        Column(
            "premises_id",
            "id",
            "Premises that completed the assessment.",
            identifier=True,
            references=("premises", "premises_id"),
            example="P000123",
        ),
        Column(
            "assessment_date",
            "date",
            "Date the assessment was submitted (not before the premises signed up).",
            not_after_extract=True,
            example="2025-06-14",
        ),
        Column(
            "domain",
            "category",
            "Domain of the tool the score is for.",
            allowed=ASSESSMENT_DOMAINS,
            example="staff_safety",
        ),
        Column(
            "score",
            "float",
            "Domain score, 0 (no measures in place) to 100 (all measures in place).",
            min=0,
            max=100,
            example="64",
        ),
    ),
)

INCIDENTS = TableSpec(
    name="incidents",
    description=(
        "One row per police-recorded incident at or near a licensed premises. Incidents "
        "in the street nearby carry the area but no premises."
    ),
    key=("incident_id",),
    columns=(
        Column(
            "incident_id",
            "id",
            "Incident or crime reference (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="INC0012345",
        ),
        Column(
            "premises_id",
            "id",
            "Premises the incident is linked to; blank for street incidents not linked to one.",
            nullable=True,
            identifier=True,
            references=("premises", "premises_id"),
            example="P000123",
        ),
        Column(
            "area",
            "category",
            "Policing area where it happened.",
            allowed=AREAS,
            example="Bournemouth",
        ),
        Column(
            "incident_date",
            "date",
            "Date the incident happened.",
            not_after_extract=True,
            example="2025-12-20",
        ),
        Column(
            "category",
            "category",
            "What happened (violence, sexual offence, vulnerability, disorder, drugs, theft).",
            allowed=INCIDENT_CATEGORIES,
            example="violence_with_injury",
        ),
        Column(
            "night_time_economy",
            "bool",
            "Whether the incident was flagged as night-time economy (evening or night, in or "
            "near licensed premises).",
            example="true",
        ),
    ),
)


def _rows(mask: pd.Series) -> tuple[tuple[int, ...], int]:
    """Spreadsheet row numbers of the first offending rows, and how many there are."""
    positions = mask.to_numpy(dtype=bool).nonzero()[0]
    return tuple(int(p) + _FIRST_DATA_ROW for p in positions[:_ROWS_SHOWN]), len(positions)


def cross_table_problems(
    tables: dict[str, pd.DataFrame], sources: dict[str, str] | None = None
) -> list[Problem]:
    """Check the lSaVI rules that span tables or rows.

    Run after the column-by-column checks, on typed tables. A self-assessment
    must not be dated before its premises signed up (nor exist for a premises
    with no sign-up date), and the domain rows sharing an ``assessment_id`` must
    name the same premises and date.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The typed ``premises`` and ``self_assessments`` tables (a missing table
        or column is skipped: the column checks report it).
    sources : dict of str to str, optional
        Where each table came from (file or database table), for the messages.

    Returns
    -------
    list of Problem
        Empty when the rules hold.

    Examples
    --------
    >>> premises = pd.DataFrame({"premises_id": ["P1", "P2"],
    ...                          "signup_date": pd.to_datetime(["2025-05-01", None])})
    >>> assessments = pd.DataFrame({
    ...     "assessment_id": ["A1", "A2", "A3"], "premises_id": ["P1", "P1", "P2"],
    ...     "assessment_date": pd.to_datetime(["2025-04-20", "2025-05-01", "2025-06-01"]),
    ...     "domain": ["cctv"] * 3, "score": [50.0, 60.0, 70.0]})
    >>> [(p.rows, p.n_rows) for p in cross_table_problems(
    ...     {"premises": premises, "self_assessments": assessments})]
    [((2,), 1), ((4,), 1)]
    """
    sources = sources or {}
    source = sources.get("self_assessments", "self_assessments")
    problems: list[Problem] = []
    premises = tables.get("premises")
    assessments = tables.get("self_assessments")
    if assessments is None:
        return problems
    if (
        premises is not None
        and {"premises_id", "signup_date"} <= set(premises.columns)
        and {
            "premises_id",
            "assessment_date",
        }
        <= set(assessments.columns)
    ):
        signup = assessments["premises_id"].map(
            premises.drop_duplicates("premises_id").set_index("premises_id")["signup_date"]
        )
        known = assessments["premises_id"].isin(premises["premises_id"])
        for mask, message, fix in (
            (
                known & signup.notna() & (assessments["assessment_date"] < signup),
                "self-assessments dated before their premises' signup_date",
                "check the assessment_date, or correct the premises' signup_date in premises",
            ),
            (
                known & signup.isna(),
                "self-assessments for premises with no signup_date",
                "give those premises their signup_date in premises (the date of their first "
                "self-assessment if nothing else is known)",
            ),
        ):
            rows, count = _rows(mask)
            if count:
                problems.append(
                    Problem(
                        "self_assessments",
                        source,
                        "assessment_date",
                        f"{count} {message}",
                        rows,
                        fix,
                        count,
                    )
                )
    for column in ("premises_id", "assessment_date"):
        if not {"assessment_id", column} <= set(assessments.columns):
            continue
        distinct = assessments.groupby("assessment_id", sort=False)[column].transform("nunique")
        rows, count = _rows(distinct > 1)
        if count:
            problems.append(
                Problem(
                    "self_assessments",
                    source,
                    column,
                    f"{count} rows whose assessment_id has more than one {column}",
                    rows,
                    f"give every domain row of one assessment the same {column}, or "
                    "separate assessments with their own assessment_id",
                    count,
                )
            )
    return problems


CONTRACT = Contract(
    programme="lsavi",
    title="lSaVI (licensing Security and Vulnerability Initiative)",
    tables=(PREMISES, SELF_ASSESSMENTS, INCIDENTS),
    notes=(
        "Premises: every licensed premises open during the evaluation window, participating "
        "or not (the non-participants are the comparison group). Incidents: every incident "
        "in the window, from at least two years before the pilot began, so that pre-trends "
        "can be checked. Self-assessments are dated on or after the premises' sign-up date."
    ),
    extra={"checks": (cross_table_problems,)},
)
