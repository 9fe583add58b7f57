"""What the portal shows of each figure: table rows grouped under their sentence, the figure
marked in its sentence, measures/units/qualifiers in words, the rules that read it, a citation.

Words come from ``templates/terms.json`` (English and Italian side by side); a code without a
label is shown as the code, so a new measure never breaks a page.
"""

from __future__ import annotations

import json
from importlib import resources as importlib_resources
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.package import Package

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


def rules_reading(package: Package) -> dict[str, list[str]]:
    """Each declared rule's id and the figures it reads, from the rule model, not from its text:
    a figure rule's bound references (``BoundRule.reads``), a group rule's every row of its table."""
    from bgopendata.rules.bind import bind_rules
    from bgopendata.rules.figures import read_index
    from bgopendata.rules.registry import declare

    declared = declare(package)
    index = read_index(package)
    bound, _ = bind_rules(declared.figure, index, tolerate_missing=True)
    reads = {b.rule.id: b.reads for b in bound}
    for item in declared.group:
        rows = index.rows.get(item.resource.name, [])
        reads[item.rule.id] = [r.cells["figure_id"] for r in rows if r.cells.get("figure_id")]
    return reads


def guarding_rules(rules: list[dict[str, Any]], reads: dict[str, list[str]], figure_id: str) -> list[dict[str, Any]]:
    """The declared rules that read the figure, in declaration order."""
    return [r for r in rules if figure_id in reads.get(r["id"], ())]


def verdict(rule: dict[str, Any], problems: list[Any], resource: str, line: int, figure_id: str) -> dict[str, str]:
    """``holds`` unless the report has a problem of this rule that names the figure, points at its
    row, or is the rule's as a whole (no row, no figure)."""
    for p in problems:
        if p.rule != rule["id"]:
            continue
        if figure_id in p.figures or (p.resource == resource and p.line == line) or (p.line is None and not p.figures):
            return dict(state=p.severity, message=p.message)
    return dict(state="holds", message="")
