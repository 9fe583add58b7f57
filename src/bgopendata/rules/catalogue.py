"""The rule kind catalogue (code, title, description, message template), read from JSON data."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    """Every rule kind by code, in catalogue order."""
    text = resources.files("bgopendata.rules").joinpath("catalogue.json").read_text(encoding="utf-8")
    return {entry["code"]: entry for entry in json.loads(text)}


def message(code: str, **params: Any) -> str:
    """Fill the kind's message template with the failure's parameters."""
    return catalogue()[code]["message"].format(**params)
