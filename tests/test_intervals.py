"""Interval arithmetic on stated precision: exact semantics, and properties proved with hypothesis.

Correctly rounded data never makes a rule fail; a figure moved past its tolerance does.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bgopendata.intervals import Interval
from bgopendata.rules.bind import bind
from bgopendata.rules.figures import FigureIndex
from bgopendata.rules.registry import parse_rules

figure = Interval.of_figure
RESOLUTIONS = [Fraction(1, 10), Fraction(1), Fraction(1000)]


def test_qualifiers_follow_the_wording():
    assert str(figure("13.1", "0.1")) == "[13.05, 13.15)"
    assert str(figure("350", "1")) == "[349.5, 350.5)"
    assert str(figure("150000", "10000", "at_least")) == "(150000, inf)"
    assert str(figure("10", "1", "at_most")) == "[9, 10)"
    assert str(figure("10", "1", "approx")) == "[9, 11]"
    assert figure("13.1", "0.1").lo == Fraction(1305, 100)  # exact, not a binary float


def test_half_open_bounds_decide_agreement():
    assert not figure("13", "0.1").intersects(figure("13.1", "0.1"))  # [12.95, 13.05) vs [13.05, 13.15)
    assert figure("13", "1").intersects(figure("13.1", "0.1"))
    assert figure("9.7", "0.1").intersects(figure("10", "1", "approx"))  # 9.7 bn vs 'close to 10'
    assert figure("156000", "1000").intersects(figure("150000", "10000", "at_least"))
    assert not figure("149000", "1000").intersects(figure("150000", "10000", "at_least"))
    assert not figure("10", "1", "at_most").contains(10)  # 'almost 10' is below 10


def test_arithmetic_on_intervals():
    growth = (figure("13.1", "0.1") / figure("2.9", "0.1") - 1) * 100
    assert growth.intersects(figure("350", "1")) and not growth.intersects(figure("300", "1"))
    share = figure("13.1", "0.1") / figure("373.8", "0.1") * 100
    # the web page's '4%' agrees with 13.1 / 373.8 = 3.49..3.52%: 4% stands for [3.5, 4.5)
    assert share.intersects(figure("4", "1")) and str(share) == "(3.4907, 3.51839)"
    assert str(figure("46", "1", "at_most") + figure("16", "1")) == "[60.5, 62.5)"
    with pytest.raises(ZeroDivisionError):
        figure("1", "1") / figure("0", "1")
    assert (figure("5", "1", "at_least") * -1).hi == -5


def rounded(x: Fraction, r: Fraction) -> Fraction:
    """x rounded half up to a multiple of r, as an author writing 'exact' figures would."""
    return math.floor(x / r + Fraction(1, 2)) * r


def text(v: Fraction) -> str:
    return format(float(v), "f").rstrip("0").rstrip(".") if v.denominator != 1 else str(v.numerator)


true_values = st.fractions(min_value=Fraction(1, 10), max_value=100000, max_denominator=1000)
resolutions = st.sampled_from(RESOLUTIONS)


def figure_row(fid: str, value: Fraction, resolution: Fraction, **cells: str) -> dict:
    return {
        "figure_id": fid,
        "geo": cells.pop("geo", "x"),
        "period": "",
        "measure": "m",
        "value": text(value),
        "unit": cells.pop("unit", "EUR_bn"),
        "resolution": text(resolution),
        "qualifier": cells.pop("qualifier", "exact"),
        **cells,
    }


def run_rule(rows: list[dict], rule: dict) -> list:
    index = FigureIndex()
    index.add_resource("t", "resources/t.csv", pd.DataFrame(rows, dtype=str))
    (parsed,) = parse_rules([{"id": "r", "description": "d", **rule}], shown="t.json")
    return bind(parsed, resource="t", schema_path="t.json", index=index).failures()


@settings(max_examples=60, deadline=None)
@given(x=true_values, r1=resolutions, r2=resolutions)
def test_one_quantity_rounded_twice_always_agrees(x, r1, r2):
    rows = [figure_row("a", rounded(x, r1), r1, quantity_id="a"), figure_row("b", rounded(x, r2), r2, quantity_id="a")]
    assert run_rule(rows, {"kind": "same-figure-agrees"}) == []


@settings(max_examples=60, deadline=None)
@given(x=true_values, r=resolutions, steps=st.integers(min_value=1, max_value=50))
def test_a_figure_moved_past_its_tolerance_is_caught(x, r, steps):
    v = rounded(x, r)
    rows = [figure_row("a", v, r, quantity_id="a"), figure_row("b", v + steps * r, r, quantity_id="a")]
    assert len(run_rule(rows, {"kind": "same-figure-agrees"})) == 1


@settings(max_examples=60, deadline=None)
@given(start=true_values, end=true_values, r=st.sampled_from([Fraction(1, 10), Fraction(1)]))
def test_correctly_rounded_growth_always_matches(start, end, r):
    s, e = rounded(start, r), rounded(end, r)
    if s == 0:
        return
    growth = rounded((end / start - 1) * 100, Fraction(1))
    rows = [figure_row("s", s, r), figure_row("e", e, r), figure_row("g", growth, Fraction(1), unit="percent")]
    assert run_rule(rows, {"kind": "growth-matches-endpoints", "start": "s", "end": "e", "growth": "g"}) == []


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(st.fractions(min_value=0, max_value=100, max_denominator=100), min_size=2, max_size=6))
def test_correctly_rounded_shares_always_sum_to_their_rounded_total(parts):
    r = Fraction(1, 10)
    rows = [figure_row(f"p{i}", rounded(p, r), r, unit="percent") for i, p in enumerate(parts)]
    rows.append(figure_row("t", rounded(sum(parts), r), r, unit="percent"))
    rule = {"kind": "shares-sum", "parts": [f"p{i}" for i in range(len(parts))], "total": "t"}
    assert run_rule(rows, rule) == []


@settings(max_examples=60, deadline=None)
@given(values=st.lists(true_values, min_size=2, max_size=8, unique=True))
def test_ranks_computed_from_true_values_always_agree_with_rounded_values(values):
    r = Fraction(1)
    order = sorted(range(len(values)), key=lambda i: -values[i])
    rows = [figure_row(f"v{i}", rounded(v, r), r, geo=f"g{i}") for i, v in enumerate(values)]
    rows += [figure_row(f"k{i}", Fraction(order.index(i) + 1), r, geo=f"g{i}", unit="rank") for i in range(len(values))]
    rule = {
        "kind": "ranking-ordered",
        "values": [f"v{i}" for i in range(len(values))],
        "ranks": [f"k{i}" for i in range(len(values))],
    }
    assert run_rule(rows, rule) == []
    # swapping the best and the worst rank is caught whenever their values surely differ
    best, worst = order[0], order[-1]
    if rounded(values[best], r) - rounded(values[worst], r) >= 2:
        rows[len(values) + best]["value"], rows[len(values) + worst]["value"] = (
            rows[len(values) + worst]["value"],
            rows[len(values) + best]["value"],
        )
        assert len(run_rule(rows, rule)) == 1
