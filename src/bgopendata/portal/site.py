"""``bgopendata site``: a static, bilingual data portal built from the package and its release.

Pages are Jinja2 templates (``templates/``) filled from the package's own metadata and rows;
interface words live in ``templates/labels.json``. The site is plain files: it works opened
from disk and on GitHub Pages, fetches nothing from elsewhere, and ships the release files it
links to. It is written to a temporary folder and renamed into place, so an interrupted
build never leaves a half-written site.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from collections import Counter
from decimal import Decimal, InvalidOperation
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from bgopendata.atomic import swap_into_place
from bgopendata.extras import require
from bgopendata.guards import require_valid, safe_destination
from bgopendata.package import Package, Resource, open_package
from bgopendata.portal.dcat import (
    Artifact,
    built_release,
    load_profile,
    modified_date,
    release_artifacts,
    text_in,
)
from bgopendata.portal.figure_pages import (
    guarding_rules,
    load_terms,
    marked,
    rules_reading,
    sentence_of,
    verdict,
    word,
)
from bgopendata.tableschema.types import field_unit, foreign_keys, primary_key

LANGS = ("en", "it")
MARKER = ".bgopendata-site"  # marks a folder this command wrote, so it may replace it
FACT_COLUMNS = ("value", "sentence_en")
DETAIL_COLUMNS = (("sector", "sectors"), ("partner", "areas"), ("firm_group", None))
TRANSLATION_CODE = "translation-agrees"  # the rule kind whose warnings the rules page lists


def build_site(package_path: str | Path = ".", out: str | Path = "site", *, release: str | Path | None = None) -> Path:
    """Build the site for the package at ``package_path`` into ``out`` and return its path.

    Download links describe ``release`` (a folder from ``bgopendata build``); without one,
    a release is built in a temporary folder first. An invalid package is refused.
    """
    package = open_package(package_path)
    dest = safe_destination(
        Path(out), package, what="site", mark=MARKER, not_ours=f"was not written by 'bgopendata site' (no {MARKER})"
    )
    report = _validated(package_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
    try:
        if release is not None:
            write_site(package, staging, release_artifacts(release), Path(release), report)
        else:
            with built_release(package_path) as folder:
                write_site(package, staging, release_artifacts(folder), folder, report)
        swap_into_place(staging, dest)  # afterwards ``staging`` holds the old site, if any
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def write_site(package: Package, folder: Path, artifacts: list[Artifact], release_dir: Path, report: Any) -> None:
    """Write every page, chart, stylesheet and download into ``folder`` (empty)."""
    from bgopendata.portal.views import package_views, render_all

    env = _environment()
    labels = json.loads(_template_text("labels.json"))
    desc = package.descriptor
    views = package_views(package)
    (folder / MARKER).write_text("written by bgopendata site\n", encoding="utf-8")
    (folder / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve files as they are
    for asset in ("style.css", "favicon.svg", "site.js"):
        (folder / asset).write_text(_template_text(asset), encoding="utf-8")
    downloads = folder / "download"
    downloads.mkdir()
    # only the files the release's SHA256SUMS lists, each a regular file matching its sum:
    # a stray file or a symlink to a private one in the release folder is never published
    from bgopendata.release_folder import open_release

    checked = open_release(release_dir)
    for name, path in checked.files.items():
        shutil.copyfile(path, downloads / name)
    shutil.copyfile(checked.root / "SHA256SUMS", downloads / "SHA256SUMS")
    charts = render_all(package, folder / "charts", LANGS)
    sizes = {key: _svg_size(path) for key, path in charts.items()}
    tables = {res.name: _read_rows(res) for res in package.resources}
    codes = _code_labels(tables)
    terms = load_terms()
    rules = declared_rules(package)
    reads = rules_reading(package)
    released = modified_date(package).isoformat()
    groups = _artifact_groups(artifacts)

    titles = {lang: text_in(desc, "title", lang) or desc.get("title", "") for lang in LANGS}
    descriptions = {lang: text_in(desc, "description", lang) or desc.get("description", "") for lang in LANGS}
    (folder / "index.html").write_text(
        env.get_template("choose.html").render(titles=titles, descriptions=descriptions), encoding="utf-8"
    )

    for lang in LANGS:
        other = next(x for x in LANGS if x != lang)
        t = {key: value[lang] for key, value in labels.items()}
        common = dict(
            lang=lang,
            other_lang=other,
            t=t,
            dataset_title=titles[lang],
            dataset_description=descriptions[lang],
            version=desc.get("version", ""),
            released=released,
            licenses=desc.get("licenses", []),
            cite=_citation(desc, titles[lang], released, lang),
        )
        page_dir = folder / lang
        (page_dir / "resources").mkdir(parents=True)
        chart_cards = [_chart_card(v, lang, sizes) for v in views]
        index: list[dict[str, Any]] = []
        resources = [
            dict(
                name=res.name,
                title=text_in(res.descriptor, "title", lang) or res.name,
                description=text_in(res.descriptor, "description", lang) or "",
                rows=len(tables[res.name]),
            )
            for res in package.resources
        ]
        landing = env.get_template("landing.html").render(
            **common,
            root="../",
            other_href=f"../{other}/index.html",
            page_title=t["home"],
            sources=_sources(desc, lang),
            charts=chart_cards,
            resources=resources,
            jsonld=_jsonld(package, artifacts, lang),
        )
        (page_dir / "index.html").write_text(landing, encoding="utf-8")
        downloads_page = env.get_template("downloads.html").render(
            **common,
            root="../",
            other_href=f"../{other}/downloads.html",
            page_title=t["downloads"],
            groups=[
                dict(title=t[f"format_{key}"], files=[_artifact_row(a, lang) for a in arts]) for key, arts in groups
            ],
        )
        (page_dir / "downloads.html").write_text(downloads_page, encoding="utf-8")

        for res, card in zip(package.resources, resources, strict=True):
            res_views = [card for card in chart_cards if card["resource"] == res.name]
            table = _table(res, tables[res.name], codes, terms, lang)
            figures = _figure_cards(res, tables[res.name], codes, terms, (rules, reads), report, common, lang)
            index.extend(_index_entries(res, tables[res.name], codes, terms, lang))
            sql = example_sql(res, tables[res.name])
            page = env.get_template("resource.html").render(
                **common,
                root="../../",
                other_href=f"../../{other}/resources/{res.name}.html",
                page_title=card["title"],
                res=card,
                charts=res_views,
                table=table,
                figures=figures,
                fields=_fields(res, lang),
                primary_key=", ".join(primary_key(res.schema)),
                foreign_keys=[
                    dict(fields=", ".join(f), resource=r, ref=", ".join(rf))
                    for f, r, rf in foreign_keys(res.schema, res.name)
                ],
                sql=sql,
                sql_one_line=" ".join(sql.split()),
            )
            (page_dir / "resources" / f"{res.name}.html").write_text(page, encoding="utf-8")

        rules_page = env.get_template("rules.html").render(
            **common,
            root="../",
            other_href=f"../{other}/rules.html",
            page_title=t["rules"],
            rules=[_rule_row(r, terms, lang) for r in rules],
            inconsistencies=_inconsistencies(report, rules, tables, lang),
            translation=translation_differences(package, tables, report),
        )
        (page_dir / "rules.html").write_text(rules_page, encoding="utf-8")
        (page_dir / "search-index.js").write_text(
            "window.BG_INDEX = " + json.dumps(index, ensure_ascii=False, separators=(",", ":")) + ";\n",
            encoding="utf-8",
        )


def example_sql(res: Resource, rows: list[dict[str, str]]) -> str:
    """A query a newcomer can run as is: the table's most frequent measure, largest first."""
    columns = set(rows[0]) if rows else {f["name"] for f in res.schema.get("fields", [])}
    if {"measure", "value"} <= columns and rows:
        measure = Counter(r["measure"] for r in rows).most_common(1)[0][0]
        shown = [
            c
            for c in ("figure_id", "geo", "sector", "partner", "firm_group", "period", "value", "unit", "qualifier")
            if c in columns
        ]
        return f"SELECT {', '.join(shown)}\nFROM {res.name}\nWHERE measure = '{measure}'\nORDER BY value DESC;"
    key = primary_key(res.schema)
    order = f"\nORDER BY {', '.join(key)}" if key else ""
    return f"SELECT *\nFROM {res.name}{order}\nLIMIT 10;"


