"""Rule declarations: the ``"rules"`` array of a Table Schema, checked by pydantic models.

A rule names figures by ``figure_id`` (unique across the package) or selects a group of
rows with a ``Selection`` (resource, column filters, exclusions). Shape errors (an unknown
kind, a missing parameter) and references to missing figures, fields or resources are
one-line ``UnusableInput`` errors naming the schema file and the rule.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bgopendata.errors import UnusableInput

FigureId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class Selection(BaseModel):
    """A group of rows: those of ``resource`` (default: the rule's own table) matching ``where``."""

    model_config = ConfigDict(extra="forbid")

    resource: str | None = None
    where: dict[str, str | list[str]] = Field(default_factory=dict)
    exclude: list[FigureId] = Field(default_factory=list)
    value_at_most: str | None = Field(default=None, description="keep rows whose value is <= this")


Figures = Union[Annotated[list[FigureId], Field(min_length=1)], Selection]


class RuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: RuleId
    severity: Literal["error", "warning"] = "error"
    description: str = Field(min_length=1)
    explanation: str | None = Field(default=None, description="why a known failure is expected")


class SharesSum(RuleBase):
    kind: Literal["shares-sum"]
    parts: Figures
    total: FigureId | int | float = 100
    relation: Literal["equal", "at_most"] = "equal"


class PartOfWhole(RuleBase):
    kind: Literal["part-of-whole"]
    parts: Figures
    whole: FigureId


class ShareOfTotal(RuleBase):
    kind: Literal["share-of-total"]
    part: FigureId
    total: FigureId
    share: FigureId


class GrowthMatchesEndpoints(RuleBase):
    kind: Literal["growth-matches-endpoints"]
    start: FigureId
    end: FigureId
    growth: FigureId


class RankingOrdered(RuleBase):
    kind: Literal["ranking-ordered"]
    values: Figures
    ranks: Figures
    key: str = "geo"


class SameFigureAgrees(RuleBase):
    kind: Literal["same-figure-agrees"]
    figures: Annotated[list[FigureId], Field(min_length=2)]


class CountMatches(RuleBase):
    kind: Literal["count-matches"]
    count: FigureId
    rows: Selection
    distinct: str | None = Field(default=None, description="count distinct values of this column")
    relation: Literal["equal", "at_least"] = Field(
        default="equal", description="'at_least' where the document lists only some of what it counts")


class ComparisonHolds(RuleBase):
    kind: Literal["comparison-holds"]
    order: Annotated[list[FigureId], Field(min_length=2)]
    relation: Literal["greater", "less"] = "greater"


class TranslationAgrees(RuleBase):
    kind: Literal["translation-agrees"]


Rule = Annotated[
    Union[SharesSum, PartOfWhole, ShareOfTotal, GrowthMatchesEndpoints, RankingOrdered,
          SameFigureAgrees, CountMatches, ComparisonHolds, TranslationAgrees],
    Field(discriminator="kind"),
]
_RULES = TypeAdapter(list[Rule])


def parse_rules(raw: object, *, shown: str) -> list[RuleBase]:
    """Parse a schema's ``rules`` array; the first shape error becomes one clear line."""
    if raw is None:
        return []
    original, positions = raw, []
    if isinstance(raw, list):  # group rules (engines/group_rules.py) are parsed and run there
        positions = [i for i, item in enumerate(raw) if not _is_group_rule(item)]
        raw = [raw[i] for i in positions]
    try:
        return list(_RULES.validate_python(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0].isdigit() and int(loc[0]) < len(positions):
            loc[0] = str(positions[int(loc[0])])
        where = f"rules[{loc[0]}]" if loc else "rules"
        # drop pydantic's union-member tag (the kind name) from the location
        rest = [p for p in loc[1:] if p not in _KIND_TAGS]
        if rest:
            where += "." + ".".join(rest)
        rule_id = _rule_id(original, loc)
        msg = err["msg"]
        if err["type"] == "union_tag_invalid":
            tag = (err.get("ctx") or {}).get("tag")
            msg = f"unknown rule kind {tag!r} (known: {', '.join(sorted(_KIND_TAGS))})"
        elif err["type"] == "union_tag_not_found":
            msg = "the rule has no 'kind'"
        elif err["type"] == "missing":
            msg = f"missing parameter {rest[-1]!r}" if rest else "missing parameter"
        elif err["type"] == "extra_forbidden":
            msg = f"unknown parameter {rest[-1]!r}" if rest else "unknown parameter"
        prefix = f"rule {rule_id!r}: " if rule_id else ""
        raise UnusableInput(f"{prefix}{msg}", path=shown, field=where) from None


_KIND_TAGS = {"shares-sum", "part-of-whole", "share-of-total", "growth-matches-endpoints",
              "ranking-ordered", "same-figure-agrees", "count-matches", "comparison-holds",
              "translation-agrees"}


def _is_group_rule(item: object) -> bool:
    from bgopendata.engines.group_rules import is_group_rule

    return is_group_rule(item)


def _rule_id(raw: object, loc: list[str]) -> str | None:
    try:
        item = raw[int(loc[0])]  # type: ignore[index]
        return item.get("id") if isinstance(item, dict) else None
    except (IndexError, ValueError, TypeError, KeyError):
        return None
