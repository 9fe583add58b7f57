"""value-text-in-sentence: the figure's text occurs in its sentence."""

from __future__ import annotations

from typing import ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule


class ValueTextInSentence(QuotedTextRule):
    title: ClassVar[str] = "The figure's text occurs in its sentence"
    summary: ClassVar[str] = (
        "value_text occurs in the original-language sentence and value_text_en in the English one; "
        "neither may be empty."
    )
    message: ClassVar[str] = "{column} {text} does not occur in sentence_{language}"
    provenance_check: ClassVar[str] = "value_texts"

    kind: Literal["value-text-in-sentence"]
