"""What the portal shows of each figure: table rows grouped under their sentence, the figure
marked in its sentence, measures/units/qualifiers in words, the rules that guard it, a citation.

Words come from ``templates/terms.json`` (English and Italian side by side); a code without a
label is shown as the code, so a new measure never breaks a page.
"""

from __future__ import annotations

import json
from importlib import resources as importlib_resources
from typing import Any

from markupsafe import Markup, escape

LANGS = ("en", "it")


def load_terms() -> dict[str, Any]:
    text = importlib_resources.files("bgopendata.portal").joinpath("templates/terms.json").read_text("utf-8")
    return json.loads(text)


def word(terms: dict[str, Any], group: str, code: str, lang: str) -> str:
    """The label of ``code`` in ``group`` (measures, units, qualifiers, severities), else the code."""
    return terms.get(group, {}).get(code, {}).get(lang) or code


def marked(sentence: str, needles: list[str]) -> Markup:
    """``sentence`` escaped, with the first free whole-word occurrence of each needle in ``<mark>``
    (``20`` is not marked inside ``2013``)."""
    spans: list[tuple[int, int]] = []
    for needle in needles:
        if not needle:
            continue
        start = 0
        while (at := sentence.find(needle, start)) >= 0:
            end = at + len(needle)
            whole = not (at > 0 and sentence[at - 1].isalnum()) and not (
                end < len(sentence) and sentence[end].isalnum()
            )
            if whole and all(end <= a or at >= b for a, b in spans):
                spans.append((at, end))
                break
            start = at + 1
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(escape(sentence[pos:a]))
        out.append(Markup("<mark>") + escape(sentence[a:b]) + Markup("</mark>"))
        pos = b
    out.append(escape(sentence[pos:]))
    return Markup("").join(out)


def sentence_of(row: dict[str, str], lang: str) -> tuple[str, str]:
    """The row's sentence in ``lang`` (else the other language's) and the text of its figure."""
    other = "en" if lang == "it" else "it"
    if row.get(f"sentence_{lang}"):
        return row[f"sentence_{lang}"], _value_text(row, lang)
    return row.get(f"sentence_{other}", ""), _value_text(row, other)


def _value_text(row: dict[str, str], lang: str) -> str:
    return row.get("value_text_en", "") if lang == "en" else row.get("value_text", "")


def guarding_rules(rules: list[dict[str, Any]], resource: str, figure_id: str) -> list[dict[str, Any]]:
    """Rules naming the figure anywhere in their declaration, then the resource's table-wide rules."""
    named = [r for r in rules if figure_id in _strings(r["raw"])]
    table_wide = [r for r in rules if r["resource"] == resource and not _names_figures(r["raw"])]
    return named + [r for r in table_wide if r not in named]


def verdict(rule: dict[str, Any], problems: list[Any], line: int) -> dict[str, str]:
    """``holds`` unless the report has a problem of this rule on this row or on no particular row."""
    for p in problems:
        if p.rule == rule["id"] and p.line in (None, line):
            return dict(state=p.severity, message=p.message)
    return dict(state="holds", message="")


def _strings(node: Any) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, dict):
        return set().union(*(_strings(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_strings(v) for v in node)) if node else set()
    return set()


def _names_figures(raw: dict[str, Any]) -> bool:
    return any(key in raw for key in ("figures", "figure", "parts", "part", "whole", "total", "share", "order"))
