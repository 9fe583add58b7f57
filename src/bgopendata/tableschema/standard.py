"""Data Package v2 form of a descriptor: what ``$schema``, ``type`` and ``categories`` say.

v2 (datapackage.org, 2024) names the standard by ``$schema`` instead of v1's ``profile``, a
tabular resource by ``type: "table"``, a contributor's part by ``roles`` (a list), and a
code list by ``categories`` on the field. These functions turn a v1 descriptor into v2 and
leave a v2 one unchanged, so the generator and ``build`` can run them on anything. The
field's ``constraints.enum`` stays: v2 allows both (the enum a subset of the categories),
and v1 readers check only the enum.
"""

from __future__ import annotations

import copy
from typing import Any

PROFILES_V2 = "https://datapackage.org/profiles/2.0/"
PACKAGE_V2 = f"{PROFILES_V2}datapackage.json"
RESOURCE_V2 = f"{PROFILES_V2}dataresource.json"
TABLE_SCHEMA_V2 = f"{PROFILES_V2}tableschema.json"

# v2 allows categories on these field types only.
CATEGORICAL_TYPES = ("string", "integer")


def v2_schema(schema: dict[str, Any], *, root: bool = True) -> dict[str, Any]:
    """A Table Schema in v2 form; ``root=False`` for one inlined in a resource (no ``$schema``,
    which v2 allows on a descriptor's root only)."""
    out: dict[str, Any] = {"$schema": TABLE_SCHEMA_V2} if root else {}
    out.update((k, copy.deepcopy(v)) for k, v in schema.items() if k not in ("$schema", "profile"))
    out["fields"] = [_with_categories(f) for f in out.get("fields", [])]
    return out


def _with_categories(field: Any) -> Any:
    enum = (field.get("constraints") or {}).get("enum") if isinstance(field, dict) else None
    if not isinstance(enum, list) or field.get("type", "string") not in CATEGORICAL_TYPES:
        return field
    return dict(field, categories=list(enum))


def v2_package(descriptor: dict[str, Any]) -> dict[str, Any]:
    """A package descriptor in v2 form: ``$schema`` first, ``type: "table"`` resources,
    contributor ``roles``; every other property as it stands, in its place."""
    out: dict[str, Any] = {"$schema": PACKAGE_V2}
    for key, value in descriptor.items():
        if key in ("$schema", "profile"):
            continue
        if key == "resources" and isinstance(value, list):
            value = [v2_resource(r) if isinstance(r, dict) else r for r in value]
        elif key == "contributors" and isinstance(value, list):
            value = [_roles(c) if isinstance(c, dict) else c for c in value]
        out[key] = copy.deepcopy(value)
    return out


def v2_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """``profile: tabular-data-resource`` (or a resource with a schema) becomes ``type: "table"``,
    where the profile stood."""
    tabular = resource.get("profile") in ("tabular-data-resource", None) and "schema" in resource
    tabular = tabular or str(resource.get("profile", "")).endswith("tabular-dataresource.json")
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if key == "profile":
            if tabular:
                out["type"] = "table"
            continue
        if key == "$schema":
            continue  # root-only in v2: a resource inside a package has none
        out[key] = value
    if tabular:
        out.setdefault("type", "table")
    return out


def _roles(contributor: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in contributor.items():
        if key == "role":
            out.setdefault("roles", [value] if isinstance(value, str) else value)
        else:
            out[key] = value
    return out
