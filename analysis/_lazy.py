"""Packages whose public names are imported from their modules on first use (PEP 562).

A package that re-exports its modules' names would otherwise import every module,
and what they import, as soon as any one of them is wanted: the batch runner's
caller, which needs the browser driver and the scorecard, would pay for pandas.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's module-level ``__getattr__`` and ``__dir__`` for names imported on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    homes : mapping of str to str
        Public name -> the submodule of ``package`` that defines it.

    Returns
    -------
    tuple of callable
        ``(__getattr__, __dir__)``, to assign at the package's top level. A name,
        once imported, is kept in the package like any other attribute.

    Examples
    --------
    >>> import analysis.reporting as reporting
    >>> "render_report" in dir(reporting)
    True
    >>> reporting.no_such_name
    Traceback (most recent call last):
    AttributeError: module 'analysis.reporting' has no attribute 'no_such_name'
    """
    namespace = sys.modules[package].__dict__

    def attribute(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{home}", package), name)
        namespace[name] = value
        return value

    def names() -> list[str]:
        return sorted({*namespace, *homes})

    return attribute, names
