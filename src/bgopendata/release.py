"""``build``: turn a valid data package into a release folder, reproducibly and atomically.

A release is flat, one file per GitHub release asset (names in ``release_assets``): the
CSVs, one Parquet per resource, ``bgopendata.duckdb``, a zip of the data package, a
release ``datapackage.json`` whose resources carry ``bytes`` and ``hash``, and
``SHA256SUMS``. Everything is written into a temporary folder next to the destination,
flushed to disk, and swapped into place in one step only when complete (Linux's
``renameat2(RENAME_EXCHANGE)``), so a build killed at any point leaves the previous release
whole, and two builds at once leave one of them whole. Temporary folders of killed builds
are removed by the next one. Nothing depends on the clock: two builds of the same commit
are byte-identical.
"""

from __future__ import annotations

import copy
import ctypes
import errno
import json
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bgopendata import release_assets as assets
from bgopendata.checksums import format_sums, sha256_file
from bgopendata.errors import InvalidData, UnusableInput
from bgopendata.package import Package, open_package

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store; any fixed date works
# A temporary folder is another build's work in progress while its process lives; once the
# process is gone (killed) it is debris. Past this age it is debris whatever its process
# id says (ids are reused): no build takes a day.
STALE_AFTER_SECONDS = 24 * 3600
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2  # <linux/fs.h>


@dataclass(frozen=True)
class Release:
    """What ``build`` produced: the folder and each asset's size in bytes."""

    path: Path
    sizes: dict[str, int]


def build(package_path: str | Path = ".", out: str | Path = "dist") -> Release:
    """Validate the package, then write its release to ``out`` (replacing an older release)."""
    from bgopendata.validation import validate

    report = validate(package_path)
    if not report.valid:
        first = report.errors[0] if report.errors else report.warnings[0]
        raise InvalidData(f"the package is invalid ({len(report.errors)} error(s)), first: "
                          f"{first.location()}: {first.message}; run 'bgopendata validate'",
                          path=str(package_path))
    package = open_package(package_path)
    dest = _checked_destination(Path(out), package)
    prefixes = (f".{dest.name}.building-", f".{dest.name}.old-")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        remove_dead_staging(dest.parent, prefixes, restore=dest)
        staging = Path(tempfile.mkdtemp(prefix=f"{prefixes[0]}{os.getpid()}-", dir=dest.parent))
    except OSError as exc:
        raise UnusableInput(f"cannot write a release here: {exc.strerror or exc}", path=str(out)) from None
    try:
        write_release(package, staging)
        _sync_folder(staging)
        _swap_into_place(staging, dest)  # afterwards ``staging`` holds the old release, if any
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Release(dest, {p.name: p.stat().st_size for p in sorted(dest.iterdir())})


def write_release(package: Package, folder: Path) -> None:
    """Write every asset of the release into ``folder`` (an empty directory)."""
    from bgopendata.duckdb_export import write_database
    from bgopendata.parquet_export import read_typed, write_parquet

    tables = {}
    for res in package.resources:
        shutil.copyfile(res.path, folder / assets.csv_asset(res.name))
        tables[res.name] = read_typed(res)
        write_parquet(tables[res.name], folder / assets.parquet_asset(res.name))
    write_database(package, tables, folder / assets.DATABASE)
    descriptor = release_descriptor(package, folder)
    (folder / assets.DESCRIPTOR).write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    write_archive(package, folder)
    sums = {p.name: sha256_file(p) for p in folder.iterdir() if p.name != assets.CHECKSUMS}
    (folder / assets.CHECKSUMS).write_text(format_sums(sums), encoding="utf-8")


def release_descriptor(package: Package, folder: Path) -> dict:
    """The package descriptor for the flat release: schemas inlined, ``bytes`` and ``hash`` stamped."""
    descriptor = copy.deepcopy(package.descriptor)
    for res_desc, res in zip(descriptor["resources"], package.resources):
        csv_file = folder / assets.csv_asset(res.name)
        res_desc["path"] = csv_file.name
        res_desc["schema"] = copy.deepcopy(res.schema)
        res_desc["bytes"] = csv_file.stat().st_size
        res_desc["hash"] = f"sha256:{sha256_file(csv_file)}"
    return descriptor


