"""Programme configuration: YAML files in ``config/`` and command-line overrides.

Parameters are resolved in this order, later winning: the notebook's own
defaults, the programme's YAML (``config/<slug>.yaml`` or ``--config FILE``),
``--source``, then each ``-p NAME=VALUE``. Every name and type is checked
against the notebook's ``parameters`` cell before anything runs, so a typo or
a wrong type is a clear error rather than a silently ignored value.

This module sits at the bottom of the package's layers, beside ``paths``: it
reads the project's files for a programme slug (``config/<slug>.yaml``,
``notebooks/<slug>.ipynb``) and knows nothing of which programmes exist, so
that the data layer can read a programme's queries from it. Whoever takes a
slug from a user checks it against :data:`analysis.programmes.REGISTRY` first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .paths import CONFIG_DIR, NOTEBOOKS_DIR

#: Parameters the runner sets itself; users cannot override them.
RUNNER_PARAMETERS = frozenset({"findings_path"})


@dataclass(frozen=True)
class NotebookParameter:
    """One entry of a notebook's ``parameters`` cell."""

    name: str
    type: str
    default: Any
    help: str


@dataclass
class ProgrammeConfig:
    """Resolved settings for one programme run.

    Parameters
    ----------
    programme : str
        Programme slug.
    parameters : dict
        Papermill parameters that differ from, or add to, the notebook defaults.
    queries : dict
        Optional SQL query per input table (for a SQLAlchemy source).
    path : Path or None
        The YAML file the settings came from.
    """

    programme: str
    parameters: dict[str, Any] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def notebook_path(programme: str) -> Path:
    """Path of a programme's notebook, ``notebooks/<programme>.ipynb``, checking it exists."""
    path = NOTEBOOKS_DIR / f"{programme}.ipynb"
    if not path.exists():
        raise ConfigError(f"notebook for '{programme}' not found at {path}")
    return path


def notebook_parameters(programme: str) -> dict[str, NotebookParameter]:
    """Parameters declared in a programme notebook's ``parameters`` cell.

    Read by papermill's rules (:mod:`analysis.parameters_cell`), so what is
    listed is exactly what papermill can inject.
    """
    from .parameters_cell import inspect_notebook

    raw = inspect_notebook(notebook_path(programme))
    params = {}
    for name, info in raw.items():
        params[name] = NotebookParameter(
            name=name,
            type=str(info.get("inferred_type_name") or "None"),
            default=_literal(info.get("default")),
            help=str(info.get("help") or ""),
        )
    return params


def _literal(text: Any) -> Any:
    """Evaluate a default's source text as a Python literal where possible."""
    import ast

    if not isinstance(text, str):
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def load_config(programme: str, path: str | Path | None = None) -> ProgrammeConfig:
    """Read a programme's YAML configuration.

    Parameters
    ----------
    programme : str
        Programme slug.
    path : path-like, optional
        A YAML file; by default ``config/<programme>.yaml`` (an absent
        default file simply means no overrides).

    Returns
    -------
    ProgrammeConfig
    """
    explicit = path is not None
    path = Path(path) if explicit else CONFIG_DIR / f"{programme}.yaml"
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} does not exist")
        return ProgrammeConfig(programme)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(content, dict):
        raise ConfigError(f"{path} must hold a mapping with 'parameters' (and optional 'queries')")
    named = content.get("programme", programme)
    if named != programme:
        raise ConfigError(f"{path} is for programme '{named}', not '{programme}'")
    # analysis_plan is read by analysis.evidence.plan.read_analysis_plan.
    unknown = set(content) - {"programme", "parameters", "queries", "description", "analysis_plan"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown top-level key(s) {sorted(unknown)}; "
            "expected 'programme', 'parameters', 'queries'"
        )
    parameters = content.get("parameters") or {}
    queries = content.get("queries") or {}
    if not isinstance(parameters, dict) or not isinstance(queries, dict):
        raise ConfigError(f"{path}: 'parameters' and 'queries' must be mappings")
    parameters = {k: _yaml_value(v) for k, v in parameters.items()}
    return ProgrammeConfig(
        programme, parameters, {str(k): str(v) for k, v in queries.items()}, path
    )


def _yaml_value(value: Any) -> Any:
    # YAML turns 2026-04-01 into a date; notebooks take ISO strings.
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def parse_override(text: str) -> tuple[str, Any]:
    """Parse one ``-p NAME=VALUE`` as papermill does (YAML scalars).

    Examples
    --------
    >>> parse_override("synthetic_seed=7")
    ('synthetic_seed', 7)
    >>> parse_override("source=data/raw/focus")
    ('source', 'data/raw/focus')
    >>> parse_override("pilot_start=2026-04-01")
    ('pilot_start', '2026-04-01')
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ConfigError(f"parameter '{text}' must be written NAME=VALUE (e.g. synthetic_seed=7)")
    try:
        parsed = yaml.safe_load(value) if value.strip() else ""
    except yaml.YAMLError:
        parsed = value
    return name, _yaml_value(parsed)


_TYPE_CHECKS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def check_parameters(programme: str, values: dict[str, Any]) -> None:
    """Check names and types of parameters against the notebook's declarations.

    Raises
    ------
    ConfigError
        Naming every unknown parameter (with the close matches) and every
        value of the wrong type.
    """
    import difflib

    declared = notebook_parameters(programme)
    problems = []
    for name, value in values.items():
        if name in RUNNER_PARAMETERS:
            problems.append(f"'{name}' is set by the batch runner and cannot be overridden")
            continue
        if name not in declared:
            close = difflib.get_close_matches(name, declared, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"'{name}' is not a parameter of {programme}{hint}")
            continue
        expected = declared[name].type
        allowed = _TYPE_CHECKS.get(expected)
        wrong_bool = expected in ("int", "float") and isinstance(value, bool)
        if allowed and (not isinstance(value, allowed) or wrong_bool):
            problems.append(
                f"'{name}' must be {expected} (notebook default {declared[name].default!r}), "
                f"got {value!r} ({type(value).__name__})"
            )
    if problems:
        raise ConfigError(f"bad parameters for {programme}: " + "; ".join(problems))


def resolve_parameters(
    programme: str,
    *,
    config: ProgrammeConfig | None = None,
    source: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Parameters to inject: config file, then ``--source``, then ``-p`` overrides."""
    config = config or load_config(programme)
    values: dict[str, Any] = dict(config.parameters)
    if source is not None:
        values["source"] = source
    values.update(overrides or {})
    check_parameters(programme, values)
    return values


def parse_number_pairs(text: str, *, what: str, form: str = "name:number") -> dict[str, float]:
    """Parse ``"name:number,name:number"`` (``name=number`` too), as notebook parameters write them.

    Parameters
    ----------
    text : str
        The pairs, comma-separated; blank gives no pairs.
    what : str
        What the pairs are, for the error message (e.g. ``"harm weight override"``).
    form : str
        How one pair is written, for the error message (e.g. ``"group:days"``).

    Examples
    --------
    >>> parse_number_pairs("rape:1825, robbery=300", what="harm weight override")
    {'rape': 1825.0, 'robbery': 300.0}
    >>> parse_number_pairs("", what="harm weight override")
    {}
    """
    pairs: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.replace("=", ":").partition(":")
        try:
            pairs[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"{what} '{item}' must be written {form} (a number)") from None
    return pairs


def parse_list(text: str) -> tuple[str, ...]:
    """Parse a comma-separated notebook parameter into its items, blanks dropped.

    Examples
    --------
    >>> parse_list("High, Very high,")
    ('High', 'Very high')
    """
    return tuple(item.strip() for item in text.split(",") if item.strip())
