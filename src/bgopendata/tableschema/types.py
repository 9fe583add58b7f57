"""The one Table Schema type map, and the schema metadata the release formats need.

One row per Table Schema type, one column per backend: the type a reader of the release
gets in DuckDB (the release's database and ``query``), Arrow (the Parquet files), ibis,
pandas (``pd.read_parquet(path, dtype_backend="numpy_nullable")``), Spark and SQLite (the
release's ``bgopendata.sqlite``: its column types, dates as ISO text). A type not
listed (``any``, ``object``, ``array``...) is text everywhere.

``number`` has two rows (docs/data-model.md says why): the release publishes it as a
double, which holds every published figure as written and never overflows a user's
product; the validator computes with ``EXACT_NUMBER``, an exact decimal, so that no rule's
verdict can flip on binary rounding, and widens a factor to ``WIDE_NUMBER`` before a
product (two ``DECIMAL(18,6)`` multiplied overflow past 1e6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Backend = Literal["duckdb", "arrow", "ibis", "pandas", "spark"]


@dataclass(frozen=True)
class Types:
    """One Table Schema type as each backend names it."""

    duckdb: str
    arrow: str
    ibis: str
    pandas: str
    spark: str
    sqlite: str = "TEXT"


TYPES: dict[str, Types] = {
    #                 DuckDB       Arrow/Parquet    ibis         pandas            Spark      SQLite
    "string": Types("VARCHAR", "string", "string", "string", "string"),
    "integer": Types("BIGINT", "int64", "int64", "Int64", "bigint", "INTEGER"),
    "number": Types("DOUBLE", "float64", "float64", "Float64", "double", "REAL"),
    "boolean": Types("BOOLEAN", "bool", "boolean", "boolean", "boolean", "INTEGER"),
    "date": Types("DATE", "date32", "date", "object", "date"),
    "datetime": Types("TIMESTAMP", "timestamp[us]", "timestamp(6)", "datetime64[us]", "timestamp_ntz"),
    "time": Types("TIME", "time64[us]", "time", "object", "time(6)"),
    "year": Types("INTEGER", "int32", "int32", "Int32", "int", "INTEGER"),
}
TEXT = TYPES["string"]
EXACT_NUMBER = Types("DECIMAL(18,6)", "decimal128(18, 6)", "decimal(18,6)", "object", "decimal(18,6)", "NUMERIC")
WIDE_NUMBER = Types("DECIMAL(38,8)", "decimal128(38, 8)", "decimal(38,8)", "object", "decimal(38,8)", "NUMERIC")
UNIT_KEYS = ("unit", "bgopendata:unit")
TRUE_VALUES = ["true", "True", "TRUE", "1"]  # Table Schema's defaults for a boolean field
FALSE_VALUES = ["false", "False", "FALSE", "0"]


def field_types(field: dict[str, Any], *, exact: bool = False) -> Types:
    """The field's types: as published, or (``exact``) as the validator computes with them."""
    type_ = field.get("type", "string")
    if exact and type_ == "number":
        return EXACT_NUMBER
    return TYPES.get(type_, TEXT)


def duckdb_type(field: dict[str, Any], *, exact: bool = False) -> str:
    return field_types(field, exact=exact).duckdb


def sqlite_type(field: dict[str, Any]) -> str:
    return field_types(field).sqlite


def ibis_type(field: dict[str, Any], *, exact: bool = False) -> str:
    return field_types(field, exact=exact).ibis


def arrow_type(field: dict[str, Any], *, exact: bool = False) -> Any:
    """The field's pyarrow ``DataType``."""
    import pyarrow as pa

    name = field_types(field, exact=exact).arrow
    if name.startswith("decimal128("):
        precision, scale = (int(x) for x in name[len("decimal128(") : -1].split(","))
        return pa.decimal128(precision, scale)
    return pa.type_for_alias(name)


def as_list(value: Any) -> list[str]:
    """Table Schema allows a single field name where a list is meant."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def primary_key(schema: dict[str, Any]) -> list[str]:
    return as_list(schema.get("primaryKey"))


def unique_keys(schema: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """``(problem code, fields)`` of every key a table must not repeat: its primary key, then
    each ``unique`` field that is not that key already (every engine checks the same list)."""
    keys: list[tuple[str, list[str]]] = []
    if primary_key(schema):
        keys.append(("primary-key", primary_key(schema)))
    for spec in schema.get("fields", []):
        if (
            isinstance(spec, dict)
            and (spec.get("constraints") or {}).get("unique")
            and [spec["name"]] not in [k for _, k in keys]
        ):
            keys.append(("unique-error", [spec["name"]]))
    return keys


def foreign_keys(schema: dict[str, Any], own_name: str) -> list[tuple[list[str], str, list[str]]]:
    """``(fields, referenced resource, referenced fields)``; an empty resource means itself."""
    keys = []
    for fk in schema.get("foreignKeys", []) or []:
        if not isinstance(fk, dict):
            continue
        ref = fk.get("reference") or {}
        keys.append((as_list(fk.get("fields")), ref.get("resource") or own_name, as_list(ref.get("fields"))))
    return keys


def field_unit(field: dict[str, Any]) -> str | None:
    for key in UNIT_KEYS:
        if field.get(key):
            return str(field[key])
    return None


def field_comment(field: dict[str, Any]) -> str:
    """What a reader of the column needs: its description, then its unit when it has one."""
    text = str(field.get("description") or field.get("title") or "").strip()
    unit = field_unit(field)
    if unit:
        text = f"{text} (unit: {unit})" if text else f"unit: {unit}"
    return text


def table_description(resource: dict[str, Any], schema: dict[str, Any]) -> str:
    return str(resource.get("description") or schema.get("description") or resource.get("title") or "").strip()


def missing_values(schema: dict[str, Any]) -> list[str]:
    return list(schema.get("missingValues", [""]))
