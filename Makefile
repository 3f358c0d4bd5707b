# Single entry point. `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt
PYTEST := $(BIN)/python -m pytest

.PHONY: demo up test test-fast test-slow chaos lint format bench quality wer clean distclean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PIP) -e '.[dev,cloud]'
	@touch $@

demo: $(VENV)/.runtime  ## run the sample voicemails through the embedded stack
	$(BIN)/voicepipe demo

up: $(VENV)/.runtime  ## run the embedded stack until Ctrl-C
	$(BIN)/voicepipe up

# Unit tests run in one process a core (pytest-xdist): 3,660 of them took 340 s in one and
# 199 s in two on this 2-core machine. The tests that start whole stacks (integration, e2e)
# stay in one process: two stacks at once would share the cores their timings assume.
TEST_PROCESSES ?= auto

test: $(VENV)/.dev  ## unit, integration and end-to-end tests (what CI runs)
	$(PYTEST) tests/unit -m "not slow" -n $(TEST_PROCESSES)
	$(PYTEST) tests --ignore=tests/unit -m "not slow"

test-fast: $(VENV)/.dev  ## unit tests only
	$(PYTEST) tests/unit -n $(TEST_PROCESSES)

test-slow: $(VENV)/.dev  ## the long scenario tests
	$(PYTEST) tests -m slow

chaos: $(VENV)/.dev  ## fault-injection scenarios on real stacks, one table (~5 min)
	$(BIN)/python -m tests.chaos

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

quality: $(VENV)/.dev  ## transcript and triage quality on ../shared/audio and tests/quality (or EVAL=<folder>)
	$(BIN)/python -m tests.quality.report $(EVAL)

wer: $(VENV)/.dev  ## word error rate of the offline engine alone, per clip of ../shared/audio
	$(BIN)/python -m tests.wer_report

bench: $(VENV)/.dev  ## every performance goal side by side (ONLY=intake|batch_upload|pipeline|io|batches|offline|inbox)
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
	  || echo "wrk is missing and could not be installed: apt-get install wrk"
	$(BIN)/python -m tests.bench.suite $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf .voicepipe .pytest_cache .mypy_cache .ruff_cache

distclean: clean
	rm -rf $(VENV) *.egg-info
