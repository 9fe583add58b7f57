"""``--engine spark``: the group rules on Apache Spark, through pandera's pyspark backend.

Each table with group rules is the typed Spark DataFrame ``spark_tables`` read from its
CSV (with its ``__line`` column, so failures still name their CSV line), validated by a
``pandera.pyspark.DataFrameSchema`` whose checks are the declared rules: each check runs
the rule's Spark SQL on the cluster and passes when no group fails, the failing groups
(capped at ``max_examples``, with their total) kept for the report, as the DuckDB engine
does. The SQL is compiled by ibis from the very expression the DuckDB engine gives pandera
(the kind's ``relate``, through ``group_rules.failing_sql``), so the engines cannot drift
apart; a kind that has a relation runs here, and no kind is written twice.

The session: the active one if the caller made one (``SparkSession.getActiveSession()``),
else one built for ``master`` (``--spark-master`` / ``SPARK_MASTER``), else ``local[2]``
with the UI off.
"""

from __future__ import annotations

from typing import Any

from bgopendata.engines.group_rules import failing_sql, ibis_table, problems
from bgopendata.errors import UnusableInput
from bgopendata.extras import require
from bgopendata.rules.base import GroupRule
from bgopendata.rules.registry import Declared

_CHECK_NAME = "bgopendata_group_rule"


def spark_session(master: str | None = None) -> Any:
    """The active SparkSession, or one for ``master`` (default ``local[2]``, UI off)."""
    require("spark")
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    try:
        session = (
            SparkSession.builder.master(master or "local[2]")
            .appName("bgopendata-validate")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        return session
    except Exception as exc:  # noqa: BLE001 - no Java, a wrong master URL: one line, not a JVM trace
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnusableInput(f"cannot start Spark (master {master or 'local[2]'}): {first[:200]}") from None


def _register_check() -> None:
    """Register the pandera check once: it runs one rule's SQL and records its failures."""
    import pandera.pyspark as pa
    from pandera.extensions import register_check_method

    if hasattr(pa.Check, _CHECK_NAME):
        return

    @register_check_method(statistics=["rule_id"])
    def bgopendata_group_rule(pyspark_obj: Any, *, rule_id: str) -> bool:
        frame = getattr(pyspark_obj, "dataframe", pyspark_obj)
        job = _JOBS[rule_id]
        job["ran"] = True
        view = f"bg_{abs(hash(rule_id))}"
        frame.createOrReplaceTempView(view)
        table = ibis_table(job["fields"], view)
        failing = frame.sparkSession.sql(failing_sql(job["rule"], table, dialect="pyspark"))
        rows = failing.orderBy("line").limit(job["max_examples"]).collect()
        job["rows"] = [{"line": r["line"], "found": r["found"], "expected": r["expected"]} for r in rows]
        job["total"] = failing.count() if rows else 0
        return not rows


_JOBS: dict[str, dict[str, Any]] = {}


def run_group_rules_on_spark(tables: Any, declared: list[Declared]) -> tuple[Any, int]:
    """Like ``group_rules.run_group_rules``, on ``tables`` (loaded ``SparkTables``): the failures
    found and how many rules were skipped because their table could not be read."""
    from bgopendata.engines.duckdb_tables import Examples

    found = Examples()
    if not declared:
        return found, 0
    _register_check()
    import pandera.pyspark as pa

    skipped = 0
    by_resource: dict[str, list[GroupRule]] = {}
    resources = {}
    for item in declared:
        res, rule = item.resource, item.rule
        assert isinstance(rule, GroupRule)
        if res.name not in tables.frames:
            skipped += 1
            continue
        by_resource.setdefault(res.name, []).append(rule)
        resources[res.name] = res
    for name, rules in by_resource.items():
        res = resources[name]
        frame = tables.frames[name]
        for rule in rules:
            _JOBS[rule.id] = {
                "rule": rule,
                "max_examples": tables.max_examples,
                "rows": [],
                "total": 0,
                "fields": [f for f in res.schema.get("fields", []) if isinstance(f, dict)],
            }
        schema = pa.DataFrameSchema(name=name, checks=[getattr(pa.Check, _CHECK_NAME)(rule_id=r.id) for r in rules])
        validated = schema.validate(frame)  # the checks record their failures in _JOBS
        crashed = dict(validated.pandera.errors or {}).get("DATA", {}).get("CHECK_ERROR")
        for rule in rules:
            job = _JOBS.pop(rule.id)
            if crashed or not job.get("ran"):  # a check that raised is a bug or a cluster problem, not a verdict
                detail = str(crashed[0].get("error", "")) if crashed else "the check did not run"
                detail = " ".join(detail.rsplit("Exception:", 1)[-1].split())[:200]
                raise UnusableInput(f"Spark could not evaluate rule {rule.id!r}: {detail}", path=res.relpath)
            if job["rows"]:
                found.add(f"{name}/{rule.id}", problems(res, rule, job["rows"]), job["total"])
    return found, skipped
