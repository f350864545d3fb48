# Dorset pilot programme evaluation. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
KERNEL := dorset-eval
STAMP := $(VENV)/.installed
JOBS ?= 3

.PHONY: help setup reports test test-fast lint format lab synth validate bench clean clean-reports

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
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
