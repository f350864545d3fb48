"""Data contract for the domestic-abuse perpetrator programmes (Drive, Up2U, training).

Four extracts:

- ``people``: every domestic-abuse (DA) perpetrator who came to police notice in the
  evaluation window, whether referred to a programme or not. People never referred
  (``programme`` "none") are the comparison pool. Each person's ``identified_date`` is
  the date of the DA crime that brought them into the cohort; referral, start and end
  dates trace them through a programme.
- ``offences``: every crime recorded against those people from two years before their
  identification to the extract date (DA and non-DA, so that offending before and after
  can be compared and non-DA offending can serve as a negative-control outcome).
- ``programme_costs``: spending per programme component and financial year.
- ``training_scores``: frontline practitioners' knowledge scores before and after the
  perpetrator-awareness training.

Rules that span columns (status consistent with the dates, comparison people carrying
no programme dates or sessions, financial years written ``YYYY/YY``) are checked by
:func:`cross_column_problems`, which the data layer runs through
``CONTRACT.extra["checks"]``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...errors import Problem
from ..codes import AGE_BANDS, AREAS, OFFENCE_GROUPS
from ..schema import Column, Contract, TableSpec
from .op_focus import ethnicity_column, sex_column

#: Spreadsheet row of the first data row (header is row 1).
_FIRST_DATA_ROW = 2
#: How many offending rows a message lists.
_ROWS_SHOWN = 5

#: Programme a person was referred to; "none" marks the comparison pool.
PROGRAMMES: tuple[str, ...] = ("Drive", "Up2U", "none")

#: Where a person stands at the extract date.
#: ``not_referred``: comparison pool; ``referred``: awaiting a start; ``not_started``:
#: referral closed without a start (declined, unsuitable, not contactable);
#: ``ongoing``: started and still engaged; ``completed``; ``dropped_out``: started and left early.
STATUSES: tuple[str, ...] = (
    "not_referred",
    "referred",
    "not_started",
    "ongoing",
    "completed",
    "dropped_out",
)

#: Statuses of people who started a programme.
STARTED_STATUSES: tuple[str, ...] = ("ongoing", "completed", "dropped_out")

#: Domestic Abuse, Stalking and Honour Based Violence (DASH) risk levels.
DASH_LEVELS: tuple[str, ...] = ("standard", "medium", "high")

#: Cost lines in ``programme_costs``.
COST_COMPONENTS: tuple[str, ...] = ("Drive", "Up2U", "training")

#: Roles of the practitioners trained.
PRACTITIONER_ROLES: tuple[str, ...] = (
    "police_officer",
    "police_staff",
    "idva",
    "social_worker",
    "probation",
    "health",
    "housing",
)

PEOPLE = TableSpec(
    name="people",
    description=(
        "One row per DA perpetrator identified in the evaluation window: programme "
        "participants, people referred who never started, and the comparison pool."
    ),
    key=("person_id",),
    columns=(
        Column(
            "person_id",
            "id",
            "Police nominal reference of the perpetrator (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="N0004521",
        ),
        Column(
            "programme",
            "category",
            "Programme the person was referred to; 'none' for people never referred "
            "(the comparison pool).",
            allowed=PROGRAMMES,
            example="Drive",
        ),
        Column(
            "identified_date",
            "date",
            "Date of the DA crime that brought the person into the cohort (eligibility "
            "date); follow-up of comparison people starts here.",
            not_after_extract=True,
            example="2022-07-14",
        ),
        Column(
            "referral_date",
            "date",
            "Date of referral to the programme; blank for people never referred.",
            nullable=True,
            not_after_extract=True,
            not_before="identified_date",
            example="2022-07-28",
        ),
        Column(
            "start_date",
            "date",
            "Date of the first session or case-management contact; blank if not started.",
            nullable=True,
            not_after_extract=True,
            not_before="referral_date",
            example="2022-08-19",
        ),
        Column(
            "end_date",
            "date",
            "Date the person completed or left the programme; blank while ongoing or "
            "when never started.",
            nullable=True,
            not_after_extract=True,
            not_before="start_date",
            example="2023-05-30",
        ),
        Column(
            "status",
            "category",
            "Where the person stands at the extract date: not_referred, referred (awaiting "
            "a start), not_started (referral closed without a start), ongoing, completed, "
            "dropped_out.",
            allowed=STATUSES,
            example="completed",
        ),
        Column(
            "sessions_attended",
            "int",
            "Sessions (Up2U) or case-management contacts (Drive) attended; 0 if none.",
            min=0,
            example="14",
        ),
        Column(
            "dash_risk",
            "category",
            "DASH risk level at identification (standard, medium, high).",
            allowed=DASH_LEVELS,
            example="high",
        ),
        Column(
            "marac_flag",
            "bool",
            "Whether the case was heard at a multi-agency risk assessment conference "
            "(MARAC) before referral.",
            example="true",
        ),
        Column(
            "age_band",
            "category",
            "Age band at identification; blank where not recorded (a matching covariate: "
            "the models carry an age-not-recorded indicator and the report counts the blanks).",
            nullable=True,
            allowed=AGE_BANDS,
            example="25-34",
        ),
        Column(
            "area",
            "category",
            "Policing area of the person's address at identification.",
            allowed=AREAS,
            example="Poole",
        ),
        Column(
            "prior_da_incidents",
            "int",
            "DA incidents (crimes and non-crime incidents) recorded against the person in "
            "the 24 months before identified_date.",
            min=0,
            example="3",
        ),
        sex_column("person"),
        ethnicity_column("person"),
    ),
)

OFFENCES = TableSpec(
    name="offences",
    description=(
        "One row per crime recorded against a person in the people table, from two "
        "years before their identification to the extract date."
    ),
    key=("offence_id",),
    columns=(
        Column(
            "offence_id",
            "id",
            "Crime reference (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="CR20220001234",
        ),
        Column(
            "person_id",
            "id",
            "Perpetrator (suspect) of the crime.",
            identifier=True,
            references=("people", "person_id"),
            example="N0004521",
        ),
        Column(
            "offence_date",
            "date",
            "Date the offence was committed.",
            not_after_extract=True,
            example="2023-01-09",
        ),
        Column(
            "offence_group",
            "category",
            "Home Office offence subgroup.",
            allowed=OFFENCE_GROUPS,
            example="violence_with_injury",
        ),
        Column(
            "da_flag",
            "bool",
            "Whether the crime was flagged as domestic abuse.",
            example="true",
        ),
    ),
)

PROGRAMME_COSTS = TableSpec(
    name="programme_costs",
    description="One row per programme component and financial year: money spent.",
    key=("programme", "financial_year"),
    columns=(
        Column(
            "programme",
            "category",
            "Cost line: Drive, Up2U or training.",
            allowed=COST_COMPONENTS,
            example="Drive",
        ),
        Column(
            "financial_year",
            "str",
            "Financial year, written YYYY/YY (April to March).",
            example="2023/24",
        ),
        Column(
            "cost_gbp",
            "float",
            "Spending in pounds, cash prices of that year.",
            min=0,
            example="170000",
        ),
        Column(
            "notes",
            "str",
            "Funding source and anything else a reader of the costs should know.",
            nullable=True,
            required=False,
            default="",
            example="OPCC continuation funding",
        ),
    ),
)

TRAINING_SCORES = TableSpec(
    name="training_scores",
    description=(
        "One row per frontline practitioner trained: knowledge score on the same "
        "questionnaire before and after the training."
    ),
    key=("practitioner_id",),
    columns=(
        Column(
            "practitioner_id",
            "id",
            "Staff or workforce number of the practitioner (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="S00871",
        ),
        Column(
            "role",
            "category",
            "Practitioner's role.",
            allowed=PRACTITIONER_ROLES,
            example="police_officer",
        ),
        Column(
            "area",
            "category",
            "Area the practitioner works in.",
            allowed=AREAS,
            example="Bournemouth",
        ),
        Column(
            "score_before",
            "float",
            "Knowledge score before the training (0-100).",
            min=0,
            max=100,
            example="52.5",
        ),
        Column(
            "score_after",
            "float",
            "Knowledge score after the training (0-100); blank if the post-training "
            "questionnaire was not returned.",
            nullable=True,
            min=0,
            max=100,
            example="70",
        ),
        Column(
            "training_date",
            "date",
            "Date of the training session.",
            not_after_extract=True,
            example="2023-03-02",
        ),
    ),
)


def _rows(mask: pd.Series | np.ndarray) -> tuple[tuple[int, ...], int]:
    """Spreadsheet row numbers of the first offending rows, and how many there are."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    return tuple(int(p) + _FIRST_DATA_ROW for p in positions[:_ROWS_SHOWN]), int(positions.size)


