# Two commands do all the set-up (see README.md):
#   make run   - install, set up the embedded default (SQLite, demo users, processes deployed), serve
#   make test  - install test dependencies, lint, and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The suite runs in this many processes (pytest-xdist), each test file whole in one of them; 2 = this machine's cores.
TEST_WORKERS ?= 2

ASSETS := web/static/vendor/BUILT

.PHONY: run demo test lint bench clean assets

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools warns on every editable install of a flat layout that folders named like a package could shadow
	@# it; nothing here is named engine/ or web/ but the packages, so the banner only alarms newcomers.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# bpmn.io's browser bundles (modeller, viewer, DMN editor) from npm, built into web/static/vendor (not committed).
$(ASSETS): package.json package-lock.json web/assets/build.mjs web/assets/token-simulation.js
	npm ci --no-audit --no-fund --silent
	node web/assets/build.mjs

assets: $(ASSETS)

demo: $(BIN)/.installed
	$(BIN)/turnus demo

run: $(BIN)/.installed $(ASSETS)
	$(BIN)/turnus serve --demo --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: $(BIN)/.installed $(ASSETS)
	bash tests/setup-test-deps.sh
	$(BIN)/ruff check .
	$(BIN)/lint-imports  # the layers and the no-cycles rule (pyproject.toml, docs/ARCHITECTURE.md)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(BIN)/.installed
	$(BIN)/python tests/benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
