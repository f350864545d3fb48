"""Data contract for Operation Viper and Operation Scorpion (drug supply).

Four tables:

- ``operations``: the force's operations log, one row per activity (a warrant, a day of
  action, a disruption) of Operation Viper (Dorset's own drug-supply operation) or
  Operation Scorpion (the South West region's surge rounds), with what it produced.
  These are **management information**: self-reported by the teams, and the County Lines
  Programme's definitions of a "line closed" have changed over time.
- ``lsoas``: the force's small areas (LSOAs), the neighbourhood each belongs to and its
  centroid, from which the buffer rings around targeted areas are drawn.
- ``crimes``: the force's dated crime extract (one row per recorded crime, in police.uk
  crime categories): the only source of *weekly* counts, which Scorpion's one-week surges
  need.
- ``street_counts`` and ``force_counts``: recorded crime as police.uk publishes it,
  monthly: Dorset by LSOA, month and crime type (the columns
  :func:`analysis.data.public.count_street_crimes` returns) and the comparison forces by
  force, month and crime type. Both are what the police.uk street-level files give once
  counted, so the programme's ``police_uk_source`` parameter can replace them with the
  published files (:func:`analysis.data.public.read_street`).

police.uk has no "violence with injury" category: "Violence and sexual offences" is the
closest public category (it also holds violence without injury, stalking and harassment
and sexual offences).
"""

from __future__ import annotations

from ..schema import Column, Contract, TableSpec

#: The two operations the log records.
OPERATIONS = ("Viper", "Scorpion")

#: police.uk crime categories (street-level files), in the order police.uk lists them.
POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

#: Acquisitive crime, as police.uk categories.
ACQUISITIVE = (
    "Bicycle theft",
    "Burglary",
    "Other theft",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
)

#: The closest police.uk category to "violence with injury".
VIOLENCE = "Violence and sexual offences"

#: Offences that rise when enforcement finds them: activity, not outcomes.
ACTIVITY_TYPES = ("Drugs", "Possession of weapons")

#: Counts of each activity, the column and what it means.
ACTIVITY_COUNTS = {
    "warrants": "Search warrants executed.",
    "arrests": "People arrested.",
    "charges": "People charged (by the extract date).",
    "cannabis_plants": "Cannabis plants seized.",
    "weapons": "Weapons seized (knives, firearms and others).",
    "firearms": "Firearms seized (also counted in weapons).",
    "lines_closed_holder_charged": (
        "County lines closed with the line holder charged (County Lines Programme type 1)."
    ),
    "lines_closed_phone_deactivated": (
        "County lines closed by deactivating the phone number (type 2)."
    ),
    "safeguarding_referrals": "Safeguarding referrals of children or vulnerable adults.",
    "nrm_referrals": "National Referral Mechanism (modern slavery) referrals.",
}

#: Seizures by weight, the column and what it means.
SEIZURE_WEIGHTS = {
    "cocaine_kg": "Cocaine (including crack) seized, kilograms.",
    "heroin_kg": "Heroin seized, kilograms.",
    "cannabis_kg": "Herbal or resin cannabis seized, kilograms.",
    "other_drugs_kg": "Other controlled drugs seized, kilograms.",
}

OPERATIONS_LOG = TableSpec(
    name="operations",
    description=(
        "One row per Viper or Scorpion activity, with what it produced (management "
        "information: self-reported; definitions of a line closed have changed)."
    ),
    key=("activity_id",),
    columns=(
        Column(
            "activity_id",
            "id",
            "Reference of the activity in the operations log.",
            unique=True,
            example="OPS000123",
        ),
        Column("operation", "category", "Operation.", allowed=OPERATIONS, example="Scorpion"),
        Column(
            "phase",
            "str",
            "Phase or round (Scorpion rounds are regional surge weeks: 'Scorpion 5').",
            example="Scorpion 5",
        ),
        Column(
            "start_date",
            "date",
            "First day of the activity.",
            not_after_extract=True,
            example="2024-03-11",
        ),
        Column(
            "end_date",
            "date",
            "Last day of the activity.",
            not_after_extract=True,
            not_before="start_date",
            example="2024-03-15",
        ),
        Column(
            "lsoa_code",
            "str",
            "LSOA the activity took place in (references lsoas.lsoa_code).",
            references=("lsoas", "lsoa_code"),
            example="E01020401",
        ),
        Column("neighbourhood", "str", "Neighbourhood policing area.", example="Poole 3"),
        *(
            Column(name, "int", meaning, min=0, example="2")
            for name, meaning in ACTIVITY_COUNTS.items()
        ),
        *(
            Column(name, "float", meaning, min=0, example="0.25")
            for name, meaning in SEIZURE_WEIGHTS.items()
        ),
        Column("cash_gbp", "float", "Cash seized, pounds.", min=0, example="4200"),
    ),
)

