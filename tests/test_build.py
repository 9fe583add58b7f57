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

from bgopendata.cli import cli
from bgopendata.publish import assets as assets
from bgopendata.publish.build import build

FIXTURE = Path(__file__).parent / "fixtures" / "release"
ROOT = Path(__file__).resolve().parent.parent
EXPECTED_ASSETS = sorted(
    [
        "SHA256SUMS",
        "datapackage.json",
        "datapackage.parquet.json",
        "datapackage.duckdb.json",
        "datapackage.sqlite.json",
        "bgopendata.duckdb",
        "bgopendata.sqlite",
        "datasette-metadata.json",
        "bgopendata.zip",
        "areas.csv",
        "sectors.csv",
        "exports.csv",
        "areas.parquet",
        "sectors.parquet",
        "exports.parquet",
    ]
)


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("rel") / "dist").path


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_release_holds_exactly_the_documented_assets(release):
    assert sorted(p.name for p in release.iterdir()) == EXPECTED_ASSETS


def test_sha256sums_checks_with_coreutils(release):
    done = subprocess.run(
        ["sha256sum", "--strict", "-c", assets.CHECKSUMS], cwd=release, capture_output=True, text=True
    )
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
        columns = {
            (t, c): (ty, com)
            for t, c, ty, com in con.execute(
                "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
                "WHERE database_name = 'bgopendata'"
            ).fetchall()
        }
        assert columns[("exports", "value")] == ("DOUBLE", "The figure. (unit: see unit column)")
        assert columns[("exports", "resolution")] == (
            "DOUBLE",
            "Place value of the last digit as written. (unit: same as value)",
        )
        assert columns[("exports", "year")][0] == "BIGINT"
        assert columns[("exports", "exact")][0] == "BOOLEAN"
        assert columns[("exports", "published")][0] == "DATE"
        assert columns[("areas", "area_id")] == ("VARCHAR", "Stable slug of the area.")
        constraints = {
            (t, kind, tuple(cols))
            for t, kind, cols in con.execute(
                "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints()"
            ).fetchall()
        }
        assert ("exports", "PRIMARY KEY", ("figure_id",)) in constraints
        assert ("exports", "FOREIGN KEY", ("geo",)) in constraints
        assert ("exports", "FOREIGN KEY", ("sector",)) in constraints
        assert ("areas", "FOREIGN KEY", ("parent_id",)) in constraints
        for name in ("areas", "sectors", "exports"):
            count = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            assert count == len(rows_of(FIXTURE / "resources" / f"{name}.csv"))
        assert con.execute(
            "SELECT value, exact, published, sector FROM exports WHERE figure_id = 'exports-rank-2013-bergamo'"
        ).fetchone() == (4.0, False, None, None)
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

    found = duckdb.sql(
        f"SELECT decode(value) FROM parquet_kv_metadata('{release / 'areas.parquet'}') "
        "WHERE decode(key) = 'description'"
    ).fetchone()
    assert found == ("Areas the figures describe: provinces, regions, countries.",)


def test_zip_is_the_release_package_with_fixed_dates(release):
    with zipfile.ZipFile(release / "bgopendata.zip") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [
            "datapackage.json",
            "areas.csv",
            "exports.csv",
            "sectors.csv",
        ]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        for info in infos:
            assert archive.read(info) == (release / info.filename).read_bytes()


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
        undocumented = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = 'bgopendata' AND comment IS NULL"
        ).fetchall()
        assert undocumented == []
    finally:
        con.close()
    # the working tree's typed CSV views and the release's Parquet files hold the same values
    from bgopendata.access.query import run

    for name in names:
        sql = f'SELECT * FROM "{name}" ORDER BY ALL'
        assert run(sql, package=ROOT).rows == run(sql, release=str(dist)).rows, name


