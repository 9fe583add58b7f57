"""The rules files: where a package declares its rules, outside its Table Schemas.

A table's own rules live in its rules file, named by the resource's ``rules`` property::

    {"rules": [{"id": "...", "kind": "...", ...}]}

The package-level rules file, named by the descriptor's ``rules`` property, holds what
belongs to no single table: package-wide rules, declared once and applied to every table
of their ``scope`` (a named group of tables, defined by the fields they have or by name),
and rules that relate figures of several tables, listed under the table they report on::

    {"scopes": {"fact-tables": {"fields": ["figure_id"]}},
     "packageWide": [{"id": "translation-agrees", "scope": "fact-tables", "kind": "...", ...}],
     "acrossTables": {"province_exports": [{"id": "...", "kind": "...", ...}]}}

A package-wide rule becomes one rule per table of its scope, with the id
``<table-with-dashes>-<id>`` (``province-exports-translation-agrees``). The rule dicts are
handed on as the rule parsers expect them; this module checks only the files' shape, the
scopes, the table names and that every id is declared once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bgopendata.errors import UnusableInput

TABLE_KEYS = {"description", "description_it", "rules"}
PACKAGE_KEYS = {"description", "description_it", "scopes", "packageWide", "acrossTables"}
SCOPE_KEYS = {"description", "description_it", "fields", "resources"}


@dataclass(frozen=True)
class Table:
    """What the rules files need to know of a resource: its name, its fields, its rules file."""

    name: str
    fields: list[str]
    rules: dict[str, Any] | None
    shown: str


def check_table_file(doc: Any, *, shown: str) -> dict[str, Any]:
    """A table's rules file: an object whose ``rules`` is a list of rule objects."""
    if not isinstance(doc, dict):
        raise UnusableInput("a rules file must be a JSON object with a 'rules' list", path=shown)
    _known_keys(doc, TABLE_KEYS, shown=shown, where="")
    _rule_list(doc.get("rules"), shown=shown, where="rules")
    return doc


def check_package_file(doc: Any, *, shown: str) -> dict[str, Any]:
    """The package-level rules file: scopes, package-wide rules and rules across tables."""
    if not isinstance(doc, dict):
        raise UnusableInput("the package rules file must be a JSON object", path=shown)
    _known_keys(doc, PACKAGE_KEYS, shown=shown, where="")
    scopes = doc.get("scopes", {})
    if not isinstance(scopes, dict):
        raise UnusableInput("'scopes' must be an object naming each scope", path=shown, field="scopes")
    for name, scope in scopes.items():
        _check_scope(name, scope, shown=shown)
    wide = _rule_list(doc.get("packageWide", []), shown=shown, where="packageWide")
    for index, rule in enumerate(wide):
        scope = rule.get("scope")
        if not isinstance(scope, str) or scope not in scopes:
            known = ", ".join(sorted(scopes)) or "none declared"
            raise UnusableInput(
                f"rule {rule.get('id')!r}: 'scope' must name a scope of 'scopes' ({known})",
                path=shown,
                field=f"packageWide[{index}].scope",
            )
    across = doc.get("acrossTables", {})
    if not isinstance(across, dict):
        raise UnusableInput(
            "'acrossTables' must be an object: table name -> list of rules", path=shown, field="acrossTables"
        )
    for table, rules in across.items():
        _rule_list(rules, shown=shown, where=f"acrossTables.{table}")
    return doc


def declarations(
    tables: list[Table], package: dict[str, Any] | None, *, package_shown: str
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Every rule array as (table name, where declared, rule dicts), table by table.

    For each table in package order: its own rules, then the package file's rules across
    tables reported on it, then the package-wide rules of its scopes, each made its own.
    """
    package = package or {}
    names = [t.name for t in tables]
    across = package.get("acrossTables", {})
    for table in across:
        if table not in names:
            raise UnusableInput(
                f"no resource {table!r} in the package", path=package_shown, field=f"acrossTables.{table}"
            )
    members = {
        name: scope_members(name, scope, tables, shown=package_shown)
        for name, scope in package.get("scopes", {}).items()
    }
    found: list[tuple[str, str, list[dict[str, Any]]]] = []
    for table in tables:
        if table.rules is not None:
            found.append((table.name, table.shown, table.rules["rules"]))
        if table.name in across:
            found.append((table.name, f"{package_shown}#/acrossTables/{table.name}", across[table.name]))
        for index, rule in enumerate(package.get("packageWide", [])):
            if table.name in members[rule["scope"]]:
                own = {k: v for k, v in rule.items() if k != "scope"}
                if isinstance(rule.get("id"), str):
                    own["id"] = f"{table.name.replace('_', '-')}-{rule['id']}"
                found.append((table.name, f"{package_shown}#/packageWide/{index}", [own]))
    _check_unique_ids(found)
    return found


def scope_members(name: str, scope: dict[str, Any], tables: list[Table], *, shown: str) -> set[str]:
    """The tables a scope names: those having every one of its ``fields``, or its ``resources``."""
    if "fields" in scope:
        wanted = set(scope["fields"])
        members = {t.name for t in tables if wanted <= set(t.fields)}
    else:
        names = {t.name for t in tables}
        unknown = [r for r in scope["resources"] if r not in names]
        if unknown:
            raise UnusableInput(
                f"scope {name!r}: no resource {unknown[0]!r} in the package",
                path=shown,
                field=f"scopes.{name}.resources",
            )
        members = set(scope["resources"])
    if not members:
        raise UnusableInput(f"scope {name!r} matches no resource of the package", path=shown, field=f"scopes.{name}")
    return members


def _check_scope(name: str, scope: Any, *, shown: str) -> None:
    where = f"scopes.{name}"
    if not isinstance(scope, dict):
        raise UnusableInput(f"scope {name!r} must be an object", path=shown, field=where)
    _known_keys(scope, SCOPE_KEYS, shown=shown, where=where)
    given = [key for key in ("fields", "resources") if key in scope]
    if len(given) != 1:
        raise UnusableInput(
            f"scope {name!r} must give either 'fields' (the tables having them all) "
            "or 'resources' (the tables by name)",
            path=shown,
            field=where,
        )
    names = scope[given[0]]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise UnusableInput(
            f"scope {name!r}: {given[0]!r} must be a non-empty list of names", path=shown, field=f"{where}.{given[0]}"
        )


def _rule_list(rules: Any, *, shown: str, where: str) -> list[dict[str, Any]]:
    if not isinstance(rules, list):
        raise UnusableInput(f"{where!r} must be a list of rules", path=shown, field=where)
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise UnusableInput("each rule must be a JSON object", path=shown, field=f"{where}[{index}]")
    return rules


def _known_keys(doc: dict[str, Any], known: set[str], *, shown: str, where: str) -> None:
    unknown = sorted(str(k) for k in doc if k not in known)
    if unknown:
        raise UnusableInput(
            f"unknown property {unknown[0]!r} (known: {', '.join(sorted(known))})",
            path=shown,
            field=f"{where}.{unknown[0]}" if where else unknown[0],
        )


def _check_unique_ids(found: list[tuple[str, str, list[dict[str, Any]]]]) -> None:
    seen: dict[str, str] = {}
    for _table, shown, rules in found:
        for index, rule in enumerate(rules):
            rule_id = rule.get("id")
            if not isinstance(rule_id, str):
                continue  # the rule parser names what is wrong with it
            if rule_id in seen:
                raise UnusableInput(
                    f"rule id {rule_id!r} is also declared in {seen[rule_id]}", path=shown, field=f"rules[{index}]"
                )
            seen[rule_id] = shown
