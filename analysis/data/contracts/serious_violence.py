"""Data contract for the Serious Violence Duty and the case for a Violence Reduction Unit.

Six tables. Three hold public-style data in the *tidy* layouts of the project's public
readers, so that a force extract, the synthetic data and the published files are
interchangeable:

- ``street_crimes``: recorded crimes by small area (LSOA) and month, the columns of
  :func:`analysis.data.public.read_street` (police.uk street-level files);
- ``recorded_crime``: offences by force and financial quarter, the columns of the Home Office
  "Police recorded crime and outcomes open data tables" in their tidy form (knife or sharp
  instrument offences, violence with injury, homicide);
- ``hospital_admissions``: hospital admissions for assault by local authority and financial
  year, the columns of :func:`analysis.data.public.read_indicators` (the public health
  indicator export).

The others are the programme's own: ``ed_attendances`` (assault attendances at emergency
departments shared under the Cardiff Model; it may hold no rows, and the report then says
the data are not shared), ``comparison_areas`` (forces and local authorities, with whether
each has a funded Violence Reduction Unit, and their populations) and ``lsoas`` (the small
areas and their residents, for rates).
"""

from __future__ import annotations

from ..schema import Column, Contract, TableSpec

#: police.uk crime types the programme reads (the published categories).
VIOLENCE_CRIME_TYPE = "Violence and sexual offences"
WEAPONS_CRIME_TYPE = "Possession of weapons"
STREET_CRIME_TYPES = (VIOLENCE_CRIME_TYPE, WEAPONS_CRIME_TYPE)

#: The offence subgroups of the Home Office tables the programme reads.
KNIFE_SUBGROUP = "Knife or sharp instrument offences"
VIOLENCE_WITH_INJURY_SUBGROUP = "Violence with injury"
HOMICIDE_SUBGROUP = "Homicide"
OFFENCE_SUBGROUPS = (KNIFE_SUBGROUP, VIOLENCE_WITH_INJURY_SUBGROUP, HOMICIDE_SUBGROUP)

#: Indicator numbers of the three admissions measures in the indicator export (set in the
#: programme's parameters when a published export numbers them differently).
SHARP_OBJECT_INDICATOR = 90001
SHARP_OBJECT_UNDER_25_INDICATOR = 90002
ASSAULT_INDICATOR = 90003

#: Area types of ``comparison_areas``.
AREA_TYPES = ("force", "local authority")

STREET_CRIMES = TableSpec(
    name="street_crimes",
    description=(
        "One row per recorded crime of the types read (violence and sexual offences, "
        "possession of weapons), located to a small area: the tidy columns of the police.uk "
        "street-level reader."
    ),
    key=("crime_id",),
    columns=(
        Column(
            "crime_id",
            "id",
            "The crime's reference (police.uk: 64 hexadecimal characters).",
            unique=True,
            identifier=True,
            example="a3f9...e21",
        ),
        Column(
            "month",
            "date",
            "First day of the month the crime was recorded.",
            not_after_extract=True,
            example="2024-01-01",
        ),
        Column(
            "falls_within", "str", "The force area the crime falls in.", example="Dorset Police"
        ),
        Column(
            "lsoa_code",
            "str",
            "ONS code of the LSOA the crime is located in; blank when it could not be located.",
            nullable=True,
            example="E01020406",
        ),
        Column("lsoa_name", "str", "The LSOA's name.", nullable=True, example="Bournemouth 001A"),
        Column(
            "crime_type",
            "category",
            "The police.uk crime category.",
            allowed=STREET_CRIME_TYPES,
            example=VIOLENCE_CRIME_TYPE,
        ),
    ),
)

RECORDED_CRIME = TableSpec(
    name="recorded_crime",
    description=(
        "Offences recorded by force, financial quarter and offence: the tidy columns of the "
        "Home Office police recorded crime open data tables (Dorset and the comparison forces)."
    ),
    key=("force_name", "financial_year", "financial_quarter", "offence_code"),
    columns=(
        Column("financial_year", "str", "Financial year, April to March.", example="2023/24"),
        Column(
            "financial_quarter",
            "int",
            "Quarter of the financial year (1 = April to June).",
            min=1,
            max=4,
            example="4",
        ),
        Column("force_name", "str", "The police force.", example="Dorset"),
        Column("offence_description", "str", "The offence.", example="Assault with injury"),
        Column("offence_group", "str", "The offence group.", example="Violence against the person"),
        Column(
            "offence_subgroup",
            "str",
            "The offence subgroup; the programme reads knife or sharp instrument offences, "
            "violence with injury and homicide.",
            example=VIOLENCE_WITH_INJURY_SUBGROUP,
        ),
        Column("offence_code", "str", "The Home Office offence code.", example="8N"),
        Column("number_of_offences", "int", "Offences recorded.", min=0, example="731"),
    ),
)

