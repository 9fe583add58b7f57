"""The names of a release's files, written once: ``build`` writes them, ``download`` and
the GitHub release workflow read exactly these names.

Names carry no version so that GitHub's ``/latest/download/<asset>`` URLs stay stable;
the version lives in the release tag and in the release ``datapackage.json``.
"""

from __future__ import annotations

DESCRIPTOR = "datapackage.json"
# The same package with each resource's Parquet file in place of its CSV; ``download --format
# parquet`` saves it as the folder's datapackage.json, so that folder is a package too.
PARQUET_DESCRIPTOR = "datapackage.parquet.json"
CHECKSUMS = "SHA256SUMS"
DATABASE = "bgopendata.duckdb"
SQLITE = "bgopendata.sqlite"
DATASETTE_METADATA = "datasette-metadata.json"  # datasette bgopendata.sqlite --metadata datasette-metadata.json
# A database is one file no Data Package reader opens as tables: its descriptor lists it as a
# file resource with its size and hash, so ``download --format duckdb|sqlite`` leaves a
# package too (frictionless checks the bytes and the hash).
DATABASE_DESCRIPTORS = {"duckdb": "datapackage.duckdb.json", "sqlite": "datapackage.sqlite.json"}
DESCRIPTORS = (DESCRIPTOR, PARQUET_DESCRIPTOR, *DATABASE_DESCRIPTORS.values())  # each a package's descriptor
ARCHIVE = "bgopendata.zip"
CSV_SUFFIX = ".csv"
PARQUET_SUFFIX = ".parquet"

# Where ``download`` looks by default; ``--base-url`` or BGOPENDATA_BASE_URL override it.
DEFAULT_BASE_URL = "https://github.com/bgopendata/bgopendata/releases"
BASE_URL_ENV = "BGOPENDATA_BASE_URL"

# ``download --format`` -> which release files it fetches (SHA256SUMS is always fetched).
FORMATS = ("csv", "parquet", "duckdb", "sqlite", "zip")


def csv_asset(resource: str) -> str:
    return f"{resource}{CSV_SUFFIX}"


def parquet_asset(resource: str) -> str:
    return f"{resource}{PARQUET_SUFFIX}"


def assets_for(fmt: str, listed: list[str]) -> list[str]:
    """The assets ``download --format fmt`` fetches, chosen among the names SHA256SUMS lists."""
    if fmt == "csv":
        return [DESCRIPTOR, *sorted(n for n in listed if n.endswith(CSV_SUFFIX))]
    if fmt == "parquet":
        return [PARQUET_DESCRIPTOR, *sorted(n for n in listed if n.endswith(PARQUET_SUFFIX))]
    # A release older than the database descriptors (1.0.0) lists none: the file alone, then.
    descriptor = [DATABASE_DESCRIPTORS[fmt]] if DATABASE_DESCRIPTORS.get(fmt) in listed else []
    if fmt == "duckdb":
        return [*descriptor, DATABASE]
    if fmt == "sqlite":
        return [*descriptor, SQLITE, DATASETTE_METADATA]
    if fmt == "zip":
        return [ARCHIVE]
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def local_name(asset: str) -> str:
    """The name an asset takes in a downloaded folder: a package's descriptor is datapackage.json."""
    return DESCRIPTOR if asset in DESCRIPTORS else asset
