"""``bgopendata build`` against real components: DuckDB, pyarrow, zip, sha256sum, frictionless."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.publish import assets as assets
from bgopendata.cli import cli
from bgopendata.publish.build import build

FIXTURE = Path(__file__).parent / "fixtures" / "release"
ROOT = Path(__file__).resolve().parent.parent
EXPECTED_ASSETS = sorted([
    "SHA256SUMS", "datapackage.json", "bgopendata.duckdb", "bgopendata.zip",
    "areas.csv", "sectors.csv", "exports.csv", "areas.parquet", "sectors.parquet", "exports.parquet",
])


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("rel") / "dist").path


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_release_holds_exactly_the_documented_assets(release):
    assert sorted(p.name for p in release.iterdir()) == EXPECTED_ASSETS


def test_sha256sums_checks_with_coreutils(release):
    done = subprocess.run(["sha256sum", "--strict", "-c", assets.CHECKSUMS], cwd=release,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = [line.split("  ", 1)[1] for line in (release / assets.CHECKSUMS).read_text().splitlines()]
    assert listed == sorted(n for n in EXPECTED_ASSETS if n != "SHA256SUMS")


def test_two_builds_are_byte_identical(release, tmp_path):
    again = build(FIXTURE, tmp_path / "elsewhere" / "out").path
    for name in EXPECTED_ASSETS:
        assert (again / name).read_bytes() == (release / name).read_bytes(), name


def test_csvs_are_the_package_files_unchanged(release):
    for name in ("areas", "sectors", "exports"):
        assert (release / f"{name}.csv").read_bytes() == (FIXTURE / "resources" / f"{name}.csv").read_bytes()


def test_release_descriptor_carries_bytes_and_hash_and_validates(release):
    import hashlib

    from bgopendata import validate

    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == "0.9.0"
    for res in descriptor["resources"]:
        data = (release / res["path"]).read_bytes()
        assert res["path"] == f"{res['name']}.csv"
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert isinstance(res["schema"], dict) and res["schema"]["fields"]
    report = validate(str(release))  # the release folder is itself a valid data package
    assert report.valid, [p.message for p in report.problems]


def test_duckdb_file_has_typed_tables_keys_and_comments(release):
    import duckdb

    con = duckdb.connect(str(release / "bgopendata.duckdb"), read_only=True)
    try:
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables() ORDER BY 1").fetchall())
        assert tables == {
            "areas": "Areas the figures describe: provinces, regions, countries.",
            "exports": "Export figures by area, sector and year.",
            "sectors": "Economic sectors named by the documents.",
        }
        columns = {(t, c): (ty, com) for t, c, ty, com in con.execute(
            "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
            "WHERE database_name = 'bgopendata'").fetchall()}
        assert columns[("exports", "value")] == ("DOUBLE", "The figure. (unit: see unit column)")
        assert columns[("exports", "resolution")] == ("DOUBLE", "Place value of the last digit as written. (unit: same as value)")
        assert columns[("exports", "year")][0] == "BIGINT"
        assert columns[("exports", "exact")][0] == "BOOLEAN"
        assert columns[("exports", "published")][0] == "DATE"
        assert columns[("areas", "area_id")] == ("VARCHAR", "Stable slug of the area.")
        constraints = {(t, kind, tuple(cols)) for t, kind, cols in con.execute(
            "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints()").fetchall()}
        assert ("exports", "PRIMARY KEY", ("figure_id",)) in constraints
        assert ("exports", "FOREIGN KEY", ("geo",)) in constraints
        assert ("exports", "FOREIGN KEY", ("sector",)) in constraints
        assert ("areas", "FOREIGN KEY", ("parent_id",)) in constraints
        for name in ("areas", "sectors", "exports"):
            count = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            assert count == len(rows_of(FIXTURE / "resources" / f"{name}.csv"))
        assert con.execute("SELECT value, exact, published, sector FROM exports "
                           "WHERE figure_id = 'exports-rank-2013-bergamo'").fetchone() == (4.0, False, None, None)
    finally:
        con.close()


def test_duckdb_enforces_the_foreign_keys(release, tmp_path):
    import duckdb

    copy = tmp_path / "bgopendata.duckdb"
    shutil.copyfile(release / "bgopendata.duckdb", copy)
    con = duckdb.connect(str(copy))
    try:
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO exports (figure_id, geo) VALUES ('x', 'atlantis')")
    finally:
        con.close()


def test_parquet_is_typed_zstd_and_self_documenting(release):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = release / "exports.parquet"
    table = pq.read_table(path)
    schema = table.schema
    assert schema.field("value").type == pa.float64()
    assert schema.field("year").type == pa.int64()
    assert schema.field("exact").type == pa.bool_()
    assert schema.field("published").type == pa.date32()
    assert schema.field("value").metadata[b"unit"] == b"see unit column"
    assert schema.field("value").metadata[b"description"] == b"The figure."
    meta = pq.read_metadata(path)
    kv = meta.metadata
    assert kv[b"description"] == b"Export figures by area, sector and year."
    assert kv[b"bgopendata:resource"] == b"exports"
    fields = json.loads(kv[b"bgopendata:fields"])
    assert [f["name"] for f in fields][:3] == ["figure_id", "geo", "sector"]
    assert {f["name"]: f.get("unit") for f in fields}["resolution"] == "same as value"
    assert all(meta.row_group(0).column(i).compression == "ZSTD" for i in range(meta.num_columns))
    csv_rows = rows_of(FIXTURE / "resources" / "exports.csv")
    assert table.column("figure_id").to_pylist() == [r["figure_id"] for r in csv_rows]
    assert table.column("sector").to_pylist() == [r["sector"] or None for r in csv_rows]
    assert table.column("value").to_pylist() == [float(r["value"]) for r in csv_rows]


def test_duckdb_reads_parquet_descriptions_back(release):
    import duckdb

    found = duckdb.sql(f"SELECT decode(value) FROM parquet_kv_metadata('{release / 'areas.parquet'}') "
                       "WHERE decode(key) = 'description'").fetchone()
    assert found == ("Areas the figures describe: provinces, regions, countries.",)


def test_zip_is_the_release_package_with_fixed_dates(release):
    with zipfile.ZipFile(release / "bgopendata.zip") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [
            "bgopendata/datapackage.json", "bgopendata/areas.csv", "bgopendata/exports.csv",
            "bgopendata/sectors.csv"]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        for info in infos:
            assert archive.read(info) == (release / info.filename.split("/", 1)[1]).read_bytes()


def broken_copy(tmp_path: Path) -> Path:
    package = tmp_path / "pkg"
    shutil.copytree(FIXTURE, package)
    csv_file = package / "resources" / "exports.csv"
    csv_file.write_text(csv_file.read_text().replace(",2013,2013,export_value,13.1,", ",2013,20x3,export_value,13.1,"))
    return package


def test_invalid_package_is_refused_and_old_release_survives(release, tmp_path):
    dest = tmp_path / "dist"
    shutil.copytree(release, dest)
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    result = CliRunner().invoke(cli, ["build", str(broken_copy(tmp_path)), "--out", str(dest)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "invalid" in result.stderr
    assert "resources/exports.csv:2 [year]" in result.stderr
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "pkg"]


def test_interrupted_build_leaves_previous_release_and_no_debris(release, tmp_path, monkeypatch):
    import bgopendata.publish.build as release_module

    dest = tmp_path / "dist"
    shutil.copytree(release, dest)
    before = {p.name: p.read_bytes() for p in dest.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(release_module, "write_archive", interrupted)
    result = CliRunner().invoke(cli, ["build", str(FIXTURE), "--out", str(dest)])
    assert result.exit_code == 130
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_rebuild_replaces_an_older_release(release, tmp_path):
    dest = tmp_path / "dist"
    shutil.copytree(release, dest)
    (dest / "stale.parquet").write_bytes(b"old")  # a resource the older release had, since removed
    with (dest / "SHA256SUMS").open("a") as sums:
        sums.write(hashlib.sha256(b"old").hexdigest() + "  stale.parquet\n")
    result = CliRunner().invoke(cli, ["build", str(FIXTURE), "--out", str(dest)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in dest.iterdir()) == EXPECTED_ASSETS
    assert "bgopendata.duckdb" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_refuses_to_replace_a_folder_that_is_not_a_release(tmp_path):
    dest = tmp_path / "notes"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["build", str(FIXTURE), "--out", str(dest)])
    assert result.exit_code == 2
    assert "not an older release" in result.stderr and result.stderr.count("\n") == 1
    assert (dest / "keep.txt").read_text() == "mine"


def test_refuses_an_out_folder_holding_the_package(tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(FIXTURE, package)
    result = CliRunner().invoke(cli, ["build", str(package), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert (package / "datapackage.json").is_file()


@pytest.mark.slow
def test_real_package_builds_and_its_database_answers(tmp_path):
    import duckdb

    dist = build(ROOT, tmp_path / "dist").path
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    con = duckdb.connect(str(dist / "bgopendata.duckdb"), read_only=True)
    try:
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert tables == set(names)
        for name in names:
            count = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert count == len(rows_of(ROOT / "resources" / f"{name}.csv")), name
        undocumented = con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                   "WHERE database_name = 'bgopendata' AND comment IS NULL").fetchall()
        assert undocumented == []
    finally:
        con.close()
    # the working tree's typed CSV views and the release's Parquet files hold the same values
    from bgopendata.access.query import run

    for name in names:
        sql = f'SELECT * FROM "{name}" ORDER BY ALL'
        assert run(sql, package=ROOT).rows == run(sql, release=str(dist)).rows, name
