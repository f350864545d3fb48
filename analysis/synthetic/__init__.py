"""Synthetic extracts at Dorset scale with planted effects, one module per programme.

Each programme module defines ``generate(*, seed=0, scale=1.0, **effects)``
returning :class:`SyntheticData`: tables that pass the programme's contract
(raw identifiers, as an extract would hold them) and the planted ``truth``,
keyed by the estimand names the notebook reports, so tests and reports can
check whether an estimate recovered it. Same seed and scale, same bytes.
The generators are found as this package's modules, so synthetic data knows
its programmes without importing the programmes layer above it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import ConfigError


@dataclass
class SyntheticData:
    """A synthetic extract and the truth planted in it.

    Parameters
    ----------
    programme : str
        Programme slug.
    tables : dict of str to DataFrame
        One DataFrame per contract table, named as the contract names them.
    truth : dict of str to float
        Planted value of each estimand, keyed by estimand name.
    extract_date : pandas.Timestamp
        Date the extract is "taken": no event after it.
    parameters : dict
        Seed, scale and effect sizes used.
    """

    programme: str
    tables: dict[str, pd.DataFrame]
    truth: dict[str, float]
    extract_date: pd.Timestamp
    parameters: dict[str, Any] = field(default_factory=dict)


def generator_programmes() -> tuple[str, ...]:
    """The programmes that have a synthetic generator here: this package's modules, sorted.

    Examples
    --------
    >>> {"lsavi", "op_focus", "perpetrator_programmes"} <= set(generator_programmes())
    True
    """
    return tuple(
        sorted(
            info.name
            for info in pkgutil.iter_modules(__path__)
            if not info.ispkg and not info.name.startswith("_")
        )
    )


def generate(
    programme: str,
    *,
    seed: int = 0,
    scale: float = 1.0,
    world: str = "friendly",
    **effects: Any,
) -> SyntheticData:
    """Generate a programme's synthetic extract with planted effects.

    Parameters
    ----------
    programme : str
        Programme slug (``op_focus``, ``perpetrator_programmes``, ``lsavi``).
    seed : int
        Random seed: the same seed and scale give the same tables.
    scale : float
        Volume multiplier (1 is Dorset scale; 50 is roughly national).
    world : str
        Named world (see :func:`worlds`): ``"friendly"``, the default, is the
        world where each design's key assumption holds exactly; the others break
        one assumption the way real data do, and state the truth they plant.
    **effects
        Planted effect sizes, overriding the programme's defaults (see each
        programme module's ``DEFAULT_EFFECTS``).

    Returns
    -------
    SyntheticData
    """
    known = generator_programmes()
    if programme not in known:
        raise ConfigError(f"unknown programme '{programme}'; choose one of: {', '.join(known)}")
    if scale <= 0:
        raise ConfigError(f"scale must be positive, got {scale}")
    module = importlib.import_module(f"{__name__}.{programme}")
    if world != "friendly":
        # Only generators that declare WORLDS take a world (scaffolded ones may not).
        choices = worlds(programme)
        if world not in choices:
            raise ConfigError(
                f"unknown {programme} synthetic world {world!r}; choose one of: "
                f"{', '.join(choices)}"
            )
        effects = {**effects, "world": world}
    return module.generate(seed=seed, scale=scale, **effects)


def worlds(programme: str) -> dict[str, str]:
    """The named synthetic worlds a programme's generator can build.

    Parameters
    ----------
    programme : str
        Programme slug with a generator in this package.

    Returns
    -------
    dict of str to str
        World name to a one-line description of what fails in it and which
        design it threatens; ``"friendly"`` first.

    Raises
    ------
    ConfigError
        When no generator exists for ``programme``.

    Examples
    --------
    >>> list(worlds("lsavi"))[0]
    'friendly'
    """
    generators = generator_programmes()
    if programme not in generators:
        raise ConfigError(
            f"no synthetic generator for programme {programme!r}; choose one of: "
            f"{', '.join(generators)}"
        )
    module = importlib.import_module(f"{__name__}.{programme}")
    return dict(getattr(module, "WORLDS", {"friendly": "the generator's only world"}))
