"""The brochure's charts as Frictionless views: Vega-Lite specs that read the package's own data.

A spec names its data by resource (``{"data": {"name": "province_exports"}}``, also inside
``lookup`` transforms) and selects rows with filters; it never carries values. Rendering
inlines the resource rows, typed by their Table Schema, and asks ``vl-convert`` (Vega-Lite
compiled in-process, no browser) for an SVG. Specs live in ``datapackage.json``'s ``views``;
the ``views/*.vl.json`` files are their editable copies (a test keeps the two equal).
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.extras import require
from bgopendata.files import read_json
from bgopendata.package import Package

SPEC_TYPE = "vega-lite"
VIEWS_FOLDER = "views"
SUFFIX = ".vl.json"
# d3-format locales vl-convert knows by name: numbers read 13,1 in Italian, 13.1 in English.
FORMAT_LOCALES: dict[str, Any] = {"en": "en-US", "it": "it-IT"}


def view_from_spec(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A Frictionless view descriptor for a Vega-Lite spec: its resources are the data it names."""
    meta = spec.get("usermeta", {}).get("bgopendata", {})
    view = {
        "name": name,
        "title": _title_text(spec.get("title")),
        "resources": data_names(spec),
        "specType": SPEC_TYPE,
        "spec": spec,
    }
    if meta.get("title_it"):
        view["title_it"] = _title_text(meta["title_it"])
    return view


def views_from_folder(root: str | Path) -> list[dict[str, Any]]:
    """The views kept as ``views/<name>.vl.json`` files, sorted by name."""
    folder = Path(root) / VIEWS_FOLDER
    views = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        spec = read_json(path, shown=str(path))
        if not isinstance(spec, dict):
            raise UnusableInput("a Vega-Lite spec must be a JSON object", path=str(path))
        views.append(view_from_spec(path.name[: -len(SUFFIX)], spec))
    return views


def package_views(package: Package) -> list[dict[str, Any]]:
    """The package's views: ``datapackage.json``'s ``views``, else the ``views/`` folder."""
    declared = package.descriptor.get("views")
    views = declared if isinstance(declared, list) and declared else views_from_folder(package.root)
    names = {r.name for r in package.resources}
    for index, view in enumerate(views):
        where = f"views[{index}]"
        if not isinstance(view, dict) or view.get("specType") != SPEC_TYPE or not isinstance(view.get("spec"), dict):
            raise UnusableInput(
                f"view must have specType {SPEC_TYPE!r} and a spec object", path="datapackage.json", field=where
            )
        for name in data_names(view["spec"]):
            if name not in names:
                raise UnusableInput(
                    f"view {view.get('name')!r} reads unknown resource {name!r}", path="datapackage.json", field=where
                )
        if _has_inline_values(view["spec"]):
            raise UnusableInput(
                f"view {view.get('name')!r} types values by hand; read a resource instead",
                path="datapackage.json",
                field=where,
            )
    return views


