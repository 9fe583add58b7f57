"""Generate a grown package for the scale benches: exports by province x sector x partner x year.

Same layout as the real package (``datapackage.json``, ``resources/``, ``schemas/``,
``rules/`` with the table's group rules), sized by ``--rows`` (100k, 1M, 10M...). The
figures are consistent: in each province-sector-year the partners' shares sum to 100,
each growth agrees with the previous and current values, and ranks follow the values,
all within their written precision. ``--inject N`` breaks N rows of each kind (type
error, primary-key duplicate, foreign-key violation, constraint, shares-sum, growth,
ranking) and writes the expected problems with their CSV line numbers to ``expected.json``
(and prints them with ``--show``).

The data are made in DuckDB SQL (10M rows in a few seconds, not minutes of Python).
Write the output under /tmp, never into the repository.

Example:
    python bench/generate.py --rows 1000000 --out /tmp/bg-1m
    python bench/generate.py --rows 20000 --inject 3 --out /tmp/bg-20k-broken --show
"""

from __future__ import annotations

import argparse
import json
import shutil
import string
from pathlib import Path

PROVINCES = 107
FIRST_YEAR = 2000
# (sectors, years) tried in order; partners fill the rest of the requested size (10-190).
SHAPES = [(20, 25), (10, 25), (5, 20), (2, 10), (1, 5)]
KINDS = ["type-error", "primary-key", "foreign-key", "constraint", "shares-sum", "growth", "ranking"]
CODES = {
    "type-error": "structure/type-error",
    "primary-key": "structure/primary-key",
    "foreign-key": "structure/foreign-key",
    "constraint": "structure/constraint-error",
    "shares-sum": "group-shares-sum",
    "growth": "group-growth",
    "ranking": "group-ranking",
}


def shape(rows: int) -> tuple[int, int, int]:
    """(sectors, years, partners) whose product with the 107 provinces is close to ``rows``."""
    for sectors, years in SHAPES:
        partners = round(rows / (PROVINCES * sectors * years))
        if 10 <= partners <= 190:
            return sectors, years, partners
    return (SHAPES[0][0], SHAPES[0][1], 190) if rows > 1000 else (1, 5, 10)


def _field(name: str, type_: str, **constraints) -> dict:
    field = {"name": name, "type": type_, "title": name.replace("_", " ").capitalize()}
    if constraints:
        field["constraints"] = constraints
    return field


def schemas() -> dict[str, dict]:
    code = {"type": "string"}
    exports = {
        "fields": [
            _field("province", "string", required=True),
            _field("sector", "string", required=True),
            _field("partner", "string", required=True),
            _field("year", "integer", required=True, minimum=1990, maximum=2100),
            _field("value", "number", required=True, minimum=0),
            _field("unit", "string", required=True, enum=["EUR_mn"]),
            _field("resolution", "number", required=True, minimum=0.000001),
            _field("qualifier", "string", required=True, enum=["exact", "approx", "at_least", "at_most"]),
            _field("share", "number", required=True, minimum=0, maximum=100),
            _field("growth", "number"),
            _field("rank", "integer", required=True, minimum=1),
        ],
        "primaryKey": ["province", "sector", "partner", "year"],
        "foreignKeys": [
            {"fields": ["province"], "reference": {"resource": "provinces", "fields": ["province_id"]}},
            {"fields": ["sector"], "reference": {"resource": "sectors", "fields": ["sector_id"]}},
            {"fields": ["partner"], "reference": {"resource": "countries", "fields": ["country_id"]}},
        ],
    }
    provinces = {
        "fields": [
            _field("province_id", "string", required=True, unique=True, pattern="[a-z0-9-]+"),
            _field("name", "string", required=True),
            _field("istat_code", "string"),
        ],
        "primaryKey": ["province_id"],
    }
    sectors = {
        "fields": [
            _field("sector_id", "string", required=True, unique=True),
            _field("name_en", "string", required=True),
        ],
        "primaryKey": ["sector_id"],
    }
    countries = {
        "fields": [
            _field("country_id", "string", required=True, unique=True, pattern="[a-z]{2}"),
            _field("name_en", "string", required=True),
        ],
        "primaryKey": ["country_id"],
    }
    del code
    return {"exports": exports, "provinces": provinces, "sectors": sectors, "countries": countries}


