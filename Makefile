# Two commands for a fresh machine: `make run` and `make test`. Everything else here serves them.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := chromium redis-server coturn nodejs

.PHONY: run run-lan test test-js lint install install-test system-deps migrate bench clean

run: install migrate  ## Install, migrate and serve the site with daphne on $(ADDR), debug on.
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(ADDR)

run-lan: install migrate  ## Serve over HTTPS on this machine's LAN address (a local CA), debug on.
	DJANGO_DEBUG=1 $(PY) manage.py run_lan $(LAN_ARGS)

test: install-test system-deps  ## Install everything the tests need, then run ruff and every test.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory test-js
	$(PY) -m pytest $(PYTEST_ARGS)

# The client's protocol, call and media modules, without a page (tests/js/, Node's own test runner).
test-js:
	node --test --test-reporter=spec tests/js/

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The stamps re-run pip only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

# Browser tests need Debian's Chromium; the scale-out tests start their own redis-server, the
# readiness and TURN tests their own coturn (turnserver): the system's coturn service, unconfigured,
# is not left running; the client's unit tests (tests/js/) run on Debian's nodejs; the SFU tests their own janus.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v turnserver >/dev/null 2>&1 || missing="$$missing coturn"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v janus >/dev/null 2>&1 || missing="$$missing janus"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then \
	    echo "The tests need these Debian packages:$$missing. Install them with: apt-get install$$missing"; exit 1; \
	  fi; \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null \
	    || { echo "Could not install:$$missing. Install them with: apt-get install$$missing"; exit 1; }; \
	  case "$$missing" in *coturn*) \
	    $(SUDO) systemctl disable --now coturn >/dev/null 2>&1 || true;; \
	  esac; \
	fi

bench: install-test system-deps
	$(PY) bench/signaling.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-artifacts
