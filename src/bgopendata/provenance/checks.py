"""Per-row provenance checks: each figure against the text it quotes.

Each function takes one row (strings, as in the CSV) and what it needs, and returns the
failures as ``Failure`` (code, message, fields, expected, found); ``check_package`` turns them
into report problems. A row's exceptions are data on the row: ``value_basis = derived`` (the
value is not written as a number but inferred from the wording, the note says how) and
``resolution_basis`` (``round``: a round figure whose resolution is coarser than its last
digit, the value a multiple of it; ``context``: the resolution of the other figures its
sentence lists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bgopendata.provenance.documents import Document
from bgopendata.provenance.reading import Reading, Unreadable, bound_of, hedge, read_figure, to_decimal

YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
CLAUSE_END = re.compile(r"[,;:()\[\]]|\s[-–]\s")
PERIOD_FROM = ("sentence", "section", "caption", "none")


@dataclass
class Failure:
    code: str
    message: str
    fields: list[str] = field(default_factory=list)
    expected: str | None = None
    found: str | None = None


def original_language(row: dict[str, str], doc: Document | None) -> str:
    return doc.original_language if doc else "en"


def sentence_of(row: dict[str, str], language: str) -> str:
    return row.get(f"sentence_{language}") or ""


def find_number_text(text: str, sentence: str) -> int:
    """Where ``text`` occurs in ``sentence`` not glued to other digits (``1`` is not in ``10``), or -1."""
    at = sentence.find(text) if text else -1
    while at >= 0:
        before, after = sentence[at - 1 : at] if at else "", sentence[at + len(text) : at + len(text) + 2]
        glued_before = text[0].isdigit() and before.isdigit()
        glued_after = text[-1].isdigit() and (after[:1].isdigit() or (after[:1] in ".," and after[1:2].isdigit()))
        if not glued_before and not glued_after:
            return at
        at = sentence.find(text, at + 1)
    return -1


def check_quotes(row: dict[str, str], doc: Document, columns: dict[str, str]) -> list[Failure]:
    """Each quoted column (column -> its language) occurs verbatim in the document, in that language."""
    failures = []
    for column, language in columns.items():
        quote = row.get(column) or ""
        if not quote:
            continue
        if not doc.occurrences(quote):
            failures.append(
                Failure(
                    "quote-in-document",
                    f"the {column} quote does not occur in {doc.path}",
                    [column],
                    expected=f"verbatim text of {doc.path}",
                    found=quote[:120],
                )
            )
        elif not doc.in_language(quote, language):
            failures.append(
                Failure(
                    "quote-in-document",
                    f"the {column} quote occurs in {doc.path} only outside its {language} text",
                    [column],
                    expected=f"a {language} passage",
                    found=quote[:120],
                )
            )
    return failures


def check_value_texts(row: dict[str, str], doc: Document) -> list[Failure]:
    """``value_text`` occurs in the original-language sentence, ``value_text_en`` in the English one."""
    failures = []
    original = original_language(row, doc)
    for column, language in (("value_text", original), ("value_text_en", "en")):
        text, sentence = row.get(column) or "", sentence_of(row, language)
        if column == "value_text_en" and not sentence:
            continue
        if not text:
            failures.append(
                Failure(
                    "value-text-in-sentence",
                    f"{column} is empty: the figure as the {language} sentence writes it is required",
                    [column],
                )
            )
        elif find_number_text(text, sentence) < 0:
            failures.append(
                Failure(
                    "value-text-in-sentence",
                    f"{column} {text!r} does not occur in sentence_{language}",
                    [column, f"sentence_{language}"],
                    expected=sentence[:120],
                    found=text,
                )
            )
    return failures


def readings(row: dict[str, str], doc: Document) -> tuple[dict[str, Reading], list[Failure]]:
    """Each side's reading ("original", "en") or an unreadable-text failure naming the text."""
    found: dict[str, Reading] = {}
    failures = []
    original = original_language(row, doc)
    sides = [("original", "value_text", original, row.get("unit") or "")]
    if row.get("value_text_en") and original != "en":
        # a chart label quoted alike in both languages is written in the document's own style
        english = original if row.get("sentence_en") == row.get("sentence_it") else "en"
        sides.append(("en", "value_text_en", english, row.get("unit_en") or row.get("unit") or ""))
    for side, column, language, unit in sides:
        text = row.get(column) or ""
        if not text:
            continue
        try:
            found[side] = read_figure(text, language, unit)
        except Unreadable as exc:
            if row.get("value_basis") != "derived":
                failures.append(
                    Failure(
                        "value-matches-text",
                        f"{column} {text!r} cannot be read as a figure: {exc}",
                        [column, "unit" if side == "original" else "unit_en"],
                        found=text,
                    )
                )
    return found, failures


