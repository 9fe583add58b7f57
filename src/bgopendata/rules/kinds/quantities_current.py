"""quantities-current: the quantities table is what the statements give."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from bgopendata.quantities import KEY, table_rows
from bgopendata.rules.base import Failure, FigureRule

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule

REGENERATE = "python -m bgopendata.quantities"


class QuantitiesCurrent(FigureRule):
    title: ClassVar[str] = "The quantities table is what the statements give"
    summary: ClassVar[str] = (
        "The table declaring this rule holds, row for row and cell for cell, one row per "
        "quantity_id derived from the statements (the most precise first); it is written by "
        f"{REGENERATE}, never by hand."
    )
    message: ClassVar[str] = "{detail}; run " + REGENERATE

    kind: Literal["quantities-current"]

    def reads(self, bound: BoundRule) -> list[str]:
        return []

    def check(self, bound: BoundRule) -> list[Failure]:
        assert bound.index is not None
        derived = {row[KEY]: row for row in table_rows(bound.index)}
        failures = []
        seen = set()
        for row in bound.table_rows:
            quantity = row.cells.get(KEY, "")
            want = derived.get(quantity)
            if want is None:
                failures.append(
                    Failure(
                        row,
                        {"detail": f"no statement states quantity {quantity!r}"},
                        "no such row",
                        quantity,
                        fields=[KEY],
                    )
                )
                continue
            seen.add(quantity)
            differ = [c for c, text in want.items() if row.cells.get(c, "") != text]
            if differ:
                failures.append(
                    Failure(
                        row,
                        {
                            "detail": f"the row of {quantity} differs from its statement "
                            f"{want['from_figure_id']} in {', '.join(differ)}"
                        },
                        expected="; ".join(f"{c}={want[c]!r}" for c in differ),
                        found="; ".join(f"{c}={row.cells.get(c, '')!r}" for c in differ),
                        figures=want["figure_ids"].split(),
                        fields=differ,
                    )
                )
        for quantity, want in derived.items():
            if quantity in seen or quantity not in bound.index.figures:
                continue
            figure = bound.index.figures[want["from_figure_id"]]
            failures.append(
                Failure(
                    figure.row,
                    {"detail": f"quantity {quantity} has no row in the table {bound.resource}"},
                    expected=f"a row for {quantity}",
                    found="none",
                    figures=want["figure_ids"].split(),
                    fields=[KEY],
                )
            )
        return failures
