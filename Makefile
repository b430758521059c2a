# wholeplace: two commands set everything up on a fresh machine.
#   make run    create the environment, then build the warehouse and a release through Airflow
#   make test   create the environment, then run every test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := $(CURDIR)/.venv
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export UV_PROJECT_ENVIRONMENT := $(VENV)
# make run REGION=greater-manchester builds another region side by side (regions/<name>.yml)
ifdef REGION
export WHOLEPLACE_REGION := $(REGION)
endif
# make run SAMPLES=1: the opt-in demo with the synthetic samples, in data/demo/ (never the real one)
ifdef SAMPLES
export WHOLEPLACE_SAMPLES := $(SAMPLES)
endif

# make run ACCEPT_FEWER_ROWS=fingertips:90362 acknowledges a restatement with fewer rows or areas
# than the previous vintage (source or source:period, comma-separated); the changelog records it
ifdef ACCEPT_FEWER_ROWS
export WHOLEPLACE_ACCEPT_FEWER_ROWS := $(ACCEPT_FEWER_ROWS)
endif

.PHONY: help env run backfill status verify recover serve docs test test-distributed test-crash test-unit test-integration lint bench clean

help:
	@echo "make run    build the warehouse and publish a release through Airflow (bundled snapshot)"
	@echo "            REGION=<name> builds another region from regions/<name>.yml (default west-midlands)"
	@echo "            ACCEPT_FEWER_ROWS=<source>[:<period>] acknowledges a restatement with fewer rows or areas"
	@echo "            SAMPLES=1 builds the demo with the synthetic samples too, in data/demo/ (labelled DEMO)"
	@echo "make backfill FY=2021-22  reload one financial year end to end (idempotent), then publish"
	@echo "make status the latest release; per source what is loaded, when the next file is due, what is late"
	@echo "            (AS_OF=YYYY-MM-DD judges lateness on another date)"
	@echo "make verify RELEASE=<dir>  check a release's files against their published sha256 (default: latest)"
	@echo "make recover  a damaged warehouse file: move it aside and rebuild it from the landing zone"
	@echo "make serve  browse the latest release (Datasette, place profiles) at http://127.0.0.1:8001/"
	@echo "make test   run every test suite (unit, integration, dbt, GX, Airflow end to end, browser)"
	@echo "make test-distributed  the England build on PostgreSQL, Redis and two Celery workers, then on one:"
	@echo "            the speed-up (about 11 min; DISTRIBUTED_REGION=west-midlands builds one region, about 10)"
	@echo "make test-crash        kill -9 at 30 random points of whole runs, then recover (about 35 min)"
	@echo "make lint   ruff, the import layers (import-linter), sqlfluff"
	@echo "make docs   rewrite the published marts' tables in README.md and the dbt overview from their yml"
	@echo "make bench  one region and all of England through Airflow (full run, rerun, stages, peak RSS), then"
	@echo "            spending over £500 at the real region-year and 1x, 10x, 100x synthetic -> benchmarks/RESULTS.md"
	@echo "            (25-40 min; ONLY=places or ONLY=scales runs one part, about 15 min each)"
	@echo "make clean  remove the runtime data (data/) and the project-local Airflow home"

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# The environment is installed from the lock file, exactly (uv sync --frozen), with its bytecode
# compiled once: where PYTHONDONTWRITEBYTECODE is set (CI images), every process would otherwise
# compile Airflow, dbt and GX from source again (importing them: 32 s against 13 s)
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python 3.11
	@touch $@

env: $(VENV)/.synced

# FORCE=1: run the DAG through Airflow even when nothing is new (otherwise answered without it)
run: env
	$(VENV)/bin/python -m warehouse.cli run $(if $(FORCE),--force)

# make backfill FY=2021-22: reload one financial year end to end (its sources only), then build,
# check and publish; other years' rows are not touched
backfill: env
	@test -n "$(FY)" || { echo "usage: make backfill FY=2021-22"; exit 2; }
	$(VENV)/bin/python -m warehouse.cli run $(foreach y,$(FY),--period $(y))

status: env
	@$(VENV)/bin/python -m warehouse.cli status $(if $(AS_OF),--as-of $(AS_OF))

# a damaged warehouse file: moved aside, then rebuilt from the landing zone (vintage history included)
recover: env
	$(VENV)/bin/python -m warehouse.cli recover

# make verify [RELEASE=<dir or version>]: a release's files against the sha256 they were published with
verify: env
	@$(VENV)/bin/python -m warehouse.cli verify $(RELEASE)

serve: env
	$(VENV)/bin/python -m warehouse.cli serve

# the suites run on TEST_WORKERS processes (pytest-xdist; default 2, one per core here): most of
# the time goes to whole pipeline runs, each mostly one busy process
TEST_WORKERS ?= 2
test: env
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

# PostgreSQL + Redis + Airflow (api-server, scheduler, dag-processor, triggerer, two Celery workers):
# the England build with two workers, then with one (the speed-up); DISTRIBUTED_REGION=<region> another
test-distributed: env
	$(VENV)/bin/pytest -m distributed tests/distributed -s

# kill -9 at random points of whole runs (CRASH_KILLS=30 by default), then recover
test-crash: env
	$(VENV)/bin/pytest -m crash tests/reliability -s

test-unit: env
	$(VENV)/bin/pytest tests/unit

test-integration: env
	$(VENV)/bin/pytest tests/integration

bench: env
	$(VENV)/bin/python -m benchmarks.run $(if $(SCALES),--scales $(SCALES)) $(if $(ONLY),--only $(ONLY))

docs: env
	$(VENV)/bin/python -m warehouse.publication.mart_tables

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	cd dbt_project && WHOLEPLACE_DUCKDB_PATH=$${WHOLEPLACE_DUCKDB_PATH:-$(CURDIR)/data/wholeplace.duckdb} \
		DBT_TARGET_PATH=$(CURDIR)/data/dbt/target DBT_LOG_PATH=$(CURDIR)/data/dbt/logs \
		$(VENV)/bin/sqlfluff lint models tests --disable-progress-bar

clean:
	rm -rf data
	rm -rf $(AIRFLOW_HOME) benchmarks/work
