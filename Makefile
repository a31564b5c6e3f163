# NMP Participatie. `make run` serves the site, `make test` runs the suite.
# Both set themselves up on a fresh machine with nothing but Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup setup-dev prod-local bench test test-unit test-e2e test-services test-postgres lint format messages compilemessages clean backup restore

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when a requirements file changed.
$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

setup: $(VENV)/.installed-runtime compilemessages
	$(MANAGE) migrate --noinput
	$(MANAGE) load_nmp_content

setup-dev: $(VENV)/.installed-dev compilemessages

run: setup
	@echo ""
	@echo "NMP Participatie runs at http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	@echo "Create a moderator account for the admin (/admin/) with:"
	@echo "    $(MANAGE) create_staff you@example.org --role moderator   (or --role organiser; --password-file FILE)"
	@echo "then log in, set up two-step verification at /account/2fa/ and open /admin/."
	@echo ""
	NMP_HOST=$(HOST) NMP_PORT=$(PORT) $(MANAGE) runserver $(HOST):$(PORT)

# The .mo files are committed, so a machine without GNU gettext still works;
# with msgfmt present they are rebuilt from the .po sources.
compilemessages: $(VENV)/.installed-runtime
	@if command -v msgfmt >/dev/null 2>&1; then $(MANAGE) compilemessages --ignore=.venv -v0; \
	else echo "msgfmt not found: using the committed translations (locale/*/LC_MESSAGES/django.mo)"; fi

# Extract interface strings into locale/nl/LC_MESSAGES/django.po (the source of the Dutch: fill new
# entries there with any .po editor), then compile. The static JS has no translatable strings, so
# there is no djangojs catalogue. locale_overrides/ (allauth's texts in our Dutch) is kept by hand.
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks --ignore=node_modules --ignore=locale_overrides
messages: $(VENV)/.installed-dev
	$(MANAGE) makemessages -l nl --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(MANAGE) compilemessages --ignore=.venv -v0

# Unit and page tests, then the browser suite (skipped, with the reason shown,
# when Chromium is not installed; CI installs it and refuses the skip).
test: setup-dev
	$(PY) -m pytest

test-e2e: setup-dev
	$(PY) -m pytest tests/e2e

# Needs PostgreSQL and Redis (see .ci/run); starts its own Celery worker.
test-services: setup-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nmp_portal} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(PY) -m pytest -m services -p no:cacheprovider

# The unit and page suite once more on PostgreSQL, the production database.
test-postgres: setup-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nmp_portal} \
	$(PY) -m pytest --ignore=tests/e2e -p no:cacheprovider

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: setup-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The production topology on this machine: PgBouncer (transaction pooling) in front of
# PostgreSQL, gunicorn with the production settings, Celery worker and beat on Redis,
# a local SMTP sink. Database nmp_prod_local (PROD_LOCAL_DB=...), site on :8013.
prod-local: setup-dev
	$(PY) -m benchmarks.prod_local

# Load test of the production topology at national size, every page against the floor
# (robots.txt) in the same run; prints a table and writes var/bench/latest.json.
# `make bench QUICK=1` is a smoke run at quick size (under two minutes). Not part of `make test`.
bench: setup-dev
	$(PY) -m benchmarks.bench $(if $(QUICK),--quick)

# Database (pg_dump custom format, or SQLite's backup API) and media files into
# var/backups/<time>/ or BACKUP=<dir>; see docs/operations.md.
backup: $(VENV)/.installed-runtime
	$(MANAGE) backup $(if $(BACKUP),--output $(BACKUP))

# Replaces ALL data with a backup: make restore BACKUP=var/backups/<time>. Stop web and worker first.
restore: $(VENV)/.installed-runtime
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=var/backups/<time>"; exit 1; }
	$(MANAGE) restore $(BACKUP)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
