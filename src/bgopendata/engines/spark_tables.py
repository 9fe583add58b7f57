"""The package's CSVs as typed Spark DataFrames: the Table Schema checks run on Spark, not locally.

The Spark counterpart of ``duckdb_tables``, with the same problems (codes, messages,
lines): a table too big for one machine is checked on the cluster that holds it. Each
CSV is read by ``spark.read.csv`` with an all-string schema and a corrupt-record column,
from any URI Spark reads (``file://``, ``s3a://``, ``hdfs://``, ``gs://``: the package's
folder, or ``data_uri`` + the resource's path); each cell is cast to the type the one
type map gives (``tableschema.types``, Spark column), and the typed frame is persisted
for the checks and the group rules (``spark_rules``). Only counts, verdicts and at most
``max_examples`` failing rows per check come back to the driver.

Line numbers. A file read in several splits lands in partitions in no file order (Spark
packs splits by size), so neither the partition index nor ``monotonically_increasing_id``
alone is a position. But a split is read whole, in order, by one task: each row's
``_metadata.file_block_start`` names its split, and within a split the ids are
consecutive. One aggregation (rows and smallest id per split, a handful of rows) gives
each split its first line, and ``__line = __id - first id of its split + first line``
(cells never span lines in our CSVs; the header is line 1).

The header check, and the messages of every cell problem, are the DuckDB engine's own
(``TypedTables._check_header``, ``_CELL_MESSAGES``, ``_constraint_text``), run on the
file's first bytes read through Hadoop's file system API. Ragged rows and unclosed quotes
come from Spark's corrupt-record column and are worded as DuckDB's reader words them; a
cell Spark had to decode with U+FFFD (bytes that are not UTF-8) is an encoding error.
"""

from __future__ import annotations

import csv
import dataclasses
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from bgopendata.engines.duckdb_tables import _CELL_MESSAGES, Examples, TypedTables, _constraint_text
from bgopendata.engines.pandera_ibis import BOUNDS, NUMERIC
from bgopendata.formulas import FORMULA, formula_message
from bgopendata.lexical import MAX_HEADER_BYTES, MESSAGES, NON_FINITE
from bgopendata.number_syntax import INTEGER, NUMBER
from bgopendata.package import Package, Resource
from bgopendata.report import Problem, Severity
from bgopendata.tableschema.types import FALSE_VALUES, TRUE_VALUES, field_types, foreign_keys, unique_keys

# DuckDB's reader's words for the rows it rejects (``duckdb_tables`` reports them as DuckDB says them)
_RAGGED = "Expected Number of Columns: {expected} Found: {found}"
_UNCLOSED = "Value with unterminated quote found."
_NOT_UTF8 = "Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded."
_OPERATORS = {"ge": "__ge__", "le": "__le__", "gt": "__gt__", "lt": "__lt__"}


def java_regex(pattern: str) -> str:
    """An RE2 expression anchored with ``^...$`` as Java must read it to agree: ``$`` only at the very end."""
    body = pattern.removeprefix("^").removesuffix("$")
    return f"(?s)^(?:{body})\\z"


@dataclasses.dataclass
class _Check:
    """One cell check of one field: which cells fail, the code and the found text of a failure."""

    key: str  # "<code>/<field>", the report's omitted key after the resource
    code: str
    field: str
    bad: Any  # a boolean Spark column
    shown: Any  # the column whose value a failure shows
    text: Callable[[Any], str]  # the found text from the shown value
    severity: Severity = "error"


