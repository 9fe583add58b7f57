"""The release's metadata tells the truth: units a reader can act on, sources it can reach."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bgopendata.publish.build import build
from bgopendata.publish.truthful import SOURCES_URL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("rel") / "dist").path


def test_every_source_path_is_shipped_or_published(release):
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    version = descriptor["version"]
    paths = [s["path"] for s in descriptor["sources"] if "path" in s]
    assert paths, "the package names its source texts"
    for path in paths:
        if (release / path).is_file():
            continue
        prefix = SOURCES_URL.format(version=version, path="")
        assert path.startswith(prefix), path
        assert (ROOT / path[len(prefix) :]).is_file()  # the tag holds the file the URL names


def test_units_say_what_they_are_in_every_format(release):
    import duckdb
    import pyarrow.parquet as pq

    descriptor = (release / "datapackage.json").read_text(encoding="utf-8")
    assert "see column" not in descriptor
    assert "given per row in column unit" in descriptor
    for parquet in sorted(release.glob("*.parquet")):
        for field in pq.read_schema(parquet):
            assert b"see column" not in (field.metadata or {}).get(b"unit", b""), (parquet.name, field.name)
    con = duckdb.connect(str(release / "bgopendata.duckdb"), read_only=True)
    comments = [c for (c,) in con.execute("SELECT comment FROM duckdb_columns() WHERE comment IS NOT NULL").fetchall()]
    con.close()
    assert comments and not [c for c in comments if "see column" in c]
    assert any("given per row in column unit" in c for c in comments)
