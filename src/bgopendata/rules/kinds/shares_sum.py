"""shares-sum: the shares of a group sum to their total."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.intervals import Interval, total
from bgopendata.rules.base import Failure, FigureGroup, FigureRef, FigureRule, SameUnit
from bgopendata.rules.figures import Figure, ids_text, usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class SharesSum(FigureRule):
    title: ClassVar[str] = "Shares sum to their total"
    summary: ClassVar[str] = (
        "The shares of a group sum to their total (100, or a stated subtotal), or stay at "
        "or below it where the document lists only some parts."
    )
    message: ClassVar[str] = "the shares {parts} sum to {found_interval}, which cannot be {relation} {total}"
    same_unit: ClassVar[SameUnit | None] = SameUnit(("parts", "total"), at="parts")

    kind: Literal["shares-sum"]
    parts: FigureGroup
    total: FigureRef | int | float = 100
    relation: Literal["equal", "at_most"] = "equal"

    def check(self, bound: BoundRule) -> list[Failure]:
        """The parts' sum can equal the total (relation 'equal') or stay at or below it ('at_most')."""
        parts: list[Figure] = bound.refs["parts"]
        total_ref: Figure | None = bound.refs.get("total")
        if not usable(*parts, *([total_ref] if total_ref else [])):
            return []
        unit = total_ref.unit if total_ref else parts[0].unit
        found = total([p.interval_in(unit) for p in parts])
        expected = total_ref.bounds if total_ref else Interval.point(str(self.total))
        equal = self.relation == "equal"
        if found.intersects(expected) if equal else found.can_be_at_most(expected):
            return []
        total_text = total_ref.describe() if total_ref else f"{self.total}"
        anchor = total_ref or parts[-1]
        return [
            Failure(
                anchor.row,
                {
                    "parts": ids_text(parts),
                    "found_interval": found,
                    "relation": "equal to" if equal else "at most",
                    "total": total_text,
                },
                expected=f"{'=' if equal else '<='} {total_text}",
                found=f"{ids_text(parts)} = {found} {unit}; " + "; ".join(p.describe() for p in parts),
                figures=[f.figure_id for f in parts] + ([total_ref.figure_id] if total_ref else []),
            )
        ]
