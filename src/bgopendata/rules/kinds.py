"""One small function per rule kind: given a bound rule, return its failures (empty = holds).

Each function reasons on intervals (``bgopendata.intervals``): a relation fails only when
no choice of true values inside the figures' stated precision can satisfy it. A failing
group gives one ``Failure``, located at the figure most involved in the disagreement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from bgopendata.intervals import Interval, to_fraction, total
from bgopendata.rules.figures import Figure, Row
from bgopendata.rules.resolve import BoundRule


@dataclass
class Failure:
    """One failed relation: where to point (``anchor``), what was expected and found."""

    anchor: Row
    params: dict[str, Any]
    expected: str
    found: str
    figures: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=lambda: ["value"])


def _ids(figures: list[Figure]) -> str:
    return " + ".join(f.figure_id for f in figures)


def _usable(*figures: Figure) -> bool:
    """Skip a relation when a value could not be read: the structural check reports that."""
    return all(f.interval is not None for f in figures)


def _most_involved(pairs: list[tuple[Figure, Figure]], order: list[Figure]) -> Figure:
    """The figure in most failing pairs (the likeliest typo); ties go to the later one."""
    counts = Counter(f.figure_id for pair in pairs for f in pair)
    position = {f.figure_id: i for i, f in enumerate(order)}
    best = max(counts, key=lambda fid: (counts[fid], position.get(fid, -1)))
    return next(f for pair in pairs for f in pair if f.figure_id == best)


def shares_sum(bound: BoundRule) -> list[Failure]:
    """The parts' sum can equal the total (relation 'equal') or stay at or below it ('at_most')."""
    parts: list[Figure] = bound.refs["parts"]
    total_ref = bound.refs.get("total")
    if not _usable(*parts, *([total_ref] if total_ref else [])):
        return []
    unit = total_ref.unit if total_ref else parts[0].unit
    found = total([p.interval_in(unit) for p in parts])
    expected = total_ref.interval if total_ref else Interval.point(str(bound.rule.total))  # type: ignore[attr-defined]
    relation = bound.rule.relation  # type: ignore[attr-defined]
    holds = found.intersects(expected) if relation == "equal" else found.can_be_at_most(expected)
    if holds:
        return []
    total_text = total_ref.describe() if total_ref else f"{bound.rule.total}"  # type: ignore[attr-defined]
    anchor = total_ref or parts[-1]
    return [Failure(anchor.row, {"parts": _ids(parts), "found_interval": found,
                                 "relation": "equal to" if relation == "equal" else "at most",
                                 "total": total_text},
                    expected=f"{'=' if relation == 'equal' else '<='} {total_text}",
                    found=f"{_ids(parts)} = {found} {unit}; " + "; ".join(p.describe() for p in parts),
                    figures=[f.figure_id for f in parts] + ([total_ref.figure_id] if total_ref else []))]


def part_of_whole(bound: BoundRule) -> list[Failure]:
    """The listed parts sum to no more than their whole (units converted to the whole's)."""
    parts: list[Figure] = bound.refs["parts"]
    whole: Figure = bound.refs["whole"]
    if not _usable(*parts, whole):
        return []
    found = total([p.interval_in(whole.unit) for p in parts])
    if found.can_be_at_most(whole.interval):  # type: ignore[arg-type]
        return []
    return [Failure(whole.row, {"parts": _ids(parts), "found_interval": f"{found} {whole.unit}",
                                "whole": whole.describe()},
                    expected=f"<= {whole.describe()}",
                    found=f"{_ids(parts)} = {found} {whole.unit}; " + "; ".join(p.describe() for p in parts),
                    figures=[f.figure_id for f in parts] + [whole.figure_id])]


def share_of_total(bound: BoundRule) -> list[Failure]:
    """part / total x 100 can equal the stated share."""
    part, whole, share = bound.refs["part"], bound.refs["total"], bound.refs["share"]
    if not _usable(part, whole, share):
        return []
    implied = part.interval_in(whole.unit) / whole.interval * 100
    if implied.intersects(share.interval):
        return []
    return [Failure(share.row, {"part": part.figure_id, "total": whole.figure_id,
                                "found_interval": implied, "share": share.describe()},
                    expected=share.describe(),
                    found=f"{part.figure_id} / {whole.figure_id} x 100 = {implied} percent; "
                          f"{part.describe()}; {whole.describe()}",
                    figures=[part.figure_id, whole.figure_id, share.figure_id])]


