"""Provenance: every figure re-derived from the text it quotes, every written number accounted for.

``check_package(package)`` returns the problems (codes ``quote-in-document``,
``value-text-in-sentence``, ``value-matches-text``, ``resolution-matches-text``,
``qualifier-matches-text``, ``period-in-text``, ``list-order-matches-text``,
``number-accounted-for``). It applies to every fact-table row whose ``document_id`` names a
document of ``documents.csv`` (a package without documents has nothing to check). Each
document is read once; babel and text2num are imported only when a figure is read.
"""

from __future__ import annotations

from decimal import Decimal

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


def check_package(package) -> list[Problem]:
    """All provenance problems of the package (errors), in table and row order."""
    from bgopendata.provenance import checks
    from bgopendata.provenance.completeness import EXCLUSIONS, Coverage, read_exclusions, written_numbers
    from bgopendata.provenance.documents import read_documents
    from bgopendata.provenance.tables import fact_tables, read_table

    docs = read_documents(package)
    if not docs:
        return []
    problems: list[Problem] = []
    coverage = Coverage(docs)
    charts = read_table(package, "charts") if any(r.name == "charts" for r in package.resources) else []
    captions: dict[str, list[str]] = {}
    for chart in charts:
        captions.setdefault(chart.get("resource") or "", []).extend(
            c for c in (chart.get("caption_it"), chart.get("caption_en")) if c
        )

    def report(resource: str, line: int, row: dict[str, str], failure: checks.Failure, sentence: str = "") -> None:
        problems.append(
            Problem(
                code=failure.code,
                severity="error",
                message=failure.message,
                resource=resource,
                path=package.resource(resource).relpath,
                line=line,
                fields=failure.fields,
                expected=failure.expected,
                found=failure.found,
                sentence=sentence or None,
                figures=[row["figure_id"]] if row.get("figure_id") else [],
            )
        )

    for name, rows in fact_tables(package).items():
        read_by_line: dict[int, dict] = {}
        for line, row in enumerate(rows, start=2):
            doc = docs.get(row.get("document_id") or "")
            if doc is None:
                continue
            original = doc.original_language
            sentence = checks.sentence_of(row, original)
            failures = checks.check_quotes(row, doc, {f"sentence_{lang}": lang for lang in ("it", "en")})
            failures += checks.check_value_texts(row, doc)
            read, unreadable = checks.readings(row, doc)
            read_by_line[line] = read
            failures += unreadable + checks.check_value(row, read, original)
            failures += checks.check_qualifiers(row, doc)
            failures += checks.check_period(row, doc, captions.get(name, []))
            for failure in failures:
                report(name, line, row, failure, sentence)
            coverage.cover_text(doc, sentence, row.get("value_text") or "")
            coverage.cover_text(doc, row.get("sentence_en") or "", row.get("value_text_en") or "")
            _cover_period(coverage, doc, row, sentence, captions.get(name, []))
        context: dict[str, list[Decimal]] = {}
        for line, row in enumerate(rows, start=2):
            if line in read_by_line and (row.get("resolution_basis") or "written") == "written":
                written = checks.written_resolution(row, read_by_line[line])
                if written is not None:
                    context.setdefault(row.get("sentence_it") or row.get("sentence_en") or "", []).append(written)
        for line, row in enumerate(rows, start=2):
            if line in read_by_line:
                key = row.get("sentence_it") or row.get("sentence_en") or ""
                for failure in checks.check_resolution(row, read_by_line[line], context.get(key, [])):
                    report(name, line, row, failure, key)

    for chart_line, chart in enumerate(charts, start=2):
        quoted = chart.get("caption_it") or chart.get("caption_en") or ""
        doc = next((d for d in docs.values() if quoted and d.occurrences(quoted)), next(iter(docs.values())))
        for failure in checks.check_quotes(chart, doc, {"caption_it": "it", "caption_en": "en"}):
            report("charts", chart_line, chart, failure)
        failure_list = checks.check_period(
            {**chart, "period_from": "caption" if chart.get("period") else "none"},
            doc,
            [c for c in (chart.get("caption_it"), chart.get("caption_en")) if c],
        )
        for failure in failure_list:
            report("charts", chart_line, chart, failure)
        for caption in (chart.get("caption_it"), chart.get("caption_en")):
            for start in doc.occurrences(caption or "") if caption else []:
                coverage.cover_years(doc, chart.get("period") or "", start, start + len(caption))

    if any(r.name == "lists" for r in package.resources):
        by_list: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for line, row in enumerate(read_table(package, "lists"), start=2):
            by_list.setdefault(row.get("list_id") or "", []).append((line, row))
        for items in by_list.values():
            doc = docs.get(items[0][1].get("document_id") or "")
            if doc is None:
                continue
            language = doc.original_language
            for line, row in items:
                for failure in checks.check_quotes(row, doc, {"sentence": language}):
                    report("lists", line, row, failure)
            for line, failure in checks.check_list(items, doc):
                report("lists", line, dict(items[0][1]), failure, items[0][1].get("sentence") or "")

    exclusions, unreadable_exclusions = read_exclusions(package)
    if unreadable_exclusions:
        problems.append(Problem(code="number-accounted-for", message=unreadable_exclusions, path=EXCLUSIONS))
    listed = {
        (e["document_id"], int(e["line"]) if e["line"].isdigit() else -1, e["number"]): (line, e)
        for line, e in enumerate(exclusions, start=2)
    }
    used: set[tuple[str, int, str]] = set()
    for doc in docs.values():
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
                    message=f"exclusion of {entry['number']!r} at {entry['document_id']} line {entry['line']} matches no "
                    "number the published figures leave unaccounted for (stale entry)",
                    found=entry["number"],
                )
            )
    return problems


def _cover_period(coverage, doc, row: dict[str, str], sentence: str, captions: list[str]) -> None:
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


def exception_counts(package) -> dict[str, int]:
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
