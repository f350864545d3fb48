"""Each programme's data contract, one module per programme.

A programme module defines ``CONTRACT`` (an :class:`analysis.data.schema.Contract`).
The contracts are found as this package's modules, so the data layer knows
its programmes without importing the programmes layer above it.
"""

from __future__ import annotations

import importlib
import pkgutil

from ...errors import ConfigError
from ..schema import Contract


def contract_programmes() -> tuple[str, ...]:
    """The programmes that have a data contract here: this package's modules, sorted.

    Examples
    --------
    >>> {"lsavi", "op_focus", "perpetrator_programmes"} <= set(contract_programmes())
    True
    """
    return tuple(
        sorted(
            info.name
            for info in pkgutil.iter_modules(__path__)
            if not info.ispkg and not info.name.startswith("_")
        )
    )


def get_contract(programme: str) -> Contract:
    """Return the data contract of ``programme``.

    Examples
    --------
    >>> get_contract("lsavi").table_names  # doctest: +SKIP
    ['premises', 'self_assessments', 'incidents']
    """
    known = contract_programmes()
    if programme not in known:
        raise ConfigError(f"unknown programme '{programme}'; choose one of: {', '.join(known)}")
    module = importlib.import_module(f"{__name__}.{programme}")
    return module.CONTRACT
