"""The version policy, as data: which kind of change needs which semantic-version bump.

A corrected figure is a patch, new rows, tables or columns a minor, and anything that can
break a reader's query (a removed or renamed column or table, a removed figure, a changed
type or primary key) a major. Wording-only edits (titles, descriptions) need no bump.
"""

from __future__ import annotations

import re

LEVELS = ("none", "patch", "minor", "major")

# change kind (as ``diff`` names it) -> the bump it needs
POLICY = {
    "row-changed": "patch",
    "field-changed": "patch",  # a constraint, format or missing-value change
    "row-added": "minor",
    "field-added": "minor",
    "resource-added": "minor",
    "row-removed": "major",
    "field-removed": "major",  # a rename shows as removed + added
    "field-retyped": "major",
    "primary-key-changed": "major",
    "resource-removed": "major",
    "field-documented": "none",  # title/description wording only
    "metadata-changed": "none",
}

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def parse_version(text: object) -> tuple[int, int, int] | None:
    """``"1.2.3"`` -> ``(1, 2, 3)``; anything else (pre-releases included) -> ``None``."""
    match = _SEMVER.match(text) if isinstance(text, str) else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def highest(levels: list[str]) -> str:
    return max(levels, key=LEVELS.index, default="none")


def bump(version: tuple[int, int, int], level: str) -> str:
    """The next version after ``version`` for a change of ``level``."""
    major, minor, patch = version
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    if level == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return f"{major}.{minor}.{patch}"


def bump_level(old: tuple[int, int, int], new: tuple[int, int, int]) -> str:
    """Which bump took ``old`` to ``new``: a level from ``LEVELS``, or ``"down"``."""
    if new < old:
        return "down"
    if new[0] > old[0]:
        return "major"
    if new[1] > old[1]:
        return "minor"
    if new[2] > old[2]:
        return "patch"
    return "none"
