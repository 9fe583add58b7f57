"""Progress of a validation, as data: the pipeline says which stage (and table) it is at.

A long validation (minutes on tens of millions of rows) must not look hung, yet the library
prints nothing: ``validate(progress=...)`` calls the given function with a ``Step`` at each
stage boundary, and engines that read tables one by one add a ``Step`` per table. What to do
with it (the CLI rewrites one line on a terminal) is the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Step:
    """Where a validation is: its ``stage``; within it ``item`` (a table's file), the
    ``position``-th of ``total`` (both 0 when the stage does not count its items)."""

    stage: str
    item: str = ""
    position: int = 0
    total: int = 0


class Progress(Protocol):
    """Called with each ``Step`` as the validation reaches it; it must return quickly."""

    def __call__(self, step: Step) -> None: ...


def silent(step: Step) -> None:
    """The default: report nothing."""


def describe(step: Step, seconds: float) -> str:
    """One line for people: ``structure: resources/exports.csv (2/5 tables) 12 s``."""
    text = step.stage
    if step.item:
        text += f": {step.item}"
    if step.total:
        text += f" ({step.position}/{step.total} tables)"
    return f"{text} {seconds:.0f} s"
