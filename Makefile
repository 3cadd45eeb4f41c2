# Two commands do all set-up: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= demo
BOOK ?= $(DEMO_DIR)/openbook.duckdb
ROWS ?= 200000

.PHONY: run test install demo bench clean

# The spark extra is installed too, so that the DuckDB/Spark parity tests run in CI: pyspark is a
# 434 MB source archive that pip builds into a wheel once (about 3 minutes; cached after that).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,spark]'
	touch $(STAMP)

install: $(STAMP)

# Build the demo book from the generator (deterministic, seed 42), show where the money goes, then serve
# the pages and API at http://127.0.0.1:8000/. A second run finds the book built and starts at once.
run: $(STAMP)
	$(BIN)/openbook demo --dir $(DEMO_DIR) --rows $(ROWS)
	$(BIN)/openbook serve --book $(BOOK) --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/python -m pytest

# Every benchmark at a small size, each ratio against its peer compared with benchmarks/baseline.json:
# a report of what moved by more than 25%, never a failure (`--write` records a new baseline).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(DEMO_DIR) .pytest_cache
