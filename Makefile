# CCHC Pulse — two commands: `make demo` and `make test`. Each sets itself up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BOOTSTRAP_VERSION := 5.3.8
BOOTSTRAP_CSS := assets/vendor/bootstrap.min.css
DEBIAN_PACKAGES := chromium chromium-driver poppler-utils fonts-dejavu-core
ARGS ?=

.PHONY: setup demo test lint typecheck check lock bench clean system-packages

setup: $(STAMP) $(BOOTSTRAP_CSS) system-packages

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -r requirements.txt
	touch $(STAMP)

# Served from our own assets so the pages work offline (no CDN).
$(BOOTSTRAP_CSS):
	mkdir -p assets/vendor
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) >/dev/null) \
	  && tar -xzf $$tmp/bootstrap-$(BOOTSTRAP_VERSION).tgz -C $$tmp package/dist/css/bootstrap.min.css \
	  && cp $$tmp/package/dist/css/bootstrap.min.css $@ && rm -rf $$tmp

# Browser tests and PDF checks need Debian's Chromium, its driver, poppler and DejaVu fonts.
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "not root: install $$missing yourself, or browser tests will skip"; fi; \
	fi

demo: setup
	$(BIN)/python -m dashboard demo $(ARGS)

test: setup
	$(BIN)/python -m pytest $(ARGS)

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# What CI runs: every test (CI=true: a skipped server or browser test fails), the linter, the type checker.
check: test lint typecheck

# Re-make the lock from requirements.in in a clean venv (after changing a pin there).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock && .venv-lock/bin/python -m pip install -qq --upgrade pip
	.venv-lock/bin/python -m pip install -qq -r requirements.in && .venv-lock/bin/python -m pip freeze > requirements.txt
	rm -rf .venv-lock

bench: setup
	$(BIN)/python bench/kpi_rollups.py $(ARGS)

clean:
	rm -rf $(VENV) assets/vendor data .pytest_cache
