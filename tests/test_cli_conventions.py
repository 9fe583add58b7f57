"""The command line behaves as Unix tools do: versions, quiet, pipes, numbers, modes, hints."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import bgopendata.access.download as download_module
from bgopendata import __version__
from bgopendata.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "release"
ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def run(args: list[str], cwd: Path | None = None):
    return CliRunner().invoke(cli, args, catch_exceptions=False) if cwd is None else _in(cwd, args)


def _in(cwd: Path, args: list[str]):
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(here)


def test_version_names_the_code_and_the_data(tmp_path):
    version = json.loads((FIXTURE / "datapackage.json").read_text())["version"]
    assert run(["--version"], FIXTURE).stdout == f"bgopendata code {__version__}; data {version} (datapackage.json)\n"
    assert (
        run(["--version"], tmp_path).stdout == f"bgopendata code {__version__}; data no data package in this folder\n"
    )


def test_writing_into_a_closed_pipe_ends_quietly():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bgopendata", "rules", "--catalogue"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written, as with ``| head -0``
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""


def test_query_prints_numbers_as_the_csv_writes_them():
    sql = "SELECT 13.0::DOUBLE AS value, 5.0::DOUBLE AS rank, 13.1::DOUBLE AS exact, 2.50::DECIMAL(4,2) AS d"
    table = run(["query", "--package", str(FIXTURE), sql]).stdout
    assert table.splitlines()[2].split() == ["13", "5", "13.1", "2.5"]
    csv_out = run(["query", "--package", str(FIXTURE), "--format", "csv", sql]).stdout
    assert csv_out.splitlines()[1] == "13,5,13.1,2.5"
    records = json.loads(run(["query", "--package", str(FIXTURE), "--format", "json", sql]).stdout)["rows"]
    assert records == [{"value": 13, "rank": 5, "exact": 13.1, "d": 2.5}]
    assert isinstance(records[0]["value"], int)


def test_a_file_written_with_out_is_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "dcat.jsonld"
        result = run(["metadata", str(ROOT), "--out", str(target)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_query_outside_a_package_suggests_the_next_step(tmp_path):
    result = run(["query", "SELECT 1"], tmp_path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--release" in result.stderr and "bgopendata download" in result.stderr


def test_an_unreachable_release_suggests_base_url(tmp_path, monkeypatch):
    monkeypatch.setattr(download_module, "BACKOFF_SECONDS", 0.01)
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(
        ["download", "--base-url", f"http://127.0.0.1:{port}", "--timeout", "1", "--dest", str(tmp_path / "d")]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--base-url" in result.stderr


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
def test_build_quiet_prints_nothing(tmp_path, flag):
    package = tmp_path / "pkg"
    shutil.copytree(FIXTURE, package)
    result = run(["build", str(package), "--out", str(tmp_path / "dist"), flag])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "dist" / "SHA256SUMS").is_file()
