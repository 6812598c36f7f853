# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make run    the portal (SQLite, local files, a broker that needs no server, demo data)
#   make test   the whole test suite (lint, migrations check, pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ANEF_PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(ANEF_PORT)
export ANEF_PORT SITE_URL
# The suite runs on every core (pytest-xdist; an idle worker takes tests queued on a busy one, so
# the long tests do not leave a core idle at the end); `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n auto --dist worksteal

.PHONY: run test audit lint format lock messages clean help

help:
	@echo "make run    start the portal with demo data on http://127.0.0.1:$(ANEF_PORT)/"
	@echo "make test   run the whole test suite"
	@echo "make audit  known vulnerabilities of the locked dependencies (pip-audit; needs PyPI)"
	@echo "make lock   re-pin requirements/*.txt from pyproject.toml (needs uv)"

$(BIN)/python:
	@echo "==> Creating the virtual environment $(VENV)/ with $(PYTHON) (needs python3-venv on Debian)"
	$(PYTHON) -m venv $(VENV)

# The lock files are hashed: pip refuses anything that is not exactly what was locked.
$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	@echo "==> Installing the locked dependencies (requirements/base.txt, hashes checked);"
	@echo "    the first time this takes a minute or two and prints nothing until it is done"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(BIN)/python
	@echo "==> Installing the locked dependencies and test tools (requirements/dev.txt, hashes checked);"
	@echo "    the first time this takes a few minutes and prints nothing until it is done"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	@touch $@ $(VENV)/.installed-base

run: $(VENV)/.installed-base
	@echo "==> Creating or updating the database (manage.py migrate)"
	$(BIN)/python manage.py migrate --noinput
	@echo "==> Loading the reference data and the demo accounts (manage.py seed_demo; idempotent)"
	$(BIN)/python manage.py seed_demo --i-know-this-is-not-production
	@echo ""
	@echo "  anef is starting on http://127.0.0.1:$(ANEF_PORT)/  (web + worker + beat; Ctrl-C stops all)"
	@echo "  E-mails (sign-up confirmations, password resets) are printed below."
	@echo ""
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start

test: $(VENV)/.installed-dev
	@echo "==> Lint, format, security lint, migrations check and import contract, then pytest (about 8 minutes on 2 cores)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive --severity-level high --exclude '*/migrations/*' \
		accounts anef applications attestations reference support substitution
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities of every locked dependency (requirements/dev.txt holds base.txt's too):
# any one fails. Needs PyPI's JSON API or OSV; .ci/run runs it when one answers.
audit: $(VENV)/.installed-dev
	$(BIN)/pip-audit --requirement requirements/dev.txt --require-hashes --disable-pip --strict \
		--progress-spinner off

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock:
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.txt
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.txt

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so `make run` does not.
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=var --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
