"""SHA-256 sums in the format ``sha256sum -c`` reads, so users can check a release by hand."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from bgopendata.errors import UnusableInput

# GNU ``sha256sum -c``: hex in either case, a space, then ' ' (text) or '*' (binary), the name.
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
    """Read a SHA256SUMS file as ``sha256sum -c`` does (upper-case hex and CRLF line ends are
    fine); a malformed line, a name with a path or a control character in it, or one name
    listed twice with different sums is refused. The sums come back lower-case."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        line = line[:-1] if line.endswith("\r") else line
        if not line.strip():
            continue
        match = _LINE.match(line)
        name = match.group(2) if match else ""
        if not match or name in {".", ".."} or "/" in name or "\\" in name:
            raise UnusableInput("not a 'sha256  name' line", path=shown, row=number)
        if _CONTROL.search(name):
            raise UnusableInput("a file name holds a control character", path=shown, row=number)
        digest = match.group(1).lower()
        if sums.get(name, digest) != digest:
            raise UnusableInput(f"{name!r} is listed twice with different sums", path=shown, row=number)
        sums[name] = digest
    if not sums:
        raise UnusableInput("lists no file", path=shown)
    return sums
