"""The reviewed lexicon (``lexicon.json``): scale words, hedges, number words, ordinals, markers."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def lexicon() -> dict[str, Any]:
    """The lexicon as data, read once per process."""
    return json.loads(files("bgopendata.provenance").joinpath("lexicon.json").read_text(encoding="utf-8"))


def entries(section: str, language: str) -> dict[str, Any]:
    """One section's phrases for one language (``{}`` for a language the lexicon does not know)."""
    return lexicon()[section].get(language, {})
