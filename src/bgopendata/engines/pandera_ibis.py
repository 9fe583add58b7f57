"""Checks at scale through pandera's ibis backend: the checks run as SQL inside DuckDB.

Ten million rows never come into Python: pandera builds each check as an ibis expression,
DuckDB evaluates it over the typed table (``duckdb_tables``), and only the verdict, at
most ``max_examples`` failure cases per check and (for a failing check) the count of all
failures come back. Two kinds of schema are validated here:

- the Table Schema's field constraints as pandera's built-in checks (``ge``, ``le``,
  ``isin``, ``str_matches``, ``str_length``...) on each column, and two checks of ours
  over all the fields at once (a required cell is not empty, a text cell holds no
  carriage return): a check costs a query, and most fields are required text;
- each group rule's relation (``group_rules.relation``) with its condition as a check.

A column check's failure cases carry their row position; the typed tables keep the
file's row order (insertion order is preserved and every row is one CSV line), so the
line is the position plus two (the header is line 1). Relation checks carry ``line``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Table Schema bound -> pandera built-in check; numbers and integers only, like frictionless
BOUNDS = {"minimum": "ge", "maximum": "le", "exclusiveMinimum": "gt", "exclusiveMaximum": "lt"}
NUMERIC = ("number", "integer")


@dataclass
class Failure:
    """A failing check: what it is, its first failure cases and how many fail in all.

    A case is (row position, failure case): the cell as ``{column: value}`` for a column
    check, the whole row as a dict for a table check.
    """

    check: str
    column: str | None
    cases: list[tuple[int | None, Any]]
    total: int


def connect(con: Any) -> Any:
    """An ibis backend over an open DuckDB connection (the tables stay where they are)."""
    import ibis

    return ibis.duckdb.from_connection(con)


@contextmanager
def kept(backend: Any, expr: Any, name: str) -> Iterator[Any]:
    """``expr`` computed once into a temporary table, dropped on exit.

    (ibis's own ``Table.cache()`` cannot drop its table on a connection whose current
    database is an attached file: it writes ``DROP TABLE IF EXISTS`` with no name.)
    """
    con = backend.con
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {backend.compile(expr)}')
    try:
        yield backend.table(name, database=("temp", "main"))
    finally:
        con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')


@dataclass
class CellCheck:
    """One check over many fields at once: a query per table, not one per field.

    ``bad(table, field)`` says which cells of ``field`` fail; pandera runs the check on the
    rows, and for a failing one ``totals`` counts each field's failures (one query) and
    ``lines`` finds a failing field's first lines, so each field gets its own examples.
    """

    name: str
    fields: list[str]
    bad: Callable[[Any, str], Any]

    def check(self, max_examples: int) -> Any:
        import pandera.ibis as pa

        def holds(data: Any) -> Any:
            ok = None
            for name in self.fields:
                cell = ~self.bad(data.table, name).fill_null(False)
                ok = cell if ok is None else ok & cell
            return ok

        return pa.Check(holds, name=self.name, ignore_na=False, n_failure_cases=max_examples)

    def lines(self, table: Any, name: str, limit: int) -> list[int]:
        """The first ``limit`` lines where ``name`` fails (a scan in file order, stopped early)."""
        failing = table.filter(self.bad(table, name).fill_null(False)).select("__line").limit(limit)
        return [int(row["__line"]) for row in failing.to_pyarrow().to_pylist()]

    def totals(self, table: Any) -> dict[str, int]:
        counts = (
            table.aggregate(
                **{
                    f"f{i}": self.bad(table, name).fill_null(False).cast("int64").sum()
                    for i, name in enumerate(self.fields)
                }
            )
            .to_pyarrow()
            .to_pylist()[0]
        )
        return {name: int(counts[f"f{i}"] or 0) for i, name in enumerate(self.fields)}


def cell_checks(fields: list[tuple[dict, Callable[[Any], Any] | None]]) -> list[CellCheck]:
    """The constraints every field may have, one check each for the whole table.

    A required cell must not be empty, unless its cast failed (``cast_failed(table)``):
    that cell is a type error already. A text cell must hold no carriage return.
    """
    failed = {spec.get("name", ""): cast_failed for spec, cast_failed in fields}
    required = [spec.get("name", "") for spec, _ in fields if (spec.get("constraints") or {}).get("required")]
    text = [spec.get("name", "") for spec, _ in fields if spec.get("type", "string") in ("string", "any")]

    def empty(t: Any, name: str) -> Any:
        cast_failed = failed.get(name)
        return t[name].isnull() & ~cast_failed(t) if cast_failed else t[name].isnull()

    checks = []
    if required:
        checks.append(CellCheck("required", required, empty))
    if text:
        checks.append(CellCheck("stray-carriage-return", text, lambda t, name: t[name].contains("\r")))
    return checks


def field_checks(spec: dict, max_examples: int) -> list[Any]:
    """pandera checks (built-ins where pandera has them) for one Table Schema field's constraints."""
    import pandera.ibis as pa

    type_ = spec.get("type", "string")
    cons = spec.get("constraints") or {}
    n = max_examples
    checks = []
    enum = cons.get("enum")
    if isinstance(enum, list):
        if type_ in NUMERIC:
            options = [Decimal(repr(v)) for v in enum if isinstance(v, (int, float)) and not isinstance(v, bool)]
            checks.append(
                pa.Check.isin(options, name="enum", n_failure_cases=n)
                if options
                else pa.Check(lambda d: d.table[d.key].isnull(), name="enum", n_failure_cases=n)
            )
        elif type_ in ("string", "any"):
            checks.append(pa.Check.isin([str(v) for v in enum], name="enum", n_failure_cases=n))
        else:
            texts = [str(v) for v in enum]
            checks.append(pa.Check(lambda d: d.table[d.key].cast("string").isin(texts), name="enum", n_failure_cases=n))
    pattern = cons.get("pattern")
    if isinstance(pattern, str):  # a Table Schema pattern matches the whole cell
        anchored = f"^(?:{pattern})$"
        checks.append(
            pa.Check.str_matches(anchored, name="pattern", n_failure_cases=n)
            if type_ == "string"
            else pa.Check(
                lambda d: d.table[d.key].cast("string").re_search(anchored), name="pattern", n_failure_cases=n
            )
        )
    if type_ in NUMERIC:
        for key, builtin in BOUNDS.items():
            bound = cons.get(key)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool):
                checks.append(getattr(pa.Check, builtin)(Decimal(repr(bound)), name=key, n_failure_cases=n))
    lengths = {k: cons.get(k) for k in ("minLength", "maxLength")}
    lengths = {k: v for k, v in lengths.items() if isinstance(v, int) and not isinstance(v, bool)}
    if lengths:
        if type_ == "string":
            checks.append(
                pa.Check.str_length(
                    lengths.get("minLength"), lengths.get("maxLength"), name="length", n_failure_cases=n
                )
            )
        else:

            def length(d: Any) -> Any:
                size = d.table[d.key].cast("string").length()
                ok = size >= lengths["minLength"] if "minLength" in lengths else None
                if "maxLength" in lengths:
                    ok = size <= lengths["maxLength"] if ok is None else ok & (size <= lengths["maxLength"])
                return ok

            checks.append(pa.Check(length, name="length", n_failure_cases=n))
    return checks


