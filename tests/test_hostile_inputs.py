"""The second round of hostile inputs (issue classes 1-10), beyond tests/test_bad_inputs.py.

Each test names its class: names that would become paths (1), anything fetched unasked (2),
release folders trusted (3), special files (4), unbounded work (5), lenient parsing (6),
``query`` over an unchecked package (7), download checksums and terminal escapes (8),
messages naming the wrong thing (9) and the sharp edges (10). Every refusal is one line,
a non-zero exit, no traceback, and nothing written outside its output folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

import bgopendata.access.download as download_module
from bgopendata.checksums import parse_sums
from bgopendata.cli import cli
from bgopendata.errors import UnusableInput

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini"
RELEASE_FIXTURE = Path(__file__).parent / "fixtures" / "release"
BGOPENDATA = Path(sys.executable).with_name("bgopendata")
HEADER = "figure_id,geo,year,value,unit\n"
ROW = "exports-2013-bergamo,bergamo,2013,13.1,EUR_bn\n"


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture()
def pkg(tmp_path) -> Path:
    folder = tmp_path / "pkg"
    shutil.copytree(MINI, folder)
    return folder


def edit(pkg: Path, change) -> None:
    descriptor = json.loads((pkg / "datapackage.json").read_text("utf-8"))
    change(descriptor)
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def one_line_refusal(result, code: int = 2, *fragments: str) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return result.stderr


def validate(pkg: Path, *extra: str):
    return CliRunner().invoke(cli, ["validate", "--format", "json", *extra, str(pkg)])


def problems(result) -> list[dict]:
    return json.loads(result.stdout)["problems"]


def everything(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): (
            "dir"
            if p.is_dir() and not p.is_symlink()
            else "-> " + os.readlink(p)
            if p.is_symlink()
            else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(folder.rglob("*"))
    }


@contextlib.contextmanager
def counting_server():
    """An HTTP server on 127.0.0.1 that records every request it gets (and serves '{}')."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    from bgopendata.publish.build import build

    return build(RELEASE_FIXTURE, tmp_path_factory.mktemp("rel") / "dist").path


@pytest.fixture()
def release_copy(release, tmp_path) -> Path:
    folder = tmp_path / "release"
    shutil.copytree(release, folder)
    return folder


# --- 1. a name becomes a path ---------------------------------------------------------------

NAMES = [
    ("../../x", "may hold only lower-case"),
    ("sub/facts", "may hold only lower-case"),
    ("Facts", "may hold only lower-case"),
    (".hidden", "must not start with '.'"),
    ("..", "must not start with '.'"),
    ("f\u0430cts", "U+0430 (CYRILLIC SMALL LETTER A)"),
    ("facts\u200b", "U+200B (ZERO WIDTH SPACE)"),
    ("facts\x1b[2J", "may hold only lower-case"),
]


@pytest.mark.parametrize("name, reason", NAMES, ids=[repr(n) for n, _ in NAMES])
def test_class1_a_resource_name_outside_the_data_package_rules_is_refused_naming_the_property(name, reason, pkg):
    def rename(d):
        d["resources"][1]["name"] = name

    edit(pkg, rename)
    stderr = one_line_refusal(validate(pkg), 2, "[resources[1].name]", "is not a Data Package name", reason)
    assert "\x1b" not in stderr


def test_class1_build_writes_nothing_outside_out_whatever_the_name(pkg, tmp_path):
    edit(pkg, lambda d: d["resources"][1].update(name="../../x"))
    before = everything(tmp_path)
    one_line_refusal(
        CliRunner().invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "a" / "b" / "out")]), 2, "resources[1].name"
    )
    assert everything(tmp_path) == before


def test_class1_writers_refuse_a_file_name_that_leaves_their_folder(tmp_path):
    from bgopendata.names import file_inside

    for bad in ("../x.csv", "/etc/x.csv", "a/b.csv", "..", ".x.csv", "a\\b.csv", "x\x00.csv", ""):
        with pytest.raises(UnusableInput, match="not a plain file name"):
            file_inside(tmp_path, bad)
    assert file_inside(tmp_path, "facts.csv") == tmp_path / "facts.csv"


