"""Spark and DuckDB find the same problems: codes, files, lines, fields and messages.

One ``local[2]`` session for the module (about 9 s to start), with files split into
several partitions (a small ``spark.sql.files.maxPartitionBytes``), so the line numbers
are checked where Spark reads a file out of order. The corpus: every case of the
broken-package corpus (``tests/broken_cases.json``) and a bench package with injected
errors of every kind (structure and group rules).
"""

from __future__ import annotations

import pytest

from bgopendata.validation.pipeline import validate
from conftest import bench_generate, copy_package, require_spark
from test_validate_broken import CASES as BROKEN
from test_validate_broken import apply as apply_broken
from test_validate_broken import outcome

require_spark()  # before anything starts Spark
generate = bench_generate()


@pytest.fixture(scope="module")
def spark():
    from bgopendata.engines.spark_rules import spark_session

    session = spark_session("local[2]")
    session.conf.set("spark.sql.files.maxPartitionBytes", "100000")  # the 20k-row file: 11 splits
    session.conf.set("spark.sql.files.openCostInBytes", "10000")
    yield session
    session.stop()


def problems(report) -> list[tuple]:
    return sorted((p.code, p.path, p.line, tuple(p.fields), p.message, p.severity) for p in report.problems)


def test_injected_bench_package_same_problems(spark, tmp_path):
    root = tmp_path / "pkg"
    expected = generate.generate(root, 20_000, inject=3)["expected"]
    assert spark.read.csv((root / "resources" / "exports.csv").as_uri()).rdd.getNumPartitions() > 2
    on_spark = validate(root, engine="spark", max_examples=100)
    on_duckdb = validate(root, engine="duckdb", max_examples=100)
    assert problems(on_spark) == problems(on_duckdb)
    assert sorted((p.code, p.line) for p in on_spark.problems) == sorted((e["code"], e["line"]) for e in expected)
    assert on_spark.stats["rows"] == on_duckdb.stats["rows"]


def test_capped_examples_same_lines_and_totals(spark, tmp_path):
    root = tmp_path / "pkg"
    generate.generate(root, 20_000, inject=3)
    on_spark, on_duckdb = (validate(root, engine=e, max_examples=1) for e in ("spark", "duckdb"))
    assert problems(on_spark) == problems(on_duckdb)
    assert on_spark.stats.omitted == on_duckdb.stats.omitted and on_spark.stats.omitted


STRUCTURAL = [c for c in BROKEN if c["expect"].get("code", "").startswith("structure/")]
# the unusable cases refused before any table is read; the others are found binding the figure
# rules on the driver (the same code on every engine), after a whole Spark structure pass each
UNUSABLE = [c for c in BROKEN if c["expect"]["exit"] == 2 and not c["name"].startswith("rule-missing-f")]
UNUSABLE = [c for c in UNUSABLE if c["name"] != "rule-missing-resource"]


def test_structural_corpus_cases_together_same_problems(spark, tmp_path):
    """The corpus's structural cases, applied to one copy (a full Spark run costs about 30 s here).

    Its rule cases are figure rules, which run in Python on the driver on every engine.
    """
    root = copy_package(tmp_path / "pkg")
    for case in STRUCTURAL:
        apply_broken(root, case["mutation"])
    code, on_spark = outcome(root, False, engine="spark")
    again, on_duckdb = outcome(root, False, engine="duckdb")
    assert code == again == 1
    assert problems(on_spark) == problems(on_duckdb)
    for case in STRUCTURAL:
        expect = case["expect"]
        assert any(
            (p.code, p.path, p.line) == (expect["code"], expect["path"], expect["line"]) for p in on_spark.problems
        ), case["name"]


@pytest.mark.parametrize("case", UNUSABLE, ids=[c["name"] for c in UNUSABLE])
def test_unusable_corpus_cases_same_message(spark, case, tmp_path):
    root = copy_package(tmp_path / "pkg")
    apply_broken(root, case["mutation"])
    on_spark, on_duckdb = (outcome(root, False, engine=e) for e in ("spark", "duckdb"))
    assert on_spark == on_duckdb and on_spark[0] == 2 and case["expect"]["message"] in on_spark[1]
