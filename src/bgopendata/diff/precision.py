"""What kind of change a changed figure is: a rounding difference, a source revision or a
contradiction of its own quote.

The old figure's wording fixes the true values it can stand for (``Interval.of_figure`` from
its ``value``, ``resolution`` and ``qualifier``): "13" with resolution 1 is [12.5, 13.5),
"almost 46%" is [45, 46), "over 25%" is (25, inf). A new value inside that interval is
*within* the old precision (13 -> 13.1 only says the same figure more precisely); outside it,
the figure really changed. Its *quote* is the text it comes from (``sentence_it``,
``sentence_en``, ``value_text``, ``value_text_en``, whichever the table has): when it changed
too, the source was revised; when it did not, the figure now contradicts its own quote, and
``bgopendata validate`` refuses it.

Exact fractions throughout (no epsilon): 13.5 is outside [12.5, 13.5), 13.4999 inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from bgopendata.intervals import Interval
from bgopendata.rules.figures import unit_family

QUOTE_FIELDS = ("sentence_it", "sentence_en", "value_text", "value_text_en")

Precision = Literal["within", "outside"]
Quote = Literal["revised", "unchanged"]
Group = Literal["rounding", "revision", "contradiction"]

# Display order and wording of the groups, shared by every rendering.
GROUPS: dict[str, tuple[str, str]] = {
    "rounding": (
        "Rounding differences",
        "The new value lies within the precision of the old figure: the same figure, written with other digits.",
    ),
    "revision": (
        "Source revisions",
        "The new value lies outside the old figure's precision and its quote changed with it: the source was revised.",
    ),
    "contradiction": (
        "Contradictions",
        "The new value lies outside the old figure's precision but its quote did "
        "not change: the figure now contradicts its own quote, which "
        "`bgopendata validate` refuses.",
    ),
}


def written_resolution(text: str) -> Fraction:
    """The place value of the last digit a number is written with ('13' -> 1, '13.1' -> 1/10)."""
    exponent = Decimal(text.strip()).as_tuple().exponent
    if not isinstance(exponent, int):  # NaN, Infinity
        raise ValueError(f"not a finite number: {text!r}")
    return Fraction(10) ** exponent


def old_interval(row: dict[str, str]) -> Interval | None:
    """The true values the old figure can stand for, or None when its cells cannot say.

    The row's ``resolution`` where it has one, else the last written digit of ``value``;
    its ``qualifier``, else exact.
    """
    value = row.get("value", "").strip()
    if not value:
        return None
    try:
        resolution = row.get("resolution", "").strip() or written_resolution(value)
        return Interval.of_figure(value, resolution, row.get("qualifier", "").strip() or "exact")
    except (ValueError, ArithmeticError, InvalidOperation):
        return None


def new_value_in_old_unit(before: dict[str, str], after: dict[str, str]) -> Fraction | None:
    """The new value, converted to the old row's unit (EUR_mn -> EUR_bn); None when it cannot
    be read or the units measure different things."""
    try:
        value = Fraction(after.get("value", "").strip())
    except (ValueError, ZeroDivisionError):
        return None
    old_unit, new_unit = before.get("unit", ""), after.get("unit", "")
    if old_unit == new_unit:
        return value
    (old_family, old_factor), (new_family, new_factor) = unit_family(old_unit), unit_family(new_unit)
    if old_family != new_family:
        return None
    return value * Fraction(new_factor, old_factor)


def _exact(bound: Fraction | float) -> str:
    """A bound as the exact decimal it is ('36.5', '12.95', 'inf'); no float rounding."""
    if isinstance(bound, float):
        return "inf" if bound > 0 else "-inf"
    rest, twos, fives = bound.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:  # not a decimal fraction (a bound built from decimal text never is)
        return str(bound)
    places = max(twos, fives)
    return f"{Decimal(bound.numerator * 10**places // bound.denominator).scaleb(-places):f}"


def show_interval(interval: Interval) -> str:
    """'[36.5, 37.5)', '(25, inf)': the interval with its bounds written exactly."""
    left = "(" if interval.lo_open else "["
    right = ")" if interval.hi_open else "]"
    return f"{left}{_exact(interval.lo)}, {_exact(interval.hi)}{right}"


@dataclass(frozen=True)
class Classification:
    """A changed figure's place in the summary (every field None when it cannot be judged)."""

    precision: Precision | None
    quote: Quote | None
    interval: Interval | None  # the old figure's interval

    @property
    def group(self) -> Group | None:
        """within -> rounding; outside -> revision or contradiction, by the quote."""
        if self.precision == "within":
            return "rounding"
        if self.precision == "outside" and self.quote is not None:
            return "revision" if self.quote == "revised" else "contradiction"
        return None


def quote_status(before: dict[str, str], after: dict[str, str]) -> Quote | None:
    """Whether any quote column changed (whitespace collapsed); None when the table has none."""
    fields = [f for f in QUOTE_FIELDS if f in before or f in after]
    if not fields:
        return None
    changed = any(" ".join(before.get(f, "").split()) != " ".join(after.get(f, "").split()) for f in fields)
    return "revised" if changed else "unchanged"


def classify(before: dict[str, str], after: dict[str, str]) -> Classification:
    """Judge a row whose ``value`` changed: the new value against the old figure's interval,
    and whether its quote changed with it."""
    interval = old_interval(before)
    value = new_value_in_old_unit(before, after)
    within: Precision | None = None
    if interval is not None and value is not None:
        within = "within" if interval.contains(value) else "outside"
    return Classification(within, quote_status(before, after), interval)
