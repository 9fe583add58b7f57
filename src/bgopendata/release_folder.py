"""Read a built release folder the way a package is read: nothing in it is trusted until checked.

``query --release DIR`` and ``site --release DIR`` read files a download or a stranger may
have put there. Only the files its ``SHA256SUMS`` names count; each must be a regular file
(not a symlink, pipe or device) directly inside the folder, and match its sum. Any other
file in the folder is ignored: never read, never published.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from bgopendata.atomic import special_file_kind
from bgopendata.checksums import parse_sums, sha256_file
from bgopendata.errors import UnusableInput

CHECKSUMS = "SHA256SUMS"
MAX_SUMS_BYTES = 1 << 20


@dataclass(frozen=True)
class ReleaseFolder:
    """A release folder whose listed files were all checked: ``files`` maps each name to its path."""

    root: Path
    sums: dict[str, str]

    @property
    def files(self) -> dict[str, Path]:
        return {name: self.root / name for name in sorted(self.sums)}

    def path(self, name: str) -> Path:
        if name not in self.sums:
            raise UnusableInput(f"{name} is not listed in {CHECKSUMS}", path=str(self.root / CHECKSUMS))
        return self.root / name


def open_release(folder: str | Path) -> ReleaseFolder:
    """Check ``folder`` as a release: its SHA256SUMS, and every file it lists, regular and matching."""
    root = Path(folder)
    if not root.is_dir():
        raise UnusableInput("no such release folder", path=str(folder))
    sums_file = root / CHECKSUMS
    shown = str(sums_file)
    _regular(sums_file, shown, missing=f"no {CHECKSUMS}: not a release built by 'bgopendata build'", at=str(root))
    if sums_file.stat().st_size > MAX_SUMS_BYTES:
        raise UnusableInput(f"is larger than {MAX_SUMS_BYTES} bytes", path=shown)
    sums = parse_sums(sums_file.read_text("utf-8", errors="replace"), shown=shown)
    for name, expected in sums.items():
        path = root / name
        _regular(path, shown, missing=f"{name} is listed but missing", at=shown, name=name)
        if sha256_file(path) != expected:
            raise UnusableInput(f"{name} does not match its SHA-256 sum", path=shown)
    return ReleaseFolder(root, sums)


def _regular(path: Path, shown: str, *, missing: str, at: str, name: str | None = None) -> None:
    """Refuse anything but a regular file, looking at the entry itself (a symlink is not followed)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise UnusableInput(missing, path=at) from None
    except OSError as exc:
        raise UnusableInput(f"cannot read {path.name}: {exc.strerror}", path=shown) from None
    label = name or path.name
    if stat.S_ISLNK(mode):
        raise UnusableInput(f"{label} is a symlink; a release holds only regular files", path=shown)
    kind = special_file_kind(mode)
    if kind:
        raise UnusableInput(f"{label} is {kind}; a release holds only regular files", path=shown)
