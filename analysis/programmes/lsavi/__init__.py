"""The programme's analysis, in the parts every programme shares.

Transitional: the analysis still lives in one module, ``_legacy``, while it is split into
``tables``, ``designs``, ``evaluation``, ``findings`` and ``narrative``.
"""

import importlib
from typing import Any

TITLE = "lSaVI (licensing Security and Vulnerability Initiative)"
ORDER = 30


def __getattr__(name: str) -> Any:
    try:
        return getattr(importlib.import_module(f"{__name__}._legacy"), name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
