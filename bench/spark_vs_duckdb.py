"""Informational: ``validate --engine spark`` (local mode) against ``--engine duckdb``, same package.

Both are whole processes on the same grown package (``bench/generate.py``), alternating so
that a noisy neighbour slows both alike; medians and the ratio are printed. On a 2-core
machine Spark is expected to be slower: its JVM start, its scheduler and a job per check
cost seconds that only a cluster pays back. No goal is set here.

Example:
    python bench/generate.py --rows 1000000 --inject 3 --out /tmp/bg-1m
    python bench/spark_vs_duckdb.py /tmp/bg-1m --runs 3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import report, side_by_side


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="a package made by bench/generate.py")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = [sys.executable, "-m", "bgopendata", "validate", "--format", "json", str(args.package)]
    commands = {
        "validate --engine duckdb": [*base, "--engine", "duckdb"],
        "validate --engine spark (local[2])": [*base, "--engine", "spark", "--spark-master", "local[2]"],
    }
    medians = report(side_by_side(commands, args.runs))
    duckdb, spark = medians.values()
    print(f"Spark local mode / DuckDB: {spark / duckdb:.1f}x ({spark - duckdb:+.1f} s)")


if __name__ == "__main__":
    main()
