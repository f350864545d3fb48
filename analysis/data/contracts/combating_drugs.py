"""Data contract for the Combating Drugs Partnership (From Harm to Hope).

Two extracts:

- ``indicators``: the national Combating Drugs Outcomes Framework's published indicators for
  every upper-tier local authority in England (Dorset's two among them), one row per
  indicator, area and period, in the *tidy* layout that
  :func:`analysis.data.public.read_indicators` returns for a Fingertips CSV export (the same
  column names, so an export can replace the table: parameter ``fingertips_source``);
- ``offending``: the force's drug-related offences by local authority, offence group and
  month (management information from the crime recording system).

The indicators the programme reads are named by their Fingertips IDs in
:data:`INDICATOR_IDS`; the synthetic data use the same IDs. Published drug deaths are pooled
over three calendar years (``"2020 - 22"``); the other indicators are by financial year
(``"2022/23"``). The data dictionary in ``data/README.md`` is rendered from this file
(``python -m analysis.data.dictionary``).
"""

from __future__ import annotations

from ..schema import Column, Contract, TableSpec

#: The programme's indicators: key -> Fingertips indicator ID (the synthetic data use them;
#: check them against the export, whose ``Indicator ID`` column names each row's indicator).
INDICATOR_IDS: dict[str, int] = {
    "drug_deaths": 92432,
    "adults_in_treatment": 93780,
    "young_people_in_treatment": 93781,
    "completions": 90245,
    "continuity_of_care": 92546,
    "poisoning_admissions": 93100,
}

#: What each indicator's value, count and denominator are, and how it is compared.
INDICATOR_NAMES: dict[str, str] = {
    "drug_deaths": "Deaths from drug misuse (per 100,000, 3 years pooled)",
    "adults_in_treatment": "Adults in structured drug treatment (per 1,000 aged 18+)",
    "young_people_in_treatment": "Young people in specialist substance misuse treatment "
    "(per 1,000 aged under 18)",
    "completions": "Successful completion of drug treatment (%)",
    "continuity_of_care": "Continuity of care: adults released from prison engaging in "
    "community treatment within 3 weeks (%)",
    "poisoning_admissions": "Hospital admissions for drug poisoning (per 100,000)",
}

#: Offence groups in the force's drug-related offending extract.
OFFENCE_GROUPS = ("drug possession", "drug trafficking", "drug-related acquisitive crime")

#: Local authorities of the Dorset police area (the partnership's area) and their codes.
PARTNERSHIP_AREAS = {
    "E06000058": "Bournemouth, Christchurch and Poole",
    "E06000059": "Dorset",
}

INDICATORS = TableSpec(
    name="indicators",
    description="One row per indicator, area and period, as published (Fingertips export, "
    "tidy column names).",
    key=("indicator_id", "area_code", "sex", "age", "time_period"),
    columns=(
        Column("indicator_id", "int", "Fingertips indicator ID.", min=1, example="93780"),
        Column(
            "indicator_name",
            "str",
            "Indicator name as published.",
            example="Adults in structured drug treatment",
        ),
        Column("area_code", "str", "ONS code of the area.", example="E06000058"),
        Column("area_name", "str", "Area name.", example="Bournemouth, Christchurch and Poole"),
        Column("area_type", "str", "Area type as published.", example="Counties & UAs"),
        Column("sex", "str", "Sex (Persons, Male or Female).", example="Persons"),
        Column("age", "str", "Age band as published.", example="18+ yrs"),
        Column(
            "time_period",
            "str",
            "Period as published: a financial year ('2022/23') or three pooled calendar "
            "years ('2020 - 22').",
            example="2022/23",
        ),
        Column(
            "value",
            "float",
            "The indicator's value; blank when suppressed (reason in value_note).",
            nullable=True,
            example="4.61",
        ),
        Column("lower_ci_95", "float", "Lower 95% limit.", nullable=True, example="4.39"),
        Column("upper_ci_95", "float", "Upper 95% limit.", nullable=True, example="4.85"),
        Column(
            "count",
            "float",
            "Numerator (people, deaths, admissions); blank when suppressed.",
            nullable=True,
            min=0,
            example="1475",
        ),
        Column(
            "denominator",
            "float",
            "Population or people at risk.",
            nullable=True,
            min=0,
            example="320000",
        ),
        Column(
            "value_note",
            "str",
            "Publisher's note on the value (suppression, a change in recording); blank when none.",
            nullable=True,
            required=False,
            example="Recording change from 2023/24",
        ),
    ),
)

OFFENDING = TableSpec(
    name="offending",
    description="One row per local authority, offence group and month: drug-related "
    "offences recorded by the force.",
    key=("month", "area_code", "offence_group"),
    columns=(
        Column(
            "month",
            "date",
            "First day of the month the offences were recorded in.",
            not_after_extract=True,
            example="2023-04-01",
        ),
        Column(
            "area_code",
            "category",
            "Local authority code.",
            allowed=tuple(PARTNERSHIP_AREAS),
            example="E06000058",
        ),
        Column(
            "offence_group",
            "category",
            "Drug possession and trafficking (police activity), or acquisitive crime the "
            "recording officer flagged as drug-related.",
            allowed=OFFENCE_GROUPS,
            example="drug possession",
        ),
        Column("offences", "int", "Offences recorded.", min=0, example="57"),
    ),
)

CONTRACT = Contract(
    programme="combating_drugs",
    title="Combating Drugs Partnership (From Harm to Hope)",
    tables=(INDICATORS, OFFENDING),
    notes=(
        "Indicators cover every upper-tier local authority in England for every period "
        "published, so that Dorset's two authorities can be set against comparable "
        "authorities and the rest of England; an export from the public health profiles "
        "can be given instead (fingertips_source). Offending is the force's own management "
        "information, not official statistics: flags of drug-related crime depend on the "
        "recording officer."
    ),
)
