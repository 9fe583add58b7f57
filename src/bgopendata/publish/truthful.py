"""Metadata the release can stand behind: units that say what they are, sources it can reach.

The package's schemas write ``"unit": "see column unit"`` for a value whose unit changes
row by row; a reader of one Parquet file or one DuckDB comment cannot act on "see column".
The release says instead that the unit is given per row, in which column. A source text
the package keeps under ``sources/`` is not a release file, so the release points at it
where it is published: the repository at the release's tag.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from bgopendata.tableschema.types import UNIT_KEYS

PER_ROW = re.compile(r"^see column (?P<column>[A-Za-z_][A-Za-z0-9_]*)$")
SOURCES_URL = "https://raw.githubusercontent.com/bgopendata/bgopendata/v{version}/{path}"


def published_field(field: dict[str, Any]) -> dict[str, Any]:
    """``field`` with a unit that names another column rewritten as 'given per row in ...'."""
    out = dict(field)
    for key in UNIT_KEYS:
        found = PER_ROW.match(str(field.get(key) or ""))
        if found:
            out[key] = f"given per row in column {found['column']}"
    return out


def published_schema(schema: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(schema)
    out["fields"] = [published_field(f) for f in schema.get("fields", [])]
    return out


def published_sources(sources: list[Any], version: str) -> list[Any]:
    """Each source whose ``path`` is a file of the package, pointed at its published URL."""
    out = []
    for source in sources:
        source = copy.deepcopy(source)
        path = source.get("path") if isinstance(source, dict) else None
        if isinstance(path, str) and not path.startswith(("http://", "https://")):
            source["path"] = SOURCES_URL.format(version=version, path=path)
        out.append(source)
    return out
