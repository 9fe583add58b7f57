"""Interval arithmetic on the precision a figure is written with, so no rule needs an epsilon.

A figure "13.1" with resolution 0.1 stands for any true value in [13.05, 13.15); "over
150,000" for any value above 150,000. A relation between figures holds when some choice
of true values inside their intervals satisfies it. Bounds are exact ``Fraction``s built
from the decimal text (13.1 is 131/10, not a binary float), or ``±math.inf``; each bound
also says whether it is open. Hand-written because no maintained library fits: ``portion``
has open/closed bounds but no arithmetic, ``pyinterval`` has arithmetic on closed float
intervals only and was last released in 2017.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

Bound = Fraction | float  # a Fraction, or ±math.inf
QUALIFIERS = ("exact", "approx", "at_least", "at_most")


def to_fraction(value: str | int | float | Fraction) -> Fraction:
    """The exact number a decimal text stands for ('13.1' -> 131/10); raises ValueError."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        value = repr(value)
    number = Fraction(str(value).strip())
    return number


def _is_inf(bound: Bound) -> bool:
    """Infinite bounds are floats; a huge Fraction (1e310) is finite and must not be cast to float."""
    return isinstance(bound, float) and math.isinf(bound)


@dataclass(frozen=True)
class Interval:
    """A set of reals between ``lo`` and ``hi``; ``lo_open``/``hi_open`` exclude the bound."""

    lo: Bound
    hi: Bound
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        if (_is_inf(self.lo) and self.lo > 0) or (_is_inf(self.hi) and self.hi < 0):
            raise ValueError("an interval bound cannot be infinite on that side")
        if self.lo > self.hi:
            raise ValueError(f"empty interval: {self.lo} > {self.hi}")

    # -- construction -------------------------------------------------------------
    @classmethod
    def point(cls, value: str | int | Fraction) -> Interval:
        v = to_fraction(value)
        return cls(v, v)

    @classmethod
    def of_figure(
        cls, value: str | int | Fraction, resolution: str | int | Fraction, qualifier: str = "exact"
    ) -> Interval:
        """The true values a figure written as ``value`` can stand for.

        exact [v - r/2, v + r/2); approx [v - r, v + r]; at_least ("over") (v, +inf);
        at_most ("almost") [v - r, v).
        """
        v, r = to_fraction(value), to_fraction(resolution)
        if r <= 0:
            raise ValueError(f"resolution must be > 0, got {r}")
        if qualifier == "exact":
            return cls(v - r / 2, v + r / 2, hi_open=True)
        if qualifier == "approx":
            return cls(v - r, v + r)
        if qualifier == "at_least":
            return cls(v, math.inf, lo_open=True, hi_open=True)
        if qualifier == "at_most":
            return cls(v - r, v, hi_open=True)
        raise ValueError(f"unknown qualifier {qualifier!r} (expected one of {', '.join(QUALIFIERS)})")

    # -- relations ----------------------------------------------------------------
    def intersects(self, other: Interval) -> bool:
        """Whether one true value can lie in both (the two statements can agree)."""
        if self.lo > other.lo or (self.lo == other.lo and self.lo_open):
            lo, lo_open = self.lo, self.lo_open
        else:
            lo, lo_open = other.lo, other.lo_open
        if self.hi < other.hi or (self.hi == other.hi and self.hi_open):
            hi, hi_open = self.hi, self.hi_open
        else:
            hi, hi_open = other.hi, other.hi_open
        return lo < hi or (lo == hi and not lo_open and not hi_open)

    def can_exceed(self, other: Interval) -> bool:
        """Whether some x in self and y in other have x > y."""
        return self.hi > other.lo

    def can_be_at_most(self, other: Interval) -> bool:
        """Whether some x in self and y in other have x <= y."""
        if self.lo < other.hi:
            return True
        return self.lo == other.hi and not self.lo_open and not other.hi_open

    def contains(self, value: str | int | Fraction) -> bool:
        return self.intersects(Interval.point(value))

    # -- arithmetic ---------------------------------------------------------------
    def __add__(self, other: Interval | int | Fraction) -> Interval:
        other = _coerce(other)
        return Interval(
            self.lo + other.lo, self.hi + other.hi, self.lo_open or other.lo_open, self.hi_open or other.hi_open
        )

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def __sub__(self, other: Interval | int | Fraction) -> Interval:
        return self + (-_coerce(other))

    def __mul__(self, other: Interval | int | Fraction) -> Interval:
        other = _coerce(other)
        candidates: list[tuple[Bound, bool]] = []
        for x, x_open in ((self.lo, self.lo_open), (self.hi, self.hi_open)):
            for y, y_open in ((other.lo, other.lo_open), (other.hi, other.hi_open)):
                if (x == 0 and not x_open) or (y == 0 and not y_open):
                    candidates.append((Fraction(0), False))
                    continue
                product = x * y
                if isinstance(product, float) and math.isnan(product):  # 0 (open) * inf
                    product = Fraction(0)
                candidates.append((product, x_open or y_open))
        lo = min(c[0] for c in candidates)
        hi = max(c[0] for c in candidates)
        lo_open = all(o for v, o in candidates if v == lo)
        hi_open = all(o for v, o in candidates if v == hi)
        return Interval(lo, hi, lo_open or _is_inf(lo), hi_open or _is_inf(hi))

    __rmul__ = __mul__

    def reciprocal(self) -> Interval:
        """1/x for every x in self; refuses an interval that can be zero."""
        if self.contains(0):
            raise ZeroDivisionError(f"{self} contains zero")
        lo = Fraction(0) if _is_inf(self.hi) else (math.inf if self.hi == 0 else 1 / Fraction(self.hi))
        hi = Fraction(0) if _is_inf(self.lo) else (math.inf if self.lo == 0 else 1 / Fraction(self.lo))
        lo_open = self.hi_open or _is_inf(self.hi)
        hi_open = self.lo_open or _is_inf(self.lo)
        if lo > hi:  # interval entirely negative
            lo, hi, lo_open, hi_open = hi, lo, hi_open, lo_open
        return Interval(lo, hi, lo_open or _is_inf(lo), hi_open or _is_inf(hi))

    def __truediv__(self, other: Interval | int | Fraction) -> Interval:
        return self * _coerce(other).reciprocal()

    # -- display ------------------------------------------------------------------
    def __str__(self) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"{left}{_show(self.lo)}, {_show(self.hi)}{right}"


def _coerce(value: Interval | int | Fraction | str) -> Interval:
    return value if isinstance(value, Interval) else Interval.point(value)


def _show(bound: Bound) -> str:
    if _is_inf(bound):
        return "inf" if bound > 0 else "-inf"
    exact = Fraction(bound)  # already a Fraction, unless an Interval was built by hand from floats
    if exact.denominator == 1:
        return str(exact.numerator)
    try:
        return f"{float(exact):.6g}"
    except OverflowError:
        return f"{exact.numerator}/{exact.denominator}"


def total(intervals: list[Interval]) -> Interval:
    """The sum of several intervals (the interval of a sum of parts)."""
    result = Interval.point(0)
    for item in intervals:
        result = result + item
    return result
