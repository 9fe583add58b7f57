"""Shared fixtures: the repository root and the published package read as plain rows."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def copy_package(dest: Path) -> Path:
    """A private copy of the published package (data, schemas, rules, sources) to break in a test."""
    dest.mkdir()
    for item in ("datapackage.json", "resources", "schemas", "rules", "sources"):
        src = ROOT / item
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / item)
    return dest


def require_spark() -> None:
    """Skip the calling test module where Spark cannot start (pyspark missing, or no Java)."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:  # .ci/run installs openjdk-17-jre-headless on a fresh machine
        pytest.skip("Spark needs Java (17)", allow_module_level=True)


def bench_generate():
    """``bench/generate.py`` as a module (the bench folder is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


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
    from bgopendata.publish.build import build

    return build(RELEASE_FIXTURE, tmp_path_factory.mktemp("rel") / "dist").path


@pytest.fixture()
def server(release):
    """A real HTTP server on 127.0.0.1 serving ``release`` as tag v0.9.0, GitHub-style."""
    from http_release_server import serve_release

    with serve_release({"v0.9.0": release}) as running:
        yield running
