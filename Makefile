# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AXE_VERSION := 4.11.0
OIDC_PROVIDER_VERSION := 9.13.3

.PHONY: setup run test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

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
