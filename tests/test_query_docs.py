"""The journalists' queries in docs/using-the-data.md print exactly the output shown there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bgopendata.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "using-the-data.md"
EXAMPLE = re.compile(r"```sql\n(?P<sql>(?:(?!```).)*?)\n```[ \t]*\n\s*```text\n(?P<out>.*?)\n```", re.S)


def examples() -> list[tuple[str, str]]:
    return [(m["sql"], m["out"]) for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))]


def test_the_doc_shows_the_three_journalist_questions():
    assert len(examples()) == 3


@pytest.mark.parametrize("sql, shown", examples())
def test_documented_query_prints_what_the_doc_shows(sql, shown):
    result = CliRunner().invoke(cli, ["query", "--package", str(ROOT), sql])
    assert result.exit_code == 0, result.stderr
    assert result.output.rstrip("\n") == shown
