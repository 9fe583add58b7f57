# Two commands on a fresh machine with Python 3.11 and make:
#   make validate   -- creates .venv, installs, validates the package
#   make test       -- creates .venv, installs, runs the tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: validate test build clean-venv
.PHONY: validate-github diff-summary release-check release-notes publish-release site

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

# --- GitHub Actions (.github/workflows): every step there is one of these targets. ---------
# Values come from environment variables that the workflow sets; the recipes read them as
# shell variables ("$${VAR}"), never as make variables, so a branch or tag name is not code.
RELEASE_NOTES := release-notes.md

validate-github: $(STAMP)  # annotations on the offending CSV lines of a pull request
	$(BIN)/bgopendata validate --format github .

diff-summary: $(STAMP)  # DIFF_BASE: the commit to compare with (default origin/main)
	$(BIN)/bgopendata diff "$${DIFF_BASE:-origin/main}" . --format markdown >> "$${GITHUB_STEP_SUMMARY:-/dev/stdout}"

release-check: $(STAMP)  # RELEASE_TAG: the tag being released, vX.Y.Z
	$(BIN)/bgopendata release-check --tag "$${RELEASE_TAG:?set RELEASE_TAG=vX.Y.Z}" .

release-notes: $(STAMP)
	$(BIN)/bgopendata release-notes --tag "$${RELEASE_TAG:?set RELEASE_TAG=vX.Y.Z}" --out $(RELEASE_NOTES) .

publish-release:  # needs the gh CLI and GH_TOKEN; uploads what 'make build' wrote to dist/
	gh release create "$${RELEASE_TAG:?set RELEASE_TAG=vX.Y.Z}" --verify-tag --title "$${RELEASE_TAG}" --notes-file $(RELEASE_NOTES) dist/*

site: $(STAMP)  # the static portal, from the release in dist/ ('make build' first)
	$(BIN)/bgopendata site --release dist --out site
