"""The bad-input corpus: one defect per case, each refused in one clear line, nothing touched.

Every case starts from ``tests/fixtures/mini`` (two small tables with a foreign key), applies
one defect, runs ``bgopendata validate`` and asserts the exit code (1 invalid data, 2 unusable
input), the file, line and field named, no traceback, and that no file was written or changed.
The cases are data (``CASES``); ``apply`` interprets them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.cli import cli

MINI = Path(__file__).parent / "fixtures" / "mini"
FACTS = "resources/facts.csv"
HEADER = "figure_id,geo,year,value,unit\n"
ROW = "exports-2013-bergamo,bergamo,2013,13.1,EUR_bn\n"


@dataclass(frozen=True)
class Case:
    name: str
    action: str  # write_text | write_bytes | json | delete | symlink | mkdir
    target: str = FACTS
    payload: object = None
    exit: int = 1
    expect: tuple[str, ...] = ()  # substrings of the first output line naming the problem
    extra: dict = field(default_factory=dict)


def desc(expr: str) -> str:
    """A Python statement editing the descriptor dict ``d`` (kept as data, run by ``apply``)."""
    return expr


CASES = [
    # --- the descriptor -----------------------------------------------------------------
    Case(
        "descriptor-invalid-json",
        "write_text",
        "datapackage.json",
        "{ not json",
        2,
        ("datapackage.json:1", "invalid JSON"),
    ),
    Case("descriptor-empty-file", "write_text", "datapackage.json", "", 2, ("datapackage.json", "invalid JSON")),
    Case("descriptor-is-an-array", "write_text", "datapackage.json", "[1, 2]", 2, ("datapackage.json", "JSON object")),
    Case(
        "descriptor-bom",
        "write_bytes",
        "datapackage.json",
        b"\xef\xbb\xbf{}",
        2,
        ("datapackage.json", "byte-order mark"),
    ),
    Case(
        "descriptor-latin1",
        "write_bytes",
        "datapackage.json",
        b'{"name": "caf\xe9"}',
        2,
        ("datapackage.json", "not UTF-8"),
    ),
    Case(
        "descriptor-nan-literal", "write_text", "datapackage.json", '{"resources": NaN}', 2, ("datapackage.json", "NaN")
    ),
    Case(
        "descriptor-deeply-nested",
        "write_text",
        "datapackage.json",
        "[" * 100000 + "]" * 100000,
        2,
        ("datapackage.json",),
    ),
    Case(
        "descriptor-duplicate-key",
        "write_text",
        "datapackage.json",
        '{"name": "a", "name": "b", "resources": []}',
        2,
        ("datapackage.json", "'name' appears twice"),
    ),
    Case(
        "descriptor-nested-900",
        "write_text",
        "datapackage.json",
        '{"x": ' + "[" * 900 + "]" * 900 + "}",
        2,
        ("datapackage.json", "nested more than 64"),
    ),
    Case(
        "descriptor-profile-url",
        "json",
        "datapackage.json",
        desc("d['profile'] = 'http://127.0.0.1:9/profile.json'"),
        2,
        ("[profile]", "never fetches"),
    ),
    Case(
        "resource-name-dotdot",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['name'] = '../../x'"),
        2,
        ("[resources[1].name]", "not a Data Package name"),
    ),
    Case(
        "resource-name-confusable",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['name'] = 'f\u0430cts'"),
        2,
        ("[resources[1].name]", "U+0430"),
    ),
    Case("descriptor-missing", "delete", "datapackage.json", None, 2, ("datapackage.json", "not found")),
    Case(
        "resources-missing",
        "json",
        "datapackage.json",
        desc("del d['resources']"),
        2,
        ("datapackage.json", "[resources]"),
    ),
    Case(
        "resources-empty",
        "json",
        "datapackage.json",
        desc("d['resources'] = []"),
        2,
        ("datapackage.json", "non-empty list"),
    ),
    Case(
        "resources-not-a-list",
        "json",
        "datapackage.json",
        desc("d['resources'] = {'a': 1}"),
        2,
        ("datapackage.json", "non-empty list"),
    ),
    Case(
        "resource-not-an-object",
        "json",
        "datapackage.json",
        desc("d['resources'][1] = 'facts'"),
        2,
        ("[resources[1]]", "JSON object"),
    ),
    Case(
        "resource-without-name",
        "json",
        "datapackage.json",
        desc("del d['resources'][1]['name']"),
        2,
        ("[resources[1]]", "no 'name'"),
    ),
    Case(
        "resource-without-path",
        "json",
        "datapackage.json",
        desc("del d['resources'][1]['path']"),
        2,
        ("datapackage.json", "relative path"),
    ),
    Case(
        "resource-path-dotdot",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['path'] = '../facts.csv'"),
        2,
        ("datapackage.json", "'..'"),
    ),
    Case(
        "resource-path-absolute",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['path'] = '/etc/passwd'"),
        2,
        ("datapackage.json", "absolute"),
    ),
    Case(
        "resource-path-drive",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['path'] = 'C:/data/facts.csv'"),
        2,
        ("datapackage.json", "absolute"),
    ),
    Case(
        "resource-path-backslash",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['path'] = 'resources\\\\facts.csv'"),
        2,
        ("datapackage.json", "'/'"),
    ),
    Case(
        "resource-path-url",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['path'] = 'https://example.org/facts.csv'"),
        2,
        ("datapackage.json", "URL"),
    ),
    Case(
        "resource-path-multipart",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['path'] = ['a.csv', 'b.csv']"),
        2,
        ("datapackage.json", "multipart"),
    ),
    Case("resource-symlink-outside", "symlink", FACTS, "/etc/passwd", 2, ("datapackage.json", "symlink")),
    Case("resource-dir-symlink-outside", "symlink", "resources", "/etc", 2, ("datapackage.json", "symlink")),
    Case("resource-file-missing", "delete", FACTS, None, 2, ("datapackage.json", "resources/facts.csv not found")),
    Case(
        "resource-path-is-a-folder",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['path'] = 'resources'"),
        2,
        ("datapackage.json", "not found"),
    ),
    Case(
        "resource-name-duplicated",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['name'] = 'areas'"),
        2,
        ("[resources[1]]", "used twice"),
    ),
    Case(
        "schema-missing",
        "json",
        "datapackage.json",
        desc("del d['resources'][1]['schema']"),
        2,
        ("resources[1].schema", "no Table Schema"),
    ),
    Case(
        "schema-path-dotdot",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema'] = '../schema.json'"),
        2,
        ("datapackage.json", "'..'"),
    ),
    Case(
        "schema-file-missing",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema'] = 'schemas/facts.json'"),
        2,
        ("schemas/facts.json", "not found"),
    ),
    # --- the Table Schemas --------------------------------------------------------------
    Case(
        "schema-unknown-type",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['fields'][3]['type'] = 'decimal'"),
        2,
        ("[value]", "unknown type"),
    ),
    Case(
        "schema-invalid-pattern",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['fields'][0]['constraints']['pattern'] = '[a-'"),
        2,
        ("[figure_id]", "regular expression"),
    ),
    Case(
        "schema-fk-missing-resource",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['foreignKeys'][0]['reference']['resource'] = 'regions'"),
        2,
        ("[foreignKeys]", "missing resource 'regions'"),
    ),
    Case(
        "schema-fk-missing-field",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['foreignKeys'][0]['reference']['fields'] = 'code'"),
        2,
        ("[foreignKeys]", "missing field 'code'"),
    ),
    Case(
        "schema-fk-unknown-local-field",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['foreignKeys'][0]['fields'] = 'area'"),
        2,
        ("[foreignKeys]", "unknown field 'area'"),
    ),
    Case(
        "schema-pk-unknown-field",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['primaryKey'] = ['id']"),
        2,
        ("[primaryKey]", "unknown field 'id'"),
    ),
    Case(
        "schema-fields-not-a-list",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['fields'] = {'a': 1}"),
        2,
        ("[fields]", "non-empty list"),
    ),
    Case(
        "schema-field-duplicated",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['fields'].append({'name': 'geo'})"),
        2,
        ("[geo]", "declared twice"),
    ),
    Case(
        "schema-field-without-name",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['fields'][2] = {'type': 'integer'}"),
        2,
        ("[fields[2]]", "'name'"),
    ),
    Case(
        "schema-constraints-not-object",
        "json",
        "datapackage.json",
        desc("d['resources'][1]['schema']['fields'][3]['constraints'] = [1]"),
        2,
        ("[value]", "'constraints'"),
    ),
    # --- the CSV files ------------------------------------------------------------------
    Case(
        "csv-byte-order-mark",
        "write_bytes",
        FACTS,
        b"\xef\xbb\xbf" + (HEADER + ROW).encode(),
        1,
        ("resources/facts.csv:1", "byte-order mark"),
    ),
    Case(
        "csv-latin1",
        "write_bytes",
        FACTS,
        (HEADER + ROW).encode() + b"caf\xe9,bergamo,2013,1,EUR_bn\n",
        1,
        ("resources/facts.csv:3", "not UTF-8"),
    ),
    Case(
        "csv-semicolon",
        "write_text",
        FACTS,
        HEADER.replace(",", ";") + ROW.replace(",", ";"),
        1,
        ("resources/facts.csv:1", "';'"),
    ),
    Case(
        "csv-tab",
        "write_text",
        FACTS,
        HEADER.replace(",", "\t") + ROW.replace(",", "\t"),
        1,
        ("resources/facts.csv:1", "'\\t'"),
    ),
    Case(
        "csv-ragged-extra-cell",
        "write_text",
        FACTS,
        HEADER + ROW.replace("\n", ",x\n"),
        1,
        ("resources/facts.csv:2", "extra"),
    ),
    Case(
        "csv-ragged-missing-cell",
        "write_text",
        FACTS,
        HEADER + "exports-2013-bergamo,bergamo,2013\n",
        1,
        ("resources/facts.csv:2",),
    ),
    Case(
        "csv-unclosed-quote",
        "write_text",
        FACTS,
        HEADER + 'exports-2013-bergamo,"bergamo,2013,13.1,EUR_bn\n' + ROW,
        1,
        ("resources/facts.csv:2", "quoted field"),
    ),
    Case("csv-empty-file", "write_text", FACTS, "", 1, ("resources/facts.csv", "empty")),
    Case("csv-header-only", "write_text", FACTS, HEADER, 1, ("resources/facts.csv:1", "no data rows")),
    Case(
        "csv-duplicated-header",
        "write_text",
        FACTS,
        HEADER.replace("year", "geo") + ROW,
        1,
        ("resources/facts.csv:1", "duplicate"),
    ),
    Case(
        "csv-renamed-header",
        "write_text",
        FACTS,
        HEADER.replace("value", "val") + ROW,
        1,
        ("resources/facts.csv:1", "val"),
    ),
    Case(
        "csv-decimal-comma",
        "write_text",
        FACTS,
        HEADER + ROW.replace("13.1", '"13,1"'),
        1,
        ("resources/facts.csv:2 [value]", "13,1"),
    ),
    Case(
        "csv-thousands-separator",
        "write_text",
        FACTS,
        HEADER + ROW.replace("13.1", '"1,778"'),
        1,
        ("resources/facts.csv:2 [value]", "1,778"),
    ),
    Case(
        "csv-underscore-number",
        "write_text",
        FACTS,
        HEADER + ROW.replace("13.1", "1_778"),
        1,
        ("resources/facts.csv:2 [value]", "1_778"),
    ),
    Case(
        "csv-underscore-integer",
        "write_text",
        FACTS,
        HEADER + ROW.replace(",2013,", ",2_013,"),
        1,
        ("resources/facts.csv:2 [year]", "2_013"),
    ),
    Case(
        "csv-nan",
        "write_text",
        FACTS,
        HEADER + ROW.replace("13.1", "NaN"),
        1,
        ("resources/facts.csv:2 [value]", "finite"),
    ),
    Case(
        "csv-inf",
        "write_text",
        FACTS,
        HEADER + ROW.replace("13.1", "inf"),
        1,
        ("resources/facts.csv:2 [value]", "finite"),
    ),
    Case(
        "csv-minus-infinity",
        "write_text",
        FACTS,
        HEADER + ROW.replace("13.1", "-Infinity"),
        1,
        ("resources/facts.csv:2 [value]", "finite"),
    ),
    Case(
        "csv-10mb-field",
        "write_text",
        FACTS,
        HEADER + "x," + "b" * 10_000_000 + ",2013,1,EUR_bn\n",
        1,
        ("resources/facts.csv:2", "longer than"),
    ),
    Case(
        "csv-million-column-header",
        "write_text",
        FACTS,
        ",".join(f"c{i}" for i in range(1_000_000)) + "\n" + ROW,
        1,
        ("resources/facts.csv:1", "header"),
    ),
    Case(
        "csv-wide-header",
        "write_text",
        FACTS,
        ",".join(f"c{i}" for i in range(5000)) + "\n" + ROW,
        1,
        ("resources/facts.csv:1", "5000 columns"),
    ),
    Case(
        "csv-type-error-integer",
        "write_text",
        FACTS,
        HEADER + ROW.replace(",2013,", ",2013.5,"),
        1,
        ("resources/facts.csv:2 [year]", "2013.5"),
    ),
    Case(
        "csv-required-missing",
        "write_text",
        FACTS,
        HEADER + ROW.replace(",13.1,", ",,"),
        1,
        ("resources/facts.csv:2 [value]",),
    ),
    Case(
        "csv-enum-violation",
        "write_text",
        FACTS,
        HEADER + ROW.replace("EUR_bn", "EUR_billion"),
        1,
        ("resources/facts.csv:2 [unit]",),
    ),
    Case(
        "csv-pattern-violation",
        "write_text",
        FACTS,
        HEADER + ROW.replace("exports-2013-bergamo", "Exports 2013"),
        1,
        ("resources/facts.csv:2 [figure_id]",),
    ),
    Case(
        "csv-duplicate-primary-key",
        "write_text",
        FACTS,
        HEADER + ROW + ROW,
        1,
        ("resources/facts.csv:3", "primary key"),
    ),
    Case(
        "csv-foreign-key-violation",
        "write_text",
        FACTS,
        HEADER + ROW.replace(",bergamo,", ",bergano,"),
        1,
        ("resources/facts.csv:2", "bergano"),
    ),
    Case("csv-blank-row", "write_text", FACTS, HEADER + ROW + ",,,,\n", 1, ("resources/facts.csv:3",)),
]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file's SHA-256 (symlinks by their target), to prove nothing was written or changed."""
    digest = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            digest[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            digest[rel] = "dir"
    return digest


def apply(case: Case, pkg: Path) -> None:
    target = pkg / case.target
    if case.action == "write_text":
        target.write_text(case.payload, encoding="utf-8")
    elif case.action == "write_bytes":
        target.write_bytes(case.payload)
    elif case.action == "delete":
        target.unlink()
    elif case.action == "symlink":
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
        target.symlink_to(case.payload)
    elif case.action == "json":
        d = json.loads(target.read_text(encoding="utf-8"))
        scope = {"d": d}
        exec(case.payload, scope)
        target.write_text(json.dumps(scope["d"]), encoding="utf-8")
    else:  # pragma: no cover - a typo in CASES
        raise ValueError(case.action)


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_clean_mini_package_is_valid():
    result = CliRunner().invoke(cli, ["validate", str(MINI)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_in_one_clear_line(case: Case, tmp_path: Path):
    pkg = tmp_path / "pkg"
    shutil.copytree(MINI, pkg)
    apply(case, pkg)
    before = tree_digest(pkg)
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(pkg)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == case.exit, result.output
    if case.exit == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        first = lines[0]
        assert first.startswith("error: ")
    else:
        problem = json.loads(result.stdout)["problems"][0]
        location = problem["path"] + (f":{problem['line']}" if problem["line"] is not None else "")
        if problem["fields"]:
            location += f" [{', '.join(problem['fields'])}]"
        assert "\n" not in problem["message"]
        first = f"{location} {problem['code']}: {problem['message']}"
    for needle in case.expect:
        assert needle in first, f"{needle!r} not in {first!r}"
    assert len(first) < 400
    assert tree_digest(pkg) == before


def test_no_traceback_reaches_the_terminal(tmp_path: Path):
    """The same corpus through a real process: stderr never carries a Python traceback."""
    bgopendata = Path(sys.executable).parent / "bgopendata"
    for case in [
        c
        for c in CASES
        if c.name
        in {
            "descriptor-invalid-json",
            "schema-invalid-pattern",
            "csv-latin1",
            "resource-symlink-outside",
            "csv-million-column-header",
        }
    ]:
        pkg = tmp_path / case.name
        shutil.copytree(MINI, pkg)
        apply(case, pkg)
        proc = subprocess.run([str(bgopendata), "validate", str(pkg)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == case.exit, (case.name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, case.name


def test_validate_works_on_a_read_only_checkout(tmp_path: Path):
    pkg = tmp_path / "ro"
    shutil.copytree(MINI, pkg)
    for path in [pkg, *pkg.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        result = CliRunner().invoke(cli, ["validate", str(pkg)])
        assert result.exit_code == 0, result.output
    finally:
        for path in [pkg, *pkg.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
