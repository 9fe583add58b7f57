"""docs/cli.md is every command's --help, generated; it fails here the moment a command's help changes.

Regenerate with ``python -m bgopendata.cli.reference > docs/cli.md``.
"""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from bgopendata.cli import COMMANDS, cli
from bgopendata.cli.reference import reference
from conftest import ROOT

CLI_DOC = ROOT / "docs" / "cli.md"
REGENERATE = "regenerate it: python -m bgopendata.cli.reference > docs/cli.md"


def test_cli_reference_is_the_current_help():
    assert CLI_DOC.read_text(encoding="utf-8") == reference(), f"docs/cli.md drifted from --help; {REGENERATE}"


def test_cli_reference_has_one_section_per_command():
    headings = [line[3:] for line in CLI_DOC.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings == ["bgopendata"] + [f"bgopendata {name}" for name in sorted(COMMANDS)]


def test_each_section_holds_what_the_command_prints_for_help():
    """The page holds the very text `bgopendata NAME --help` prints (same width)."""
    page = CLI_DOC.read_text(encoding="utf-8")
    for name in sorted(COMMANDS):
        result = CliRunner().invoke(cli, [name, "--help"], prog_name="bgopendata", terminal_width=88)
        assert result.exit_code == 0, result.output
        section = page.split(f"## bgopendata {name}\n", 1)[1].split("\n## ", 1)[0]
        assert result.output.rstrip("\n") in section, name


def test_the_documented_command_writes_the_page():
    out = subprocess.run(
        [sys.executable, "-m", "bgopendata.cli.reference"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == CLI_DOC.read_text(encoding="utf-8")
