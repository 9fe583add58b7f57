"""``bgopendata.sqlite``: the release for SQLite and Datasette users.

One table per resource with its primary key, foreign keys and typed columns (the one type
map, ``tableschema.types``), loaded from the same typed Arrow tables as the Parquet files
and ``bgopendata.duckdb``. SQLite keeps no column comments, so each column's description
and unit sit in a table of the database itself (``bgopendata_columns``, for any SQLite
client) and in ``datasette-metadata.json`` (``datasette bgopendata.sqlite --metadata
datasette-metadata.json`` shows them on every table page). Python's own ``sqlite3`` writes
it: nothing the file needs is beyond it, and the same rows in the same order give the same
bytes on every build.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from bgopendata.errors import InvalidData
from bgopendata.package import Package
from bgopendata.publish.duckdb_file import creation_order
from bgopendata.publish.truthful import published_field
from bgopendata.sql import identifier as quote
from bgopendata.tableschema.types import (
    field_comment,
    field_unit,
    foreign_keys,
    primary_key,
    sqlite_type,
    table_description,
)

DATABASE_NAME = "bgopendata"  # Datasette names a database after its file
COLUMNS_TABLE = "bgopendata_columns"
COLUMNS_DDL = f"""CREATE TABLE {COLUMNS_TABLE} (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  type TEXT NOT NULL,
  title TEXT,
  description TEXT,
  unit TEXT,
  PRIMARY KEY (table_name, column_name)
)"""


def table_ddl(name: str, schema: dict[str, Any]) -> str:
    lines = []
    for f in schema.get("fields", []):
        required = (f.get("constraints") or {}).get("required")
        lines.append(f"{quote(f['name'])} {sqlite_type(f)}{' NOT NULL' if required else ''}")
    pk = primary_key(schema)
    if pk:
        lines.append(f"PRIMARY KEY ({', '.join(map(quote, pk))})")
    for cols, ref, ref_cols in foreign_keys(schema, name):
        lines.append(
            f"FOREIGN KEY ({', '.join(map(quote, cols))}) REFERENCES {quote(ref)} ({', '.join(map(quote, ref_cols))})"
        )
    return f"CREATE TABLE {quote(name)} (\n  " + ",\n  ".join(lines) + "\n)"


def _cell(value: Any) -> Any:
    """What SQLite stores: dates and times as ISO text, booleans as 0/1, the rest as they are."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def write_sqlite(package: Package, tables: dict[str, Any], dest: Path) -> None:
    """Create ``dest`` from the typed Arrow tables; every foreign key is checked once all are in."""
    con = sqlite3.connect(dest)
    try:
        con.execute("PRAGMA foreign_keys = OFF")  # areas.parent_id -> areas: checked after loading
        for name in creation_order(package):
            res = package.resource(name)
            con.execute(table_ddl(name, res.schema))
            columns = [f["name"] for f in res.schema.get("fields", [])]
            marks = ", ".join("?" for _ in columns)
            rows = ([_cell(row[c]) for c in columns] for row in tables[name].to_pylist())
            try:
                con.executemany(f"INSERT INTO {quote(name)} VALUES ({marks})", rows)
            except sqlite3.IntegrityError as exc:
                raise InvalidData(f"cannot load into SQLite: {exc}", path=res.relpath) from None
        con.execute(COLUMNS_DDL)
        con.executemany(f"INSERT INTO {COLUMNS_TABLE} VALUES (?, ?, ?, ?, ?, ?)", column_rows(package))
        broken = con.execute("PRAGMA foreign_key_check").fetchone()
        if broken:
            raise InvalidData(f"cannot load into SQLite: a row of {broken[0]} references no row of {broken[2]}")
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()


def column_rows(package: Package) -> list[tuple[str, str, str, str | None, str | None, str | None]]:
    rows = []
    for res in package.resources:
        for f in res.schema.get("fields", []):
            f = published_field(f)
            rows.append(
                (res.name, f["name"], str(f.get("type", "string")), f.get("title"), f.get("description"), field_unit(f))
            )
    return rows


def datasette_metadata(package: Package) -> dict[str, Any]:
    """Datasette's metadata file: the package's title and licence, each table's description
    and each column's description with its unit."""
    desc = package.descriptor
    licences = desc.get("licenses") or [{}]
    tables: dict[str, Any] = {}
    for res in package.resources:
        columns = {f["name"]: field_comment(published_field(f)) for f in res.schema.get("fields", [])}
        tables[res.name] = {
            "title": str(res.descriptor.get("title", res.name)),
            "description": table_description(res.descriptor, res.schema),
            "columns": {k: v for k, v in columns.items() if v},
        }
    tables[COLUMNS_TABLE] = {
        "title": "Column descriptions",
        "description": "The title, description and unit of every column of every table.",
    }
    meta = {
        "title": str(desc.get("title", "")),
        "description": str(desc.get("description", "")),
        "license": str(licences[0].get("name", "")),
        "license_url": str(licences[0].get("path", "")),
        "source_url": str(desc.get("homepage", "")),
        "databases": {DATABASE_NAME: {"tables": tables}},
    }
    return {k: v for k, v in meta.items() if v}
