# Stride Clinic — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install install-dev system-deps e2e-deps migrate demo clean

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

test: install-dev
	$(PY) -m pytest

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: install-dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
