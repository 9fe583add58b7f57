"""``query``: SQL over the package, one view per resource, on a locked-down DuckDB connection.

Views read the working tree's CSVs (typed by their Table Schemas) or a built release's
Parquet files, local or over HTTP(S). Once the views exist the connection is sealed: it
may read only those files, cannot load extensions, spill to disk or change settings, and
only SELECT / EXPLAIN statements run, so a query can neither write nor reach anything
else. A query is also bounded: its text, its memory, its running time and the rows it
returns have limits (below), so a runaway query ends with a message, not a hung machine.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.files import DESCRIPTOR, read_json, safe_path
from bgopendata.sql import identifier as sql_name
from bgopendata.sql import literal as sql_string
from bgopendata.tableschema.types import duckdb_type, missing_values

# A cold ``query`` is mostly imports: what only a release, a URL or an unusual descriptor
# needs (the package model, the release assets, name checks) is imported where it is used.

ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN"}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
HTTP_TIMEOUT = 30

# Bounds on one query. The package is a few thousand rows: a real question needs a few
# KB of SQL, a few MB of memory and well under a second, so these leave wide room.
MAX_SQL_CHARS = 100_000
MEMORY_LIMIT = "1GB"
TIMEOUT_SECONDS = 30.0
MAX_ROWS = 1_000_000


# Settings whose values are folders of this machine (the home folder, where secrets and
# extensions would live): emptied before sealing, so ``duckdb_settings()`` shows no path.
MACHINE_PATH_SETTINGS = ("home_directory", "secret_directory", "extension_directory")


class QueryError(UnusableInput):
    """A query that cannot run: bad SQL, unknown table, or something the sandbox refuses."""


@dataclass(frozen=True)
class Rows:
    """A query's result: column names and rows of Python values."""

    columns: list[str]
    rows: list[tuple]


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def csv_views(package_path: str | Path, wanted: set[str] | None = None) -> list[tuple[str, str, str]]:
    """``(view, SQL source, file)`` for the working tree's resources, read as typed CSV.

    With ``wanted`` (lower-case names the query references) only those schemas are read:
    a cold ``query`` then reads one schema file, not twenty (see bench/cold_start.py).
    """
    root = Path(package_path)
    if not (root if root.name == DESCRIPTOR else root / DESCRIPTOR).exists():
        raise UnusableInput(
            "no data package here; run this inside one, pass --package PATH or --release DIR_OR_URL, "
            "or fetch a release first with 'bgopendata download'",
            path=str(root if root.name == DESCRIPTOR else root / DESCRIPTOR),
        )
    resources = _wanted_resources(Path(package_path), wanted) if wanted else None
    if resources is None:
        from bgopendata.package import open_package

        resources = [(r.name, r.path, r.schema) for r in open_package(package_path).resources]
    views = []
    root = Path(package_path)
    root = root.parent if root.name == DESCRIPTOR else root
    for name, csv_path, schema in resources:
        path = str(csv_path.resolve())
        shown = _shown_path(csv_path, root)
        check_csv_header(csv_path, shown, schema)
        fields = schema.get("fields", [])
        columns = ", ".join(f"{sql_string(f['name'])}: {sql_string(_read_type(f))}" for f in fields)
        nulls = ", ".join(sql_string(v) for v in missing_values(schema))
        source = (
            f"read_csv({sql_string(path)}, header=true, auto_detect=false, delim=',', "
            f"quote='\"', escape='\"', columns={{{columns}}}, nullstr=[{nulls}])"
        )
        if any(f.get("type") in NUMBER_TYPES for f in fields):
            source = f"(SELECT {', '.join(_typed_column(f, shown) for f in fields)} FROM {source})"
        views.append((name, source, path))
    return views


NUMBER_TYPES = {"number", "integer"}
MAX_HEADER_BYTES = 1 << 20


def _shown_path(csv_path: Path, root: Path) -> str:
    try:
        return str(csv_path.relative_to(root))
    except ValueError:
        return csv_path.name


def _read_type(field: dict) -> str:
    """Numbers are read as text, then cast by ``_typed_column`` after the Table Schema syntax check."""
    return "VARCHAR" if field.get("type") in NUMBER_TYPES else duckdb_type(field)


def _typed_column(field: dict, shown: str) -> str:
    """A number cell cast only when it has the Table Schema syntax: DuckDB alone reads ``1_778``
    as 1778, which ``validate`` and ``build`` refuse, so ``query`` stops with the cell named."""
    from bgopendata.number_syntax import INTEGER, NUMBER

    column = sql_name(field["name"])
    if field.get("type") not in NUMBER_TYPES:
        return column
    syntax = INTEGER if field["type"] == "integer" else NUMBER
    refusal = sql_string(f"{shown} [{field['name']}]: not a Table Schema {field['type']}: ")
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN regexp_full_match({column}, {sql_string(syntax)}) "
        f"THEN CAST({column} AS {duckdb_type(field)}) ELSE error({refusal} || left({column}, 40)) END "
        f"AS {column}"
    )


