"""Consistency rules, run through pandera on pandas: every failure collected, one per group.

Each table's declared rules become dataframe-level pandera checks of that table's
``DataFrameSchema``; cross-table references are read from the figure index. pandera runs
lazily, so every failing rule is reported, and a failing group yields one failure case
(a check returns a single boolean), not one per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.package import Package
from bgopendata.report import Problem
from bgopendata.rules.catalogue import message
from bgopendata.rules.declarations import RuleBase, parse_rules
from bgopendata.rules.figures import FigureIndex
from bgopendata.rules.kinds import KIND_FUNCTIONS, Failure
from bgopendata.rules.resolve import BoundRule, ReferenceError_, bind


def read_frames(package: Package) -> dict[str, Any]:
    """Every resource as a pandas DataFrame of strings (exact decimals, empty cells as '')."""
    import warnings

    import pandas as pd

    frames = {}
    for res in package.resources:
        try:
            with warnings.catch_warnings():  # a ragged row is reported by the structural check
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                frames[res.name] = pd.read_csv(res.path, dtype=str, keep_default_na=False, na_filter=False,
                                               encoding="utf-8", index_col=False).fillna("")
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
            frames[res.name] = None  # unreadable: the structural check reports why
    return frames


def build_index(package: Package, frames: dict[str, Any]) -> FigureIndex:
    index = FigureIndex()
    for res in package.resources:
        if frames.get(res.name) is not None:
            index.add_resource(res.name, res.relpath, frames[res.name])
    return index


@dataclass
class Prepared:
    """The package read for the rules: frames, figure index, and every rule's parsed declaration."""

    frames: dict[str, Any]
    index: FigureIndex
    declared: list[tuple[str, str, RuleBase]]  # (resource, schema path, rule)


def prepare(package: Package) -> Prepared:
    """Read the tables and parse every rule declaration; a malformed rule fails here, early."""
    frames = read_frames(package)
    index = build_index(package, frames)
    declared: list[tuple[str, str, RuleBase]] = []
    seen: dict[str, str] = {}
    for res, shown, raw in package.rule_arrays():
        for rule in parse_rules(raw, shown=shown):
            if rule.id in seen:
                raise UnusableInput(f"rule id {rule.id!r} is also declared in {seen[rule.id]}",
                                    path=shown, field=f"rules[{rule.id}]")
            seen[rule.id] = shown
            declared.append((res.name, shown, rule))
    return Prepared(frames, index, declared)


def declared_figure_rules(package: Package) -> int:
    """How many figure rules the package declares; a malformed one raises ``UnusableInput``."""
    return sum(len(parse_rules(raw, shown=shown)) for _res, shown, raw in package.rule_arrays())


def bind_rules(prepared: Prepared, *, tolerate_missing: bool = False) -> tuple[list[BoundRule], int]:
    """Bind every declared rule; returns the bound rules and how many were skipped.

    A reference to a missing figure is an ``UnusableInput`` unless ``tolerate_missing``
    (the structural check already failed, e.g. a row's id was mistyped): then the rule is
    skipped, because the structural errors already make the package invalid.
    """
    bound: list[BoundRule] = []
    skipped = 0
    for resource, shown, rule in prepared.declared:
        if resource not in prepared.index.rows:
            skipped += 1
            continue
        try:
            bound.append(bind(rule, resource=resource, schema_path=shown, index=prepared.index))
        except ReferenceError_:
            if not tolerate_missing:
                raise
            skipped += 1
    return bound, skipped


def check_consistency(package: Package, *, structure_failed: bool = False,
                      prepared: Prepared | None = None) -> tuple[list[Problem], dict[str, int]]:
    """Run every declared rule; returns the problems and counts for the report's stats."""
    prepared = prepared or prepare(package)
    bound, skipped = bind_rules(prepared, tolerate_missing=structure_failed)
    stats = {"rules": len(bound), "rules_skipped": skipped, "figures": len(prepared.index.figures)}
    if not bound:
        return [], stats
    failures = _run_with_pandera(bound, prepared.frames, prepared.index)
    return [_problem(b, f) for b, fs in failures for f in fs], stats


def _run_with_pandera(bound: list[BoundRule], frames: dict[str, Any], index: FigureIndex
                      ) -> list[tuple[BoundRule, list[Failure]]]:
    import pandera.pandas as pa

    by_resource: dict[str, list[BoundRule]] = {}
    for b in bound:
        by_resource.setdefault(b.resource, []).append(b)
    collected: dict[str, list[Failure]] = {}
    for resource, rules in by_resource.items():
        checks = [pa.Check(_check_fn(b, index, collected), name=b.rule.id) for b in rules]
        schema = pa.DataFrameSchema(checks=checks, name=resource)
        try:
            schema.validate(frames[resource], lazy=True)
        except pa.errors.SchemaErrors as exc:
            failing = set(exc.failure_cases["check_number"].dropna().astype(int))
            for number in failing:
                collected.setdefault(rules[number].rule.id, [])
    return [(b, collected[b.rule.id]) for b in bound if collected.get(b.rule.id)]


def _check_fn(bound: BoundRule, index: FigureIndex, collected: dict[str, list[Failure]]):
    """A pandera dataframe check: True when the rule holds; failures kept for the report."""
    kind_fn = KIND_FUNCTIONS[bound.rule.kind]  # type: ignore[attr-defined]

    def check(_frame: Any) -> bool:
        if bound.rule.kind == "translation-agrees":  # type: ignore[attr-defined]
            failures = kind_fn(bound, index.rows[bound.resource])
        else:
            failures = kind_fn(bound)
        if failures:
            collected[bound.rule.id] = failures
        return not failures

    return check


def _problem(bound: BoundRule, failure: Failure) -> Problem:
    rule = bound.rule
    text = message(rule.kind, **failure.params)  # type: ignore[attr-defined]
    text = f"{rule.description}: {text}"
    if rule.explanation:
        text += f". Known: {rule.explanation}"
    sentence = failure.anchor.cells.get("sentence_it") or failure.anchor.cells.get("sentence_en") or None
    return Problem(
        code=rule.kind,  # type: ignore[attr-defined]
        severity=rule.severity,
        message=text,
        resource=failure.anchor.resource,
        path=failure.anchor.path,
        line=failure.anchor.line,
        fields=failure.fields,
        expected=failure.expected,
        found=failure.found,
        sentence=sentence,
        rule=rule.id,
        figures=failure.figures,
    )
