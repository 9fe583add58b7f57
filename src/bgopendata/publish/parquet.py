"""One typed, zstd-compressed Parquet file per resource, carrying its own documentation.

Column types come from the Table Schema through the one type map (``tableschema.types``);
each column's description and unit sit in the Arrow field metadata (read by pyarrow, polars
and DuckDB), and the table's description plus a JSON summary of every field sit in the
file's key-value metadata, so a Parquet file read on its own still explains itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bgopendata.errors import InvalidData
from bgopendata.package import Resource
from bgopendata.publish.truthful import published_field
from bgopendata.tableschema.types import (
    FALSE_VALUES,
    TRUE_VALUES,
    arrow_type,
    field_unit,
    missing_values,
    table_description,
)

# Key-value metadata keys in each Parquet file.
KEY_RESOURCE = "bgopendata:resource"
KEY_TITLE = "title"
KEY_DESCRIPTION = "description"
KEY_FIELDS = "bgopendata:fields"

# Field properties copied into the metadata, in English and, where the schema has them, Italian.
DOC_KEYS = ("title", "description", "title_it", "description_it")

COMPRESSION = "zstd"
COMPRESSION_LEVEL = 9


def read_typed(resource: Resource):
    """Read a resource's CSV into an Arrow table typed by its Table Schema."""
    import pyarrow as pa
    from pyarrow import csv

    fields = resource.schema.get("fields", [])
    names = [f["name"] for f in fields]
    convert = csv.ConvertOptions(
        column_types={f["name"]: arrow_type(f) for f in fields},
        null_values=missing_values(resource.schema),
        strings_can_be_null=True,
        true_values=resource.schema.get("trueValues", TRUE_VALUES),
        false_values=resource.schema.get("falseValues", FALSE_VALUES),
        include_columns=names,
    )
    try:
        table = csv.read_csv(
            resource.path,
            read_options=csv.ReadOptions(use_threads=False),
            parse_options=csv.ParseOptions(delimiter=","),
            convert_options=convert,
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        first = str(exc).splitlines()[0]
        raise InvalidData(f"cannot type the CSV by its schema: {first}", path=resource.relpath) from None
    schema = pa.schema(
        [table.schema.field(f["name"]).with_metadata(_field_metadata(f)) for f in fields],
        metadata=file_metadata(resource),
    )
    return pa.Table.from_arrays(table.columns, schema=schema)


def _field_metadata(field: dict[str, Any]) -> dict[str, str]:
    """What the column's Arrow metadata carries: name, type, titles, descriptions, unit."""
    field = published_field(field)
    meta = {"name": field["name"], "type": str(field.get("type", "string")), "unit": field_unit(field) or ""}
    meta.update({key: str(field[key]) for key in DOC_KEYS if field.get(key)})
    return {k: v for k, v in meta.items() if v}


def file_metadata(resource: Resource) -> dict[str, str]:
    """The file's key-value metadata; the full Table Schema stays in the release datapackage.json."""
    fields = [_field_metadata(f) for f in resource.schema.get("fields", [])]
    return {
        KEY_RESOURCE: resource.name,
        KEY_TITLE: str(resource.descriptor.get("title", resource.name)),
        KEY_DESCRIPTION: table_description(resource.descriptor, resource.schema),
        KEY_FIELDS: json.dumps(fields, ensure_ascii=False, sort_keys=True),
    }


def write_parquet(table, dest: Path) -> None:
    """Write deterministically: one row group, fixed codec and level, no timestamps."""
    import pyarrow.parquet as pq

    pq.write_table(
        table, dest, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL, row_group_size=max(table.num_rows, 1)
    )
