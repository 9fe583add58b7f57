"""One row per quantity: the statements that share a ``quantity_id``, and the table made from them.

Every fact row is one statement of a figure, with its own sentence (that is the provenance).
Statements of one quantity (Bergamo's 2013 exports as "13 miliardi" and as 13.1 in the
trend chart) share a ``quantity_id``, the ``figure_id`` of one of them. The ``quantities``
table is derived from the statements, never edited: one row per quantity, taken from its
most precise statement, with every statement's id. The rules ``same-figure-agrees``,
``quantity-named`` and ``quantities-current`` check the statements and the table; this
module is what they, and the command that writes the table, share.

Example:
    python -m bgopendata.quantities          # rewrite resources/quantities.csv from the statements
    python -m bgopendata.quantities --check  # exit 1 when it is not what the statements give
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from fractions import Fraction
from pathlib import Path

from bgopendata.rules.figures import Figure, FigureIndex

KEY = "quantity_id"
CSV_PATH = "resources/quantities.csv"
# The table's columns: its key, where the chosen statement is, what it says, and the others.
STATEMENT_COLUMNS = (
    "geo",
    "period",
    "measure",
    "sector",
    "partner",
    "firm_group",
    "value",
    "unit",
    "resolution",
    "qualifier",
    "value_text",
    "source_id",
    "document_id",
)
COLUMNS = (KEY, "resource", "from_figure_id", *STATEMENT_COLUMNS, "statements", "figure_ids")


def statements(index: FigureIndex, key: str = KEY) -> dict[str, list[Figure]]:
    """Each quantity's statements, in package order: the figures whose table has ``key``."""
    groups: dict[str, list[Figure]] = {}
    for figure in index.figures.values():
        if key in index.columns.get(figure.row.resource, []) and figure.row.cells.get(key):
            groups.setdefault(figure.row.cells[key], []).append(figure)
    return groups


def _width(figure: Figure, unit: str) -> Fraction | float:
    """The width of the figure's interval in ``unit``; infinite when open-ended or unreadable."""
    try:
        interval = figure.interval_in(unit)
    except (AssertionError, ValueError):
        return float("inf")
    return interval.hi - interval.lo


def most_precise_first(figures: list[Figure]) -> list[Figure]:
    """The statements of one quantity, the most precise first: the narrowest interval (an
    exact 13.1 before an exact 13, an exact 14 thousand before an 'over 14 thousand'), then
    one that gives its period, then a value the text writes before one it implies, then by id."""
    unit = figures[0].unit

    def order(f: Figure) -> tuple:
        cells = f.row.cells
        return (_width(f, unit), not cells.get("period"), cells.get("value_basis") != "written", f.figure_id)

    return sorted(figures, key=order)


def table_rows(index: FigureIndex) -> list[dict[str, str]]:
    """The ``quantities`` table as text cells, ordered by quantity id."""
    rows = []
    for quantity, figures in sorted(statements(index).items()):
        ordered = most_precise_first(figures)
        chosen = ordered[0].row
        row = {KEY: quantity, "resource": chosen.resource, "from_figure_id": ordered[0].figure_id}
        row.update({column: chosen.cells.get(column, "") for column in STATEMENT_COLUMNS})
        row["statements"] = str(len(ordered))
        row["figure_ids"] = " ".join(f.figure_id for f in ordered)
        rows.append(row)
    return rows


def table_text(index: FigureIndex) -> str:
    """The CSV text of the table, as the package writes its CSVs (LF line ends, minimal quoting)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table_rows(index))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    from bgopendata.errors import BgError
    from bgopendata.package import open_package
    from bgopendata.rules.figures import read_index

    parser = argparse.ArgumentParser(prog="python -m bgopendata.quantities", description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default=".")
    parser.add_argument("--check", action="store_true", help="exit 1 when the table is not what the statements give")
    args = parser.parse_args(argv)
    try:
        package = open_package(args.package)
        index = read_index(package)
    except BgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = Path(args.package) / CSV_PATH
    text = table_text(index)
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if args.check:
        if current != text:
            print(f"{CSV_PATH} is not what the statements give: run python -m bgopendata.quantities", file=sys.stderr)
            return 1
        return 0
    if current != text:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {CSV_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
