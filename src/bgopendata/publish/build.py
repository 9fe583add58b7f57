"""``build``: turn a valid data package into a release folder, reproducibly and atomically.

A release is flat, one file per GitHub release asset (names in ``publish/assets.py``): the
CSVs, one Parquet per resource, ``bgopendata.duckdb``, ``bgopendata.sqlite`` with its
Datasette metadata, a zip of the data package, a release ``datapackage.json`` (Data Package
v2) whose resources carry ``bytes`` and ``hash``, one descriptor per other format, and
``SHA256SUMS``. Everything is written into a temporary folder next to the destination,
flushed to disk, and swapped into place in one step only when complete (Linux's
``renameat2(RENAME_EXCHANGE)``), so a build killed at any point leaves the previous release
whole, and two builds at once leave one of them whole. Temporary folders of killed builds
are removed by the next one. Nothing depends on the clock: two builds of the same commit
are byte-identical.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bgopendata.atomic import remove_dead_staging, swap_into_place, sync_folder
from bgopendata.checksums import format_sums, parse_sums, sha256_file
from bgopendata.errors import UnusableInput
from bgopendata.guards import require_valid, safe_destination
from bgopendata.names import file_inside
from bgopendata.package import Package, open_package
from bgopendata.publish import assets as assets
from bgopendata.publish.truthful import published_schema, published_sources
from bgopendata.tableschema.standard import v2_package, v2_schema

PANDAS_MISSING = ["nan", "None"]  # how a Parquet null reaches frictionless's cells
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store; any fixed date works


@dataclass(frozen=True)
class Release:
    """What ``build`` produced: the folder and each asset's size in bytes."""

    path: Path
    sizes: dict[str, int]


def build(package_path: str | Path = ".", out: str | Path = "dist") -> Release:
    """Validate the package, then write its release to ``out`` (replacing an older release)."""
    from bgopendata.validation.pipeline import validate

    require_valid(validate(package_path), package_path)
    package = open_package(package_path)
    dest = safe_destination(
        Path(out),
        package,
        what="release",
        mark=assets.CHECKSUMS,
        not_ours=f"holds no {assets.CHECKSUMS}, so it is not an older release",
    )
    prefixes = (f".{dest.name}.building-", f".{dest.name}.old-")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        remove_dead_staging(dest.parent, prefixes, restore=dest)
        staging = Path(tempfile.mkdtemp(prefix=f"{prefixes[0]}{os.getpid()}-", dir=dest.parent))
    except OSError as exc:
        raise UnusableInput(f"cannot write a release here: {exc.strerror or exc}", path=str(out)) from None
    try:
        write_release(package, staging)
        sync_folder(staging)
        keep_unlisted(dest, staging)
        swap_into_place(staging, dest)  # afterwards ``staging`` holds the old release, if any
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Release(dest, {p.name: p.stat().st_size for p in sorted(dest.iterdir())})


def write_release(package: Package, folder: Path) -> None:
    """Write every asset of the release into ``folder`` (an empty directory)."""
    from bgopendata.publish.duckdb_file import write_database
    from bgopendata.publish.parquet import read_typed, write_parquet
    from bgopendata.publish.sqlite_file import datasette_metadata, write_sqlite

    tables = {}
    for res in package.resources:  # ``file_inside``: no name becomes a path outside the release
        shutil.copyfile(res.path, file_inside(folder, assets.csv_asset(res.name)))
        tables[res.name] = read_typed(res)
        write_parquet(tables[res.name], file_inside(folder, assets.parquet_asset(res.name)))
    write_database(package, tables, folder / assets.DATABASE)
    write_sqlite(package, tables, folder / assets.SQLITE)
    _write_json(folder / assets.DATASETTE_METADATA, datasette_metadata(package))
    descriptor = release_descriptor(package, folder)
    _write_json(folder / assets.DESCRIPTOR, descriptor)
    _write_json(folder / assets.PARQUET_DESCRIPTOR, parquet_descriptor(descriptor, folder))
    for fmt, name in assets.DATABASE_DESCRIPTORS.items():
        _write_json(folder / name, database_descriptor(descriptor, folder, fmt))
    write_archive(package, folder)
    sums = {p.name: sha256_file(p) for p in folder.iterdir() if p.name != assets.CHECKSUMS}
    (folder / assets.CHECKSUMS).write_text(format_sums(sums), encoding="utf-8")


