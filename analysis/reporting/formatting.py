"""Words and numbers for findings as readers see them: effects, intervals, evidence strength.

The report and the scorecard both read findings from ``findings.json`` (plain
dicts, where a value that could not be estimated is ``null``), so the
formatting lives here once and both pages say the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ..evidence.sms import SMS_LEVELS, SMS_SHORT
from ..results import RATIO_SCALES, format_number, format_p_value

#: Shown wherever a number could not be computed; the pages explain it in a note.
NOT_ESTIMABLE = "not estimable"

#: Scales whose effects are changes, shown with an explicit sign.
SIGNED_SCALES = frozenset({"difference", "percentage points"})


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def format_value(value: float | None, scale: str) -> str:
    """A single number on a finding's scale (effect, bound, truth or MDE).

    Parameters
    ----------
    value : float or None
        The number; ``None`` (how findings.json stores a non-finite value)
        gives ``"not estimable"``.
    scale : str
        The estimate's scale (see :class:`analysis.results.Estimate`).

    Returns
    -------
    str
        Proportions as percentages, percentage points and differences signed,
        ratios and other scales to three significant figures.

    Examples
    --------
    >>> format_value(0.1234, "proportion")
    '12.3%'
    >>> format_value(6.25, "percentage points")
    '+6.2'
    >>> format_value(-0.12, "difference")
    '-0.120'
    >>> format_value(0.8, "rate ratio")
    '0.800'
    >>> format_value(None, "difference")
    'not estimable'
    """
    if not _finite(value):
        return NOT_ESTIMABLE
    if scale == "proportion":
        return f"{value:.1%}"
    if scale == "percentage points":
        return f"{value:+.1f}"
    text = format_number(float(value))
    if scale in SIGNED_SCALES and value > 0:
        text = "+" + text
    return text


def scale_unit(scale: str) -> str:
    """The unit shown after an effect ('' where the number speaks for itself).

    Examples
    --------
    >>> scale_unit("percentage points")
    'percentage points'
    >>> scale_unit("proportion")
    ''
    >>> scale_unit("hazard ratio")
    'hazard ratio'
    """
    if scale in {"proportion", "difference"}:
        return ""
    return scale


def relative_change(effect: float | None, scale: str) -> str:
    """A ratio effect as a percentage change ('20% decrease'); '' for other scales.

    Examples
    --------
    >>> relative_change(0.8, "rate ratio")
    '20% decrease'
    >>> relative_change(1.5, "odds ratio")
    '50% increase'
    >>> relative_change(0.5, "difference")
    ''
    """
    if scale not in RATIO_SCALES or not _finite(effect):
        return ""
    change = (effect - 1.0) * 100.0
    if round(abs(change)) == 0:
        return "no change"
    return f"{abs(change):.0f}% {'increase' if change > 0 else 'decrease'}"


def format_effect(finding: Mapping[str, Any]) -> str:
    """A finding's effect with its unit, as it reads in a sentence.

    Examples
    --------
    >>> format_effect({"effect": 0.8, "scale": "rate ratio"})
    '0.800 rate ratio (20% decrease)'
    >>> format_effect({"effect": 6.2, "scale": "percentage points"})
    '+6.2 percentage points'
    """
    scale = finding.get("scale", "")
    text = format_value(finding.get("effect"), scale)
    if text == NOT_ESTIMABLE:
        return text
    unit = scale_unit(scale)
    if unit:
        text += f" {unit}"
    change = relative_change(finding.get("effect"), scale)
    if change:
        text += f" ({change})"
    return text


def format_interval(finding: Mapping[str, Any]) -> str:
    """A finding's confidence interval as 'low to high' on its scale.

    Examples
    --------
    >>> format_interval({"ci_low": 0.7, "ci_high": 0.92, "scale": "rate ratio"})
    '0.700 to 0.920'
    >>> format_interval({"ci_low": None, "ci_high": 0.5, "scale": "difference"})
    'not estimable'
    """
    scale = finding.get("scale", "")
    low, high = finding.get("ci_low"), finding.get("ci_high")
    if not (_finite(low) and _finite(high)):
        return NOT_ESTIMABLE
    return f"{format_value(low, scale)} to {format_value(high, scale)}"


def interval_label(finding: Mapping[str, Any]) -> str:
    """Column label for the interval: '95% interval' at the finding's level.

    Examples
    --------
    >>> interval_label({"conf_level": 0.9})
    '90% interval'
    """
    level = finding.get("conf_level") or 0.95
    return f"{level:.0%} interval"


def sms_words(level: Any) -> str:
    """Evidence strength in words and number, e.g. 'moderate (SMS 3)'.

    Examples
    --------
    >>> sms_words(3)
    'moderate (SMS 3)'
    >>> sms_words(None)
    'not rated'
    """
    try:
        return SMS_SHORT[int(level)]
    except (KeyError, TypeError, ValueError):
        return "not rated"


def sms_description(level: Any) -> str:
    """What the SMS level means, for a tooltip or a details list.

    Examples
    --------
    >>> sms_description(5)
    'Randomised controlled trial'
    """
    try:
        return SMS_LEVELS[int(level)]
    except (KeyError, TypeError, ValueError):
        return "The design has no Maryland SMS rating."


def truth_note(finding: Mapping[str, Any]) -> str:
    """Whether the interval covers the planted truth (synthetic data only).

    Examples
    --------
    >>> truth_note({"truth": 0.75, "ci_low": 0.7, "ci_high": 0.9, "scale": "rate ratio"})
    '0.750, inside the interval'
    >>> truth_note({"truth": 2.0, "ci_low": 0.7, "ci_high": 0.9, "scale": "rate ratio"})
    '2.00, outside the interval'
    >>> truth_note({"truth": None})
    ''
    """
    truth = finding.get("truth")
    if not _finite(truth):
        return ""
    scale = finding.get("scale", "")
    text = format_value(truth, scale)
    low, high = finding.get("ci_low"), finding.get("ci_high")
    if _finite(low) and _finite(high):
        where = "inside" if low <= truth <= high else "outside"
        text += f", {where} the interval"
    return text


def plain_sentence(finding: Mapping[str, Any]) -> str:
    """The finding's plain-English sentence without the evidence-strength tail.

    The summary box shows the strength in its own column, so the sentence
    stops before it.

    Examples
    --------
    >>> plain_sentence({"summary": "Rate fell: 0.8 (95% CI ...). Evidence strength: weak (SMS 1)."})
    'Rate fell: 0.8 (95% CI ...).'
    >>> plain_sentence({"summary": "Rose (n = 226, p = 0.00000000038)."})
    'Rose (n = 226, p < 0.001).'
    """
    text = str(finding.get("summary") or "").strip()
    text = re.split(r"\s+Evidence strength:", text, maxsplit=1)[0].strip()
    # Very small p-values arrive written out in full ("p = 0.0000000000038").
    return _P_VALUE.sub(lambda m: f"p {_tidy_p(m.group(1))}", text)


_P_VALUE = re.compile(r"\bp = (\d+(?:\.\d+)?(?:[eE]-?\d+)?)")


def _tidy_p(number: str) -> str:
    value = float(number)
    return "< 0.001" if value < 0.001 else f"= {number}"


def format_timestamp(value: str | None) -> str:
    """An ISO timestamp as a reader's date and time ('24 November 2026, 18:00 UTC').

    Examples
    --------
    >>> format_timestamp("2026-11-24T18:00:00+00:00")
    '24 November 2026, 18:00 UTC'
    >>> format_timestamp(None)
    'not recorded'
    """
    if not value:
        return "not recorded"
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
        zone = " UTC"
    else:
        zone = ""
    return f"{moment.day} {moment:%B %Y, %H:%M}{zone}"


def format_count(value: Any) -> str:
    """A count with thousands separators ('not recorded' when missing).

    Examples
    --------
    >>> format_count(12345)
    '12,345'
    """
    if not _finite(value):
        return "not recorded"
    return f"{int(value):,}"


def slugify(text: str, *, default: str = "section") -> str:
    """An ASCII anchor id from heading text.

    Examples
    --------
    >>> slugify("Impact: did charges rise? (2024/25)")
    'impact-did-charges-rise-2024-25'
    >>> slugify("£££")
    'section'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or default


