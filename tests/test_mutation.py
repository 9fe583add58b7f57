"""A single-cell typo in any numeric cell of the shipped package fails ``validate``.

Each mutant (``tests/mutants.py``: +10%, at least one unit of the last written digit) is a
copy of the package with one cell changed. The provenance checks run first on each copy and
the full in-process ``validate`` only on the copies they let through (``validate`` reports
every provenance problem as its own, and ``test_quick_verdict_is_validates_verdict`` checks
that on one mutant of every column). The cells no check can catch are listed, with the
reason, in ``tests/fixtures/uncaught_mutations.csv``; the list must stay exact: a listed
cell that becomes caught fails too, so the list only shrinks.
"""

from __future__ import annotations

import csv

import pytest

from conftest import ROOT
from mutants import judge_all, mutants, refused, table

UNCAUGHT = ROOT / "tests" / "fixtures" / "uncaught_mutations.csv"
DOCUMENTED_WARNINGS = {
    ("translation-agrees", "province-exports-translation-agrees"),
    ("translation-agrees", "eu-industry-ranking-translation-agrees"),
    ("shares-sum", "europe-share-two-documents"),
    ("translation-agrees", "export-specialisation-translation-agrees"),
    ("translation-agrees", "foreign-owned-firms-translation-agrees"),
}


def listed_uncaught() -> dict[tuple[str, str, str], str]:
    with UNCAUGHT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert all(row["reason"].strip() for row in rows), "every uncaught cell needs its reason"
    return {(row["resource"], row["figure"], row["column"]): row["reason"] for row in rows}


@pytest.fixture(scope="module")
def all_mutants():
    found = mutants(ROOT)
    assert len({m.cell for m in found}) > 700  # value, resolution, period, value_text(_en), position
    return found


def test_unperturbed_package_passes_with_only_its_documented_warnings():
    from bgopendata.validation.pipeline import validate

    report = validate(ROOT, parallel=False)
    assert report.valid, [p.message for p in report.errors]
    assert len(report.warnings) == 7
    assert {(p.code, p.rule) for p in report.warnings} == DOCUMENTED_WARNINGS


def test_quick_verdict_is_validates_verdict(all_mutants):
    """One mutant per column, judged by the full ``validate`` alone, gets the quick path's verdict."""
    sample = {}
    for mutant in all_mutants:
        sample.setdefault((mutant.resource == "lists", mutant.column), mutant)
    for mutant in sample.values():
        assert refused(ROOT, mutant, quick=False) == refused(ROOT, mutant), mutant


@pytest.mark.timeout(900)
def test_every_numeric_cell_typo_fails_validate(all_mutants):
    results = judge_all(ROOT, all_mutants)
    cells: dict[tuple[str, str, str], bool] = {}
    for mutant, caught in results.items():
        key = (mutant.resource, mutant.figure, mutant.column)
        cells[key] = cells.get(key, True) and caught
    listed = listed_uncaught()
    missed = sorted(key for key, caught in cells.items() if not caught and key not in listed)
    now_caught = sorted(key for key in listed if cells.get(key, True))
    assert not missed, f"single-cell typos that validate accepts: {missed}"
    assert not now_caught, f"listed as uncaught but caught (or gone): remove them from {UNCAUGHT.name}: {now_caught}"
    rows = table(results)
    caught, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    assert caught / total >= 0.98
    digit_values = [m for m in all_mutants if m.column == "value" and _writes_digits(m)]
    assert all(results[m] for m in digit_values), "every value whose text writes digits is caught"


def _writes_digits(mutant) -> bool:
    from conftest import read_rows

    rows = read_rows(ROOT / mutant.path)
    return any(ch.isdigit() for ch in rows[mutant.line - 2]["value_text"])
