"""SQL quoting, written once for every module that builds DuckDB SQL from names and text.

Table and column names come from the Table Schemas and paths from the package, so they are
always quoted, never pasted: an identifier in double quotes, a value in single quotes, the
quote character doubled inside (standard SQL, as DuckDB reads it).
"""

from __future__ import annotations

from typing import Any


def identifier(name: str) -> str:
    """A quoted SQL identifier: the name in double quotes, each double quote inside doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL string literal of ``value``'s text: in single quotes, each single quote inside doubled."""
    return "'" + str(value).replace("'", "''") + "'"