def declared_rules(package: Package) -> list[dict[str, Any]]:
    """The rules declared in the Table Schemas' ``rules`` arrays, with the catalogue's titles."""
    titles = {}
    try:
        catalogue = importlib_resources.files("bgopendata").joinpath("rules/catalogue.json").read_text("utf-8")
        titles = {entry["code"]: entry.get("title", "") for entry in json.loads(catalogue)}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        pass
    found = []
    for res, _shown, raw in package.rule_arrays():
        for rule in raw or []:
            if isinstance(rule, dict):
                found.append(
                    dict(
                        id=rule.get("id", ""),
                        kind=rule.get("kind", ""),
                        kind_title=titles.get(rule.get("kind", ""), ""),
                        severity=rule.get("severity", "error"),
                        resource=res.name,
                        description=rule.get("description", ""),
                        description_it=rule.get("description_it") or "",
                        explanation=rule.get("explanation") or "",
                        explanation_it=rule.get("explanation_it") or "",
                        raw=rule,
                    )
                )
    return found


def translation_differences(
    package: Package, tables: dict[str, list[dict[str, str]]], report: Any
) -> list[dict[str, str]]:
    """Figures whose precision or unit differs between the Italian and the English text.

    Which rows differ is the validation report's to say (its ``translation-agrees``
    problems); the page shows each such row's wording in both languages, in file order.
    """
    order = {res.name: position for position, res in enumerate(package.resources)}
    rows = sorted(
        {
            (order[p.resource], p.resource, p.line)
            for p in report.problems
            if p.code == TRANSLATION_CODE and p.resource in tables and p.line
        }
    )
    found = []
    for _, name, line in rows:
        row = tables[name][line - 2]  # the header is line 1
        q_it, q_en = row.get("qualifier_it", ""), row.get("qualifier_en", "")
        unit, unit_en = row.get("unit", ""), row.get("unit_en", "")
        found.append(
            dict(
                resource=name,
                figure_id=row.get("figure_id", ""),
                it=" · ".join(x for x in (q_it, unit) if x),
                en=" · ".join(x for x in (q_en, unit_en or unit) if x),
                note=row.get("note", ""),
            )
        )
    return found


