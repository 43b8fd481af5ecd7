# Payroute: `make run` starts the whole system, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICE_SRC := libs/common/src libs/devstack/src libs/bench/src libs/cli/src $(wildcard services/*/src)

.PHONY: install run stop test test-unit lint fmt bench soak bench-webhooks bench-analytics bench-recon \
	migrate schemas clean lock

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

bench: install  ## end-to-end payments/s, latency, CPU ms/payment per process; BENCH_ARGS="--mode wait --payments 1000"
	$(BIN)/python -m payroute_bench $(BENCH_ARGS)

soak: install  ## steady open-loop load with per-minute figures, then books checked; SOAK_ARGS="--minutes 240"
	$(BIN)/python -m payroute_bench.soak $(SOAK_ARGS)

bench-webhooks: install  ## webhook-ingest alone: verified webhooks/s and latency at fixed offered rates
	$(BIN)/python -m payroute_bench.webhooks

bench-analytics: install  ## /v1/analytics over a million payments' worth of buckets (p95 < 200 ms per call)
	$(BIN)/python -m payroute_bench.analytics

bench-recon: install  ## reconciliation: a 1,000,000-line Stripe report ingested and matched (< 60 s, < 500 MB)
	$(BIN)/python -m payroute_bench.recon

migrate: install  ## apply every service's migrations to its database
	$(BIN)/python -m payroute_devstack migrate

schemas: install  ## regenerate schemas/ from the message models
	$(BIN)/python -m payroute_common.schemas schemas

# The image's pins: the runtime dependencies of pyproject.toml and its build backend,
# with every file's hash, resolved for Linux on CPython 3.11 (the image's Python).
# Existing pins are kept unless pyproject.toml asks otherwise; `make lock
# LOCK_FLAGS=--upgrade` moves every pin to the newest release.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform linux --custom-compile-command "make lock" $(LOCK_FLAGS)

lock: install  ## pin the image's dependencies with hashes in requirements/*.lock (needs PyPI)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(LOCK) pyproject.toml -o requirements/runtime.lock
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))\
	['build-system']['requires'], sep='\n')" | $(LOCK) - -o requirements/build.lock

clean:
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache
