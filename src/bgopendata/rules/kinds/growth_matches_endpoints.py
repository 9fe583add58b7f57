"""growth-matches-endpoints: a stated growth agrees with its start and end values."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.rules.base import Failure, FigureRef, FigureRule, SameUnit
from bgopendata.rules.figures import usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class GrowthMatchesEndpoints(FigureRule):
    title: ClassVar[str] = "A stated growth agrees with its start and end values"
    summary: ClassVar[str] = (
        "A growth in percent equals (end / start - 1) x 100; a growth as a multiple "
        "('more than quadrupled') equals end / start; both computed on intervals."
    )
    message: ClassVar[str] = "{start} -> {end} gives {found_interval}, which cannot be the stated growth {growth}"
    same_unit: ClassVar[SameUnit | None] = SameUnit(("start", "end"), at="end")

    kind: Literal["growth-matches-endpoints"]
    start: FigureRef
    end: FigureRef
    growth: FigureRef

    def check(self, bound: BoundRule) -> list[Failure]:
        """A percent growth equals (end/start - 1) x 100; a multiple equals end/start."""
        start, end, growth = bound.refs["start"], bound.refs["end"], bound.refs["growth"]
        if not usable(start, end, growth):
            return []
        ratio = end.interval_in(start.unit) / start.bounds
        implied = (ratio - 1) * 100 if growth.unit == "percent" else ratio
        if implied.intersects(growth.bounds):
            return []
        return [
            Failure(
                growth.row,
                {
                    "start": start.figure_id,
                    "end": end.figure_id,
                    "found_interval": f"{implied} {growth.unit}",
                    "growth": growth.describe(),
                },
                expected=growth.describe(),
                found=f"from {start.describe()} to {end.describe()}: {implied} {growth.unit}",
                figures=[start.figure_id, end.figure_id, growth.figure_id],
            )
        ]
