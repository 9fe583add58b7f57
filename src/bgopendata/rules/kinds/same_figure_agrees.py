"""same-figure-agrees: the statements of one quantity agree, wherever they are."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.rules.base import Failure
from bgopendata.rules.figures import Figure, convertible, most_involved, usable
from bgopendata.rules.kinds._quantity_rule import QuantityRule

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class SameFigureAgrees(QuantityRule):
    title: ClassVar[str] = "One quantity stated in several places agrees"
    summary: ClassVar[str] = (
        "The statements of one quantity (rows of any table sharing a quantity_id: tables, "
        "sections, the two documents, rounded or hedged differently) have intervals that overlap."
    )
    message: ClassVar[str] = "the statements of quantity {quantity} disagree: {violations}"

    kind: Literal["same-figure-agrees"]

    def check(self, bound: BoundRule) -> list[Failure]:
        """Every pair of statements of each quantity has overlapping intervals (in one unit)."""
        failures = []
        for quantity, group in self.quantities(bound).items():
            figures: list[Figure] = [f for f in group if usable(f)]
            if len(figures) < 2:
                continue
            unit = figures[0].unit
            apart = [f for f in figures if not convertible(unit, f.unit)]
            if apart:
                failures.append(
                    Failure(
                        apart[0].row,
                        {"quantity": quantity, "violations": f"{unit} and {apart[0].unit} cannot be compared"},
                        expected=f"a unit comparable with {unit}",
                        found=apart[0].unit,
                        figures=[f.figure_id for f in figures],
                        fields=["unit"],
                    )
                )
                continue
            pairs = [
                (a, b)
                for i, a in enumerate(figures)
                for b in figures[i + 1 :]
                if not a.interval_in(unit).intersects(b.interval_in(unit))
            ]
            if not pairs:
                continue
            anchor = most_involved(pairs, figures)
            others = [b if a is anchor else a for a, b in pairs if anchor in (a, b)]
            failures.append(
                Failure(
                    anchor.row,
                    {
                        "quantity": quantity,
                        "violations": "; ".join(f"{a.describe(unit)} vs {b.describe(unit)}" for a, b in pairs),
                    },
                    expected="; ".join(o.describe(unit) for o in others),
                    found=anchor.describe(unit),
                    figures=[f.figure_id for f in figures],
                )
            )
        return failures