def check_csv_header(csv_path: Path, shown: str, schema: dict) -> None:
    """Refuse a CSV whose header does not match its schema, as ``validate`` does: the typed columns
    are read by position, so two swapped columns would return each other's values."""
    from bgopendata.files import read_regular_file

    expected = [f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)]
    head = read_regular_file(csv_path, shown=shown, expected="a CSV file")[:MAX_HEADER_BYTES]
    if head.startswith(b"\x1f\x8b"):
        raise QueryError("is gzip-compressed, not a CSV; decompress it first", path=shown)
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        labels = next(csv.reader([line.decode("utf-8")]), [])
    except (UnicodeDecodeError, csv.Error):
        raise QueryError("the header is not UTF-8 CSV; run 'bgopendata validate'", path=shown, row=1) from None
    if labels != expected:
        where = next(
            (i for i, (a, b) in enumerate(zip(labels, expected, strict=False)) if a != b),
            min(len(labels), len(expected)),
        )
        found = repr(labels[where][:40]) if where < len(labels) else "nothing"
        wanted = repr(expected[where]) if where < len(expected) else "no column"
        raise QueryError(
            f"the header does not match the schema: column {where + 1} is {found}, the schema "
            f"says {wanted}; run 'bgopendata validate'",
            path=shown,
            row=1,
        )


def _wanted_resources(target: Path, wanted: set[str]) -> list[tuple[str, Path, dict]] | None:
    """The referenced resources only, through the same path checks as ``open_package``.

    Returns None (load everything with ``open_package``, which explains any problem) when
    the descriptor is unusual or a referenced name is not a resource.
    """
    root = target.parent if target.name == DESCRIPTOR and target.is_file() else target
    shown = str(root / DESCRIPTOR)
    try:
        descriptor = read_json(root / DESCRIPTOR, shown=shown)
    except UnusableInput:
        return None
    entries = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(entries, list) or not all(isinstance(r, dict) for r in entries):
        return None
    chosen = [r for r in entries if str(r.get("name", "")).lower() in wanted]
    if {str(r.get("name", "")).lower() for r in chosen} != wanted:
        return None
    found = []
    for res in chosen:
        name = res["name"]
        csv_path = safe_path(root, res.get("path"), shown=shown, what=f"resource {name!r} path")
        schema = res.get("schema")
        if isinstance(schema, str):
            schema_file = safe_path(root, schema, shown=shown, what=f"resource {name!r} schema")
            schema = read_json(schema_file, shown=str(schema_file))
        if not csv_path.is_file() or not isinstance(schema, dict):
            return None
        found.append((name, csv_path, schema))
    return found


def release_views(release: str) -> list[tuple[str, str, str]]:
    """``(view, SQL source, file or URL)`` for each resource of a built release's Parquet files."""
    from bgopendata.names import check_name
    from bgopendata.publish import assets

    base = release.rstrip("/")
    checked = None
    if is_url(release):
        descriptor = _fetch_json(f"{base}/{assets.DESCRIPTOR}")
    else:
        from bgopendata.release_folder import open_release

        checked = open_release(release)  # only files its SHA256SUMS lists, regular, matching
        base = str(checked.root.resolve())
        descriptor = read_json(checked.path(assets.DESCRIPTOR), shown=str(checked.root / assets.DESCRIPTOR))
    shown = f"{release.rstrip('/')}/{assets.DESCRIPTOR}"
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        raise UnusableInput("'resources' must be a non-empty list", path=shown)
    views = []
    for index, res in enumerate(resources):
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str) or not SAFE_NAME.match(name):
            raise UnusableInput(f"resource name {name!r} is not a plain file name", path=shown)
        check_name(name, shown=shown, field=f"resources[{index}].name")
        location = f"{base}/{assets.parquet_asset(name)}"
        if checked is not None and assets.parquet_asset(name) not in checked.sums:
            raise UnusableInput(f"resource {name!r}: {assets.parquet_asset(name)} is missing", path=release)
        views.append((name, f"read_parquet({sql_string(location)})", location))
    return views


def _fetch_json(url: str) -> Any:
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise UnusableInput(f"HTTP {exc.code} {exc.reason}", path=url) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UnusableInput(f"cannot fetch: {reason}", path=url) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnusableInput(f"not a JSON data package descriptor: {exc}", path=url) from None


