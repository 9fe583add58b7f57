"""The official frictionless validator accepts the published package as it stands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_frictionless_cli_validates_the_package():
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(frictionless), "validate", "datapackage.json"], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "INVALID" not in result.stdout
