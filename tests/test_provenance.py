"""The provenance checks: numbers read back from the documents' text, and every written number accounted for."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from bgopendata.package import open_package
from bgopendata.provenance import check_package
from bgopendata.provenance.reading import Unreadable, hedge, read_figure
from conftest import ROOT, copy_package


@pytest.mark.parametrize(
    "text,language,unit,value,resolution",
    [
        ("1.778 mln di Euro", "it", "EUR_mn", "1778", "1"),
        ("13,1", "it", "EUR_bn", "13.1", "0.1"),
        ("€ 1,778 mln", "en", "EUR_mn", "1778", "1"),
        ("oltre 150 mila persone", "it", "persons", "150000", "1000"),
        ("25mila addetti", "it", "persons", "25000", "1000"),
        ("2,5 milioni di persone", "it", "persons", "2500000", "100000"),
        ("more than 7 million", "en", "persons", "7000000", "1000000"),
        ("9,7 miliardi di Euro", "it", "EUR_bn", "9.7", "0.1"),
        ("Vicenza 4a", "it", "rank", "4", "1"),
        ("9° posizione", "it", "rank", "9", "1"),
        ("la quinta", "it", "rank", "5", "1"),
        ("SECONDA", "it", "rank", "2", "1"),
        ("fifth", "en", "rank", "5", "1"),
        ("forth", "en", "rank", "4", "1"),
        ("two-thirds", "en", "percent", "66.67", "1"),
        ("more than a quarter", "en", "percent", "25", "1"),
        ("quasi il doppio", "it", "multiple", "2", "1"),
        ("più che quadruplicato", "it", "multiple", "4", "1"),
        ("two main technology parks", "en", "count", "2", "1"),
    ],
)
def test_a_figure_is_read_in_its_language_and_unit(text, language, unit, value, resolution):
    reading = read_figure(text, language, unit)
    assert (reading.value, reading.resolution) == (Decimal(value), Decimal(resolution))


def test_a_scale_word_that_cannot_write_the_unit_or_a_text_without_number_is_unreadable():
    with pytest.raises(Unreadable, match="mila"):
        read_figure("14 mila persone", "it", "EUR_bn")
    with pytest.raises(Unreadable, match="percentage"):
        read_figure("40%", "en", "count")
    with pytest.raises(Unreadable, match="no number"):
        read_figure("Preceduta da", "it", "rank")


@pytest.mark.parametrize(
    "window,language,qualifier",
    [
        ("oltre 61 miliardi", "it", "at_least"),
        ("quasi 15 miliardi", "it", "at_most"),
        ("vicina al 50%", "it", "approx"),
        ("employs more than 150,000", "en", "at_least"),
        ("amounts near to 15 billion", "en", "approx"),
        ("approx. 95,000", "en", "approx"),
        ("ben il 30%", "it", None),
        ("con 13 miliardi", "it", None),
    ],
)
def test_hedge_words_give_the_qualifier(window, language, qualifier):
    assert hedge(window, language) == qualifier


def test_the_shipped_package_has_no_provenance_problem():
    assert check_package(open_package(ROOT)) == []


def edit(package, resource: str, figure: str, **changes: str) -> None:
    """Change cells of the row ``figure`` (``figure_id``, or ``list_id#position``) in a copied package."""
    path = package / "resources" / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    for row in rows:
        if row.get("figure_id") == figure or f"{row.get('list_id')}#{row.get('position')}" == figure:
            row.update(changes)
    if changes.get("__drop__"):
        rows = [r for r in rows if r.get("figure_id") != figure]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def problems_of(package):
    return [(p.code, p.path, p.line, tuple(p.fields)) for p in check_package(open_package(package))]


@pytest.mark.parametrize(
    "resource,figure,changes,code,field",
    [
        ("province_exports", "exports-2013-milano", {"value": "41"}, "value-matches-text", "value"),
        ("province_exports", "exports-2013-milano", {"value_text": "41"}, "value-text-in-sentence", "value_text"),
        (
            "province_exports",
            "exports-2013-milano",
            {"value_text_en": "41 bln"},
            "value-text-in-sentence",
            "value_text_en",
        ),
        (
            "province_exports",
            "exports-2013-bergamo-trend",
            {"resolution": "1"},
            "resolution-matches-text",
            "resolution",
        ),
        ("export_intensity", "export-to-gdp-bergamo", {"resolution": "3"}, "resolution-matches-text", "resolution"),
        (
            "province_exports",
            "foreign-turnover-2014-bergamo",
            {"qualifier": "exact"},
            "qualifier-matches-text",
            "qualifier",
        ),
        (
            "province_exports",
            "foreign-turnover-2014-bergamo",
            {"qualifier_en": "at_most"},
            "qualifier-matches-text",
            "qualifier_en",
        ),
        ("province_exports", "exports-2013-milano", {"period": "2014"}, "period-in-text", "period"),
        ("sector_exports", "sector-rank-2013-wood", {"period": "2012"}, "period-in-text", "period"),
        ("province_exports", "exports-2013-milano", {"period_from": "none"}, "period-in-text", "period"),
        ("sector_exports", "sector-exports-2013-chemicals", {"unit": "EUR_bn"}, "value-matches-text", "value"),
        (
            "province_exports",
            "exports-2013-milano",
            {"sentence_en": "Milan with € 37 bln, Turin 20 and Vicenza 16"},
            "quote-in-document",
            "sentence_en",
        ),
        ("province_exports", "exports-2013-torino", {"value": "3"}, "value-matches-text", "value"),
        ("lists", "university_faculties#2", {"name_en": "Humanities"}, "list-order-matches-text", "position"),
    ],
)
def test_a_row_that_contradicts_its_text_is_an_error_naming_the_row(tmp_path, resource, figure, changes, code, field):
    package = copy_package(tmp_path / "pkg")
    edit(package, resource, figure, **changes)
    found = problems_of(package)
    assert any(
        c == code and p == f"resources/{resource}.csv" and line and field in fields for c, p, line, fields in found
    ), found


def test_an_italian_quote_in_the_english_text_is_refused(tmp_path):
    package = copy_package(tmp_path / "pkg")
    english = "Euros 9.7 billion of value added (and 156 thousand employees)"
    edit(package, "eu_industry_ranking", "value-added-2011-bergamo", sentence_it=english)
    found = [p for p in check_package(open_package(package)) if p.code == "quote-in-document"]
    assert found and "outside its it text" in found[0].message


def test_a_figure_dropped_from_the_package_leaves_its_number_unaccounted(tmp_path):
    package = copy_package(tmp_path / "pkg")
    edit(package, "plants_abroad", "plants-abroad-2015-china", __drop__="1")
    found = [p for p in check_package(open_package(package)) if p.code == "number-accounted-for"]
    assert {(p.path, p.line, p.found) for p in found} == {
        ("sources/bergamo-second-industrial-province.it-en.txt", 397, "27"),
        ("sources/bergamo-second-industrial-province.it-en.txt", 411, "27"),
    }
    assert "neither a published figure nor listed" in found[0].message


def test_an_exclusion_that_accounts_for_nothing_is_stale(tmp_path):
    package = copy_package(tmp_path / "pkg")
    with (package / "sources" / "exclusions.csv").open("a", encoding="utf-8") as fh:
        fh.write('brochure,209,13,"a typo in the exclusions"\n')
    found = [p for p in check_package(open_package(package)) if p.code == "number-accounted-for"]
    assert [(p.path, p.found) for p in found] == [("sources/exclusions.csv", "13")]
    assert "stale" in found[0].message


def test_validate_reports_provenance_problems(tmp_path):
    from bgopendata.validation.pipeline import validate

    package = copy_package(tmp_path / "pkg")
    edit(package, "province_exports", "exports-2013-milano", value="41")
    report = validate(package, parallel=False)
    assert not report.valid
    assert [(p.line, p.figures, p.fields) for p in report.errors if p.code == "value-matches-text"] == [
        (3, ["exports-2013-milano"], ["value", "value_text"]),  # '37', read as in the Italian sentence
        (3, ["exports-2013-milano"], ["value", "value_text_en"]),  # '37 bln', as in the English one
    ]


def test_exception_counts_say_how_many_rows_rely_on_each_exception():
    from bgopendata.provenance import exception_counts

    counts = exception_counts(open_package(ROOT))
    assert counts["value_basis=derived"] == 3  # Preceduta da (Brescia), le prime due (Milan, Turin)
    assert counts["resolution_basis=round"] == 3 and counts["resolution_basis=context"] == 1
    assert counts["excluded numbers"] == 20
