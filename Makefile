# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DEBUG ?= true
PORT ?= 8000
export BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint typecheck suite suite-postgres install messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Coro needs Python 3.11 ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests, and GNU gettext for the test that no
# text lacks its translation; installed once, only when missing.
SYSTEM_TOOLS := /usr/bin/chromium /usr/bin/xgettext
$(SYSTEM_TOOLS):
	@if command -v apt-get >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium gettext >/dev/null; \
	else echo "Install Chromium (/usr/bin/chromium) and GNU gettext for the tests."; exit 1; fi

run: install
	$(BIN)/coro migrate --noinput -v0
	$(BIN)/coro demo --if-empty
	@echo ""
	@echo "Coro is starting on http://127.0.0.1:$(PORT)/ (Ctrl+C stops web and worker)."
	@$(BIN)/coro run --bind 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# The local Bluesky PDS the tests run against (npm, Node 20; see testing/pds/package.json),
# installed when missing or when its lock changes. If it can't be installed, the suite fails.
PDS_MODULES := testing/pds/node_modules/.package-lock.json
$(PDS_MODULES): testing/pds/package.json testing/pds/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "The Bluesky tests need Node.js 20 and npm (Debian: apt-get install nodejs npm)."; exit 1; }
	cd testing/pds && npm ci --no-audit --no-fund
	touch $(PDS_MODULES)

suite: install $(SYSTEM_TOOLS) $(PDS_MODULES)
	$(BIN)/pytest -q

test: lint typecheck suite

# The whole suite again on PostgreSQL (used by .ci/run).
suite-postgres: install $(SYSTEM_TOOLS) $(PDS_MODULES)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/coro} $(BIN)/pytest -q

# Refresh the catalogues after changing user-facing text (needs GNU gettext), then
# translate the new entries of each one.
LOCALES := es ca
messages: install
	cd coro && ../$(BIN)/coro makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete --add-location file
	$(BIN)/python -m coro.core.compile_messages

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