def rules() -> dict[str, list[dict]]:
    """Each table's rules file (``rules/<table>.json``): the group rules of ``exports``."""
    return {
        "exports": [
            {
                "id": "partner-shares-sum-to-100",
                "kind": "group-shares-sum",
                "description": "The partners' shares of a province's sector exports in a year sum to 100",
                "group_by": ["province", "sector", "year"],
                "share": "share",
                "total": 100,
            },
            {
                "id": "growth-matches-values",
                "kind": "group-growth",
                "description": "The yearly growth agrees with the previous and current values",
                "series": ["province", "sector", "partner"],
                "time": "year",
                "value": "value",
                "qualifier": "qualifier",
                "growth": "growth",
            },
            {
                "id": "partner-ranks-follow-values",
                "kind": "group-ranking",
                "description": "Partner ranks follow export values within a province, sector and year",
                "group_by": ["province", "sector", "year"],
                "value": "value",
                "rank": "rank",
            },
        ]
    }


def _code_lists(out: Path, sectors: int, partners: int) -> None:
    res = out / "resources"
    lines = ["province_id,name,istat_code"]
    lines += [f"p{i:03d},Province {i:03d},{i:03d}" for i in range(1, PROVINCES + 1)]
    (res / "provinces.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["sector_id,name_en"] + [f"s{i:02d},Sector {i:02d}" for i in range(1, sectors + 1)]
    (res / "sectors.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    letters = string.ascii_lowercase
    codes = [a + b for a in letters for b in letters][:partners]
    lines = ["country_id,name_en"] + [f"{c},Country {c.upper()}" for c in codes]
    (res / "countries.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _descriptor(schema_names: list[str]) -> dict:
    return {
        "name": "bgopendata-scale-bench",
        "title": "Synthetic exports by province, sector, partner and year (bench only)",
        "resources": [
            {
                "name": n,
                "path": f"resources/{n}.csv",
                "schema": f"schemas/{n}.json",
                **({"rules": f"rules/{n}.json"} if n in rules() else {}),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
            }
            for n in schema_names
        ],
    }


def generate(out: Path, rows: int, inject: int = 0, seed: int = 7) -> dict:
    """Write the package to ``out`` (replaced); returns its summary with the expected problems."""
    import duckdb

    if out.exists():
        shutil.rmtree(out)
    (out / "resources").mkdir(parents=True)
    (out / "schemas").mkdir()
    (out / "rules").mkdir()
    sectors, years, partners = shape(rows)
    for name, schema in schemas().items():
        (out / "schemas" / f"{name}.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    for name, declared in rules().items():
        (out / "rules" / f"{name}.json").write_text(json.dumps({"rules": declared}, indent=2) + "\n", encoding="utf-8")
    (out / "datapackage.json").write_text(json.dumps(_descriptor(list(schemas())), indent=2) + "\n", encoding="utf-8")
    _code_lists(out, sectors, partners)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    letters = string.ascii_lowercase
    codes = [a + b for a in letters for b in letters][:partners]
    con.execute("CREATE TABLE partners AS SELECT unnest($c) AS partner, generate_subscripts($c, 1) AS pn", {"c": codes})
    # values: log-uniform over five orders of magnitude, rounded to 0.1 (never below 0.1)
    con.execute(f"""
        CREATE TABLE base AS
        SELECT 'p' || lpad(p::VARCHAR, 3, '0') AS province, p,
               's' || lpad(s::VARCHAR, 2, '0') AS sector, s, partner, pn,
               {FIRST_YEAR} + y AS year,
               greatest(0.1, round(pow(10, (hash(p, s, pn, y, {seed}) % 100000) / 20000.0 - 1), 1))::DECIMAL(18,1)
                 AS value
        FROM range(1, {PROVINCES + 1}) t1(p), range(1, {sectors + 1}) t2(s), partners, range(0, {years}) t3(y)
    """)
    con.execute("""
        CREATE TABLE facts AS
        SELECT province, p, sector, s, partner, pn, year, value,
               round(value * 100 / sum(value) OVER g, 2)::DECIMAL(18,2) AS share,
               CASE WHEN lag(value) OVER ch IS NULL THEN NULL
                    ELSE round((value / lag(value) OVER ch - 1) * 100, 1)::DECIMAL(18,1) END AS growth,
               row_number() OVER (PARTITION BY p, s, year ORDER BY value DESC, pn) AS rank
        FROM base
        WINDOW g AS (PARTITION BY p, s, year), ch AS (PARTITION BY p, s, pn ORDER BY year)
        ORDER BY p, s, year, pn
    """)
    con.execute("DROP TABLE base")
    con.execute("""
        CREATE TABLE out AS
        SELECT row_number() OVER () + 1 AS line, p, s, pn, year AS y, province, sector, partner,
               year::VARCHAR AS year, value::VARCHAR AS value, 'EUR_mn' AS unit, '0.1' AS resolution,
               'exact' AS qualifier, share::VARCHAR AS share, growth::VARCHAR AS growth,
               rank::VARCHAR AS rank, share AS share_num, value AS value_num
        FROM facts ORDER BY p, s, y, pn
    """)
    con.execute("DROP TABLE facts")
    expected = _inject(con, inject, sectors, years, partners) if inject else []
    columns = "province, sector, partner, year, value, unit, resolution, qualifier, share, growth, rank"
    target = out / "resources" / "exports.csv"
    con.execute(f"COPY (SELECT {columns} FROM out ORDER BY line) TO '{target}' (HEADER, DELIMITER ',', QUOTE '\"')")
    total = con.execute("SELECT count(*) FROM out").fetchone()[0]
    summary = {
        "rows": total,
        "provinces": PROVINCES,
        "sectors": sectors,
        "years": years,
        "partners": partners,
        "bytes": target.stat().st_size,
        "inject": inject,
        "expected": expected,
    }
    (out / "expected.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _inject(con, n: int, sectors: int, years: int, partners: int) -> list[dict]:
    """Break ``n`` rows of each kind, each in its own province-sector pair so that no two interact."""
    pairs = [(p, s) for p in range(1, PROVINCES + 1) for s in range(1, sectors + 1)]
    need = n * len(KINDS)
    if need > len(pairs) or years < 3 or partners < 3:
        raise SystemExit(f"--inject {n} needs {need} province-sector pairs; this size has {len(pairs)}")
    step = len(pairs) // need
    chosen = [pairs[i * step] for i in range(need)]
    expected: list[dict] = []
    for i, (p, s) in enumerate(chosen):
        kind = KINDS[i // n]
        year = FIRST_YEAR + 1 + (i % (years - 2))  # never the first year: growth has a previous value
        where = f"p = {p} AND s = {s} AND y = {year}"
        if kind == "type-error":
            line = con.execute(f"SELECT line FROM out WHERE {where} AND rank = '2'").fetchone()[0]
            con.execute(f"UPDATE out SET value = 'n/a' WHERE line = {line}")
            expected.append({"kind": kind, "line": line, "field": "value"})
        elif kind == "primary-key":
            # a repeated row with the smallest share of its group: only the key repeats, no rule breaks
            row = con.execute(f"""SELECT line FROM out WHERE {where} ORDER BY share_num, line LIMIT 1""").fetchone()
            last = con.execute("SELECT max(line) FROM out").fetchone()[0]
            con.execute(f"INSERT INTO out SELECT {last + 1}, * EXCLUDE (line) FROM out WHERE line = {row[0]}")
            expected.append({"kind": kind, "line": last + 1, "field": "province"})
        elif kind == "foreign-key":
            line = con.execute(f"SELECT line FROM out WHERE {where} AND rank = '3'").fetchone()[0]
            con.execute(f"UPDATE out SET partner = '00' WHERE line = {line}")
            expected.append({"kind": kind, "line": line, "field": "partner"})
        elif kind == "constraint":
            line = con.execute(f"SELECT line FROM out WHERE {where} AND rank = '2'").fetchone()[0]
            con.execute(f"UPDATE out SET qualifier = 'roughly' WHERE line = {line}")
            expected.append({"kind": kind, "line": line, "field": "qualifier"})
        elif kind == "shares-sum":
            line = con.execute(f"SELECT line FROM out WHERE {where} ORDER BY share_num DESC, line LIMIT 1").fetchone()[
                0
            ]
            con.execute(f"UPDATE out SET share = (share_num + 10)::VARCHAR WHERE line = {line}")
            expected.append({"kind": kind, "line": line, "field": "share"})
        elif kind == "growth":
            # a row whose two values are large enough (>= 100) that +50 points is surely outside
            line = con.execute(f"""SELECT a.line FROM out a JOIN out b ON a.p = b.p AND a.s = b.s AND a.pn = b.pn
                                   AND b.y = a.y - 1 WHERE a.p = {p} AND a.s = {s} AND a.y > {FIRST_YEAR}
                                   AND a.value_num >= 100 AND b.value_num >= 100
                                   ORDER BY a.y, a.line LIMIT 1""").fetchone()[0]
            con.execute(
                f"UPDATE out SET growth = (coalesce(TRY_CAST(growth AS DECIMAL(18,1)), 0) + 50)::VARCHAR "
                f"WHERE line = {line}"
            )
            expected.append({"kind": kind, "line": line, "field": "growth"})
        elif kind == "ranking":
            # swap ranks 1 and 2 where their values cannot be equal: the old first is flagged
            pick = f"""SELECT a.line, b.line FROM out a JOIN out b USING (p, s, y)
                       WHERE a.p = {p} AND a.s = {s} AND a.y > {FIRST_YEAR} AND a.rank = '1' AND b.rank = '2'
                         AND a.value_num - b.value_num > 0.1 ORDER BY a.y LIMIT 1"""
            one, two = con.execute(pick).fetchone()
            con.execute(f"UPDATE out SET rank = '2' WHERE line = {one}")
            con.execute(f"UPDATE out SET rank = '1' WHERE line = {two}")
            expected.append({"kind": kind, "line": one, "field": "rank"})
    for e in expected:
        e["code"] = CODES[e["kind"]]
        e["path"] = "resources/exports.csv"
    return sorted(expected, key=lambda e: e["line"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="approximate number of fact rows")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced); keep it under /tmp")
    parser.add_argument("--inject", type=int, default=0, help="errors of each kind to inject")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", action="store_true", help="print the expected problems")
    args = parser.parse_args()
    repo = Path(__file__).resolve().parent.parent
    if repo in args.out.resolve().parents or args.out.resolve() == repo:
        raise SystemExit("--out must be outside the repository (e.g. /tmp/bg-1m)")
    summary = generate(args.out, args.rows, args.inject, args.seed)
    print(
        f"{args.out}: {summary['rows']:,} rows ({summary['sectors']} sectors x {summary['partners']} partners "
        f"x {summary['years']} years x {PROVINCES} provinces), {summary['bytes'] / 1e6:.0f} MB"
    )
    if args.show:
        for e in summary["expected"]:
            print(f"  {e['code']:24} {e['path']}:{e['line']} [{e['field']}]")


if __name__ == "__main__":
    main()
