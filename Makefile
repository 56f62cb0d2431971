# Rayon: `make run` serves the app, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test test-fast lint format bench webapp screenshots system-deps clean help
.DEFAULT_GOAL := help

help:
	@echo "make run     install what is missing, build the web app, seed on first start, serve on :$(PORT)"
	@echo "make test    install what is missing and run every test (unit, API on SQLite and PostgreSQL, browser)"
	@echo "make lint    ruff;  make bench  run the benchmarks (slow)"
	@echo "make screenshots   the main views at 360x780 and 1280x800, into var/screenshots/"

# The virtualenv is rebuilt only when pyproject.toml changes.
$(VENV)/.stamp: pyproject.toml
	@scripts/system-deps.sh python spatialite
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

system-deps:
	@scripts/system-deps.sh python spatialite

webapp:
	@scripts/build-webapp.sh

run: $(VENV)/.stamp webapp
	@scripts/system-deps.sh spatialite
	$(BIN)/rayon serve --port $(PORT)

test: $(VENV)/.stamp
	@scripts/test.sh

lint: $(VENV)/.stamp
	$(BIN)/ruff check server seed_data tests benchmarks

format: $(VENV)/.stamp
	$(BIN)/ruff format server seed_data tests benchmarks
	$(BIN)/ruff check --fix server seed_data tests benchmarks

bench: $(VENV)/.stamp
	@scripts/system-deps.sh postgis
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/outlets.py
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/sync_load.py
	$(BIN)/python benchmarks/matching.py

# A throwaway database seeded like `make run`, Debian's Chromium as in the browser tests.
screenshots: $(VENV)/.stamp webapp
	@scripts/system-deps.sh spatialite
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var webapp/dist webapp/node_modules
