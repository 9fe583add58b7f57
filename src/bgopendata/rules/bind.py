"""Turn a figure rule's references into the figures and rows they name, from the parameters' types.

Done once, before any check runs, so that a rule pointing at a missing figure, field or
resource is a clear one-line error (exit 2) rather than a silent pass. What each parameter
names is read from its type's marker (``rules.base``: ``FigureRef``, ``FigureGroup``,
``RowSelection``, ``FieldRef``); the units check from the kind's ``same_unit``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bgopendata.errors import UnusableInput
from bgopendata.intervals import to_fraction
from bgopendata.rules.base import FigureRule, Selection
from bgopendata.rules.figures import Figure, FigureIndex, Row, convertible

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.rules.registry import Declared


@dataclass(frozen=True)
class BoundRule:
    """A declared rule with its references resolved; ``covers`` are the figures it relates."""

    rule: FigureRule
    resource: str  # the table whose rules declare it
    schema_path: str
    refs: dict[str, Any]
    table_rows: list[Row] = field(default_factory=list, repr=False)  # the rows of its own table
    index: FigureIndex | None = field(default=None, repr=False)  # the whole package, for rules that read more

    def failures(self) -> list:
        return self.rule.check(self)

    @property
    def covers(self) -> list[str]:
        own = self.rule.reads(self)  # a kind that finds its figures itself (not by parameters) says which
        if own is not None:
            return own
        ids: list[str] = []
        for value in self.refs.values():
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, Figure):
                    ids.append(item.figure_id)
                elif isinstance(item, Row) and item.cells.get("figure_id"):
                    ids.append(item.cells["figure_id"])
        return ids

    @property
    def reads(self) -> list[str]:
        """The figures the rule reads: those it binds, or, for a kind that names no figure or
        row (it checks each row of its own table against its text), every figure of that table;
        a kind that finds its figures itself says which (``FigureRule.reads``)."""
        own = self.rule.reads(self)
        if own is not None:
            return own
        markers = type(self.rule).parameters().values()
        if any(m is not None and m.what in {"figure", "figures", "rows"} for m in markers):
            return self.covers
        return [r.cells["figure_id"] for r in self.table_rows if r.cells.get("figure_id")]


class ReferenceError_(UnusableInput):
    """A rule names a figure, field or resource the package does not have."""


def bind_rules(
    declared: list[Declared], index: FigureIndex, *, tolerate_missing: bool = False
) -> tuple[list[BoundRule], int]:
    """Bind every declared figure rule; returns the bound rules and how many were skipped.

    A reference to a missing figure is an ``UnusableInput`` unless ``tolerate_missing``
    (the structural check already failed, e.g. a row's id was mistyped): then the rule is
    skipped, because the structural errors already make the package invalid.
    """
    bound: list[BoundRule] = []
    skipped = 0
    for item in declared:
        assert isinstance(item.rule, FigureRule)
        if item.resource.name not in index.rows:
            skipped += 1
            continue
        try:
            bound.append(bind(item.rule, resource=item.resource.name, schema_path=item.shown, index=index))
        except ReferenceError_:
            if not tolerate_missing:
                raise
            skipped += 1
    return bound, skipped


def bind(rule: FigureRule, *, resource: str, schema_path: str, index: FigureIndex) -> BoundRule:
    """Resolve every reference of ``rule`` (declared for ``resource``) against ``index``."""
    position = f"rules[{rule.id}]"

    def fail(message: str, param: str) -> ReferenceError_:
        return ReferenceError_(f"rule {rule.id!r}: {message}", path=schema_path, field=f"{position}.{param}")

    def figure(fid: str, param: str) -> Figure:
        if fid not in index.figures:
            raise fail(f"no figure {fid!r} in the package", param)
        return index.figures[fid]

    refs: dict[str, Any] = {}
    fields: list[tuple[str, Any, tuple[str, ...]]] = []
    for param, marker in type(rule).parameters().items():
        value = getattr(rule, param)
        on_error = functools.partial(_fail_at, fail, param)
        if marker is None:
            continue
        if marker.what == "figure" and isinstance(value, str):
            refs[param] = figure(value, param)
        elif marker.what == "figures":
            if isinstance(value, Selection):
                rows = select(value, default_resource=resource, index=index, fail=on_error)
                missing = [r for r in rows if r.cells.get("figure_id", "") not in index.figures]
                if missing:
                    raise fail(f"selection includes rows without a figure (line {missing[0].line})", param)
                refs[param] = [index.figures[r.cells["figure_id"]] for r in rows]
                if not refs[param]:
                    raise fail("the selection matches no figure", param)
            else:
                refs[param] = [figure(fid, param) for fid in value]
        elif marker.what == "rows":
            refs[param] = select(value, default_resource=resource, index=index, fail=on_error)
            if value.value_at_most is not None:  # rows left out by the value filter are covered too
                unfiltered = value.model_copy(update={"value_at_most": None})
                refs["considered"] = select(unfiltered, default_resource=resource, index=index, fail=on_error)
        elif marker.what == "field" and value is not None:
            fields.append((param, value, marker.within))
    for param, value, within in fields:
        for table in {r.resource for key in within for r in _rows_of(refs.get(key))}:
            if value not in index.columns[table]:
                raise fail(f"resource {table!r} has no field {value!r}", param)
    own = rule.check_bound(refs)
    if own:
        raise fail(*own)
    _check_units(rule, refs, fail)
    return BoundRule(rule, resource, schema_path, refs, index.rows.get(resource, []), index)


def _rows_of(value: Any) -> list[Row]:
    if not value:
        return []
    return [item.row if isinstance(item, Figure) else item for item in value]


def select(
    selection: Selection, *, default_resource: str, index: FigureIndex, fail: Callable[[str], Exception]
) -> list[Row]:
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
        if any(
            row.cells.get(col, "") not in ([want] if isinstance(want, str) else want)
            for col, want in selection.where.items()
        ):
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


def _check_units(rule: FigureRule, refs: dict[str, Any], fail: Callable[[str, str], Exception]) -> None:
    """Figures a rule adds or compares (its kind's ``same_unit``) share a unit family (EUR_mn and EUR_bn do)."""
    group = type(rule).same_unit
    if group is None:
        return
    figures: list[Figure] = []
    for param in group.params:
        value = refs.get(param)
        figures += value if isinstance(value, list) else ([value] if isinstance(value, Figure) else [])
    first = figures[0]
    for other in figures[1:]:
        if not convertible(first.unit, other.unit):
            raise fail(
                f"{first.figure_id} ({first.unit}) and {other.figure_id} ({other.unit}) "
                "are in units that cannot be compared",
                group.at,
            )


def _fail_at(fail: Callable[[str, str], ReferenceError_], param: str, message: str) -> ReferenceError_:
    """``fail`` bound to one parameter: the error that names it."""
    return fail(message, param)