def every_type_package(root: Path) -> Path:
    """A one-table package with a field of each Table Schema type the type map lists."""
    from bgopendata.tableschema.types import TYPES

    cells = {
        "string": ["a", "b"],
        "integer": ["1", ""],
        "number": ["66.67", "7000000.25"],
        "boolean": ["true", "false"],
        "date": ["2014-05-01", ""],
        "datetime": ["2014-05-01T10:30:00", ""],
        "time": ["10:30:00", ""],
        "year": ["2013", "2014"],
    }
    assert set(cells) == set(TYPES)
    fields = [{"name": "id", "type": "string", "description": "Row id."}]
    fields += [{"name": f"a_{t}", "type": t, "description": f"A {t}."} for t in cells if t != "string"]
    (root / "resources").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "schemas" / "every.json").write_text(json.dumps({"fields": fields, "primaryKey": ["id"]}), "utf-8")
    rows = [",".join(cells[f["type"]][i] for f in fields) for i in range(2)]
    (root / "resources" / "every.csv").write_text(
        "\n".join([",".join(f["name"] for f in fields), *rows]) + "\n", "utf-8"
    )
    (root / "datapackage.json").write_text(
        json.dumps(
            {
                "name": "every-type",
                "title": "Every type",
                "version": "0.1.0",
                "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
                "resources": [
                    {
                        "name": "every",
                        "path": "resources/every.csv",
                        "schema": "schemas/every.json",
                        "format": "csv",
                        "mediatype": "text/csv",
                        "encoding": "utf-8",
                    }
                ],
            }
        ),
        "utf-8",
    )
    return root


def test_exports_and_the_validator_take_their_types_from_the_one_map(tmp_path):
    """The DuckDB file, the Parquet files (and what pandas reads of them) and the validator's
    typed tables each type every field as ``tableschema.types`` says; numbers hold the same
    values in the exports (doubles) and in the validator (exact decimals)."""
    from decimal import Decimal

    import duckdb
    import pandas as pd
    import pyarrow.parquet as pq

    from bgopendata.engines.duckdb_tables import TypedTables
    from bgopendata.engines.group_rules import ibis_table
    from bgopendata.package import open_package
    from bgopendata.tableschema.types import EXACT_NUMBER, TYPES, arrow_type, duckdb_type, field_types

    for package_root in (FIXTURE, every_type_package(tmp_path / "every")):
        dist = build(package_root, tmp_path / f"dist-{package_root.name}").path
        package = open_package(package_root)
        con = duckdb.connect(str(dist / assets.DATABASE), read_only=True)
        try:
            published = {
                (t, c): ty
                for t, c, ty in con.execute(
                    "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = 'bgopendata'"
                ).fetchall()
            }
        finally:
            con.close()
        with TypedTables(package) as tables:
            tables.load()
            for res in package.resources:
                fields = res.schema["fields"]
                parquet = pq.read_table(dist / assets.parquet_asset(res.name))
                frame = pd.read_parquet(dist / assets.parquet_asset(res.name), dtype_backend="numpy_nullable")
                typed = dict(
                    tables.con.execute(
                        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
                        [tables.tables[res.name] + "_raw"],
                    ).fetchall()
                )
                view = tables.ibis.table(tables.tables[res.name])
                assert view.drop("__failed").schema() == ibis_table(fields, tables.tables[res.name]).schema()
                handed = tmp_path / f"{res.name}-typed.parquet"  # what the Spark engine hands to Spark
                tables.con.execute(f"COPY {tables.tables[res.name]} TO '{handed}' (FORMAT parquet)")
                spark_input = pq.read_schema(handed)
                for f in fields:
                    name = f["name"]
                    assert published[(res.name, name)] == duckdb_type(f), name
                    assert parquet.schema.field(name).type == arrow_type(f), name
                    assert str(frame[name].dtype) == field_types(f).pandas, name
                    assert typed[name] == duckdb_type(f, exact=True), name
                    assert spark_input.field(name).type == arrow_type(f, exact=True), name
                    if f.get("type") == "number":
                        assert typed[name] == EXACT_NUMBER.duckdb
                        assert published[(res.name, name)] == TYPES["number"].duckdb
                        exact = [
                            v
                            for (v,) in tables.con.execute(
                                f'SELECT "{name}" FROM {tables.tables[res.name]} ORDER BY __line'
                            ).fetchall()
                        ]
                        doubles = parquet.column(name).to_pylist()
                        assert [None if v is None else Decimal(repr(v)) for v in doubles] == exact, name


@pytest.mark.parametrize("inside", ["resources", "rules", "schemas", "sources", "views"])
def test_refuses_an_out_folder_inside_the_package_data(tmp_path, inside):
    """build and site share one guard: no output folder inside any of the package's data folders."""
    package = tmp_path / "pkg"
    shutil.copytree(FIXTURE, package)
    before = sorted(p.relative_to(package) for p in package.rglob("*"))
    result = CliRunner().invoke(cli, ["build", str(package), "--out", str(package / inside / "dist")])
    assert result.exit_code == 2
    assert "must not contain or sit inside the package's data" in result.stderr
    assert sorted(p.relative_to(package) for p in package.rglob("*")) == before
