"""Synthetic extracts on disk: ``data/synthetic/<programme>/``.

:func:`write_synthetic` writes a programme's synthetic tables exactly as an
extract would arrive (raw identifiers, one file per table) plus
``manifest.json``: programme, seed, scale, extract date, the planted truth,
row counts, the SHA-256 of each file and the version of the generator.

``load(programme, source="synthetic")`` reads that folder when its manifest
matches the seed, scale and generator version asked for and its files are
unchanged; otherwise it generates the data in memory (same seed, same
tables), so a stale or hand-edited folder can never pass for the real thing.
Either way the tables go through the same reading and checking as a real
extract.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..errors import ConfigError
from ..paths import PACKAGE_DIR, SYNTHETIC_DIR
from .loaders import RawTable, read_folder
from .validation import resolve_contract, validate, with_row_numbers

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
#: File formats :func:`write_synthetic` writes.
FORMATS = {"csv": ".csv", "parquet": ".parquet", "xlsx": ".xlsx"}


def generator_version(programme: str) -> str:
    """Version of a programme's synthetic generator: package version and source hash.

    Any edit to the generator changes it, which marks data written by the old
    generator as stale.

    Examples
    --------
    >>> generator_version("lsavi").startswith("0.")
    True
    """
    digest = hashlib.sha256()
    package = PACKAGE_DIR / "synthetic"
    for path in (package / "__init__.py", package / f"{programme}.py"):
        digest.update(path.read_bytes() if path.exists() else b"")
    return f"{__version__}+{digest.hexdigest()[:12]}"


def table_bytes(frame: pd.DataFrame, fmt: str = "csv") -> bytes:
    r"""A table serialised as written to disk (CSV: UTF-8, ISO dates, ``\n`` line ends).

    The SHA-256 of these bytes is the table's fingerprint, whether it was read
    from the file or generated in memory.

    Examples
    --------
    >>> table_bytes(pd.DataFrame({"d": pd.to_datetime(["2026-01-31"]), "n": [3]}))
    b'd,n\n2026-01-31,3\n'
    """
    buffer = io.BytesIO()
    if fmt == "csv":
        text = frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
        return text.encode("utf-8")
    if fmt == "parquet":
        frame.to_parquet(buffer, index=False)
    elif fmt == "xlsx":
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name=_sheet_name(frame), index=False)
    else:
        raise ConfigError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    return buffer.getvalue()


def _sheet_name(frame: pd.DataFrame) -> str:
    return str(frame.attrs.get("table", "data"))[:31]


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def write_synthetic(
    programme: str,
    *,
    seed: int = 2026,
    scale: float = 1.0,
    folder: str | Path | None = None,
    fmt: str = "csv",
) -> Path:
    """Generate a programme's synthetic extract and write it, with its manifest.

    Parameters
    ----------
    programme : str
        Programme slug.
    seed : int
        Random seed (same seed and scale, same tables).
    scale : float
        Volume multiplier (1 is Dorset scale).
    folder : path-like, optional
        Where to write; default ``data/synthetic/<programme>/``. An existing
        folder is replaced only if it holds synthetic data (a manifest) or nothing.
    fmt : {"csv", "parquet", "xlsx"}
        File format of the tables.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    ConfigError
        For an unknown format, or a target folder holding other files.
    DataValidationError
        If the generated tables break the contract (a generator defect).

    Examples
    --------
    >>> import tempfile
    >>> out = write_synthetic("op_focus", seed=1, scale=0.02, folder=tempfile.mkdtemp() + "/x")
    >>> sorted(p.name for p in out.iterdir())
    ['crimes.csv', 'manifest.json', 'suspects.csv']
    """
    from ..synthetic import generate

    if fmt not in FORMATS:
        raise ConfigError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    contract = resolve_contract(programme)
    target = Path(folder) if folder is not None else SYNTHETIC_DIR / programme
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} is a file; give a folder for the synthetic data")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).exists():
        raise ConfigError(
            f"{target} already holds files that are not synthetic data (no {MANIFEST}); "
            "choose an empty or new folder"
        )
    data = generate(programme, seed=seed, scale=scale)
    # A generator that breaks its own contract must fail here, not in a notebook later.
    validate(contract, data.tables, extract_date=data.extract_date)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        files = {}
        for spec in contract.tables:
            frame = data.tables[spec.name].copy()
            frame.attrs["table"] = spec.name
            payload = table_bytes(frame, fmt)
            name = f"{spec.name}{FORMATS[fmt]}"
            (staging / name).write_bytes(payload)
            files[spec.name] = {
                "file": name,
                "rows": len(frame),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        manifest = {
            "programme": programme,
            "synthetic": True,
            "seed": seed,
            "scale": scale,
            "format": fmt,
            "extract_date": pd.Timestamp(data.extract_date).date().isoformat(),
            "truth": _json_safe(data.truth),
            "parameters": _json_safe(data.parameters),
            "rows": {name: entry["rows"] for name, entry in files.items()},
            "files": files,
            "generator_version": generator_version(programme),
            "note": "Synthetic data: made-up people, premises and crimes, generated by "
            "analysis.synthetic; identifiers are raw, as in a real extract.",
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        # Swap the finished folder in, so an interrupted run leaves the old data intact.
        previous = None
        if target.exists():
            previous = target.with_name(f".{target.name}-old-{staging.name[-8:]}")
            target.rename(previous)
        staging.rename(target)
        if previous is not None:
            shutil.rmtree(previous)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    logger.info("wrote synthetic %s (seed %s, scale %g) to %s", programme, seed, scale, target)
    return target


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """A synthetic folder's manifest, if it has one and its files are unchanged.

    Returns None when there is no manifest, it cannot be read, or a table file is
    missing or differs from the fingerprint recorded when it was written.

    Examples
    --------
    >>> read_manifest("/no/such/folder") is None
    True
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        logger.warning("%s cannot be read; the folder is not treated as synthetic data", path)
        return None
    for entry in files.values():
        table_file = Path(folder) / entry["file"]
        if not table_file.is_file():
            return None
        if hashlib.sha256(table_file.read_bytes()).hexdigest() != entry["sha256"]:
            logger.warning(
                "%s differs from the file written by the generator; not used as synthetic data",
                table_file,
            )
            return None
    return manifest


