# Two commands on a fresh machine (Python 3.11+, make):
#   make forum   set up .venv, install, render the nine forum packs into build/forum/ and project all areas
#   make test    set up .venv, install with test extras, run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: forum test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

forum: $(STAMP)
	$(BIN)/forum render --out build/forum
	$(BIN)/forum project --all --out build/projection.nc

test: $(STAMP)
	$(BIN)/ruff check toolkit tests benchmarks tools
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/ensemble.py
	$(BIN)/python benchmarks/skills.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/explorer.py

clean:
	rm -rf build
