"""The package and its release are Data Package v2, checked against the official profiles.

The profiles are the copies in standards/datapackage-v2/ (nothing is fetched); our own
readers still open a v1 descriptor (``profile: tabular-data-package``) of an older release.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from bgopendata.package import open_package
from bgopendata.publish.build import build
from bgopendata.tableschema.standard import PACKAGE_V2, TABLE_SCHEMA_V2, v2_package
from conftest import ROOT

PROFILES = ROOT / "standards" / "datapackage-v2"
RELEASE_DESCRIPTORS = [
    "datapackage.json",
    "datapackage.parquet.json",
    "datapackage.duckdb.json",
    "datapackage.sqlite.json",
]


def profile(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((PROFILES / name).read_text(encoding="utf-8")))


def problems(validator: jsonschema.Draft7Validator, doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in validator.iter_errors(doc)]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("rel") / "dist").path


def test_the_package_descriptor_is_v2_and_valid_against_the_profile():
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["$schema"] == PACKAGE_V2
    assert "profile" not in descriptor
    assert {r["type"] for r in descriptor["resources"]} == {"table"}
    assert all("roles" in c and "role" not in c for c in descriptor["contributors"])
    assert descriptor["created"].endswith("Z")
    assert problems(profile("datapackage.json"), descriptor) == []


def test_every_table_schema_is_v2_with_categories_for_its_code_lists():
    validator = profile("tableschema.json")
    for path in sorted((ROOT / "schemas").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == TABLE_SCHEMA_V2, path.name
        assert problems(validator, schema) == [], path.name
        for field in schema["fields"]:
            enum = field.get("constraints", {}).get("enum")
            if enum:  # v2: the enum a subset of the categories; frictionless checks the enum
                assert field["categories"] == enum, (path.name, field["name"])
    fields = json.loads((ROOT / "schemas" / "key_facts.json").read_text(encoding="utf-8"))["fields"]
    unit = next(f for f in fields if f["name"] == "unit")
    assert "EUR_bn" in unit["categories"]


@pytest.mark.parametrize("name", RELEASE_DESCRIPTORS)
def test_each_release_descriptor_is_valid_against_the_v2_profile(release, name):
    descriptor = json.loads((release / name).read_text(encoding="utf-8"))
    assert descriptor["$schema"] == PACKAGE_V2
    assert problems(profile("datapackage.json"), descriptor) == []
    for res in descriptor["resources"]:
        assert "$schema" not in res.get("schema", {})  # v2: only a descriptor's root has one
        assert problems(profile("dataresource.json"), res) == [], res["name"]


def test_the_profiles_reject_what_v2_forbids():
    """The copies bite: a Table Schema whose categories are not a list, a package without resources."""
    schema = {"fields": [{"name": "unit", "type": "string", "categories": "EUR_bn"}]}
    assert problems(profile("tableschema.json"), schema)
    assert problems(profile("datapackage.json"), {"name": "x"})


def test_the_generator_upgrades_a_v1_package_and_leaves_v2_unchanged(tmp_path):
    from bgopendata.tableschema.generate import drifted, main

    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert v2_package(descriptor) == descriptor  # already v2: nothing to do
    v1 = {"profile": "tabular-data-package", **{k: v for k, v in descriptor.items() if k != "$schema"}}
    v1["contributors"] = [{"title": "bgopendata contributors", "role": "author"}]
    v1["resources"] = [  # v1's profile where v2's type stands
        {("profile" if k == "type" else k): ("tabular-data-resource" if k == "type" else v) for k, v in r.items()}
        for r in v1["resources"]
    ]
    (pkg / "datapackage.json").write_text(json.dumps(v1, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    schema_file = pkg / "schemas" / "areas.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    del schema["$schema"]
    for field in schema["fields"]:
        field.pop("categories", None)
    schema_file.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    assert set(drifted(pkg)) == {"datapackage.json", "schemas/areas.json"}
    assert main([str(pkg)]) == 0
    assert drifted(pkg) == []
    assert (pkg / "datapackage.json").read_text(encoding="utf-8") == (ROOT / "datapackage.json").read_text(
        encoding="utf-8"
    )
    assert schema_file.read_bytes() == (ROOT / "schemas" / "areas.json").read_bytes()


def test_our_readers_still_open_a_v1_release(release, tmp_path):
    """An older release says ``profile: tabular-data-package``: open_package and read take it."""
    import bgopendata

    old = tmp_path / "v1"
    shutil.copytree(release, old)
    descriptor = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.pop("$schema")
    descriptor = {"profile": "tabular-data-package", **descriptor}
    for res in descriptor["resources"]:
        res.pop("type")
        res["profile"] = "tabular-data-resource"
    (old / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (old / "areas.parquet").unlink()  # read from the CSV through the v1 descriptor
    package = open_package(old)
    assert len(package.resources) == len(descriptor["resources"])
    areas = bgopendata.read("areas", old)
    assert areas.loc[areas["area_id"] == "bergamo", "istat_code"].tolist() == ["016"]
