"""The data model's promises, checked on every fact row (see docs/data-model.md)."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

COMMON = [
    "figure_id",
    "geo",
    "period",
    "measure",
    "value",
    "unit",
    "resolution",
    "qualifier",
    "value_text",
    "source_id",
    "document_id",
    "sentence_it",
    "sentence_en",
    "qualifier_it",
    "qualifier_en",
    "unit_en",
    "note",
]

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
            differs = (row["qualifier_it"] and row["qualifier_it"] != row["qualifier_en"]) or row["unit"] != row[
                "unit_en"
            ]
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
    for key in (
        "name",
        "title",
        "title_it",
        "description",
        "description_it",
        "version",
        "licenses",
        "sources",
        "contributors",
        "keywords",
        "spatial",
        "temporal",
    ):
        assert descriptor.get(key), key
    assert re.fullmatch(r"\d+\.\d+\.\d+", descriptor["version"])
    assert descriptor["spatial"]["nuts3"] == "ITC46"


# --- Schemas and rules, each declared once ---------------------------------------------------

# Table Schema's own properties (v1 and v2); the field properties the package adds are listed
# beside them, so that a new one is a decision, not a slip.
TABLE_SCHEMA_KEYS = {"$schema", "fields", "fieldsMatch", "missingValues", "primaryKey", "uniqueKeys", "foreignKeys"}
FIELD_KEYS = {
    "name",
    "title",
    "description",
    "type",
    "format",
    "constraints",
    "example",
    "rdfType",
    "missingValues",
    "categories",
    "categoriesOrdered",
    "trueValues",
    "falseValues",
    "bareNumber",
    "groupChar",
    "decimalChar",
}
OUR_FIELD_KEYS = {"title_it", "description_it", "unit"}


def _schemas(descriptor) -> dict[str, dict]:
    import json

    return {
        res["name"]: json.loads((ROOT / res["schema"]).read_text(encoding="utf-8")) for res in descriptor["resources"]
    }


def test_every_table_schema_is_a_standard_one(descriptor):
    for name, schema in _schemas(descriptor).items():
        assert set(schema) <= TABLE_SCHEMA_KEYS, (name, set(schema) - TABLE_SCHEMA_KEYS)
        for spec in schema["fields"]:
            assert set(spec) <= FIELD_KEYS | OUR_FIELD_KEYS, (name, spec["name"], set(spec) - FIELD_KEYS)


def test_fact_table_schemas_carry_the_shared_fields_as_declared(descriptor):
    from bgopendata.tableschema.generate import drifted, shared_fields
    from bgopendata.tableschema.standard import v2_schema

    marker, shared = shared_fields(ROOT)
    shared = v2_schema({"fields": shared}, root=False)["fields"]  # with v2's categories beside each enum
    facts = {
        name: schema for name, schema in _schemas(descriptor).items() if marker in [f["name"] for f in schema["fields"]]
    }
    assert len(facts) >= 12
    for name, schema in facts.items():
        by_name = {f["name"]: f for f in schema["fields"]}
        assert [by_name[f["name"]] for f in shared] == shared, name
    assert drifted(ROOT) == []


def test_a_schema_that_drifts_from_the_shared_fields_is_found_and_regenerated(tmp_path, capsys):
    import json
    import shutil

    from bgopendata.tableschema.generate import drifted, main

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    shutil.copy(ROOT / "datapackage.json", pkg / "datapackage.json")
    shutil.copytree(ROOT / "schemas", pkg / "schemas")
    schema_file = pkg / "schemas" / "key_facts.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    unit = next(f for f in schema["fields"] if f["name"] == "unit")
    unit["constraints"]["enum"].remove("multiple")
    schema_file.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert drifted(pkg) == ["schemas/key_facts.json"]
    assert main([str(pkg), "--check"]) == 1
    assert "schemas/key_facts.json: differs from schemas/_shared/fact-fields.json" in capsys.readouterr().out

    shared_file = pkg / "schemas" / "_shared" / "fact-fields.json"
    shared = json.loads(shared_file.read_text(encoding="utf-8"))
    shared["fields"][0]["description"] = "Stable identifier of the figure."
    shared_file.write_text(json.dumps(shared), encoding="utf-8")
    assert len(drifted(pkg)) >= 12  # every fact table now differs from the one declaration
    assert main([str(pkg)]) == 0
    assert drifted(pkg) == []
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["fields"][0]["description"] == "Stable identifier of the figure."
    assert "multiple" in next(f for f in schema["fields"] if f["name"] == "unit")["constraints"]["enum"]


def test_package_wide_rules_are_declared_once_and_run_on_every_fact_table(fact_tables):
    import json

    from bgopendata.package import open_package

    text = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.json")))
    assert text.count('"kind": "translation-agrees"') == 1
    expanded = [
        (res.name, rule["id"])
        for res, _shown, rules in open_package(ROOT).rule_arrays()
        for rule in rules
        if rule["kind"] == "translation-agrees"
    ]
    assert expanded == [(name, f"{name.replace('_', '-')}-translation-agrees") for name in fact_tables]
    assert not any("rules" in json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "schemas").glob("*.json"))


def test_a_table_rules_file_relates_its_own_figures_and_the_package_file_the_rest():
    """A rule sits where it belongs: in its table's file if it stays in that table, else in
    the package file under ``acrossTables``."""
    from bgopendata.package import open_package
    from bgopendata.rules.bind import bind_rules
    from bgopendata.rules.figures import read_index
    from bgopendata.rules.registry import declare

    def tables_of(value) -> set[str]:
        """The tables a bound reference reaches: a row's, a figure's row's, or a list's items'."""
        if isinstance(value, list):
            return {table for item in value for table in tables_of(item)}
        row = getattr(value, "row", value)
        return {row.resource} if hasattr(row, "resource") else set()

    package = open_package(ROOT)
    bound, skipped = bind_rules(declare(package).figure, read_index(package))
    assert not skipped
    places = {"own": 0, "across": 0}
    for rule in bound:
        spans = tables_of(list(rule.refs.values()))
        if "#/acrossTables/" in rule.schema_path:
            places["across"] += 1
            assert len(spans) >= 2 and rule.resource in spans, rule.rule.id
        elif "#/packageWide/" not in rule.schema_path:
            places["own"] += 1
            assert rule.schema_path == f"rules/{rule.resource}.json"
            assert spans <= {rule.resource}, (rule.rule.id, spans)
    assert places["across"] >= 15 and places["own"] >= 30


def test_the_docs_type_table_is_the_type_map():
    """docs/data-model.md's table of types per format says what tableschema/types.py says."""
    from dataclasses import astuple

    from bgopendata.tableschema.types import EXACT_NUMBER, TYPES, WIDE_NUMBER

    text = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    section = text.split("## Types in each format", 1)[1]
    rows = [
        [cell.replace("`", "").strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and "---" not in line
    ]
    assert rows[0] == ["Table Schema", "DuckDB", "Arrow / Parquet", "ibis", "pandas", "Spark", "SQLite"]
    documented = {row[0]: tuple(row[1:]) for row in rows[1:]}
    expected = {name: astuple(types) for name, types in TYPES.items()}
    expected["number, as the validator computes"] = astuple(EXACT_NUMBER)
    expected["a factor before a product, in the rules"] = astuple(WIDE_NUMBER)
    assert documented == expected
