"""Which published figures no rule relates to another: the list a reader should double-check.

A figure is covered when a rule binds it (by id or through a selection) as a member of a
relation; ``translation-agrees`` checks wording, and the provenance kinds check a figure
against its own quoted text, not against another figure, so they cover nothing (they bind
no figure parameter).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bgopendata.package import Package


@dataclass(frozen=True)
class Coverage:
    rules_per_kind: dict[str, int]
    covered: set[str]
    uncovered: list[tuple[str, str, int]]  # (figure_id, path, line), in package order
    figures: int


def coverage(package: Package) -> Coverage:
    """Bind every rule of ``package`` and list the figures none of them covers."""
    from bgopendata.rules.bind import bind_rules
    from bgopendata.rules.figures import read_index
    from bgopendata.rules.registry import declare

    declared = declare(package).figure
    index = read_index(package)
    bound, _ = bind_rules(declared, index)
    covered = {fid for b in bound for fid in b.covers}
    uncovered = [(fid, f.row.path, f.row.line) for fid, f in index.figures.items() if fid not in covered]
    kinds = Counter(b.rule.code() for b in bound)
    return Coverage(dict(sorted(kinds.items())), covered, uncovered, len(index.figures))


def markdown(result: Coverage) -> str:
    """The generated part of the README: rules per kind and the uncovered figures."""
    lines = ["| rule kind | rules |", "|---|---|"]
    lines += [f"| `{kind}` | {count} |" for kind, count in result.rules_per_kind.items()]
    lines += [
        f"| total | {sum(result.rules_per_kind.values())} |",
        "",
        f"{result.figures - len(result.uncovered)} of {result.figures} figures are covered by "
        f"at least one rule. The {len(result.uncovered)} figures no rule relates to another:",
        "",
        "| figure_id | file:line |",
        "|---|---|",
    ]
    lines += [f"| `{fid}` | {path}:{line} |" for fid, path, line in result.uncovered]
    return "\n".join(lines)
