"""The DuckDB scale engine: injected errors found on their lines, capped examples, same verdicts.

The grown package comes from ``bench/generate.py`` at 20k rows with three errors of each
kind injected; the broken-package corpus and the bad-input corpus are run through
``--engine duckdb`` and must get the verdicts (and, for located problems, the lines) the
default engine gets.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.cli import cli
from bgopendata.errors import UnusableInput
from bgopendata.validation.pipeline import validate
from conftest import ROOT, bench_generate, copy_package
from test_bad_inputs import CASES as BAD
from test_bad_inputs import MINI
from test_bad_inputs import apply as apply_bad
from test_validate_broken import CASES as BROKEN
from test_validate_broken import apply as apply_broken
from test_validate_broken import outcome

generate = bench_generate()


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("grown") / "pkg"
    summary = generate.generate(out, 20_000, inject=3)
    return out, summary["expected"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "pkg"
    generate.generate(out, 20_000)
    return out


def located(report) -> list[tuple[str, str, int]]:
    return sorted((p.code, p.path, p.line) for p in report.problems)


def test_clean_grown_package_is_valid(clean):
    report = validate(clean, engine="duckdb")
    assert report.valid, report.problems[:3]
    assert report.stats["rules"] == 3 and report.stats["rows"] > 19_000


def test_every_injected_error_is_found_on_its_line(grown):
    root, expected = grown
    assert len(expected) == 3 * len(generate.KINDS)
    report = validate(root, engine="duckdb", max_examples=100)
    assert located(report) == sorted((e["code"], e["path"], e["line"]) for e in expected)
    fields = {(p.line, tuple(p.fields)) for p in report.problems}
    assert all((e["line"], (e["field"],)) in fields for e in expected)


def test_default_engine_finds_the_same_errors(grown):
    root, expected = grown
    report = validate(root, engine="pandas", max_examples=100)
    assert located(report) == sorted((e["code"], e["path"], e["line"]) for e in expected)


def test_max_examples_caps_each_check_and_keeps_the_total(grown):
    root, _expected = grown
    report = validate(root, engine="duckdb", max_examples=1)
    per_code: dict[str, int] = {}
    for p in report.problems:
        per_code[p.code] = per_code.get(p.code, 0) + 1
    assert set(per_code.values()) == {1} and len(per_code) == len(generate.KINDS)
    omitted = {k: v for k, v in report.stats.items() if k.startswith("omitted/")}
    assert len(omitted) == len(generate.KINDS) and set(omitted.values()) == {2}
    result = CliRunner().invoke(cli, ["validate", "--engine", "duckdb", "--max-examples", "1", str(root)])
    assert result.exit_code == 1
    assert "... and 2 more: exports/partner-shares-sum-to-100" in result.output
    assert f"{len(generate.KINDS)} error(s), 0 warning(s) ({2 * len(generate.KINDS)} more not shown)" in result.output


def test_a_malformed_group_rule_is_one_line_before_any_reading(clean, tmp_path):
    root = tmp_path / "pkg"
    shutil.copytree(clean, root)
    rules_path = root / "rules" / "exports.json"
    rules_file = json.loads(rules_path.read_text())
    rules_file["rules"][1]["series"] = ["province", "sektor"]
    rules_path.write_text(json.dumps(rules_file))
    for engine in ("duckdb", "pandas"):
        with pytest.raises(UnusableInput, match=r"rules/exports.json \[rules\[1\]\]: .*no field 'sektor'"):
            validate(root, engine=engine)


# -- the broken-package corpus: same verdicts as the default engine -------------------------


@pytest.mark.parametrize("case", BROKEN, ids=[c["name"] for c in BROKEN])
def test_broken_corpus_same_verdict_on_duckdb(case, tmp_path):
    root = copy_package(tmp_path / "pkg")
    apply_broken(root, case["mutation"])
    expect = case["expect"]
    code, result = outcome(root, case.get("strict", False), engine="duckdb")
    assert code == expect["exit"], result
    if code == 2:
        assert expect["message"] in result
        return
    hits = [
        p for p in result.problems if p.code == expect["code"] and p.path == expect["path"] and p.line == expect["line"]
    ]
    assert hits, [(p.code, p.path, p.line) for p in result.problems]


def test_real_package_is_valid_on_duckdb_with_the_same_warnings():
    default = validate(ROOT, engine="pandas")
    scaled = validate(ROOT, engine="duckdb")
    assert scaled.valid == default.valid
    assert located(scaled) == located(default)


# -- the bad-input corpus (tests/fixtures/mini) ---------------------------------------------

CSV_CASES = [c for c in BAD if c.target.endswith(".csv") and c.action.startswith("write")]


@pytest.mark.parametrize("case", CSV_CASES, ids=[c.name for c in CSV_CASES])
def test_bad_csv_same_verdict_and_line_on_duckdb(case, tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(MINI, pkg)
    apply_bad(case, pkg)
    code, result = outcome(pkg, False, engine="duckdb")
    assert code == case.exit, result
    if code == 1:
        first = case.expect[0] if case.expect else ""
        if ":" in first.split(" ")[0]:
            line = int(first.split(" ")[0].split(":")[1])
            assert any(p.line == line for p in result.problems), [(p.code, p.line) for p in result.problems]


def test_large_values_keep_exact_arithmetic(clean, tmp_path):
    """Values near the exact range (1e11) must not overflow the growth products into an error."""
    root = tmp_path / "pkg"
    shutil.copytree(clean, root)
    path = root / "resources" / "exports.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    value, growth = header.index("value"), header.index("growth")
    first, second = lines[1].split(","), None
    for i, line in enumerate(lines[2:], start=2):
        cells = line.split(",")
        if cells[:3] == first[:3] and cells[growth]:
            second = i
            break
    assert second is not None
    first[value] = "90000000000.0"
    lines[1] = ",".join(first)
    cells = lines[second].split(",")
    cells[value], cells[growth] = "99000000000.0", "10.0"
    lines[second] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(root, engine="duckdb")
    failing = [p for p in report.problems if p.code == "group-growth"]
    assert [p.line for p in failing] == [] or all(p.line != second + 1 for p in failing)


# -- the checks are pandera's, run by its ibis backend inside DuckDB --------------------------


def _rewrite(root: Path, edit) -> list[int]:
    """Apply ``edit(cells, header)`` to the rows it accepts; returns their CSV lines."""
    path = root / "resources" / "exports.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    changed = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if edit(cells, header, number):
            lines[number - 1] = ",".join(cells)
            changed.append(number)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def test_field_constraints_are_pandera_builtin_checks():
    from bgopendata.engines.pandera_ibis import field_checks

    spec = {"name": "share", "type": "number", "constraints": {"minimum": 0, "maximum": 100, "enum": [1, 2]}}
    checks = {c.name: c for c in field_checks(spec, 5)}
    assert set(checks) == {"minimum", "maximum", "enum"}
    assert checks["minimum"].statistics == {"min_value": Decimal("0")}
    assert checks["maximum"].statistics == {"max_value": Decimal("100")}
    assert checks["enum"].statistics["allowed_values"] == [Decimal("1"), Decimal("2")]
    assert all(c.n_failure_cases == 5 for c in checks.values())


def test_constraint_failures_keep_their_lines_examples_and_totals(clean, tmp_path):
    root = tmp_path / "pkg"
    shutil.copytree(clean, root)
    ranks = _rewrite(root, lambda c, h, n: n in (40, 41, 42) and c.__setitem__(h.index("rank"), "0") is None)
    units = _rewrite(root, lambda c, h, n: n in (50, 51, 52) and c.__setitem__(h.index("unit"), "") is None)
    # an empty qualifier after the units: the check across fields still shows it on its line
    qualifiers = _rewrite(root, lambda c, h, n: n == 90 and c.__setitem__(h.index("qualifier"), "") is None)
    assert (ranks, units, qualifiers) == ([40, 41, 42], [50, 51, 52], [90])
    report = validate(root, engine="duckdb", max_examples=2)
    constraint = [p for p in report.problems if p.code == "structure/constraint-error"]
    assert [(p.line, p.fields) for p in constraint] == [
        (40, ["rank"]),
        (41, ["rank"]),
        (50, ["unit"]),
        (51, ["unit"]),
        (90, ["qualifier"]),
    ]
    assert "minimum 1: 0" in constraint[0].message and "required: the cell is empty" in constraint[2].message
    assert report.stats["omitted/exports/constraint-error/rank"] == 1
    assert report.stats["omitted/exports/constraint-error/unit"] == 1
    assert "omitted/exports/constraint-error/qualifier" not in report.stats


def test_group_rule_examples_are_the_first_failing_lines(grown):
    root, expected = grown
    report = validate(root, engine="duckdb", max_examples=1)
    for kind in ("shares-sum", "growth", "ranking"):
        lines = sorted(e["line"] for e in expected if e["kind"] == kind)
        shown = [p.line for p in report.problems if p.code == generate.CODES[kind]]
        assert shown == lines[:1], kind


def test_spark_sql_is_the_duckdb_relation_compiled(grown):
    """The SQL Spark runs, compiled from the same ibis expressions, finds the lines pandera found."""
    from bgopendata.engines.duckdb_tables import TypedTables
    from bgopendata.engines.group_rules import failing_sql, ibis_table
    from bgopendata.package import open_package
    from bgopendata.rules.registry import declare

    root, expected = grown
    package = open_package(root)
    declared = [(d.resource, d.rule) for d in declare(package).group]
    with TypedTables(package, max_examples=100) as tables:
        tables.load()
        for res, rule in declared:
            fields = [f for f in res.schema["fields"]]
            sql = failing_sql(rule, ibis_table(fields, tables.tables[res.name]), "duckdb")
            lines = sorted(line for line, _found, _expected in tables.con.execute(sql).fetchall())
            kind = {v: k for k, v in generate.CODES.items()}[rule.kind]
            assert lines == sorted(e["line"] for e in expected if e["kind"] == kind), rule.id
            assert "`" in failing_sql(rule, ibis_table(fields, "t"), "pyspark")
