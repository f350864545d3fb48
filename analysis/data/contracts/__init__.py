"""Each programme's data contract, one module per programme.

A programme module defines ``CONTRACT`` (an :class:`analysis.data.schema.Contract`).
"""

from __future__ import annotations

import importlib

from ...errors import ConfigError
from ..schema import Contract


def get_contract(programme: str) -> Contract:
    """Return the data contract of ``programme``.

    Examples
    --------
    >>> get_contract("lsavi").table_names  # doctest: +SKIP
    ['premises', 'self_assessments', 'incidents']
    """
    from ... import PROGRAMMES

    if programme not in PROGRAMMES:
        raise ConfigError(
            f"unknown programme '{programme}'; choose one of: {', '.join(PROGRAMMES)}"
        )
    module = importlib.import_module(f"{__name__}.{programme}")
    return module.CONTRACT
