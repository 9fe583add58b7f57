"""The optional parts of bgopendata and the extra that installs each.

A bare ``pip install bgopendata`` validates, queries, downloads, builds and diffs; the
portal, the catalogue metadata, the scale engines, remote queries and Spark bring large
libraries of their own and are extras. Code that needs one calls ``require`` before its
imports, so a missing extra is one line naming what to install, not an ``ImportError``.
"""

from __future__ import annotations

import importlib.util

from bgopendata.errors import UnusableInput

# extra -> (what needs it, the modules whose absence means the extra is not installed);
# pyproject.toml's [project.optional-dependencies] lists the packages of each.
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "site": ("bgopendata site", ("jinja2", "vl_convert")),
    "dcat": ("bgopendata metadata", ("rdflib",)),
    "scale": (
        "checking tables in DuckDB (--engine duckdb or spark, auto for a large package, group-* rules)",
        ("ibis", "sqlglot"),
    ),
    "remote": ("reading a release over HTTP", ("duckdb_extension_httpfs",)),
    "spark": ("--engine spark (with Java 17)", ("pyspark",)),
}


class MissingExtra(UnusableInput):
    """An optional part of bgopendata was asked for but its extra is not installed."""

    def __init__(self, extra: str) -> None:
        self.extra = extra
        needs = EXTRAS[extra][0]
        super().__init__(f"{needs} needs the [{extra}] extra: pip install 'bgopendata[{extra}]'")


def installed(extra: str) -> bool:
    """Whether every module the extra brings can be imported (found; nothing is imported)."""
    return all(_found(module) for module in EXTRAS[extra][1])


def require(extra: str) -> None:
    """Raise ``MissingExtra`` unless ``extra`` is installed."""
    if not installed(extra):
        raise MissingExtra(extra)


def _found(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module without a spec
        return False
