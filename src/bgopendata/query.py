"""``query``: SQL over the package, one view per resource, on a locked-down DuckDB connection.

Views read the working tree's CSVs (typed by their Table Schemas) or a built release's
Parquet files, local or over HTTP(S). Once the views exist the connection is sealed: it
may read only those files, cannot load extensions or change settings, and only SELECT /
EXPLAIN statements run, so a query can neither write nor reach anything else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bgopendata import release_assets as assets
from bgopendata.errors import UnusableInput
from bgopendata.package import open_package, read_json
from bgopendata.schema_types import duckdb_type, missing_values

ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN"}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
HTTP_TIMEOUT = 30


class QueryError(UnusableInput):
    """A query that cannot run: bad SQL, unknown table, or something the sandbox refuses."""


@dataclass(frozen=True)
class Rows:
    """A query's result: column names and rows of Python values."""

    columns: list[str]
    rows: list[tuple]


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def csv_views(package_path: str | Path) -> list[tuple[str, str, str]]:
    """``(view, SQL source, file)`` for each resource of the working tree, read as typed CSV."""
    package = open_package(package_path)
    views = []
    for res in package.resources:
        path = str(res.path.resolve())
        columns = ", ".join(f"{sql_string(f['name'])}: {sql_string(duckdb_type(f))}"
                            for f in res.schema.get("fields", []))
        nulls = ", ".join(sql_string(v) for v in missing_values(res.schema))
        source = (f"read_csv({sql_string(path)}, header=true, auto_detect=false, delim=',', "
                  f"quote='\"', escape='\"', columns={{{columns}}}, nullstr=[{nulls}])")
        views.append((res.name, source, path))
    return views


def release_views(release: str) -> list[tuple[str, str, str]]:
    """``(view, SQL source, file or URL)`` for each resource of a built release's Parquet files."""
    base = release.rstrip("/")
    if is_url(release):
        descriptor = _fetch_json(f"{base}/{assets.DESCRIPTOR}")
    else:
        folder = Path(release)
        if not folder.is_dir():
            raise UnusableInput("no such release folder", path=release)
        base = str(folder.resolve())
        descriptor = read_json(folder / assets.DESCRIPTOR, shown=str(folder / assets.DESCRIPTOR))
    shown = f"{release.rstrip('/')}/{assets.DESCRIPTOR}"
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        raise UnusableInput("'resources' must be a non-empty list", path=shown)
    views = []
    for res in resources:
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str) or not SAFE_NAME.match(name):
            raise UnusableInput(f"resource name {name!r} is not a plain file name", path=shown)
        location = f"{base}/{assets.parquet_asset(name)}"
        if not is_url(location) and not Path(location).is_file():
            raise UnusableInput(f"resource {name!r}: {assets.parquet_asset(name)} is missing", path=release)
        views.append((name, f"read_parquet({sql_string(location)})", location))
    return views


def _fetch_json(url: str) -> Any:
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

    spec = importlib.util.find_spec("duckdb_extension_httpfs")
    if spec is None or not spec.submodule_search_locations:
        raise UnusableInput("reading a release over HTTP needs the duckdb-extension-httpfs package")
    folder = Path(list(spec.submodule_search_locations)[0]) / "extensions" / f"v{duckdb.__version__}"
    path = folder / "httpfs.duckdb_extension"
    if not path.is_file():
        raise UnusableInput(f"duckdb-extension-httpfs has no extension for DuckDB {duckdb.__version__}",
                            path=str(folder))
    return path


def connect(package: str | Path = ".", release: str | None = None):
    """A sealed in-memory DuckDB connection with one view per resource."""
    import duckdb

    views = release_views(release) if release else csv_views(package)
    con = duckdb.connect(":memory:", config={
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
    })
    try:
        if release and is_url(release):
            con.execute(f"LOAD {sql_string(str(httpfs_extension()))}")
        for name, source, _ in views:
            con.execute(f"CREATE VIEW {sql_name(name)} AS SELECT * FROM {source}")
        allowed = ", ".join(sql_string(location) for _, _, location in views)
        con.execute(f"SET allowed_paths = [{allowed}]")
        con.execute("SET allowed_directories = []")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        con.close()
        raise QueryError(f"cannot open the package for SQL: {_first_line(exc)}") from None
    return con


def check_read_only(con: Any, sql: str) -> None:
    """Refuse anything but one SELECT/EXPLAIN statement before DuckDB runs it."""
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(_first_line(exc)) from None
    if len(statements) != 1:
        raise QueryError(f"give exactly one SQL statement (got {len(statements)})")
    kind = statements[0].type.name
    if kind not in ALLOWED_STATEMENTS:
        raise QueryError(f"refused {kind} statement: the package is read-only; only SELECT queries run")


def run(sql: str, *, package: str | Path = ".", release: str | None = None) -> Rows:
    """Run one read-only SQL query over the package (or a built release) and return its rows."""
    import duckdb

    con = connect(package, release)
    try:
        check_read_only(con, sql)
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            return Rows(columns, cursor.fetchall())
        except duckdb.CatalogException as exc:
            views = ", ".join(name for (name,) in con.execute("SELECT view_name FROM duckdb_views() "
                                                              "WHERE NOT internal ORDER BY 1").fetchall())
            raise QueryError(f"{_first_line(exc)} (tables: {views})") from None
        except duckdb.Error as exc:
            raise QueryError(_first_line(exc)) from None
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
