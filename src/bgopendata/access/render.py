"""Render query rows for people (table, markdown) and programs (csv, json), with no pandas."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
from typing import Any

from bgopendata.access.query import Rows

FORMATS = ("table", "csv", "json", "markdown")
# Names the shape of ``--format json``; a change that breaks readers of it gets a new number.
JSON_FORMAT = "bgopendata.query/1"


def as_written(value: Any) -> Any:
    """A whole number read as a float or a decimal (13.0) back as the CSV writes it (13)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(as_written(value))


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _json_record(columns: list[str], row: tuple) -> dict[str, Any]:
    return {c: as_written(v) for c, v in zip(columns, row, strict=False)}


def render_table(result: Rows) -> str:
    cells = [[_text(v) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(result.columns)]
    numeric = [
        bool(result.rows) and all(isinstance(r[i], (int, float, decimal.Decimal)) or r[i] is None for r in result.rows)
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=False)
        ).rstrip()

    out = [line(list(result.columns)), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out)


def render_markdown(result: Rows) -> str:
    def row(values: list[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|").replace("\n", " ") for v in values) + " |"

    out = [row(list(result.columns)), "|" + "|".join("---" for _ in result.columns) + "|"]
    out += [row([_text(v) for v in r]) for r in result.rows]
    return "\n".join(out)


def render_csv(result: Rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([[_text(v) for v in r] for r in result.rows])
    return buffer.getvalue().rstrip("\n")


def render_json(result: Rows) -> str:
    """``{"format", "columns", "rows"}``: the version travels with the rows, and the column
    names and their order survive a result with no row (a bare list of records loses both)."""
    records = [_json_record(list(result.columns), r) for r in result.rows]
    document = {"format": JSON_FORMAT, "columns": list(result.columns), "rows": records}
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_value)


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json, "markdown": render_markdown}