def httpfs_extension() -> Path:
    """The httpfs extension shipped by the ``duckdb-extension-httpfs`` package (never downloaded)."""
    import importlib.util

    import duckdb

    from bgopendata.extras import require

    require("remote")
    spec = importlib.util.find_spec("duckdb_extension_httpfs")
    if spec is None or not spec.submodule_search_locations:
        raise UnusableInput("reading a release over HTTP needs the duckdb-extension-httpfs package")
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}"
    path = folder / "httpfs.duckdb_extension"
    if not path.is_file():
        raise UnusableInput(
            f"duckdb-extension-httpfs has no extension for DuckDB {duckdb.__version__}", path=str(folder)
        )
    return path


def open_connection():
    """An in-memory DuckDB connection that never installs or auto-loads an extension.

    It never writes either: with no temporary directory DuckDB cannot spill to disk (by
    default it creates ``.tmp/`` in the current folder, even with external access off), so
    a query past ``MEMORY_LIMIT`` fails instead. The progress bar is off because DuckDB
    prints it on stdout, into the rows a user may be piping to a file.
    """
    import duckdb

    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": "",
        },
    )
    for setting in MACHINE_PATH_SETTINGS:  # a query needs none of these paths; set before any secret is used
        con.execute(f"SET {setting} = ''")
    con.execute("SET enable_progress_bar = false")  # a session option: not accepted in config
    return con


def add_views_and_seal(
    con: Any, views: list[tuple[str, str, str]], *, remote: bool, closed_first: bool = False
) -> None:
    """Create the views, then allow reading only their files and lock every setting.

    ``closed_first``: ``_close_off`` has already run (``run`` parses the query on ``con``
    before it has views, which the parser would bind).
    """
    import duckdb

    try:
        if remote:
            con.execute(f"LOAD {sql_string(str(httpfs_extension()))}")
        for name, source, _ in views:
            con.execute(f"CREATE VIEW {sql_name(name)} AS SELECT * FROM {source}")
        if not closed_first:
            _close_off(con, views)
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        raise QueryError(f"cannot open the package for SQL: {_first_line(exc)}") from None


def _close_off(con: Any, views: list[tuple[str, str, str]]) -> None:
    """Allow reading only the views' files: local ones can still be made into views after this."""
    import duckdb

    allowed = ", ".join(sql_string(location) for _, _, location in views)
    try:
        con.execute(f"SET allowed_paths = [{allowed}]")
        con.execute("SET allowed_directories = []")
        con.execute("SET enable_external_access = false")
    except duckdb.Error as exc:
        raise QueryError(f"cannot open the package for SQL: {_first_line(exc)}") from None


def connect(package: str | Path = ".", release: str | None = None):
    """A sealed in-memory DuckDB connection with one view per resource, for Python callers."""
    views = release_views(release) if release else csv_views(package)
    con = open_connection()
    try:
        add_views_and_seal(con, views, remote=bool(release and is_url(release)))
    except BaseException:
        con.close()
        raise
    return con


def check_read_only(con: Any, sql: str) -> set[str] | None:
    """Refuse anything but one SELECT/EXPLAIN statement; return the tables it reads.

    The names come back lower-case, or None when the query names no table (``SHOW
    TABLES``, ``information_schema``): such a query sees every view.
    """
    import duckdb

    _check_length(sql)
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(_first_line(exc)) from None
    if len(statements) > 1 and ";" not in sql:  # DuckDB expands a PIVOT with no IN list
        raise QueryError(
            f"the query expands to {len(statements)} statements, as a PIVOT with no "
            "IN list does; list the values: PIVOT t ON col IN ('a', 'b') USING ..."
        )
    if len(statements) != 1:
        raise QueryError(f"give exactly one SQL statement (got {len(statements)})")
    kind = statements[0].type.name
    if kind not in ALLOWED_STATEMENTS:
        if not kind.replace("_", "").isalnum() or kind == "LOAD":  # '???', or INSTALL parsed as LOAD
            kind = _leading_keywords(sql)
        raise QueryError(f"refused {kind} statement: the package is read-only; only SELECT queries run")
    try:  # parses only, reads nothing; the sealed run reports any real problem
        names = {n.lower() for n in con.get_table_names(sql)}
    except duckdb.Error:
        return None
    return names or None


def _check_length(sql: str) -> None:
    if len(sql) > MAX_SQL_CHARS:
        raise QueryError(f"the SQL is {len(sql):,} characters long, more than the {MAX_SQL_CHARS:,} allowed")


