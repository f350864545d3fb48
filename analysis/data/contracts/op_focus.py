"""Data contract for Operation Focus: VAWG suspects and the crimes they are suspected of.

Operation Focus identifies the perpetrators who cause most harm to women and girls
by a Recency-Frequency-Gravity harm score computed at an identification run; those
whose score reaches the selection threshold are adopted into Focus, and when they
are arrested the investigation is enhanced. The extract has two tables:

- ``suspects``: one row per suspect scored at the identification run, with the
  score, whether and when they were adopted into Focus, and when they left it;
- ``crimes``: one row per crime with that suspect recorded as the suspect, from
  the start of the history window to the extract date (VAWG and other crimes, so
  that harm-weighted reoffending can be measured), with the arrest and the
  Home Office outcome.

Two rules span columns and are checked by :func:`cross_column_problems` (run by
the data layer through ``CONTRACT.extra["checks"]``): a Focus perpetrator must
have a Focus date (and only Focus perpetrators may), and a crime's outcome date
is blank exactly when its outcome is 0 (pending).
"""

from __future__ import annotations

import pandas as pd

from ...errors import Problem
from ..codes import AGE_BANDS, AREAS, OFFENCE_GROUPS, OUTCOME_CODES
from ..schema import Column, Contract, TableSpec

#: Spreadsheet row of the first data row (header is row 1).
_FIRST_DATA_ROW = 2
#: How many offending rows a problem lists.
_ROWS_SHOWN = 5

#: Recorded where a characteristic was not stated: analysed as its own group, as is a blank.
NOT_STATED = "not stated"
#: Sex as recorded by the police.
SEXES = ("male", "female", NOT_STATED)
#: Police self-defined ethnicity in the five groups of Home Office statistics, and not stated.
ETHNICITIES = ("Asian", "Black", "Mixed", "White", "Other", NOT_STATED)


def sex_column(who: str) -> Column:
    """The optional ``sex`` column of a table of people (``who`` names them)."""
    return Column(
        "sex",
        "category",
        f"Sex of the {who} as recorded by the police; blank or 'not stated' where not "
        "recorded (kept as its own group). Optional: without it no breakdown by sex is "
        "possible and the report says so.",
        nullable=True,
        required=False,
        default=None,
        allowed=SEXES,
        example="male",
    )


def ethnicity_column(who: str) -> Column:
    """The optional ``ethnicity`` column of a table of people (``who`` names them)."""
    return Column(
        "ethnicity",
        "category",
        f"Self-defined ethnicity of the {who} in the five groups of Home Office police "
        "statistics (Asian, Black, Mixed, White, Other); blank or 'not stated' where not "
        "recorded (kept as its own group). Optional: without it no breakdown by ethnicity "
        "is possible and the report says so.",
        nullable=True,
        required=False,
        default=None,
        allowed=ETHNICITIES,
        example="White",
    )


SUSPECTS = TableSpec(
    name="suspects",
    description=(
        "One row per suspect scored at the Focus identification run: the harm score at "
        "identification, adoption into Focus and the suspect's age band, area, sex and ethnicity."
    ),
    key=("suspect_id",),
    columns=(
        Column(
            "suspect_id",
            "id",
            "Suspect identifier (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="S000123",
        ),
        Column(
            "harm_score",
            "float",
            "Recency-Frequency-Gravity harm score at the identification run (0 or more); "
            "suspects at or above the selection threshold are selected into Focus.",
            min=0.0,
            example="142.7",
        ),
        Column(
            "focus_flag",
            "bool",
            "Whether the suspect was adopted into Operation Focus.",
            example="True",
        ),
        Column(
            "focus_date",
            "date",
            "Date the suspect was adopted into Focus (required when focus_flag is true, "
            "blank otherwise).",
            nullable=True,
            not_after_extract=True,
            example="2026-04-01",
        ),
        Column(
            "focus_end_date",
            "date",
            "Date the suspect left the Focus cohort (moved away, long custodial sentence, "
            "deselected); blank while still managed. Optional: when missing, every Focus "
            "perpetrator is taken to be managed up to the extract date.",
            nullable=True,
            required=False,
            default=None,
            not_after_extract=True,
            not_before="focus_date",
            example="2026-08-14",
        ),
        Column(
            "age_band",
            "category",
            "Age band of the suspect at identification; blank where not recorded (analysed "
            "as its own group, 'not recorded').",
            nullable=True,
            allowed=AGE_BANDS,
            example="25-34",
        ),
        Column(
            "area",
            "category",
            "Dorset policing area of the suspect's home address.",
            allowed=AREAS,
            example="Bournemouth",
        ),
        sex_column("suspect"),
        ethnicity_column("suspect"),
    ),
)

