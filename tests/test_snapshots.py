"""Snapshots of every published figure: changing a number changes a reviewed file under tests/.

Each resource is stored as YAML keyed by its primary key, so a review shows exactly which
figure moved. Regenerate deliberately with ``pytest tests/test_snapshots.py --force-regen``.
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, read_rows

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = [(r["name"], r["path"], r["schema"]) for r in DESCRIPTOR["resources"]]


@pytest.mark.parametrize("name,path,schema_path", RESOURCES, ids=[r[0] for r in RESOURCES])
def test_resource_snapshot(name, path, schema_path, data_regression):
    schema = json.loads((ROOT / schema_path).read_text(encoding="utf-8"))
    key = schema["primaryKey"]
    rows = read_rows(ROOT / path)
    snapshot = {"|".join(row[k] for k in key): {k: v for k, v in row.items() if v != ""} for row in rows}
    assert len(snapshot) == len(rows)
    data_regression.check({"resource": name, "rows": len(rows), "figures": snapshot})
