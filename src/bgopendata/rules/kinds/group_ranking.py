"""group-ranking: within every group of rows, ranks follow values."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from bgopendata.rules.base import Column, GroupRule, Precision, Relation
from bgopendata.rules.decimal_bounds import D, bounds, keys_text, shown, text


class GroupRanking(GroupRule):
    title: ClassVar[str] = "Each group's ranks follow its values"
    summary: ClassVar[str] = (
        "Within every group of rows, rank 1 is the largest value: a better rank never has a "
        "surely smaller value, and equal ranks have values that can be equal; one problem "
        "per group, on its first failing line."
    )
    message: ClassVar[str] = "{description}"
    reported: ClassVar[str] = "rank"

    kind: Literal["group-ranking"]
    group_by: Annotated[list[Column], Field(min_length=1)]
    value: Column
    resolution: Precision = "resolution"
    rank: Column

    def relate(self, t: Any) -> Relation:
        """Ordering (a better rank never has a surely smaller value) and ties (equal ranks can be equal).

        For ranks that are positions these two imply the "at most r - 1 values surely above
        rank r" condition, so they are the whole rule; one row per group, counting its failures.
        """
        import ibis

        lo, hi = bounds(self.qualifier, t, self.value, self.resolution)
        ranked = t.select(*self.group_by, line=t["__line"], rk=t[self.rank], v=t[self.value].cast(D), lo=lo, hi=hi)
        ranked = ranked.filter(ranked.rk.notnull() & ranked.v.notnull())
        better = ibis.window(group_by=self.group_by, order_by="rk", range=(None, -1))
        ties = ibis.window(group_by=self.group_by, order_by="rk", range=(0, 0))  # one sort serves both frames
        judged = ranked.mutate(
            best_hi=ranked.hi.min().over(better), tie_lo=ranked.lo.max().over(ties), tie_hi=ranked.hi.min().over(ties)
        )
        bad = (judged.best_hi < judged.lo) | (judged.tie_lo > judged.tie_hi)
        judged = judged.mutate(bad=bad.fill_null(False))
        groups = judged.group_by(self.group_by).aggregate(
            failures=judged.bad.cast("int64").sum(),
            line=judged.line.min(where=judged.bad),
            first_rank=judged.rk.argmin(judged.line, where=judged.bad),
            first_value=judged.v.argmin(judged.line, where=judged.bad),
        )
        groups = groups.mutate(
            found=text(
                keys_text(groups, self.group_by),
                ": ",
                groups.failures,
                " row(s) ranked below a surely smaller value, first rank ",
                groups.first_rank,
                " with value ",
                shown(groups.first_value),
            ),
            expected=text("rank 1 = largest value, ranks ordered like the values"),
        )
        return Relation(groups, lambda g: g.failures == 0)