def data_names(spec: Any) -> list[str]:
    """Every resource a spec reads: ``{"data": {"name": ...}}`` anywhere in it, in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"] not in found:
                found.append(data["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def _has_inline_values(node: Any) -> bool:
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and ("values" in data or "url" in data):
            return True
        return any(_has_inline_values(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_inline_values(v) for v in node)
    return False


def typed_rows(package: Package, name: str) -> list[dict[str, Any]]:
    """A resource's rows with numbers as numbers and missing values as null (Table Schema types)."""
    resource = package.resource(name)
    types = {f["name"]: f.get("type", "string") for f in resource.schema.get("fields", [])}
    missing = set(resource.schema.get("missingValues", [""]))
    rows = []
    with open(resource.path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.append({k: _cast(v, types.get(k, "string"), missing) for k, v in row.items()})
    return rows


def _cast(value: str, kind: str, missing: set[str]) -> Any:
    if value in missing:
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value.lower() in {"true", "1", "yes"}
    return value


def localised(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """The spec as an ``lang`` reader sees it: Italian title, ``name_it`` labels instead of ``name_en``."""
    spec = copy.deepcopy(spec)
    meta = spec.pop("usermeta", {}).get("bgopendata", {})
    if lang == "en":
        return spec
    if meta.get(f"title_{lang}"):
        spec["title"] = meta[f"title_{lang}"]
    return json.loads(
        json.dumps(spec).replace('"name_en"', f'"name_{lang}"').replace("datum.name_en", f"datum.name_{lang}")
    )


def with_data(spec: dict[str, Any], package: Package) -> dict[str, Any]:
    """The spec with every named resource replaced by its typed rows (what Vega needs to draw)."""
    cache: dict[str, list[dict[str, Any]]] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items()}
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                name = data["name"]
                if name not in cache:
                    cache[name] = typed_rows(package, name)
                out["data"] = {"values": cache[name]}
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(spec)


# The portal draws charts to be read on a phone: a chart column of 390 px shows about 360 px,
# so a chart drawn CHART_WIDTH wide with FONT_SIZE text keeps its text at 11 px or more.
CHART_WIDTH = 220
FONT_SIZE = 15
HIGHLIGHT = {"area": "bergamo", "color": "#c0392b"}
HOUSE_STYLE = {
    "font": "system-ui, sans-serif",
    "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "labelOverlap": "greedy", "labelLimit": 130},
    "axisX": {"tickCount": 4, "labelAngle": 0},
    "legend": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "orient": "bottom", "columns": 2},
    "text": {"fontSize": FONT_SIZE},
    "header": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
}


def readable(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as the portal draws it: narrow, large text, few ticks, Bergamo set apart.

    The title moves to the page's caption (it would shrink with the chart); a mark with a
    fixed colour in a chart of several areas is coloured apart where ``geo`` is Bergamo.
    """
    spec = copy.deepcopy(spec)
    spec.pop("title", None)
    if isinstance(spec.get("width"), (int, float)) and spec["width"] > CHART_WIDTH:
        spec["width"] = CHART_WIDTH
    config = spec.setdefault("config", {})
    for key, value in HOUSE_STYLE.items():
        config[key] = {**value, **config.get(key, {})} if isinstance(value, dict) else value
    if _draws_several_areas(spec):
        _set_apart(spec)
    return spec


def _draws_several_areas(spec: dict[str, Any]) -> bool:
    text = json.dumps(spec.get("encoding", {})) + json.dumps(spec.get("layer", []))
    return '"name_' in text and "sector" not in text and "partner" not in text


def _set_apart(node: Any) -> None:
    if isinstance(node, dict):
        mark = node.get("mark")
        kind = mark.get("type") if isinstance(mark, dict) else mark
        if kind in {"bar", "point", "circle", "square", "line"}:
            encoding = node.setdefault("encoding", {})
            if "color" not in encoding:
                base = mark.get("color", "#1f5f8b") if isinstance(mark, dict) else "#1f5f8b"
                test = f"datum.geo === '{HIGHLIGHT['area']}'"
                encoding["color"] = {"condition": {"test": test, "value": HIGHLIGHT["color"]}, "value": base}
        for value in node.values():
            _set_apart(value)
    elif isinstance(node, list):
        for value in node:
            _set_apart(value)


def render_svg(view: dict[str, Any], package: Package, lang: str = "en") -> str:
    """Draw one view as SVG, in ``lang``, without a browser."""
    require("site")
    import vl_convert

    spec = with_data(readable(localised(view["spec"], lang)), package)
    try:
        return vl_convert.vegalite_to_svg(spec, format_locale=FORMAT_LOCALES.get(lang, "en-US"), allowed_base_urls=[])
    except ValueError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot render"
        raise UnusableInput(f"view {view['name']!r}: {first}", path="datapackage.json") from None


def render_all(package: Package, out: str | Path, langs: tuple[str, ...] = ("en", "it")) -> dict[tuple[str, str], Path]:
    """Render every view in every language to ``out/<name>.<lang>.svg``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for view in package_views(package):
        for lang in langs:
            path = folder / f"{view['name']}.{lang}.svg"
            path.write_text(render_svg(view, package, lang), encoding="utf-8")
            written[(view["name"], lang)] = path
    return written


def _title_text(title: Any) -> str:
    if isinstance(title, dict):
        return str(title.get("text", ""))
    return str(title or "")
