"""Provenance: every figure re-derived from the text it quotes, every written number accounted for.

One function per check, each giving the problems of one table (or, for
``number-accounted-for``, of the documents): ``quotes``, ``value_texts``, ``values``,
``resolutions``, ``qualifiers``, ``periods``, ``list_orders`` and ``accounted_numbers``.
The rule kinds of ``bgopendata.rules.kinds`` of the same names call them, through a
``Sources`` built once per validation (documents, tables and readings are read once).
``check_package(package)`` runs them all. They apply to every row whose ``document_id``
names a document of ``documents.csv`` (a package without documents has nothing to check);
babel and text2num are imported only when a figure is read.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import Any

from bgopendata.report import Problem

CODES = (
    "quote-in-document",
    "value-text-in-sentence",
    "value-matches-text",
    "resolution-matches-text",
    "qualifier-matches-text",
    "period-in-text",
    "list-order-matches-text",
    "number-accounted-for",
)


class Sources:
    """What the checks read, read once: the documents, the quoting tables, the charts' captions, the readings."""

    def __init__(self, package: Any) -> None:
        self.package = package
        self._readings: dict[str, dict[int, tuple[dict, list]]] = {}

    @cached_property
    def docs(self) -> dict[str, Any]:
        from bgopendata.provenance.documents import read_documents

        return read_documents(self.package)

    @cached_property
    def facts(self) -> dict[str, list[dict[str, str]]]:
        from bgopendata.provenance.tables import fact_tables

        return fact_tables(self.package) if self.docs else {}

    def _table(self, name: str) -> list[dict[str, str]]:
        from bgopendata.provenance.tables import read_table

        if not self.docs or not any(r.name == name for r in self.package.resources):
            return []
        return read_table(self.package, name)

    @cached_property
    def charts(self) -> list[dict[str, str]]:
        return self._table("charts")

    @cached_property
    def lists(self) -> list[dict[str, str]]:
        return self._table("lists")

    @cached_property
    def captions(self) -> dict[str, list[str]]:
        """Each table's chart captions (both languages), where its ``period_from`` may say ``caption``."""
        found: dict[str, list[str]] = {}
        for chart in self.charts:
            found.setdefault(chart.get("resource") or "", []).extend(
                c for c in (chart.get("caption_it"), chart.get("caption_en")) if c
            )
        return found

    def quoting_rows(self, table: str) -> list[tuple[int, dict[str, str], Any]]:
        """(line, row, document) of each row of fact table ``table`` that quotes a known document."""
        found = []
        for line, row in enumerate(self.facts.get(table, []), start=2):
            doc = self.docs.get(row.get("document_id") or "")
            if doc is not None:
                found.append((line, row, doc))
        return found

    def readings(self, table: str) -> dict[int, tuple[dict, list]]:
        """Each quoting row's figures read from its texts, and the texts that cannot be read, by line."""
        from bgopendata.provenance import checks

        if table not in self._readings:
            self._readings[table] = {line: checks.readings(row, doc) for line, row, doc in self.quoting_rows(table)}
        return self._readings[table]

    def chart_document(self, chart: dict[str, str]) -> Any:
        quoted = chart.get("caption_it") or chart.get("caption_en") or ""
        return next((d for d in self.docs.values() if quoted and d.occurrences(quoted)), next(iter(self.docs.values())))


def sources_of(package: Any, memo: dict[str, Any] | None = None) -> Sources:
    """The package's ``Sources``, kept in ``memo`` (one validation's shared store) when given."""
    if memo is None:
        return Sources(package)
    if "provenance" not in memo:
        memo["provenance"] = Sources(package)
    return memo["provenance"]


def _problem(src: Sources, resource: str, line: int, row: dict[str, str], failure: Any, sentence: str = "") -> Problem:
    return Problem(
        code=failure.code,
        severity="error",
        message=failure.message,
        resource=resource,
        path=src.package.resource(resource).relpath,
        line=line,
        fields=failure.fields,
        expected=failure.expected,
        found=failure.found,
        sentence=sentence or None,
        figures=[row["figure_id"]] if row.get("figure_id") else [],
    )


def _per_row(src: Sources, table: str, check: Callable[[int, dict[str, str], Any], list]) -> list[Problem]:
    from bgopendata.provenance import checks

    problems = []
    for line, row, doc in src.quoting_rows(table):
        sentence = checks.sentence_of(row, doc.original_language)
        problems += [_problem(src, table, line, row, f, sentence) for f in check(line, row, doc)]
    return problems


# -- one function per check -------------------------------------------------------------------


