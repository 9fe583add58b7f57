"""Every command's JSON output names its format and version, so a program can check what it reads."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bgopendata.access.render import JSON_FORMAT as QUERY_FORMAT
from bgopendata.cli import cli
from bgopendata.report import JSON_FORMAT as REPORT_FORMAT
from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "release"


def _json(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_validate_json_starts_with_its_format():
    report = _json("validate", "--format", "json", str(FIXTURE))
    assert REPORT_FORMAT == "bgopendata.report/1"
    assert next(iter(report)) == "format" and report["format"] == REPORT_FORMAT
    assert {"package", "problems", "stats", "valid"} <= set(report)


def test_query_json_wraps_the_rows_with_format_and_columns():
    document = _json(
        "query", "--package", str(FIXTURE), "--format", "json", "SELECT area_id, name_en FROM areas ORDER BY 1 LIMIT 1"
    )
    assert document["format"] == QUERY_FORMAT == "bgopendata.query/1"
    assert document["columns"] == ["area_id", "name_en"]
    assert len(document["rows"]) == 1 and list(document["rows"][0]) == ["area_id", "name_en"]


def test_query_json_keeps_the_columns_of_an_empty_result():
    document = _json("query", "--package", str(FIXTURE), "--format", "json", "SELECT area_id FROM areas WHERE false")
    assert document == {"format": QUERY_FORMAT, "columns": ["area_id"], "rows": []}


def test_diff_json_names_its_format():
    data = _json("diff", str(FIXTURE), str(FIXTURE), "--format", "json")
    assert data["format"] == "bgopendata.diff/1"
    assert data["counts"]["changed"] == 0
