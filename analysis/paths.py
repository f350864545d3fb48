"""Project paths, resolved from the package location, never from the working directory.

Notebooks run from their own folder under nbval and from the caller's folder
under papermill; every path the toolkit uses is built from here so both work.

Two kinds of path, found in two ways:

* **Inputs** (notebooks, ``config/*.yaml``, ``data/reference/``) come from the
  project root when it has them (a checkout, or an editable install of one),
  otherwise from the copies shipped inside the installed package
  (``analysis/_shipped/``, written when the wheel is built).
* **Outputs** (``reports/``, ``data/synthetic/``, ``data/raw/``) go under the
  project root: ``ANALYSIS_PROJECT_ROOT`` when set, else the checkout the package
  was imported from, else (a plain ``pip install .``) the current directory, so
  nothing is ever written into ``site-packages``.

Examples
--------
>>> from analysis.paths import NOTEBOOKS_DIR, PROJ_ROOT
>>> (NOTEBOOKS_DIR / "lsavi.ipynb").is_file()
True
>>> PROJ_ROOT.is_dir()
True
"""

from __future__ import annotations

import os
from pathlib import Path

#: The installed package: ``analysis/`` in a checkout, ``site-packages/analysis`` otherwise.
PACKAGE_DIR = Path(__file__).resolve().parent

#: Notebooks, configs and reference data copied into the wheel at build time (see
#: ``setup.py``); absent in a checkout, where the originals are used.
SHIPPED_DIR = PACKAGE_DIR / "_shipped"

#: What the project root holds for programmes to run from it (and the wheel ships).
SHIPPED_INPUTS = ("notebooks", "config", "data/reference")


def is_checkout(folder: Path) -> bool:
    """Whether ``folder`` is the project's own working tree (its notebooks and build file).

    ``site-packages`` never is: a plain install puts only the package there.

    Examples
    --------
    >>> is_checkout(PACKAGE_DIR.parent) == (PACKAGE_DIR.parent / "pyproject.toml").is_file()
    True
    """
    return (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir()


def project_root() -> Path:
    """Where outputs go and inputs are looked for first.

    ``ANALYSIS_PROJECT_ROOT`` when set; else the checkout this package lives in
    (a clone, or an editable install); else the current working directory.

    Examples
    --------
    >>> project_root() == PROJ_ROOT
    True
    """
    configured = os.environ.get("ANALYSIS_PROJECT_ROOT")
    if configured:
        return Path(configured).expanduser()
    if is_checkout(PACKAGE_DIR.parent):
        return PACKAGE_DIR.parent
    return Path.cwd()


def input_dir(relative: str) -> Path:
    """An input folder: under the project root when it is there, else the shipped copy.

    When neither exists (a broken install), the project-root path is returned,
    so that the error names where the files were expected.

    Examples
    --------
    >>> input_dir("config").joinpath("lsavi.yaml").is_file()
    True
    """
    local = PROJ_ROOT / relative
    if local.is_dir():
        return local
    shipped = SHIPPED_DIR / relative
    return shipped if shipped.is_dir() else local


PROJ_ROOT = project_root()
DATA_DIR = PROJ_ROOT / "data"
SYNTHETIC_DIR = DATA_DIR / "synthetic"
RAW_DIR = DATA_DIR / "raw"
REPORTS_DIR = PROJ_ROOT / "reports"
REFERENCE_DIR = input_dir("data/reference")
CONFIG_DIR = input_dir("config")
NOTEBOOKS_DIR = input_dir("notebooks")
