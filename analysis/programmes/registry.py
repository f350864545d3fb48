"""The one list of programmes: what the runner, the CLI, the scorecard and the tests read.

Every programme is a package ``analysis/programmes/<slug>/`` with the same parts
(``tables``, ``designs``, ``evaluation``, ``findings``, ``narrative``), a data
contract ``analysis/data/contracts/<slug>.py``, a synthetic generator
``analysis/synthetic/<slug>.py``, a config ``config/<slug>.yaml`` and a notebook
``notebooks/<slug>.ipynb``. The package's ``__init__`` declares ``TITLE`` and
``ORDER`` (where the programme sits in the scorecard) and imports nothing heavy,
so that listing programmes costs milliseconds. The registry finds the packages
itself: adding a programme touches no file outside its own parts.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..data.schema import Contract

_PACKAGE = __name__.rpartition(".")[0]


@dataclass(frozen=True)
class Programme:
    """One programme's parts, found by its slug.

    The heavy parts (contract, generator, evaluation, findings) are imported on
    first use, so that the registry itself stays light.

    Parameters
    ----------
    slug : str
        Folder and file name of every part, e.g. ``"lsavi"``.
    title : str
        Human-readable name, as reports and the scorecard show it.
    order : int
        Position in the scorecard and in ``python -m analysis list``.
    """

    slug: str
    title: str
    order: int

    def _part(self, module: str, name: str) -> Any:
        return getattr(importlib.import_module(module), name)

    @property
    def contract(self) -> Contract:
        """The programme's data contract (``analysis.data.contracts.<slug>.CONTRACT``)."""
        return self._part(f"analysis.data.contracts.{self.slug}", "CONTRACT")

    @property
    def generate(self) -> Callable[..., Any]:
        """The synthetic generator (``analysis.synthetic.<slug>.generate``)."""
        return self._part(f"analysis.synthetic.{self.slug}", "generate")

    @property
    def evaluate(self) -> Callable[..., Any]:
        """``evaluate(data, params) -> Evaluation`` (``<package>.evaluation.evaluate``)."""
        return self._part(f"{_PACKAGE}.{self.slug}.evaluation", "evaluate")

    @property
    def build_findings(self) -> Callable[..., Any]:
        """``build_findings(evaluation) -> list[Finding]`` (``<package>.findings``)."""
        return self._part(f"{_PACKAGE}.{self.slug}.findings", "build_findings")

    def load_arguments(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments the programme's notebook passes to ``analysis.data.load``.

        Every programme notebook loads its data as ``load(slug, source=source,
        seed=synthetic_seed, scale=synthetic_scale, extract_date=extract_date or
        None, world=synthetic_world)``; a parameter the run does not set keeps the
        notebook's default.
        Declared here, once, so that whoever needs a notebook's call without
        running the notebook (to load its data ahead of it) reads it from the
        programme; a test checks each notebook's own call against it.

        Parameters
        ----------
        parameters : mapping
            The notebook parameters the run sets (papermill's ``-p``).

        Examples
        --------
        >>> REGISTRY["lsavi"].load_arguments({"synthetic_seed": 7, "extract_date": ""})
        {'source': 'synthetic', 'seed': 7, 'scale': 1.0, 'extract_date': None, 'world': 'friendly'}
        """
        return {
            "source": parameters.get("source", "synthetic"),
            "seed": parameters.get("synthetic_seed", 2026),
            "scale": parameters.get("synthetic_scale", 1.0),
            "extract_date": parameters.get("extract_date") or None,
            "world": parameters.get("synthetic_world", "friendly"),
        }

    @property
    def notebook(self) -> Path:
        """The programme's notebook, ``notebooks/<slug>.ipynb``."""
        from ..config import notebook_path

        return notebook_path(self.slug)


def _discover() -> dict[str, Programme]:
    package = importlib.import_module(_PACKAGE)
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_PACKAGE}.{info.name}")
        missing = [name for name in ("TITLE", "ORDER") if not hasattr(module, name)]
        if missing:
            raise ImportError(
                f"programme package {module.__name__} must define {' and '.join(missing)} "
                "in its __init__.py (see docs/architecture.md)"
            )
        found.append(Programme(info.name, module.TITLE, module.ORDER))
    found.sort(key=lambda programme: (programme.order, programme.slug))
    return {programme.slug: programme for programme in found}


#: Every programme, slug -> :class:`Programme`, in scorecard order.
REGISTRY: Mapping[str, Programme] = MappingProxyType(_discover())


def get_programme(slug: str) -> Programme:
    """The registered programme ``slug``; an unknown slug is a ``ConfigError`` naming the choices.

    Examples
    --------
    >>> get_programme("lsavi").title
    'lSaVI (licensing Security and Vulnerability Initiative)'
    """
    try:
        return REGISTRY[slug]
    except KeyError:
        raise ConfigError(
            f"unknown programme '{slug}'; choose one of: {', '.join(REGISTRY)}"
        ) from None


def programme_title(slug: str) -> str:
    """Human-readable name of a programme, or its slug made readable if it is not registered.

    Examples
    --------
    >>> programme_title("op_focus")
    'Operation Focus'
    >>> programme_title("retired_pilot")
    'Retired pilot'
    """
    programme = REGISTRY.get(slug)
    return programme.title if programme else slug.replace("_", " ").capitalize()
