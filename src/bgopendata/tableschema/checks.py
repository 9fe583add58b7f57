"""Table Schema checks every command needs before it can trust a schema.

These are cheap, import nothing heavy (``query`` must stay fast) and stop at the first
problem with a ``UnusableInput`` naming the schema file and field: an unknown type, a
pattern that is not a regular expression, keys naming fields or resources that do not exist.
frictionless checks the rest of the schema's shape during ``validate``.
"""

from __future__ import annotations

import re
from typing import Any

from bgopendata.errors import UnusableInput

FIELD_TYPES = {
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "list",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "any",
}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def check_schema(schema: dict, *, shown: str) -> list[str]:
    """Check one schema's fields and primary key; return its field names."""
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        raise UnusableInput("'fields' must be a non-empty list", path=shown, field="fields")
    names: list[str] = []
    for index, field in enumerate(fields):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
            raise UnusableInput("each field needs a 'name'", path=shown, field=f"fields[{index}]")
        name = field["name"]
        if name in names:
            raise UnusableInput(f"field {name!r} is declared twice", path=shown, field=name)
        names.append(name)
        ftype = field.get("type", "string")
        if not isinstance(ftype, str) or ftype not in FIELD_TYPES:
            raise UnusableInput(f"unknown type {ftype!r}", path=shown, field=name)
        constraints = field.get("constraints", {})
        if not isinstance(constraints, dict):
            raise UnusableInput("'constraints' must be an object", path=shown, field=name)
        pattern = constraints.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise UnusableInput(
                    f"pattern {pattern!r} is not a regular expression ({exc})", path=shown, field=name
                ) from None
    for key in _as_list(schema.get("primaryKey", [])):
        if not isinstance(key, str) or key not in names:
            raise UnusableInput(f"primary key names unknown field {key!r}", path=shown, field="primaryKey")
    return names


def check_foreign_keys(schemas: dict[str, tuple[dict, str]]) -> None:
    """Every foreign key names local fields, a resource and fields that exist."""
    fields_of = {name: {f["name"] for f in schema["fields"]} for name, (schema, _) in schemas.items()}
    for name, (schema, shown) in schemas.items():
        for fk in _as_list(schema.get("foreignKeys", [])):
            if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
                raise UnusableInput("a foreign key needs 'fields' and 'reference'", path=shown, field="foreignKeys")
            for local in _as_list(fk.get("fields")):
                if not isinstance(local, str) or local not in fields_of[name]:
                    raise UnusableInput(f"foreign key names unknown field {local!r}", path=shown, field="foreignKeys")
            target = fk["reference"].get("resource") or name
            if not isinstance(target, str) or target not in fields_of:
                raise UnusableInput(
                    f"foreign key refers to missing resource {target!r}", path=shown, field="foreignKeys"
                )
            for remote in _as_list(fk["reference"].get("fields")):
                if not isinstance(remote, str) or remote not in fields_of[target]:
                    raise UnusableInput(
                        f"foreign key refers to missing field {remote!r} of resource {target!r}",
                        path=shown,
                        field="foreignKeys",
                    )
