"""``build`` killed, raced and denied: the release folder is always one whole release.

A real ``bgopendata build`` process is killed with SIGKILL at seeded points; two real
builds run at once into the same folder; debris of killed builds lies around; the output
folder is read-only. After each, the release folder is byte-identical to the previous
release or to the new one, and every file matches its SHA256SUMS line.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import bgopendata.atomic as atomic_module
import bgopendata.publish.build as release_module
from bgopendata.cli import cli
from bgopendata.publish.build import build

FIXTURE = Path(__file__).parent / "fixtures" / "release"
BGOPENDATA = Path(sys.executable).with_name("bgopendata")
SEED = 20261123
# kill points, in seconds after the build's temporary folder appears; from then on it
# writes and swaps for about a second here (whole process, 2 shared cores), so the later
# points fall after the swap and must find the new release whole
_rng = random.Random(SEED)
KILL_DELAYS = [0.0, *sorted(round(_rng.uniform(0.05, 1.3), 3) for _ in range(5))]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and renameat2 are POSIX/Linux")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def assert_whole(files: dict[str, bytes]) -> None:
    """Every file is listed in SHA256SUMS with its hash, and every listed file is there."""
    listed = dict(reversed(line.split("  ", 1)) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(listed) == set(files) - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> tuple[Path, Path]:
    """(old, new): the fixture with one area renamed, and the fixture itself."""
    old = tmp_path_factory.mktemp("old") / "pkg"
    shutil.copytree(FIXTURE, old)
    areas = old / "resources" / "areas.csv"
    areas.write_text(areas.read_text(encoding="utf-8").replace(",Milan,", ",Milan (old),"), encoding="utf-8")
    return old, FIXTURE


@pytest.fixture(scope="module")
def releases(packages, tmp_path_factory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    old = snapshot(build(packages[0], tmp_path_factory.mktemp("o") / "dist").path)
    new = snapshot(build(packages[1], tmp_path_factory.mktemp("n") / "dist").path)
    assert old != new and old.keys() == new.keys()
    assert_whole(old)
    assert_whole(new)
    return old, new


def place(files: dict[str, bytes], folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def start_build(package: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BGOPENDATA), "build", str(package), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def debris(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name != "dist")


def test_a_build_killed_at_any_point_leaves_the_old_or_the_new_release_whole(packages, releases, tmp_path):
    old, new = releases
    dist = tmp_path / "dist"
    outcomes = []
    for delay in [None, *KILL_DELAYS]:  # None: killed early, before it writes anything
        place(old, dist)
        proc = start_build(packages[1], dist)
        if delay is None:
            time.sleep(0.3)
        else:
            deadline = time.monotonic() + 60
            mine = f".dist.building-{proc.pid}-"  # not the debris of the builds killed before
            while (
                proc.poll() is None
                and time.monotonic() < deadline
                and not any(n.startswith(mine) for n in debris(tmp_path))
            ):
                time.sleep(0.002)
            time.sleep(delay)
        proc.kill()  # SIGKILL: no handler, no finally, no cleanup
        proc.wait(timeout=60)
        got = snapshot(dist)
        assert got in (old, new), f"killed {delay} s in: a mixed or partial release"
        assert_whole(got)
        outcomes.append("old" if got == old else "new")
    assert outcomes[0] == "old" and outcomes[1] == "old", outcomes  # killed before its swap
    # the debris of the killed builds does not stop the next one, which removes it
    result = CliRunner().invoke(cli, ["build", str(packages[1]), "--out", str(dist)])
    assert result.exit_code == 0, result.stderr
    assert snapshot(dist) == new and debris(tmp_path) == []


@pytest.mark.parametrize("existing", [True, False], ids=["over-a-release", "into-nothing"])
def test_two_builds_at_once_leave_one_whole_release(existing, packages, releases, tmp_path):
    old, new = releases
    dist = tmp_path / "dist"
    if existing:
        place(new, dist)
    procs = [start_build(packages[0], dist), start_build(packages[1], dist)]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], errors
    got = snapshot(dist)
    assert got in (old, new)
    assert_whole(got)
    done = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=dist, capture_output=True)
    assert done.returncode == 0, done.stdout
    assert debris(tmp_path) == []


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_debris_of_dead_builds_is_removed_and_a_running_build_is_left_alone(releases, tmp_path):
    old, new = releases
    dist = tmp_path / "dist"
    place(old, dist)
    gone = dead_pid()
    half_written = tmp_path / f".dist.building-{gone}-k1ll3d"
    place({"exports.csv": b"half a fi"}, half_written)
    parked = tmp_path / f".dist.old-{gone}-x" / "dist"
    place(old, parked)
    ancient = tmp_path / ".dist.building-noid"  # no process id (older name), two days old
    place({"a": b""}, ancient)
    two_days_ago = time.time() - 2 * 86400
    os.utime(ancient, (two_days_ago, two_days_ago))
    running = tmp_path / f".dist.building-{os.getppid()}-busy"  # a live process's work
    place({"areas.csv": b"in progress"}, running)
    other = tmp_path / f".site.building-{gone}-x"  # another output's folder: not ours to judge
    place({"a": b""}, other)
    build(FIXTURE, dist)
    assert snapshot(dist) == new
    assert debris(tmp_path) == [running.name, other.name]
    assert snapshot(running) == {"areas.csv": b"in progress"}


def test_an_old_release_parked_by_a_killed_swap_is_put_back(releases, tmp_path, monkeypatch):
    """Without renameat2 the swap is two renames; killed between them, ``dist`` is missing."""
    old, _ = releases
    parked = tmp_path / f".dist.old-{dead_pid()}-x" / "dist"
    place(old, parked)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(release_module, "write_release", killed)
    with pytest.raises(KeyboardInterrupt):
        build(FIXTURE, tmp_path / "dist")
    assert snapshot(tmp_path / "dist") == old and debris(tmp_path) == []


def test_without_renameat2_the_two_rename_swap_still_replaces_cleanly(releases, tmp_path, monkeypatch):
    old, new = releases
    dist = tmp_path / "dist"
    place(old, dist)
    monkeypatch.setattr(atomic_module, "_renameat2", lambda *args: None)
    build(FIXTURE, dist)
    assert snapshot(dist) == new and debris(tmp_path) == []


def run_denied(args: list[str], read_only: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    """Run with ``read_only`` folders unwritable. Root ignores file modes, so as root the
    folders are bind-mounted read-only in a private mount namespace (``unshare``)."""
    command = [str(BGOPENDATA), *args]
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            pytest.skip("running as root without unshare: cannot make a folder read-only")
        mounts = " && ".join(f"mount --bind -o ro '{p}' '{p}'" for p in read_only)
        command = ["unshare", "--map-root-user", "--mount", "sh", "-c", f'{mounts} && exec "$@"', "sh", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def test_a_read_only_location_is_one_clean_line_and_nothing_is_written(releases):
    old, new = releases
    top = Path(tempfile.mkdtemp(prefix="bgopendata-ro-"))
    try:
        package = top / "pkg"
        shutil.copytree(FIXTURE, package)
        locked = top / "locked"
        place(old, locked / "dist")
        for path in [package, *package.rglob("*"), locked, locked / "dist", *(locked / "dist").iterdir()]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        before = {p: p.read_bytes() for p in top.rglob("*") if p.is_file()}
        for out in (locked / "dist", locked / "new" / "dist"):
            done = run_denied(["build", str(package), "--out", str(out)], [package, locked], top)
            assert done.returncode == 2, done.stderr
            assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
            assert done.stderr.startswith(f"error: {out}: cannot write a release here: "), done.stderr
            assert "Read-only file system" in done.stderr or "Permission denied" in done.stderr
        assert {p: p.read_bytes() for p in top.rglob("*") if p.is_file()} == before
        assert sorted(p.name for p in locked.iterdir()) == ["dist"]
        # the read-only checkout still builds into a writable folder, and stays as it was
        done = run_denied(["build", str(package), "--out", str(top / "out" / "dist")], [package, locked], top)
        assert done.returncode == 0, done.stderr
        assert snapshot(top / "out" / "dist") == new
        assert {p: p.read_bytes() for p in top.rglob("*") if p.is_file() and "out" not in p.parts} == before
    finally:
        for path in [top, *top.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(top)
