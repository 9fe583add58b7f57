"""Every command documents itself with an Example block, and --help stays light (lazy imports)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from bgopendata.cli import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"bgopendata {name}" in result.output.split("Example:", 1)[1]


def test_top_level_help_imports_no_heavy_library():
    code = (
        "import sys; from bgopendata.cli import main; sys.argv = ['bgopendata', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'pandera', 'frictionless', 'duckdb', 'pyarrow', 'pyspark')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "HEAVY []" in out, out
