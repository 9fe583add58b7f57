"""Read ``CHANGELOG.md`` (Keep a Changelog style): which versions it has, and each one's notes.

The diff verdict asks "is there an entry for the new version?" and the release workflow
takes a version's notes from here. Headings are found with a Markdown parser
(markdown-it-py), not a line regex, so a ``## [9.9.9]`` inside a code block is no entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bgopendata.errors import UnusableInput

CHANGELOG = "CHANGELOG.md"
# "## [1.2.3] - 2026-11-23", "## 1.2.3", "## [v1.2.3]", "## [Unreleased]"
_HEADING = re.compile(r"^\[?v?(?P<version>\d+\.\d+\.\d+|unreleased)\]?(?:\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One ``## [version]`` section: its heading and its body as written (Markdown)."""

    version: str
    heading: str
    body: str


def read_changelog(folder: Path) -> dict[str, Entry] | None:
    """The entries of ``folder/CHANGELOG.md`` keyed by version (``unreleased`` lower-case),
    or ``None`` when there is no such file."""
    path = Path(folder) / CHANGELOG
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 (byte {exc.start})", path=str(path)) from None
    return parse_changelog(text)


def parse_changelog(text: str) -> dict[str, Entry]:
    from markdown_it import MarkdownIt

    lines = text.splitlines()
    tokens = MarkdownIt("commonmark").parse(text)
    headings: list[tuple[int, int, str]] = []  # (level, first line, heading text)
    block_ends: list[int] = []  # last line + 1 of each top-level block
    for index, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            headings.append((int(tok.tag[1:]), tok.map[0], tokens[index + 1].content))
        if tok.level == 0 and tok.map:
            block_ends.append(tok.map[1])
    entries: dict[str, Entry] = {}
    for pos, (level, start, title) in enumerate(headings):
        match = _HEADING.match(title.strip())
        if level != 2 or not match:
            continue
        limit = next((s for lvl, s, _ in headings[pos + 1 :] if lvl <= 2), len(lines))
        # Link reference definitions ("[1.0.0]: https://...") make no block: they end no body.
        end = max((e for e in block_ends if start < e <= limit), default=start + 1)
        version = match["version"].lower()
        body = "\n".join(lines[start + 1 : end]).strip("\n")
        entries.setdefault(version, Entry(version, title.strip(), body))
    return entries
