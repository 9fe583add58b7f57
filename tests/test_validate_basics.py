"""`bgopendata validate` from the start: the real package passes; a broken copy fails in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_package

BIN = Path(sys.executable).parent / "bgopendata"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], cwd=cwd, capture_output=True, text=True, timeout=240)


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def test_the_published_package_is_valid():
    result = run("validate", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_mistyped_value_fails_naming_file_line_and_field(package_copy):
    csv_path = package_copy / "resources/key_facts.csv"
    text = csv_path.read_text(encoding="utf-8")
    assert text.splitlines()[2].startswith("companies-bergamo,")  # line 3 of the file
    csv_path.write_text(text.replace(",95000,count,", ",95k,count,"), encoding="utf-8")
    result = run("validate", str(package_copy))
    assert result.returncode == 1
    assert "resources/key_facts.csv:3 [value]" in result.stdout
    assert "Traceback" not in result.stderr


def test_invalid_json_descriptor_is_one_line_and_exit_2(package_copy):
    (package_copy / "datapackage.json").write_text("{ not json", encoding="utf-8")
    result = run("validate", str(package_copy))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "datapackage.json:1" in result.stderr and "invalid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_resource_file_is_named(package_copy):
    (package_copy / "resources/areas.csv").unlink()
    result = run("validate", str(package_copy))
    assert result.returncode == 2
    assert "resources/areas.csv not found" in result.stderr
