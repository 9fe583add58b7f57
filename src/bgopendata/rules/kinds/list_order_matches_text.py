"""list-order-matches-text: the list follows its sentence."""

from __future__ import annotations

from typing import ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule


class ListOrderMatchesText(QuotedTextRule):
    title: ClassVar[str] = "The list follows its sentence"
    summary: ClassVar[str] = (
        "The items of each list have positions 1 to n, each once, in the order their sentence "
        "names them, and as many items as the sentence says."
    )
    message: ClassVar[str] = "item {name} (position {position}) is not named in that order in its sentence"
    provenance_check: ClassVar[str] = "list_orders"

    kind: Literal["list-order-matches-text"]
