"""Turn "a folder or a git revision" into a folder, without touching the user's working tree.

``bgopendata diff origin/main .`` must read the package as it is on ``origin/main``. We
extract that commit's tree with ``git archive`` into a temporary folder (removed afterwards)
instead of checking it out, so uncommitted work is never at risk. ``tarfile``'s ``data``
filter refuses members that would land outside the folder or be device files.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bgopendata.errors import UnusableInput

GIT_TIMEOUT_S = 120


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    git = shutil.which("git")
    if git is None:
        raise UnusableInput("git is not installed, so only folders can be compared")
    try:
        return subprocess.run([git, *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise UnusableInput(f"git {args[0]} took longer than {GIT_TIMEOUT_S} s") from None


def resolve_revision(spec: str, cwd: Path) -> tuple[str, str]:
    """The commit id ``spec`` names in the repository at ``cwd``, and ``cwd``'s path inside it
    (empty at the top of the repository)."""
    if spec.startswith("-") or not spec.strip():
        raise UnusableInput(f"{spec!r} is neither a folder nor a git revision")
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}"], cwd)
    if found.returncode != 0:
        raise UnusableInput(f"{spec!r} is neither a folder nor a git revision of the repository at {cwd}")
    prefix = _git(["rev-parse", "--show-prefix"], cwd).stdout.strip()
    return found.stdout.strip(), prefix


def _toplevel(cwd: Path) -> Path:
    return Path(_git(["rev-parse", "--show-toplevel"], cwd).stdout.strip() or cwd)


def previous_tag(tag: str, cwd: str | Path = ".") -> str | None:
    """The newest ``vX.Y.Z`` tag reachable from ``tag``'s parent, or ``None`` for a first release."""
    found = _git(["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*.[0-9]*.[0-9]*", f"{tag}^"], Path(cwd))
    if found.returncode != 0:
        return None
    return found.stdout.strip() or None


@contextlib.contextmanager
def package_folder(spec: str, cwd: str | Path = ".") -> Iterator[tuple[Path, str]]:
    """Yield ``(folder, label)`` for ``spec``: a folder as it is, or a revision's tree extracted.

    A folder wins over a revision of the same name; the label names the commit so that a
    report says exactly what was compared.
    """
    cwd = Path(cwd)
    candidate = cwd / spec
    if candidate.is_dir():
        yield candidate, spec
        return
    if candidate.name == "datapackage.json" and candidate.is_file():
        yield candidate.parent, spec
        return
    commit, prefix = resolve_revision(spec, cwd)
    with tempfile.TemporaryDirectory(prefix="bgopendata-rev-") as tmp:
        tar_path = Path(tmp) / "tree.tar"
        # "<commit>:<prefix>" is the tree of cwd's folder at that commit, whichever folder
        # git archive is run from; cwd's folder is where the package is looked for.
        tree = f"{commit}:{prefix.rstrip('/')}"
        archived = _git(["archive", "--format=tar", f"--output={tar_path}", tree], _toplevel(cwd))
        if archived.returncode != 0:
            where = f"folder {prefix.rstrip('/')!r}" if prefix else "tree"
            raise UnusableInput(f"cannot read the {where} of revision {spec}: {_first_line(archived.stderr)}")
        root = Path(tmp) / "tree"
        try:
            with tarfile.open(tar_path) as archive:
                archive.extractall(root, filter="data")
        except tarfile.TarError as exc:  # e.g. a symlink in the tree pointing outside it
            raise UnusableInput(f"cannot extract revision {spec}: {exc}") from None
        label = spec if spec.startswith(commit[:7]) else f"{spec} ({commit[:12]})"
        yield root, label


def _first_line(text: str) -> str:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[0] if lines else "no message"
