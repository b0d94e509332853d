# Bildungsnetz: two commands for a fresh machine, `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mails follow the address `make run` serves (0.0.0.0 listens everywhere: links use the host name).
BILDUNGSNETZ_BASE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),$(shell hostname),$(HOST)):$(PORT)
# Development: mail goes to the mailbox inside the application (Veranstaltungen > Entwicklungs-Postfach).
MAIL_BACKEND ?= mailbox
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install translations chromium postgres lint test-sqlite test-postgres bench clean

install: $(VENV)/.installed translations

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d crm/translations

run: export BILDUNGSNETZ_BASE_URL := $(BILDUNGSNETZ_BASE_URL)
run: export MAIL_BACKEND := $(MAIL_BACKEND)
run: install
	$(FLASK) db upgrade
	$(FLASK) crm seed
	$(FLASK) crm demo --if-empty --stichtag $$(date +%F)
	@$(FLASK) crm demo-users
	@echo "Bildungsnetz läuft auf $(BILDUNGSNETZ_BASE_URL)/ (E-Mails: $(MAIL_BACKEND))"
	@# The background worker (mail delivery) runs beside the server and stops with it.
	@$(FLASK) crm worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

# Chromium from Debian for the browser tests (Playwright drives /usr/bin/chromium).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# PostgreSQL: start it where it is installed but stopped, install it where it is missing.
postgres:
	@bash .ci/ensure-postgres.sh

# Tests run on as many processes as the machine has cores (pytest-xdist); each process has its own
# database. The database-free analysis tests (tests/graph) run once, in the SQLite pass.
PYTEST := $(PY) -m pytest -q -n auto

test-sqlite: install chromium
	$(PYTEST)

test-postgres: install chromium postgres
	TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) --ignore=tests/graph

# Lint and types first, so CI prints their output: ruff on the tree, mypy on crm and graph (setup.cfg), strict on graph.
lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m mypy --strict graph

test: lint test-sqlite test-postgres

# Measurements (never timed tests): every bench/*.py prints its numbers.
bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) instance *.egg-info