def quotes(src: Sources, table: str) -> list[Problem]:
    """quote-in-document: each quote occurs in its document, in its language's text (fact rows, captions, lists)."""
    from bgopendata.provenance import checks

    if table == "charts":
        return [
            _problem(src, "charts", line, chart, failure)
            for line, chart in enumerate(src.charts, start=2)
            for failure in checks.check_quotes(
                chart, src.chart_document(chart), {"caption_it": "it", "caption_en": "en"}
            )
        ]
    if table == "lists":
        problems = []
        for items in _lists(src):
            doc = src.docs.get(items[0][1].get("document_id") or "")
            if doc is None:
                continue
            for line, row in items:
                problems += [
                    _problem(src, "lists", line, row, f)
                    for f in checks.check_quotes(row, doc, {"sentence": doc.original_language})
                ]
        return problems
    columns = {f"sentence_{lang}": lang for lang in ("it", "en")}
    return _per_row(src, table, lambda _line, row, doc: checks.check_quotes(row, doc, columns))


def value_texts(src: Sources, table: str) -> list[Problem]:
    """value-text-in-sentence: ``value_text`` (``value_text_en``) occurs in its sentence."""
    from bgopendata.provenance import checks

    return _per_row(src, table, lambda _line, row, doc: checks.check_value_texts(row, doc))


def values(src: Sources, table: str) -> list[Problem]:
    """value-matches-text: ``value`` is the number its text writes (an unreadable text is an error too)."""
    from bgopendata.provenance import checks

    read = src.readings(table)

    def check(line: int, row: dict[str, str], doc: Any) -> list:
        figures, unreadable = read[line]
        return unreadable + checks.check_value(row, figures, doc.original_language)

    return _per_row(src, table, check)


def qualifiers(src: Sources, table: str) -> list[Problem]:
    """qualifier-matches-text: the qualifiers agree with the hedge words next to the figure."""
    from bgopendata.provenance import checks

    return _per_row(src, table, lambda _line, row, doc: checks.check_qualifiers(row, doc))


def periods(src: Sources, table: str) -> list[Problem]:
    """period-in-text: each year of ``period`` is written where ``period_from`` says (charts: in the caption)."""
    from bgopendata.provenance import checks

    if table == "charts":
        problems = []
        for line, chart in enumerate(src.charts, start=2):
            captions = [c for c in (chart.get("caption_it"), chart.get("caption_en")) if c]
            declared = {**chart, "period_from": "caption" if chart.get("period") else "none"}
            for failure in checks.check_period(declared, src.chart_document(chart), captions):
                problems.append(_problem(src, "charts", line, chart, failure))
        return problems
    captions = src.captions.get(table, [])
    return _per_row(src, table, lambda _line, row, doc: checks.check_period(row, doc, captions))


def resolutions(src: Sources, table: str) -> list[Problem]:
    """resolution-matches-text: ``resolution`` is the written precision, or the declared basis holds."""
    from bgopendata.provenance import checks

    read = src.readings(table)
    context: dict[str, list[Decimal]] = {}
    for line, row, _doc in src.quoting_rows(table):
        if (row.get("resolution_basis") or "written") == "written":
            written = checks.written_resolution(row, read[line][0])
            if written is not None:
                context.setdefault(_sentence_key(row), []).append(written)
    problems = []
    for line, row, _doc in src.quoting_rows(table):
        key = _sentence_key(row)
        for failure in checks.check_resolution(row, read[line][0], context.get(key, [])):
            problems.append(_problem(src, table, line, row, failure, key))
    return problems


def list_orders(src: Sources, table: str = "lists") -> list[Problem]:
    """list-order-matches-text: items' positions follow the order their sentence names them in."""
    from bgopendata.provenance import checks

    problems = []
    for items in _lists(src):
        doc = src.docs.get(items[0][1].get("document_id") or "")
        if doc is None:
            continue
        first = items[0][1]
        for line, failure in checks.check_list(items, doc):
            problems.append(_problem(src, table, line, dict(first), failure, first.get("sentence") or ""))
    return problems


