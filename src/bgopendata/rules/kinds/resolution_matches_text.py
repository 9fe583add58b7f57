"""resolution-matches-text: the resolution is the precision the text writes."""

from __future__ import annotations

from typing import ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule


class ResolutionMatchesText(QuotedTextRule):
    title: ClassVar[str] = "The resolution is the precision the text writes"
    summary: ClassVar[str] = (
        "resolution is the place value of the last written digit at the row's unit (13,1 mld: 0.1 "
        "EUR_bn), unless resolution_basis declares another (round: coarser and dividing the "
        "value; context: that of the other figures of its sentence)."
    )
    message: ClassVar[str] = "resolution {resolution} is not the place value of the last digit of {text}"
    provenance_check: ClassVar[str] = "resolutions"

    kind: Literal["resolution-matches-text"]
