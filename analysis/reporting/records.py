"""A programme's findings.json as the reports read it: the record, its shape checked.

Kept apart from the report's rendering so that the scorecard, which reads only
findings, needs neither nbformat nor pandas.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import AnalysisError


def load_findings(
    findings: str | os.PathLike[str] | Mapping[str, Any] | None,
) -> dict[str, Any] | None:
    """Read findings.json (a path) or accept its content as a dict; check its shape.

    Parameters
    ----------
    findings : path-like, mapping or None
        The record written by :func:`analysis.evidence.save_findings` and
        completed by the runner. ``None`` when a failed run saved none.

    Returns
    -------
    dict or None

    Raises
    ------
    AnalysisError
        When the file is missing, not JSON, or has no list of findings.

    Examples
    --------
    >>> load_findings({"programme": "op_focus", "findings": []})["programme"]
    'op_focus'
    """
    if findings is None:
        return None
    if isinstance(findings, Mapping):
        record, where = dict(findings), "the findings record"
    else:
        path = Path(findings)
        where = str(path)
        if not path.exists():
            raise AnalysisError(
                f"{path} does not exist: the notebook must call save_findings(findings_path, ...)"
            )
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise AnalysisError(f"{path} is not valid JSON ({exc}); re-run the programme") from exc
    if not isinstance(record, dict) or not isinstance(record.get("findings"), list):
        raise AnalysisError(
            f"{where} has no 'findings' list; it must be written by analysis.evidence.save_findings"
        )
    for position, item in enumerate(record["findings"]):
        if not isinstance(item, dict):
            raise AnalysisError(f"{where}: finding {position + 1} is not an object")
    return record