def _financial_year_ok(text: object) -> bool:
    """Whether a value is a financial year written YYYY/YY with consecutive years."""
    match = re.fullmatch(r"(\d{4})/(\d{2})", str(text).strip())
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def cross_column_problems(
    tables: dict[str, pd.DataFrame], sources: dict[str, str] | None = None
) -> list[Problem]:
    """Check the perpetrator-programme rules that span columns.

    Run after the column-by-column checks, on typed tables:

    - people never referred (``programme`` "none") have status ``not_referred``, no
      referral, start or end date and no sessions; people referred have a referral
      date and any status but ``not_referred``;
    - a start date is present exactly for the statuses of people who started
      (``ongoing``, ``completed``, ``dropped_out``), and an end date exactly for
      ``completed`` and ``dropped_out``;
    - financial years are written ``YYYY/YY`` (e.g. 2024/25).

    Parameters
    ----------
    tables : dict of str to DataFrame
        Typed tables (a missing table or column is skipped: the column checks
        report it).
    sources : dict of str to str, optional
        Where each table came from, for the messages.

    Returns
    -------
    list of Problem
        Empty when the rules hold.

    Examples
    --------
    >>> people = pd.DataFrame({"programme": ["none", "Drive"],
    ...     "status": ["not_referred", "completed"],
    ...     "referral_date": pd.to_datetime([None, "2023-01-05"]),
    ...     "start_date": pd.to_datetime([None, "2023-02-01"]),
    ...     "end_date": pd.to_datetime([None, None]), "sessions_attended": [0, 9]})
    >>> [(p.column, p.rows) for p in cross_column_problems({"people": people})]
    [('end_date', (3,))]
    """
    sources = sources or {}
    problems: list[Problem] = []

    def add(table: str, column: str, mask: pd.Series, message: str, fix: str) -> None:
        rows, count = _rows(mask)
        if count:
            problems.append(
                Problem(
                    table, sources.get(table, table), column, f"{count} {message}", rows, fix, count
                )
            )

    people = tables.get("people")
    needed = {"programme", "status", "referral_date", "start_date", "end_date"}
    if people is not None and needed <= set(people.columns):
        none = people["programme"].astype("str").eq("none").to_numpy()
        status = people["status"].astype("str")
        started = status.isin(STARTED_STATUSES).to_numpy()
        ended = status.isin(("completed", "dropped_out")).to_numpy()
        not_referred = status.eq("not_referred").to_numpy()
        has = {c: people[c].notna().to_numpy() for c in ("referral_date", "start_date", "end_date")}
        add(
            "people",
            "status",
            none & ~not_referred,
            "people in the comparison pool (programme 'none') with a programme status",
            "set status to not_referred for people never referred, or name their programme",
        )
        add(
            "people",
            "status",
            ~none & not_referred,
            "people referred to a programme with status not_referred",
            "give the status they reached (referred, not_started, ongoing, completed, "
            "dropped_out), or set programme to none",
        )
        add(
            "people",
            "referral_date",
            none & (has["referral_date"] | has["start_date"] | has["end_date"]),
            "people in the comparison pool (programme 'none') with programme dates",
            "blank the referral, start and end dates of people never referred, or name "
            "their programme",
        )
        add(
            "people",
            "referral_date",
            ~none & ~has["referral_date"],
            "people referred to a programme without a referral_date",
            "give the date of referral",
        )
        add(
            "people",
            "start_date",
            started & ~has["start_date"],
            "people with status ongoing, completed or dropped_out but no start_date",
            "give the date of the first session or contact",
        )
        add(
            "people",
            "start_date",
            ~started & has["start_date"],
            "people with a start_date whose status says they never started",
            "set status to ongoing, completed or dropped_out, or blank the start_date",
        )
        add(
            "people",
            "end_date",
            ended & ~has["end_date"],
            "people who completed or dropped out without an end_date",
            "give the date they completed or left",
        )
        add(
            "people",
            "end_date",
            ~ended & has["end_date"],
            "people with an end_date whose status is not completed or dropped_out",
            "set status to completed or dropped_out, or blank the end_date",
        )
        if "sessions_attended" in people.columns:
            sessions = pd.to_numeric(people["sessions_attended"], errors="coerce").fillna(0)
            add(
                "people",
                "sessions_attended",
                none & (sessions.to_numpy() > 0),
                "people in the comparison pool (programme 'none') with sessions attended",
                "set sessions_attended to 0 for people never referred",
            )
    costs = tables.get("programme_costs")
    if costs is not None and "financial_year" in costs.columns:
        bad = ~costs["financial_year"].map(_financial_year_ok).to_numpy(dtype=bool)
        add(
            "programme_costs",
            "financial_year",
            bad,
            "financial years not written YYYY/YY",
            "write each financial year as its first calendar year and the next year's last "
            "two digits, e.g. 2024/25",
        )
    return problems


CONTRACT = Contract(
    programme="perpetrator_programmes",
    title="Domestic-abuse perpetrator programmes (Drive, Up2U and practitioner training)",
    tables=(PEOPLE, OFFENCES, PROGRAMME_COSTS, TRAINING_SCORES),
    notes=(
        "People: every DA perpetrator identified in the window, referred or not (those never "
        "referred form the comparison pool). Offences: every crime against those people from "
        "two years before their identified_date to the extract date, DA and non-DA. Costs: "
        "every financial year the programmes were funded, including years before the "
        "continuation funding. Training scores: one row per practitioner trained."
    ),
    extra={"checks": (cross_column_problems,)},
)
