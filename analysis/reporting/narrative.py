"""Sentences every programme's report shares: the source line, data notes, the closing line.

A programme's own result-dependent sentences live in
``analysis/programmes/<slug>/narrative.py``; the pieces that read the same in
every report live here, so that all reports say them alike. Each returns
Markdown (or plain text for a figure's source line) and imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any


def source_note(
    *,
    synthetic: bool,
    seed: int,
    extract_date: date,
    extract_name: str = "Police extract",
) -> str:
    """The source line under a figure: what the data are and when they were taken.

    Parameters
    ----------
    synthetic : bool
        Whether the data are the built-in synthetic data.
    seed : int
        The synthetic data's seed (named only when ``synthetic``).
    extract_date : date
        When the extract was taken.
    extract_name : str
        What a real extract is called in this programme's report.

    Examples
    --------
    >>> from datetime import date
    >>> source_note(synthetic=True, seed=7, extract_date=date(2026, 3, 31))
    'Synthetic data (seed 7), taken 31 March 2026'
    >>> source_note(synthetic=False, seed=7, extract_date=date(2026, 3, 31),
    ...             extract_name="Police and programme extract")
    'Police and programme extract, taken 31 March 2026'
    """
    what = f"Synthetic data (seed {seed})" if synthetic else extract_name
    return f"{what}, taken {extract_date:%d %B %Y}"


def loading_notes(warnings: Sequence[str]) -> str:
    """The loader's warnings as one sentence to end a data paragraph, or nothing.

    Examples
    --------
    >>> loading_notes([])
    ''
    >>> loading_notes(["2 rows had a blank area", "dates before 2015 were dropped"])
    ' Loading notes: 2 rows had a blank area; dates before 2015 were dropped.'
    """
    return "" if not warnings else " Loading notes: " + "; ".join(warnings) + "."


def data_warning_bullets(warnings: Sequence[str]) -> str:
    """The loader's warnings as Markdown bullets, one per warning, or nothing.

    Examples
    --------
    >>> print(data_warning_bullets(["2 rows had a blank area", "3 ids repeated"]))
    - Data warning: 2 rows had a blank area
    - Data warning: 3 ids repeated
    >>> data_warning_bullets([])
    ''
    """
    return "\n".join(f"- Data warning: {warning}" for warning in warnings)


def findings_recorded(record: Mapping[str, Any], findings_path: str) -> str:
    """The report's closing line: how many findings were recorded, and whether they were written.

    Parameters
    ----------
    record : mapping
        What :func:`analysis.evidence.save_findings` returned.
    findings_path : str
        Where findings.json was to be written; blank when the notebook ran on its own.

    Examples
    --------
    >>> findings_recorded({"findings": [1, 2, 3]}, "reports/x/findings.json")
    '3 findings recorded, written to findings.json beside this report.'
    >>> findings_recorded({"findings": [1]}, "")
    '1 findings recorded (no findings_path set: not written).'
    """
    count = len(record["findings"])
    if findings_path:
        return f"{count} findings recorded, written to findings.json beside this report."
    return f"{count} findings recorded (no findings_path set: not written)."
