"""The bench package checked by hand in DuckDB SQL: the peer ``bench/scale.py`` times ``validate`` against.

What a skilled analyst would write for the package ``bench/generate.py`` makes, with the
meanings of ``bgopendata validate --engine duckdb``: exact decimals (``DECIMAL(18,6)``, a
factor widened to ``DECIMAL(38,8)`` before a product, never ``DOUBLE``) and the same
intervals (a value written ``exact`` is ``v +- r/2``, ``approx`` ``v +- r``, ``at_least``
``[v, inf)``, ``at_most`` ``[v - r, v]``, with ``r`` the row's resolution). It hard-codes
that package's schema and rules (``schemas/*.json``, ``rules/exports.json``): it is a
hand-written peer for this one package, not a validator.

The checks, each a plain SQL statement writing its failures into one table:

- typed load: ``read_csv`` with the declared types; a cell that does not cast is a
  rejected row (``store_rejects``), reported as a type error and put back with that cell
  empty, so that the row's other cells are still checked, as ``validate`` does;
- ``required``, ``enum``, ``minimum``/``maximum``, ``pattern``: one filter per table;
- primary keys: ``GROUP BY ... HAVING count(*) > 1``, every repeat after the first;
- foreign keys: anti-joins against the code lists;
- ``group-shares-sum``: ``GROUP BY`` province, sector, year; the shares (each +-0.005,
  the rule's resolution 0.01) must be able to sum to 100; reported on the largest share;
- ``group-growth``: a self-join on year + 1 within province, sector, partner; the growth
  (+-0.05, written to 0.1) must agree with the two values' intervals; one failure per
  series, on its first disagreeing line;
- ``group-ranking``: a window by province, sector, year ordered by rank; a better rank
  never has a surely smaller value, and equal ranks have values that can be equal; one
  failure per group, on its first failing line.

Not checked (no bench package breaks them): the header's labels, stray carriage returns,
spreadsheet formulas, non-finite numbers (``inf`` is a type error here), and the
Table Schema number syntax beyond what DuckDB's casts accept (``1.0`` is an integer here);
a number of 1e12 or more does not fit ``DECIMAL(18,6)``: a type error here, an empty cell
(skipped by the rules) for ``validate``.
A row DuckDB cannot read at all (ragged, bad UTF-8) is counted as ``unreadable-row`` and
its table is not checked further.

Prints one line per kind of failure with its count; ``--json`` prints
``{"counts": {kind: n}, "lines": {kind: ["resources/exports.csv:52", ...]}}`` (at most
``--max-lines`` lines per kind). Exit code 1 when anything fails.

Example:
    python bench/generate.py --rows 20000 --inject 3 --out /tmp/bg-20k
    python bench/reference_sql.py /tmp/bg-20k
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

# the fact table's required fields (all but growth)
REQUIRED = ("province", "sector", "partner", "year", "value", "unit", "resolution", "qualifier", "share", "rank")
KINDS = [
    "type-error",
    "constraint",
    "primary-key",
    "foreign-key",
    "shares-sum",
    "growth",
    "ranking",
    "unreadable-row",
]

# The bench package's tables as their schemas declare them: typed columns, then each
# constraint as (field, check, SQL condition that fails), the primary key, the foreign keys.
TABLES: dict[str, dict] = {
    "provinces": {
        "columns": {"province_id": "VARCHAR", "name": "VARCHAR", "istat_code": "VARCHAR"},
        "constraints": [
            ("province_id", "required", "province_id IS NULL"),
            ("province_id", "pattern", "NOT regexp_full_match(province_id, '[a-z0-9-]+')"),
            ("name", "required", "name IS NULL"),
        ],
        "key": ["province_id"],
        "foreign": [],
    },
    "sectors": {
        "columns": {"sector_id": "VARCHAR", "name_en": "VARCHAR"},
        "constraints": [("sector_id", "required", "sector_id IS NULL"), ("name_en", "required", "name_en IS NULL")],
        "key": ["sector_id"],
        "foreign": [],
    },
    "countries": {
        "columns": {"country_id": "VARCHAR", "name_en": "VARCHAR"},
        "constraints": [
            ("country_id", "required", "country_id IS NULL"),
            ("country_id", "pattern", "NOT regexp_full_match(country_id, '[a-z]{2}')"),
            ("name_en", "required", "name_en IS NULL"),
        ],
        "key": ["country_id"],
        "foreign": [],
    },
    "exports": {
        "columns": {
            "province": "VARCHAR",
            "sector": "VARCHAR",
            "partner": "VARCHAR",
            "year": "BIGINT",
            "value": "DECIMAL(18,6)",
            "unit": "VARCHAR",
            "resolution": "DECIMAL(18,6)",
            "qualifier": "VARCHAR",
            "share": "DECIMAL(18,6)",
            "growth": "DECIMAL(18,6)",
            "rank": "BIGINT",
        },
        "constraints": [
            *[(f, "required", f"{f} IS NULL") for f in REQUIRED],
            ("year", "minimum", "year < 1990"),
            ("year", "maximum", "year > 2100"),
            ("value", "minimum", "value < 0"),
            ("unit", "enum", "unit NOT IN ('EUR_mn')"),
            ("resolution", "minimum", "resolution < 0.000001"),
            ("qualifier", "enum", "qualifier NOT IN ('exact', 'approx', 'at_least', 'at_most')"),
            ("share", "minimum", "share < 0"),
            ("share", "maximum", "share > 100"),
            ("rank", "minimum", "rank < 1"),
        ],
        "key": ["province", "sector", "partner", "year"],
        "foreign": [
            ("province", "provinces", "province_id"),
            ("sector", "sectors", "sector_id"),
            ("partner", "countries", "country_id"),
        ],
    },
}

SETUP = """
CREATE TABLE failures (kind VARCHAR, path VARCHAR, line BIGINT);
-- a factor widened before a product, as the validator does (two DECIMAL(18,6) overflow past 1e6 x 1e6)
CREATE MACRO wide(x) AS CAST(x AS DECIMAL(38, 8));
"""

# group-shares-sum: in each province-sector-year the shares, each +-0.005, can sum to 100;
# a group with an empty share is not judged; reported on the line of its largest share
SHARES_SUM = """
INSERT INTO failures
SELECT 'shares-sum', 'resources/exports.csv', arg_max(line, share)
FROM exports
GROUP BY province, sector, year
HAVING count(share) = count(*)
   AND NOT (sum(share) - 0.005 * count(*) <= 100 AND 100 <= sum(share) + 0.005 * count(*))
