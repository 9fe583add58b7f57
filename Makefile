# Two commands on a fresh machine with Python 3.11 and make:
#   make validate   -- creates .venv, installs the core, validates the package
#   make test       -- creates .venv, installs every extra and the test tools, lints, runs the tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# One stamp per install: the core (validate, query, download, build, diff, the release
# commands), the core and the site, and everything the tests need. A target depends on the
# smallest that serves it, so `make test` after `make validate` adds to the same .venv.
CORE   := $(VENV)/.installed-core
SITE   := $(VENV)/.installed-site
ALL    := $(VENV)/.installed-all
EXTRAS_core :=
EXTRAS_site := [site]
EXTRAS_all  := [all,test]

.PHONY: validate test lint build clean-venv
.PHONY: validate-github diff-summary release-check release-notes publish-release site

$(VENV)/.installed-%: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.$(EXTRAS_$*)'
	touch $@

validate: $(CORE)
	$(BIN)/bgopendata validate .

test: $(ALL) lint
	$(BIN)/python -m pytest

lint: $(ALL)  # ruff (lint and format) and mypy, configured in pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

build: $(CORE)
	$(BIN)/bgopendata build --out dist

clean-venv:
	rm -rf $(VENV)

# --- GitHub Actions (.github/workflows): every step there is one of these targets. ---------
# Values come from environment variables that the workflow sets; the recipes read them as
# shell variables ("$${VAR}"), never as make variables, so a branch or tag name is not code.
RELEASE_NOTES := release-notes.md

validate-github: $(CORE)  # annotations on the offending CSV lines of a pull request
	$(BIN)/bgopendata validate --format github .

diff-summary: $(CORE)  # DIFF_BASE: the commit to compare with (default origin/main)
	$(BIN)/bgopendata diff "$${DIFF_BASE:-origin/main}" . --format markdown >> "$${GITHUB_STEP_SUMMARY:-/dev/stdout}"

release-check: $(CORE)  # RELEASE_TAG: the tag being released, vX.Y.Z
	$(BIN)/bgopendata release-check --tag "$${RELEASE_TAG:?set RELEASE_TAG=vX.Y.Z}" .

release-notes: $(CORE)
	$(BIN)/bgopendata release-notes --tag "$${RELEASE_TAG:?set RELEASE_TAG=vX.Y.Z}" --out $(RELEASE_NOTES) .

publish-release:  # needs the gh CLI and GH_TOKEN; uploads what 'make build' wrote to dist/
	gh release create "$${RELEASE_TAG:?set RELEASE_TAG=vX.Y.Z}" --verify-tag --title "$${RELEASE_TAG}" --notes-file $(RELEASE_NOTES) dist/*

site: $(SITE)  # the static portal, from the release in dist/ ('make build' first)
	$(BIN)/bgopendata site --release dist --out site
