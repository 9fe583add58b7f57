"""The rules files: a broken one is refused in one line naming the file, before any table is read.

Every case starts from ``tests/fixtures/rules/mini`` (its rules in ``rules/facts.json`` and
``rules/package.json``), breaks one thing and runs ``bgopendata rules`` and ``bgopendata
validate``: exit 2, one line on stderr naming the file (and where in it), no traceback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.cli import cli
from bgopendata.package import open_package

MINI = Path(__file__).parent / "fixtures" / "rules" / "mini"


def edit_json(path: Path, change) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def descriptor(change):
    return lambda pkg: edit_json(pkg / "datapackage.json", change)


def package_file(change):
    return lambda pkg: edit_json(pkg / "rules" / "package.json", change)


def table_file(change):
    return lambda pkg: edit_json(pkg / "rules" / "facts.json", change)


def write(relpath: str, text: str):
    return lambda pkg: (pkg / relpath).write_text(text, encoding="utf-8")


def delete(relpath: str):
    return lambda pkg: (pkg / relpath).unlink()


def set_scope(scope: dict):
    def change(doc):
        doc["scopes"]["fact-tables"] = scope

    return package_file(change)


def rule_copy(rule_id: str, new_id: str):
    def change(doc):
        rule = next(r for r in doc["rules"] if r["id"] == rule_id)
        doc["rules"].append(dict(rule, id=new_id))

    return table_file(change)


def schema_rules(pkg: Path) -> None:
    edit_json(pkg / "schemas" / "facts.json", lambda s: s.update(rules=[]))


CASES = {  # name: (break, substrings of the one line)
    "table-file-missing": (delete("rules/facts.json"), ["rules/facts.json", "file not found"]),
    "package-file-missing": (delete("rules/package.json"), ["rules/package.json", "file not found"]),
    "table-file-bad-json": (write("rules/facts.json", '{"rules": [}'), ["rules/facts.json:1", "invalid JSON"]),
    "package-file-bad-json": (write("rules/package.json", "{"), ["rules/package.json:1", "invalid JSON"]),
    "table-file-not-an-object": (write("rules/facts.json", "[]"), ["rules/facts.json", "JSON object"]),
    "table-file-path-escapes": (
        descriptor(lambda d: d["resources"][0].update(rules="../facts.json")),
        ["datapackage.json", "'..'"],
    ),
    "package-file-path-absolute": (
        descriptor(lambda d: d.update(rules="/etc/passwd")),
        ["datapackage.json", "absolute"],
    ),
    "rules-property-a-number": (descriptor(lambda d: d.update(rules=3)), ["datapackage.json [rules]", "rules file"]),
    "table-file-typo": (
        table_file(lambda d: d.update(rule=d.pop("rules"))),
        ["rules/facts.json [rule]", "unknown property 'rule'"],
    ),
    "table-file-rule-not-an-object": (
        table_file(lambda d: d["rules"].append("shares")),
        ["rules/facts.json [rules[7]]", "JSON object"],
    ),
    "across-unknown-resource": (
        package_file(lambda d: d["acrossTables"].update(fact=d["acrossTables"].pop("facts"))),
        ["rules/package.json [acrossTables.fact]", "no resource 'fact'"],
    ),
    "duplicate-id-across-files": (
        package_file(lambda d: d["acrossTables"]["facts"][0].update(id="shares")),
        ["rules/package.json#/acrossTables/facts [rules[0]]", "rule id 'shares' is also declared in rules/facts.json"],
    ),
    "duplicate-id-made-by-a-package-wide-rule": (
        rule_copy("shares", "facts-translations"),
        ["rules/package.json#/packageWide/0", "rule id 'facts-translations' is also declared in rules/facts.json"],
    ),
    "scope-unknown": (
        package_file(lambda d: d["packageWide"][0].update(scope="fact-table")),
        ["rules/package.json [packageWide[0].scope]", "must name a scope", "fact-tables"],
    ),
    "scope-both-ways": (
        set_scope({"fields": ["figure_id"], "resources": ["facts"]}),
        ["rules/package.json [scopes.fact-tables]", "either 'fields'"],
    ),
    "scope-neither-way": (set_scope({"description": "tables"}), ["[scopes.fact-tables]", "either 'fields'"]),
    "scope-fields-not-a-list": (
        set_scope({"fields": "figure_id"}),
        ["[scopes.fact-tables.fields]", "non-empty list of names"],
    ),
    "scope-unknown-key": (set_scope({"field": ["figure_id"]}), ["[scopes.fact-tables.field]", "unknown property"]),
    "scope-unknown-resource": (
        set_scope({"resources": ["facts", "figures"]}),
        ["[scopes.fact-tables.resources]", "no resource 'figures'"],
    ),
    "scope-matches-nothing": (
        set_scope({"fields": ["figure_id", "sentence_de"]}),
        ["[scopes.fact-tables]", "matches no resource"],
    ),
    "rules-left-in-a-schema": (schema_rules, ["schemas/facts.json [rules]", "holds no rules"]),
    "italian-description-empty": (
        table_file(lambda d: d["rules"][0].update(description_it="")),
        ["rules/facts.json [rules[0].description_it]", "rule 'shares'"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("command", ["rules", "validate"])
def test_a_broken_rules_file_is_one_line_naming_it(name, command, tmp_path):
    pkg = Path(shutil.copytree(MINI, tmp_path / "pkg"))
    breaks, expect = CASES[name]
    breaks(pkg)
    result = CliRunner().invoke(cli, [command, str(pkg)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in expect:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


def test_a_package_wide_rule_is_expanded_once_per_table_of_its_scope(tmp_path):
    pkg = Path(shutil.copytree(MINI, tmp_path / "pkg"))
    set_scope({"resources": ["facts", "lists"]})(pkg)
    expanded = [(res.name, shown, [r["id"] for r in rules]) for res, shown, rules in open_package(pkg).rule_arrays()]
    assert ("facts", "rules/package.json#/packageWide/0", ["facts-translations"]) in expanded
    assert ("lists", "rules/package.json#/packageWide/0", ["lists-translations"]) in expanded
    assert all("scope" not in rule for _res, _shown, rules in open_package(pkg).rule_arrays() for rule in rules)
    assert [name for name, _shown, _ids in expanded] == ["facts", "facts", "facts", "quantities", "lists"]


def test_italian_texts_are_accepted_and_kept_by_each_expanded_rule(tmp_path):
    pkg = Path(shutil.copytree(MINI, tmp_path / "pkg"))
    italian = "Le traduzioni mantengono la precisione"
    package_file(lambda d: (d.update(description_it="Regole"), d["packageWide"][0].update(description_it=italian)))(pkg)
    table_file(lambda d: (d.update(description_it="Regole"), d["rules"][0].update(description_it="Sommano a 100")))(pkg)
    set_scope({"resources": ["facts", "lists"], "description": "Tables", "description_it": "Tabelle"})(pkg)
    rules = {r["id"]: r for _res, _shown, rules in open_package(pkg).rule_arrays() for r in rules}
    assert rules["facts-translations"]["description_it"] == rules["lists-translations"]["description_it"] == italian
    result = CliRunner().invoke(cli, ["validate", str(pkg)])
    assert result.exit_code == CliRunner().invoke(cli, ["validate", str(MINI)]).exit_code, result.output


def test_a_release_carries_its_rules_inline_and_validates_the_same(tmp_path):
    from bgopendata.publish.build import release_descriptor
    from bgopendata.validation.pipeline import validate

    package = open_package(MINI)
    folder = tmp_path / "flat"
    folder.mkdir()
    for res in package.resources:
        shutil.copyfile(res.path, folder / f"{res.name}.csv")
    (folder / "datapackage.json").write_text(json.dumps(release_descriptor(package, folder)), encoding="utf-8")
    inline = open_package(folder)
    assert [(r.name, [x["id"] for x in rules]) for r, _s, rules in inline.rule_arrays()] == [
        (r.name, [x["id"] for x in rules]) for r, _s, rules in package.rule_arrays()
    ]
    assert (
        validate(folder).stats["rules"]
        == validate(MINI).stats["rules"]
        == len([r for _res, _s, rules in package.rule_arrays() for r in rules])
    )
