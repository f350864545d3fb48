"""Data contract for victim services (ISVAs, domestic abuse advisers, counselling; IDVAs).

Three extracts, linked by the victim's pseudonym (the same keyed hash on load):

- ``cases``: the providers' case records, one row per case (a victim may have several);
- ``offences``: police-recorded domestic abuse and sexual offences with an identified
  victim, one row per crime, with the risk assessment and the outcome code;
- ``incidents``: later domestic abuse incidents recorded by the police against the same
  victims (crimes and non-crimes), one row per incident, for repeat victimisation.

The data dictionary in ``data/README.md`` is rendered from this file
(``python -m analysis.data.dictionary``).
"""

from __future__ import annotations

from ..codes import AGE_BANDS, AREAS, OUTCOME_CODES
from ..schema import Column, Contract, TableSpec

#: Value recorded where a provider did not record a characteristic: kept as its own group.
NOT_RECORDED = "not recorded"

SERVICES = ("IDVA", "ISVA", "counselling", "course")
REFERRAL_SOURCES = ("police", "MARAC", "self", "health", "children's services", "other")
RISK_LEVELS = ("standard", "medium", "high")
SEXES = ("female", "male", NOT_RECORDED)
ETHNICITIES = ("White", "Asian", "Black", "Mixed", "Other", NOT_RECORDED)
EXIT_REASONS = ("completed", "disengaged", "moved away", "declined support")
OFFENCE_TYPES = ("domestic_abuse", "sexual_offence")


def _exit_measure(name: str, meaning: str) -> Column:
    return Column(
        name,
        "bool",
        f"At exit: {meaning}. Blank when not asked (people who disengage, open cases).",
        nullable=True,
        example="true",
    )


CASES = TableSpec(
    name="cases",
    description="One row per case opened by a victim service (IDVA, ISVA, counselling, course).",
    key=("case_id",),
    columns=(
        Column(
            "case_id",
            "id",
            "Provider's case reference.",
            unique=True,
            identifier=True,
            example="VS004512",
        ),
        Column(
            "victim_id",
            "id",
            "Victim reference, the same one the police extract uses.",
            identifier=True,
            example="VP018220",
        ),
        Column(
            "service",
            "category",
            "Service the case was opened in.",
            allowed=SERVICES,
            example="IDVA",
        ),
        Column(
            "referral_date",
            "date",
            "Date the referral was received.",
            not_after_extract=True,
            example="2025-05-02",
        ),
        Column(
            "referral_source",
            "category",
            "Who referred.",
            allowed=REFERRAL_SOURCES,
            example="police",
        ),
        Column(
            "area",
            "category",
            "Policing area of the victim's address.",
            allowed=(*AREAS, NOT_RECORDED),
            example="Poole",
        ),
        Column(
            "age_band",
            "category",
            "Victim's age band at referral.",
            allowed=(*AGE_BANDS, NOT_RECORDED),
            example="25-34",
        ),
        Column(
            "sex",
            "category",
            "Victim's sex as recorded by the provider.",
            allowed=SEXES,
            example="female",
        ),
        Column(
            "ethnicity",
            "category",
            "Victim's ethnic group (ONS 5 groups).",
            allowed=ETHNICITIES,
            example="White",
        ),
        Column(
            "dash_risk",
            "category",
            "DASH risk level at intake.",
            allowed=(*RISK_LEVELS, NOT_RECORDED),
            example="high",
        ),
        Column(
            "marac_referral", "bool", "Whether the case was referred to MARAC.", example="false"
        ),
        Column(
            "first_contact_date",
            "date",
            "Date of the first contact with the victim; blank when never reached.",
            nullable=True,
            not_after_extract=True,
            not_before="referral_date",
            example="2025-05-05",
        ),
        Column("contacts", "int", "Contacts with the victim during the case.", min=0, example="7"),
        Column(
            "exit_date",
            "date",
            "Date the case closed; blank while open.",
            nullable=True,
            not_after_extract=True,
            not_before="referral_date",
            example="2025-08-21",
        ),
        Column(
            "exit_reason",
            "category",
            "Why the case closed; blank while open.",
            allowed=EXIT_REASONS,
            nullable=True,
            example="completed",
        ),
        _exit_measure("abuse_ceased", "the abuse had stopped (SafeLives Insights)"),
        _exit_measure("risk_reduced", "the risk level had fallen since intake"),
        _exit_measure(
            "cope_recover", "better able to cope and recover (Ministry of Justice outcome measure)"
        ),
        _exit_measure("satisfied", "satisfied with the service"),
    ),
)

OFFENCES = TableSpec(
    name="offences",
    description="One row per police-recorded domestic abuse or sexual offence with an "
    "identified victim.",
    key=("crime_id",),
    columns=(
        Column(
            "crime_id",
            "id",
            "Crime reference.",
            unique=True,
            identifier=True,
            example="CR2025-118204",
        ),
        Column(
            "victim_id",
            "id",
            "Victim reference (linked to cases on load).",
            identifier=True,
            example="VP018220",
        ),
        Column(
            "offence_date",
            "date",
            "Date the offence was recorded.",
            not_after_extract=True,
            example="2025-04-28",
        ),
        Column(
            "offence_type",
            "category",
            "Domestic abuse or sexual offence.",
            allowed=OFFENCE_TYPES,
            example="domestic_abuse",
        ),
        Column(
            "dash_risk",
            "category",
            "DASH risk level the police recorded for the victim.",
            allowed=(*RISK_LEVELS, NOT_RECORDED),
            example="medium",
        ),
        Column(
            "prior_incidents",
            "int",
            "Domestic abuse incidents involving the victim in the 12 months before.",
            min=0,
            example="2",
        ),
        Column(
            "age_band",
            "category",
            "Victim's age band.",
            allowed=(*AGE_BANDS, NOT_RECORDED),
            example="25-34",
        ),
        Column(
            "area",
            "category",
            "Policing area.",
            allowed=(*AREAS, NOT_RECORDED),
            example="Bournemouth",
        ),
        Column(
            "outcome_code",
            "int",
            "Home Office outcome type (1 charge/summons; 16 victim does not support; "
            "0 not yet assigned).",
            allowed=tuple(OUTCOME_CODES),
            example="16",
        ),
    ),
)

INCIDENTS = TableSpec(
    name="incidents",
    description="One row per later domestic abuse incident against a victim in the offences "
    "extract (crime or non-crime).",
    key=("incident_id",),
    columns=(
        Column(
            "incident_id",
            "id",
            "Incident reference.",
            unique=True,
            identifier=True,
            example="IN2025-330121",
        ),
        Column("victim_id", "id", "Victim reference.", identifier=True, example="VP018220"),
        Column(
            "incident_date",
            "date",
            "Date of the incident.",
            not_after_extract=True,
            example="2025-09-30",
        ),
    ),
)

CONTRACT = Contract(
    programme="victim_services",
    title="Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service)",
    tables=(CASES, OFFENCES, INCIDENTS),
    notes=(
        "Cases cover every referral to the commissioned services in the window; offences "
        "cover every police-recorded DA or sexual offence with an identified victim, "
        "supported or not, so that supported victims can be compared with victims not yet "
        "supported. Victim references must be the same in both extracts before "
        "pseudonymisation."
    ),
)
