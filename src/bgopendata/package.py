"""Open a data package folder safely: read its descriptor and resolve resource paths.

Every command starts here, so the guarantees live here once: the descriptor is valid
JSON with the properties we rely on, and every resource path stays inside the package
folder (no ``..``, no absolute path, no URL, no symlink leading out). The rule
declarations are read here too, from the rules files the descriptor names (see
``bgopendata.rule_files``), so that the Table Schemas stay standard ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bgopendata import rule_files
from bgopendata.atomic import special_file_kind
from bgopendata.errors import UnusableInput
from bgopendata.files import DESCRIPTOR, path_text, read_json, safe_path
from bgopendata.names import check_name, shown_value
from bgopendata.tableschema.checks import check_foreign_keys, check_schema


@dataclass(frozen=True)
class Resource:
    """One tabular resource: its descriptor, its CSV file and its Table Schema (a dict)."""

    name: str
    path: Path
    relpath: str
    descriptor: dict[str, Any]
    schema: dict[str, Any]
    schema_path: str | None
    rules: dict[str, Any] | None = None  # the table's rules file, as read (see ``rule_files``)


@dataclass(frozen=True)
class Package:
    """A data package on disk, with every path already checked."""

    root: Path
    descriptor: dict[str, Any]
    resources: list[Resource] = field(default_factory=list)
    rules: dict[str, Any] | None = None  # the package-level rules file, as read
    declared: list[tuple[Resource, str, list[dict[str, Any]]]] = field(default_factory=list)

    @property
    def descriptor_path(self) -> Path:
        return self.root / DESCRIPTOR

    def rule_arrays(self) -> list[tuple[Resource, str, list[dict[str, Any]]]]:
        """Each array of rule declarations with the table it applies to and where it is declared.

        The one place that knows where rules live: every reader (figure rules, group rules,
        the portal, coverage) goes through it. A package-wide rule comes expanded, once per
        table of its scope (see ``rule_files``).

        Rules left in a Table Schema (where this package once kept them) are refused rather
        than silently not run; other commands (a diff with an old release) still read it.
        """
        for res in self.resources:
            if "rules" in res.schema:
                raise UnusableInput(
                    "a Table Schema holds no rules; move them to the table's rules file "
                    "(the resource's 'rules' property in datapackage.json)",
                    path=res.schema_path or str(self.descriptor_path),
                    field="rules",
                )
        return list(self.declared)

    def resource(self, name: str) -> Resource:
        for res in self.resources:
            if res.name == name:
                return res
        raise KeyError(name)


def open_package(path: str | Path = ".") -> Package:
    """Load the package at ``path`` (a folder or its ``datapackage.json``) with every path checked."""
    target = Path(path)
    root = target.parent if target.name == DESCRIPTOR or target.is_file() else target
    descriptor_file = target if target.is_file() else root / DESCRIPTOR
    shown = str(descriptor_file)
    if not root.exists():
        raise UnusableInput("no such folder", path=str(root))
    descriptor = read_json(descriptor_file, shown=shown)
    if not isinstance(descriptor, dict):
        raise UnusableInput("the descriptor must be a JSON object", path=shown)
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise UnusableInput("'resources' must be a non-empty list", path=shown, field="resources")
    seen: set[str] = set()
    loaded: list[Resource] = []
    tables: list[rule_files.Table] = []
    schemas: dict[int, tuple[dict[str, Any], str]] = {}
    for index, res in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(res, dict):
            raise UnusableInput("each resource must be a JSON object", path=shown, field=where)
        name = res.get("name")
        if not isinstance(name, str) or not name:
            raise UnusableInput("resource has no 'name'", path=shown, field=where)
        check_name(name, shown=shown, field=f"{where}.name")
        if name in seen:
            raise UnusableInput(f"resource name {name!r} is used twice", path=shown, field=where)
        seen.add(name)
        if isinstance(res.get("path"), list):
            raise UnusableInput(
                f"resource {name!r}: multipart paths are not supported", path=shown, field=f"{where}.path"
            )
        relpath = path_text(res.get("path"), shown=shown, what=f"resource {name!r} path")
        csv_path = safe_path(root, relpath, shown=shown, what=f"resource {name!r} path")
        _refuse_special_file(csv_path, name, relpath, shown=shown, field=f"{where}.path")
        if not csv_path.is_file():
            raise UnusableInput(f"resource {name!r}: file {relpath} not found", path=shown, field=f"{where}.path")
        schema = res.get("schema")
        schema_rel: str | None = None
        if isinstance(schema, str):
            schema_rel = schema
            schema_file = safe_path(root, schema, shown=shown, what=f"resource {name!r} schema")
            schema = read_json(schema_file, shown=str(schema_file))
        if not isinstance(schema, dict):
            raise UnusableInput(f"resource {name!r} has no Table Schema", path=shown, field=f"{where}.schema")
        check_schema(schema, shown=schema_rel or f"{shown} {where}.schema")
        table_rules, rules_shown = read_rules_property(root, res.get("rules"), shown=shown, where=f"{where}.rules")
        schemas[index] = (schema, schema_rel or shown)
        loaded.append(Resource(name, csv_path, relpath, res, schema, schema_rel, table_rules))
        tables.append(rule_files.Table(name, [f.get("name") for f in schema["fields"]], table_rules, rules_shown))
    check_profiles(descriptor, schemas, shown=shown)
    check_foreign_keys({r.name: (r.schema, r.schema_path or shown) for r in loaded})
    package_rules, package_shown = read_rules_property(
        root, descriptor.get("rules"), shown=shown, where="rules", package_level=True
    )
    by_name = {r.name: r for r in loaded}
    declared = [
        (by_name[name], where, raw)
        for name, where, raw in rule_files.declarations(tables, package_rules, package_shown=package_shown)
    ]
    return Package(root=root, descriptor=descriptor, resources=loaded, rules=package_rules, declared=declared)


def read_rules_property(
    root: Path, value: Any, *, shown: str, where: str, package_level: bool = False
) -> tuple[dict[str, Any] | None, str]:
    """The rules file a ``rules`` property names, checked, and how to name it in errors.

    The property is a path inside the package, read with the same guarantees as a Table
    Schema; a release carries the file's content inline instead.
    """
    check = rule_files.check_package_file if package_level else rule_files.check_table_file
    if value is None:
        return None, shown
    if isinstance(value, str):
        rules_file = safe_path(root, value, shown=shown, what=f"{where} file")
        return check(read_json(rules_file, shown=str(rules_file)), shown=value), value
    if isinstance(value, dict):
        return check(value, shown=f"{shown} {where}"), f"{shown} {where}"
    raise UnusableInput("must name a rules file (a path inside the package)", path=shown, field=where)


# The profiles the Data Package standards define, by identifier and by their published URLs:
# validation resolves them offline. Any other profile or ``$schema`` would make frictionless
# fetch it from the network while validating, so it is refused.
_SPECS, _V1, _V2 = (
    "https://specs.frictionlessdata.io/schemas/",
    "https://datapackage.org/profiles/1.0/",
    "https://datapackage.org/profiles/2.0/",
)
KNOWN_PROFILES: dict[str, str] = {
    "data-package": "data-package",
    "tabular-data-package": "tabular-data-package",
    "data-resource": "data-resource",
    "tabular-data-resource": "tabular-data-resource",
    "table-schema": "table-schema",
    **{
        f"{_SPECS}{n}.json": n
        for n in ("data-package", "tabular-data-package", "data-resource", "tabular-data-resource", "table-schema")
    },
    f"{_V1}datapackage.json": "data-package",
    f"{_V1}tabular-datapackage.json": "tabular-data-package",
    f"{_V1}dataresource.json": "data-resource",
    f"{_V1}tabular-dataresource.json": "tabular-data-resource",
    f"{_V1}tableschema.json": "table-schema",
    f"{_V2}datapackage.json": "data-package",
    f"{_V2}dataresource.json": "data-resource",
    f"{_V2}tableschema.json": "table-schema",
}


def offline_profile(value: Any, *, shown: str, field: str) -> str | None:
    """The standard profile ``value`` names (None when absent); an unknown one is refused, never fetched."""
    if value is None:
        return None
    if isinstance(value, str) and value in KNOWN_PROFILES:
        return KNOWN_PROFILES[value]
    raise UnusableInput(
        f"{field} {shown_value(value)} is not a standard Data Package profile; bgopendata "
        "never fetches a profile, so it cannot check this one",
        path=shown,
        field=field,
    )


def check_profiles(descriptor: dict[str, Any], schemas: dict[int, tuple[dict[str, Any], str]], *, shown: str) -> None:
    """Every ``profile`` and ``$schema`` of the package, its resources and schemas is a known one."""
    for key in ("profile", "$schema"):
        offline_profile(descriptor.get(key), shown=shown, field=key)
    for index, res in enumerate(descriptor.get("resources", [])):
        for key in ("profile", "$schema"):
            offline_profile(res.get(key), shown=shown, field=f"resources[{index}].{key}")
        schema, where = schemas.get(index, ({}, shown))
        for key in ("profile", "$schema"):
            offline_profile(schema.get(key), shown=where, field=key)


def _refuse_special_file(path: Path, name: str, relpath: str, *, shown: str, field: str) -> None:
    """A resource file that is a named pipe or a device is named as such, not as 'not found'."""
    try:
        kind = special_file_kind(os.stat(path).st_mode)
    except OSError:
        return  # missing: the caller says 'not found'
    if kind and kind != "a directory":
        raise UnusableInput(f"resource {name!r}: {relpath} is {kind}, expected a CSV file", path=shown, field=field)
