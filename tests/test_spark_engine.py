"""``--engine spark``: a real local Spark session gives the default engine's verdicts.

One ``local[2]`` session for the module (it takes about 9 s to start on Java 17). The
grown package's group rules run on Spark through pandera's pyspark backend; the
engine's own comparison with DuckDB is tests/test_spark_equivalence.py.
"""

from __future__ import annotations

import shutil

import pytest

from bgopendata.validation.pipeline import validate
from conftest import bench_generate, require_spark
from test_bad_inputs import MINI

require_spark()  # before anything starts Spark
generate = bench_generate()


@pytest.fixture(scope="module")
def spark():
    from bgopendata.engines.spark_rules import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    out = tmp_path_factory.mktemp("grown") / "pkg"
    summary = generate.generate(out, 20_000, inject=2)
    return out, summary["expected"]


def located(report):
    return sorted((p.code, p.path, p.line, p.severity) for p in report.problems)


def test_injected_errors_same_as_default_engine(spark, grown):
    root, expected = grown
    on_spark = validate(root, engine="spark", max_examples=100)
    default = validate(root, engine="pandas", max_examples=100)
    assert not on_spark.valid
    assert located(on_spark) == located(default)
    assert sorted((p.code, p.line) for p in on_spark.problems) == sorted((e["code"], e["line"]) for e in expected)
    group = [p for p in on_spark.problems if p.code.startswith("group-")]
    assert len(group) == 6 and all(p.rule and p.found and p.expected for p in group)


def test_examples_are_capped_on_spark_with_totals(spark, grown):
    root, _ = grown
    report = validate(root, engine="spark", max_examples=1)
    assert report.stats["omitted/exports/growth-matches-values"] == 1
    assert len([p for p in report.problems if p.code == "group-ranking"]) == 1


def test_clean_grown_package_is_valid_on_spark(spark, tmp_path):
    generate.generate(tmp_path / "pkg", 20_000)
    report = validate(tmp_path / "pkg", engine="spark")
    assert report.valid and report.stats["rules"] == 3


RAGGED = (
    "figure_id,geo,year,value,unit\n"
    "exports-2013-bergamo,bergamo,2013,13.1\n"
    "x,bergamo,2014,1,EUR_bn,extra\n"
    '"open,bergamo,2015,1,EUR_bn\n'
)


def test_ragged_rows_and_unclosed_quotes_as_duckdb_says_them(spark, tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(MINI, pkg)
    (pkg / "resources" / "facts.csv").write_text(RAGGED, encoding="utf-8")
    on_spark, on_duckdb = (validate(pkg, engine=e) for e in ("spark", "duckdb"))
    assert located(on_spark) == located(on_duckdb)
    assert sorted(p.message for p in on_spark.problems) == sorted(p.message for p in on_duckdb.problems)
    assert {(p.code, p.line) for p in on_spark.problems} >= {
        ("structure/missing-cell", 2),
        ("structure/extra-cell", 3),
        ("structure/unclosed-quote", 4),
    }


def test_data_read_at_a_uri_with_a_placeholder_in_the_folder(spark, grown, tmp_path):
    """``data_uri``: Spark reads the CSVs at the URI; the local folder's big table may be empty."""
    root, expected = grown
    data = tmp_path / "remote"
    shutil.copytree(root, data)
    local = tmp_path / "local"
    shutil.copytree(root, local)
    (local / "resources" / "exports.csv").write_text("", encoding="utf-8")
    report = validate(local, engine="spark", max_examples=100, data_uri=data.as_uri())
    assert sorted((p.code, p.line) for p in report.problems) == sorted((e["code"], e["line"]) for e in expected)


def test_data_uri_needs_spark(grown):
    from bgopendata.errors import UnusableInput

    with pytest.raises(UnusableInput, match="--data-uri needs --engine spark"):
        validate(grown[0], engine="duckdb", data_uri="file:///nowhere")
