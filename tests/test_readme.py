"""The README and the docs pages say what the code and the package say; these tests keep them from drifting.

The README is the front page (what it is, the set-up, three examples, links); the tables and
the generated blocks it used to hold live in docs/, and are checked there.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.cli import cli
from bgopendata.package import open_package
from bgopendata.rules.coverage import coverage, markdown
from conftest import ROOT, copy_package, read_rows

README = ROOT / "README.md"
USING_THE_DATA = ROOT / "docs" / "using-the-data.md"
VALIDATION = ROOT / "docs" / "validation.md"
README_MAX_LINES = 150

# Commands of the README's examples that only read the package, so a test can run them as shown.
READ_ONLY_COMMANDS = {"validate", "query", "rules"}
CONSOLE = re.compile(r"```console\n(.*?)\n```", re.S)


def _between(text: str, start: str, end: str) -> str:
    assert start in text and end in text, f"markers {start!r} ... {end!r} missing"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_docs_list_every_resource_with_its_row_count(descriptor):
    block = _between(USING_THE_DATA.read_text(encoding="utf-8"), "<!-- resources-table", "<!-- /resources-table -->")
    listed = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| `([a-z_]+)` \| (\d+) \|", block, re.M)}
    actual = {r["name"]: len(read_rows(ROOT / r["path"])) for r in descriptor["resources"]}
    assert listed == actual


def test_docs_list_the_uncovered_figures_computed_by_code():
    doc = VALIDATION.read_text(encoding="utf-8")
    generated = _between(doc, "<!-- generated: bgopendata rules --uncovered -->", "<!-- end generated -->").strip()
    assert generated == markdown(coverage(open_package(ROOT))), (
        "regenerate the rules section of docs/validation.md (bgopendata rules --uncovered .)"
    )


def test_readme_gives_the_two_setup_commands_and_how_to_reach_the_command():
    readme = README.read_text(encoding="utf-8")
    assert "make validate" in readme and "make test" in readme
    assert ".venv/bin/bgopendata" in readme and "source .venv/bin/activate" in readme


def test_readme_stays_a_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def test_readme_links_every_docs_page():
    readme = README.read_text(encoding="utf-8")
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))
    assert pages, "docs/ holds no page"
    assert [p for p in pages if f"]({p})" not in readme] == []


def _console_examples(text: str) -> list[tuple[str, list[str]]]:
    """Each `$ bgopendata ...` line of a console block with the output lines shown below it."""
    examples: list[tuple[str, list[str]]] = []
    for block in CONSOLE.findall(text):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif examples:
                examples[-1][1].append(line)
    return [
        (cmd, out)
        for cmd, out in examples
        if cmd.startswith("bgopendata ") and shlex.split(cmd)[1] in READ_ONLY_COMMANDS
    ]


def test_readme_shows_read_only_examples():
    assert len(_console_examples(README.read_text(encoding="utf-8"))) >= 2


@pytest.mark.parametrize("command, shown", _console_examples(README.read_text(encoding="utf-8")))
def test_readme_example_prints_what_it_shows(command, shown, monkeypatch):
    """Output shown after a `...` line is the end of the output; otherwise the whole of it."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    printed = result.stdout.rstrip("\n").splitlines()
    if "..." in shown:
        tail = shown[shown.index("...") + 1 :]
        assert printed[-len(tail) :] == tail
    else:
        assert printed == shown


@pytest.mark.slow
def test_readme_build_example_writes_a_release_that_checks(tmp_path, monkeypatch):
    """The README's third example, run as shown in a copy of the package."""
    readme = README.read_text(encoding="utf-8")
    assert "$ bgopendata build --out dist\n...\nrelease written to dist\n$ cd dist && sha256sum -c SHA256SUMS" in readme
    monkeypatch.chdir(copy_package(tmp_path / "package"))
    result = CliRunner().invoke(cli, ["build", "--out", "dist"])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip("\n").splitlines()[-1] == "release written to dist"
    sums = Path("dist/SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(line.split("  ", 1)[::-1] for line in sums)
    assert listed and all(
        hashlib.sha256(Path("dist", name).read_bytes()).hexdigest() == digest for name, digest in listed.items()
    )
