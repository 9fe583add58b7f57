"""number-accounted-for: every number the documents write is a published figure or a listed exclusion."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.rules.kinds._quoted_text import QuotedTextRule

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.report import Problem
    from bgopendata.rules.bind import BoundRule


class NumberAccountedFor(QuotedTextRule):
    title: ClassVar[str] = "Every number of the documents is accounted for"
    summary: ClassVar[str] = (
        "Each number written in a document of documents.csv is the text of a published row "
        "(its value_text in its sentence, a year of its period where period_from says) or is "
        "listed with a reason in sources/exclusions.csv; an exclusion that accounts for no "
        "number is stale. Declared once, on the documents table."
    )
    message: ClassVar[str] = (
        "{path}:{line}: the number {number} is neither a published figure nor listed in {exclusions}"
    )

    kind: Literal["number-accounted-for"]

    def check(self, bound: BoundRule) -> list[Problem]:
        """The documents' numbers against all rows and the exclusions (whatever table declares it)."""
        import bgopendata.provenance as provenance

        assert bound.index is not None and bound.index.package is not None
        return provenance.accounted_numbers(provenance.sources_of(bound.index.package, bound.index.memo))
