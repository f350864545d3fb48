"""Programmes: one package per programme, each with the same parts, and the registry.

See :mod:`analysis.programmes.registry` and ``docs/architecture.md``.
"""

from .registry import REGISTRY, Programme, get_programme, programme_title

__all__ = ["REGISTRY", "Programme", "get_programme", "programme_title"]
