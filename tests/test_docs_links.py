"""Every link and every repository path the README and docs/ name exists, so the docs cannot
point a reader at a file, heading or module that was moved or never committed."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
# A path into the repository, wherever it is written (prose, inline code or a code block).
TOP_FOLDERS = r"(?:src|tests|bench|schemas|rules|resources|sources|views|standards|docs|\.github|\.ci)"
REPO_PATH = re.compile(rf"(?<![\w./-])({TOP_FOLDERS}/[\w./-]*)")
BARE_MARKDOWN = re.compile(r"(?<![\w./-])([\w-]+\.md)\b")  # README.md, CHANGELOG.md: at the root or beside the page
MODULE = re.compile(r"(?<![\w.])(bgopendata(?:\.\w+)+)")
# Files that a documented command writes, not files of the repository.
WRITTEN_BY_COMMANDS = {"release-notes.md"}


def _page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.replace("`", "").strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(heading)
        found.add(base if base not in seen else f"{base}-{seen[base]}")
        seen[base] = seen.get(base, 0) + 1
    return found


def _prose(page: Path) -> str:
    return INLINE_CODE.sub("", FENCE.sub("", page.read_text(encoding="utf-8")))


def links(page: Path) -> list[str]:
    return [t for t in LINK.findall(_prose(page)) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_the_docs_pages_exist():
    assert [p.name for p in PAGES[1:]], "docs/ holds no page"
    assert all(p.is_file() for p in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_relative_link_resolves_to_a_file_and_heading(page):
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_repository_path_named_exists(page):
    text = page.read_text(encoding="utf-8")
    paths = {m.rstrip(".") for m in REPO_PATH.findall(text)}
    pages = {m for m in BARE_MARKDOWN.findall(text) if m not in WRITTEN_BY_COMMANDS}
    missing = [p for p in paths if not (ROOT / p).exists()]
    missing += [p for p in pages if not (ROOT / p).exists() and not (page.parent / p).exists()]
    assert sorted(missing) == []


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_module_named_exists(page):
    """`bgopendata.a.b` or `bgopendata.a.b.attribute`: the module file is in src/."""

    def exists(dotted: str) -> bool:
        parts = dotted.split(".")
        for end in (len(parts), len(parts) - 1):
            base = ROOT / "src" / Path(*parts[:end])
            if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
                return True
        return False

    named = set(MODULE.findall(page.read_text(encoding="utf-8")))
    assert sorted(m for m in named if not exists(m)) == []


def test_slug_follows_githubs_rule():
    assert slug("The documents' genuine inconsistencies (warnings)") == "the-documents-genuine-inconsistencies-warnings"
    assert slug("SQL with `bgopendata query`") == "sql-with-bgopendata-query"
