"""The Data Package name rules, checked once for every name that becomes a file, member or page.

A resource ``name`` becomes ``<name>.csv`` and ``<name>.parquet`` in a release, a member of
the zip, a DuckDB view and a portal page. The Data Package specification allows lower-case
ASCII letters, digits, ``.``, ``-`` and ``_``; a name outside that (``../../x``, ``Areas``,
a Cyrillic ``а`` that looks like a Latin ``a``) is refused here, naming the resource and
the property, before any writer sees it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from bgopendata.errors import UnusableInput

NAME = re.compile(r"^[a-z0-9._-]+$")
MAX_NAME_CHARS = 100


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a Data Package name, or None when it is one."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    for char in name:
        if ord(char) > 127:
            label = unicodedata.name(char, "unnamed character")
            return (
                f"has the non-ASCII character U+{ord(char):04X} ({label}), which may look like "
                "an ASCII one; use lower-case a-z, 0-9, '.', '-' and '_'"
            )
    if len(name) > MAX_NAME_CHARS:
        return f"is longer than {MAX_NAME_CHARS} characters"
    if not NAME.match(name):
        return "may hold only lower-case a-z, 0-9, '.', '-' and '_' (no '/', spaces or capitals)"
    if name.startswith("."):
        return "must not start with '.' (a hidden file, or a folder above)"
    return None


def check_name(name: object, *, shown: str, field: str, what: str = "resource") -> str:
    """Return ``name`` when it follows the Data Package name rules, else refuse it in one line."""
    problem = name_problem(name)
    if problem is None and isinstance(name, str):  # name_problem refuses every non-string
        return name
    raise UnusableInput(
        f"{what} name {shown_value(name)} is not a Data Package name: it {problem}", path=shown, field=field
    )


def file_inside(folder: Path, file_name: str) -> Path:
    """``folder / file_name`` for a plain file name that stays in ``folder``; anything else is refused.

    The last guard of every writer: even a name that slipped past the descriptor checks can
    never become a path outside the output folder.
    """
    if (
        not file_name
        or "/" in file_name
        or "\\" in file_name
        or "\x00" in file_name
        or file_name in {".", ".."}
        or file_name.startswith(".")
    ):
        raise UnusableInput(
            f"{shown_value(file_name)} is not a plain file name; refusing to write it", path=str(folder)
        )
    return folder / file_name


def shown_value(value: object) -> str:
    """A name as it can be shown on one line: control characters escaped, long names cut."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