def accounted_numbers(src: Sources) -> list[Problem]:
    """number-accounted-for: every number the documents write is published or listed in the exclusions."""
    from bgopendata.provenance.completeness import EXCLUSIONS, read_exclusions, written_numbers

    if not src.docs:
        return []
    coverage = _coverage(src)
    problems: list[Problem] = []
    exclusions, unreadable_exclusions = read_exclusions(src.package)
    if unreadable_exclusions:
        problems.append(Problem(code="number-accounted-for", message=unreadable_exclusions, path=EXCLUSIONS))
    listed = {
        (e["document_id"], int(e["line"]) if e["line"].isdigit() else -1, e["number"]): (line, e)
        for line, e in enumerate(exclusions, start=2)
    }
    used: set[tuple[str, int, str]] = set()
    for doc in src.docs.values():
        for number in written_numbers(doc):
            key = (doc.document_id, number.line, number.number)
            if coverage.covered(number):
                continue
            if key in listed:
                used.add(key)
                continue
            problems.append(
                Problem(
                    code="number-accounted-for",
                    severity="error",
                    path=doc.path,
                    line=number.line,
                    message=f"{doc.path}:{number.line}: the number {number.number!r} is neither a published figure "
                    f"nor listed in {EXCLUSIONS}",
                    found=number.number,
                )
            )
    for key, (line, entry) in listed.items():
        if key not in used:
            problems.append(
                Problem(
                    code="number-accounted-for",
                    severity="error",
                    path=EXCLUSIONS,
                    line=line,
                    message=f"exclusion of {entry['number']!r} at {entry['document_id']} line {entry['line']} "
                    "matches no number the published figures leave unaccounted for (stale entry)",
                    found=entry["number"],
                )
            )
    return problems


ROW_CHECKS: dict[str, Callable[[Sources, str], list[Problem]]] = {
    "quote-in-document": quotes,
    "value-text-in-sentence": value_texts,
    "value-matches-text": values,
    "qualifier-matches-text": qualifiers,
    "period-in-text": periods,
    "resolution-matches-text": resolutions,
}


def check_package(package: Any) -> list[Problem]:
    """All provenance problems of the package (errors): each fact table's, the charts', the lists', the documents'."""
    src = Sources(package)
    if not src.docs:
        return []
    problems: list[Problem] = []
    for table in src.facts:
        for check in ROW_CHECKS.values():
            problems += check(src, table)
    problems += quotes(src, "charts") + periods(src, "charts")
    problems += quotes(src, "lists") + list_orders(src)
    return problems + accounted_numbers(src)


def _sentence_key(row: dict[str, str]) -> str:
    return row.get("sentence_it") or row.get("sentence_en") or ""


def _lists(src: Sources) -> list[list[tuple[int, dict[str, str]]]]:
    by_list: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in enumerate(src.lists, start=2):
        by_list.setdefault(row.get("list_id") or "", []).append((line, row))
    return list(by_list.values())


def _coverage(src: Sources) -> Any:
    """Which spans of the documents the published rows and captions account for."""
    from bgopendata.provenance import checks
    from bgopendata.provenance.completeness import Coverage

    coverage = Coverage(src.docs)
    for table in src.facts:
        captions = src.captions.get(table, [])
        for _line, row, doc in src.quoting_rows(table):
            sentence = checks.sentence_of(row, doc.original_language)
            coverage.cover_text(doc, sentence, row.get("value_text") or "")
            coverage.cover_text(doc, row.get("sentence_en") or "", row.get("value_text_en") or "")
            _cover_period(coverage, doc, row, captions)
    for chart in src.charts:
        doc = src.chart_document(chart)
        for caption in [c for c in (chart.get("caption_it"), chart.get("caption_en")) if c]:
            for start in doc.occurrences(caption):
                coverage.cover_years(doc, chart.get("period") or "", start, start + len(caption))
    return coverage


def _cover_period(coverage: Any, doc: Any, row: dict[str, str], captions: list[str]) -> None:
    """The years of the row's period, where its ``period_from`` says they are written (either language)."""
    period, source = row.get("period") or "", row.get("period_from") or ""
    if not period:
        return
    quotes = [q for q in (row.get("sentence_it"), row.get("sentence_en")) if q]
    if source == "sentence":
        for quote in quotes:
            for start in doc.occurrences(quote):
                coverage.cover_years(doc, period, start, start + len(quote))
    elif source == "section":
        for quote in quotes:
            for start in doc.occurrences(quote):
                low, high = doc.section(start)
                coverage.cover_years(doc, period, low, high)
    elif source == "caption":
        for caption in captions:
            for start in doc.occurrences(caption):
                coverage.cover_years(doc, period, start, start + len(caption))


def exception_counts(package: Any) -> dict[str, int]:
    """How many rows rely on each declared exception, and how many numbers are excluded (for ``bgopendata rules``)."""
    from bgopendata.provenance.completeness import read_exclusions
    from bgopendata.provenance.tables import fact_tables

    counts: dict[str, int] = {}
    for rows in fact_tables(package).values():
        for row in rows:
            for column, usual in (
                ("value_basis", "written"),
                ("resolution_basis", "written"),
                ("period_from", "sentence"),
            ):
                if (row.get(column) or usual) != usual:
                    key = f"{column}={row[column]}"
                    counts[key] = counts.get(key, 0) + 1
    counts["excluded numbers"] = len(read_exclusions(package)[0])
    return dict(sorted(counts.items()))