def finding_anchor(position: int) -> str:
    """Anchor id of a finding in its report, from its position in findings.json.

    The scorecard links to ``<report>#finding-N`` using the same rule, so both
    pages agree without sharing state.

    Examples
    --------
    >>> finding_anchor(0)
    'finding-1'
    """
    return f"finding-{position + 1}"


def ordered_findings(findings: list[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """Findings with their positions, headline findings first (order otherwise kept).

    Examples
    --------
    >>> [i for i, _ in ordered_findings([{"headline": False}, {"headline": True}])]
    [1, 0]
    """
    indexed = list(enumerate(findings))
    return sorted(indexed, key=lambda item: not item[1].get("headline", False))


def finding_view(position: int, finding: Mapping[str, Any]) -> dict[str, Any]:
    """Everything a page shows for one finding, formatted.

    Parameters
    ----------
    position : int
        Position in findings.json (sets the anchor).
    finding : mapping
        One record of findings.json's ``findings`` list.

    Returns
    -------
    dict
        Keys ``anchor, label, question, headline, effect, unit, scale, change,
        interval, interval_label, sms, sms_level, sms_description, direction,
        sentence, truth, truth_value, truth_where, mde, p_value, n, estimand,
        method, assumptions, caveats``, the rating's ``sms_design, sms_reasons,
        checks`` (reasons and checks only for a finding rated by its checks, so
        a finding without checks reads as before), ``is_check``,
        ``adjusted_p_value``, ``p_adjustment``, ``family``, ``expected_effect``
        and ``headline_note``, plus the raw record under ``record``. Every key
        is present whatever the record lacks (findings.json of schema 1 has
        none of the rating keys).

    Examples
    --------
    >>> view = finding_view(0, {"label": "Charge rate", "effect": 6.2, "ci_low": 2.0,
    ...                         "ci_high": 10.4, "scale": "percentage points", "sms_level": 3})
    >>> view["effect"], view["interval"], view["sms"]
    ('+6.2', '+2.0 to +10.4', 'moderate (SMS 3)')
    """
    scale = str(finding.get("scale") or "")
    level = finding.get("sms_level")
    label = finding.get("label") or finding.get("question") or f"Finding {position + 1}"
    mde = finding.get("mde")
    return {
        "anchor": finding_anchor(position),
        "label": str(label),
        "question": str(finding.get("question") or ""),
        "headline": bool(finding.get("headline")),
        "effect": format_value(finding.get("effect"), scale),
        "unit": scale_unit(scale),
        "scale": scale,
        "change": relative_change(finding.get("effect"), scale),
        "interval": format_interval(finding),
        "interval_label": interval_label(finding),
        "sms": sms_words(level),
        "sms_level": int(level) if _finite(level) else 0,
        "sms_description": sms_description(level),
        "direction": str(finding.get("direction") or "not stated"),
        "sentence": plain_sentence(finding),
        "truth": truth_note(finding),
        "truth_value": format_value(finding.get("truth"), scale)
        if _finite(finding.get("truth"))
        else "",
        "truth_where": truth_note(finding).partition(", ")[2].removesuffix(" the interval"),
        "mde": format_value(mde, scale) if _finite(mde) else "",
        "p_value": format_p_value(
            finding.get("p_value") if _finite(finding.get("p_value")) else None, missing=""
        ),
        "n": format_count(finding.get("n")),
        "estimand": str(finding.get("estimand") or ""),
        "method": str(finding.get("method") or ""),
        "assumptions": [str(a) for a in finding.get("assumptions") or []],
        "caveats": [str(c) for c in finding.get("caveats") or []],
        **rating_view(finding),
        "record": finding,
    }


def rating_view(finding: Mapping[str, Any]) -> dict[str, Any]:
    """How a finding's rating was reached, its checks, and its multiplicity and power notes.

    Reasons and checks are shown only for a finding rated by its own checks
    (schema 2 of findings.json); a finding without checks, or from an older
    file, shows its level as it always has.

    Examples
    --------
    >>> view = rating_view({"sms_design": 4, "sms_level": 3, "scale": "difference",
    ...     "sms_reasons": ["Lowered from SMS 4 to SMS 3: no sorting at the cutoff failed."],
    ...     "checks": [{"name": "no sorting at the cutoff", "passed": False, "detail": "p 0.01"}],
    ...     "adjusted_p_value": 0.0312, "p_adjustment": "Holm"})
    >>> view["sms_design"], view["checks"][0]["verdict"], view["adjusted_p_value"]
    ('strong (SMS 4)', 'failed', '0.031')
    >>> rating_view({})["sms_reasons"], rating_view({})["is_check"]
    ([], False)
    """
    checks = [c for c in finding.get("checks") or [] if isinstance(c, Mapping)]
    verdicts = {True: "passed", False: "failed", None: "not run"}
    adjusted = finding.get("adjusted_p_value")
    scale = str(finding.get("scale") or "")
    expected = finding.get("expected_effect")
    design = finding.get("sms_design")
    return {
        "sms_design": sms_words(design) if _finite(design) else "",
        "sms_reasons": [str(r) for r in finding.get("sms_reasons") or []] if checks else [],
        "checks": [
            {
                "name": str(c.get("name") or ""),
                "verdict": verdicts.get(c.get("passed"), "not run"),
                "detail": str(c.get("detail") or ""),
            }
            for c in checks
        ],
        "is_check": finding.get("role") == "check",
        "family": str(finding.get("family") or ""),
        "adjusted_p_value": format_p_value(adjusted if _finite(adjusted) else None, missing=""),
        "p_adjustment": str(finding.get("p_adjustment") or ""),
        "expected_effect": format_value(expected, scale) if _finite(expected) else "",
        "headline_note": str(finding.get("headline_note") or ""),
    }


def demoted_headlines(findings: list[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Findings meant as headlines but demoted for want of power: label and reason.

    Examples
    --------
    >>> demoted_headlines([{"label": "Charges", "headline_note": "Not a headline: MDE 5x"},
    ...                    {"label": "Other"}])
    [{'label': 'Charges', 'note': 'Not a headline: MDE 5x', 'anchor': 'finding-1'}]
    """
    return [
        {
            "label": str(f.get("label") or f.get("question") or f"Finding {position + 1}"),
            "note": str(f["headline_note"]),
            "anchor": finding_anchor(position),
        }
        for position, f in enumerate(findings)
        if isinstance(f, Mapping) and f.get("headline_note")
    ]
