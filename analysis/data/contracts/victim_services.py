"""Data contract for Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service).

One extract: the people (or places) the programme reached and a comparison group, one row
each, with whether they took part and whether the outcome followed within the follow-up
window. Replace the columns with the programme's real extract; the data dictionary in
``data/README.md`` is rendered from this file (``python -m analysis.data.dictionary``).
"""

from __future__ import annotations

from ..codes import AREAS
from ..schema import Column, Contract, TableSpec

PARTICIPANTS = TableSpec(
    name="participants",
    description="One row per person referred or eligible, taking part or not.",
    key=("person_id",),
    columns=(
        Column(
            "person_id",
            "id",
            "Reference of the person (pseudonymised on load).",
            unique=True,
            identifier=True,
            example="PN000123",
        ),
        Column(
            "referral_date",
            "date",
            "Date the person was referred or became eligible.",
            not_after_extract=True,
            example="2025-06-14",
        ),
        Column("area", "category", "Policing area.", allowed=AREAS, example="Poole"),
        Column("took_part", "bool", "Whether the person took part.", example="true"),
        Column(
            "outcome",
            "bool",
            "Whether the outcome the programme aims to prevent followed within the "
            "follow-up window.",
            example="false",
        ),
    ),
)

CONTRACT = Contract(
    programme="victim_services",
    title="Victim services (ISVAs, domestic abuse advisers, counselling; pan-Dorset IDVA service)",
    tables=(PARTICIPANTS,),
    notes="Every person referred or eligible in the window, taking part or not.",
)
