"""The broken-package corpus: each mutation of the real package fails with the right code and line.

Mutations are data (tests/broken_cases.json) applied to a temporary copy of the package;
every registered rule kind and every structural error type has at least one case.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bgopendata.errors import UnusableInput
from bgopendata.package import open_package
from bgopendata.provenance import CODES as PROVENANCE_KINDS
from bgopendata.report import Report
from bgopendata.rules.catalogue import figure_catalogue
from bgopendata.validation.figure_rules import check_consistency
from bgopendata.validation.pipeline import validate
from conftest import ROOT, copy_package

CASES = json.loads((Path(__file__).parent / "broken_cases.json").read_text(encoding="utf-8"))["cases"]
STRUCTURAL = {
    "structure/type-error",
    "structure/constraint-error",
    "structure/primary-key",
    "structure/foreign-key",
    "structure/extra-label",
}


def apply(root: Path, mutation: dict) -> None:
    """Apply one declared mutation to the package copy at ``root``."""
    target = root / mutation["file"]
    op = mutation["op"]
    if op == "delete":
        target.unlink()
    elif op == "write":
        target.write_text(mutation["text"], encoding="utf-8")
    elif op in ("set", "add_column"):
        with target.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        if op == "set":
            key = mutation.get("key", "figure_id")  # the column that finds the row
            hits = [r for r in rows[1:] if r[header.index(key)] == mutation[key]]
            assert len(hits) == 1, mutation
            hits[0][header.index(mutation["field"])] = mutation["value"]
        else:
            header.append(mutation["name"])
            for r in rows[1:]:
                r.append(mutation["value"])
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        target.write_text(out.getvalue(), encoding="utf-8")
    elif op == "rule":
        rules_file = json.loads(target.read_text(encoding="utf-8"))
        rule = next(r for r in declared_in(rules_file) if r["id"] == mutation["rule"])
        rule.update(mutation.get("set", {}))
        if "delete" in mutation:
            del rule[mutation["delete"]]
        target.write_text(json.dumps(rules_file, indent=2), encoding="utf-8")
    else:  # pragma: no cover - a typo in the corpus
        raise AssertionError(f"unknown mutation {op!r}")


def declared_in(rules_file: dict) -> list[dict]:
    """Every rule dict of a rules file: a table's ``rules``, or the package file's sections."""
    across = [rule for rules in rules_file.get("acrossTables", {}).values() for rule in rules]
    return rules_file.get("rules", []) + rules_file.get("packageWide", []) + across


def outcome(root: Path, strict: bool, *, structure: bool = True, engine: str = "auto"):
    """(exit code, report or error message), as the CLI would decide them, on ``engine``.

    Rule-kind cases skip the frictionless pass (``structure=False``) to keep the corpus fast
    on a shared machine; ``test_layers_combine`` runs one of them through ``validate``.
    """
    try:
        if structure:
            report = validate(root, strict=strict, engine=engine)
        else:
            package = open_package(root)
            problems, _ = check_consistency(package)
            report = Report(package=str(root), strict=strict, problems=problems)
    except UnusableInput as exc:
        return 2, str(exc)
    return (0 if report.valid else 1), report


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_copy_fails_with_code_and_line(case, tmp_path):
    root = copy_package(tmp_path / "pkg")
    apply(root, case["mutation"])
    expect = case["expect"]
    structural = expect.get("code", "structure/").startswith("structure/")
    code, result = outcome(root, case.get("strict", False), structure=structural)
    assert code == expect["exit"], result
    if code == 2:
        assert expect["message"] in result
        assert "\n" not in result
        return
    hits = [
        p
        for p in result.problems
        if p.code == expect["code"]
        and p.path == expect["path"]
        and p.line == expect["line"]
        and p.severity == expect["severity"]
    ]
    assert hits, [(p.code, p.path, p.line, p.severity) for p in result.problems]
    if not expect["code"].startswith("structure/"):
        problem = hits[0]
        derived = expect["path"] == "resources/quantities.csv"  # a derived row quotes no sentence of its own
        assert problem.rule and problem.expected and problem.found and (problem.sentence or derived)
        assert (
            any(f in problem.figures for f in [case["mutation"].get("figure_id")])
            or expect["code"] == "part-of-whole"
            or (derived and problem.figures)  # the statements of the quantity whose row changed
        )


def test_the_corpus_covers_every_rule_kind_and_structural_error():
    codes = {c["expect"].get("code") for c in CASES}
    # the provenance kinds have their broken copies in test_rules_kinds.py (PROVENANCE_BREAKS)
    assert set(figure_catalogue()) - set(PROVENANCE_KINDS) <= codes
    assert codes >= STRUCTURAL
    assert {"structure-missing-file", "structure-bad-descriptor"} <= {c["name"] for c in CASES}


def test_expected_lines_are_the_mutated_rows(tmp_path):
    """Guard the corpus itself: a case's line is where its figure (or ``anchor``) really is."""
    for case in CASES:
        m, e = case["mutation"], case["expect"]
        if m["op"] != "set" or e["path"] != m["file"] or e["code"] in ("part-of-whole", "shares-sum"):
            continue
        lines = (ROOT / m["file"]).read_text(encoding="utf-8").splitlines()
        assert lines[e["line"] - 1].startswith(e.get("anchor", m[m.get("key", "figure_id")]) + ","), case["name"]


def test_layers_combine_in_one_report(tmp_path):
    """A typo caught by the rules and a structural error show up in one ``validate`` report."""
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
    apply(
        root,
        {
            "op": "set",
            "file": "resources/key_facts.csv",
            "figure_id": "companies-bergamo",
            "field": "value",
            "value": "95k",
        },
    )
    report = validate(root)
    assert not report.valid
    found = {(p.code, p.path, p.line) for p in report.problems}
    assert ("same-figure-agrees", "resources/province_exports.csv", 14) in found
    assert ("structure/type-error", "resources/key_facts.csv", 3) in found
    assert report.stats["rules"] > 50
