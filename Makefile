# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AXE_VERSION := 4.11.0
OIDC_PROVIDER_VERSION := 9.13.3
PIP_VERSION := 26.3
UV_VERSION  := 0.13.9
UV          := $(VENV)/uv-$(UV_VERSION)/bin/uv

.PHONY: setup run test lint bench clean lock upgrade

setup: $(VENV)/.installed

# Installs exactly the locked versions (runtime and dev, checked against their hashes), then the
# project itself without resolving anything. When the lock or pyproject.toml changes, the Python
# environment is made anew (the npm tools beside it stay), so nothing dropped from the lock lingers.
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	rm -rf $(VENV)/.installed $(VENV)/bin $(VENV)/lib $(VENV)/lib64 $(VENV)/include \
	  $(VENV)/share $(VENV)/pyvenv.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# The locks: requirements/dev.txt (runtime + dev, for `make setup`) and requirements/runtime.txt
# (runtime only, for the Dockerfile, constrained to the same versions). One universal resolution
# for Python 3.11 and later on every platform, with the build backend from [build-system].
# `make lock` after changing dependencies in pyproject.toml keeps every other pin as it is;
# `make upgrade` moves everything to the newest versions pyproject.toml allows.
$(UV):
	$(PYTHON) -m venv $(VENV)/uv-$(UV_VERSION)
	$(VENV)/uv-$(UV_VERSION)/bin/pip install --quiet uv==$(UV_VERSION)

BUILD_REQUIRES := $(PYTHON) -c "import tomllib; \
  print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')"
UV_COMPILE = $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
  --custom-compile-command 'make lock' $(LOCK_FLAGS) pyproject.toml -

lock: $(UV)
	$(BUILD_REQUIRES) | $(UV_COMPILE) --extra dev -o requirements/dev.txt
	$(BUILD_REQUIRES) | $(UV_COMPILE) -c requirements/dev.txt -o requirements/runtime.txt

upgrade: LOCK_FLAGS := --upgrade
upgrade: lock

# axe-core (accessibility checks in the browser tests) comes from npm, pinned.
$(VENV)/axe/node_modules/axe-core/axe.min.js:
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-save --no-package-lock --no-audit --no-fund \
	    --prefix $(VENV)/axe axe-core@$(AXE_VERSION); \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# oidc-provider (a certified OpenID Connect provider) for the end-to-end sign-in test, pinned.
$(VENV)/oidc/node_modules/oidc-provider/package.json:
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-save --no-package-lock --no-audit --no-fund \
	    --prefix $(VENV)/oidc oidc-provider@$(OIDC_PROVIDER_VERSION); \
	else echo "npm not found: the end-to-end sign-in test will be skipped"; fi

run: setup
	$(BIN)/uitkomst migrate
	$(BIN)/uitkomst demo-data --if-empty
	$(BIN)/uitkomst serve

test: setup $(VENV)/axe/node_modules/axe-core/axe.min.js \
      $(VENV)/oidc/node_modules/oidc-provider/package.json
	bash scripts/test

lint: setup
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench

bench: setup
	$(BIN)/python bench/challenge_list.py

# Lists msgids that app/i18n/nl.po lacks (or has empty/fuzzy/broken), as PO entries to paste.
.PHONY: messages
messages: setup
	$(BIN)/python -m pytest -q tests/test_i18n.py

clean:
	rm -rf $(VENV) var .pytest_cache
