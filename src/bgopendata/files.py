"""Reading the files of a package safely: paths that stay inside it, JSON read strictly, no blocking.

Every reader of a descriptor, schema, rules file or CSV goes through these: a path is
relative, POSIX and inside the package (no ``..``, no absolute path, no URL, no symlink
leading out); a named pipe or device is refused at open, which never blocks; JSON with
duplicate keys, ``NaN`` or excessive nesting is refused in one line naming the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from bgopendata.atomic import special_file_kind
from bgopendata.errors import UnusableInput

DESCRIPTOR = "datapackage.json"  # a package folder's descriptor
MAX_JSON_DEPTH = 64  # a descriptor or schema is a few levels deep; far past that is an attack


def read_json(path: Path, *, shown: str) -> Any:
    """Read a JSON file, turning every failure into a one-line ``UnusableInput``.

    Duplicate keys (where the last value would silently win) and nesting deeper than
    ``MAX_JSON_DEPTH`` are refused; a named pipe or device is refused without blocking.
    """
    raw = read_regular_file(path, shown=shown, expected="a JSON file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"not UTF-8 (byte {exc.start})", path=shown) from None
    if text.startswith("\ufeff"):
        raise UnusableInput("starts with a byte-order mark; save it as UTF-8 without BOM", path=shown)
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise UnusableInput(f"invalid JSON: {exc.msg}", path=shown, row=exc.lineno) from None
    except ValueError as exc:
        raise UnusableInput(f"invalid JSON: {exc}", path=shown) from None
    except RecursionError:
        raise UnusableInput(f"invalid JSON: nested more than {MAX_JSON_DEPTH} levels deep", path=shown) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise UnusableInput(f"invalid JSON: nested more than {MAX_JSON_DEPTH} levels deep", path=shown)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} appears twice in one object (which value is meant?)")
        seen[key] = value
    return seen


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value``, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_regular_file(path: Path, *, shown: str, expected: str = "a file") -> None:
    """Refuse a missing or non-regular file by what it is, without opening it (so never blocking)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UnusableInput("file not found", path=shown) from None
    except OSError as exc:
        raise UnusableInput(f"cannot read: {exc.strerror}", path=shown) from None
    kind = special_file_kind(mode)
    if kind:
        raise UnusableInput(f"is {kind}, expected {expected}", path=shown)


def read_regular_file(path: Path, *, shown: str, expected: str = "a file") -> bytes:
    """The bytes of a regular file; a pipe or device is refused at open, which never blocks."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UnusableInput("file not found", path=shown) from None
    except IsADirectoryError:
        raise UnusableInput(f"is a directory, expected {expected}", path=shown) from None
    except OSError as exc:
        raise UnusableInput(f"cannot read: {exc.strerror}", path=shown) from None
    try:
        kind = special_file_kind(os.fstat(fd).st_mode)
        if kind:
            raise UnusableInput(f"is {kind}, expected {expected}", path=shown)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise UnusableInput(f"cannot read: {exc.strerror}", path=shown) from None
    finally:
        os.close(fd)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def path_text(relpath: Any, *, shown: str, what: str) -> str:
    """``relpath`` if it is a non-empty text, else the refusal ``safe_path`` gives."""
    if not isinstance(relpath, str) or not relpath.strip():
        raise UnusableInput(f"{what} must be a non-empty relative path", path=shown)
    return relpath


def safe_path(root: Path, relpath: Any, *, shown: str, what: str) -> Path:
    """Resolve ``relpath`` under ``root`` or refuse it: relative, POSIX, no ``..``, no escape."""
    relpath = path_text(relpath, shown=shown, what=what)
    if "://" in relpath or relpath.startswith("//"):
        raise UnusableInput(f"{what} {relpath!r} is a URL; a local package holds its files", path=shown)
    if "\\" in relpath or "\x00" in relpath:
        raise UnusableInput(f"{what} {relpath!r} must use '/' and no control characters", path=shown)
    posix = PurePosixPath(relpath)
    if posix.is_absolute() or (len(relpath) > 1 and relpath[1] == ":"):
        raise UnusableInput(f"{what} {relpath!r} is absolute; use a path inside the package", path=shown)
    if ".." in posix.parts:
        raise UnusableInput(f"{what} {relpath!r} leaves the package folder ('..')", path=shown)
    candidate = root / posix
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError):
        raise UnusableInput(f"{what} {relpath!r} cannot be resolved (symlink loop?)", path=shown) from None
    if not resolved.is_relative_to(root.resolve()):
        raise UnusableInput(f"{what} {relpath!r} is a symlink leading outside the package", path=shown)
    return candidate