"""

# group-growth: each row's interval by its qualifier; the growth g (percent, +-0.05) agrees
# when lo * 100 <= (g + 100.05) * hi0 and (g + 99.95) * lo0 <= hi * 100 (no high bound: no test)
GROWTH = """
INSERT INTO failures
WITH iv AS (
    SELECT line, province, sector, partner, year, value, growth,
           CASE qualifier WHEN 'approx' THEN value - resolution WHEN 'at_least' THEN value
                          WHEN 'at_most' THEN value - resolution ELSE value - resolution * 0.5 END AS lo,
           CASE qualifier WHEN 'approx' THEN value + resolution WHEN 'at_least' THEN NULL
                          WHEN 'at_most' THEN value ELSE value + resolution * 0.5 END AS hi
    FROM exports
),
pairs AS (
    SELECT cur.province, cur.sector, cur.partner, cur.line,
           NOT coalesce((prev.hi IS NULL OR wide(cur.lo) * 100 <= (wide(cur.growth) + 100.05) * wide(prev.hi))
                    AND (cur.hi IS NULL OR (wide(cur.growth) + 99.95) * wide(prev.lo) <= wide(cur.hi) * 100),
                        true) AS bad
    FROM iv cur
    JOIN iv prev ON cur.province = prev.province AND cur.sector = prev.sector
                AND cur.partner = prev.partner AND cur.year = prev.year + 1
    WHERE cur.growth IS NOT NULL AND cur.value IS NOT NULL AND prev.value IS NOT NULL AND prev.lo > 0
)
SELECT 'growth', 'resources/exports.csv', min(line) FILTER (WHERE bad)
FROM pairs
GROUP BY province, sector, partner
HAVING bool_or(bad)
"""

# group-ranking: values +- resolution/2 (the rule declares no qualifier); a row fails when a
# better rank's value is surely smaller, or when its equal ranks' values cannot be equal
RANKING = """
INSERT INTO failures
WITH ranked AS (
    SELECT province, sector, year, line,
           coalesce(min(hi) OVER (w RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) < lo
                    OR max(lo) OVER (w RANGE BETWEEN CURRENT ROW AND CURRENT ROW)
                       > min(hi) OVER (w RANGE BETWEEN CURRENT ROW AND CURRENT ROW), false) AS bad
    FROM (SELECT province, sector, year, line, rank,
                 value - resolution * 0.5 AS lo, value + resolution * 0.5 AS hi
          FROM exports WHERE rank IS NOT NULL AND value IS NOT NULL)
    WINDOW w AS (PARTITION BY province, sector, year ORDER BY rank)
)
SELECT 'ranking', 'resources/exports.csv', min(line) FILTER (WHERE bad)
FROM ranked
GROUP BY province, sector, year
HAVING bool_or(bad)
"""


def load(con: duckdb.DuckDBPyConnection, root: Path, name: str) -> bool:
    """Read ``resources/<name>.csv`` typed into the view ``<name>`` (with ``line``); False if unreadable."""
    columns = TABLES[name]["columns"]
    path = f"resources/{name}.csv"
    types = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
    con.execute(f"""
        CREATE TABLE {name}_typed AS SELECT * FROM read_csv('{root / path}', header = true, auto_detect = false,
            columns = {types}, delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false,
            store_rejects = true, rejects_table = '{name}_rejects', rejects_scan = '{name}_scan')""")
    con.execute(f"""
        INSERT INTO failures
        SELECT CASE WHEN error_type = 'CAST' THEN 'type-error' ELSE 'unreadable-row' END, '{path}', line
        FROM {name}_rejects""")
    if con.execute(f"SELECT 1 FROM {name}_rejects WHERE error_type <> 'CAST'").fetchall():
        return False
    # the rows with a type error, put back from their text with the failed cells empty
    # (cells never hold a comma in this package, so the line splits on commas)
    cells = ", ".join(
        f"TRY_CAST(nullif(c[{i}], '') AS {t}) AS {c}" for i, (c, t) in enumerate(columns.items(), start=1)
    )
    con.execute(f"""
        CREATE TABLE {name}_retyped AS
        SELECT line, {cells}, failed
        FROM (SELECT line, string_split(any_value(csv_line), ',') AS c, list(column_name) AS failed
              FROM {name}_rejects GROUP BY line)""")
    # a loaded row's line: its position + 2 (the header is line 1), + the rejected lines before it;
    # the rejected line r_j (j-th, from 1) comes after the rows at positions >= r_j - j - 1
    rejected = [r for (r,) in con.execute(f"SELECT DISTINCT line FROM {name}_rejects ORDER BY line").fetchall()]
    shift = " + ".join(f"(rowid >= {r - j - 1})::BIGINT" for j, r in enumerate(rejected, start=1)) or "0"
    names = ", ".join(columns)
    con.execute(f"""
        CREATE VIEW {name} AS
        SELECT rowid + 2 + {shift} AS line, {names}, NULL::VARCHAR[] AS failed FROM {name}_typed
        UNION ALL SELECT line, {names}, failed FROM {name}_retyped""")
    return True


def check_table(con: duckdb.DuckDBPyConnection, name: str, readable: set[str]) -> None:
    """The constraints, primary key and foreign keys of one table."""
    spec = TABLES[name]
    path = f"resources/{name}.csv"
    failing = []
    for field, check, condition in spec["constraints"]:
        if check == "required" and spec["columns"][field] != "VARCHAR":  # a type error is not also empty
            condition += f" AND NOT list_contains(coalesce(failed, []), '{field}')"
        failing.append(f"CASE WHEN {condition} THEN '{field}/{check}' END")
    # one pass: the failing rows, then each of their failing (field, check) pairs
    con.execute(f"""
        INSERT INTO failures
        SELECT 'constraint', '{path}', line FROM (
            SELECT line, unnest(list_filter([{", ".join(failing)}], x -> x IS NOT NULL)) AS broken
            FROM {name} WHERE {" OR ".join(f"({c})" for _, _, c in spec["constraints"])})""")
    key = ", ".join(spec["key"])
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in spec["key"])
    con.execute(f"""
        INSERT INTO failures
        WITH repeated AS (SELECT {key} FROM {name} WHERE {not_null} GROUP BY {key} HAVING count(*) > 1)
        SELECT 'primary-key', '{path}', line FROM (
            SELECT line, row_number() OVER (PARTITION BY {key} ORDER BY line) AS n
            FROM {name} SEMI JOIN repeated USING ({key}))
        WHERE n > 1""")
    for field, target, target_field in spec["foreign"]:
        if target in readable:
            con.execute(f"""
                INSERT INTO failures
                SELECT 'foreign-key', '{path}', t.line
                FROM {name} t ANTI JOIN {target} r ON t.{field} = r.{target_field}
                WHERE t.{field} IS NOT NULL""")


def run(root: Path, max_lines: int = 1000) -> dict:
    """``{"counts": {kind: n}, "lines": {kind: ["path:line", ...]}}`` for the package at ``root``."""
    con = duckdb.connect()
    con.execute(SETUP)
    readable = {name for name in TABLES if load(con, root, name)}
    for name in TABLES:
        if name in readable:
            check_table(con, name, readable)
    if "exports" in readable:
        for statement in (SHARES_SUM, GROWTH, RANKING):
            con.execute(statement)
    counts = dict.fromkeys(KINDS, 0)
    counts.update(dict(con.execute("SELECT kind, count(*) FROM failures GROUP BY kind").fetchall()))
    lines: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for kind, path, line in con.execute(f"""
            SELECT kind, path, line FROM failures
            QUALIFY row_number() OVER (PARTITION BY kind ORDER BY path, line) <= {max_lines}
            ORDER BY kind, path, line""").fetchall():
        lines[kind].append(f"{path}:{line}")
    con.close()
    return {"counts": counts, "lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", type=Path, help="a package folder made by bench/generate.py")
    parser.add_argument("--json", action="store_true", help="print the counts and lines as JSON")
    parser.add_argument("--max-lines", type=int, default=1000, help="failing lines kept per kind (--json)")
    args = parser.parse_args()
    result = run(args.package, args.max_lines)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        for kind, count in result["counts"].items():
            print(f"{kind:16} {count:>10,}")
    sys.exit(1 if any(result["counts"].values()) else 0)


if __name__ == "__main__":
    main()
