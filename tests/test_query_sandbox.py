"""The query sandbox beyond tests/test_query.py: every way a query could write, read outside the
package, change settings or run away is refused or bounded, with one line and exit code 2.

Each CLI case runs in an empty current folder and checks afterwards that the folder, a
scratch folder the SQL names, and the package's files are all exactly as before.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.access import query as query_module
from bgopendata.access.query import QueryError, connect, open_connection, run
from bgopendata.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "release"
BGOPENDATA = Path(sys.executable).with_name("bgopendata")


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module", autouse=True)
def package_is_never_changed():
    before = fingerprint(FIXTURE)
    yield
    assert fingerprint(FIXTURE) == before


@pytest.fixture()
def cwd(tmp_path, monkeypatch) -> Path:
    """An empty current folder: DuckDB would spill or write relative paths here."""
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


def refused(sql: str, *extra: str) -> str:
    """Run the CLI and return stderr, asserting the shape every refusal shares."""
    result = CliRunner().invoke(cli, ["query", "--package", str(FIXTURE), *extra, sql])
    assert result.exit_code == 2, (result.output, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return result.stderr


STATEMENTS = [
    # writes to the package's views
    ("UPDATE areas SET name_en = 'X'", "refused UPDATE statement"),
    ("DELETE FROM exports", "refused DELETE statement"),
    ("DROP VIEW areas", "refused DROP statement"),
    ("ALTER VIEW areas RENAME TO gone", "refused ALTER statement"),
    ("CREATE OR REPLACE VIEW areas AS SELECT 1 AS area_id", "refused CREATE statement"),
    ("CREATE MACRO m() AS 1", "refused CREATE statement"),
    ("TRUNCATE exports", "refused DELETE statement"),
    # writing or reading files, databases and settings
    ("EXPORT DATABASE '{tmp}/export'", "refused EXPORT statement"),
    ("IMPORT DATABASE '{tmp}'", "Permission Error: Cannot access file"),
    ("COPY (SELECT * FROM areas) TO '{tmp}/out.parquet' (FORMAT parquet)", "refused COPY statement"),
    ("COPY areas FROM '{tmp}/in.csv'", "refused COPY statement"),
    ("PRAGMA memory_limit = '100GB'", "refused SET statement"),
    ("PRAGMA enable_profiling", "refused PRAGMA statement"),
    ("SET temp_directory = '{tmp}'", "refused SET statement"),
    ("RESET memory_limit", "refused SET statement"),
    ("SET VARIABLE x = 1", "refused SET statement"),
    ("CALL pragma_version()", "refused CALL statement"),
    ("CHECKPOINT", "refused CALL statement"),
    ("VACUUM", "refused VACUUM statement"),
    ("USE system", "refused SET statement"),
    ("DETACH memory", "refused DETACH statement"),
    ("BEGIN TRANSACTION", "refused TRANSACTION statement"),
    ("PREPARE p AS SELECT 1", "refused PREPARE statement"),
    ("UPDATE EXTENSIONS", "refused UPDATE statement"),
    # several statements, whatever their kind
    ("SELECT 1; DROP VIEW areas", "give exactly one SQL statement (got 2)"),
    ("SELECT 1; SELECT 2;", "give exactly one SQL statement (got 2)"),
    ("DROP VIEW areas; SELECT 1", "give exactly one SQL statement (got 2)"),
    ("PIVOT areas ON kind USING count(*)", "the query expands to 2 statements, as a PIVOT with no IN list does"),
    ("", "give exactly one SQL statement (got 0)"),
    (";;", "give exactly one SQL statement (got 0)"),
]


@pytest.mark.parametrize("sql, expected", STATEMENTS, ids=[s for s, _ in STATEMENTS])
def test_statements_other_than_one_select_are_refused(sql, expected, tmp_path, cwd):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "in.csv").write_text("area_id\nx\n")
    assert expected in refused(sql.format(tmp=scratch))
    assert sorted(p.name for p in scratch.iterdir()) == ["in.csv"]
    assert list(cwd.iterdir()) == []


READS = [
    ("SELECT * FROM read_parquet('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
    ("SELECT * FROM read_json('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
    ("SELECT * FROM read_blob('/etc/hostname')", 'Cannot access file "/etc/hostname"'),
    ("SELECT * FROM sniff_csv('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
    ("SELECT * FROM parquet_metadata('/etc/passwd')", 'Cannot access file "/etc/passwd"'),
    ("SELECT * FROM glob('/etc/*')", "Permission Error"),
    ("SELECT * FROM glob('{pkg}/*')", "Permission Error"),
    # the package's own descriptor and schemas are not views, so they stay out of reach too
    ("SELECT * FROM read_text('{pkg}/datapackage.json')", "Cannot access file"),
    ("SELECT * FROM read_json('{pkg}/schemas/areas.json')", "Cannot access file"),
    (
        "SELECT * FROM read_csv('{pkg}/resources/../resources/areas.csv', header = false, "
        "columns = {{'a': 'VARCHAR'}}) WHERE a LIKE 'x%'",
        None,
    ),
    ("SELECT * FROM '/etc/passwd'", "Table with name /etc/passwd does not exist"),
    ("SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')", 'Cannot access file "/etc/passwd"'),
    ("SELECT * FROM query('COPY areas TO ''/tmp/leak.csv''')", "Expected a single SELECT statement"),
    ("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", "Permission Error"),
    ("SELECT getenv('HOME')", "getenv does not exist"),
    ("SELECT * FROM duckdb_secrets()", "Permission Error"),
    ("SELECT * FROM duckdb_extensions()", "Permission Error"),
]


@pytest.mark.parametrize("sql, expected", READS, ids=[s[:60] for s, _ in READS])
def test_reads_outside_the_views_are_refused(sql, expected, cwd):
    sql = sql.format(pkg=FIXTURE.resolve())
    if expected is None:  # the same file as a view, spelt differently: read, but read-only
        assert run(sql, package=FIXTURE).rows == []
        return
    assert expected in refused(sql)
    assert list(cwd.iterdir()) == []


def test_a_pivot_with_its_values_listed_is_one_statement_and_runs():
    sql = "PIVOT areas ON kind IN ('country', 'region') USING count(*) GROUP BY parent_id ORDER BY parent_id"
    assert run(sql, package=FIXTURE).rows == [("italy", 0, 1), ("lombardy", 0, 0), (None, 1, 0)]


def test_refused_writes_leave_every_view_answering_as_before(cwd):
    counts = "SELECT (SELECT count(*) FROM areas), (SELECT count(*) FROM exports), (SELECT count(*) FROM sectors)"
    before = run(counts, package=FIXTURE).rows
    for sql, _ in STATEMENTS[:7]:
        with pytest.raises(QueryError):
            run(sql, package=FIXTURE)
    assert run(counts, package=FIXTURE).rows == before == [(4, 5, 2)]


def test_a_sealed_connection_cannot_write_through_a_view_either():
    """``connect()`` has no statement check: DuckDB itself refuses writes to the views."""
    import duckdb

    con = connect(FIXTURE)
    try:
        for sql in (
            "UPDATE areas SET name_en = 'X'",
            "DELETE FROM exports",
            "INSERT INTO sectors VALUES ('x', 'X', 'X')",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        with pytest.raises(duckdb.Error):
            con.execute("SET temp_directory = '/tmp'")
        assert con.execute("SELECT count(*) FROM exports").fetchone() == (5,)
    finally:
        con.close()


# --- very long and pathological SQL -----------------------------------------------------


def test_a_megabyte_of_sql_is_refused_before_it_is_parsed(cwd):
    sql = "SELECT 1 -- " + "x" * 1_000_000
    assert f"the SQL is {len(sql):,} characters long, more than the 100,000 allowed" in refused(sql)


def test_long_sql_under_the_limit_still_runs():
    ids = ", ".join(f"'a{i}'" for i in range(9_000))
    sql = f"SELECT area_id FROM areas WHERE area_id IN ({ids}, 'bergamo')"
    assert 70_000 < len(sql) < query_module.MAX_SQL_CHARS
    assert run(sql, package=FIXTURE).rows == [("bergamo",)]


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT " + "(" * 40_000 + "1" + ")" * 40_000, 'Parser Error: memory exhausted at or near "("'),
        ("SELECT * FROM " + "(SELECT * FROM " * 3_000 + "areas" + ")" * 3_000, "Parser Error: memory exhausted"),
        ("SELECT " + " + ".join(["1"] * 20_000), "Parser Error: Max expression depth limit of 1000 exceeded"),
    ],
    ids=["parentheses", "subqueries", "operators"],
)
def test_deeply_nested_sql_is_one_line(sql, expected):
    assert expected in refused(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
        "SELECT count(*) FROM range(1000000) a, range(1000000) b, areas",
        # streams: DuckDB returns at once and the time goes into fetching the rows
        "SELECT range FROM range(10000000000) WHERE hash(range) % 100000000 = 0",
    ],
)
def test_a_query_that_never_ends_is_stopped_at_the_time_limit(sql, cwd):
    stderr = refused(sql, "--timeout", "0.5")
    assert "the query was stopped after 0.5 s, its time limit" in stderr
    assert list(cwd.iterdir()) == []


def test_the_time_limit_stops_a_real_process_cleanly(tmp_path):
    done = subprocess.run(
        [
            str(BGOPENDATA),
            "query",
            "--package",
            str(FIXTURE),
            "--timeout",
            "0.5",
            "SELECT count(*) FROM range(1000000) a, range(1000000) b",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "error: the query was stopped after 0.5 s, its time limit; narrow it down or add a LIMIT\n"
    assert done.stdout == "" and list(tmp_path.iterdir()) == []


def test_a_query_within_the_time_limit_is_not_cut(cwd):
    assert run("SELECT count(*) FROM range(1000) a, range(1000) b", package=FIXTURE, timeout=20).rows == [(1_000_000,)]


def test_a_result_past_the_row_limit_is_refused_not_truncated(cwd):
    assert "the result has more than 1,000,000 rows" in refused("SELECT * FROM range(2000000)")
    with pytest.raises(QueryError, match="more than 4 rows"):
        run("SELECT * FROM exports", package=FIXTURE, max_rows=4)
    assert len(run("SELECT * FROM exports", package=FIXTURE, max_rows=5).rows) == 5


def test_a_query_past_the_memory_limit_is_refused(cwd):
    stderr = refused("SELECT length(string_agg(repeat('x', 100000), '')) FROM range(100000)")
    assert "the query needs more than the 1GB of memory allowed (Out of Memory Error" in stderr
    assert list(cwd.iterdir()) == []


def test_duckdb_never_spills_to_disk_in_the_current_folder(cwd):
    """By default DuckDB spills a large aggregate into ./.tmp, even with external access off."""
    import duckdb

    con = open_connection()
    try:
        con.execute("SET memory_limit = '40MB'")  # lower than the real limit, to get there fast
        con.execute("SET enable_external_access = false")
        with pytest.raises(duckdb.OutOfMemoryException):
            con.execute(
                "SELECT count(*) FROM (SELECT range % 3000000 AS g, list(range) AS l FROM range(6000000) GROUP BY g)"
            ).fetchall()
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    finally:
        con.close()
    assert list(cwd.iterdir()) == []
