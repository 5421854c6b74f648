# `make run` and `make test` are the two commands a newcomer needs (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 4
TIMEOUT ?= 120

.PHONY: run serve install system-packages migrate seed test test-browser bench clean

# The virtual environment is rebuilt when the dependencies change.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# Debian packages the app and its tests use: Chromium for the browser tests, a CJK font
# for pages and PDFs, poppler and qpdf to read PDFs back. Skipped where they are present
# or where apt-get cannot be used (then install them by hand, see README.md).
SYSTEM_PACKAGES := chromium fonts-wqy-microhei poppler-utils qpdf
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "Please install these Debian packages:$$missing" >&2; fi

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

run: system-packages seed
	$(FLASK) users ensure-admin
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn with WORKERS processes on the configured database (DATABASE_URL), after
# migrating it; no seed data is loaded (README.md, "Deployment").
serve: migrate
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --timeout $(TIMEOUT) --graceful-timeout 30 \
		--access-logfile - --error-logfile - wsgi:app

# pytest exits 5 when it collects no test; make treats that as the failure it is.
test: install system-packages
	$(BIN)/pytest

clean:
	rm -rf $(VENV) *.egg-info
