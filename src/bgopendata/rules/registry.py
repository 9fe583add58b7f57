"""Every rule kind, found in ``rules/kinds/``, and the one parser of rule declarations.

Everything that lists kinds is derived from here: the parsing union (and the known kinds
an unknown one is told about), the catalogue, and the split between figure and group
rules. ``declare`` parses a package's rules once, before any table is read, so a
malformed rule is a one-line ``UnusableInput`` naming the schema file and the rule.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from bgopendata.errors import UnusableInput
from bgopendata.rules import kinds as kinds_package
from bgopendata.rules.base import FigureRule, GroupRule, RuleBase

if TYPE_CHECKING:  # pragma: no cover
    from bgopendata.package import Package, Resource


@lru_cache(maxsize=1)
def kinds() -> dict[str, type[RuleBase]]:
    """Every kind by code: figure kinds, then group kinds, each alphabetically."""
    found: list[type[RuleBase]] = []
    for module in pkgutil.iter_modules(kinds_package.__path__):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{kinds_package.__name__}.{module.name}")
        found += [
            obj
            for obj in vars(loaded).values()
            if isinstance(obj, type)
            and issubclass(obj, (FigureRule, GroupRule))
            and obj.__module__ == loaded.__name__
            and "kind" in obj.model_fields
        ]
    found.sort(key=lambda k: (k.family != "figure", k.code()))
    return {k.code(): k for k in found}


def figure_kinds() -> dict[str, type[RuleBase]]:
    return {code: k for code, k in kinds().items() if k.family == "figure"}


def group_kinds() -> dict[str, type[RuleBase]]:
    return {code: k for code, k in kinds().items() if k.family == "group"}


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter:
    # the union of every registered kind exists only at run time, so mypy cannot see it as a type
    union: Any = Union[tuple(kinds().values())]  # noqa: UP007 - X | Y cannot be built from a tuple
    return TypeAdapter(list[Annotated[union, Field(discriminator="kind")]])


def parse_rules(raw: object, *, shown: str) -> list[RuleBase]:
    """Parse a ``rules`` array (any kind); the first shape error becomes one clear line."""
    if raw is None:
        return []
    try:
        return list(_adapter().validate_python(raw))
    except ValidationError as exc:
        raise _one_line(exc, raw, shown) from None


def _one_line(exc: ValidationError, raw: object, shown: str) -> UnusableInput:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    where = f"rules[{loc[0]}]" if loc else "rules"
    rest = [p for p in loc[1:] if p not in kinds()]  # drop pydantic's union-member tag (the kind)
    if rest:
        where += "." + ".".join(rest)
    rule_id = _rule_id(raw, loc)
    msg = err["msg"]
    if err["type"] == "union_tag_invalid":
        tag = (err.get("ctx") or {}).get("tag")
        msg = f"unknown rule kind {tag!r} (known: {', '.join(sorted(kinds()))})"
    elif err["type"] == "union_tag_not_found":
        msg = "the rule has no 'kind'"
    elif err["type"] == "missing":
        msg = f"missing parameter {rest[-1]!r}" if rest else "missing parameter"
    elif err["type"] == "extra_forbidden":
        msg = f"unknown parameter {rest[-1]!r}" if rest else "unknown parameter"
    prefix = f"rule {rule_id!r}: " if rule_id else ""
    return UnusableInput(f"{prefix}{msg}", path=shown, field=where)


def _rule_id(raw: object, loc: list[str]) -> str | None:
    if not isinstance(raw, list) or not loc or not loc[0].isdigit() or int(loc[0]) >= len(raw):
        return None
    item = raw[int(loc[0])]
    return item.get("id") if isinstance(item, dict) else None


@dataclass(frozen=True)
class Declared:
    """One declared rule: the table whose rules declare it and where (the file shown in errors)."""

    resource: Resource
    shown: str
    rule: RuleBase


@dataclass(frozen=True)
class Declarations:
    """A package's rules, parsed once, split by family."""

    figure: list[Declared]
    group: list[Declared]

    def __len__(self) -> int:
        return len(self.figure) + len(self.group)


def declare(package: Package) -> Declarations:
    """Parse every rule of ``package``: shapes, unique ids, group rules' columns; raises ``UnusableInput``."""
    figure: list[Declared] = []
    group: list[Declared] = []
    seen: dict[str, str] = {}
    for res, shown, raw in package.rule_arrays():
        fields = [f.get("name") for f in res.schema.get("fields", []) if isinstance(f, dict)]
        for position, rule in enumerate(parse_rules(raw, shown=shown)):
            if isinstance(rule, GroupRule):
                missing = [c for c in rule.columns() if c not in fields]
                if missing:
                    raise UnusableInput(
                        f"rule {rule.id!r}: the table has no field {missing[0]!r}",
                        path=shown,
                        field=f"rules[{position}]",
                    )
                group.append(Declared(res, shown, rule))
                continue
            if rule.id in seen:
                raise UnusableInput(
                    f"rule id {rule.id!r} is also declared in {seen[rule.id]}", path=shown, field=f"rules[{rule.id}]"
                )
            seen[rule.id] = shown
            figure.append(Declared(res, shown, rule))
    return Declarations(figure, group)