CRIMES = TableSpec(
    name="crimes",
    description=(
        "One row per crime with a scored suspect recorded as the suspect: offence, flags, "
        "dates, arrest and the Home Office outcome."
    ),
    key=("crime_id",),
    columns=(
        Column(
            "crime_id",
            "id",
            "Crime reference (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="C0004567",
        ),
        Column(
            "suspect_id",
            "id",
            "Suspect recorded for the crime; must appear in suspects.",
            identifier=True,
            references=("suspects", "suspect_id"),
            example="S000123",
        ),
        Column(
            "victim_id",
            "id",
            "Victim identifier (pseudonymised on load); blank for crimes without a personal "
            "victim (drug offences, possession of weapons, shoplifting).",
            nullable=True,
            identifier=True,
            example="V0012301",
        ),
        Column(
            "offence_group",
            "category",
            "Home Office offence subgroup (snake case).",
            allowed=OFFENCE_GROUPS,
            example="violence_with_injury",
        ),
        Column(
            "vawg_flag",
            "bool",
            "Violence against women and girls flag.",
            example="True",
        ),
        Column(
            "da_flag",
            "bool",
            "Domestic-abuse flag.",
            example="True",
        ),
        Column(
            "offence_date",
            "date",
            "Date the offence was committed (or started).",
            not_after_extract=True,
            example="2025-11-02",
        ),
        Column(
            "recorded_date",
            "date",
            "Date the crime was recorded; not before the offence date.",
            not_after_extract=True,
            not_before="offence_date",
            example="2025-11-03",
        ),
        Column(
            "arrest_date",
            "date",
            "Date the suspect was arrested for this crime; blank when not arrested.",
            nullable=True,
            not_after_extract=True,
            not_before="offence_date",
            example="2025-11-03",
        ),
        Column(
            "outcome_code",
            "int",
            "Home Office outcome type (0 = not yet assigned, i.e. pending; 1 = charged or "
            "summonsed; 16 = evidential difficulties, victim does not support).",
            allowed=tuple(OUTCOME_CODES),
            min=0,
            max=22,
            example="1",
        ),
        Column(
            "outcome_date",
            "date",
            "Date the outcome was assigned; blank exactly when the outcome is 0 (pending); "
            "not before the recorded date.",
            nullable=True,
            not_after_extract=True,
            not_before="recorded_date",
            example="2026-02-17",
        ),
    ),
)


def _rows(mask: pd.Series) -> tuple[tuple[int, ...], int]:
    """Spreadsheet row numbers of the first offending rows, and how many there are."""
    positions = [i for i, bad in enumerate(mask.to_numpy(dtype=bool)) if bad]
    return tuple(p + _FIRST_DATA_ROW for p in positions[:_ROWS_SHOWN]), len(positions)


def cross_column_problems(
    tables: dict[str, pd.DataFrame], sources: dict[str, str] | None = None
) -> list[Problem]:
    """Check the Operation Focus rules that span two columns.

    Run after the column-by-column checks, on typed tables: a Focus perpetrator
    needs a Focus date and a non-Focus suspect must not have one; a crime's
    outcome date must be blank exactly when its outcome is pending (code 0).

    Parameters
    ----------
    tables : dict of str to DataFrame
        The typed ``suspects`` and ``crimes`` tables (a missing table is skipped:
        the column checks report it).
    sources : dict of str to str, optional
        Where each table came from (file or database table), for the messages.

    Returns
    -------
    list of Problem
        Empty when the rules hold.

    Examples
    --------
    >>> suspects = pd.DataFrame({"focus_flag": [True, False],
    ...                          "focus_date": pd.to_datetime([None, None])})
    >>> [p.rows for p in cross_column_problems({"suspects": suspects})]
    [(2,)]
    """
    sources = sources or {}
    problems: list[Problem] = []
    suspects = tables.get("suspects")
    if suspects is not None and {"focus_flag", "focus_date"} <= set(suspects.columns):
        flag = suspects["focus_flag"].fillna(False).astype(bool)
        has_date = suspects["focus_date"].notna()
        for mask, message, fix in (
            (
                flag & ~has_date,
                "Focus perpetrators (focus_flag true) without a focus_date",
                "give the date each Focus perpetrator was adopted, or set focus_flag false",
            ),
            (
                ~flag & has_date,
                "suspects not in Focus (focus_flag false) with a focus_date",
                "set focus_flag true for suspects adopted into Focus, or blank the date",
            ),
        ):
            rows, count = _rows(mask)
            if count:
                problems.append(
                    Problem(
                        "suspects",
                        sources.get("suspects", "suspects"),
                        "focus_date",
                        f"{count} {message}",
                        rows,
                        fix,
                        count,
                    )
                )
    crimes = tables.get("crimes")
    if crimes is not None and {"outcome_code", "outcome_date"} <= set(crimes.columns):
        pending = crimes["outcome_code"].fillna(-1).astype("int64").eq(0)
        has_date = crimes["outcome_date"].notna()
        for mask, message, fix in (
            (
                pending & has_date,
                "pending crimes (outcome_code 0) with an outcome_date",
                "blank the outcome_date of pending crimes, or give the final outcome code",
            ),
            (
                ~pending & ~has_date & crimes["outcome_code"].notna(),
                "crimes with a final outcome (code 1-22) but no outcome_date",
                "give the date the outcome was assigned, or set outcome_code 0 if pending",
            ),
        ):
            rows, count = _rows(mask)
            if count:
                problems.append(
                    Problem(
                        "crimes",
                        sources.get("crimes", "crimes"),
                        "outcome_date",
                        f"{count} {message}",
                        rows,
                        fix,
                        count,
                    )
                )
    return problems


CONTRACT = Contract(
    programme="op_focus",
    title="Operation Focus",
    tables=(SUSPECTS, CRIMES),
    notes=(
        "Suspects are those scored at the Focus identification run; crimes are every "
        "crime with one of them recorded as suspect from the start of the history window "
        "(about three years before the pilot) to the extract date. Outcome 0 means the "
        "outcome is still pending at the extract date."
    ),
    extra={"checks": (cross_column_problems,)},
)
