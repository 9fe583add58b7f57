"""``bgopendata download`` against a real HTTP server on 127.0.0.1 serving a built release."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import bgopendata.access.download as download_module
from bgopendata.cli import cli
from bgopendata.errors import InvalidData, UnusableInput
from http_release_server import serve_release


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(download_module, "BACKOFF_SECONDS", 0.01)


def fetch(server, *args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["download", "--base-url", server.base_url, *args], env=env)


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.mark.parametrize(
    "fmt, files",
    [
        ("csv", ["SHA256SUMS", "areas.csv", "datapackage.json", "exports.csv", "sectors.csv"]),
        ("parquet", ["SHA256SUMS", "areas.parquet", "datapackage.json", "exports.parquet", "sectors.parquet"]),
        ("duckdb", ["SHA256SUMS", "bgopendata.duckdb", "datapackage.json"]),
        ("sqlite", ["SHA256SUMS", "bgopendata.sqlite", "datapackage.json", "datasette-metadata.json"]),
        ("zip", ["SHA256SUMS", "bgopendata.zip"]),
    ],
)
def test_each_format_arrives_identical_to_the_release(server, release, tmp_path, fmt, files):
    result = fetch(server, "--format", fmt, "--dest", str(tmp_path / "data"))
    assert result.exit_code == 0, result.stderr
    got = listing(tmp_path / "data")
    assert sorted(got) == files
    for name, data in got.items():
        if fmt in ("parquet", "duckdb", "sqlite") and name in ("datapackage.json", "SHA256SUMS"):
            continue  # the format's descriptor, saved under the package's name; checked below
        assert data == (release / name).read_bytes()
    if fmt in ("parquet", "duckdb", "sqlite"):
        assert got["datapackage.json"] == (release / f"datapackage.{fmt}.json").read_bytes()
    assert result.stderr == ""  # no progress when stderr is not a terminal


@pytest.mark.parametrize("fmt, database", [("duckdb", "bgopendata.duckdb"), ("sqlite", "bgopendata.sqlite")])
def test_a_database_download_is_a_package_frictionless_validates(server, tmp_path, fmt, database):
    """A database is no table to frictionless: its folder's descriptor lists it as a file with
    its bytes and hash, which frictionless checks (a changed byte makes it INVALID)."""
    import frictionless

    assert fetch(server, "--format", fmt, "--dest", str(tmp_path / "data")).exit_code == 0
    descriptor = tmp_path / "data" / "datapackage.json"
    report = frictionless.Package(str(descriptor)).validate()
    assert report.valid, report.flatten(["type", "note"])
    assert database in [task.place for task in report.tasks]
    data = bytearray((tmp_path / "data" / database).read_bytes())
    data[-1] ^= 1
    (tmp_path / "data" / database).write_bytes(bytes(data))
    report = frictionless.Package(str(descriptor)).validate()
    assert not report.valid and "hash-count" in {e[0] for e in report.flatten(["type"])}


def test_latest_follows_the_redirect_and_a_tag_goes_straight(server, tmp_path):
    assert fetch(server, "--format", "zip", "--dest", str(tmp_path / "a")).exit_code == 0
    assert ("GET", "/latest/download/bgopendata.zip") in server.requests
    assert fetch(server, "--version", "v0.9.0", "--format", "zip", "--dest", str(tmp_path / "b")).exit_code == 0
    assert ("GET", "/download/v0.9.0/SHA256SUMS") in server.requests
    assert listing(tmp_path / "a") == listing(tmp_path / "b")


def test_base_url_comes_from_the_environment(server, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["download", "--format", "duckdb", "--dest", str(tmp_path / "d")],
        env={"BGOPENDATA_BASE_URL": server.base_url},
    )
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "d" / "bgopendata.duckdb").is_file()


def test_unknown_version_is_a_404_and_leaves_no_folder(server, tmp_path):
    result = fetch(server, "--version", "v9.9.9", "--dest", str(tmp_path / "data"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {server.base_url}/download/v9.9.9/SHA256SUMS: HTTP 404 Not Found (no such release or asset)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_tampered_file_is_refused_and_nothing_is_replaced(server, tmp_path):
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "exports.csv").write_text("my older copy\n")
    server.tampered.add("exports.csv")
    result = fetch(server, "--format", "csv", "--dest", str(dest))
    assert result.exit_code == 1
    assert "exports.csv: SHA-256 mismatch" in result.stderr and result.stderr.count("\n") == 1
    assert listing(dest) == {"exports.csv": b"my older copy\n"}


def test_truncated_body_is_retried_then_refused(server, tmp_path):
    server.truncated.add("bgopendata.duckdb")
    result = fetch(server, "--format", "duckdb", "--dest", str(tmp_path / "data"))
    assert result.exit_code == 2
    assert "truncated: received" in result.stderr and "gave up after 3 attempts" in result.stderr
    assert result.stderr.count("\n") == 1
    assert server.requests.count(("GET", "/download/v0.9.0/bgopendata.duckdb")) == 3
    assert list(tmp_path.iterdir()) == []


def test_timeout_is_a_clear_error(server, tmp_path):
    server.slow["SHA256SUMS"] = 2.0
    result = fetch(server, "--timeout", "0.2", "--dest", str(tmp_path / "data"))
    assert result.exit_code == 2
    assert "timed out" in result.stderr and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_transient_server_errors_are_retried(server, release, tmp_path):
    server.fail_first["exports.csv"] = 2
    result = fetch(server, "--format", "csv", "--dest", str(tmp_path / "data"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "data" / "exports.csv").read_bytes() == (release / "exports.csv").read_bytes()
    assert server.requests.count(("GET", "/download/v0.9.0/exports.csv")) == 3


def test_asset_missing_from_the_release_is_refused(tmp_path, release):
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "SHA256SUMS").write_text((release / "SHA256SUMS").read_text())  # lists the zip, file absent
    with serve_release({"v0.9.0": partial}) as server:
        result = fetch(server, "--format", "zip", "--dest", str(tmp_path / "data"))
    assert result.exit_code == 2 and "HTTP 404" in result.stderr
    assert not (tmp_path / "data").exists()


def test_library_reports_progress_and_returns_paths(server, tmp_path):
    seen: list[tuple[str, int, int | None]] = []
    paths = download_module.download("latest", "parquet", tmp_path, server.base_url, progress=lambda *a: seen.append(a))
    assert [p.name for p in paths] == [
        "datapackage.json",
        "areas.parquet",
        "exports.parquet",
        "sectors.parquet",
        "SHA256SUMS",
    ]
    finals = {name: (got, total) for name, got, total in seen}
    assert all(got == total for got, total in finals.values())
    sums = dict(reversed(line.split("  ")) for line in (tmp_path / "SHA256SUMS").read_text().splitlines())
    for path in paths[:-1]:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sums[path.name]


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"version": "1.x"}, UnusableInput),
        ({"fmt": "xlsx"}, UnusableInput),
        ({"base": "file:///etc"}, UnusableInput),
    ],
)
def test_bad_arguments_are_refused_before_any_request(kwargs, error, tmp_path):
    with pytest.raises(error):
        download_module.download(**{"dest": tmp_path / "d", "base": "http://127.0.0.1:9", **kwargs})
    assert not (tmp_path / "d").exists()


def test_hash_failure_is_invalid_data_from_python(server, tmp_path):
    server.tampered.add("bgopendata.zip")
    with pytest.raises(InvalidData):
        download_module.download("v0.9.0", "zip", tmp_path / "d", server.base_url)
    assert not (tmp_path / "d").exists()


def test_download_help_has_an_example():
    result = CliRunner().invoke(cli, ["download", "--help"])
    assert "Example:" in result.output and "BGOPENDATA_BASE_URL" in result.output


def test_terminal_progress_is_one_self_overwriting_line(capsys):
    from bgopendata.cli.download_cmd import _terminal_progress

    _terminal_progress("exports.csv", 500_000, 1_000_000)
    _terminal_progress("exports.csv", 1_000_000, 1_000_000)
    err = capsys.readouterr().err
    assert err.count("\r") == 2 and err.endswith("\n") and err.count("\n") == 1
    assert "( 50%)" in err and "(100%)" in err


def test_a_release_older_than_the_database_descriptors_still_downloads_its_database(release, tmp_path):
    """1.0.0 lists no datapackage.duckdb.json: --format duckdb then fetches the database alone."""
    old = tmp_path / "old"
    old.mkdir()
    (old / "bgopendata.duckdb").write_bytes((release / "bgopendata.duckdb").read_bytes())
    sums = [line for line in (release / "SHA256SUMS").read_text().splitlines() if "datapackage.duckdb" not in line]
    (old / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    with serve_release({"v0.9.0": old}) as server:
        result = fetch(server, "--format", "duckdb", "--dest", str(tmp_path / "data"))
    assert result.exit_code == 0, result.stderr
    assert sorted(listing(tmp_path / "data")) == ["SHA256SUMS", "bgopendata.duckdb"]
