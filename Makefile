# Two commands on a fresh machine (Python 3.11+, make):
#   make forum   set up .venv, install, and render the forum packs into build/
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
	mkdir -p build
	$(BIN)/forum project --all --out build/projection.nc
	$(BIN)/forum project --all --out build/projection.csv

test: $(STAMP)
	$(BIN)/ruff check toolkit tests benchmarks tools
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf build
