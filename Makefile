# `make run`: set up and run the gateway on the embedded defaults (SQLite, mock provider).
# `make test`: set up and run every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUICKSTART := AGENTSHIELD_CONFIG=examples/quickstart.yaml

.PHONY: setup run test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: setup
	$(QUICKSTART) $(BIN)/agentshield migrate
	$(QUICKSTART) $(BIN)/agentshield init --if-empty
	$(QUICKSTART) $(BIN)/agentshield serve

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python benchmarks/gateway_overhead.py

clean:
	rm -rf $(VENV) agentshield.db agentshield.db-wal agentshield.db-shm
