"""Shared fixtures: the repository root and the published package read as plain rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tables(descriptor) -> dict[str, list[dict[str, str]]]:
    return {res["name"]: read_rows(ROOT / res["path"]) for res in descriptor["resources"]}


@pytest.fixture(scope="session")
def fact_tables(tables) -> dict[str, list[dict[str, str]]]:
    return {name: rows for name, rows in tables.items() if rows and "figure_id" in rows[0]}


RELEASE_FIXTURE = ROOT / "tests" / "fixtures" / "release"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """The small release fixture package, built once per test module (modules may override)."""
    from bgopendata.release import build

    return build(RELEASE_FIXTURE, tmp_path_factory.mktemp("rel") / "dist").path


@pytest.fixture()
def server(release):
    """A real HTTP server on 127.0.0.1 serving ``release`` as tag v0.9.0, GitHub-style."""
    from http_release_server import serve_release

    with serve_release({"v0.9.0": release}) as running:
        yield running
