# JobMatch: `make run` serves the site with a background worker; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO   := search/demo_data/linkedin-2023
DEMO_TEXTS := search/demo_data/linkedin-2024.jsonl.gz
export HF_HUB_OFFLINE := 1
# The embedded default for what these targets start; production processes (gunicorn, the Procfile) use
# jobmatch.settings.prod, and the tests jobmatch.settings.test (pytest.ini).
run worker bench loadtest: export DJANGO_SETTINGS_MODULE ?= jobmatch.settings.base
# The site as people meet it: its own error pages, never Django's debug pages (DJANGO_DEBUG=1 brings those back).
run: export DJANGO_DEBUG ?= 0

DATA   := $(or $(JOBMATCH_DATA_DIR),var)

.PHONY: install install-dev run serve worker demo test browser screenshots bench loadtest clean

# What the site needs to run (requirements.txt); install-dev adds the tests and tools.
install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Each reinstalls only when its requirements (or the pins in constraints.txt) change.
$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Database, demo postings, indexes: each step is idempotent and quick the second time.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_jobs $(DEMO) --format linkedin-2023
	$(BIN)/python manage.py import_jobs $(DEMO_TEXTS) --format jsonl
	$(BIN)/python manage.py build_index

# The worker runs in the background and stops with the server (Ctrl-C). Both write their metrics under
# $(DATA)/metrics, which /metrics adds up.
run: demo
	@echo "JobMatch on http://$(HOST):$(PORT)/  (Ctrl-C stops the site and the worker)"
	rm -rf $(DATA)/metrics && mkdir -p $(DATA)/metrics
	export PROMETHEUS_MULTIPROC_DIR=$(abspath $(DATA))/metrics JOBMATCH_SITE_URL=$${JOBMATCH_SITE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/celery -A jobmatch worker -B --loglevel=INFO --concurrency=1 --pool=solo & \
	  WORKER=$$!; trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A jobmatch worker --loglevel=INFO

# Headless Chromium for the browser tests (Debian's package; Playwright drives it by path).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not found: the browser test will be skipped"; fi; }

test: install-dev browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The pages the README and docs show, taken by the browser tests.
screenshots: install-dev browser
	JOBMATCH_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_browser.py $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

# 50 seekers reading results and 5 uploads a minute against the embedded default (runserver + a worker) on
# the demo data dir; the production stack (the Procfile on PostgreSQL + Redis): docs/benchmarks.md.
loadtest: demo install-dev
	$(BIN)/python -m pip install --quiet -r bench/requirements-load.txt
	$(BIN)/python bench/load.py --stack embedded --users 50 --seconds 120

clean:
	rm -rf var