def _mentioned(package_path: str | Path, sql: str) -> set[str] | None:
    """The resources (lower-case) whose name the SQL spells anywhere, or None for all of them.

    A cheap guess at the tables a query reads, made before any connection parses it (a name
    in a string counts too, so it can only guess too many); ``run`` checks it against
    DuckDB's own parse and makes every view when the guess missed one.
    """
    target = Path(package_path)
    root = target.parent if target.name == DESCRIPTOR and target.is_file() else target
    try:
        descriptor = read_json(root / DESCRIPTOR, shown=str(root / DESCRIPTOR))
    except UnusableInput:
        return None  # ``csv_views`` says why, through ``open_package``
    entries = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(entries, list):
        return None
    lowered = sql.lower()
    names = {str(r.get("name", "")).lower() for r in entries if isinstance(r, dict)}
    found = {
        name
        for name in names
        if name and name in lowered and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", lowered)  # whole names
    }
    return found or None


def _leading_keywords(sql: str) -> str:
    """The statement's own first keyword(s) (``INSTALL``, ``FORCE INSTALL``), after any comment."""
    words = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S).split()
    if not words:
        return "this"
    first = re.sub(r"[^A-Za-z_]", "", words[0]).upper() or "this"
    if first == "FORCE" and len(words) > 1:
        return f"FORCE {re.sub(r'[^A-Za-z_]', '', words[1]).upper()}"
    return first


def run(
    sql: str,
    *,
    package: str | Path = ".",
    release: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_rows: int = MAX_ROWS,
) -> Rows:
    """Run one read-only SQL query over the package (or a built release) and return its rows.

    The query is stopped after ``timeout`` seconds (``connection.interrupt()`` from a timer
    thread: DuckDB has no statement timeout of its own) and refused when it returns more
    than ``max_rows`` rows; rows are fetched in batches so the refusal comes before they
    fill the memory of the Python process.
    """
    import threading

    import duckdb

    _check_length(sql)
    remote = bool(release and is_url(release))
    guessed = None if release else _mentioned(package, sql)
    views = release_views(release) if release else csv_views(package, guessed)
    con = open_connection()
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        con.interrupt()

    timer = threading.Timer(timeout, stop)
    timer.daemon = True
    try:
        # parsed on a connection closed off and with no views yet (the parser would bind them,
        # and over httpfs that never returns): DuckDB's parser already reads files for some
        # statements (IMPORT DATABASE reads <folder>/schema.sql), before any check
        parser = open_connection() if remote else con
        _close_off(parser, [] if remote else views)
        try:
            wanted = check_read_only(parser, sql)
        finally:
            if remote:
                parser.close()
        if remote:
            add_views_and_seal(con, views, remote=True)
        if guessed is not None and (wanted is None or not wanted <= guessed):
            con.close()  # the guess missed a table, or the query names none: as parsed, on a new connection
            views = csv_views(package, wanted)
            con = open_connection()
            _close_off(con, views)
        if not remote:
            add_views_and_seal(con, views, remote=False, closed_first=True)
        timer.start()
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            return Rows(columns, _fetch_bounded(cursor, max_rows, timed_out))
        except duckdb.CatalogException as exc:
            listed = ", ".join(sorted(name for name, _, _ in views))
            raise QueryError(f"{_first_line(exc)} (tables: {listed})") from None
        except duckdb.InterruptException:
            if timed_out.is_set():
                raise QueryError(
                    f"the query was stopped after {timeout:g} s, its time limit; narrow it down or add a LIMIT"
                ) from None
            raise KeyboardInterrupt from None
        except duckdb.OutOfMemoryException as exc:
            raise QueryError(
                f"the query needs more than the {MEMORY_LIMIT} of memory allowed ({_first_line(exc)})"
            ) from None
        except duckdb.Error as exc:
            raise QueryError(_first_line(exc)) from None
    finally:
        timer.cancel()
        con.close()


def _fetch_bounded(cursor: Any, max_rows: int, timed_out: Any) -> list[tuple]:
    """All rows, in batches, refusing a result of more than ``max_rows`` rows.

    An interrupt that lands between two batches finds no running query, so the timer's
    flag is checked before each batch too.
    """
    import duckdb

    rows: list[tuple] = []
    while True:
        if timed_out.is_set():
            raise duckdb.InterruptException("interrupted between two batches")
        batch = cursor.fetchmany(min(max_rows + 1 - len(rows), 10_000))
        if not batch:
            return rows
        rows.extend(batch)
        if len(rows) > max_rows:
            raise QueryError(
                f"the result has more than {max_rows:,} rows, the most a query returns; add a LIMIT or aggregate"
            )


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