def growth_matches_endpoints(bound: BoundRule) -> list[Failure]:
    """A percent growth equals (end/start - 1) x 100; a multiple equals end/start."""
    start, end, growth = bound.refs["start"], bound.refs["end"], bound.refs["growth"]
    if not _usable(start, end, growth):
        return []
    ratio = end.interval_in(start.unit) / start.interval
    implied = (ratio - 1) * 100 if growth.unit == "percent" else ratio
    if implied.intersects(growth.interval):
        return []
    return [Failure(growth.row, {"start": start.figure_id, "end": end.figure_id,
                                 "found_interval": f"{implied} {growth.unit}", "growth": growth.describe()},
                    expected=growth.describe(),
                    found=f"from {start.describe()} to {end.describe()}: {implied} {growth.unit}",
                    figures=[start.figure_id, end.figure_id, growth.figure_id])]


def ranking_ordered(bound: BoundRule) -> list[Failure]:
    """Better ranks have values that can be larger; a rank r has at most r - 1 values surely above.

    Ranks are positions (1 = largest value), read as written; equal ranks are ties and need
    values that can be equal; gaps are allowed (a document may name only some ranks).
    """
    key = bound.rule.key  # type: ignore[attr-defined]
    values = {f.row.cells.get(key, ""): f for f in bound.refs["values"] if _usable(f)}
    ranks = [(f, to_fraction(f.row.cells["value"])) for f in bound.refs["ranks"] if _usable(f)]
    problems: list[str] = []
    pairs: list[tuple[Figure, Figure]] = []
    for i, (a, ra) in enumerate(ranks):
        ka = a.row.cells.get(key, "")
        for b, rb in ranks[i + 1:]:
            kb = b.row.cells.get(key, "")
            if ka == kb:
                if ra != rb:
                    problems.append(f"{ka} is ranked both {ra} and {rb}")
                    pairs.append((a, b))
                continue
            if ka not in values or kb not in values:
                continue
            va, vb = values[ka].interval, values[kb].interval
            if ra == rb:
                ok = va.intersects(vb)  # type: ignore[union-attr,arg-type]
            elif ra > rb:  # b ranks better: its value must be able to be >= a's
                ok = va.can_be_at_most(vb)  # type: ignore[union-attr,arg-type]
            else:
                ok = vb.can_be_at_most(va)  # type: ignore[union-attr,arg-type]
            if not ok:
                problems.append(f"{ka} rank {ra} ({values[ka].figure_id} = {values[ka].row.cells['value']}) vs "
                                f"{kb} rank {rb} ({values[kb].figure_id} = {values[kb].row.cells['value']})")
                pairs.append((a, b))
    seen: set[str] = set()
    for a, ra in ranks:
        ka = a.row.cells.get(key, "")
        if ka not in values or ka in seen:
            continue
        seen.add(ka)
        mine = values[ka].interval
        above = [f for k, f in values.items() if k != ka and not f.interval.can_be_at_most(mine)]  # type: ignore[union-attr,arg-type]
        if len(above) > ra - 1:
            problems.append(f"{ka} is ranked {ra} but {len(above)} value(s) are surely above it "
                            f"({', '.join(f.figure_id for f in above)})")
            pairs.append((a, a))
    if not problems:
        return []
    anchor = _most_involved(pairs, [f for f, _ in ranks])
    return [Failure(anchor.row, {"violations": "; ".join(problems)},
                    expected="rank 1 = largest value, ranks ordered like the values",
                    found="; ".join(problems),
                    figures=sorted({f.figure_id for pair in pairs for f in pair}
                                   | {values[f.row.cells.get(key, "")].figure_id for pair in pairs for f in pair
                                      if f.row.cells.get(key, "") in values}))]


def same_figure_agrees(bound: BoundRule) -> list[Failure]:
    """Every pair of statements of the same quantity has overlapping intervals."""
    figures: list[Figure] = [f for f in bound.refs["figures"] if _usable(f)]
    unit = figures[0].unit if figures else ""
    pairs = [(a, b) for i, a in enumerate(figures) for b in figures[i + 1:]
             if not a.interval_in(unit).intersects(b.interval_in(unit))]
    if not pairs:
        return []
    anchor = _most_involved(pairs, figures)
    others = [b if a is anchor else a for a, b in pairs if anchor in (a, b)]
    violations = "; ".join(f"{a.describe(unit)} vs {b.describe(unit)}" for a, b in pairs)
    return [Failure(anchor.row, {"violations": violations},
                    expected="; ".join(o.describe(unit) for o in others),
                    found=anchor.describe(unit),
                    figures=[f.figure_id for f in figures])]