def write_archive(package: Package, folder: Path) -> None:
    """Zip the release data package (descriptor + CSVs) with fixed dates, modes and order."""
    members = [assets.DESCRIPTOR] + sorted(assets.csv_asset(r.name) for r in package.resources)
    with zipfile.ZipFile(folder / assets.ARCHIVE, "w") as archive:
        for name in members:
            info = zipfile.ZipInfo(f"{assets.ARCHIVE_FOLDER}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the building machine
            archive.writestr(info, (folder / name).read_bytes(), compresslevel=9)


def _checked_destination(out: Path, package: Package) -> Path:
    """Refuse a destination whose replacement would destroy something that is not a release."""
    dest = out.resolve()
    root = package.root.resolve()
    if dest == root or root.is_relative_to(dest) or dest.is_relative_to(root / "resources") \
            or dest.is_relative_to(root / "schemas"):
        raise UnusableInput("the release folder must not contain or sit inside the package's data",
                            path=str(out))
    if dest.exists() and not dest.is_dir():
        raise UnusableInput("exists and is not a folder", path=str(out))
    if dest.is_dir() and any(dest.iterdir()) and not (dest / assets.CHECKSUMS).is_file():
        raise UnusableInput(f"is not empty and holds no {assets.CHECKSUMS}, so it is not an older "
                            "release; refusing to replace it", path=str(out))
    return dest


def _swap_into_place(staging: Path, dest: Path) -> None:
    """Put the finished release at ``dest`` in one step; the old one ends up at ``staging``.

    Linux swaps two folders atomically (``renameat2``; Python has no binding, hence
    ctypes): at every instant ``dest`` is the whole old or the whole new release, and two
    builds finishing together each swap in turn. Elsewhere two renames leave a moment with
    no ``dest``; the old release then waits in ``.<name>.old-*`` and the next build puts
    it back if this one was killed in between.
    """
    os.chmod(staging, 0o755)
    while True:
        done = _renameat2(staging, dest, RENAME_NOREPLACE)
        if done is False:  # an older release is there: swap with it
            done = _renameat2(staging, dest, RENAME_EXCHANGE)
        if done is None:
            break  # no renameat2 here
        if done:
            _sync_folder(dest.parent, files=False)
            return
        # the older release vanished between the two calls (another build): try again
    if not dest.exists():
        os.rename(staging, dest)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-{os.getpid()}-", dir=dest.parent))
    os.rename(dest, retired / dest.name)
    try:
        os.rename(staging, dest)
    except BaseException:
        os.rename(retired / dest.name, dest)
        shutil.rmtree(retired, ignore_errors=True)
        raise
    os.rename(retired / dest.name, staging)  # the caller removes it
    shutil.rmtree(retired, ignore_errors=True)


def _renameat2(source: Path, target: Path, flags: int) -> bool | None:
    """Linux ``renameat2``: True when done, False when ``target`` is in the way (NOREPLACE) or
    gone (EXCHANGE), None when the system or file system cannot do it."""
    func = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    if func is None:
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_cwd = -100
    if func(at_cwd, os.fsencode(source), at_cwd, os.fsencode(target), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EEXIST, errno.ENOTEMPTY) and flags == RENAME_NOREPLACE:
        return False
    if code == errno.ENOENT and flags == RENAME_EXCHANGE and source.exists():
        return False
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return None
    raise OSError(code, os.strerror(code), str(target))


def _sync_folder(folder: Path, *, files: bool = True) -> None:
    """Flush a folder's files and entries to disk, so a power cut cannot swap in empty files."""
    if files:
        for path in folder.iterdir():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_dead_staging(parent: Path, prefixes: tuple[str, ...], *, restore: Path | None = None) -> None:
    """Remove ``<prefix>[<pid>-]<random>`` folders left in ``parent`` by killed processes.

    A folder whose process still runs is another build's (or download's) work and stays.
    With ``restore``, an old release parked by the two-rename swap is put back first when
    ``restore`` is missing, so cleaning up never loses the only copy.
    """
    for entry in sorted(parent.iterdir()):
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        if prefix is None or entry.is_symlink() or not entry.is_dir():
            continue
        match = re.match(r"(\d+)-", entry.name[len(prefix):])
        if not _is_dead(entry, int(match.group(1)) if match else None):
            continue
        if restore is not None and ".old-" in prefix and not restore.exists() \
                and (entry / restore.name).is_dir():
            os.rename(entry / restore.name, restore)
        shutil.rmtree(entry, ignore_errors=True)


def _is_dead(folder: Path, pid: int | None) -> bool:
    try:
        if time.time() - folder.stat().st_mtime > STALE_AFTER_SECONDS:
            return True
    except OSError:
        return False
    if pid is None or os.name != "posix" or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, owned by someone else
    return False
