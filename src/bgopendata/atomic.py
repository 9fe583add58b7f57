"""Replace files and folders on disk in one step, so a reader never sees half of a write.

``build`` and ``site`` write a whole folder next to its destination and swap it in;
``metadata`` and ``release-notes`` write a file beside its target and rename it over.
Killed processes leave only temporary names, which the next run removes.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

# A temporary folder is another build's work in progress while its process lives; once the
# process is gone (killed) it is debris. Past this age it is debris whatever its process
# id says (ids are reused): no build takes a day.
STALE_AFTER_SECONDS = 24 * 3600
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2  # <linux/fs.h>


def swap_into_place(staging: Path, dest: Path) -> None:
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
            sync_folder(dest.parent, files=False)
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
    import ctypes  # here, not at the top: reading a package (``query``, ``validate``) never renames

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


def sync_folder(folder: Path, *, files: bool = True) -> None:
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
        match = re.match(r"(\d+)-", entry.name[len(prefix) :])
        if not _is_dead(entry, int(match.group(1)) if match else None):
            continue
        if restore is not None and ".old-" in prefix and not restore.exists() and (entry / restore.name).is_dir():
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


def refuse_special_destination(target: Path) -> None:
    """Refuse to rename over a named pipe, a device or a socket: the rename would silently put a
    regular file where the user's special file was. A missing target or a regular file is fine."""
    from bgopendata.errors import UnusableInput

    try:
        mode = os.lstat(target).st_mode
    except OSError:
        return
    kind = special_file_kind(mode)
    if kind == "a directory":
        raise UnusableInput("is a folder, expected a file name", path=str(target))
    if kind and not stat.S_ISLNK(mode):
        raise UnusableInput(f"is {kind}, not a regular file; refusing to replace it", path=str(target))


def write_text_atomically(target: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``target`` and rename it over ``target``."""
    from bgopendata.errors import UnusableInput

    target = Path(target)
    if target.is_dir():
        raise UnusableInput("is a folder, expected a file name", path=str(target))
    refuse_special_destination(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide the file from others
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def special_file_kind(mode: int) -> str | None:
    """'a named pipe', 'a device'... for a non-regular file mode, None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