HOSPITAL_ADMISSIONS = TableSpec(
    name="hospital_admissions",
    description=(
        "Emergency hospital admissions for assault by local authority and financial year: the "
        "tidy columns of the public health indicator export (one row per indicator, area, age "
        "and period)."
    ),
    key=("indicator_id", "area_code", "age", "time_period"),
    columns=(
        Column(
            "indicator_id",
            "int",
            f"Indicator number: {SHARP_OBJECT_INDICATOR} assault by a sharp object (all ages), "
            f"{SHARP_OBJECT_UNDER_25_INDICATOR} the same under 25, "
            f"{ASSAULT_INDICATOR} any assault.",
            example=str(SHARP_OBJECT_INDICATOR),
        ),
        Column(
            "indicator_name",
            "str",
            "The indicator's name.",
            example="Hospital admissions for assault by a sharp object",
        ),
        Column("area_code", "str", "ONS code of the local authority.", example="E06000059"),
        Column("area_name", "str", "The local authority's name.", example="Dorset"),
        Column("area_type", "str", "The area type.", example="Counties & UAs"),
        Column("sex", "str", "Sex.", example="Persons"),
        Column("age", "str", "Age band.", example="All ages"),
        Column("time_period", "str", "Financial year.", example="2023/24"),
        Column(
            "value",
            "float",
            "Admissions per 100,000 residents; blank where suppressed.",
            nullable=True,
            min=0,
            example="4.6",
        ),
        Column("lower_ci_95", "float", "Lower 95% limit.", nullable=True, example="3.3"),
        Column("upper_ci_95", "float", "Upper 95% limit.", nullable=True, example="6.3"),
        Column(
            "count",
            "float",
            "Admissions; blank where suppressed.",
            nullable=True,
            min=0,
            example="18",
        ),
        Column("denominator", "float", "Residents of the age band.", min=0, example="382000"),
    ),
)

ED_ATTENDANCES = TableSpec(
    name="ed_attendances",
    description=(
        "Assault attendances at Dorset's emergency departments by month and site, shared under "
        "the Cardiff Model; may hold no rows where the data are not shared."
    ),
    key=("month", "site"),
    columns=(
        Column(
            "month",
            "date",
            "First day of the month of attendance.",
            not_after_extract=True,
            example="2024-01-01",
        ),
        Column("site", "str", "The emergency department.", example="Royal Bournemouth"),
        Column("assault_attendances", "int", "Attendances for assault.", min=0, example="58"),
    ),
)

COMPARISON_AREAS = TableSpec(
    name="comparison_areas",
    description=(
        "Dorset and the comparison forces and local authorities, with whether each has a "
        "funded Violence Reduction Unit (VRU areas are left out of the comparison pools)."
    ),
    key=("area_type", "area_name"),
    columns=(
        Column(
            "area_type",
            "category",
            "Force or local authority.",
            allowed=AREA_TYPES,
            example="force",
        ),
        Column(
            "area_code", "str", "ONS code (local authorities) or force name.", example="E06000059"
        ),
        Column("area_name", "str", "Name as the public tables spell it.", example="Dorset"),
        Column("force_name", "str", "The force the area is in.", example="Dorset"),
        Column("has_vru", "bool", "Whether the area has a funded VRU.", example="false"),
        Column("population", "int", "Residents (mid-year estimate).", min=1, example="382000"),
    ),
)

LSOAS = TableSpec(
    name="lsoas",
    description="Dorset's small areas (LSOAs), their local authority and residents.",
    key=("lsoa_code",),
    columns=(
        Column("lsoa_code", "str", "ONS code of the LSOA.", unique=True, example="E01020406"),
        Column("lsoa_name", "str", "The LSOA's name.", example="Bournemouth 001A"),
        Column("local_authority", "str", "The local authority.", example="Dorset"),
        Column("population", "int", "Residents (mid-year estimate).", min=1, example="1650"),
    ),
)

CONTRACT = Contract(
    programme="serious_violence",
    title="Serious Violence Duty and the case for a Violence Reduction Unit",
    tables=(
        STREET_CRIMES,
        RECORDED_CRIME,
        HOSPITAL_ADMISSIONS,
        ED_ATTENDANCES,
        COMPARISON_AREAS,
        LSOAS,
    ),
    notes=(
        "street_crimes, recorded_crime and hospital_admissions have the tidy columns of the "
        "police.uk, Home Office and public health indicator readers; the notebook's "
        "police_uk_source and fingertips_source read published files in their place."
    ),
)
