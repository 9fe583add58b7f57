"""share-of-total: a stated share agrees with its part and total."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.rules.base import Failure, FigureRef, FigureRule, SameUnit
from bgopendata.rules.figures import usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class ShareOfTotal(FigureRule):
    title: ClassVar[str] = "A stated share agrees with its part and total"
    summary: ClassVar[str] = (
        "part / total x 100, computed on the intervals of part and total, can equal the stated share."
    )
    message: ClassVar[str] = "{part} / {total} gives {found_interval}%, which cannot be the stated share {share}"
    same_unit: ClassVar[SameUnit | None] = SameUnit(("part", "total"), at="total")

    kind: Literal["share-of-total"]
    part: FigureRef
    total: FigureRef
    share: FigureRef

    def check(self, bound: BoundRule) -> list[Failure]:
        """part / total x 100 can equal the stated share."""
        part, whole, share = bound.refs["part"], bound.refs["total"], bound.refs["share"]
        if not usable(part, whole, share):
            return []
        implied = part.interval_in(whole.unit) / whole.bounds * 100
        if implied.intersects(share.bounds):
            return []
        return [
            Failure(
                share.row,
                {
                    "part": part.figure_id,
                    "total": whole.figure_id,
                    "found_interval": implied,
                    "share": share.describe(),
                },
                expected=share.describe(),
                found=f"{part.figure_id} / {whole.figure_id} x 100 = {implied} percent; "
                f"{part.describe()}; {whole.describe()}",
                figures=[part.figure_id, whole.figure_id, share.figure_id],
            )
        ]