class SparkTables:
    """The package's tables as persisted Spark DataFrames; close() unpersists them."""

    def __init__(self, package: Package, spark: Any, *, max_examples: int = 20, data_uri: str | None = None) -> None:
        self.package = package
        self.spark = spark
        self.max_examples = max_examples
        self.data_uri = data_uri.rstrip("/") if data_uri else None
        self.frames: dict[str, Any] = {}  # resource name -> typed DataFrame with __line, for readable tables
        self.tables: dict[str, str] = {}  # resource name -> name, the readable ones (as ``TypedTables``)
        self.rows = 0
        self.examples = Examples()
        self._fields: dict[str, list[tuple[dict, int | None]]] = {}
        self._cached: list[Any] = []  # the persisted frames the checks read
        self._temp = tempfile.TemporaryDirectory(prefix="bgopendata-spark-")

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        self._temp.cleanup()

    def __enter__(self) -> SparkTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _problem(
        self, res: Resource, code: str, message: str, line: int | None = None, field_name: str | None = None
    ) -> Problem:
        return TypedTables._problem(cast(TypedTables, self), res, code, message, line, field_name)

    def uri(self, res: Resource) -> str:
        """Where Spark reads the resource: under ``data_uri`` when given, else the package's file."""
        return f"{self.data_uri}/{res.relpath}" if self.data_uri else res.path.resolve().as_uri()

    # -- loading ------------------------------------------------------------------------

    def load(self, resources: list[Resource] | None = None) -> None:
        """Read each CSV into its typed, persisted frame; header and reader problems go to ``examples``."""
        for res in resources if resources is not None else self.package.resources:
            header = self._check_header(res)
            if header is not None:
                self._read(res, len(header))

    def _check_header(self, res: Resource) -> list[str] | None:
        """The DuckDB engine's header check, on the first bytes of the file wherever it is."""
        local = res
        if self.data_uri:
            try:
                head = self._head(self.uri(res))
            except Exception as exc:  # noqa: BLE001 - a missing or unreadable file is one line
                reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
                self.examples.add(
                    "io-error", [self._problem(res, "io-error", MESSAGES["io-error"].format(reason=reason))], 1
                )
                return None
            copy = Path(self._temp.name) / f"{len(self.tables)}-{res.name}.head"
            copy.write_bytes(head)
            local = dataclasses.replace(res, path=copy)
        return TypedTables._check_header(cast(TypedTables, self), local)

    def _head(self, uri: str) -> bytes:
        """The file's first ``MAX_HEADER_BYTES + 1`` bytes, through Hadoop's FileSystem (any scheme)."""
        jvm = self.spark._jvm
        path = jvm.org.apache.hadoop.fs.Path(uri)
        stream = path.getFileSystem(self.spark._jsc.hadoopConfiguration()).open(path)
        try:
            return bytes(stream.readNBytes(MAX_HEADER_BYTES + 1))
        finally:
            stream.close()

    def _read(self, res: Resource, width: int) -> None:
        from pyspark import StorageLevel
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        specs = [f for f in res.schema.get("fields", []) if isinstance(f, dict)]
        missing = res.schema.get("missingValues", [""])
        raw = [f"c{i}" for i in range(width)]
        schema = T.StructType(
            [T.StructField(c, T.StringType()) for c in raw] + [T.StructField("__corrupt", T.StringType())]
        )
        source = (
            self.spark.read.schema(schema)
            .options(header=True, sep=",", quote='"', escape='"', multiLine=False, enforceSchema=True)
            .options(mode="PERMISSIVE", columnNameOfCorruptRecord="__corrupt", encoding="UTF-8")
            .options(ignoreLeadingWhiteSpace=False, ignoreTrailingWhiteSpace=False, nullValue="", emptyValue="")
            .csv(self.uri(res))
        )
        typed: list[Any] = []
        failed: list[Any] = []
        kept: list[Any] = []
        fields: list[tuple[dict, int | None]] = []
        for column, spec in zip(raw, specs, strict=True):  # the header check made them as many
            value = _typed(F.col(column), spec, missing)
            typed.append(value.alias(spec["name"]))
            cast_at = None
            if spec.get("type", "string") not in ("string", "any"):
                cast_at = len(failed)
                failed.append(value.isNull() & F.col(column).isNotNull() & ~F.col(column).isin(missing))
                kept.append(F.when(failed[-1], F.col(column)))
            fields.append((spec, cast_at))
        any_failed = _any(failed)
        failed_col = (
            F.when(any_failed, F.array(*kept)) if failed else F.lit(None).cast(T.ArrayType(T.StringType()))
        ).alias("__failed")
        # a cell Spark decoded with U+FFFD came from bytes that are not UTF-8
        not_utf8 = _any([F.col(c).contains("\ufffd") for c in raw])
        frame = source.select(
            F.col("_metadata.file_block_start").alias("__block"),
            F.monotonically_increasing_id().alias("__id"),
            F.when(F.col("__corrupt").isNotNull(), F.col("__corrupt"))
            .when(not_utf8, F.lit("\ufffd"))
            .alias("__reject"),
            *typed,
            failed_col,
        ).persist(StorageLevel.MEMORY_AND_DISK)
        persisted = frame
        try:
            blocks = (
                frame.groupBy("__block")
                .agg(
                    F.count("*").alias("n"),
                    F.min("__id").alias("first"),
                    F.count_if(F.col("__reject").isNull()).alias("read"),  # as DuckDB counts: rejects are no rows
                )
                .collect()
            )
        except Exception as exc:  # noqa: BLE001 - Spark cannot read the file: one line, not a JVM trace
            persisted.unpersist()
            message = " ".join(str(exc).split())[:300]
            self.examples.add("read", [self._problem(res, "source-error", f"Spark cannot read it: {message}")], 1)
            return
        start, line_of = 2, []  # the first data row is line 2
        for block in sorted(blocks, key=lambda b: b["__block"]):
            line_of += [F.lit(block["__block"]), F.lit(start - block["first"])]
            start += block["n"]
        rows = start - 2
        frame = frame.withColumn(
            "__line", (F.col("__id") + F.create_map(*line_of)[F.col("__block")]) if line_of else F.lit(None)
        )
        if not sum(block["read"] for block in blocks):
            self.examples.add("read", [self._problem(res, "no-data-rows", MESSAGES["no-data-rows"], 1)], 1)
        if self._rejects(res, frame, width):
            persisted.unpersist()
            return
        self.rows += rows
        self._cached.append(persisted)
        self.frames[res.name] = frame.drop("__block", "__id", "__reject")
        self.tables[res.name] = res.name
        self._fields[res.name] = fields

    def _rejects(self, res: Resource, frame: Any, width: int) -> bool:
        """Rows Spark could not split into the header's columns, or not decode: reported as DuckDB does."""
        from pyspark.sql import functions as F

        bad = frame.filter(F.col("__reject").isNotNull())
        first = bad.orderBy("__line").limit(self.max_examples).select("__line", "__reject").collect()
        if not first:
            return False
        found = []
        for row in first:
            text = row["__reject"]
            if text == "\ufffd":
                code, message = "encoding-error", _NOT_UTF8
            elif text.count('"') % 2:
                code, message = "unclosed-quote", _UNCLOSED
            else:
                cells = len(next(csv.reader([text]), []))
                code = "missing-cell" if cells < width else "extra-cell"
                message = _RAGGED.format(expected=width, found=cells)
            found.append(self._problem(res, code, message, int(row["__line"])))
        self.examples.add(f"{res.name}/rejects", found, bad.count())
        return True

    # -- checks -----------------------------------------------------------------------------

    def check(self) -> Examples:
        """Cell problems, then keys and foreign keys, of every loaded table."""
        for res in self.package.resources:
            if res.name in self.frames:
                self._cells(res)
        for res in self.package.resources:
            if res.name in self.frames:
                self._keys(res)
                self._foreign_keys(res)
        return self.examples

    def _cells(self, res: Resource) -> None:
        """Every cell check of the table counted in one pass; the failing ones' first lines fetched."""
        from pyspark.sql import functions as F

        frame = self.frames[res.name]
        checks = _cell_checks(self._fields[res.name])
        if not checks:
            return
        totals = frame.agg(*[F.sum(F.when(c.bad, 1).otherwise(0)).alias(f"k{i}") for i, c in enumerate(checks)])
        counts = totals.collect()[0]
        for i, check in enumerate(checks):
            total = int(counts[f"k{i}"] or 0)
            if not total:
                continue
            rows = frame.filter(check.bad).orderBy("__line").limit(self.max_examples)
            found = [
                Problem(
                    code=f"structure/{check.code}",
                    severity=check.severity,
                    message=check.text(row["shown"]),
                    resource=res.name,
                    path=res.relpath,
                    line=int(row["__line"]),
                    fields=[check.field],
                )
                for row in rows.select("__line", check.shown.alias("shown")).collect()
            ]
            self.examples.add(f"{res.name}/{check.key}", found, total)

    def _keys(self, res: Resource) -> None:
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        keys = unique_keys(res.schema)
        frame = self.frames[res.name]
        for code, names in keys:
            present = frame.filter(_all([F.col(n).isNotNull() for n in names])).select("__line", *names)
            repeated = present.groupBy(*names).agg(F.count("*").alias("__n")).filter("__n > 1")
            later = (
                present.join(repeated, names)
                .withColumn("__first", F.min("__line").over(Window.partitionBy(*names)))
                .filter(F.col("__line") > F.col("__first"))
            )
            rows = (
                later.orderBy("__line")
                .limit(self.max_examples)
                .select("__line", "__first", F.concat_ws(", ", *[F.col(n).cast("string") for n in names]).alias("v"))
                .collect()
            )
            if rows:
                what = "primary key" if code == "primary-key" else "unique field"
                found = [
                    self._problem(
                        res,
                        code,
                        f"{what} ({', '.join(names)}) = ({r['v']}) repeats line {r['__first']}",
                        int(r["__line"]),
                        names[0],
                    )
                    for r in rows
                ]
                total = repeated.agg(F.sum(F.col("__n") - 1)).collect()[0][0]
                self.examples.add(f"{res.name}/{code}/{','.join(names)}", found, int(total))

    def _foreign_keys(self, res: Resource) -> None:
        from pyspark.sql import functions as F

        frame = self.frames[res.name]
        for names, ref_name, ref_fields in foreign_keys(res.schema, res.name):
            ref = self.frames.get(ref_name)
            if ref is None or len(ref_fields) != len(names) or not names:
                continue  # the referenced table is unreadable (already reported) or absent (schema check)
            here = frame.filter(_all([F.col(n).isNotNull() for n in names])).select("__line", *names)
            there = ref.select(*[F.col(rf).alias(f"__r{i}") for i, rf in enumerate(ref_fields)]).distinct()
            on = _all([here[n] == there[f"__r{i}"] for i, n in enumerate(names)])
            orphans = here.join(there, on, "left_anti")
            rows = (
                orphans.orderBy("__line")
                .limit(self.max_examples)
                .select("__line", F.concat_ws(", ", *[F.col(n).cast("string") for n in names]).alias("v"))
                .collect()
            )
            if rows:
                found = [
                    self._problem(
                        res,
                        "foreign-key",
                        f"({', '.join(names)}) = ({r['v']}) has no match in {ref_name} ({', '.join(ref_fields)})",
                        int(r["__line"]),
                        names[0],
                    )
                    for r in rows
                ]
                self.examples.add(f"{res.name}/foreign-key/{','.join(names)}", found, orphans.count())