def count_matches(bound: BoundRule) -> list[Failure]:
    """The stated count equals the rows listed (or distinct values of a column among them)."""
    count: Figure = bound.refs["count"]
    rows: list[Row] = bound.refs["rows"]
    if not _usable(count):
        return []
    distinct = bound.rule.distinct  # type: ignore[attr-defined]
    listed = len({r.cells.get(distinct, "") for r in rows}) if distinct else len(rows)
    relation = bound.rule.relation  # type: ignore[attr-defined]
    if relation == "equal" and count.interval.contains(listed):  # type: ignore[union-attr]
        return []
    if relation == "at_least" and Interval.point(listed).can_be_at_most(count.interval):  # type: ignore[arg-type]
        return []
    selection = bound.rule.rows  # type: ignore[attr-defined]
    where = ", ".join(f"{k}={v}" for k, v in selection.where.items())
    shown = f"{selection.resource or bound.resource}" + (f" where {where}" if where else "")
    if distinct:
        shown += f", distinct {distinct}"
    return [Failure(count.row, {"count": count.figure_id, "count_value": count.row.cells.get("value"),
                                "listed": listed, "selection": shown},
                    expected=("" if relation == "equal" else ">= listed rows: ") + count.describe(),
                    found=f"{listed} listed in {shown}",
                    figures=[count.figure_id])]


def comparison_holds(bound: BoundRule) -> list[Failure]:
    """Each figure of ``order`` is greater (or less) than the next, within their intervals."""
    order: list[Figure] = bound.refs["order"]
    greater = bound.rule.relation == "greater"  # type: ignore[attr-defined]
    unit = order[0].unit
    pairs = []
    for a, b in zip(order, order[1:]):
        if not _usable(a, b):
            continue
        ia, ib = a.interval_in(unit), b.interval_in(unit)
        if not (ia.can_exceed(ib) if greater else ib.can_exceed(ia)):
            pairs.append((a, b))
    if not pairs:
        return []
    sign = ">" if greater else "<"
    violations = "; ".join(f"{a.describe(unit)} is not {sign} {b.describe(unit)}" for a, b in pairs)
    anchor = _most_involved(pairs, order)
    return [Failure(anchor.row, {"violations": violations},
                    expected=f" {sign} ".join(f.figure_id for f in order),
                    found=violations, figures=[f.figure_id for f in order])]


def translation_agrees(bound: BoundRule, rows: list[Row]) -> list[Failure]:
    """Each row whose English wording changes the precision or the unit: one failure per row."""
    failures = []
    for row in rows:
        cells = row.cells
        q_it, q_en = cells.get("qualifier_it", ""), cells.get("qualifier_en", "")
        unit, unit_en = cells.get("unit", ""), cells.get("unit_en", "")
        differences, fields = [], []
        if q_it and q_en and q_it != q_en:
            differences.append(f"precision {q_it} in Italian, {q_en} in English")
            fields += ["qualifier_it", "qualifier_en"]
        if unit_en and unit and unit_en != unit:
            differences.append(f"unit {unit} in Italian, {unit_en} in English")
            fields += ["unit", "unit_en"]
        if not differences:
            continue
        note = cells.get("note", "")
        text = "; ".join(differences) + (f" ({note})" if note else "")
        failures.append(Failure(row, {"differences": text},
                                expected=f"qualifier {q_it}, unit {unit} in both languages",
                                found=f"qualifier_en {q_en}, unit_en {unit_en or unit}",
                                figures=[cells.get("figure_id", "")], fields=fields))
    return failures


KIND_FUNCTIONS: dict[str, Callable[..., list[Failure]]] = {
    "shares-sum": shares_sum,
    "part-of-whole": part_of_whole,
    "share-of-total": share_of_total,
    "growth-matches-endpoints": growth_matches_endpoints,
    "ranking-ordered": ranking_ordered,
    "same-figure-agrees": same_figure_agrees,
    "count-matches": count_matches,
    "comparison-holds": comparison_holds,
    "translation-agrees": translation_agrees,
}
