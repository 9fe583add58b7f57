"""Completeness: every number written in the documents is a published figure or a listed exclusion.

A number of a document is accounted for when a published row's ``value_text`` (or
``value_text_en``) covers it inside that row's quoted sentence, when it is a year of a
row's or chart's ``period`` written in the text that period comes from, or when the reviewed
exclusions file (``sources/exclusions.csv``: ``document_id``, ``line``, ``number``,
``reason``) lists it. An exclusion that matches no number of its line is stale and reported.
"""

from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass

from bgopendata.provenance.checks import YEAR, find_number_text
from bgopendata.provenance.documents import Document
from bgopendata.provenance.reading import NUMBER

EXCLUSIONS = "sources/exclusions.csv"


@dataclass(frozen=True)
class Written:
    """One number as a document writes it."""

    document_id: str
    line: int
    number: str
    start: int
    end: int


def written_numbers(doc: Document) -> list[Written]:
    return [
        Written(doc.document_id, doc.line_at(m.start()), m.group(), m.start(), m.end())
        for m in NUMBER.finditer(doc.text)
    ]


def read_exclusions(package) -> tuple[list[dict[str, str]], str | None]:
    """The exclusions file's rows, or an error message when it exists but cannot be read."""
    path = package.root / EXCLUSIONS
    if not path.is_file():
        return [], None
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [], f"{EXCLUSIONS} cannot be read: {exc}"
    for line, row in enumerate(rows, start=2):
        if not all((row.get(k) or "").strip() for k in ("document_id", "line", "number", "reason")):
            return [], f"{EXCLUSIONS}:{line}: document_id, line, number and reason are required"
    return rows, None


class Coverage:
    """Spans of each document's collapsed text that published rows account for."""

    def __init__(self, docs: dict[str, Document]) -> None:
        self.docs = docs
        self.spans: dict[str, list[tuple[int, int]]] = {d: [] for d in docs}
        self._merged: dict[str, tuple[list[int], list[int]]] = {}

    def cover_text(self, doc: Document, sentence: str, text: str) -> None:
        """``text`` inside every occurrence of ``sentence``."""
        if not sentence or not text:
            return
        spots = []
        at = find_number_text(text, sentence)
        while at >= 0:  # every occurrence: one text may state several rows' figures ("5° posto")
            spots.append(at)
            following = find_number_text(text, sentence[at + 1 :])
            at = at + 1 + following if following >= 0 else -1
        for start in doc.occurrences(sentence):
            self.spans[doc.document_id] += [(start + a, start + a + len(text)) for a in spots]
        self._merged.pop(doc.document_id, None)

    def cover_years(self, doc: Document, period: str, start: int, end: int) -> None:
        """The years of ``period`` written between ``start`` and ``end``."""
        years = set(YEAR.findall(period))
        for found in YEAR.finditer(doc.text, start, end):
            if found.group() in years:
                self.spans[doc.document_id].append((found.start(), found.end()))
        self._merged.pop(doc.document_id, None)

    def covered(self, number: Written) -> bool:
        if number.document_id not in self._merged:
            starts: list[int] = []
            ends: list[int] = []
            for start, end in sorted(self.spans[number.document_id]):
                if starts and start <= ends[-1]:
                    ends[-1] = max(ends[-1], end)
                else:
                    starts.append(start)
                    ends.append(end)
            self._merged[number.document_id] = (starts, ends)
        starts, ends = self._merged[number.document_id]
        index = bisect.bisect_right(starts, number.start) - 1
        return index >= 0 and number.end <= ends[index]
