"""count-matches: a stated count agrees with the rows listed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import Field

from bgopendata.intervals import Interval
from bgopendata.rules.base import Failure, FieldRef, FigureRef, FigureRule, RowSelection
from bgopendata.rules.figures import Figure, Row, usable

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.bind import BoundRule


class CountMatches(FigureRule):
    title: ClassVar[str] = "A stated count agrees with the rows listed"
    summary: ClassVar[str] = (
        "A stated count equals the number of rows (or distinct values of a column) the package "
        "lists for it, or is at least that number where the document names only some "
        "(relation at_least)."
    )
    message: ClassVar[str] = "{count} states {count_value}, but {listed} row(s) are listed ({selection})"

    kind: Literal["count-matches"]
    count: FigureRef
    rows: RowSelection
    distinct: Annotated[str | None, FieldRef("rows"), Field(description="count distinct values of this column")] = None
    relation: Literal["equal", "at_least"] = Field(
        default="equal", description="'at_least' where the document lists only some of what it counts"
    )

    def check(self, bound: BoundRule) -> list[Failure]:
        """The stated count equals the rows listed (or distinct values of a column among them)."""
        count: Figure = bound.refs["count"]
        rows: list[Row] = bound.refs["rows"]
        if not usable(count):
            return []
        listed = len({r.cells.get(self.distinct, "") for r in rows}) if self.distinct else len(rows)
        if self.relation == "equal" and count.bounds.contains(listed):
            return []
        if self.relation == "at_least" and Interval.point(listed).can_be_at_most(count.bounds):
            return []
        where = ", ".join(f"{k}={v}" for k, v in self.rows.where.items())
        shown = f"{self.rows.resource or bound.resource}" + (f" where {where}" if where else "")
        if self.distinct:
            shown += f", distinct {self.distinct}"
        return [
            Failure(
                count.row,
                {
                    "count": count.figure_id,
                    "count_value": count.row.cells.get("value"),
                    "listed": listed,
                    "selection": shown,
                },
                expected=("" if self.relation == "equal" else ">= listed rows: ") + count.describe(),
                found=f"{listed} listed in {shown}",
                figures=[count.figure_id],
            )
        ]
