"""Findings: an estimate placed in its evaluation context, and findings.json.

A :class:`Finding` joins an :class:`~analysis.results.Estimate` to the question
it answers, the strength of its design (Maryland SMS), the minimum detectable
effect of the design (so a null is read correctly), the planted truth when the
data are synthetic, and caveats. ``save_findings`` writes the notebook's part
of ``findings.json``; the batch runner then adds the run's provenance.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..results import RATIO_SCALES, Estimate, _plain, format_number
from .sms import SMS_SHORT, Check, Rating, earned_level

if TYPE_CHECKING:
    import pandas as pd

#: Version 2 added ``sms_design``, ``sms_reasons``, ``checks``, ``role``, ``family``,
#: ``adjusted_p_value``, ``p_adjustment``, ``expected_effect`` and ``headline_note``
#: to each finding; readers treat a version-1 finding as having none of them.
FINDINGS_SCHEMA_VERSION = 2

#: What a finding is: an answer to an evaluation question, or a check of a design
#: (a placebo, a negative control) that carries no evidence level of its own.
ROLES = ("finding", "check")


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
        The level the rating starts from instead of the design's (see
        :func:`analysis.evidence.sms.earned_level`): failed checks still lower it.
    label : str
        Short name for tables (defaults to the question).
    extra : dict
        Further JSON-ready keys for findings.json.
    checks : sequence of Check
        The design's diagnostics (:mod:`analysis.evidence.checks`); each failed
        one lowers the SMS level, with its reason recorded.
    sms_override_reason : str
        Why ``sms_override`` (required when there are checks).
    expected_effect : float, optional
        The effect the programme was expected to have, on the estimate's scale
        (from its business case or analysis plan): a headline whose ``mde`` is
        more than twice it is demoted by :func:`demote_underpowered`.
    family : str
        Family of secondary findings whose p-values are adjusted together
        (:func:`analysis.evidence.multiplicity.adjust_families`).
    role : {"finding", "check"}
        ``"check"`` for a placebo or negative-control result: shown with the
        checks, never a headline, with no evidence level.
    adjusted_p_value : float, optional
        The p-value adjusted for multiple testing within ``family``.
    p_adjustment : str
        The adjustment used (e.g. "Holm").
    headline_note : str
        Why the finding is not a headline although it was meant to be.

    Examples
    --------
    >>> from analysis.evidence.sms import Check
    >>> est = Estimate(0.06, 0.01, 0.11, 0.02, 800, "difference", "matching", "reoffending")
    >>> f = Finding("Did reoffending fall?", est, "matched_comparison", sms_override=3,
    ...             sms_override_reason="the pre-period outcome is matched on",
    ...             checks=[Check("balance after matching", False, "largest |SMD| 0.14")])
    >>> f.sms_level, f.to_dict()["sms_design"]
    (2, 2)
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
    checks: tuple[Check, ...] = ()
    sms_override_reason: str = ""
    expected_effect: float | None = None
    family: str = ""
    role: str = "finding"
    adjusted_p_value: float | None = None
    p_adjustment: str = ""
    headline_note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "caveats", tuple(self.caveats))
        object.__setattr__(self, "checks", tuple(self.checks))
        where = f"finding '{self.label or self.question}'"
        for check in self.checks:
            if not isinstance(check, Check):
                raise ConfigError(
                    f"{where}: checks must be analysis.evidence.sms.Check objects, got "
                    f"{type(check).__name__}; build them with analysis.evidence.checks"
                )
        if self.role not in ROLES:
            raise ConfigError(f"{where}: role must be one of {ROLES}, got {self.role!r}")
        if self.role == "check" and self.headline:
            raise ConfigError(
                f"{where}: a check (placebo, negative control) cannot be a headline finding"
            )
        # Raises the rating's own errors (unknown design, override without reason) now,
        # where the finding is built, not when findings.json is written.
        self.rating  # noqa: B018

    @property
    def rating(self) -> Rating:
        """The evidence level earned and how (:func:`~analysis.evidence.sms.earned_level`)."""
        return earned_level(
            self.design,
            self.checks,
            override=self.sms_override,
            override_reason=self.sms_override_reason,
        )

    @property
    def sms_level(self) -> int | None:
        """Maryland SMS level earned (``None`` for a check, which has no level)."""
        return None if self.role == "check" else self.rating.level

    @property
    def direction(self) -> str:
        """'increase', 'decrease' or 'no clear change' (interval includes null)."""
        est = self.estimate
        if not est.significant:
            return "no clear change"
        return "increase" if est.effect > est.null_value else "decrease"

    def summary(self) -> str:
        """The estimate's sentence with the strength of evidence appended (not for checks)."""
        if self.sms_level is None:
            return self.estimate.summary()
        return f"{self.estimate.summary()} Evidence strength: {SMS_SHORT[self.sms_level]}."

    def to_dict(self) -> dict[str, Any]:
        """The record written to findings.json."""
        est = self.estimate
        caveats = list(self.caveats) + [w for w in est.warnings if w not in self.caveats]
        rating = self.rating
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
            "sms_design": rating.design_level,
            "sms_reasons": list(rating.reasons),
            "checks": [check.to_dict() for check in self.checks],
            "role": self.role,
            "family": self.family,
            "adjusted_p_value": _plain(self.adjusted_p_value),
            "p_adjustment": self.p_adjustment,
            "expected_effect": _plain(self.expected_effect),
            "headline_note": self.headline_note,
        }
        record.update({k: _plain(v) for k, v in self.extra.items()})
        return record


