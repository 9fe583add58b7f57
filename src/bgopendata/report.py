"""One report model for structural and consistency problems, and its renderings.

Reports are data (``valid``, ``stats``, ``problems``) so tests can assert on them and the
CLI can render them as a terminal table, JSON, or GitHub workflow-command annotations.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field

# Names the shape of ``validate --format json``; a change that breaks its readers gets a new number.
JSON_FORMAT = "bgopendata.report/1"

Severity = Literal["error", "warning"]


class Problem(BaseModel):
    """One problem found in the package, located as precisely as the check allows."""

    code: str = Field(description="stable kebab-case code from the catalogue, e.g. 'shares-sum'")
    severity: Severity = "error"
    message: str
    resource: str | None = None
    path: str | None = Field(default=None, description="file, relative to the package root")
    line: int | None = Field(default=None, description="1-based line in the file (header is line 1)")
    fields: list[str] = Field(default_factory=list)
    expected: str | None = None
    found: str | None = None
    sentence: str | None = None
    rule: str | None = Field(default=None, description="id of the declared rule that raised it")
    figures: list[str] = Field(default_factory=list, description="ids of the figures the rule relates")

    def location(self) -> str:
        where = self.path or self.resource or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.fields:
            where = f"{where} [{', '.join(self.fields)}]"
        return where


class Omitted(BaseModel):
    """How many more problems one check found than the report shows (at scale, ``max_examples``)."""

    resource: str
    check: str = Field(description="the check within the resource: 'type-error/value', a rule id")
    count: int

    @property
    def name(self) -> str:
        return f"{self.resource}/{self.check}" if self.resource else self.check


class Stats(BaseModel):
    """The report's counts; ``None`` where the stage that counts it did not run.

    Also readable as a mapping (``stats["rules"]``, ``"figures" in stats``, ``items()``), with
    each omitted count as ``omitted/<resource>/<check>``, as reports were first written.
    """

    resources: int = 0
    rows: int | None = None
    rules: int | None = None
    rules_skipped: int | None = None
    figures: int | None = None
    omitted: list[Omitted] = Field(default_factory=list)

    def __add__(self, other: Stats) -> Stats:
        """Counts of two stages together: sums where either counted, omitted lists joined."""
        merged: dict[str, Any] = {}
        for name in ("rows", "rules", "rules_skipped", "figures"):
            mine, theirs = getattr(self, name), getattr(other, name)
            merged[name] = mine if theirs is None else theirs if mine is None else mine + theirs
        return Stats(resources=max(self.resources, other.resources), omitted=self.omitted + other.omitted, **merged)

    @property
    def omitted_total(self) -> int:
        return sum(o.count for o in self.omitted)

    def as_dict(self) -> dict[str, int]:
        counts = {
            name: value
            for name in ("resources", "rows", "rules", "rules_skipped", "figures")
            if (value := getattr(self, name)) is not None
        }
        return {**counts, **{f"omitted/{o.name}": o.count for o in self.omitted}}

    def __getitem__(self, key: str) -> int:
        return self.as_dict()[key]

    def __contains__(self, key: object) -> bool:
        return key in self.as_dict()

    def get(self, key: str, default: Any = None) -> Any:
        return self.as_dict().get(key, default)

    def keys(self) -> Iterator[str]:
        return iter(self.as_dict())

    def items(self) -> Iterator[tuple[str, int]]:
        return iter(self.as_dict().items())

    def dump(self) -> dict[str, Any]:
        """For JSON: the counts that were made, and the omitted ones only when there are some."""
        data = self.model_dump(mode="json", exclude_none=True)
        if not self.omitted:
            del data["omitted"]
        return data


class Report(BaseModel):
    """The outcome of ``validate``: valid when no error (and, if strict, no warning) remains."""

    package: str
    strict: bool = False
    problems: list[Problem] = Field(default_factory=list)
    stats: Stats = Field(default_factory=Stats)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors and not (self.strict and self.warnings)

    def to_dict(self) -> dict:
        data = {"format": JSON_FORMAT, **self.model_dump(mode="json")}
        data["stats"] = self.stats.dump()
        data["valid"] = self.valid
        return data


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def _escape_annotation(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(report: Report) -> str:
    """GitHub workflow commands: a pull request shows each problem on its CSV line."""
    lines = []
    for p in report.problems:
        props = []
        if p.path:
            props.append(f"file={_escape_annotation(p.path, property_value=True)}")
        if p.line is not None:
            props.append(f"line={p.line}")
        props.append(f"title={_escape_annotation(p.code, property_value=True)}")
        message = p.message
        if p.expected is not None or p.found is not None:
            message += f" (expected {p.expected}, found {p.found})"
        lines.append(f"::{p.severity} {','.join(props)}::{_escape_annotation(message)}")
    lines.append(summary_line(report))
    return "\n".join(lines)


def omitted_lines(report: Report) -> list[str]:
    """At scale only some examples per check are listed; say how many more each check found."""
    return [f"... and {o.count:,} more: {o.name}" for o in report.stats.omitted]


def summary_line(report: Report) -> str:
    verdict = "valid" if report.valid else "INVALID"
    omitted = report.stats.omitted_total
    more = f" ({omitted:,} more not shown)" if omitted else ""
    return f"{report.package}: {verdict}: {len(report.errors)} error(s), {len(report.warnings)} warning(s){more}"


def render_table(report: Report) -> str:
    """A readable terminal table: one block per problem, then a one-line verdict."""
    lines = []
    for p in report.problems:
        lines.append(f"{p.severity.upper():7} {p.code:28} {p.location()}")
        lines.append(f"        {p.message}")
        if p.expected is not None or p.found is not None:
            lines.append(f"        expected {p.expected}; found {p.found}")
        if p.sentence:
            lines.append(f"        source: \u201c{p.sentence}\u201d")
    lines += omitted_lines(report)
    lines.append(summary_line(report))
    return "\n".join(lines)


RENDERERS = {"table": render_table, "json": render_json, "github": render_github}
