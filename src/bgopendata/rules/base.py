"""What every rule kind is made of: the shared declaration, reference types, and results.

A kind is one pydantic model (``rules/kinds/<kind>.py``): ``kind: Literal[...]``, the
catalogue text as class attributes (``title``, ``summary``, ``message``) and parameters
whose types say what they name. The markers below are read by the binder (``bind``), the
units check and the catalogue, so no list of parameter names is kept anywhere else:

- ``FigureRef``: one figure, by ``figure_id``;
- ``FigureGroup``: several figures, by ids or a ``Selection`` of rows;
- ``RowSelection``: rows (figures or not) picked by a ``Selection``;
- ``FieldRef(...)``: a field that the tables of the named parameters must have;
- ``Column``: a field of the rule's own table (group rules, checked when parsed).

Two families share ``RuleBase``: figure rules (``FigureRule``) relate a handful of named
figures and return ``Failure``s from ``check``; group rules (``GroupRule``) hold for every
group of rows of a table of any size and give (``relate``) an ibis ``Relation`` that engines
evaluate.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.report import Problem
    from bgopendata.rules.bind import BoundRule
    from bgopendata.rules.figures import Row

FigureId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


@dataclass(frozen=True)
class Refers:
    """A parameter type's marker: what the parameter names (``figure``, ``figures``, ``rows``,
    ``field`` of the tables of ``within``, or ``column`` of the rule's own table)."""

    what: Literal["figure", "figures", "rows", "field", "column"]
    within: tuple[str, ...] = ()


class Selection(BaseModel):
    """A group of rows: those of ``resource`` (default: the rule's own table) matching ``where``."""

    model_config = ConfigDict(extra="forbid")

    resource: str | None = None
    where: dict[str, str | list[str]] = Field(default_factory=dict)
    exclude: list[FigureId] = Field(default_factory=list)
    value_at_most: str | None = Field(default=None, description="keep rows whose value is <= this")


FigureRef = Annotated[FigureId, Refers("figure")]
FigureGroup = Annotated[Annotated[list[FigureId], Field(min_length=1)] | Selection, Refers("figures")]
RowSelection = Annotated[Selection, Refers("rows")]


def FieldRef(*within: str) -> Refers:
    """Marks a field name that the tables bound by the parameters ``within`` must have."""
    return Refers("field", within)


Column = Annotated[str, Field(min_length=1), Refers("column")]
Precision = Annotated[Annotated[str, Field(min_length=1)] | float | int, Refers("column")]


@dataclass(frozen=True)
class SameUnit:
    """Parameters whose figures must share a unit family; a mismatch is reported at ``at``."""

    params: tuple[str, ...]
    at: str


def refers(model: type[BaseModel], param: str) -> Refers | None:
    """The marker of ``param``'s type, looked for through ``Optional`` and ``Union``."""
    info = model.model_fields[param]
    found = [m for m in info.metadata if isinstance(m, Refers)]

    def walk(tp: Any) -> None:
        if get_origin(tp) is Annotated:
            found.extend(m for m in tp.__metadata__ if isinstance(m, Refers))
            walk(get_args(tp)[0])
        else:
            for arg in get_args(tp):
                walk(arg)

    walk(info.annotation)
    return found[0] if found else None


class RuleBase(BaseModel):
    """What every declared rule has; a kind adds ``kind`` and its parameters."""

    model_config = ConfigDict(extra="forbid")

    family: ClassVar[str]
    title: ClassVar[str]
    summary: ClassVar[str]  # the catalogue's description of the kind
    message: ClassVar[str]  # template filled with a failure's parameters

    id: RuleId
    severity: Literal["error", "warning"] = "error"
    description: str = Field(min_length=1)
    description_it: str | None = Field(default=None, min_length=1, description="the description in Italian")
    explanation: str | None = Field(default=None, description="why a known failure is expected")
    explanation_it: str | None = Field(default=None, min_length=1, description="the explanation in Italian")

    @classmethod
    def code(cls) -> str:
        return get_args(cls.model_fields["kind"].annotation)[0]

    @classmethod
    def parameters(cls) -> dict[str, Refers | None]:
        """The kind's own parameters (not the shared ones) and what each names."""
        return {
            name: refers(cls, name) for name in cls.model_fields if name != "kind" and name not in RuleBase.model_fields
        }


@dataclass
class Failure:
    """One failed relation of a figure rule: where to point (``anchor``), what was expected and found."""

    anchor: Row
    params: dict[str, Any]
    expected: str
    found: str
    figures: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=lambda: ["value"])


class FigureRule(RuleBase):
    """A relation between named figures, decided on their precision intervals."""

    family: ClassVar[str] = "figure"
    same_unit: ClassVar[SameUnit | None] = None

    @abstractmethod
    def check(self, bound: BoundRule) -> list[Failure] | list[Problem]:
        """The rule's failures; a kind whose problems point at a document line, not a table row (the
        provenance kinds), returns them as located ``Problem``s, stamped with the rule's id and severity."""

    def reads(self, bound: BoundRule) -> list[str] | None:
        """The figures the rule reads, for a kind that finds them itself (not through its
        parameters); None: those its parameters bind (``BoundRule.reads``)."""
        return None

    def check_bound(self, refs: dict[str, Any]) -> tuple[str, str] | None:
        """A kind's own condition on its bound references: (message, parameter) when it fails."""
        return None


@dataclass(frozen=True)
class Relation:
    """What a group rule checks: one row per group (or series), and the condition each must meet.

    ``table`` has the columns ``line`` (the CSV line to show), ``found`` and ``expected``
    (texts for the report) and whatever ``holds`` reads; ``holds(table)`` is an ibis
    boolean column.
    """

    table: Any
    holds: Callable[[Any], Any]


class GroupRule(RuleBase):
    """A relation every group of rows of one table meets, as an ibis expression (any engine)."""

    family: ClassVar[str] = "group"
    reported: ClassVar[str]  # the parameter naming the column a failure points at

    qualifier: Column | None = Field(default=None, description="column of qualifiers (default: exact)")

    @abstractmethod
    def relate(self, t: Any) -> Relation:
        """The rule over an ibis table ``t`` holding ``__line``; the same expression runs on DuckDB
        (through pandera's ibis backend) and compiles to Spark SQL, so engines cannot drift apart."""

    def columns(self) -> list[str]:
        """The columns of its table the rule reads (own parameters first, the qualifier last)."""
        names = [n for n in type(self).model_fields if n != "qualifier"] + ["qualifier"]
        out: list[str] = []
        for name in names:
            marker = refers(type(self), name)
            if marker is None or marker.what != "column":
                continue
            value = getattr(self, name)
            out += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        return out

    def reported_field(self) -> str:
        return getattr(self, self.reported)
