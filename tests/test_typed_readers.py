"""Types survive every reader: ``period`` and codes such as istat_code ``016`` stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

import bgopendata
from bgopendata.errors import UnusableInput
from bgopendata.publish.build import build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("rel") / "dist").path


@pytest.mark.parametrize("where", ["release", "package"])
def test_read_returns_the_documented_types_in_pandas(release, where):
    source = release if where == "release" else ROOT
    areas = bgopendata.read("areas", source)
    bergamo = areas[areas["area_id"] == "bergamo"]
    assert bergamo["istat_code"].tolist() == ["016"]
    exports = bgopendata.read("province_exports", source)
    assert len(exports[exports["period"] == "2013"]) > 0
    assert str(exports["period"].dtype).startswith("string")
    assert str(exports["value"].dtype).startswith("double")


def test_read_as_arrow_keeps_the_schema_types(release):
    import pyarrow as pa

    table = bgopendata.read("areas", release, frame="arrow")
    assert table.schema.field("istat_code").type == pa.string()


def test_read_names_the_tables_when_one_is_missing():
    with pytest.raises(UnusableInput, match=r"no table 'exportz' \(tables: .*province_exports"):
        bgopendata.read("exportz", ROOT)


def test_pandas_and_duckdb_read_parquet_with_the_documented_types(release):
    import duckdb
    import pandas as pd

    areas = pd.read_parquet(release / "areas.parquet")
    assert areas.loc[areas["area_id"] == "bergamo", "istat_code"].tolist() == ["016"]
    parquet = release / "province_exports.parquet"
    assert duckdb.sql(f"SELECT DISTINCT typeof(period) FROM read_parquet('{parquet}')").fetchall() == [("VARCHAR",)]
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{parquet}') WHERE period = '2013'").fetchone()[0] > 0


def test_frictionless_reads_the_release_with_the_documented_types(release):
    import frictionless

    package = frictionless.Package(str(release / "datapackage.json"))
    rows = package.get_resource("areas").read_rows()
    assert [r["istat_code"] for r in rows if r["area_id"] == "bergamo"] == ["016"]


def test_polars_reads_the_release_with_the_documented_types(release):
    """read_parquet as is; read_csv with the overrides docs/using-the-data.md shows; read(frame=)."""
    pl = pytest.importorskip("polars")

    exports = pl.read_parquet(release / "province_exports.parquet")
    assert exports.schema["period"] == pl.String and exports.schema["value"] == pl.Float64
    assert exports.filter(pl.col("period") == "2013").height > 0
    areas = pl.read_parquet(release / "areas.parquet")
    assert areas.filter(pl.col("area_id") == "bergamo")["istat_code"].to_list() == ["016"]

    guessed = pl.read_csv(release / "areas.csv")  # what the docs warn about: the leading zero goes
    assert guessed.filter(pl.col("area_id") == "bergamo")["istat_code"].to_list() != ["016"]
    areas_csv = pl.read_csv(release / "areas.csv", schema_overrides={"istat_code": pl.String})
    assert areas_csv.filter(pl.col("area_id") == "bergamo")["istat_code"].to_list() == ["016"]
    exports_csv = pl.read_csv(release / "province_exports.csv", schema_overrides={"period": pl.String})
    assert exports_csv.schema["period"] == pl.String
    assert exports_csv.filter(pl.col("period") == "2013").height == exports.filter(pl.col("period") == "2013").height

    frame = bgopendata.read("areas", release, frame="polars")
    assert isinstance(frame, pl.DataFrame)
    assert frame.filter(pl.col("area_id") == "bergamo")["istat_code"].to_list() == ["016"]
    assert bgopendata.read("province_exports", ROOT, frame="polars").schema["period"] == pl.String