@dataclass
class SyntheticInput:
    """Raw synthetic tables ready for checking, with their truth."""

    tables: dict[str, RawTable]
    truth: dict[str, float]
    extract_date: pd.Timestamp
    origin: str


def synthetic_input(
    programme: str, *, seed: int, scale: float, world: str = "friendly"
) -> SyntheticInput:
    """Raw synthetic tables: from ``data/synthetic/<programme>/`` when it matches, else generated.

    ``data/synthetic/`` holds the friendly world; any other ``world`` is generated.

    Examples
    --------
    >>> data = synthetic_input("op_focus", seed=3, scale=0.02)
    >>> sorted(data.tables), data.origin
    (['crimes', 'suspects'], 'generated in memory')
    """
    contract = resolve_contract(programme)
    folder = SYNTHETIC_DIR / programme
    manifest = read_manifest(folder) if world == "friendly" else None
    if manifest is not None:
        matches = (
            manifest.get("programme") == programme
            and manifest.get("seed") == seed
            and float(manifest.get("scale", -1)) == float(scale)
            and manifest.get("generator_version") == generator_version(programme)
        )
        if matches:
            read = read_folder(contract, folder)
            if not read.problems and set(read.tables) == set(contract.table_names):
                return SyntheticInput(
                    read.tables,
                    manifest.get("truth") or {},
                    pd.Timestamp(manifest["extract_date"]),
                    f"read from {folder}",
                )
        logger.info(
            "%s holds other synthetic data (seed %s, scale %s); generating seed %s, scale %g",
            folder,
            manifest.get("seed"),
            manifest.get("scale"),
            seed,
            scale,
        )
    from ..synthetic import generate

    data = generate(programme, seed=seed, scale=scale, world=world)
    named = "" if world == "friendly" else f", world {world}"
    label = f"synthetic:{programme} (seed {seed}, scale {scale:g}{named}, generated in memory)"
    tables = {
        name: RawTable(
            name,
            with_row_numbers(frame),
            label,
            hashlib.sha256(table_bytes(frame)).hexdigest(),
        )
        for name, frame in data.tables.items()
        if name in contract.table_names
    }
    return SyntheticInput(
        tables,
        {str(k): _json_safe(v) for k, v in data.truth.items()},
        pd.Timestamp(data.extract_date),
        "generated in memory",
    )
