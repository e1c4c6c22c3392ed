# CRM Lab — the README's commands. Each target makes its own .venv and reinstalls only when
# pyproject.toml changed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lab lint bench bench-autograde venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# An editable install skips pyproject's data-files: put JupyterLab's zh_CN default in place.
	$(BIN)/python -m crmlab.lab
	@touch $@

demo: $(STAMP)
	$(BIN)/crmlab demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lab: $(STAMP)
	$(BIN)/crmlab lab $(LAB_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check crmlab tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/grading_speed.py

# Serial nbgrader autograde against crmlab autograde --jobs 2 (sandboxed, and --no-sandbox for
# the sandbox's own cost) on 40 submissions (about 5 min).
bench-autograde: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/autograde_parallel.py

clean:
	rm -rf $(VENV) out .pytest_cache
