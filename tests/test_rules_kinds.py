"""Each rule kind on a tiny fixture package: quiet when its relation holds, an error when broken.

tests/fixtures/rules/mini declares one rule of each kind (all at severity error) over 16
figures that agree; each case below changes one cell and expects exactly that kind to fire.
The provenance kinds read rows back from the documents they quote, so their fixture is a copy
of the shipped package (its documents, charts and lists), which they leave quiet.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bgopendata.errors import UnusableInput
from bgopendata.package import open_package
from bgopendata.provenance import CODES as PROVENANCE_KINDS
from bgopendata.rules.catalogue import figure_catalogue
from bgopendata.validation.pipeline import validate
from conftest import ROOT, copy_package
from test_provenance import edit
from test_validate_broken import apply

MINI = Path(__file__).parent / "fixtures/rules/mini"

BREAKS = [  # (figure_id, field, new value, kind expected, CSV line expected)
    ("dest-3", "value", "48", "shares-sum", 16),
    ("part-2", "value", "34070", "part-of-whole", 4),
    ("a-share", "value", "65.7", "share-of-total", 9),
    ("a-growth", "value", "305", "growth-matches-endpoints", 7),
    ("a-multiple", "value", "5", "growth-matches-endpoints", 8),
    ("rank-b", "value", "1", "ranking-ordered", 11),
    ("a-2010-rounded", "value", "31", "same-figure-agrees", 4),
    ("items-count", "value", "4", "count-matches", 17),
    ("b-2010", "value", "14", "comparison-holds", 5),
    ("a-2000", "qualifier_en", "approx", "translation-agrees", 2),
]


@pytest.fixture()
def mini(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "mini"))


def test_the_fixture_is_valid_and_runs_every_kind():
    report = validate(MINI)
    assert report.valid and not report.problems
    own = json.loads((MINI / "rules/facts.json").read_text())["rules"]
    quantities = json.loads((MINI / "rules/quantities.json").read_text())["rules"]
    shared = json.loads((MINI / "rules/package.json").read_text())
    declared = own + quantities + shared["acrossTables"]["facts"] + shared["packageWide"]  # one fact table in scope
    assert {r["kind"] for r in declared} == set(figure_catalogue()) - set(PROVENANCE_KINDS)
    assert report.stats["rules"] == len(declared)
    expanded = [rule for _res, _shown, rules in open_package(MINI).rule_arrays() for rule in rules]
    assert [r["id"] for r in expanded] == [r["id"] for r in own + shared["acrossTables"]["facts"]] + [
        "facts-translations"
    ] + [r["id"] for r in quantities]


@pytest.mark.parametrize("fid,field,value,kind,line", BREAKS, ids=[f"{b[3]}:{b[0]}" for b in BREAKS])
def test_one_changed_cell_breaks_its_rule(mini, fid, field, value, kind, line):
    apply(mini, {"op": "set", "file": "resources/facts.csv", "figure_id": fid, "field": field, "value": value})
    report = validate(mini, parallel=False)
    assert not report.valid
    assert {(p.code, p.line) for p in report.errors} >= {(kind, line)}, [(p.code, p.line) for p in report.errors]
    problem = next(p for p in report.errors if p.code == kind)
    assert problem.path == "resources/facts.csv" and problem.sentence


PROVENANCE_BREAKS = [  # (resource, row: figure_id or list_id#position, changes, kind, file, line or None)
    (
        "province_exports",
        "exports-2013-milano",
        {"sentence_en": "Milan with € 37 bln, Turin 20 and Vicenza 16"},
        "quote-in-document",
        None,
        None,
    ),
    ("charts", "", {}, "quote-in-document", None, None),
    ("province_exports", "exports-2013-milano", {"value_text": "41"}, "value-text-in-sentence", None, None),
    ("province_exports", "exports-2013-milano", {"value": "41"}, "value-matches-text", None, None),
    ("province_exports", "exports-2013-bergamo-trend", {"resolution": "1"}, "resolution-matches-text", None, None),
    ("province_exports", "foreign-turnover-2014-bergamo", {"qualifier": "exact"}, "qualifier-matches-text", None, None),
    ("province_exports", "exports-2013-milano", {"period": "2014"}, "period-in-text", None, None),
    (
        "lists",
        "university_faculties#2",
        {"name_en": "Humanities"},
        "list-order-matches-text",
        "resources/lists.csv",
        5,  # the items named before "Humanities" are now out of order
    ),
    (
        "plants_abroad",
        "plants-abroad-2015-china",
        {"__drop__": "1"},
        "number-accounted-for",
        "sources/bergamo-second-industrial-province.it-en.txt",
        397,
    ),
]


def _line_of(resource: str, row: str) -> int:
    lines = (ROOT / "resources" / f"{resource}.csv").read_text(encoding="utf-8").splitlines()
    list_id, _, position = row.partition("#")
    key = f"{list_id},{position}," if position else f"{row},"
    return next(n for n, text in enumerate(lines, start=1) if text.startswith(key))


def test_the_shipped_package_declares_every_provenance_kind_and_they_stay_quiet():
    declared = {rule["kind"] for _res, _shown, rules in open_package(ROOT).rule_arrays() for rule in rules}
    assert set(PROVENANCE_KINDS) <= declared
    report = validate(ROOT, parallel=False)
    assert not [p for p in report.problems if p.code in PROVENANCE_KINDS]


@pytest.mark.parametrize(
    "resource,row,changes,kind,path,line", PROVENANCE_BREAKS, ids=[f"{b[3]}:{b[0]}" for b in PROVENANCE_BREAKS]
)
def test_one_changed_cell_breaks_its_provenance_rule(tmp_path, resource, row, changes, kind, path, line):
    package = copy_package(tmp_path / "pkg")
    if resource == "charts":  # a caption that is not the document's
        text = (package / "resources/charts.csv").read_text(encoding="utf-8")
        (package / "resources/charts.csv").write_text(text.replace("large employment in industry, 2011", "2011"))
        path, line = "resources/charts.csv", 2
    else:
        edit(package, resource, row, **changes)
        path, line = path or f"resources/{resource}.csv", line or _line_of(resource, row)
    report = validate(package, parallel=False)
    assert not report.valid
    found = [p for p in report.errors if p.code == kind]
    assert (path, line) in {(p.path, p.line) for p in found}, [(p.code, p.path, p.line) for p in report.errors]
    assert all(p.rule and p.rule.endswith(kind) for p in found)


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {"set": {"parts": ["part-1", "a-share"]}},
            "(EUR_mn) and a-share (percent) are in units that cannot be compared",
        ),
        ({"set": {"colour": "red"}}, "unknown parameter 'colour'"),
        ({"set": {"id": "Not Kebab"}}, "rules[1].id"),
        ({"set": {"id": "shares"}}, "rule id 'shares' is also declared"),
        ({"set": {"severity": "fatal"}}, "rules[1].severity"),
    ],
)
def test_malformed_declarations_are_one_line_errors(mini, change, message):
    apply(mini, {"op": "rule", "file": "rules/facts.json", "rule": "sectors-within-total", **change})
    with pytest.raises(UnusableInput) as info:
        validate(mini)
    assert message in str(info.value) and "rules/facts.json" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_ranking_whose_values_repeat_a_key_is_refused(mini):
    apply(
        mini,
        {
            "op": "rule",
            "file": "rules/facts.json",
            "rule": "ranking",
            "set": {"values": ["a-2010", "a-2010-rounded", "b-2010"]},
        },
    )
    with pytest.raises(UnusableInput, match="two values for geo 'x'"):
        validate(mini)


def test_a_ragged_row_is_a_structural_error_not_a_misread(mini):
    path = mini / "resources/facts.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3] + ",extra"
    path.write_text("\n".join(lines) + "\n")
    report = validate(mini)
    assert ("structure/extra-cell", 4) in {(p.code, p.line) for p in report.errors}
    assert not [p for p in report.problems if p.code == "translation-agrees"]


def test_the_catalogue_file_is_generated_from_the_kind_modules():
    from bgopendata.rules.catalogue import catalogue_json

    path = Path(__file__).parents[1] / "src/bgopendata/rules/catalogue.json"
    assert path.read_text(encoding="utf-8") == catalogue_json(), (
        "regenerate it: python -c 'from bgopendata.rules.catalogue import write_catalogue_json; write_catalogue_json()'"
    )


def test_every_kind_is_in_the_catalogue_with_its_family_and_references():
    from bgopendata.rules.catalogue import catalogue

    entries = catalogue()
    assert {c for c, e in entries.items() if e["family"] == "group"} == {
        "group-shares-sum",
        "group-growth",
        "group-ranking",
    }
    assert entries["share-of-total"]["parameters"] == {"part": "figure", "total": "figure", "share": "figure"}
    assert entries["count-matches"]["parameters"]["rows"] == "rows"
    assert entries["ranking-ordered"]["parameters"]["key"] == "field"
    assert entries["group-growth"]["parameters"]["series"] == "column"
    assert all(e["title"] and e["description"] and e["message"] for e in entries.values())


def test_an_unknown_kind_is_told_every_known_kind(mini):
    from bgopendata.rules.registry import kinds

    apply(mini, {"op": "rule", "file": "rules/facts.json", "rule": "shares", "set": {"kind": "share-sum"}})
    with pytest.raises(UnusableInput) as info:
        validate(mini)
    assert f"(known: {', '.join(sorted(kinds()))})" in str(info.value)
    assert "group-growth" in str(info.value)


def test_every_structural_code_the_corpora_expect_is_catalogued():
    from bgopendata.rules.catalogue import structure_codes

    broken = json.loads((Path(__file__).parent / "broken_cases.json").read_text(encoding="utf-8"))["cases"]
    expected = {c["expect"]["code"] for c in broken if c["expect"].get("code", "").startswith("structure/")}
    codes = structure_codes()
    assert expected <= set(codes)
    assert all(e["title"] and e["description"] and e["source"] for e in codes.values())