def _validated(package_path: str | Path) -> Any:
    from bgopendata.validation.pipeline import validate

    report = validate(package_path)
    require_valid(report, package_path)
    return report


def _inconsistencies(
    report: Any, rules: list[dict[str, Any]], tables: dict[str, list[dict[str, str]]], lang: str
) -> list[dict[str, Any]]:
    """The report's warnings, worded for a page in ``lang``, each quoted sentence marked with its language."""
    by_id = {r["id"]: r for r in rules}

    def sentence_lang(p: Any) -> str:
        rows = tables.get(p.resource or "", [])
        row = rows[p.line - 2] if p.line and 2 <= p.line < len(rows) + 2 else {}
        return next((sl for sl in LANGS if p.sentence and row.get(f"sentence_{sl}") == p.sentence), "")

    return [
        dict(
            code=p.code,
            rule=p.rule,
            resource=p.resource,
            location=p.location(),
            **report_message(p.message, by_id.get(p.rule or ""), lang),
            expected=p.expected,
            found=p.found,
            sentence=p.sentence,
            sentence_lang=sentence_lang(p),
        )
        for p in report.warnings
    ]


def _environment() -> Any:
    require("site")
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("bgopendata.portal", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _template_text(name: str) -> str:
    return importlib_resources.files("bgopendata.portal").joinpath(f"templates/{name}").read_text("utf-8")


def _read_rows(res: Resource) -> list[dict[str, str]]:
    with open(res.path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _code_labels(tables: dict[str, list[dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
    """``{code list: {id: {lang: label}}}`` for the code lists a fact table points at."""
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for name, key in (("areas", "area_id"), ("sectors", "sector_id")):
        labels[name] = {r[key]: {lang: r.get(f"name_{lang}") or r[key] for lang in LANGS} for r in tables.get(name, [])}
    labels["sources"] = {
        r["source_id"]: {lang: r.get(f"citation_{lang}") or r.get("name") or r["source_id"] for lang in LANGS}
        for r in tables.get("sources", [])
    }
    return labels


def _detail(r: dict[str, str], codes: dict, lang: str) -> str:
    return next(
        (
            codes.get(code_list or "", {}).get(r[col], {}).get(lang, r[col])
            for col, code_list in DETAIL_COLUMNS
            if r.get(col)
        ),
        "",
    )


def _table(res: Resource, rows: list[dict[str, str]], codes: dict, terms: dict, lang: str) -> dict[str, Any]:
    """A readable table. Fact tables: rows grouped under the sentence that states them, with the
    figures marked in it, names for codes and words for measures, units and qualifiers (the code
    shown small under each word, for SQL). Code lists: as they are, one group. Numbers are
    written as the page's language writes them; ``value`` keeps the CSV's text (``data-value``),
    which the page sorts by and a reader copies."""
    if not rows:
        return dict(columns=[], groups=[])
    numeric = {f.get("name") for f in res.schema.get("fields", []) if f.get("type") in ("number", "integer")}
    if not all(c in rows[0] for c in FACT_COLUMNS):
        columns = list(rows[0])
        cells = [
            [
                dict(text=_number(r[c], lang), cls="num", code="", href="", lang="", value=r[c])
                if c in numeric and r[c]
                else dict(text=r[c], cls="", code="", href="", lang=_column_lang(c), value="")
                for c in columns
            ]
            for r in rows
        ]
        return dict(columns=columns, groups=[dict(sentence="", lang=lang, rows=[dict(id="", cells=c) for c in cells])])
    t = json.loads(_template_text("labels.json"))
    names = ("area", "detail", "period", "measure", "value", "unit", "qualifier", "source", "note")
    columns = ["figure_id", *(t[n][lang] for n in names)]
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        sentence, _ = sentence_of(r, lang)
        written_in = lang if r.get(f"sentence_{lang}") else ("en" if lang == "it" else "it")
        group = groups.setdefault(sentence, dict(sentence=sentence, lang=written_in, needles=[], rows=[]))
        group["needles"].append(sentence_of(r, lang)[1])

        def cell(
            text: str, code: str = "", cls: str = "", href: str = "", lang: str = "", value: str = ""
        ) -> dict[str, str]:
            return dict(text=text, code=code if code != text else "", cls=cls, href=href, lang=lang, value=value)

        group["rows"].append(
            dict(
                id=r["figure_id"],
                cells=[
                    cell(r["figure_id"], cls="id", href=f"#{r['figure_id']}"),
                    cell(codes["areas"].get(r.get("geo", ""), {}).get(lang, r.get("geo", ""))),
                    cell(_detail(r, codes, lang)),
                    cell(r.get("period", "")),
                    cell(word(terms, "measures", r.get("measure", ""), lang), r.get("measure", "")),
                    cell(_number(r["value"], lang), cls="num", value=r["value"]),
                    cell(word(terms, "units", r.get("unit", ""), lang), r.get("unit", "")),
                    cell(word(terms, "qualifiers", r.get("qualifier", ""), lang), r.get("qualifier", "")),
                    cell(codes["sources"].get(r.get("source_id", ""), {}).get(lang, r.get("source_id", ""))),
                    cell(r.get("note", ""), cls="note", lang=_column_lang("note")),
                ],
            )
        )
    out = [dict(sentence=marked(g["sentence"], g["needles"]), lang=g["lang"], rows=g["rows"]) for g in groups.values()]
    return dict(columns=columns, groups=out)


ENGLISH_TEXT_COLUMNS = {"description", "note", "sentence", "title", "name", "citation", "origin"}


def _column_lang(column: str) -> str:
    """The language a column's text is written in: ``_en``/``_it`` say so; the package's
    unsuffixed free-text columns (descriptions, notes) are written in English."""
    for lang in LANGS:
        if column.endswith(f"_{lang}"):
            return lang
    return "en" if column in ENGLISH_TEXT_COLUMNS else ""


def _figure_cards(
    res: Resource,
    rows: list[dict[str, str]],
    codes: dict,
    terms: dict,
    rules: tuple[list[dict[str, Any]], dict[str, list[str]]],
    report: Any,
    common: dict[str, Any],
    lang: str,
) -> list[dict[str, Any]]:
    """One card per figure (its permalink ``#<figure_id>``): value, unit, period, precision,
    source, both sentences with the figure marked, the rules that read it and their verdict
    (``rules``: the declared rules and, by rule id, the figures each reads)."""
    if not rows or not all(c in rows[0] for c in FACT_COLUMNS):
        return []
    t = common["t"]
    cards = []
    for line, r in enumerate(rows, start=2):
        unit = word(terms, "units", r.get("unit", ""), lang)
        qualifier = word(terms, "qualifiers", r.get("qualifier", ""), lang)
        precision = qualifier
        if r.get("resolution"):
            precision += f", {t['rounded_to'].format(step=_number(r['resolution'], lang))}"
        source = codes["sources"].get(r.get("source_id", ""), {}).get(lang, r.get("source_id", ""))
        sentences = []
        for sl in (lang, "en" if lang == "it" else "it"):
            text = r.get(f"sentence_{sl}", "")
            if text:
                needle = r.get("value_text_en", "") if sl == "en" else r.get("value_text", "")
                sentences.append(dict(lang=sl, html=marked(text, [needle])))
        guards = []
        for rule in guarding_rules(*rules, r["figure_id"]):
            v = verdict(rule, report.problems, res.name, line, r["figure_id"])
            said = report_message(v["message"], rule, lang) if v["message"] else {}
            guards.append(
                dict(
                    **_rule_row(rule, terms, lang),
                    state=t[f"verdict_{v['state']}"] if f"verdict_{v['state']}" in t else v["state"],
                    state_code=v["state"],
                    message=said.get("message", ""),
                    known=said.get("explanation", ""),
                    known_lang=said.get("explanation_lang", lang),
                )
            )
        area = codes["areas"].get(r.get("geo", ""), {}).get(lang, r.get("geo", ""))
        measure = word(terms, "measures", r.get("measure", ""), lang)
        value = f"{_number(r['value'], lang)} {unit}"
        cite = t["cite_figure_text"].format(
            area=area,
            measure=measure,
            period=r.get("period", ""),
            value=value,
            source=source,
            dataset=common["dataset_title"],
            version=common["version"],
            figure_id=r["figure_id"],
            released=common["released"],
        )
        cards.append(
            dict(
                id=r["figure_id"],
                area=area,
                detail=_detail(r, codes, lang),
                measure=measure,
                measure_code=r.get("measure", ""),
                value=value,
                period=r.get("period", ""),
                precision=precision,
                source=source,
                sentences=sentences,
                rules=guards,
                cite=cite,
            )
        )
    return cards


def _index_entries(
    res: Resource, rows: list[dict[str, str]], codes: dict, terms: dict, lang: str
) -> list[dict[str, Any]]:
    """Search entries: a label in ``lang``, words in both languages, the number as written in each."""
    if not rows or not all(c in rows[0] for c in FACT_COLUMNS):
        return []
    entries = []
    for r in rows:
        words = [r["figure_id"], r.get("period", ""), res.name]
        for wl in LANGS:
            words += [
                codes["areas"].get(r.get("geo", ""), {}).get(wl, r.get("geo", "")),
                _detail(r, codes, wl),
                word(terms, "measures", r.get("measure", ""), wl),
                word(terms, "units", r.get("unit", ""), wl),
                r.get(f"sentence_{wl}", ""),
            ]
        label = " · ".join(
            x
            for x in (
                codes["areas"].get(r.get("geo", ""), {}).get(lang, r.get("geo", "")),
                _detail(r, codes, lang),
                word(terms, "measures", r.get("measure", ""), lang),
                r.get("period", ""),
            )
            if x
        )
        entries.append(
            dict(
                u=f"resources/{res.name}.html#{r['figure_id']}",
                l=label,
                v=f"{_number(r['value'], lang)} {word(terms, 'units', r.get('unit', ''), lang)}",
                n=[r["value"], r.get("value_text", ""), r.get("value_text_en", "")],
                w=" ".join(dict.fromkeys(" ".join(words).lower().split())),  # each word once
            )
        )
    return entries


def _number(text: str, lang: str) -> str:
    """A CSV number as the page's language writes it (CLDR, through babel): 13.1 reads 13,1 and
    1778 reads 1.778 in Italian, 1,778 in English, as the documents write them; digits kept."""
    from babel.numbers import format_decimal

    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    exponent = number.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(number, format=pattern, locale=lang))


def _rule_row(rule: dict[str, Any], terms: dict, lang: str) -> dict[str, Any]:
    """A declared rule as a page in ``lang`` shows it; a text not yet translated shows in English,
    marked so (``*_lang``), which the Italian-page test reports."""
    kind = terms.get("kinds", {}).get(rule["kind"], {})
    description, description_lang = _in_lang(rule, "description", lang)
    explanation, explanation_lang = _in_lang(rule, "explanation", lang)
    return dict(
        id=rule["id"],
        kind=rule["kind"],
        kind_title=kind.get(f"title_{lang}") or rule["kind_title"] if lang != "en" else rule["kind_title"],
        kind_description=kind.get(f"description_{lang}", "") if lang != "en" else "",
        severity=word(terms, "severities", rule["severity"], lang),
        severity_code=rule["severity"],
        resource=rule["resource"],
        description=description,
        description_lang=description_lang,
        explanation=explanation,
        explanation_lang=explanation_lang,
    )


def report_message(message: str, rule: dict[str, Any] | None, lang: str) -> dict[str, str]:
    """A report problem's wording on a page in ``lang``. The validator writes English: the rule's
    description, ``: ``, the kind's message, and ``. Known: `` its explanation; the page shows the
    description and the explanation in its own language, the kind's message marked English."""
    parts = dict(message=message, description="", description_lang=lang, explanation="", explanation_lang=lang)
    if rule is None:
        return parts
    prefix = f"{rule['description']}: "
    suffix = f". Known: {rule['explanation']}" if rule.get("explanation") else ""
    if message.startswith(prefix):
        message = message[len(prefix) :]
        parts["description"], parts["description_lang"] = _in_lang(rule, "description", lang)
    if suffix and message.endswith(suffix):
        message = message[: -len(suffix)]
        parts["explanation"], parts["explanation_lang"] = _in_lang(rule, "explanation", lang)
    parts["message"] = message
    return parts


def _in_lang(entry: dict[str, Any], key: str, lang: str) -> tuple[str, str]:
    """``entry``'s text ``key`` in ``lang`` (``key_<lang>``), else the English, with the language it is in."""
    if lang != "en" and entry.get(f"{key}_{lang}"):
        return str(entry[f"{key}_{lang}"]), lang
    return str(entry.get(key) or ""), "en"


def _chart_card(view: dict[str, Any], lang: str, sizes: dict) -> dict[str, Any]:
    """A chart as the pages show it: title and source in the caption, the table it reads linked."""
    meta = view.get("spec", {}).get("usermeta", {}).get("bgopendata", {})
    title = view["spec"].get("title") if lang == "en" else meta.get(f"title_{lang}") or view["spec"].get("title")
    subtitle = title.get("subtitle", "") if isinstance(title, dict) else ""
    width, height = sizes[(view["name"], lang)]
    return dict(
        name=view["name"],
        resource=view["resources"][0],
        title=_view_title(view, lang),
        source=subtitle,
        width=width,
        height=height,
        figures=_drawn_figures(view["spec"]),
    )


def _drawn_figures(spec: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for step in spec.get("transform", []):
        flt = step.get("filter") if isinstance(step, dict) else None
        if isinstance(flt, dict) and flt.get("field") == "figure_id" and isinstance(flt.get("oneOf"), list):
            found += [x for x in flt["oneOf"] if isinstance(x, str)]
    return found


FORMAT_GROUPS = (
    ("zip", (".zip",)),
    ("csv", (".csv",)),
    ("json", (".json", ".jsonld", ".ttl", ".rdf")),
    ("parquet", (".parquet",)),
    ("database", (".duckdb", ".sqlite", ".db")),
)


def _artifact_groups(artifacts: list[Artifact]) -> list[tuple[str, list[Artifact]]]:
    """Release files by format, the zip ("everything") first, what matches no group last."""
    groups: list[tuple[str, list[Artifact]]] = []
    taken: set[str] = set()
    for key, suffixes in FORMAT_GROUPS:
        arts = [a for a in artifacts if Path(a.name).suffix in suffixes]
        if arts:
            groups.append((key, arts))
            taken |= {a.name for a in arts}
    rest = [a for a in artifacts if a.name not in taken]
    if rest:
        groups.append(("other", rest))
    return groups


def _citation(desc: dict[str, Any], title: str, released: str, lang: str) -> dict[str, str]:
    """How to cite the dataset: a sentence, a BibTeX entry and a CSL-JSON item."""
    authors = ", ".join(c.get("title", "") for c in desc.get("contributors", []) if isinstance(c, dict))
    version = desc.get("version", "")
    url = desc.get("homepage", "")
    year = released[:4]
    licence = ((desc.get("licenses") or [{}])[0]).get("name", "")
    text = f"{authors} ({year}). {title}, {'versione' if lang == 'it' else 'version'} {version} [dataset]. {url}"
    key = re.sub(r"\W+", "", desc.get("name", "dataset")) + year
    bibtex = (
        f"@misc{{{key},\n  author = {{{{{authors}}}}},\n  title = {{{title}}},\n  year = {{{year}}},\n"
        f"  version = {{{version}}},\n  url = {{{url}}},\n  note = {{{licence}}}\n}}"
    )
    csl = {
        "id": key,
        "type": "dataset",
        "title": title,
        "author": [{"literal": authors}],
        "issued": {"date-parts": [[int(p) for p in released.split("-")]]},
        "version": version,
        "URL": url,
        "language": lang,
    }
    return dict(text=text, bibtex=bibtex, csl=json.dumps(csl, ensure_ascii=False, indent=1))


def _fields(res: Resource, lang: str) -> list[dict[str, str]]:
    fields = []
    for f in res.schema.get("fields", []):
        constraints = f.get("constraints") or {}
        fields.append(
            dict(
                name=f["name"],
                type=f.get("type", "string"),
                title=text_in(f, "title", lang) or f.get("title", ""),
                description=text_in(f, "description", lang) or f.get("description", ""),
                unit=field_unit(f) or "",
                constraints=json.dumps(constraints, ensure_ascii=False) if constraints else "",
            )
        )
    return fields


def _sources(desc: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The package's sources, titled in ``lang`` (``title_<lang>`` beside ``title``, else the English)."""
    found = []
    for s in desc.get("sources", []):
        if isinstance(s, dict):
            title, title_lang = _in_lang(s, "title", lang)
            found.append(dict(title=title, lang=title_lang, href=""))
    return found


def _artifact_row(art: Artifact, lang: str) -> dict[str, Any]:
    return dict(
        name=art.name, file_type=art.file_type, bytes=art.bytes, sha256=art.sha256, size=_human_size(art.bytes, lang)
    )


def _human_size(n: int, lang: str) -> str:
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if n >= factor:
            text = f"{n / factor:.1f} {unit}"
            return text.replace(".", ",") if lang == "it" else text
    return f"{n} B"


def _view_title(view: dict[str, Any], lang: str) -> str:
    return view.get(f"title_{lang}") or view.get("title") or view["name"]


def _svg_size(path: Path) -> tuple[int, int]:
    head = path.read_text("utf-8")[:400]
    width = re.search(r'width="([\d.]+)"', head)
    height = re.search(r'height="([\d.]+)"', head)
    return (round(float(width.group(1))) if width else 600, round(float(height.group(1))) if height else 300)


def _jsonld(package: Package, artifacts: list[Artifact], lang: str) -> str:
    """schema.org ``Dataset`` for search engines; ``</`` is escaped so it cannot close the script."""
    desc = package.descriptor
    base = load_profile()["base_uri"].rstrip("/") + "/"
    spatial = desc.get("spatial") or {}
    temporal = desc.get("temporal") or {}
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": text_in(desc, "title", lang) or desc.get("title"),
        "description": text_in(desc, "description", lang) or desc.get("description"),
        "url": f"{base}{lang}/index.html",
        "version": desc.get("version"),
        "inLanguage": ["it", "en"],
        "isAccessibleForFree": True,
        "keywords": desc.get("keywords", []),
        "license": (desc.get("licenses") or [{}])[0].get("path"),
        "creator": {"@type": "Organization", "name": "bgopendata contributors", "url": desc.get("homepage")},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": a.name,
                "encodingFormat": a.media_type,
                "contentUrl": f"{base}download/{a.name}",
                "contentSize": f"{a.bytes} B",
            }
            for a in artifacts
        ],
    }
    if spatial.get("nuts3"):
        data["spatialCoverage"] = {
            "@type": "Place",
            "name": spatial.get("name"),
            "identifier": f"NUTS:{spatial['nuts3']}",
        }
    if temporal.get("start") and temporal.get("end"):
        data["temporalCoverage"] = f"{temporal['start']}/{temporal['end']}"
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
