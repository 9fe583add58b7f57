"""Group rules: one relation per group of rows, declared once for a table of any size.

The figure rules (``rules/declarations.py``) name each figure; a table of ten million
rows needs rules that hold for every group instead: the partners' shares of each
province-sector-year sum to 100, each yearly growth agrees with its two values, ranks
follow values within each group. Their kinds start with ``group-`` and they are
evaluated as SQL in DuckDB over the typed table (``duckdb_tables``), with exact DECIMAL
interval arithmetic: no float is involved, so no verdict can flip on rounding.

Intervals follow ``intervals.Interval.of_figure`` (exact: v +- r/2; approx: v +- r;
at_least: (v, +inf); at_most: [v - r, v]), read as closed bounds, which can only make a
relation hold where the half-open reading would fail exactly on a bound.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bgopendata.errors import UnusableInput

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


# the same SQL runs on DuckDB and on Spark SQL; only these spellings differ
DIALECTS = {
    "duckdb": {"quote": '"', "arg_max": "arg_max", "arg_min": "arg_min"},
    "spark": {"quote": "`", "arg_max": "max_by", "arg_min": "min_by"},
}
_dialect = DIALECTS["duckdb"]


def _q(name: str) -> str:
    mark = _dialect["quote"]
    return mark + name.replace(mark, mark * 2) + mark


def _num(expr: str) -> str:
    return f"CAST({expr} AS DECIMAL(18,6))"


def _bounds(rule: GroupRuleBase, value: str, resolution: Precision) -> tuple[str, str]:
    """SQL for the low and high bound of a column's interval (NULL high = no upper bound)."""
    v = _q(value)
    r = _q(resolution) if isinstance(resolution, str) else _num(repr(float(resolution)))
    if rule.qualifier is None:
        return f"({v} - {r} * 0.5)", f"({v} + {r} * 0.5)"
    q = _q(rule.qualifier)
    lo = (f"(CASE {q} WHEN 'approx' THEN {v} - {r} WHEN 'at_least' THEN {v} "
          f"WHEN 'at_most' THEN {v} - {r} ELSE {v} - {r} * 0.5 END)")
    hi = (f"(CASE {q} WHEN 'approx' THEN {v} + {r} WHEN 'at_least' THEN NULL "
          f"WHEN 'at_most' THEN {v} ELSE {v} + {r} * 0.5 END)")
    return lo, hi


def _wide(expr: str) -> str:
    """A factor widened before a product: two DECIMAL(18,6) would overflow 18 digits past 1e6 x 1e6."""
    return f"CAST({expr} AS DECIMAL(38,8))"


def _show(expr: str) -> str:
    """A decimal as written (no trailing zeros), for messages."""
    return f"regexp_replace(CAST({expr} AS STRING), '[.]?0+$', '')" if _dialect is DIALECTS["spark"] \
        else f"rtrim(rtrim(CAST({expr} AS STRING), '0'), '.')"


def failing_sql(rule: GroupRuleBase, table: str, dialect: str = "duckdb") -> str:
    """A query returning one row per failure: line, found, expected (DuckDB or Spark SQL)."""
    global _dialect
    previous, _dialect = _dialect, DIALECTS[dialect]
    try:
        return _failing_sql(rule, table)
    finally:
        _dialect = previous


