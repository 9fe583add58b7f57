"""``bgopendata.duckdb``: one table per resource with its keys and its documentation.

Tables are created parents first so foreign keys can be declared, and every table and
column gets a ``COMMENT ON`` from the schemas, so ``duckdb_columns()`` explains the data.
The file is written with one thread under a fixed database name (DuckDB stores it inside
the file), which makes it byte-identical across builds of the same data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bgopendata.errors import InvalidData
from bgopendata.package import Package
from bgopendata.publish.truthful import published_field
from bgopendata.sql import identifier as quote
from bgopendata.sql import literal
from bgopendata.tableschema.types import duckdb_type, field_comment, foreign_keys, primary_key, table_description

DATABASE_NAME = "bgopendata"
# DuckDB's default 256 KiB blocks make a file of twenty small tables weigh 24 MB; 16 KiB
# blocks (the smallest DuckDB accepts) keep it near the data's size.
BLOCK_SIZE = 16384


def creation_order(package: Package) -> list[str]:
    """Resources sorted so that each comes after the resources its foreign keys reference."""
    deps = {r.name: {ref for _, ref, _ in foreign_keys(r.schema, r.name) if ref != r.name} for r in package.resources}
    order: list[str] = []
    pending = [r.name for r in package.resources]
    while pending:
        ready = [n for n in pending if deps[n] <= set(order)]
        if not ready:
            raise InvalidData(f"foreign keys form a cycle between {', '.join(pending)}", path="datapackage.json")
        order.extend(ready)
        pending = [n for n in pending if n not in ready]
    return order


def table_ddl(name: str, schema: dict[str, Any], unique_sets: list[list[str]]) -> str:
    fields = schema.get("fields", [])
    lines = []
    for f in fields:
        required = (f.get("constraints") or {}).get("required")
        lines.append(f"{quote(f['name'])} {duckdb_type(f)}{' NOT NULL' if required else ''}")
    pk = primary_key(schema)
    if pk:
        lines.append(f"PRIMARY KEY ({', '.join(map(quote, pk))})")
    for cols in unique_sets:
        lines.append(f"UNIQUE ({', '.join(map(quote, cols))})")
    for cols, ref, ref_cols in foreign_keys(schema, name):
        lines.append(
            f"FOREIGN KEY ({', '.join(map(quote, cols))}) REFERENCES {quote(ref)} ({', '.join(map(quote, ref_cols))})"
        )
    return f"CREATE TABLE {quote(name)} (\n  " + ",\n  ".join(lines) + "\n)"


def referenced_unique_sets(package: Package) -> dict[str, list[list[str]]]:
    """Referenced columns that are not the target's primary key need a UNIQUE constraint."""
    needed: dict[str, list[list[str]]] = {r.name: [] for r in package.resources}
    for res in package.resources:
        for _, ref, ref_cols in foreign_keys(res.schema, res.name):
            target = package.resource(ref)
            if ref_cols != primary_key(target.schema) and ref_cols not in needed[ref]:
                needed[ref].append(ref_cols)
    return needed


def insertion_batches(table: Any, name: str, schema: dict[str, Any]) -> list[Any]:
    """Split rows so a row referencing its own table comes after the row it references.

    DuckDB checks a foreign key against the rows already in the table, not the rows of the
    same INSERT, so ``areas.parent_id -> areas.area_id`` must be loaded level by level.
    """
    self_keys = [(cols, ref_cols) for cols, ref, ref_cols in foreign_keys(schema, name) if ref == name]
    if not self_keys:
        return [table]
    rows = table.to_pylist()
    loaded: set[tuple[str, tuple]] = set()
    pending = list(range(len(rows)))
    batches = []
    while pending:
        ready = [
            i
            for i in pending
            if all(
                any(rows[i][c] is None for c in cols) or (",".join(ref_cols), tuple(rows[i][c] for c in cols)) in loaded
                for cols, ref_cols in self_keys
            )
        ]
        if not ready:  # a dangling or circular reference: let DuckDB name it
            ready = pending
        for i in ready:
            for _, ref_cols in self_keys:
                loaded.add((",".join(ref_cols), tuple(rows[i][c] for c in ref_cols)))
        batches.append(table.take(ready))
        pending = [i for i in pending if i not in set(ready)]
    return batches


def write_database(package: Package, tables: dict[str, Any], dest: Path) -> None:
    """Create ``dest`` from the typed Arrow tables (the same ones written to Parquet)."""
    import duckdb

    unique_sets = referenced_unique_sets(package)
    con = duckdb.connect(
        ":memory:", config={"threads": 1, "autoload_known_extensions": False, "autoinstall_known_extensions": False}
    )
    try:
        con.execute(f"ATTACH {literal(str(dest))} AS {DATABASE_NAME} (BLOCK_SIZE {BLOCK_SIZE})")
        con.execute(f"USE {DATABASE_NAME}")
        for name in creation_order(package):
            res = package.resource(name)
            con.execute(table_ddl(name, res.schema, unique_sets[name]))
            for batch in insertion_batches(tables[name], name, res.schema):
                con.register("_incoming", batch)
                try:
                    con.execute(f"INSERT INTO {quote(name)} SELECT * FROM _incoming")
                except duckdb.ConstraintException as exc:
                    first = str(exc).splitlines()[0]
                    raise InvalidData(f"cannot load into DuckDB: {first}", path=res.relpath) from None
                finally:
                    con.unregister("_incoming")
            description = table_description(res.descriptor, res.schema)
            if description:
                con.execute(f"COMMENT ON TABLE {quote(name)} IS {literal(description)}")
            for f in res.schema.get("fields", []):
                comment = field_comment(published_field(f))
                if comment:
                    con.execute(f"COMMENT ON COLUMN {quote(name)}.{quote(f['name'])} IS {literal(comment)}")
        con.execute("USE memory")
        con.execute(f"DETACH {DATABASE_NAME}")
    finally:
        con.close()
