"""Validation engines: which implementation runs each stage of the one pipeline as the package grows.

- ``frictionless`` (default for small packages): the structure by the official frictionless
  validator; the reference behaviour and messages.
- ``duckdb`` (chosen above ``SCALE_BYTES`` of CSV): types and keys as DuckDB SQL over a
  scratch database, field constraints as pandera checks on pandera's ibis backend, which
  runs them inside DuckDB: never row by row in Python.
- ``spark``: the structure read and checked on Spark (``spark_tables``, the same problems
  as ``duckdb``), the group rules through pandera's pyspark backend on the same session.

Figure rules run the same way on every engine, in Python over the few figures each names
(no engine has anything to distribute there). Group rules (``group-*`` kinds) are one ibis
relation per kind, checked by pandera in DuckDB on ``frictionless`` and ``duckdb`` and,
compiled to Spark SQL, on Spark, so a grown package gets the same verdicts everywhere.
``pandas`` is the former name of ``frictionless``, still accepted.
"""

from __future__ import annotations

import contextlib

from bgopendata.package import Package

ENGINES = ("auto", "frictionless", "duckdb", "spark")
ALIASES = {"pandas": "frictionless"}  # deprecated: it named a library the engine no longer relies on
SCALE_BYTES = 50_000_000  # above this much CSV, frictionless takes minutes: use DuckDB


def choose_engine(package: Package, engine: str = "auto") -> str:
    """``engine`` itself (an alias resolved), or for ``auto`` the engine the package's size calls for."""
    engine = ALIASES.get(engine, engine)
    if engine != "auto":
        return engine
    size = 0
    for res in package.resources:
        with contextlib.suppress(OSError):  # adds nothing; reading the file reports the problem
            size += res.path.stat().st_size
    return "duckdb" if size > SCALE_BYTES else "frictionless"
