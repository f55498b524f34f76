# The two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GUICHET_PORT ?= 5000
GUICHET_ES_PORT ?= 9200
export GUICHET_PORT

.PHONY: run test install install-test assets elasticsearch bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Python dependencies declared in setup.cfg; the stamp is redone when setup.cfg changes.
$(VENV)/.installed: setup.cfg setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed setup.cfg
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The State design system and the official commune data, from npm (never committed).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
install-test: $(VENV)/.installed-test node_modules/.installed
assets: node_modules/.installed

run: install
	$(BIN)/guichet init
	$(BIN)/guichet run

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

elasticsearch:
	$(BIN)/python tools/elasticsearch/node.py --port $(GUICHET_ES_PORT)

bench: install-test
	$(BIN)/python bench/bench_search.py

clean:
	rm -rf $(VENV) node_modules instance