#: A headline whose MDE is more than this many times the expected effect is not a headline.
MDE_TO_EXPECTED_LIMIT = 2.0


def _distance_from_null(value: float, scale: str) -> float:
    """How far an effect is from no effect: on the log scale for ratios."""
    if scale in RATIO_SCALES:
        if value <= 0:
            raise ConfigError(f"an effect on the {scale} scale must be above 0, got {value!r}")
        return abs(math.log(value))
    return abs(value)


def power_for(
    effect: float, mde: float, scale: str, *, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Power of a design to detect ``effect``, given its minimum detectable effect.

    The MDE is ``(z[1 - alpha/2] + z[power]) x se`` (Bloom 1995;
    :func:`analysis.methods.power.mde`), so the standard error is recovered from
    it and the two-sided power of a z-test at ``effect`` follows. Both are on the
    estimate's scale (ratios compared on the log scale).

    Examples
    --------
    >>> round(power_for(2.8, 2.8, "difference"), 3)  # at the MDE itself: 80%
    0.8
    >>> round(power_for(0.5, 2.8, "difference"), 3)
    0.079
    """
    normal = NormalDist()
    z_alpha = normal.inv_cdf(1 - alpha / 2)
    se = _distance_from_null(mde, scale) / (z_alpha + normal.inv_cdf(power))
    if se <= 0:
        raise ConfigError(f"a minimum detectable effect must differ from no effect, got {mde!r}")
    shift = _distance_from_null(effect, scale) / se
    return normal.cdf(shift - z_alpha) + normal.cdf(-shift - z_alpha)


def underpowered_reason(
    finding: Finding,
    *,
    limit: float = MDE_TO_EXPECTED_LIMIT,
    alpha: float = 0.05,
    power: float = 0.8,
) -> str:
    """Why ``finding`` cannot be a headline for want of power ('' when it can).

    A design whose minimum detectable effect is more than ``limit`` times the
    effect the programme was expected to have could not have detected that
    effect: its null says nothing and its estimate, if significant, is likely
    exaggerated (Gelman and Carlin 2014). Findings without an ``mde`` or an
    ``expected_effect`` are not judged.

    Examples
    --------
    >>> est = Estimate(4.0, -3.0, 11.0, 0.26, 300, "percentage points", "rd", "charges")
    >>> f = Finding("Did charges rise?", est, "regression_discontinuity", headline=True,
    ...             mde=10.0, expected_effect=2.0)
    >>> underpowered_reason(f)  # doctest: +ELLIPSIS
    'Not a headline: the minimum detectable effect (10.0) is 5.0 times the expected effect ...'
    """
    if finding.mde is None or finding.expected_effect is None:
        return ""
    scale = finding.estimate.scale
    mde_distance = _distance_from_null(finding.mde, scale)
    expected_distance = _distance_from_null(finding.expected_effect, scale)
    if expected_distance == 0:
        raise ConfigError(
            f"finding '{finding.label or finding.question}': expected_effect equals no effect "
            f"({finding.expected_effect}); give the effect the programme was expected to have"
        )
    ratio = mde_distance / expected_distance
    if ratio <= limit:
        return ""
    chance = power_for(finding.expected_effect, finding.mde, scale, alpha=alpha, power=power)
    return (
        f"Not a headline: the minimum detectable effect ({format_number(finding.mde)}) is "
        f"{ratio:.1f} times the expected effect ({format_number(finding.expected_effect)}), "
        f"more than the {limit:g} allowed; the design had about {chance:.0%} power to detect "
        "the expected effect, so this result can neither confirm nor rule it out."
    )


def demote_underpowered(
    findings: Iterable[Finding], *, limit: float = MDE_TO_EXPECTED_LIMIT
) -> list[Finding]:
    """The findings with every underpowered headline demoted, its reason recorded.

    Parameters
    ----------
    findings : iterable of Finding
    limit : float
        Largest ratio of MDE to expected effect a headline may have.

    Returns
    -------
    list of Finding
        Headlines failing :func:`underpowered_reason` come back with
        ``headline=False`` and ``headline_note`` saying why; the rest unchanged.

    Examples
    --------
    >>> est = Estimate(4.0, -3.0, 11.0, 0.26, 300, "percentage points", "rd", "charges")
    >>> f = Finding("Did charges rise?", est, "regression_discontinuity", headline=True,
    ...             mde=10.0, expected_effect=2.0)
    >>> [(g.headline, bool(g.headline_note)) for g in demote_underpowered([f])]
    [(False, True)]
    """
    out = []
    for finding in findings:
        reason = underpowered_reason(finding, limit=limit) if finding.headline else ""
        out.append(replace(finding, headline=False, headline_note=reason) if reason else finding)
    return out


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
                "SMS": f.sms_level if f.sms_level is not None else "",
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
    analysis_plan: Any = None,
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
    analysis_plan : AnalysisPlan, optional
        The plan the findings follow (:func:`analysis.evidence.plan.read_analysis_plan`):
        its source, registration date and SHA-256 fingerprint are recorded under
        ``analysis_plan``, so a reader can tell whether it changed after the run.

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
    if analysis_plan is not None:
        record["analysis_plan"] = analysis_plan.provenance()
    if path:
        write_json_atomic(path, record)
    return record
