"""``--engine spark``: a real local Spark session gives the default engine's verdicts.

One ``local[2]`` session for the module (it takes about 9 s to start on Java 17). The
grown package's group rules run on Spark through pandera's pyspark backend; the
broken-package corpus runs through the same engine path and must keep its verdicts.
"""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # .ci/run installs openjdk-17-jre-headless on a fresh machine
    pytest.skip("Spark needs Java (17)", allow_module_level=True)

from bgopendata.validation.pipeline import validate
from conftest import (
    bench_generate,
    copy_package,
)
from test_validate_broken import CASES as BROKEN
from test_validate_broken import apply as apply_broken
from test_validate_broken import outcome

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


@pytest.mark.parametrize("case", BROKEN, ids=[c["name"] for c in BROKEN])
def test_broken_corpus_same_verdict_on_spark(spark, case, tmp_path):
    root = copy_package(tmp_path / "pkg")
    apply_broken(root, case["mutation"])
    expect = case["expect"]
    code, result = outcome(root, case.get("strict", False), engine="spark")
    if code == 2:
        assert expect["exit"] == 2 and expect["message"] in result
        return
    assert code == expect["exit"]
    assert any(p.code == expect["code"] and p.line == expect["line"] for p in result.problems)