def _write_json(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def release_descriptor(package: Package, folder: Path) -> dict:
    """The package descriptor for the flat release, in Data Package v2 form whatever the
    package's: schemas and rules files inlined, ``bytes`` and ``hash`` stamped."""
    descriptor = v2_package(package.descriptor)
    if package.rules is not None:
        descriptor["rules"] = copy.deepcopy(package.rules)
    if isinstance(descriptor.get("sources"), list):
        descriptor["sources"] = published_sources(descriptor["sources"], str(descriptor.get("version", "")))
    for res_desc, res in zip(descriptor["resources"], package.resources, strict=False):
        csv_file = file_inside(folder, assets.csv_asset(res.name))
        res_desc["path"] = csv_file.name
        res_desc["schema"] = v2_schema(published_schema(res.schema), root=False)
        if res.rules is not None:
            res_desc["rules"] = copy.deepcopy(res.rules)
        res_desc["bytes"] = csv_file.stat().st_size
        res_desc["hash"] = f"sha256:{sha256_file(csv_file)}"
    return descriptor


def parquet_descriptor(descriptor: dict, folder: Path) -> dict:
    """The release descriptor with each resource's Parquet file in place of its CSV, so a folder
    of Parquet files is a data package that frictionless validates on its own. No ``bytes`` or
    ``hash``: frictionless reads Parquet by rows and cannot count a Parquet file's bytes, so
    SHA256SUMS alone checks the files."""
    parquet = copy.deepcopy(descriptor)
    for res_desc in parquet["resources"]:
        for key in ("encoding", "dialect", "mediatype", "bytes", "hash"):
            res_desc.pop(key, None)
        parquet_file = file_inside(folder, assets.parquet_asset(res_desc["name"]))
        res_desc["path"] = parquet_file.name
        res_desc["format"] = "parquet"
        res_desc["mediatype"] = "application/vnd.apache.parquet"
        schema = res_desc["schema"]  # frictionless reads Parquet through pandas: a null number is NaN
        schema["missingValues"] = [*schema.get("missingValues", [""]), *PANDAS_MISSING]
    return parquet


# What each database file is, for its descriptor: (resource name, format, media type).
DATABASE_FILES = {
    "duckdb": [(assets.DATABASE, "duckdb", "application/vnd.duckdb")],
    "sqlite": [
        (assets.SQLITE, "sqlite", "application/vnd.sqlite3"),
        (assets.DATASETTE_METADATA, "json", "application/json"),
    ],
}


def database_descriptor(descriptor: dict, folder: Path, fmt: str) -> dict:
    """The release's package metadata with the database (and its companions) as file
    resources, ``bytes`` and ``hash`` stamped: the folder ``download --format duckdb|sqlite``
    leaves is a package frictionless validates. Tables, rules and views stay in the release
    datapackage.json: no Data Package reader opens a table inside a database file."""
    out = {k: copy.deepcopy(v) for k, v in descriptor.items() if k not in ("rules", "views", "resources")}
    out["resources"] = []
    for name, file_format, mediatype in DATABASE_FILES[fmt]:
        path = file_inside(folder, name)
        out["resources"].append(
            {
                "name": name.replace(".", "-").lower(),
                "path": name,
                "format": file_format,
                "mediatype": mediatype,
                "bytes": path.stat().st_size,
                "hash": f"sha256:{sha256_file(path)}",
            }
        )
    return out


def write_archive(package: Package, folder: Path) -> None:
    """Zip the release data package (descriptor + CSVs) with fixed dates, modes and order.

    Members sit at the root of the zip, descriptor first, so ``frictionless validate
    bgopendata.zip`` and ``frictionless.Package("bgopendata.zip")`` read the whole package."""
    members = [assets.DESCRIPTOR, *sorted(assets.csv_asset(r.name) for r in package.resources)]
    with zipfile.ZipFile(folder / assets.ARCHIVE, "w") as archive:
        for name in members:
            file_inside(folder, name)  # a member is always a plain name
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the building machine
            archive.writestr(info, (folder / name).read_bytes(), compresslevel=9)


def keep_unlisted(old: Path, staging: Path) -> None:
    """Carry into the new release every entry of the old one that its SHA256SUMS does not list.

    The swap replaces the whole folder; without this, a file the user put next to an older
    release (notes, a README, another tool's output) would be deleted with it. Only what the
    earlier release wrote, which its SHA256SUMS lists, is removed. Entries are hard-linked
    (copied where links fail), so the old release stays whole until the swap.
    """
    if not old.is_dir() or not (old / assets.CHECKSUMS).is_file():
        return
    sums_file = old / assets.CHECKSUMS
    listed = set(parse_sums(sums_file.read_text("utf-8", errors="replace"), shown=str(sums_file)))
    for entry in sorted(old.iterdir()):
        if entry.name in listed or entry.name == assets.CHECKSUMS:
            continue
        target = staging / entry.name
        if target.exists() or target.is_symlink():
            raise UnusableInput(
                f"{entry.name} is not listed in the older release's {assets.CHECKSUMS} but the "
                "new release writes it; move it away first",
                path=str(old),
            )
        if entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(target))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
