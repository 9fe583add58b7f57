"""The README and the docs pages say what the code and the package say; these tests keep them from drifting.

The README is the front page (what it is, the set-up, three examples, links); the tables and
the generated blocks it used to hold live in docs/, and are checked there. Its examples (and
every page's) are run by tests/test_examples.py.
"""

from __future__ import annotations

import re

from bgopendata.package import open_package
from bgopendata.rules.coverage import coverage, markdown
from conftest import ROOT, read_rows

README = ROOT / "README.md"
USING_THE_DATA = ROOT / "docs" / "using-the-data.md"
VALIDATION = ROOT / "docs" / "validation.md"
README_MAX_LINES = 150


def _between(text: str, start: str, end: str) -> str:
    assert start in text and end in text, f"markers {start!r} ... {end!r} missing"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_docs_list_every_resource_with_its_row_count(descriptor):
    block = _between(USING_THE_DATA.read_text(encoding="utf-8"), "<!-- resources-table", "<!-- /resources-table -->")
    listed = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| `([a-z_]+)` \| (\d+) \|", block, re.M)}
    actual = {r["name"]: len(read_rows(ROOT / r["path"])) for r in descriptor["resources"]}
    assert listed == actual


def test_docs_list_the_uncovered_figures_computed_by_code():
    doc = VALIDATION.read_text(encoding="utf-8")
    generated = _between(doc, "<!-- generated: bgopendata rules --uncovered -->", "<!-- end generated -->").strip()
    assert generated == markdown(coverage(open_package(ROOT))), (
        "regenerate the rules section of docs/validation.md (bgopendata rules --uncovered .)"
    )


def test_readme_gives_the_two_setup_commands_and_how_to_reach_the_command():
    readme = README.read_text(encoding="utf-8")
    assert "make validate" in readme and "make test" in readme
    assert ".venv/bin/bgopendata" in readme and "source .venv/bin/activate" in readme


def test_readme_stays_a_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def test_readme_links_every_docs_page():
    readme = README.read_text(encoding="utf-8")
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))
    assert pages, "docs/ holds no page"
    assert [p for p in pages if f"]({p})" not in readme] == []
