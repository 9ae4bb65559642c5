# The two commands of the quick start: `make demo` and `make test`. Each creates or refreshes the virtual
# environment from pyproject.toml first, so they work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

# Embedded default: everything under the project folder, never ~/.prefect.
export AANPAK_DATA_DIR ?= $(CURDIR)/.aanpak
export PREFECT_HOME ?= $(CURDIR)/.aanpak/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: venv demo test test-snel lint bench up down clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# axe-core for the browser tests' accessibility checks (tests/browser/package-lock.json); the browser itself is
# Debian's /usr/bin/chromium (.ci/run installs it with apt-get).
AXE := tests/browser/node_modules/.installed-stamp
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	  else echo "npm ontbreekt: de browsertests kunnen axe-core niet laden" >&2; fi

# The demo runs its own server in its own folder; afterwards a background aanpak server on the normal data
# folder is left running for a newcomer (ops/server.sh, stopped by `make down`).
demo: venv
	@mkdir -p -m 700 "$(AANPAK_DATA_DIR)" && mkdir -p "$(PREFECT_HOME)"  # the data folder is 0700 (docs/toegang.md)
	$(PY) -m aanpak.demo
	@VENV=$(VENV) bash ops/server.sh start
	@$(PY) -m aanpak.demo.aanmelden

# Two pytest-xdist workers (one per core), each with its own Prefect server (free port), PostgreSQL database
# (random name) and temporary folders; whole files go to one worker (module fixtures once).
# `make test TEST_WERKERS=0` runs everything in one process; both pass.
TEST_WERKERS ?= 2
PYTEST_XDIST := -n $(TEST_WERKERS) --dist loadfile

test: venv $(AXE)
	$(VENV)/bin/pytest $(PYTEST_XDIST)

# What needs neither a Prefect server nor PostgreSQL (under a minute).
test-snel: venv
	$(VENV)/bin/pytest $(PYTEST_XDIST) -m "not prefect and not postgres"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo

bench: venv
	$(PY) -m bench

up: venv
	bash ops/up.sh

down:
	bash ops/down.sh

clean:
	rm -rf .aanpak .pytest_cache .mypy_cache .ruff_cache
