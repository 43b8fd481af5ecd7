# Payroute: `make run` starts the whole system, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICE_SRC := libs/common/src libs/devstack/src libs/bench/src $(wildcard services/*/src)

.PHONY: install run stop test test-unit lint fmt bench bench-webhooks migrate schemas clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: install  ## start broker, Postgres and every service; prints the demo API key
	$(BIN)/python -m payroute_devstack run

stop:  ## stop what `make run` started (from another shell)
	$(BIN)/python -m payroute_devstack stop

test: install lint  ## unit + integration tests against a real broker and Postgres
	$(BIN)/pytest

test-unit: install
	$(BIN)/pytest -m "not integration"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(SERVICE_SRC)

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install  ## end-to-end payments/s and latency through a running stack it starts
	$(BIN)/python -m payroute_bench

bench-webhooks: install  ## webhook-ingest alone: verified webhooks/s and latency at fixed offered rates
	$(BIN)/python -m payroute_bench.webhooks

migrate: install  ## apply every service's migrations to its database
	$(BIN)/python -m payroute_devstack migrate

schemas: install  ## regenerate schemas/ from the message models
	$(BIN)/python -m payroute_common.schemas schemas

clean:
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache
