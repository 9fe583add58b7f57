"""Interval bounds of group rules as exact DECIMAL ibis expressions (no float, no flipped verdict).

Intervals follow ``intervals.Interval.of_figure`` (exact: v +- r/2; approx: v +- r;
at_least: (v, +inf); at_most: [v - r, v]), read as closed bounds, which can only make a
relation hold where the half-open reading would fail exactly on a bound. ibis is imported
inside each function: declaring a rule never loads it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bgopendata.tableschema.types import EXACT_NUMBER, WIDE_NUMBER

D = EXACT_NUMBER.ibis  # exact to 6 decimals below 1e12, like the loader's typed numbers
WIDE = WIDE_NUMBER.ibis  # a factor widened before a product: two decimal(18,6) overflow past 1e6 x 1e6


def dec(value: float | int | Decimal) -> Any:
    import ibis

    return ibis.literal(Decimal(repr(float(value))), type=D)


def bounds(qualifier: str | None, t: Any, value: str, resolution: str | float | int) -> tuple[Any, Any]:
    """The low and high bound of a column's interval (a null high bound: no upper bound)."""
    import ibis

    v = t[value].cast(D)
    r = t[resolution].cast(D) if isinstance(resolution, str) else dec(resolution)
    # ibis types r * 0.5 as r's type and drops a cast it thinks is a no-op, while DuckDB
    # widens the scale (6 + 1 here): a one-digit literal keeps that widening harmless
    half = r * ibis.literal(Decimal("0.5"), type="decimal(2,1)")
    if qualifier is None:
        return v - half, v + half
    q = t[qualifier]
    lo = ibis.cases((q == "approx", v - r), (q == "at_least", v), (q == "at_most", v - r), else_=v - half)
    hi = ibis.cases((q == "approx", v + r), (q == "at_least", ibis.null(D)), (q == "at_most", v), else_=v + half)
    return lo, hi


def shown(expr: Any) -> Any:
    """A decimal as written (no trailing zeros), for messages."""
    return expr.cast("string").re_replace(r"[.]?0+$", "")  # decimals always print their point


def text(*parts: Any) -> Any:
    """Strings and expressions joined into one message column."""
    import ibis

    out = None
    for part in parts:
        piece = ibis.literal(part) if isinstance(part, str) else part.cast("string")
        out = piece if out is None else out.concat(piece)
    return out


def keys_text(t: Any, keys: list[str]) -> Any:
    import ibis

    return ibis.literal(", ").join([t[k].cast("string") for k in keys])
