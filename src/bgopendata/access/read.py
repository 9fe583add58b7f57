"""``bgopendata.read(name)``: one table as a typed data frame, from the package or a release.

Readers that guess types from CSV text turn ``period`` ``2013`` into a number and the
ISTAT code ``016`` into 16. This reads a release's Parquet file when there is one (its
types are the schema's), and otherwise the CSV typed by its Table Schema (the same
reading ``build`` uses), so every column has its documented type in pandas and polars.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.names import file_inside

FRAMES = ("pandas", "polars", "arrow")


def read_table(name: str, source: str | Path = ".") -> Any:
    """The resource ``name`` as a typed Arrow table, from a release folder or a package."""
    import pyarrow.parquet as pq

    from bgopendata.package import open_package
    from bgopendata.publish import assets
    from bgopendata.publish.parquet import read_typed

    folder = Path(source)
    folder = folder.parent if folder.name == assets.DESCRIPTOR else folder
    parquet = file_inside(folder, assets.parquet_asset(name))
    if parquet.is_file():
        return pq.read_table(parquet)
    package = open_package(folder)
    if name not in [r.name for r in package.resources]:
        listed = ", ".join(sorted(r.name for r in package.resources))
        raise UnusableInput(f"no table {name!r} (tables: {listed})", path=str(folder))
    return read_typed(package.resource(name))


def read(name: str, source: str | Path = ".", *, frame: str = "pandas") -> Any:
    """``name`` as a pandas (default) or polars data frame, or an Arrow table, with the
    schema's types: strings stay strings (``'016'``, ``'2013'``), integers stay integers."""
    if frame not in FRAMES:
        raise UnusableInput(f"frame {frame!r} is not one of {', '.join(FRAMES)}")
    table = read_table(name, source)
    if frame == "arrow":
        return table
    if frame == "polars":
        import polars  # optional: pip install polars

        return polars.from_arrow(table)
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)
