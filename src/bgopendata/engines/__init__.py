"""Validation engines: how the same checks run as the package grows.

- ``pandas`` (default for small packages): frictionless for the structure, pandera on
  pandas for the figure rules; the reference behaviour and messages.
- ``duckdb`` (chosen above ``SCALE_BYTES`` of CSV): types and keys as DuckDB SQL over a
  scratch database, field constraints as pandera checks on pandera's ibis backend, which
  runs them inside DuckDB: never row by row in Python.
- ``spark``: the group rules through pandera's pyspark backend on a SparkSession.

Group rules (``group-*`` kinds, one relation per group of rows) are ibis expressions
checked by pandera; they run in DuckDB on the ``pandas`` and ``duckdb`` engines and,
compiled to Spark SQL, on Spark, so a grown package gets the same verdicts everywhere.
"""

from __future__ import annotations

from bgopendata.package import Package

ENGINES = ("auto", "pandas", "duckdb", "spark")
SCALE_BYTES = 50_000_000  # above this much CSV, frictionless takes minutes: use DuckDB


def choose_engine(package: Package, engine: str = "auto") -> str:
    """``engine`` itself, or for ``auto`` the engine the package's size calls for."""
    if engine != "auto":
        return engine
    size = 0
    for res in package.resources:
        try:
            size += res.path.stat().st_size
        except OSError:
            pass
    return "duckdb" if size > SCALE_BYTES else "pandas"