def _failing_sql(rule: GroupRuleBase, table: str) -> str:
    arg_max, arg_min = _dialect["arg_max"], _dialect["arg_min"]
    if isinstance(rule, GroupSharesSum):
        keys = ", ".join(_q(c) for c in rule.group_by)
        share = _q(rule.share)
        r = _q(rule.resolution) if isinstance(rule.resolution, str) else _num(repr(float(rule.resolution)))
        lo, hi = _bounds(rule, rule.share, rule.resolution)
        total = _num(repr(float(rule.total)))
        holds = (f"sum({lo}) <= {total} AND (count({hi}) < count(*) OR {total} <= sum({hi}))"
                 if rule.relation == "equal" else f"sum({lo}) <= {total}")
        del r
        return f"""
            SELECT {arg_max}(__line, {share}) AS line,
                   'shares ' || concat_ws(', ', {keys}) || ' (' || count(*) || ' rows) sum to '
                     || {_show(f'sum({share})')} || ' within [' || {_show(f'sum({lo})')} || ', '
                     || coalesce({_show(f'sum({hi})')}, 'inf') || ']'
                     AS found,
                   '{'=' if rule.relation == 'equal' else '<='} {rule.total}' AS expected
            FROM {table}
            GROUP BY {keys}
            HAVING count({share}) = count(*) AND NOT ({holds})"""
    if isinstance(rule, GroupGrowth):
        keys = ", ".join(_q(c) for c in rule.series)
        lo, hi = _bounds(rule, rule.value, rule.resolution)
        g, gr = _q(rule.growth), _num(repr(float(rule.growth_resolution)))
        t = _q(rule.time)
        return f"""
            WITH chained AS (
                SELECT __line, {t} AS t, {g} AS g, {_q(rule.value)} AS v, {lo} AS lo, {hi} AS hi,
                       lag({t}) OVER w AS t0, lag({_q(rule.value)}) OVER w AS v0,
                       lag({lo}) OVER w AS lo0, lag({hi}) OVER w AS hi0
                FROM {table}
                WINDOW w AS (PARTITION BY {keys} ORDER BY {t}, __line))
            SELECT __line AS line,
                   'from ' || {_show('v0')} || ' to ' || {_show('v')} || ': growth ' || {_show('g')} AS found,
                   'a growth agreeing with ' || {_show('v0')} || ' -> ' || {_show('v')} AS expected
            FROM chained
            WHERE g IS NOT NULL AND v IS NOT NULL AND v0 IS NOT NULL AND t - t0 = 1 AND lo0 > 0
              AND NOT ((hi0 IS NULL OR {_wide('lo')} * 100 <= {_wide(f'g + {gr} * 0.5 + 100')} * {_wide('hi0')})
                       AND (hi IS NULL OR {_wide(f'g - {gr} * 0.5 + 100')} * {_wide('lo0')} <= {_wide('hi')} * 100))"""
    if isinstance(rule, GroupRanking):
        keys = ", ".join(_q(c) for c in rule.group_by)
        lo, hi = _bounds(rule, rule.value, rule.resolution)
        rank = _q(rule.rank)
        w = f"PARTITION BY {keys} ORDER BY rk"  # spelt out: Spark refines no named window with a frame
        # Ordering (a better rank never has a surely smaller value) and ties (equal ranks can
        # be equal) imply the "at most r - 1 values surely above rank r" condition for ranks
        # that are positions, so these two window checks are the whole rule.
        return f"""
            WITH ranked AS (
                SELECT __line, {keys}, {rank} AS rk, {_q(rule.value)} AS v, {lo} AS lo, {hi} AS hi
                FROM {table} WHERE {rank} IS NOT NULL AND {_q(rule.value)} IS NOT NULL),
            judged AS (
                SELECT __line, {keys}, rk, v,
                       min(hi) OVER ({w} RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS best_hi,
                       max(lo) OVER ({w} RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS tie_lo,
                       min(hi) OVER ({w} RANGE BETWEEN CURRENT ROW AND CURRENT ROW) AS tie_hi, lo
                FROM ranked)
            SELECT min(__line) AS line,
                   concat_ws(', ', {keys}) || ': ' || count(*) || ' row(s) ranked below a surely smaller value, '
                     || 'first rank ' || {arg_min}(rk, __line) || ' with value ' || {_show(f'{arg_min}(v, __line)')} AS found,
                   'rank 1 = largest value, ranks ordered like the values' AS expected
            FROM judged
            WHERE best_hi < lo OR tie_lo > tie_hi
            GROUP BY {keys}"""
    raise AssertionError(f"unknown group rule kind {rule.kind!r}")  # pragma: no cover


def declared_group_rules(package: Any) -> list[tuple[Any, GroupRuleBase]]:
    """Every ``group-*`` rule of the package with its resource; a malformed one raises here, early."""
    declared = []
    for res in package.resources:
        fields = [f.get("name") for f in res.schema.get("fields", []) if isinstance(f, dict)]
        shown = res.schema_path or f"datapackage.json#{res.name}"
        for rule in parse_group_rules(res.schema.get("rules"), shown=shown, fields=fields):
            declared.append((res, rule))
    return declared


def run_group_rules(tables: Any, declared: list[tuple[Any, GroupRuleBase]]) -> int:
    """Evaluate each rule on its loaded table; failures (capped) go to ``tables.examples``.

    Returns how many rules were skipped because their table could not be read.
    """
    import duckdb

    from bgopendata.report import Problem

    skipped = 0
    for res, rule in declared:
        table = tables.tables.get(res.name)
        if table is None:
            skipped += 1
            continue
        sql = failing_sql(rule, table)
        try:
            rows = tables.con.execute(f"""
                SELECT line, found, expected, count(*) OVER () AS total FROM ({sql}) f
                ORDER BY line LIMIT {tables.max_examples}""").fetchall()
        except duckdb.Error as exc:  # e.g. a value beyond exact DECIMAL range: one line, no traceback
            raise UnusableInput(f"rule {rule.id!r} cannot be evaluated: {' '.join(str(exc).split())[:200]}",
                                path=res.relpath) from None
        if not rows:
            continue
        found = [Problem(code=rule.kind, severity=rule.severity, message=rule.description,
                         resource=res.name, path=res.relpath, line=int(line), fields=_fields(rule),
                         expected=expected, found=text, rule=rule.id)
                 for line, text, expected, _total in rows]
        tables.examples.add(f"{res.name}/{rule.id}", found, rows[0][3])
    return skipped


def _fields(rule: GroupRuleBase) -> list[str]:
    if isinstance(rule, GroupSharesSum):
        return [rule.share]
    if isinstance(rule, GroupGrowth):
        return [rule.growth]
    return [rule.rank]  # type: ignore[attr-defined]
