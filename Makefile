# JobMatch: `make run` serves the site with a background worker; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO   := search/demo_data/linkedin-2023
export HF_HUB_OFFLINE := 1

.PHONY: install run serve worker demo test browser screenshots bench loadtest clean

install: $(VENV)/.installed

# Reinstalls only when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Database, demo postings, indexes: each step is idempotent and quick the second time.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_jobs $(DEMO) --format linkedin-2023
	$(BIN)/python manage.py build_index

# The worker runs in the background and stops with the server (Ctrl-C).
run: demo
	@echo "JobMatch on http://$(HOST):$(PORT)/  (Ctrl-C stops the site and the worker)"
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

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The pages the README and docs show, taken by the browser tests.
screenshots: install browser
	JOBMATCH_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_browser.py $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

# 50 seekers reading results and 5 uploads a minute against runserver + a worker, on the demo data dir.
loadtest: demo
	$(BIN)/python -m pip install --quiet -r bench/requirements-load.txt
	$(BIN)/python bench/load.py --users 50 --seconds 120

clean:
	rm -rf var
