"""Project paths, resolved from the package location, never from the working directory.

Notebooks run from their own folder under nbval and from the caller's folder
under papermill; every path the toolkit uses is built from here so both work.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(os.environ.get("ANALYSIS_PROJECT_ROOT", Path(__file__).resolve().parents[1]))
DATA_DIR = PROJ_ROOT / "data"
SYNTHETIC_DIR = DATA_DIR / "synthetic"
REFERENCE_DIR = DATA_DIR / "reference"
RAW_DIR = DATA_DIR / "raw"
CONFIG_DIR = PROJ_ROOT / "config"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
