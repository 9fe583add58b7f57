"""The CSV lexical rules, written once: what a package's CSV files must be, byte by byte.

frictionless reads a ``;``-separated file as valid (it sniffs the delimiter), accepts ``NaN``
and ``inf`` as numbers, ignores a byte-order mark, reports Latin-1 bytes by byte offset rather
than line, hangs on a header of a million columns and echoes a 10 MB cell into its
message; ``tests/test_bad_inputs.py`` holds one broken file of each kind. ``check_csv`` runs
first on the default engine, streaming each file once, and names file, line and field; when
it finds a problem the package is not handed to frictionless at all. The DuckDB engine
(``engines/duckdb_tables``) reads the CSVs itself and applies the same limits, header checks
and messages from here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path

from bgopendata.number_syntax import is_integer, is_number, python_reads_it
from bgopendata.report import Problem

MAX_HEADER_BYTES = 1 << 20  # a header longer than 1 MiB is not a header
MAX_FIELD_BYTES = 1 << 20  # no published cell comes near 1 MiB
EXTRA_COLUMNS_ALLOWED = 100  # beyond this, stop before frictionless has to look
NON_FINITE = ("nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")
SUSPECT_DELIMITERS = (";", "\t", "|")

# The message of each lexical problem code, for both engines.
MESSAGES = {
    "io-error": "cannot read: {reason}",
    "empty-file": "the file is empty; expected a header row and data rows",
    "byte-order-mark": "starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM",
    "header-too-large": f"the header line is longer than {MAX_HEADER_BYTES} bytes",
    "wrong-delimiter": "the header is separated by {delimiter!r}; expected ','",
    "non-finite-number": "{found!r} is not a finite number",
    "no-data-rows": "the file has a header but no data rows",
}

# The csv module refuses cells over 128 KiB by default; our own limit is checked per line above it.
csv.field_size_limit(MAX_FIELD_BYTES + 1)


def head_problem(head: bytes) -> str | None:
    """The code of a problem in a file's first ``MAX_HEADER_BYTES + 1`` bytes that stops all reading."""
    if not head:
        return "empty-file"
    if head.startswith(b"\xef\xbb\xbf"):
        return "byte-order-mark"
    if b"\n" not in head and len(head) > MAX_HEADER_BYTES:
        return "header-too-large"
    return None


def wrong_delimiter(labels: list[str], fields: list) -> str | None:
    """The delimiter a one-label header seems to use when the schema has several fields."""
    if len(labels) == 1 and len(fields) > 1:
        return next((d for d in SUSPECT_DELIMITERS if d in labels[0]), None)
    return None


def _finite_or_not_a_number(cell: str) -> bool:
    """False for NaN, infinities and overflowing literals like 1e310; other text is left to frictionless."""
    text = cell.strip().lower()
    if text in NON_FINITE:
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return True


def check_csv(path: Path, shown: str, resource: str, schema: dict) -> list[Problem]:
    """All lexical problems of one CSV file; an empty list means frictionless may read it."""
    fields = [f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)]
    types = {
        i: f["type"]
        for i, f in enumerate(schema.get("fields", []))
        if isinstance(f, dict) and f.get("type") in ("number", "integer")
    }
    numeric = _NumericFields(types, schema.get("missingValues", [""]))

    def problem(code: str, message: str, line: int | None = None, field: str | None = None) -> Problem:
        return Problem(
            code=f"structure/{code}",
            message=message,
            resource=resource,
            path=shown,
            line=line,
            fields=[field] if field else [],
        )

    try:
        handle = path.open("rb")
    except OSError as exc:
        return [problem("io-error", MESSAGES["io-error"].format(reason=exc.strerror))]
    with handle:
        code = head_problem(handle.read(MAX_HEADER_BYTES + 1))
        if code:
            return [problem(code, MESSAGES[code], None if code == "empty-file" else 1)]
        handle.seek(0)
        return list(_check_lines(handle, fields, numeric, problem))


def _check_lines(handle: io.BufferedReader, fields: list, numeric: _NumericFields, problem) -> Iterator[Problem]:
    header: list[str] | None = None
    rows = 0
    for line_no, raw in enumerate(handle, start=1):
        if len(raw) > MAX_FIELD_BYTES:
            code = "header-too-large" if line_no == 1 else "field-too-large"
            yield problem(code, f"line is longer than {MAX_FIELD_BYTES} bytes", line_no)
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield problem(
                "encoding-error",
                f"not UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1} "
                "(Latin-1 or Windows-1252? re-save as UTF-8)",
                line_no,
            )
            return
        if text.count('"') % 2:
            yield problem(
                "unclosed-quote", "a quoted field is not closed on its line (cells never span lines here)", line_no
            )
            return
        stripped = text.rstrip("\r\n")
        if "\x00" in stripped:
            yield problem("nul-byte", "contains a NUL byte: not a text CSV", line_no)
            return
        if "\r" in stripped:
            yield problem("stray-carriage-return", "a carriage return inside the line (mixed line endings?)", line_no)
            return
        if header is None:
            header = next(csv.reader([stripped]))
            used = wrong_delimiter(header, fields)
            if used:
                yield problem("wrong-delimiter", MESSAGES["wrong-delimiter"].format(delimiter=used), 1)
                return
            if len(header) > len(fields) + EXTRA_COLUMNS_ALLOWED:
                yield problem(
                    "header-too-large", f"the header has {len(header)} columns; the schema has {len(fields)}", 1
                )
                return
            continue
        if not stripped:
            continue
        rows += 1
        cells = next(csv.reader([stripped]))
        for index in numeric:
            if index < len(cells) and not _finite_or_not_a_number(cells[index]):
                yield problem(
                    "non-finite-number",
                    MESSAGES["non-finite-number"].format(found=cells[index][:40]),
                    line_no,
                    fields[index],
                )
            elif index < len(cells) and numeric.lenient(index, cells[index]):
                yield problem(
                    "type-error",
                    f"{cells[index][:40]!r} is not a valid {numeric.types[index]}: the Table "
                    "Schema syntax has digits, one '.', an exponent and a sign only "
                    "(no '_', spaces or other digits)",
                    line_no,
                    fields[index],
                )
    if header is not None and rows == 0:
        yield problem("no-data-rows", MESSAGES["no-data-rows"], 1)


class _NumericFields(dict[int, str]):
    """The numeric columns of a schema, and which of their cells Python would read too leniently."""

    def __init__(self, types: dict[int, str], missing: list) -> None:
        super().__init__(types)
        self.types = types
        self.missing = set(missing) if isinstance(missing, list) else {""}

    def lenient(self, index: int, cell: str) -> bool:
        """True for a cell Python reads as a number but the Table Schema syntax refuses (``1_778``)."""
        if cell in self.missing:
            return False
        strict = is_integer(cell) if self.types[index] == "integer" else is_number(cell)
        return not strict and python_reads_it(cell, self.types[index])