def check_value(row: dict[str, str], read: dict[str, Reading], language: str = "it") -> list[Failure]:
    """``value`` equals the number each side's text writes; a derived value stays inside its wording's bounds."""
    value = to_decimal(row.get("value") or "")
    if value is None:
        return []
    if row.get("value_basis") == "derived":
        return check_bounds(row, value, language)
    failures = []
    for side, reading in read.items():
        column = "value_text" if side == "original" else "value_text_en"
        if reading.value != value:
            failures.append(
                Failure(
                    "value-matches-text",
                    f"value {row['value']} is not the {reading.value.normalize():f} "
                    f"that {column} {row.get(column)!r} writes",
                    ["value", column],
                    expected=f"{reading.value.normalize():f}",
                    found=row["value"],
                )
            )
    return failures


def check_bounds(row: dict[str, str], value: Decimal, original: str) -> list[Failure]:
    """A derived value inside the bounds the lexicon gives its wording (``the top two``: 1 to 2)."""
    failures = []
    for column, language in (("value_text", original), ("value_text_en", "en")):
        bounds = bound_of(row.get(column) or "", language, row.get("unit") or "")
        if bounds and not (Decimal(bounds.get("at_least", value)) <= value <= Decimal(bounds.get("at_most", value))):
            failures.append(
                Failure(
                    "value-matches-text",
                    f"value {row['value']} is outside what {column} {row.get(column)!r} allows",
                    ["value", column],
                    expected=f"{bounds.get('at_least', '')}..{bounds.get('at_most', '')}",
                    found=row["value"],
                )
            )
    return failures


def written_resolution(row: dict[str, str], read: dict[str, Reading]) -> Decimal | None:
    if row.get("value_basis") == "derived":
        value = to_decimal(row.get("value") or "")
        return None if value is None else Decimal(1).scaleb(min(int(value.normalize().as_tuple().exponent), 0))
    reading = read.get("original")
    return reading.resolution if reading else None


def check_resolution(row: dict[str, str], read: dict[str, Reading], context: list[Decimal]) -> list[Failure]:
    """``resolution`` is the place value of the last written digit, or the declared basis holds."""
    resolution, value = to_decimal(row.get("resolution") or ""), to_decimal(row.get("value") or "")
    written = written_resolution(row, read)
    if resolution is None or value is None or written is None:
        return []
    basis = row.get("resolution_basis") or "written"
    fields = ["resolution", "resolution_basis"]
    if basis == "written" and resolution != written:
        return [
            Failure(
                "resolution-matches-text",
                f"resolution {row['resolution']} is not the place value of the last digit of {row.get('value_text')!r}",
                ["resolution"],
                expected=f"{written:f}",
                found=row["resolution"],
            )
        ]
    if basis == "round" and not (resolution > written and value % resolution == 0):
        return [
            Failure(
                "resolution-matches-text",
                f"resolution {row['resolution']} (a round figure) must be coarser "
                f"than the written {written:f} and divide the value {row['value']}",
                fields,
                expected=f"a multiple of {written:f} dividing {row['value']}",
                found=row["resolution"],
            )
        ]
    if basis == "context" and resolution not in context:
        shown = ", ".join(sorted({f"{c:f}" for c in context})) or "none"
        return [
            Failure(
                "resolution-matches-text",
                f"resolution {row['resolution']} is not that of the other figures its sentence writes ({shown})",
                fields,
                expected=shown,
                found=row["resolution"],
            )
        ]
    if basis not in ("written", "round", "context"):
        return [
            Failure(
                "resolution-matches-text",
                f"unknown resolution_basis {basis!r}",
                ["resolution_basis"],
                expected="written, round or context",
                found=basis,
            )
        ]
    return []


