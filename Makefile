# Two commands matter: `make run` and `make test`. Everything installs into .venv and node_modules.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
# The process studio's browser bundle (esbuild; `npm ci` builds it too, as postinstall).
STUDIO_BUNDLE := web/static/studio/.built
PYTEST_WORKERS ?= 3
# Where the machine sets PYTHONDONTWRITEBYTECODE, every Python process (pytest's workers, the
# benchmarks and the servers they start, `crm` subprocesses) compiled our ~500 modules again
# (≈ 0.8 s each on 2 cores); compiled files go under .venv, never beside the sources.
export PYTHONDONTWRITEBYTECODE :=
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache
# examples per API operation and generation mode of `make fuzz` (the bounded run of `make test` uses 3)
CRM_FUZZ_EXAMPLES ?= 200

.PHONY: install run test lint bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(STUDIO_BUNDLE): $(NODE_STAMP) $(wildcard web/studio/assets/*)
	npm run --silent build
	touch $(STUDIO_BUNDLE)

install: $(STAMP) $(NODE_STAMP) $(STUDIO_BUNDLE)

run: install
	$(BIN)/crm db upgrade
	$(BIN)/crm deploy
	$(BIN)/crm demo
	$(BIN)/crm run

# ruff; the layer contracts (web → integrations → domain packages → engine → platform, only the
# engine imports SpiffWorkflow); mypy on the engine and the domain packages.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy engine models

test: install lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not fuzz" --durations=15

# schemathesis over the OpenAPI with many examples and a random seed, on both databases: no 5xx,
# every 4xx a JSON error body (tests/hardening/test_openapi_fuzz.py; `make test` runs it bounded).
fuzz: install
	CRM_FUZZ_EXAMPLES=$(CRM_FUZZ_EXAMPLES) $(BIN)/pytest -p no:cacheprovider -m fuzz -s tests/hardening/test_openapi_fuzz.py

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
