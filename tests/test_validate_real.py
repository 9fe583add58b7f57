"""The real package passes with exactly its documented warnings; the CLI renders and exits right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bgopendata
from bgopendata.package import open_package
from bgopendata.rules.catalogue import figure_catalogue
from bgopendata.rules.coverage import coverage
from conftest import ROOT, copy_package
from test_validate_broken import apply

BIN = Path(sys.executable).parent / "bgopendata"

# The documents' genuine inconsistencies: warnings with an explanation, never hidden.
DOCUMENTED_WARNINGS = {
    ("shares-sum", "europe-share-two-documents", "destination-share-europe"),
    ("translation-agrees", "province-exports-translation-agrees", "foreign-turnover-2014-bergamo"),
    ("translation-agrees", "eu-industry-ranking-translation-agrees", "eu-top20-value-added-2011-italy"),
    ("translation-agrees", "eu-industry-ranking-translation-agrees", "manufacturing-value-added-bergamo"),
    ("translation-agrees", "export-specialisation-translation-agrees", "specialisation-2013-electromechanics"),
    ("translation-agrees", "export-specialisation-translation-agrees", "specialisation-2013-machine-tools"),
    ("translation-agrees", "foreign-owned-firms-translation-agrees", "foreign-owned-employment-2015"),
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], cwd=ROOT, capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def report():
    return bgopendata.validate(str(ROOT))


def anchor_id(problem) -> str:
    lines = (ROOT / problem.path).read_text(encoding="utf-8").splitlines()
    return lines[problem.line - 1].split(",", 1)[0]


def test_the_real_package_is_valid_with_only_its_documented_warnings(report):
    assert report.valid and not report.errors
    assert {(p.code, p.rule, anchor_id(p)) for p in report.warnings} == DOCUMENTED_WARNINGS
    for p in report.warnings:
        assert p.sentence and p.expected and p.found
    europe = next(p for p in report.warnings if p.code == "shares-sum")
    assert "genuine inconsistency" in europe.message and "[60.5, 62.5)" in europe.found


def test_every_rule_kind_is_used_and_every_rule_ran(report):
    result = coverage(open_package(ROOT))
    assert set(result.rules_per_kind) == set(figure_catalogue())
    assert report.stats["rules"] == sum(result.rules_per_kind.values())
    assert report.stats["rules_skipped"] == 0


def test_strict_turns_the_documented_warnings_into_a_failure():
    result = run("validate", "--strict", "--format", "json", ".")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["strict"] is True
    assert {p["code"] for p in data["problems"]} == {"shares-sum", "translation-agrees"}


def test_github_format_points_at_the_changed_csv_line(tmp_path):
    root = copy_package(tmp_path / "pkg")
    apply(
        root,
        {
            "op": "set",
            "file": "resources/province_exports.csv",
            "figure_id": "exports-2013-bergamo-trend",
            "field": "value",
            "value": "31.1",
        },
    )
    result = run("validate", "--format", "github", str(root))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("::error file=resources/province_exports.csv,line=14,title=same-figure-agrees::")
        for line in lines
    ), result.stdout
    assert any(
        line.startswith("::warning file=resources/export_destinations.csv,line=5,title=shares-sum::") for line in lines
    )
    assert "Traceback" not in result.stderr


def test_a_malformed_rule_is_one_line_and_exit_2(tmp_path):
    root = copy_package(tmp_path / "pkg")
    apply(
        root,
        {"op": "rule", "file": "rules/plants_abroad.json", "rule": "parent-firms-within-plants", "delete": "whole"},
    )
    result = run("validate", str(root))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "rules/plants_abroad.json" in result.stderr and "missing parameter 'whole'" in result.stderr


def test_rules_command_lists_kinds_and_uncovered_figures():
    result = run("rules", "--uncovered", ".")
    assert result.returncode == 0
    uncovered = coverage(open_package(ROOT)).uncovered
    assert f"{len(uncovered)} of 161 figures are covered by no rule" in result.stdout
    assert "resources/key_facts.csv:2\tpopulation-bergamo" in result.stdout
    help_text = run("rules", "--help").stdout
    assert "Example:" in help_text
