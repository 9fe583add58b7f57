"""Open a zipped data package (the release's ``bgopendata.zip``) as a folder, safely.

``validate`` reads folders; a zip is unpacked into a temporary folder first. A member whose
name would land outside that folder (an absolute path, ``..``, a backslash, a link), a zip
of too many members or too many bytes once unpacked, or a zip with no ``datapackage.json``
at its root is refused with one line, and nothing outside the temporary folder is written.
"""

from __future__ import annotations

import contextlib
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from bgopendata.errors import UnusableInput

MAX_MEMBERS = 1000
MAX_UNPACKED_BYTES = 2 << 30  # 2 GiB: far above any release, far below a zip bomb
CHUNK = 1 << 16
DESCRIPTOR = "datapackage.json"


def is_zip(path: str | Path) -> bool:
    """A regular file that starts like a zip archive."""
    target = Path(path)
    return target.is_file() and zipfile.is_zipfile(target)


@contextlib.contextmanager
def unpacked(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder holding the zip's members; it is removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bgopendata-zip-"))
    try:
        extract(path, folder)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def extract(path: str | Path, folder: Path) -> None:
    """Unpack ``path`` into ``folder`` after checking every member's name, kind and size."""
    shown = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise UnusableInput(f"the zip holds {len(members)} members, more than {MAX_MEMBERS}", path=shown)
            for info in members:
                _check_member(info, shown)
            if DESCRIPTOR not in {m.filename for m in members}:
                raise UnusableInput(
                    f"the zip has no {DESCRIPTOR} at its root; unzip it and validate the folder that holds it",
                    path=shown,
                )
            budget = MAX_UNPACKED_BYTES
            for info in members:
                if info.is_dir():
                    (folder / info.filename).mkdir(parents=True, exist_ok=True)
                    continue
                target = folder / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        budget -= len(chunk)  # counted as it unpacks: a lying header changes nothing
                        if budget < 0:
                            raise UnusableInput(
                                f"the zip unpacks to more than {MAX_UNPACKED_BYTES} bytes; refused", path=shown
                            )
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise UnusableInput(f"not a readable zip: {exc}", path=shown) from None


def _check_member(info: zipfile.ZipInfo, shown: str) -> None:
    name = info.filename
    parts = PurePosixPath(name).parts
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or ".." in parts
        or any(ord(c) < 32 for c in name)
        or (parts and parts[0].endswith(":"))
    ):
        raise UnusableInput(f"the zip member {name!r} would land outside the folder it unpacks into", path=shown)
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0: the zip does not say, a plain file
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise UnusableInput(f"the zip member {name!r} is not a regular file (a link?); refused", path=shown)
