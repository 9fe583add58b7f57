"""The README's resource table is derived from the package; this test keeps it from drifting."""

from __future__ import annotations

import re

from conftest import ROOT, read_rows


def test_readme_lists_every_resource_with_its_row_count(descriptor):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- resources-table")[1].split("<!-- /resources-table -->")[0]
    listed = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| `([a-z_]+)` \| (\d+) \|", block, re.M)}
    actual = {r["name"]: len(read_rows(ROOT / r["path"])) for r in descriptor["resources"]}
    assert listed == actual


def test_readme_gives_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make validate" in readme and "make test" in readme
