"""Data contract for Op Soteria Bluestone (rape and serious sexual offence investigation).

Two extracts:

- ``crimes``: the force's rape and serious sexual offence (RASSO) extract, one row per
  crime, with the dates of each stage from offence to outcome. A crime still open at the
  extract date has outcome code 0 (pending) and no outcome date: it is censored, never
  "not charged".
- ``force_outcomes``: outcomes assigned per police force, financial quarter, offence and
  outcome type for the 43 forces of England and Wales, in the tidy layout of the Home
  Office crime outcomes open data table (:data:`analysis.data.public.CRIME_OUTCOMES`).
  Outcomes there are counted in the quarter they are assigned, whatever quarter the crime
  was recorded in: a period rate, not a cohort rate.

The adoption wave and date of each force are a reference table
(``data/reference/soteria_adoption.csv``).
"""

from __future__ import annotations

from ..schema import Column, Contract, TableSpec

#: Offence types in the RASSO extract.
OFFENCES: tuple[str, ...] = ("adult_rape", "child_rape", "other_sso")

#: Victim age bands at the offence (children split as the RASSO guidance splits them).
VICTIM_AGE_BANDS: tuple[str, ...] = (
    "0-12",
    "13-15",
    "16-17",
    "18-24",
    "25-34",
    "35-44",
    "45-54",
    "55+",
)

#: Victim sex as recorded.
VICTIM_SEXES: tuple[str, ...] = ("female", "male", "unknown")

#: Relationship of the suspect to the victim.
RELATIONSHIPS: tuple[str, ...] = (
    "partner_or_ex",
    "family",
    "acquaintance",
    "stranger",
    "unknown",
)

#: Investigating team.
TEAMS: tuple[str, ...] = ("specialist_rasso", "other")

#: Outcome codes a RASSO crime can carry (Home Office outcome types; 0 = pending).
RASSO_OUTCOMES: tuple[int, ...] = (0, 1, 9, 10, 12, 13, 14, 15, 16, 18, 21)

#: The 43 police forces of England and Wales, as the Home Office tables name them.
FORCES: tuple[str, ...] = (
    "Avon and Somerset",
    "Bedfordshire",
    "Cambridgeshire",
    "Cheshire",
    "City of London",
    "Cleveland",
    "Cumbria",
    "Derbyshire",
    "Devon and Cornwall",
    "Dorset",
    "Durham",
    "Dyfed-Powys",
    "Essex",
    "Gloucestershire",
    "Greater Manchester",
    "Gwent",
    "Hampshire",
    "Hertfordshire",
    "Humberside",
    "Kent",
    "Lancashire",
    "Leicestershire",
    "Lincolnshire",
    "Merseyside",
    "Metropolitan Police",
    "Norfolk",
    "North Wales",
    "North Yorkshire",
    "Northamptonshire",
    "Northumbria",
    "Nottinghamshire",
    "South Wales",
    "South Yorkshire",
    "Staffordshire",
    "Suffolk",
    "Surrey",
    "Sussex",
    "Thames Valley",
    "Warwickshire",
    "West Mercia",
    "West Midlands",
    "West Yorkshire",
    "Wiltshire",
)

