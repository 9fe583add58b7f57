"""Group rules on DuckDB: each kind's one ibis relation (``rules/kinds/group_*.py``) checked by pandera.

A group rule holds for every group of rows of a table of any size (the partners' shares of
each province-sector-year sum to 100, each yearly growth agrees with its two values, ranks
follow values within each group). Its kind gives the relation, an ibis table with one row
per group (per series for growth) and a condition on it; here pandera's ibis backend checks
that condition inside DuckDB over the typed table (``duckdb_tables``), with exact DECIMAL
interval arithmetic. Spark runs the same expression compiled to its SQL (``failing_sql``,
``spark_rules``), so the engines cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.extras import require
from bgopendata.report import Problem
from bgopendata.rules.base import GroupRule
from bgopendata.rules.registry import Declared
from bgopendata.tableschema.types import ibis_type


def ibis_table(fields: list[dict], name: str) -> Any:
    """An unbound ibis table with the typed columns the loader makes, for compiling to SQL."""
    import ibis

    schema = {"__line": "int64"}
    for spec in fields:
        schema[spec["name"]] = ibis_type(spec, exact=True)
    return ibis.table(schema, name=name)


def failing_sql(rule: GroupRule, t: Any, dialect: str) -> str:
    """SQL returning one row per failure (line, found, expected) in ``dialect`` (``pyspark``, ``duckdb``)."""
    import ibis

    rel = rule.relate(t)
    failing = rel.table.filter(~rel.holds(rel.table)).select("line", "found", "expected")
    return ibis.to_sql(failing, dialect=dialect)


def run_group_rules(tables: Any, declared: list[Declared]) -> tuple[Any, int]:
    """Evaluate each rule through pandera's ibis backend on ``tables`` (loaded ``TypedTables``).

    Returns the failures (capped at ``max_examples`` per rule, with their totals) as an
    ``Examples``, and how many rules were skipped because their table could not be read.
    """
    require("scale")
    import duckdb
    import pandera.ibis as pa

    from bgopendata.engines.duckdb_tables import Examples
    from bgopendata.engines.pandera_ibis import kept, validate

    found = Examples()
    skipped = 0
    for item in declared:
        res, rule = item.resource, item.rule
        assert isinstance(rule, GroupRule)
        table = tables.tables.get(res.name)
        if table is None:
            skipped += 1
            continue
        rel = rule.relate(tables.ibis.table(table))
        check = pa.Check(lambda data, rel=rel: rel.holds(data.table), name=rule.id, n_failure_cases=tables.max_examples)
        # one row per group: small enough to keep, so pandera's queries (the verdict and, for a
        # failing rule, its cases, its output and the count) do not each redo the joins and windows
        try:
            with kept(tables.ibis, rel.table, f"{table}_{rule.id}") as groups:
                failures = validate(
                    groups, pa.DataFrameSchema(name=f"{res.name}/{rule.id}", checks=[check]), path=res.relpath
                )
                _report(found, tables.max_examples, res, rule, groups, rel.holds, failures)
        except duckdb.Error as exc:  # e.g. a value beyond exact DECIMAL range: one line, no traceback
            raise UnusableInput(
                f"rule {rule.id!r} cannot be evaluated: {' '.join(str(exc).split())[:200]}", path=res.relpath
            ) from None
    return found, skipped


def _report(
    found: Any, max_examples: int, res: Any, rule: GroupRule, groups: Any, holds: Callable[[Any], Any], failures: list
) -> None:
    """The failing groups as problems: the first ``max_examples`` lines, and how many fail in all."""
    for failure in failures:
        cases = [case for _, case in failure.cases]
        if failure.total > len(cases):  # pandera's cases are any N: show the first N lines instead
            failing = groups.filter(~holds(groups)).select("line", "found", "expected")
            cases = failing.order_by("line").limit(max_examples).to_pyarrow().to_pylist()
        found.add(f"{res.name}/{rule.id}", problems(res, rule, cases), failure.total)


def problems(res: Any, rule: GroupRule, cases: list[dict]) -> list[Problem]:
    """A rule's failing rows (``line``, ``found``, ``expected``) as report problems, by line; any engine."""
    return [
        Problem(
            code=rule.code(),
            severity=rule.severity,
            message=rule.message.format(description=rule.description),
            resource=res.name,
            path=res.relpath,
            line=int(case["line"]),
            fields=[rule.reported_field()],
            expected=case["expected"],
            found=case["found"],
            rule=rule.id,
        )
        for case in sorted(cases, key=lambda case: case["line"])
    ]
