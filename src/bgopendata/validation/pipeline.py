"""``validate(path)``: structural checks (frictionless), then consistency rules (pandera), one report.

Unusable input (unreadable descriptor, paths escaping the package, a malformed rule)
raises ``UnusableInput``; everything else ends up as problems in the returned ``Report``.

The two layers are independent until their results meet, and each is dominated by its
imports (frictionless; pandas + pandera), so where the OS can ``fork`` the rules run in a
child process while frictionless checks the structure: a cold run costs about the slower
layer, not the sum. Without ``fork`` (or with ``parallel=False``) they run one after the other.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from bgopendata.errors import UnusableInput
from bgopendata.package import Package, open_package
from bgopendata.report import Problem, Report
from bgopendata.validation.structure import check_lexical, check_structure


def validate(path: str | Path = ".", *, strict: bool = False, parallel: bool = True,
             engine: str = "auto", max_examples: int = 20, spark_master: str | None = None) -> Report:
    """Validate the package at ``path``; raises ``UnusableInput`` when it cannot be read.

    ``engine`` is ``auto`` (by size, see ``bgopendata.engines``), ``pandas``, ``duckdb`` or
    ``spark``; ``max_examples`` caps the problems shown per check at scale (the report's
    ``stats`` keep how many more were found, under ``omitted/...``).
    """
    from bgopendata.engines import ENGINES, choose_engine
    from bgopendata.engines.group_rules import declared_group_rules

    if engine not in ENGINES:
        raise UnusableInput(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    if max_examples < 1:
        raise UnusableInput(f"--max-examples must be at least 1, got {max_examples}")
    package = open_package(path)
    chosen = choose_engine(package, engine)
    group_rules = declared_group_rules(package)  # a malformed group rule fails before the slow checks
    if chosen != "pandas":
        return _validate_at_scale(package, group_rules, strict=strict, engine=chosen,
                                  max_examples=max_examples, spark_master=spark_master)
    lexical = check_lexical(package)
    if lexical:  # a file that is not even well-formed CSV: no reader, rule or frictionless runs on it
        return Report(package=str(package.root), strict=strict, problems=lexical,
                      stats={"resources": len(package.resources)})
    pending = _start_rules(package) if parallel else None
    problems = check_structure(package, lexical_checked=True)
    structure_failed = any(p.severity == "error" for p in problems)
    outcome = pending.result() if pending else None
    if outcome is None:  # sequential, or the child died: run the rules here
        outcome = _run_rules(package)
    consistency, stats = _settle(outcome, structure_failed=structure_failed)
    if group_rules:
        grouped, omitted, skipped = _group_rules_on_duckdb(package, group_rules, max_examples)
        consistency += grouped
        stats = {**stats, "rules": stats.get("rules", 0) + len(group_rules) - skipped,
                 "rules_skipped": stats.get("rules_skipped", 0) + skipped, **omitted}
    return Report(
        package=str(package.root),
        strict=strict,
        problems=problems + consistency,
        stats={"resources": len(package.resources), **stats},
    )


def _group_rules_on_duckdb(package: Package, group_rules: list, max_examples: int
                           ) -> tuple[list[Problem], dict[str, int], int]:
    """The group rules of a small package: its tables with group rules loaded in DuckDB (types only)."""
    from bgopendata.engines.duckdb_tables import TypedTables
    from bgopendata.engines.group_rules import run_group_rules

    wanted = {res.name for res, _ in group_rules}
    with TypedTables(package, max_examples=max_examples) as tables:
        tables.load([r for r in package.resources if r.name in wanted])
        tables.examples.problems.clear()  # structure was reported by frictionless already
        skipped = run_group_rules(tables, group_rules)
        problems = list(tables.examples.problems)
        omitted = {f"omitted/{k}": v for k, v in tables.examples.omitted.items()
                   if "/" in k and k.split("/", 1)[1] in {r.id for _, r in group_rules}}
    return problems, omitted, skipped


def _validate_at_scale(package: Package, group_rules: list, *, strict: bool, engine: str,
                       max_examples: int, spark_master: str | None) -> Report:
    """Structure in DuckDB SQL, group rules in DuckDB (or Spark), figure rules as usual."""
    from bgopendata.validation.figure_rules import declared_figure_rules
    from bgopendata.engines.duckdb_tables import TypedTables
    from bgopendata.engines.group_rules import run_group_rules

    figure_rules = declared_figure_rules(package)  # a malformed rule fails here, before any reading
    stats: dict[str, int] = {"resources": len(package.resources)}
    with TypedTables(package, max_examples=max_examples) as tables:
        tables.load()
        examples = tables.check()
        stats["rows"] = sum(tables.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                            for t in tables.tables.values())
        if engine == "spark":
            from bgopendata.engines.spark_rules import run_group_rules_on_spark

            skipped = run_group_rules_on_spark(tables, group_rules, master=spark_master)
        else:
            skipped = run_group_rules(tables, group_rules)
    problems = list(examples.problems)
    stats.update({f"omitted/{k}": v for k, v in examples.omitted.items()})
    structure_failed = any(p.severity == "error" and p.code.startswith("structure/") for p in problems)
    rules, figures = len(group_rules) - skipped, 0
    if figure_rules:
        if any(p.code.startswith("structure/") and p.line is None or p.code in _UNREADABLE for p in problems):
            stats.update({"rules": rules, "rules_skipped": skipped + figure_rules})
            return Report(package=str(package.root), strict=strict, problems=problems, stats=stats)
        consistency, figure_stats = _settle(_run_rules(package), structure_failed=structure_failed)
        problems += consistency
        rules += figure_stats.get("rules", 0)
        skipped += figure_stats.get("rules_skipped", 0)
        figures = figure_stats.get("figures", 0)
    stats.update({"rules": rules, "rules_skipped": skipped, "figures": figures})
    return Report(package=str(package.root), strict=strict, problems=problems, stats=stats)


# lexical problems after which the figure rules' pandas reader must not run on the file
_UNREADABLE = {"structure/byte-order-mark", "structure/header-too-large", "structure/field-too-large",
               "structure/encoding-error", "structure/unclosed-quote", "structure/wrong-delimiter",
               "structure/empty-file", "structure/io-error", "structure/source-error",
               "structure/extra-cell", "structure/missing-cell"}


def _run_rules(package: Package) -> dict[str, Any]:
    """Run the rules, strictly and (if a reference is missing) tolerantly; plain data out."""
    from bgopendata.validation.figure_rules import check_consistency, prepare

    try:
        prepared = prepare(package)
    except UnusableInput as exc:
        return {"unusable": str(exc)}
    outcome: dict[str, Any] = {}
    try:
        problems, stats = check_consistency(package, prepared=prepared)
    except UnusableInput as exc:  # a rule names a missing figure: fatal only if the structure is fine
        outcome["reference_error"] = str(exc)
        problems, stats = check_consistency(package, structure_failed=True, prepared=prepared)
    from bgopendata.provenance import check_package as check_provenance  # each figure against its quoted text

    outcome["problems"] = [p.model_dump() for p in problems + check_provenance(package)]
    outcome["stats"] = stats
    return outcome


def _settle(outcome: dict[str, Any], *, structure_failed: bool) -> tuple[list[Problem], dict[str, int]]:
    if "unusable" in outcome:
        raise UnusableInput(outcome["unusable"])
    if outcome.get("reference_error") and not structure_failed:
        raise UnusableInput(outcome["reference_error"])
    return [Problem(**p) for p in outcome["problems"]], outcome["stats"]


class _Pending:
    """The rules running in a forked child; ``result()`` is its outcome, or None if it died."""

    def __init__(self, package: Package) -> None:
        ctx = multiprocessing.get_context("fork")
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(package, send), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> dict[str, Any] | None:
        try:
            outcome = self._receive.recv()
        except (EOFError, OSError):
            outcome = None
        finally:
            self._receive.close()
            self._process.join()
        return outcome


def _child(package: Package, send: Any) -> None:
    try:
        outcome = _run_rules(package)
    except Exception:  # a bug: the parent reruns the rules itself and shows it there, once
        outcome = None
    try:
        send.send(outcome)
    finally:
        send.close()


def _start_rules(package: Package) -> _Pending | None:
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        return _Pending(package)
    except OSError:
        return None
