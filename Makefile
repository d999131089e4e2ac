# Stride Clinic — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker test lint bench bench-scale install install-dev system-deps e2e-deps migrate demo clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
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

migrate: install
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

test: install-dev
	$(PY) -m pytest

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# The single-process benchmarks; bench-scale starts the production topology (PostgreSQL, Redis and wrk needed).
bench: install-dev
	@for f in bench/bench_*.py; do [ "$$f" = bench/bench_scale.py ] && continue; echo "== $$f"; $(PY) $$f || exit 1; done

bench-scale: install-dev
	$(PY) bench/bench_scale.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
