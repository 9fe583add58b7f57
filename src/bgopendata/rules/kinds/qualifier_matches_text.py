"""qualifier-matches-text: the qualifier agrees with the hedge words."""

from __future__ import annotations

from typing import ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule


class QualifierMatchesText(QuotedTextRule):
    title: ClassVar[str] = "The qualifier agrees with the hedge words"
    summary: ClassVar[str] = (
        "qualifier (and qualifier_it) agree with the hedge words next to value_text in the "
        "original-language sentence (oltre, quasi, circa, ... from the lexicon), qualifier_en "
        "with those next to value_text_en in the English sentence."
    )
    message: ClassVar[str] = "{qualifier} {stated} but the {language} text {clause} {text} means {meant}"
    provenance_check: ClassVar[str] = "qualifiers"

    kind: Literal["qualifier-matches-text"]
