"""part-of-whole: the parts a document lists sum to no more than their whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.intervals import total
from bgopendata.rules.base import Failure, FigureGroup, FigureRef, FigureRule, SameUnit
from bgopendata.rules.figures import Figure, ids_text, usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class PartOfWhole(FigureRule):
    title: ClassVar[str] = "A part never exceeds its whole"
    summary: ClassVar[str] = (
        "The parts a document lists (one or several) sum to no more than the whole they "
        "belong to; units are converted (EUR_mn to EUR_bn)."
    )
    message: ClassVar[str] = "the parts {parts} sum to {found_interval}, more than the whole {whole} allows"
    same_unit: ClassVar[SameUnit | None] = SameUnit(("parts", "whole"), at="parts")

    kind: Literal["part-of-whole"]
    parts: FigureGroup
    whole: FigureRef

    def check(self, bound: BoundRule) -> list[Failure]:
        """The listed parts sum to no more than their whole (units converted to the whole's)."""
        parts: list[Figure] = bound.refs["parts"]
        whole: Figure = bound.refs["whole"]
        if not usable(*parts, whole):
            return []
        found = total([p.interval_in(whole.unit) for p in parts])
        if found.can_be_at_most(whole.bounds):
            return []
        return [
            Failure(
                whole.row,
                {"parts": ids_text(parts), "found_interval": f"{found} {whole.unit}", "whole": whole.describe()},
                expected=f"<= {whole.describe()}",
                found=f"{ids_text(parts)} = {found} {whole.unit}; " + "; ".join(p.describe() for p in parts),
                figures=[f.figure_id for f in parts] + [whole.figure_id],
            )
        ]
