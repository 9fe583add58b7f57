"""Render a ``PackageDiff`` as a terminal table, Markdown (a pull request's job summary) or JSON.

Every rendering says, for each changed figure, whether the new value lies within the old
figure's precision and whether its quote changed with it; Markdown groups the changed figures
that way (rounding differences, source revisions, contradictions).

Long sections are cut after ``limit`` entries with a line saying how many were left out
(GitHub caps a job summary at 1 MiB); JSON is always complete.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from bgopendata.diff.compare import PackageDiff, RowChange
from bgopendata.diff.precision import GROUPS

SENTENCE_CHARS = 240


def _short(value: Any, limit: int = SENTENCE_CHARS) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _sentence(row: RowChange) -> str:
    side = row.new or row.old or {}
    return side.get("sentence_en") or side.get("sentence_it") or ""


def _value(side: dict[str, str] | None) -> str:
    return (side or {}).get("value", "")


def _unit(row: RowChange) -> str:
    return (row.new or row.old or {}).get("unit", "")


def _focus(old: str | None, new: str | None, width: int = 80) -> tuple[str, str]:
    """Both texts cut to the same window around their first difference, so that a change
    in the middle of a long sentence is visible."""
    old, new = " ".join((old or "").split()), " ".join((new or "").split())
    if len(old) <= width and len(new) <= width:
        return old, new
    same = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    start = max(0, same - width // 3)

    def cut(text: str) -> str:
        piece = text[start : start + width]
        return ("\u2026" if start else "") + piece + ("\u2026" if start + width < len(text) else "")

    return cut(old), cut(new)


def _other_changes(row: RowChange) -> list[str]:
    arrow = " \u2192 "
    return [f"{c.field}: {arrow.join(_focus(c.old, c.new))}" for c in row.changes if c.field != "value"]


def _plain(side: dict[str, str] | None, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(
        f"{k} {_short(v, 80)}" for k, v in (side or {}).items() if not k.startswith("sentence_") and k not in skip
    )


def _judgement(row: RowChange) -> str:
    """'within the precision of 37 [36.5, 37.5), quote unchanged: a rounding difference'."""
    if row.precision is None:
        return (
            "precision unknown: the old value cannot be read as a figure"
            if row.old_interval is None
            else f"precision unknown: the new value cannot be compared with {row.old_interval}"
        )
    text = f"{row.precision} the precision of {_value(row.old)} {row.old_interval}"
    if row.quote is not None:
        text += f", quote {row.quote}"
    return (
        text
        + {
            "rounding": ": a rounding difference",
            "revision": ": a source revision",
            "contradiction": ": CONTRADICTS its quote (validate refuses it)",
            None: " (the table has no quote)",
        }[row.group]
    )


def group_counts(d: PackageDiff) -> dict[str, int]:
    """How many changed figures fall in each group (JSON's "figures")."""
    return {g: sum(1 for r in d.rows if r.group == g) for g in GROUPS}


def _groups_line(d: PackageDiff) -> str | None:
    counts = group_counts(d)
    if not any(counts.values()):
        return None
    return "changed figures: " + ", ".join(f"{GROUPS[g][0].lower()} {n}" for g, n in counts.items())


def _verdict_line(d: PackageDiff) -> str:
    mark = "OK" if d.verdict.ok else "FAIL"
    return f"{mark}: {d.old} -> {d.new}: {d.verdict.summary}"


# --- table ------------------------------------------------------------------------------


def render_table(d: PackageDiff, *, limit: int = 100) -> str:
    lines: list[str] = []
    for row in d.rows[:limit]:
        label = {"row-added": "ADDED", "row-removed": "REMOVED", "row-changed": "CHANGED"}[row.kind]
        lines.append(f"{label:8} {row.resource}  {row.key}")
        if row.kind == "row-changed":
            if any(c.field == "value" for c in row.changes):
                lines.append(f"         value: {_value(row.old)} \u2192 {_value(row.new)} {_unit(row)}")
                lines.append(f"         {_judgement(row)}")
            lines.extend(f"         {text}" for text in _other_changes(row))
        else:
            lines.append(f"         {_plain(row.new or row.old)}")
        if _sentence(row):
            lines.append(f"         \u201c{_short(_sentence(row))}\u201d")
    if len(d.rows) > limit:
        lines.append(f"... and {len(d.rows) - limit} more row change(s); use --format json")
    for change in d.schemas[:limit]:
        where = f"{change.resource}.{change.field}" if change.field else change.resource
        detail = f"{change.property}: " if change.property and change.property != "type" else ""
        lines.append(
            f"SCHEMA   {change.kind:20} {where}  {detail}"
            f"{_short(change.old, 60) if change.old is not None else '-'} \u2192 "
            f"{_short(change.new, 60) if change.new is not None else '-'}"
        )
    for meta in d.metadata[:limit]:
        lines.append(f"METADATA {meta.property}: {_short(meta.old, 60)} \u2192 {_short(meta.new, 60)}")
    lines.extend(f"PROBLEM  {p}" for p in d.verdict.problems)
    groups = _groups_line(d)
    if groups:
        lines.append(groups)
    lines.append(_counts(d))
    lines.append(_verdict_line(d))
    return "\n".join(lines)


def _counts(d: PackageDiff) -> str:
    return (
        f"{d.count('row-changed')} changed, {d.count('row-added')} added, "
        f"{d.count('row-removed')} removed row(s); {len(d.schemas)} schema and "
        f"{len(d.metadata)} metadata change(s); version {d.verdict.old_version} -> "
        f"{d.verdict.new_version}"
    )


# --- markdown -----------------------------------------------------------------------------


def _cell(value: Any, limit: int = SENTENCE_CHARS) -> str:
    if value is None or value == "":
        return ""
    return _short(value, limit).replace("\\", "\\\\").replace("|", "\\|")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return out


CHANGED_HEADER = ["Table", "Figure", "Old value", "New value", "Unit", "Other changes", "Sentence"]
JUDGED_HEADER = [
    "Table",
    "Figure",
    "Old value",
    "New value",
    "Unit",
    "Old figure's precision",
    "Quote",
    "Other changes",
    "Sentence",
]


def _more(count: int, limit: int) -> list[str]:
    if count <= limit:
        return []
    return [f"\n\u2026 and {count - limit} more; run `bgopendata diff --format json`"]


def _changed_figures(d: PackageDiff, limit: int) -> list[str]:
    """The changed rows, grouped: rounding differences, source revisions, contradictions, then
    rows whose value did not change (or cannot be judged)."""
    changed = [r for r in d.rows if r.kind == "row-changed"]
    if not changed:
        return []
    lines = [f"### Changed figures ({len(changed)})", ""]
    judged = {g: [r for r in changed if r.group == g] for g in GROUPS}
    others = [r for r in changed if r.group is None]
    for name, rows in judged.items():
        if not rows:
            continue
        title, explanation = GROUPS[name]
        mark = "\u274c " if name == "contradiction" else ""
        lines += [f"#### {mark}{title} ({len(rows)})", "", explanation, ""]
        lines += _table(
            JUDGED_HEADER,
            [
                [
                    r.resource,
                    f"`{r.key}`",
                    _value(r.old),
                    _value(r.new),
                    _unit(r),
                    r.old_interval,
                    r.quote,
                    "; ".join(_other_changes(r)),
                    _sentence(r),
                ]
                for r in rows[:limit]
            ],
        )
        lines += [*_more(len(rows), limit), ""]
    if others:
        if any(judged.values()):
            lines += [f"#### Other changed rows ({len(others)})", ""]
        lines += _table(
            CHANGED_HEADER,
            [
                [
                    r.resource,
                    f"`{r.key}`",
                    _value(r.old),
                    _value(r.new),
                    _unit(r),
                    "; ".join(_other_changes(r)),
                    _sentence(r),
                ]
                for r in others[:limit]
            ],
        )
        lines += [*_more(len(others), limit), ""]
    return lines


def render_markdown(d: PackageDiff, *, limit: int = 100) -> str:
    v = d.verdict
    icon = "\u2705" if v.ok else "\u274c"
    lines = [
        f"## Data changes: `{d.old}` \u2192 `{d.new}`",
        "",
        f"{icon} **{v.summary}**",
        "",
        f"Version in datapackage.json: `{v.old_version}` \u2192 `{v.new_version}`; "
        f"bump the changes need: **{v.required_bump}**",
        "",
    ]
    lines.extend(f"- \u274c {_cell(p, 1000)}" for p in v.problems)
    if v.problems:
        lines.append("")
    lines += _changed_figures(d, limit)
    sections = [
        (
            "Added figures",
            "row-added",
            ["Table", "Figure", "Value", "Unit", "Details", "Sentence"],
            lambda r: [
                r.resource,
                f"`{r.key}`",
                _value(r.new),
                _unit(r),
                _plain(r.new, ("value", "unit")),
                _sentence(r),
            ],
        ),
        (
            "Removed figures",
            "row-removed",
            ["Table", "Figure", "Value", "Unit", "Details", "Sentence"],
            lambda r: [
                r.resource,
                f"`{r.key}`",
                _value(r.old),
                _unit(r),
                _plain(r.old, ("value", "unit")),
                _sentence(r),
            ],
        ),
    ]
    for title, kind, header, cells in sections:
        picked = [r for r in d.rows if r.kind == kind]
        if not picked:
            continue
        lines += [f"### {title} ({len(picked)})", ""]
        lines += _table(header, [cells(r) for r in picked[:limit]])
        if len(picked) > limit:
            lines.append(f"\n\u2026 and {len(picked) - limit} more; run `bgopendata diff --format json`")
        lines.append("")
    if d.schemas:
        lines += [f"### Schema changes ({len(d.schemas)})", ""]
        lines += _table(
            ["Table", "Change", "Field", "Property", "Old", "New"],
            [[c.resource, c.kind, c.field, c.property, c.old, c.new] for c in d.schemas[:limit]],
        )
        lines.append("")
    if d.metadata:
        lines += [f"### Metadata changes ({len(d.metadata)})", ""]
        lines += _table(["Property", "Old", "New"], [[f"`{c.property}`", c.old, c.new] for c in d.metadata[:limit]])
        lines.append("")
    if not d.changed:
        lines += ["No figure, schema or metadata changed.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(d: PackageDiff, **_: Any) -> str:
    data = {"format": "bgopendata.diff/1", **d.model_dump(mode="json")}
    data["counts"] = {
        "changed": d.count("row-changed"),
        "added": d.count("row-added"),
        "removed": d.count("row-removed"),
        "schema": len(d.schemas),
        "metadata": len(d.metadata),
    }
    data["figures"] = group_counts(d)
    return json.dumps(data, indent=2, ensure_ascii=False)


class Renderer(Protocol):
    """A diff rendering: ``limit`` cuts long sections (JSON ignores it: it is always complete)."""

    def __call__(self, d: PackageDiff, *, limit: int = ...) -> str: ...


RENDERERS: dict[str, Renderer] = {"table": render_table, "markdown": render_markdown, "json": render_json}
