"""Synthetic generator cases: every programme at scale 1 (Dorset) and 50 (roughly national)."""

from __future__ import annotations

from typing import Any

from analysis.programmes import REGISTRY


def prepare(case: str, size: int) -> dict[str, Any]:
    """Nothing to prepare: the case is the generation itself."""
    return {"programme": case, "scale": size}


def warm(case: str) -> None:
    """Import the generator (outside the timed region)."""
    import importlib

    importlib.import_module(f"analysis.synthetic.{case}")


def _generate(p: dict) -> dict:
    from analysis.synthetic import generate

    data = generate(p["programme"], seed=1, scale=p["scale"])
    return {"rows": int(sum(len(t) for t in data.tables.values()))}


CASES = dict.fromkeys(REGISTRY, _generate)
