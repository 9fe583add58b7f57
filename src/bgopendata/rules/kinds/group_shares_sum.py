"""group-shares-sum: in every group of rows, the shares sum to their total."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from bgopendata.rules.base import Column, GroupRule, Precision, Relation
from bgopendata.rules.decimal_bounds import D, bounds, dec, keys_text, shown, text


class GroupSharesSum(GroupRule):
    title: ClassVar[str] = "Each group's shares sum to their total"
    summary: ClassVar[str] = (
        "In every group of rows (say, each province, sector and year) the shares sum to the "
        "total (100 by default) within their precision, or stay at or below it (relation "
        "at_most); a group with an empty share is not judged."
    )
    message: ClassVar[str] = "{description}"
    reported: ClassVar[str] = "share"

    kind: Literal["group-shares-sum"]
    group_by: Annotated[list[Column], Field(min_length=1)]
    share: Column
    resolution: Precision = 0.01
    total: float | int = 100
    relation: Literal["equal", "at_most"] = "equal"

    def relate(self, t: Any) -> Relation:
        lo, hi = bounds(self.qualifier, t, self.share, self.resolution)
        share = t[self.share]
        groups = t.group_by(self.group_by).aggregate(
            line=t["__line"].argmax(share),
            rows=t.count(),
            shares=share.count(),
            total_share=share.cast(D).sum(),
            low=lo.sum(),
            high=hi.sum(),
            highs=hi.count(),
        )
        total = dec(self.total)
        groups = groups.mutate(
            found=text(
                "shares ",
                keys_text(groups, self.group_by),
                " (",
                groups.rows,
                " rows) sum to ",
                shown(groups.total_share),
                " within [",
                shown(groups.low),
                ", ",
                shown(groups.high).fill_null("inf"),
                "]",
            ),
            expected=text(("= " if self.relation == "equal" else "<= ") + f"{self.total:g}"),
        )

        def holds(g: Any) -> Any:
            below = g.low <= total
            if self.relation == "equal":
                below = below & ((g.highs < g.rows) | (total <= g.high))
            return (g.shares < g.rows) | below  # a group with an empty share is not judged

        return Relation(groups, holds)
