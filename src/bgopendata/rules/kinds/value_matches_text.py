"""value-matches-text: the value is the number its text writes."""

from __future__ import annotations

from typing import ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule


class ValueMatchesText(QuotedTextRule):
    title: ClassVar[str] = "The value is the number its text writes"
    summary: ClassVar[str] = (
        "value equals the number value_text (and value_text_en) writes, read with the language's "
        "number conventions, its scale words converted to the row's unit, ordinals and the number "
        "words of the lexicon; a row whose value_basis is not written keeps within the bounds "
        "it declares. A text that cannot be read as a number is an error too."
    )
    message: ClassVar[str] = "value {value} is not the {read} that {column} {text} writes"
    provenance_check: ClassVar[str] = "values"

    kind: Literal["value-matches-text"]