def test_class1_a_release_descriptor_with_a_bad_name_is_refused_by_query(release_copy):
    descriptor = json.loads((release_copy / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["name"] = "Areas"
    data = json.dumps(descriptor).encode()
    (release_copy / "datapackage.json").write_bytes(data)
    _rewrite_sum(release_copy, "datapackage.json")
    one_line_refusal(
        CliRunner().invoke(cli, ["query", "--release", str(release_copy), "SELECT 1"]),
        2,
        "[resources[0].name]",
        "is not a Data Package name",
    )


def _rewrite_sum(folder: Path, name: str) -> None:
    sums = parse_sums((folder / "SHA256SUMS").read_text("utf-8"), shown="SHA256SUMS")
    sums[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    from bgopendata.checksums import format_sums

    (folder / "SHA256SUMS").write_text(format_sums(sums), encoding="utf-8")


# --- 2. nothing is fetched that nobody asked for -----------------------------------------

PROFILES = [
    ("package profile", lambda d, url: d.update(profile=f"{url}/profile.json"), "[profile]"),
    ("package $schema", lambda d, url: d.update({"$schema": f"{url}/dp.json"}), "[$schema]"),
    ("resource profile", lambda d, url: d["resources"][1].update(profile=f"{url}/res.json"), "[resources[1].profile]"),
    (
        "resource $schema",
        lambda d, url: d["resources"][0].update({"$schema": f"{url}/r.json"}),
        "[resources[0].$schema]",
    ),
    (
        "table schema $schema",
        lambda d, url: d["resources"][1]["schema"].update({"$schema": f"{url}/ts.json"}),
        "[$schema]",
    ),
    ("fiscal profile (fetched by frictionless)", lambda d, url: d.update(profile="fiscal-data-package"), "[profile]"),
]


@pytest.mark.parametrize("label, change, field", PROFILES, ids=[p[0] for p in PROFILES])
def test_class2_an_unknown_profile_is_refused_and_never_fetched(label, change, field, pkg):
    with counting_server() as (url, seen):
        edit(pkg, lambda d: change(d, url))
        one_line_refusal(validate(pkg), 2, field, "not a standard Data Package profile", "never fetches")
    assert seen == []


def test_class2_standard_profile_urls_are_resolved_offline(pkg, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError(f"validate tried the network: {args[:1]}")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    import requests

    monkeypatch.setattr(requests.Session, "request", no_network)
    for key, profile in [
        ("profile", "https://specs.frictionlessdata.io/schemas/data-package.json"),
        ("$schema", "https://datapackage.org/profiles/2.0/datapackage.json"),
    ]:
        edit(pkg, lambda d, key=key, profile=profile: d.update({key: profile}))
        result = validate(pkg)
        assert result.exit_code == 0, (profile, result.stdout, result.stderr)


# --- 3. a release folder is not trusted --------------------------------------------------


def test_class3_query_refuses_a_release_file_that_is_a_symlink_out_of_the_folder(release_copy, tmp_path):
    outside = tmp_path / "private.parquet"
    shutil.copyfile(release_copy / "areas.parquet", outside)
    (release_copy / "areas.parquet").unlink()
    (release_copy / "areas.parquet").symlink_to(outside)
    result = CliRunner().invoke(cli, ["query", "--release", str(release_copy), "SELECT count(*) FROM areas"])
    one_line_refusal(result, 2, "areas.parquet is a symlink", "SHA256SUMS")


def test_class3_query_refuses_a_release_whose_file_does_not_match_its_sum(release_copy):
    (release_copy / "areas.parquet").write_bytes(b"PAR1 not the published file")
    result = CliRunner().invoke(cli, ["query", "--release", str(release_copy), "SELECT count(*) FROM areas"])
    one_line_refusal(result, 2, "areas.parquet does not match its SHA-256 sum")


def test_class3_query_refuses_a_release_without_sha256sums(release_copy):
    (release_copy / "SHA256SUMS").unlink()
    result = CliRunner().invoke(cli, ["query", "--release", str(release_copy), "SELECT count(*) FROM areas"])
    one_line_refusal(result, 2, "no SHA256SUMS")


def test_class3_query_refuses_a_descriptor_not_listed_in_the_sums(release_copy):
    sums = (release_copy / "SHA256SUMS").read_text("utf-8")
    (release_copy / "SHA256SUMS").write_text(
        "".join(line + "\n" for line in sums.splitlines() if not line.endswith("datapackage.json")), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["query", "--release", str(release_copy), "SELECT count(*) FROM areas"])
    one_line_refusal(result, 2, "datapackage.json is not listed in SHA256SUMS")


def test_class3_a_special_file_in_a_release_is_refused(release_copy):
    (release_copy / "areas.parquet").unlink()
    os.mkfifo(release_copy / "areas.parquet")
    from bgopendata.release_folder import open_release

    with pytest.raises(UnusableInput, match=r"areas\.parquet is a named pipe"):
        open_release(release_copy)


def test_class3_site_publishes_only_the_files_the_sums_list(release_copy, tmp_path):
    from bgopendata.portal.site import build_site

    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    (release_copy / "notes.txt").write_text("not part of the release")
    (release_copy / "key.txt").symlink_to(secret)
    site = build_site(ROOT, tmp_path / "site", release=release_copy)
    published = sorted(p.name for p in (site / "download").iterdir())
    listed = parse_sums((release_copy / "SHA256SUMS").read_text("utf-8"), shown="x")
    assert published == sorted([*listed, "SHA256SUMS"])
    assert not any("PRIVATE KEY" in p.read_text(errors="replace") for p in site.rglob("*") if p.is_file())


def test_class3_site_refuses_a_release_with_a_symlinked_listed_file(release_copy, tmp_path):
    from bgopendata.portal.site import build_site

    secret = tmp_path / "secret.csv"
    shutil.copyfile(release_copy / "areas.csv", secret)
    (release_copy / "areas.csv").unlink()
    (release_copy / "areas.csv").symlink_to(secret)
    with pytest.raises(UnusableInput, match=r"areas\.csv is a symlink"):
        build_site(ROOT, tmp_path / "site", release=release_copy)
    assert not (tmp_path / "site").exists()


def test_class3_metadata_refuses_a_release_with_a_symlinked_listed_file(release_copy, tmp_path):
    # DCAT distributions advertise each file's checksum: a listed file that is a link out of
    # the folder would publish a checksum of something else
    secret = tmp_path / "secret.csv"
    shutil.copyfile(release_copy / "areas.csv", secret)
    (release_copy / "areas.csv").unlink()
    (release_copy / "areas.csv").symlink_to(secret)
    result = CliRunner().invoke(cli, ["metadata", "--release", str(release_copy), str(ROOT)])
    one_line_refusal(result, 2, "areas.csv is a symlink", "SHA256SUMS")


# --- 4. special files neither hang nor get replaced --------------------------------------


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """A real process with a time bound: a hang fails the test instead of the suite."""
    return subprocess.run([str(BGOPENDATA), *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("target", ["datapackage.json", "resources/facts.csv", "schemas/facts.json"])
def test_class4_a_named_pipe_in_the_package_is_refused_without_blocking(target, pkg):
    if target.startswith("schemas/"):
        (pkg / "schemas").mkdir()
        descriptor = json.loads((pkg / "datapackage.json").read_text("utf-8"))
        descriptor["resources"][1]["schema"] = "schemas/facts.json"
        (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    else:
        (pkg / target).unlink()
    os.mkfifo(pkg / target)
    done = run_cli("validate", str(pkg))
    assert done.returncode == 2, done.stderr
    assert "is a named pipe" in done.stderr and "not found" not in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_class4_an_atomic_write_never_replaces_a_named_pipe_or_a_socket(tmp_path):
    from bgopendata.atomic import write_text_atomically

    fifo = tmp_path / "out.ttl"
    os.mkfifo(fifo)
    with pytest.raises(UnusableInput, match="is a named pipe, not a regular file"):
        write_text_atomically(fifo, "data")
    assert fifo.is_fifo()
    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(UnusableInput, match="is a socket"):
            write_text_atomically(sock_path, "data")
        assert sock_path.is_socket()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl", "s"]


def test_class4_build_out_naming_a_pipe_says_so(tmp_path):
    fifo = tmp_path / "dist"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["build", str(MINI), "--out", str(fifo)])
    one_line_refusal(result, 2, "is a named pipe, not a folder")
    assert fifo.is_fifo()


def test_class4_download_refuses_a_named_pipe_in_the_way(server, tmp_path, monkeypatch):
    monkeypatch.setattr(download_module, "time", types.SimpleNamespace(sleep=lambda s: None))
    dest = tmp_path / "data"
    dest.mkdir()
    os.mkfifo(dest / "bgopendata.duckdb")
    result = CliRunner().invoke(
        cli, ["download", "--base-url", server.base_url, "--dest", str(dest), "--format", "duckdb"]
    )
    one_line_refusal(result, 2, "bgopendata.duckdb is a named pipe here", "nothing was written")
    assert (dest / "bgopendata.duckdb").is_fifo() and sorted(p.name for p in dest.iterdir()) == ["bgopendata.duckdb"]


# --- 5. bounded work ---------------------------------------------------------------------

EVIL = "a" * 40 + "!"


@pytest.mark.parametrize("pattern", ["(a+)+", "(a|aa)+", "(a*)*b?"])
def test_class5_a_catastrophic_pattern_ends_with_the_same_verdict_on_both_engines(pattern, pkg):
    def evil(d):
        d["resources"][1]["schema"]["fields"][4]["constraints"] = {"pattern": pattern}
        d["resources"][1]["schema"]["fields"][4]["type"] = "string"

    edit(pkg, evil)
    (pkg / "resources/facts.csv").write_text(HEADER + ROW.replace("EUR_bn", EVIL), encoding="utf-8")
    verdicts = []
    for engine in ("pandas", "duckdb"):
        done = run_cli("validate", "--engine", engine, "--format", "json", str(pkg), timeout=90)
        assert done.returncode == 1, (engine, done.stderr)
        found = [(p["line"], p["fields"]) for p in json.loads(done.stdout)["problems"] if p["severity"] == "error"]
        verdicts.append(found)
    assert verdicts[0] == verdicts[1] == [(2, ["unit"])]


def test_class5_a_pattern_re2_cannot_run_is_refused_in_one_line(pkg):
    edit(pkg, lambda d: d["resources"][1]["schema"]["fields"][0]["constraints"].update(pattern="(?=x)[a-z-]+"))
    one_line_refusal(validate(pkg), 2, "[figure_id]", "RE2")


def test_class5_a_dripping_server_is_cut_off_at_the_file_deadline(server, tmp_path, monkeypatch):
    monkeypatch.setattr(download_module, "time", types.SimpleNamespace(sleep=lambda s: None))
    monkeypatch.setattr(download_module, "FILE_DEADLINE_SECONDS", 1.0)
    server.drip["exports.csv"] = 0.05  # each read is quick; the whole file would take half a minute
    result = CliRunner().invoke(
        cli,
        ["download", "--base-url", server.base_url, "--dest", str(tmp_path / "d"), "--format", "csv", "--timeout", "5"],
    )
    one_line_refusal(result, 2, "the deadline for one file", "exports.csv")
    assert not (tmp_path / "d").exists()
    assert server.requests.count(("GET", "/download/v0.9.0/exports.csv")) == 1


def test_class5_the_deadline_is_a_python_argument_too(server, tmp_path):
    server.drip["SHA256SUMS"] = 0.05
    with pytest.raises(UnusableInput, match=r"took more than 0\.5 s"):
        download_module.download("v0.9.0", "duckdb", tmp_path / "d", server.base_url, deadline=0.5)


def test_class5_a_body_larger_than_the_release_declares_is_not_read_to_the_end(server, release, tmp_path):
    declared = json.loads((release / "datapackage.json").read_text("utf-8"))
    size = next(r["bytes"] for r in declared["resources"] if r["path"] == "exports.csv")
    server.replaced["exports.csv"] = b"x" * (5 << 20)  # 5 MB where the release declares a few hundred bytes
    server.length_delta["exports.csv"] = -(5 << 20) + size + 10  # a Content-Length that looks plausible
    result = CliRunner().invoke(
        cli, ["download", "--base-url", server.base_url, "--dest", str(tmp_path / "d"), "--format", "csv"]
    )
    one_line_refusal(result, 1, f"larger than the {size} bytes the release declares", "reading stopped there")
    assert not (tmp_path / "d").exists()


def test_class5_an_oversized_content_length_is_refused_from_its_header(server, release, tmp_path):
    server.length_delta["areas.csv"] = 200 << 20
    result = CliRunner().invoke(
        cli, ["download", "--base-url", server.base_url, "--dest", str(tmp_path / "d"), "--format", "csv"]
    )
    one_line_refusal(result, 1, "bytes the release declares")


# --- 6. one reading of JSON and numbers --------------------------------------------------


def test_class6_a_duplicate_key_in_the_descriptor_is_refused(pkg):
    text = (pkg / "datapackage.json").read_text("utf-8")
    (pkg / "datapackage.json").write_text(
        text.replace('"name": "mini",', '"name": "mini", "name": "other",', 1), encoding="utf-8"
    )
    one_line_refusal(validate(pkg), 2, "datapackage.json", "'name' appears twice")


def test_class6_a_duplicate_key_deep_in_a_schema_file_is_refused(pkg):
    descriptor = json.loads((pkg / "datapackage.json").read_text("utf-8"))
    (pkg / "schemas").mkdir()
    schema = json.dumps(descriptor["resources"][1]["schema"])
    (pkg / "schemas/facts.json").write_text(
        schema.replace('"required": true', '"required": true, "required": false', 1), encoding="utf-8"
    )
    descriptor["resources"][1]["schema"] = "schemas/facts.json"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    one_line_refusal(validate(pkg), 2, "schemas/facts.json", "'required' appears twice")


@pytest.mark.parametrize("depth", [70, 900, 990])
def test_class6_deep_nesting_is_one_line_naming_the_file(depth, pkg):
    text = (pkg / "datapackage.json").read_text("utf-8")
    (pkg / "datapackage.json").write_text(
        text.replace("{", '{"extra": ' + "[" * depth + "]" * depth + ", ", 1), encoding="utf-8"
    )
    one_line_refusal(validate(pkg), 2, "datapackage.json", "nested more than 64 levels deep")


NUMBERS = [
    ("pandas", "value", "1_778"),
    ("duckdb", "value", "1_778"),
    ("pandas", "value", " 13.1"),
    ("duckdb", "value", " 13.1"),
    ("pandas", "value", "\u0661\u0663"),
    ("pandas", "year", "2_013"),
    ("duckdb", "year", "2_013"),
    ("pandas", "year", "+2013 "),
    ("duckdb", "year", "+2013 "),
]


@pytest.mark.parametrize("engine, field, cell", NUMBERS, ids=[f"{e}-{f}={c!r}" for e, f, c in NUMBERS])
def test_class6_python_only_number_syntax_is_refused_by_validate_on_both_engines(engine, field, cell, pkg):
    row = ROW.replace(",13.1,", f",{cell},") if field == "value" else ROW.replace(",2013,", f",{cell},")
    (pkg / "resources/facts.csv").write_text(HEADER + row, encoding="utf-8")
    result = validate(pkg, "--engine", engine)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    found = problems(result)[0]
    assert (found["path"], found["line"], found["fields"]) == ("resources/facts.csv", 2, [field])
    assert found["code"] == "structure/type-error"


def test_class6_query_refuses_a_number_validate_refuses(pkg):
    from bgopendata.access.query import run

    (pkg / "resources/facts.csv").write_text(HEADER + ROW + "exports-x,bergamo,,-1.5e2,EUR_bn\n", encoding="utf-8")
    assert run("SELECT year, value FROM facts ORDER BY value", package=pkg).rows == [(None, -150.0), (2013, 13.1)]
    (pkg / "resources/facts.csv").write_text(HEADER + ROW.replace(",13.1,", ",1_778,"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", "--package", str(pkg), "SELECT sum(value) FROM facts"])
    one_line_refusal(result, 2, "resources/facts.csv [value]: not a Table Schema number: 1_778")


# --- 7. query checks the header against the schema ---------------------------------------

HEADERS = [
    ("swapped", "figure_id,geo,value,year,unit\n", "column 3 is 'value', the schema says 'year'"),
    ("missing", "figure_id,geo,year,value\n", "column 5 is nothing, the schema says 'unit'"),
    ("extra", "figure_id,geo,year,value,unit,note\n", "column 6 is 'note', the schema says no column"),
    ("renamed", "figure_id,area,year,value,unit\n", "column 2 is 'area', the schema says 'geo'"),
]


@pytest.mark.parametrize("label, header, message", HEADERS, ids=[h[0] for h in HEADERS])
def test_class7_query_refuses_a_header_that_does_not_match_the_schema(label, header, message, pkg):
    body = ROW if label != "missing" else ROW.rsplit(",", 1)[0] + "\n"
    body = body if label != "extra" else ROW.rstrip("\n") + ",x\n"
    (pkg / "resources/facts.csv").write_text(header + body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", "--package", str(pkg), "SELECT year FROM facts"])
    one_line_refusal(result, 2, "resources/facts.csv:1", "the header does not match the schema", message)


# --- 8. download checksums as sha256sum -c reads them; no raw control characters ----------

GOOD = "ab" * 32


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"{GOOD.upper()}  a.csv\n", {"a.csv": GOOD}),
        (f"{GOOD.upper()}  a.csv\r\n{GOOD}  b.csv\r\n", {"a.csv": GOOD, "b.csv": GOOD}),
        (f"{GOOD.upper()} *a.csv\n", {"a.csv": GOOD}),
        (f"{GOOD}  a.csv\n{GOOD.upper()}  a.csv\n", {"a.csv": GOOD}),
    ],
)
def test_class8_sums_are_read_as_gnu_sha256sum_reads_them(text, expected):
    assert parse_sums(text, shown="SHA256SUMS") == expected


@pytest.mark.parametrize(
    "text, message",
    [
        (f"{GOOD}  a.csv\n{'cd' * 32}  a.csv\n", "'a.csv' is listed twice with different sums"),
        (f"{GOOD}  a\x1b[2J.csv\n", "control character"),
        (f"{GOOD}  a\tb.csv\n", "control character"),
        (f"{GOOD}  a\x7f.csv\n", "control character"),
    ],
)
def test_class8_ambiguous_or_hostile_sums_are_refused(text, message):
    with pytest.raises(UnusableInput, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_sums(text, shown="SHA256SUMS")


def test_class8_a_release_with_upper_case_crlf_sums_downloads(server, release, tmp_path):
    sums = (release / "SHA256SUMS").read_text("utf-8")
    server.replaced["SHA256SUMS"] = "".join(
        f"{line[:64].upper()}{line[64:]}\r\n" for line in sums.splitlines()
    ).encode()
    result = CliRunner().invoke(
        cli, ["download", "--base-url", server.base_url, "--dest", str(tmp_path / "d"), "--format", "duckdb"]
    )
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "d/bgopendata.duckdb").read_bytes() == (release / "bgopendata.duckdb").read_bytes()


def test_class8_a_reason_phrase_with_terminal_escapes_is_shown_escaped(server, tmp_path):
    server.reason["SHA256SUMS"] = (404, "Not Found\x1b]0;pwned\x07\x1b[2J")
    result = CliRunner().invoke(cli, ["download", "--base-url", server.base_url, "--dest", str(tmp_path / "d")])
    stderr = one_line_refusal(result, 2, "HTTP 404", "\\x1b]0;pwned\\x07")
    assert "\x1b" not in stderr and "\x07" not in stderr


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:notaport", "is malformed"),
        ("http://[::1", "is malformed"),
        ("http:///no-host", "is malformed"),
        ("http://127.0.0.1/a b", "is malformed"),
    ],
)
def test_class8_a_malformed_url_is_refused_at_once_not_retried(url, message, tmp_path, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(download_module, "time", types.SimpleNamespace(sleep=pauses.append))
    result = CliRunner().invoke(cli, ["download", "--base-url", url, "--dest", str(tmp_path / "d")])
    one_line_refusal(result, 2, message)
    assert pauses == [] and not (tmp_path / "d").exists()


def test_class8_control_characters_in_any_error_are_escaped(pkg):
    edit(pkg, lambda d: d["resources"][1].update(path="resources/\x1b[31mred\x1b[0m.csv"))
    stderr = one_line_refusal(validate(pkg), 2)
    assert "\x1b" not in stderr and "\\x1b[31m" in stderr


# --- 9. messages name the file, resource, property or statement ---------------------------


def test_class9_a_gzip_file_in_place_of_a_csv_is_named_by_query(pkg):
    import gzip

    (pkg / "resources/facts.csv").write_bytes(gzip.compress((HEADER + ROW).encode()))
    result = CliRunner().invoke(cli, ["query", "--package", str(pkg), "SELECT * FROM facts"])
    one_line_refusal(result, 2, "resources/facts.csv", "gzip-compressed")
    result = validate(pkg)  # and validate, as before, names the file
    assert result.exit_code == 1 and problems(result)[0]["path"] == "resources/facts.csv"


@pytest.mark.parametrize(
    "sql, kind",
    [
        ("INSTALL httpfs", "INSTALL"),
        ("FORCE INSTALL httpfs", "FORCE INSTALL"),
        ("/* hi */ install httpfs", "INSTALL"),
        ("/* a */\nforce install 'x.ext'", "FORCE INSTALL"),
    ],
)
def test_class9_install_is_refused_as_install(sql, kind):
    result = CliRunner().invoke(cli, ["query", "--package", str(RELEASE_FIXTURE), sql])
    one_line_refusal(result, 2, f"refused {kind} statement")


def test_class9_a_confusable_name_names_the_resource_and_property_not_just_invalid(pkg):
    edit(pkg, lambda d: d["resources"][0].update(name="\u0430reas"))
    stderr = one_line_refusal(validate(pkg), 2, "[resources[0].name]", "resource name", "CYRILLIC")
    assert "descriptor is not valid" not in stderr


# --- 10. sharp edges ---------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://x.example","click")',
    "@SUM(A1:A9)",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|'/C calc'!A0",
    "\t=1+1",
]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
@pytest.mark.parametrize("cell", FORMULAS, ids=[repr(c) for c in FORMULAS])
def test_class10_a_formula_cell_is_a_warning_in_validate(cell, engine, pkg):
    quoted = '"' + cell.replace('"', '""') + '"'
    with (pkg / "resources/areas.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"zzz,{quoted}\n")
    result = validate(pkg, "--engine", engine)
    assert result.exit_code == 0, result.stdout
    warned = [p for p in problems(result) if p["code"] == "structure/formula-injection"]
    assert [(w["path"], w["fields"], w["severity"]) for w in warned] == [("resources/areas.csv", ["name"], "warning")]


@pytest.mark.parametrize("cell", ["+350%", "-3.5", "- a dash", "@bergamo", "Bergamo (BG)", "="])
def test_class10_ordinary_text_is_not_called_a_formula(cell):
    import re

    from bgopendata.formulas import FORMULA, looks_like_formula

    assert not looks_like_formula(cell) and not re.match(FORMULA, cell)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT value FROM duckdb_settings()",
        "SELECT current_setting('secret_directory'), current_setting('home_directory'), "
        "current_setting('extension_directory')",
    ],
)
def test_class10_query_shows_no_path_of_this_machine(sql):
    from bgopendata.access.query import run

    home = str(Path.home())
    values = [str(v) for row in run(sql, package=RELEASE_FIXTURE).rows for v in row]
    assert not [v for v in values if home in v or "/.duckdb" in v]


def test_class10_build_removes_only_what_the_older_release_listed(release_copy, tmp_path):
    (release_copy / "my-notes.txt").write_text("mine")
    (release_copy / "plots").mkdir()
    (release_copy / "plots" / "a.svg").write_text("<svg/>")
    (release_copy / "old-table.csv").write_text("a\n1\n")
    with (release_copy / "SHA256SUMS").open("a") as sums:
        sums.write(hashlib.sha256(b"a\n1\n").hexdigest() + "  old-table.csv\n")
    result = CliRunner().invoke(cli, ["build", str(RELEASE_FIXTURE), "--out", str(release_copy)])
    assert result.exit_code == 0, result.stderr
    assert (release_copy / "my-notes.txt").read_text() == "mine"
    assert (release_copy / "plots" / "a.svg").read_text() == "<svg/>"
    assert not (release_copy / "old-table.csv").exists()
    listed = parse_sums((release_copy / "SHA256SUMS").read_text("utf-8"), shown="x")
    assert "my-notes.txt" not in listed and "areas.csv" in listed


def test_class10_build_refuses_when_an_unlisted_file_would_be_overwritten(release_copy):
    sums = (release_copy / "SHA256SUMS").read_text("utf-8")
    (release_copy / "SHA256SUMS").write_text(
        "".join(line + "\n" for line in sums.splitlines() if not line.endswith(" areas.csv")), encoding="utf-8"
    )
    (release_copy / "areas.csv").write_text("my own areas\n")
    result = CliRunner().invoke(cli, ["build", str(RELEASE_FIXTURE), "--out", str(release_copy)])
    one_line_refusal(result, 2, "areas.csv is not listed in the older release's SHA256SUMS")
    assert (release_copy / "areas.csv").read_text() == "my own areas\n"


def test_class8_a_cell_with_terminal_escapes_is_reported_escaped(pkg):
    (pkg / "resources/facts.csv").write_text(HEADER + ROW.replace(",2013,", ",20\x1b[2J13,"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(pkg)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\\x1b[2J" in result.output
