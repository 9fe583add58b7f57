"""Write the shared fact-table fields into the Table Schemas, in Data Package v2 form.

Table Schema has no way to include a field from another file that frictionless and other
readers understand, so the fields every fact table shares are declared once in
``schemas/_shared/fact-fields.json`` and copied from there into each fact table's schema
(a schema with the field the shared file names in ``tablesWithField``). Each shared field
replaces the schema's field of the same name, where it stands; the table's own fields
(``measure``, ``value``, ``sector``...) are left as written. The schemas stay standard
files that any Table Schema reader takes as they are.

The same pass keeps every descriptor in Data Package v2 form (``standard.py``): each schema
gets its ``$schema`` and, on every field with an ``enum``, ``categories``; datapackage.json
gets its ``$schema``, ``type: "table"`` resources and contributor ``roles``. A table or a
column added by hand in v1 form (``profile``) is upgraded by the next run.

Example:
    python -m bgopendata.tableschema.generate          # rewrite the schemas of the package in .
    python -m bgopendata.tableschema.generate --check  # list the schemas that drifted, exit 1
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

from bgopendata.errors import BgError, UnusableInput
from bgopendata.files import DESCRIPTOR, read_json, safe_path
from bgopendata.tableschema.standard import v2_package, v2_schema

SHARED = "schemas/_shared/fact-fields.json"


def shared_fields(root: Path) -> tuple[str, list[dict[str, Any]]]:
    """The shared file's ``tablesWithField`` and its field definitions, checked."""
    doc = read_json(safe_path(root, SHARED, shown=SHARED, what="shared fields"), shown=SHARED)
    marker = doc.get("tablesWithField") if isinstance(doc, dict) else None
    fields = doc.get("fields") if isinstance(doc, dict) else None
    if (
        not isinstance(marker, str)
        or not isinstance(fields, list)
        or not fields
        or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields)
    ):
        raise UnusableInput(
            "expected an object with 'tablesWithField' (a field name) and 'fields' (a list of named fields)",
            path=SHARED,
        )
    return marker, fields


def generated(root: str | Path = ".") -> dict[str, str]:
    """Each schema file and datapackage.json (relative paths) and the text they should have."""
    root = Path(root)
    marker, shared = shared_fields(root)
    by_name = {f["name"]: f for f in shared}
    descriptor = read_json(root / DESCRIPTOR, shown=DESCRIPTOR)
    texts: dict[str, str] = {}
    if isinstance(descriptor, dict):
        texts[DESCRIPTOR] = _text(v2_package(descriptor))
    for res in descriptor.get("resources", []) if isinstance(descriptor, dict) else []:
        relpath = res.get("schema") if isinstance(res, dict) else None
        if not isinstance(relpath, str):
            continue  # an inline schema has no file to write
        schema = read_json(safe_path(root, relpath, shown=DESCRIPTOR, what="schema"), shown=relpath)
        names = [f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)]
        if marker in names:
            missing = [name for name in by_name if name not in names]
            if missing:
                raise UnusableInput(
                    f"a fact table (it has {marker!r}) lacks the shared field {missing[0]!r}; "
                    f"add it where its column is, then generate again",
                    path=relpath,
                )
            schema = dict(schema, fields=[copy.deepcopy(by_name.get(f.get("name"), f)) for f in schema["fields"]])
        texts[relpath] = _text(v2_schema(schema))
    return texts


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def drifted(root: str | Path = ".") -> list[str]:
    """The files (schemas, datapackage.json) that differ from what the shared fields and v2 make of them."""
    root = Path(root)
    return [
        relpath for relpath, text in generated(root).items() if (root / relpath).read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bgopendata.tableschema.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("path", nargs="?", default=".", help="the package folder (default: .)")
    parser.add_argument("--check", action="store_true", help="only list the schemas that drifted; exit 1 if any")
    args = parser.parse_args(argv)
    try:
        stale = drifted(args.path)
        if args.check:
            for relpath in stale:
                source = "Data Package v2" if relpath == DESCRIPTOR else SHARED
                print(f"{relpath}: differs from {source}; run python -m bgopendata.tableschema.generate")
            return 1 if stale else 0
        texts = generated(args.path)
        for relpath in stale:
            (Path(args.path) / relpath).write_text(texts[relpath], encoding="utf-8")
            print(f"wrote {relpath}")
    except BgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
