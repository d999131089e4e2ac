# Stride Clinic — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker test lint lock lock-check bench bench-scale install install-dev system-deps e2e-deps migrate demo clean messages

# The installer itself is pinned too; the packages come from the locks in requirements/ (exact versions, hashes
# checked), the project is then installed over them without resolving anything again (--no-deps).
PIP_VERSION := 26.3

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip==$(PIP_VERSION)

$(VENV)/.installed-run: pyproject.toml requirements/runtime.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/runtime.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

install: system-deps $(VENV)/.installed-run
install-dev: system-deps $(VENV)/.installed-dev

# Pango and HarfBuzz for the printed program (WeasyPrint); apt-get runs only when one is missing.
system-deps:
	@bash .ci/system-deps

# Debian's chromium for the end-to-end tests (tests/e2e); without it `make test` skips them (CI=true: fails).
# After system-deps on purpose: installing libharfbuzz-subset0 can remove chromium (shared HarfBuzz).
e2e-deps: system-deps
	@bash .ci/browser-deps

# The Spanish catalog (issue #25): `make messages` gathers the strings marked in the code and templates into
# locale/es/LC_MESSAGES/django.po for translating (portal's makemessages: project code only, no line numbers);
# the compiled catalog Django reads (.mo, not kept in git) is rebuilt whenever the .po changes.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

messages: install-dev
	$(PY) manage.py makemessages -l es
	$(MAKE) $(CATALOGS)

%.mo: %.po | $(PY)
	$(PY) manage.py compilemessages --ignore=.venv --ignore='*/site-packages/*' -l es >/dev/null

migrate: install $(CATALOGS)
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ — log in with a demo login above (Ctrl+C stops)."
	$(PY) manage.py runserver $(HOST):$(PORT)

# Background jobs for development: a Celery worker with the scheduler (beat) inside it, on the Redis at
# REDIS_URL (default redis://127.0.0.1:6379/0; the jobs use its database CELERY_REDIS_DB, default 1). Start the
# web with the same REDIS_URL (`REDIS_URL=redis://127.0.0.1:6379/0 make run`) so that its jobs go to this worker;
# without REDIS_URL the web runs them itself. Production runs workers and exactly one beat apart (Procfile).
worker: REDIS_URL ?= redis://127.0.0.1:6379/0
worker: migrate
	@$(PY) -c "import redis; redis.Redis.from_url('$(REDIS_URL)', socket_connect_timeout=2).ping()" 2>/dev/null \
		|| { echo "No Redis answers at $(REDIS_URL): start one (apt-get install redis-server) or set REDIS_URL."; exit 1; }
	REDIS_URL=$(REDIS_URL) $(VENV)/bin/celery -A portal worker --beat --loglevel INFO \
		--schedule $(or $(TMPDIR),/tmp)/stride-celerybeat-schedule

test: install-dev $(CATALOGS)
	$(PY) -m pytest

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Refresh the locks after changing pyproject.toml's dependencies; versions already locked stay unless the new
# ranges exclude them. `make lock UPGRADE=django` moves one package to its newest allowed version.
lock: install-dev
	requirements/lock.sh . $(if $(UPGRADE),--upgrade-package $(UPGRADE))

# CI: fails when the locks are out of date with pyproject.toml (resolving again, keeping the locked versions,
# must change nothing) or when this environment holds anything but exactly requirements/dev.txt.
lock-check: install-dev
	@tmp=$$(mktemp -d) && mkdir $$tmp/requirements && cp pyproject.toml $$tmp/ && cp requirements/*.txt $$tmp/requirements/ \
		&& requirements/lock.sh $$tmp \
		&& { diff -u requirements/runtime.txt $$tmp/requirements/runtime.txt && diff -u requirements/dev.txt $$tmp/requirements/dev.txt; } \
		|| { echo "requirements/ is out of date with pyproject.toml: run make lock and commit requirements/"; rm -rf $$tmp; exit 1; }; \
		rm -rf $$tmp; echo "requirements/ matches pyproject.toml"
	$(PY) requirements/check_installed.py requirements/dev.txt

# The single-process benchmarks; bench-scale starts the production topology (PostgreSQL, Redis and wrk needed).
bench: install-dev
	@for f in bench/bench_*.py; do [ "$$f" = bench/bench_scale.py ] && continue; echo "== $$f"; $(PY) $$f || exit 1; done

bench-scale: install-dev
	$(PY) bench/bench_scale.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
