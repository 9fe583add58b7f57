"""The package's CSVs as typed DuckDB tables: types and keys checked in SQL, constraints by pandera.

At ten million rows, checking cells one by one in Python (``lexical``) or through
frictionless takes minutes; DuckDB parses the CSV in parallel C++ and the checks below are
a handful of set operations. Each file is read once into a scratch database file, which
DuckDB compresses as it writes (10M rows: about 180 MB instead of 1.5 GB, so the checks
that follow read memory, not spill files): a typed column per field plus ``__failed``
(which casts of the row failed, NULL when none did), and a view adding ``__line``.
Type errors are read back from the raw text of the failed lines only; the fields'
constraints are pandera checks run by its ibis backend (``pandera_ibis``); primary keys
and unique fields are a GROUP BY on a key hash, foreign keys an anti-join. Every check
returns ``Problem``s with the CSV line, at most ``max_examples`` per check with the total
kept in ``omitted``.

Rows keep file order (insertion order is preserved, so a fresh table's rowid is the
row's position); cells never span lines in our CSVs, so position + 2 is the line. A file
DuckDB cannot read as strict CSV (ragged rows, invalid UTF-8, a stray quote) is reported
from DuckDB's rejects table and its rows are not checked further, like ``lexical`` does.
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bgopendata.extras import require
from bgopendata.lexical import MAX_HEADER_BYTES, MESSAGES, NON_FINITE, head_problem, wrong_delimiter
from bgopendata.number_syntax import INTEGER, NUMBER
from bgopendata.package import Package, Resource
from bgopendata.report import Problem
from bgopendata.sql import identifier as q
from bgopendata.sql import literal as lit
from bgopendata.tableschema.types import FALSE_VALUES, TRUE_VALUES, duckdb_type, foreign_keys, unique_keys

MEMORY_LIMIT = "450MB"  # with Python, pandas, pandera and ibis (about 200 MB): under 1 GB
REJECT_CODES = {
    "MISSING COLUMNS": "missing-cell",
    "TOO MANY COLUMNS": "extra-cell",
    "INVALID ENCODING": "encoding-error",
    "INVALID UNICODE": "encoding-error",
    "UNQUOTED VALUE": "unclosed-quote",
    "LINE SIZE OVER MAXIMUM": "field-too-large",
}


def _import_quietly(module: str) -> None:
    """Import ``module`` ahead of use; a failure shows where it is used, not as a thread's traceback."""
    with contextlib.suppress(Exception):  # the import in the main thread raises it again
        importlib.import_module(module)


@dataclass
class Examples:
    """Problems kept for the report and, per check, how many more were found than shown."""

    problems: list[Problem] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, found: list[Problem], total: int) -> None:
        self.problems.extend(found)
        if total > len(found):
            self.omitted[key] = self.omitted.get(key, 0) + total - len(found)


