"""Turn a rule's references (figure ids, selections) into the figures and rows they name.

Done once, before any check runs, so that a rule pointing at a missing figure, field or
resource is a clear one-line error (exit 2) rather than a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.intervals import to_fraction
from bgopendata.rules.declarations import RuleBase, Selection
from bgopendata.rules.figures import Figure, FigureIndex, Row

# parameters holding figure ids or groups of figures; other parameters are plain settings.
FIGURE_PARAMS = {"start", "end", "growth", "part", "total", "share", "whole", "count"}
GROUP_PARAMS = {"parts", "values", "ranks", "figures", "order"}
ROW_PARAMS = {"rows"}


@dataclass(frozen=True)
class BoundRule:
    """A declared rule with its references resolved; ``covers`` are the figures it relates."""

    rule: RuleBase
    resource: str  # the table whose schema declares it
    schema_path: str
    refs: dict[str, Any]

    @property
    def covers(self) -> list[str]:
        ids: list[str] = []
        for value in self.refs.values():
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, Figure):
                    ids.append(item.figure_id)
                elif isinstance(item, Row) and item.cells.get("figure_id"):
                    ids.append(item.cells["figure_id"])
        return ids


class ReferenceError_(UnusableInput):
    """A rule names a figure, field or resource the package does not have."""


def bind(rule: RuleBase, *, resource: str, schema_path: str, index: FigureIndex) -> BoundRule:
    """Resolve every reference of ``rule`` (declared in ``resource``'s schema) against ``index``."""
    position = f"rules[{rule.id}]"

    def fail(message: str, param: str) -> ReferenceError_:
        return ReferenceError_(f"rule {rule.id!r}: {message}", path=schema_path, field=f"{position}.{param}")

    def figure(fid: str, param: str) -> Figure:
        if fid not in index.figures:
            raise fail(f"no figure {fid!r} in the package", param)
        return index.figures[fid]

    refs: dict[str, Any] = {}
    for param in type(rule).model_fields:
        value = getattr(rule, param)
        if param in FIGURE_PARAMS and isinstance(value, str):
            refs[param] = figure(value, param)
        elif param in GROUP_PARAMS:
            if isinstance(value, Selection):
                rows = select(value, default_resource=resource, index=index, fail=lambda m: fail(m, param))
                missing = [r for r in rows if r.cells.get("figure_id", "") not in index.figures]
                if missing:
                    raise fail(f"selection includes rows without a figure (line {missing[0].line})", param)
                refs[param] = [index.figures[r.cells["figure_id"]] for r in rows]
                if not refs[param]:
                    raise fail("the selection matches no figure", param)
            else:
                refs[param] = [figure(fid, param) for fid in value]
        elif param in ROW_PARAMS:
            refs[param] = select(value, default_resource=resource, index=index, fail=lambda m: fail(m, param))
            if value.value_at_most is not None:  # rows left out by the value filter are checked too
                unfiltered = value.model_copy(update={"value_at_most": None})
                refs["considered"] = select(unfiltered, default_resource=resource, index=index,
                                            fail=lambda m: fail(m, param))
        elif param == "key" or param == "distinct":
            if value is not None:
                tables = {r.resource for key in ("values", "ranks", "rows") for r in _rows_of(refs.get(key))}
                for table in tables:
                    if value not in index.columns[table]:
                        raise fail(f"resource {table!r} has no field {value!r}", param)
    if "values" in refs and getattr(rule, "key", None):
        seen: dict[str, str] = {}
        for fig in refs["values"]:
            key_value = fig.row.cells.get(rule.key, "")  # type: ignore[attr-defined]
            if key_value in seen:
                raise fail(f"two values for {rule.key} {key_value!r} ({seen[key_value]}, {fig.figure_id}); "  # type: ignore[attr-defined]
                           "exclude one", "values")
            seen[key_value] = fig.figure_id
    _check_units(rule, refs, fail)
    return BoundRule(rule, resource, schema_path, refs)


def _rows_of(value: Any) -> list[Row]:
    if not value:
        return []
    return [item.row if isinstance(item, Figure) else item for item in value]


def select(selection: Selection, *, default_resource: str, index: FigureIndex, fail: Any) -> list[Row]:
    """The rows of a selection, in file order."""
    name = selection.resource or default_resource
    if name not in index.rows:
        raise fail(f"no resource {name!r} in the package")
    columns = index.columns[name]
    for column in selection.where:
        if column not in columns:
            raise fail(f"resource {name!r} has no field {column!r}")
    limit = to_fraction(selection.value_at_most) if selection.value_at_most is not None else None
    rows = []
    for row in index.rows[name]:
        if any(row.cells.get(col, "") not in ([want] if isinstance(want, str) else want)
               for col, want in selection.where.items()):
            continue
        if row.cells.get("figure_id") in selection.exclude:
            continue
        if limit is not None:
            try:
                if to_fraction(row.cells.get("value", "")) > limit:
                    continue
            except ValueError:
                continue
        rows.append(row)
    for fid in selection.exclude:
        if fid not in index.figures:
            raise fail(f"excluded figure {fid!r} is not in the package")
    return rows


def _check_units(rule: RuleBase, refs: dict[str, Any], fail: Any) -> None:
    """Figures a rule adds or compares must share a unit family (EUR_mn and EUR_bn do)."""
    from bgopendata.rules.figures import convertible

    groups: list[tuple[str, list[Figure]]] = []
    kind = rule.kind  # type: ignore[attr-defined]
    if kind in ("same-figure-agrees", "comparison-holds"):
        groups.append(("figures" if kind == "same-figure-agrees" else "order",
                       refs.get("figures") or refs.get("order")))
    elif kind == "part-of-whole":
        groups.append(("parts", refs["parts"] + [refs["whole"]]))
    elif kind == "shares-sum":
        members = list(refs["parts"]) + ([refs["total"]] if "total" in refs else [])
        groups.append(("parts", members))
    elif kind == "share-of-total":
        groups.append(("total", [refs["part"], refs["total"]]))
    elif kind == "growth-matches-endpoints":
        groups.append(("end", [refs["start"], refs["end"]]))
    elif kind == "ranking-ordered":
        groups.append(("values", refs["values"]))
    for param, figures in groups:
        first = figures[0]
        for other in figures[1:]:
            if not convertible(first.unit, other.unit):
                raise fail(f"{first.figure_id} ({first.unit}) and {other.figure_id} ({other.unit}) "
                           "are in units that cannot be compared", param)
