"""The package's figures as rules see them: located (file, line), with their precision interval.

Every fact table row with a ``figure_id`` becomes a ``Figure``; figure ids are unique across
the package, so a rule can name a figure of another table without saying which. Values are
kept as the exact decimal text, so ``13.1`` is 131/10 and never a binary float.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bgopendata.intervals import Interval

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.package import Package

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

    @property
    def bounds(self) -> Interval:
        """The interval of a usable figure (see ``usable``)."""
        assert self.interval is not None
        return self.interval

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
        return (
            f"{self.figure_id} = {cells.get('value', '?')} {self.unit} "
            f"({cells.get('qualifier', '?')}) -> {interval} {shown_unit}"
        )


@dataclass
class FigureIndex:
    """All rows of all resources, and the figures among them by id.

    ``package`` is the package they were read from, and ``memo`` what rules derive from it
    once per validation and share (the provenance checks' documents and readings).
    """

    rows: dict[str, list[Row]] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    package: Any = field(default=None, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def add_resource(self, name: str, path: str, frame: Any) -> None:
        """Index one resource given as a pandas DataFrame of strings (``dtype=str``)."""
        self.add_rows(name, path, [str(c) for c in frame.columns], frame.to_dict("records"))

    def add_rows(self, name: str, path: str, columns: list[str], records: list[dict[str, Any]]) -> None:
        """Index one resource: its column names and its rows, each a ``{column: text}``."""
        self.columns[name] = columns
        rows = [
            Row(name, path, index + 2, {k: ("" if v is None else str(v)) for k, v in rec.items()})
            for index, rec in enumerate(records)
        ]
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
        return Interval.of_figure(cells["value"], cells.get("resolution") or "1", cells.get("qualifier") or "exact")
    except (KeyError, ValueError, ArithmeticError):
        return None


def ids_text(figures: list[Figure]) -> str:
    """'a + b + c': the figures a failure adds up, by id."""
    return " + ".join(f.figure_id for f in figures)


def usable(*figures: Figure) -> bool:
    """Skip a relation when a value could not be read: the structural check reports that."""
    return all(f.interval is not None for f in figures)


def most_involved(pairs: list[tuple[Figure, Figure]], order: list[Figure]) -> Figure:
    """The figure in most failing pairs (the likeliest typo); ties go to the later one."""
    counts = Counter(f.figure_id for pair in pairs for f in pair)
    position = {f.figure_id: i for i, f in enumerate(order)}
    best = max(counts, key=lambda fid: (counts[fid], position.get(fid, -1)))
    return next(f for pair in pairs for f in pair if f.figure_id == best)


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]] | None:
    """A CSV's column names and rows as text (exact decimals, empty cells as ''), or None when
    it cannot be read as a table (the structural checks report why).

    The stdlib reader, not pandas (whose import would be most of a cold ``validate``), read
    as ``pandas.read_csv(dtype=str, keep_default_na=False, index_col=False)`` reads: blank
    lines skipped, a short row padded, one extra cell dropped and more refused, repeated
    column names numbered (``a``, ``a.1``) and empty ones named ``Unnamed: <position>``.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = (cells for cells in csv.reader(handle) if cells and (len(cells) > 1 or cells[0].strip()))
            header = next(rows, None)
            if header is None:
                return None
            columns = _numbered(header)
            records = []
            for cells in rows:
                if len(cells) > len(columns) + 1:
                    return None
                records.append(dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False)))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return columns, records


def _numbered(header: list[str]) -> list[str]:
    """Column names made unique as pandas's CSV reader makes them (``a``, ``a.1``, ...)."""
    names = [name or f"Unnamed: {position}" for position, name in enumerate(header)]
    given = set(names)
    counts: dict[str, int] = {}
    for position, original in enumerate(names):
        name, seen = original, counts.get(original, 0)
        while seen > 0:
            counts[original] = seen + 1
            name = f"{original}.{seen}"
            seen = seen + 1 if name in given else counts.get(name, 0)
        names[position] = name
        counts[name] = seen + 1
    return names


def read_index(package: Package) -> FigureIndex:
    """The package's rows and figures, from every table that can be read."""
    index = FigureIndex(package=package)
    for res in package.resources:
        table = read_table(res.path)
        if table is not None:
            index.add_rows(res.name, res.relpath, *table)
    return index
