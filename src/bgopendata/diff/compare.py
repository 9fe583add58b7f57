"""``diff(old, new)``: what changed between two versions of the package, figure by figure.

Rows are matched by their table's primary key (``figure_id`` for fact tables); schemas
field by field; metadata property by property. The verdict applies the version policy
(``versioning``) and checks that data changes come with a version bump in
``datapackage.json`` and an entry for that version in ``CHANGELOG.md``.

CSVs are read with the stdlib ``csv`` module, not pandas: a diff must compare the text as
published (pandas would turn ``"007"`` into ``7``, an empty cell into ``NaN`` and round
floats), the files are small, and it keeps ``diff`` free of heavy imports. Numbers are
compared as ``Decimal`` so that ``13.0`` and ``13`` are the same figure. A changed ``value``
is classified by ``precision``: within or outside the old figure's precision, quote revised or
unchanged.
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from bgopendata.changelog import read_changelog
from bgopendata.diff.git_tree import package_folder
from bgopendata.diff.precision import Group, Precision, Quote, classify, show_interval
from bgopendata.errors import UnusableInput
from bgopendata.package import Package, Resource, open_package
from bgopendata.versioning import LEVELS, POLICY, bump, bump_level, highest, parse_version

# Columns that tell a reader what a figure is; shown for every added, removed or changed row.
SUMMARY_FIELDS = ("value", "unit", "period", "sentence_en", "sentence_it")
# Field and resource properties that only word things: changing them needs no version bump.
DOC_PROPERTIES = ("title", "description", "example")
NUMERIC_TYPES = ("number", "integer")


class FieldChange(BaseModel):
    field: str
    old: str | None
    new: str | None


class RowChange(BaseModel):
    """One added, removed or changed row (a figure, in a fact table)."""

    kind: Literal["row-added", "row-removed", "row-changed"]
    resource: str
    key: str = Field(description="the primary-key value(s), joined with ' | '")
    changes: list[FieldChange] = Field(default_factory=list, description="changed cells only")
    old: dict[str, str] | None = Field(default=None, description="summary columns, before")
    new: dict[str, str] | None = Field(default=None, description="summary columns, after")
    precision: Precision | None = Field(
        default=None,
        description="a changed value: 'within' or 'outside' the old figure's "
        "precision interval (None when the value did not change or cannot be read)",
    )
    quote: Quote | None = Field(
        default=None,
        description="a changed value: whether its quote (sentence_it, sentence_en, "
        "value_text, value_text_en) was 'revised' with it or left 'unchanged'",
    )
    old_interval: str | None = Field(
        default=None, description="the true values the old figure stands for, e.g. '[36.5, 37.5)'"
    )
    group: Group | None = Field(
        default=None,
        description="'rounding' (within), 'revision' (outside, quote revised) or "
        "'contradiction' (outside, quote unchanged: validate refuses it)",
    )


class SchemaChange(BaseModel):
    kind: str = Field(description="a change kind from versioning.POLICY")
    resource: str
    field: str | None = None
    property: str | None = None
    old: Any = None
    new: Any = None


class MetadataChange(BaseModel):
    property: str = Field(description="e.g. 'title' or 'resources[areas].description'")
    old: Any = None
    new: Any = None


class Verdict(BaseModel):
    ok: bool
    required_bump: str = Field(description="none, patch, minor or major")
    old_version: str | None
    new_version: str | None
    suggested_version: str | None
    problems: list[str] = Field(default_factory=list)
    summary: str


class PackageDiff(BaseModel):
    old: str
    new: str
    rows: list[RowChange] = Field(default_factory=list)
    schemas: list[SchemaChange] = Field(default_factory=list)
    metadata: list[MetadataChange] = Field(default_factory=list)
    verdict: Verdict

    @property
    def changed(self) -> bool:
        return bool(self.rows or self.schemas or self.metadata)

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)


def diff(old: str | Path, new: str | Path, *, cwd: str | Path = ".") -> PackageDiff:
    """Compare two versions of the package: each a folder, or a git revision of ``cwd``'s repo."""
    with package_folder(str(old), cwd) as (old_dir, old_label), package_folder(str(new), cwd) as (new_dir, new_label):
        return compare(old_dir, new_dir, old_label=old_label, new_label=new_label)


