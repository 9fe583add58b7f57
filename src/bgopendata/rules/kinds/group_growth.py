"""group-growth: every stated growth of a series agrees with its value and the previous one."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from bgopendata.rules.base import Column, GroupRule, Precision, Relation
from bgopendata.rules.decimal_bounds import WIDE, D, bounds, dec, keys_text, shown, text


class GroupGrowth(GroupRule):
    title: ClassVar[str] = "Each yearly growth agrees with its two values"
    summary: ClassVar[str] = (
        "In every series (say, each province, sector and partner) the growth in percent stated "
        "for a period agrees, within the precisions, with the value of that period and of the "
        "period before; one problem per series, on its first disagreeing line."
    )
    message: ClassVar[str] = "{description}"
    reported: ClassVar[str] = "growth"

    kind: Literal["group-growth"]
    series: Annotated[list[Column], Field(min_length=1)]
    time: Column
    value: Column
    resolution: Precision = "resolution"
    growth: Column
    growth_resolution: float | int = 0.1

    def relate(self, t: Any) -> Relation:
        """Each value paired with its series' value one period earlier (an equi-join, no sort).

        One row per series, counting the pairs whose growth disagrees, on the first such line:
        a series that drifts for twenty years is one problem, not twenty.
        """
        lo, hi = bounds(self.qualifier, t, self.value, self.resolution)
        now = t.select(
            *self.series,
            line=t["__line"],
            time=t[self.time],
            v=t[self.value].cast(D),
            g=t[self.growth].cast(D),
            lo=lo,
            hi=hi,
        )
        now = now.filter(now.g.notnull() & now.v.notnull())
        before = t.select(
            *[t[k].name(f"__{k}") for k in self.series],
            next_time=t[self.time] + 1,
            v0=t[self.value].cast(D),
            lo0=lo,
            hi0=hi,
        )
        before = before.filter(before.v0.notnull() & (before.lo0 > 0))
        pairs = now.join(before, [now[k] == before[f"__{k}"] for k in self.series] + [now.time == before.next_time])
        step = Decimal(repr(float(self.growth_resolution))) / 2

        def wide(expr: Any) -> Any:
            return expr.cast(WIDE)

        # growth g (in %, +-step) agrees with lo0..hi0 -> lo..hi when the intervals meet:
        # lo * 100 <= (g + step + 100) * hi0 and (g - step + 100) * lo0 <= hi * 100
        upper = wide(wide(pairs.g + dec(step + 100).cast(WIDE)) * wide(pairs.hi0))
        lower = wide(wide(pairs.g - dec(step - 100).cast(WIDE)) * wide(pairs.lo0))
        agrees = (pairs.hi0.isnull() | (wide(wide(pairs.lo) * 100) <= upper)) & (
            pairs.hi.isnull() | (lower <= wide(wide(pairs.hi) * 100))
        )
        pairs = pairs.mutate(bad=~agrees.fill_null(True))
        first = {"where": pairs.bad}
        series = pairs.group_by(self.series).aggregate(
            failures=pairs.bad.cast("int64").sum(),
            line=pairs.line.min(**first),
            v0=pairs.v0.argmin(pairs.line, **first),
            v=pairs.v.argmin(pairs.line, **first),
            g=pairs.g.argmin(pairs.line, **first),
        )
        series = series.mutate(
            found=text(
                keys_text(series, self.series),
                ": ",
                series.failures,
                " growth(s) disagree, first from ",
                shown(series.v0),
                " to ",
                shown(series.v),
                ": growth ",
                shown(series.g),
            ),
            expected=text("a growth agreeing with ", shown(series.v0), " -> ", shown(series.v)),
        )
        return Relation(series, lambda s: s.failures == 0)
