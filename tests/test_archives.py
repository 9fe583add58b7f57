"""The zip and every downloaded format are data packages that frictionless reads whole."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import bgopendata.access.download as download_module
from bgopendata.cli import cli
from bgopendata.publish.build import build
from http_release_server import serve_release

FIXTURE = Path(__file__).parent / "fixtures" / "release"
RESOURCES = ["areas", "exports", "sectors"]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("rel") / "dist").path


def frictionless_report(source: Path):
    import frictionless

    return frictionless.Package(str(source)).validate()


def test_frictionless_reads_the_whole_zip(release):
    import frictionless

    package = frictionless.Package(str(release / "bgopendata.zip"))
    assert sorted(package.resource_names) == RESOURCES
    report = package.validate()
    assert report.valid, report.flatten(["type", "note"])
    assert {task.name: task.stats["rows"] for task in report.tasks} == {
        name: len((release / f"{name}.csv").read_text().splitlines()) - 1 for name in RESOURCES
    }


def test_bgopendata_validates_the_zip_and_names_it(release):
    result = CliRunner().invoke(cli, ["validate", str(release / "bgopendata.zip")])
    assert result.exit_code == 0, result.output
    assert f"{release / 'bgopendata.zip'}: valid" in result.stdout


def hostile_zip(tmp_path: Path, members: dict[str, bytes], link: str | None = None) -> Path:
    target = tmp_path / "hostile.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = 0o120777 << 16  # a symbolic link
            archive.writestr(info, "/etc/passwd")
    return target


@pytest.mark.parametrize(
    "members, link, message",
    [
        ({"datapackage.json": b"{}", "../escape.csv": b"a\n"}, None, "'../escape.csv' would land outside"),
        ({"datapackage.json": b"{}", "/etc/escape.csv": b"a\n"}, None, "'/etc/escape.csv' would land outside"),
        ({"datapackage.json": b"{}"}, "areas.csv", "'areas.csv' is not a regular file"),
        ({"bgopendata/datapackage.json": b"{}"}, None, "no datapackage.json at its root; unzip it"),
    ],
)
def test_a_zip_that_would_escape_or_hides_its_package_is_refused(tmp_path, members, link, message):
    result = CliRunner().invoke(cli, ["validate", str(hostile_zip(tmp_path, members, link))])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert not (tmp_path.parent / "escape.csv").exists()


def test_a_zip_larger_unpacked_than_the_bound_is_refused(tmp_path, monkeypatch):
    import bgopendata.access.archive as archive_module

    monkeypatch.setattr(archive_module, "MAX_UNPACKED_BYTES", 1000)
    target = hostile_zip(tmp_path, {"datapackage.json": b"{}", "big.csv": b"0" * 5000})
    result = CliRunner().invoke(cli, ["validate", str(target)])
    assert result.exit_code == 2 and "unpacks to more than 1000 bytes" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "parquet", "zip"])
def test_every_downloaded_format_is_a_package_frictionless_validates(release, tmp_path, fmt, monkeypatch):
    monkeypatch.setattr(download_module, "BACKOFF_SECONDS", 0.01)
    with serve_release({"v0.9.0": release}) as server:
        written = download_module.download("latest", fmt, tmp_path / "data", server.base_url)
    source = next(p for p in written if p.name in ("datapackage.json", "bgopendata.zip"))
    report = frictionless_report(source)
    assert report.valid, report.flatten(["type", "note"])
    assert sorted(task.name for task in report.tasks) == RESOURCES
    if fmt == "parquet":
        assert {Path(task.place).suffix for task in report.tasks} == {".parquet"}


def test_the_parquet_folder_checks_with_its_own_sums(release, tmp_path):
    import subprocess

    with serve_release({"v0.9.0": release}) as server:
        download_module.download("latest", "parquet", tmp_path, server.base_url)
    done = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 1 + len(RESOURCES)
