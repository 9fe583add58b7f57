"""Provenance: every quoted sentence appears verbatim in its document, and the documents are pinned."""

from __future__ import annotations

import hashlib

import pytest

from conftest import ROOT, read_rows

# The source texts (their origin is in sources/README.md); a changed byte must be deliberate.
PINNED = {
    "sources/why-invest-in-bergamo.en.txt": "c7e4936ce6c9c33b879bc9228c3d204f7ccaeb156192f2c2509755323259404d",
    "sources/bergamo-second-industrial-province.it-en.txt": (
        "5407ec9ebe4f8ff10dab4b89e772ad1f3c56c416993ab7a02167af194018b2de"
    ),
}


def collapse(text: str) -> str:
    """The brochure text is hard-wrapped: quotes match with runs of whitespace collapsed."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def document_text() -> dict[str, str]:
    docs = read_rows(ROOT / "resources/documents.csv")
    return {d["document_id"]: collapse((ROOT / d["path"]).read_text(encoding="utf-8")) for d in docs}


@pytest.mark.parametrize("path,digest", sorted(PINNED.items()))
def test_source_documents_are_the_pinned_copies(path, digest):
    assert hashlib.sha256((ROOT / path).read_bytes()).hexdigest() == digest


def test_documents_resource_lists_both_texts_and_datapackage_names_them(descriptor):
    docs = read_rows(ROOT / "resources/documents.csv")
    assert {d["path"] for d in docs} == set(PINNED)
    source_paths = {s.get("path") for s in descriptor["sources"]}
    assert set(PINNED) <= source_paths


def quoted(tables):
    for name, rows in tables.items():
        for line, row in enumerate(rows, start=2):
            for column in ("sentence_it", "sentence_en", "sentence", "caption_it", "caption_en"):
                if row.get(column):
                    yield name, line, column, row.get("document_id") or "brochure", row[column]


def test_every_quoted_sentence_appears_verbatim_in_its_document(tables, document_text):
    checked = 0
    missing = []
    for name, line, column, doc, sentence in quoted(tables):
        checked += 1
        if sentence not in document_text[doc]:
            missing.append(f"{name}.csv:{line} {column}: {sentence[:80]!r}")
    assert not missing, "quotes not found in their document:\n" + "\n".join(missing)
    assert checked > 300  # both languages of every figure, plus lists and chart captions


def test_every_value_as_written_appears_in_its_original_sentence(fact_tables):
    missing = []
    for name, rows in fact_tables.items():
        for line, row in enumerate(rows, start=2):
            original = row["sentence_it"] if row["document_id"] == "brochure" else row["sentence_en"]
            if row["value_text"] not in original:
                missing.append(f"{name}.csv:{line} {row['value_text']!r}")
    assert not missing, missing
