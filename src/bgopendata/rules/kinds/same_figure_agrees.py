"""same-figure-agrees: one quantity stated in two places agrees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import Field

from bgopendata.rules.base import Failure, FigureId, FigureRule, Refers, SameUnit
from bgopendata.rules.figures import Figure, most_involved, usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class SameFigureAgrees(FigureRule):
    title: ClassVar[str] = "One quantity stated in two places agrees"
    summary: ClassVar[str] = (
        "The same quantity stated in two places (tables, sections, the two documents, rounded "
        "or hedged differently) has intervals that overlap."
    )
    message: ClassVar[str] = "the same quantity is stated differently: {violations}"
    same_unit: ClassVar[SameUnit | None] = SameUnit(("figures",), at="figures")

    kind: Literal["same-figure-agrees"]
    figures: Annotated[list[FigureId], Field(min_length=2), Refers("figures")]

    def check(self, bound: BoundRule) -> list[Failure]:
        """Every pair of statements of the same quantity has overlapping intervals."""
        figures: list[Figure] = [f for f in bound.refs["figures"] if usable(f)]
        unit = figures[0].unit if figures else ""
        pairs = [
            (a, b)
            for i, a in enumerate(figures)
            for b in figures[i + 1 :]
            if not a.interval_in(unit).intersects(b.interval_in(unit))
        ]
        if not pairs:
            return []
        anchor = most_involved(pairs, figures)
        others = [b if a is anchor else a for a, b in pairs if anchor in (a, b)]
        violations = "; ".join(f"{a.describe(unit)} vs {b.describe(unit)}" for a, b in pairs)
        return [
            Failure(
                anchor.row,
                {"violations": violations},
                expected="; ".join(o.describe(unit) for o in others),
                found=anchor.describe(unit),
                figures=[f.figure_id for f in figures],
            )
        ]