class TypedTables:
    """A temporary DuckDB database holding the package's tables; close() removes it."""

    def __init__(self, package: Package, *, max_examples: int = 20) -> None:
        import duckdb

        self.package = package
        self.max_examples = max_examples
        self._dir = Path(tempfile.mkdtemp(prefix="bgopendata-validate-"))
        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET memory_limit = {lit(MEMORY_LIMIT)}")
        self.con.execute(f"SET temp_directory = {lit(str(self._dir / 'spill'))}")
        # a database file, not memory: written tables are compressed (memory tables are not)
        self.con.execute(f"ATTACH {lit(str(self._dir / 'typed.duckdb'))} AS typed")
        self.con.execute("USE typed")
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute("SET enable_progress_bar = false")
        self.tables: dict[str, str] = {}  # resource name -> table, for the readable ones
        self._sources: dict[str, tuple] = {}  # resource name -> (raw columns, missing values)
        self._fields: dict[str, list[tuple[dict, int | None]]] = {}  # field spec, index in __failed
        self._ibis: Any = None
        self.examples = Examples()
        self.on_table: Callable[[str, int, int], None] = lambda item, position, total: None  # progress

    def close(self) -> None:
        try:
            # a scratch database: emptied first, so closing writes no checkpoint (4 s at 10M rows)
            for (name,) in self.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'typed'"
            ).fetchall():
                self.con.execute(f"DROP TABLE typed.{q(name)} CASCADE")
        except Exception:  # noqa: BLE001 - cleanup after an error must not hide that error
            pass
        try:
            self.con.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> TypedTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loading ------------------------------------------------------------------------

    def load(self, resources: list[Resource] | None = None) -> None:
        """Read each CSV into its typed table; header and lexical problems go to ``examples``.

        pandera's ibis backend, which the checks after this need, takes about a second to
        import: it is imported on a thread meanwhile, as DuckDB reads without holding the GIL.
        """
        require("scale")
        importing = threading.Thread(target=_import_quietly, args=("pandera.ibis",), daemon=True)
        importing.start()
        try:
            listed = resources if resources is not None else self.package.resources
            for index, res in enumerate(listed):
                self.on_table(res.relpath, index + 1, len(listed))
                header = self._check_header(res)
                if header is None:
                    continue
                table = f"t{index}_{re.sub(r'[^a-z0-9_]', '_', res.name.lower())}"
                if self._read(res, table, header):
                    self.tables[res.name] = table
        finally:
            importing.join()

    def _problem(
        self, res: Resource, code: str, message: str, line: int | None = None, field_name: str | None = None
    ) -> Problem:
        return Problem(
            code=f"structure/{code}",
            message=message,
            resource=res.name,
            path=res.relpath,
            line=line,
            fields=[field_name] if field_name else [],
        )

    def _check_header(self, res: Resource) -> list[str] | None:
        """The header's labels, or None (with a problem recorded) when the rows cannot be checked."""
        fields = [f.get("name") for f in res.schema.get("fields", []) if isinstance(f, dict)]
        try:
            with res.path.open("rb") as handle:
                head = handle.read(MAX_HEADER_BYTES + 1)
        except OSError as exc:
            self.examples.add(
                "io-error", [self._problem(res, "io-error", MESSAGES["io-error"].format(reason=exc.strerror))], 1
            )
            return None
        problems = []
        line = head.split(b"\n", 1)[0].rstrip(b"\r")
        code = head_problem(head)
        if code:
            self.examples.add(
                "header", [self._problem(res, code, MESSAGES[code], None if code == "empty-file" else 1)], 1
            )
            return None
        try:
            labels = next(csv.reader([line.decode("utf-8")]))
        except (UnicodeDecodeError, csv.Error):
            self.examples.add("header", [self._problem(res, "encoding-error", "the header is not UTF-8 CSV", 1)], 1)
            return None
        used = wrong_delimiter(labels, fields)
        if used:
            self.examples.add(
                "header",
                [self._problem(res, "wrong-delimiter", MESSAGES["wrong-delimiter"].format(delimiter=used), 1)],
                1,
            )
            return None
        for position, name in enumerate(fields):
            label = labels[position] if position < len(labels) else None
            if label is None:
                problems.append(self._problem(res, "missing-label", f"there is no label for field {name!r}", 1, name))
            elif label != name:
                problems.append(
                    self._problem(
                        res,
                        "incorrect-label",
                        f"label {label[:40]!r} in column {position + 1}; the schema says {name!r}",
                        1,
                        name,
                    )
                )
        for position in range(len(fields), len(labels)):
            problems.append(
                self._problem(
                    res,
                    "extra-label",
                    f"extra label {labels[position][:40]!r} in column {position + 1}",
                    1,
                    labels[position][:40],
                )
            )
        if problems:
            self.examples.add("header", problems[: self.max_examples], len(problems))
            return None
        return labels

    def _read(self, res: Resource, table: str, header: list[str]) -> bool:
        import duckdb

        schema_fields = [f for f in res.schema.get("fields", []) if isinstance(f, dict)]
        raw = [f"c{i}" for i in range(len(header))]
        columns = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in raw) + "}"
        source = (
            f"read_csv({lit(str(res.path))}, header = true, auto_detect = false, columns = {columns}, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
            f"store_rejects = true, rejects_table = {lit(table + '_rejects')}, "
            f"rejects_scan = {lit(table + '_scan')}, max_line_size = {MAX_HEADER_BYTES + 1})"
        )
        missing = res.schema.get("missingValues", [""])
        inner: list[str] = []
        typed: list[str] = []
        failed: list[str] = []
        kept: list[str] = []
        fields: list[tuple[dict, int | None]] = []
        # the header check has made sure the CSV has one column per schema field
        for column, spec in zip(raw, schema_fields, strict=True):
            value, _ = _cell_sql(column, spec, missing)
            inner.append(f"{value} AS {q('t_' + column)}")
            typed.append(f"{q('t_' + column)} AS {q(spec['name'])}")
            cast_at = None
            if spec.get("type", "string") not in ("string", "any"):
                cast_at = len(failed)
                failed.append(
                    f"({q('t_' + column)} IS NULL AND {q(column)} IS NOT NULL "
                    f"AND {q(column)} NOT IN ({', '.join(lit(m) for m in missing) or 'NULL'}))"
                )
                kept.append(f"CASE WHEN {failed[-1]} THEN {q(column)} END")
            fields.append((spec, cast_at))
        # one pass: typed values and, for a row where a cast failed (a few rows at most), the
        # raw text of its failed cells (NULL for the others): ``_cast_problems`` reads them
        # from here, never the CSV again
        failed_sql = f"CASE WHEN {' OR '.join(failed)} THEN [{', '.join(kept)}] END" if failed else "NULL::VARCHAR[]"
        try:
            self.con.execute(f"""
                CREATE TABLE {table}_raw AS
                SELECT {", ".join(typed)}, {failed_sql} AS __failed
                FROM (SELECT *, {", ".join(inner)} FROM {source})""")
            # insertion order is kept, so a fresh table's rowid is the data row's position
            # in the file: no window over ten million rows to number them
            self.con.execute(f"CREATE VIEW {table} AS SELECT rowid + 2 AS __line, * FROM {table}_raw")
        except duckdb.Error as exc:
            message = " ".join(str(exc).split())[:300]
            self.examples.add("read", [self._problem(res, "source-error", f"DuckDB cannot read it: {message}")], 1)
            return False
        if not self._count(f"SELECT count(*) FROM {table}"):
            self.examples.add("read", [self._problem(res, "no-data-rows", MESSAGES["no-data-rows"], 1)], 1)
        self._sources[res.name] = (raw, missing)
        self._fields[res.name] = fields
        rejects = self.con.execute(f"""
            SELECT line, error_type, coalesce(column_name, ''), error_message
            FROM {table}_rejects ORDER BY line LIMIT {self.max_examples}""").fetchall()
        if rejects:
            total = self._count(f"SELECT count(*) FROM {table}_rejects")
            found = [
                self._problem(
                    res,
                    REJECT_CODES.get(kind, "source-error"),
                    " ".join(str(msg).split("\n")[0].split())[:200],
                    int(line),
                    None,
                )
                for line, kind, _col, msg in rejects
            ]
            self.examples.add(f"{res.name}/rejects", found, total)
            self.con.execute(f"DROP VIEW {table}")
            self.con.execute(f"DROP TABLE {table}_raw")
            return False
        return True

    def _count(self, query: str) -> int:
        """The number a ``SELECT count(*)`` query returns (always one row)."""
        return int(self.con.execute(query).fetchall()[0][0])

    # -- checks -----------------------------------------------------------------------------

    def check(self) -> Examples:
        """Cell problems, then keys and foreign keys, of every loaded table."""
        for res in self.package.resources:
            if res.name in self.tables:
                self._cells(res)
                self._formulas(res)
        for res in self.package.resources:
            if res.name in self.tables:
                self._keys(res)
                self._foreign_keys(res)
        return self.examples

    @property
    def ibis(self) -> Any:
        """The ibis backend over this connection, for pandera's checks (made on first use)."""
        if self._ibis is None:
            from bgopendata.engines.pandera_ibis import connect

            self._ibis = connect(self.con)
        return self._ibis

    def _cells(self, res: Resource) -> None:
        """Type errors in SQL, then the field constraints as pandera checks on the typed table."""
        import pandera.ibis as pa

        from bgopendata.engines.pandera_ibis import cell_checks, field_checks, validate

        table = self.tables[res.name]
        if self._count(f"SELECT count(*) FROM {table} WHERE __failed IS NOT NULL"):
            self._cast_problems(res)
        fields = [
            (spec, None if cast_at is None else _cast_failed_at(cast_at))
            for spec, cast_at in self._fields.get(res.name, [])
        ]
        columns = {}
        for spec, _ in fields:
            checks = field_checks(spec, self.max_examples)
            if checks:
                columns[spec["name"]] = pa.Column(None, checks, nullable=True)
        across = {c.name: c for c in cell_checks(fields)}
        if not columns and not across:
            return
        specs = {spec["name"]: spec for spec, _ in fields}
        view = self.ibis.table(table)
        schema = pa.DataFrameSchema(
            columns, checks=[c.check(self.max_examples) for c in across.values()], name=res.name
        )
        for failure in validate(view, schema, path=res.relpath):
            if failure.check in across:  # a check over all fields: each failing field's first lines
                check = across[failure.check]
                code = "constraint-error" if check.name == "required" else check.name
                for name, total in check.totals(view).items():
                    if total:
                        text = _CELL_MESSAGES[code].format(found=_constraint_text(check.name, {}, None), field=name)
                        found = [
                            self._problem(res, code, text, line, name)
                            for line in check.lines(view, name, self.max_examples)
                        ]
                        self.examples.add(f"{res.name}/{code}/{name}", found, total)
                continue
            name = failure.column or ""
            code = "constraint-error"
            found = [
                self._problem(
                    res,
                    code,
                    _CELL_MESSAGES[code].format(
                        found=_constraint_text(failure.check, specs.get(name, {}), case.get(name)), field=name
                    ),
                    None if row is None else row + 2,
                    name,
                )  # row position -> CSV line (header is 1)
                for row, case in failure.cases
            ]
            found.sort(key=lambda p: p.line or 0)
            self.examples.add(f"{res.name}/{code}/{name}", found, failure.total)

    def _formulas(self, res: Resource) -> None:
        """Text cells a spreadsheet would run as a formula: warnings (see ``bgopendata.formulas``)."""
        from bgopendata.formulas import FORMULA, formula_message

        table = self.tables[res.name]
        for spec in res.schema.get("fields", []):
            if not isinstance(spec, dict) or spec.get("type", "string") != "string":
                continue
            column = q(spec["name"])
            rows = self.con.execute(f"""
                SELECT __line, {column}, count(*) OVER () FROM {table}
                WHERE regexp_full_match({column}, {lit(FORMULA)}) ORDER BY __line
                LIMIT {self.max_examples}""").fetchall()
            if rows:
                found = [
                    Problem(
                        code="structure/formula-injection",
                        severity="warning",
                        message=formula_message(cell),
                        resource=res.name,
                        path=res.relpath,
                        line=int(line),
                        fields=[spec["name"]],
                    )
                    for line, cell, _ in rows
                ]
                self.examples.add(f"{res.name}/formula-injection/{spec['name']}", found, rows[0][2])

    def _cast_problems(self, res: Resource) -> None:
        """Type errors and non-finite numbers: the raw text of the failed cells, kept at load."""
        raw, missing = self._sources[res.name]
        table = self.tables[res.name]
        cells: list[str] = []
        bad: list[str] = []
        for column, (spec, cast_at) in zip(raw, self._fields[res.name], strict=True):  # both made by _read
            if cast_at is None:
                continue
            # the failed cell's text as the raw column, its (failed) typed value as NULL
            cells.append(f"__failed[{cast_at + 1}] AS {q(column)}, NULL AS {q('t_' + column)}")
            bad.extend(m for _, m in _cell_sql(column, spec, missing)[1])
        if not bad:
            return
        self._report_bad(
            res,
            f"""
            SELECT __line, concat_ws(';', {", ".join(bad)}) AS __bad
            FROM (SELECT __line, {", ".join(cells)} FROM {table} WHERE __failed IS NOT NULL)""",
        )

    def _report_bad(self, res: Resource, query: str) -> None:
        rows = self.con.execute(f"""
            WITH bad AS (SELECT __line, unnest(string_split(__bad, ';')) AS item FROM ({query}) WHERE __bad <> ''),
                 parts AS (SELECT __line, split_part(item, '|', 1) AS code, split_part(item, '|', 2) AS fld,
                                  substr(item, length(split_part(item, '|', 1)) + length(split_part(item, '|', 2)) + 3)
                                    AS found FROM bad),
                 numbered AS (SELECT *, row_number() OVER (PARTITION BY code, fld ORDER BY __line) AS n,
                                     count(*) OVER (PARTITION BY code, fld) AS total FROM parts)
            SELECT __line, code, fld, found, total FROM numbered WHERE n <= {self.max_examples}
            ORDER BY __line""").fetchall()
        totals: dict[str, int] = {}
        found: list[Problem] = []
        for line, code, fld, text, total in rows:
            totals[f"{res.name}/{code}/{fld}"] = total
            found.append(
                self._problem(res, code, _CELL_MESSAGES.get(code, code).format(found=text, field=fld), int(line), fld)
            )
        self.examples.problems.extend(found)
        for key, total in totals.items():
            shown = sum(1 for p in found if f"{res.name}/{p.code[len('structure/') :]}/{p.fields[0]}" == key)
            if total > shown:
                self.examples.omitted[key] = total - shown

    def _keys(self, res: Resource) -> None:
        keys = unique_keys(res.schema)
        table = self.tables[res.name]
        for code, names in keys:
            cols = ", ".join(q(n) for n in names)
            not_null = " AND ".join(f"{q(n)} IS NOT NULL" for n in names)
            # hash first (8 bytes a row), then compare the real values of the few candidates
            rows = self.con.execute(f"""
                WITH dup AS (SELECT hash({cols}) AS h FROM {table} WHERE {not_null}
                             GROUP BY h HAVING count(*) > 1),
                     cand AS (SELECT __line, {cols} FROM {table}
                              WHERE {not_null} AND hash({cols}) IN (SELECT h FROM dup)),
                     later AS (SELECT __line, {cols}, row_number() OVER (PARTITION BY {cols} ORDER BY __line) AS n,
                                      min(__line) OVER (PARTITION BY {cols}) AS first FROM cand)
                SELECT __line, first, count(*) OVER () AS total, concat_ws(', ', {cols}) FROM later WHERE n > 1
                ORDER BY __line LIMIT {self.max_examples}""").fetchall()
            if rows:
                what = "primary key" if code == "primary-key" else "unique field"
                found = [
                    self._problem(
                        res, code, f"{what} ({', '.join(names)}) = ({values}) repeats line {first}", int(line), names[0]
                    )
                    for line, first, _t, values in rows
                ]
                self.examples.add(f"{res.name}/{code}/{','.join(names)}", found, rows[0][2])

    def _foreign_keys(self, res: Resource) -> None:
        table = self.tables[res.name]
        for names, ref_name, ref_fields in foreign_keys(res.schema, res.name):
            ref_table = self.tables.get(ref_name)
            if ref_table is None or len(ref_fields) != len(names) or not names:
                continue  # the referenced table is unreadable (already reported) or absent (schema check)
            not_null = " AND ".join(f"t.{q(n)} IS NOT NULL" for n in names)
            join = " AND ".join(f"r.{q(rf)} = t.{q(n)}" for n, rf in zip(names, ref_fields, strict=True))
            cols = ", ".join(f"t.{q(n)}" for n in names)
            rows = self.con.execute(f"""
                SELECT __line, count(*) OVER () AS total, concat_ws(', ', {cols}) FROM (
                    SELECT t.__line, {cols} FROM {table} t
                    WHERE {not_null} AND NOT EXISTS (SELECT 1 FROM {ref_table} r WHERE {join})) t
                ORDER BY __line LIMIT {self.max_examples}""").fetchall()
            if rows:
                found = [
                    self._problem(
                        res,
                        "foreign-key",
                        f"({', '.join(names)}) = ({values}) has no match in {ref_name} ({', '.join(ref_fields)})",
                        int(line),
                        names[0],
                    )
                    for line, _t, values in rows
                ]
                self.examples.add(f"{res.name}/foreign-key/{','.join(names)}", found, rows[0][1])