def _any(conditions: list[Any]) -> Any:
    from pyspark.sql import functions as F

    out = F.lit(False)
    for condition in conditions:
        out = out | condition
    return out


def _all(conditions: list[Any]) -> Any:
    from pyspark.sql import functions as F

    out = F.lit(True)
    for condition in conditions:
        out = out & condition
    return out


def _typed(raw: Any, spec: dict, missing: list[str]) -> Any:
    """The cell's typed value (NULL when empty or when the cast fails), as ``duckdb_tables._cell_sql``."""
    from pyspark.sql import functions as F

    type_ = spec.get("type", "string")
    target = field_types(spec, exact=True).spark  # the one type map: numbers as exact decimals
    if type_ == "integer":
        value = F.when(raw.rlike(java_regex(INTEGER)), raw.try_cast(target))
    elif type_ == "number":
        value = F.when(raw.rlike(java_regex(NUMBER)), raw.try_cast(target))
    elif type_ == "boolean":
        trues = spec.get("trueValues", TRUE_VALUES)
        falses = spec.get("falseValues", FALSE_VALUES)
        value = F.when(raw.isin(trues), F.lit(True)).when(raw.isin(falses), F.lit(False))
    elif type_ == "date":  # Spark would read '2013' as a date: the ISO form only, as DuckDB reads it
        value = F.when(raw.rlike(java_regex(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")), raw.try_cast(target))
    elif type_ in ("datetime", "time"):
        value = raw.try_cast(target)
    elif type_ == "year":
        value = F.when(raw.rlike(java_regex("^[0-9]{4}$")), raw.try_cast(target))
    else:
        value = raw
    empty = raw.isNull() | raw.isin(missing) if missing else raw.isNull()
    return F.when(empty, F.lit(None)).otherwise(value)


def _cell_checks(fields: list[tuple[dict, int | None]]) -> list[_Check]:
    """Each field's checks, from its Table Schema declaration: types, required, constraints, formulas."""
    from pyspark.sql import functions as F

    checks: list[_Check] = []
    for spec, cast_at in fields:
        name = spec["name"]
        column = F.col(name)
        type_ = spec.get("type", "string")
        cons = spec.get("constraints") or {}
        if cast_at is not None:
            text = F.col("__failed")[cast_at]
            failed = F.col("__failed").isNotNull() & text.isNotNull()
            checks += _cast_checks(name, type_, text, failed)
        else:
            failed = F.lit(False)
        if cons.get("required"):
            message = _CELL_MESSAGES["constraint-error"].format(
                found=_constraint_text("required", {}, None), field=name
            )
            checks.append(
                _Check(
                    f"constraint-error/{name}",
                    "constraint-error",
                    name,
                    column.isNull() & ~failed,
                    column,
                    _fixed(message),
                )
            )
        if type_ in ("string", "any"):
            message = _CELL_MESSAGES["stray-carriage-return"].format(field=name)
            checks.append(
                _Check(
                    f"stray-carriage-return/{name}",
                    "stray-carriage-return",
                    name,
                    column.contains("\r"),
                    column,
                    _fixed(message),
                )
            )
        for check, ok in _constraints(spec):
            checks.append(
                _Check(
                    f"constraint-error/{name}",
                    "constraint-error",
                    name,
                    column.isNotNull() & ~ok,
                    column,
                    _broken(check, spec),
                )
            )
        if type_ == "string":
            checks.append(
                _Check(
                    f"formula-injection/{name}",
                    "formula-injection",
                    name,
                    column.rlike(java_regex(FORMULA)),
                    column,
                    formula_message,
                    severity="warning",
                )
            )
    return checks


def _fixed(message: str) -> Callable[[Any], str]:
    return lambda _value: message


def _broken(check: str, spec: dict) -> Callable[[Any], str]:
    """The message of a failing constraint ``check`` of ``spec``, from the value found."""
    return lambda value: _CELL_MESSAGES["constraint-error"].format(
        found=_constraint_text(check, spec, value), field=spec["name"]
    )


def _cast_checks(name: str, type_: str, text: Any, failed: Any) -> list[_Check]:
    """A failed cast is a type error, or for a number NaN, an infinity or an overflowing literal."""
    from pyspark.sql import functions as F

    def shown(code: str) -> Callable[[Any], str]:
        return lambda value: _CELL_MESSAGES[code].format(found=str(value)[:40], field=name)

    if type_ != "number":
        return [_Check(f"type-error/{name}", "type-error", name, failed, text, shown("type-error"))]
    named = F.lower(F.trim(text)).isin(list(NON_FINITE))
    as_double = text.try_cast("double")
    finite = as_double.isNotNull() & ~F.isnan(as_double) & (F.abs(as_double) != F.lit(float("inf")))
    syntax = text.rlike(java_regex(NUMBER))
    non_finite = failed & (named | (syntax & ~finite))
    type_error = failed & ~(syntax & finite) & ~named
    return [
        _Check(f"non-finite-number/{name}", "non-finite-number", name, non_finite, text, shown("non-finite-number")),
        _Check(f"type-error/{name}", "type-error", name, type_error, text, shown("type-error")),
    ]


def _constraints(spec: dict) -> list[tuple[str, Any]]:
    """(check name, passing condition) for the field's constraints, as ``pandera_ibis.field_checks`` checks them."""
    from pyspark.sql import functions as F

    type_ = spec.get("type", "string")
    cons = spec.get("constraints") or {}
    column = F.col(spec["name"])
    out: list[tuple[str, Any]] = []
    enum = cons.get("enum")
    if isinstance(enum, list):
        if type_ in NUMERIC:
            options = [Decimal(repr(v)) for v in enum if isinstance(v, (int, float)) and not isinstance(v, bool)]
            out.append(("enum", column.isin([F.lit(o) for o in options]) if options else F.lit(False)))
        elif type_ in ("string", "any"):
            out.append(("enum", column.isin([str(v) for v in enum])))
        else:
            out.append(("enum", column.cast("string").isin([str(v) for v in enum])))
    pattern = cons.get("pattern")
    if isinstance(pattern, str):  # a Table Schema pattern matches the whole cell
        out.append(("pattern", column.cast("string").rlike(java_regex(pattern))))
    if type_ in NUMERIC:
        for key, builtin in BOUNDS.items():
            bound = cons.get(key)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool):
                out.append((key, getattr(column, _OPERATORS[builtin])(F.lit(Decimal(repr(bound))))))
    lengths: dict[str, int] = {
        k: v for k in ("minLength", "maxLength") if isinstance(v := cons.get(k), int) and not isinstance(v, bool)
    }
    if lengths:
        size = F.length(column.cast("string"))
        ok = F.lit(True)
        if "minLength" in lengths:
            ok = ok & (size >= lengths["minLength"])
        if "maxLength" in lengths:
            ok = ok & (size <= lengths["maxLength"])
        out.append(("length", ok))
    return out
