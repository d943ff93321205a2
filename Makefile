# Two commands for a fresh machine: `make run` serves the site, `make test` runs every test.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python 3.12+ on the PATH (pyenv's shims honour .python-version).
BASE_PYTHON := $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && \
	   $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	   echo $$p; break; fi; done)

.PHONY: run test test-sqlite test-pg lint format bench system-deps clean

$(VENV)/.python:
	@if [ -z "$(BASE_PYTHON)" ]; then \
		echo "No Python 3.12 or newer found on the PATH (tried python3.13, python3.12, python3)."; \
		echo "Install one (e.g. 'pyenv install 3.12') and run make again."; exit 1; fi
	$(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.python requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# A development .env: DEBUG on, a random SECRET_KEY that survives restarts, and the
# database by its absolute path, so manage.py from any directory uses the same one.
.env:
	sed -e 's/^DEBUG=.*/DEBUG=true/' \
	    -e "s/^SECRET_KEY=.*/SECRET_KEY=$$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')/" \
	    -e 's|^# DATABASE_URL=sqlite:.*|DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3|' \
	    .env.example > $@

run: $(VENV)/.installed .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py runserver $(HOST):$(PORT)

system-deps:
	@bash .ci/system-deps

# The front end's linter and formatter (Biome, pinned in package-lock.json), reinstalled
# when the lock file changes.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: system-deps $(VENV)/.installed-dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	node_modules/.bin/biome ci --error-on-warnings static

format: $(VENV)/.installed-dev node_modules/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	node_modules/.bin/biome check --write static

test: system-deps lint test-sqlite test-pg

# Every test on the defaults: SQLite and the in-memory channel layer.
test-sqlite: $(VENV)/.installed-dev
	$(PY) -m pytest

# The suite again on PostgreSQL and Redis, started for the run (bench/servers.py).
# The browser tests and tests/deploy/ start their own servers, so they run only above.
test-pg: $(VENV)/.installed-dev system-deps
	$(PY) -m bench.servers run -- \
		$(PY) -m pytest --ignore=tests/e2e --ignore=tests/deploy

# Each prints its figures next to a baseline run in the same go (docs/performance.md).
bench: $(VENV)/.installed-dev system-deps
	$(PY) bench/personas.py
	$(PY) bench/chat.py
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache staticfiles test-output