def compare(old_dir: Path, new_dir: Path, *, old_label: str | None = None, new_label: str | None = None) -> PackageDiff:
    """Compare the packages in two folders (``diff`` without the git part)."""
    old_pkg, new_pkg = open_package(old_dir), open_package(new_dir)
    old_res = {r.name: r for r in old_pkg.resources}
    new_res = {r.name: r for r in new_pkg.resources}
    rows: list[RowChange] = []
    schemas: list[SchemaChange] = []
    for name in [n for n in old_res if n not in new_res]:
        schemas.append(SchemaChange(kind="resource-removed", resource=name, old=f"{_count_rows(old_res[name])} rows"))
    for name in new_res:
        if name not in old_res:
            schemas.append(SchemaChange(kind="resource-added", resource=name, new=f"{_count_rows(new_res[name])} rows"))
            continue
        schemas.extend(compare_schemas(name, old_res[name].schema, new_res[name].schema))
        rows.extend(compare_rows(old_res[name], new_res[name]))
    metadata = compare_metadata(old_pkg, new_pkg)
    verdict = judge(old_pkg, new_pkg, new_dir, rows, schemas, metadata)
    return PackageDiff(
        old=old_label or str(old_dir),
        new=new_label or str(new_dir),
        rows=rows,
        schemas=schemas,
        metadata=metadata,
        verdict=verdict,
    )


# --- rows -------------------------------------------------------------------------------


