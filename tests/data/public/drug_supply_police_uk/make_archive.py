"""Write ``archive.zip``: a small police.uk monthly archive for the drug_supply tests.

Four forces (Dorset and three comparison forces), January 2023 to December 2024, in the
published street-level layout (``YYYY-MM/YYYY-MM-<force>-street.csv`` inside the zip, the
twelve published columns). Counts are invented, a handful of rows per force, month and crime
type; they only have to be read, counted and fitted. Run from the repository root:
``python tests/data/public/drug_supply_police_uk/make_archive.py``.
"""

import csv
import hashlib
import io
import zipfile
from pathlib import Path

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
FORCES = {
    "dorset": ("Dorset Police", 1.0, "E0101", "Bournemouth"),
    "hampshire": ("Hampshire Constabulary", 2.5, "E0102", "Southampton"),
    "wiltshire": ("Wiltshire Police", 0.9, "E0103", "Swindon"),
    "devon-and-cornwall": ("Devon & Cornwall Police", 2.0, "E0104", "Plymouth"),
}
TYPES = {
    "Violence and sexual offences": 12,
    "Burglary": 4,
    "Shoplifting": 5,
    "Drugs": 3,
    "Possession of weapons": 2,
    "Criminal damage and arson": 5,
    "Anti-social behaviour": 4,
}


def rows_for(force: str, month: str, index: int) -> list[list[str]]:
    name, size, lsoa_stem, place = FORCES[force]
    rows = []
    for type_number, (crime_type, base) in enumerate(TYPES.items()):
        # A gentle seasonal swing and a small deterministic wobble, no randomness needed.
        count = round(base * size * (1 + 0.15 * ((index + type_number) % 4 - 1.5) / 1.5))
        for k in range(max(count, 1)):
            key = f"{force}{month}{crime_type}{k}".encode()
            asb = crime_type == "Anti-social behaviour"
            rows.append(
                [
                    "" if asb else hashlib.sha256(key).hexdigest(),
                    month,
                    name,
                    name,
                    "-1.90",
                    "50.72",
                    "On or near High Street",
                    f"{lsoa_stem}{k % 5:04d}",
                    f"{place} 00{k % 5}A",
                    crime_type,
                    "" if asb else "Investigation complete; no suspect identified",
                    "",
                ]
            )
    return rows


def main() -> None:
    target = Path(__file__).with_name("archive.zip")
    months = [f"{year}-{m:02d}" for year in (2023, 2024) for m in range(1, 13)]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, month in enumerate(months):
            for force in FORCES:
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerow(HEADER)
                writer.writerows(rows_for(force, month, index))
                archive.writestr(f"{month}/{month}-{force}-street.csv", buffer.getvalue())


if __name__ == "__main__":
    main()
