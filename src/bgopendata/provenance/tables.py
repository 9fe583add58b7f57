"""The package's tables as plain rows (the provenance checks need strings, not types)."""

from __future__ import annotations

import csv


def read_table(package, name: str) -> list[dict[str, str]]:
    """Rows of resource ``name`` as strings; a missing or unreadable file is left to the structure checks."""
    try:
        resource = package.resource(name)
        with resource.path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, LookupError):
        return []


def fact_tables(package) -> dict[str, list[dict[str, str]]]:
    """Every table whose rows are figures quoted from a document (they carry ``figure_id`` and ``value_text``)."""
    found = {}
    for resource in package.resources:
        rows = read_table(package, resource.name)
        if rows and "figure_id" in rows[0] and "value_text" in rows[0]:
            found[resource.name] = rows
    return found
