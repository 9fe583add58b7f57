"""``bgopendata.sqlite``: keys, types and column descriptions, read by a real Datasette."""

from __future__ import annotations

import csv
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bgopendata.publish.build import build
from conftest import ROOT

pytest.importorskip("datasette")


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("rel") / "dist").path


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_tables_have_their_keys_types_and_descriptions(release):
    con = sqlite3.connect(release / "bgopendata.sqlite")
    columns = {row[1]: row for row in con.execute("PRAGMA table_info(province_exports)")}
    assert columns["figure_id"][5] == 1  # the primary key
    assert columns["value"][2] == "REAL" and columns["period"][2] == "TEXT"
    references = {(row[3], row[2], row[4]) for row in con.execute("PRAGMA foreign_key_list(province_exports)")}
    assert ("geo", "areas", "area_id") in references
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("SELECT istat_code FROM areas WHERE area_id = 'bergamo'").fetchone() == ("016",)
    assert con.execute("SELECT typeof(period) FROM province_exports WHERE period = '2013' LIMIT 1").fetchone() == (
        "text",
    )
    described = dict(
        con.execute("SELECT column_name, description FROM bgopendata_columns WHERE table_name = 'province_exports'")
    )
    assert described["period"].startswith("Reference year")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert tables == {r["name"] for r in descriptor["resources"]} | {"bgopendata_columns"}


def test_the_sqlite_file_is_listed_in_the_sums_and_its_descriptor(release):
    from bgopendata.checksums import parse_sums, sha256_file

    sums = parse_sums((release / "SHA256SUMS").read_text(encoding="utf-8"), shown="SHA256SUMS")
    assert sums["bgopendata.sqlite"] == sha256_file(release / "bgopendata.sqlite")
    assert "datasette-metadata.json" in sums
    descriptor = json.loads((release / "datapackage.sqlite.json").read_text(encoding="utf-8"))
    hashes = {r["path"]: r["hash"] for r in descriptor["resources"]}
    assert hashes["bgopendata.sqlite"] == f"sha256:{sums['bgopendata.sqlite']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture()
def datasette(release):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(release / "bgopendata.sqlite"),
            "--metadata",
            str(release / "datasette-metadata.json"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # until it answers, or gave up after about 20 s
            try:
                get_json(f"{base}/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"datasette exited: {proc.stdout.read().decode()[-2000:]}")  # type: ignore[union-attr]
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not answer")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_datasette_serves_a_table_with_the_csv_values_and_types(datasette, release):
    rows = get_json(f"{datasette}/bgopendata/province_exports.json?_shape=array&_size=max")
    expected = csv_rows(release / "province_exports.csv")
    assert [r["figure_id"] for r in rows] == sorted(r["figure_id"] for r in expected)
    by_id = {r["figure_id"]: r for r in expected}
    for row in rows:
        want = by_id[row["figure_id"]]
        assert row["value"] == float(want["value"]) and isinstance(row["value"], float)
        assert row["period"] == (want["period"] or None)  # text: '2013', never 2013
        assert isinstance(row["resolution"], float)
    areas = get_json(f"{datasette}/bgopendata/areas.json?_shape=array&area_id=bergamo")
    assert areas[0]["istat_code"] == "016"
    metadata = get_json(f"{datasette}/-/metadata.json")
    columns = metadata["databases"]["bgopendata"]["tables"]["province_exports"]["columns"]
    assert "given per row in column unit" in columns["value"]