def read_rows(res: Resource) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a resource's CSV as text, with a one-line error for a bad file."""
    shown = str(res.path)
    try:
        with open(res.path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise UnusableInput("the CSV file is empty", path=shown)
            if header and header[0].startswith("\ufeff"):
                raise UnusableInput("starts with a byte-order mark", path=shown, row=1)
            if len(set(header)) != len(header):
                dupes = sorted({h for h in header if header.count(h) > 1})
                raise UnusableInput(f"the header repeats {', '.join(dupes)}", path=shown, row=1)
            rows = []
            for cells in reader:
                if not cells:
                    continue
                if len(cells) > len(header):
                    raise UnusableInput(
                        f"{len(cells)} cells but the header has {len(header)}", path=shown, row=reader.line_num
                    )
                cells = cells + [""] * (len(header) - len(cells))
                rows.append(dict(zip(header, cells, strict=True)))  # padded to the header above
            return header, rows
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 (byte {exc.start})", path=shown) from None
    except csv.Error as exc:
        raise UnusableInput(f"unreadable CSV: {exc}", path=shown) from None


def _count_rows(res: Resource) -> int:
    return len(read_rows(res)[1])


def primary_key(schema: dict[str, Any]) -> list[str]:
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else [k for k in key if isinstance(k, str)]


def _numeric_fields(schema: dict[str, Any]) -> set[str]:
    return {
        f["name"]
        for f in schema.get("fields", [])
        if isinstance(f, dict) and isinstance(f.get("name"), str) and f.get("type") in NUMERIC_TYPES
    }


def _same(old: str, new: str, numeric: bool) -> bool:
    if old == new:
        return True
    if numeric:
        try:
            return Decimal(old.strip()) == Decimal(new.strip())
        except InvalidOperation:
            return False
    return False


def _keyed(
    res: Resource, header: list[str], rows: list[dict[str, str]], key_fields: list[str]
) -> dict[str, tuple[int, dict[str, str]]]:
    """Rows by primary key (the whole row when the table has none); refuses duplicate keys."""
    keyed: dict[str, tuple[int, dict[str, str]]] = {}
    fields = key_fields or header
    for line, row in enumerate(rows, start=2):
        key = " | ".join(row.get(f, "") for f in fields)
        if key in keyed and key_fields:
            raise UnusableInput(
                f"primary key {key!r} appears twice (first on line {keyed[key][0]}); run 'bgopendata validate'",
                path=str(res.path),
                row=line,
                field=", ".join(key_fields),
            )
        keyed.setdefault(key, (line, row))
    return keyed


def _summary(row: dict[str, str], key_fields: list[str]) -> dict[str, str]:
    picked = {f: row[f] for f in SUMMARY_FIELDS if f in row and row[f] != ""}
    if picked:
        return picked
    return {f: v for f, v in row.items() if v != "" and f not in key_fields}


def compare_rows(old: Resource, new: Resource) -> list[RowChange]:
    """Added, removed and changed rows of one resource, matched by primary key."""
    old_header, old_rows = read_rows(old)
    new_header, new_rows = read_rows(new)
    key_fields = primary_key(new.schema)
    if (
        not key_fields
        or primary_key(old.schema) != key_fields
        or not set(key_fields) <= set(old_header) & set(new_header)
    ):
        key_fields = []  # no usable key on both sides: rows can only be added or removed
    old_keyed = _keyed(old, old_header, old_rows, key_fields)
    new_keyed = _keyed(new, new_header, new_rows, key_fields)
    numeric = _numeric_fields(new.schema) & _numeric_fields(old.schema)
    common = [f for f in new_header if f in old_header]
    changes: list[RowChange] = []
    for key, (_, row) in old_keyed.items():
        if key not in new_keyed:
            changes.append(RowChange(kind="row-removed", resource=new.name, key=key, old=_summary(row, key_fields)))
    for key, (_, row) in new_keyed.items():
        if key not in old_keyed:
            changes.append(RowChange(kind="row-added", resource=new.name, key=key, new=_summary(row, key_fields)))
            continue
        before = old_keyed[key][1]
        cells = [
            FieldChange(field=f, old=before[f], new=row[f])
            for f in common
            if not _same(before[f], row[f], f in numeric)
        ]
        if cells:
            changes.append(
                RowChange(
                    kind="row-changed",
                    resource=new.name,
                    key=key,
                    changes=cells,
                    old=_summary(before, key_fields),
                    new=_summary(row, key_fields),
                    **_judged(before, row, cells),
                )
            )
    return changes


def _judged(before: dict[str, str], after: dict[str, str], cells: list[FieldChange]) -> dict[str, Any]:
    """The precision fields of a changed row: set only when its ``value`` changed."""
    if not any(c.field == "value" for c in cells):
        return {}
    judged = classify(before, after)
    return {
        "precision": judged.precision,
        "quote": judged.quote,
        "group": judged.group,
        "old_interval": None if judged.interval is None else show_interval(judged.interval),
    }


# --- schemas and metadata -----------------------------------------------------------------


def _is_doc(prop: str) -> bool:
    return any(prop == p or prop.startswith(f"{p}_") for p in DOC_PROPERTIES)


def compare_schemas(resource: str, old: dict[str, Any], new: dict[str, Any]) -> list[SchemaChange]:
    """Fields added, removed, retyped or otherwise changed; key and schema-level changes."""
    changes: list[SchemaChange] = []
    old_fields = {f.get("name"): f for f in old.get("fields", []) if isinstance(f, dict)}
    new_fields = {f.get("name"): f for f in new.get("fields", []) if isinstance(f, dict)}
    for name in old_fields:
        if name not in new_fields:
            changes.append(
                SchemaChange(
                    kind="field-removed", resource=resource, field=name, old=old_fields[name].get("type", "string")
                )
            )
    for name, field in new_fields.items():
        if name not in old_fields:
            changes.append(
                SchemaChange(kind="field-added", resource=resource, field=name, new=field.get("type", "string"))
            )
            continue
        before = old_fields[name]
        if before.get("type", "string") != field.get("type", "string"):
            changes.append(
                SchemaChange(
                    kind="field-retyped",
                    resource=resource,
                    field=name,
                    property="type",
                    old=before.get("type", "string"),
                    new=field.get("type", "string"),
                )
            )
        for prop in sorted((before.keys() | field.keys()) - {"name", "type"}):
            if before.get(prop) != field.get(prop):
                kind = "field-documented" if _is_doc(prop) else "field-changed"
                changes.append(
                    SchemaChange(
                        kind=kind,
                        resource=resource,
                        field=name,
                        property=prop,
                        old=before.get(prop),
                        new=field.get(prop),
                    )
                )
    if primary_key(old) != primary_key(new):
        changes.append(
            SchemaChange(
                kind="primary-key-changed",
                resource=resource,
                property="primaryKey",
                old=primary_key(old),
                new=primary_key(new),
            )
        )
    for prop in sorted((old.keys() | new.keys()) - {"fields", "primaryKey"}):
        if old.get(prop) != new.get(prop):
            kind = "field-documented" if _is_doc(prop) else "field-changed"
            changes.append(
                SchemaChange(kind=kind, resource=resource, property=prop, old=old.get(prop), new=new.get(prop))
            )
    return changes


def compare_metadata(old: Package, new: Package) -> list[MetadataChange]:
    """Changed descriptor properties (the version is the verdict's business, not listed here)."""
    changes: list[MetadataChange] = []
    skip = {"resources", "version"}
    for prop in sorted((old.descriptor.keys() | new.descriptor.keys()) - skip):
        if old.descriptor.get(prop) != new.descriptor.get(prop):
            changes.append(MetadataChange(property=prop, old=old.descriptor.get(prop), new=new.descriptor.get(prop)))
    old_res = {r.name: r.descriptor for r in old.resources}
    for res in new.resources:
        before = old_res.get(res.name)
        if before is None:
            continue
        for prop in sorted((before.keys() | res.descriptor.keys()) - {"name", "schema"}):
            if before.get(prop) != res.descriptor.get(prop):
                changes.append(
                    MetadataChange(
                        property=f"resources[{res.name}].{prop}", old=before.get(prop), new=res.descriptor.get(prop)
                    )
                )
    return changes


# --- verdict ------------------------------------------------------------------------------


def judge(
    old: Package,
    new: Package,
    new_dir: Path,
    rows: list[RowChange],
    schemas: list[SchemaChange],
    metadata: list[MetadataChange],
) -> Verdict:
    """Apply the version policy: which bump the changes need, and whether they got it."""
    required = highest([POLICY[c.kind] for c in rows] + [POLICY[c.kind] for c in schemas])
    old_text, new_text = old.descriptor.get("version"), new.descriptor.get("version")
    old_v, new_v = parse_version(old_text), parse_version(new_text)
    suggested = bump(old_v, required) if old_v and required != "none" else None
    problems: list[str] = []
    bumped = old_text != new_text
    if (bumped or required != "none") and new_v is None:
        problems.append(f"datapackage.json: version {new_text!r} is not MAJOR.MINOR.PATCH")
    elif required != "none" and old_v is not None and new_v is not None:  # new_v is None went above
        actual = bump_level(old_v, new_v)
        if actual == "none":
            problems.append(
                f"the data changed but datapackage.json still says version {new_text}; "
                f'these changes need a {required} bump: set "version": '
                f"\"{suggested}\" and add a '## [{suggested}]' entry to CHANGELOG.md"
            )
        elif actual == "down":
            problems.append(f"datapackage.json: the version went down from {old_text} to {new_text}")
        elif LEVELS.index(actual) < LEVELS.index(required):
            problems.append(
                f"datapackage.json: {old_text} -> {new_text} is a {actual} bump but "
                f"these changes need a {required} bump ({suggested})"
            )
    if bumped and new_v is not None:
        entries = read_changelog(new_dir)
        if entries is None:
            problems.append(f"CHANGELOG.md is missing; add it with a '## [{new_text}]' entry")
        elif new_text not in entries:
            problems.append(
                f"CHANGELOG.md has no entry for version {new_text}; add "
                f"'## [{new_text}] - YYYY-MM-DD' with what changed"
            )
        elif not entries[new_text].body.strip():
            problems.append(f"CHANGELOG.md: the entry for {new_text} is empty")
    if not (rows or schemas or metadata) and not bumped:
        summary = "no changes"
    elif required == "none":
        summary = "wording or metadata changes only: no version bump needed"
    elif problems:
        summary = f"data changes that need a {required} bump ({old_text} -> {suggested})"
    else:
        summary = f"data changes; version {old_text} -> {new_text} covers the {required} bump they need"
    return Verdict(
        ok=not problems,
        required_bump=required,
        old_version=_text(old_text),
        new_version=_text(new_text),
        suggested_version=suggested,
        problems=problems,
        summary=summary,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
