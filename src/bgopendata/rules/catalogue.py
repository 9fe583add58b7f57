"""The catalogue: every rule kind (from the registry) and every structural code (data, beside this module).

``catalogue()`` is derived from the kind modules; ``catalogue.json`` is its generated copy
for readers without Python (the portal), checked by a test that fails when it drifts
(regenerate it with ``write_catalogue_json()``). The ``structure/*`` codes (frictionless
error types we map, our lexical checks, the DuckDB engine's) are kept as data in
``structure_codes.json``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from bgopendata.rules.registry import kinds


def catalogue() -> dict[str, dict[str, Any]]:
    """Every rule kind by code: figure kinds, then group kinds."""
    return {code: _entry(kind) for code, kind in kinds().items()}


def figure_catalogue() -> dict[str, dict[str, Any]]:
    return {code: e for code, e in catalogue().items() if e["family"] == "figure"}


def kind_titles() -> dict[str, str]:
    """Each kind's title by code (for the portal's rules page)."""
    return {code: kind.title for code, kind in kinds().items()}


def _entry(kind: Any) -> dict[str, Any]:
    params = {name: (marker.what if marker else "setting") for name, marker in kind.parameters().items()}
    return {
        "code": kind.code(),
        "family": kind.family,
        "title": kind.title,
        "description": kind.summary,
        "message": kind.message,
        "parameters": params,
    }


@lru_cache(maxsize=1)
def structure_codes() -> dict[str, dict[str, Any]]:
    """Every ``structure/*`` code by code: where it comes from, title, description."""
    text = resources.files("bgopendata.rules").joinpath("structure_codes.json").read_text(encoding="utf-8")
    return {entry["code"]: entry for entry in json.loads(text)}


def message(code: str, **params: Any) -> str:
    """Fill the kind's message template with the failure's parameters."""
    return kinds()[code].message.format(**params)


def catalogue_json() -> str:
    """The text ``catalogue.json`` must hold: the rule kinds, in catalogue order."""
    return json.dumps(list(catalogue().values()), indent=2, ensure_ascii=False) + "\n"


def write_catalogue_json() -> Path:
    path = Path(__file__).with_name("catalogue.json")
    path.write_text(catalogue_json(), encoding="utf-8")
    return path
