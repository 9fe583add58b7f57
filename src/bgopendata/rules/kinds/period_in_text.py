"""period-in-text: the period is written where the row says."""

from __future__ import annotations

from typing import ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule


class PeriodInText(QuotedTextRule):
    title: ClassVar[str] = "The period is written where the row says"
    summary: ClassVar[str] = (
        "Each year of period appears in the text period_from names (sentence, section, caption "
        "from the charts table, or none: then the period is empty); a chart's period appears "
        "in its caption."
    )
    message: ClassVar[str] = "period {period}: {years} does not appear in the {source}"
    provenance_check: ClassVar[str] = "periods"

    kind: Literal["period-in-text"]
