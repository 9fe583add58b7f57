"""``bgopendata download`` under network faults, injected by the real HTTP server on 127.0.0.1.

Every fault ends in one of two ways: the download recovers (a transient fault, retried with
back-off) and the files are the release's bytes, or it is refused with one line, exit code
1 (a file failed its SHA-256 check) or 2 (could not fetch), and the destination is exactly
as before: an older copy untouched, no new file, no temporary folder.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from click.testing import CliRunner

import bgopendata.access.download as download_module
from bgopendata.cli import cli
from bgopendata.errors import InvalidData

TAG = "/download/v0.9.0"
OLD = {"exports.csv": b"my older copy\n", "bgopendata.duckdb": b"older database"}


@pytest.fixture(autouse=True)
def pauses(monkeypatch) -> list[float]:
    """The back-off pauses download asked for, recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(download_module, "time", types.SimpleNamespace(sleep=asked.append))
    return asked


@pytest.fixture()
def dest(tmp_path) -> Path:
    """A destination holding an older copy of two release files."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name, data in OLD.items():
        (folder / name).write_bytes(data)
    return folder


def everything(tmp_path: Path) -> dict[str, bytes | None]:
    """Every path under tmp_path, hidden ones included (None for a folder)."""
    return {
        str(p.relative_to(tmp_path)): (p.read_bytes() if p.is_file() else None) for p in sorted(tmp_path.rglob("*"))
    }


def fetch(server, dest: Path, *args: str):
    return CliRunner().invoke(cli, ["download", "--base-url", server.base_url, "--dest", str(dest), *args])


def assert_refused(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, (result.output, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def gets(server, asset: str) -> int:
    return server.requests.count(("GET", f"{TAG}/{asset}"))


# --- permanent faults: refused, retried only when the fault could be transient ------------

PERMANENT = [
    # (fault, asset, format, exit code, message, GETs of the asset)
    ("reset", "bgopendata.duckdb", "duckdb", 2, "ConnectionResetError", 3),
    ("truncated", "exports.csv", "csv", 2, "truncated: received", 3),
    ("stall", "bgopendata.duckdb", "duckdb", 2, "TimeoutError: timed out", 3),
    ("slow", "SHA256SUMS", "csv", 2, "timed out", 3),
    ("length_delta+", "exports.parquet", "parquet", 2, "truncated: received", 3),  # its size is declared nowhere
    # the database descriptor declares the file's size: a longer body cannot be the published file
    ("length_delta+", "bgopendata.duckdb", "duckdb", 1, "SHA-256 mismatch: larger than the", 1),
    ("length_delta-", "exports.csv", "csv", 1, "SHA-256 mismatch", 1),
    ("unsized_drop", "bgopendata.duckdb", "duckdb", 1, "SHA-256 mismatch", 1),
    ("replaced", "exports.csv", "csv", 1, "SHA-256 mismatch", 1),
    ("tampered", "areas.parquet", "parquet", 1, "SHA-256 mismatch", 1),
    ("fail_first", "exports.csv", "csv", 2, "HTTP 503", 3),
    ("fail_first_429", "bgopendata.zip", "zip", 2, "HTTP 429", 3),
    ("fail_first_404", "exports.csv", "csv", 2, "HTTP 404 Not Found (no such release or asset)", 1),
    ("fail_first_403", "bgopendata.zip", "zip", 2, "HTTP 403", 1),
]


def inject(server, fault: str, asset: str, release: Path) -> None:
    if fault in {"reset", "truncated", "unsized_drop", "tampered"}:
        getattr(server, fault).add(asset)
    elif fault in {"stall", "slow"}:
        getattr(server, fault)[asset] = 1.0
    elif fault.startswith("length_delta"):
        server.length_delta[asset] = 100 if fault.endswith("+") else -10
    elif fault == "replaced":  # a row added after SHA256SUMS was published
        server.replaced[asset] = (release / asset).read_bytes() + b"exports-2099,bergamo,,2099\n"
    elif fault.startswith("fail_first"):
        server.fail_first[asset] = 99
        server.fail_status = int(fault.rsplit("_", 1)[1]) if fault[-1].isdigit() else 503
    else:
        raise ValueError(fault)


@pytest.mark.parametrize(
    "fault, asset, fmt, code, message, tries", PERMANENT, ids=[f"{f}-{a}" for f, a, *_ in PERMANENT]
)
def test_a_lasting_fault_is_refused_and_leaves_the_destination_as_it_was(
    fault, asset, fmt, code, message, tries, server, release, dest, tmp_path, pauses
):
    before = everything(tmp_path)
    inject(server, fault, asset, release)
    result = fetch(server, dest, "--format", fmt, "--timeout", "0.3")
    assert_refused(result, code, message, f"/download/{asset}: ")
    if code == 2 and tries == 3:
        assert "gave up after 3 attempts" in result.stderr
    assert gets(server, asset) == tries
    assert pauses == [0.5, 1.0][: tries - 1]  # back-off doubles; none for a lasting answer
    assert everything(tmp_path) == before


def test_a_fault_on_a_new_destination_leaves_no_folder_at_all(server, tmp_path):
    server.reset.add("exports.csv")
    assert_refused(fetch(server, tmp_path / "new" / "data", "--format", "csv"), 2, "ConnectionResetError")
    assert list(tmp_path.iterdir()) == [tmp_path / "new"]  # the parent it made stays; data does not
    assert list((tmp_path / "new").iterdir()) == []


# --- transient faults: one retry after a back-off pause, then the release's exact bytes ------

TRANSIENT = [
    ("reset", "bgopendata.duckdb", "duckdb"),
    ("truncated", "bgopendata.duckdb", "duckdb"),
    ("stall", "exports.parquet", "parquet"),
    ("slow", "SHA256SUMS", "zip"),
    ("length_delta+", "bgopendata.zip", "zip"),
    ("fail_first", "exports.csv", "csv"),
]


@pytest.mark.parametrize("fault, asset, fmt", TRANSIENT, ids=[f"{f}-{a}" for f, a, _ in TRANSIENT])
def test_a_passing_fault_is_retried_after_a_pause_and_the_files_are_exact(
    fault, asset, fmt, server, release, dest, pauses
):
    inject(server, fault, asset, release)
    server.fail_first[asset] = min(server.fail_first.get(asset, 0), 1)
    server.budget[asset] = 1
    result = fetch(server, dest, "--format", fmt, "--timeout", "0.3")
    assert result.exit_code == 0, result.stderr
    assert gets(server, asset) == 2 and pauses == [0.5]
    for line in result.stdout.splitlines():
        name = Path(line).name
        if fmt in ("parquet", "duckdb") and name == "SHA256SUMS":
            continue  # lists the folder's own names; tests/test_archives.py checks it
        if fmt in ("parquet", "duckdb") and name == "datapackage.json":
            name = f"datapackage.{fmt}.json"  # the format's descriptor, saved as the package's
        assert Path(line).read_bytes() == (release / name).read_bytes()
    assert sorted(p.name for p in dest.iterdir() if p.name.startswith(".")) == []


# --- redirects ---------------------------------------------------------------------------


def test_a_redirect_loop_is_refused_without_a_retry(server, dest, tmp_path, pauses):
    before = everything(tmp_path)
    server.redirects.update(
        {"/latest/download/SHA256SUMS": "/mirror/SHA256SUMS", "/mirror/SHA256SUMS": "/latest/download/SHA256SUMS"}
    )
    result = fetch(server, dest)
    assert_refused(result, 2, "redirect loop: the server kept redirecting (HTTP 302)")
    assert 2 <= server.fired["redirect"] <= 12 and pauses == []
    assert everything(tmp_path) == before


@pytest.mark.parametrize(
    "location, message",
    [
        ("file:///etc/passwd", "Redirection to url 'file:///etc/passwd' is not allowed"),
        ("ftp://127.0.0.1:9/SHA256SUMS", "refused a redirect (HTTP 302) to 'ftp://127.0.0.1:9/SHA256SUMS'"),
    ],
)
def test_a_redirect_off_http_is_refused(location, message, server, dest, tmp_path, pauses):
    before = everything(tmp_path)
    server.redirects[f"{TAG}/SHA256SUMS"] = location
    assert_refused(fetch(server, dest, "--version", "v0.9.0"), 2, message)
    assert pauses == [] and everything(tmp_path) == before


def test_an_https_to_http_redirect_is_refused():
    handler = download_module._CheckedRedirects()
    request = download_module.urllib.request.Request("https://example.org/releases/latest/download/SHA256SUMS")
    with pytest.raises(download_module.UnusableInput, match="never from https to http"):
        handler.redirect_request(request, None, 302, "Found", {}, "http://example.org/SHA256SUMS")
    assert handler.redirect_request(request, None, 302, "Found", {}, "https://cdn.example.org/x") is not None


# --- a SHA256SUMS that cannot be trusted, and destinations that cannot take the files ------


@pytest.mark.parametrize(
    "sums, message",
    [
        (b"<html><body>Sign in to the Wi-Fi</body></html>\n", "SHA256SUMS:1: not a 'sha256 name' line"),
        (b"0" * 64 + b"  ../../etc/cron.d/evil\n", "SHA256SUMS:1: not a 'sha256 name' line"),
        (b"", "SHA256SUMS: lists no file"),
        (b"0" * 64 + b"  bgopendata.duckdb\n", "SHA-256 mismatch"),
    ],
)
def test_an_untrustworthy_sha256sums_is_refused(sums, message, server, dest, tmp_path):
    before = everything(tmp_path)
    server.replaced["SHA256SUMS"] = sums
    result = fetch(server, dest, "--format", "duckdb")
    assert_refused(result, 1 if "mismatch" in message else 2, message)
    assert everything(tmp_path) == before


def test_an_oversized_sha256sums_is_refused_from_its_header(server, dest, tmp_path):
    before = everything(tmp_path)
    server.length_delta["SHA256SUMS"] = 2_000_000
    assert_refused(fetch(server, dest), 2, "more than the 1048576 expected")
    assert everything(tmp_path) == before


def test_a_folder_in_the_way_is_found_before_any_file_moves(server, dest, tmp_path):
    (dest / "sectors.csv").mkdir()
    before = everything(tmp_path)
    result = fetch(server, dest, "--format", "csv")
    assert_refused(result, 2, "sectors.csv is a folder here", "nothing was written")
    assert everything(tmp_path) == before  # areas.csv, sorted before it, was not moved in either


def test_an_interrupted_download_leaves_nothing(server, dest, tmp_path):
    before = everything(tmp_path)

    def interrupt(name, received, total):
        if name == "exports.csv":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_module.download("v0.9.0", "csv", dest, server.base_url, progress=interrupt)
    assert everything(tmp_path) == before


def test_a_refused_connection_is_retried_then_one_line(tmp_path, pauses):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(
        cli, ["download", "--base-url", f"http://127.0.0.1:{port}", "--dest", str(tmp_path / "data")]
    )
    assert_refused(result, 2, "Connection refused", "gave up after 3 attempts")
    assert pauses == [0.5, 1.0] and list(tmp_path.iterdir()) == []


def test_a_hash_mismatch_raises_invalid_data_from_python_after_one_request(server, release, tmp_path):
    server.replaced["bgopendata.duckdb"] = b"a different database"
    with pytest.raises(InvalidData, match="SHA-256 mismatch"):
        download_module.download("v0.9.0", "duckdb", tmp_path / "d", server.base_url)
    assert gets(server, "bgopendata.duckdb") == 1 and not (tmp_path / "d").exists()


def test_a_killed_download_leaves_only_a_temporary_folder_which_the_next_one_removes(server, release, dest, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    before = everything(tmp_path)
    server.stall["exports.csv"] = 30.0
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("bgopendata")),
            "download",
            "--base-url",
            server.base_url,
            "--dest",
            str(dest),
            "--format",
            "csv",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not server.fired.get("stall") and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    left = {k: v for k, v in everything(tmp_path).items() if ".bgopendata-download-" not in k}
    assert left == before  # the older copies are untouched; only the staging folder is new
    staging = [p for p in dest.iterdir() if p.name.startswith(".bgopendata-download-")]
    assert [p.name.split("-")[2] for p in staging] == [str(proc.pid)]
    live = dest / f".bgopendata-download-{os.getpid()}-busy"  # a download still running
    live.mkdir()
    server.stall.clear()
    result = fetch(server, dest, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in dest.iterdir() if p.name.startswith(".")) == [live.name]
    assert (dest / "exports.csv").read_bytes() == (release / "exports.csv").read_bytes()


def test_a_destination_inside_a_file_is_one_line_before_any_request(server, tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    result = fetch(server, blocker / "csv")
    assert_refused(result, 2, f"{blocker / 'csv'}: cannot write the files here: Not a directory")
    assert server.requests == [] and blocker.read_text() == "not a folder"
