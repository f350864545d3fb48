"""Build step: ship the notebooks, configs and reference data inside the wheel.

Everything else about the build is declared in ``pyproject.toml``. A plain
(non-editable) ``pip install .`` puts only the ``analysis`` package into
``site-packages``; without the programmes' notebooks, configs and reference
tables next to it, ``python -m analysis run`` would have nothing to run. This
copies them into ``analysis/_shipped/`` of the built package, where
:mod:`analysis.paths` falls back to them when no checkout is around. An editable
install runs from the checkout itself, so nothing is copied for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent

#: Folders copied into the wheel, with the files each contributes (kept in step with
#: ``analysis.paths.SHIPPED_INPUTS`` and ``MANIFEST.in``).
SHIPPED = {"notebooks": "*.ipynb", "config": "*.yaml", "data/reference": "*"}


class BuildWithShippedInputs(build_py):
    """``build_py`` that also copies the programmes' inputs into ``analysis/_shipped``."""

    def run(self) -> None:
        """Build the package as usual, then copy the inputs beside it (not when editable)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "analysis" / "_shipped"
        shutil.rmtree(target, ignore_errors=True)
        for folder, pattern in SHIPPED.items():
            source = ROOT / folder
            if not source.is_dir():
                raise FileNotFoundError(
                    f"{source} is missing: build the package from a full checkout or sdist "
                    "(MANIFEST.in lists what an sdist carries)"
                )
            for path in sorted(source.glob(pattern)):
                if path.is_file():
                    destination = target / folder / path.name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, destination)


setup(cmdclass={"build_py": BuildWithShippedInputs})
