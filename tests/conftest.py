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
