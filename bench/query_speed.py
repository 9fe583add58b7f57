"""Cold ``bgopendata query`` vs plain DuckDB on the same CSV, whole processes, run by hand.

    .venv/bin/python bench/query_speed.py [--runs 11] [--package .] [--resource province_exports]

Each run starts a fresh process (cold: imports, package loading, view creation, query,
output). The two commands alternate so both see the same machine load. Prints the median
of each and the ratio (goal: at most 1.3x).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from timing import report, side_by_side

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--package", type=Path, default=ROOT)
    parser.add_argument("--resource", default="province_exports")
    args = parser.parse_args()
    package = args.package.resolve()
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    csv_path = next(r["path"] for r in descriptor["resources"] if r["name"] == args.resource)
    bin_dir = Path(sys.executable).parent
    sql = f"SELECT count(*) AS n, sum(value) AS total FROM {args.resource}"
    ours = [str(bin_dir / "bgopendata"), "query", "--package", str(package), sql]
    peer_sql = sql.replace(f"FROM {args.resource}", f"FROM read_csv('{package / csv_path}')")
    peer = [sys.executable, "-c", f"import duckdb; duckdb.sql({peer_sql!r}).show()"]
    times = side_by_side({"bgopendata query": ours, "python -c duckdb.sql": peer}, args.runs, cwd=package)
    medians = report(times, unit="ms")
    ratio = medians["bgopendata query"] / medians["python -c duckdb.sql"]
    print(f"ratio {ratio:.2f}x (goal <= 1.30x) on {csv_path}")


if __name__ == "__main__":
    main()
