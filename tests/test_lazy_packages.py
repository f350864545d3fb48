"""Packages that import their names on first use still offer every name they list."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

LAZY_PACKAGES = ("analysis.evidence", "analysis.reporting")


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_every_listed_name_comes_from_its_module(name):
    package = importlib.import_module(name)
    assert package.__all__ == sorted(package._HOMES)
    for attribute, home in package._HOMES.items():
        module = importlib.import_module(f"{name}.{home}")
        assert getattr(package, attribute) is getattr(module, attribute)
    assert set(package.__all__) <= set(dir(package))


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_importing_the_package_imports_none_of_its_modules(name):
    code = f"import sys, {name}; print(sorted(m for m in sys.modules if m.startswith('{name}.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
