"""The analysis plan: what a programme's evaluation promised to test, fixed before the results.

An ``analysis_plan:`` block in ``config/<slug>.yaml`` names the primary outcome
and its design (the one finding judged on its own p-value), the families of
secondary findings whose p-values are adjusted together, and the diagnostics
each rating depends on. :func:`read_analysis_plan` reads and validates it; its
SHA-256 fingerprint goes into the run's provenance, so a reader can tell whether
the plan changed after the data were seen.

Schema::

    analysis_plan:
      registered: "2025-03-01"          # optional: when the plan was fixed
      primary:
        question: Did Focus raise the charge rate?
        outcome: charge_rate            # a name the programme's findings use
        design: regression_discontinuity
        expected_effect: 5.0            # optional, on the estimate's scale
      secondary:                        # optional
        - family: victim outcomes
          outcomes: [withdrawal_rate, time_to_charge]
          adjustment: holm              # holm (default) or bh
      diagnostics: [density, first_stage]   # optional; see DIAGNOSTICS
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .multiplicity import METHODS
from .sms import DESIGN_LEVELS

__all__ = ["DIAGNOSTICS", "AnalysisPlan", "Family", "programme_plan", "read_analysis_plan"]

#: Diagnostics a plan may name -> what each checks (see :mod:`analysis.evidence.checks`).
DIAGNOSTICS: dict[str, str] = {
    "balance": "absolute standardised differences at most 0.1 after matching or weighting",
    "overlap": "propensity c-statistic at most 0.9 and enough effective comparison units",
    "pretrend": "no difference in pre-period trends (joint test)",
    "density": "no sorting of units across a discontinuity's cutoff",
    "first_stage": "first-stage F of at least 10",
    "placebo": "no effect at a placebo date or in a placebo group",
    "negative_control": "no effect on an outcome the programme cannot change",
}

_TOP_KEYS = {"registered", "primary", "secondary", "diagnostics"}
_PRIMARY_KEYS = {"question", "outcome", "design", "expected_effect"}
_FAMILY_KEYS = {"family", "outcomes", "adjustment"}


@dataclass(frozen=True)
class Family:
    """A family of secondary outcomes whose p-values are adjusted together."""

    name: str
    outcomes: tuple[str, ...]
    adjustment: str = "holm"


@dataclass(frozen=True)
class AnalysisPlan:
    """A validated analysis plan.

    Attributes
    ----------
    question, outcome, design : str
        The primary question, its outcome and its design.
    expected_effect : float or None
        The effect the programme was expected to have on the primary outcome.
    families : tuple of Family
    diagnostics : tuple of str
        Keys of :data:`DIAGNOSTICS`.
    registered : str
        When the plan was fixed ('' when not stated).
    source : str
        Where it was read from.
    sha256 : str
        Fingerprint of the plan's content (canonical JSON of the block: key
        order, comments and layout of the YAML do not change it).
    """

    question: str
    outcome: str
    design: str
    expected_effect: float | None
    families: tuple[Family, ...]
    diagnostics: tuple[str, ...]
    registered: str
    source: str
    sha256: str

    def family_of(self, outcome: str) -> str:
        """The family an outcome belongs to ('' for the primary or an unplanned outcome).

        Examples
        --------
        >>> plan = read_analysis_plan({"primary": {"question": "q", "outcome": "y",
        ...     "design": "event_study"}, "secondary": [{"family": "harm", "outcomes": ["z"]}]})
        >>> plan.family_of("z"), plan.family_of("y")
        ('harm', '')
        """
        for family in self.families:
            if outcome in family.outcomes:
                return family.name
        return ""

    def provenance(self) -> dict[str, Any]:
        """The plan's entry in a run's provenance: source, registration date and fingerprint.

        A source inside the project is recorded relative to it, so that provenance names
        no one's folders and two checkouts record the same plan alike.
        """
        from ..paths import PROJ_ROOT

        source = self.source
        with contextlib.suppress(TypeError, ValueError, OSError):
            path = Path(source).resolve()
            if path.is_relative_to(PROJ_ROOT.resolve()):
                source = path.relative_to(PROJ_ROOT.resolve()).as_posix()
        return {"source": source, "registered": self.registered, "sha256": self.sha256}


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _text(block: Mapping[str, Any], key: str, where: str) -> str:
    value = block.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def _unknown(block: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(block) - allowed
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {sorted(map(str, unknown))}; expected {sorted(allowed)}"
        )


def read_analysis_plan(
    source: str | os.PathLike[str] | Mapping[str, Any],
) -> AnalysisPlan | None:
    """Read and validate an analysis plan.

    Parameters
    ----------
    source : path-like or mapping
        A programme's YAML config (its ``analysis_plan`` block is read), or the
        block itself as a mapping.

    Returns
    -------
    AnalysisPlan or None
        ``None`` when the config has no ``analysis_plan`` block.

    Raises
    ------
    ConfigError
        Naming the file and the key, for a missing file, invalid YAML, an
        unknown key, design, diagnostic or adjustment, an outcome planned
        twice, or an expected effect that is not a number.

    Examples
    --------
    >>> plan = read_analysis_plan({
    ...     "primary": {"question": "Did charges rise?", "outcome": "charge_rate",
    ...                 "design": "regression_discontinuity", "expected_effect": 5},
    ...     "secondary": [{"family": "victims", "outcomes": ["withdrawal", "time_to_charge"],
    ...                    "adjustment": "bh"}],
    ...     "diagnostics": ["density", "first_stage"]})
    >>> plan.design, plan.families[0].adjustment, len(plan.sha256)
    ('regression_discontinuity', 'bh', 64)
    """
    if isinstance(source, Mapping):
        block, where = source, "analysis plan"
    else:
        import yaml

        path = Path(source)
        where = f"{path}: analysis_plan"
        if not path.exists():
            raise ConfigError(f"config file {path} does not exist")
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path} is not valid YAML: {exc}") from None
        if not isinstance(content, Mapping):
            raise ConfigError(f"{path} must hold a mapping")
        if "analysis_plan" not in content:
            return None
        block = content["analysis_plan"]
        source = str(path)
    if not isinstance(block, Mapping):
        raise ConfigError(f"{where} must be a mapping with 'primary' (and optional keys)")
    _unknown(block, _TOP_KEYS, where)
    primary = block.get("primary")
    if not isinstance(primary, Mapping):
        raise ConfigError(f"{where}: 'primary' must be a mapping with question, outcome, design")
    _unknown(primary, _PRIMARY_KEYS, f"{where}.primary")
    question = _text(primary, "question", f"{where}.primary")
    outcome = _text(primary, "outcome", f"{where}.primary")
    design = _text(primary, "design", f"{where}.primary")
    if design not in DESIGN_LEVELS:
        raise ConfigError(
            f"{where}.primary: unknown design '{design}'; known designs: "
            f"{', '.join(sorted(DESIGN_LEVELS))}"
        )
    expected = primary.get("expected_effect")
    if expected is not None:
        if (
            isinstance(expected, bool)
            or not isinstance(expected, int | float)
            or not math.isfinite(expected)
        ):
            raise ConfigError(
                f"{where}.primary: expected_effect must be a number on the estimate's scale, "
                f"got {expected!r}"
            )
        expected = float(expected)

    families: list[Family] = []
    seen = {outcome: "the primary outcome"}
    secondary = block.get("secondary") or []
    if not isinstance(secondary, list):
        raise ConfigError(f"{where}: 'secondary' must be a list of families")
    for position, item in enumerate(secondary, start=1):
        at = f"{where}.secondary[{position}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at} must be a mapping with family and outcomes")
        _unknown(item, _FAMILY_KEYS, at)
        name = _text(item, "family", at)
        if any(f.name == name for f in families):
            raise ConfigError(f"{at}: family '{name}' is listed twice")
        outcomes = item.get("outcomes")
        if (
            not isinstance(outcomes, list)
            or not outcomes
            or not all(isinstance(o, str) and o.strip() for o in outcomes)
        ):
            raise ConfigError(f"{at}: 'outcomes' must be a non-empty list of outcome names")
        for name_of_outcome in outcomes:
            if name_of_outcome in seen:
                raise ConfigError(
                    f"{at}: outcome '{name_of_outcome}' is already {seen[name_of_outcome]}; "
                    "each outcome belongs to one family"
                )
            seen[name_of_outcome] = f"in family '{name}'"
        adjustment = str(item.get("adjustment", "holm")).lower()
        if adjustment not in METHODS:
            raise ConfigError(
                f"{at}: unknown adjustment '{adjustment}'; use one of {sorted(METHODS)}"
            )
        families.append(Family(name, tuple(o.strip() for o in outcomes), adjustment))

    diagnostics = block.get("diagnostics") or []
    if not isinstance(diagnostics, list):
        raise ConfigError(f"{where}: 'diagnostics' must be a list of names")
    for name in diagnostics:
        if name not in DIAGNOSTICS:
            raise ConfigError(
                f"{where}: unknown diagnostic {name!r}; known: {', '.join(DIAGNOSTICS)}"
            )
    registered = block.get("registered") or ""
    if isinstance(registered, dt.date):
        registered = registered.isoformat()
    canonical = json.dumps(_canonical(block), sort_keys=True, separators=(",", ":"))
    return AnalysisPlan(
        question=question,
        outcome=outcome,
        design=design,
        expected_effect=expected,
        families=tuple(families),
        diagnostics=tuple(diagnostics),
        registered=str(registered),
        source=str(source) if not isinstance(source, Mapping) else "",
        sha256=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    )


def programme_plan(slug: str, path: str | os.PathLike[str] | None = None) -> AnalysisPlan:
    """A programme's analysis plan: the ``analysis_plan:`` block of ``config/<slug>.yaml``.

    Parameters
    ----------
    slug : str
        The programme; its config is read unless ``path`` names another file.
    path : path-like, optional
        Another config file holding the programme's plan (an edited copy, a test's).

    Returns
    -------
    AnalysisPlan

    Raises
    ------
    ConfigError
        When the file has no ``analysis_plan`` block (naming the file and what the block
        must hold), or as :func:`read_analysis_plan` raises.

    Examples
    --------
    >>> plan = programme_plan("lsavi")
    >>> plan.outcome, plan.provenance()["source"]
    ('violence_vulnerability', 'config/lsavi.yaml')
    """
    from ..paths import CONFIG_DIR

    source = Path(path) if path is not None else CONFIG_DIR / f"{slug}.yaml"
    plan = read_analysis_plan(source)
    if plan is None:
        raise ConfigError(
            f"{source}: no analysis_plan block; the {slug} findings need one naming the "
            "primary question, outcome and design, the expected effect and the secondary "
            f"families (see config/{slug}.yaml in the repository)"
        )
    return plan
