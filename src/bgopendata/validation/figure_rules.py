"""The figure-rules stage: each figure rule's relation, decided on the bound figures' intervals.

The kinds run as plain functions over the figures their rules name (``rule.check(bound)``),
not as pandera checks: a figure rule relates a handful of figures that may sit in several
tables, located through the figure index, so there is no frame for a dataframe check to
look at, and pandera would only wrap a boolean around a list of failures it cannot see.
pandera runs where it works on frames: the field constraints and the group rules at scale.
"""

from __future__ import annotations

from dataclasses import dataclass

from bgopendata.errors import UnusableInput
from bgopendata.package import Package
from bgopendata.report import Problem, Stats
from bgopendata.rules.base import Failure
from bgopendata.rules.bind import BoundRule, ReferenceError_, bind_rules
from bgopendata.rules.catalogue import message
from bgopendata.rules.figures import FigureIndex, read_index
from bgopendata.rules.registry import Declared, declare


@dataclass
class FigureOutcome:
    """What the figure rules found, as plain data (it may come back from a forked child).

    ``reference_error`` is set when a rule names a missing figure: fatal only if the
    structure is fine (otherwise the rules that could be bound were run tolerantly).
    """

    problems: list[Problem]
    stats: Stats
    reference_error: str | None = None
    unusable: str | None = None

    def settle(self, *, structure_failed: bool) -> tuple[list[Problem], Stats]:
        if self.unusable:
            raise UnusableInput(self.unusable)
        if self.reference_error and not structure_failed:
            raise UnusableInput(self.reference_error)
        return self.problems, self.stats


def run_figure_rules(package: Package, declared: list[Declared]) -> FigureOutcome:
    """Read the tables, bind and check every figure rule; strictly, then tolerantly if a reference is missing."""
    if not declared:
        return FigureOutcome([], Stats(rules=0, rules_skipped=0, figures=0))
    try:
        index = read_index(package)
        try:
            return FigureOutcome(*_check(declared, index, tolerate_missing=False))
        except ReferenceError_ as exc:
            return FigureOutcome(*_check(declared, index, tolerate_missing=True), reference_error=str(exc))
    except UnusableInput as exc:
        return FigureOutcome([], Stats(), unusable=str(exc))


def _check(declared: list[Declared], index: FigureIndex, *, tolerate_missing: bool) -> tuple[list[Problem], Stats]:
    bound, skipped = bind_rules(declared, index, tolerate_missing=tolerate_missing)
    problems = [_problem(b, f) for b in bound for f in b.failures()]
    return problems, Stats(rules=len(bound), rules_skipped=skipped, figures=len(index.figures))


def check_consistency(package: Package, *, structure_failed: bool = False) -> tuple[list[Problem], Stats]:
    """Every figure rule of ``package`` on its own (no structural pass): problems and counts."""
    return run_figure_rules(package, declare(package).figure).settle(structure_failed=structure_failed)


def _problem(bound: BoundRule, failure: Failure | Problem) -> Problem:
    rule = bound.rule
    if isinstance(failure, Problem):  # located and worded by the kind itself (a quoted text, a document line)
        return failure.model_copy(update={"rule": rule.id, "severity": rule.severity})
    text = f"{rule.description}: {message(rule.code(), **failure.params)}"
    if rule.explanation:
        text += f". Known: {rule.explanation}"
    sentence = failure.anchor.cells.get("sentence_it") or failure.anchor.cells.get("sentence_en") or None
    return Problem(
        code=rule.code(),
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
