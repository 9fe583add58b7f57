"""One row per quantity: ``quantity_id`` ties the statements of a quantity, ``quantities`` has one row each.

The statements stay one row each (their sentences are the provenance); these tests check
what ties them (a mistyped ``quantity_id`` fails, statements that disagree fail), that the
derived table is what the statements give (and that the command rewriting it puts a changed
package right again), that it keeps the most precise statement, and that every published
format carries it.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from bgopendata.access.query import run
from bgopendata.publish.build import build
from bgopendata.quantities import main as quantities_main
from bgopendata.validation.pipeline import validate
from conftest import ROOT, copy_package, read_rows
from test_provenance import edit

QUANTITIES = ROOT / "resources" / "quantities.csv"


def errors(package: Path) -> set[tuple[str, str, int]]:
    report = validate(package, parallel=False)
    return {(p.code, p.path, p.line) for p in report.errors}


def line_of(package: Path, table: str, key: str, value: str) -> int:
    rows = read_rows(package / "resources" / f"{table}.csv")
    return next(i for i, row in enumerate(rows, start=2) if row[key] == value)


def test_every_fact_row_names_its_quantity_and_each_quantity_has_one_row():
    quantities = {row["quantity_id"]: row for row in read_rows(QUANTITIES)}
    statements: dict[str, list[str]] = {}
    for path in sorted((ROOT / "resources").glob("*.csv")):
        rows = read_rows(path)
        if rows and "figure_id" in rows[0]:
            for row in rows:
                statements.setdefault(row["quantity_id"], []).append(row["figure_id"])
    assert set(quantities) == set(statements)
    for quantity, ids in statements.items():
        row = quantities[quantity]
        assert sorted(row["figure_ids"].split()) == sorted(ids)
        assert int(row["statements"]) == len(ids)
        assert row["figure_ids"].split()[0] == row["from_figure_id"]
        assert quantity in ids  # named after one of its statements
    assert sum(1 for ids in statements.values() if len(ids) > 1) == 19


@pytest.mark.parametrize(
    "quantity,chosen,value",
    [
        ("exports-2013-bergamo", "exports-2013-bergamo-trend", "13.1"),  # 13.1 (0.1) before 13 (1)
        ("exports-2013-brescia", "exports-2013-brescia-trend", "13.7"),
        ("value-added-2011-bergamo", "value-added-2011-bergamo", "9.7"),  # 9.7 before "about 10"
        ("employment-2011-bergamo", "employment-2011-bergamo", "156000"),  # 156 thousand before "over 150"
        ("foreign-owned-employment-2015", "foreign-owned-employment-intro", "14000"),  # "14 mila" before "oltre 14"
    ],
)
def test_the_row_of_a_quantity_is_its_most_precise_statement(quantity, chosen, value):
    row = next(r for r in read_rows(QUANTITIES) if r["quantity_id"] == quantity)
    assert (row["from_figure_id"], row["value"]) == (chosen, value)


def test_statements_of_one_quantity_that_disagree_fail(tmp_path):
    package = copy_package(tmp_path / "pkg")
    edit(package, "province_exports", "exports-2013-bergamo-trend", value="14.1")
    assert quantities_main([str(package)]) == 0  # the table follows; the statements still disagree
    found = errors(package)
    line = line_of(package, "province_exports", "figure_id", "exports-2013-bergamo-trend")
    assert ("same-figure-agrees", "resources/province_exports.csv", line) in found


def test_a_singleton_joined_to_a_quantity_it_does_not_agree_with_fails(tmp_path):
    package = copy_package(tmp_path / "pkg")
    edit(package, "province_exports", "exports-2013-milano", quantity_id="exports-2013-torino")
    assert quantities_main([str(package)]) == 0
    codes = {code for code, _path, _line in errors(package)}
    assert "same-figure-agrees" in codes


def test_a_mistyped_quantity_id_fails_where_it_is(tmp_path):
    package = copy_package(tmp_path / "pkg")
    edit(package, "province_exports", "exports-2013-milano", quantity_id="exports-2013-milan")
    assert quantities_main([str(package)]) == 0
    line = line_of(package, "province_exports", "figure_id", "exports-2013-milano")
    assert ("quantity-named", "resources/province_exports.csv", line) in errors(package)


def test_a_quantity_named_after_a_statement_of_another_quantity_fails(tmp_path):
    package = copy_package(tmp_path / "pkg")  # the trend row points at itself: its twin now names a non-quantity
    edit(package, "province_exports", "exports-2013-bergamo", quantity_id="exports-2013-bergamo-trend")
    edit(package, "province_exports", "exports-2013-bergamo-trend", quantity_id="exports-2013-bergamo-trend")
    edit(package, "province_exports", "export-rank-2013-torino", quantity_id="exports-2013-bergamo")
    assert quantities_main([str(package)]) == 0
    line = line_of(package, "province_exports", "figure_id", "export-rank-2013-torino")
    assert ("quantity-named", "resources/province_exports.csv", line) in errors(package)


def test_a_changed_statement_leaves_the_table_stale_until_the_command_rewrites_it(tmp_path, capsys):
    package = copy_package(tmp_path / "pkg")
    edit(package, "province_exports", "exports-2013-milano", note="checked against ISTAT", value="37.0")
    assert quantities_main([str(package), "--check"]) == 1
    assert "python -m bgopendata.quantities" in capsys.readouterr().err
    line = line_of(package, "quantities", "quantity_id", "exports-2013-milano")
    assert ("quantities-current", "resources/quantities.csv", line) in errors(package)
    assert quantities_main([str(package)]) == 0
    assert quantities_main([str(package), "--check"]) == 0
    assert not [e for e in errors(package) if e[0] == "quantities-current"]


def test_a_hand_edited_or_missing_row_of_the_table_fails(tmp_path):
    package = copy_package(tmp_path / "pkg")
    path = package / "resources" / "quantities.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    dropped = next(r for r in rows if r["quantity_id"] == "exports-2013-varese")
    rows.remove(dropped)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    line = line_of(package, "province_exports", "figure_id", "exports-2013-varese")
    assert ("quantities-current", "resources/province_exports.csv", line) in errors(package)


def test_the_shipped_table_is_current():
    assert quantities_main([str(ROOT), "--check"]) == 0


def test_every_format_of_the_release_has_one_row_per_quantity(tmp_path):
    release = build(ROOT, tmp_path / "dist").path
    expected = len(read_rows(QUANTITIES))
    assert pq.read_table(release / "quantities.parquet").num_rows == expected
    with duckdb.connect(str(release / "bgopendata.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT quantity_id), count(*) FROM quantities").fetchone() == (
            expected,
            expected,
        )
    with sqlite3.connect(release / "bgopendata.sqlite") as con:
        assert con.execute("SELECT count(*) FROM quantities").fetchone() == (expected,)
    answer = run(
        "SELECT quantity_id, value FROM quantities WHERE geo = 'bergamo' AND period = '2013' "
        "AND resource = 'province_exports' ORDER BY quantity_id",
        release=str(release),
    )
    assert [tuple(r) for r in answer.rows] == [("export-rank-2013-bergamo", 5), ("exports-2013-bergamo", 13.1)]