_CELL_MESSAGES = {
    "type-error": "{found!r} is not a valid {field} (wrong type)",
    "non-finite-number": MESSAGES["non-finite-number"],
    "constraint-error": "{found} breaks a constraint of {field}",
    "stray-carriage-return": "a carriage return inside a cell of {field}",
}


def _cast_failed_at(index: int) -> Callable[[Any], Any]:
    """Whether a row's cast failed in the field kept at ``index`` of ``__failed`` (an ibis expression)."""
    return lambda t: t["__failed"][index].notnull()


def _cell_sql(column: str, spec: dict, missing: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """(typed value from raw, type-error expressions over raw and ``t_<column>``) for one field.

    The typed value is computed once per cell (an inner query) and the checks reuse it:
    a cell is a type error when it is not empty and its cast failed, and only those few
    cells pay for the slower tests (is it NaN, infinite, too large for the exact type?).
    The field's constraints are pandera checks on the typed table (``pandera_ibis``).
    """
    raw, typed = q(column), q("t_" + column)
    name = spec.get("name", column)
    type_ = spec.get("type", "string")
    empty = f"({raw} IS NULL OR {raw} IN ({', '.join(lit(m) for m in missing)}))" if missing else f"({raw} IS NULL)"
    shown = f"left({raw}, 40)"

    def problem(code: str, condition: str, found: str = shown) -> tuple[str, str]:
        return condition, f"CASE WHEN {condition} THEN {lit(code + '|' + name + '|')} || {found} END"

    checks = []
    non_finite = ", ".join(lit(x) for x in NON_FINITE)
    target = duckdb_type(spec, exact=True)  # the one type map: numbers as exact decimals
    if type_ == "integer":
        value = f"CASE WHEN regexp_full_match({raw}, {lit(INTEGER)}) THEN TRY_CAST({raw} AS {target}) END"
    elif type_ == "number":
        # exact to 6 decimals below 1e12; a valid number outside that is kept as NULL (rules skip it)
        value = f"CASE WHEN regexp_full_match({raw}, {lit(NUMBER)}) THEN TRY_CAST({raw} AS {target}) END"
        checks.append(
            problem(
                "non-finite-number",
                f"{typed} IS NULL AND {raw} IS NOT NULL AND NOT {empty} AND (lower(trim({raw})) IN ({non_finite}) OR "
                f"(regexp_full_match({raw}, {lit(NUMBER)}) AND NOT isfinite(TRY_CAST({raw} AS DOUBLE))))",
            )
        )
    elif type_ == "boolean":
        trues = spec.get("trueValues", TRUE_VALUES)
        falses = spec.get("falseValues", FALSE_VALUES)
        value = (
            f"CASE WHEN {raw} IN ({', '.join(lit(v) for v in trues)}) THEN true "
            f"WHEN {raw} IN ({', '.join(lit(v) for v in falses)}) THEN false END"
        )
    elif type_ in ("date", "datetime", "time"):
        value = f"TRY_CAST({raw} AS {target})"
    elif type_ == "year":
        value = f"CASE WHEN regexp_full_match({raw}, '^[0-9]{{4}}$') THEN TRY_CAST({raw} AS {target}) END"
    else:  # string and the types we keep as text
        value = raw
    value = f"CASE WHEN {empty} THEN NULL ELSE {value} END"
    if type_ == "number":
        valid = (
            f"({typed} IS NOT NULL OR (regexp_full_match({raw}, {lit(NUMBER)}) "
            f"AND isfinite(TRY_CAST({raw} AS DOUBLE))))"
        )
        checks.append(
            problem(
                "type-error",
                f"{typed} IS NULL AND {raw} IS NOT NULL AND NOT {empty} AND NOT {valid} "
                f"AND lower(trim({raw})) NOT IN ({non_finite})",
            )
        )
    elif type_ in ("integer", "boolean", "date", "datetime", "time", "year"):
        checks.append(problem("type-error", f"{typed} IS NULL AND {raw} IS NOT NULL AND NOT {empty}"))
    return value, checks


def _constraint_text(check: str, spec: dict, value: Any) -> str:
    """What a failing constraint check found, as the SQL checks wrote it: ``minimum 0: -1``."""
    if check == "required":
        return "required: the cell is empty"
    cons = spec.get("constraints") or {}
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    shown = str(value)[:40]
    if check in cons and check not in ("enum", "pattern"):
        return f"{check} {cons[check]}: {shown}"
    return f"{check}: {shown}"
