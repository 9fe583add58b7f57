"""quote-in-document: the quoted text occurs in its document."""

from __future__ import annotations

from typing import ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule


class QuoteInDocument(QuotedTextRule):
    title: ClassVar[str] = "The quoted text occurs in its document"
    summary: ClassVar[str] = (
        "Each quote (sentence_it, sentence_en; a chart's captions; a list's sentence) occurs verbatim, "
        "whitespace collapsed, in the document its document_id names (documents.csv), in the "
        "section of its language."
    )
    message: ClassVar[str] = "the {column} quote does not occur in {document} (or only outside its {language} text)"
    provenance_check: ClassVar[str] = "quotes"

    kind: Literal["quote-in-document"]
