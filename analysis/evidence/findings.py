"""Findings: an estimate placed in its evaluation context, and findings.json.

A :class:`Finding` joins an :class:`~analysis.results.Estimate` to the question
it answers, the strength of its design (Maryland SMS), the minimum detectable
effect of the design (so a null is read correctly), the planted truth when the
data are synthetic, and caveats. ``save_findings`` writes the notebook's part
of ``findings.json``; the batch runner then adds the run's provenance.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..results import Estimate, _plain, format_number
from .sms import SMS_SHORT, sms_level

if TYPE_CHECKING:
    import pandas as pd

FINDINGS_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Finding:
    """An answer to one evaluation question.

    Parameters
    ----------
    question : str
        The evaluation question, e.g. "Did enhanced investigation raise the
        charge rate?".
    estimate : Estimate
        The estimate that answers it.
    design : str
        Design name from :data:`analysis.evidence.sms.DESIGN_LEVELS`; sets
        the SMS level.
    headline : bool
        Whether the finding appears on the scorecard.
    truth : float, optional
        Planted value of the estimand when the data are synthetic.
    mde : float, optional
        Minimum detectable effect of the design, on the estimate's scale.
    caveats : sequence of str
        What limits the finding (the estimate's own warnings are added).
    sms_override : int, optional
        Set the SMS level explicitly (with a caveat saying why).
    """

    question: str
    estimate: Estimate
    design: str
    headline: bool = False
    truth: float | None = None
    mde: float | None = None
    caveats: tuple[str, ...] = ()
    sms_override: int | None = None
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "caveats", tuple(self.caveats))

    @property
    def sms_level(self) -> int:
        """Maryland SMS level of the design."""
        return self.sms_override if self.sms_override is not None else sms_level(self.design)

    @property
    def direction(self) -> str:
        """'increase', 'decrease' or 'no clear change' (interval includes null)."""
        est = self.estimate
        if not est.significant:
            return "no clear change"
        return "increase" if est.effect > est.null_value else "decrease"

    def summary(self) -> str:
        """The estimate's sentence with the strength of evidence appended."""
        return f"{self.estimate.summary()} Evidence strength: {SMS_SHORT[self.sms_level]}."

    def to_dict(self) -> dict[str, Any]:
        """The record written to findings.json."""
        est = self.estimate
        caveats = list(self.caveats) + [w for w in est.warnings if w not in self.caveats]
        record = {
            "question": self.question,
            "label": self.label or self.question,
            "estimand": est.estimand,
            "method": est.method,
            "design": self.design,
            "effect": _plain(est.effect),
            "se": _plain(est.se),
            "ci_low": _plain(est.ci_low),
            "ci_high": _plain(est.ci_high),
            "conf_level": est.conf_level,
            "p_value": _plain(est.p_value),
            "n": int(est.n),
            "scale": est.scale,
            "null_value": est.null_value,
            "direction": self.direction,
            "sms_level": self.sms_level,
            "headline": bool(self.headline),
            "mde": _plain(self.mde),
            "truth": _plain(self.truth),
            "summary": self.summary(),
            "assumptions": list(est.assumptions),
            "caveats": caveats,
        }
        record.update({k: _plain(v) for k, v in self.extra.items()})
        return record


def findings_table(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a display table (one row each), for the notebook's summary.

    Examples
    --------
    >>> est = Estimate(0.8, 0.7, 0.9, 0.01, 300, "rate ratio", "m", "incident rate")
    >>> table = findings_table([Finding("Did it work?", est, "difference_in_differences")])
    >>> table.loc[0, ["Effect", "95% CI"]].tolist(), int(table.loc[0, "SMS"])
    (['0.800', '0.700 to 0.900'], 3)
    """
    rows = []
    for f in findings:
        est = f.estimate
        rows.append(
            {
                "Question": f.question,
                "Effect": format_number(est.effect),
                "95% CI": f"{format_number(est.ci_low)} to {format_number(est.ci_high)}",
                "Scale": est.scale,
                "SMS": f.sms_level,
                "MDE": format_number(f.mde),
                "Truth (synthetic)": format_number(f.truth) if f.truth is not None else "",
                "Headline": "yes" if f.headline else "",
            }
        )
    import pandas as pd  # imported here: the runner writes findings without pandas

    return pd.DataFrame(rows)


def design_comparison(findings: Iterable[Finding], question: str) -> pd.DataFrame:
    """The findings that answer one question, side by side (weakest design first).

    One row per finding, indexed by its label: the SMS level, the estimate and its
    interval and p-value, the minimum detectable effect and, on synthetic data,
    the planted truth, rounded to three decimals.

    Examples
    --------
    >>> est = Estimate(5.0, 1.0, 9.0, 0.02, 500, "percentage points", "m", "e")
    >>> table = design_comparison([Finding("Q", est, "before_after", mde=4.0, label="B/A")], "Q")
    >>> table.loc["B/A", "SMS"]
    np.int64(1)
    """
    import pandas as pd  # imported here: the runner writes findings without pandas

    rows = []
    for finding in findings:
        if finding.question != question:
            continue
        est = finding.estimate
        rows.append(
            {
                "design": finding.label,
                "SMS": finding.sms_level,
                "effect": est.effect,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "p_value": est.p_value,
                "MDE": finding.mde,
                "truth (synthetic)": finding.truth,
            }
        )
    table = pd.DataFrame(rows).set_index("design")
    return table.sort_values("SMS", kind="stable").round(3)


def write_json_atomic(path: str | os.PathLike[str], payload: Mapping[str, Any]) -> Path:
    """Write JSON to ``path`` via a temporary file so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, ensure_ascii=False, allow_nan=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_findings(
    path: str | os.PathLike[str] | None,
    *,
    programme: str,
    findings: Iterable[Finding],
    inputs: Mapping[str, Any] | None = None,
    synthetic: bool = False,
    value_for_money: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the notebook's findings to ``path`` (skipped when path is empty).

    Parameters
    ----------
    path : path-like or None
        Destination (the runner passes ``findings_path``); ``None`` or ``""``
        builds the record without writing it, for interactive use.
    programme : str
        Programme slug.
    findings : iterable of Finding
        The programme's findings; at least one should be a headline.
    inputs : mapping, optional
        Input provenance from the data loader (per table: source, rows,
        sha256 fingerprint).
    synthetic : bool
        Whether the inputs are synthetic (truth values are meaningful).
    value_for_money : mapping, optional
        The programme's value-for-money block (``analysis.evidence.vfm``), shown
        on the scorecard.

    Returns
    -------
    dict
        The record written.
    """
    findings = list(findings)
    record = {
        "schema_version": FINDINGS_SCHEMA_VERSION,
        "programme": programme,
        "synthetic": bool(synthetic),
        "inputs": dict(inputs or {}),
        "findings": [f.to_dict() for f in findings],
    }
    if value_for_money is not None:
        record["value_for_money"] = dict(value_for_money)
    if path:
        write_json_atomic(path, record)
    return record