def clause_before(sentence: str, at: int, words: int = 3) -> str:
    """Up to ``words`` words before offset ``at`` within the same clause."""
    before = sentence[:at]
    ends = list(CLAUSE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    return " ".join(before.split()[-words:])


def check_qualifiers(row: dict[str, str], doc: Document) -> list[Failure]:
    """``qualifier`` (and ``qualifier_<lang>``) agree with the hedge words next to each side's text."""
    failures = []
    original = original_language(row, doc)
    sides = [("value_text", original, ["qualifier", f"qualifier_{original}"])]
    if original != "en":
        sides.append(("value_text_en", "en", ["qualifier_en"]))
    for column, language, qualifiers in sides:
        text, sentence = row.get(column) or "", sentence_of(row, language)
        at = find_number_text(text, sentence) if text else -1
        if at < 0:
            continue
        meant = hedge(clause_before(sentence, at) + " " + text, language) or _implied(text, language, row)
        for qualifier in qualifiers:
            stated = row.get(qualifier) or ""
            if stated and stated != meant:
                failures.append(
                    Failure(
                        "qualifier-matches-text",
                        f"{qualifier} {stated!r} but the {language} text "
                        f"{clause_before(sentence, at)!r} {text!r} means {meant!r}",
                        [qualifier],
                        expected=meant,
                        found=stated,
                    )
                )
    return failures


def _implied(text: str, language: str, row: dict[str, str]) -> str:
    """The qualifier a number word implies by itself (``two-thirds``: approx), else exact."""
    try:
        return read_figure(text, language, row.get("unit") or "").qualifier
    except Unreadable:
        return "exact"


def check_period(row: dict[str, str], doc: Document, captions: list[str]) -> list[Failure]:
    """Each year of ``period`` appears where ``period_from`` says it comes from."""
    period, source = row.get("period") or "", row.get("period_from") or ""
    if source not in PERIOD_FROM:
        return [
            Failure(
                "period-in-text",
                f"period_from {source!r} is not one of {', '.join(PERIOD_FROM)}",
                ["period_from"],
                expected=", ".join(PERIOD_FROM),
                found=source,
            )
        ]
    if source == "none":
        return (
            []
            if not period
            else [
                Failure(
                    "period-in-text",
                    f"period {period!r} but period_from says the text gives none",
                    ["period", "period_from"],
                    expected="",
                    found=period,
                )
            ]
        )
    if not period:
        return [
            Failure(
                "period-in-text",
                f"period is empty but period_from is {source!r}",
                ["period", "period_from"],
                expected="a year",
                found="",
            )
        ]
    sentence = sentence_of(row, original_language(row, doc))
    if source == "sentence":
        texts = [sentence]
    elif source == "caption":
        texts = captions
    else:
        at = doc.text.find(sentence) if sentence else -1
        start, end = doc.section(at) if at >= 0 else (0, 0)
        texts = [doc.text[start:end]]
    years = set(YEAR.findall(" ".join(texts)))
    missing = [y for y in YEAR.findall(period) if y not in years]
    if missing:
        return [
            Failure(
                "period-in-text",
                f"period {period!r}: {', '.join(missing)} does not appear in the "
                f"{source}{' captions' if source == 'caption' and not captions else ''}",
                ["period", "period_from"],
                expected=", ".join(sorted(years)) or "no year",
                found=period,
            )
        ]
    return []


def check_list(rows: list[tuple[int, dict[str, str]]], doc: Document) -> list[tuple[int, Failure]]:
    """A list's items are named in the order of their positions, after its sentence, and as many as it says."""
    failures: list[tuple[int, Failure]] = []
    ordered = sorted(rows, key=lambda item: to_decimal(item[1].get("position") or "") or Decimal(0))
    for expected, (line, row) in enumerate(ordered, start=1):
        if to_decimal(row.get("position") or "") != expected:
            failures.append(
                (
                    line,
                    Failure(
                        "list-order-matches-text",
                        f"position {row.get('position')!r}: the positions of a list are 1 to {len(rows)}, each once",
                        ["position"],
                        expected=str(expected),
                        found=row.get("position"),
                    ),
                )
            )
            return failures
    sentence = ordered[0][1].get("sentence") or ""
    start = doc.text.find(sentence) if sentence else -1
    if start < 0:
        return failures
    cursor = start
    for line, row in ordered:
        name = (row.get("name_it") if doc.original_language == "it" else None) or row.get("name_en") or ""
        at = doc.text.find(name, cursor) if name else -1
        if at < 0:
            failures.append(
                (
                    line,
                    Failure(
                        "list-order-matches-text",
                        f"item {name!r} (position {row.get('position')}) "
                        "is not named after the previous items of its sentence",
                        ["position", "name_en"],
                        found=row.get("position"),
                    ),
                )
            )
            continue
        cursor = at + len(name)
    try:
        count = read_figure(sentence, doc.original_language, "count").value
    except Unreadable:
        return failures
    if count != len(rows):
        failures.append(
            (
                ordered[-1][0],
                Failure(
                    "list-order-matches-text",
                    f"the sentence says {count:f} items, the list has {len(rows)}",
                    ["position"],
                    expected=f"{count:f}",
                    found=str(len(rows)),
                ),
            )
        )
    return failures
