"""The brochure's charts: every SVG mark comes from a row of the package, and every selected
row is drawn. Rows are selected here with pandas, independently of Vega, from the spec's
declared filters."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from bgopendata.files import read_json
from bgopendata.package import open_package
from bgopendata.portal.views import package_views, render_svg, views_from_folder

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = open_package(ROOT)
VIEWS = package_views(PACKAGE)
MARK_ROLES = {"bar": "bar", "point": "point"}
LABEL = re.compile(r'<path aria-label="([^"]*)"[^>]*aria-roledescription="(bar|point)"')


def frame(name: str) -> pd.DataFrame:
    return pd.read_csv(PACKAGE.resource(name).path, dtype=str, keep_default_na=False)


def selected(spec: dict) -> pd.DataFrame:
    """The rows the spec's filters keep, with labels looked up; pivots reduce to one row per group."""
    df = frame(spec["data"]["name"])
    for step in spec.get("transform", []):
        if "filter" in step:
            pred = step["filter"]
            assert isinstance(pred, dict) and set(pred) & {"equal", "oneOf"}, (
                f"only field predicates, evaluable without Vega: {pred}"
            )
            keep = [pred["equal"]] if "equal" in pred else pred["oneOf"]
            df = df[df[pred["field"]].isin(keep)]
        elif "pivot" in step:
            df = df.assign(value=df[step["value"]].astype(float))
            df = df.pivot_table(index=step["groupby"], columns=step["pivot"], values="value").reset_index()
        elif "lookup" in step:
            codes = frame(step["from"]["data"]["name"])[[step["from"]["key"], "name_en", "name_it"]]
            df = df.merge(codes, left_on=step["lookup"], right_on=step["from"]["key"], how="left")
    return df


def number(text: str, lang: str) -> float:
    text = text.strip()
    text = text.replace(".", "").replace(",", ".") if lang == "it" else text.replace(",", "")
    return float(text)


@pytest.mark.parametrize("lang", ["en", "it"])
@pytest.mark.parametrize("view", VIEWS, ids=[v["name"] for v in VIEWS])
def test_each_mark_is_a_row_and_each_row_a_mark(view, lang):
    spec = view["spec"]
    rows = selected(spec)
    assert len(rows) > 0, "the filters select nothing: the chart would be empty"
    x_field = spec["encoding"]["x"]["field"]
    expected = sorted((str(r[f"name_{lang}"]), float(r[x_field])) for _, r in rows.iterrows())

    svg = render_svg(view, PACKAGE, lang)
    labels = LABEL.findall(svg)
    drawn = []
    for label, _role in labels:
        parts = dict(part.split(": ", 1) for part in html.unescape(label).split("; "))
        drawn.append((parts[f"name_{lang}"], number(parts[x_field], lang)))
    assert sorted(drawn) == expected
    # The label layer writes one text per mark.
    assert svg.count('aria-roledescription="text mark"') == len(expected)


def test_labels_follow_the_language():
    view = next(v for v in VIEWS if v["name"] == "leading-exporting-provinces-2013")
    en, it = render_svg(view, PACKAGE, "en"), render_svg(view, PACKAGE, "it")
    assert "name_en: Milan" in en and "name_it: Milano" in it
    # the title is the page's caption (site.py), not text shrunk inside the image
    assert view["title_it"] not in it and view["title"] not in en


def test_no_view_carries_values_and_every_view_reads_package_resources():
    names = {r.name for r in PACKAGE.resources}
    text = json.dumps([v["spec"] for v in VIEWS])
    assert '"values"' not in text and '"url"' not in text
    for view in VIEWS:
        assert view["specType"] == "vega-lite"
        assert view["resources"] and set(view["resources"]) <= names
        assert view["spec"]["data"]["name"] == view["resources"][0]


def test_every_chart_whose_values_the_text_gives_has_a_view():
    charts = frame("charts")
    drawn = {v["resources"][0] for v in VIEWS}
    wanted = charts[charts["values_in_text"] == "all"]["resource"]
    assert set(wanted) <= drawn


def test_datapackage_views_are_the_views_folder():
    descriptor = read_json(ROOT / "datapackage.json", shown="datapackage.json")
    if "views" not in descriptor:
        pytest.skip("datapackage.json declares no views yet")
    assert descriptor["views"] == views_from_folder(ROOT)
