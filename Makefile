# CRM Lab — the README's commands. Each target makes its own .venv and reinstalls only when
# pyproject.toml, setup.py or constraints.txt changed. constraints.txt holds the versions the
# suite was tested with (`make constraints` refreshes it); a dependency it does not list yet
# still installs, at the newest version pyproject allows.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONSTRAINTS := constraints.txt

.PHONY: demo test test-fast lab hub lint bench bench-autograde bench-hub proxy venv clean constraints labextension

venv: $(STAMP)

$(STAMP): pyproject.toml setup.py $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e '.[dev]'
	@touch $@

# Refresh constraints.txt: the newest versions pyproject.toml allows, in a scratch venv. Then run
# `make clean test` and commit constraints.txt if the suite passes.
constraints:
	rm -rf .venv-constraints && $(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	{ echo "# Versions the suite was tested with; refresh with: make constraints (see README)."; \
	  .venv-constraints/bin/python -m pip freeze --exclude-editable; } > $(CONSTRAINTS)
	rm -rf .venv-constraints

# The system packages a target needs (bubblewrap, and for the tests Chromium, a CJK font,
# PostgreSQL and JupyterHub's proxy), installed with apt-get/npm only when missing.
demo: $(STAMP)
	@scripts/system-packages.sh demo
	$(BIN)/crmlab demo

test: $(STAMP)
	@scripts/system-packages.sh test
	$(BIN)/python -m pytest -q

# The inner loop while editing: the rules, widgets (without a browser), data, exercises, course
# tooling and CLI tests, in under a minute. Left out: tests marked slow (notebook execution,
# nbgrader and Jupyter commands) or browser, and the tests that need a running hub
# (tests/hub/test_hub.py, which imports Playwright); the hub's quick tests (roster, layout,
# options, TLS, passwords, safe file writes) do run. `make test` runs
# everything, as CI does. TEST_ARGS passes pytest options, e.g. TEST_ARGS="--lf" or "-k quiz".
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser" --ignore=tests/hub/test_hub.py $(TEST_ARGS)

lab: $(STAMP)
	$(BIN)/crmlab lab $(LAB_ARGS)

# Rebuild the students' Chinese Assignment List (labextension/ -> crmlab/formgrader/labextension/,
# shipped in the package: users need no node), record the sources' digest (a test compares it),
# and put the new build into this .venv (pip installed a copy). Needs node and npm.
labextension: $(STAMP)
	@scripts/system-packages.sh hub
	cd labextension && npm ci --no-audit --no-fund && PATH="$(CURDIR)/$(BIN):$$PATH" jupyter-builder build .
	$(BIN)/python -m crmlab.formgrader.shipped labextension
	rm -rf "$(VENV)/share/jupyter/labextensions/@crmlab/assignment-list"
	cp -r crmlab/formgrader/labextension "$(VENV)/share/jupyter/labextensions/@crmlab/assignment-list"

# A class on this machine (as root): HUB_ARGS="--roster 名单.csv --self-signed [--port 8000 --root /srv/crmlab]".
hub: $(STAMP) proxy
	$(BIN)/crmlab hub $(HUB_ARGS)

# bubblewrap, node/npm and JupyterHub's proxy (configurable-http-proxy, from npm).
proxy:
	@scripts/system-packages.sh hub

lint: $(STAMP)
	$(BIN)/ruff check crmlab tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/grading_speed.py

# Serial nbgrader autograde against crmlab autograde --jobs 2 (sandboxed, and --no-sandbox for
# the sandbox's own cost) on 40 submissions (about 5 min).
bench-autograde: $(STAMP)
	$(BIN)/python benchmarks/autograde_parallel.py

# 30 students logging in and starting their servers at once on this machine (as root, ~5 min).
bench-hub: $(STAMP) proxy
	$(BIN)/python benchmarks/hub_class.py

clean:
	rm -rf $(VENV) out .pytest_cache