def validate(table: Any, schema: Any, *, path: str) -> list[Failure]:
    """Run ``schema`` (a ``pandera.ibis.DataFrameSchema``) lazily on ``table``: its failures, counted.

    A check that cannot be evaluated (say, a value beyond exact decimal range) is unusable
    input, one line naming the check and ``path``, not a failure with no cases.
    """
    import pandera.ibis as pa
    from pandera.errors import SchemaErrorReason

    from bgopendata.errors import UnusableInput

    try:
        schema.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for error in exc.schema_errors:
            if error.reason_code == SchemaErrorReason.CHECK_ERROR:
                name = getattr(error.check, "name", None) or str(error.check)
                detail = " ".join(str(error).split())
                detail = detail.split("Error:", 1)[-1].strip() if "Error:" in detail else detail
                raise UnusableInput(f"check {name!r} cannot be evaluated: {detail[:200]}", path=path) from None
        return [_failure(error) for error in exc.schema_errors]
    return []


def _failure(error: Any) -> Failure:
    check = error.check
    name = getattr(check, "name", None) or str(check)
    column = getattr(error.schema, "name", None) if type(error.schema).__name__ == "Column" else None
    cases: list[tuple[int | None, Any]] = []
    frame = error.failure_cases
    if frame is not None and hasattr(frame, "iterrows"):
        for _, row in frame.iterrows():
            value = row["failure_case"]
            index = row.get("index")
            cases.append((None if index is None or index != index else int(index), value))
    return Failure(check=name, column=column, cases=cases, total=_count(error, len(cases)))


def _count(error: Any, shown: int) -> int:
    """All failures of a check, counted where they are (one more query, only for a failing check)."""
    import ibis

    output = error.check_output
    if output is None:
        return shown
    ignore_na = getattr(error.check, "ignore_na", True)
    passed = output["check_output"] if isinstance(output, ibis.Table) else output
    return max(shown, int((~passed.fill_null(ignore_na)).cast("int64").sum().execute() or 0))