CRIMES = TableSpec(
    name="crimes",
    description="One row per RASSO crime recorded by the force, followed to its outcome.",
    key=("crime_id",),
    columns=(
        Column(
            "crime_id",
            "id",
            "Crime reference (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="CR0004521",
        ),
        Column(
            "victim_id",
            "id",
            "Victim reference (pseudonymised on load); a victim may appear in several crimes.",
            identifier=True,
            example="VN0003120",
        ),
        Column(
            "suspect_id",
            "id",
            "Suspect reference (pseudonymised on load); blank while no suspect is identified.",
            nullable=True,
            identifier=True,
            example="SN0001877",
        ),
        Column(
            "offence",
            "category",
            "Offence type: adult_rape, child_rape (victim under 16) or other_sso (other "
            "serious sexual offence).",
            allowed=OFFENCES,
            example="adult_rape",
        ),
        Column(
            "offence_date",
            "date",
            "Date the offence was committed (start of the period for non-recent offences).",
            not_after_extract=True,
            example="2023-02-11",
        ),
        Column(
            "report_date",
            "date",
            "Date the offence was reported to the police: the start of follow-up.",
            not_after_extract=True,
            not_before="offence_date",
            example="2023-02-12",
        ),
        Column(
            "recorded_date",
            "date",
            "Date the crime was recorded.",
            not_after_extract=True,
            not_before="report_date",
            example="2023-02-13",
        ),
        Column(
            "suspect_identified_date",
            "date",
            "Date a suspect was first identified; blank if none has been.",
            nullable=True,
            not_after_extract=True,
            not_before="report_date",
            example="2023-02-20",
        ),
        Column(
            "cps_referral_date",
            "date",
            "Date the file was first referred to the Crown Prosecution Service for a "
            "charging decision; blank if never referred.",
            nullable=True,
            not_after_extract=True,
            not_before="report_date",
            example="2023-09-04",
        ),
        Column(
            "charge_date",
            "date",
            "Date of charge or summons; blank if not charged.",
            nullable=True,
            not_after_extract=True,
            not_before="report_date",
            example="2023-11-30",
        ),
        Column(
            "outcome_date",
            "date",
            "Date the outcome was assigned; blank while pending (outcome_code 0).",
            nullable=True,
            not_after_extract=True,
            not_before="report_date",
            example="2023-11-30",
        ),
        Column(
            "outcome_code",
            "int",
            "Home Office outcome type: 1 charge/summons; 14 and 16 victim does not support "
            "(withdrawal); 15 evidential difficulties, victim supports; 18 no suspect "
            "identified; 0 or blank = pending (the analysis reads blank as 0).",
            nullable=True,
            allowed=RASSO_OUTCOMES,
            example="16",
        ),
        Column(
            "victim_age_band",
            "category",
            "Victim's age band at the offence.",
            allowed=VICTIM_AGE_BANDS,
            example="25-34",
        ),
        Column("victim_sex", "category", "Victim's sex.", allowed=VICTIM_SEXES, example="female"),
        Column(
            "domestic_abuse",
            "bool",
            "Whether the crime is flagged as domestic abuse.",
            example="true",
        ),
        Column(
            "relationship",
            "category",
            "Relationship of the suspect to the victim.",
            allowed=RELATIONSHIPS,
            example="partner_or_ex",
        ),
        Column(
            "isva_referral",
            "bool",
            "Whether the victim was referred to an Independent Sexual Violence Adviser.",
            example="true",
        ),
        Column(
            "team",
            "category",
            "Investigating team: specialist_rasso or other.",
            allowed=TEAMS,
            example="specialist_rasso",
        ),
    ),
)

FORCE_OUTCOMES = TableSpec(
    name="force_outcomes",
    description=(
        "One row per police force, financial quarter, offence and outcome type: outcomes "
        "assigned in the quarter, as the Home Office crime outcomes open data table has them "
        "(its tidy layout, analysis.data.public.CRIME_OUTCOMES), at least for adult rape "
        "(offence codes 19C and 19F). The programme's home_office_outcomes_source parameter "
        "reads the published file instead."
    ),
    key=("force_name", "financial_year", "financial_quarter", "offence_code", "outcome_type"),
    columns=(
        Column(
            "financial_year",
            "str",
            "Financial year (YYYY/YY), as the Home Office tables write it.",
            example="2023/24",
        ),
        Column(
            "financial_quarter",
            "int",
            "Quarter of the financial year (1 = April to June).",
            min=1,
            max=4,
            example="2",
        ),
        Column("force_name", "category", "Police force.", allowed=FORCES, example="Dorset"),
        Column(
            "offence_description",
            "str",
            "Home Office offence description.",
            example="Rape of a female aged 16 and over",
        ),
        Column("offence_group", "str", "Home Office offence group.", example="Sexual offences"),
        Column("offence_subgroup", "str", "Home Office offence subgroup.", example="Rape"),
        Column("offence_code", "str", "Home Office offence code.", example="19C"),
        Column("outcome_description", "str", "Home Office outcome.", example="Charged/Summonsed"),
        Column("outcome_group", "str", "Home Office outcome group.", example="Charge/Summons"),
        Column(
            "outcome_type",
            "str",
            "Home Office outcome type (1 charge/summons; 14, 16 victim does not support).",
            example="1",
        ),
        Column(
            "force_outcomes",
            "int",
            "Outcomes of this type assigned in the quarter (to crimes recorded at any time).",
            min=0,
            example="9",
        ),
    ),
)

CONTRACT = Contract(
    programme="soteria",
    title="Op Soteria Bluestone (rape and serious sexual offence investigation)",
    tables=(CRIMES, FORCE_OUTCOMES),
    notes=(
        "Every RASSO crime reported in the window, pending or finalised, and the 43-force "
        "quarterly outcomes table. Outcome codes are often misapplied (an inspection found the "
        "right code in 61 of 86 Dorset cases), so withdrawal and evidential-difficulty "
        "figures are figures of recorded codes."
    ),
)
