"""Normalise a run's outputs so two runs of the same code compare equal.

What differs between two runs of unchanged code on unchanged data is the clock
(run and render times, durations) and the commit; everything else in a reader's
report and its ``findings.json`` is a result. Figures are kept as the SHA-256 of
their PNG bytes, and the house stylesheet every report inlines as the SHA-256 of
its text, so a changed figure or style shows as a changed line without storing
megabytes of base64 or the same stylesheet in every snapshot.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

PROGRAMMES_SNAPSHOTTED = ("op_focus", "perpetrator_programmes", "lsavi")

_IMAGE = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
_WHEN = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC")
_TOOK = re.compile(r"\(took [\d.]+ (?:s|min)\)")
_HOUSE_STYLE = re.compile(r"<style>(.*?)</style>", re.S)  # the scoped table styles are kept
_COMMIT = re.compile(r"(>)[0-9a-f]{12}(?:-dirty)?(</(?:span|dd)>)")


def _image_digest(match: re.Match) -> str:
    return "png-sha256:" + hashlib.sha256(match.group(1).encode()).hexdigest()[:16]


def _style_digest(match: re.Match) -> str:
    return (
        "<style>css-sha256:" + hashlib.sha256(match.group(1).encode()).hexdigest()[:16] + "</style>"
    )


def normalise_report(text: str) -> str:
    """A reader's report with its clock, commit, image bytes and stylesheet as stable tokens."""
    text = _HOUSE_STYLE.sub(_style_digest, text)
    text = _IMAGE.sub(_image_digest, text)
    text = _WHEN.sub("<time>", text)
    text = _TOOK.sub("(took <duration>)", text)
    return _COMMIT.sub(r"\1<commit>\2", text)


def normalise_findings(record: dict) -> dict:
    """``findings.json`` without the run's timestamp and commit."""
    record = dict(record)
    for key in ("run_timestamp", "git_commit", "run_seconds"):
        record.pop(key, None)
    return record


def snapshot(reports: Path, programme: str) -> dict[str, str]:
    """The normalised reader report and findings of one programme's run, as text."""
    folder = reports / programme
    findings = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    return {
        f"{programme}.html": normalise_report(
            (folder / f"{programme}.html").read_text(encoding="utf-8")
        ),
        "findings.json": json.dumps(normalise_findings(findings), indent=1, sort_keys=True) + "\n",
    }


def write_snapshot(reports: Path, target: Path) -> None:
    """Store every snapshotted programme's normalised outputs under ``target``."""
    for programme in PROGRAMMES_SNAPSHOTTED:
        folder = target / programme
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in snapshot(reports, programme).items():
            (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import sys

    write_snapshot(Path(sys.argv[1]), Path(__file__).parent)
