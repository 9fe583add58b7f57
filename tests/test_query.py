"""``bgopendata query``: results over the working tree, a release folder and a release served
over HTTP by a real server, and a sandbox that refuses writes and reads outside the package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.access.query import QueryError, connect, run
from bgopendata.cli import cli
from bgopendata.publish.build import build
from http_release_server import serve_release

FIXTURE = Path(__file__).parent / "fixtures" / "release"
BY_GEO = "SELECT geo, count(*) AS n, max(value) AS top FROM exports GROUP BY geo ORDER BY geo"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("rel") / "dist").path


def query(*args: str):
    return CliRunner().invoke(cli, ["query", "--package", str(FIXTURE), *args])


def test_table_output_over_the_working_tree():
    result = query(BY_GEO)
    assert result.exit_code == 0, result.stderr
    assert result.output == ("geo      n   top\n-------  -  ----\nbergamo  4  13.1\nmilan    1  37.2\n(2 rows)\n")


def test_csv_json_and_markdown_outputs():
    sql = "SELECT figure_id, sector, value, exact, published FROM exports WHERE year = 2013 ORDER BY figure_id LIMIT 2"
    assert query("--format", "csv", sql).output == (
        "figure_id,sector,value,exact,published\n"
        "exports-2013-bergamo,,13.1,true,2014-05-01\n"
        "exports-2013-milan,,37.2,true,2014-05-01\n"
    )
    assert json.loads(query("--format", "json", sql).output)["rows"] == [
        {"figure_id": "exports-2013-bergamo", "sector": None, "value": 13.1, "exact": True, "published": "2014-05-01"},
        {"figure_id": "exports-2013-milan", "sector": None, "value": 37.2, "exact": True, "published": "2014-05-01"},
    ]
    assert query("--format", "markdown", "SELECT sector_id, name_it FROM sectors ORDER BY 1").output == (
        "| sector_id | name_it |\n|---|---|\n| machinery | Meccanica |\n| textiles | Tessile, abbigliamento |\n"
    )


def test_views_are_typed_by_the_table_schema():
    rows = run("SELECT column_name, column_type FROM (DESCRIBE exports)", package=FIXTURE).rows
    types = dict(rows)
    assert types["value"] == "DOUBLE" and types["year"] == "BIGINT"
    assert types["exact"] == "BOOLEAN" and types["published"] == "DATE"


def test_views_over_csv_and_parquet_have_the_type_map_s_types(release):
    """The working tree's views and a release's views type each field as the one type map says."""
    from bgopendata.package import open_package
    from bgopendata.tableschema.types import duckdb_type

    for res in open_package(FIXTURE).resources:
        expected = {f["name"]: duckdb_type(f) for f in res.schema["fields"]}
        sql = f"SELECT column_name, column_type FROM (DESCRIBE {res.name})"
        assert dict(run(sql, package=FIXTURE).rows) == expected, res.name
        assert dict(run(sql, release=str(release)).rows) == expected, res.name


def test_release_folder_gives_the_same_rows_as_the_working_tree(release):
    assert run(BY_GEO, release=str(release)).rows == run(BY_GEO, package=FIXTURE).rows
    joined = (
        "SELECT a.name_en, s.name_en, e.value FROM exports e JOIN areas a ON a.area_id = e.geo "
        "JOIN sectors s ON s.sector_id = e.sector ORDER BY e.value DESC"
    )
    assert run(joined, release=str(release)).rows == [
        ("Bergamo", "Machinery", 5.6),
        ("Bergamo", "Textiles, clothing", 1.2),
    ]


def test_remote_release_is_read_over_http_with_the_bundled_httpfs(release):
    with serve_release({"v0.9.0": release}) as server:
        for url in (server.release_url("v0.9.0"), f"{server.base_url}/latest/download"):
            result = CliRunner().invoke(cli, ["query", "--release", url, "--format", "csv", BY_GEO])
            assert result.exit_code == 0, result.stderr
            assert result.output == "geo,n,top\nbergamo,4,13.1\nmilan,1,37.2\n"
        assert any(path.endswith("/exports.parquet") for _, path in server.requests)
        # a URL on the same server that is not one of the views stays out of reach
        other = f"{server.release_url('v0.9.0')}/bgopendata.zip"
        refused = CliRunner().invoke(
            cli, ["query", "--release", server.release_url("v0.9.0"), f"SELECT * FROM read_text('{other}')"]
        )
        assert refused.exit_code == 2 and "Permission Error" in refused.stderr
        assert ("GET", "/download/v0.9.0/bgopendata.zip") not in server.requests


def test_remote_release_that_does_not_exist_is_one_line():
    with serve_release({"v0.9.0": FIXTURE}) as server:
        result = CliRunner().invoke(cli, ["query", "--release", server.release_url("v1.2.3"), "SELECT 1"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "HTTP 404" in result.stderr


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT * FROM export", "Table with name export does not exist! (tables: areas, exports, sectors)"),
        ("SELEC 1", 'syntax error at or near "SELEC"'),
        ("SELECT 1; SELECT 2", "give exactly one SQL statement (got 2)"),
        ("CREATE TABLE t (a INT)", "refused CREATE statement"),
        ("INSERT INTO areas VALUES ('x', 'country', 'X', 'X', NULL)", "refused INSERT statement"),
        ("COPY areas TO '{tmp}/out.csv'", "refused COPY statement"),
        ("ATTACH '{tmp}/other.duckdb'", "refused ATTACH statement"),
        ("INSTALL httpfs", "refused INSTALL statement"),
        ("LOAD httpfs", "refused LOAD statement"),
        ("SET enable_external_access = true", "refused SET statement"),
        ("SELECT * FROM read_csv('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
        ("SELECT * FROM read_text('{csv}')", "Cannot access file"),
        ("SELECT * FROM glob('/*')", "Permission Error"),
    ],
)
def test_bad_or_unsafe_sql_is_one_line_exit_2_and_writes_nothing(sql, expected, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n1\n")
    result = query(sql.format(tmp=tmp_path, csv=outside))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.csv"]


def test_the_connection_itself_is_sealed(tmp_path):
    """Even past the statement check, DuckDB refuses writes, new files and setting changes."""
    import duckdb

    con = connect(FIXTURE)
    try:
        assert con.execute("SELECT count(*) FROM areas").fetchone() == (4,)
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"COPY areas TO '{tmp_path / 'leak.csv'}'")
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"ATTACH '{tmp_path / 'x.duckdb'}'")
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.Error):
            con.execute("SET lock_configuration = false")
        with pytest.raises(duckdb.Error):
            con.execute("LOAD httpfs")
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_csv('/etc/passwd')")
        assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone() == (False,)
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


def test_library_raises_query_error_not_duckdb_error():
    with pytest.raises(QueryError) as caught:
        run("SELECT nope FROM areas", package=FIXTURE)
    assert caught.value.exit_code == 2
    assert "nope" in str(caught.value) and "\n" not in str(caught.value)


def test_working_tree_is_the_current_folder_by_default(monkeypatch):
    monkeypatch.chdir(FIXTURE)
    result = CliRunner().invoke(cli, ["query", "SELECT count(*) AS n FROM sectors", "--format", "csv"])
    assert result.output == "n\n2\n"


def test_query_help_has_an_example():
    result = CliRunner().invoke(cli, ["query", "--help"])
    assert "Example:" in result.output and "bgopendata query" in result.output


def test_names_and_text_are_quoted_not_pasted():
    import duckdb

    from bgopendata.sql import identifier, literal

    name, text = 'we"ird; DROP TABLE x --', "it's; DROP TABLE x --"
    cursor = duckdb.connect().execute(f"SELECT {literal(text)} AS {identifier(name)}")
    assert [d[0] for d in cursor.description] == [name] and cursor.fetchall() == [(text,)]
