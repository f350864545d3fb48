# Dorset pilot programme evaluation. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
# The oldest Python the toolkit supports: the floor of requires-python in pyproject.toml
# (tests/test_environment.py keeps the two equal, and every pin in requirements.lock installs on it).
PYTHON_MIN := 3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
KERNEL := dorset-eval
STAMP := $(VENV)/.installed
JOBS ?= 3

.PHONY: help check-python setup reports test test-fast lint format lab synth validate bench clean clean-reports

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Checked before the environment is made, so that a wrong or incomplete Python stops here with
# the fix rather than halfway through pip. Debian and Ubuntu ship venv's ensurepip separately
# (python3-venv); without it `python3 -m venv` leaves a folder with no pip in it.
define CHECK_PYTHON
import sys
need = tuple(int(part) for part in "$(PYTHON_MIN)".split("."))
found = ".".join(str(part) for part in sys.version_info[:3])
if sys.version_info[: len(need)] < need:
    sys.exit(
        f"make setup: {sys.executable} is Python {found}; the toolkit needs Python $(PYTHON_MIN) "
        "or newer. Install one (e.g. Debian 12: apt-get install python3) and run "
        "`make setup PYTHON=/path/to/python3.11`."
    )
try:
    import ensurepip
    import venv  # noqa: F401

    ensurepip.version()
except Exception as error:
    sys.exit(
        f"make setup: Python {found} at {sys.executable} cannot create a virtual environment "
        f"({type(error).__name__}: {error}). On Debian/Ubuntu install the venv module: "
        "`sudo apt-get install python3-venv`; elsewhere use a python.org or pyenv Python."
    )
endef
export CHECK_PYTHON

check-python: ## Check that PYTHON (default python3) is new enough and can create a virtual environment
	@command -v $(PYTHON) > /dev/null 2>&1 || { echo "make setup: '$(PYTHON)' not found; install Python $(PYTHON_MIN) or newer, or run make setup PYTHON=/path/to/python3" >&2; exit 1; }
	@$(PYTHON) -c "$$CHECK_PYTHON"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || { $(MAKE) --no-print-directory check-python PYTHON="$(PYTHON)" && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# Bytecode now, as pip does for every other package: where PYTHONDONTWRITEBYTECODE is set,
	@# each kernel would otherwise compile the package from source on every run.
	$(PY) -m compileall -q analysis > /dev/null
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (dorset-eval)" > /dev/null
	@touch $(STAMP)
	@echo "Environment ready in $(VENV) (kernel '$(KERNEL)')."

setup: $(STAMP) ## Create .venv, install pinned dependencies and the package, register the kernel

data/synthetic/.complete: $(STAMP) $(wildcard analysis/synthetic/*.py)
	$(PY) -m analysis synth && touch $@

synth: data/synthetic/.complete ## Write the synthetic data (data/synthetic/) if it is missing or stale

reports: setup synth ## Run every programme notebook and write reports/ (HTML, executed notebooks, findings.json, index)
	$(PY) -m analysis run --jobs $(JOBS)

test: setup synth ## Run the whole test suite: unit, known-answer, notebooks (nbval), end to end
	$(PY) -m pytest -n 2 --dist loadgroup
	$(PY) -m pytest --nbval --nbval-current-env -o addopts="" notebooks/

test-fast: setup ## Unit tests only (no notebooks, no end-to-end)
	$(PY) -m pytest -n 2 -m "not slow and not notebook and not browser"

lint: setup ## ruff lint and format check over package, tests and notebooks
	$(BIN)/ruff check analysis tests notebooks benchmarks
	$(BIN)/ruff format --check analysis tests notebooks benchmarks

format: setup ## Apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix analysis tests notebooks benchmarks
	$(BIN)/ruff format analysis tests notebooks benchmarks

lab: setup synth ## Open JupyterLab on the project kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks

validate: setup ## Full coverage study of the estimators (slow); writes benchmarks/results/coverage_*.csv
	$(PY) -m pytest -n 2 -m slow

bench: setup synth ## Benchmarks against reference tools; writes benchmarks/results/
	$(PY) -m benchmarks

clean-reports: ## Remove generated reports (keeps reports/README.md)
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +

clean: clean-reports ## Remove the environment and generated data
	rm -rf $(VENV) data/synthetic/*/ data/synthetic/.complete