LSOAS = TableSpec(
    name="lsoas",
    description="One row per LSOA in the force area, with its neighbourhood and centroid.",
    key=("lsoa_code",),
    columns=(
        Column("lsoa_code", "str", "ONS code of the LSOA.", unique=True, example="E01020401"),
        Column("lsoa_name", "str", "ONS name of the LSOA.", example="Poole 012A"),
        Column("neighbourhood", "str", "Neighbourhood policing area.", example="Poole 3"),
        Column(
            "latitude", "float", "Latitude of the centroid.", min=49.0, max=56.0, example="50.72"
        ),
        Column(
            "longitude",
            "float",
            "Longitude of the centroid.",
            min=-6.5,
            max=2.0,
            example="-1.98",
        ),
    ),
)

CRIMES = TableSpec(
    name="crimes",
    description="One row per recorded crime in the force area (the force's dated extract).",
    key=("crime_ref",),
    columns=(
        Column(
            "crime_ref",
            "id",
            "Crime reference.",
            unique=True,
            identifier=True,
            example="CR0001234",
        ),
        Column(
            "recorded_date",
            "date",
            "Date the crime was recorded.",
            not_after_extract=True,
            example="2024-03-12",
        ),
        Column(
            "lsoa_code",
            "str",
            "LSOA of the crime's location.",
            references=("lsoas", "lsoa_code"),
            example="E01020401",
        ),
        Column(
            "crime_type",
            "category",
            "police.uk crime category.",
            allowed=POLICE_UK_CRIME_TYPES,
            example="Burglary",
        ),
    ),
)

STREET_COUNTS = TableSpec(
    name="street_counts",
    description=(
        "Dorset's police.uk street-level crimes counted by LSOA, month and crime type "
        "(the columns of count_street_crimes; cells with no crime are absent)."
    ),
    key=("lsoa_code", "month", "crime_type"),
    columns=(
        Column(
            "lsoa_code",
            "str",
            "LSOA code as police.uk gives it; blank for crimes with no location.",
            nullable=True,
            example="E01020401",
        ),
        Column("month", "date", "First day of the month (police.uk Month).", example="2024-03-01"),
        Column(
            "crime_type",
            "category",
            "police.uk Crime type.",
            allowed=POLICE_UK_CRIME_TYPES,
            example="Drugs",
        ),
        Column("crimes", "int", "Crimes in the cell.", min=0, example="3"),
    ),
)

FORCE_COUNTS = TableSpec(
    name="force_counts",
    description=(
        "Comparison forces' police.uk street-level crimes counted by force, month and "
        "crime type (the donors of the synthetic control and comparison series)."
    ),
    key=("falls_within", "month", "crime_type"),
    columns=(
        Column(
            "falls_within",
            "str",
            "Force, as police.uk's Falls within names it.",
            example="Devon & Cornwall Police",
        ),
        Column("month", "date", "First day of the month (police.uk Month).", example="2024-03-01"),
        Column(
            "crime_type",
            "category",
            "police.uk Crime type.",
            allowed=POLICE_UK_CRIME_TYPES,
            example="Drugs",
        ),
        Column("crimes", "int", "Crimes in the force and month.", min=0, example="1450"),
    ),
)

CONTRACT = Contract(
    programme="drug_supply",
    title="Operation Viper and Operation Scorpion (drug supply)",
    tables=(LSOAS, OPERATIONS_LOG, CRIMES, STREET_COUNTS, FORCE_COUNTS),
    notes=(
        "The operations log is management information (self-reported; County Lines "
        "Programme definitions have changed). Weekly designs need the force's dated crime "
        "extract; police.uk publishes months only. police.uk 'Violence and sexual offences' "
        "stands in for violence with injury, which it contains but is not limited to."
    ),
)
