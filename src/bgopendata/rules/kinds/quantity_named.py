"""quantity-named: a row's quantity_id is the figure_id of a statement of that quantity."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.rules.base import Failure
from bgopendata.rules.kinds._quantity_rule import QuantityRule

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class QuantityNamed(QuantityRule):
    title: ClassVar[str] = "A quantity is named after one of its statements"
    summary: ClassVar[str] = (
        "quantity_id is the figure_id of a row that states the same quantity (its own, for a "
        "quantity stated once), so a mistyped quantity_id cannot start a quantity of its own."
    )
    message: ClassVar[str] = "{figure} states quantity {quantity}, {problem}"

    kind: Literal["quantity-named"]

    def check(self, bound: BoundRule) -> list[Failure]:
        assert bound.index is not None
        figures = bound.index.figures
        failures = []
        for quantity, group in self.quantities(bound).items():
            named = figures.get(quantity)
            if named is None:
                problem = f"but no figure is {quantity}"
            elif named.row.cells.get(self.key) != quantity:
                problem = f"but {quantity} states quantity {named.row.cells.get(self.key) or '(none)'}"
            else:
                continue
            for figure in group:
                failures.append(
                    Failure(
                        figure.row,
                        {"figure": figure.figure_id, "quantity": quantity, "problem": problem},
                        expected=f"the figure_id of a statement of the same quantity (its own: {figure.figure_id})",
                        found=quantity,
                        figures=[figure.figure_id],
                        fields=[self.key],
                    )
                )
        return failures
