"""SHA-256 sums in the format ``sha256sum -c`` reads, so users can check a release by hand."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from bgopendata.errors import UnusableInput

_LINE = re.compile(r"^([0-9a-f]{64}) [ *]([^/\\\x00]+)$")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def format_sums(sums: dict[str, str]) -> str:
    """``<hex>  <name>`` lines, sorted by name (text mode, as ``sha256sum`` writes them)."""
    return "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))


def parse_sums(text: str, *, shown: str) -> dict[str, str]:
    """Read a SHA256SUMS file; a malformed line or a name with a path in it is refused."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if not match or match.group(2) in {".", ".."}:
            raise UnusableInput("not a 'sha256  name' line", path=shown, row=number)
        sums[match.group(2)] = match.group(1)
    if not sums:
        raise UnusableInput("lists no file", path=shown)
    return sums
