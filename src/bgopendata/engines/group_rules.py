"""Group rules: one relation per group of rows, declared once for a table of any size.

The figure rules (``rules/declarations.py``) name each figure; a table of ten million
rows needs rules that hold for every group instead: the partners' shares of each
province-sector-year sum to 100, each yearly growth agrees with its two values, ranks
follow values within each group. Their kinds start with ``group-``. Each is a relation
(an ibis table with one row per group; per series for growth) and a condition on it,
which pandera's ibis backend checks inside DuckDB over the typed table (``duckdb_tables``),
with exact DECIMAL interval arithmetic: no float is involved, so no verdict can flip on
rounding. Spark gets the same expressions compiled to its SQL.

Intervals follow ``intervals.Interval.of_figure`` (exact: v +- r/2; approx: v +- r;
at_least: (v, +inf); at_most: [v - r, v]), read as closed bounds, which can only make a
relation hold where the half-open reading would fail exactly on a bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bgopendata.errors import UnusableInput
from bgopendata.tableschema.types import EXACT_NUMBER, WIDE_NUMBER, ibis_type
from bgopendata.extras import require

GROUP_KINDS = {"group-shares-sum", "group-growth", "group-ranking"}
Column = Annotated[str, Field(min_length=1)]
Precision = Union[Column, float, int]  # a column holding each row's resolution, or one number


class GroupRuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    severity: Literal["error", "warning"] = "error"
    description: str = Field(min_length=1)
    qualifier: Column | None = Field(default=None, description="column of qualifiers (default: exact)")

    def columns(self) -> list[str]:
        return [c for c in self._columns() if isinstance(c, str)]

    def _columns(self) -> list[Any]:
        """The columns a rule reads; each kind adds its own to the shared qualifier column."""
        return [self.qualifier]


class GroupSharesSum(GroupRuleBase):
    kind: Literal["group-shares-sum"]
    group_by: Annotated[list[Column], Field(min_length=1)]
    share: Column
    resolution: Precision = 0.01
    total: float | int = 100
    relation: Literal["equal", "at_most"] = "equal"

    def _columns(self) -> list[Any]:
        return [*self.group_by, self.share, self.resolution, self.qualifier]


class GroupGrowth(GroupRuleBase):
    kind: Literal["group-growth"]
    series: Annotated[list[Column], Field(min_length=1)]
    time: Column
    value: Column
    resolution: Precision = "resolution"
    growth: Column
    growth_resolution: float | int = 0.1

    def _columns(self) -> list[Any]:
        return [*self.series, self.time, self.value, self.resolution, self.growth, self.qualifier]


class GroupRanking(GroupRuleBase):
    kind: Literal["group-ranking"]
    group_by: Annotated[list[Column], Field(min_length=1)]
    value: Column
    resolution: Precision = "resolution"
    rank: Column

    def _columns(self) -> list[Any]:
        return [*self.group_by, self.value, self.resolution, self.rank, self.qualifier]


GroupRule = Annotated[Union[GroupSharesSum, GroupGrowth, GroupRanking], Field(discriminator="kind")]
_ADAPTER = TypeAdapter(GroupRule)


def is_group_rule(raw: object) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("kind"), str) and raw["kind"] in GROUP_KINDS


def parse_group_rules(raw: object, *, shown: str, fields: list[str]) -> list[GroupRuleBase]:
    """The ``group-*`` entries of a schema's rules array; a bad one is one clear line."""
    if not isinstance(raw, list):
        return []
    rules: list[GroupRuleBase] = []
    for position, item in enumerate(raw):
        if not is_group_rule(item):
            continue
        try:
            rule = _ADAPTER.validate_python(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            rest = ".".join(str(p) for p in err["loc"][1:])
            raise UnusableInput(f"rule {item.get('id')!r}: {err['msg']}", path=shown,
                                field=f"rules[{position}]" + (f".{rest}" if rest else "")) from None
        missing = [c for c in rule.columns() if c not in fields]
        if missing:
            raise UnusableInput(f"rule {rule.id!r}: the table has no field {missing[0]!r}", path=shown,
                                field=f"rules[{position}]")
        rules.append(rule)
    return rules


D = EXACT_NUMBER.ibis  # exact to 6 decimals below 1e12, like the loader's typed numbers
WIDE = WIDE_NUMBER.ibis  # a factor widened before a product: two decimal(18,6) overflow past 1e6 x 1e6


@dataclass(frozen=True)
class Relation:
    """What a group rule checks: one row per group (or series), and the condition each must meet.

    ``table`` has the columns ``line`` (the CSV line to show), ``found`` and ``expected``
    (texts for the report) and whatever ``holds`` reads; ``holds(table)`` is an ibis
    boolean column, evaluated by pandera as a check on ``table``.
    """

    table: Any
    holds: Callable[[Any], Any]


def _dec(value: float | int) -> Any:
    import ibis

    return ibis.literal(Decimal(repr(float(value))), type=D)


def _bounds(rule: GroupRuleBase, t: Any, value: str, resolution: Precision) -> tuple[Any, Any]:
    """The low and high bound of a column's interval (a null high bound: no upper bound)."""
    import ibis

    v = t[value].cast(D)
    r = t[resolution].cast(D) if isinstance(resolution, str) else _dec(resolution)
    # ibis types r * 0.5 as r's type and drops a cast it thinks is a no-op, while DuckDB
    # widens the scale (6 + 1 here): a one-digit literal keeps that widening harmless
    half = r * ibis.literal(Decimal("0.5"), type="decimal(2,1)")
    if rule.qualifier is None:
        return v - half, v + half
    q = t[rule.qualifier]
    lo = ibis.cases((q == "approx", v - r), (q == "at_least", v), (q == "at_most", v - r), else_=v - half)
    hi = ibis.cases((q == "approx", v + r), (q == "at_least", ibis.null(D)), (q == "at_most", v), else_=v + half)
    return lo, hi


def _show(expr: Any) -> Any:
    """A decimal as written (no trailing zeros), for messages."""
    return expr.cast("string").re_replace(r"[.]?0+$", "")  # decimals always print their point


def _text(*parts: Any) -> Any:
    """Strings and expressions joined into one message column."""
    import ibis

    out = None
    for part in parts:
        piece = ibis.literal(part) if isinstance(part, str) else part.cast("string")
        out = piece if out is None else out.concat(piece)
    return out


def _keys_text(t: Any, keys: list[str]) -> Any:
    import ibis

    return ibis.literal(", ").join([t[k].cast("string") for k in keys])


def relation(rule: GroupRuleBase, t: Any) -> Relation:
    """The rule as a table and a condition over an ibis table ``t`` holding ``__line``.

    The same expression runs on DuckDB (through pandera's ibis backend) and compiles to
    Spark SQL (``failing_sql``), so the engines cannot drift apart.
    """
    if isinstance(rule, GroupSharesSum):
        return _shares_sum(rule, t)
    if isinstance(rule, GroupGrowth):
        return _growth(rule, t)
    if isinstance(rule, GroupRanking):
        return _ranking(rule, t)
    raise AssertionError(f"unknown group rule kind {rule.kind!r}")  # pragma: no cover


def _shares_sum(rule: GroupSharesSum, t: Any) -> Relation:
    lo, hi = _bounds(rule, t, rule.share, rule.resolution)
    share = t[rule.share]
    groups = t.group_by(rule.group_by).aggregate(
        line=t.__line.argmax(share), rows=t.count(), shares=share.count(),
        total_share=share.cast(D).sum(), low=lo.sum(), high=hi.sum(), highs=hi.count())
    total = _dec(rule.total)
    groups = groups.mutate(
        found=_text("shares ", _keys_text(groups, rule.group_by), " (", groups.rows, " rows) sum to ",
                    _show(groups.total_share), " within [", _show(groups.low), ", ",
                    _show(groups.high).fill_null("inf"), "]"),
        expected=_text(("= " if rule.relation == "equal" else "<= ") + f"{rule.total:g}"))

    def holds(g: Any) -> Any:
        below = g.low <= total
        if rule.relation == "equal":
            below = below & ((g.highs < g.rows) | (total <= g.high))
        return (g.shares < g.rows) | below  # a group with an empty share is not judged

    return Relation(groups, holds)


def _growth(rule: GroupGrowth, t: Any) -> Relation:
    """Each value paired with its series' value one period earlier (an equi-join, no sort).

    One row per series, counting the pairs whose growth disagrees, on the first such line:
    a series that drifts for twenty years is one problem, not twenty.
    """
    lo, hi = _bounds(rule, t, rule.value, rule.resolution)
    now = t.select(*rule.series, line=t.__line, time=t[rule.time], v=t[rule.value].cast(D),
                   g=t[rule.growth].cast(D), lo=lo, hi=hi)
    now = now.filter(now.g.notnull() & now.v.notnull())
    before = t.select(*[t[k].name(f"__{k}") for k in rule.series], next_time=t[rule.time] + 1,
                      v0=t[rule.value].cast(D), lo0=lo, hi0=hi)
    before = before.filter(before.v0.notnull() & (before.lo0 > 0))
    pairs = now.join(before, [now[k] == before[f"__{k}"] for k in rule.series]
                     + [now.time == before.next_time])
    step = Decimal(repr(float(rule.growth_resolution))) / 2

    def wide(expr: Any) -> Any:
        return expr.cast(WIDE)

    # growth g (in %, +-step) agrees with lo0..hi0 -> lo..hi when the intervals meet:
    # lo * 100 <= (g + step + 100) * hi0 and (g - step + 100) * lo0 <= hi * 100
    upper = wide(wide(pairs.g + _dec(step + 100).cast(WIDE)) * wide(pairs.hi0))
    lower = wide(wide(pairs.g - _dec(step - 100).cast(WIDE)) * wide(pairs.lo0))
    agrees = ((pairs.hi0.isnull() | (wide(wide(pairs.lo) * 100) <= upper))
              & (pairs.hi.isnull() | (lower <= wide(wide(pairs.hi) * 100))))
    pairs = pairs.mutate(bad=~agrees.fill_null(True))
    first = {"where": pairs.bad}
    series = pairs.group_by(rule.series).aggregate(
        failures=pairs.bad.cast("int64").sum(), line=pairs.line.min(**first),
        v0=pairs.v0.argmin(pairs.line, **first), v=pairs.v.argmin(pairs.line, **first),
        g=pairs.g.argmin(pairs.line, **first))
    series = series.mutate(
        found=_text(_keys_text(series, rule.series), ": ", series.failures, " growth(s) disagree, first from ",
                    _show(series.v0), " to ", _show(series.v), ": growth ", _show(series.g)),
        expected=_text("a growth agreeing with ", _show(series.v0), " -> ", _show(series.v)))
    return Relation(series, lambda s: s.failures == 0)


def _ranking(rule: GroupRanking, t: Any) -> Relation:
    """Ordering (a better rank never has a surely smaller value) and ties (equal ranks can be equal).

    For ranks that are positions these two imply the "at most r - 1 values surely above
    rank r" condition, so they are the whole rule; one row per group, counting its failures.
    """
    import ibis

    lo, hi = _bounds(rule, t, rule.value, rule.resolution)
    ranked = t.select(*rule.group_by, line=t.__line, rk=t[rule.rank], v=t[rule.value].cast(D), lo=lo, hi=hi)
    ranked = ranked.filter(ranked.rk.notnull() & ranked.v.notnull())
    better = ibis.window(group_by=rule.group_by, order_by="rk", range=(None, -1))
    ties = ibis.window(group_by=rule.group_by, order_by="rk", range=(0, 0))  # one sort serves both frames
    judged = ranked.mutate(best_hi=ranked.hi.min().over(better), tie_lo=ranked.lo.max().over(ties),
                           tie_hi=ranked.hi.min().over(ties))
    bad = (judged.best_hi < judged.lo) | (judged.tie_lo > judged.tie_hi)
    judged = judged.mutate(bad=bad.fill_null(False))
    groups = judged.group_by(rule.group_by).aggregate(
        failures=judged.bad.cast("int64").sum(), line=judged.line.min(where=judged.bad),
        first_rank=judged.rk.argmin(judged.line, where=judged.bad),
        first_value=judged.v.argmin(judged.line, where=judged.bad))
    groups = groups.mutate(
        found=_text(_keys_text(groups, rule.group_by), ": ", groups.failures,
                    " row(s) ranked below a surely smaller value, first rank ", groups.first_rank,
                    " with value ", _show(groups.first_value)),
        expected=_text("rank 1 = largest value, ranks ordered like the values"))
    return Relation(groups, lambda g: g.failures == 0)


def ibis_table(fields: list[dict], name: str) -> Any:
    """An unbound ibis table with the typed columns the loader makes, for compiling to SQL."""
    import ibis

    schema = {"__line": "int64"}
    for spec in fields:
        schema[spec["name"]] = ibis_type(spec, exact=True)
    return ibis.table(schema, name=name)


def failing_sql(rule: GroupRuleBase, t: Any, dialect: str) -> str:
    """SQL returning one row per failure (line, found, expected) in ``dialect`` (``pyspark``, ``duckdb``)."""
    import ibis

    rel = relation(rule, t)
    failing = rel.table.filter(~rel.holds(rel.table)).select("line", "found", "expected")
    return ibis.to_sql(failing, dialect=dialect)


def declared_group_rules(package: Any) -> list[tuple[Any, GroupRuleBase]]:
    """Every ``group-*`` rule of the package with its resource; a malformed one raises here, early."""
    declared = []
    for res, shown, raw in package.rule_arrays():
        fields = [f.get("name") for f in res.schema.get("fields", []) if isinstance(f, dict)]
        for rule in parse_group_rules(raw, shown=shown, fields=fields):
            declared.append((res, rule))
    return declared


def run_group_rules(tables: Any, declared: list[tuple[Any, GroupRuleBase]]) -> int:
    """Evaluate each rule through pandera's ibis backend; failures (capped) go to ``tables.examples``.

    Returns how many rules were skipped because their table could not be read.
    """
    require("scale")
    import duckdb
    import pandera.ibis as pa

    from bgopendata.engines.pandera_ibis import kept, validate

    skipped = 0
    for res, rule in declared:
        table = tables.tables.get(res.name)
        if table is None:
            skipped += 1
            continue
        rel = relation(rule, tables.ibis.table(table))
        check = pa.Check(lambda data, rel=rel: rel.holds(data.table), name=rule.id,
                         n_failure_cases=tables.max_examples)
        # one row per group: small enough to keep, so pandera's queries (the verdict and, for a
        # failing rule, its cases, its output and the count) do not each redo the joins and windows
        try:
            with kept(tables.ibis, rel.table, f"{table}_{rule.id}") as groups:
                failures = validate(groups, pa.DataFrameSchema(name=f"{res.name}/{rule.id}", checks=[check]),
                                    path=res.relpath)
                _report(tables, res, rule, groups, rel.holds, failures)
        except duckdb.Error as exc:  # e.g. a value beyond exact DECIMAL range: one line, no traceback
            raise UnusableInput(f"rule {rule.id!r} cannot be evaluated: {' '.join(str(exc).split())[:200]}",
                                path=res.relpath) from None
    return skipped


def _report(tables: Any, res: Any, rule: GroupRuleBase, groups: Any, holds: Callable[[Any], Any],
            failures: list) -> None:
    """The failing groups as problems: the first ``max_examples`` lines, and how many fail in all."""
    for failure in failures:
        cases = [case for _, case in failure.cases]
        if failure.total > len(cases):  # pandera's cases are any N: show the first N lines instead
            failing = groups.filter(~holds(groups)).select("line", "found", "expected")
            cases = failing.order_by("line").limit(tables.max_examples).to_pyarrow().to_pylist()
        tables.examples.add(f"{res.name}/{rule.id}", problems(res, rule, cases), failure.total)


def problems(res: Any, rule: GroupRuleBase, cases: list[dict]) -> list:
    """A rule's failing rows (``line``, ``found``, ``expected``) as report problems, by line; any engine."""
    from bgopendata.report import Problem

    return [Problem(code=rule.kind, severity=rule.severity, message=rule.description, resource=res.name,
                    path=res.relpath, line=int(case["line"]), fields=_fields(rule), expected=case["expected"],
                    found=case["found"], rule=rule.id)
            for case in sorted(cases, key=lambda case: case["line"])]


def _fields(rule: GroupRuleBase) -> list[str]:
    if isinstance(rule, GroupSharesSum):
        return [rule.share]
    if isinstance(rule, GroupGrowth):
        return [rule.growth]
    return [rule.rank]  # type: ignore[attr-defined]
