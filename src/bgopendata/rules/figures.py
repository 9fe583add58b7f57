"""The package's figures as rules see them: located (file, line), with their precision interval.

Every fact table row with a ``figure_id`` becomes a ``Figure``; figure ids are unique across
the package, so a rule can name a figure of another table without saying which. Values are
kept as the exact decimal text, so ``13.1`` is 131/10 and never a binary float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from bgopendata.intervals import Interval

# unit -> (family, factor to the family's base): figures compare only within a family.
UNIT_SCALES: dict[str, tuple[str, int]] = {
    "EUR_bn": ("EUR", 10**9),
    "EUR_mn": ("EUR", 10**6),
    "USD_bn": ("USD", 10**9),
}


def unit_family(unit: str) -> tuple[str, int]:
    return UNIT_SCALES.get(unit, (unit, 1))


def convertible(a: str, b: str) -> bool:
    return unit_family(a)[0] == unit_family(b)[0]


@dataclass(frozen=True)
class Row:
    """One CSV row: where it is (resource, path, 1-based line, header = line 1) and its cells."""

    resource: str
    path: str
    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Figure:
    """One published figure with the interval of true values its wording allows."""

    figure_id: str
    row: Row
    interval: Interval | None  # None when the value cannot be read (structure reports it)
    unit: str

    @property
    def value_text(self) -> str:
        return self.row.cells.get("value_text") or self.row.cells.get("value", "")

    @property
    def sentence(self) -> str | None:
        cells = self.row.cells
        return cells.get("sentence_it") or cells.get("sentence_en") or None

    def interval_in(self, unit: str) -> Interval:
        """This figure's interval expressed in ``unit`` (EUR_mn -> EUR_bn and so on)."""
        assert self.interval is not None
        family, factor = unit_family(self.unit)
        target_family, target_factor = unit_family(unit)
        if family != target_family:
            raise ValueError(f"{self.figure_id} is in {self.unit}, not comparable with {unit}")
        if factor == target_factor:
            return self.interval
        return self.interval * Fraction(factor, target_factor)

    def describe(self, unit: str | None = None) -> str:
        """'exports-2013-bergamo = 13 EUR_bn (exact) -> [12.5, 13.5)'."""
        cells = self.row.cells
        interval = self.interval if unit is None or self.interval is None else self.interval_in(unit)
        shown_unit = unit or self.unit
        return (f"{self.figure_id} = {cells.get('value', '?')} {self.unit} "
                f"({cells.get('qualifier', '?')}) -> {interval} {shown_unit}")


@dataclass
class FigureIndex:
    """All rows of all resources, and the figures among them by id."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)

    def add_resource(self, name: str, path: str, frame: Any) -> None:
        """Index one resource read as strings (a pandas DataFrame with ``dtype=str``)."""
        columns = [str(c) for c in frame.columns]
        self.columns[name] = columns
        records = frame.to_dict("records")
        rows = [Row(name, path, index + 2, {k: ("" if v is None else str(v)) for k, v in rec.items()})
                for index, rec in enumerate(records)]
        self.rows[name] = rows
        if "figure_id" not in columns:
            return
        for row in rows:
            fid = row.cells.get("figure_id", "")
            if not fid or fid in self.figures:
                continue  # a duplicate id is a structural (primary key) error, reported there
            self.figures[fid] = Figure(fid, row, _interval(row.cells), row.cells.get("unit", ""))


def _interval(cells: dict[str, str]) -> Interval | None:
    try:
        return Interval.of_figure(cells["value"], cells.get("resolution") or "1",
                                  cells.get("qualifier") or "exact")
    except (KeyError, ValueError, ArithmeticError):
        return None
