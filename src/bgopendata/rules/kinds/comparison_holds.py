"""comparison-holds: figures a document states in order keep that order."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import Field

from bgopendata.rules.base import Failure, FigureId, FigureRule, Refers, SameUnit
from bgopendata.rules.figures import Figure, most_involved, usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class ComparisonHolds(FigureRule):
    title: ClassVar[str] = "A stated comparison holds"
    summary: ClassVar[str] = (
        "Figures a document states in order ('higher than', 'lower than', 'suffered least') "
        "keep that order within their intervals."
    )
    message: ClassVar[str] = "the stated order does not hold: {violations}"
    same_unit: ClassVar[SameUnit | None] = SameUnit(("order",), at="order")

    kind: Literal["comparison-holds"]
    order: Annotated[list[FigureId], Field(min_length=2), Refers("figures")]
    relation: Literal["greater", "less"] = "greater"

    def check(self, bound: BoundRule) -> list[Failure]:
        """Each figure of ``order`` is greater (or less) than the next, within their intervals."""
        order: list[Figure] = bound.refs["order"]
        greater = self.relation == "greater"
        unit = order[0].unit
        pairs = []
        for a, b in itertools.pairwise(order):
            if not usable(a, b):
                continue
            ia, ib = a.interval_in(unit), b.interval_in(unit)
            if not (ia.can_exceed(ib) if greater else ib.can_exceed(ia)):
                pairs.append((a, b))
        if not pairs:
            return []
        sign = ">" if greater else "<"
        violations = "; ".join(f"{a.describe(unit)} is not {sign} {b.describe(unit)}" for a, b in pairs)
        anchor = most_involved(pairs, order)
        return [
            Failure(
                anchor.row,
                {"violations": violations},
                expected=f" {sign} ".join(f.figure_id for f in order),
                found=violations,
                figures=[f.figure_id for f in order],
            )
        ]
