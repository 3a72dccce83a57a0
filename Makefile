# berth development tasks. `make dev` starts the webserver on the example locations;
# `make test` runs every test. Both set up everything they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
COMPAT_VENV := .cache/dagster-compat-venv
PORT ?= 3000

.PHONY: install system-deps dev lint test test-fast test-lowest-deps compat-env protos bench clean

$(VENV)/.installed: code_server/pyproject.toml webserver/pyproject.toml client/pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e code_server -e webserver -e client -r requirements-dev.txt
	touch $@

# The web UI (webserver/ui) builds into berth_webserver/static/ui with Node.js and npm.
UI := webserver/ui
UI_BUILT := webserver/berth_webserver/static/ui/manifest.json
UI_SOURCES := $(shell find $(UI)/src -type f 2>/dev/null) \
  $(addprefix $(UI)/,package.json vite.config.ts vite.boot.config.ts vite.pure-documents.ts tsconfig.json)

$(UI)/node_modules/.package-lock.json: $(UI)/package-lock.json
	cd $(UI) && npm ci --no-audit --no-fund --loglevel=error

$(UI_BUILT): $(UI)/node_modules/.package-lock.json $(UI_SOURCES)
	cd $(UI) && npm run build

install: $(VENV)/.installed $(UI_BUILT)

system-deps:
	bash scripts/ensure_system_deps.sh

$(COMPAT_VENV)/.installed: tests/compat/requirements.txt
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/pip install --quiet --upgrade pip
	$(COMPAT_VENV)/bin/pip install --quiet -r tests/compat/requirements.txt
	touch $@

compat-env: $(COMPAT_VENV)/.installed

dev: install
	$(BIN)/berth dev -w examples/workspace.yaml --port $(PORT)

test: install system-deps compat-env lint
	$(BIN)/python scripts/gen_protos.py --check
	$(BIN)/python scripts/schema_contract.py changes
	BERTH_COMPAT_PYTHON=$(CURDIR)/$(COMPAT_VENV)/bin/python $(BIN)/pytest

# ruff over the tree; mypy in each package with that package's settings.
lint: install
	$(BIN)/ruff check code_server webserver client tests bench scripts examples
	cd code_server && ../$(BIN)/mypy
	cd webserver && ../$(BIN)/mypy
	cd client && ../$(BIN)/mypy

# The fast tests again, on the lowest dependency versions the packages' floors allow (CI runs it).
test-lowest-deps:
	PYTHON=$(PYTHON) bash scripts/check_lowest_deps.sh

test-fast: install
	$(BIN)/pytest -m "not browser and not compat and not container"

protos: install
	$(BIN)/python scripts/gen_protos.py

bench: install
	$(BIN)/python bench/code_server.py
	$(BIN)/python bench/webserver.py
	$(BIN)/python bench/ui.py

clean:
	rm -rf $(VENV) .cache
