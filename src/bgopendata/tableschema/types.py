"""Table Schema metadata as the release formats need it: column types, keys, descriptions.

Parquet, DuckDB and ``query`` all type columns from the same Table Schema, so the mapping
lives here once.
"""

from __future__ import annotations

from typing import Any

# Table Schema type -> DuckDB SQL type; anything else is kept as text.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
    "year": "INTEGER",
}
UNIT_KEYS = ("unit", "bgopendata:unit")


def duckdb_type(field: dict[str, Any]) -> str:
    return DUCKDB_TYPES.get(field.get("type", "string"), "VARCHAR")


def as_list(value: Any) -> list[str]:
    """Table Schema allows a single field name where a list is meant."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def primary_key(schema: dict[str, Any]) -> list[str]:
    return as_list(schema.get("primaryKey"))


def foreign_keys(schema: dict[str, Any], own_name: str) -> list[tuple[list[str], str, list[str]]]:
    """``(fields, referenced resource, referenced fields)``; an empty resource means itself."""
    keys = []
    for fk in schema.get("foreignKeys", []) or []:
        ref = fk.get("reference", {})
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
