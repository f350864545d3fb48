"""Police coding frames the contracts share: Home Office outcome types and offence groups.

Outcome types follow the Home Office Counting Rules (section H). Offence
groups are the Home Office subgroups for which harm weights (Cambridge Crime
Harm Index) and unit costs (Home Office, Economic and social costs of crime)
are published; ``data/reference/`` holds those weights with their sources, and
a test checks that the reference tables cover every group listed here.
"""

from __future__ import annotations

#: Home Office outcome type -> short meaning. 0 is "not yet assigned" (pending).
OUTCOME_CODES: dict[int, str] = {
    0: "not yet assigned (pending)",
    1: "charged or summonsed",
    2: "caution (youth)",
    3: "caution (adult)",
    4: "taken into consideration",
    5: "offender died",
    6: "penalty notice for disorder",
    7: "cannabis or khat warning",
    8: "community resolution",
    9: "not in public interest (CPS)",
    10: "not in public interest (police)",
    11: "prosecution prevented: suspect under age",
    12: "prosecution prevented: suspect too ill",
    13: "prosecution prevented: victim or key witness dead or too ill",
    14: "evidential difficulties: suspect not identified; victim does not support",
    15: "evidential difficulties: suspect identified; victim supports",
    16: "evidential difficulties: suspect identified; victim does not support",
    17: "prosecution time limit expired",
    18: "investigation complete, no suspect identified",
    19: "NFIB fraud case",
    20: "responsibility transferred to another body",
    21: "further investigation not in the public interest",
    22: "diversionary, educational or intervention activity",
}

PENDING_OUTCOME = 0
CHARGE_OUTCOME = 1
VICTIM_WITHDRAWAL_OUTCOME = 16

#: Home Office offence subgroups used across the contracts (snake case).
OFFENCE_GROUPS: tuple[str, ...] = (
    "homicide",
    "rape",
    "other_sexual_offences",
    "violence_with_injury",
    "violence_without_injury",
    "stalking_and_harassment",
    "robbery",
    "residential_burglary",
    "arson",
    "criminal_damage",
    "public_order",
    "possession_of_weapons",
    "drug_trafficking",
    "drug_possession",
    "shoplifting",
    "theft_of_vehicle",
    "theft_from_vehicle",
)

#: Dorset policing areas used for geography (coarse enough for disclosure control).
AREAS: tuple[str, ...] = (
    "Bournemouth",
    "Christchurch",
    "Poole",
    "East Dorset",
    "North Dorset",
    "Purbeck",
    "West Dorset",
    "Weymouth and Portland",
)

AGE_BANDS: tuple[str, ...] = ("16-17", "18-24", "25-34", "35-44", "45-54", "55+")


def is_finalised(code: int) -> bool:
    """Whether an outcome code is a final outcome (anything but 0, pending).

    Examples
    --------
    >>> is_finalised(0), is_finalised(16)
    (False, True)
    """
    return int(code) != PENDING_OUTCOME
