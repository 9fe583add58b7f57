"""The source texts, found through ``documents.csv``, read once, with their language sections.

Quotes are matched with whitespace collapsed (the brochure is hard-wrapped), so each document
is kept as its words joined by single spaces, with the line and the paragraph of every word.
A paragraph ends at a blank line or where a line starts with a single space (the brochure's
page breaks, where its English follows its Italian without a blank line). Each paragraph's
language is told by the lexicon's function words; a paragraph with as many of each (a chart
label, a ``FONTE / SOURCE`` line) counts for either language. A *section* is a run of
consecutive paragraphs in the same language: the text a figure's period may come from.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from bgopendata.provenance.lexicon import lexicon

ANY = "any"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def collapse(text: str) -> str:
    """Runs of whitespace as one space, ends stripped: how quotes are compared."""
    return " ".join(text.split())


@dataclass
class Document:
    """One source text: collapsed ``text``, each word's start, line and paragraph."""

    document_id: str
    path: str
    languages: list[str]
    text: str = ""
    starts: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    paragraphs: list[int] = field(default_factory=list)
    paragraph_language: list[str] = field(default_factory=list)

    @property
    def original_language(self) -> str:
        return self.languages[0] if self.languages else "en"

    def word_at(self, offset: int) -> int:
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def line_at(self, offset: int) -> int:
        return self.lines[self.word_at(offset)] if self.lines else 0

    def occurrences(self, quote: str) -> list[int]:
        found, start = [], self.text.find(quote)
        while start >= 0:
            found.append(start)
            start = self.text.find(quote, start + 1)
        return found

    def languages_between(self, start: int, end: int) -> set[str]:
        first, last = self.word_at(start), self.word_at(max(end - 1, start))
        paragraphs = range(self.paragraphs[first], self.paragraphs[last] + 1)
        return {self.paragraph_language[p] for p in paragraphs}

    def in_language(self, quote: str, language: str) -> list[int]:
        """Offsets where ``quote`` occurs inside paragraphs of ``language`` (or of either)."""
        return [at for at in self.occurrences(quote) if self.languages_between(at, at + len(quote)) <= {language, ANY}]

    def section(self, offset: int) -> tuple[int, int]:
        """The language section holding ``offset``: (start, end) offsets in ``text``."""
        if not self.starts:
            return (0, 0)
        paragraph = self.paragraphs[self.word_at(offset)]
        language = self.paragraph_language[paragraph]
        low = high = paragraph
        while low > 0 and self.paragraph_language[low - 1] in (language, ANY):
            low -= 1
        while high + 1 < len(self.paragraph_language) and self.paragraph_language[high + 1] in (language, ANY):
            high += 1
        first = self.paragraphs.index(low)
        last = len(self.paragraphs) - 1 - self.paragraphs[::-1].index(high)
        end = self.starts[last + 1] - 1 if last + 1 < len(self.starts) else len(self.text)
        return (self.starts[first], end)


def read_document(document_id: str, path: Path, relpath: str, languages: list[str]) -> Document:
    """Split a text into words, lines and paragraphs, and tell each paragraph's language."""
    doc = Document(document_id, relpath, languages)
    markers = {
        lang: set(words) for lang, words in lexicon()["language_markers"].items() if not lang.startswith("description")
    }
    words: list[str] = []
    offset, paragraph, seen_words = 0, 0, False
    paragraph_words: list[list[str]] = [[]]
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        page_break = line.startswith(" ") and not line.startswith("  ") and line.strip()
        if (not line.strip() or page_break) and seen_words:
            paragraph += 1
            paragraph_words.append([])
            seen_words = False
        for word in line.split():
            doc.starts.append(offset)
            offset += len(word) + 1
            words.append(word)
            doc.lines.append(number)
            doc.paragraphs.append(paragraph)
            paragraph_words[paragraph].append(word)
            seen_words = True
    doc.text = " ".join(words)
    for chunk in paragraph_words:
        tokens = _WORD.findall(" ".join(chunk).lower())
        counts = {lang: sum(1 for token in tokens if token in marker) for lang, marker in markers.items()}
        best = sorted(counts.items(), key=lambda item: -item[1])
        doc.paragraph_language.append(best[0][0] if len(best) > 1 and best[0][1] > best[1][1] else ANY)
    return doc


def read_documents(package) -> dict[str, Document]:
    """Every document ``documents.csv`` lists whose file exists, by ``document_id``."""
    from bgopendata.provenance.tables import read_table

    if not any(res.name == "documents" for res in package.resources):
        return {}
    found: dict[str, Document] = {}
    for row in read_table(package, "documents"):
        relpath = row.get("path") or ""
        path = (package.root / relpath).resolve()
        if not relpath or not path.is_file() or package.root.resolve() not in path.parents:
            continue
        found[row["document_id"]] = read_document(
            row["document_id"], path, relpath, (row.get("languages") or "en").split()
        )
    return found
