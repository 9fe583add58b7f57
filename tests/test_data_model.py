"""The data model's promises, checked on every fact row (see docs/data-model.md)."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, read_rows

COMMON = ["figure_id", "geo", "period", "measure", "value", "unit", "resolution", "qualifier", "value_text",
          "source_id", "document_id", "sentence_it", "sentence_en", "qualifier_it", "qualifier_en", "unit_en", "note"]

# Wording -> qualifier, in both languages. A value_text using one of these words must carry it.
HEDGES = [
    (re.compile(r"\b(oltre|over|more than|più che|sopra)\b", re.I), "at_least"),
    (re.compile(r"\b(quasi|almost|nearly)\b", re.I), "at_most"),
    (re.compile(r"\b(circa|about|around|approx\.?|close to|near to|vicin[oa])\b|two-thirds", re.I), "approx"),
]


def test_every_fact_table_has_the_common_columns_in_its_schema(descriptor):
    facts = 0
    for res in descriptor["resources"]:
        import json

        schema = json.loads((ROOT / res["schema"]).read_text(encoding="utf-8"))
        names = [f["name"] for f in schema["fields"]]
        if "figure_id" not in names:
            continue
        facts += 1
        assert [n for n in names if n in COMMON] == COMMON, res["name"]
        assert schema["primaryKey"] == ["figure_id"]
        fk_fields = {fk["fields"] for fk in schema["foreignKeys"]}
        assert {"geo", "source_id", "document_id"} <= fk_fields
    assert facts >= 12


def test_figure_ids_are_unique_across_the_package(fact_tables):
    ids = [row["figure_id"] for rows in fact_tables.values() for row in rows]
    assert len(ids) == len(set(ids))


def test_the_package_publishes_well_over_a_hundred_figures(fact_tables):
    assert sum(len(rows) for rows in fact_tables.values()) > 150


def test_qualifier_matches_the_wording_as_written(fact_tables):
    wrong = []
    for name, rows in fact_tables.items():
        for line, row in enumerate(rows, start=2):
            expected = next((q for pattern, q in HEDGES if pattern.search(row["value_text"])), "exact")
            if row["qualifier"] != expected:
                wrong.append(f"{name}.csv:{line} {row['value_text']!r}: {row['qualifier']} != {expected}")
    assert not wrong, wrong


def test_period_is_never_guessed_where_the_sentence_and_caption_state_none(fact_tables):
    """A period must be written in the sentence, or ``period_from`` must say where it comes from."""
    unexplained = []
    for name, rows in fact_tables.items():
        for line, row in enumerate(rows, start=2):
            period = row["period"]
            if not period:
                continue
            years = period.split("-")
            text = row["sentence_it"] + " " + row["sentence_en"]
            if not all(y in text for y in years) and row["period_from"] not in ("caption", "section"):
                unexplained.append(f"{name}.csv:{line} {row['figure_id']} period {period}")
    assert not unexplained, unexplained


@pytest.mark.parametrize("unit,low,high", [("percent", 0, None), ("rank", 1, None), ("count", 0, None)])
def test_values_are_plausible_for_their_unit(fact_tables, unit, low, high):
    for rows in fact_tables.values():
        for row in rows:
            if row["unit"] == unit:
                value = float(row["value"])
                assert value >= low
                if unit in ("rank", "count"):
                    assert value == int(value), row["figure_id"]


def test_translation_differences_are_explained_in_the_note(fact_tables):
    for rows in fact_tables.values():
        for row in rows:
            differs = (row["qualifier_it"] and row["qualifier_it"] != row["qualifier_en"]) or row["unit"] != row["unit_en"]
            if differs:
                assert "English" in row["note"], row["figure_id"]


def test_code_lists_cover_every_reference(tables):
    areas = {r["area_id"] for r in tables["areas"]}
    sectors = {r["sector_id"] for r in tables["sectors"]}
    for name, rows in tables.items():
        for row in rows:
            for column in ("geo", "partner"):
                if row.get(column):
                    assert row[column] in areas, (name, row[column])
            if row.get("sector"):
                assert row["sector"] in sectors, (name, row["sector"])


def test_provinces_carry_istat_and_nuts3_codes(tables):
    for row in tables["areas"]:
        if row["kind"] == "province":
            assert re.fullmatch(r"\d{3}", row["istat_code"]), row
            assert re.fullmatch(r"IT[CH]\d[0-9A-F]", row["nuts_code"]), row
    bergamo = next(r for r in tables["areas"] if r["area_id"] == "bergamo")
    assert (bergamo["nuts_code"], bergamo["istat_code"]) == ("ITC46", "016")


def test_datapackage_metadata(descriptor):
    for key in ("name", "title", "title_it", "description", "description_it", "version", "licenses", "sources",
                "contributors", "keywords", "spatial", "temporal"):
        assert descriptor.get(key), key
    assert re.fullmatch(r"\d+\.\d+\.\d+", descriptor["version"])
    assert descriptor["spatial"]["nuts3"] == "ITC46"
