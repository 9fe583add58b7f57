# Two commands on a fresh machine with Python 3.11 and make:
#   make validate   -- creates .venv, installs, validates the package
#   make test       -- creates .venv, installs, runs the tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: validate test build clean-venv

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

validate: $(STAMP)
	$(BIN)/bgopendata validate .

test: $(STAMP)
	$(BIN)/python -m pytest

build: $(STAMP)
	$(BIN)/bgopendata build --out dist

clean-venv:
	rm -rf $(VENV)
